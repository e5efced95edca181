"""Slow reference implementations, kept only to check and to time the fast ones that helpers uses.

Tests import them as ``bench.reference``; the benchmarks in this folder as ``reference``.
"""

from __future__ import annotations

import numpy as np

import helpers.env  # noqa: F401  (TensorFlow's environment before keras loads)
import tensorflow as tf
from keras import layers

from helpers.heatmaps import covariances, grid_points
from helpers.inference import decode


def _flatten_outputs(decoder, z):
    x = decoder(z, training=False)
    return tf.reshape(x, (tf.shape(x)[0], -1))


def jacobian_per_output(decoder, z) -> np.ndarray:
    """The original study's method, eagerly: one gradient of the batch sum per output coordinate
    (correct because output i of example n depends only on z_n)."""
    z = tf.convert_to_tensor(np.asarray(z, np.float32))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(z)
        x = _flatten_outputs(decoder, z)
        outputs = [tf.reduce_sum(x[:, i]) for i in range(x.shape[1])]
    rows = [tape.gradient(out, z) for out in outputs]
    del tape
    return tf.stack(rows, axis=1).numpy()


def jacobian_per_point(decoder, z) -> np.ndarray:
    """A naive loop: for each latent point, one eager gradient per output."""
    result = []
    for point in np.asarray(z, dtype=np.float32):
        zi = tf.convert_to_tensor(point[None])
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(zi)
            x = _flatten_outputs(decoder, zi)[0]
            outputs = [x[i] for i in range(x.shape[0])]
        result.append(np.stack([tape.gradient(out, zi)[0].numpy() for out in outputs]))
        del tape
    return np.stack(result)


def curve_energy_looped(decoder, curve) -> float:
    """helpers.geodesics.curve_energy with one decoder call per point."""
    x = np.stack([decode(decoder, point[None])[0].ravel() for point in np.asarray(curve, np.float32)])
    return float((len(curve) - 1) * np.sum(np.diff(x.astype(np.float64), axis=0) ** 2))


def gaussian_heatmaps_loop(factors: np.ndarray) -> np.ndarray:
    """The original study's way: one scipy ``multivariate_normal`` per image, max-normalised."""
    from scipy.stats import multivariate_normal

    x, y = grid_points()
    pos = np.dstack((x, y))
    images = []
    for cov in covariances(factors):
        values = multivariate_normal(mean=[0.0, 0.0], cov=cov).pdf(pos)
        images.append(values / values.max())
    return np.array(images)


def forward_flops(model) -> int:
    """Multiply-adds × 2 of one forward pass per image through the Conv/ConvT/Dense layers."""
    total = 0
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, layers.Conv2DTranspose):
            h, w, c_in = layer.input.shape[1:]
            total += 2 * h * w * 9 * c_in * layer.filters
        elif isinstance(layer, layers.Conv2D):
            h, w = layer.output.shape[1:3]
            total += 2 * h * w * 9 * layer.input.shape[-1] * layer.filters
        elif isinstance(layer, layers.Dense):
            total += 2 * layer.input.shape[-1] * layer.units
    return int(total)

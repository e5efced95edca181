"""Decoder Jacobians, local distortion on latent grids and planes.

For a decoder g: R^d → R^D and a latent point z, the Jacobian J(z) = ∂g/∂z is D×d.
The pull-back metric is M(z) = JᵀJ and the local area (volume) distortion is

    distortion(z) = sqrt(det(J(z)ᵀ J(z))),

the factor by which g stretches an infinitesimal latent area element around z.
A latent curve z(t) decoded to x(t) = g(z(t)) has input-space length ∫‖ẋ(t)‖ dt, which
we approximate by the polygonal length Σ_i ‖x_{i+1} − x_i‖ of a fine discretisation.
"""

from __future__ import annotations

import functools
import weakref

import numpy as np

import helpers.env  # noqa: F401  (the TensorFlow environment before TensorFlow loads)
import tensorflow as tf


# One traced tf.function per (decoder, mode), so repeated calls run warm.
_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _as_tensor(z):
    return tf.convert_to_tensor(np.asarray(z, dtype=np.float32))


def _flatten_outputs(decoder, z):
    x = decoder(z, training=False)
    return tf.reshape(x, (tf.shape(x)[0], -1))


def jacobian_reverse(decoder, z, chunk_size: int = 4096) -> np.ndarray:
    """Batched Jacobians by reverse mode (``GradientTape.batch_jacobian`` in a ``tf.function``).

    Returns an array of shape (n, D, d) where D is the flattened output size.
    """
    batch = _compiled(decoder, "reverse")
    z = np.asarray(z, dtype=np.float32)
    return np.concatenate([batch(_as_tensor(z[i:i + chunk_size])).numpy() for i in range(0, len(z), chunk_size)])


def _compiled(decoder, mode):
    """The traced batch-Jacobian function of ``decoder`` for ``mode`` (traced once, reused)."""
    functions = _COMPILED.setdefault(decoder, {})
    if mode not in functions:
        body = {"reverse": _reverse_batch, "forward": _forward_batch}[mode]
        functions[mode] = tf.function(functools.partial(body, decoder), reduce_retracing=True)
    return functions[mode]


def _reverse_batch(decoder, z_chunk):
    with tf.GradientTape() as tape:
        tape.watch(z_chunk)
        x = _flatten_outputs(decoder, z_chunk)
    return tape.batch_jacobian(x, z_chunk)


def jacobian_forward(decoder, z, chunk_size: int = 4096) -> np.ndarray:
    """Batched Jacobians by forward mode: one JVP per latent dimension (d passes).

    Forward mode costs d decoder evaluations, reverse mode D: with d ≪ D it should win;
    ``make bench`` measures both on this machine.
    """
    batch = _compiled(decoder, "forward")
    z = np.asarray(z, dtype=np.float32)
    return np.concatenate([batch(_as_tensor(z[i:i + chunk_size])).numpy() for i in range(0, len(z), chunk_size)])


def _forward_batch(decoder, z_chunk):
    columns = []
    for j in range(z_chunk.shape[-1]):
        tangent = tf.one_hot(tf.fill(tf.shape(z_chunk)[:1], j), z_chunk.shape[-1], dtype=z_chunk.dtype)
        with tf.autodiff.ForwardAccumulator(z_chunk, tangent) as accumulator:
            x = _flatten_outputs(decoder, z_chunk)
        columns.append(accumulator.jvp(x))
    return tf.stack(columns, axis=-1)


def jacobian_vector_products(decoder, z, directions, chunk_size: int = 512) -> np.ndarray:
    """J(z)·V for latent points z (n, d) and directions V (d, m): (n, D, m), by forward mode in one
    decoder pass per chunk — every point is repeated once per direction and carries that direction
    as its tangent (the rows of a batch are independent, so this is m JVPs at once).

    With V = I it is the full Jacobian; with V = a basis of a latent plane it is the Jacobian
    restricted to the plane at m/d of the cost. It runs eagerly: tracing a forward accumulator through a
    convolutional decoder into a graph took about 6 s per decoder on 2 cores, several times the pass itself
    (a 40×40 slice: ~1 s), and a slice is computed once per decoder.
    """
    z = np.asarray(z, dtype=np.float32)
    v = tf.convert_to_tensor(np.asarray(directions, dtype=np.float32))
    return np.concatenate([_directions_batch(decoder, _as_tensor(z[i:i + chunk_size]), v).numpy()
                           for i in range(0, len(z), chunk_size)])


def _directions_batch(decoder, z_chunk, directions):
    n, m = tf.shape(z_chunk)[0], tf.shape(directions)[1]
    points = tf.tile(z_chunk, [m, 1])  # direction-major: rows k·n … (k + 1)·n − 1 carry direction k
    tangents = tf.repeat(tf.transpose(directions), n, axis=0)
    with tf.autodiff.ForwardAccumulator(points, tangents) as accumulator:
        x = _flatten_outputs(decoder, points)
    jvp = tf.reshape(accumulator.jvp(x), (m, n, -1))
    return tf.transpose(jvp, (1, 2, 0))


def decoder_jacobian(decoder, z, method: str = "reverse") -> np.ndarray:
    """Jacobians (n, D, d) of ``decoder`` at latent points ``z`` (n, d).

    ``"reverse"`` (one backward pass per output, D) was faster for the cone decoder
    (D = 3: ~5 ms vs ~12 ms on a 100×100 grid); ``"forward"`` (one pass per latent
    dimension, d) is the choice for image decoders where D ≫ d. See ``make bench``.
    """
    methods = {"forward": jacobian_forward, "reverse": jacobian_reverse}
    if method not in methods:
        raise ValueError(f"method must be one of {list(methods)}, got {method!r}")
    return methods[method](decoder, z)


def distortion_from_jacobians(jacobians: np.ndarray) -> np.ndarray:
    """sqrt(det(JᵀJ)) for a stack of Jacobians (n, D, d), computed in float64."""
    j = np.asarray(jacobians, dtype=np.float64)
    gram = np.einsum("nki,nkj->nij", j, j)
    return np.sqrt(np.clip(np.linalg.det(gram), 0.0, None))


def latent_grid(low, high, points_per_axis: int):
    """A regular 2-D grid: returns (axis_0, axis_1, points) with points (n², 2), row-major in axis_1."""
    a0 = np.linspace(low[0], high[0], points_per_axis)
    a1 = np.linspace(low[1], high[1], points_per_axis)
    g0, g1 = np.meshgrid(a0, a1)
    return a0, a1, np.stack([g0.ravel(), g1.ravel()], axis=1).astype(np.float32)


def distortion_on_grid(decoder, low, high, points_per_axis: int, method: str = "reverse"):
    """Distortion over a 2-D latent grid; returns (axis_0, axis_1, values[len(axis_1), len(axis_0)])."""
    a0, a1, points = latent_grid(low, high, points_per_axis)
    values = distortion_from_jacobians(decoder_jacobian(decoder, points, method))
    return a0, a1, values.reshape(points_per_axis, points_per_axis)


def distortion_on_plane(decoder, origin, basis, half_width: float, points_per_axis: int, method: str = "forward"):
    """Area distortion sqrt(det((J B)ᵀ(J B))) over a 2-D slice z = origin + B·(u, v) of a latent
    space of any dimension, with B (d×2) orthonormal columns and u, v ∈ [−half_width, half_width].

    Returns (u_axis, v_axis, values[len(v), len(u)], latent points (n², d)). ``"forward"`` is
    the default: image decoders have far more outputs than latent dimensions, and forward mode
    needs only the two directions of the plane, J·B (:func:`jacobian_vector_products`), not all of J.
    """
    basis = np.asarray(basis, np.float64)
    u, v, plane = latent_grid((-half_width, -half_width), (half_width, half_width), points_per_axis)
    points = (np.asarray(origin, np.float64) + plane @ basis.T).astype(np.float32)
    if method == "forward":
        restricted = jacobian_vector_products(decoder, points, basis)
    else:
        restricted = decoder_jacobian(decoder, points, method) @ basis.astype(np.float32)
    values = distortion_from_jacobians(restricted).reshape(points_per_axis, points_per_axis)
    return u, v, values, points

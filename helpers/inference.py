"""Models on numpy arrays, one home for every study: encode, sample, decode, reconstruct.

* :func:`encode_mean` — the deterministic code of each image: a VAE's posterior mean μ(x), an AE's z(x);
* :func:`encoder_outputs` — everything the encoder returns: [μ, log σ²] for a VAE, [z] for an AE;
* :func:`sample_codes` — μ and one reparameterised draw z = μ + σ·ε, with σ from :func:`posterior_sigma`;
* :func:`decode` — images (or points) g(z) of latent points;
* :func:`reconstruct` — g(encode_mean(x)).

Each runs the model's traced inference call, ``model(x, training=False)`` in a ``tf.function`` traced once
per model (:func:`inference_function`), in batches. That is what ``predict`` computes, without its set-up
of 0.1–0.2 s per call on 2 cores, which dominated the many short paths and two-image encodings the
notebooks make. Encoder outputs are also remembered by a digest of the encoder's weights and of the
images, because the notebooks encode the same splits several times; training the model or changing the
images recomputes them.
"""

from __future__ import annotations

import functools
import hashlib
import weakref

import numpy as np

import helpers.env  # noqa: F401  (TF environment before the imports below)
import keras
import tensorflow as tf

#: Traced inference functions, one per model.
_INFERENCE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: Remembered encoder outputs, per encoder: {digest: [arrays]} (the last few per encoder).
_ENCODED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_ENCODED_PER_MODEL = 6


def inference_function(model):
    """``model(x, training=False)`` as a ``tf.function``, traced once per model and reused."""
    if model not in _INFERENCE:
        _INFERENCE[model] = tf.function(functools.partial(_inference, model), reduce_retracing=True)
    return _INFERENCE[model]


def _inference(model, x):
    return model(x, training=False)


def run(model, x, batch_size: int = 1024) -> list[np.ndarray]:
    """Every output of ``model`` for the rows of ``x``, computed in batches of ``batch_size``.

    A Keras model runs its traced inference call; anything else with a Keras-like ``predict``
    (test doubles) is asked for ``predict``.
    """
    x = np.asarray(x, np.float32)
    if not isinstance(model, keras.Model):
        out = model.predict(x, batch_size=batch_size, verbose=0)
        return [np.asarray(a) for a in (out if isinstance(out, list | tuple) else [out])]
    if len(x) == 0:
        return [np.zeros((0, *shape[1:]), np.float32) for shape in _output_shapes(model)]
    call = inference_function(model)
    parts = [call(tf.convert_to_tensor(x[i:i + batch_size])) for i in range(0, len(x), batch_size)]
    parts = [p if isinstance(p, list | tuple) else [p] for p in parts]
    return [np.concatenate([p[k].numpy() for p in parts]) for k in range(len(parts[0]))]


def _output_shapes(model) -> list:
    shape = model.output_shape
    return shape if isinstance(shape, list) else [shape]


def encoder_outputs(model, x) -> list[np.ndarray]:
    """The encoder's outputs for images ``x`` ([μ, log σ²] of a VAE, [z] of an AE), as new arrays."""
    x = np.asarray(x)
    if not hasattr(model.encoder, "get_weights"):  # not a Keras model (test doubles): nothing to remember
        return run(model.encoder, x)
    digest = hashlib.blake2b(np.ascontiguousarray(x).view(np.uint8).ravel(), digest_size=16)
    digest.update(f"{x.shape}{x.dtype}".encode())
    for weight in model.encoder.get_weights():
        digest.update(np.ascontiguousarray(weight).view(np.uint8).ravel())
    remembered = _ENCODED.setdefault(model.encoder, {})
    key = digest.hexdigest()
    if key not in remembered:
        remembered[key] = run(model.encoder, x)
        while len(remembered) > _ENCODED_PER_MODEL:
            del remembered[next(iter(remembered))]
    return [a.copy() for a in remembered[key]]


def encode_mean(model, x) -> np.ndarray:
    """Deterministic codes: the posterior means μ(x) of a VAE, or z(x) of an AE."""
    return encoder_outputs(model, x)[0]


def posterior_sigma(vae, z_log_var: np.ndarray) -> np.ndarray:
    """The posterior standard deviation the VAE samples with: σ = exp(½ s) for the standard loss
    (s = log σ²); the original study's heatmap loss used exp(s) as σ, and so does its variant."""
    return np.exp(z_log_var) if getattr(vae, "loss_variant", "standard") == "original" else np.exp(0.5 * z_log_var)


def sample_codes(vae, x, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(μ(x), one draw z = μ + σ·ε) with σ from :func:`posterior_sigma` and ε ~ N(0, I) from a
    generator seeded by ``seed``."""
    z_mean, z_log_var = encoder_outputs(vae, x)
    return z_mean, z_mean + posterior_sigma(vae, z_log_var) * np.random.default_rng(seed).standard_normal(z_mean.shape)


def decode(decoder, z, batch_size: int = 4096) -> np.ndarray:
    """g(z) for latent points ``z`` (n, d), in batches of ``batch_size``."""
    return run(decoder, z, batch_size)[0]


def reconstruct(model, x) -> np.ndarray:
    """g(encode_mean(x)): each image decoded from its deterministic code (AE: z; VAE: μ)."""
    return decode(model.decoder, encode_mean(model, x))

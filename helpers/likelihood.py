"""Bounds on a VAE's marginal log-likelihood log p(x), per image, in nats: the ELBO and the
importance-weighted bound of Burda, Grosse & Salakhutdinov (2016).

With prior p(z) = N(0, I), encoder q(z|x) = N(μ(x), diag σ²(x)) and decoder likelihood p(x|z),

    log w(x, z) = log p(x|z) + log p(z) − log q(z|x),

    L_k(x) = E[ log (1/k) Σ_{i=1..k} w(x, z_i) ],   z_1 … z_k ~ q(z|x) independently,

and log p(x) ≥ L_{k+1}(x) ≥ L_k(x) ≥ L_1(x) = ELBO(x); L_k → log p(x) as k → ∞ when w is bounded.
One draw of the k samples gives an unbiased estimate of L_k (:func:`importance_weighted_bound`, computed
with a log-sum-exp so that weights of e^(−500) do not underflow). The ELBO here is the analytic-KL form
(:func:`elbo`): ELBO(x) = E_q[log p(x|z)] − KL(q(z|x) ‖ N(0, I)), its first term averaged over a few draws.

* :func:`importance_weighted_bound`, :func:`elbo` — on numpy arrays, for any callable log p(x|z) (a model
  with a closed form in the tests);
* :func:`log_likelihood_of`, :func:`posterior_of` — a :class:`~helpers.models.VAE`'s log p(x|z) (its
  reconstruction likelihood, the negative of its training loss's term) and its q(z|x);
* :func:`iwae_bound`, :func:`elbo_per_image` — the two bounds of a VAE, per image;
* :func:`bound_summary` — mean bound over images, its standard error and its gap to the ELBO, per k;
* :func:`best_bernoulli_log_likelihood` — the ceiling of log p(x|z) for a Bernoulli decoder on greyscale pixels.

Units and meaning. Every number is in nats per image (summed over pixels, not averaged). For study 4 the
decoder is Bernoulli over greyscale pixels x ∈ [0, 1]: Σ x log p + (1 − x) log(1 − p) is then a
cross-entropy, not the log of a normalised density over greyscale images (a Bernoulli assigns mass only to
x ∈ {0, 1}), so these bounds rank models trained on the same images but are not comparable with published
log-likelihoods on binarised MNIST (≈ −80 to −90 nats) nor with densities of continuous pixels.

Cost. The decoder runs on n·k latent points; they are decoded ``batch`` at a time, so memory stays at about
``batch`` × (the decoder's largest activation per point) whatever k and n are. For study 4's decoder
(largest activation 28·28·32 floats) the default 1,024 points need about 0.1 GB, and it decodes about 10,000
points a second on 2 CPU cores: for 1,000 test images k = 1, 10, 100, 1000 take about 0.1 s, 1 s, 10 s, 2 min.
"""

from __future__ import annotations

import functools
import math
import weakref
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

import helpers.env  # noqa: F401  (TF environment before the imports below)
import tensorflow as tf

from helpers import inference
from helpers.models import reconstruction_nll
from helpers.spread import standard_error

#: log p(x|z) for paired rows: (x_rows (m, …), z_rows (m, d)) → (m,) in nats.
LogLikelihood = Callable[[np.ndarray, np.ndarray], np.ndarray]

#: Latent points decoded per call (memory: see the module docstring).
DEFAULT_BATCH = 1024
HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)

#: Traced log p(x|z), one per model.
_LOG_LIKELIHOOD: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# --- densities and the log-mean-exp ---------------------------------------------------------------


def log_standard_normal(z: np.ndarray) -> np.ndarray:
    """log N(z; 0, I) = −Σ_j (½ z_j² + ½ log 2π), summed over the last axis."""
    return -np.sum(0.5 * np.square(z) + HALF_LOG_2PI, axis=-1)


def log_posterior_density(epsilon: np.ndarray, log_var: np.ndarray) -> np.ndarray:
    """log q(z|x) at z = μ + σ·ε: −Σ_j (½ ε_j² + ½ log σ_j² + ½ log 2π) (computed from ε, so no (z − μ)/σ)."""
    return -np.sum(0.5 * np.square(epsilon) + 0.5 * log_var + HALF_LOG_2PI, axis=-1)


def log_mean_exp(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """log (1/k) Σ_i exp(a_i) along ``axis`` = m + log (1/k) Σ_i exp(a_i − m) with m = max_i a_i (no underflow)."""
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):  # every a_i = −∞ gives −∞
        return np.squeeze(m, axis) + np.log(np.mean(np.exp(a - m), axis=axis))


def kl_to_standard_normal(z_mean: np.ndarray, log_var: np.ndarray) -> np.ndarray:
    """KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²), per row."""
    return 0.5 * np.sum(np.square(z_mean) + np.exp(log_var) - 1.0 - log_var, axis=-1)


# --- bounds for any log p(x|z) ---------------------------------------------------------------------


def _image_chunks(n: int, k: int, batch: int) -> Iterator[slice]:
    """Consecutive images, max(1, batch // k) at a time (whole images: all k samples of one image together)."""
    step = max(1, batch // k)
    for start in range(0, n, step):
        yield slice(start, min(start + step, n))


def _log_likelihood_in_batches(log_likelihood: LogLikelihood, x_rows, z_rows, batch: int) -> np.ndarray:
    """``log_likelihood`` on paired rows, ``batch`` rows per call, as float64."""
    parts = [np.asarray(log_likelihood(x_rows[i:i + batch], z_rows[i:i + batch]), np.float64)
             for i in range(0, len(z_rows), batch)]
    return np.concatenate(parts)


def log_weights(log_likelihood: LogLikelihood, x, z_mean, log_var, epsilon, batch: int = DEFAULT_BATCH) -> np.ndarray:
    """log w = log p(x|z) + log p(z) − log q(z|x) at z = μ + σ·ε, shape (n, k) for ε of shape (n, k, d)."""
    n, k, d = epsilon.shape
    z = z_mean[:, None, :] + np.exp(0.5 * log_var)[:, None, :] * epsilon
    x_rows = np.repeat(np.asarray(x), k, axis=0)
    log_px_z = _log_likelihood_in_batches(log_likelihood, x_rows, z.reshape(n * k, d), batch).reshape(n, k)
    return log_px_z + log_standard_normal(z) - log_posterior_density(epsilon, log_var[:, None, :])


def importance_weighted_bound(log_likelihood: LogLikelihood, x, z_mean, log_var, k: int, seed: int,
                              batch: int = DEFAULT_BATCH) -> np.ndarray:
    """One estimate of L_k(x) = E[log (1/k) Σ_i w(x, z_i)] per image (nats), z_i ~ N(μ, diag σ²).

    ``log_var`` is log σ² of q(z|x). ε ~ N(0, I) comes from ``np.random.default_rng(seed)``, drawn image by
    image, so the numbers do not depend on ``batch``; images are taken ``batch // k`` at a time, and the
    whole log-weight array (n, k) is kept (8 MB for n = k = 1,000).
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k!r}")
    x, z_mean, log_var = np.asarray(x), np.asarray(z_mean, np.float64), np.asarray(log_var, np.float64)
    rng = np.random.default_rng(seed)
    bounds = []
    for rows in _image_chunks(len(z_mean), k, batch):
        epsilon = rng.standard_normal((rows.stop - rows.start, k, z_mean.shape[1]))
        bounds.append(log_mean_exp(log_weights(log_likelihood, x[rows], z_mean[rows], log_var[rows], epsilon,
                                               batch)))
    return np.concatenate(bounds) if bounds else np.zeros(0)


def elbo(log_likelihood: LogLikelihood, x, z_mean, log_var, seed: int, samples: int = 1,
         batch: int = DEFAULT_BATCH) -> np.ndarray:
    """The analytic-KL ELBO per image (nats): (1/S) Σ_s log p(x|z_s) − KL(q(z|x) ‖ N(0, I)), S = ``samples``.

    Same expectation as L_1 (one importance weight) with a smaller variance: the KL term is exact.
    """
    x, z_mean, log_var = np.asarray(x), np.asarray(z_mean, np.float64), np.asarray(log_var, np.float64)
    rng = np.random.default_rng(seed)
    expected = []
    for rows in _image_chunks(len(z_mean), samples, batch):
        epsilon = rng.standard_normal((rows.stop - rows.start, samples, z_mean.shape[1]))
        z = z_mean[rows, None, :] + np.exp(0.5 * log_var[rows, None, :]) * epsilon
        x_rows = np.repeat(np.asarray(x[rows]), samples, axis=0)
        log_px_z = _log_likelihood_in_batches(log_likelihood, x_rows, z.reshape(-1, z.shape[-1]), batch)
        expected.append(log_px_z.reshape(-1, samples).mean(axis=1))
    expected = np.concatenate(expected) if expected else np.zeros(0)
    return expected - kl_to_standard_normal(z_mean, log_var)


# --- a VAE's likelihood and posterior --------------------------------------------------------------


def _log_likelihood(model, x, z):
    return -reconstruction_nll(x, model.decoder(z, training=False), model.reconstruction, model.decoder_scale)


def log_likelihood_of(model) -> LogLikelihood:
    """log p(x|z) of a VAE on paired rows: −(its reconstruction loss term), in nats per image.

    Bernoulli: Σ_i x_i log p_i + (1 − x_i) log(1 − p_i) with p clipped to [1e−7, 1 − 1e−7] (as
    :func:`~helpers.models.bernoulli_nll`); Gaussian: log N(x; x̂, s² I) with the model's fixed
    ``decoder_scale`` s, normalising constant −D (log s + ½ log 2π) included. Traced once per model.
    """
    if model not in _LOG_LIKELIHOOD:
        traced = tf.function(functools.partial(_log_likelihood, model), reduce_retracing=True)
        _LOG_LIKELIHOOD[model] = traced
    traced = _LOG_LIKELIHOOD[model]
    return lambda x, z: traced(tf.convert_to_tensor(x, tf.float32), tf.convert_to_tensor(z, tf.float32)).numpy()


def posterior_of(model, x) -> tuple[np.ndarray, np.ndarray]:
    """(μ(x), log σ²(x)) of q(z|x) as float64, σ as the model samples with (:func:`~helpers.inference.posterior_sigma`:
    the ``"original"`` loss variant's σ is exp of the log-variance output)."""
    z_mean, z_log_var = inference.encoder_outputs(model, x)
    log_sigma = np.log(inference.posterior_sigma(model, np.asarray(z_log_var, np.float64)))
    return np.asarray(z_mean, np.float64), 2.0 * log_sigma


def iwae_bound(model, x, k: int, seed: int = 0, batch: int = DEFAULT_BATCH) -> np.ndarray:
    """L_k(x) of a VAE per image (nats; one draw of k samples each, see :func:`importance_weighted_bound`)."""
    z_mean, log_var = posterior_of(model, x)
    return importance_weighted_bound(log_likelihood_of(model), np.asarray(x), z_mean, log_var, k, seed, batch)


def elbo_per_image(model, x, seed: int = 0, samples: int = 1, batch: int = DEFAULT_BATCH) -> np.ndarray:
    """The analytic-KL ELBO of a VAE per image (nats; see :func:`elbo`). For ``loss="standard"`` and β = 1 its
    expectation is minus the model's per-image loss; for ``loss="original"`` its KL is that of the q the model
    samples from (σ = exp of the output), not the model's own averaged KL term."""
    z_mean, log_var = posterior_of(model, x)
    return elbo(log_likelihood_of(model), np.asarray(x), z_mean, log_var, seed, samples, batch)


# --- summary ----------------------------------------------------------------------------------------


def summarise_bounds(bounds: dict[int, np.ndarray], elbo_values: np.ndarray) -> pd.DataFrame:
    """One row per k: mean bound, its standard error over images, and the gap mean(L_k − ELBO) with its
    standard error (paired over images), all in nats per image."""
    rows = [{"k": k, "bound": float(np.mean(b)), "se": standard_error(b),
             "gap_to_elbo": float(np.mean(b - elbo_values)), "gap_se": standard_error(b - elbo_values)}
            for k, b in sorted(bounds.items())]
    return pd.DataFrame(rows, columns=["k", "bound", "se", "gap_to_elbo", "gap_se"])


def bound_summary(model, x, ks: Sequence[int] = (1, 10, 100, 1000), seed: int = 0, elbo_samples: int = 1,
                  batch: int = DEFAULT_BATCH) -> pd.DataFrame:
    """:func:`summarise_bounds` of a VAE's L_k for each k in ``ks`` against its analytic-KL ELBO.

    Every k and the ELBO use the same ``seed``; with ``elbo_samples=1`` the ELBO and L_1 use the very same draws
    of z, so the k = 1 gap, E_q[log p(z) − log q(z|x)] + KL, carries no decoder noise.
    """
    bounds = {k: iwae_bound(model, x, k, seed, batch) for k in ks}
    return summarise_bounds(bounds, elbo_per_image(model, x, seed, elbo_samples, batch))


# --- what a Bernoulli decoder can reach on greyscale pixels -------------------------------------------


def best_bernoulli_log_likelihood(x) -> np.ndarray:
    """The largest log p(x|z) any Bernoulli decoder can give each image x with pixels in [0, 1] (nats):

        max_p Σ_i [x_i log p_i + (1 − x_i) log(1 − p_i)] = Σ_i [x_i log x_i + (1 − x_i) log(1 − x_i)],

    reached at p = x (Gibbs' inequality; 0 log 0 = 0). It is minus the pixels' binary entropy: 0 for a
    binary image, negative for any grey pixel. On greyscale images every ELBO and IWAE bound here is therefore
    shifted below zero by at least this much, which binarised-MNIST results do not carry."""
    x = np.clip(np.asarray(x, np.float64).reshape(len(x), -1), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(x > 0, x * np.log(x), 0.0) + np.where(x < 1, (1 - x) * np.log1p(-x), 0.0)
    return terms.sum(axis=1)

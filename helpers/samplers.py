"""Where to draw latent codes from, and how dense a VAE's codes are there: numpy, scipy and scikit-learn.

A VAE is trained so that its *aggregate posterior* — the mixture of the encoder's Gaussians over the
training images,

    q(z) = (1/N) Σ_n N(z; μ_n, diag σ_n²),

comes close to its prior p(z) = N(0, I); generating means decoding draws from p. Where p puts mass
but q is low, the decoder was never trained: the *holes*. A plain AE has no prior at all, so to generate
from it one fits a density to its training codes and samples that (as pythae's Gaussian and GMM
samplers do).

* samplers: :func:`sample_prior` (N(0, I)), :func:`fit_gaussian` / :func:`sample_gaussian` (one full-
  covariance Gaussian fitted to codes), :func:`fit_mixture` / :func:`sample_mixture` (a Gaussian mixture);
* the aggregate posterior: :func:`aggregate_posterior_log_density` (log q(z)), :func:`sample_aggregate_posterior`
  (z ~ q);
* holes: :func:`density_level` (a level of log q stated as the share of q's own mass below it),
  :func:`low_density_share` (the share of some draws, e.g. from the prior, below a level) and
  :func:`mass_below_levels` (both, for several levels).

Every sampler takes a numpy ``Generator`` (or a seed) and returns float32 arrays (n, D), what the models take.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.mixture import GaussianMixture

from helpers.spread import share_and_error


def sample_prior(n: int, dim: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """n draws from a VAE's prior p(z) = N(0, I_dim), shape (n, dim)."""
    return np.random.default_rng(rng).standard_normal((n, dim)).astype(np.float32)


def fit_gaussian(codes) -> tuple[np.ndarray, np.ndarray]:
    """(mean, covariance) of the maximum-likelihood Gaussian of the codes (n, D): the sample mean
    m = (1/n) Σ z_i and the sample covariance C = (1/n) Σ (z_i − m)(z_i − m)ᵀ."""
    z = np.asarray(codes, dtype=np.float64)
    return z.mean(axis=0), np.cov(z, rowvar=False, bias=True).reshape(z.shape[1], z.shape[1])


def sample_gaussian(mean, covariance, n: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """n draws z = m + L ε from N(m, C), with L the Cholesky factor of C = L Lᵀ and ε ~ N(0, I). (numpy's own
    ``multivariate_normal`` factorises C by an SVD, whose singular vectors may change sign under a tiny change
    of C and so redraw every sample; the Cholesky factor moves continuously with C.)"""
    noise = np.random.default_rng(rng).standard_normal((n, len(mean)))
    return (np.asarray(mean, np.float64) + noise @ np.linalg.cholesky(covariance).T).astype(np.float32)


def fit_mixture(codes, components: int, seed: int = 0) -> GaussianMixture:
    """A Gaussian mixture Σ_c π_c N(z; m_c, C_c) with ``components`` full-covariance components, fitted to the
    codes by scikit-learn's EM from one k-means++ seeding (``random_state=seed``). scikit-learn's default start,
    a full k-means run, took four times as long on 9,500 three-dimensional codes for the same kind of fit."""
    return GaussianMixture(components, covariance_type="full", init_params="k-means++",
                           random_state=seed).fit(np.asarray(codes, np.float64))


def sample_mixture(mixture: GaussianMixture, n: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """n draws from a fitted mixture, in random order: a component c_i ~ Categorical(π) and a noise vector
    ε_i ~ N(0, I) for each draw, then z_i = m_{c_i} + L_{c_i} ε_i with C_c = L_c L_cᵀ (Cholesky). The labels and
    the noise are drawn once for all draws, so a slightly different fit moves every draw a little and relabels
    at most a few, instead of shifting the random stream of every later component. (scikit-learn's own
    ``sample`` returns the draws grouped by component and takes its randomness from the mixture's
    ``random_state``.)"""
    rng = np.random.default_rng(rng)
    labels = rng.choice(len(mixture.weights_), size=n, p=mixture.weights_)
    noise = rng.standard_normal((n, mixture.means_.shape[1]))
    factors = np.linalg.cholesky(mixture.covariances_)
    return (mixture.means_[labels] + np.einsum("nij,nj->ni", factors[labels], noise)).astype(np.float32)


def aggregate_posterior_log_density(z, means, sigmas, batch: int = 512) -> np.ndarray:
    """log q(z) at each point of ``z`` (m, D) for the aggregate posterior of N diagonal Gaussians with
    ``means`` and standard deviations ``sigmas`` (N, D):

        log q(z) = logsumexp_n [ −½ Σ_j ((z_j − μ_nj)/σ_nj)² − Σ_j log σ_nj ] − (D/2) log 2π − log N,

    in float64, ``batch`` points at a time (each batch holds a (batch, N) array). The squared distances are
    expanded, Σ_j (z_j − μ_nj)² a_nj = Σ_j z_j² a_nj − 2 Σ_j z_j μ_nj a_nj + Σ_j μ_nj² a_nj with a = 1/σ², so
    that each batch's exponents are one matrix product [z², z, 1] · [−½ a, μa, c]ᵀ, and the log-sum-exp
    subtracts each row's maximum before exponentiating.
    """
    z = np.asarray(z, np.float64)
    mu, sigma = np.asarray(means, np.float64), np.asarray(sigmas, np.float64)
    precision = 1.0 / sigma**2
    constant = (-0.5 * mu.shape[1] * np.log(2 * np.pi) - np.log(len(mu)) - np.log(sigma).sum(axis=1)
                - 0.5 * (mu**2 * precision).sum(axis=1))
    weights = np.concatenate([-0.5 * precision, mu * precision, constant[:, None]], axis=1).T  # (2D + 1, N)
    features = np.concatenate([z**2, z, np.ones((len(z), 1))], axis=1)
    out = np.empty(len(z))
    for start in range(0, len(z), batch):
        exponent = features[start:start + batch] @ weights
        top = exponent.max(axis=1)
        exponent -= top[:, None]
        np.exp(exponent, out=exponent)
        out[start:start + batch] = top + np.log(exponent.sum(axis=1))
    return out


def sample_aggregate_posterior(means, sigmas, n: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """n draws from q(z) = (1/N) Σ_n N(μ_n, diag σ_n²): an image n uniformly at random, then z = μ_n + σ_n ε."""
    rng = np.random.default_rng(rng)
    mu, sigma = np.asarray(means, np.float64), np.asarray(sigmas, np.float64)
    pick = rng.integers(0, len(mu), size=n)
    return (mu[pick] + sigma[pick] * rng.standard_normal((n, mu.shape[1]))).astype(np.float32)


def density_level(own_log_density, mass: float) -> float:
    """The level ℓ of log q with q's own mass below it equal to ``mass``: the ``mass``-quantile of log q(z)
    over draws z ~ q (e.g. from :func:`sample_aggregate_posterior`). Stating a density level this way
    makes it comparable across models, whose q live on different scales."""
    return float(np.quantile(np.asarray(own_log_density, np.float64), mass))


def low_density_share(log_density, level: float) -> tuple[float, float]:
    """(share, standard error): the fraction s of points whose log density lies below ``level`` and its
    binomial standard error √(s(1 − s)/m) over the m points. For draws from the prior, s estimates the
    prior mass that falls where q < exp(level)."""
    return share_and_error(np.asarray(log_density, np.float64) < level)


def mass_below_levels(log_density, own_log_density, masses=(0.01, 0.05)) -> pd.DataFrame:
    """For each share m of ``masses``: the level ℓ_m = :func:`density_level` (q's own mass m lies below it),
    and the share of the points of ``log_density`` (e.g. log q at prior draws) below ℓ_m with its binomial
    standard error (:func:`low_density_share`). Without holes, draws from the prior would fall below ℓ_m about
    as often as draws from q do: a share m; a share well above m is prior mass where q is thin."""
    rows = {}
    for mass in masses:
        level = density_level(own_log_density, mass)
        share, error = low_density_share(log_density, level)
        rows[f"q's own {mass:.0%}"] = {"q's own mass below": mass, "log q level": level, "share below": share,
                                      "share se": error}
    return pd.DataFrame(rows).T

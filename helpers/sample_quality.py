"""Sample quality beside acceptance: how many different classes a generator's draws show, and how far the
distribution of their features lies from real data's.

* :func:`effective_count` — the effective number of classes among n labelled draws: exp(H) with the entropy
  H = −Σ_c p_c log p_c of the labels' shares p_c. It is k when the draws spread evenly over k classes and 1 when
  all are one class, so a generator that draws mostly one easy digit scores near 1 whatever its acceptance.
* :func:`frechet_distance` — the Fréchet distance between two Gaussians N(μ₁, Σ₁) and N(μ₂, Σ₂),

      FD² = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½),

  the 2-Wasserstein distance between them (Dowson & Landau 1982), used on a classifier's features of two
  image sets as the FID is (Heusel et al. 2017); :func:`feature_frechet_distance` fits the two Gaussians to
  feature arrays (means and sample covariances) first. It is reported as FD (not FD²). It is biased upward for
  small samples, so compare sets of the same size, and put a real sample of that size beside them.
"""

from __future__ import annotations

import numpy as np


def effective_count(labels, classes: int | None = None) -> float:
    """exp of the entropy (nats) of the shares of ``labels`` (integers ≥ 0): 1 for one class, k for k equal
    classes. ``classes`` only sizes the histogram (labels must be below it)."""
    labels = np.asarray(labels, np.int64).ravel()
    if labels.size == 0:
        raise ValueError("effective_count needs at least one label")
    counts = np.bincount(labels, minlength=classes or 0)
    shares = counts[counts > 0] / labels.size
    return float(np.exp(-(shares * np.log(shares)).sum()))


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """The symmetric positive semi-definite square root (eigenvalues below 0 from rounding set to 0)."""
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(mean_1, cov_1, mean_2, cov_2) -> float:
    """The Fréchet (2-Wasserstein) distance between N(mean_1, cov_1) and N(mean_2, cov_2) (module docstring),
    through the symmetric form (Σ₁^½ Σ₂ Σ₁^½)^½, which stays real for singular covariances."""
    mean_1, mean_2 = np.atleast_1d(np.asarray(mean_1, np.float64)), np.atleast_1d(np.asarray(mean_2, np.float64))
    cov_1, cov_2 = np.atleast_2d(np.asarray(cov_1, np.float64)), np.atleast_2d(np.asarray(cov_2, np.float64))
    root_1 = _psd_sqrt(cov_1)
    cross = _psd_sqrt(root_1 @ cov_2 @ root_1)
    squared = np.sum((mean_1 - mean_2) ** 2) + np.trace(cov_1) + np.trace(cov_2) - 2 * np.trace(cross)
    return float(np.sqrt(max(squared, 0.0)))


def feature_frechet_distance(features_1, features_2) -> float:
    """:func:`frechet_distance` between the Gaussians fitted (mean, sample covariance) to two (n, d) arrays."""
    a, b = np.asarray(features_1, np.float64), np.asarray(features_2, np.float64)
    return frechet_distance(a.mean(axis=0), np.cov(a, rowvar=False), b.mean(axis=0), np.cov(b, rowvar=False))

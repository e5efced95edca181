"""Disentanglement scores: how axis-aligned are latent codes with respect to known generating factors?

Codes are arrays (n, D) — one row per image, one column z_j per latent dimension — and factors are
arrays (n, K) of the continuous values v_k that generated the images. Nothing here is specific to a
study or to a model; everything is numpy, scipy and scikit-learn.

* :func:`discretise`, :func:`mutual_information_matrix` — I(z_j; v_k) and H(v_k) on equal-width bins.
* :func:`mig` — the Mutual Information Gap (Chen et al. 2018, "Isolating Sources of Disentanglement").
* :func:`importance_matrix`, :func:`dci` — Disentanglement, Completeness and Informativeness (Eastwood
  & Williams 2018, "A Framework for the Quantitative Evaluation of Disentangled Representations").
* :func:`sap` — the Separated Attribute Predictability score (Kumar et al. 2018, "Variational Inference
  of Disentangled Latent Concepts from Unlabeled Observations").
* :func:`random_rotation`, :func:`rotation_null` — a null distribution for any of these scores: the
  same codes under Haar-random rotations. All three scores reward codes whose *axes* line up with the
  factors, while a rotation keeps everything a linear probe can read (an invertible linear map), so
  "is this model more axis-aligned than a random rotation of its own codes?" separates alignment
  from information.
* :func:`active_units` — how many latent dimensions the encoder uses (Burda et al. 2016).
* :func:`sensitivity_matrix` — the decoder's side: how far each factor, read back from decoded images,
  moves along a sweep of each latent axis (total variation over the factor's range).

Every score is invariant to a permutation of the code dimensions and to a translation of the codes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.stats
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import mutual_info_score, r2_score

BINS = 20  # disentanglement_lib's histogram discretiser for MIG: 20 equal-width bins per column


def _names(prefix: str, count: int, names: Sequence[str] | None = None) -> list[str]:
    """``names`` as a list, or ``prefix0, prefix1, …`` when none are given."""
    return [f"{prefix}{i}" for i in range(count)] if names is None else list(names)


def discretise(values, bins: int = BINS) -> np.ndarray:
    """Equal-width binning of each column of ``values`` (n, d) into integers 0 … bins − 1.

    Column c is cut into ``bins`` intervals of width (max_c − min_c) / bins; the maximum goes into the
    last one, and a constant column gets a single label. This is the partition of disentanglement_lib's
    default ``histogram_discretizer`` (``np.digitize`` on the edges of ``np.histogram(column, 20)``),
    whose labels run 1 … bins. Equal widths keep the bins' meaning in the units of the column, but a
    skewed column leaves most bins nearly empty — so a monotone transform of a code changes its
    binned values, and MIG below.
    """
    values = np.asarray(values, dtype=np.float64)
    columns = values.reshape(len(values), -1).T
    binned = [np.digitize(column, np.histogram(column, bins)[1][:-1]) - 1 for column in columns]
    return np.stack(binned, axis=1)


def mutual_information_matrix(codes, factors, bins: int = BINS) -> tuple[np.ndarray, np.ndarray]:
    """(I, H): the mutual information I[j, k] = I(z_j; v_k) between binned code dimension j and binned
    factor k, shape (D, K), and each binned factor's entropy H[k] = H(v_k) = I(v_k; v_k), shape (K,).

    Both in nats, from the empirical joint distribution of the bin labels (scikit-learn's
    ``mutual_info_score``): I(a; b) = Σ p(a, b) log p(a, b) / (p(a) p(b)). The plug-in estimate is
    biased upwards by about (bins − 1)² / (2n) nats for independent variables.
    """
    z, v = discretise(codes, bins), discretise(factors, bins)
    mi = np.array([[_binned_mutual_information(v[:, k], z[:, j], bins) for k in range(v.shape[1])]
                   for j in range(z.shape[1])])
    entropy = np.array([_binned_mutual_information(v[:, k], v[:, k], bins) for k in range(v.shape[1])])
    return mi, entropy


def _binned_mutual_information(a: np.ndarray, b: np.ndarray, bins: int) -> float:
    """scikit-learn's ``mutual_info_score`` of two label columns in 0 … bins − 1, given their contingency table
    (counted with one ``np.bincount``: the same numbers as letting scikit-learn count them, ~30× faster, which
    matters for the rotation nulls' hundreds of calls)."""
    table = np.bincount(a * bins + b, minlength=bins * bins).reshape(bins, bins)
    return float(mutual_info_score(None, None, contingency=table))


@dataclass
class MIG:
    """The Mutual Information Gap: overall and for each factor."""

    overall: float
    per_factor: pd.Series  # (I(z_{j(1)}; v_k) − I(z_{j(2)}; v_k)) / H(v_k), indexed by factor name


def mig(codes, factors, bins: int = BINS, names: Sequence[str] | None = None) -> MIG:
    """Mutual Information Gap (Chen et al. 2018) on ``bins`` equal-width bins per column:

        MIG = (1/K) Σ_k (I(z_{j(1)}; v_k) − I(z_{j(2)}; v_k)) / H(v_k),

    where j(1) and j(2) are the code dimensions with the largest and second-largest mutual
    information with factor v_k. 1: each factor is carried by one code dimension alone; 0: its two
    most informative dimensions carry it equally (or not at all). Needs D ≥ 2 code dimensions.
    """
    mi, entropy = mutual_information_matrix(codes, factors, bins)
    top = np.sort(mi, axis=0)[::-1]
    gaps = (top[0] - top[1]) / entropy
    return MIG(float(gaps.mean()), pd.Series(gaps, index=_names("v", len(gaps), names), name="MIG"))


def importance_matrix(train_codes, train_factors, random_state: int = 0) -> tuple[np.ndarray, list]:
    """(R, regressors): R[j, k] = importance of code dimension j in predicting factor k, shape (D, K),
    and the K fitted regressors (one per factor).

    Each factor gets a scikit-learn ``GradientBoostingRegressor`` with its default settings (100 trees
    of depth 3), fitted on the training codes; R[:, k] is its ``feature_importances_`` (the
    total squared-error reduction of the splits on each dimension, normalised to sum to 1). Gradient
    boosting is disentanglement_lib's choice (a classifier there, for discrete factors); trees also
    see non-linear relations, so a factor encoded as exp(z) or z³ still counts as read off one
    dimension — Eastwood & Williams' Lasso would spread a non-linear relation's importance — and,
    splitting on thresholds, they depend on each dimension only through the order of its values:
    R is unchanged by any increasing transform of a code dimension. Subsampling is off, so
    ``random_state`` only breaks ties between equally good splits.
    """
    z, v = np.asarray(train_codes, dtype=np.float64), np.asarray(train_factors, dtype=np.float64)
    regressors = [GradientBoostingRegressor(random_state=random_state).fit(z, v[:, k]) for k in range(v.shape[1])]
    return np.stack([np.abs(r.feature_importances_) for r in regressors], axis=1), regressors


def _one_minus_entropy(weights: np.ndarray) -> np.ndarray:
    """1 − H_m(p) for each row of ``weights`` (n, m), with p the row normalised to sum to 1 and the
    entropy in base m (so 0 ≤ H_m ≤ 1). A row of zeros counts as uniform: 1 − H = 0."""
    weights = np.where(weights.sum(axis=1, keepdims=True) > 0, weights, 1.0)
    return 1.0 - scipy.stats.entropy(weights, base=weights.shape[1], axis=1)


@dataclass
class DCI:
    """Disentanglement, completeness and informativeness, with what they are made of."""

    disentanglement: float
    completeness: float
    informativeness: float  # mean test R² of the regressors
    importance: pd.DataFrame  # R: rows code dimensions z_j, columns factors v_k
    disentanglement_per_code: pd.Series  # D_j
    completeness_per_factor: pd.Series  # C_k
    r2_per_factor: pd.Series  # test R² of each factor's regressor


def dci(train_codes, train_factors, test_codes, test_factors, names: Sequence[str] | None = None,
        random_state: int = 0) -> DCI:
    """DCI (Eastwood & Williams 2018) from the importance matrix R of :func:`importance_matrix`.

    * Disentanglement: code dimension j's importances over factors, P_jk = R_jk / Σ_k R_jk, give
      D_j = 1 − H_K(P_j·) = 1 + Σ_k P_jk log_K P_jk (1: z_j matters for one factor only; 0: equally for
      all). The overall score weights dimensions by their share of importance,
      D = Σ_j ρ_j D_j with ρ_j = Σ_k R_jk / Σ_jk R_jk, so an unused dimension does not count.
    * Completeness: factor k's importances over dimensions, P̃_jk = R_jk / Σ_j R_jk, give
      C_k = 1 − H_D(P̃_·k) (1: one dimension carries v_k). The overall C is the plain mean over
      factors; disentanglement_lib weights by Σ_j R_jk / Σ R, the same thing here, since gradient
      boosting's importances sum to 1 for every factor.
    * Informativeness: the mean over factors of the test R² = 1 − MSE / Var(v_k) of the regressors.
      The paper reports the prediction error (normalised RMSE for continuous factors, lower is
      better); disentanglement_lib reports classification accuracy, as its factors are discrete.
      For continuous factors R² is that error on a common 0–1 scale (R² = 1 − NRMSE² when the error is
      normalised by the factor's standard deviation), higher is better like D and C, and it is what
      :func:`helpers.probes.linear_probe_r2` reports for a linear read-out.

    Logs are base K (number of factors) for D and base D (number of code dimensions) for C, as in
    the paper, so both lie in [0, 1]; this needs K ≥ 2 and D ≥ 2.
    """
    r, regressors = importance_matrix(train_codes, train_factors, random_state)
    codes, factors = _names("z", r.shape[0]), _names("v", r.shape[1], names)
    per_code, per_factor = _one_minus_entropy(r), _one_minus_entropy(r.T)
    rho = r.sum(axis=1) / r.sum() if r.sum() > 0 else np.full(r.shape[0], 1.0 / r.shape[0])
    test_z, test_v = np.asarray(test_codes, dtype=np.float64), np.asarray(test_factors, dtype=np.float64)
    r2 = np.array([r2_score(test_v[:, k], reg.predict(test_z)) for k, reg in enumerate(regressors)])
    return DCI(float(np.sum(rho * per_code)), float(per_factor.mean()), float(r2.mean()),
               pd.DataFrame(r, index=codes, columns=factors), pd.Series(per_code, index=codes, name="D"),
               pd.Series(per_factor, index=factors, name="C"), pd.Series(r2, index=factors, name="R²"))


@dataclass
class SAP:
    """The SAP score: overall, per factor, and the score matrix it comes from."""

    overall: float
    per_factor: pd.Series  # S_{j(1)k} − S_{j(2)k}
    scores: pd.DataFrame  # S: rows code dimensions, columns factors


def sap_score_matrix(train_codes, train_factors, test_codes, test_factors) -> np.ndarray:
    """S[j, k]: test R² of the one-variable linear regression v_k ≈ a + b z_j fitted on the training
    data, clipped below at 0, shape (D, K).

    Kumar et al. score continuous factors by this R²; disentanglement_lib takes it in sample (the
    squared correlation of z_j and v_k on the training data). Scoring on held-out data instead
    removes the in-sample R²'s upward bias of about 1/n for an uninformative dimension; a negative
    test R² (worse than the training mean) means nothing was learnt and counts as 0, the least an
    R² in Kumar et al.'s [0, 1] range can be. With thousands of points the two agree to about 1e-3.
    """
    z, v = np.asarray(train_codes, dtype=np.float64), np.asarray(train_factors, dtype=np.float64)
    test_z, test_v = np.asarray(test_codes, dtype=np.float64), np.asarray(test_factors, dtype=np.float64)
    # every one-variable least-squares fit at once: slope b[j, k] = cov(z_j, v_k) / var(z_j), a = v̄_k − b z̄_j
    z_mean, v_mean = z.mean(axis=0), v.mean(axis=0)
    centred = z - z_mean
    slope = (centred.T @ (v - v_mean)) / np.clip((centred**2).sum(axis=0), 1e-300, None)[:, None]
    predicted = v_mean + (test_z - z_mean)[:, :, None] * slope  # (n_test, D, K)
    residual = ((test_v[:, None, :] - predicted) ** 2).sum(axis=0)
    total = ((test_v - test_v.mean(axis=0)) ** 2).sum(axis=0)
    r2 = 1.0 - residual / np.where(total > 0, total, 1.0)
    return np.clip(np.where(total > 0, r2, 0.0), 0.0, None)  # a constant test factor: nothing to predict


def sap(train_codes, train_factors, test_codes, test_factors, names: Sequence[str] | None = None) -> SAP:
    """Separated Attribute Predictability (Kumar et al. 2018) for continuous factors:

        SAP = (1/K) Σ_k (S_{j(1)k} − S_{j(2)k}),

    the gap between the largest and second-largest entries of each factor's column of the score
    matrix S of :func:`sap_score_matrix` (1: one dimension predicts v_k linearly and no other does;
    0: two dimensions predict it equally well, or none does). Needs D ≥ 2 code dimensions.
    """
    s = sap_score_matrix(train_codes, train_factors, test_codes, test_factors)
    top = np.sort(s, axis=0)[::-1]
    factors = _names("v", s.shape[1], names)
    gaps = pd.Series(top[0] - top[1], index=factors, name="SAP")
    return SAP(float(gaps.mean()), gaps, pd.DataFrame(s, index=_names("z", s.shape[0]), columns=factors))


def random_rotation(dim: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
    """A Haar-random rotation: an orthogonal (dim, dim) matrix Q with det Q = +1, uniformly distributed.

    Q R = G is the QR decomposition of a matrix G of independent standard normals; multiplying each
    column of Q by the sign of the matching diagonal entry of R makes the factorisation unique, and
    then Q is Haar-distributed on the orthogonal group (Mezzadri 2007, "How to generate random
    matrices from the classical compact groups"). Flipping the first column when det Q = −1 maps the
    reflections onto the rotations one to one, giving the uniform distribution on SO(dim).
    """
    rng = np.random.default_rng(rng)
    q, r = np.linalg.qr(rng.standard_normal((dim, dim)))
    q = q * np.where(np.diag(r) < 0, -1.0, 1.0)
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


@dataclass
class RotationNull:
    """A score of the codes as they are, against the same score of randomly rotated copies."""

    observed: float
    null: np.ndarray  # the score of each rotated copy
    percentile: float  # 100 × fraction of the null ≤ observed
    p_value: float  # (1 + #{null ≥ observed}) / (1 + rotations): one-sided, "more axis-aligned than chance"


def rotation_null(score_fn: Callable[[np.ndarray], float], codes, rotations: int = 100,
                  rng: np.random.Generator | int | None = None) -> RotationNull:
    """``score_fn`` (codes (n, D) → float) of the codes, and of ``rotations`` copies z Qᵀ with Q from
    :func:`random_rotation`.

    A rotation about the origin changes the codes by an invertible linear map (plus, relative to a
    rotation about their mean, a translation, which no score in this module sees), so whatever a
    linear read-out can get from them stays; only the alignment of the axes with the factors changes.
    An observed score at the top of the null (percentile near 100, small p-value) says the model's
    axes are more aligned with the factors than a random rotation of its own codes.
    The score function closes over whatever else it needs, e.g. ``lambda z: mig(z, factors).overall``.
    """
    rng = np.random.default_rng(rng)
    z = np.asarray(codes, dtype=np.float64)
    observed = float(score_fn(z))
    null = np.array([score_fn(z @ random_rotation(z.shape[1], rng).T) for _ in range(rotations)], dtype=np.float64)
    percentile = float(scipy.stats.percentileofscore(null, observed, kind="weak"))
    p_value = float((1 + np.sum(null >= observed)) / (1 + rotations))
    return RotationNull(observed, null, percentile, p_value)


def active_units(code_means, threshold: float = 0.01) -> int:
    """Number of active latent dimensions (Burda et al. 2016, "Importance Weighted Autoencoders"):
    dimensions j with Var_x(E[z_j | x]) > ``threshold``, the variance (population, ddof = 0) over the
    images of the encoder's mean ``code_means`` (n, D). An inactive dimension's posterior mean barely
    moves with the input, so the decoder cannot get information from it.
    """
    return int(np.sum(np.var(np.asarray(code_means, dtype=np.float64), axis=0) > threshold))


def sensitivity_matrix(factors_along, factor_ranges) -> np.ndarray:
    """S[j, k]: how far factor k moves along sweep j, in units of that factor's range, shape (D, K).

    ``factors_along`` (D, n_points, K) holds the factors v_k(t_i) read back from the images decoded along
    D latent sweeps (e.g. :func:`helpers.latent_paths.percentile_sweeps`), and ``factor_ranges`` (K,) a
    range r_k per factor (e.g. max − min over the training images). The change is the total variation

        S[j, k] = (1 / r_k) Σ_i |v_k(t_{i+1}) − v_k(t_i)|,

    which counts a factor that goes up and back down (a net change would call it 0). S[j, k] = 1: sweep j
    moves v_k once across its whole range; a decoder whose axes are disentangled has one large entry per
    row and per column. The scale makes factors in different units comparable; it is the decoder-side view
    of the importance matrix of :func:`dci`, whose rows say which factors a code dimension predicts.
    """
    values = np.asarray(factors_along, np.float64)
    return np.abs(np.diff(values, axis=1)).sum(axis=1) / np.asarray(factor_ranges, np.float64)

"""The data of study 3: max-normalised multivariate t densities with ν = 2 (heavy tails) or ν = 200 (almost
normal) degrees of freedom, drawn by the original study's rule

    ν = 2  where (v_x + v_y)² − U > 20,  U ~ Uniform(0, 10),   else ν = 200,

the labels, and P(ν = 2 | s) with the Bayes accuracy of a classifier that sees only s = v_x + v_y."""

from __future__ import annotations

import numpy as np

from helpers import heatmaps

#: Degrees of freedom of the two classes (heavy-tailed vs nearly normal).
HEAVY_DF, LIGHT_DF = 2, 200


def t_heatmaps(factors: np.ndarray, df) -> np.ndarray:
    """Max-normalised multivariate t densities (location 0, shape Σ from (var_x, var_y, cor), ``df``
    degrees of freedom, one per image or a scalar) on the grid, (n, 36, 36), vectorised.

    The density is proportional to (1 + q/ν)^(−(ν + 2)/2) with q = pᵀ Σ⁻¹ p, so after dividing by the
    maximum only q and ν matter.
    """
    cov = heatmaps.covariances(factors)
    x, y = heatmaps.grid_points()
    det = cov[:, 0, 0] * cov[:, 1, 1] - cov[:, 0, 1] ** 2
    a, b, c = cov[:, 1, 1] / det, cov[:, 0, 0] / det, -cov[:, 0, 1] / det
    q = a[:, None, None] * x**2 + b[:, None, None] * y**2 + 2 * c[:, None, None] * x * y
    nu = np.broadcast_to(np.asarray(df, dtype=np.float64), (len(cov),))[:, None, None]
    log_density = -0.5 * (nu + 2) * np.log1p(q / nu)
    return np.exp(log_density - log_density.max(axis=(1, 2), keepdims=True))


#: The original study's rule for ν: heavy where (var_x + var_y)² − U(0, DF_NOISE) > DF_THRESHOLD.
DF_THRESHOLD, DF_NOISE = 20.0, 10.0


def degrees_of_freedom(factors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The original study's rule: ν = 2 where (var_x + var_y)² − U(0, 10) > 20, else ν = 200."""
    f = np.asarray(factors)
    heavy = (f[:, 0] + f[:, 1]) ** 2 - rng.uniform(0, DF_NOISE, len(f)) > DF_THRESHOLD
    return np.where(heavy, HEAVY_DF, LIGHT_DF)


def load_t_heatmaps(seed: int, train_subset: int = 0, test_subset: int = 0) -> heatmaps.HeatmapData:
    """t-distribution images with ν drawn by :func:`degrees_of_freedom` from a generator seeded by
    ``seed``; factors get a fourth column ν. Split 80/20 with random_state 19 as the original study."""
    from sklearn.model_selection import train_test_split

    factors = heatmaps.factor_grid()
    df = degrees_of_freedom(factors, np.random.default_rng(seed))
    images = t_heatmaps(factors, df).astype("float32")[..., None]
    x_train, x_test, y_train, y_test = train_test_split(
        images, np.column_stack([factors, df]), test_size=heatmaps.TEST_SIZE,
        random_state=heatmaps.SPLIT_SEED)
    if train_subset:
        x_train, y_train = x_train[:train_subset], y_train[:train_subset]
    if test_subset:
        x_test, y_test = x_test[:test_subset], y_test[:test_subset]
    return heatmaps.HeatmapData(x_train, x_test, y_train, y_test)


def heavy_labels(factors: np.ndarray) -> np.ndarray:
    """1 where ν = 2 (heavy tails, the positive class), 0 where ν = 200."""
    return (np.asarray(factors)[:, 3] == HEAVY_DF).astype(int)


def heavy_probability_from_sum(factors: np.ndarray) -> np.ndarray:
    """P(ν = 2 | s) = P(U < s² − 20) = clip((s² − 20) / 10, 0, 1), s = v_x + v_y, U ~ U(0, 10) (the constants
    of :func:`degrees_of_freedom`)."""
    s = np.asarray(factors)[:, 0] + np.asarray(factors)[:, 1]
    return np.clip((s**2 - DF_THRESHOLD) / DF_NOISE, 0.0, 1.0)


def bayes_accuracy_from_sum(factors: np.ndarray) -> float:
    """Expected accuracy of the best classifier that sees only s = v_x + v_y: mean of max(p, 1 − p)."""
    p = heavy_probability_from_sum(factors)
    return float(np.maximum(p, 1 - p).mean())

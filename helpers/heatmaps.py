"""Gaussian heatmap images with known factors, the data set of studies 2 and 3 (general layer: two studies
share it). Numpy only (scikit-learn loads inside :func:`load_heatmaps`), so parameter rules may use it.

Each image is the density of a bivariate normal N(0, Σ) with

    Σ = [[v_x, ρ √(v_x v_y)], [ρ √(v_x v_y), v_y]],

evaluated on the 36×36 grid ``mgrid[-3:3:.17]`` and divided by its maximum on the grid. Because
the normalising constant cancels, the image is exp(−½ (q − min q)) with q(x, y) = [x y] Σ⁻¹ [x y]ᵀ,
which lets the whole data set be computed in one vectorised expression."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The original study's grid: 36 points from −3 to 2.95 in steps of 0.17 (x indexes rows, y columns).
GRID_AXIS = np.mgrid[-3:3:0.17]

IMAGE_SIZE = len(GRID_AXIS)

VARIANCES = np.arange(0.1, 5, 0.2)

CORRELATIONS = np.arange(-0.95, 0.95, 0.1)

FACTORS = ("var_x", "var_y", "cor")

SPLIT_SEED = 19

TEST_SIZE = 0.2


def split_rows() -> tuple[np.ndarray, np.ndarray]:
    """(training rows, test rows) of :func:`factor_grid` in split order: the rows
    ``train_test_split(..., test_size=TEST_SIZE, random_state=SPLIT_SEED)`` picks in
    :func:`load_heatmaps`, computed with numpy alone so that validation stays light."""
    n = len(VARIANCES) ** 2 * len(CORRELATIONS)
    order = np.random.RandomState(SPLIT_SEED).permutation(n)
    n_test = int(np.ceil(TEST_SIZE * n))
    return order[n_test:], order[:n_test]


def kept_rows(train_subset: int, test_subset: int) -> tuple[np.ndarray, np.ndarray]:
    """The factor-grid rows :func:`load_heatmaps` keeps for these subsets (0 = all)."""
    train, test = split_rows()
    return train[:train_subset or None], test[:test_subset or None]


def grid_points() -> tuple[np.ndarray, np.ndarray]:
    """The (x, y) coordinate arrays of the pixel grid, each (36, 36); x varies along rows."""
    return np.meshgrid(GRID_AXIS, GRID_AXIS, indexing="ij")


def factor_grid() -> np.ndarray:
    """All (var_x, var_y, cor) combinations in the original study's order: (11875, 3)."""
    mesh = np.array(np.meshgrid(VARIANCES, VARIANCES, CORRELATIONS))
    return mesh.T.reshape(-1, 3)


def covariances(factors: np.ndarray) -> np.ndarray:
    """Covariance matrices (n, 2, 2) from rows (var_x, var_y, cor)."""
    f = np.asarray(factors, dtype=np.float64).reshape(-1, 3)
    off = f[:, 2] * np.sqrt(f[:, 0] * f[:, 1])
    return np.stack([np.stack([f[:, 0], off], -1), np.stack([off, f[:, 1]], -1)], axis=1)


def factors_from_covariances(cov: np.ndarray) -> np.ndarray:
    """Rows (var_x, var_y, cor) from covariance matrices (n, 2, 2)."""
    vx, vy = cov[:, 0, 0], cov[:, 1, 1]
    cor = cov[:, 0, 1] / np.sqrt(np.clip(vx * vy, 1e-12, None))
    return np.column_stack([vx, vy, cor])


def densities_from_covariances(cov: np.ndarray) -> np.ndarray:
    """Max-normalised N(0, Σ) densities on the grid, (n, 36, 36) float64, fully vectorised."""
    x, y = grid_points()
    cov = np.asarray(cov, dtype=np.float64)
    det = cov[:, 0, 0] * cov[:, 1, 1] - cov[:, 0, 1] ** 2
    a, b, c = cov[:, 1, 1] / det, cov[:, 0, 0] / det, -cov[:, 0, 1] / det  # entries of Σ⁻¹
    q = a[:, None, None] * x**2 + b[:, None, None] * y**2 + 2 * c[:, None, None] * x * y
    return np.exp(-0.5 * (q - q.min(axis=(1, 2), keepdims=True)))


def gaussian_heatmaps(factors: np.ndarray) -> np.ndarray:
    """Max-normalised heatmaps (n, 36, 36) for rows (var_x, var_y, cor)."""
    return densities_from_covariances(covariances(factors))


@dataclass
class HeatmapData:
    """The original study's 80/20 split: images (n, 36, 36, 1) float32 and factors (n, 3)."""

    x_train: np.ndarray
    x_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def load_heatmaps(train_subset: int = 0, test_subset: int = 0) -> HeatmapData:
    """Generate all 11,875 images and split them exactly as the original study (random_state 19).

    ``train_subset`` / ``test_subset`` > 0 keep only the first rows of each split (smoke runs).
    """
    from sklearn.model_selection import train_test_split

    factors = factor_grid()
    images = gaussian_heatmaps(factors).astype("float32")[..., None]
    x_train, x_test, y_train, y_test = train_test_split(
        images, factors, test_size=TEST_SIZE, random_state=SPLIT_SEED)
    if train_subset:
        x_train, y_train = x_train[:train_subset], y_train[:train_subset]
    if test_subset:
        x_test, y_test = x_test[:test_subset], y_test[:test_subset]
    return HeatmapData(x_train, x_test, y_train, y_test)

"""Study 2 (Gaussian heatmaps): the data set, factor estimation from moments, errors, parameters.

Each image is the density of a bivariate normal N(0, Σ) with

    Σ = [[v_x, ρ √(v_x v_y)], [ρ √(v_x v_y), v_y]],

evaluated on the 36×36 grid ``mgrid[-3:3:.17]`` and divided by its maximum on the grid. Because
the normalising constant cancels, the image is exp(−½ (q − min q)) with q(x, y) = [x y] Σ⁻¹ [x y]ᵀ,
which lets the whole data set be computed in one vectorised expression.

The three generating factors (v_x, v_y, ρ) can be read back from an image through its second
moments: treat the pixel values as weights w on the grid points p and form M = Σ w p pᵀ / Σ w.
For a Gaussian on an infinite plane M = Σ; the ±3 window truncates wide densities, so M
underestimates Σ. :func:`estimate_factors` corrects that by moment matching on the same grid: it
iterates Σ ← Σ + (M_observed − M_grid(Σ)) until the grid moments of the model agree with the
observed ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.validation import SEED, Choice, Constraint, Flag, Integer, Real, Rules, Subset

#: The original study's grid: 36 points from −3 to 2.95 in steps of 0.17 (x indexes rows, y columns).
GRID_AXIS = np.mgrid[-3:3:0.17]
IMAGE_SIZE = len(GRID_AXIS)
VARIANCES = np.arange(0.1, 5, 0.2)
CORRELATIONS = np.arange(-0.95, 0.95, 0.1)
FACTORS = ("var_x", "var_y", "cor")
SPLIT_SEED = 19
TEST_SIZE = 0.2

#: The isovariance spline (:func:`helpers.trajectories.isovariance_path`) is a cubic through one code
#: per variance level, so it needs isovariance images (var_x = var_y) at this many levels.
ISOVARIANCE_LEVELS = 4
#: Notebook 02 prints the spacing of the isovariance test codes: a nearest-neighbour distance needs two.
TEST_ISOVARIANCE_IMAGES = 2
#: Test images shown as reconstruction pairs: ``min(PAIRS_SHOWN, sample_images)`` distinct ones.
PAIRS_SHOWN = 8


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


def _isovariance_level(rows: np.ndarray) -> np.ndarray:
    """The variance level of each row that is an isovariance image, NaN for the others."""
    f = factor_grid()[rows]
    return np.where(np.isclose(f[:, 0], f[:, 1]), np.round(f[:, 0], 6), np.nan)


def isovariance_levels(rows: np.ndarray) -> int:
    """How many variance levels the isovariance images among ``rows`` cover."""
    levels = _isovariance_level(rows)
    return len(np.unique(levels[~np.isnan(levels)]))


def _rows_needed(kept: np.ndarray, candidates: np.ndarray) -> int | None:
    """Smallest n such that ``kept`` plus the first n ``candidates`` reach ISOVARIANCE_LEVELS levels."""
    seen = {level for level in _isovariance_level(kept) if not np.isnan(level)}
    for n, level in enumerate(_isovariance_level(candidates), start=1):
        if not np.isnan(level):
            seen.add(level)
        if len(seen) >= ISOVARIANCE_LEVELS:
            return n
    return None


def _isovariance_images_fit(train_subset: int, test_subset: int) -> str | None:
    train, test = kept_rows(train_subset, test_subset)
    all_train, all_test = split_rows()
    problems = []
    found = isovariance_levels(np.concatenate([train, test]))
    if found < ISOVARIANCE_LEVELS:
        problems.append(
            f"the kept images hold isovariance images (var_x = var_y) at {found} variance level(s), and the "
            f"trajectories' isovariance spline needs >= {ISOVARIANCE_LEVELS}: with test_subset={test_subset} use "
            f"train_subset >= {_rows_needed(test, all_train)} or 0 (all); with train_subset={train_subset} use "
            f"test_subset >= {_rows_needed(train, all_test)} or 0 (all)")
    in_test = int((~np.isnan(_isovariance_level(test))).sum())
    if in_test < TEST_ISOVARIANCE_IMAGES:
        needed = int(np.flatnonzero(~np.isnan(_isovariance_level(all_test)))[TEST_ISOVARIANCE_IMAGES - 1]) + 1
        problems.append(f"the kept test images hold {in_test} isovariance image(s), and their spacing needs >= "
                        f"{TEST_ISOVARIANCE_IMAGES}: use test_subset >= {needed} or 0 (all)")
    return "; ".join(problems) or None


def _sample_grid_fits(train_subset: int, sample_images: int) -> str | None:
    if train_subset and train_subset < sample_images:
        return (f"the sample grid shows sample_images distinct training images: use train_subset >= "
                f"{sample_images} or 0 (all), or sample_images <= {train_subset}")
    return None


def _reconstruction_pairs_fit(test_subset: int, sample_images: int) -> str | None:
    shown = min(PAIRS_SHOWN, sample_images)
    if test_subset and test_subset < shown:
        return (f"the reconstruction pairs show min({PAIRS_SHOWN}, sample_images) = {shown} distinct test images: "
                f"use test_subset >= {shown} or 0 (all)")
    return None


#: The sample grids draw ``sample_images`` distinct images from the kept training images (study 3 too).
SAMPLE_GRID = Constraint("sample grid", ("train_subset", "sample_images"), _sample_grid_fits)
RECONSTRUCTION_PAIRS = Constraint("reconstruction pairs", ("test_subset", "sample_images"), _reconstruction_pairs_fit)
ISOVARIANCE_IMAGES = Constraint("isovariance images", ("train_subset", "test_subset"), _isovariance_images_fit)


def _steps_fit_points(geodesic_points: int, geodesic_steps: int) -> str | None:
    if geodesic_steps > geodesic_points:
        return (f"the strips show geodesic_steps images picked from the geodesic_points points of each path "
                f"(evenly_spaced_rows), so more steps than points repeats images: use geodesic_steps <= "
                f"{geodesic_points} or geodesic_points >= {geodesic_steps}")
    return None


GEODESIC_STRIP = Constraint("geodesic strip", ("geodesic_points", "geodesic_steps"), _steps_fit_points)

PARAMETERS = Rules({
    "seed": SEED,
    "config": Choice(("lean", "original")),  # named architecture + optimiser (helpers.convnets.CONFIGS)
    "vae_loss": Choice(("standard", "original")),
    "beta": Real(0.0, 100.0),
    "epochs": Integer(1, 500),
    "patience": Integer(1, 100),
    "train_subset": Subset(5, 9_500),  # >= 5: more training codes than the linear probe's 4 coefficients
    # >= 4: the first test images that hold two distinct geodesic ends of opposite correlation (and the
    # >= 3 codes of the principal slice); tests/test_validation.py checks it against the data
    "test_subset": Subset(4, 2_375),
    "sample_images": Integer(4, 64),
    # >= 4: the empty-space walk start → emptiest point → end reports its middle point (index n // 2 − 1),
    # which is the emptiest point only from 4 points on (with 3 it is the start)
    "path_points": Integer(4, 200),
    "plotted_points": Integer(100, 11_875),
    "slice_points": Integer(5, 200),
    "geodesic_points": Integer(3, 512),
    "geodesic_iterations": Integer(1, 10_000),
    "geodesic_steps": Integer(3, 50),
    "force_retrain": Flag(),
}, constraints=(SAMPLE_GRID, RECONSTRUCTION_PAIRS, ISOVARIANCE_IMAGES, GEODESIC_STRIP))


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


# ---------------------------------------------------------------- moments and factor estimation

def grid_moments(images: np.ndarray) -> np.ndarray:
    """Normalised second moments about the origin, M = Σ w p pᵀ / Σ w, as (n, 2, 2)."""
    w = np.clip(np.asarray(images, dtype=np.float64).reshape(-1, IMAGE_SIZE, IMAGE_SIZE), 0.0, None)
    x, y = grid_points()
    total = np.clip(w.sum(axis=(1, 2)), 1e-12, None)
    mxx = (w * x**2).sum(axis=(1, 2)) / total
    myy = (w * y**2).sum(axis=(1, 2)) / total
    mxy = (w * x * y).sum(axis=(1, 2)) / total
    return np.stack([np.stack([mxx, mxy], -1), np.stack([mxy, myy], -1)], axis=1)


def _project_spd(cov: np.ndarray, low: float, high: float) -> np.ndarray:
    values, vectors = np.linalg.eigh(cov)
    values = np.clip(values, low, high)
    return np.einsum("nij,nj,nkj->nik", vectors, values, vectors)


def estimate_covariances(images: np.ndarray, iterations: int = 200, low: float = 1e-3,
                         high: float = 50.0) -> np.ndarray:
    """Σ whose Gaussian heatmap has the same grid second moments as each image, (n, 2, 2).

    Starts from the raw moments (exact for narrow densities) and corrects the truncation of the
    ±3 window by the fixed-point update Σ ← Σ + (M_observed − M_grid(Σ)), projected onto
    symmetric matrices with eigenvalues in [low, high].

    Up to 200 iterations cost about 0.1 s for a 40-image path, and a notebook asks for the same
    images' fit several times (factors and residual of each decoded path), so the last results are
    remembered by a digest of the images and the settings (a new array is returned each time).
    """
    import hashlib

    images = np.asarray(images)
    digest = hashlib.blake2b(np.ascontiguousarray(images).view(np.uint8).ravel(), digest_size=16)
    digest.update(f"{images.shape}{images.dtype}{iterations}{low!r}{high!r}".encode())
    key = digest.hexdigest()
    if key not in _FITTED:
        _FITTED[key] = _fit_covariances(images, iterations, low, high)
        while len(_FITTED) > _FITTED_KEPT:
            del _FITTED[next(iter(_FITTED))]
    return _FITTED[key].copy()


#: Remembered results of :func:`estimate_covariances` (digest → covariances), oldest first.
_FITTED: dict = {}
_FITTED_KEPT = 64


def _fit_covariances(images, iterations: int, low: float, high: float) -> np.ndarray:
    observed = grid_moments(images)
    cov = _project_spd(observed, low, high)
    for _ in range(iterations):
        step = observed - grid_moments(densities_from_covariances(cov))
        cov = _project_spd(cov + step, low, high)
        if np.abs(step).max() < 1e-7:
            break
    return cov


def estimate_factors(images: np.ndarray, **kwargs) -> np.ndarray:
    """Estimated (var_x, var_y, cor) of each image from its second moments, (n, 3)."""
    return factors_from_covariances(estimate_covariances(images, **kwargs))


def moment_fit_residual(images: np.ndarray, **kwargs) -> np.ndarray:
    """How far each image is from every valid heatmap of the family: relative residual
    ‖x − a·g(Σ̂)‖_F / ‖x‖_F of the moment fit g(Σ̂), with the best amplitude a (least squares).

    0 for the generator's own images; large for blobs that are not centred ellipses.
    """
    x = np.asarray(images, dtype=np.float64).reshape(-1, IMAGE_SIZE * IMAGE_SIZE)
    fit = densities_from_covariances(estimate_covariances(images, **kwargs)).reshape(len(x), -1)
    amplitude = (x * fit).sum(1) / np.clip((fit * fit).sum(1), 1e-12, None)
    residual = np.linalg.norm(x - amplitude[:, None] * fit, axis=1)
    return residual / np.clip(np.linalg.norm(x, axis=1), 1e-12, None)


# ---------------------------------------------------------------- reconstruction errors

def frobenius_errors(images: np.ndarray, reconstructions: np.ndarray) -> np.ndarray:
    """Per-image Frobenius norm ‖x̂ − x‖_F (the original study's reconstruction error)."""
    a = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    b = np.asarray(reconstructions, dtype=np.float64).reshape(len(reconstructions), -1)
    return np.linalg.norm(a - b, axis=1)


def error_summary(errors: dict) -> pd.DataFrame:
    """Mean, median, 95th percentile and max of the errors per model."""
    rows = {name: {"mean": e.mean(), "median": np.median(e), "p95": np.quantile(e, 0.95), "max": e.max()}
            for name, e in errors.items()}
    return pd.DataFrame(rows).T


# ---------------------------------------------------------------- the study's model outputs

def reconstructions(vae, ae, x, seed: int) -> dict:
    """Decoded test images three ways: the VAE from its mean μ(x), the VAE from one sampled
    z = μ + σ·ε (the original study's way, see :func:`helpers.model_io.sample_codes`), and the AE."""
    from helpers.model_io import decode, encode_mean, sample_codes

    z_mean, z_sampled = sample_codes(vae, x, seed)
    return {"VAE, mean z": decode(vae.decoder, z_mean), "VAE, sampled z": decode(vae.decoder, z_sampled),
            "AE": decode(ae.decoder, encode_mean(ae, x))}


#: The original study's reported test-set mean Frobenius errors (the quality bar).
ORIGINAL_ERRORS = {"VAE": 0.322, "AE": 0.256}


def quality_bar(errors: dict) -> pd.DataFrame:
    """Mean errors next to the original study's figures, and whether each decoding meets its bar."""
    rows = {name: {"mean error": float(e.mean()), "original study's figure": ORIGINAL_ERRORS[name.split(",")[0]],
                   "meets the bar": bool(e.mean() <= ORIGINAL_ERRORS[name.split(",")[0]])}
            for name, e in errors.items()}
    return pd.DataFrame(rows).T


def posterior_summary(vae, x) -> pd.Series:
    """Mean posterior standard deviation per latent dimension and the mean KL (nats, summed)."""
    from helpers.model_io import encoder_outputs, posterior_sigma

    z_mean, z_log_var = (np.asarray(a, np.float64) for a in encoder_outputs(vae, x))
    sigma = posterior_sigma(vae, z_log_var)
    kl = 0.5 * (z_mean**2 + sigma**2 - 1 - 2 * np.log(sigma)).sum(1)
    return pd.Series({**{f"mean sigma z{k + 1}": sigma[:, k].mean() for k in range(sigma.shape[1])},
                      "KL per image (nats)": kl.mean()})


# ---------------------------------------------------------------- study 3: t-distribution heatmaps

#: Degrees of freedom of the two classes (heavy-tailed vs nearly normal).
HEAVY_DF, LIGHT_DF = 2, 200


def t_heatmaps(factors: np.ndarray, df) -> np.ndarray:
    """Max-normalised multivariate t densities (location 0, shape Σ from (var_x, var_y, cor), ``df``
    degrees of freedom, one per image or a scalar) on the grid, (n, 36, 36), vectorised.

    The density is proportional to (1 + q/ν)^(−(ν + 2)/2) with q = pᵀ Σ⁻¹ p, so after dividing by the
    maximum only q and ν matter.
    """
    cov = covariances(factors)
    x, y = grid_points()
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


def load_t_heatmaps(seed: int, train_subset: int = 0, test_subset: int = 0) -> HeatmapData:
    """t-distribution images with ν drawn by :func:`degrees_of_freedom` from a generator seeded by
    ``seed``; factors get a fourth column ν. Split 80/20 with random_state 19 as the original study."""
    from sklearn.model_selection import train_test_split

    factors = factor_grid()
    df = degrees_of_freedom(factors, np.random.default_rng(seed))
    images = t_heatmaps(factors, df).astype("float32")[..., None]
    x_train, x_test, y_train, y_test = train_test_split(
        images, np.column_stack([factors, df]), test_size=TEST_SIZE, random_state=SPLIT_SEED)
    if train_subset:
        x_train, y_train = x_train[:train_subset], y_train[:train_subset]
    if test_subset:
        x_test, y_test = x_test[:test_subset], y_test[:test_subset]
    return HeatmapData(x_train, x_test, y_train, y_test)

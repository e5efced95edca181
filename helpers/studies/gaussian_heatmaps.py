"""Study 2 (Gaussian heatmaps): the data set with its known factors, the notebook's parameter rules, the
convolutional VAE and AE and their one entry to training, factor recovery from decoded images, latent
paths measured by the factors read back, and the study's own figures.

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
observed ones."""

from __future__ import annotations
import itertools
from dataclasses import dataclass
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.interpolate import splev, splprep
from scipy.stats import spearmanr

from helpers import latent_paths, lazy_module, plotting
from helpers.paths import RESULTS_DIR
from helpers.validation import SEED, Choice, Constraint, Flag, Integer, Real, Rules, Subset, at_most

# TensorFlow-backed modules load on first use, so the parameters are checked before TensorFlow loads.
keras = lazy_module("keras")
model_io = lazy_module("helpers.model_io")
models = lazy_module("helpers.models")
training = lazy_module("helpers.training")


# ---------------------------------------------------------------- data, factors and parameters

#: The original study's grid: 36 points from −3 to 2.95 in steps of 0.17 (x indexes rows, y columns).
GRID_AXIS = np.mgrid[-3:3:0.17]

IMAGE_SIZE = len(GRID_AXIS)

VARIANCES = np.arange(0.1, 5, 0.2)

CORRELATIONS = np.arange(-0.95, 0.95, 0.1)

FACTORS = ("var_x", "var_y", "cor")

SPLIT_SEED = 19

TEST_SIZE = 0.2

#: The isovariance spline (:func:`isovariance_path`) is a cubic through one code
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


GEODESIC_STRIP = at_most("geodesic strip", "geodesic_steps", "geodesic_points",
                         "the strips show geodesic_steps images picked from the geodesic_points points of each path "
                         "(evenly_spaced_rows), so more steps than points would repeat images")


def _mixture_fits(train_subset: int, mixture_components: int) -> str | None:
    available = train_subset or len(split_rows()[0])
    if mixture_components > available:
        return (f"the AE's Gaussian mixture has mixture_components components fitted to {available} training codes: "
                f"use mixture_components <= {available} or train_subset >= {mixture_components} or 0 (all)")
    return None


#: The Gaussian mixture that samples the AE's latent space needs at least one training code per component.
MIXTURE_FIT = Constraint("mixture fit", ("train_subset", "mixture_components"), _mixture_fits)

PARAMETERS = Rules({
    "seed": SEED,
    "config": Choice(("fast", "lean", "original")),  # named architecture + optimiser (CONFIGS below)
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
    "traversal_points": Integer(3, 50),  # images per latent traversal (2nd → 98th percentile)
    "rotations": Integer(1, 10_000),  # random rotations behind the MIG and SAP nulls
    "dci_rotations": Integer(1, 1_000),  # random rotations behind the DCI-D null (a DCI costs ~0.2 s)
    "hole_samples": Integer(20, 1_000),  # decoded samples per source (<= DENSITY_DRAWS, the prior draws)
    "mixture_components": Integer(1, 100),  # components of the Gaussian mixture fitted to the AE's codes
    "recompute_sweep": Flag(),  # retrain (or load from the local cache) and re-measure the β sweep
    "recompute_seeds": Flag(),  # retrain (or load) the models of five seeds and re-measure the seed study
}, constraints=(SAMPLE_GRID, RECONSTRUCTION_PAIRS, ISOVARIANCE_IMAGES, GEODESIC_STRIP, MIXTURE_FIT))


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
    """The fixed-point iteration of :func:`estimate_covariances`, image by image: an image leaves the loop once
    its own update is below 1e-7 (entries of Σ), so the images that never converge (blobs that are no
    heatmap) do not keep the converged ones iterating."""
    observed = grid_moments(images)
    cov = _project_spd(observed, low, high)
    active = np.arange(len(cov))
    for _ in range(iterations):
        if not len(active):
            break
        step = observed[active] - grid_moments(densities_from_covariances(cov[active]))
        cov[active] = _project_spd(cov[active] + step, low, high)
        active = active[np.abs(step).reshape(len(active), -1).max(axis=1) >= 1e-7]
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


def reconstructions(vae, ae, x, seed: int) -> dict:
    """Decoded test images three ways: the VAE from its mean μ(x), the VAE from one sampled
    z = μ + σ·ε (the original study's way, see :func:`helpers.model_io.sample_codes`), and the AE."""

    z_mean, z_sampled = model_io.sample_codes(vae, x, seed)
    return {"VAE, mean z": model_io.decode(vae.decoder, z_mean),
            "VAE, sampled z": model_io.decode(vae.decoder, z_sampled),
            "AE": model_io.decode(ae.decoder, model_io.encode_mean(ae, x))}


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

    z_mean, z_log_var = (np.asarray(a, np.float64) for a in model_io.encoder_outputs(vae, x))
    sigma = model_io.posterior_sigma(vae, z_log_var)
    kl = 0.5 * (z_mean**2 + sigma**2 - 1 - 2 * np.log(sigma)).sum(1)
    return pd.Series({**{f"mean sigma z{k + 1}": sigma[:, k].mean() for k in range(sigma.shape[1])},
                      "KL per image (nats)": kl.mean()})


# ---------------------------------------------------------------- models and training

IMAGE_SHAPE = (36, 36, 1)


@dataclass(frozen=True)
class ConvConfig:
    """Architecture and optimiser of one named configuration."""

    stem_filters: int                # Conv 3×3, stride 1, no pooling
    block_filters: tuple             # each block: Conv 3×3 + MaxPool 2×2 (36 → 18 → 9 → 4)
    dense_units: int                 # Dense after flattening (encoder)
    decoder_start: tuple             # Dense → reshape to this (h, w, c)
    decoder_layers: tuple            # (filters, stride) of the ConvTranspose 3×3 layers
    batch_size: int
    learning_rate: float
    decay_steps: int                 # ExponentialDecay(learning_rate, decay_steps, decay_rate), per step
    decay_rate: float
    strided_first_block: bool = False  # first block: one stride-2 Conv instead of Conv + MaxPool (¼ of its FLOPs)


CONFIGS = {
    "original": ConvConfig(32, (64, 128, 64), 64, (4, 4, 64), ((64, 1), (64, 3), (32, 3)),
                       batch_size=64, learning_rate=1e-3, decay_steps=30, decay_rate=0.99),
    "lean": ConvConfig(16, (32, 64, 64), 64, (4, 4, 64), ((64, 1), (64, 3), (32, 3)),
                       batch_size=128, learning_rate=2e-3, decay_steps=15, decay_rate=0.99),
    "fast": ConvConfig(16, (32, 64, 64), 64, (4, 4, 64), ((64, 1), (64, 3), (32, 3)),
                       batch_size=32, learning_rate=2e-3, decay_steps=15, decay_rate=0.99,
                       strided_first_block=True),
}


def conv_config(name: str) -> ConvConfig:
    if name not in CONFIGS:
        raise ValueError(f"config must be one of {list(CONFIGS)}, got {name!r}")
    return CONFIGS[name]


def _trunk(config: ConvConfig, x):
    x = keras.layers.Conv2D(config.stem_filters, 3, padding="same", activation="relu", name="stem")(x)
    for i, filters in enumerate(config.block_filters):
        if i == 0 and config.strided_first_block:
            x = keras.layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu", name=f"block{i}_conv")(x)
            continue
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{i}_conv")(x)
        x = keras.layers.MaxPooling2D(2, name=f"block{i}_pool")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    return keras.layers.Dense(config.dense_units, activation="relu", name="dense")(x)


def build_encoder(config: ConvConfig, latent_dim: int = 3, variational: bool = True) -> keras.Model:
    """Image → [μ, log σ²] (variational) or image → z."""
    x_in = keras.Input(IMAGE_SHAPE, name="image")
    h = _trunk(config, x_in)
    if variational:
        outputs = [keras.layers.Dense(latent_dim, name="z_mean")(h),
                   keras.layers.Dense(latent_dim, name="z_log_var")(h)]
    else:
        outputs = keras.layers.Dense(latent_dim, name="z")(h)
    return keras.Model(x_in, outputs, name="encoder")


def build_decoder(config: ConvConfig, latent_dim: int = 3) -> keras.Model:
    """z → 36×36×1 image in (0, 1)."""
    z_in = keras.Input((latent_dim,), name="z")
    h, w, c = config.decoder_start
    x = keras.layers.Dense(h * w * c, activation="relu", name="dense")(z_in)
    x = keras.layers.Reshape((h, w, c), name="reshape")(x)
    for i, (filters, stride) in enumerate(config.decoder_layers):
        x = keras.layers.Conv2DTranspose(filters, 3, strides=stride, padding="same", activation="relu",
                                         name=f"deconv{i}")(x)
    x_out = keras.layers.Conv2DTranspose(1, 3, padding="same", activation="sigmoid", name="image")(x)
    return keras.Model(z_in, x_out, name="decoder")


def optimizer_for(config: ConvConfig):
    """Adam with the configuration's exponentially decaying learning rate."""
    schedule = keras.optimizers.schedules.ExponentialDecay(
        config.learning_rate, config.decay_steps, config.decay_rate)
    return models.make_optimizer("adam", schedule)


def build_conv_vae(name: str = "fast", latent_dim: int = 3, beta: float = 1.0, loss: str = "standard",
                   seed: int | None = None) -> models.VAE:
    """A compiled convolutional VAE with a Bernoulli decoder (BCE summed over pixels)."""
    config = conv_config(name)
    model = models.VAE(build_encoder(config, latent_dim, True), build_decoder(config, latent_dim), beta=beta,
                       loss=loss, seed=seed, reconstruction="bernoulli", name=f"conv_vae_{name}")
    model.compile(optimizer=optimizer_for(config))
    return model


def build_conv_ae(name: str = "fast", latent_dim: int = 3) -> models.Autoencoder:
    """A compiled convolutional AE of the same architecture and reconstruction loss."""
    config = conv_config(name)
    model = models.Autoencoder(build_encoder(config, latent_dim, False), build_decoder(config, latent_dim),
                               reconstruction="bernoulli", name=f"conv_ae_{name}")
    model.compile(optimizer=optimizer_for(config))
    return model


VALIDATION_FRACTION = 0.1


def validation_split(x: np.ndarray, seed: int, fraction: float = VALIDATION_FRACTION):
    """(x_fit, x_val, fit_index, val_index): a seeded hold-out carved from the training split, so
    early stopping never looks at the test images (the original study validated on its test set)."""
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = max(1, int(round(fraction * len(x))))
    return x[order[n_val:]], x[order[:n_val]], order[n_val:], order[:n_val]


def train_or_load_model(kind: str, x_train, *, config: str, seed: int, epochs: int, patience: int,
                        beta: float = 1.0, vae_loss: str = "standard", data_settings: dict | None = None,
                        force_retrain: bool = False, name_prefix: str = "heatmap", extra_callbacks=(),
                        store=None):
    """Build one model (``kind`` "vae" or "ae") of a named configuration, then load its weights or train it.

    Training stops when the validation loss on a seeded hold-out has not improved for ``patience`` epochs
    (at most ``epochs``) and restores the best weights. The cache key comes from the model itself
    (:func:`helpers.training.cache_key`) plus ``data_settings`` and the fit options. ``extra_callbacks`` and
    ``store`` go to :func:`helpers.training.fit_or_load` (tests use them to insist on shipped weights).
    Returns ``(model, FitResult)``.
    """
    x_fit, x_val, _, _ = validation_split(x_train, seed)
    training.set_seed(seed)  # the initial weights, if it trains
    model = build_conv_vae(config, beta=beta, loss=vae_loss, seed=seed) if kind == "vae" else build_conv_ae(config)
    suffix = "" if kind == "ae" or vae_loss == "standard" else f"_{vae_loss}loss"
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    settings = {**(data_settings or {}), "patience": patience, "validation_fraction": VALIDATION_FRACTION}
    result = training.fit_or_load(
        model, x_fit, name=f"{name_prefix}_{kind}_{config}{suffix}", settings=settings, epochs=epochs,
        batch_size=conv_config(config).batch_size, seed=seed, validation_data=(x_val, x_val),
        callbacks=[*extra_callbacks, stop], force_retrain=force_retrain, store=store)
    return model, result


def train_or_load_models(x_train, **kwargs):
    """The study's one entry to training: the VAE and the AE of one configuration, each loaded from the
    weight cache or trained (:func:`train_or_load_model`). Returns ``(vae, ae, {"vae": FitResult, "ae": …})``."""
    vae, vae_fit = train_or_load_model("vae", x_train, **kwargs)
    ae, ae_fit = train_or_load_model("ae", x_train, **kwargs)
    return vae, ae, {"vae": vae_fit, "ae": ae_fit}


# ---------------------------------------------------------------- latent paths, measured by the factors read back

def nearest_factor_index(factors: np.ndarray, target) -> int:
    """Index of the image whose (var_x, var_y, cor) is nearest to ``target`` (factors scaled to
    [0, 1] by their ranges so that variances and correlations weigh alike)."""
    f = np.asarray(factors, dtype=np.float64)
    low, span = f.min(0), np.ptp(f, axis=0) + 1e-12
    return int(np.argmin((((f - low) / span - (np.asarray(target) - low) / span) ** 2).sum(1)))


def factor_line(codes, factors, start, end, n_points: int) -> np.ndarray:
    """Straight latent line from the code of the image nearest to factors ``start`` to that of ``end``."""
    return latent_paths.straight_line(codes[nearest_factor_index(factors, start)],
                                      codes[nearest_factor_index(factors, end)], n_points)


def isovariance_path(codes, factors, n_points: int, smoothing: float | None = None):
    """Spline through the codes of isovariance images (var_x = var_y), one per variance level — the
    one with the largest correlation, i.e. on an edge of the manifold's hull — ordered by variance.
    Returns (path, knots)."""
    f = np.asarray(factors)
    iso = np.flatnonzero(np.isclose(f[:, 0], f[:, 1]))
    levels = np.unique(np.round(f[iso, 0], 6))
    if len(levels) < 4:
        raise ValueError(f"need isovariance codes at >= 4 variance levels, found {len(levels)}")
    chosen = [iso[np.isclose(f[iso, 0], v)][np.argmax(f[iso[np.isclose(f[iso, 0], v)], 2])] for v in levels]
    knots = np.asarray(codes, np.float64)[chosen]
    spread = np.linalg.norm(np.diff(knots, axis=0), axis=1).mean()
    s = len(knots) * (0.1 * spread) ** 2 if smoothing is None else smoothing
    tck, _ = splprep(knots.T, s=s, k=3)
    return np.stack(splev(np.linspace(0, 1, n_points), tck), axis=1).astype(np.float32), knots


def path_factors(decoder, path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode a path; return (images, estimated factors (n, 3), moment-fit residuals (n,))."""
    images = model_io.decode(decoder, path)
    return images, estimate_factors(images), moment_fit_residual(images)


def monotonicity(values: np.ndarray) -> float:
    """Spearman's ρ of a sequence against its index (+1: increasing, −1: decreasing)."""
    values = np.asarray(values)
    if np.ptp(values) == 0:
        return 0.0
    return float(spearmanr(np.arange(len(values)), values)[0])


def path_table(decoder, paths: dict) -> pd.DataFrame:
    """One row per path: Spearman ρ of each recovered factor along it, the factors at both ends,
    and the median / max moment-fit residual of the decoded images."""
    rows = {}
    for name, path in paths.items():
        _, est, residual = path_factors(decoder, path)
        row = {f"rho {f}": monotonicity(est[:, k]) for k, f in enumerate(FACTORS)}
        row.update({f"{f} {end}": float(est[i, k]) for k, f in enumerate(FACTORS) for end, i in (("start", 0),
                                                                                               ("end", -1))})
        row.update({"residual median": float(np.median(residual)), "residual max": float(residual.max())})
        rows[name] = row
    return pd.DataFrame(rows).T


def standard_paths(codes, factors, n_points: int) -> dict:
    """The study's paths for one model's codes (all derived from codes with known factors):

    * three straight lines between codes of images at opposite factor extremes (size, correlation,
      orientation of the long axis);
    * a full rotation of the most correlated mid-size image's code about the codes' first
      principal axis;
    * the spline through the isovariance codes at the largest correlation (a hull edge);
    * lines on the two supporting planes normal to the thinnest principal direction.
    """
    f = np.asarray(factors)
    lo, hi = f.min(0), f.max(0)
    mid = (lo + hi) / 2
    centre, axes = latent_paths.principal_axes(codes)
    start = codes[nearest_factor_index(f, (mid[0], mid[1], hi[2]))]
    return {
        "line: small → large (round)": factor_line(codes, f, (lo[0], lo[1], 0), (hi[0], hi[1], 0), n_points),
        "line: cor min → max": factor_line(codes, f, (mid[0], mid[1], lo[2]), (mid[0], mid[1], hi[2]), n_points),
        "line: wide in x → wide in y": factor_line(codes, f, (hi[0], lo[1], 0), (lo[0], hi[1], 0), n_points),
        "rotation about 1st axis": latent_paths.rotation_path(start, centre, axes[0], n_points),
        "isovariance spline (hull)": isovariance_path(codes, f, n_points)[0],
        "bounding plane +": latent_paths.bounding_plane_path(codes, n_points, +1)[0],
        "bounding plane −": latent_paths.bounding_plane_path(codes, n_points, -1)[0],
    }


def perturbation_table(decoders: dict, codes: dict, rng_seed: int, steps=(0.0, 0.1, 0.2, 0.4, 0.8)) -> pd.DataFrame:
    """Median moment-fit residual of decoded hull codes pushed outwards by each step (× RMS radius)."""
    rows = {}
    for name, decoder in decoders.items():
        moved = latent_paths.hull_perturbations(codes[name], np.random.default_rng(rng_seed), steps)
        rows[name] = {f"step {s:g}": float(np.median(moment_fit_residual(model_io.decode(decoder, p))))
                      for s, p in moved.items()}
    return pd.DataFrame(rows).T


def traversal_table(decoder, codes, path, gap) -> pd.Series:
    """Empty-space traversal in numbers: the gap (in nearest-neighbour spacings) and the residual
    of the decoded images at the emptiest point vs at the two end codes."""
    _, _, residual = path_factors(decoder, path)
    middle = len(path) // 2
    return pd.Series({"gap / typical spacing": gap / latent_paths.typical_spacing(codes),
                      "residual at ends (mean)": (residual[0] + residual[-1]) / 2,
                      "residual at emptiest point": residual[middle - 1],
                      "residual max along path": residual.max()})


# ---------------------------------------------------------------- figures of this study

FACTOR_CMAPS = {"var_x": "viridis", "var_y": "plasma", "cor": "coolwarm"}


def factor_titles(factors) -> list[str]:
    """Short 'vx vy ρ' labels for image grids."""
    return [f"{f[0]:.1f} {f[1]:.1f} {f[2]:+.2f}" for f in np.asarray(factors)]


def projections_by_factor(codes, factors, names=("var_x", "var_y", "cor"), title: str = "", size: float = 2):
    """3×3 grid: rows = factors (colour), columns = latent coordinate pairs."""
    pairs = list(itertools.combinations(range(codes.shape[1]), 2))
    fig, axes = plt.subplots(len(names), len(pairs), figsize=(3.4 * len(pairs), 3 * len(names)), squeeze=False)
    for r, name in enumerate(names):
        for c, (i, j) in enumerate(pairs):
            art = axes[r, c].scatter(codes[:, i], codes[:, j], c=factors[:, r], s=size,
                                     cmap=FACTOR_CMAPS.get(name, "viridis"), rasterized=True)
            axes[r, c].set(xlabel=f"z{i + 1}", ylabel=f"z{j + 1}")
        fig.colorbar(art, ax=axes[r, -1], label=name)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def walls_by_cor_and_anisotropy(codes, factors, name: str):
    """Two 3-D views of the codes with wall projections: coloured by cor and by |var_x − var_y|."""
    fig = plt.figure(figsize=(12, 5))
    plotting.scatter3d_with_walls(codes, factors[:, 2], "cor", f"{name}, coloured by cor",
                         ax=fig.add_subplot(1, 2, 1, projection="3d"))
    plotting.scatter3d_with_walls(codes, np.abs(factors[:, 0] - factors[:, 1]), "|var_x − var_y|",
                         f"{name}, coloured by |var_x − var_y|", ax=fig.add_subplot(1, 2, 2, projection="3d"))
    return fig


def factor_traces(estimated: dict, names=("var_x", "var_y", "cor")):
    """Recovered factors along each path (x: position 0 → 1), one panel per factor."""
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3))
    for k, (ax, name) in enumerate(zip(axes, names, strict=True)):
        for label, est in estimated.items():
            ax.plot(np.linspace(0, 1, len(est)), est[:, k], label=label)
        ax.set(title=f"recovered {name}", xlabel="position along path")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- axes, scores and holes

disentanglement = lazy_module("helpers.disentanglement")  # scikit-learn loads on first use
image_plots = lazy_module("helpers.image_plots")
likelihood = lazy_module("helpers.likelihood")
probes = lazy_module("helpers.probes")
samplers = lazy_module("helpers.samplers")

#: DCI's gradient-boosted regressors are fitted on the first this many training codes (a random subset: the
#: split is shuffled). One DCI costs about 0.2 s on 500 codes and 3 s on all 9,500 (2 cores), and its rotation
#: null needs one DCI per rotation; the VAE's DCI-D was 0.187 on 500 codes, 0.189 on 1,000 and 0.176 on all.
DCI_TRAINING_CODES = 500

#: Moment fits of decoded *samples* stop after this many fixed-point iterations (:func:`estimate_covariances`
#: allows 200). Samples that are no heatmap never converge and would use all 200; with 60 the residuals of
#: 300 decoded prior and Gaussian samples moved by at most 4e-3 at their median, 1e-3 at their 95th percentile,
#: at a third of the cost. The validity threshold is computed with the same fits.
SAMPLE_FIT_ITERATIONS = 60

#: A decoded image counts as a valid heatmap when its moment-fit residual is at most the residual that this
#: share of the same model's test reconstructions stay below (the 95th percentile).
VALID_QUANTILE = 0.95

#: The prior draws behind the estimate of the prior mass in the holes (the first ``hole_samples`` are decoded).
DENSITY_DRAWS = 1000

#: The aggregate-posterior levels: q's own mass below the level (1 % and 5 %).
HOLE_MASSES = (0.01, 0.05)


def axis_traversals(decoder, codes, n_points: int, basis=None, label: str = "z") -> dict:
    """Per-direction latent traversals, decoded and read back: ``{f"{label}{k + 1}": (images (n_points, 36, 36, 1),
    recovered factors (n_points, 3), moment-fit residuals (n_points,))}`` for each direction k of ``basis`` (the
    latent axes by default; see :func:`helpers.latent_paths.percentile_sweeps`: coordinate k from its 2nd to its
    98th percentile over ``codes``, the others at their median)."""
    sweeps = latent_paths.percentile_sweeps(codes, n_points, basis)
    images, factors, residuals = path_factors(decoder, sweeps.reshape(-1, sweeps.shape[-1]))
    return {f"{label}{k + 1}": (images[k * n_points:(k + 1) * n_points], factors[k * n_points:(k + 1) * n_points],
                                residuals[k * n_points:(k + 1) * n_points]) for k in range(len(sweeps))}


def sensitivity_table(traversals: dict, train_factors) -> pd.DataFrame:
    """One row per traversal: the sensitivity S[j, k] of each recovered factor (total variation along the
    sweep over the factor's range in the training images, :func:`helpers.disentanglement.sensitivity_matrix`);
    the top share max_k S[j, k] / Σ_k S[j, k] (1: the sweep moves one factor only; 1/3: all three alike); and
    the largest moment-fit residual along the sweep (large: the sweep decodes images that are no heatmap, and
    their factors mean little)."""
    factors = np.stack([found for _, found, _ in traversals.values()])
    s = disentanglement.sensitivity_matrix(factors, np.ptp(np.asarray(train_factors, np.float64), axis=0))
    table = pd.DataFrame(s, index=list(traversals), columns=list(FACTORS))
    table["top share"] = s.max(axis=1) / np.clip(s.sum(axis=1), 1e-12, None)
    table["max residual"] = [float(residual.max()) for _, _, residual in traversals.values()]
    return table


def alignment_scores(train_codes, train_factors, test_codes, test_factors) -> pd.Series:
    """MIG (on the test codes, 20 equal-width bins), DCI disentanglement, completeness and informativeness
    (regressors fitted on the first :data:`DCI_TRAINING_CODES` training codes, R² on the test codes) and SAP
    (fitted on the training codes, scored on the test codes), against the factors (var_x, var_y, cor); the
    formulas are in :mod:`helpers.disentanglement`."""
    n = DCI_TRAINING_CODES
    d = disentanglement.dci(train_codes[:n], train_factors[:n], test_codes, test_factors, FACTORS)
    return pd.Series({"MIG": disentanglement.mig(test_codes, test_factors).overall, "DCI D": d.disentanglement,
                      "DCI C": d.completeness, "DCI I": d.informativeness,
                      "SAP": disentanglement.sap(train_codes, train_factors, test_codes, test_factors).overall})


def rotation_nulls(train_codes, train_factors, test_codes, test_factors, rotations: int, dci_rotations: int,
                   seed: int) -> dict:
    """{score: :class:`helpers.disentanglement.RotationNull`} for MIG and SAP (``rotations`` random rotations)
    and DCI disentanglement (``dci_rotations``): each score of the codes as they are against the same score of
    the codes rotated by Haar-random rotations Q. The training and test codes are turned by the same Q (they
    are stacked before rotating), and every score draws the same sequence of rotations (one seed)."""
    n_train, n = len(train_codes), DCI_TRAINING_CODES
    stacked = np.concatenate([np.asarray(train_codes, np.float64), np.asarray(test_codes, np.float64)])
    scores = {
        "MIG": (rotations, lambda z: disentanglement.mig(z[n_train:], test_factors).overall),
        "SAP": (rotations, lambda z: disentanglement.sap(z[:n_train], train_factors, z[n_train:],
                                                         test_factors).overall),
        "DCI D": (dci_rotations, lambda z: disentanglement.dci(z[:min(n, n_train)], train_factors[:n],
                                                                z[n_train:], test_factors).disentanglement),
    }
    return {name: disentanglement.rotation_null(score, stacked, count, seed) for name, (count, score) in scores.items()}


def null_table(nulls: dict) -> pd.DataFrame:
    """One row per score: the observed value, the median and 95th percentile of the rotated copies, the
    observed value's percentile among them, the one-sided p-value (1 + #{null ≥ observed}) / (1 + rotations),
    and how many rotations."""
    table = pd.DataFrame({name: {"observed": r.observed, "null median": float(np.median(r.null)),
                                 "null 95th pct": float(np.quantile(r.null, 0.95)), "percentile": r.percentile,
                                 "p-value": r.p_value, "rotations": len(r.null)} for name, r in nulls.items()}).T
    return table.astype({"rotations": int})


def alignment_verdict(null, alpha: float = 0.05) -> str:
    """A sentence on one :class:`helpers.disentanglement.RotationNull`: more axis-aligned than a random rotation
    (p-value ≤ ``alpha``), less aligned than most (percentile ≤ 100·``alpha``), or neither."""
    if null.p_value <= alpha:
        return "more axis-aligned than a random rotation of its own codes"
    if null.percentile <= 100 * alpha:
        return "less axis-aligned than almost every random rotation of its own codes"
    return "no more axis-aligned than a random rotation of its own codes"


def validity_threshold(reconstructions, quantile: float = VALID_QUANTILE) -> float:
    """The ``quantile`` of the moment-fit residuals of a model's test reconstructions (fits of
    :data:`SAMPLE_FIT_ITERATIONS` iterations): a decoded image at or below it is as close to a heatmap as
    that share of the model's own reconstructions."""
    return float(np.quantile(moment_fit_residual(reconstructions, iterations=SAMPLE_FIT_ITERATIONS), quantile))


def in_training_ranges(estimated, train_factors) -> np.ndarray:
    """Whether every recovered factor of each image lies within [min, max] of that factor over the
    training images (var_x, var_y in [0.1, 4.9], cor in [−0.95, 0.85] for the full split)."""
    f = np.asarray(train_factors, np.float64)
    return np.all((estimated >= f.min(axis=0)) & (estimated <= f.max(axis=0)), axis=1)


def sample_checks(images, threshold: float, train_factors) -> pd.Series:
    """Decoded images, checked: the share of valid heatmaps (residual ≤ ``threshold``) and the share whose
    recovered factors lie in the training ranges (:func:`in_training_ranges`), each with its binomial standard
    error, and the median residual. Fits of :data:`SAMPLE_FIT_ITERATIONS` iterations."""
    from helpers.spread import share_and_error

    residual = moment_fit_residual(images, iterations=SAMPLE_FIT_ITERATIONS)
    estimated = estimate_factors(images, iterations=SAMPLE_FIT_ITERATIONS)
    valid, valid_se = share_and_error(residual <= threshold)
    inside, inside_se = share_and_error(in_training_ranges(estimated, train_factors))
    return pd.Series({"valid": valid, "valid se": valid_se, "in ranges": inside, "in ranges se": inside_se,
                      "median residual": float(np.median(residual)), "images": len(images)})


def latent_samples(prior_draws, ae_train_codes, n: int, components: int, seed: int) -> dict:
    """Latent points to generate from, ``n`` per source: the first ``n`` of the VAE's ``prior_draws`` from
    N(0, I); for the AE, which has no prior, draws from a full-covariance Gaussian and from a ``components``-
    component Gaussian mixture fitted to its training codes (:mod:`helpers.samplers`). Keys start with the
    model's name."""
    rng = np.random.default_rng(seed)
    mixture = samplers.fit_mixture(ae_train_codes, components, seed)
    return {"VAE: prior N(0, I)": np.asarray(prior_draws[:n], np.float32),
            "AE: Gaussian fit": samplers.sample_gaussian(*samplers.fit_gaussian(ae_train_codes), n, rng),
            f"AE: mixture of {components} Gaussians": samplers.sample_mixture(mixture, n, rng)}


def holes_table(decoders: dict, samples: dict, reconstructions: dict, train_factors) -> pd.DataFrame:
    """:func:`sample_checks` for each model's test reconstructions (the reference: valid by the threshold's
    definition in ``VALID_QUANTILE`` of cases) and for each source of ``samples`` decoded by its model's decoder
    (the model is the key's first word), with the model's validity threshold in a column."""
    rows = {}
    for model, recon in reconstructions.items():
        threshold = validity_threshold(recon)
        rows[f"{model}: test reconstructions"] = {**sample_checks(recon, threshold, train_factors),
                                                  "threshold": threshold}
        for source, z in samples.items():
            if source.split(":")[0] == model:
                images = model_io.decode(decoders[model], z)
                rows[source] = {**sample_checks(images, threshold, train_factors), "threshold": threshold}
    return pd.DataFrame(rows).T.astype({"images": int})


def validity_by_density(images, threshold: float, log_density, level: float) -> pd.DataFrame:
    """The share of valid decoded images (residual ≤ ``threshold``, with its binomial error) among those whose
    latent point has aggregate-posterior log density below ``level`` and among the others."""
    from helpers.spread import share_and_error

    valid = moment_fit_residual(images, iterations=SAMPLE_FIT_ITERATIONS) <= threshold
    low = np.asarray(log_density) < level
    rows = {}
    for name, chosen in (("q below the level", low), ("q above the level", ~low)):
        share, error = share_and_error(valid[chosen]) if chosen.any() else (float("nan"), float("nan"))
        rows[name] = {"valid": share, "valid se": error, "images": int(chosen.sum())}
    return pd.DataFrame(rows).T.astype({"images": int})


def traversal_figure(traversals: dict):
    """Strips of decoded traversals: one column per model, one row per direction (latent axes, then
    principal axes), each strip from the 2nd (left) to the 98th percentile (right)."""
    models_ = list(traversals)
    labels = list(traversals[models_[0]])
    n_points = len(next(iter(traversals[models_[0]].values()))[0])
    fig, axes = plt.subplots(len(labels), len(models_), figsize=(0.55 * n_points * len(models_) + 1.5,
                                                                   0.62 * len(labels) + 0.6),
                             squeeze=False, layout="constrained")
    for c, model in enumerate(models_):
        for r, label in enumerate(labels):
            image_plots.draw_strip(axes[r, c], traversals[model][label][0], label)
        axes[0, c].set_title(f"{model}: 2nd → 98th percentile", fontsize=9)
    return fig


def sensitivity_heatmaps(tables: dict):
    """The sensitivity matrices as annotated heatmaps: one panel per model and frame (rows of the table with
    the same prefix: z… for the latent axes, pc… for the principal axes). One colour scale for all panels,
    saturated at 2 (the annotations give the values)."""
    panels = [(model, frame, table.loc[[i for i in table.index if i.startswith(frame)], list(FACTORS)])
              for model, table in tables.items() for frame in ("z", "pc")]
    fig, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels) + 0.8, 2.9), layout="constrained")
    for ax, (model, frame, values) in zip(axes, panels, strict=True):
        art = ax.imshow(values.to_numpy(), cmap="Blues", vmin=0, vmax=2)
        for (i, j), v in np.ndenumerate(values.to_numpy()):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8, color="white" if v > 1.2 else "black")
        ax.set_xticks(range(len(FACTORS)), FACTORS, fontsize=8)
        ax.set_yticks(range(len(values)), values.index, fontsize=8)
        ax.set_title(f"{model}, {'latent axes' if frame == 'z' else 'principal axes'}", fontsize=9)
    fig.colorbar(art, ax=axes, shrink=0.8, label="change / factor range")
    return fig


def null_histograms(nulls: dict):
    """One panel per model and score: the scores of the rotated codes (histogram) and of the codes as they
    are (a vertical line, labelled with its percentile)."""
    pairs = [(model, score, r) for model, found in nulls.items() for score, r in found.items()]
    fig, axes = plt.subplots(len(nulls), len(pairs) // len(nulls), figsize=(10, 2.4 * len(nulls)), squeeze=False,
                             layout="constrained")
    for ax, (model, score, r) in zip(axes.flat, pairs, strict=True):
        ax.hist(r.null, bins=20, color="#9ecae1")
        ax.axvline(r.observed, color="#d62728", lw=2)
        ax.set_title(f"{model} {score}: observed at the {r.percentile:.0f}th pct", fontsize=9)
        ax.set_xlabel(f"{score} of a random rotation ({len(r.null)})", fontsize=8)
    return fig


# ---------------------------------------------------------------- the β trade-off

#: The β values of the trade-off sweep. The notebook's default β = 0.33 is one of them, so its shipped weights
#: serve for that row (and the AE's for the AE row); the others are trained into the local cache.
SWEEP_BETAS = (0.1, 0.33, 1.0, 2.0, 4.0, 16.0, 64.0)

#: The shipped sweep table (``make weights`` writes it with the settings that produced it; the notebook reads it).
SWEEP_FILE = RESULTS_DIR / "gaussian_heatmaps_beta_sweep.json"

#: A latent unit is *active* when its posterior mean varies over the test images by more than this
#: (Burda et al. 2016's activity statistic A_k = Var_x(E_q[z_k | x]) > 0.01).
ACTIVE_VARIANCE = 0.01


def active_units(means, threshold: float = ACTIVE_VARIANCE) -> int:
    """#{k : Var_x(μ_k(x)) > ``threshold``}: the latent dimensions whose posterior mean μ(x) = E_q[z | x] moves
    with the image (population variance over the rows of ``means``). A collapsed unit has μ_k ≈ 0 for every
    image (and σ_k ≈ 1): the decoder ignores it."""
    return int((np.var(np.asarray(means, np.float64), axis=0) > threshold).sum())


def distortion_nats(model, x, z) -> np.ndarray:
    """Per image, the distortion in nats above the floor that no Bernoulli decoder can beat:

        D(x, z) = −log p(x | z) + Σ_i [x_i log x_i + (1 − x_i) log(1 − x_i)] ≥ 0,

    the summed Bernoulli KL between the image's pixels and the decoded ones (0 exactly when the decoder
    returns x). The floor is :func:`helpers.likelihood.best_bernoulli_log_likelihood`; the heatmaps' grey
    pixels put it about 300 nats below zero, which would swamp the differences between the rows."""
    return likelihood.best_bernoulli_log_likelihood(x) - likelihood.log_likelihood_of(model)(x, z)


def _sweep_draws(model, train_codes, n: int, seed: int) -> np.ndarray:
    """Latent points to generate from: the prior N(0, I) for a VAE, a Gaussian fitted to the training codes
    for an AE (which has no prior)."""
    if isinstance(model, models.VAE):
        return samplers.sample_prior(n, train_codes.shape[1], seed)
    return samplers.sample_gaussian(*samplers.fit_gaussian(train_codes), n, np.random.default_rng(seed))


def sweep_row(model, data: HeatmapData, seed: int, samples: int) -> dict:
    """One model of the β sweep, measured on the test images (``data.x_test``):

    * rate R = mean over images of KL(q(z|x) ‖ N(0, I)) in nats (NaN for the AE: it has no posterior);
    * distortion D (:func:`distortion_nats`, mean over images) decoding μ(x) and one z ~ q(z|x) (the AE's code
      twice), and the original study's Frobenius error of both decodings;
    * active units (:func:`active_units`), a linear probe's test R² per factor, MIG and DCI (D, C, I) and SAP
      (:func:`alignment_scores`);
    * the share of ``samples`` decoded draws (prior, or the AE's Gaussian fit) that are valid heatmaps, with its
      binomial standard error (threshold: the 95th percentile of the residuals of the model's reconstructions of
      the first ``samples`` test images, as in :func:`holes_table`)."""
    x = data.x_test
    train_codes, test_codes = model_io.encode_mean(model, data.x_train), model_io.encode_mean(model, x)
    if isinstance(model, models.VAE):
        z_mean, z_sampled = model_io.sample_codes(model, x, seed)
        rate = float(likelihood.kl_to_standard_normal(*likelihood.posterior_of(model, x)).mean())
    else:
        z_mean = z_sampled = test_codes
        rate = float("nan")
    decoded = {kind: model_io.decode(model.decoder, z) for kind, z in (("mean", z_mean), ("sampled", z_sampled))}
    threshold = validity_threshold(decoded["mean"][:samples])
    generated = model_io.decode(model.decoder, _sweep_draws(model, train_codes, samples, seed))
    checks = sample_checks(generated, threshold, data.y_train)
    probe = probes.linear_probe_r2(train_codes, data.y_train, test_codes, data.y_test, FACTORS)
    return {"rate": rate,
            **{f"distortion, {kind} z": float(distortion_nats(model, x, z).mean())
               for kind, z in (("mean", z_mean), ("sampled", z_sampled))},
            **{f"error, {kind} z": float(frobenius_errors(x, images).mean()) for kind, images in decoded.items()},
            "active units": active_units(test_codes),
            **{f"R² {name}": float(r2) for name, r2 in probe.items()},
            **alignment_scores(train_codes, data.y_train, test_codes, data.y_test).to_dict(),
            "valid samples": checks["valid"], "valid se": checks["valid se"]}


def beta_sweep(data: HeatmapData, betas=SWEEP_BETAS, *, samples: int, seed: int, store=None,
               **training_settings) -> pd.DataFrame:
    """The β trade-off: a VAE of the notebook's configuration for each β, and the AE, each loaded from the
    shipped weights or the local cache or trained there (:func:`train_or_load_model` with ``training_settings``:
    config, epochs, patience, data_settings, …; ``store`` defaults to
    :meth:`helpers.training.WeightStore.local`: the sweep's extra models are never shipped), then measured by
    :func:`sweep_row`. One row per model, in the order of ``betas`` then the AE, with the epochs run, the
    (recorded) training seconds and whether this call trained it."""
    kinds = [("vae", float(b)) for b in betas] + [("ae", float("nan"))]
    store = store or training.WeightStore.local()
    rows = []
    for kind, beta in kinds:
        model, fit = train_or_load_model(kind, data.x_train, seed=seed, beta=1.0 if kind == "ae" else beta,
                                         store=store, **training_settings)
        name = "AE" if kind == "ae" else f"VAE β = {beta:g}"
        rows.append({"model": name, "beta": beta, **sweep_row(model, data, seed, samples), "epochs": fit.epochs_run,
                     "train seconds": fit.train_seconds, "trained here": fit.source == "trained"})
        print(f"{name}: {fit.source} ({fit.epochs_run} epochs, {fit.train_seconds:.0f} s)", flush=True)
    return pd.DataFrame(rows)


def collapse_onset(table: pd.DataFrame, latent_dim: int, factor_r2: float = 0.5) -> str:
    """Where posterior collapse starts in a sweep table, as a sentence: the smallest β whose VAE has fewer than
    ``latent_dim`` active units, or reads a factor with a linear-probe R² below ``factor_r2`` (the code has lost
    it); or that no β in the table does."""
    vaes = table[table["model"] != "AE"].sort_values("beta")
    lowest = vaes[[f"R² {name}" for name in FACTORS]].min(axis=1)
    for (_, row), r2 in zip(vaes.iterrows(), lowest, strict=True):
        if row["active units"] < latent_dim or r2 < factor_r2:
            return (f"collapse starts at β = {row['beta']:g}: {int(row['active units'])} of {latent_dim} units "
                    f"active, the worst-read factor at R² {r2:.2f}")
    return (f"no β up to {vaes['beta'].max():g} collapses a unit: all {latent_dim} stay active and every factor "
            f"keeps R² ≥ {factor_r2:g}")


def _beta_ticks(ax, betas) -> None:
    """Label a log β axis at the swept values only."""
    ax.set_xticks(list(betas), [f"{b:g}" for b in betas])
    ax.minorticks_off()


def sweep_figure(table: pd.DataFrame):
    """Three panels: the rate–distortion curve of the VAEs (distortion decoding a sampled z against the rate,
    each point labelled with its β; the AE's distortion as a horizontal line), then the probe's R² per factor
    and MIG / DCI-D against β, then the active units and the share of valid decoded samples against β (log
    axis; the AE's values as dashed lines)."""
    vaes = table[table["model"] != "AE"].sort_values("beta")
    ae = table[table["model"] == "AE"].iloc[0]
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8), layout="constrained")
    ax = axes[0]
    ax.plot(vaes["rate"], vaes["distortion, sampled z"], "o-", color="#1f77b4", label="VAE, sampled z")
    ax.plot(vaes["rate"], vaes["distortion, mean z"], "s--", color="#9ecae1", label="VAE, mean z")
    for _, row in vaes.iterrows():
        ax.annotate(f"β = {row['beta']:g}", (row["rate"], row["distortion, sampled z"]), textcoords="offset points",
                    xytext=(5, 4), fontsize=8)
    ax.axhline(ae["distortion, mean z"], color="#d62728", ls=":", label="AE")
    ax.set(yscale="log", xlabel="rate: mean KL per image (nats)", ylabel="distortion above the floor (nats, log)",
           title="Rate–distortion")
    ax.legend(fontsize=8)
    ax = axes[1]
    for column, colour in zip([f"R² {name}" for name in FACTORS] + ["MIG", "DCI D"],
                              ["#440154", "#cc4778", "#3b528b", "#2ca02c", "#ff7f0e"], strict=True):
        ax.plot(vaes["beta"], vaes[column], "o-", color=colour, label=column)
        ax.axhline(ae[column], color=colour, ls=":", lw=1)
    ax.set(xscale="log", xlabel="β", ylim=(0, 1.2), yticks=np.linspace(0, 1, 6),
           title="What the code holds (dotted: AE)")
    _beta_ticks(ax, vaes["beta"])
    ax.legend(fontsize=7, ncol=3, loc="upper center")
    ax = axes[2]
    ax.plot(vaes["beta"], vaes["valid samples"], "o-", color="#2ca02c", label="valid decoded samples")
    ax.axhline(ae["valid samples"], color="#2ca02c", ls=":", lw=1, label="AE (Gaussian fit)")
    ax.set(xscale="log", xlabel="β", ylabel="share", ylim=(0, 1.02), title="Active units and valid samples")
    _beta_ticks(ax, vaes["beta"])
    twin = ax.twinx()
    twin.plot(vaes["beta"], vaes["active units"], "s--", color="#7f7f7f", label="active units")
    twin.set(ylabel="active units", ylim=(0, int(table["active units"].max()) + 0.5))
    ax.legend(fontsize=8, loc="lower left")
    twin.legend(fontsize=8, loc="lower right")
    return fig



# ---------------------------------------------------------------- seeds: how much of the latent space is the seed's

#: Training seeds of the seed study: the notebook's seed and the next four.
SEED_COUNT = 5

SEEDS_FILE = RESULTS_DIR / "gaussian_heatmaps_seeds.json"

SEED_ALIGNMENT_FILE = RESULTS_DIR / "gaussian_heatmaps_seed_alignment.json"

#: The verdict's thresholds (:func:`identifiability_class`): a mean matched |ρ| or an R² of at least this
#: is "explained" by that family of maps.
EXPLAINED = 0.9

#: Paired VAE − AE differences over the seeds count as real below this two-sided p-value (paired t-test).
SEED_ALPHA = 0.05


def seed_list(seed: int, count: int = SEED_COUNT) -> list[int]:
    """The seed study's training seeds: ``seed`` (the notebook's) and the ``count − 1`` that follow."""
    return [seed + k for k in range(count)]


def seed_headlines(vae, ae, data: HeatmapData, seed: int, *, rotations: int, dci_rotations: int,
                   hole_samples: int, mixture_components: int) -> pd.DataFrame:
    """Study 2's headline numbers for one seed's VAE and AE, computed as the notebook computes them, in long form
    (columns model, number, value): the mean test Frobenius error (VAE decoding μ, and one sampled z), the
    linear probe's R² per factor, MIG, DCI (D, C, I), SAP, the percentiles of MIG, SAP and DCI-D among
    rotated copies of the codes (:func:`rotation_nulls`), and the share of valid decoded samples (VAE: prior;
    AE: a Gaussian and a ``mixture_components``-component mixture fitted to its codes, :func:`holes_table`)."""
    from helpers import probes, samplers

    x_train, x_test = data.x_train, data.x_test
    recon = reconstructions(vae, ae, x_test, seed)
    errors = {name: float(frobenius_errors(x_test, images).mean()) for name, images in recon.items()}
    rows = [("VAE", "test error", errors["VAE, mean z"]), ("VAE", "test error, sampled z", errors["VAE, sampled z"]),
            ("AE", "test error", errors["AE"])]
    codes = {"VAE": (model_io.encode_mean(vae, x_train), model_io.encode_mean(vae, x_test)),
             "AE": (model_io.encode_mean(ae, x_train), model_io.encode_mean(ae, x_test))}
    for name, (train_codes, test_codes) in codes.items():
        probe = probes.linear_probe_r2(train_codes, data.y_train, test_codes, data.y_test, FACTORS)
        rows += [(name, f"probe R² {factor}", float(r2)) for factor, r2 in probe.items()]
        scores = alignment_scores(train_codes, data.y_train, test_codes, data.y_test)
        rows += [(name, score, float(value)) for score, value in scores.items()]
        nulls = rotation_nulls(train_codes, data.y_train, test_codes, data.y_test, rotations, dci_rotations, seed)
        rows += [(name, f"{score} percentile", float(null.percentile)) for score, null in nulls.items()]
    prior_draws = samplers.sample_prior(DENSITY_DRAWS, vae.decoder.input_shape[-1], seed)  # as the notebook
    samples = latent_samples(prior_draws, codes["AE"][0], hole_samples, mixture_components, seed)
    references = {"VAE": recon["VAE, mean z"][:hole_samples], "AE": recon["AE"][:hole_samples]}
    holes = holes_table({"VAE": vae.decoder, "AE": ae.decoder}, samples, references, data.y_train)["valid"]
    rows += [("VAE", "valid samples", float(holes["VAE: prior N(0, I)"])),
             ("AE", "valid samples", float(holes["AE: Gaussian fit"])),
             ("AE", "valid samples, mixture", float(holes[f"AE: mixture of {mixture_components} Gaussians"]))]
    return pd.DataFrame(rows, columns=["model", "number", "value"])


def seed_alignment(codes: dict) -> pd.DataFrame:
    """Every ordered pair of seeds (a < b) for each model, scored by :func:`helpers.alignment.alignment_row`
    from seed a's codes to seed b's. ``codes``: {(model, seed): (train codes, test codes)}."""
    from helpers import alignment

    rows = []
    for (model, a), (other, b) in itertools.combinations(sorted(codes), 2):
        if model == other:
            (train_a, test_a), (train_b, test_b) = codes[(model, a)], codes[(model, b)]
            rows.append({"model": model, "seed a": a, "seed b": b,
                         **alignment.alignment_row(train_a, train_b, test_a, test_b)})
    return pd.DataFrame(rows)


def seed_study(data: HeatmapData, seeds, *, rotations: int, dci_rotations: int, hole_samples: int,
               mixture_components: int, force_retrain: bool = False,
               **training_settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The VAE and the AE of the notebook's configuration at every seed in ``seeds``, each loaded from the
    shipped weights or trained (:func:`train_or_load_models` with ``training_settings``; ``force_retrain``
    retrains every seed but the first, whose models the notebook has just loaded or trained), then measured:
    (headlines, alignment). headlines: :func:`seed_headlines` per seed plus the recorded training seconds and
    epochs (column seed added); alignment: :func:`seed_alignment` on the codes (VAE: posterior means)."""
    tables, codes = [], {}
    for seed in seeds:
        vae, ae, fits = train_or_load_models(data.x_train, seed=seed, force_retrain=force_retrain and seed != seeds[0],
                                             **training_settings)
        table = seed_headlines(vae, ae, data, seed, rotations=rotations, dci_rotations=dci_rotations,
                               hole_samples=hole_samples, mixture_components=mixture_components)
        fit_rows = [(kind.upper(), number, float(value)) for kind, fit in fits.items()
                    for number, value in (("train seconds", fit.train_seconds), ("epochs", fit.epochs_run))]
        tables.append(pd.concat([table, pd.DataFrame(fit_rows, columns=table.columns)]).assign(seed=seed))
        for name, model in (("VAE", vae), ("AE", ae)):
            codes[(name, seed)] = (model_io.encode_mean(model, data.x_train), model_io.encode_mean(model, data.x_test))
        print(f"seed {seed}: {fits['vae'].source} / {fits['ae'].source}", flush=True)
    return pd.concat(tables, ignore_index=True), seed_alignment(codes)


def seed_spread(headlines: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation (ddof = 1) over the seeds of every headline number, per model: one row per
    number, columns (model, "mean") and (model, "sd")."""
    spread = headlines.groupby(["number", "model"], sort=False)["value"].agg(["mean", "std"]).unstack("model")
    spread = spread.rename(columns={"std": "sd"}).swaplevel(axis=1)
    return spread[[(m, s) for m in ("VAE", "AE") for s in ("mean", "sd")
                   if (m, s) in spread.columns]]


def paired_seed_differences(headlines: pd.DataFrame, alpha: float = SEED_ALPHA) -> pd.DataFrame:
    """VAE − AE for every number both models have, paired by seed: the mean difference d̄, the standard
    deviation s_d of the per-seed differences, the seeds with VAE > AE, the paired t-test's two-sided p-value
    (t = d̄ / (s_d / √n), n − 1 degrees of freedom) and whether the difference survives the seed spread
    (p < ``alpha``)."""
    from scipy.stats import ttest_rel

    wide = headlines.pivot_table(index=["number", "seed"], columns="model", values="value").dropna()
    rows = {}
    for number, group in wide.groupby(level="number", sort=False):
        gaps = group["VAE"] - group["AE"]
        p = float(ttest_rel(group["VAE"], group["AE"]).pvalue) if gaps.std() > 0 else float(gaps.mean() == 0)
        rows[number] = {"VAE − AE": gaps.mean(), "sd": gaps.std(), "seeds VAE > AE": int((gaps > 0).sum()),
                        "seeds": len(gaps), "p-value": p, "survives": bool(p < alpha)}
    order = [n for n in headlines["number"].unique() if n in rows and n not in ("train seconds", "epochs")]
    types = {"VAE − AE": float, "sd": float, "seeds VAE > AE": int, "seeds": int, "p-value": float, "survives": bool}
    return pd.DataFrame(rows).T.loc[order].astype(types)


def alignment_summary(alignment: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over the seed pairs of every alignment statistic, per model."""
    stats = [c for c in alignment.columns if c not in ("model", "seed a", "seed b")]
    summary = alignment.groupby("model", sort=False)[stats].agg(["mean", "std"])
    return summary.rename(columns={"std": "sd"}, level=1)


def identifiability_class(row, threshold: float = EXPLAINED) -> str:
    """The narrowest family of maps that explains one model's seeds, from its mean statistics over seed pairs
    (a row of means): "permutation and sign" (matched |ρ| ≥ ``threshold``), else "affine" (affine R² ≥
    ``threshold``), else "smooth map" (k-NN R² ≥ ``threshold``), else "none of these"."""
    if row["matched |ρ| mean"] >= threshold:
        return "permutation and sign"
    if row["affine R²"] >= threshold:
        return "affine"
    if row["k-NN R²"] >= threshold:
        return "smooth map"
    return "none of these"


def seed_verdict(alignment: pd.DataFrame) -> dict:
    """{model: class} from :func:`identifiability_class`, and "prediction held": whether the VAE's seeds agree
    up to a permutation and sign flips and the AE's do not (Rolinek et al.'s prediction)."""
    means = alignment_summary(alignment).xs("mean", axis=1, level=1)
    classes = {model: identifiability_class(means.loc[model]) for model in means.index}
    held = classes.get("VAE") == "permutation and sign" and classes.get("AE") != "permutation and sign"
    return {**classes, "prediction held": held}


def seed_alignment_figure(factor, name_codes: dict, factor_name: str = "var_x"):
    """Codes of two seeds side by side, on the first two axes of the first seed, coloured by one factor: seed a,
    seed b as it is, seed b after the best permutation and sign flips, and seed b through the best affine map
    onto seed a (fitted on the training codes). ``name_codes``: {model: (train a, train b, test a, test b)}."""
    from helpers import alignment

    columns = ["seed a", "seed b, as trained", "seed b, permuted and flipped", "seed b, affine map"]
    fig, axes = plt.subplots(len(name_codes), 4, figsize=(13, 3.1 * len(name_codes)), squeeze=False)
    for row, (name, (train_a, train_b, test_a, test_b)) in enumerate(name_codes.items()):
        matching = alignment.axis_matching(test_a, test_b)
        panels = [test_a, test_b, alignment.apply_matching(test_b, matching),
                  alignment.affine_map(train_b, train_a)(test_b)]
        for ax, z, title in zip(axes[row], panels, columns, strict=True):
            ax.scatter(z[:, 0], z[:, 1], c=factor, s=2, cmap="viridis", rasterized=True)
            ax.set_title(f"{name}: {title}", fontsize=9)
            ax.set_xlabel("z₁")
            ax.set_ylabel("z₂")
    fig.suptitle(f"Test codes of two training seeds, coloured by {factor_name}", y=1.0)
    fig.tight_layout()
    return fig

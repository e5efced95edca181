"""The rules of notebook 02's parameters (``PARAMETERS``) and the constraints between them; light: importing it
does not load TensorFlow (it uses :mod:`helpers.heatmaps`, numpy only, to check which images a subset keeps)."""

from __future__ import annotations

import numpy as np

from helpers.heatmaps import factor_grid, kept_rows, split_rows
from helpers.validation import SEED, Choice, Constraint, Flag, Integer, Real, Rules, Subset, at_most, within_subset
from helpers.retraining import Retrains

#: The isovariance spline (:func:`isovariance_path`) is a cubic through one code
#: per variance level, so it needs isovariance images (var_x = var_y) at this many levels.
ISOVARIANCE_LEVELS = 4

#: Notebook 02 prints the spacing of the isovariance test codes: a nearest-neighbour distance needs two.
TEST_ISOVARIANCE_IMAGES = 2

#: Test images shown as reconstruction pairs: ``min(PAIRS_SHOWN, sample_images)`` distinct ones.
PAIRS_SHOWN = 8


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


def _reconstruction_pairs_fit(test_subset: int, sample_images: int) -> str | None:
    shown = min(PAIRS_SHOWN, sample_images)
    if test_subset and test_subset < shown:
        return (f"the reconstruction pairs show min({PAIRS_SHOWN}, sample_images) = {shown} distinct test images: "
                f"use test_subset >= {shown} or 0 (all)")
    return None


#: The sample grids draw ``sample_images`` distinct images from the kept training images (study 3 too).
SAMPLE_GRID = within_subset("sample grid", "train_subset", "sample_images",
                            "the sample grid shows sample_images distinct training images")

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
    "config": Choice(("fast", "lean", "original")),  # named architecture + optimiser (helpers.conv_models.CONFIGS)
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

_SHIPPED_DATA = {"seed": (19, 20, 21, 22, 23), "epochs": 20, "patience": 4, "train_subset": 0, "test_subset": 0}
_ORIGINAL_DATA = {"seed": 19, "epochs": 40, "patience": 4, "train_subset": 0, "test_subset": 0}

#: The two models and the parameters that feed their cache keys, with the settings of the shipped weights: the
#: default configuration at the five seeds of the seed study, and the original study's configuration and loss.
RETRAINS = (
    Retrains("the VAE", "heatmap_vae_fast", (
        {"config": "fast", "vae_loss": "standard", "beta": 0.33, **_SHIPPED_DATA},
        {"config": "original", "vae_loss": "original", "beta": 1.0, **_ORIGINAL_DATA})),
    Retrains("the AE", "heatmap_ae_fast",
             ({"config": "fast", **_SHIPPED_DATA}, {"config": "original", **_ORIGINAL_DATA})),
)

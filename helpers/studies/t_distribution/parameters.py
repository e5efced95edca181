"""The rules of notebook 03's parameters (``PARAMETERS``) and the KNN probe's grid they must allow for; light:
importing it does not load TensorFlow."""

from __future__ import annotations

import math

from helpers.validation import SEED, Choice, Flag, Integer, Real, Rules, Subset, within_subset
from helpers.retraining import Retrains

#: The KNN probe's grid of k and its number of cross-validation folds.
KNN_K_VALUES = range(3, 25)

KNN_FOLDS = 5


#: The sample grids draw ``sample_images`` distinct images from the kept training images.
SAMPLE_GRID = within_subset("sample grid", "train_subset", "sample_images",
                            "the sample grid shows sample_images distinct training images")


def knn_train_minimum(neighbours: int = max(KNN_K_VALUES), folds: int = KNN_FOLDS) -> int:
    """Fewest training codes for which every cross-validation fold trains on >= ``neighbours`` codes
    (the largest of ``folds`` stratified test folds holds ceil(n / folds) codes), so that every k up to
    max(k) can be scored: the limit of GridSearchCV, which ``probes.knn_probe`` falls back to where its
    one-search-per-fold shortcut lacks the neighbour past the largest k."""
    n = neighbours
    while n - math.ceil(n / folds) < neighbours:
        n += 1
    return n


#: The same rules as notebook 02's for the parameters the two notebooks share (the KNN probe needs more training
#: images), plus the repeats.
PARAMETERS = Rules({
    "seed": SEED,
    "config": Choice(("fast", "lean", "original")),  # named architecture + optimiser (helpers.conv_models.CONFIGS)
    "beta": Real(0.0, 100.0),
    "epochs": Integer(1, 500),
    "patience": Integer(1, 100),
    "sample_images": Integer(4, 64),
    "plotted_points": Integer(100, 11_875),
    "force_retrain": Flag(),
    # every cross-validation fold must train on >= max k + 1 (25) codes: 32 with 5 folds. The first 30 training
    # images hold 11 that are ν = 200 and 14 that are ν = 2 whatever the seed (s² < 20 or > 30 in the ν rule),
    # so the stratified folds (>= 5 of each class) and the logistic probe (both classes) always work
    "train_subset": Subset(knn_train_minimum(), 9_500),
    # >= 3: the three principal spreads of the test codes (and their nearest-neighbour spacing); the first 3
    # test images hold one sure ν = 200 and one sure ν = 2 image whatever the seed, so F1 is always defined
    "test_subset": Subset(3, 2_375),
    "repeats": Integer(2, 20),
    "recompute_repeats": Flag(),
    "recompute_error_check": Flag(),
}, constraints=(SAMPLE_GRID,))

_SHIPPED = {"seed": 19, "config": "lean", "epochs": 12, "patience": 3, "train_subset": 0, "test_subset": 0}

#: The two models and the parameters that feed their cache keys, with the settings of the shipped weights.
RETRAINS = (
    Retrains("the VAE", "t_heatmap_vae_lean", ({**_SHIPPED, "beta": 0.33},)),
    Retrains("the AE", "t_heatmap_ae_lean", (_SHIPPED,)),
)

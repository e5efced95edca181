"""Why the reconstruction errors of study 3 are larger than study 2's: the candidate causes that can be measured on
this study's own test images and models, with no extra training.

* data scale: the Frobenius error ‖x̂ − x‖_F grows with the size of the images, so compare the images' norms ‖x‖_F
  with those of the Gaussian images of the same factors (study 2's data), :func:`image_norms`;
* heavier tails: compare the errors on the ν = 2 and ν = 200 test images, :func:`error_by_tails`;
* the training recipe: train this notebook's AE recipe on study 2's Gaussian images and measure its error beside
  study 2's own AE (:func:`recipe_check`; it trains, so its table ships in :data:`RECIPE_CHECK_FILE`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import heatmaps, verdicts
from helpers.locations import RESULTS_DIR

#: The shipped table of :func:`recipe_check` (``make weights`` writes it; the notebook reads it).
RECIPE_CHECK_FILE = RESULTS_DIR / "t_distribution_recipe_check.json"

#: Study 2's training recipe (its notebook's defaults): configuration, most epochs, patience.
STUDY_2_RECIPE = {"config": "fast", "epochs": 20, "patience": 4}


def image_norms(t_images: np.ndarray, factors: np.ndarray) -> tuple[pd.DataFrame, verdicts.Verdict]:
    """Mean Frobenius norm ‖x‖_F (± its standard error sd/√n) of the t images and of the Gaussian images of the
    same factors (v_x, v_y, ρ) on the same grid, and the verdict of :func:`helpers.verdicts.difference` on
    t − Gaussian: are the t images larger?"""
    gaussian = heatmaps.gaussian_heatmaps(np.asarray(factors)[:, :3])
    rows = {}
    for name, images in (("t images", t_images), ("Gaussian images, same factors", gaussian)):
        norm = np.linalg.norm(np.asarray(images, np.float64).reshape(len(images), -1), axis=1)
        rows[name] = {"mean norm": norm.mean(), "se": norm.std(ddof=1) / np.sqrt(len(norm))}
    (t_row, g_row) = rows.values()
    verdict = verdicts.difference(t_row["mean norm"], t_row["se"], g_row["mean norm"], g_row["se"],
                                  words=("larger", "smaller", "no different"))
    return pd.DataFrame(rows).T, verdict


def error_by_tails(errors: dict, heavy: np.ndarray) -> tuple[pd.DataFrame, dict]:
    """Per model: the mean error (± its standard error sd/√n) on the ν = 2 and on the ν = 200 test images, and
    the verdict of :func:`helpers.verdicts.difference` on (ν = 2) − (ν = 200): do heavy tails cost more?"""
    heavy = np.asarray(heavy, bool)
    rows, found = {}, {}
    for name, e in errors.items():
        parts = {label: (e[mask].mean(), e[mask].std(ddof=1) / np.sqrt(mask.sum()))
                 for label, mask in (("ν = 2", heavy), ("ν = 200", ~heavy))}
        found[name] = verdicts.difference(*parts["ν = 2"], *parts["ν = 200"],
                                          words=("larger on ν = 2", "smaller on ν = 2", "no different"))
        rows[name] = {"mean error, ν = 2": parts["ν = 2"][0], "se, ν = 2": parts["ν = 2"][1],
                      "mean error, ν = 200": parts["ν = 200"][0], "se, ν = 200": parts["ν = 200"][1],
                      "verdict": found[name].words}
    return pd.DataFrame(rows).T.infer_objects(), found


def frobenius_error(images: np.ndarray, reconstructions: np.ndarray) -> float:
    """Mean over images of the Frobenius norm ‖x̂ − x‖_F (the reconstruction error of both heatmap studies)."""
    difference = np.asarray(reconstructions, np.float64) - np.asarray(images, np.float64)
    return float(np.linalg.norm(difference.reshape(len(difference), -1), axis=1).mean())


def recipe_check(seed: int, config: str, epochs: int, patience: int, train_subset: int = 0,
                 test_subset: int = 0) -> pd.DataFrame:
    """Mean test Frobenius error of the AE trained on study 2's Gaussian images with two recipes: study 2's own
    (:data:`STUDY_2_RECIPE`; loaded from its shipped weights at the default settings) and this notebook's
    (``config``, ``epochs``, ``patience``; trained into the local cache, not shipped). With this notebook's AE on
    the t images (same recipe, other data), the three errors separate the data from the recipe. One row per
    recipe: data, configuration, epochs run, mean error."""
    from helpers import conv_models, training
    from helpers.inference import decode, encode_mean

    data = heatmaps.load_heatmaps(train_subset, test_subset)
    rows = []
    for recipe, store in ((STUDY_2_RECIPE, training.WeightStore.default()),
                          ({"config": config, "epochs": epochs, "patience": patience}, training.WeightStore.local())):
        ae, fit = conv_models.train_or_load_conv(
            "ae", data.x_train, seed=seed, data_settings={"train_subset": train_subset, "test_subset": test_subset},
            store=store, **recipe)
        error = frobenius_error(data.x_test, decode(ae.decoder, encode_mean(ae, data.x_test)))
        rows.append({"data": "Gaussian images (study 2)", "config": recipe["config"], "most epochs": recipe["epochs"],
                     "epochs run": fit.epochs_run, "mean error": float(error)})
    return pd.DataFrame(rows).assign(**{"one run's sd": study_2_error_spread()})


def study_2_error_spread(path=RESULTS_DIR / "gaussian_heatmaps_seeds.json") -> float:
    """Standard deviation (ddof = 1) over seeds of the mean test error of study 2's AE, from study 2's shipped
    five-seed table: how much one training run's mean error scatters, for the verdicts of :func:`recipe_verdicts`."""
    rows = pd.DataFrame(json.loads(Path(path).read_text())["rows"])
    errors = rows[(rows["model"] == "AE") & (rows["number"] == "test error")]["value"]
    return float(errors.std(ddof=1))


def recipe_verdicts(check: pd.DataFrame, t_error: float) -> dict:
    """The two comparisons :func:`recipe_check` was built for, each of two single runs with ``one run's sd`` as
    their spread (:func:`helpers.verdicts.difference`): the recipe (this notebook's vs study 2's, both on Gaussian
    images) and the data (t images vs Gaussian images, both with this notebook's recipe, ``t_error``)."""
    sd = float(check["one run's sd"].iloc[0])
    study_2, here = (float(check["mean error"].iloc[i]) for i in (0, 1))
    return {"recipe": verdicts.difference(here, sd, study_2, sd, words=("raises", "lowers", "does not change")),
            "data": verdicts.difference(t_error, sd, here, sd, words=("raise", "lower", "do not change"))}

"""The rules of notebook 01's parameters (``PARAMETERS``); light: importing it does not load TensorFlow."""

from __future__ import annotations

import numpy as np

from helpers.studies.cone_distortion.cone_points import class_sizes
from helpers.validation import ACTIVATIONS, OPTIMIZERS, SEED, Choice, Constraint, Flag, Integer, Real, Rules
from helpers.retraining import Retrains


def _plotted_points_fit(seed: int, n_points: int, plotted_points_per_class: int) -> str | None:
    lower = class_sizes(seed, n_points)["lower"]
    if plotted_points_per_class > lower:
        needed = int(np.ceil(plotted_points_per_class * n_points / max(lower, 1)))
        return (f"the lower class (the tip, about 4.5 % of the points) keeps only {lower} points, so the scatter "
                f"plots cannot show plotted_points_per_class of each class: use plotted_points_per_class <= {lower}, "
                f"or n_points of about {needed} or more")
    return None


PARAMETERS = Rules({
    "seed": SEED,
    "n_points": Integer(1_000, 1_000_000),
    "latent_dim": Choice((2,)),  # the latent plane, grid and heatmap figures need 2-D codes
    "hidden_units": Integer(2, 512),
    "activation": ACTIVATIONS,
    "beta": Real(0.0, 100.0),
    "decoder_scale": Real(0.0, 10.0, low_inclusive=False),
    "optimizer": OPTIMIZERS,
    "learning_rate": Real(0.0, 1.0, low_inclusive=False),
    "epochs": Integer(1, 1_000),
    "batch_size": Integer(1, 65_536),
    "steps_per_execution": Integer(1, 1_024),
    "grid_points_per_axis": Integer(10, 400),
    "line_points": Integer(2, 10_000),
    "plotted_points_per_class": Integer(10, 20_000),
    "geodesic_points": Integer(3, 1_000),
    "geodesic_iterations": Integer(1, 100_000),
    "geodesic_init": Choice(("graph", "line")),
    "surface_mesh_points": Integer(21, 1_001),
    "force_retrain": Flag(),
}, constraints=(Constraint("plotted points", ("seed", "n_points", "plotted_points_per_class"), _plotted_points_fit),))

#: The one model and the parameters that feed its cache key, with the values its shipped weights were trained with.
RETRAINS = (
    Retrains("the β-VAE", "cone_vae", ({"seed": 0, "n_points": 100_000, "latent_dim": 2, "hidden_units": 20,
                                        "activation": "softplus", "beta": 1.0, "decoder_scale": 0.1,
                                        "optimizer": "rmsprop", "learning_rate": 2e-3, "epochs": 50,
                                        "batch_size": 256},)),
)

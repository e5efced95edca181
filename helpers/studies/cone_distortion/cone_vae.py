"""The study's one model, a 2-D-latent β-VAE (an MLP, :func:`helpers.models.build_mlp_vae`), and its one
entry to training, :func:`train_or_load_vae`."""

from __future__ import annotations

import numpy as np

from helpers import models, training


def train_or_load_vae(points: np.ndarray, *, seed: int, n_points: int, latent_dim: int, hidden_units: int,
                      activation: str, beta: float, decoder_scale: float, optimizer: str, learning_rate: float,
                      epochs: int, batch_size: int, steps_per_execution: int, force_retrain: bool = False):
    """The study's one entry to training: build the β-VAE (an MLP with two hidden layers of ``hidden_units``,
    softplus posterior variances, a Gaussian decoder of fixed scale ``decoder_scale``), then load its
    weights from the cache or train it. The cache key is read from the model itself plus the data's
    ``n_points``. Returns ``(vae, FitResult)``."""
    training.set_seed(seed)  # the initial weights, if it trains
    vae = models.build_mlp_vae(input_dim=points.shape[1], latent_dim=latent_dim,
                               hidden_units=(hidden_units, hidden_units), activation=activation,
                               variance="softplus", beta=beta, decoder_scale=decoder_scale, seed=seed)
    vae.compile(optimizer=models.make_optimizer(optimizer, learning_rate), steps_per_execution=steps_per_execution)
    fit = training.fit_or_load(vae, points, name="cone_vae", settings={"study": "cone", "n_points": n_points},
                               epochs=epochs, batch_size=batch_size, seed=seed, force_retrain=force_retrain)
    return vae, fit


def study_vae():
    """The notebook's model with its default parameters (the shipped weights: nothing trains) and its data, for
    the assignment and other code that needs "the study's decoder". Returns ``(vae, ConePoints)``."""
    from helpers.notebook_parameters import notebook_defaults
    from helpers.studies.cone_distortion import cone_points

    p = notebook_defaults("01_cone_distortion")
    data = cone_points.make_cone_points(p["n_points"], training.set_seed(p["seed"]))
    training_keys = ("seed", "n_points", "latent_dim", "hidden_units", "activation", "beta", "decoder_scale",
                     "optimizer", "learning_rate", "epochs", "batch_size", "steps_per_execution")
    vae, _ = train_or_load_vae(data.points, **{key: p[key] for key in training_keys})
    return vae, data

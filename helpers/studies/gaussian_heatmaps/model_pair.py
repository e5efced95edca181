"""The study's one entry to training, :func:`train_or_load_vae_and_ae`: the convolutional VAE and AE of one
configuration (:mod:`helpers.conv_models`)."""

from __future__ import annotations

from helpers.conv_models import train_or_load_conv


def train_or_load_vae_and_ae(x_train, **kwargs):
    """The study's one entry to training: the VAE and the AE of one configuration, each loaded from the
    weight cache or trained (:func:`train_or_load_conv`). Returns ``(vae, ae, {"vae": FitResult, "ae": …})``."""
    vae, vae_fit = train_or_load_conv("vae", x_train, **kwargs)
    ae, ae_fit = train_or_load_conv("ae", x_train, **kwargs)
    return vae, ae, {"vae": vae_fit, "ae": ae_fit}


def study_vae():
    """The notebook's VAE with its default parameters (the shipped weights: nothing trains) and the data, for the
    assignment and other code that needs "the study's VAE". Returns ``(vae, HeatmapData)``."""
    from helpers.heatmaps import load_heatmaps
    from helpers.notebook_parameters import notebook_defaults

    p = notebook_defaults("02_gaussian_heatmaps")
    data = load_heatmaps(p["train_subset"], p["test_subset"])
    vae, _ = train_or_load_conv("vae", data.x_train, config=p["config"], seed=p["seed"], epochs=p["epochs"],
                                patience=p["patience"], beta=p["beta"], vae_loss=p["vae_loss"],
                                data_settings={"train_subset": p["train_subset"], "test_subset": p["test_subset"]})
    return vae, data

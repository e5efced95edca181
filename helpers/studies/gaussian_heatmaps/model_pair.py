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

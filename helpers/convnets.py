"""Convolutional VAE and AE of the heatmap studies, built from a named configuration.

A configuration fixes the architecture and the optimiser; :data:`CONFIGS` holds

* ``"original"`` — the original study's network as is: Conv 32 → [Conv + MaxPool] 64 / 128 / 64 → Dense 64 →
  latent; decoder Dense 1024 → 4×4×64 → ConvT 64 (stride 1), 64 (stride 3), 32 (stride 3) →
  ConvT 1 sigmoid; Adam with ExponentialDecay(1e-3, 30, 0.99), batch 64.
* ``"lean"`` — the default: the same layout with narrower encoder convolutions (16 → 32 / 64 / 64),
  which carry almost all of the original study's FLOPs (the 36×36 and 18×18 convolutions), batch 128 and a
  matching schedule. ``make bench`` measures both side by side.

The VAE and the AE share the encoder trunk and the decoder; the VAE's encoder ends in two heads
(μ, log σ²), the AE's in one (z).
"""

from __future__ import annotations  # noqa: I001  (helpers.env must precede keras)

from dataclasses import asdict, dataclass

import numpy as np

import helpers.env  # noqa: F401
import keras
from keras import layers

from helpers.models import VAE, Autoencoder, make_optimizer

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
    decay_steps: int                 # ExponentialDecay(learning_rate, decay_steps, decay_rate)
    decay_rate: float

    def settings(self) -> dict:
        """Everything that identifies this configuration, for the weight cache key."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


CONFIGS = {
    "original": ConvConfig(32, (64, 128, 64), 64, (4, 4, 64), ((64, 1), (64, 3), (32, 3)),
                       batch_size=64, learning_rate=1e-3, decay_steps=30, decay_rate=0.99),
    "lean": ConvConfig(16, (32, 64, 64), 64, (4, 4, 64), ((64, 1), (64, 3), (32, 3)),
                       batch_size=128, learning_rate=2e-3, decay_steps=15, decay_rate=0.99),
}


def get_config(name: str) -> ConvConfig:
    if name not in CONFIGS:
        raise ValueError(f"config must be one of {list(CONFIGS)}, got {name!r}")
    return CONFIGS[name]


def _trunk(config: ConvConfig, x):
    x = layers.Conv2D(config.stem_filters, 3, padding="same", activation="relu", name="stem")(x)
    for i, filters in enumerate(config.block_filters):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{i}_conv")(x)
        x = layers.MaxPooling2D(2, name=f"block{i}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    return layers.Dense(config.dense_units, activation="relu", name="dense")(x)


def build_encoder(config: ConvConfig, latent_dim: int = 3, variational: bool = True) -> keras.Model:
    """Image → [μ, log σ²] (variational) or image → z."""
    x_in = keras.Input(IMAGE_SHAPE, name="image")
    h = _trunk(config, x_in)
    if variational:
        outputs = [layers.Dense(latent_dim, name="z_mean")(h), layers.Dense(latent_dim, name="z_log_var")(h)]
    else:
        outputs = layers.Dense(latent_dim, name="z")(h)
    return keras.Model(x_in, outputs, name="encoder")


def build_decoder(config: ConvConfig, latent_dim: int = 3) -> keras.Model:
    """z → 36×36×1 image in (0, 1)."""
    z_in = keras.Input((latent_dim,), name="z")
    h, w, c = config.decoder_start
    x = layers.Dense(h * w * c, activation="relu", name="dense")(z_in)
    x = layers.Reshape((h, w, c), name="reshape")(x)
    for i, (filters, stride) in enumerate(config.decoder_layers):
        x = layers.Conv2DTranspose(filters, 3, strides=stride, padding="same", activation="relu",
                                   name=f"deconv{i}")(x)
    x_out = layers.Conv2DTranspose(1, 3, padding="same", activation="sigmoid", name="image")(x)
    return keras.Model(z_in, x_out, name="decoder")


def optimizer_for(config: ConvConfig):
    schedule = keras.optimizers.schedules.ExponentialDecay(
        config.learning_rate, config.decay_steps, config.decay_rate)
    return make_optimizer("adam", schedule)


def build_conv_vae(name: str = "lean", latent_dim: int = 3, beta: float = 1.0, loss: str = "standard",
                   seed: int | None = None) -> VAE:
    """A compiled convolutional VAE with a Bernoulli decoder (BCE summed over pixels)."""
    config = get_config(name)
    model = VAE(build_encoder(config, latent_dim, True), build_decoder(config, latent_dim), beta=beta,
                loss=loss, seed=seed, reconstruction="bernoulli", name=f"conv_vae_{name}")
    model.compile(optimizer=optimizer_for(config))
    return model


def build_conv_ae(name: str = "lean", latent_dim: int = 3) -> Autoencoder:
    """A compiled convolutional AE of the same architecture and reconstruction loss."""
    config = get_config(name)
    model = Autoencoder(build_encoder(config, latent_dim, False), build_decoder(config, latent_dim),
                        reconstruction="bernoulli", name=f"conv_ae_{name}")
    model.compile(optimizer=optimizer_for(config))
    return model


# ---------------------------------------------------------------- training with the weight cache

VALIDATION_FRACTION = 0.1


def validation_split(x: np.ndarray, seed: int, fraction: float = VALIDATION_FRACTION):
    """(x_fit, x_val, fit_index, val_index): a seeded hold-out carved from the training split, so
    early stopping never looks at the test images (the original study validated on its test set)."""
    order = np.random.default_rng(seed).permutation(len(x))
    n_val = max(1, int(round(fraction * len(x))))
    return x[order[n_val:]], x[order[:n_val]], order[n_val:], order[:n_val]


def train_heatmap_model(kind: str, x_train, *, config: str, seed: int, epochs: int, patience: int,
                        beta: float = 1.0, vae_loss: str = "standard", data_settings: dict | None = None,
                        force_retrain: bool = False, name_prefix: str = "heatmap", extra_callbacks=(),
                        folders=None):
    """Build, then fit-or-load one model (``kind`` "vae" or "ae") of a named configuration.

    Training stops when the validation loss has not improved for ``patience`` epochs (at most
    ``epochs``) and restores the best weights. ``extra_callbacks`` and ``folders`` go to
    ``fit_or_load`` (tests use them to insist on shipped weights). Returns ``(model, FitResult)``.
    """
    from helpers.training import fit_or_load, set_seed

    x_fit, x_val, _, _ = validation_split(x_train, seed)
    cfg = get_config(config)
    settings = {"study": "gaussian_heatmaps", "config": config, "architecture": cfg.settings(),
                "patience": patience, "validation_fraction": VALIDATION_FRACTION, **(data_settings or {}),
                "model": kind, **({"beta": beta, "loss": vae_loss} if kind == "vae" else {})}
    set_seed(seed)
    model = build_conv_vae(config, beta=beta, loss=vae_loss, seed=seed) if kind == "vae" else build_conv_ae(config)
    suffix = "" if kind == "ae" or vae_loss == "standard" else f"_{vae_loss}loss"
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    result = fit_or_load(
        model, x_fit, name=f"{name_prefix}_{kind}_{config}{suffix}", settings=settings, epochs=epochs,
        batch_size=cfg.batch_size, seed=seed, validation_data=(x_val, x_val), callbacks=[*extra_callbacks, stop],
        force_retrain=force_retrain, folders=folders)
    return model, result


def train_heatmap_models(x_train, **kwargs):
    """The VAE and the AE of one configuration: ``(vae, ae, {"vae": FitResult, "ae": FitResult})``."""
    vae, vae_fit = train_heatmap_model("vae", x_train, **kwargs)
    ae, ae_fit = train_heatmap_model("ae", x_train, **kwargs)
    return vae, ae, {"vae": vae_fit, "ae": ae_fit}

"""The convolutional VAE and AE of the heatmap images (studies 2 and 3; general layer: two studies share
them): named configurations of architecture and optimiser, the builders, the seeded validation hold-out, and
:func:`train_or_load_conv`, which builds one model and loads its weights or trains it with early stopping."""

from __future__ import annotations

from dataclasses import dataclass

import helpers.env  # noqa: F401  (TensorFlow's settings before keras loads)
import keras
import numpy as np

from helpers import models, training

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


def train_or_load_conv(kind: str, x_train, *, config: str, seed: int, epochs: int, patience: int,
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

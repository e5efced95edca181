"""The study's MNIST models and their training: the convolutional AE, VAE and linear-code AE, the digit
classifier behind the judge, the recipe that trains to quality (held-out images, early stopping, KL warm-up),
and one entry to training per model family (:func:`train_or_load_ae`, :func:`train_or_load_vae`,
:func:`train_or_load_linear_ae`, :func:`train_or_load_judge`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import helpers.env  # noqa: F401  (TensorFlow's settings before keras loads)
import keras
import numpy as np

from helpers import inference, models, training
from helpers.studies.tsne_mnist_interpolation.mnist_data import NOT_A_DIGIT, MnistData, non_digit_images

MNIST_SHAPE = (28, 28, 1)


def _conv_trunk(x):
    x = keras.layers.Conv2D(32, 3, padding="same", name="enc_conv32")(x)
    x = keras.layers.ELU(name="enc_elu32")(x)
    x = keras.layers.MaxPooling2D(2, padding="same", name="enc_pool1")(x)
    x = keras.layers.Conv2D(64, 3, padding="same", name="enc_conv64")(x)
    x = keras.layers.ELU(name="enc_elu64")(x)
    x = keras.layers.MaxPooling2D(2, padding="same", name="enc_pool2")(x)
    return keras.layers.Flatten(name="enc_flatten")(x)


def build_decoder(latent_dim: int, hidden_units: tuple[int, ...] = ()) -> keras.Model:
    """Latent code → 28×28×1 image in [0, 1] (the original study's mirrored decoder), with one Dense layer (ELU)
    per entry of ``hidden_units`` between the code and the decoder's first layer, in reverse order (the encoder's
    mirror: ``(512, 256)`` gives code → 256 → 512 → …)."""
    z = keras.Input((latent_dim,), name="z")
    x = z
    for i, width in reversed(list(enumerate(hidden_units, start=1))):
        x = keras.layers.ELU(name=f"dec_elu_hidden{i}")(keras.layers.Dense(width, name=f"dec_hidden{i}")(x))
    x = keras.layers.Dense(7 * 7 * 64, name="dec_dense")(x)
    x = keras.layers.ELU(name="dec_elu_dense")(x)
    x = keras.layers.Reshape((7, 7, 64), name="dec_reshape")(x)
    x = keras.layers.UpSampling2D(2, name="dec_up1")(x)
    x = keras.layers.Conv2D(32, 3, padding="same", name="dec_conv32")(x)
    x = keras.layers.ELU(name="dec_elu32")(x)
    x = keras.layers.UpSampling2D(2, name="dec_up2")(x)
    x = keras.layers.Conv2D(1, 3, padding="same", activation="sigmoid", name="dec_out")(x)
    return keras.Model(z, x, name="decoder")


def _encoder_features(x_in, hidden_units: tuple[int, ...]):
    h = _conv_trunk(x_in)
    for i, width in enumerate(hidden_units, start=1):
        h = keras.layers.ELU(name=f"enc_elu_hidden{i}")(keras.layers.Dense(width, name=f"enc_hidden{i}")(h))
    return h


def build_mnist_ae(latent_dim: int = 32, learning_rate: float = 1e-3, code: str = "elu",
                   hidden_units: tuple[int, ...] = ()) -> models.Autoencoder:
    """The original study's conv AE, compiled with Adam. ``code="elu"`` ends the encoder in an ELU as the original
    study did (codes ≥ −1); ``code="linear"`` leaves the code linear, like the VAE's μ head. ``hidden_units`` as in
    :func:`build_mnist_vae`."""
    if code not in ("elu", "linear"):
        raise ValueError(f"code must be 'elu' or 'linear', got {code!r}")
    x_in = keras.Input(MNIST_SHAPE, name="image")
    z = keras.layers.Dense(latent_dim, name="code")(_encoder_features(x_in, hidden_units))
    if code == "elu":
        z = keras.layers.ELU(name="code_elu")(z)
    encoder = keras.Model(x_in, z, name="encoder")
    model = models.Autoencoder(encoder, build_decoder(latent_dim, hidden_units), reconstruction="bernoulli",
                               name="mnist_ae")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


def build_mnist_vae(latent_dim: int = 32, beta: float = 1.0, learning_rate: float = 1e-3,
                    seed: int | None = None, kl_warmup_steps: int = 0,
                    hidden_units: tuple[int, ...] = ()) -> models.VAE:
    """The same architecture as a VAE (linear μ and log σ² heads), compiled with Adam; the KL weight warms up
    over ``kl_warmup_steps`` optimizer steps (:class:`helpers.models.VAE`). Each entry of ``hidden_units``
    puts a Dense layer of that width (ELU) between the convolutions and the code, and mirrored between the code and
    the decoder (``()``: the original study's layers)."""
    x_in = keras.Input(MNIST_SHAPE, name="image")
    h = _encoder_features(x_in, hidden_units)
    z_mean = keras.layers.Dense(latent_dim, name="z_mean")(h)
    z_log_var = keras.layers.Dense(latent_dim, name="z_log_var")(h)
    encoder = keras.Model(x_in, [z_mean, z_log_var], name="encoder")
    model = models.VAE(encoder, build_decoder(latent_dim, hidden_units), beta=beta, seed=seed,
                       reconstruction="bernoulli", kl_warmup_steps=kl_warmup_steps, name="mnist_vae")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


def build_digit_classifier(learning_rate: float = 1e-3, seed: int | None = None) -> models.PairedModel:
    """The judge of how digit-like an image is (its top softmax probability): a CNN with light augmentation
    while it trains (shifts of up to 2 pixels, rotations of up to 10°, zooms of up to 10 %; inactive at
    inference), Conv 32 → Conv 32 → pool → Conv 64 → Conv 64 → pool → Dense 128 → dropout ½ → softmax 10."""
    x_in = keras.Input(MNIST_SHAPE, name="image")
    x = keras.layers.RandomTranslation(2 / 28, 2 / 28, fill_mode="constant", seed=seed)(x_in)
    x = keras.layers.RandomRotation(10 / 360, fill_mode="constant", seed=seed)(x)
    x = keras.layers.RandomZoom(0.1, fill_mode="constant", seed=seed)(x)
    for filters in (32, 64):
        x = keras.layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
        x = keras.layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(128, activation="relu")(x)
    x = keras.layers.Dropout(0.5, seed=seed)(x)
    x = keras.layers.Dense(10, activation="softmax")(x)
    model = models.PairedModel(keras.Model(x_in, x, name="classifier_net"), loss="sparse_ce",
                               name="digit_classifier")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


def reconstruction_bce_per_image(model, x, eps: float = 1e-7) -> np.ndarray:
    """Per image, the binary cross-entropy summed over pixels (the models' own loss term), decoding the code
    (for a VAE its mean μ)."""
    x = np.asarray(x, dtype=np.float64)
    x_hat = np.clip(np.asarray(inference.reconstruct(model, x), dtype=np.float64), eps, 1 - eps)
    per_pixel = -(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat))
    return per_pixel.reshape(len(x), -1).sum(axis=1)


def reconstruction_bce(model, x, eps: float = 1e-7) -> float:
    """Mean over images of :func:`reconstruction_bce_per_image`."""
    return float(reconstruction_bce_per_image(model, x, eps).mean())


@dataclass(frozen=True)
class Recipe:
    """How a model is trained to quality rather than for a fixed number of epochs: the last
    ``validation_images`` training images are held out; the model trains on the rest for at most ``max_epochs``,
    and stops once its held-out loss (for a VAE the negative ELBO, −log p(x|z) + β·KL, at the full β) has not
    improved for ``patience`` epochs, keeping the best epoch's weights. A VAE's KL weight rises linearly from 0
    to β over its first ``kl_warmup_epochs`` epochs (:class:`helpers.models.VAE`), and stopping is not
    considered before the warm-up ends."""

    max_epochs: int
    patience: int
    validation_images: int
    kl_warmup_epochs: int = 0

    def split(self, x):
        """``(fitted part, held-out part)`` of the training images (or of an (images, labels) pair)."""
        if isinstance(x, tuple):
            parts = [self.split(item) for item in x]
            return tuple(p[0] for p in parts), tuple(p[1] for p in parts)
        return x[:-self.validation_images], x[-self.validation_images:]

    def warmup_steps(self, n_fitted: int, batch_size: int) -> int:
        """Optimizer steps in the warm-up: epochs × ⌈fitted images / batch size⌉."""
        return self.kl_warmup_epochs * math.ceil(n_fitted / batch_size)

    def callbacks(self, x_held_out, variational: bool) -> list:
        """Early stopping on ``val_loss`` (best weights restored; none when ``patience`` is 0: every epoch runs),
        and for a VAE the per-dimension KL of the held-out images after every epoch
        (:class:`helpers.training.KLPerDimension`)."""
        stop = [keras.callbacks.EarlyStopping(monitor="val_loss", patience=self.patience, restore_best_weights=True,
                                              start_from_epoch=self.kl_warmup_epochs if variational else 0)]
        return ([training.KLPerDimension(x_held_out)] if variational else []) + (stop if self.patience else [])

    def settings(self) -> dict:
        return {"max_epochs": self.max_epochs, "patience": self.patience,
                "validation_images": self.validation_images, "kl_warmup_epochs": self.kl_warmup_epochs}


def data_settings(data: MnistData) -> dict:
    return {"data": data.source, "n_train": len(data.x_train), "n_test": len(data.x_test)}


def _fit_fixed(model, x, watched, name: str, data: MnistData, *, epochs: int, seed: int, batch_size: int,
               force_retrain: bool):
    return training.fit_or_load(model, x, name=name, settings=data_settings(data), epochs=epochs,
                                batch_size=batch_size, seed=seed, validation_data=watched,
                                force_retrain=force_retrain)


def _fit_to_quality(model, x, name: str, data: MnistData, recipe: Recipe, *, seed: int, batch_size: int,
                    force_retrain: bool, variational: bool, store=None):
    fitted, held_out = recipe.split(x)
    return training.fit_or_load(model, fitted, name=name, settings={**data_settings(data), **recipe.settings()},
                                epochs=recipe.max_epochs, batch_size=batch_size, seed=seed,
                                validation_data=held_out if isinstance(held_out, tuple) else (held_out,),
                                callbacks=recipe.callbacks(held_out, variational), force_retrain=force_retrain,
                                store=store)


def train_or_load_ae(data: MnistData, *, latent_dim: int, seed: int, learning_rate: float, epochs: int,
                     batch_size: int, force_retrain: bool = False, name: str = "mnist_ae"):
    """The AE family's entry to training, as the original study trained it: its ELU-coded AE
    (:func:`build_mnist_ae`) for a fixed number of ``epochs`` on all training images (the test images only
    watched). The cache key is read from the model plus the data's source and sizes. Returns
    ``(model, FitResult)``."""
    training.set_seed(seed)  # the initial weights, if it trains
    model = build_mnist_ae(latent_dim, learning_rate)
    fit = _fit_fixed(model, data.x_train, (data.x_test,), name, data, epochs=epochs, seed=seed,
                     batch_size=batch_size, force_retrain=force_retrain)
    return model, fit


def train_or_load_vae(data: MnistData, recipe: Recipe, *, latent_dim: int, beta: float, seed: int,
                      learning_rate: float, batch_size: int, hidden_units: tuple[int, ...] = (),
                      force_retrain: bool = False,
                      name: str = "mnist_vae", store=None):
    """The VAE family's entry to training: a VAE of the study's architecture (:func:`build_mnist_vae`) trained to
    quality by ``recipe`` (:class:`Recipe`: KL warm-up, early stopping on the held-out ELBO). Returns
    ``(model, FitResult)``; the history has ``val_kl_dim_<j>`` for every latent dimension."""
    n_fitted = len(data.x_train) - recipe.validation_images
    training.set_seed(seed)
    model = build_mnist_vae(latent_dim, beta, learning_rate, seed=seed, hidden_units=tuple(hidden_units),
                            kl_warmup_steps=recipe.warmup_steps(n_fitted, batch_size))
    fit = _fit_to_quality(model, data.x_train, name, data, recipe, seed=seed, batch_size=batch_size,
                          force_retrain=force_retrain, variational=True, store=store)
    return model, fit


def train_or_load_linear_ae(data: MnistData, recipe: Recipe, *, latent_dim: int, seed: int, learning_rate: float,
                            batch_size: int, hidden_units: tuple[int, ...] = (), force_retrain: bool = False,
                            name: str = "mnist_ae_linear"):
    """The AE that compares equal to the VAE: the same architecture with a linear code (like the VAE's μ head)
    and the same recipe (early stopping on its held-out reconstruction loss; no KL, so no warm-up). Returns
    ``(model, FitResult)``."""
    training.set_seed(seed)
    model = build_mnist_ae(latent_dim, learning_rate, code="linear", hidden_units=tuple(hidden_units))
    fit = _fit_to_quality(model, data.x_train, name, data, recipe, seed=seed, batch_size=batch_size,
                          force_retrain=force_retrain, variational=False)
    return model, fit


#: Early-stopping patience of the judge (its held-out loss settles within a few epochs).
JUDGE_PATIENCE = 8


def judge_training_data(data: MnistData, n_outliers: int, seed: int):
    """The judge's (images, labels): the training digits followed by ``n_outliers`` :func:`non_digit_images`
    labelled :data:`NOT_A_DIGIT`, interleaved so that a :class:`Recipe`'s held-out tail holds both in the same
    proportion."""
    outliers = non_digit_images(n_outliers, np.random.default_rng(seed))
    x = np.concatenate([data.x_train, outliers])
    y = np.concatenate([data.y_train, np.full(n_outliers, NOT_A_DIGIT, np.int64)])
    order = np.argsort(np.concatenate([np.linspace(0, 1, len(data.x_train)), np.linspace(0, 1, n_outliers)]),
                       kind="stable")
    return x[order], y[order]


def train_or_load_judge(data: MnistData, recipe: Recipe, *, seed: int, learning_rate: float, batch_size: int,
                        n_outliers: int = 1000, force_retrain: bool = False):
    """The judge's entry to training: :func:`build_digit_classifier` trained by ``recipe`` (early stopping on the
    held-out loss) on the training digits and ``n_outliers`` non-digit images it must be unsure about
    (:func:`judge_training_data`, :func:`helpers.models.sparse_ce_with_outliers`). Returns ``(model, FitResult)``."""
    training.set_seed(seed)
    model = build_digit_classifier(learning_rate, seed=seed)
    x, y = judge_training_data(data, n_outliers, seed)
    fit = _fit_to_quality(model, (x, y), "mnist_judge", data, recipe, seed=seed, batch_size=batch_size,
                          force_retrain=force_retrain, variational=False)
    return model, fit

"""Study 4's models: the original study's convolutional MNIST autoencoder, a VAE of the same architecture,
a small digit classifier (the "digit-likeness" judge) and a trainer for (input, target) pairs.

Architecture (as in the original study)::

    encoder  28×28×1 → Conv 32 (3×3, same) ELU → MaxPool 2 → Conv 64 ELU → MaxPool 2 → Flatten → Dense d
    decoder  d → Dense 7·7·64 ELU → Reshape → UpSample 2 → Conv 32 ELU → UpSample 2 → Conv 1 sigmoid

The AE's code is ``ELU(Dense d)`` as in the original study. The VAE keeps every layer but replaces that last
Dense by two linear heads, the mean μ and the log-variance log σ²: an ELU would forbid codes below
−1, which the N(0, I) prior puts mass on. Both reconstruct with the Bernoulli likelihood (binary
cross-entropy summed over the 784 pixels), so their reconstruction losses are comparable.
"""

from __future__ import annotations

import helpers.env  # noqa: F401  (TF environment before the imports below)

# isort: split
import keras
from keras import layers

from helpers.models import VAE, Autoencoder, PairedModel

IMAGE_SHAPE = (28, 28, 1)


def _conv_trunk(x):
    x = layers.Conv2D(32, 3, padding="same", name="enc_conv32")(x)
    x = layers.ELU(name="enc_elu32")(x)
    x = layers.MaxPooling2D(2, padding="same", name="enc_pool1")(x)
    x = layers.Conv2D(64, 3, padding="same", name="enc_conv64")(x)
    x = layers.ELU(name="enc_elu64")(x)
    x = layers.MaxPooling2D(2, padding="same", name="enc_pool2")(x)
    return layers.Flatten(name="enc_flatten")(x)


def build_decoder(latent_dim: int) -> keras.Model:
    """Latent code → 28×28×1 image in [0, 1] (the original study's mirrored decoder)."""
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(7 * 7 * 64, name="dec_dense")(z)
    x = layers.ELU(name="dec_elu_dense")(x)
    x = layers.Reshape((7, 7, 64), name="dec_reshape")(x)
    x = layers.UpSampling2D(2, name="dec_up1")(x)
    x = layers.Conv2D(32, 3, padding="same", name="dec_conv32")(x)
    x = layers.ELU(name="dec_elu32")(x)
    x = layers.UpSampling2D(2, name="dec_up2")(x)
    x = layers.Conv2D(1, 3, padding="same", activation="sigmoid", name="dec_out")(x)
    return keras.Model(z, x, name="decoder")


def build_mnist_ae(latent_dim: int = 32, learning_rate: float = 1e-3) -> Autoencoder:
    """The original study's conv AE (ELU code), compiled with Adam."""
    x_in = keras.Input(IMAGE_SHAPE, name="image")
    z = layers.ELU(name="code_elu")(layers.Dense(latent_dim, name="code")(_conv_trunk(x_in)))
    encoder = keras.Model(x_in, z, name="encoder")
    model = Autoencoder(encoder, build_decoder(latent_dim), reconstruction="bernoulli", name="mnist_ae")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


def build_mnist_vae(latent_dim: int = 32, beta: float = 1.0, learning_rate: float = 1e-3,
                    seed: int | None = None) -> VAE:
    """The same architecture as a VAE (linear μ and log σ² heads), compiled with Adam."""
    x_in = keras.Input(IMAGE_SHAPE, name="image")
    h = _conv_trunk(x_in)
    z_mean = layers.Dense(latent_dim, name="z_mean")(h)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(h)
    encoder = keras.Model(x_in, [z_mean, z_log_var], name="encoder")
    model = VAE(encoder, build_decoder(latent_dim), beta=beta, seed=seed, reconstruction="bernoulli",
                name="mnist_vae")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


def build_digit_classifier(learning_rate: float = 1e-3) -> PairedModel:
    """A small CNN (Conv 16 → pool → Conv 32 → pool → Dense 64 → softmax 10): the judge of how
    digit-like an image is (its top softmax probability)."""
    x_in = keras.Input(IMAGE_SHAPE, name="image")
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(x_in)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(32, 3, activation="relu", padding="same")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dense(10, activation="softmax")(x)
    model = PairedModel(keras.Model(x_in, x, name="classifier_net"), loss="sparse_ce", name="digit_classifier")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


def reconstruction_bce(model, x, eps: float = 1e-7) -> float:
    """Mean over images of the binary cross-entropy summed over pixels (the models' own loss term)."""
    import numpy as np

    x = np.asarray(x, dtype=np.float64)
    from helpers.model_io import reconstruct

    x_hat = np.clip(np.asarray(reconstruct(model, x), dtype=np.float64), eps, 1 - eps)
    per_pixel = -(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat))
    return float(per_pixel.reshape(len(x), -1).sum(axis=1).mean())


def sample_like_codes(codes, n: int, rng):
    """``n`` points from the Gaussian with the mean and covariance of ``codes`` (float32)."""
    import numpy as np

    codes = np.asarray(codes, dtype=np.float64)
    samples = rng.multivariate_normal(codes.mean(axis=0), np.cov(codes, rowvar=False), size=n)
    return samples.astype(np.float32)

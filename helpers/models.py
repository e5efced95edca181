"""Layers and models: the sampling layer, VAE and AE as ``keras.Model`` subclasses, and ``PairedModel``
(a network trained on (input, target) pairs: study 4's digit classifier and shapes colouring).

Notation. The encoder maps x to the mean μ(x) and the log-variance log σ²(x) of a
diagonal Gaussian q(z|x). The VAE minimises, per example,

    L(x) = −E_q[log p(x|z)] + β · KL(q(z|x) ‖ N(0, I)),

    KL = −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²)          (summed over latent dims),

with one reparameterised draw z = μ + σ·ε, ε ~ N(0, I). Two decoders p(x|z):

* ``"gaussian"`` with a fixed scale s: −log p = Σ_i [ (x_i − x̂_i)² / (2s²) + log s + ½ log 2π ]
* ``"bernoulli"`` (pixel intensities in [0, 1]): −log p = Σ_i BCE(x_i, x̂_i)

The AE minimises the same reconstruction term of its deterministic code.
Everything here is registered serialisable, so ``model.save`` / ``keras.models.load_model``
round-trips with the default ``safe_mode=True`` (there are no ``Lambda`` layers).
"""

from __future__ import annotations

import math

import helpers.env  # noqa: F401  (TF environment before the import below)
import keras
import tensorflow as tf
from keras import layers, ops

PACKAGE = "vae_notebooks"
RECONSTRUCTIONS = ("gaussian", "bernoulli")
LOSS_VARIANTS = ("standard", "original")


@keras.saving.register_keras_serializable(package=PACKAGE)
class Sampling(layers.Layer):
    """Reparameterised draw z = μ + exp(½ log σ²) · ε with ε ~ N(0, I).

    Owns a ``SeedGenerator`` so draws are reproducible for a given ``seed``.
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package=PACKAGE)
class SoftplusLogVariance(layers.Layer):
    """Maps a pre-activation a to log σ² with σ² = softplus(a) + ε.

    The cone study parameterises the variance itself by a softplus (as its seed did);
    expressing it as a log-variance lets one VAE class serve every study.
    """

    def __init__(self, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def call(self, inputs):
        return ops.log(ops.softplus(inputs) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


def kl_divergence(z_mean, z_log_var):
    """KL(N(μ, diag σ²) ‖ N(0, I)) per example, summed over latent dimensions."""
    return -0.5 * ops.sum(1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)


def gaussian_nll(x, x_hat, scale):
    """−log N(x | x̂, s² I) per example, summed over all non-batch axes."""
    per_element = 0.5 * ops.square((x - x_hat) / scale) + math.log(scale) + 0.5 * math.log(2 * math.pi)
    return ops.sum(ops.reshape(per_element, (ops.shape(x)[0], -1)), axis=-1)


def bernoulli_nll(x, x_hat, eps=1e-7):
    """Binary cross-entropy per example, summed over all non-batch axes."""
    x_hat = ops.clip(x_hat, eps, 1.0 - eps)
    per_element = -(x * ops.log(x_hat) + (1.0 - x) * ops.log(1.0 - x_hat))
    return ops.sum(ops.reshape(per_element, (ops.shape(x)[0], -1)), axis=-1)


def reconstruction_nll(x, x_hat, reconstruction, decoder_scale):
    """Dispatch to the chosen decoder likelihood."""
    if reconstruction == "gaussian":
        return gaussian_nll(x, x_hat, decoder_scale)
    return bernoulli_nll(x, x_hat)


def _check_choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")


class _AutoencoderBase(keras.Model):
    """Shared plumbing: sub-model (de)serialisation and loss trackers."""

    tracked = ("loss", "reconstruction_loss")

    def __init__(self, encoder, decoder, reconstruction="gaussian", decoder_scale=0.1, **kwargs):
        super().__init__(**kwargs)
        _check_choice("reconstruction", reconstruction, RECONSTRUCTIONS)
        if not decoder_scale > 0:
            raise ValueError(f"decoder_scale must be > 0, got {decoder_scale!r}")
        self.encoder = encoder
        self.decoder = decoder
        self.reconstruction = reconstruction
        self.decoder_scale = float(decoder_scale)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in self.tracked}

    @property
    def metrics(self):
        return list(self.trackers.values())

    def _update(self, values):
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def train_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        with tf.GradientTape() as tape:
            values = self.losses_for(x, training=True)
        gradients = tape.gradient(values["loss"], self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights, strict=True))
        return self._update(values)

    def test_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        return self._update(self.losses_for(x, training=False))

    def get_config(self):
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "reconstruction": self.reconstruction,
            "decoder_scale": self.decoder_scale,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["encoder"] = keras.saving.deserialize_keras_object(config["encoder"])
        config["decoder"] = keras.saving.deserialize_keras_object(config["decoder"])
        return cls(**config)


@keras.saving.register_keras_serializable(package=PACKAGE)
class VAE(_AutoencoderBase):
    """Variational autoencoder; the encoder returns ``[z_mean, z_log_var]``.

    ``loss="standard"`` is the consistent ELBO in the module docstring.

    ``kl_warmup_steps`` = W > 0 anneals the KL weight during training (Bowman et al. 2016; Sønderby et
    al. 2016): at optimizer step t the training loss uses β_t = β · min(1, t / W), so the decoder learns to
    use the codes before the KL term pulls them to the prior (a guard against posterior collapse). The
    loss of ``test_step`` (``val_loss``) always uses the full β, so it is the objective itself at every
    epoch. W = 0 (the default) is a constant β and leaves the configuration as it was.
    ``loss="original"`` reproduces the original heatmap study's inconsistent loss for comparison:
    it samples with σ = exp(log σ²) (treating the log-variance output as a log *standard
    deviation*) while its KL term treats it as a log-variance and is *averaged* over
    latent dimensions instead of summed.
    """

    tracked = ("loss", "reconstruction_loss", "kl_loss")

    def __init__(self, encoder, decoder, beta=1.0, loss="standard", seed=None, kl_warmup_steps=0, **kwargs):
        super().__init__(encoder, decoder, **kwargs)
        _check_choice("loss", loss, LOSS_VARIANTS)
        if not beta >= 0:
            raise ValueError(f"beta must be >= 0, got {beta!r}")
        if int(kl_warmup_steps) != kl_warmup_steps or kl_warmup_steps < 0:
            raise ValueError(f"kl_warmup_steps must be a whole number >= 0, got {kl_warmup_steps!r}")
        self.beta = float(beta)
        self.kl_warmup_steps = int(kl_warmup_steps)
        self.loss_variant = loss
        self.seed = seed
        self.sampling = Sampling(seed=seed, name="sampling")

    def encode(self, x, training=False):
        """Return ``(z_mean, z_log_var)``."""
        z_mean, z_log_var = self.encoder(x, training=training)
        return z_mean, z_log_var

    def sample_z(self, z_mean, z_log_var):
        """One reparameterised draw, in the convention of ``loss``."""
        if self.loss_variant == "original":
            return self.sampling([z_mean, 2.0 * z_log_var])  # σ = exp(output)
        return self.sampling([z_mean, z_log_var])

    def call(self, x, training=False):
        """Decode one sampled z per input (the VAE's stochastic reconstruction)."""
        z_mean, z_log_var = self.encode(x, training=training)
        return self.decoder(self.sample_z(z_mean, z_log_var), training=training)

    def kl_weight(self, training=False):
        """β_t: the KL term's weight in the loss (see the class docstring for the warm-up)."""
        if not (training and self.kl_warmup_steps):
            return self.beta
        done = ops.cast(self.optimizer.iterations, "float32") / float(self.kl_warmup_steps)
        return self.beta * ops.minimum(1.0, done)

    def losses_for(self, x, training=False):
        z_mean, z_log_var = self.encode(x, training=training)
        x_hat = self.decoder(self.sample_z(z_mean, z_log_var), training=training)
        reconstruction = reconstruction_nll(x, x_hat, self.reconstruction, self.decoder_scale)
        kl = kl_divergence(z_mean, z_log_var)
        if self.loss_variant == "original":
            kl = kl / ops.cast(ops.shape(z_mean)[-1], kl.dtype)
        reconstruction, kl = ops.mean(reconstruction), ops.mean(kl)
        return {
            "loss": reconstruction + self.kl_weight(training) * kl,
            "reconstruction_loss": reconstruction,
            "kl_loss": kl,
        }

    def get_config(self):
        config = {**super().get_config(), "beta": self.beta, "loss": self.loss_variant, "seed": self.seed}
        if self.kl_warmup_steps:  # only when used, so that models without warm-up keep their cache keys
            config["kl_warmup_steps"] = self.kl_warmup_steps
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class Autoencoder(_AutoencoderBase):
    """Deterministic autoencoder; the encoder returns the code z."""

    def encode(self, x, training=False):
        return self.encoder(x, training=training)

    def call(self, x, training=False):
        return self.decoder(self.encode(x, training=training), training=training)

    def losses_for(self, x, training=False):
        x_hat = self(x, training=training)
        reconstruction = ops.mean(reconstruction_nll(x, x_hat, self.reconstruction, self.decoder_scale))
        return {"loss": reconstruction, "reconstruction_loss": reconstruction}


def make_optimizer(name: str, learning_rate):
    """A Keras optimizer by name; ``learning_rate`` may be a float or a schedule."""
    optimizers = {
        "rmsprop": keras.optimizers.RMSprop,
        "adam": keras.optimizers.Adam,
        "adamw": keras.optimizers.AdamW,
        "sgd": keras.optimizers.SGD,
    }
    _check_choice("optimizer", name, tuple(optimizers))
    return optimizers[name](learning_rate=learning_rate)


def build_mlp_vae(
    input_dim=3,
    latent_dim=2,
    hidden_units=(20, 20),
    activation="softplus",
    variance="softplus",
    beta=1.0,
    decoder_scale=0.1,
    reconstruction="gaussian",
    seed=None,
):
    """Dense VAE input → hidden… → (μ, log σ²) and latent → hidden… → linear output.

    ``variance="softplus"`` makes σ² = softplus(Dense(h)) (the original cone study's choice);
    ``variance="log"`` makes log σ² = Dense(h).
    """
    _check_choice("variance", variance, ("softplus", "log"))
    x_in = keras.Input((input_dim,), name="x")
    h = x_in
    for i, units in enumerate(hidden_units):
        h = layers.Dense(units, activation=activation, name=f"enc_dense_{i}")(h)
    z_mean = layers.Dense(latent_dim, name="z_mean")(h)
    raw_var = layers.Dense(latent_dim, name="z_var_raw")(h)
    z_log_var = SoftplusLogVariance(name="z_log_var")(raw_var) if variance == "softplus" else raw_var
    encoder = keras.Model(x_in, [z_mean, z_log_var], name="encoder")

    z_in = keras.Input((latent_dim,), name="z")
    h = z_in
    for i, units in enumerate(hidden_units):
        h = layers.Dense(units, activation=activation, name=f"dec_dense_{i}")(h)
    x_out = layers.Dense(input_dim, name="x_hat")(h)
    decoder = keras.Model(z_in, x_out, name="decoder")
    return VAE(encoder, decoder, beta=beta, seed=seed, reconstruction=reconstruction,
               decoder_scale=decoder_scale, name="mlp_vae")


def sparse_ce_with_outliers(y, p, eps=1e-7):
    """Per example, −log p_y for a class label y < K (the K softmax outputs ``p``), and for the label y = K
    ("none of them": an outlier) the cross-entropy to the uniform distribution, −(1/K) Σ_k log p_k, which is
    smallest when p is flat. Training on outliers this way (Outlier Exposure; Hendrycks et al. 2019) teaches a
    classifier to be unsure, rather than confidently wrong, on inputs that belong to no class."""
    p = ops.clip(p, eps, 1.0)
    classes = ops.shape(p)[-1]
    y = ops.cast(ops.reshape(y, (-1,)), "int32")
    labelled = y < classes
    picked = ops.take_along_axis(p, ops.expand_dims(ops.where(labelled, y, 0), -1), axis=-1)[:, 0]
    return ops.where(labelled, -ops.log(picked), -ops.mean(ops.log(p), axis=-1))


@keras.saving.register_keras_serializable(package=PACKAGE)
class PairedModel(keras.Model):
    """Trains a network on (input, target) pairs passed to ``fit_or_load`` as one tuple.

    ``fit_or_load`` calls ``model.fit(x)`` with no separate ``y``; Keras then hands a tuple
    ``(inputs, targets)`` to ``train_step`` as the inputs. This model unpacks it and minimises
    ``loss`` ("bce": mean binary cross-entropy, "mse", or "sparse_ce": mean sparse categorical
    cross-entropy of softmax outputs, where a label equal to the number of classes marks an outlier:
    :func:`sparse_ce_with_outliers`). ``validation_data=(inputs, targets)`` works as usual.
    """

    LOSSES = ("bce", "mse", "sparse_ce")

    def __init__(self, network, loss="bce", **kwargs):
        super().__init__(**kwargs)
        if loss not in self.LOSSES:
            raise ValueError(f"loss must be one of {list(self.LOSSES)}, got {loss!r}")
        self.network = network
        self.loss_name = loss
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.accuracy_tracker = keras.metrics.Mean(name="accuracy")

    @property
    def metrics(self):
        return [self.loss_tracker] + ([self.accuracy_tracker] if self.loss_name == "sparse_ce" else [])

    def call(self, x, training=False):
        return self.network(x, training=training)

    @staticmethod
    def _unpack(data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        if y is None and isinstance(x, tuple | list) and len(x) == 2:
            x, y = x
        return x, y

    def _loss(self, y, y_hat):
        if self.loss_name == "mse":
            return ops.mean(ops.square(y - y_hat))
        if self.loss_name == "bce":
            return ops.mean(keras.losses.binary_crossentropy(y, y_hat))
        return ops.mean(sparse_ce_with_outliers(y, y_hat))

    def _update(self, y, y_hat, loss):
        self.loss_tracker.update_state(loss)
        if self.loss_name == "sparse_ce":  # accuracy over the examples that have a class (outliers left out)
            y = ops.cast(ops.reshape(y, (-1,)), "int64")
            labelled = ops.cast(y < ops.shape(y_hat)[-1], "float32")
            hits = ops.cast(ops.equal(ops.argmax(y_hat, axis=-1), y), "float32")
            self.accuracy_tracker.update_state(hits, sample_weight=labelled)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        x, y = self._unpack(data)
        with tf.GradientTape() as tape:
            y_hat = self(x, training=True)
            loss = self._loss(y, y_hat)
        gradients = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights, strict=True))
        return self._update(y, y_hat, loss)

    def test_step(self, data):
        x, y = self._unpack(data)
        y_hat = self(x, training=False)
        return self._update(y, y_hat, self._loss(y, y_hat))

    def get_config(self):
        return {**super().get_config(), "network": keras.saving.serialize_keras_object(self.network),
                "loss": self.loss_name}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["network"] = keras.saving.deserialize_keras_object(config["network"])
        return cls(**config)

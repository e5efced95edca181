"""Blending images, walking between codes, adding codes, and judging how digit-like the results are.

* image-space blend:      x(t) = (1 − t)·x_a + t·x_b                       (a cross-fade of two pictures)
* latent interpolation:   x(t) = g((1 − t)·z_a + t·z_b)                    (decode a straight latent line)
* latent arithmetic:      x = g(z_A + z_B − z_C)

"Digit-likeness" of an image gets two numbers: the top softmax probability of a classifier
trained on real digits, and the distance to the nearest training image divided by the median
of that distance over real test digits (≈ 1 for a typical real digit, larger = unlike any).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from helpers.geometry import straight_line
from helpers.model_io import decode


def image_blend(x_a: np.ndarray, x_b: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` images cross-fading from ``x_a`` (first) to ``x_b`` (last)."""
    t = np.linspace(0.0, 1.0, steps).reshape((-1,) + (1,) * np.ndim(x_a))
    return ((1.0 - t) * np.asarray(x_a, np.float64) + t * np.asarray(x_b, np.float64)).astype(np.float32)


def latent_interpolation(decoder, z_a: np.ndarray, z_b: np.ndarray, steps: int) -> np.ndarray:
    """Decode ``steps`` equally spaced points on the straight line from ``z_a`` to ``z_b``."""
    return decode(decoder, straight_line(z_a, z_b, steps))


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
    images = decode(decoder, np.stack(list(codes.values())))
    return dict(zip(codes, images, strict=True))


class DigitJudge:
    """Scores how much images look like real digits (see the module docstring)."""

    def __init__(self, classifier, x_train: np.ndarray, x_reference: np.ndarray):
        self.classifier = classifier
        self.index = NearestNeighbors(n_neighbors=1).fit(_flat(x_train))
        self.scale = float(np.median(self.index.kneighbors(_flat(x_reference))[0][:, 0]))

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        return np.asarray(self.classifier.predict(np.asarray(images, np.float32), batch_size=512, verbose=0))

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
        strips[f"{name} latent"] = np.split(decode(decoder, lines), len(pairs))
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

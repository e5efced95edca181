"""The data of study 1: points on the known surface z = tanh(4r)², r = √(x² + y²), with the middle band
cut out — an *upper* class (z ≥ 0.8) and a *lower* class (z ≤ 0.2) — and the surface's own mesh. Numpy only,
so that the parameter rules (:mod:`.parameters`) can count the points of each class without TensorFlow."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UPPER, LOWER = 1, 0


def cone_height(x, y):
    """The generating surface z = tanh(4r)² with r = sqrt(x² + y²)."""
    return np.tanh(4.0 * np.hypot(x, y)) ** 2


@dataclass
class ConePoints:
    """Points kept after cutting out the middle band, with their class labels."""

    points: np.ndarray  # (n, 3) float32: x, y, z
    labels: np.ndarray  # (n,) int: UPPER (z >= upper_min) or LOWER (z <= lower_max)

    @property
    def upper(self) -> np.ndarray:
        return self.points[self.labels == UPPER]

    @property
    def lower(self) -> np.ndarray:
        return self.points[self.labels == LOWER]


def make_cone_points(n_points: int, rng: np.random.Generator, upper_min=0.8, lower_max=0.2) -> ConePoints:
    """Draw ``n_points`` (x, y) uniform in [−0.5, 0.5]², lift them to z = tanh(4r)², and keep
    only the two classes z ≥ ``upper_min`` (upper) and z ≤ ``lower_max`` (lower).

    About 64 % of the points survive the cut with the default thresholds. The rows are
    shuffled so that the classes are interleaved.
    """
    if not 0 <= lower_max < upper_min <= 1:
        raise ValueError(f"need 0 <= lower_max < upper_min <= 1, got lower_max={lower_max}, upper_min={upper_min}")
    xy = rng.random((n_points, 2)) - 0.5
    z = cone_height(xy[:, 0], xy[:, 1])
    keep = (z >= upper_min) | (z <= lower_max)
    points = np.column_stack([xy, z])[keep].astype(np.float32)
    labels = np.where(points[:, 2] >= upper_min, UPPER, LOWER)
    order = rng.permutation(len(points))
    return ConePoints(points[order], labels[order])


def surface_grid(points_per_axis: int = 30, half_width: float = 0.5):
    """(X, Y, Z) meshes of the generating surface over [−half_width, half_width]²."""
    axis = np.linspace(-half_width, half_width, points_per_axis)
    x, y = np.meshgrid(axis, axis)
    return x, y, cone_height(x, y)


def class_sizes(seed: int, n_points: int) -> dict:
    """Points per class the notebook keeps: its first draw from ``default_rng(seed)`` is
    ``make_cone_points(n_points, rng)`` (cheap numpy, no model)."""
    labels = make_cone_points(n_points, np.random.default_rng(seed)).labels
    return {"upper": int((labels == UPPER).sum()), "lower": int((labels == LOWER).sum())}

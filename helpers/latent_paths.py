"""Points and paths in a cloud of latent codes: numpy and scipy only, no model.

* lines and lengths: :func:`straight_line` z(t) = (1 − t)·z_a + t·z_b, :func:`polyline_length`
  Σ_i ‖p_{i+1} − p_i‖, :func:`farthest_pair` (the diameter of a set of codes);
* the shape of the cloud: :func:`principal_axes` (centre and SVD directions), :func:`relative_spreads`
  (standard deviations along them, over the largest), :func:`typical_spacing` (median nearest-neighbour
  distance);
* paths built from the cloud: :func:`rotation_path` (Rodrigues' rotation about an axis),
  :func:`bounding_plane_path` (a line on a supporting plane), :func:`empty_traversal` (through the
  :func:`emptiest_point` inside the convex hull), :func:`hull_perturbations` (hull codes pushed outwards).
* traversals: :func:`percentile_sweeps` (one coordinate of the codes, or of their principal frame, from
  its 2nd to its 98th percentile, the others at their median).

Decoding a path is :func:`helpers.inference.decode`; its decoded length is
:func:`helpers.geodesics.curve_length`.
"""

from __future__ import annotations
import numpy as np
from scipy.spatial import ConvexHull, Delaunay, cKDTree


def straight_line(z_start, z_end, n_points: int, dtype=np.float32) -> np.ndarray:
    """n_points equally spaced points z(t) = (1 − t)·z_start + t·z_end, t = 0 … 1 (inclusive), computed in
    float64 and returned as ``dtype`` (float32, what the models take, by default). The ends may be latent codes
    or arrays of any shape (images: then it is a cross-fade), giving (n_points, *shape)."""
    t = np.linspace(0.0, 1.0, n_points).reshape((-1,) + (1,) * np.ndim(z_start))
    return ((1 - t) * np.asarray(z_start, np.float64) + t * np.asarray(z_end, np.float64)).astype(dtype)


def polyline_length(points: np.ndarray) -> float:
    """Σ_i ‖p_{i+1} − p_i‖ of a sequence of points (n, ...) flattened per point."""
    p = np.asarray(points, dtype=np.float64).reshape(len(points), -1)
    return float(np.linalg.norm(np.diff(p, axis=0), axis=1).sum())


def farthest_pair(codes: np.ndarray) -> tuple[int, int]:
    """Indices (i, j) of the two codes farthest apart (the set's diameter).

    The diameter's endpoints lie on the convex hull, so only hull vertices are compared
    (exact, and O(h²) instead of O(n²)).
    """
    codes = np.asarray(codes, dtype=np.float64)
    if len(codes) < 2:
        raise ValueError(f"codes must contain at least 2 points, got {len(codes)}")
    candidates = np.arange(len(codes))
    if codes.shape[1] >= 2 and len(codes) > codes.shape[1] + 1:
        try:
            candidates = ConvexHull(codes).vertices
        except Exception:  # noqa: BLE001  (degenerate hull: compare all points)
            pass
    sub = codes[candidates]
    distances = np.linalg.norm(sub[:, None, :] - sub[None, :, :], axis=-1)
    a, b = np.unravel_index(np.argmax(distances), distances.shape)
    return int(candidates[a]), int(candidates[b])


def principal_axes(codes: np.ndarray):
    """(centre, axes) with axes[k] the k-th principal direction of the codes (rows, unit)."""
    c = np.asarray(codes, np.float64)
    centre = c.mean(0)
    _, _, vt = np.linalg.svd(c - centre, full_matrices=False)
    return centre, vt


def relative_spreads(codes) -> np.ndarray:
    """Standard deviations of the codes along their principal axes, relative to the largest (1 ≥ s₂ ≥ s₃ …)."""
    spread = np.linalg.svd(codes - codes.mean(0), compute_uv=False) / np.sqrt(len(codes))
    return spread / spread[0]


def typical_spacing(codes) -> float:
    """Median distance from a code to its nearest neighbour."""
    return float(np.median(cKDTree(codes).query(codes, k=2)[0][:, 1]))


def rotation_path(point, centre, axis, n_points: int, angle: float = 2 * np.pi) -> np.ndarray:
    """``point`` rotated about the line through ``centre`` along ``axis`` (Rodrigues' formula)."""
    k = np.asarray(axis, np.float64) / np.linalg.norm(axis)
    v = np.asarray(point, np.float64) - centre
    t = np.linspace(0.0, angle, n_points)[:, None]
    rotated = v * np.cos(t) + np.cross(k, v) * np.sin(t) + k * (k @ v) * (1 - np.cos(t))
    return (centre + rotated).astype(np.float32)


def bounding_plane_path(codes, n_points: int, side: int = +1):
    """Line on a supporting plane of the codes: the plane normal to the thinnest principal
    direction that touches the codes on one ``side``; the line runs along the first principal
    direction across the codes' extent, through the touching code. Returns (path, normal, offset)."""
    c = np.asarray(codes, np.float64)
    centre, axes = principal_axes(c)
    normal = axes[-1] * side
    heights = c @ normal
    touch = c[np.argmax(heights)]
    extent = (c - centre) @ axes[0]
    along = touch - ((touch - centre) @ axes[0]) * axes[0]
    path = straight_line(along + extent.min() * axes[0], along + extent.max() * axes[0], n_points)
    return path, normal, float(heights.max())


def emptiest_point(codes, rng: np.random.Generator, candidates: int = 20_000) -> tuple[np.ndarray, float]:
    """The point inside the convex hull of the codes farthest from every code (seeded random
    search); returns (point, its distance to the nearest code)."""
    c = np.asarray(codes, np.float64)
    hull = Delaunay(c[np.unique(_hull_vertices(c))])
    points = c.min(0) + rng.random((candidates, c.shape[1])) * np.ptp(c, axis=0)
    points = points[hull.find_simplex(points) >= 0]
    distance = cKDTree(c).query(points)[0]
    best = int(np.argmax(distance))
    return points[best], float(distance[best])


def _hull_vertices(c):
    return ConvexHull(c).vertices


def empty_traversal(codes, rng: np.random.Generator, n_points: int):
    """Polyline code → emptiest point → code, with the two end codes the nearest codes to the
    emptiest point on opposite sides along the first principal direction. Returns (path, point, gap)."""
    c = np.asarray(codes, np.float64)
    point, gap = emptiest_point(c, rng)
    _, axes = principal_axes(c)
    side = (c - point) @ axes[0]
    dist = np.linalg.norm(c - point, axis=1)
    start = c[np.where(side < 0, dist, np.inf).argmin()]
    end = c[np.where(side > 0, dist, np.inf).argmin()]
    half = max(n_points // 2, 2)
    path = np.concatenate([straight_line(start, point, half), straight_line(point, end, n_points - half + 1)[1:]])
    return path.astype(np.float32), point, gap


def hull_perturbations(codes, rng: np.random.Generator, steps=(0.0, 0.1, 0.2, 0.4, 0.8), per_step: int = 50):
    """Hull-vertex codes pushed outwards from the centre by ``step`` × the codes' RMS radius.

    Returns {step: points (per_step, d)}; the same vertices are used for every step.
    """
    c = np.asarray(codes, np.float64)
    vertices = c[_hull_vertices(c)]
    chosen = vertices[rng.choice(len(vertices), size=min(per_step, len(vertices)), replace=False)]
    centre = c.mean(0)
    radius = np.sqrt(((c - centre) ** 2).sum(1).mean())
    outward = (chosen - centre) / np.linalg.norm(chosen - centre, axis=1, keepdims=True)
    return {s: (chosen + s * radius * outward).astype(np.float32) for s in steps}


def percentile_sweeps(codes, n_points: int, basis=None, percentiles=(2.0, 98.0)) -> np.ndarray:
    """One sweep per direction of an orthonormal ``basis`` (rows; the identity, i.e. the latent axes, by
    default), shape (D directions, n_points, D).

    In the basis' frame the codes have coordinates c = z Bᵀ. Sweep k holds every coordinate at its median
    over the codes except c_k, which runs in equal steps from the ``percentiles[0]``-th to the
    ``percentiles[1]``-th percentile of c_k (2nd → 98th by default: the codes' extent without their
    stragglers); the points are mapped back by z = c B. With the identity basis this is a per-dimension
    latent traversal: z_k from its 2nd to its 98th percentile, the other z_j at the median code; with
    ``principal_axes(codes)[1]`` it runs along the principal directions instead.
    """
    z = np.asarray(codes, np.float64)
    basis = np.eye(z.shape[1]) if basis is None else np.asarray(basis, np.float64)
    coordinates = z @ basis.T
    median = np.median(coordinates, axis=0)
    low, high = np.percentile(coordinates, percentiles, axis=0)
    sweeps = np.repeat(np.tile(median, (n_points, 1))[None], len(basis), axis=0)
    for k in range(len(basis)):
        sweeps[k, :, k] = np.linspace(low[k], high[k], n_points)
    return (sweeps @ basis).astype(np.float32)

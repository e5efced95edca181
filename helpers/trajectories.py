"""Latent paths of the heatmap study, every one derived from codes of images with known factors.

A retrained model (another seed, another configuration) lays its latent space out differently,
so no coordinate is ever typed in: each path starts and ends at codes of images chosen by their
generating factors, at extremes along directions fitted to the codes, or at points found from the
codes (the emptiest point of the AE's latent space). Decoding a path and reading the factors of
the decoded images back with :func:`helpers.heatmaps.estimate_factors` turns the original study's visual
impressions into numbers: how monotonically each factor changes along the path (Spearman's ρ
against the step) and how far the decoded images are from any valid Gaussian heatmap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.interpolate import splev, splprep
from scipy.spatial import Delaunay, cKDTree
from scipy.stats import spearmanr

from helpers.geometry import straight_line
from helpers.model_io import decode
from helpers.heatmaps import FACTORS, estimate_factors, moment_fit_residual


def nearest_factor_index(factors: np.ndarray, target) -> int:
    """Index of the image whose (var_x, var_y, cor) is nearest to ``target`` (factors scaled to
    [0, 1] by their ranges so that variances and correlations weigh alike)."""
    f = np.asarray(factors, dtype=np.float64)
    low, span = f.min(0), np.ptp(f, axis=0) + 1e-12
    return int(np.argmin((((f - low) / span - (np.asarray(target) - low) / span) ** 2).sum(1)))


def principal_axes(codes: np.ndarray):
    """(centre, axes) with axes[k] the k-th principal direction of the codes (rows, unit)."""
    c = np.asarray(codes, np.float64)
    centre = c.mean(0)
    _, _, vt = np.linalg.svd(c - centre, full_matrices=False)
    return centre, vt


def factor_line(codes, factors, start, end, n_points: int) -> np.ndarray:
    """Straight latent line from the code of the image nearest to factors ``start`` to that of ``end``."""
    return straight_line(codes[nearest_factor_index(factors, start)], codes[nearest_factor_index(factors, end)],
                         n_points)


def rotation_path(point, centre, axis, n_points: int, angle: float = 2 * np.pi) -> np.ndarray:
    """``point`` rotated about the line through ``centre`` along ``axis`` (Rodrigues' formula)."""
    k = np.asarray(axis, np.float64) / np.linalg.norm(axis)
    v = np.asarray(point, np.float64) - centre
    t = np.linspace(0.0, angle, n_points)[:, None]
    rotated = v * np.cos(t) + np.cross(k, v) * np.sin(t) + k * (k @ v) * (1 - np.cos(t))
    return (centre + rotated).astype(np.float32)


def isovariance_path(codes, factors, n_points: int, smoothing: float | None = None):
    """Spline through the codes of isovariance images (var_x = var_y), one per variance level — the
    one with the largest correlation, i.e. on an edge of the manifold's hull — ordered by variance.
    Returns (path, knots)."""
    f = np.asarray(factors)
    iso = np.flatnonzero(np.isclose(f[:, 0], f[:, 1]))
    levels = np.unique(np.round(f[iso, 0], 6))
    if len(levels) < 4:
        raise ValueError(f"need isovariance codes at >= 4 variance levels, found {len(levels)}")
    chosen = [iso[np.isclose(f[iso, 0], v)][np.argmax(f[iso[np.isclose(f[iso, 0], v)], 2])] for v in levels]
    knots = np.asarray(codes, np.float64)[chosen]
    spread = np.linalg.norm(np.diff(knots, axis=0), axis=1).mean()
    s = len(knots) * (0.1 * spread) ** 2 if smoothing is None else smoothing
    tck, _ = splprep(knots.T, s=s, k=3)
    return np.stack(splev(np.linspace(0, 1, n_points), tck), axis=1).astype(np.float32), knots


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
    from scipy.spatial import ConvexHull

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


def relative_spreads(codes) -> np.ndarray:
    """Standard deviations of the codes along their principal axes, relative to the largest (1 ≥ s₂ ≥ s₃ …)."""
    spread = np.linalg.svd(codes - codes.mean(0), compute_uv=False) / np.sqrt(len(codes))
    return spread / spread[0]


def typical_spacing(codes) -> float:
    """Median distance from a code to its nearest neighbour."""
    return float(np.median(cKDTree(codes).query(codes, k=2)[0][:, 1]))


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


# ---------------------------------------------------------------- measuring decoded paths

def path_factors(decoder, path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode a path; return (images, estimated factors (n, 3), moment-fit residuals (n,))."""
    images = decode(decoder, path)
    return images, estimate_factors(images), moment_fit_residual(images)


def monotonicity(values: np.ndarray) -> float:
    """Spearman's ρ of a sequence against its index (+1: increasing, −1: decreasing)."""
    values = np.asarray(values)
    if np.ptp(values) == 0:
        return 0.0
    return float(spearmanr(np.arange(len(values)), values)[0])


def path_table(decoder, paths: dict) -> pd.DataFrame:
    """One row per path: Spearman ρ of each recovered factor along it, the factors at both ends,
    and the median / max moment-fit residual of the decoded images."""
    rows = {}
    for name, path in paths.items():
        _, est, residual = path_factors(decoder, path)
        row = {f"rho {f}": monotonicity(est[:, k]) for k, f in enumerate(FACTORS)}
        row.update({f"{f} {end}": float(est[i, k]) for k, f in enumerate(FACTORS) for end, i in (("start", 0),
                                                                                               ("end", -1))})
        row.update({"residual median": float(np.median(residual)), "residual max": float(residual.max())})
        rows[name] = row
    return pd.DataFrame(rows).T


def standard_paths(codes, factors, n_points: int) -> dict:
    """The study's paths for one model's codes (all derived from codes with known factors):

    * three straight lines between codes of images at opposite factor extremes (size, correlation,
      orientation of the long axis);
    * a full rotation of the most correlated mid-size image's code about the codes' first
      principal axis;
    * the spline through the isovariance codes at the largest correlation (a hull edge);
    * lines on the two supporting planes normal to the thinnest principal direction.
    """
    f = np.asarray(factors)
    lo, hi = f.min(0), f.max(0)
    mid = (lo + hi) / 2
    centre, axes = principal_axes(codes)
    start = codes[nearest_factor_index(f, (mid[0], mid[1], hi[2]))]
    return {
        "line: small → large (round)": factor_line(codes, f, (lo[0], lo[1], 0), (hi[0], hi[1], 0), n_points),
        "line: cor min → max": factor_line(codes, f, (mid[0], mid[1], lo[2]), (mid[0], mid[1], hi[2]), n_points),
        "line: wide in x → wide in y": factor_line(codes, f, (hi[0], lo[1], 0), (lo[0], hi[1], 0), n_points),
        "rotation about 1st axis": rotation_path(start, centre, axes[0], n_points),
        "isovariance spline (hull)": isovariance_path(codes, f, n_points)[0],
        "bounding plane +": bounding_plane_path(codes, n_points, +1)[0],
        "bounding plane −": bounding_plane_path(codes, n_points, -1)[0],
    }


def perturbation_table(decoders: dict, codes: dict, rng_seed: int, steps=(0.0, 0.1, 0.2, 0.4, 0.8)) -> pd.DataFrame:
    """Median moment-fit residual of decoded hull codes pushed outwards by each step (× RMS radius)."""
    rows = {}
    for name, decoder in decoders.items():
        moved = hull_perturbations(codes[name], np.random.default_rng(rng_seed), steps)
        rows[name] = {f"step {s:g}": float(np.median(moment_fit_residual(decode(decoder, p))))
                      for s, p in moved.items()}
    return pd.DataFrame(rows).T


def traversal_table(decoder, codes, path, gap) -> pd.Series:
    """Empty-space traversal in numbers: the gap (in nearest-neighbour spacings) and the residual
    of the decoded images at the emptiest point vs at the two end codes."""
    _, _, residual = path_factors(decoder, path)
    middle = len(path) // 2
    return pd.Series({"gap / typical spacing": gap / typical_spacing(codes),
                      "residual at ends (mean)": (residual[0] + residual[-1]) / 2,
                      "residual at emptiest point": residual[middle - 1],
                      "residual max along path": residual.max()})

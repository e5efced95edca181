"""Latent paths measured by the factors read back from their decoded images: lines between codes of chosen
factors, the isovariance spline, per-path monotonicity tables, perturbations and traversals across gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.interpolate import splev, splprep
from scipy.stats import spearmanr

from helpers import latent_paths, inference
from helpers.heatmaps import FACTORS
from helpers.studies.gaussian_heatmaps.recovery import estimate_factors, moment_fit_residual


def nearest_factor_index(factors: np.ndarray, target) -> int:
    """Index of the image whose (var_x, var_y, cor) is nearest to ``target`` (factors scaled to
    [0, 1] by their ranges so that variances and correlations weigh alike)."""
    f = np.asarray(factors, dtype=np.float64)
    low, span = f.min(0), np.ptp(f, axis=0) + 1e-12
    return int(np.argmin((((f - low) / span - (np.asarray(target) - low) / span) ** 2).sum(1)))


def factor_line(codes, factors, start, end, n_points: int) -> np.ndarray:
    """Straight latent line from the code of the image nearest to factors ``start`` to that of ``end``."""
    return latent_paths.straight_line(codes[nearest_factor_index(factors, start)],
                                      codes[nearest_factor_index(factors, end)], n_points)


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


def path_factors(decoder, path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode a path; return (images, estimated factors (n, 3), moment-fit residuals (n,))."""
    images = inference.decode(decoder, path)
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
    centre, axes = latent_paths.principal_axes(codes)
    start = codes[nearest_factor_index(f, (mid[0], mid[1], hi[2]))]
    return {
        "line: small → large (round)": factor_line(codes, f, (lo[0], lo[1], 0), (hi[0], hi[1], 0), n_points),
        "line: cor min → max": factor_line(codes, f, (mid[0], mid[1], lo[2]), (mid[0], mid[1], hi[2]), n_points),
        "line: wide in x → wide in y": factor_line(codes, f, (hi[0], lo[1], 0), (lo[0], hi[1], 0), n_points),
        "rotation about 1st axis": latent_paths.rotation_path(start, centre, axes[0], n_points),
        "isovariance spline (hull)": isovariance_path(codes, f, n_points)[0],
        "bounding plane +": latent_paths.bounding_plane_path(codes, n_points, +1)[0],
        "bounding plane −": latent_paths.bounding_plane_path(codes, n_points, -1)[0],
    }


def perturbation_table(decoders: dict, codes: dict, rng_seed: int, steps=(0.0, 0.1, 0.2, 0.4, 0.8)) -> pd.DataFrame:
    """Median moment-fit residual of decoded hull codes pushed outwards by each step (× RMS radius)."""
    rows = {}
    for name, decoder in decoders.items():
        moved = latent_paths.hull_perturbations(codes[name], np.random.default_rng(rng_seed), steps)
        rows[name] = {f"step {s:g}": float(np.median(moment_fit_residual(inference.decode(decoder, p))))
                      for s, p in moved.items()}
    return pd.DataFrame(rows).T


def traversal_table(decoder, codes, path, gap) -> pd.Series:
    """Empty-space traversal in numbers: the gap (in nearest-neighbour spacings) and the residual
    of the decoded images at the emptiest point vs at the two end codes."""
    _, _, residual = path_factors(decoder, path)
    middle = len(path) // 2
    return pd.Series({"gap / typical spacing": gap / latent_paths.typical_spacing(codes),
                      "residual at ends (mean)": (residual[0] + residual[-1]) / 2,
                      "residual at emptiest point": residual[middle - 1],
                      "residual max along path": residual.max()})

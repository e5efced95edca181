"""Latent paths measured by the factors read back from their decoded images: lines between codes of chosen
factors, the isovariance spline, per-path monotonicity tables, perturbations and traversals across gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.interpolate import splev, splprep
from scipy.stats import spearmanr

from helpers import heatmaps, inference, latent_paths
from helpers.heatmaps import FACTORS
from helpers.studies.gaussian_heatmaps.latent_holes import validity_verdict
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


#: A recovered factor *moves* along a path when its range along the path (max − min) is at least this share of
#: its range over the data (var_x, var_y: 4.8; cor: 1.8). Below it, the rank correlation ranks the moment fit's
#: noise, not the factor, and :func:`path_table` leaves it out.
MOVES = 0.1


def monotonicity(values: np.ndarray) -> float:
    """Spearman's rank correlation r_s of a sequence against its index (+1: increasing, −1: decreasing)."""
    values = np.asarray(values)
    if np.ptp(values) == 0:
        return 0.0
    return float(spearmanr(np.arange(len(values)), values)[0])


def is_closed(path, rel_tol: float = 1e-4) -> bool:
    """Whether a path ends where it starts (within ``rel_tol`` of its extent), like a full rotation."""
    path = np.asarray(path, np.float64)
    return bool(np.linalg.norm(path[-1] - path[0]) <= rel_tol * max(np.ptp(path, axis=0).max(), 1e-12))


def ranked_trend(values, data_range: float, closed: bool, moves: float = MOVES) -> float:
    """r_s of a recovered factor along a path (:func:`monotonicity`), or NaN where it means nothing: on a closed
    path (which returns to its start, so no order of positions is "forwards") and where the factor barely moves
    (range along the path < ``moves`` × ``data_range``)."""
    values = np.asarray(values, np.float64)
    if closed or np.ptp(values) < moves * data_range:
        return float("nan")
    return monotonicity(values)


def path_table(decoder, paths: dict, factors=None) -> pd.DataFrame:
    """One row per path: Spearman's r_s of each recovered factor along it (:func:`ranked_trend`: NaN on a closed
    path or where the factor moves by less than :data:`MOVES` of its range over ``factors``, default the data's
    factor grid), the factors at both ends, and the median / max moment-fit residual of the decoded images."""
    ranges = np.ptp(np.asarray(heatmaps.factor_grid() if factors is None else factors, np.float64), axis=0)
    rows = {}
    for name, path in paths.items():
        _, est, residual = path_factors(decoder, path)
        closed = is_closed(path)
        row = {f"r_s {f}": ranked_trend(est[:, k], ranges[k], closed) for k, f in enumerate(FACTORS)}
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


def path_validity(table: pd.DataFrame, bar: float) -> dict:
    """One verdict per path of a :func:`path_table`: are all its decoded images valid heatmaps, i.e. is the largest
    moment-fit residual along it at most ``bar``, the model's validity bar
    (:func:`~helpers.studies.gaussian_heatmaps.latent_holes.validity_verdict`)?"""
    return {path: validity_verdict(row["residual max"], bar, words=("valid throughout", "leaves the heatmaps"))
            for path, row in table.iterrows()}


def steepest_step(jumps: pd.DataFrame, factors) -> dict:
    """The largest change of a recovered factor between consecutive decoded images over all paths of a jumps table
    (rows: paths, columns: factors), as a share of that factor's range over the data (``factors``, rows of
    (var_x, var_y, cor)): step, step_share, step_factor, step_path."""
    shares = jumps / np.ptp(np.asarray(factors, np.float64), axis=0)
    path, factor = shares.stack().idxmax()
    return {"step": float(jumps.loc[path, factor]), "step_share": float(shares.loc[path, factor]),
            "step_factor": factor, "step_path": path}


def paths_takeaway_values(tables: dict, bars: dict, jumps: pd.DataFrame, factors) -> dict:
    """The numbers and verdicts the paths' takeaway renders, for models "VAE" and "AE": the per-path validity
    verdicts (:func:`path_validity`, keyed "MODEL: path"), per model the count and names of the paths valid
    throughout (n_v, ok_v / n_a, ok_a), the largest residual and its path (worst_v, worst_v_path, …), the largest
    recovered variance at a path's end (far), and :func:`steepest_step` of the VAE's jumps."""
    values = {}
    for name, tag in (("VAE", "v"), ("AE", "a")):
        decided = path_validity(tables[name], bars[name])
        values |= {f"{name}: {path}": verdict for path, verdict in decided.items()}
        ok = [path for path, verdict in decided.items() if verdict.holds]
        worst = tables[name]["residual max"].idxmax()
        values |= {f"n_{tag}": len(ok), f"ok_{tag}": ", ".join(ok) or "none",
                   f"worst_{tag}": float(tables[name].loc[worst, "residual max"]), f"worst_{tag}_path": worst}
    ends = [f"{f} {e}" for f in FACTORS[:2] for e in ("start", "end")]
    values["far"] = float(max(table[ends].to_numpy().max() for table in tables.values()))
    return values | steepest_step(jumps, factors)


#: A residual within this share of the validity bar gets no verdict in the empty-space takeaway: the bar and the
#: residual are both measured, and another machine's kernels could move one across the other.
TOO_CLOSE = 0.02


def empty_space_values(walks: pd.DataFrame, pushed: pd.DataFrame, bars: dict) -> dict:
    """The numbers and verdicts the empty-space takeaway renders: for each model (tag v: VAE, a: AE) the residual at
    the emptiest point and the mean at the walk's ends, each with a validity verdict (:func:`validity_verdict`:
    residual ≤ the model's bar), or a note instead where the residual lies within :data:`TOO_CLOSE` of the bar
    (another machine's kernels could move it across), the largest residual on the walk and the bar; and from
    the pushed-codes table (rows VAE, AE; columns steps) the number of steps at which the AE's median residual is
    below the VAE's, and both at the largest step; ``reading``: :func:`empty_walk_reading` of the AE's verdicts."""
    values = {}
    for name, tag in (("VAE", "v"), ("AE", "a")):
        row, bar = walks.loc[name], bars[name]
        for part, column in (("mid", "residual at emptiest point"), ("ends", "residual at ends (mean)")):
            values[f"{tag}_{part}"] = float(row[column])
            values[f"{tag}_{part}_valid"] = (validity_verdict(row[column], bar)
                                             if abs(row[column] / bar - 1) >= TOO_CLOSE else
                                             f"within {TOO_CLOSE:.0%} of the bar, too close to call")
        values |= {f"{tag}_max": float(row["residual max along path"]), f"bar_{tag}": float(bar)}
    last = pushed.columns[-1]
    values["reading"] = empty_walk_reading(getattr(values["a_mid_valid"], "holds", None),
                                           getattr(values["a_ends_valid"], "holds", None))
    return values | {"below": int((pushed.loc["AE"] < pushed.loc["VAE"]).sum()), "steps": pushed.shape[1],
                     "last": last, "a_last": float(pushed.loc["AE", last]), "v_last": float(pushed.loc["VAE", last])}


def empty_walk_reading(middle_valid: bool | None, ends_valid: bool | None) -> str:
    """What the AE's walk through its emptiest point says about the claim that it decodes empty space into
    non-heatmaps, from the two validity verdicts (emptiest point, walk's ends; None: too close to the bar to call)."""
    if middle_valid is None or (ends_valid is None and not middle_valid):
        return "The AE's walk lies too close to its validity bar to test the original study's claim"
    if middle_valid:
        return "The AE decodes its emptiest point into a valid heatmap: the walk contradicts the original study's claim"
    if ends_valid:
        return ("The AE's walk fails the validity bar at its emptiest point and passes it at its ends: the walk bears "
                "the original study's claim out")
    return ("The AE's walk fails the validity bar at its ends as well, and they are codes of real images: the walk "
            "cannot show that emptiness is what breaks the decoder, so it does not bear the original study's claim out")


def _formatted(value) -> str:
    return "–" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value:.2f}"


def trend_pairs(here: dict, run: dict, factor: str) -> dict:
    """For each VAE path: "r_s here → r_s in the run" of ``factor`` as text ("–" where a table left it out), read
    from the recorded path tables (``heatmap_paths_vae``; a run recorded before r_s was named so reads "rho …")."""
    mine = here.get("heatmap_paths_vae", {})
    theirs = run.get("heatmap_paths_vae", {})
    return {path: f"{_formatted(row.get(f'r_s {factor}'))} → "
                  f"{_formatted(theirs.get(path, {}).get(f'r_s {factor}', theirs.get(path, {}).get(f'rho {factor}')))}"
            for path, row in mine.items()}

"""The numbers notebook 01 reports: latent statistics per class, lengths of decoded lines, the decoder's
local distortion √det(JᵀJ) (:mod:`helpers.geometry`) per region of the latent plane, and the straight line and the
geodesic walked in step for the notebook's explorer (:func:`path_walks`, :func:`walk_notes`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import Delaunay, cKDTree

from helpers import geometry, inference, verdicts
from helpers.latent_paths import polyline_length, straight_line
from helpers.spread import bootstrap_median_error, standard_error
from helpers.studies.cone_distortion.cone_points import LOWER, UPPER

#: The heights that bound the two classes: the data keep z ≤ 0.2 (lower) and z ≥ 0.8 (upper); between is the gap.
LOWER_TOP, UPPER_BOTTOM = 0.2, 0.8
#: The stated tolerance of "the latent geodesic reproduces the true shortest path": 5 % of the true path's length,
#: five times the mesh error of that true path (:data:`helpers.geodesics.MESH_PATH_ERROR`).
GEODESIC_TOLERANCE = 0.05


def latent_statistics(z_mean: np.ndarray, z_log_var: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Per class and latent dimension: mean |μ|, mean σ² (the true variance) and the original
    study's number exp(σ²) (it exponentiated what its encoder already returned as a variance)."""
    rows = []
    variance = np.exp(z_log_var.astype(np.float64))
    for name, label in (("upper", UPPER), ("lower", LOWER)):
        mask = labels == label
        for dim in range(z_mean.shape[1]):
            rows.append({
                "class": name,
                "dim": dim + 1,
                "mean |mu|": np.abs(z_mean[mask, dim]).mean(),
                "mean variance": variance[mask, dim].mean(),
                "original study's exp(variance)": np.exp(variance[mask, dim]).mean(),
            })
    return pd.DataFrame(rows).set_index(["class", "dim"])


def class_variance_verdict(z_log_var: np.ndarray, labels: np.ndarray) -> verdicts.Verdict:
    """How tightly the lower class is encoded compared with the upper one: each point's posterior variance
    averaged over the latent dimensions, v = mean_j σ_j², then the class means v̄ ± sd/√n, compared by
    :func:`helpers.verdicts.difference` (upper − lower: "more tightly" when the lower class's variance is
    resolved below the upper's)."""
    per_point = np.exp(z_log_var.astype(np.float64)).mean(axis=1)
    upper, lower = per_point[labels == UPPER], per_point[labels == LOWER]
    verdict = verdicts.difference(upper.mean(), standard_error(upper), lower.mean(), standard_error(lower),
                                  words=("more tightly", "less tightly", "about as tightly"))
    return verdicts.Verdict(verdict.holds, verdict.words, verdict.rule,
                            {**verdict.numbers, "upper se": standard_error(upper), "lower se": standard_error(lower)})


def height_regions(heights: np.ndarray) -> np.ndarray:
    """Which part of the data's range each height z lies in: "lower class" (z ≤ 0.2), "gap" (the band cut out of
    the data) or "upper class" (z ≥ 0.8)."""
    heights = np.asarray(heights)
    return np.where(heights <= LOWER_TOP, "lower class", np.where(heights >= UPPER_BOTTOM, "upper class", "gap"))


def regions_crossed(heights: np.ndarray) -> list[str]:
    """The regions a decoded path passes through, in order, each run of equal regions once: e.g. upper class →
    gap → lower class → gap → upper class."""
    regions = height_regions(heights)
    return [str(r) for k, r in enumerate(regions) if k == 0 or r != regions[k - 1]]


def steps_per_region(walks: dict) -> pd.DataFrame:
    """For decoded paths ``{name: (n, 3)}``: how many of each path's points lie in each region of
    :func:`height_regions` (one row per path, columns upper class, gap, lower class)."""
    columns = ["upper class", "gap", "lower class"]
    return pd.DataFrame({name: {c: int((height_regions(p[:, 2]) == c).sum()) for c in columns}
                         for name, p in walks.items()}).T[columns]


def line_lengths(decoder, line: np.ndarray) -> dict:
    """Latent length of a straight line, length of its decoded image, and the straight 3-D
    chord between the decoded ends (the shortest possible input-space path between them)."""
    decoded = inference.decode(decoder, line)
    return {
        "latent length": float(np.linalg.norm(line[-1] - line[0])),
        "decoded length": polyline_length(decoded),
        "decoded chord": float(np.linalg.norm(decoded[-1] - decoded[0])),
    }


def distortion_by_region(decoder, codes: np.ndarray, labels: np.ndarray, grid_points: np.ndarray,
                         grid_values: np.ndarray, regions: dict | None = None) -> pd.Series:
    """Median distortion at the codes of each class and in the two kinds of empty latent region.

    A grid point is *empty* when it is farther from its nearest code than 99 % of codes are
    from their own nearest neighbour. Empty points inside the convex hull of the upper codes
    form the *gap* (the latent stand-in for the cut-out band between the rim and the tip);
    empty points outside it lie *beyond the rim*, where there were never any data. ``regions``: the values of
    :func:`region_distortions` for the same arguments, when they are already computed.
    """
    if regions is None:
        regions = region_distortions(decoder, codes, labels, grid_points, grid_values)
    tree, spacing, inside_rim = _emptiness(codes, labels, grid_points)
    peak = grid_points[np.argmax(grid_values)]
    peak_distance, peak_index = tree.query(peak)
    peak_is_empty = peak_distance > spacing and inside_rim[np.argmax(grid_values)]
    return pd.Series({
        "median at upper codes": np.median(regions["upper-class codes"]),
        "median at lower codes": np.median(regions["lower-class codes"]),
        "median in the gap": _median_or_nan(regions["the gap"]),
        "median beyond the rim": _median_or_nan(regions["beyond the rim"]),
        "grid peak": grid_values.max(),
        "class nearest the peak": "upper" if labels[peak_index] == UPPER else "lower",
        "peak in the gap": bool(peak_is_empty),
    })


def region_distortions(decoder, codes: np.ndarray, labels: np.ndarray, grid_points: np.ndarray,
                       grid_values: np.ndarray) -> dict[str, np.ndarray]:
    """The distortion values of each region (see :func:`distortion_by_region`): at the upper and the lower
    class's codes, and at the empty grid points in the gap and beyond the rim."""
    at_codes = geometry.distortion_from_jacobians(geometry.decoder_jacobian(decoder, codes))
    tree, spacing, inside_rim = _emptiness(codes, labels, grid_points)
    empty = tree.query(grid_points)[0] > spacing
    return {"upper-class codes": at_codes[labels == UPPER], "lower-class codes": at_codes[labels == LOWER],
            "the gap": grid_values[empty & inside_rim], "beyond the rim": grid_values[empty & ~inside_rim]}


def _emptiness(codes: np.ndarray, labels: np.ndarray, grid_points: np.ndarray):
    """What defines the empty regions: a KD-tree of the codes, the spacing beyond which a point is empty (the 99th
    percentile of the codes' nearest-neighbour distances), and which grid points lie inside the rim of upper codes."""
    tree = cKDTree(codes)
    spacing = np.quantile(tree.query(codes, k=2)[0][:, 1], 0.99)
    return tree, spacing, Delaunay(codes[labels == UPPER]).find_simplex(grid_points) >= 0


def distortion_ranking(regions: dict[str, np.ndarray], rng: np.random.Generator) -> tuple[pd.DataFrame, list]:
    """The regions ordered by their median distortion, largest first, each with the bootstrap standard error of
    its median (:func:`helpers.spread.bootstrap_median_error`); and, for each pair of neighbours in that order, the
    verdict of :func:`helpers.verdicts.difference` on their medians ("more stretched than" when resolved). Empty
    regions are left out."""
    rows = {name: {"median": float(np.median(v)), "± se": bootstrap_median_error(v, rng), "points": len(v)}
            for name, v in regions.items() if len(v)}
    table = pd.DataFrame(rows).T.sort_values("median", ascending=False).astype({"points": int})
    steps = [verdicts.difference(table.loc[a, "median"], table.loc[a, "± se"], table.loc[b, "median"],
                                 table.loc[b, "± se"], words=("more stretched than", "less stretched than",
                                                              "not resolved from"))
             for a, b in zip(table.index[:-1], table.index[1:], strict=True)]
    return table, steps


def ranking_template(names: list[str]) -> str:
    """The sentence pattern that walks a ranking pair by pair: "**a** {step0} **b**; **b** {step1} **c**", whose
    fields are the verdicts of :func:`distortion_ranking`."""
    pairs = zip(names[:-1], names[1:], strict=True)
    return "; ".join(f"**{a}** {{step{k}}} **{b}**" for k, (a, b) in enumerate(pairs))


def _median_or_nan(values: np.ndarray) -> float:
    return float(np.median(values)) if values.size else float("nan")


def peak_along(values: np.ndarray) -> float:
    """Relative position t ∈ [0, 1] of the maximum of a sequence sampled along a path."""
    return float(np.argmax(values) / max(len(values) - 1, 1))


def path_length_table(lengths: dict, reference: str) -> pd.DataFrame:
    """Input-space lengths of named paths, each also as a ratio to the ``reference`` path."""
    table = pd.DataFrame({"input-space length": pd.Series(lengths, dtype=float)})
    table[f"ratio to {reference}"] = table["input-space length"] / lengths[reference]
    return table


def path_walks(decoder, z_start, z_end, geodesic_curve) -> dict:
    """Decoded points of the two latent paths between the same ends, with the same number of steps n (the
    geodesic's): the straight line z(t) = (1 − t)·z_start + t·z_end at n equally spaced t (equal *latent* steps),
    and the latent geodesic's own n points (equal *decoded* steps, since its energy is least when evenly spaced).
    Returns ``{name: (n, 3) decoded points}``."""
    n = len(geodesic_curve)
    straight = inference.decode(decoder, straight_line(z_start, z_end, n))
    return {"straight latent line": straight, "latent geodesic": inference.decode(decoder, geodesic_curve)}


def walk_notes(walks: dict) -> list[str]:
    """One line per step of equally long decoded paths ``{name: (n, 3)}``: each path's height z and the decoded
    length it has travelled so far, Σ_{i<k} ‖p_{i+1} − p_i‖."""
    travelled = {name: np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(p, axis=0), axis=1))])
                 for name, p in walks.items()}
    steps = len(next(iter(walks.values())))
    return [" · ".join(f"{name}: height {walks[name][k, 2]:.2f}, travelled {travelled[name][k]:.2f}"
                       for name in walks) for k in range(steps)]

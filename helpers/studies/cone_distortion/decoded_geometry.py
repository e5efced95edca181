"""The numbers notebook 01 reports: latent statistics per class, lengths of decoded lines, the decoder's
local distortion √det(JᵀJ) (:mod:`helpers.geometry`) per region of the latent plane, and the straight line and the
geodesic walked in step for the notebook's explorer (:func:`path_walks`, :func:`walk_notes`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import Delaunay, cKDTree

from helpers import geometry, inference
from helpers.latent_paths import polyline_length, straight_line
from helpers.studies.cone_distortion.cone_points import LOWER, UPPER


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
                         grid_values: np.ndarray) -> pd.Series:
    """Median distortion at the codes of each class and in the two kinds of empty latent region.

    A grid point is *empty* when it is farther from its nearest code than 99 % of codes are
    from their own nearest neighbour. Empty points inside the convex hull of the upper codes
    form the *gap* (the latent stand-in for the cut-out band between the rim and the tip);
    empty points outside it lie *beyond the rim*, where there were never any data.
    """

    at_codes = geometry.distortion_from_jacobians(geometry.decoder_jacobian(decoder, codes))
    tree = cKDTree(codes)
    spacing = np.quantile(tree.query(codes, k=2)[0][:, 1], 0.99)
    empty = tree.query(grid_points)[0] > spacing
    inside_rim = Delaunay(codes[labels == UPPER]).find_simplex(grid_points) >= 0
    peak = grid_points[np.argmax(grid_values)]
    peak_distance, peak_index = tree.query(peak)
    peak_is_empty = peak_distance > spacing and inside_rim[np.argmax(grid_values)]
    return pd.Series({
        "median at upper codes": np.median(at_codes[labels == UPPER]),
        "median at lower codes": np.median(at_codes[labels == LOWER]),
        "median in the gap": _median_or_nan(grid_values[empty & inside_rim]),
        "median beyond the rim": _median_or_nan(grid_values[empty & ~inside_rim]),
        "grid peak": grid_values.max(),
        "class nearest the peak": "upper" if labels[peak_index] == UPPER else "lower",
        "peak in the gap": bool(peak_is_empty),
    })


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

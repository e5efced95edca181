"""Study 1 (cone distortion): the data, the rules of the notebook's parameters, its one model, and the
numbers the notebook reports.

The data are points on the known surface z = tanh(4r)², r = √(x² + y²), with the middle band cut out:
an *upper* class (z ≥ 0.8) and a *lower* class (z ≤ 0.2). A 2-D-latent β-VAE (an MLP, see
:func:`helpers.models.build_mlp_vae`) is trained on them by :func:`train_or_load_vae`, the study's one
entry to training. The analysis measures lengths of decoded lines and the decoder's local distortion
√det(JᵀJ) (:mod:`helpers.geometry`) per region of the latent plane, and walks the straight line and the
geodesic in step for the notebook's explorer (:func:`path_walks`, :func:`walk_notes`).
"""

from __future__ import annotations
from dataclasses import dataclass
import numpy as np
import pandas as pd
from scipy.spatial import Delaunay, cKDTree

from helpers import lazy_module
from helpers.latent_paths import polyline_length, straight_line
from helpers.validation import ACTIVATIONS, OPTIMIZERS, SEED, Choice, Constraint, Flag, Integer, Real, Rules

# TensorFlow-backed modules load on first use, so the parameters are checked before TensorFlow loads.
geometry = lazy_module("helpers.geometry")
model_io = lazy_module("helpers.model_io")
models = lazy_module("helpers.models")
training = lazy_module("helpers.training")


# ---------------------------------------------------------------- data: points on the surface

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


# ---------------------------------------------------------------- parameters and analysis

def class_sizes(seed: int, n_points: int) -> dict:
    """Points per class the notebook keeps: its first draw from ``default_rng(seed)`` is
    ``make_cone_points(n_points, rng)`` (cheap numpy, no model)."""
    labels = make_cone_points(n_points, np.random.default_rng(seed)).labels
    return {"upper": int((labels == UPPER).sum()), "lower": int((labels == LOWER).sum())}


def _plotted_points_fit(seed: int, n_points: int, plotted_points_per_class: int) -> str | None:
    lower = class_sizes(seed, n_points)["lower"]
    if plotted_points_per_class > lower:
        needed = int(np.ceil(plotted_points_per_class * n_points / max(lower, 1)))
        return (f"the lower class (the tip, about 4.5 % of the points) keeps only {lower} points, so the scatter "
                f"plots cannot show plotted_points_per_class of each class: use plotted_points_per_class <= {lower}, "
                f"or n_points of about {needed} or more")
    return None


PARAMETERS = Rules({
    "seed": SEED,
    "n_points": Integer(1_000, 1_000_000),
    "latent_dim": Choice((2,)),  # the latent plane, grid and heatmap figures need 2-D codes
    "hidden_units": Integer(2, 512),
    "activation": ACTIVATIONS,
    "beta": Real(0.0, 100.0),
    "decoder_scale": Real(0.0, 10.0, low_inclusive=False),
    "optimizer": OPTIMIZERS,
    "learning_rate": Real(0.0, 1.0, low_inclusive=False),
    "epochs": Integer(1, 1_000),
    "batch_size": Integer(1, 65_536),
    "steps_per_execution": Integer(1, 1_024),
    "grid_points_per_axis": Integer(10, 400),
    "line_points": Integer(2, 10_000),
    "plotted_points_per_class": Integer(10, 20_000),
    "geodesic_points": Integer(3, 1_000),
    "geodesic_iterations": Integer(1, 100_000),
    "geodesic_init": Choice(("graph", "line")),
    "surface_mesh_points": Integer(21, 1_001),
    "force_retrain": Flag(),
}, constraints=(Constraint("plotted points", ("seed", "n_points", "plotted_points_per_class"), _plotted_points_fit),))


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
    decoded = model_io.decode(decoder, line)
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


# ---------------------------------------------------------------- the model and its training

def train_or_load_vae(points: np.ndarray, *, seed: int, n_points: int, latent_dim: int, hidden_units: int,
                      activation: str, beta: float, decoder_scale: float, optimizer: str, learning_rate: float,
                      epochs: int, batch_size: int, steps_per_execution: int, force_retrain: bool = False):
    """The study's one entry to training: build the β-VAE (an MLP with two hidden layers of ``hidden_units``,
    softplus posterior variances, a Gaussian decoder of fixed scale ``decoder_scale``), then load its
    weights from the cache or train it. The cache key is read from the model itself plus the data's
    ``n_points``. Returns ``(vae, FitResult)``."""
    training.set_seed(seed)  # the initial weights, if it trains
    vae = models.build_mlp_vae(input_dim=points.shape[1], latent_dim=latent_dim,
                               hidden_units=(hidden_units, hidden_units), activation=activation,
                               variance="softplus", beta=beta, decoder_scale=decoder_scale, seed=seed)
    vae.compile(optimizer=models.make_optimizer(optimizer, learning_rate), steps_per_execution=steps_per_execution)
    fit = training.fit_or_load(vae, points, name="cone_vae", settings={"study": "cone", "n_points": n_points},
                               epochs=epochs, batch_size=batch_size, seed=seed, force_retrain=force_retrain)
    return vae, fit


# ---------------------------------------------------------------- walking both paths (the explorer)

def path_walks(decoder, z_start, z_end, geodesic_curve) -> dict:
    """Decoded points of the two latent paths between the same ends, with the same number of steps n (the
    geodesic's): the straight line z(t) = (1 − t)·z_start + t·z_end at n equally spaced t (equal *latent* steps),
    and the latent geodesic's own n points (equal *decoded* steps, since its energy is least when evenly spaced).
    Returns ``{name: (n, 3) decoded points}``."""
    n = len(geodesic_curve)
    straight = model_io.decode(decoder, straight_line(z_start, z_end, n))
    return {"straight latent line": straight, "latent geodesic": model_io.decode(decoder, geodesic_curve)}


def walk_notes(walks: dict) -> list[str]:
    """One line per step of equally long decoded paths ``{name: (n, 3)}``: each path's height z and the decoded
    length it has travelled so far, Σ_{i<k} ‖p_{i+1} − p_i‖."""
    travelled = {name: np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(p, axis=0), axis=1))])
                 for name, p in walks.items()}
    steps = len(next(iter(walks.values())))
    return [" · ".join(f"{name}: height {walks[name][k, 2]:.2f}, travelled {travelled[name][k]:.2f}"
                       for name in walks) for k in range(steps)]

"""Latent geodesics under the decoder's pull-back metric, and true geodesics on a known surface.

A latent curve z(t), t ∈ [0, 1], decoded to x(t) = g(z(t)) has input-space

    length  L = ∫ ‖ẋ(t)‖ dt          and      energy  E = ∫ ‖ẋ(t)‖² dt ≥ L².

With N points z_0 … z_{N−1} (step Δt = 1/(N−1)) the discrete versions are

    L ≈ Σ_i ‖g(z_{i+1}) − g(z_i)‖,        E ≈ (N−1) Σ_i ‖g(z_{i+1}) − g(z_i)‖².

A *latent geodesic* keeps both ends fixed and moves the interior points to minimise E
(minimising E rather than L also spaces the points evenly in input space; at the minimum
E = L²). We minimise with scipy's L-BFGS, fed by TensorFlow gradients of E, starting from the
straight latent line or from a shortest path on a latent grid graph (Arvanitidis et al. 2018,
"Latent Space Oddity"; Chen et al. 2018, "Metrics for Deep Generative Models").
For a decoder with a fixed output variance — every decoder in this project — the expected
metric E[JᵀJ] of a stochastic decoder reduces to the mean's JᵀJ: the variance term vanishes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.optimize
import scipy.sparse
import scipy.sparse.csgraph

import helpers.env  # noqa: F401
import tensorflow as tf

from helpers.geometry import latent_grid
from helpers.latent_paths import straight_line
from helpers.inference import decode


def _flat(decoder, z):
    x = decoder(z, training=False) if hasattr(decoder, "layers") else decoder(z)
    return tf.reshape(tf.cast(x, tf.float64), (tf.shape(z)[0], -1))


def curve_energy(decoder, curve) -> float:
    """Discrete energy (N−1) Σ‖g(z_{i+1}) − g(z_i)‖², decoding all N points in one batch."""
    x = decode(decoder, curve).reshape(len(curve), -1).astype(np.float64)
    return float((len(curve) - 1) * np.sum(np.diff(x, axis=0) ** 2))


def curve_length(decoder, curve) -> float:
    """Discrete input-space length Σ‖g(z_{i+1}) − g(z_i)‖ of a latent polyline."""
    x = decode(decoder, curve).reshape(len(curve), -1).astype(np.float64)
    return float(np.linalg.norm(np.diff(x, axis=0), axis=1).sum())


@dataclass
class Geodesic:
    """A minimised latent curve with the energy after every L-BFGS iteration."""

    curve: np.ndarray  # (N, d) latent points, ends fixed
    energies: np.ndarray  # energy at the start and after each iteration
    length: float  # input-space length of the final curve
    iterations: int
    converged: bool


def resample(curve: np.ndarray, n_points: int) -> np.ndarray:
    """n_points along a polyline, equally spaced by its own (latent) arc length."""
    curve = np.asarray(curve, np.float64)
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(curve, axis=0), axis=1))])
    targets = np.linspace(0.0, arc[-1], n_points)
    return np.column_stack([np.interp(targets, arc, curve[:, j]) for j in range(curve.shape[1])])


def latent_geodesic(decoder, z_start, z_end, n_points: int = 32, max_iterations: int = 500,
                    tolerance: float = 1e-10, initial: np.ndarray | None = None) -> Geodesic:
    """Minimise the decoded curve energy over the interior points of a latent curve.

    ``initial`` (any polyline from z_start to z_end) defaults to the straight line; it is
    resampled to ``n_points``. L-BFGS's line search accepts only steps that lower the
    energy, so the recorded energies decrease monotonically.
    """
    if n_points < 3:
        raise ValueError(f"n_points must be >= 3 (two fixed ends and an interior), got {n_points}")
    if max_iterations < 1:
        raise ValueError(f"max_iterations must be >= 1, got {max_iterations}")
    z_start, z_end = np.asarray(z_start, np.float64), np.asarray(z_end, np.float64)
    if initial is None:
        initial = straight_line(z_start, z_end, n_points, dtype=np.float64)
    curve0 = resample(initial, n_points)
    curve0[0], curve0[-1] = z_start, z_end
    shape = curve0[1:-1].shape
    ends = tf.constant(np.stack([z_start, z_end]), tf.float64)

    @tf.function(reduce_retracing=True)
    def energy_and_gradient(interior):
        with tf.GradientTape() as tape:
            tape.watch(interior)
            curve = tf.concat([ends[:1], interior, ends[1:]], axis=0)
            x = _flat(decoder, tf.cast(curve, tf.float32))
            energy = (n_points - 1) * tf.reduce_sum(tf.square(x[1:] - x[:-1]))
        return energy, tape.gradient(energy, interior)

    def objective(flat):
        energy, gradient = energy_and_gradient(tf.constant(flat.reshape(shape)))
        return float(energy), gradient.numpy().ravel().astype(np.float64)

    energies = [objective(curve0[1:-1].ravel())[0]]

    def record(intermediate_result):  # scipy passes an OptimizeResult to a parameter of this name
        energies.append(float(intermediate_result.fun))

    result = scipy.optimize.minimize(
        objective, curve0[1:-1].ravel(), jac=True, method="L-BFGS-B",
        options={"maxiter": max_iterations, "ftol": tolerance, "gtol": 1e-12}, callback=record,
    )
    curve = np.vstack([z_start, result.x.reshape(shape), z_end])
    return Geodesic(curve, np.array(energies), curve_length(decoder, curve), int(result.nit), bool(result.success))


def evenly_spaced_rows(curve: np.ndarray, count: int) -> np.ndarray:
    """``count`` rows of a discretised curve at evenly spaced indices, both ends included.

    A minimised geodesic has (nearly) equal decoded steps, so these are also (nearly)
    evenly spaced in input space.
    """
    return np.asarray(curve)[np.round(np.linspace(0, len(curve) - 1, count)).astype(int)]


def straight_and_geodesic(decoder, z_a, z_b, steps: int, n_points: int = 32, max_iterations: int = 300) -> dict:
    """Decoded interpolations between two codes: the straight latent line and the latent geodesic,
    ``steps`` images each, with their input-space lengths (measured on ``n_points`` points)."""
    line = straight_line(z_a, z_b, n_points, dtype=np.float64)
    geodesic = latent_geodesic(decoder, z_a, z_b, n_points, max_iterations)
    return {
        "straight": {"images": decode(decoder, evenly_spaced_rows(line, steps)), "length": curve_length(decoder, line)},
        "geodesic": {"images": decode(decoder, evenly_spaced_rows(geodesic.curve, steps)), "length": geodesic.length},
    }


KING_MOVES = ((0, 1), (1, 0), (1, 1), (1, -1))
KNIGHT_MOVES = ((1, 2), (2, 1), (1, -2), (2, -1))


def grid_edges(points_per_axis: int, offsets) -> tuple[np.ndarray, np.ndarray]:
    """Edges (i, j) between vertices of an n×n grid (row-major) that differ by the given offsets."""
    n = points_per_axis
    r, c = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    sources, targets = [], []
    for d_row, d_col in offsets:
        r2, c2 = r + d_row, c + d_col
        inside = (r2 >= 0) & (r2 < n) & (c2 >= 0) & (c2 < n)
        sources.append((r * n + c)[inside])
        targets.append((r2 * n + c2)[inside])
    return np.concatenate(sources), np.concatenate(targets)


def graph_shortest_path(vertices: np.ndarray, points_per_axis: int, offsets, start: int, end: int):
    """Dijkstra between two vertices of a grid graph whose edges weigh the Euclidean distance
    between the vertices' ``vertices`` rows. Returns (vertex indices of the path, length)."""
    sources, targets = grid_edges(points_per_axis, offsets)
    weights = np.linalg.norm(vertices[sources] - vertices[targets], axis=1) + 1e-15
    size = len(vertices)
    graph = scipy.sparse.coo_matrix((weights, (sources, targets)), shape=(size, size)).tocsr()
    distances, predecessors = scipy.sparse.csgraph.dijkstra(graph, directed=False, indices=start,
                                                            return_predecessors=True)
    path = [end]
    while path[-1] != start:
        path.append(predecessors[path[-1]])
    return np.array(path[::-1]), float(distances[end])


def latent_graph_path(decoder, low, high, points_per_axis: int, z_start, z_end) -> np.ndarray:
    """Shortest path on the latent grid graph (8-neighbourhood) whose edges weigh the decoded
    distance ‖g(u) − g(v)‖; returns the latent polyline z_start → grid path → z_end.

    A global (if coarse) answer that does not depend on a starting curve: a good initial
    curve for :func:`latent_geodesic` when the straight line crosses a high-distortion region.
    """
    _, _, nodes = latent_grid(low, high, points_per_axis)
    decoded = decode(decoder, nodes).reshape(len(nodes), -1).astype(np.float64)
    start = int(np.argmin(np.linalg.norm(nodes - np.asarray(z_start), axis=1)))
    end = int(np.argmin(np.linalg.norm(nodes - np.asarray(z_end), axis=1)))
    path, _ = graph_shortest_path(decoded, points_per_axis, KING_MOVES, start, end)
    return np.vstack([z_start, nodes[path], z_end]).astype(np.float64)


#: How much longer than the smooth geodesic a 16-neighbour mesh path may be (:func:`surface_shortest_path`): about
#: 1 %, the bound that tests/test_geodesics.py checks on planes.
MESH_PATH_ERROR = 0.01


def surface_shortest_path(height, start_xy, end_xy, half_width: float = 0.5, points_per_axis: int = 301):
    """Shortest path between two points of the surface z = height(x, y) over [−w, w]²,
    independent of any model: Dijkstra on a fine mesh of the analytic surface whose edges
    join each vertex to its 16 neighbours (8 adjacent, 8 knight's moves), weighted by their
    3-D length. Returns (path (k, 3), length). The knight's moves keep the mesh path within
    about 1 % of the smooth geodesic (tests: planes, where the geodesic is the straight segment).
    """
    axis = np.linspace(-half_width, half_width, points_per_axis)
    gx, gy = np.meshgrid(axis, axis)
    vertices = np.column_stack([gx.ravel(), gy.ravel(), height(gx, gy).ravel()])
    start = int(np.argmin(np.linalg.norm(vertices[:, :2] - np.asarray(start_xy), axis=1)))
    end = int(np.argmin(np.linalg.norm(vertices[:, :2] - np.asarray(end_xy), axis=1)))
    path, length = graph_shortest_path(vertices, points_per_axis, KING_MOVES + KNIGHT_MOVES, start, end)
    return vertices[path], length

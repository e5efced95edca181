"""Geodesics against known answers: straight lines for linear decoders, great circles on a sphere."""

import keras
import numpy as np
import pytest
from conftest import linear_decoder
from keras import ops

from bench.reference import curve_energy_looped
from helpers import geodesics


class SphereChart(keras.Model):
    """g(θ, φ) = (sin θ cos φ, sin θ sin φ, cos θ): the unit sphere in spherical coordinates."""

    def call(self, z):
        theta, phi = z[:, 0], z[:, 1]
        return ops.stack([ops.sin(theta) * ops.cos(phi), ops.sin(theta) * ops.sin(phi), ops.cos(theta)], axis=1)


def great_circle(theta_phi_a, theta_phi_b):
    p, q = (np.array([np.sin(t) * np.cos(f), np.sin(t) * np.sin(f), np.cos(t)]) for t, f in (theta_phi_a, theta_phi_b))
    return float(np.arccos(np.clip(p @ q, -1, 1)))


def test_linear_decoder_geodesic_is_the_evenly_spaced_straight_line():
    a = np.array([[1.0, 0.5], [0.0, 2.0], [1.0, -1.0]])
    decoder = linear_decoder(a, [0.0, 0.0, 0.0])
    start, end = np.array([-1.0, 0.5]), np.array([2.0, -1.0])
    wiggly = np.linspace(0, 1, 16)[:, None] * (end - start) + start
    wiggly[1:-1] += np.random.default_rng(0).normal(scale=0.3, size=(14, 2))
    result = geodesics.latent_geodesic(decoder, start, end, n_points=16, initial=wiggly)
    straight = np.linspace(0, 1, 16)[:, None] * (end - start) + start
    np.testing.assert_allclose(result.curve, straight, atol=1e-3)
    assert result.length == pytest.approx(np.linalg.norm(a @ (end - start)), rel=1e-5)


def test_sphere_geodesic_matches_the_great_circle_within_half_a_percent():
    a, b = (0.3, -1.5), (0.3, 1.5)  # same latitude near the pole: the great circle cuts across
    result = geodesics.latent_geodesic(SphereChart(), a, b, n_points=64, max_iterations=2000)
    straight_length = geodesics.curve_length(SphereChart(), np.linspace(0, 1, 64)[:, None] * np.subtract(b, a) + a)
    truth = great_circle(a, b)
    assert result.length == pytest.approx(truth, rel=5e-3)
    assert straight_length > truth * 1.3  # the straight latent line is clearly longer: the test has teeth


def test_energy_decreases_monotonically_and_bounds_the_squared_length():
    result = geodesics.latent_geodesic(SphereChart(), (0.6, -1.2), (2.2, 1.0), n_points=32, max_iterations=200)
    assert np.all(np.diff(result.energies) <= 1e-9 * result.energies[0])
    assert result.energies[-1] < result.energies[0]
    assert result.energies[-1] >= result.length**2 * (1 - 1e-6)  # Cauchy–Schwarz: E ≥ L²


def test_batched_and_looped_energy_agree():
    curve = np.random.default_rng(1).normal(size=(12, 2)).astype(np.float32)
    decoder = linear_decoder([[1.0, 2.0], [0.5, 0.0], [0.0, 1.0]], [0.1, 0.2, 0.3])
    assert geodesics.curve_energy(decoder, curve) == pytest.approx(curve_energy_looped(decoder, curve))


def test_surface_shortest_path_on_a_tilted_plane_is_the_straight_segment():
    path, length = geodesics.surface_shortest_path(lambda x, y: 0.5 * x - 0.3 * y, (-0.4, -0.3), (0.35, 0.45))
    start, end = path[0], path[-1]
    assert length == pytest.approx(np.linalg.norm(end - start), rel=geodesics.MESH_PATH_ERROR)


def test_latent_graph_path_on_a_linear_decoder_joins_the_ends():
    decoder = linear_decoder(np.eye(3)[:, :2], [0.0, 0.0, 0.0])
    path = geodesics.latent_graph_path(decoder, (-1, -1), (1, 1), 21, (-0.9, -0.8), (0.9, 0.7))
    np.testing.assert_allclose(path[[0, -1]], [[-0.9, -0.8], [0.9, 0.7]])
    assert geodesics.curve_length(decoder, path) == pytest.approx(np.hypot(1.8, 1.5), rel=0.1)


@pytest.mark.parametrize("kwargs, name", [({"n_points": 2}, "n_points"), ({"max_iterations": 0}, "max_iterations")])
def test_bad_solver_arguments_are_rejected(kwargs, name):
    with pytest.raises(ValueError, match=name):
        geodesics.latent_geodesic(SphereChart(), (0.5, 0.0), (1.0, 1.0), **kwargs)


def test_resample_spaces_points_evenly():
    points = geodesics.resample(np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 3.0]]), 5)
    np.testing.assert_allclose(np.linalg.norm(np.diff(points, axis=0), axis=1), 1.0)


def test_straight_and_geodesic_share_their_ends_and_the_geodesic_is_not_longer():
    decoder = SphereChart()
    result = geodesics.straight_and_geodesic(decoder, (0.3, -1.5), (0.3, 1.5), steps=5, n_points=24)
    for kind in ("straight", "geodesic"):
        assert result[kind]["images"].shape == (5, 3)
    np.testing.assert_allclose(result["straight"]["images"][[0, -1]], result["geodesic"]["images"][[0, -1]], atol=1e-6)
    assert result["geodesic"]["length"] < result["straight"]["length"]


def test_evenly_spaced_rows_keep_both_ends():
    rows = geodesics.evenly_spaced_rows(np.arange(10)[:, None], 4)
    np.testing.assert_array_equal(rows.ravel(), [0, 3, 6, 9])

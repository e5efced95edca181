"""Jacobians, distortion and curve lengths against finite differences and closed forms."""

import numpy as np
import pytest
from conftest import linear_decoder

from bench.reference import jacobian_per_output, jacobian_per_point
from helpers import geodesics, inference
from helpers import geometry, latent_paths
from helpers.models import build_mlp_vae


@pytest.fixture(scope="module")
def decoder():
    return build_mlp_vae(latent_dim=2, hidden_units=(16, 16), seed=3).decoder


def central_differences(decoder, z, h=1e-2):
    """J[n, :, j] ≈ (g(z + h e_j) − g(z − h e_j)) / 2h, evaluated in float64 via the float32 model."""
    columns = []
    for j in range(z.shape[1]):
        step = np.zeros_like(z)
        step[:, j] = h
        plus = inference.decode(decoder, z + step).astype(np.float64)
        minus = inference.decode(decoder, z - step).astype(np.float64)
        columns.append((plus - minus) / (2 * h))
    return np.stack(columns, axis=-1)


@pytest.mark.parametrize("method", ["reverse", "forward"])
def test_jacobian_matches_central_differences(decoder, method):
    z = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    analytic = geometry.decoder_jacobian(decoder, z, method)
    numeric = central_differences(decoder, z)
    assert analytic.shape == (64, 3, 2)
    np.testing.assert_allclose(analytic, numeric, atol=2e-3 * np.abs(numeric).max())


def test_all_jacobian_methods_agree(decoder):
    z = np.random.default_rng(1).normal(size=(20, 2)).astype(np.float32)
    reference = geometry.jacobian_reverse(decoder, z)
    for other in (geometry.jacobian_forward(decoder, z), jacobian_per_output(decoder, z),
                  jacobian_per_point(decoder, z)):
        np.testing.assert_allclose(other, reference, rtol=1e-4, atol=1e-6)


def test_jacobian_rejects_unknown_method(decoder):
    with pytest.raises(ValueError, match="method"):
        geometry.decoder_jacobian(decoder, np.zeros((1, 2)), "sideways")


def test_distortion_of_linear_decoder_is_sqrt_det_ata():
    a = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.25]])
    decoder = linear_decoder(a, [0.1, -0.2, 0.3])
    _, _, values = geometry.distortion_on_grid(decoder, (-1, -2), (1, 2), 7)
    expected = np.sqrt(np.linalg.det(a.T @ a))
    np.testing.assert_allclose(values, expected, rtol=1e-5)


def test_distortion_of_a_scaled_isometry_is_the_area_factor():
    jacobians = np.repeat((3.0 * np.eye(3)[:, :2])[None], 4, axis=0)  # stretches both axes by 3
    np.testing.assert_allclose(geometry.distortion_from_jacobians(jacobians), 9.0)


def test_curve_lengths_of_a_linear_decoder():
    a = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    decoder = linear_decoder(a, [0.0, 0.0, 0.0])
    line = latent_paths.straight_line([0, 0], [1, 2], 11)
    np.testing.assert_allclose(line[[0, -1]], [[0, 0], [1, 2]])
    assert geodesics.curve_length(decoder, line) == pytest.approx(np.linalg.norm(a @ [1, 2]), rel=1e-5)


def test_polyline_length_of_a_right_angle():
    assert latent_paths.polyline_length(np.array([[0, 0], [3, 0], [3, 4]])) == pytest.approx(7.0)


def test_latent_grid_is_row_major_in_the_second_axis():
    a0, a1, points = geometry.latent_grid((0, 10), (1, 12), 3)
    np.testing.assert_allclose(points.reshape(3, 3, 2)[1, 2], [a0[2], a1[1]])


def test_distortion_on_a_plane_of_a_linear_decoder():
    a = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 1.0], [3.0, 0.25, -2.0], [0.0, 1.0, 1.0]])
    decoder = linear_decoder(a, np.zeros(4))
    basis = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 2)))[0]
    _, _, values, points = geometry.distortion_on_plane(decoder, [0.3, -0.2, 0.1], basis, 1.5, 5)
    np.testing.assert_allclose(values, np.sqrt(np.linalg.det(basis.T @ a.T @ a @ basis)), rtol=1e-4)
    np.testing.assert_allclose((points - [0.3, -0.2, 0.1]) @ np.cross(*basis.T), 0.0, atol=1e-5)  # in the plane


def test_jacobian_vector_products_known_answer_and_full_jacobian(decoder):
    matrix = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])  # D = 2, d = 3: J = matrix everywhere
    linear = linear_decoder(matrix, [0.0, 1.0])
    directions = np.array([[1.0, 0.0], [0.0, 0.6], [0.0, 0.8]])
    products = geometry.jacobian_vector_products(linear, np.zeros((4, 3)), directions, chunk_size=3)
    np.testing.assert_allclose(products, np.broadcast_to(matrix @ directions, (4, 2, 2)), rtol=1e-6)
    z = np.random.default_rng(8).standard_normal((30, 2)).astype(np.float32)
    np.testing.assert_allclose(geometry.jacobian_vector_products(decoder, z, np.eye(2)),
                               geometry.decoder_jacobian(decoder, z, "forward"), rtol=1e-5, atol=1e-6)


def test_distortion_on_plane_agrees_across_methods():
    linear = linear_decoder(np.random.default_rng(9).standard_normal((6, 3)), np.zeros(6))
    basis = np.linalg.qr(np.random.default_rng(10).standard_normal((3, 2)))[0]
    forward = geometry.distortion_on_plane(linear, np.zeros(3), basis, 1.0, 5)[2]
    reverse = geometry.distortion_on_plane(linear, np.zeros(3), basis, 1.0, 5, method="reverse")[2]
    a = linear.layers[-1].get_weights()[0].T.astype(np.float64) @ basis  # J·B for the linear map
    np.testing.assert_allclose(forward, np.sqrt(np.linalg.det(a.T @ a)), rtol=1e-5)
    np.testing.assert_allclose(reverse, forward, rtol=1e-5)

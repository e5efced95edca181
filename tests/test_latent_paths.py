"""Latent paths and their measurements, checked with the generator itself as the 'decoder'."""

import numpy as np
import pytest

from helpers import heatmaps, latent_paths
from helpers.studies.gaussian_heatmaps import alignment_scores, trajectories


class FactorDecoder:
    """A perfect decoder whose latent code *is* (var_x, var_y, cor)."""

    def predict(self, z, batch_size=None, verbose=0):
        return heatmaps.gaussian_heatmaps(np.asarray(z, np.float64))[..., None]


def test_nearest_factor_index():
    factors = heatmaps.factor_grid()
    i = trajectories.nearest_factor_index(factors, (0.1, 4.9, 0.0))
    np.testing.assert_allclose(factors[i, :2], [0.1, 4.9], atol=1e-9)
    assert abs(factors[i, 2]) < 0.051


def test_rotation_keeps_distance_to_axis_and_closes():
    centre, axis, point = np.array([1.0, 2, 3]), np.array([0, 0, 2.0]), np.array([2.0, 2, 5])
    path = latent_paths.rotation_path(point, centre, axis, 33)
    radial = (path - centre)[:, :2]
    np.testing.assert_allclose(np.linalg.norm(radial, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(path[:, 2], 5.0, atol=1e-6)
    np.testing.assert_allclose(path[-1], path[0], atol=1e-5)
    np.testing.assert_allclose(path[8], [1, 3, 5], atol=1e-5)  # quarter turn


def test_bounding_plane_supports_the_codes():
    codes = np.random.default_rng(1).normal(size=(500, 3)) * [3, 1, 0.2]
    for side in (+1, -1):
        path, normal, offset = latent_paths.bounding_plane_path(codes, 20, side)
        assert (codes @ normal <= offset + 1e-9).all()
        np.testing.assert_allclose(path @ normal, offset, atol=1e-4)


def test_emptiest_point_finds_a_hole():
    rng = np.random.default_rng(0)
    cube = rng.uniform(-1, 1, size=(4000, 3))
    codes = cube[np.linalg.norm(cube, axis=1) > 0.5]
    point, gap = latent_paths.emptiest_point(codes, rng)
    assert np.linalg.norm(point) < 0.2 and gap > 0.3


def test_monotonicity():
    assert trajectories.monotonicity(np.arange(10.0) ** 2) == pytest.approx(1.0)
    assert trajectories.monotonicity(-np.arange(10.0)) == pytest.approx(-1.0)
    assert trajectories.monotonicity(np.ones(5)) == 0.0


def test_path_table_with_a_perfect_decoder():
    factors = heatmaps.factor_grid()
    path = trajectories.factor_line(factors, factors, (0.5, 0.5, 0.05), (4.5, 4.5, 0.05), 15)
    table = trajectories.path_table(FactorDecoder(), {"size": path})
    assert table.loc["size", "r_s var_x"] == pytest.approx(1.0)
    assert table.loc["size", "r_s var_y"] == pytest.approx(1.0)
    assert np.isnan(table.loc["size", "r_s cor"])  # cor stays at 0.05: ranking it would rank noise
    assert table.loc["size", "residual max"] < 1e-5


def test_rank_trend_is_left_out_on_a_closed_path_and_where_the_factor_barely_moves():
    rising = np.linspace(0.1, 4.9, 20)
    assert trajectories.ranked_trend(rising, 4.8, closed=False) == pytest.approx(1.0)
    assert np.isnan(trajectories.ranked_trend(rising, 4.8, closed=True))
    assert np.isnan(trajectories.ranked_trend(2.5 + 0.04 * np.sin(np.arange(20.0)), 4.8, closed=False))
    ring = latent_paths.rotation_path(np.array([1.0, 0, 0]), np.zeros(3), np.array([0, 0, 1.0]), 25)
    assert trajectories.is_closed(ring) and not trajectories.is_closed(ring[:-3])


def test_isovariance_path_follows_the_knots():
    factors = heatmaps.factor_grid()
    path, knots = trajectories.isovariance_path(factors, factors, 50)
    assert len(knots) == 25 and np.allclose(knots[:, 0], knots[:, 1])
    np.testing.assert_allclose(path[:, 0], path[:, 1], atol=1e-3)
    assert trajectories.monotonicity(path[:, 0]) == pytest.approx(1.0)


def test_hull_perturbations_move_outwards():
    codes = np.random.default_rng(2).normal(size=(300, 3))
    moved = latent_paths.hull_perturbations(codes, np.random.default_rng(0), steps=(0.0, 0.5))
    centre = codes.mean(0)
    assert (np.linalg.norm(moved[0.5] - centre, axis=1) > np.linalg.norm(moved[0.0] - centre, axis=1)).all()


# ---------------------------------------------------------------- probes (studies 2 and 3)

def test_linear_probe_recovers_a_linear_factor_and_not_a_quadratic_one():
    from helpers import probes

    rng = np.random.default_rng(0)
    z_train, z_test = rng.normal(size=(500, 3)), rng.normal(size=(200, 3))
    factors = lambda z: np.column_stack([2 * z[:, 0] - z[:, 1], z[:, 2] ** 2])  # noqa: E731
    r2 = probes.linear_probe_r2(z_train, factors(z_train), z_test, factors(z_test), ["linear", "quadratic"])
    assert r2["linear"] > 0.999 and r2["quadratic"] < 0.1


def test_knn_and_logistic_probes_on_separable_classes():
    from helpers import probes

    rng = np.random.default_rng(1)
    z = rng.normal(size=(400, 3))
    labels = np.where(z[:, 0] > 0, 2, 200)
    z[:, 0] += np.sign(z[:, 0])  # a margin between the classes
    knn = probes.knn_probe(z[:300], labels[:300], z[300:], labels[300:], k_values=range(3, 8), positive=2)
    assert knn["accuracy"] == 1.0 and knn["f1"] == 1.0 and 3 <= knn["k"] <= 7
    assert probes.logistic_probe(z[:300], labels[:300], z[300:], labels[300:], positive=2)["accuracy"] == 1.0


def test_pca_features_shapes():
    from helpers import probes

    x = np.random.default_rng(2).random((50, 36, 36, 1))
    train, test = probes.pca_features(x[:40], x[40:], components=3)
    assert train.shape == (40, 3) and test.shape == (10, 3)


# ---------------------------------------------------------------- traversals (issue 13)

def test_percentile_sweeps_run_one_coordinate_between_its_percentiles():
    codes = np.random.default_rng(3).normal(size=(5000, 3)) * [1.0, 2.0, 0.5] + [1.0, 0.0, -1.0]
    sweeps = latent_paths.percentile_sweeps(codes, 7)
    assert sweeps.shape == (3, 7, 3) and sweeps.dtype == np.float32
    low, high = np.percentile(codes, [2, 98], axis=0)
    for k in range(3):
        np.testing.assert_allclose(sweeps[k, :, k], np.linspace(low[k], high[k], 7), rtol=1e-6)
        others = [j for j in range(3) if j != k]
        np.testing.assert_allclose(sweeps[k][:, others], np.tile(np.median(codes, 0)[others], (7, 1)), rtol=1e-6)


def test_percentile_sweeps_along_a_rotated_basis_move_along_its_rows():
    codes = np.random.default_rng(4).normal(size=(3000, 3)) * [3.0, 1.0, 0.3]
    _, basis = latent_paths.principal_axes(codes)
    sweeps = latent_paths.percentile_sweeps(codes, 5, basis, percentiles=(10, 90))
    for k in range(3):
        steps = np.diff(sweeps[k].astype(np.float64), axis=0)
        np.testing.assert_allclose(np.abs(steps @ basis[k]), np.linalg.norm(steps, axis=1), rtol=1e-4)  # along B_k
        coordinate = sweeps[k].astype(np.float64) @ basis[k]
        np.testing.assert_allclose(coordinate[[0, -1]], np.percentile(codes @ basis[k], [10, 90]), rtol=1e-4, atol=1e-5)


def test_a_decoder_whose_code_is_the_factors_has_a_diagonal_sensitivity_matrix():
    factors = heatmaps.factor_grid()[::5]
    traversals = alignment_scores.axis_traversals(FactorDecoder(), factors, 9)
    assert list(traversals) == ["z1", "z2", "z3"]
    images, found, residual = traversals["z1"]
    assert images.shape == (9, 36, 36, 1) and found.shape == (9, 3) and residual.shape == (9,)
    table = alignment_scores.sensitivity_table(traversals, factors)
    low, high = np.percentile(factors, [2, 98], axis=0)
    expected = np.diag((high - low) / np.ptp(factors, axis=0))  # each sweep moves its own factor only, monotonically
    np.testing.assert_allclose(table[list(heatmaps.FACTORS)].to_numpy(), expected, atol=1e-3)
    assert (table["max residual"] < 1e-5).all()


def test_the_empty_walk_reading_follows_the_two_validity_verdicts():
    assert "contradicts" in trajectories.empty_walk_reading(True, False)
    assert "bears" in trajectories.empty_walk_reading(False, True)
    assert "does not bear" in trajectories.empty_walk_reading(False, False)
    assert "too close" in trajectories.empty_walk_reading(None, True)


def test_validity_is_the_residual_against_the_bar_and_too_close_calls_get_no_verdict():
    import pandas as pd

    walks = pd.DataFrame({"gap / typical spacing": [3.0, 9.0], "residual at ends (mean)": [0.0715, 0.05],
                          "residual at emptiest point": [0.2, 0.3], "residual max along path": [0.2, 0.3]},
                         index=["VAE", "AE"])
    pushed = pd.DataFrame({"step 0": [0.02, 0.01], "step 0.8": [0.2, 0.3]}, index=["VAE", "AE"])
    values = trajectories.empty_space_values(walks, pushed, {"VAE": 0.072, "AE": 0.1})
    assert isinstance(values["v_ends_valid"], str) and "too close" in values["v_ends_valid"]
    assert values["a_ends_valid"].holds and not values["a_mid_valid"].holds
    assert "bears" in values["reading"] and values["below"] == 1 and values["last"] == "step 0.8"


def test_the_steepest_step_is_measured_in_each_factors_range():
    import pandas as pd

    jumps = pd.DataFrame({"var_x": [0.5, 0.2], "var_y": [0.4, 2.4], "cor": [0.5, 0.1]}, index=["a", "b"])
    factors = np.array([[0.1, 0.1, -0.95], [4.9, 4.9, 0.85]])
    step = trajectories.steepest_step(jumps, factors)
    assert (step["step_path"], step["step_factor"]) == ("b", "var_y") and step["step_share"] == pytest.approx(0.5)
    table = pd.DataFrame({"residual max": [0.05, 0.08]}, index=["a", "b"])
    valid = trajectories.path_validity(table, bar=0.07)
    assert valid["a"].holds and not valid["b"].holds

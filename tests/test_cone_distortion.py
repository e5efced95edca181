"""Cone data against the analytic surface and class areas; latent helpers against brute force."""

import numpy as np
import pytest

from helpers import latent_paths
from helpers.studies.cone_distortion import cone_points, decoded_geometry


def test_points_lie_on_the_surface_and_in_their_class():
    d = cone_points.make_cone_points(20_000, np.random.default_rng(0))
    np.testing.assert_allclose(d.points[:, 2], cone_points.cone_height(d.points[:, 0], d.points[:, 1]), rtol=1e-5)
    assert (d.upper[:, 2] >= 0.8).all() and (d.lower[:, 2] <= 0.2).all()
    assert np.abs(d.points[:, :2]).max() <= 0.5


def test_share_kept_matches_the_analytic_area():
    r_low, r_high = np.arctanh(np.sqrt(0.2)) / 4, np.arctanh(np.sqrt(0.8)) / 4
    lower_area, upper_area = np.pi * r_low**2, 1 - np.pi * r_high**2  # r_high < 0.5: circle inside square
    d = cone_points.make_cone_points(400_000, np.random.default_rng(1))
    assert len(d.lower) / 400_000 == pytest.approx(lower_area, abs=0.002)
    assert len(d.upper) / 400_000 == pytest.approx(upper_area, abs=0.003)


def test_same_generator_seed_gives_the_same_points():
    a = cone_points.make_cone_points(1000, np.random.default_rng(5)).points
    b = cone_points.make_cone_points(1000, np.random.default_rng(5)).points
    np.testing.assert_array_equal(a, b)


def test_bad_class_thresholds_are_rejected():
    with pytest.raises(ValueError, match="lower_max"):
        cone_points.make_cone_points(10, np.random.default_rng(0), upper_min=0.2, lower_max=0.8)


def test_farthest_pair_matches_brute_force():
    codes = np.random.default_rng(2).normal(size=(300, 2))
    i, j = latent_paths.farthest_pair(codes)
    distances = np.linalg.norm(codes[:, None] - codes[None], axis=-1)
    assert np.linalg.norm(codes[i] - codes[j]) == pytest.approx(distances.max())


def test_latent_statistics_report_true_and_original_variances():
    z_mean = np.array([[1.0, -2.0], [3.0, 2.0], [0.1, 0.1]])
    z_log_var = np.log(np.array([[0.1, 0.2], [0.3, 0.2], [0.01, 0.04]]))
    labels = np.array([cone_points.UPPER, cone_points.UPPER, cone_points.LOWER])
    table = decoded_geometry.latent_statistics(z_mean, z_log_var, labels)
    assert table.loc[("upper", 1), "mean |mu|"] == pytest.approx(2.0)
    assert table.loc[("upper", 1), "mean variance"] == pytest.approx(0.2)
    assert table.loc[("upper", 1), "original study's exp(variance)"] == pytest.approx((np.exp(0.1) + np.exp(0.3)) / 2)
    assert table.loc[("lower", 2), "mean variance"] == pytest.approx(0.04)


def test_peak_along_a_path():
    assert decoded_geometry.peak_along(np.array([0.0, 1.0, 3.0, 2.0, 0.0])) == 0.5


def test_path_walks_decode_both_paths_with_the_geodesics_steps():
    from conftest import linear_decoder

    matrix, bias = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]), np.array([0.0, 0.0, 0.5])
    decoder = linear_decoder(matrix, bias)
    curve = np.array([[0.0, 0.0], [0.5, 1.0], [1.0, 1.0], [1.0, 0.0]], np.float32)
    walks = decoded_geometry.path_walks(decoder, np.array([0.0, 0.0]), np.array([1.0, 0.0]), curve)
    assert list(walks) == ["straight latent line", "latent geodesic"]
    line = np.c_[np.linspace(0, 1, 4), np.zeros(4)]
    np.testing.assert_allclose(walks["straight latent line"], line @ matrix.T + bias, atol=1e-6)
    np.testing.assert_allclose(walks["latent geodesic"], curve @ matrix.T + bias, atol=1e-6)


def test_walk_notes_give_height_and_distance_travelled():
    walks = {"a": np.array([[0.0, 0, 1.0], [3.0, 4, 1.0], [3.0, 4, 2.0]]), "b": np.zeros((3, 3))}
    notes = decoded_geometry.walk_notes(walks)
    assert notes[0] == "a: height 1.00, travelled 0.00 · b: height 0.00, travelled 0.00"
    assert notes[2].startswith("a: height 2.00, travelled 6.00")


def test_regions_crossed_by_a_decoded_path():
    from helpers.studies.cone_distortion import decoded_geometry as g

    heights = np.array([0.95, 0.9, 0.5, 0.12, 0.15, 0.6, 0.85, 0.99])
    assert g.regions_crossed(heights) == ["upper class", "gap", "lower class", "gap", "upper class"]
    assert g.regions_crossed(np.array([0.9, 0.85, 0.95])) == ["upper class"]
    assert list(g.height_regions([0.2, 0.8, 0.21])) == ["lower class", "upper class", "gap"]


def test_distortion_ranking_orders_regions_and_resolves_only_clear_steps():
    from helpers.studies.cone_distortion import decoded_geometry as g

    rng = np.random.default_rng(0)
    regions = {"a": rng.normal(1.0, 0.1, 2000), "b": rng.normal(0.5, 0.1, 2000), "c": rng.normal(0.501, 0.1, 2000),
               "empty": np.array([])}
    table, steps = g.distortion_ranking(regions, rng)
    assert list(table.index[:1]) == ["a"] and "empty" not in table.index
    se = table.loc["a", "± se"]
    assert 0.5 * 1.25 * 0.1 / np.sqrt(2000) < se < 2 * 1.25 * 0.1 / np.sqrt(2000)  # ≈ 1.25 σ/√n for a median
    assert steps[0].holds and steps[0].words == "more stretched than"
    assert not steps[1].holds  # b and c differ by 0.001, far inside their errors


def test_class_variance_verdict_reads_the_tighter_class():
    from helpers.studies.cone_distortion import decoded_geometry as g
    from helpers.studies.cone_distortion.cone_points import LOWER, UPPER

    rng = np.random.default_rng(1)
    labels = np.array([UPPER] * 500 + [LOWER] * 500)
    variances = np.concatenate([rng.uniform(0.08, 0.12, (500, 2)), rng.uniform(0.005, 0.009, (500, 2))])
    tight = g.class_variance_verdict(np.log(variances), labels)
    assert tight.holds and tight.words == "more tightly"
    loose = g.class_variance_verdict(np.log(variances[::-1]), labels)
    assert loose.words == "less tightly"

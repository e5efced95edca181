"""Study 4's 2-D latent grids, scored generation and likelihood bounds: known answers on grids, toy codes and a
stand-in judge (the models themselves are exercised by the notebook's smoke run)."""


import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from helpers.sample_quality import effective_count, feature_frechet_distance
from helpers.studies.tsne_mnist_interpolation import generated_digits, interpolation, latent_grids, likelihood_bounds


class StubJudge:
    """Confidence = an image's mean pixel, distance ratio = its first pixel; the label is 7 above 0.5, else 1; the
    features are the first two pixels."""

    def confidence(self, images):
        return np.asarray(images, np.float64).reshape(len(images), -1).mean(axis=1)

    def distance_ratio(self, images):
        return np.asarray(images, np.float64).reshape(len(images), -1)[:, 0]

    def predicted(self, images):
        return np.where(self.confidence(images) > 0.5, 7, 1)

    def effective_digits(self, images):
        return effective_count(self.predicted(images), 10)

    def frechet_distance(self, images, real):
        def features(x):
            return np.asarray(x, np.float64).reshape(len(x), -1)[:, :2]
        return feature_frechet_distance(features(images), features(real))


# --- the 2-D grids ----------------------------------------------------------------------------------------------


def test_prior_quantile_grid_corners_and_equal_prior_mass():
    axis = latent_grids.prior_quantile_axis(5)
    np.testing.assert_allclose(axis[[0, -1]], [norm.ppf(0.05), norm.ppf(0.95)])
    np.testing.assert_allclose(axis[[0, -1]], [-1.6448536, 1.6448536], atol=1e-6)
    np.testing.assert_allclose(np.diff(norm.cdf(axis)), 0.225)  # (0.95 − 0.05) / 4 of the prior between tiles
    grid = latent_grids.grid_codes(axis, axis)
    assert grid.shape == (25, 2) and grid.dtype == np.float32
    np.testing.assert_allclose(grid[0], [-1.6448536, 1.6448536], atol=1e-6)  # top left: smallest z1, largest z2
    np.testing.assert_allclose(grid[4], [1.6448536, 1.6448536], atol=1e-6)  # top right
    np.testing.assert_allclose(grid[-1], [1.6448536, -1.6448536], atol=1e-6)  # bottom right
    np.testing.assert_allclose(grid[12], [0.0, 0.0], atol=1e-6)  # the median in the middle


def test_code_quantile_axis_spans_the_codes_quantiles_and_grid_axes_choose_the_span():
    values = np.arange(101, dtype=np.float64)  # quantile q of 0 … 100 is 100 q
    np.testing.assert_allclose(latent_grids.code_quantile_axis(values, 3), [5.0, 50.0, 95.0])
    codes = np.column_stack([values, 10 * values])
    first, second = latent_grids.grid_axes(codes, 3, "codes")
    np.testing.assert_allclose(second, [50.0, 500.0, 950.0])
    np.testing.assert_allclose(latent_grids.grid_axes(codes, 3, "range")[1], [0.0, 500.0, 1000.0])
    np.testing.assert_allclose(latent_grids.grid_axes(codes, 3, "prior")[0], latent_grids.prior_quantile_axis(3))
    with pytest.raises(ValueError, match="span"):
        latent_grids.grid_axes(codes, 3, "box")


def test_grid_verdicts_use_binomial_errors_of_the_tiles():
    table = pd.DataFrame({"tiles": [225, 225, 225], "accepted share": [0.8, 0.6, 0.78],
                          "grid beyond 3× spacing": [0.02, 0.02, 0.5]}, index=["a", "b", "c"])
    found = latent_grids.grid_verdicts(table, "a", "b")
    se = np.hypot(np.sqrt(0.8 * 0.2 / 225), np.sqrt(0.6 * 0.4 / 225))
    assert found["accepted"].holds and found["accepted"].words == "larger"
    assert found["accepted"].numbers["se"] == pytest.approx(se)
    assert not found["holes"].holds and found["holes"].words == "the same within the noise"
    assert not latent_grids.grid_verdicts(table, "a", "c")["accepted"].holds  # 0.02 apart, se ≈ 0.039
    assert latent_grids.grid_verdicts(table, "a", "c")["holes"].words == "smaller"


def test_range_axis_spans_the_codes():
    np.testing.assert_allclose(latent_grids.range_axis([3.0, -1.0, 0.5], 5), [-1.0, 0.0, 1.0, 2.0, 3.0])


def test_tile_mosaic_puts_tile_r_c_in_its_place():
    images = np.stack([np.full((2, 3), k, np.float32) for k in range(6)])[..., None]  # tile k holds k
    mosaic = latent_grids.tile_mosaic(images, columns=3)
    assert mosaic.shape == (2 * 2, 3 * 3)
    assert mosaic[0, 0] == 0 and mosaic[0, 8] == 2 and mosaic[3, 0] == 3 and mosaic[3, 4] == 4


def test_hole_shares_on_a_lattice():
    codes = np.stack(np.meshgrid(np.arange(10.0), np.arange(10.0)), -1).reshape(-1, 2)  # spacing 1
    points = np.array([[4.0, 4.0], [4.5, 4.5], [4.9, 4.0], [9.0, 11.5], [20.0, 4.0]])  # 0, 0.71, 0.1, 2.5, 11
    np.testing.assert_allclose(latent_grids.nearest_code_distance(points, codes), [0, 0.5**0.5, 0.1, 2.5, 11])
    assert latent_grids.hole_shares(points, codes) == {"beyond 1× spacing": 0.4, "beyond 3× spacing": 0.2}


def test_hole_shares_of_evenly_scattered_codes_follow_the_closed_form():
    """Codes of a Poisson process: P(D > m·s) = ½^(m²) for a location inside the cloud."""
    rng = np.random.default_rng(0)
    codes = rng.random((40_000, 2))
    points = 0.1 + 0.8 * rng.random((20_000, 2))  # away from the border
    shares = latent_grids.hole_shares(points, codes, spacings=(1.0, 1.5))
    assert shares["beyond 1× spacing"] == pytest.approx(0.5, abs=0.015)
    assert shares["beyond 1.5× spacing"] == pytest.approx(0.5**2.25, abs=0.01)


def test_plane_grid_scores_count_accepted_tiles():
    tiles = np.stack([np.full((4, 4), v) for v in (0.95, 0.2, 0.9, 0.5)])
    codes = np.stack(np.meshgrid(np.arange(5.0), np.arange(5.0)), -1).reshape(-1, 2)
    grid = np.array([[0.0, 0.0], [2.0, 2.0], [10.0, 10.0], [4.0, 9.0]])
    scores = latent_grids.plane_grid_scores(StubJudge(), tiles, grid, codes, codes[:5])
    assert scores["tiles"] == 4 and scores["accepted share"] == 0.5  # 0.95 and 0.9 reach the threshold
    assert scores["mean confidence"] == pytest.approx(0.6375) and scores["typical spacing"] == 1.0
    assert scores["grid beyond 3× spacing"] == 0.5 and scores["test codes beyond 1× spacing"] == 0.0
    assert scores["sd of z₁"] == pytest.approx(np.sqrt(2.0)) == scores["sd of z₂"]  # 0 … 4 evenly: variance 2


def test_plane_figure_frames_rejected_tiles():
    rng = np.random.default_rng(1)
    axis = latent_grids.prior_quantile_axis(3)
    panel = {"codes": rng.normal(size=(50, 2)), "grid": latent_grids.grid_codes(axis, axis),
             "images": rng.random((9, 28, 28, 1)), "accepted": np.array([True, False] * 4 + [True]),
             "holes": np.array([False] * 8 + [True]), "axes": (axis, axis)}
    fig = latent_grids.plane_figure({"VAE": panel}, rng.integers(0, 10, 50), 3)
    right = fig.axes[1]
    assert len(right.images) == 1 and right.images[0].get_array().shape == (84, 84)
    assert len(right.patches) == 4 and "5 of 9 tiles accepted" in right.get_title()


# --- generation, scored --------------------------------------------------------------------------------------------


def test_generated_codes_reproduce_each_generator():
    rng = np.random.default_rng(2)
    codes = rng.multivariate_normal([1.0, -1.0, 0.0], [[1.0, 0.5, 0], [0.5, 2.0, 0], [0, 0, 0.3]], 5000)
    drawn = generated_digits.generated_codes(codes, 20_000, 3, components=2, seed=0)
    assert list(drawn) == ["VAE prior", "AE Gaussian", "AE mixture (2)"]
    assert all(z.shape == (20_000, 3) and z.dtype == np.float32 for z in drawn.values())
    np.testing.assert_allclose(drawn["VAE prior"].mean(0), 0, atol=0.03)
    np.testing.assert_allclose(np.cov(drawn["VAE prior"].T), np.eye(3), atol=0.04)
    np.testing.assert_allclose(drawn["AE Gaussian"].mean(0), codes.mean(0), atol=0.04)
    np.testing.assert_allclose(np.cov(drawn["AE Gaussian"].T), np.cov(codes.T), atol=0.06)
    np.testing.assert_allclose(drawn["AE mixture (2)"].mean(0), codes.mean(0), atol=0.05)  # a mixture keeps the mean


def test_generation_scores_with_a_stub_judge():
    rng = np.random.default_rng(3)
    real = rng.random((200, 2, 2))
    copies = real[:50].copy()
    copies[:, 0, 0] = 0.0  # distance ratio 0: nearer to a training image than any real digit
    table = generated_digits.generation_scores(StubJudge(), {"copies": copies}, real)
    assert list(table.index) == ["real test digits", "copies"]
    confidence = real.reshape(200, -1).mean(1)
    assert table.loc["real test digits", "mean confidence"] == pytest.approx(confidence.mean())
    assert table.loc["real test digits", "mean confidence se"] == pytest.approx(confidence.std(ddof=1) / 200**0.5)
    assert table.loc["real test digits", "accepted share"] == pytest.approx(np.mean(confidence >= 0.9))
    assert table.loc["real test digits", "nearer than 95 % of real"] == pytest.approx(0.05, abs=0.005)
    assert table.loc["copies", "nearer than 95 % of real"] == 1.0 and table.loc["copies", "mean distance ratio"] == 0
    assert np.isnan(table.loc["real test digits", "Fréchet distance"])  # no other real sample given
    assert table.loc["copies", "Fréchet distance"] > 0
    table = generated_digits.generation_scores(StubJudge(), {"copies": real.copy()}, real, real_sample=real)
    assert table.loc["copies", "Fréchet distance"] == pytest.approx(0, abs=1e-6)  # the same images: distance 0
    assert table.loc["real test digits", "Fréchet distance"] == pytest.approx(0, abs=1e-6)
    assert table.loc["copies", "effective digits"] == pytest.approx(StubJudge().effective_digits(real))


# --- the likelihood bounds -----------------------------------------------------------------------------------------


def test_bounds_table_lists_the_elbo_then_each_k():
    summary = pd.DataFrame({"k": [1, 10], "bound": [-100.0, -98.0], "se": [2.0, 2.1], "gap_to_elbo": [0.1, 2.0],
                            "gap_se": [0.05, 0.2]})
    table = likelihood_bounds.bounds_table(summary, np.array([-101.0, -99.0]))
    assert list(table.index) == ["ELBO", "IWAE k = 1", "IWAE k = 10"]
    assert table.loc["ELBO", "nats per image"] == -100.0 and table.loc["ELBO", "± se"] == pytest.approx(1.0)
    assert table.loc["IWAE k = 10", "above the ELBO"] == 2.0 and table.loc["IWAE k = 10", "± se (paired)"] == 0.2


def test_interpolation_notes_read_every_strip_at_each_step():
    strips = {"blend": np.stack([np.full((2, 2), v) for v in (0.2, 0.8)]), "VAE": np.full((2, 2, 2), 0.6)}
    assert interpolation.interpolation_notes(StubJudge(), strips) == ["blend: 1 (0.20) · VAE: 7 (0.60)",
                                                                     "blend: 7 (0.80) · VAE: 7 (0.60)"]


class Linear:
    def __init__(self, function):
        self.predict = lambda x, batch_size=None, verbose=0: function(np.asarray(x, np.float64)).astype(np.float32)


class PlaneModel:
    """Code = the first two pixels; a decoded image is uniformly grey at the logistic of z1 (so the stub judge
    accepts tiles with z1 ≥ logit(0.9) = 2.197)."""

    encoder = Linear(lambda x: x.reshape(len(x), -1)[:, :2])
    decoder = Linear(lambda z: np.repeat(1 / (1 + np.exp(-z[:, :1])), 16, axis=1).reshape(-1, 4, 4))


def test_decoded_plane_on_a_stub_model():
    rng = np.random.default_rng(4)
    x_train, x_test = rng.normal(size=(500, 4, 4)), rng.normal(size=(100, 4, 4))
    panel, scores = latent_grids.decoded_plane(PlaneModel(), StubJudge(), x_train, x_test, 5, "prior")
    np.testing.assert_allclose(panel["grid"][0], [norm.ppf(0.05), norm.ppf(0.95)], rtol=1e-6)
    assert panel["images"].shape == (25, 4, 4) and not panel["accepted"].any()  # Φ⁻¹(0.95) < 2.197
    np.testing.assert_allclose(panel["codes"], x_test.reshape(100, -1)[:, :2], rtol=1e-6)
    assert scores["accepted share"] == 0.0 and not panel["holes"][12]  # the centre tile sits among the codes
    assert scores["accepted se"] == 0.0  # no tile accepted: a share of 0 has no binomial spread
    shares = np.array([0.6, 0.4])  # columns with z1 ≤ 0 read as 1 (three of five), the others as 7
    assert scores["effective digits"] == pytest.approx(np.exp(-(shares * np.log(shares)).sum()))
    assert scores["Fréchet distance"] > 0
    panel, scores = latent_grids.decoded_plane(PlaneModel(), StubJudge(), x_train, x_test, 5, "range")
    codes = x_train.reshape(500, -1)[:, :2]
    np.testing.assert_allclose(panel["axes"][0][[0, -1]], [codes[:, 0].min(), codes[:, 0].max()], rtol=1e-6)
    assert panel["accepted"].sum() == 5 * np.sum(panel["axes"][0] >= np.log(9))  # the columns with z1 ≥ logit 0.9
    assert panel["holes"][[0, 4, 20, 24]].sum() >= 2  # the range box's corners lie far from N(0, 1) codes
    accepted_holes = panel["accepted"] & panel["holes"]
    assert scores["grid holes accepted"] == pytest.approx(accepted_holes.sum() / panel["holes"].sum())
    panel, _ = latent_grids.decoded_plane(PlaneModel(), StubJudge(), x_train, x_test, 5)  # the codes' quantiles
    np.testing.assert_allclose(panel["axes"][0][[0, -1]], np.quantile(codes[:, 0], [0.05, 0.95]), rtol=1e-6)


def test_fields_quoted_in_the_prose():
    table = pd.DataFrame({"accepted share": [0.9, 0.5, 0.4, 0.6], "accepted share se": [0.0, 0.02, 0.03, 0.04],
                          "nearer than 95 % of real": [0.05, 0.01, 0.02, 0.03], "effective digits": [10, 9, 8, 7],
                          "Fréchet distance": [5, 50, 60, 40]},
                         index=["real test digits", "VAE prior", "AE Gaussian", "AE mixture (3)"])
    fields = generated_digits.generation_fields(table, 3)
    assert fields == {"prior_ok": 0.5, "prior_ok_err": 0.02, "prior_near": 0.01, "gauss_ok": 0.4, "gauss_ok_err": 0.03,
                      "gauss_near": 0.02, "mixture_ok": 0.6, "mixture_ok_err": 0.04, "mixture_near": 0.03,
                      "real_effective": 10, "real_fd": 5, "prior_effective": 9, "prior_fd": 50, "gauss_effective": 8,
                      "gauss_fd": 60, "mixture_effective": 7, "mixture_fd": 40}
    summary = pd.DataFrame({"k": [10, 1000], "bound": [-98.0, -96.0], "se": [2.0, 2.0], "gap_to_elbo": [2.0, 4.0],
                            "gap_se": [0.2, 0.3]})
    fields = likelihood_bounds.bound_fields(summary, np.array([-101.0, -99.0]))
    assert fields == {"elbo": -100.0, "elbo_err": pytest.approx(1.0), "top_k": 1000, "top_bound": -96.0,
                      "looseness": 4.0, "looseness_err": 0.3}

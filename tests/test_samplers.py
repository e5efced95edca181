"""Samplers and the aggregate posterior, with known answers: moments of the draws, closed-form densities."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm

from helpers import samplers


def test_prior_draws_are_standard_normal_and_seeded():
    z = samplers.sample_prior(20_000, 3, 0)
    assert z.shape == (20_000, 3) and z.dtype == np.float32
    np.testing.assert_allclose(z.mean(0), 0, atol=0.03)  # 4 standard errors of a mean: 4/√20000 = 0.028
    np.testing.assert_allclose(np.cov(z.T), np.eye(3), atol=0.04)
    np.testing.assert_array_equal(samplers.sample_prior(5, 3, 0), z[:5])  # a longer draw starts with a shorter one


def test_gaussian_fit_and_draws_reproduce_mean_and_covariance():
    mean, cov = np.array([1.0, -2.0, 0.5]), np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 0.5]])
    codes = np.random.default_rng(1).multivariate_normal(mean, cov, 50_000)
    fitted_mean, fitted_cov = samplers.fit_gaussian(codes)
    np.testing.assert_allclose(fitted_mean, codes.mean(0), atol=1e-12)
    np.testing.assert_allclose(fitted_cov, np.cov(codes.T, bias=True), atol=1e-12)  # maximum likelihood: 1/n
    draws = samplers.sample_gaussian(fitted_mean, fitted_cov, 50_000, 2)
    np.testing.assert_allclose(draws.mean(0), mean, atol=0.03)
    np.testing.assert_allclose(np.cov(draws.T), cov, atol=0.05)


def test_mixture_draws_follow_the_weights_and_components_in_random_order():
    rng = np.random.default_rng(3)
    codes = np.concatenate([rng.normal(-5, 0.5, (3000, 2)), rng.normal(5, 1.0, (1000, 2))])
    mixture = samplers.fit_mixture(codes, 2, seed=0)
    draws = samplers.sample_mixture(mixture, 20_000, 4)
    right = draws[:, 0] > 0
    assert right.mean() == pytest.approx(0.25, abs=0.01)  # the fitted weights, 3000 : 1000
    np.testing.assert_allclose(draws[right].mean(0), 5, atol=0.05)
    np.testing.assert_allclose(draws[~right].std(0), 0.5, atol=0.02)
    assert 0.15 < right[:1000].mean() < 0.35  # not grouped by component, as scikit-learn's own sample() is


def test_aggregate_posterior_of_one_gaussian_is_its_density():
    mean, sigma = np.array([[0.5, -1.0, 2.0]]), np.array([[0.3, 1.5, 0.8]])
    z = np.random.default_rng(5).normal(size=(100, 3))
    expected = multivariate_normal(mean[0], np.diag(sigma[0] ** 2)).logpdf(z)
    np.testing.assert_allclose(samplers.aggregate_posterior_log_density(z, mean, sigma), expected, rtol=1e-10)


def test_aggregate_posterior_is_the_average_of_its_gaussians():
    rng = np.random.default_rng(6)
    means, sigmas = rng.normal(size=(7, 2)), rng.uniform(0.05, 1.0, (7, 2))
    z = rng.normal(size=(300, 2))
    expected = np.mean([multivariate_normal(m, np.diag(s**2)).pdf(z) for m, s in zip(means, sigmas, strict=True)],
                       axis=0)
    found = samplers.aggregate_posterior_log_density(z, means, sigmas, batch=64)  # several batches
    np.testing.assert_allclose(np.exp(found), expected, rtol=1e-9)


def test_aggregate_posterior_draws_have_the_mixtures_moments():
    means, sigmas = np.array([[-1.0], [3.0]]), np.array([[0.5], [1.0]])
    draws = samplers.sample_aggregate_posterior(means, sigmas, 100_000, 7)[:, 0]
    assert draws.mean() == pytest.approx(1.0, abs=0.02)  # (−1 + 3)/2
    assert draws.var() == pytest.approx((0.25 + 1.0) / 2 + 4.0, abs=0.05)  # mean of variances + variance of means


def test_density_level_and_low_share_known_answers():
    # q = p = N(0, 1): the prior falls below q's own 5 % level 5 % of the time
    own = norm.logpdf(np.random.default_rng(8).standard_normal(200_000))
    level = samplers.density_level(own, 0.05)
    assert level == pytest.approx(norm.logpdf(norm.ppf(0.975)), abs=0.01)  # both tails beyond ±1.96
    share, error = samplers.low_density_share(norm.logpdf(np.random.default_rng(9).standard_normal(10_000)), level)
    assert share == pytest.approx(0.05, abs=4 * error)
    assert error == pytest.approx(np.sqrt(0.05 * 0.95 / 10_000), rel=0.1)
    assert samplers.low_density_share([-3.0, -1.0, 0.0, 1.0], 0.5) == pytest.approx((0.75, np.sqrt(0.75 * 0.25 / 4)))


def test_mass_below_levels_finds_prior_mass_outside_a_narrow_aggregate_posterior():
    rng = np.random.default_rng(10)
    means, sigmas = rng.uniform(-0.5, 0.5, (200, 1)), np.full((200, 1), 0.05)  # q lives in [−0.5, 0.5]
    own = samplers.aggregate_posterior_log_density(samplers.sample_aggregate_posterior(means, sigmas, 4000, 11),
                                                  means, sigmas)
    prior = samplers.aggregate_posterior_log_density(samplers.sample_prior(4000, 1, 12), means, sigmas)
    table = samplers.mass_below_levels(prior, own, (0.01, 0.05))
    assert list(table["q's own mass below"]) == [0.01, 0.05]
    # P(|z| > 0.6) under N(0, 1) is 0.55: most of the prior lies where q is thin
    assert (table["share below"] > 0.5).all() and (table["share se"] < 0.01).all()


def test_draws_move_a_little_when_the_fit_moves_a_little():
    import copy

    mean, cov = np.array([0.0, 1.0, 2.0]), np.array([[1.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 0.5]])
    a = samplers.sample_gaussian(mean, cov, 500, 1)
    b = samplers.sample_gaussian(mean + 1e-7, cov * (1 + 1e-7), 500, 1)
    assert np.abs(a - b).max() < 1e-5  # the same noise through a Cholesky factor that moved by ~1e-7
    rng = np.random.default_rng(2)
    mixture = samplers.fit_mixture(np.concatenate([rng.normal(-3, 1, (300, 2)), rng.normal(3, 1, (300, 2))]), 2)
    moved = copy.deepcopy(mixture)
    moved.weights_ = mixture.weights_ + np.array([1e-4, -1e-4])
    moved.means_ = mixture.means_ + 1e-7
    a, b = samplers.sample_mixture(mixture, 2000, 3), samplers.sample_mixture(moved, 2000, 3)
    same = np.abs(a - b).max(axis=1) < 1e-5
    assert same.mean() > 0.99  # relabelled draws only (about 2000 × 1e-4), not a redrawn stream

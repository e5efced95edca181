"""Loss terms against closed forms, sampling statistics, seeding and serialisation."""

import keras
import numpy as np
import pytest
from scipy import stats

from helpers import models
from helpers.models import Sampling, build_mlp_vae


def test_kl_matches_closed_form_and_monte_carlo():
    mu = np.array([[0.5, -1.0, 2.0]], np.float32)
    var = np.array([[0.25, 1.0, 3.0]], np.float32)
    kl = float(models.kl_divergence(mu, np.log(var))[0])
    closed = 0.5 * np.sum(var + mu**2 - 1 - np.log(var))
    assert kl == pytest.approx(closed, rel=1e-5)
    draws = np.random.default_rng(0).normal(mu, np.sqrt(var), size=(400_000, 3))
    monte_carlo = np.mean(np.sum(stats.norm.logpdf(draws, mu, np.sqrt(var)) - stats.norm.logpdf(draws), axis=1))
    assert kl == pytest.approx(monte_carlo, abs=0.02)


def test_gaussian_nll_matches_scipy():
    rng = np.random.default_rng(1)
    x, x_hat = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    expected = -stats.norm.logpdf(x, x_hat, 0.1).sum(axis=1)
    got = np.asarray(models.gaussian_nll(x.astype(np.float32), x_hat.astype(np.float32), 0.1))
    np.testing.assert_allclose(got, expected, rtol=1e-4)


def test_bernoulli_nll_matches_cross_entropy_sum():
    x = np.array([[0.0, 1.0, 0.3, 0.9]], np.float32)
    p = np.array([[0.2, 0.7, 0.5, 0.6]], np.float32)
    expected = -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p))
    assert float(models.bernoulli_nll(x, p)[0]) == pytest.approx(expected, rel=1e-5)


def test_sampling_mean_and_variance_over_many_draws():
    n = 200_000
    mu = np.tile(np.array([[1.0, -2.0]], np.float32), (n, 1))
    log_var = np.tile(np.log(np.array([[0.25, 4.0]], np.float32)), (n, 1))
    z = np.asarray(Sampling(seed=0)([mu, log_var]))
    np.testing.assert_allclose(z.mean(axis=0), [1.0, -2.0], atol=0.02)
    np.testing.assert_allclose(z.var(axis=0), [0.25, 4.0], rtol=0.02)


def test_sampling_is_reproducible_for_a_seed():
    mu, log_var = np.zeros((5, 2), np.float32), np.zeros((5, 2), np.float32)
    first, again = Sampling(seed=7)([mu, log_var]), Sampling(seed=7)([mu, log_var])
    other = Sampling(seed=8)([mu, log_var])
    np.testing.assert_array_equal(np.asarray(first), np.asarray(again))
    assert not np.allclose(np.asarray(first), np.asarray(other))


def test_vae_losses_combine_with_beta():
    vae = build_mlp_vae(beta=2.5, seed=0)
    x = np.random.default_rng(0).random((32, 3)).astype(np.float32)
    values = {k: float(v) for k, v in vae.losses_for(x).items()}
    assert values["loss"] == pytest.approx(values["reconstruction_loss"] + 2.5 * values["kl_loss"], rel=1e-5)
    z_mean, z_log_var = vae.encode(x)
    closed = 0.5 * np.mean(np.sum(np.exp(z_log_var) + np.square(z_mean) - 1 - z_log_var, axis=1))
    assert values["kl_loss"] == pytest.approx(closed, rel=1e-4)


def test_original_loss_variant_averages_kl_over_dimensions():
    x = np.random.default_rng(0).random((16, 3)).astype(np.float32)
    standard, seed_variant = build_mlp_vae(latent_dim=2, seed=0), build_mlp_vae(latent_dim=2, seed=0)
    seed_variant.set_weights(standard.get_weights())
    seed_variant.loss_variant = "original"
    ratio = float(seed_variant.losses_for(x)["kl_loss"]) / float(standard.losses_for(x)["kl_loss"])
    assert ratio == pytest.approx(0.5, rel=1e-5)


def test_save_and_load_round_trip_with_safe_mode(tmp_path):
    vae = build_mlp_vae(beta=3.0, decoder_scale=0.2, seed=1)
    x = np.random.default_rng(0).random((8, 3)).astype(np.float32)
    vae(x)
    path = tmp_path / "vae.keras"
    vae.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert isinstance(loaded, models.VAE)
    assert (loaded.beta, loaded.decoder_scale, loaded.reconstruction) == (3.0, 0.2, "gaussian")
    for original, restored in zip(vae.encode(x), loaded.encode(x), strict=True):
        np.testing.assert_allclose(np.asarray(restored), np.asarray(original), rtol=1e-6)


def test_softplus_variance_head_returns_log_of_softplus():
    a = np.array([[-3.0, 0.0, 2.0]], np.float32)
    got = np.asarray(models.SoftplusLogVariance(epsilon=0.0)(a))
    np.testing.assert_allclose(got, np.log(np.log1p(np.exp(a))), rtol=1e-5)


@pytest.mark.parametrize("kwargs, name", [({"beta": -1.0}, "beta"), ({"decoder_scale": 0.0}, "decoder_scale"),
                                          ({"reconstruction": "poisson"}, "reconstruction")])
def test_model_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        build_mlp_vae(**kwargs)


def test_unknown_optimizer_is_rejected():
    with pytest.raises(ValueError, match="optimizer"):
        models.make_optimizer("adamx", 1e-3)

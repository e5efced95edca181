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


# --- KL warm-up and the judge's loss with outliers ----------------------------------------------------------------


def _warm_vae(steps, beta=2.0):
    plain = build_mlp_vae(beta=beta, seed=0)
    vae = models.VAE(plain.encoder, plain.decoder, beta=beta, seed=0, kl_warmup_steps=steps, name="warm")
    vae.compile(optimizer=keras.optimizers.SGD(0.0))
    return vae


@pytest.mark.parametrize("step, expected", [(0, 0.0), (5, 0.5), (10, 1.0), (25, 1.0)])
def test_kl_warmup_is_linear_then_flat(step, expected):
    vae = _warm_vae(10, beta=2.0)
    vae.optimizer.iterations.assign(step)
    assert float(vae.kl_weight(training=True)) == pytest.approx(2.0 * expected)
    assert float(vae.kl_weight(training=False)) == 2.0  # the held-out loss always uses the full β
    x = np.random.default_rng(0).random((16, 3)).astype(np.float32)
    values = {k: float(v) for k, v in vae.losses_for(x, training=True).items()}
    assert values["loss"] == pytest.approx(values["reconstruction_loss"] + 2.0 * expected * values["kl_loss"],
                                           rel=1e-5, abs=1e-6)


def test_kl_warmup_advances_with_training_steps():
    vae = _warm_vae(4, beta=1.0)
    x = np.random.default_rng(0).random((32, 3)).astype(np.float32)
    vae.fit(x, epochs=1, batch_size=8, verbose=0)  # 4 steps with a zero learning rate
    assert int(vae.optimizer.iterations) == 4 and float(vae.kl_weight(training=True)) == pytest.approx(1.0)


def test_kl_warmup_enters_the_configuration_only_when_used(tmp_path):
    assert "kl_warmup_steps" not in build_mlp_vae(seed=0).get_config()
    vae = _warm_vae(7)
    assert vae.get_config()["kl_warmup_steps"] == 7
    x = np.random.default_rng(0).random((4, 3)).astype(np.float32)
    vae(x)
    vae.save(tmp_path / "warm.keras")
    assert keras.models.load_model(tmp_path / "warm.keras", safe_mode=True).kl_warmup_steps == 7
    with pytest.raises(ValueError, match="kl_warmup_steps"):
        models.VAE(vae.encoder, vae.decoder, kl_warmup_steps=-1)


def test_sparse_ce_with_outliers_known_answers():
    p = np.array([[0.7, 0.2, 0.1], [0.7, 0.2, 0.1], [1 / 3, 1 / 3, 1 / 3]], np.float32)
    y = np.array([0, 3, 3])  # a class, then two outliers (label = number of classes)
    got = np.asarray(models.sparse_ce_with_outliers(y, p))
    np.testing.assert_allclose(got, [-np.log(0.7), -np.log([0.7, 0.2, 0.1]).mean(), np.log(3)], rtol=1e-5)
    assert got[2] < got[1]  # a flat output is what an outlier should get
    labelled = np.asarray(models.sparse_ce_with_outliers(np.array([1, 2]), p[:2]))
    np.testing.assert_allclose(labelled, np.asarray(keras.losses.sparse_categorical_crossentropy(
        np.array([1, 2]), p[:2])), rtol=1e-5)

"""helpers.inference: encode, sample, decode and reconstruct on numpy arrays, with known answers."""

import numpy as np
import pytest
from conftest import linear_decoder

from helpers import conv_models, inference
from helpers.models import build_mlp_vae


@pytest.fixture(scope="module")
def decoder():
    return build_mlp_vae(latent_dim=2, hidden_units=(16, 16), seed=3).decoder


def test_decode_is_predict_without_its_set_up(decoder):
    z = np.random.default_rng(7).standard_normal((50, 2)).astype(np.float32)
    expected = decoder.predict(z, verbose=0)
    # float32 through two compiled calls that may pick different kernels for different batch shapes: bitwise equal on
    # some CPUs, 2.4e-7 apart (abs) on others (an AMD EPYC host, 2026-12-07): 1e-6 is about eight float32 ulps at 1
    np.testing.assert_allclose(inference.decode(decoder, z), expected, rtol=1e-6, atol=1e-6)
    batched = inference.decode(decoder, z, batch_size=16)  # 16 + 16 + 16 + 2 rows
    np.testing.assert_allclose(batched, expected, rtol=1e-6, atol=1e-6)
    assert inference.inference_function(decoder) is inference.inference_function(decoder)  # traced once, reused


def test_decode_known_answer_and_empty_input():
    linear = linear_decoder([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]], [0.5, 0.0, -1.0])
    z = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, -2.0]])
    np.testing.assert_allclose(inference.decode(linear, z), [[1.5, 0.0, 2.0], [2.5, -1.0, -0.5], [-1.5, 2.0, 4.0]],
                               rtol=1e-6)
    assert inference.decode(linear, np.zeros((0, 2))).shape == (0, 3)


def test_encoder_outputs_are_the_encoders_predict_and_reconstruct_decodes_the_mean():
    vae = build_mlp_vae(latent_dim=2, hidden_units=(8, 8), seed=1)
    x = np.random.default_rng(1).random((7, 3))  # float64: converted like predict converts it
    mean, log_var = vae.encoder.predict(x.astype(np.float32), verbose=0)
    np.testing.assert_array_equal(inference.encode_mean(vae, x), mean)
    np.testing.assert_array_equal(inference.encoder_outputs(vae, x)[1], log_var)
    np.testing.assert_array_equal(inference.reconstruct(vae, x), vae.decoder.predict(mean, verbose=0))


def test_encoder_outputs_are_remembered_until_the_weights_or_images_change(monkeypatch):
    vae = conv_models.build_conv_vae("lean", latent_dim=3, seed=0)
    x = np.random.default_rng(0).random((20, 36, 36, 1)).astype("float32")
    calls = []
    run = inference.run
    monkeypatch.setattr(inference, "run", lambda *args, **kwargs: calls.append(1) or run(*args, **kwargs))
    expected = vae.encoder.predict(x, verbose=0)
    first = inference.encode_mean(vae, x)
    np.testing.assert_array_equal(first, expected[0])
    first[:] = 99.0  # callers get their own copy
    mean, log_var = inference.encoder_outputs(vae, x)
    np.testing.assert_array_equal(mean, expected[0])
    np.testing.assert_array_equal(log_var, expected[1])
    assert len(calls) == 1
    inference.encode_mean(vae, x[:10])  # other images
    assert len(calls) == 2
    vae.encoder.set_weights([w + 0.01 for w in vae.encoder.get_weights()])  # other weights (as after training)
    changed = inference.encode_mean(vae, x)
    assert len(calls) == 3 and not np.allclose(changed, expected[0])


class _FixedEncoder:
    """An encoder double that returns the same (μ, log σ²) for every image."""

    def __init__(self, mean, log_var):
        self.outputs = [mean, log_var]

    def predict(self, x, **_):
        return [np.repeat(o, len(x), axis=0) for o in self.outputs]


class _FakeVAE:
    def __init__(self, mean, log_var, loss_variant):
        self.encoder, self.loss_variant = _FixedEncoder(mean, log_var), loss_variant


@pytest.mark.parametrize("variant, expected_sigma", [("standard", np.exp(0.5 * -1.0)), ("original", np.exp(-1.0))])
def test_sampled_codes_have_the_posterior_mean_and_the_width_of_their_loss(variant, expected_sigma):
    mean = np.array([[0.5, -2.0, 1.0]])
    vae = _FakeVAE(mean, np.full((1, 3), -1.0), variant)
    z_mean, z = inference.sample_codes(vae, np.zeros((50_000, 1)), seed=3)
    np.testing.assert_allclose(z_mean, np.repeat(mean, 50_000, axis=0))
    np.testing.assert_allclose(z.mean(0), mean[0], atol=0.01)
    np.testing.assert_allclose(z.std(0), expected_sigma, rtol=0.02)

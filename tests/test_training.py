"""fit_or_load: cache hits and misses, corruption handling, determinism, atomic files."""

import json

import numpy as np
import pytest

from helpers.models import build_mlp_vae, make_optimizer
from helpers.locations import CACHE_DIR, SHIPPED_WEIGHTS_DIR
from helpers.training import WeightStore, cache_key, fit_or_load, set_seed

X = np.random.default_rng(0).random((512, 3)).astype(np.float32)


def compiled_vae(seed=0, learning_rate=1e-3, init_seed=None):
    set_seed(seed if init_seed is None else init_seed)
    vae = build_mlp_vae(hidden_units=(8, 8), seed=seed)
    vae.compile(optimizer=make_optimizer("rmsprop", learning_rate))
    return vae


def fit(vae, folders, settings=None, target=None, **overrides):
    """fit_or_load searching ``folders`` (shipped, cache) in order and writing to ``target`` (the cache)."""
    store = WeightStore(tuple(folders), target or folders[1])
    arguments = {"name": "toy", "settings": settings or {"n": 512}, "epochs": 2, "batch_size": 64, "seed": 0,
                 "store": store, **overrides}
    return fit_or_load(vae, X, **arguments)


def test_second_call_loads_identical_weights(weight_folders):
    trained_model = compiled_vae()
    trained = fit(trained_model, weight_folders)
    loaded_model = compiled_vae(init_seed=5)  # other initial weights: loading must overwrite them
    loaded = fit(loaded_model, weight_folders)
    assert (trained.source, loaded.source) == ("trained", "loaded")
    assert loaded.history == trained.history
    for a, b in zip(trained_model.get_weights(), loaded_model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("change", [{"settings": {"n": 256}}, {"epochs": 3}, {"seed": 1}, {"batch_size": 32}])
def test_a_changed_parameter_misses_the_cache(weight_folders, change):
    fit(compiled_vae(), weight_folders)
    assert fit(compiled_vae(), weight_folders, **change).source == "trained"


def test_a_changed_learning_rate_misses_the_cache():
    assert cache_key(compiled_vae(learning_rate=1e-3), {}) != cache_key(compiled_vae(learning_rate=2e-3), {})


def _history_array(result):
    return np.array([result.history[k] for k in sorted(result.history)])


def test_same_seed_gives_the_same_training(weight_folders, tmp_path):
    """Same seed → same losses up to float32 summation order (TensorFlow's multi-threaded CPU reductions
    are not bitwise reproducible: a last-digit difference, ~1e-7 relative, was seen in a fresh clone);
    a different seed lands far outside that tolerance."""
    first = fit(compiled_vae(), weight_folders, force_retrain=True)
    second = fit(compiled_vae(), (tmp_path / "a", tmp_path / "b"), force_retrain=True)
    other = fit(compiled_vae(seed=1), (tmp_path / "c", tmp_path / "d"), force_retrain=True, seed=1)
    np.testing.assert_allclose(_history_array(second), _history_array(first), rtol=1e-5)
    assert not np.allclose(_history_array(other), _history_array(first), rtol=1e-3)


def test_corrupted_weights_file_is_retrained_with_a_message(weight_folders, capsys):
    first = fit(compiled_vae(), weight_folders)
    first.weights_path.write_bytes(b"not an HDF5 file")
    again = fit(compiled_vae(), weight_folders)
    assert again.source == "trained"
    assert "does not match its manifest" in capsys.readouterr().out
    manifest = json.loads((first.weights_path.parent / "manifest.json").read_text())
    assert fit(compiled_vae(), weight_folders).source == "loaded"
    assert first.weights_path.name in manifest


def test_file_missing_from_manifest_is_not_used(weight_folders):
    first = fit(compiled_vae(), weight_folders)
    (first.weights_path.parent / "manifest.json").write_text("{}")
    assert fit(compiled_vae(), weight_folders).source == "trained"


def test_shipped_folder_is_searched_first_and_writes_go_to_the_target(weight_folders):
    shipped, cache = weight_folders
    assert fit(compiled_vae(), weight_folders, target=shipped).weights_path.parent == shipped
    assert fit(compiled_vae(), weight_folders, epochs=1).weights_path.parent == cache
    assert fit(compiled_vae(), weight_folders).weights_path.parent == shipped


def test_the_default_store_writes_to_the_cache_unless_make_weights_ships(monkeypatch):
    monkeypatch.delenv("HELPERS_SHIP_WEIGHTS", raising=False)
    assert WeightStore.default() == WeightStore((SHIPPED_WEIGHTS_DIR, CACHE_DIR), CACHE_DIR)
    monkeypatch.setenv("HELPERS_SHIP_WEIGHTS", "1")
    assert WeightStore.default().target == SHIPPED_WEIGHTS_DIR
    assert WeightStore.local().target == CACHE_DIR  # models that are never shipped


# ---------------------------------------------------------------- the cache key comes from the model itself

def _conv_model(width=8, activation="relu", beta=1.0, loss="standard"):
    """A small convolutional VAE built from scratch (fresh, automatically named layers every call)."""
    import keras

    from helpers.models import VAE

    x_in = keras.Input((8, 8, 1))
    h = keras.layers.Flatten()(keras.layers.Conv2D(width, 3, activation=activation, padding="same")(x_in))
    encoder = keras.Model(x_in, [keras.layers.Dense(2)(h), keras.layers.Dense(2)(h)])
    z = keras.Input((2,))
    decoder = keras.Model(z, keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64, activation="sigmoid")(z)))
    vae = VAE(encoder, decoder, beta=beta, loss=loss, seed=0)
    vae.compile(optimizer=make_optimizer("adam", 1e-3))
    return vae


def test_the_same_model_built_again_hits_the_cache():
    """Keras names layers conv2d, conv2d_1, … in build order; the key must not see those names."""
    first, second = _conv_model(), _conv_model()
    assert first.encoder.layers[1].name != second.encoder.layers[1].name
    assert cache_key(first, {"n": 1}) == cache_key(second, {"n": 1})


@pytest.mark.parametrize("change", [{"width": 16}, {"activation": "elu"}, {"beta": 4.0}, {"loss": "original"}])
def test_a_changed_architecture_or_loss_misses_the_cache(change):
    assert cache_key(_conv_model(**change), {"n": 1}) != cache_key(_conv_model(), {"n": 1})


def test_a_changed_data_setting_misses_the_cache():
    assert cache_key(_conv_model(), {"n": 2}) != cache_key(_conv_model(), {"n": 1})


def test_no_temporary_files_are_left_behind(weight_folders):
    fit(compiled_vae(), weight_folders)
    names = sorted(p.name for p in weight_folders[1].iterdir())
    assert len(names) == 3 and names[-1] == "toy-" + names[-1][4:] and "manifest.json" in names
    assert not [n for n in names if n.startswith(".")]


def test_weights_files_hold_no_optimizer_state(weight_folders):
    import h5py

    result = fit(compiled_vae(), weight_folders)
    with h5py.File(result.weights_path, "r") as handle:
        assert "optimizer" not in handle and "encoder" in handle


@pytest.mark.parametrize("mode, compact_lines", [("compact", True), ("live", False)])
def test_progress_is_compact_headless_and_live_otherwise(mode, compact_lines, weight_folders, monkeypatch, capsys):
    """HELPERS_PROGRESS=compact (the Makefile's headless runs) prints a few 'epoch i/N' lines; otherwise
    Keras' own live progress bar runs (verbose=1) and those summary lines are not printed."""
    monkeypatch.setenv("HELPERS_PROGRESS", mode)
    fit(compiled_vae(), weight_folders)
    out = capsys.readouterr().out
    assert "[fit_or_load] training toy" in out
    assert ("epoch    2/2" in out) is compact_lines


def test_kl_per_dimension_matches_the_closed_form():
    from helpers.models import build_mlp_vae
    from helpers.training import KLPerDimension

    vae = build_mlp_vae(latent_dim=3, seed=0)
    x = np.random.default_rng(0).random((50, 3)).astype(np.float32)
    vae(x)
    callback = KLPerDimension(x, batch_size=16)  # several batches
    callback.set_model(vae)
    logs = {}
    callback.on_epoch_end(0, logs)
    mean, log_var = (np.asarray(t, np.float64) for t in vae.encoder(x))
    expected = 0.5 * (mean ** 2 + np.exp(log_var) - log_var - 1).mean(axis=0)
    np.testing.assert_allclose([logs[f"val_kl_dim_{j}"] for j in range(3)], expected, rtol=1e-5)
    total = np.asarray(vae.losses_for(x)["kl_loss"])  # the per-dimension KLs add up to the VAE's KL term
    assert sum(logs.values()) == pytest.approx(float(total), rel=1e-4)


def test_the_training_notice_quotes_the_shipped_familys_recorded_time(tmp_path):
    from helpers.retraining import shipped_training_seconds
    from helpers.training import training_notice

    for key, seconds in (("aaa", 100.0), ("bbb", 300.0), ("ccc", 200.0)):
        (tmp_path / f"toy_vae-{key}.history.json").write_text(json.dumps({"train_seconds": seconds}))
    (tmp_path / "toy_vae_2d-ddd.history.json").write_text(json.dumps({"train_seconds": 9999.0}))  # another family
    (tmp_path / "toy_vae-eee.history.json").write_text("not json")
    assert shipped_training_seconds("toy_vae", tmp_path) == 200.0
    assert "took 3.3 min" in training_notice("toy_vae", 20, tmp_path)
    assert shipped_training_seconds("toy_ae", tmp_path) is None
    assert "no shipped model" in training_notice("toy_ae", 20, tmp_path)

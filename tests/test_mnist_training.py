"""Study 4's training to quality and its judge: the recipe (hold-out split, warm-up steps, callbacks), the
per-dimension KL read back from a history, the judge's training data and checks, and — on the shipped judge —
that it rejects noise and blank images and accepts held-out digits."""

import numpy as np
import pandas as pd
import pytest
from conftest import notebook_defaults

import helpers.env  # noqa: F401  (TensorFlow's environment before keras loads)
from helpers import verdicts
from helpers.studies.tsne_mnist_interpolation import digit_judge, mnist_data, mnist_models, parameters, training_levers
from helpers.validation import validate

DEFAULTS = notebook_defaults("04_tsne_mnist_interpolation")


def test_recipe_holds_out_the_last_images_and_counts_warmup_steps():
    recipe = mnist_models.Recipe(max_epochs=50, patience=5, validation_images=3, kl_warmup_epochs=4)
    x, y = np.arange(10), np.arange(10) * 10
    fitted, held_out = recipe.split(x)
    assert fitted.tolist() == list(range(7)) and held_out.tolist() == [7, 8, 9]
    (fx, fy), (hx, hy) = recipe.split((x, y))
    assert hy.tolist() == [70, 80, 90] and len(fx) == len(fy) == 7
    assert recipe.warmup_steps(n_fitted=3500, batch_size=128) == 4 * 28  # ⌈3500 / 128⌉ = 28 steps per epoch


def test_recipe_callbacks():
    import keras

    from helpers.training import KLPerDimension

    recipe = mnist_models.Recipe(50, 5, 3, kl_warmup_epochs=4)
    vae_callbacks = recipe.callbacks(np.zeros((3, 28, 28, 1)), variational=True)
    assert isinstance(vae_callbacks[0], KLPerDimension)
    stop = vae_callbacks[1]
    assert isinstance(stop, keras.callbacks.EarlyStopping)
    assert (stop.monitor, stop.patience, stop.start_from_epoch, stop.restore_best_weights) == ("val_loss", 5, 4, True)
    assert recipe.callbacks(None, variational=False)[0].start_from_epoch == 0  # nothing to warm up
    assert mnist_models.Recipe(25, 0, 3).callbacks(None, variational=False) == []  # patience 0: every epoch runs


def test_kl_history_gives_active_units_and_elbo_curves():
    history = {"val_kl_dim_0": [2.0, 3.0], "val_kl_dim_10": [0.0, 0.5], "val_kl_dim_2": [0.05, 0.01],
               "reconstruction_loss": [100.0, 90.0], "kl_loss": [1.0, 3.0],
               "val_reconstruction_loss": [110.0, 95.0], "val_kl_loss": [2.0, 4.0]}
    kl = training_levers.kl_per_dimension(history)
    np.testing.assert_array_equal(kl, [[2.0, 0.05, 0.0], [3.0, 0.01, 0.5]])  # dimensions in numeric order
    assert training_levers.active_units(history).tolist() == [1, 2]
    curves = training_levers.negative_elbo_curves(history)
    np.testing.assert_array_equal(curves["fitted"], [101.0, 93.0])
    np.testing.assert_array_equal(curves["held out"], [112.0, 99.0])
    with pytest.raises(ValueError, match="val_kl_dim"):
        training_levers.kl_per_dimension({"loss": [1.0]})


def test_non_digit_images_are_noise_dots_and_constant_grey():
    images = mnist_data.non_digit_images(9, np.random.default_rng(0))
    assert images.shape == (9, 28, 28, 1) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert all(np.unique(images[i]).size > 100 for i in (0, 3, 6))  # uniform noise
    assert all(set(np.unique(images[i])) <= {0.0, 1.0} for i in (1, 4, 7))  # dots
    assert all(np.unique(images[i]).size == 1 for i in (2, 5, 8))  # one grey level


def test_judge_training_data_interleaves_outliers_so_the_hold_out_has_both():
    data = mnist_data.load_mnist(400, 100, seed=0)
    x, y = mnist_models.judge_training_data(data, 100, seed=0)
    assert len(x) == 500 and (y == mnist_data.NOT_A_DIGIT).sum() == 100
    tail = y[-100:]
    assert 10 <= (tail == mnist_data.NOT_A_DIGIT).sum() <= 30  # about a fifth, like the whole
    np.testing.assert_array_equal(np.sort(y[y < 10]), np.sort(data.y_train))


def test_the_levers_verdicts_use_the_general_difference_rule():
    """The former ``training_levers.difference_verdict`` is :func:`helpers.verdicts.difference` (2 standard errors)."""
    found = verdicts.difference(0.8, 0.03, 0.6, 0.04, words=("a real difference",) * 2 + ("within the noise",))
    assert found.numbers["difference"] == pytest.approx(0.2) and found.numbers["se"] == pytest.approx(0.05)
    assert found.holds and found.words == "a real difference"
    assert verdicts.difference(0.62, 0.03, 0.6, 0.04).words == "within the noise"


def _levers_table():
    rows = []
    for prefix, dim, grid in (("2-d", 2, True), ("32-d", 32, False)):
        for label, epochs, fitted, held, test, active, prior, grid_share in (
                ("early stopping, constant β", 51, -151.8, -157.60, -159.5, dim, 0.72, 0.70),
                ("early stopping + KL warm-up (shipped)", 124, -142.3, -157.59, -158.6, dim, 0.80, 0.77)):
            rows.append({"recipe": f"{prefix}: {label}", "epochs": epochs, "fitted ELBO": fitted,
                         "held out ELBO": held, "test ELBO": test, "active units": active if grid else active - 3,
                         "grid accepted": grid_share if grid else np.nan, "prior accepted": prior,
                         "prior accepted se": 0.014})
    return pd.DataFrame(rows)


def test_levers_facts_say_only_what_the_table_shows():
    facts = training_levers.levers_facts(_levers_table(), {"2-d": 2.8, "32-d": 1.2}, tiles=15)
    two = facts["2-d"]
    assert two["held-out ELBO"].words == "within the noise"  # 0.01 nats against se 2.8·√2
    assert two["held-out ELBO"].numbers["difference"] == pytest.approx(0.01)
    assert two["prior accepted"].holds and two["prior accepted"].words == "higher"  # 0.08 against 0.0198
    assert not two["grid accepted"].holds  # 0.07 against √(2·0.7·0.3/225) ≈ 0.042
    assert two["gap with"] == pytest.approx(-142.3 + 158.6) and two["gap without"] == pytest.approx(-151.8 + 159.5)
    assert two["fewest active"] == 2 == two["dimensions"] and facts["32-d"]["fewest active"] == 29
    assert "grid accepted" not in facts["32-d"]
    fields = training_levers.facts_fields(_levers_table(), {"2-d": 2.8, "32-d": 1.2}, tiles=15)
    assert fields["collapse_2"] == "does not show" and fields["collapse_32"] == "shows in some units"  # 29 of 32
    text = training_levers.FACTS_TEMPLATE.format(**fields)
    assert "within the noise" in text and "29 (early stopping, constant β) / 29 (" in text


def test_lever_variants_compare_one_lever_at_a_time():
    recipe = mnist_models.Recipe(300, 20, 500, 10)
    variants = training_levers.lever_variants(recipe, 32, [512, 256])
    by_label = {label: (dim, r, hidden) for label, dim, r, hidden in variants}
    assert len(variants) == 7 and {dim for dim, _, _ in by_label.values()} == {2, 32}
    shipped = by_label["2-d: early stopping + KL warm-up (shipped)"]
    assert shipped == (2, recipe, (512, 256))
    assert by_label["2-d: early stopping, constant β"][1].kl_warmup_epochs == 0
    assert by_label["2-d: the same, no hidden layers"] == (2, recipe, ())
    assert by_label["32-d: early stopping + KL warm-up (shipped)"] == (32, recipe, ())
    assert by_label["32-d: 25 epochs, constant β (before)"][1] == mnist_models.Recipe(25, 0, 500)


def test_levers_summary_quotes_the_table():
    table = pd.DataFrame([{"recipe": "2-d: old", "epochs": 25, "test ELBO": -170.04, "active units": 2,
                           "grid accepted": 0.5, "grid digits": 6, "prior accepted": 0.4, "prior accepted se": 0.02}])
    text = training_levers.levers_summary(table)
    assert "**2-d VAE**" in text and "*old*: 25 epochs, test ELBO -170.0" in text
    assert "grid 50% accepted (6 digits)" in text


@pytest.mark.parametrize("values, name", [({"validation_images": 2100}, "validation_images"),
                                          ({"kl_warmup_epochs": 400}, "kl_warmup_epochs"),
                                          ({"patience": -1}, "patience")])
def test_training_parameters_are_checked(values, name):
    with pytest.raises(ValueError, match=name):
        validate(parameters.PARAMETERS, {**DEFAULTS, **values})


def test_the_shipped_judge_rejects_noise_and_blanks_and_accepts_held_out_digits():
    """The shipped judge (trained on the defaults' training images): most test digits accepted and read right;
    fresh noise, sparse dots and blank images (all black, all white) never accepted."""
    data = mnist_data.load_mnist(DEFAULTS["n_train"], DEFAULTS["n_test"], DEFAULTS["seed"])
    recipe = mnist_models.Recipe(DEFAULTS["judge_epochs"], mnist_models.JUDGE_PATIENCE,
                                 DEFAULTS["validation_images"])
    classifier, fit = mnist_models.train_or_load_judge(data, recipe, seed=DEFAULTS["seed"],
                                                learning_rate=DEFAULTS["learning_rate"],
                                                batch_size=DEFAULTS["batch_size"])
    assert fit.source == "loaded"
    judge = digit_judge.DigitJudge(classifier, data.x_train, data.x_test)
    assert judge.readings(data.x_test)["accepted share"] >= 0.93
    assert np.mean(judge.predicted(data.x_test) == data.y_test) >= 0.96
    noise = mnist_data.non_digit_images(300, np.random.default_rng(12345))
    blanks = np.concatenate([np.zeros((1, 28, 28, 1)), np.ones((1, 28, 28, 1))]).astype(np.float32)
    for images in (noise, blanks):
        assert judge.readings(images)["accepted share"] == 0.0

"""Known answers for the heatmap data set, the moment-based factor estimates and the parameters."""

import keras
import numpy as np
import pandas as pd
import pytest
from bench.reference import gaussian_heatmaps_loop
from conftest import notebook_defaults
from scipy.stats import multivariate_normal

from helpers import conv_models, heatmaps
from helpers.locations import SHIPPED_WEIGHTS_DIR
from helpers.studies.gaussian_heatmaps import alignment_scores, beta_sweep, latent_holes, parameters, recovery
from helpers.studies.t_distribution import t_data
from helpers.training import WeightStore
from helpers.validation import validate

NOTEBOOK_DEFAULTS = notebook_defaults("02_gaussian_heatmaps")
DEFAULTS = {name: NOTEBOOK_DEFAULTS[name] for name in parameters.PARAMETERS}


def test_grid_is_the_seeds():
    assert heatmaps.IMAGE_SIZE == 36
    assert heatmaps.GRID_AXIS[0] == -3 and np.isclose(heatmaps.GRID_AXIS[-1], 2.95)
    factors = heatmaps.factor_grid()
    assert factors.shape == (11_875, 3)
    assert len(np.unique(factors, axis=0)) == 11_875


def test_vectorised_generator_matches_scipy():
    factors = heatmaps.factor_grid()[np.random.default_rng(0).choice(11_875, 200, replace=False)]
    x, y = heatmaps.grid_points()
    pos = np.dstack((x, y))
    images = heatmaps.gaussian_heatmaps(factors)
    for image, (vx, vy, cor) in zip(images, factors, strict=True):
        off = cor * np.sqrt(vx * vy)
        reference = multivariate_normal([0, 0], [[vx, off], [off, vy]]).pdf(pos)
        np.testing.assert_allclose(image, reference / reference.max(), atol=1e-6, rtol=0)


def test_loop_and_vectorised_agree():
    factors = heatmaps.factor_grid()[:50]
    np.testing.assert_allclose(heatmaps.gaussian_heatmaps(factors), gaussian_heatmaps_loop(factors), atol=1e-12)


def test_split_is_the_seeds():
    data = heatmaps.load_heatmaps()
    assert data.x_train.shape == (9_500, 36, 36, 1) and data.x_test.shape == (2_375, 36, 36, 1)
    # The first training rows the original study printed after train_test_split(..., random_state=19).
    np.testing.assert_allclose(data.y_train[:3], [[4.1, 4.3, -0.75], [1.5, 2.5, -0.15], [0.9, 2.3, -0.15]])
    assert data.x_train.max() == pytest.approx(1.0)


def test_subsets():
    data = heatmaps.load_heatmaps(train_subset=100, test_subset=30)
    assert len(data.x_train) == len(data.y_train) == 100 and len(data.x_test) == 30


def test_factor_estimates_recover_the_generator_within_1e_4():
    factors = heatmaps.factor_grid()[::7]
    estimated = recovery.estimate_factors(heatmaps.gaussian_heatmaps(factors))
    np.testing.assert_allclose(estimated, factors, atol=1e-4)


def test_raw_moments_underestimate_wide_densities():
    wide = heatmaps.gaussian_heatmaps(np.array([[4.9, 4.9, 0.0]]))
    raw = recovery.grid_moments(wide)[0]
    assert raw[0, 0] < 0.8 * 4.9  # truncation by the ±3 window: why the correction is needed


def test_moment_fit_residual_separates_ellipses_from_other_blobs():
    good = heatmaps.gaussian_heatmaps(heatmaps.factor_grid()[::97])
    assert recovery.moment_fit_residual(good).max() < 1e-5
    two_blobs = heatmaps.gaussian_heatmaps(np.array([[0.3, 0.3, 0.0]]))[0]
    two_blobs = np.maximum(np.roll(two_blobs, 8, axis=0), np.roll(two_blobs, -8, axis=0))
    off_centre = np.roll(heatmaps.gaussian_heatmaps(np.array([[0.3, 0.3, 0.0]]))[0], 10, axis=0)
    assert recovery.moment_fit_residual(np.stack([two_blobs, off_centre])).min() > 0.3


def test_frobenius_errors_known_answer():
    a = np.zeros((2, 36, 36, 1))
    b = np.zeros((2, 36, 36))
    b[1] = 0.5
    np.testing.assert_allclose(recovery.frobenius_errors(a, b), [0.0, 0.5 * 36])


def test_default_parameters_are_valid_and_complete():
    assert set(NOTEBOOK_DEFAULTS) == set(parameters.PARAMETERS)
    validate(parameters.PARAMETERS, NOTEBOOK_DEFAULTS)


@pytest.mark.parametrize("name, value", [("epochs", 0), ("config", "huge"), ("beta", -1.0), ("patience", 2.5),
                                         ("train_subset", 9_501), ("force_retrain", "yes"), ("seed", -1)])
def test_bad_parameters_raise(name, value):
    with pytest.raises(ValueError, match=name):
        validate(parameters.PARAMETERS, **{**DEFAULTS, name: value})


# ---------------------------------------------------------------- shipped weights: the quality bar

class RefuseTraining(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        raise RuntimeError("no shipped weights for the default parameters: run `make weights`")


def shipped_test_errors(p: dict) -> dict:
    """Mean test Frobenius errors of the shipped VAE and AE for the parameters ``p`` (never retrains)."""
    data = heatmaps.load_heatmaps(p["train_subset"], p["test_subset"])
    models = {}
    for kind in ("vae", "ae"):
        models[kind], fit = conv_models.train_or_load_conv(
            kind, data.x_train, config=p["config"], seed=p["seed"], epochs=p["epochs"], patience=p["patience"],
            beta=p["beta"], vae_loss=p["vae_loss"],
            data_settings={"train_subset": p["train_subset"], "test_subset": p["test_subset"]},
            extra_callbacks=[RefuseTraining()], store=WeightStore((SHIPPED_WEIGHTS_DIR,), SHIPPED_WEIGHTS_DIR))
        assert fit.source == "loaded"
    recon = recovery.reconstructions(models["vae"], models["ae"], data.x_test, p["seed"])
    return {name: recovery.frobenius_errors(data.x_test, images).mean() for name, images in recon.items()}


@pytest.fixture(scope="module")
def shipped():
    return shipped_test_errors(NOTEBOOK_DEFAULTS)


def test_defaults_use_the_full_original_split():
    p = NOTEBOOK_DEFAULTS
    assert p["train_subset"] == 0 and p["test_subset"] == 0 and p["force_retrain"] is False


def test_ae_meets_the_bar(shipped):
    assert shipped["AE"] <= recovery.ORIGINAL_ERRORS["AE"]


def test_vae_mean_decoding_meets_the_bar(shipped):
    assert shipped["VAE, mean z"] <= recovery.ORIGINAL_ERRORS["VAE"]


def test_sampled_decoding_is_worse_than_mean_decoding(shipped):
    assert shipped["VAE, sampled z"] > shipped["VAE, mean z"]


# ---------------------------------------------------------------- study 3: t-distribution heatmaps

@pytest.mark.parametrize("df", [2, 200])
def test_t_heatmaps_match_scipy(df):
    from scipy.stats import multivariate_t

    factors = heatmaps.factor_grid()[np.random.default_rng(1).choice(11_875, 60, replace=False)]
    x, y = heatmaps.grid_points()
    pos = np.dstack((x, y))
    images = t_data.t_heatmaps(factors, df)
    for image, cov in zip(images, heatmaps.covariances(factors), strict=True):
        reference = multivariate_t([0, 0], cov, df=df).pdf(pos)
        np.testing.assert_allclose(image, reference / reference.max(), atol=1e-6, rtol=0)


def test_t_with_many_degrees_of_freedom_approaches_the_normal():
    factors = heatmaps.factor_grid()[::500]
    assert np.abs(t_data.t_heatmaps(factors, 1e6) - heatmaps.gaussian_heatmaps(factors)).max() < 1e-4


def test_degrees_of_freedom_rule():
    factors = heatmaps.factor_grid()
    df = t_data.degrees_of_freedom(factors, np.random.default_rng(0))
    total = factors[:, 0] + factors[:, 1]
    assert set(np.unique(df)) == {2, 200}
    assert (df[total**2 > 30] == 2).all() and (df[total**2 <= 20] == 200).all()
    assert 0.45 < (df == 2).mean() < 0.55  # the original study got 0.50
    np.testing.assert_array_equal(df, t_data.degrees_of_freedom(factors, np.random.default_rng(0)))


def test_t_split_carries_the_degrees_of_freedom():
    data = t_data.load_t_heatmaps(seed=0, train_subset=50, test_subset=20)
    assert data.y_train.shape == (50, 4) and set(np.unique(data.y_train[:, 3])) <= {2, 200}
    np.testing.assert_allclose(data.y_train[:3, :3], [[4.1, 4.3, -0.75], [1.5, 2.5, -0.15], [0.9, 2.3, -0.15]])


# ------------------------------------------- the original study's configuration and loss, retrained by `make weights`

#: The original configuration as `make weights` ships it (and notebook 02's exercise 1 runs it).
ORIGINAL_CONFIGURATION = {**NOTEBOOK_DEFAULTS, "config": "original", "vae_loss": "original", "beta": 1.0, "epochs": 40}


@pytest.fixture(scope="module")
def original_configuration():
    return shipped_test_errors(ORIGINAL_CONFIGURATION)


def test_original_configuration_reproduces_its_vae_error_within_ten_percent(original_configuration):
    assert original_configuration["VAE, sampled z"] == pytest.approx(recovery.ORIGINAL_ERRORS["VAE"], rel=0.10)


def test_original_configuration_ae_is_no_more_than_ten_percent_worse_than_its_figure(original_configuration):
    """One-sided: retrained here (early stopping on a hold-out, up to 40 epochs) the original study's AE beats the
    original study's 0.256 by about a fifth (0.201), so "within 10 %" can only be asked of the worse side."""
    assert original_configuration["AE"] <= 1.10 * recovery.ORIGINAL_ERRORS["AE"]


def test_estimated_covariances_are_remembered_and_returned_as_new_arrays(monkeypatch):
    images = heatmaps.gaussian_heatmaps(np.array([[1.0, 2.0, 0.3], [0.5, 0.5, -0.6]]))
    calls = []
    fit = recovery._fit_covariances
    monkeypatch.setattr(recovery, "_fit_covariances", lambda *args: calls.append(1) or fit(*args))
    first = recovery.estimate_covariances(images)
    np.testing.assert_allclose(first, heatmaps.covariances([[1.0, 2.0, 0.3], [0.5, 0.5, -0.6]]), atol=1e-5)
    first[:] = 0.0  # a caller's copy
    np.testing.assert_array_equal(recovery.estimate_covariances(images), fit(images, 200, 1e-3, 50.0))
    assert len(calls) == 1
    recovery.estimate_covariances(images, iterations=5)  # other settings
    recovery.estimate_covariances(images[:1])  # other images
    assert len(calls) == 3


# ---------------------------------------------------------------- axes, scores and holes (issue 13)

def test_alignment_scores_and_rotation_nulls_of_codes_that_are_the_factors():
    from helpers.probes import linear_probe_r2

    data = heatmaps.load_heatmaps(train_subset=2000, test_subset=1000)
    scores = alignment_scores.alignment_scores(data.y_train, data.y_train, data.y_test, data.y_test)
    assert list(scores.index) == ["MIG", "DCI D", "DCI C", "DCI I", "SAP"]
    assert scores["MIG"] > 0.9 and scores["DCI D"] > 0.99 and scores["DCI I"] > 0.99 and scores["SAP"] > 0.99
    nulls = alignment_scores.rotation_nulls(data.y_train, data.y_train, data.y_test, data.y_test, rotations=10,
                                            dci_rotations=2, seed=0)
    table = alignment_scores.null_table(nulls)
    assert list(table.index) == ["MIG", "SAP", "DCI D"] and list(table["rotations"]) == [10, 10, 2]
    assert (table["percentile"] == 100.0).all()  # the factors themselves beat every rotation of them
    np.testing.assert_allclose(table["observed"], scores[["MIG", "SAP", "DCI D"]].to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(table["p-value"], [1 / 11, 1 / 11, 1 / 3])
    # the probe, beside them, does not care: the same R² after a rotation
    q = np.linalg.qr(np.random.default_rng(0).normal(size=(3, 3)))[0]
    turned = linear_probe_r2(data.y_train @ q, data.y_train, data.y_test @ q, data.y_test, heatmaps.FACTORS)
    np.testing.assert_allclose(turned, 1.0, atol=1e-9)


def test_in_training_ranges_known_answer():
    train = np.array([[0.1, 0.1, -0.95], [4.9, 4.9, 0.85]])
    estimated = np.array([[1.0, 1.0, 0.0], [5.0, 1.0, 0.0], [1.0, 1.0, 0.9], [0.1, 4.9, -0.95]])
    np.testing.assert_array_equal(latent_holes.in_training_ranges(estimated, train), [True, False, False, True])


def _two_blobs(n):
    one = heatmaps.gaussian_heatmaps(np.array([[0.3, 0.3, 0.0]]))[0]
    return np.repeat(np.maximum(np.roll(one, 8, axis=0), np.roll(one, -8, axis=0))[None, ..., None], n, axis=0)


def test_sample_checks_count_valid_heatmaps_and_factors_in_range():
    train = heatmaps.factor_grid()
    interior = train[(train[:, :2].min(1) > 0.2) & (train[:, :2].max(1) < 4.8) & (np.abs(train[:, 2]) < 0.8)]
    # (the fit's error could push an edge value out)
    inside = heatmaps.gaussian_heatmaps(interior[::50][:30])[..., None]
    outside = heatmaps.gaussian_heatmaps(np.tile([[6.0, 1.0, 0.0]], (10, 1)))[..., None]  # a heatmap, but var_x = 6
    assert latent_holes.validity_threshold(inside) < 1e-4  # exact heatmaps fit exactly (within the fit's 60 iterations)
    checks = latent_holes.sample_checks(np.concatenate([inside, outside, _two_blobs(10)]), 1e-3, train)
    assert checks["valid"] == pytest.approx(40 / 50) and checks["valid se"] == pytest.approx(np.sqrt(0.8 * 0.2 / 50))
    # the two-blob images' recovered factors (var_x 2.0, var_y 0.3) happen to lie in range too
    assert checks["in ranges"] == pytest.approx(40 / 50)
    assert checks["images"] == 50


def test_latent_samples_per_source():
    rng = np.random.default_rng(1)
    codes = np.concatenate([rng.normal(-3, 0.3, (500, 3)), rng.normal(3, 0.3, (500, 3))])
    prior = rng.standard_normal((400, 3)).astype(np.float32)
    samples = latent_holes.latent_samples(prior, codes, 300, 2, seed=0)
    assert list(samples) == ["VAE: prior N(0, I)", "AE: Gaussian fit", "AE: mixture of 2 Gaussians"]
    np.testing.assert_array_equal(samples["VAE: prior N(0, I)"], prior[:300])
    assert all(z.shape == (300, 3) and z.dtype == np.float32 for z in samples.values())
    gap = lambda z: np.mean(np.abs(z[:, 0]) < 1.5)  # noqa: E731  (draws between the two clusters)
    assert gap(samples["AE: Gaussian fit"]) > 0.15 and gap(samples["AE: mixture of 2 Gaussians"]) == 0.0


def test_holes_table_with_a_decoder_whose_code_is_the_factors():
    from test_latent_paths import FactorDecoder

    train = heatmaps.factor_grid()
    interior = train[(train[:, :2].min(1) > 0.2) & (train[:, :2].max(1) < 4.8) & (np.abs(train[:, 2]) < 0.8)]
    recon = heatmaps.gaussian_heatmaps(interior[::60][:100])[..., None]
    half_wide = np.where(np.arange(40)[:, None] % 2, [[6.0, 2.0, 0.0]], interior[1::60][:40])
    samples = {"A: in range": interior[1::60][:40], "A: half too wide": half_wide, "B: not this model's": train[:3]}
    table = latent_holes.holes_table({"A": FactorDecoder()}, samples, {"A": recon}, train)
    assert list(table.index) == ["A: test reconstructions", "A: in range", "A: half too wide"]
    assert table.loc["A: test reconstructions", "valid"] == pytest.approx(0.95)  # the threshold's definition
    assert (table["threshold"] < 1e-4).all()  # exact heatmaps: residuals of the fit alone
    assert table.loc["A: half too wide", "valid"] == pytest.approx(0.5, abs=0.05)  # var_x = 6 leaves the window
    np.testing.assert_allclose(table["in ranges"], [1.0, 1.0, 0.5])


def test_validity_by_density_splits_at_the_level():
    images = np.concatenate([heatmaps.gaussian_heatmaps(heatmaps.factor_grid()[:6])[..., None], _two_blobs(4)])
    log_q = np.array([0.0, 0, 0, 0, 0, -9, -9, -9, -9, -9])  # the last five lie below the level
    table = latent_holes.validity_by_density(images, 1e-3, log_q, level=-1.0)
    assert table.loc["q below the level", "valid"] == pytest.approx(0.2)  # one heatmap, four two-blob images
    assert table.loc["q above the level", "valid"] == 1.0 and list(table["images"]) == [5, 5]


def test_alignment_verdicts():
    from helpers.disentanglement import RotationNull

    null = np.linspace(0, 1, 99)
    assert alignment_scores.alignment_verdict(RotationNull(1.5, null, 100.0, 0.01)).startswith("more axis-aligned")
    assert alignment_scores.alignment_verdict(RotationNull(-1.0, null, 0.0, 1.0)).startswith("less axis-aligned")
    assert alignment_scores.alignment_verdict(RotationNull(0.5, null, 50.0, 0.5)).startswith("no more axis-aligned")


def test_the_mixture_needs_a_training_code_per_component():
    values = {"train_subset": 9, "mixture_components": 10}
    assert parameters.MIXTURE_FIT.problem({**values, "train_subset": 10}) is None
    assert parameters.MIXTURE_FIT.problem({**values, "train_subset": 0}) is None  # all 9,500
    assert parameters.MIXTURE_FIT.problem(values).startswith("train_subset=9, mixture_components=10 (mixture fit)")
    with pytest.raises(ValueError, match="mixture fit"):
        validate(parameters.PARAMETERS, {**DEFAULTS, "train_subset": 9, "mixture_components": 10, "sample_images": 4})


# ---- the β sweep


def test_active_units_count_dimensions_whose_mean_moves():
    rng = np.random.default_rng(0)
    means = np.column_stack([rng.normal(0, 1, 500), rng.normal(0, 0.05, 500), np.zeros(500)])  # var 1, 0.0025, 0
    assert beta_sweep.active_units(means) == 1
    assert beta_sweep.active_units(means, threshold=1e-3) == 2
    assert beta_sweep.active_units(np.column_stack([means[:, 0] * 0.2, means[:, 0]])) == 2  # var 0.04 > 0.01


class FixedDecoder(keras.Model):
    """A decoder that returns the same image for every code (tests the distortion's floor)."""

    def __init__(self, image):
        super().__init__(name="fixed_decoder")
        self.image = keras.ops.convert_to_tensor(image[None], "float32")

    def call(self, z, training=False):
        return keras.ops.repeat(self.image, keras.ops.shape(z)[0], axis=0)


def test_distortion_is_the_summed_bernoulli_kl_and_zero_at_the_image_itself():
    x = heatmaps.gaussian_heatmaps(np.array([[1.0, 2.0, 0.3], [0.5, 0.5, -0.6]]))[..., None].astype(np.float32)
    model = conv_models.build_conv_ae("fast")
    model.decoder = FixedDecoder(x[0])
    d = beta_sweep.distortion_nats(model, x, np.zeros((2, 3), np.float32))
    assert d[0] == pytest.approx(0.0, abs=0.05)  # only the clipping of p to [1e-7, 1 − 1e-7] remains
    p, q = np.clip(x[1].astype(np.float64), 1e-7, 1 - 1e-7), np.clip(x[0].astype(np.float64), 1e-7, 1 - 1e-7)
    kl = np.sum(p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q)))
    assert d[1] == pytest.approx(kl, rel=1e-3)
    assert d[1] > 1.0


def _sweep_table(active, r2_cor):
    rows = [{"model": f"VAE β = {b:g}", "beta": b, "active units": a, "R² var_x": 0.9, "R² var_y": 0.9, "R² cor": r}
            for b, a, r in zip((0.1, 1.0, 4.0), active, r2_cor, strict=True)]
    return pd.DataFrame([*rows, {"model": "AE", "beta": np.nan, "active units": 3, "R² var_x": 0.9, "R² var_y": 0.9,
                                 "R² cor": 0.9}])


def test_collapse_onset_names_the_first_beta_that_loses_a_unit_or_a_factor():
    assert "β = 4" in beta_sweep.collapse_onset(_sweep_table((3, 3, 2), (0.9, 0.9, 0.9)), 3)
    assert "β = 1" in beta_sweep.collapse_onset(_sweep_table((3, 3, 3), (0.9, 0.3, 0.1)), 3)
    assert beta_sweep.collapse_onset(_sweep_table((3, 3, 3), (0.9, 0.9, 0.9)), 3).startswith("no β up to 4")


def test_beta_sweep_measures_each_model_on_the_test_images(tmp_path):
    data = heatmaps.load_heatmaps(120, 60)
    store = WeightStore((tmp_path,), tmp_path)
    table = beta_sweep.beta_sweep(data, (0.5, 2.0), samples=20, seed=3, bar=np.inf, store=store, config="fast",
                                  epochs=1, patience=1, data_settings={"train_subset": 120, "test_subset": 60})
    assert list(table["model"]) == ["VAE β = 0.5", "VAE β = 2", "AE"]
    assert table["trained here"].all() and (table["epochs"] == 1).all()
    vae_rows, ae_row = table.iloc[:2], table.iloc[2]
    assert (vae_rows["rate"] > 0).all() and np.isnan(ae_row["rate"])
    assert ae_row["distortion, mean z"] == ae_row["distortion, sampled z"]  # an AE decodes its one code
    assert (table[["distortion, mean z", "distortion, sampled z"]] > 0).all().all()
    assert table["active units"].between(0, 3).all()
    # one bar for every model: an infinite bar passes every draw, whatever each model's own bar says
    assert (table["valid samples"] == 1.0).all() and table["valid samples, own bar"].between(0, 1).all()
    assert (table["valid samples, own bar"] < 1).any()  # each model's own 95th percentile rejects some draws
    # the error columns are the Frobenius errors of the AE's own reconstructions
    ae, _ = conv_models.train_or_load_conv("ae", data.x_train, config="fast", seed=3, epochs=1, patience=1, store=store,
                                   data_settings={"train_subset": 120, "test_subset": 60})
    recon = ae.decoder.predict(ae.encoder.predict(data.x_test, verbose=0), verbose=0)
    assert ae_row["error, mean z"] == pytest.approx(recovery.frobenius_errors(data.x_test, recon).mean(), rel=1e-4)
    fig = beta_sweep.sweep_figure(table)
    assert len(fig.axes) == 4  # three panels and the active units' twin axis

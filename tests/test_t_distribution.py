"""Study 3: the closed-form bound from var_x + var_y, sampling of codes, the repeats table."""

import numpy as np
import pandas as pd
import pytest

from helpers import heatmaps
from helpers.studies.t_distribution import parameters, probing, seed_repeats, t_data


def factors_with_sum(s: float, n: int) -> np.ndarray:
    return np.tile([s / 2, s / 2, 0.0], (n, 1))


@pytest.mark.parametrize("s, expected", [(4.0, 0.0), (4.9, 0.401), (5.0, 0.5), (5.3, 0.809), (6.0, 1.0)])
def test_heavy_probability_matches_the_rule_it_summarises(s, expected):
    """clip((s² − 20)/10, 0, 1) against the original study's rule applied to 200,000 draws of U."""
    f = factors_with_sum(s, 200_000)
    drawn = (t_data.degrees_of_freedom(f, np.random.default_rng(0)) == t_data.HEAVY_DF).mean()
    assert t_data.heavy_probability_from_sum(f[:1])[0] == pytest.approx(expected, abs=1e-9)
    assert drawn == pytest.approx(expected, abs=0.005)


def test_bayes_accuracy_is_the_accuracy_of_the_best_rule_on_drawn_labels():
    factors = np.repeat(heatmaps.factor_grid(), 20, axis=0)
    heavy = t_data.degrees_of_freedom(factors, np.random.default_rng(1)) == t_data.HEAVY_DF
    p = t_data.heavy_probability_from_sum(factors)
    best_rule_accuracy = ((p > 0.5) == heavy).mean()
    assert t_data.bayes_accuracy_from_sum(factors) == pytest.approx(best_rule_accuracy, abs=0.003)
    for flipped in (p > 0.3, p > 0.7):  # any other threshold on s does no better
        assert (flipped == heavy).mean() <= best_rule_accuracy + 0.003


def test_heavy_labels_mark_two_degrees_of_freedom_as_positive():
    factors = np.array([[1, 1, 0, 2], [1, 1, 0, 200]])
    np.testing.assert_array_equal(t_data.heavy_labels(factors), [1, 0])


def _table():
    rows = []
    for seed, acc in ((1, 0.8), (2, 0.9), (3, 0.7)):
        rows.append({"representation": "AE z", "probe": "KNN", "k": 5, "accuracy": acc, "f1": acc - 0.1,
                     "seconds": 1.0, "seed": seed})
        rows.append({"representation": "pixels", "probe": "KNN", "k": 3, "accuracy": 1.0, "f1": 1.0,
                     "seconds": 1.0, "seed": seed})
    return pd.DataFrame(rows)


def test_summary_is_mean_and_sample_standard_deviation_over_seeds():
    summary = seed_repeats.summarise(_table())
    row = summary.loc[("AE z", "KNN")]
    assert row["accuracy mean"] == pytest.approx(0.8)
    assert row["accuracy std"] == pytest.approx(np.std([0.8, 0.9, 0.7], ddof=1))
    assert row["f1 mean"] == pytest.approx(0.7) and row["seeds"] == 3
    assert summary.loc[("pixels", "KNN"), "accuracy std"] == pytest.approx(0.0)


def test_paired_differences_are_per_seed_with_their_mean_and_spread():
    diffs = seed_repeats.paired_differences(_table(), [("AE z", "pixels")])
    row = diffs.loc["AE z − pixels"]
    np.testing.assert_allclose(row[[1, 2, 3]].to_numpy(float), [-0.2, -0.1, -0.3])
    assert row["mean"] == pytest.approx(-0.2) and row["std"] == pytest.approx(0.1)


def test_original_figures_stand_beside_the_matching_rows_only():
    out = seed_repeats.with_original_figures(seed_repeats.summarise(_table()))
    assert out.loc[("AE z", "KNN"), "original study's accuracy"] == probing.ORIGINAL_KNN["AE"]["accuracy"]
    assert np.isnan(out.loc[("pixels", "KNN"), "original study's accuracy"])


def test_repeat_seeds_start_at_the_notebook_seed():
    assert seed_repeats.repeat_seeds(19, 3) == [19, 20, 21]


def test_notebook_defaults_are_valid_and_complete():
    from conftest import notebook_defaults

    from helpers.validation import validate

    defaults = notebook_defaults("03_t_distribution")
    assert set(defaults) == set(parameters.PARAMETERS)
    validate(parameters.PARAMETERS, **defaults)


@pytest.mark.parametrize("name, value", [("repeats", 1), ("repeats", 2.0), ("recompute_repeats", "yes"),
                                         ("config", "huge"), ("epochs", 0), ("beta", -1.0), ("seed", 1.5)])
def test_bad_parameter_is_named_in_the_error(name, value):
    from conftest import notebook_defaults

    from helpers.validation import validate

    with pytest.raises(ValueError, match=rf"{name}: .*{value!r}"):
        validate(parameters.PARAMETERS, **{**notebook_defaults("03_t_distribution"), name: value})


# ---- issue 30: the Bayes bound with its error, the probe on (s, code), paired verdicts, the rerun, the error causes

def _labelled_data(n_train: int = 1500, n_test: int = 1000, seed: int = 0) -> heatmaps.HeatmapData:
    """Factors drawn from the study's grid with ν by the original study's rule; no images (the probes use codes)."""
    rng = np.random.default_rng(seed)
    grid = heatmaps.factor_grid()
    factors = grid[rng.choice(len(grid), n_train + n_test)]
    labelled = np.column_stack([factors, t_data.degrees_of_freedom(factors, rng)])
    return heatmaps.HeatmapData(None, None, labelled[:n_train], labelled[n_train:])


def test_bayes_bound_is_the_expected_accuracy_with_its_binomial_error():
    sure, coin = factors_with_sum(4.0, 400), factors_with_sum(np.sqrt(25.0), 400)  # p = 0 and p = ½
    assert probing.bayes_bound(sure) == (pytest.approx(1.0), pytest.approx(0.0))
    assert probing.bayes_bound(coin) == (pytest.approx(0.5), pytest.approx(np.sqrt(0.25 / 400)))
    # and it bounds the spread of the rule's realised accuracy over draws of the labels from above
    factors = heatmaps.factor_grid()[::5]
    p = t_data.heavy_probability_from_sum(factors)
    realised = [((p > 0.5) == (t_data.degrees_of_freedom(factors, np.random.default_rng(s)) == 2)).mean()
                for s in range(200)]
    bound, se = probing.bayes_bound(factors)
    assert np.mean(realised) == pytest.approx(bound, abs=3 * se / np.sqrt(200))
    assert np.std(realised) <= se * 1.15


def test_a_probe_is_above_the_bound_only_beyond_two_standard_errors():
    assert probing.against_bound(0.951, 2375, 0.950, 0.0045).words == "within the noise of the bound"
    assert probing.against_bound(0.99, 2375, 0.950, 0.0045).words == "above the bound"
    assert probing.against_bound(0.88, 2375, 0.950, 0.0045).words == "below the bound"


def test_a_code_that_carries_nu_beyond_the_sum_raises_the_probe_and_noise_does_not():
    data = _labelled_data()
    rng = np.random.default_rng(1)
    heavy = [t_data.heavy_labels(y)[:, None] for y in (data.y_train, data.y_test)]
    carrier = [np.hstack([h + 0.3 * rng.normal(size=h.shape), rng.normal(size=(len(h), 2))]) for h in heavy]
    noise = [rng.normal(size=(len(h), 3)) for h in heavy]
    kept = probing.beyond_the_sum(*carrier, data)
    assert kept["verdict"].holds and kept["(s, code)"] > kept["s alone"] + 0.02
    assert kept["verdict"].words == "carries ν beyond the sum"
    empty = probing.beyond_the_sum(*noise, data)
    assert not (empty["verdict"].holds and empty["(s, code)"] > empty["s alone"])
    assert empty["s alone"] == kept["s alone"]  # the same probe on the same s


def _seed_table(gaps):
    rows = []
    for seed, gap in enumerate(gaps):
        for rep, acc in (("A", 0.8 + gap), ("B", 0.8), ("C", 0.8 + (0.01 if seed % 2 else -0.01))):
            rows.append({"representation": rep, "probe": "KNN", "accuracy": acc, "seed": seed})
    return pd.DataFrame(rows)


def test_paired_verdicts_are_holm_corrected_across_the_family():
    from statsmodels.stats.multitest import multipletests

    table = _seed_table([0.02, 0.021, 0.019, 0.022, 0.018])
    found = seed_repeats.paired_verdicts(table, [("A", "B"), ("C", "B")])
    assert found["A − B"].words == "higher" and found["C − B"].words == "not resolved"
    raw = [found[name].numbers["p-value"] for name in ("A − B", "C − B")]
    np.testing.assert_allclose([found[name].numbers["Holm p-value"] for name in ("A − B", "C − B")],
                               multipletests(raw, method="holm")[1])
    assert found["A − B"].numbers["Holm p-value"] == pytest.approx(2 * raw[0])  # the smaller p, times m = 2


def test_rerun_check_judges_each_value_by_its_own_tolerance():
    table = _seed_table([0.02, 0.02, 0.02])
    rerun = pd.DataFrame([{"representation": "A", "probe": "KNN", "accuracy": 0.83},
                          {"representation": "B", "probe": "KNN", "accuracy": 0.801}])
    out, found = seed_repeats.rerun_check(table, rerun, 1, "A", "B", {"A": 0.01, "B": 0.01, "A − B": 0.004})
    assert found["A"].words == "within" and found["B"].words == "within"  # 0.01 and 0.001 against 0.02
    assert found["A − B"].words == "beyond"  # 0.029 against 0.020: 0.009 > 2 × 0.004
    assert out.loc["A − B", "change"] == pytest.approx(0.009)


def test_a_recorded_probe_table_reads_back():
    record = {"('AE z', 'KNN')": {"accuracy": 0.9, "f1": 0.8, "k": 3.0}}
    back = seed_repeats.probe_table_from_record(record)
    assert back.loc[0, "representation"] == "AE z" and back.loc[0, "probe"] == "KNN" and back.loc[0, "accuracy"] == 0.9


def test_recorded_changes_use_one_runs_spread_and_say_when_they_cannot():
    def values(acc, sd=0.01):
        key = str(("AE z", "KNN"))
        return {"t_probes_this_seed": {key: {"accuracy": acc}}, "t_repeats": {key: {"accuracy std": sd}}}
    words = ("up", "down", "same")
    assert seed_repeats.recorded_changes(values(0.95), values(0.9), ["AE z"], words)["AE z"].words == "up"
    assert seed_repeats.recorded_changes(values(0.92), values(0.9), ["AE z"], words)["AE z"].words == "same"
    assert seed_repeats.recorded_changes(values(0.92), {}, ["AE z"], words)["AE z"] == seed_repeats.NOT_COMPUTED


def test_original_single_run_counts_one_seeds_spread():
    assert seed_repeats.against_original(0.833, 0.006, 5, 0.849).words == "below the original study's"
    assert seed_repeats.against_original(0.845, 0.006, 5, 0.849).words == "consistent with the original study's"


def test_nearly_normal_t_images_have_the_gaussian_images_norm_and_heavy_ones_less():
    from helpers.studies.t_distribution import reconstruction

    factors = heatmaps.factor_grid()[::50]
    light, _ = reconstruction.image_norms(t_data.t_heatmaps(factors, t_data.LIGHT_DF), factors)
    heavy, verdict = reconstruction.image_norms(t_data.t_heatmaps(factors, t_data.HEAVY_DF), factors)
    assert light.loc["t images", "mean norm"] == pytest.approx(
        light.loc["Gaussian images, same factors", "mean norm"], rel=0.02)
    assert verdict.words == "smaller"  # ν = 2: a sharper peak, so less squared mass in the window


def test_errors_by_tails_compare_the_two_classes():
    from helpers.studies.t_distribution import reconstruction

    heavy = np.arange(400) % 2 == 0
    errors = {"same": np.where(heavy, 1.0, 1.0) + 0.01 * np.sin(np.arange(400)), "worse": np.where(heavy, 2.0, 1.0)}
    table, found = reconstruction.error_by_tails(errors, heavy)
    assert found["same"].words == "no different" and found["worse"].words == "larger on ν = 2"
    assert table.loc["worse", "mean error, ν = 2"] == pytest.approx(2.0)


def test_late_improvement_is_the_relative_fall_over_the_last_epochs():
    from helpers.studies.t_distribution import model_pair

    assert model_pair.late_improvement([10, 5, 4, 4.1, 4, 4, 3.8]) == pytest.approx(4 / 3.8 - 1)
    assert model_pair.late_improvement([10, 5, 4, 4.1, 4, 4, 4.2]) == pytest.approx(0.0)
    assert np.isnan(model_pair.late_improvement([3, 2, 1]))


def test_recipe_verdicts_change_one_thing_at_a_time(tmp_path):
    import json

    from helpers.studies.t_distribution import reconstruction

    path = tmp_path / "seeds.json"
    rows = [{"model": "AE", "number": "test error", "value": v, "seed": s} for s, v in enumerate([0.2, 0.22, 0.24])]
    rows.append({"model": "VAE", "number": "test error", "value": 9.0, "seed": 0})
    path.write_text(json.dumps({"settings": {}, "rows": rows}))
    sd = reconstruction.study_2_error_spread(path)
    assert sd == pytest.approx(0.02)
    check = pd.DataFrame({"mean error": [0.2, 0.4], "one run's sd": [sd, sd]})
    found = reconstruction.recipe_verdicts(check, t_error=0.41)
    assert found["recipe"].words == "raises"  # 0.2 against 2 × √2 × 0.02 = 0.057
    assert found["data"].words == "do not change"  # 0.01 is within the noise


def test_frobenius_error_is_the_heatmap_studies_error():
    from helpers.studies.gaussian_heatmaps import recovery
    from helpers.studies.t_distribution import reconstruction

    rng = np.random.default_rng(0)
    x, y = rng.random((5, 36, 36, 1)), rng.random((5, 36, 36, 1))
    assert reconstruction.frobenius_error(x, y) == pytest.approx(recovery.frobenius_errors(x, y).mean())
    assert reconstruction.frobenius_error(x, x + 0.5) == pytest.approx(0.5 * 36)  # √(1296 × 0.25)

"""Study 2's seed study: the spread and paired-difference tables and the identifiability verdict on
hand-made tables whose answers are known."""

import json

import numpy as np
import pandas as pd
import pytest

from helpers.studies.gaussian_heatmaps import seed_study


def headlines(vae_values, ae_values, number="MIG"):
    rows = [("VAE", number, v, s) for s, v in enumerate(vae_values)] + [("AE", number, v, s)
                                                                       for s, v in enumerate(ae_values)]
    return pd.DataFrame(rows, columns=["model", "number", "value", "seed"])


def test_seed_list_starts_with_the_notebooks_seed():
    assert seed_study.seed_list(19) == [19, 20, 21, 22, 23]


def test_spread_is_the_mean_and_sample_sd_per_model():
    spread = seed_study.seed_spread(headlines([1.0, 2.0, 3.0], [10.0, 10.0, 13.0]))
    assert spread.loc["MIG", ("VAE", "mean")] == pytest.approx(2.0)
    assert spread.loc["MIG", ("VAE", "sd")] == pytest.approx(1.0)
    assert spread.loc["MIG", ("AE", "mean")] == pytest.approx(11.0)
    assert spread.loc["MIG", ("AE", "sd")] == pytest.approx(np.sqrt(3.0))


def test_a_consistent_gap_survives_and_a_gap_inside_the_noise_does_not():
    steady = seed_study.paired_seed_differences(headlines([1.1, 2.1, 3.2, 0.9, 5.0], [1.0, 2.0, 3.0, 0.8, 4.9]))
    assert steady.loc["MIG", "VAE − AE"] == pytest.approx(0.12)
    assert steady.loc["MIG", "seeds VAE > AE"] == 5 and steady.loc["MIG", "survives"]
    assert steady.loc["MIG", "verdict"] == "VAE larger"
    noisy = seed_study.paired_seed_differences(headlines([1.0, 2.0, 3.0, 4.0, 5.0], [1.5, 1.5, 3.5, 3.5, 5.0]))
    assert noisy.loc["MIG", "VAE − AE"] == pytest.approx(0.0)
    assert not noisy.loc["MIG", "survives"] and noisy.loc["MIG", "verdict"] == "not resolved"
    # the same values unpaired would differ: the test pairs by seed
    assert noisy.loc["MIG", "p-value"] > 0.5


def test_holm_across_the_family_overturns_a_borderline_difference():
    """A difference with p ≈ 0.025 survives p < 0.05 when it is tested alone. Tested as one of a family of three
    such numbers, Holm multiplies the smallest p-value by m = 3 (then 2, then 1, kept monotone: with ties all
    become 3p ≈ 0.075), so none survives: the uncorrected rule would have reported three differences."""
    borderline = ([1.03, 1.01, 1.05, 1.01, 1.04], [1.00, 1.00, 1.00, 1.00, 1.00])
    alone = seed_study.paired_seed_differences(headlines(*borderline))
    assert 0.01 < alone.loc["MIG", "p-value"] < 0.05 and alone.loc["MIG", "survives"]
    table = pd.concat([headlines(*borderline, number=n) for n in ("MIG", "SAP", "DCI D")])
    family = seed_study.paired_seed_differences(table)
    assert list(family.index) == ["MIG", "SAP", "DCI D"]
    assert list(family["p-value"]) == pytest.approx([alone.loc["MIG", "p-value"]] * 3)
    assert list(family["Holm p-value"]) == pytest.approx([3 * alone.loc["MIG", "p-value"]] * 3)  # ties: all × m
    assert not family["survives"].any() and (family["verdict"] == "not resolved").all()


def test_percentiles_and_training_cost_stay_out_of_the_family():
    table = pd.concat([headlines([1.1, 2.1, 3.2], [1.0, 2.0, 3.0]),
                       headlines([0, 33.3, 100], [66.7, 0, 33.3], number="DCI D percentile"),
                       headlines([200, 210, 190], [100, 120, 90], number="train seconds")])
    assert seed_study.family_numbers(table) == ["MIG"]
    assert list(seed_study.paired_seed_differences(table).index) == ["MIG"]


@pytest.mark.parametrize("rho, procrustes, affine, knn, expected", [
    (0.95, 0.01, 0.99, 0.99, "permutation and sign"), (0.8, 0.007, 0.996, 0.998, "rotation and scale"),
    (0.8, 0.099, 0.99, 0.99, "rotation and scale"), (0.8, 0.11, 0.99, 0.99, "affine"),
    (0.6, 0.5, 0.95, 0.99, "affine"), (0.6, 1.0, 0.5, 0.93, "smooth map"), (0.3, 2.0, 0.2, 0.4, "none of these")])
def test_identifiability_class_is_the_narrowest_family_that_explains_the_seeds(rho, procrustes, affine, knn, expected):
    row = pd.Series({"matched |ρ| mean": rho, "Procrustes residual": procrustes, "affine R²": affine, "k-NN R²": knn})
    assert seed_study.identifiability_class(row) == expected


def test_the_verdict_holds_only_when_the_vae_permutes_and_the_ae_does_not():
    def table(vae_rho, ae_rho):
        return pd.DataFrame([{"model": m, "seed a": 0, "seed b": 1, "affine R²": 0.99, "Procrustes residual": 0.01,
                              "matched |ρ| mean": r, "matched |ρ| min": r, "k-NN R²": 0.99}
                             for m, r in (("VAE", vae_rho), ("AE", ae_rho))])
    assert seed_study.seed_verdict(table(0.97, 0.6))["prediction held"]
    assert not seed_study.seed_verdict(table(0.97, 0.95))["prediction held"]
    assert not seed_study.seed_verdict(table(0.7, 0.6))["prediction held"]


def notebook_key(model: str, number: str) -> str:
    """Where notebook 02 records the same number for its own seed."""
    if number.startswith("test error"):
        decoding = "VAE, sampled z" if "sampled" in number else "VAE, mean z" if model == "VAE" else "AE"
        return f"heatmap_errors/{decoding}/mean"
    if number.startswith("probe R² "):
        return f"heatmap_linear_probe/{model}/{number.removeprefix('probe R² ')}"
    if number.endswith(" percentile"):
        return f"heatmap_rotation_null/{model} {number.removesuffix(' percentile')}/percentile"
    if number.startswith("valid samples"):
        source = {"VAE": "VAE: prior N(0, I)", "AE": "AE: Gaussian fit"}[model]
        return f"heatmap_holes/{'AE: mixture of 10 Gaussians' if 'mixture' in number else source}/valid"
    return f"heatmap_disentanglement/{model}/{number}"


def test_the_recorded_seed_study_measures_the_notebooks_own_seed_as_the_notebook_does():
    """The shipped seed table's row for the notebook's seed holds the numbers the stored notebook computed itself
    (same models, same functions), within each number's tolerance: the seed study measures what the notebook
    reports, not something near it."""
    from recorded_values import ROOT, flatten, load_tolerances, rule_for, stored_records

    record = pd.DataFrame(json.loads(seed_study.SEEDS_FILE.read_text())["rows"])
    stored = {}
    for key, value in stored_records(ROOT / "notebooks" / "02_gaussian_heatmaps.ipynb").items():
        stored.update(flatten(value, key))
    rules = load_tolerances()
    own = record[(record["seed"] == record["seed"].min()) & ~record["number"].isin(["train seconds", "epochs"])]
    assert len(own) >= 25
    for row in own.itertuples():
        key = notebook_key(row.model, row.number)
        rule = rule_for(key, rules)
        assert abs(row.value - stored[key]) <= max(rule.abs, rule.rel * abs(stored[key])) + 1e-9, (key, row.value)


def test_identifiability_verdicts_use_one_bar_for_both_families():
    row = pd.Series({"matched |ρ| mean": 0.824, "Procrustes residual": 0.007, "affine R²": 0.996, "k-NN R²": 0.998})
    decided = seed_study.identifiability_verdicts(row)
    assert not decided["perm"].holds and decided["rot"].holds
    assert seed_study.identifiability_class(row) == "rotation and scale"
    assert decided["perm"].rule == decided["rot"].rule == "|value − reference| ≤ 0.1"


def test_a_sweep_ranking_needs_a_gap_beyond_two_standard_errors_of_one_seed_each():
    sweep = pd.DataFrame({"model": ["VAE β = 0.33", "VAE β = 16", "VAE β = 1", "AE"], "beta": [0.33, 16, 1, np.nan],
                          "DCI D": [0.45, 0.31, 0.19, 0.9]})
    close = seed_study.sweep_dci_ranking(sweep, dci_sd=0.103)  # gap 0.14 < 2·√2·0.103 = 0.29
    assert (close["best_beta"], close["next_beta"]) == (0.33, 16) and not close["ranking"].holds
    clear = seed_study.sweep_dci_ranking(sweep, dci_sd=0.03)  # the AE's 0.9 is no β
    assert clear["ranking"].holds and clear["ranking"].words == "more axis-aligned than"


def test_an_exercise_change_counts_only_beyond_the_seed_spread():
    here = {"heatmap_errors": {"VAE, mean z": {"mean": 0.233}, "VAE, sampled z": {"mean": 0.432}, "AE": {"mean": 0.2}},
            "heatmap_seed_spread": {"test error": {"VAE sd": 0.007, "AE sd": 0.018},
                                    "test error, sampled z": {"VAE sd": 0.007}}}
    run = {"heatmap_errors": {"VAE, mean z": {"mean": 0.220}, "VAE, sampled z": {"mean": 0.344}, "AE": {"mean": 0.1}}}
    judged = seed_study.changes_beyond_seeds(run, here)
    assert not judged["VAE error, mean z"].holds  # 0.013 < 2·√2·0.007
    assert judged["VAE error, sampled z"].words == "lower, beyond the seed spread"
    assert judged["AE error"].holds
    assert judged["VAE probe cor"].startswith("not judged")  # no probe in either record

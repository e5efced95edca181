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

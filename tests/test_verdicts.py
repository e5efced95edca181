"""The rules that decide comparative words: known answers, edge cases, bad input, and the claims record."""

import math

import numpy as np
import pytest
from scipy.stats import ttest_rel

from helpers import report, verdicts


def test_difference_uses_the_combined_standard_error():
    verdict = verdicts.difference(0.80, 0.03, 0.60, 0.04)
    assert verdict.numbers["se"] == pytest.approx(0.05)  # √(0.03² + 0.04²)
    assert verdict.numbers["difference"] == pytest.approx(0.20)
    assert verdict.numbers["in se"] == pytest.approx(4.0)
    assert verdict.holds and verdict.words == "larger"
    assert verdicts.difference(0.60, 0.04, 0.80, 0.03).words == "smaller"


def test_difference_at_the_threshold_is_not_resolved():
    # 2 se exactly is not "more than two standard errors"; a hair above is.
    assert not verdicts.difference(0.10, 0.03, 0.0, 0.04).holds
    assert verdicts.difference(0.1001, 0.03, 0.0, 0.04).holds
    unresolved = verdicts.difference(0.62, 0.03, 0.60, 0.04, words=("up", "down", "no change"))
    assert unresolved.words == "no change" and f"{unresolved}" == "no change"


def test_difference_rejects_a_meaningless_standard_error():
    with pytest.raises(ValueError, match="a_se"):
        verdicts.difference(1.0, -0.1, 0.0, 0.1)
    with pytest.raises(ValueError, match="b_se"):
        verdicts.difference(1.0, 0.1, 0.0, math.nan)


def test_holm_matches_the_step_down_definition():
    p = np.array([0.01, 0.04, 0.03, 0.005])
    # sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → monotone: 0.06
    np.testing.assert_allclose(verdicts.holm(p), [0.03, 0.06, 0.06, 0.02])
    assert len(verdicts.holm([])) == 0


def test_paired_family_corrects_for_the_number_of_comparisons():
    rng = np.random.default_rng(0)
    a = rng.normal(size=5)
    steady = a + 0.1 + 0.02 * rng.normal(size=5)  # a consistent gap
    borderline = a + np.array([0.3, 0.5, 0.1, 0.4, 0.2])  # t = 4.24 with 4 degrees of freedom: p ≈ 0.013
    raw = ttest_rel(borderline, a).pvalue
    assert 0.01 < raw < 0.05, "the fixture needs a borderline raw p-value"
    alone = verdicts.paired_family({"borderline": (borderline, a)})["borderline"]
    assert alone.holds and alone.numbers["Holm p-value"] == pytest.approx(raw)
    family = {"steady": (steady, a), "borderline": (borderline, a)}
    family.update({f"null {k}": (a + np.roll([1.0, -1.0, 0.5, -0.4, 0.1], k), a) for k in range(8)})
    result = verdicts.paired_family(family, words=("higher", "lower", "not resolved"))
    assert result["steady"].holds and result["steady"].words == "higher"
    assert result["steady"].numbers["seeds a > b"] == 5 and result["steady"].numbers["seeds"] == 5
    # ten comparisons: the borderline raw p no longer survives
    assert result["borderline"].numbers["p-value"] == pytest.approx(raw)
    assert not result["borderline"].holds and result["borderline"].words == "not resolved"
    assert "10 comparisons" in result["borderline"].rule


def test_paired_p_value_without_spread():
    assert verdicts.paired_p_value([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == 1.0
    assert verdicts.paired_p_value([1.5, 2.5, 3.5], [1.0, 2.0, 3.0]) == 0.0
    with pytest.raises(ValueError, match="two seeds"):
        verdicts.paired_p_value([1.0], [2.0])


def test_within_tolerance():
    assert verdicts.within_tolerance(0.233, 0.24, abs_tol=0.01).holds
    miss = verdicts.within_tolerance(0.233, 0.322, rel_tol=0.1)
    assert not miss.holds and miss.words == "does not reproduce"
    assert miss.numbers["tolerance"] == pytest.approx(0.0322)
    with pytest.raises(ValueError, match="state a tolerance"):
        verdicts.within_tolerance(1.0, 1.0)


def test_a_verdict_in_a_takeaway_renders_its_words_and_records_its_rule(monkeypatch):
    shown = []
    monkeypatch.setattr(report, "_display", shown.append)
    monkeypatch.setattr(report, "_CLAIMS", {})
    verdict = verdicts.difference(3.0, 0.1, 1.0, 0.1, words=("more", "less", "no different"))
    report.show_takeaway("test_claim", "A is {cmp} than B ({gap:.1f}).", cmp=verdict, gap=2.0)
    bundle = shown[0]
    assert bundle["text/markdown"] == "A is more than B (2.0)."
    recorded = bundle[report.VALUES_MIME]["test_claim"]["cmp"]
    assert recorded["verdict"] == "more" and recorded["holds"] is True
    assert recorded["difference"] == pytest.approx(2.0) and "√" in recorded["rule"]
    table = report.claims_table(report.claims_here())
    assert list(table.index) == ["test_claim/cmp"] and table.loc["test_claim/cmp", "holds"] == "yes"


def test_a_change_within_what_a_new_seed_makes_is_not_credited():
    # the gap ratio of study 1: 6.6 at the defaults, 7.0 at β = 4, 7.7 at another seed
    beta = verdicts.against_seed_change(7.03, 6.60, 7.71)
    assert not beta.holds and beta.words.startswith("within")
    assert beta.numbers == pytest.approx({"change": 0.43, "seed change": 1.11})
    assert verdicts.against_seed_change(2.52, 6.60, 7.71).holds  # ReLU's 2.5: beyond


def test_claims_record_only_what_compares_exactly(monkeypatch):
    # the numbers column is rounded text: recorded, it would compare exactly and fail on another CPU's last digits
    shown = []
    monkeypatch.setattr(report, "_display", shown.append)
    monkeypatch.setattr(report, "_CLAIMS", {"k/close": verdicts.within_tolerance(1.43, 1.48, rel_tol=0.05)})
    report.show_claims("test_claims")
    recorded = shown[0][report.VALUES_MIME]["test_claims"]["k/close"]
    assert set(recorded) == {"rule", "holds", "words"}
    assert recorded["rule"] == "|value − reference| ≤ 0.05 × |reference|"  # the stated tolerance, not a computed one
    assert "value 1.43" in shown[0]["text/html"]

"""helpers.report (values shown and recorded) and helpers.spread (bootstrap errors), with known answers."""

import json

import numpy as np
import pandas as pd
import pytest

from helpers import report, spread


def test_a_dataframe_becomes_nested_plain_values():
    frame = pd.DataFrame({"a": [1.5, np.nan], "b": [np.int64(2), np.int64(3)]}, index=["x", "y"])
    assert report.to_plain(frame) == {"x": {"a": 1.5, "b": 2}, "y": {"a": None, "b": 3}}
    assert report.to_plain({"flag": np.bool_(True), "v": np.float32(0.5), "list": np.arange(2)}) == {
        "flag": True, "v": 0.5, "list": [0, 1]}


def test_an_unknown_type_is_refused():
    with pytest.raises(TypeError, match="cannot record"):
        report.to_plain(object())


def test_record_writes_one_json_file_per_key(tmp_path, monkeypatch):
    monkeypatch.setenv("HELPERS_VALUES_DIR", str(tmp_path))
    bundle = report.record("lengths", {"line": np.float64(2.25)})
    assert json.loads((tmp_path / "lengths.json").read_text()) == {"line": 2.25}
    assert bundle == {report.VALUES_MIME: {"lengths": {"line": 2.25}}}
    assert not list(tmp_path.glob("*.tmp")), "the temporary file must be renamed into place"


def test_takeaway_text_comes_from_the_values_and_only_numbers_are_recorded(monkeypatch):
    shown = []
    monkeypatch.setattr(report, "_display", shown.append)
    assert report.show_takeaway("k", "{a:.2f} and {label}", a=1 / 3, label="text") is None  # nothing shown twice
    assert shown[0]["text/markdown"] == "0.33 and text"
    assert shown[0][report.VALUES_MIME] == {"k": {"a": 1 / 3}}


def test_table_is_html_with_the_stated_precision(monkeypatch):
    shown = []
    monkeypatch.setattr(report, "_display", shown.append)
    assert report.show_table("t", pd.DataFrame({"v": [0.123456]}, index=["row"]), digits=3) is None
    assert "0.123" in shown[0]["text/html"] and "0.1235" not in shown[0]["text/html"]
    assert shown[0][report.VALUES_MIME] == {"t": {"row": {"v": 0.123456}}}


def test_bootstrap_error_of_a_rate_matches_the_binomial_formula():
    rng = np.random.default_rng(0)
    hits = rng.random(1000) < 0.8
    table = spread.mean_and_error({"hits": hits}, np.random.default_rng(1), resamples=4000)
    expected = np.sqrt(hits.mean() * (1 - hits.mean()) / len(hits))
    assert table.loc["hits", "± se"] == pytest.approx(expected, rel=0.08)


def test_a_constant_sample_has_no_spread():
    table = spread.mean_and_error({"c": np.full(50, 3.0)}, np.random.default_rng(0))
    assert table.loc["c", "mean"] == 3.0 and table.loc["c", "± se"] == 0.0


def test_paired_differences_keep_the_pairing():
    a = np.random.default_rng(0).normal(size=300)
    table = spread.paired_differences({"a + 0.1": a + 0.1, "a": a}, [("a + 0.1", "a")], np.random.default_rng(1))
    row = table.loc["a + 0.1 − a"]
    # Resampled jointly, the difference is the same constant in every resample: no spread, always positive.
    assert row["difference"] == pytest.approx(0.1) and row["± se"] == pytest.approx(0.0, abs=1e-12)
    assert row["share > 0"] == 1.0


def test_independent_samples_with_equal_means_have_a_sign_near_chance():
    rng = np.random.default_rng(2)
    table = spread.paired_differences({"x": rng.normal(size=400), "y": rng.normal(size=400)}, [("x", "y")],
                                      np.random.default_rng(3))
    row = table.loc["x − y"]
    assert abs(row["difference"]) < 3 * row["± se"]
    assert row["± se"] == pytest.approx(np.sqrt(2 / 400), rel=0.15)


def test_share_and_error_is_the_binomial_standard_error():
    assert spread.share_and_error([True, False, False, False]) == pytest.approx((0.25, np.sqrt(0.25 * 0.75 / 4)))
    assert spread.share_and_error(np.ones(10, bool)) == (1.0, 0.0)

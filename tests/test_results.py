"""Recorded results: a round trip, refusal of other settings, and atomic writes."""

import json

import pandas as pd
import pytest

from helpers import results


def _table():
    return pd.DataFrame({"beta": [0.1, 1.0], "rate": [12.5, 3.25], "model": ["VAE", "VAE"]})


def test_a_table_round_trips_with_its_settings(tmp_path):
    path = tmp_path / "results" / "sweep.json"
    settings = {"epochs": 12, "betas": (0.1, 1.0)}  # a tuple is recorded as a list and still matches
    results.save_table(_table(), settings, path)
    pd.testing.assert_frame_equal(results.load_table(settings, path), _table())
    assert json.loads(path.read_text())["settings"] == {"epochs": 12, "betas": [0.1, 1.0]}


def test_other_settings_or_no_file_give_none(tmp_path):
    path = tmp_path / "sweep.json"
    assert results.load_table({"epochs": 12}, path) is None
    results.save_table(_table(), {"epochs": 12}, path)
    assert results.load_table({"epochs": 13}, path) is None
    assert results.load_table({"epochs": 12, "seed": 0}, path) is None


def test_no_temporary_file_is_left_behind(tmp_path):
    results.save_table(_table(), {"epochs": 1}, tmp_path / "a.json")
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "a.json"
    results.atomic_write_text(path, "old\n")

    class Unwritable:
        def __str__(self):
            raise RuntimeError("disk full")

    with pytest.raises(TypeError):
        results.atomic_write_text(path, Unwritable())  # write() refuses a non-string half-way
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]

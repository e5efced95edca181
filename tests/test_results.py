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


def test_recorded_or_computed_reads_recomputes_and_ships(tmp_path, monkeypatch, capsys):
    import pandas as pd

    from helpers.results import recorded_or_computed, save_table

    table, other = pd.DataFrame({"a": [1.0, 2.0]}), pd.DataFrame({"b": [3.0]})
    path, second = tmp_path / "t.json", tmp_path / "u.json"
    save_table(table, {"k": 1}, path)

    def never():
        raise AssertionError("computed although the table is recorded")

    assert recorded_or_computed(path, {"k": 1}, never, recompute=False, flag="redo", cost="1 s").equals(table)
    assert recorded_or_computed(path, {"k": 2}, never, recompute=False, flag="redo", cost="1 s") is None
    assert "redo=True (1 s)" in capsys.readouterr().out
    monkeypatch.delenv("HELPERS_SHIP_WEIGHTS", raising=False)
    got = recorded_or_computed(second, {"k": 2}, lambda: other, recompute=True, flag="redo", cost="1 s")
    assert got.equals(other) and not second.exists()  # recomputed here, written only under make weights
    monkeypatch.setenv("HELPERS_SHIP_WEIGHTS", "1")
    pair = recorded_or_computed((path, second), {"k": 3}, lambda: (other, table), recompute=True, flag="r", cost="")
    assert pair[0].equals(other) and pair[1].equals(table)
    monkeypatch.delenv("HELPERS_SHIP_WEIGHTS")
    again = recorded_or_computed((path, second), {"k": 3}, never, recompute=False, flag="r", cost="")
    assert again[0].equals(other) and again[1].equals(table)

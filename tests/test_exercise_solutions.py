"""Exercises whose headers, solutions and self-checks come from recorded runs (``helpers/exercises.py``).

The solutions are templates in the notebooks; their fields name values of the run that ``make exercises``
recorded in ``data/results/exercises``. These tests fail when a solution quotes a value the recorded run does not
contain, when a record was made with other parameters than ``notebooks/exercises.yaml`` states, when an exercise
has no header or no solution cell, and when a self-check accepts a wrong answer or rejects the recorded one.
"""

import ast
from pathlib import Path

import pytest
from recorded_values import stored_records

from helpers import exercises
from helpers.report import human_duration

ROOT = Path(__file__).resolve().parent.parent
STEMS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9]*.ipynb"))


def calls(stem: str, name: str) -> list[tuple]:
    """The literal arguments of every call of ``name`` in the notebook's paired script."""
    tree = ast.parse((ROOT / "notebooks" / "src" / f"{stem}.py").read_text())
    return [tuple(ast.literal_eval(a) for a in node.args) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name]


class ComputedInTheNotebook:
    """Stands for a keyword field of a solution in a test that has no notebook run: formats as "…" under any spec."""

    def __format__(self, spec: str) -> str:
        return "…"

    def __getitem__(self, key):
        return self

    def __iter__(self):  # resolve() treats it as a mapping whose every key is present
        return iter(())

    def __contains__(self, key) -> bool:
        return True


def solution_keywords(stem: str) -> dict[int, set[str]]:
    """The extra template fields (keyword arguments, e.g. verdicts) each ``show_solution`` call passes, by exercise."""
    tree = ast.parse((ROOT / "notebooks" / "src" / f"{stem}.py").read_text())
    return {ast.literal_eval(node.args[1]): {k.arg for k in node.keywords} for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "show_solution"}


def stored_values(stem: str) -> dict:
    return stored_records(ROOT / "notebooks" / f"{stem}.ipynb")


@pytest.mark.parametrize("stem", STEMS)
def test_every_exercise_has_a_header_a_solution_and_a_record_of_its_parameters(stem):
    listed = exercises.Exercises(stem)
    numbers = sorted(listed.exercises)
    assert 2 <= len(numbers) <= 4
    assert sorted(n for s, n in calls(stem, "show_exercise") if s == stem) == numbers
    assert sorted(n for s, n, _ in calls(stem, "show_solution") if s == stem) == numbers
    for number, exercise in listed.exercises.items():
        record = listed.record(number)
        assert record is not None, f"exercise {number} has no recorded run: make exercises EX={stem}:{number}"
        assert [run["parameters"] for run in record["runs"]] == list(exercise.runs), "recorded with other parameters"


@pytest.mark.parametrize("stem", STEMS)
def test_solutions_quote_only_values_the_recorded_runs_contain(stem):
    listed, here, keywords = exercises.Exercises(stem), stored_values(stem), solution_keywords(stem)
    for _, number, template in calls(stem, "show_solution"):
        namespace = listed.namespace(number, here)
        extra = {name: ComputedInTheNotebook() for name in keywords.get(number, set())}
        for field in exercises.template_fields(template):
            if field.split("[")[0] in extra:
                continue  # a verdict or number the notebook computes from the records when it shows the solution
            assert field.split("[")[0] in namespace, field
            exercises.resolve(field, namespace)  # raises KeyError naming the missing part
        text = listed.solution(number, template, here, fields=extra)
        assert "{" not in text.replace("{{", "")


def test_a_solution_quoting_a_value_the_run_lacks_fails():
    listed = exercises.Exercises(STEMS[0])
    with pytest.raises(KeyError, match="no 'not a key'"):
        listed.solution(1, "{run[not a key]:.2f}", here={})


def test_a_solution_shown_in_a_run_that_skipped_a_value_says_so(monkeypatch):
    listed = exercises.Exercises("03_t_distribution")
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda item: shown.append(item.data))
    monkeypatch.setattr(exercises, "recorded_here", lambda: {})
    listed.show_solution(3, "{here[t_repeats][x]}")
    assert "did not compute" in shown[0] and "here[t_repeats]" in shown[0]
    with pytest.raises(KeyError):
        listed.show_solution(3, "{run[not recorded]}")


def test_fields_are_paths_into_the_record():
    values = {"table": {"VAE, mean z": {"p95 / median": 2.5}, "20": {"a:b": 1}}, "rows": [{"x": 3}]}
    formatter = exercises.RecordFormatter()
    assert formatter.format("{t[table][VAE, mean z][p95 / median]:.1f}", t=values) == "2.5"
    assert formatter.format("{t[table][20][a:b]}", t=values) == "1"  # "20" stays a key, not an index
    assert formatter.format("{t[rows][0][x]}", t=values) == "3"
    with pytest.raises(KeyError, match="no 'VAE'"):
        exercises.resolve("t[table][VAE]", {"t": values})


@pytest.mark.parametrize("stem", STEMS)
def test_self_checks_accept_the_recorded_answer_and_reject_a_wrong_one(stem, capsys):
    listed = exercises.Exercises(stem)
    checked = 0
    for number, exercise in listed.exercises.items():
        for name in exercise.answers or {}:
            expected, tolerance, why = listed.answer(number, name)
            assert 0 < tolerance <= 0.25 and why
            assert listed.check(number, name, expected)
            assert listed.check(number, name, expected * (1 + 0.9 * tolerance))
            assert not listed.check(number, name, expected * (1 + 2 * tolerance) + 1e-9)
            checked += 1
    assert checked >= 2, "each notebook asks for at least two numbers"
    assert "Right" in capsys.readouterr().out
    with pytest.raises(KeyError, match="checks"):
        listed.check(1, "no such answer", 0.0)


@pytest.mark.parametrize("stem", STEMS)
def test_headers_give_the_recorded_time_and_a_command_per_run(stem):
    listed = exercises.Exercises(stem)
    for number, exercise in listed.exercises.items():
        header = listed.header(number)
        seconds = sum(run["seconds"] for run in listed.record(number)["runs"])
        assert human_duration(seconds) in header
        assert header.count("papermill") == len(exercise.runs)
        assert ("retrains" in header) == bool(exercise.retrains)


def test_a_bad_exercises_file_is_refused(tmp_path):
    path = tmp_path / "exercises.yaml"
    path.write_text("01_x:\n  - title: t\n    run: [{beta: 1}]\n")
    with pytest.raises(ValueError, match="needs `runs`"):
        exercises.load_exercises("01_x", path)
    with pytest.raises(KeyError, match="no exercises for notebook"):
        exercises.load_exercises("02_y", path)


def test_records_are_merged_and_written_whole(tmp_path):
    exercises.save_record("01_x", 1, {"runs": [1]}, tmp_path)
    exercises.save_record("01_x", 2, {"runs": [2]}, tmp_path)
    assert exercises.load_records("01_x", tmp_path) == {"1": {"runs": [1]}, "2": {"runs": [2]}}
    assert [p.name for p in tmp_path.iterdir()] == ["01_x.json"]  # no temporary file left behind


def test_sides_of_one_flipped_counts_ratios_that_cross_one():
    here = {"a": {"r": 1.5}, "b": 14.6}
    assert exercises.sides_of_one_flipped({"a": {"r": 0.88}, "b": 0.22}, here, [("a", "r"), ("b",)]) == "both"
    assert exercises.sides_of_one_flipped({"a": {"r": 1.2}, "b": 0.22}, here, [("a", "r"), ("b",)]) == "one of them"
    assert exercises.sides_of_one_flipped(None, here, [("a", "r"), ("b",)]) == "not compared in this run"


def test_attributable_credits_only_changes_beyond_the_reseeded_run(monkeypatch):
    runs = {2: [{"t": {"x": 7.0, "y": 1.4}}], 4: [{"t": {"x": 7.7, "y": 2.45}}]}
    monkeypatch.setattr(exercises, "recorded_runs", lambda stem, number: runs[number])
    monkeypatch.setattr(exercises, "recorded_here", lambda: {"t": {"x": 6.6, "y": 2.46}})
    found = exercises.attributable("01_cone_distortion", 2, 4, {"x": ("t", "x"), "y": ("t", "y"), "z": ("t", "z")})
    assert not found["x"].holds and found["y"].holds
    assert found["z"].words == "not compared in this run"

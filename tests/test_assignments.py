"""The otter-grader assignments (notebooks/assignments): built from nothing, the solution scores full marks, the
untouched student copy scores zero, every plausible wrong implementation loses its question's points, and the
student's files hold no answer. Grading runs ``otter run`` (no Docker, no network) on the built autograder."""

from __future__ import annotations

import ast
import csv
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from helpers import assignments

NAMES = sorted(assignments.masters())
# Under pytest-xdist (make test: --dist loadgroup) one assignment's tests share a worker, so each is built once.
BY_NAME = [pytest.param(name, marks=pytest.mark.xdist_group(f"assignment-{name}")) for name in NAMES]


def test_every_study_has_an_assignment():
    studies = sorted(p.stem for p in (assignments.REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))
    assert NAMES == studies


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """``graded[name]``: the assignment's build folder, and the grades of the untouched student copy and of the
    mutant notebook (through grade_folder, so the CSV is tested too). Built on first use, so ``-k NAME`` builds one."""
    root = tmp_path_factory.mktemp("assignments")

    class Graded(dict):
        def __missing__(self, name):
            self[name] = build_and_grade(name, root)
            return self[name]

    return Graded()


def build_and_grade(name: str, root: Path) -> dict:
    target = assignments.build(name, root / "built")
    submissions = root / "submissions" / name
    submissions.mkdir(parents=True)
    shutil.copy(target / "student" / f"{name}.ipynb", submissions / "untouched.ipynb")
    mutants = {q: entries[0]["code"] for q, entries in assignments.load_mutants(name).items()}
    assignments.with_mutants(target / "autograder" / f"{name}.ipynb", mutants, submissions / "mutant.ipynb")
    rows = assignments.grade_folder(submissions, submissions / "grades.csv", root / "built")
    return {"target": target, "rows": {row["student"]: row for row in rows}, "csv": submissions / "grades.csv"}


@pytest.mark.parametrize("name", BY_NAME)
def test_questions_are_four_to_six_and_independent(name):
    questions = assignments.questions(assignments.masters()[name])
    assert 4 <= len(questions) <= 6
    for question in questions:
        assert question.public_tests >= 1, f"{question.name}: a public test gives the student a helpful message"
        assert question.hidden_tests >= 1, f"{question.name}: hidden tests check known answers"
    assert all(not names for names in assignments.foreign_names(assignments.masters()[name]).values()), \
        "a question's tests may take only its own names, so that each question is graded on its own"


@pytest.mark.parametrize("name", BY_NAME)
def test_every_question_has_a_mutant(name):
    questions = {q.name for q in assignments.questions(assignments.masters()[name])}
    mutants = assignments.load_mutants(name)
    assert set(mutants) == questions
    assert all(entry["why"] and entry["code"] for entries in mutants.values() for entry in entries)


@pytest.mark.parametrize("name", BY_NAME)
def test_the_solution_scores_full_marks(graded, name):
    scores = json.loads((graded[name]["target"] / "autograder" / assignments.SOLUTION_SCORES).read_text())
    questions = {q.name for q in assignments.questions(assignments.masters()[name])}
    assert set(scores) == questions
    assert all(score == possible > 0 for score, possible in scores.values())


@pytest.mark.parametrize("name", BY_NAME)
def test_the_untouched_student_copy_scores_zero(graded, name):
    row = graded[name]["rows"]["untouched"]
    questions = [q.name for q in assignments.questions(assignments.masters()[name])]
    assert {q: row[q] for q in questions} == {q: 0.0 for q in questions}
    assert row["total"] == 0 and row["max"] > 0


@pytest.mark.parametrize("name", BY_NAME)
def test_every_mutant_loses_its_questions_points(graded, name):
    row = graded[name]["rows"]["mutant"]
    scores = json.loads((graded[name]["target"] / "autograder" / assignments.SOLUTION_SCORES).read_text())
    kept = {q: row[q] for q, (_, possible) in scores.items() if row[q] >= possible}
    assert not kept, f"these mutants still score full marks: {kept}"


@pytest.mark.parametrize("name", BY_NAME)
def test_the_grades_csv_has_a_row_per_student_and_a_column_per_question(graded, name):
    with graded[name]["csv"].open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    questions = [q.name for q in assignments.questions(assignments.masters()[name])]
    assert [row["student"] for row in rows] == ["mutant", "untouched"]
    assert list(rows[0]) == ["student", "assignment", *questions, "total", "max"]
    assert all(row["assignment"] == name for row in rows)


def _solution_lines(master: Path) -> list[str]:
    """The code of every line the master marks ``# SOLUTION`` (without the marker) or holds between ``# BEGIN
    SOLUTION`` and ``# END SOLUTION`` inside a code cell, when long enough to be telling."""
    lines = []
    for cell in nbformat.read(master, as_version=4).cells:
        inside = False
        for line in cell.source.splitlines() if cell.cell_type == "code" else []:
            if re.match(r"\s*#\s*BEGIN SOLUTION", line):
                inside = True
            elif re.match(r"\s*#\s*END SOLUTION", line):
                inside = False
            elif inside or re.search(r"#\s*SOLUTION\s*$", line):
                code = re.sub(r"#\s*SOLUTION\s*$", "", line).strip()
                if len(code) >= 12:
                    lines.append(code)
    return lines


@pytest.mark.parametrize("name", BY_NAME)
def test_every_student_code_cell_parses(graded, name):
    """A scaffold is valid Python: otter replaces each marked line by ``...`` and would leave the indented body of a
    marked ``for``/``if`` behind, so multi-line answers sit in ``# BEGIN SOLUTION`` blocks."""
    notebook = nbformat.read(graded[name]["target"] / "student" / f"{name}.ipynb", as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            ast.parse(cell.source)


@pytest.mark.parametrize("name", BY_NAME)
def test_the_student_files_hold_no_answers(graded, name):
    student = graded[name]["target"] / "student"
    text = "\n".join(path.read_text(encoding="utf-8") for path in student.rglob("*") if path.is_file())
    leaked = [line for line in _solution_lines(assignments.masters()[name]) if line in text]
    assert not leaked, f"solution code in the student's files: {leaked[:3]}"
    notebook = json.loads((student / f"{name}.ipynb").read_text(encoding="utf-8"))
    tests = "\n".join(notebook["metadata"]["otter"]["tests"].values())
    assert "hidden=True" not in tests and "# HIDDEN" not in text.upper()
    master = nbformat.read(assignments.masters()[name], as_version=4)
    hidden_names = [re.search(r"def (\w+)", cell.source).group(1) for cell in master.cells
                    if cell.cell_type == "code" and cell.source.lstrip().upper().startswith("# HIDDEN")]
    assert hidden_names and not [n for n in hidden_names if n in text]


@pytest.mark.parametrize("name", BY_NAME)
def test_a_wrong_implementation_of_one_question_loses_only_that_question(name):
    """The mutant notebook's premise, checked once without otter: a mutant changes only the names of its own
    question (so the other questions' tests, which take only their own names, see the solution)."""
    mutants = assignments.load_mutants(name)
    defines = {q.name: q.defines for q in assignments.questions(assignments.masters()[name])}
    for question, entries in mutants.items():
        for entry in entries:
            bound = {node.name for node in ast.parse(entry["code"]).body if isinstance(node, ast.FunctionDef)}
            assert bound <= set(defines[question]), f"{question}'s mutant defines {bound - set(defines[question])}"


def test_grading_a_folder_refuses_a_notebook_of_no_assignment(tmp_path):
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "stray.ipynb")
    with pytest.raises(ValueError, match="not an assignment notebook"):
        assignments.grade_folder(tmp_path, tmp_path / "grades.csv")
    with pytest.raises(ValueError, match="SUBMISSIONS"):
        assignments.grade_folder(tmp_path / "missing", tmp_path / "grades.csv")


@pytest.mark.xdist_group(f"assignment-{NAMES[0]}")
def test_a_broken_submission_is_reported_and_the_others_are_graded(graded, tmp_path):
    name = NAMES[0]
    built = graded[name]["target"].parent
    shutil.copy(graded[name]["target"] / "student" / f"{name}.ipynb", tmp_path / "fine.ipynb")
    notebook = json.loads((tmp_path / "fine.ipynb").read_text())
    notebook["nbformat_minor"] = "not a number"  # unreadable for otter: no results.json
    (tmp_path / "broken.ipynb").write_text(json.dumps(notebook))
    rows = {row["student"]: row for row in assignments.grade_folder(tmp_path, tmp_path / "grades.csv", built)}
    assert rows["broken"]["error"] and rows["broken"]["total"] == 0
    assert rows["fine"]["max"] > 0 and "error" not in rows["fine"]
    assert "error" in (tmp_path / "grades.csv").read_text().splitlines()[0]

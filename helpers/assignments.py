"""Coding assignments built and graded offline with otter-grader (no Docker, no network).

    python -m helpers.assignments build [--only NAME ...] [--out build/assignments]     (make assignments)
    python -m helpers.assignments grade SUBMISSIONS_DIR [--out grades.csv]             (make grade)

Each study has one master notebook, ``notebooks/assignments/NAME.ipynb`` (paired with ``src/NAME.py`` by
jupytext), in otter's format: a raw ``# ASSIGNMENT CONFIG`` cell, then per question a ``# BEGIN QUESTION`` block
whose solution lines end in ``# SOLUTION`` (the student sees ``...``) and whose test cells are plain Python
functions (``tests: ok_format: false``); a test cell whose first line is ``# HIDDEN`` is left out of the student's
copy. Tests take the names they check as arguments (otter passes them in from the graded notebook's globals).

* :func:`build` runs ``otter assign`` into a temporary folder, grades the solution with ``otter run`` (it must
  score full marks) and only then moves ``student/`` and ``autograder/`` (with ``autograder.zip``) into place.
* :func:`grade` grades one submission with ``otter run`` and reads the scores from its ``results.json``: a failing
  ``grader.check`` does not raise, so an exit status says nothing about the marks.
* :func:`grade_folder` grades a folder of submissions into one CSV, a row per student and a column per question.
* :func:`with_mutants` puts the plausible wrong implementations of ``notebooks/assignments/mutants/NAME.yaml`` into
  the solution notebook, each just before its question's check; the test suite grades that notebook and asserts
  that every question loses points. Tests of one question may take only that question's own names
  (:func:`foreign_names`), so one notebook with every mutant tests each question on its own.

(long: reading a master's otter blocks, building, grading and mutating are four uses of one notebook format, and
share its markers and the ``otter`` subprocess; kept together so that the format is read in one place.)
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from helpers.lecture import cell_source
from helpers.locations import REPO_ROOT
from helpers.results import atomic_write_text

MASTERS_DIR = REPO_ROOT / "notebooks" / "assignments"
MUTANTS_DIR = MASTERS_DIR / "mutants"  # NAME.yaml per assignment: {question: {why, code}} or a list of them
BUILD_DIR = REPO_ROOT / "build" / "assignments"
SOLUTION_SCORES = "solution_scores.json"  # written by build(): the solution's score per question
OTTER = Path(sys.executable).with_name("otter")
BEGIN_QUESTION = re.compile(r"^\s*#\s*BEGIN\s+QUESTION\b", re.IGNORECASE)
END_QUESTION = re.compile(r"^\s*#\s*END\s+QUESTION\b", re.IGNORECASE)
BEGIN_SOLUTION = re.compile(r"^\s*#\s*BEGIN\s+SOLUTION\b", re.IGNORECASE)
END_SOLUTION = re.compile(r"^\s*#\s*END\s+SOLUTION\b", re.IGNORECASE)
BEGIN_TESTS = re.compile(r"^\s*#\s*BEGIN\s+TESTS\b", re.IGNORECASE)
END_TESTS = re.compile(r"^\s*#\s*END\s+TESTS\b", re.IGNORECASE)
GRADING_WORKERS = max(1, min(2, os.cpu_count() or 1))  # otter run is one kernel each: at most one per core
CHECK_CALL = re.compile(r"""grader\.check\(\s*["']([^"']+)["']\s*\)""")


class GradingError(RuntimeError):
    """otter could not grade a notebook (no results.json), or a solution did not score full marks."""


# ---------------------------------------------------------------------------------------------
# The masters


def masters(folder: Path = MASTERS_DIR) -> dict[str, Path]:
    """Every master notebook, by assignment name (its file stem, the study's stem)."""
    return {path.stem: path for path in sorted(Path(folder).glob("[0-9]*.ipynb"))}


@dataclass(frozen=True)
class Question:
    """One question of a master: its name, points, the names its solution defines, the names its tests take."""

    name: str
    points: float
    defines: frozenset
    test_arguments: frozenset
    hidden_tests: int
    public_tests: int



def _defined_names(code: str) -> set[str]:
    """Top-level names a code cell binds (functions, classes, assignments)."""
    names: set[str] = set()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def _test_arguments(code: str) -> set[str]:
    """The argument names of a test cell's function: what otter passes in from the notebook."""
    function = next(node for node in ast.parse(code).body if isinstance(node, ast.FunctionDef))
    return {argument.arg for argument in function.args.args}


def questions(master: Path) -> list[Question]:
    """The questions of a master notebook, read from its otter blocks."""
    import nbformat
    import yaml

    notebook = nbformat.read(master, as_version=4)
    found: list[Question] = []
    current = None
    block = None
    for cell in notebook.cells:
        text = cell_source(cell)
        if cell.cell_type == "raw":
            if BEGIN_QUESTION.match(text):
                config = yaml.safe_load(text.split("\n", 1)[1]) or {}
                current = {"name": config["name"], "points": config.get("points", 1), "defines": set(),
                           "arguments": set(), "hidden": 0, "public": 0}
            elif END_QUESTION.match(text) and current:
                found.append(Question(current["name"], float(current["points"]), frozenset(current["defines"]),
                                      frozenset(current["arguments"]), current["hidden"], current["public"]))
                current = None
            elif BEGIN_SOLUTION.match(text):
                block = "solution"
            elif BEGIN_TESTS.match(text):
                block = "tests"
            elif END_SOLUTION.match(text) or END_TESTS.match(text):
                block = None
        elif cell.cell_type == "code" and current is not None and block == "solution":
            current["defines"] |= _defined_names(text)
        elif cell.cell_type == "code" and current is not None and block == "tests":
            current["arguments"] |= _test_arguments(text)
            hidden = text.lstrip().split("\n", 1)[0].strip().lower().startswith("# hidden")
            current["hidden" if hidden else "public"] += 1
    return found


def foreign_names(master: Path) -> dict[str, set[str]]:
    """Per question, the names its tests take that another question's solution defines (should be empty)."""
    found = questions(master)
    result = {}
    for question in found:
        others = set().union(*(other.defines for other in found if other.name != question.name))
        result[question.name] = set(question.test_arguments) & others
    return result


# ---------------------------------------------------------------------------------------------
# Building


def _otter(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONWARNINGS="ignore")
    return subprocess.run([str(OTTER), *arguments], cwd=cwd, capture_output=True, text=True, env=environment)


def _assign(master: Path, staging: Path) -> Path:
    """``otter assign`` a copy of ``master`` inside ``staging``; returns the ``dist`` folder it wrote."""
    shutil.copy(master, staging / master.name)
    done = _otter("assign", master.name, "dist", cwd=staging)
    if done.returncode != 0:
        raise GradingError(f"otter assign failed for {master.stem}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return staging / "dist"


def build(name: str, output_root: Path = BUILD_DIR, folder: Path = MASTERS_DIR) -> Path:
    """``otter assign`` the master ``name`` into ``output_root/name/{student,autograder}``; the solution is graded
    first and must score full marks. The previous build is replaced only when the new one is complete."""
    master = masters(folder).get(name)
    if master is None:
        raise ValueError(f"no assignment {name!r}; the masters in {folder} are: {sorted(masters(folder))}")
    output_root = Path(output_root)
    output_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=output_root, prefix=f".{name}."))
    try:
        dist = _assign(master, staging)
        zips = sorted((dist / "autograder").glob("*.zip"))
        zips[-1].rename(dist / "autograder" / "autograder.zip")
        scores = grade(dist / "autograder" / master.name, dist / "autograder" / "autograder.zip")
        short = {q: s for q, s in scores.items() if s.score < s.possible}
        if short:
            raise GradingError(f"the solution of {name} does not score full marks: {short}")
        atomic_write_text(dist / "autograder" / SOLUTION_SCORES,
                          json.dumps({q: [s.score, s.possible] for q, s in scores.items()}, indent=1))
        target = output_root / name
        old = output_root / f".{name}.old"
        if target.exists():
            target.rename(old)
        dist.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        return target
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def student_notebook(name: str, cache_root: Path = BUILD_DIR / ".student", folder: Path = MASTERS_DIR) -> Path:
    """The student's copy of assignment ``name`` (``otter assign`` without grading), cached by the master's hash:
    what the site offers for download. :func:`build` is the checked build for handing out."""
    import hashlib

    master = masters(folder)[name]
    key = hashlib.sha256(master.read_bytes()).hexdigest()[:16]
    cached = Path(cache_root) / f"{name}-{key}" / "student" / master.name
    if cached.exists():
        return cached
    Path(cache_root).mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=cache_root, prefix=f".{name}."))
    try:
        dist = _assign(master, staging)
        for old in Path(cache_root).glob(f"{name}-*"):
            shutil.rmtree(old, ignore_errors=True)
        dist.rename(cached.parent.parent)
        return cached
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@dataclass(frozen=True)
class QuestionText:
    """A question as the assignments page lists it: name, points and the heading of the text that states it."""

    name: str
    points: float
    heading: str


def outline(master: Path) -> tuple[str, list[QuestionText]]:
    """The assignment's title (its first heading) and, per question, the last heading before it."""
    import nbformat
    import yaml

    title, heading, found = master.stem, "", []
    for cell in nbformat.read(master, as_version=4).cells:
        text = cell_source(cell)
        if cell.cell_type == "markdown":
            for line in text.splitlines():
                if line.startswith("# ") and title == master.stem:
                    title = line[2:].strip()
                elif line.startswith("## "):
                    heading = line[3:].strip()
        elif cell.cell_type == "raw" and BEGIN_QUESTION.match(text):
            config = yaml.safe_load(text.split("\n", 1)[1]) or {}
            found.append(QuestionText(config["name"], float(config.get("points", 1)), heading))
    return title, found


# ---------------------------------------------------------------------------------------------
# Grading


@dataclass(frozen=True)
class Score:
    score: float
    possible: float


def read_results(path: Path) -> dict[str, Score]:
    """Scores per question from otter's ``results.json`` (its "Public Tests" summary row is not a question)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {test["name"]: Score(float(test.get("score") or 0.0), float(test["max_score"]))
            for test in data["tests"] if test.get("max_score") is not None}


def grade(submission: Path, autograder_zip: Path) -> dict[str, Score]:
    """Grade one notebook with ``otter run`` (no Docker): its score per question."""
    with tempfile.TemporaryDirectory(prefix="otter-run-") as output:
        done = _otter("run", "-a", str(Path(autograder_zip).resolve()), "-o", output,
                      str(Path(submission).resolve()))
        results = Path(output) / "results.json"
        if not results.exists():
            raise GradingError(f"otter run wrote no results for {submission}:\n{done.stdout[-3000:]}\n"
                               f"{done.stderr[-3000:]}")
        return read_results(results)


def assignment_of(notebook: Path) -> str:
    """The assignment a student notebook belongs to (otter's metadata keeps it)."""
    metadata = json.loads(Path(notebook).read_text(encoding="utf-8")).get("metadata", {})
    name = metadata.get("otter", {}).get("assignment_name")
    if not name:
        raise ValueError(f"{notebook} is not an assignment notebook (no otter assignment_name in its metadata)")
    return name


def _grade_or_error(notebook: Path, built: Path):
    try:
        return grade(notebook, built / "autograder" / "autograder.zip")
    except GradingError as error:  # one unreadable submission must not stop the class's grading
        return error


def grade_folder(submissions: Path, output_csv: Path, build_root: Path = BUILD_DIR,
                 workers: int = GRADING_WORKERS) -> list[dict]:
    """Grade every ``*.ipynb`` in ``submissions`` against its assignment's autograder, ``workers`` notebooks at a
    time; one CSV row per student (the file's stem) with a column per question, a total and the maximum. Every
    notebook is checked to belong to a built assignment before any grading starts. Written atomically."""
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise ValueError(f"SUBMISSIONS={submissions} is not a folder of student notebooks")
    notebooks = sorted(submissions.glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"SUBMISSIONS={submissions} holds no .ipynb files")
    names = {notebook: assignment_of(notebook) for notebook in notebooks}
    for notebook, name in names.items():
        if not (Path(build_root) / name / "autograder" / "autograder.zip").exists():
            raise ValueError(f"{notebook.name} is assignment {name!r}, which is not built: run `make assignments`")
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(notebooks)))) as pool:
        graded = list(pool.map(lambda nb: _grade_or_error(nb, Path(build_root) / names[nb]), notebooks))
    rows, columns = [], []
    for notebook, scores in zip(notebooks, graded, strict=True):
        name = names[notebook]
        row = {"student": notebook.stem, "assignment": name}
        if isinstance(scores, GradingError):
            print(f"{notebook.name}: not graded: {str(scores).splitlines()[0]}", file=sys.stderr, flush=True)
            row.update(total=0.0, max="", error=str(scores).splitlines()[0])
            rows.append(row)
            continue
        for question, score in scores.items():
            row[question] = score.score
            if question not in columns:
                columns.append(question)
        row["total"] = sum(s.score for s in scores.values())
        row["max"] = sum(s.possible for s in scores.values())
        rows.append(row)
        print(f"{notebook.name}: {row['total']:g} / {row['max']:g}", flush=True)
    fields = ["student", "assignment", *columns, "total", "max"]
    fields += ["error"] if any("error" in row for row in rows) else []
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "grades.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, restval="")
            writer.writeheader()
            writer.writerows(rows)
        atomic_write_text(Path(output_csv), path.read_text(encoding="utf-8"))
    return rows


# ---------------------------------------------------------------------------------------------
# Mutants: plausible wrong implementations that must lose points


def load_mutants(name: str, folder: Path = MUTANTS_DIR) -> dict[str, list[dict]]:
    """``{question: [{"why": ..., "code": ...}, ...]}`` for assignment ``name``, from ``mutants/NAME.yaml``."""
    import yaml

    path = Path(folder) / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    return {question: entries if isinstance(entries, list) else [entries] for question, entries in (data or {}).items()}


def with_mutants(solution_notebook: Path, mutants: dict[str, str], output: Path) -> Path:
    """A copy of the solution notebook with ``mutants[question]`` (code) inserted as a cell just before that
    question's ``grader.check``; the mutant's definitions replace the solution's."""
    import nbformat

    notebook = nbformat.read(solution_notebook, as_version=4)
    cells, placed = [], set()
    for cell in notebook.cells:
        match = CHECK_CALL.search(cell_source(cell)) if cell.cell_type == "code" else None
        if match and match.group(1) in mutants:
            cells.append(nbformat.v4.new_code_cell(mutants[match.group(1)]))
            placed.add(match.group(1))
        cells.append(cell)
    missing = set(mutants) - placed
    if missing:
        raise ValueError(f"no grader.check cell for question(s) {sorted(missing)} in {solution_notebook}")
    notebook.cells = cells
    nbformat.write(notebook, output)
    return Path(output)


# ---------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.assignments", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build", help="otter assign every master (solution graded first)")
    build_parser.add_argument("--only", action="append", default=[], metavar="NAME")
    build_parser.add_argument("--out", type=Path, default=BUILD_DIR)
    grade_parser = commands.add_parser("grade", help="grade a folder of student notebooks into one CSV")
    grade_parser.add_argument("submissions", type=Path)
    grade_parser.add_argument("--out", type=Path, default=None)
    grade_parser.add_argument("--built", type=Path, default=BUILD_DIR)
    arguments = parser.parse_args(argv)
    if arguments.command == "build":
        names = arguments.only or list(masters())
        unknown = sorted(set(names) - set(masters()))
        if unknown:
            parser.error(f"unknown assignment(s) {unknown}; choose from {sorted(masters())}")
        for name in names:
            print(f"== {name}", flush=True)
            target = build(name, arguments.out)
            print(f"   {target.relative_to(Path.cwd()) if target.is_relative_to(Path.cwd()) else target}/"
                  "{student,autograder}: solution scores full marks", flush=True)
        return 0
    output = arguments.out or arguments.submissions / "grades.csv"
    try:
        grade_folder(arguments.submissions, output, arguments.built)
    except ValueError as error:
        parser.error(str(error))
    print(f"grades: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

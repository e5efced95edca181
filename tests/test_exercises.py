"""Every notebook says what it teaches and ends with exercises that run.

An exercise gives a papermill command, built from ``notebooks/exercises.yaml``. The test reads each command from
the exercise's header,
checks that it runs *this* notebook, that every ``-p NAME VALUE`` names a parameter of the cell
tagged ``parameters``, and that the notebook's own validation cell accepts the defaults with the
changes applied. The validation cell's source is executed as it stands (after the code cells before
the parameters cell, which import what it uses), so the test follows the notebook whichever form
its ``validate`` call takes.
"""

import json
import re
import shlex
from pathlib import Path

import pytest
from conftest import notebook_defaults
from papermill.cli import _resolve_type  # what papermill itself does with a `-p NAME VALUE` string

from helpers.exercises import Exercises

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.S | re.M)
EXERCISE = re.compile(r"^\*\*Exercise \d+\b", re.M)
OPTIONS_WITH_ONE_VALUE = {"-k", "--kernel", "--cwd", "--log-level", "--language", "--engine", "--execution-timeout",
                          "--start-timeout"}
FLAGS = {"--no-progress-bar", "--progress-bar", "--log-output", "--no-log-output", "--stdout-file", "--stderr-file",
         "--report-mode", "--no-report-mode"}


def cells(notebook: Path) -> list[dict]:
    return json.loads(notebook.read_text())["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def markdown_cells_titled(notebook: Path, title: str) -> list[str]:
    return [source(c) for c in cells(notebook)
            if c["cell_type"] == "markdown" and source(c).lstrip().startswith(title)]


def papermill_commands(markdown: str) -> list[list[str]]:
    """The words of every papermill command in the fenced blocks of ``markdown``."""
    commands = []
    for block in FENCE.findall(markdown):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0].endswith("papermill"):
                commands.append(words)
    return commands


def parse_command(words: list[str]) -> tuple[list[str], dict, list[str]]:
    """(positional arguments, parameters, problems) of one papermill command line."""
    positional, parameters, problems = [], {}, []
    rest = iter(words[1:])
    for word in rest:
        if word in ("-p", "--parameters", "-r", "--parameters_raw"):
            name, value = next(rest, None), next(rest, None)
            if value is None:
                problems.append(f"{word} needs a NAME and a VALUE")
            else:
                parameters[name] = _resolve_type(value) if word in ("-p", "--parameters") else value
        elif word in OPTIONS_WITH_ONE_VALUE:
            next(rest, None)
        elif word.startswith("-") and word not in FLAGS:
            problems.append(f"option {word} is not understood by this test")
        elif not word.startswith("-"):
            positional.append(word)
    return positional, parameters, problems


def validation_source(notebook_cells: list[dict]) -> tuple[str, str]:
    """(source of the code cells before the parameters cell, source of the validation cell)."""
    tagged = [i for i, c in enumerate(notebook_cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell must be tagged `parameters`"
    code = [(i, source(c)) for i, c in enumerate(notebook_cells) if c["cell_type"] == "code"]
    after = [s for i, s in code if i > tagged[0]]
    check = after[0] if after and "validate(" in after[0] else next((s for _, s in code if "validate(" in s), None)
    assert check is not None, "no code cell calls validate("
    return "\n".join(s for i, s in code if i < tagged[0]), check


def exercise_problems(stem: str, markdown: str) -> list[str]:
    """Everything wrong with the papermill commands in ``markdown`` as exercises for ``notebooks/STEM.ipynb``."""
    defaults = notebook_defaults(stem)
    imports, check = validation_source(cells(ROOT / "notebooks" / f"{stem}.ipynb"))
    commands = papermill_commands(markdown)
    problems = [] if commands else ["no papermill command"]
    for words in commands:
        positional, changes, found = parse_command(words)
        if len(positional) != 2:
            found.append(f"expected an input and an output notebook, got {positional}")
        elif Path(positional[0]) != Path("notebooks") / f"{stem}.ipynb":
            found.append(f"runs {positional[0]}, not notebooks/{stem}.ipynb")
        elif Path(positional[1]).parent == Path("notebooks"):
            found.append(f"would overwrite a stored notebook: {positional[1]}")
        unknown = sorted(set(changes) - set(defaults))
        if unknown:
            found.append(f"not a parameter of {stem}: {unknown}")
        namespace = {"__name__": "__main__"}
        exec(compile(imports, f"<{stem}: cells before the parameters>", "exec"), namespace)
        namespace.update({**defaults, **changes})
        try:
            exec(compile(check, f"<{stem}: validation cell>", "exec"), namespace)
        except ValueError as error:
            found.append(str(error))
        problems += [f"{' '.join(words)}: {problem}" for problem in found]
    return problems


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_says_what_you_will_learn(notebook):
    learn = markdown_cells_titled(notebook, "## What you will learn")
    assert len(learn) == 1
    bullets = re.findall(r"^[*-] ", learn[0], re.M)
    assert 3 <= len(bullets) <= 5, f"{len(bullets)} bullets"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_exercises_run_with_valid_parameters(notebook):
    titled = [i for i, c in enumerate(cells(notebook)) if c["cell_type"] == "markdown"
              and source(c).lstrip().startswith("## Exercises")]
    assert len(titled) == 1, "one `## Exercises` cell"
    after = cells(notebook)[titled[0] + 1:]
    assert not any(source(c).lstrip().startswith("## ") for c in after), "the exercises close the notebook"
    listed = Exercises(notebook.stem)
    headers = "\n\n".join(listed.header(number) for number in listed.exercises)
    assert len(EXERCISE.findall(headers)) == len(listed.exercises)
    assert exercise_problems(notebook.stem, headers) == []


def test_a_bad_exercise_is_caught():
    stem = "01_cone_distortion"
    run = f".venv/bin/papermill -k vae-notebooks --cwd notebooks {{}} \\\n    notebooks/{stem}.ipynb build/x.ipynb"
    good = f"```bash\n{run.format('-p beta 4.0 -p geodesic_init line')}\n```"
    assert exercise_problems(stem, good) == []
    unknown, invalid, bad_choice = ("```bash\n" + run.format(p) + "\n```"
                                    for p in ("-p betta 4.0", "-p beta -1", "-p geodesic_init straight"))
    assert any("not a parameter" in p and "betta" in p for p in exercise_problems(stem, unknown))
    assert any("beta" in p and "-1" in p for p in exercise_problems(stem, invalid))
    assert any("geodesic_init" in p for p in exercise_problems(stem, bad_choice))
    other = good.replace(f"notebooks/{stem}.ipynb", "notebooks/04_tsne_mnist_interpolation.ipynb")
    assert any("not notebooks/01" in p for p in exercise_problems(stem, other))
    assert exercise_problems(stem, "No command here.") == ["no papermill command"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_papermill_reads_every_parameter(notebook):
    """papermill's own reading of the parameters cell (``papermill --help-notebook``, and the check behind its
    "Passed unknown parameter" warning) must find every parameter: a comment with ``=`` in it hides a line."""
    from papermill.translators import PythonTranslator

    cell = next(c for c in cells(notebook) if "parameters" in c.get("metadata", {}).get("tags", []))
    found = {parameter.name for parameter in PythonTranslator.inspect({"source": source(cell)})}
    assert found == set(notebook_defaults(notebook.stem))

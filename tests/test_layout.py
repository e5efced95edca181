"""The package's architecture: a general layer, and a study layer of one module per notebook."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERAL = sorted(p for p in (ROOT / "helpers").glob("*.py") if p.name != "__init__.py")
STUDIES = sorted(p for p in (ROOT / "helpers" / "studies").glob("*.py") if p.name != "__init__.py")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (``import a.b``, ``from a.b import c`` gives a.b and a.b.c)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "lazy_module" and node.args:
            names.add(node.args[0].value)
    return names


def test_one_study_module_per_notebook_named_after_it():
    assert [p.stem for p in STUDIES] == [nb.stem[3:] for nb in NOTEBOOKS]


@pytest.mark.parametrize("path", GENERAL, ids=lambda p: p.stem)
def test_general_modules_never_import_a_study(path):
    assert not [name for name in imported_modules(path) if name.startswith("helpers.studies")]


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_a_study_module_declares_its_rules_and_one_training_entry(path):
    tree = ast.parse(path.read_text())
    names = {t.id for node in tree.body if isinstance(node, ast.Assign)
             for t in node.targets if isinstance(t, ast.Name)}
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert "PARAMETERS" in names
    assert [f for f in functions if f.startswith("train_or_load")]


@pytest.mark.parametrize("path", [p for p in GENERAL + STUDIES if p.stem != "env"], ids=lambda p: p.stem)
def test_no_module_of_a_single_function(path):
    """(``env`` is exempt: it is a module of import-time settings, with no functions to call.)"""
    tree = ast.parse(path.read_text())
    public = [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.ClassDef)
              and not node.name.startswith("_")]
    public += [t for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
               if isinstance(t, ast.Name) and t.id.isupper()]
    assert len(public) >= 2, f"{path.name} holds {len(public)} public definition(s): merge it where it belongs"


@pytest.mark.parametrize("study", [p.stem for p in STUDIES])
def test_checking_a_notebooks_parameters_does_not_load_tensorflow(study):
    """A notebook validates its parameters from its study module before any heavy import: importing the
    study module and validating the defaults must not load TensorFlow (which takes several seconds)."""
    code = (f"import sys; from helpers.studies import {study} as s; from helpers.validation import Rules; "
            "assert isinstance(s.PARAMETERS, Rules); print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stdout + out.stderr


def test_a_lazy_module_loads_on_first_use():
    code = ("import sys; from helpers import lazy_module; m = lazy_module('helpers.geodesics'); "
            "before = 'tensorflow' in sys.modules; m.curve_length; print(before, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split()[-2:] == ["False", "True"], out.stdout + out.stderr

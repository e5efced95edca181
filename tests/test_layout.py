"""The package's architecture: a general layer of modules, and a study layer of one package per notebook."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERAL = sorted(p for p in (ROOT / "helpers").glob("*.py") if p.name != "__init__.py")
STUDIES = sorted(p for p in (ROOT / "helpers" / "studies").iterdir() if (p / "__init__.py").exists())
STUDY_MODULES = sorted((ROOT / "helpers" / "studies").rglob("*.py"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NOTEBOOK_SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))

#: The longest a module may be without saying why in its docstring (with the word "long:").
MAX_LINES = 400


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (``import a.b``, ``from a.b import c`` gives a.b and a.b.c); relative imports
    are resolved against the file's package."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{module}".rstrip(".")
            names |= {module} | {f"{module}.{alias.name}" for alias in node.names}
    return names


def test_one_study_package_per_notebook_named_after_it():
    assert [p.name for p in STUDIES] == [nb.stem[3:] for nb in NOTEBOOKS]


@pytest.mark.parametrize("study", STUDIES, ids=lambda p: p.name)
def test_a_study_package_declares_its_rules_in_a_parameters_module(study):
    tree = ast.parse((study / "parameters.py").read_text())
    names = {t.id for node in tree.body if isinstance(node, ast.Assign)
             for t in node.targets if isinstance(t, ast.Name)}
    assert "PARAMETERS" in names


@pytest.mark.parametrize("study", STUDIES, ids=lambda p: p.name)
def test_a_study_package_has_entries_to_training_named_for_their_models(study):
    functions = {node.name for path in study.glob("*.py") for node in ast.parse(path.read_text()).body
                 if isinstance(node, ast.FunctionDef)}
    assert [f for f in functions if f.startswith("train_or_load_")]
    assert not {"train_or_load_model", "train_or_load_models"} & functions, "name an entry for the models it trains"


@pytest.mark.parametrize("study", STUDIES, ids=lambda p: p.name)
def test_a_study_package_init_imports_none_of_its_modules(study):
    """The package's ``__init__`` only describes its modules, so that importing ``parameters`` stays light."""
    assert not imported_modules(study / "__init__.py")


@pytest.mark.parametrize("path", GENERAL, ids=lambda p: p.stem)
def test_general_modules_never_import_a_study(path):
    assert not [name for name in imported_modules(path) if name.startswith("helpers.studies")]


@pytest.mark.parametrize("path", STUDY_MODULES, ids=lambda p: str(p.relative_to(ROOT / "helpers" / "studies")))
def test_a_study_module_never_imports_another_study(path):
    own = path.relative_to(ROOT / "helpers" / "studies").parts[0]
    others = [name for name in imported_modules(path) if name.startswith("helpers.studies.")
              and name.split(".")[2] != own]
    assert not others


@pytest.mark.parametrize("path", GENERAL + STUDY_MODULES, ids=lambda p: str(p.relative_to(ROOT / "helpers")))
def test_no_module_is_long_without_saying_why(path):
    lines = len(path.read_text().splitlines())
    docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
    assert lines <= MAX_LINES or "long:" in docstring, (
        f"{path.name} has {lines} lines: split it by concern, or say why it is long in its docstring ('long: …')")


@pytest.mark.parametrize("study", [p.name for p in STUDIES])
def test_checking_a_notebooks_parameters_does_not_load_tensorflow(study):
    """A notebook validates its parameters from its study's ``parameters`` module before any heavy import:
    importing that module and validating the defaults must not load TensorFlow (which takes several seconds)."""
    code = (f"import sys; from helpers.studies.{study} import parameters; from helpers.validation import Rules; "
            "assert isinstance(parameters.PARAMETERS, Rules); "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split()[-2:] == ["False", "False"], out.stdout + out.stderr


@pytest.mark.parametrize("path", NOTEBOOK_SOURCES, ids=lambda p: p.stem)
def test_a_notebook_validates_through_its_studys_parameters_module(path):
    study = path.stem[3:]
    text = path.read_text()
    assert f"from helpers.studies.{study} import parameters" in text
    assert "validate(parameters.PARAMETERS, globals())" in text
    assert text.index("validate(parameters.PARAMETERS") < text.index("import numpy")


def test_no_module_is_imported_by_name_at_run_time():
    """Modules are imported with ordinary ``import`` statements, which tools can follow: no ``lazy_module``."""
    files = [*(ROOT / "helpers").rglob("*.py"), *NOTEBOOK_SOURCES]
    assert not [p.name for p in files if "lazy_module" in p.read_text()]

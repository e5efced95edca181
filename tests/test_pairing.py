"""Each notebook and its percent-format script in notebooks/src/ (paired by jupytext) say the same thing."""

from pathlib import Path

import jupytext
import pytest
from jupytext.compare import compare_notebooks

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


def cells_only(path: Path):
    """The notebook's cells (sources, types, tags); outputs and notebook metadata live only in the .ipynb."""
    notebook = jupytext.read(path)
    notebook.metadata = {}
    return notebook


def test_there_are_notebooks_to_compare():
    assert NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_and_script_agree(notebook):
    script = ROOT / "notebooks" / "src" / f"{notebook.stem}.py"
    assert script.exists(), f"{script} is missing: run `make sync`"
    compare_notebooks(cells_only(script), cells_only(notebook), "py:percent", compare_outputs=False)


def test_a_changed_script_is_caught():
    notebook = cells_only(NOTEBOOKS[0])
    script = cells_only(ROOT / "notebooks" / "src" / f"{NOTEBOOKS[0].stem}.py")
    script.cells[-1].source += "\nprint('changed')"
    with pytest.raises(Exception, match="changed"):
        compare_notebooks(script, notebook, "py:percent", compare_outputs=False)

"""Smoke runs: every notebook executed by papermill with tiny parameters and retraining forced.

Each notebook ``notebooks/NAME.ipynb`` must have ``tests/smoke/NAME.yaml`` with the
parameters that make it fast; ``force_retrain: true`` is added here so the training
path (not the shipped weights) is exercised. Trained weights go to the ignored
``data/cache/`` folder.
"""

from pathlib import Path

import nbformat
import papermill
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))


@pytest.mark.smoke
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_runs_with_tiny_parameters(notebook, tmp_path, monkeypatch):
    parameters_file = ROOT / "tests" / "smoke" / f"{notebook.stem}.yaml"
    assert parameters_file.exists(), f"missing smoke parameters {parameters_file}"
    parameters = {**yaml.safe_load(parameters_file.read_text()), "force_retrain": True}
    monkeypatch.delenv("HELPERS_SHIP_WEIGHTS", raising=False)
    papermill.execute_notebook(
        str(notebook), str(tmp_path / notebook.name), parameters=parameters,
        kernel_name="vae-notebooks", cwd=str(notebook.parent), progress_bar=False,
        execution_timeout=900,
    )


def test_every_notebook_has_smoke_parameters():
    assert NOTEBOOKS, "no notebooks found"
    for notebook in NOTEBOOKS:
        assert (ROOT / "tests" / "smoke" / f"{notebook.stem}.yaml").exists(), notebook.name


@pytest.mark.smoke
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_bad_parameter_stops_the_notebook_at_validation(notebook, tmp_path):
    """seed = -1 must raise a ValueError naming `seed` in the validation cell, before any work."""
    output = tmp_path / notebook.name
    with pytest.raises(papermill.PapermillExecutionError) as error:
        papermill.execute_notebook(str(notebook), str(output), parameters={"seed": -1},
                                   kernel_name="vae-notebooks", cwd=str(notebook.parent), progress_bar=False)
    assert error.value.ename == "ValueError" and "seed" in error.value.evalue
    executed = [c for c in nbformat.read(output, 4).cells if c.cell_type == "code" and c.execution_count]
    assert "validate(" in executed[-1].source, "the failing cell must be the validation cell"

"""The numbers the notebooks state, recomputed, agree with the stored ones within measured tolerances.

``make nbval`` executes the stored notebooks with ``HELPERS_VALUES_DIR`` set (each record is then also
written there) and runs this module (marker ``values``) on what they wrote. The tolerances, and the
spreads that justify them, are in ``tests/tolerances.yaml``; nbval itself compares only exact text
(shapes, counts, labels).
"""

import os
from pathlib import Path

import pytest
from recorded_values import ROOT, differences, folder_records, load_tolerances, stored_records

ALL_NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
# The notebooks that `make nbval` executed (its NOTEBOOKS), so that `make nbval NOTEBOOKS=…` compares only those.
RAN = os.environ.get("HELPERS_VALUES_NOTEBOOKS", "").split()
NOTEBOOKS = [ROOT / name for name in RAN] if RAN else ALL_NOTEBOOKS
VALUES_DIR = Path(os.environ.get("HELPERS_VALUES_DIR", ROOT / "build" / "values"))


@pytest.fixture(scope="module")
def computed() -> dict:
    records = folder_records(VALUES_DIR)
    assert records, f"no recorded values in {VALUES_DIR}: run `make nbval` (it executes the notebooks first)"
    return records


@pytest.mark.values
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_recomputed_numbers_match_the_stored_ones(notebook, computed):
    stored = stored_records(notebook)
    missing = sorted(set(stored) - set(computed))
    assert not missing, f"{notebook.name} ran but did not record {missing}"
    problems = differences(stored, {key: computed[key] for key in stored}, load_tolerances())
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems)


@pytest.mark.values
def test_nothing_is_recorded_that_no_notebook_stores(computed):
    stored = set().union(*(stored_records(notebook) for notebook in ALL_NOTEBOOKS))
    assert not set(computed) - stored, "re-store the notebooks (make store) after adding records"

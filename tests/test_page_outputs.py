"""What a reader sees under a code cell: tables, figures and takeaways, never a raw dump of Python values."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
#: The longest plain-text output a code cell may show: a few lines of a printed summary. Anything longer that is
#: not a table (HTML), Markdown or a figure is a stray value, e.g. a dict returned by a cell's last expression.
MAX_TEXT = 1000


def plain_text_outputs(cell: dict):
    """The text of each output that a page shows as plain text: streams, and results that carry nothing richer."""
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            yield "".join(output["text"])
        elif "data" in output and set(output["data"]) <= {"text/plain"}:
            yield "".join(output["data"]["text/plain"])


def long_text_outputs(notebook: dict, limit: int = MAX_TEXT) -> list[str]:
    """``cell N: first characters`` of every plain-text output longer than ``limit``."""
    return [f"cell {i}: {text[:120]!r}… ({len(text):,} characters)" for i, cell in enumerate(notebook["cells"])
            if cell["cell_type"] == "code" for text in plain_text_outputs(cell) if len(text) > limit]


def test_the_check_finds_a_dumped_dict():
    dumped = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "execute_result", "data": {"text/plain": repr({"codes": list(range(400))})}},
        {"output_type": "display_data", "data": {"text/plain": "x" * 5000, "text/html": "<table/>"}},
        {"output_type": "stream", "name": "stdout", "text": ["kept 64,000 points\n"]}]}]}
    found = long_text_outputs(dumped)
    assert len(found) == 1 and found[0].startswith("cell 0: \"{'codes'")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_no_raw_dump_on_a_page(notebook):
    found = long_text_outputs(json.loads(notebook.read_text()))
    assert not found, "end the cell's last expression with ';' or assign it to _:\n" + "\n".join(found)

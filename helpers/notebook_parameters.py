"""A study notebook's default parameters, read from its cell tagged ``parameters`` (no execution)."""

from __future__ import annotations

import ast
import json

from helpers.locations import REPO_ROOT

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


def notebook_defaults(stem: str) -> dict:
    """The literal values assigned in the cell tagged ``parameters`` of ``notebooks/STEM.ipynb``."""
    path = NOTEBOOKS_DIR / f"{stem}.ipynb"
    if not path.exists():
        studies = sorted(p.stem for p in NOTEBOOKS_DIR.glob("[0-9]*.ipynb"))
        raise ValueError(f"no notebook {path}; the studies are {studies}")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    cell = next(c for c in cells if "parameters" in c.get("metadata", {}).get("tags", []))
    tree = ast.parse("".join(cell["source"]))
    return {node.target.id: ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.AnnAssign)}

"""Tag the cells that render takeaways and tables, so that each takeaway is read once (``make tags``).

    python -m helpers.notebook_tags NOTEBOOK.ipynb [...]

* a cell that only renders (every statement a ``show_takeaway``/``show_table``/``show_source`` call, also under
  an ``if``) gets the tag ``remove-input`` (the pages show its output only) and ``source_hidden`` (JupyterLab
  folds its source);
* a cell that computes and then renders gets ``hide-input``: the pages fold its code behind a toggle.

Idempotent: a notebook already tagged is not rewritten. ``boilerplate`` and ``parameters`` cells are left alone.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

RENDERERS = {"show_takeaway", "show_table", "show_source", "show_exercise", "show_solution", "show_claims"}
KEEP = {"boilerplate", "parameters"}


def renders(statement: ast.stmt) -> bool:
    """Whether ``statement`` only renders: a renderer call, or an ``if`` whose branches only render."""
    if isinstance(statement, ast.If):
        return all(renders(s) for s in statement.body + statement.orelse)
    call = statement.value if isinstance(statement, ast.Expr) else None
    name = getattr(getattr(call, "func", None), "id", getattr(getattr(call, "func", None), "attr", None))
    return isinstance(call, ast.Call) and name in RENDERERS


def wanted_tag(source: str) -> str | None:
    """``remove-input``, ``hide-input`` or ``None`` for a code cell's source."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    calls = {getattr(n.func, "id", getattr(n.func, "attr", None)) for n in ast.walk(ast.Module(body, []))
             if isinstance(n, ast.Call)}
    if not body or not calls & RENDERERS:
        return None
    return "remove-input" if all(renders(s) for s in body) else "hide-input"


def tag_notebook(path: Path) -> bool:
    """Write the tags into ``path``; returns whether anything changed."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or KEEP & set(tags):
            continue
        tag = wanted_tag(cell.source)
        new = [t for t in tags if t not in ("remove-input", "hide-input")] + ([tag] if tag else [])
        hidden = tag == "remove-input"
        if new != tags or cell.metadata.get("jupyter", {}).get("source_hidden", False) != hidden:
            changed = True
            cell.metadata["tags"] = new
            if not new:
                cell.metadata.pop("tags")
            jupyter = cell.metadata.setdefault("jupyter", {})
            if hidden:
                jupyter["source_hidden"] = True
            else:
                jupyter.pop("source_hidden", None)
                if not jupyter:
                    del cell.metadata["jupyter"]
    if changed:
        nbformat.write(nb, path)
    return changed


def main(argv: list[str]) -> int:
    for name in argv:
        print(f"{name}: {'tagged' if tag_notebook(Path(name)) else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

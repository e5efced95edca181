"""Authoring aid: turn a percent-format script into a notebook (outputs empty).

    python notebooks/src/py2nb.py notebooks/src/01_cone_distortion.py notebooks/01_cone_distortion.ipynb

Cells start with ``# %%`` (code), ``# %% [markdown]`` (markdown, each line prefixed by
``# ``) or ``# %% [parameters]`` (the code cell papermill injects into). The notebooks
themselves are what users edit and what is stored; the sources are kept so that a
large rewrite can be done as text and diffed.
"""

import sys

import nbformat


def convert(text: str) -> nbformat.NotebookNode:
    cells, kind, lines = [], None, []

    def flush():
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(line[2:] if line.startswith("# ") else line.lstrip("#") for line in body.splitlines())
            cells.append(nbformat.v4.new_markdown_cell(body))
        else:
            cell = nbformat.v4.new_code_cell(body)
            if kind == "parameters":
                cell.metadata["tags"] = ["parameters"]
            cells.append(cell)

    for line in text.splitlines():
        if line.startswith("# %%"):
            flush()
            kind = "markdown" if "[markdown]" in line else "parameters" if "[parameters]" in line else "code"
            lines = []
        else:
            lines.append(line)
    flush()
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "vae-notebooks", "display_name": "Python (vae-notebooks)",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


if __name__ == "__main__":
    source, target = sys.argv[1], sys.argv[2]
    with open(source) as handle:
        nbformat.write(convert(handle.read()), target)

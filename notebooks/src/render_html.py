"""Render executed notebooks to HTML pages that work offline (used by `make run`).

    python notebooks/src/render_html.py OUTPUT_DIR EXECUTED.ipynb [...]

* plotly figures: the notebooks were executed with ``PLOTLY_RENDERER=notebook``, which
  embeds plotly.js in the outputs themselves; the CDN script tags nothing needs are removed;
* maths: MathJax is copied next to the pages from the installed ``django-static-mathjax``
  package (static files only) instead of being loaded from a CDN;
* an ``index.html`` links all pages.
"""

import html
import importlib.util
import re
import shutil
import sys
from pathlib import Path

from nbconvert import HTMLExporter

MATHJAX = "mathjax/tex-svg.js"
# nbconvert's template configures MathJax 2; MathJax 3 reads this object instead.
MATHJAX3_CONFIG = (
    "<script>window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], processEscapes: true}};</script>"
)


def copy_mathjax(output: Path) -> None:
    package = Path(importlib.util.find_spec("mathjax").submodule_search_locations[0])
    (output / "mathjax").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(package / "static" / "mathjax" / "es5" / "tex-svg.js", output / MATHJAX)


# Script tags that would reach a CDN and that nothing on the page needs: nbconvert's require.js (plotly.js 4,
# embedded once in the outputs, defines a global and uses no AMD loader) and the MathJax tag plotly writes
# before every figure (the page loads MathJax from the local copy).
CDN_SCRIPTS = re.compile(r'<script src="https://cdnjs\.cloudflare\.com/ajax/libs/(require\.js|mathjax)/[^"]*"></script>')


def render(notebook: Path, output: Path) -> Path:
    exporter = HTMLExporter(mathjax_url=MATHJAX)
    body, _ = exporter.from_filename(str(notebook))
    body = CDN_SCRIPTS.sub("", body)
    tag = f'<script src="{MATHJAX}">'
    body = body.replace(tag, MATHJAX3_CONFIG + "\n" + tag, 1)
    page = output / f"{notebook.stem}.html"
    page.write_text(body, encoding="utf-8")
    return page


def write_index(output: Path) -> None:
    pages = sorted(p for p in output.glob("*.html") if p.name != "index.html")
    items = "\n".join(f'<li><a href="{html.escape(p.name)}">{html.escape(p.stem)}</a></li>' for p in pages)
    (output / "index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>VAE latent-space notebooks</title>"
        f"<h1>VAE latent-space notebooks</h1><p>Executed with their default parameters.</p><ul>{items}</ul>\n"
    )


if __name__ == "__main__":
    output = Path(sys.argv[1])
    output.mkdir(parents=True, exist_ok=True)
    copy_mathjax(output)
    for notebook in sys.argv[2:]:
        render(Path(notebook), output)
    write_index(output)

"""Build the offline HTML site of the study notebooks: a course front page and one page per study.

    python -m helpers.site OUTPUT_DIR NOTEBOOK.ipynb [...] [--course notebooks/course.yaml]
                           [--run-times build/run_times.json] [--record-times build/run_times.tsv]

``make run`` calls it on the executed notebooks, ``make site`` on the stored ones. What it writes:

* ``index.html``: the course's front page, with one card per study from ``notebooks/course.yaml``
  (title, summary, thumbnail from ``notebooks/figures/<stem>.png``, what it teaches, prerequisites
  and the measured run time from ``--run-times`` when that file exists);
* ``<stem>.html`` per notebook: a table of contents from the markdown headings, links to the index
  and to the previous and next study;
* ``assets/``: one copy of plotly.js (gzip-compressed in a script, unpacked by the browser) and of MathJax
  (both from installed packages), the style sheet,
  the thumbnails and the notebooks' images (re-encoded as WebP files instead of inline base64).

Nothing on a page loads from the network. Cells tagged ``remove-cell`` are dropped, ``remove-input``
cells show only their outputs, ``remove-output`` cells only their code, and ``boilerplate`` cells
are folded into a ``<details>`` element; nbval markers (``# NBVAL_*`` lines) and ``# noqa`` comments
are stripped from the code shown. The ``.ipynb`` files are only read.

This module imports no TensorFlow code of its own (only nbconvert, plotly, Pillow, PyYAML); run as
``python -m helpers.site`` it still pays ``helpers/__init__``'s environment set-up.
"""

from __future__ import annotations

import argparse
import gzip
import base64
import html
import importlib.util
import io
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import nbformat
import yaml
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from PIL import Image
from pygments.formatters import HtmlFormatter

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COURSE = REPO_ROOT / "notebooks" / "course.yaml"

ASSETS = "assets"
PLOTLY_JS = f"{ASSETS}/plotly-gzip.js"
# plotly.min.js is 4.8 MB; gzip-compressed and base64-encoded inside a script it is about 1.9 MB. A page opened
# from file:// cannot fetch() a compressed file, but it can run a script that holds one: the script
# decompresses it with the browser's own DecompressionStream and evaluates it (PLOTLY_LOADER below).
MATHJAX_DIR = f"{ASSETS}/mathjax"
MATHJAX_JS = f"{MATHJAX_DIR}/startup.js"
# MathJax's own component files, loaded by its startup script: TeX input (with the AMS and autoload
# packages), CHTML output with its font data and web fonts, and assistive MathML for screen readers.
# The same parts as the combined tex-chtml.js minus its context menu: 0.4 MB less to ship.
MATHJAX_FILES = ["startup.js", "core.js", "input/tex.js", "output/chtml.js", "output/chtml/fonts/tex.js",
                 "a11y/assistive-mml.js", "output/chtml/fonts/woff-v2"]
STYLE = f"{ASSETS}/site.css"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
THUMB_WIDTH = 480

# MathJax 3 reads this object before it starts. CHTML output: its web fonts are loaded from
# assets/mathjax/output/chtml/fonts/woff-v2, next to the script (MathJax's default font URL).
MATHJAX_CONFIG = """window.MathJax = {
  loader: {load: ['input/tex', 'output/chtml', 'a11y/assistive-mml']},
  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
        processEscapes: true, processEnvironments: true},
  options: {ignoreHtmlClass: 'tex2jax_ignore', processHtmlClass: 'tex2jax_process'}
};"""


def warn(message: str) -> None:
    print(f"site: warning: {message}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Course data
# ---------------------------------------------------------------------------------------------


@dataclass
class Study:
    """One page of the site: a notebook and its card on the front page."""

    stem: str
    notebook: Path
    title: str
    summary: str = ""
    teaches: list[str] = field(default_factory=list)
    prerequisites: str = ""
    seconds: float | None = None


@dataclass
class Course:
    title: str
    paragraph: str
    studies: list[Study]


def load_course(course_file: Path, notebooks: list[Path], run_times: dict[str, float] | None = None) -> Course:
    """The studies in the course's order, each matched to its notebook by stem.

    An entry of ``course_file`` without a notebook, and a notebook without an entry, are skipped
    with a warning (notebooks get merged and renamed; the site should still build)."""
    data = yaml.safe_load(course_file.read_text(encoding="utf-8")) or {}
    entries = data.get("studies") or {}
    by_stem = {nb.stem: nb for nb in notebooks}
    run_times = run_times or {}
    studies = []
    for stem in data.get("order") or list(entries):
        entry = entries.get(stem)
        if entry is None:
            warn(f"{stem} is in the course's order but has no entry under 'studies' in {course_file}; skipped")
            continue
        if stem not in by_stem:
            warn(f"{stem} is in {course_file} but no notebook {stem}.ipynb was given; skipped")
            continue
        seconds = run_times.get(stem)
        studies.append(
            Study(
                stem=stem,
                notebook=by_stem[stem],
                title=str(entry.get("title") or stem),
                summary=str(entry.get("summary") or ""),
                teaches=[str(t) for t in entry.get("teaches") or []],
                prerequisites=str(entry.get("prerequisites") or ""),
                seconds=float(seconds) if seconds is not None else None,
            )
        )
    listed = {s.stem for s in studies} | set(entries)
    for stem in sorted(set(by_stem) - listed):
        warn(f"{by_stem[stem]} has no entry in {course_file}; skipped (add one to publish it)")
    for stem in sorted(set(entries) - set(data.get("order") or entries)):
        warn(f"{stem} has an entry in {course_file} but is not in its 'order'; skipped")
    return Course(title=str(data.get("title") or "Notebooks"), paragraph=str(data.get("paragraph") or ""),
                  studies=studies)


# ---------------------------------------------------------------------------------------------
# Run times (make run)
# ---------------------------------------------------------------------------------------------


def read_run_times(path: Path | None) -> dict[str, float]:
    """``{stem: seconds}`` from the JSON that ``make run`` writes; empty when there is none."""
    if path is None or not path.exists():
        return {}
    try:
        return {str(k): float(v) for k, v in json.loads(path.read_text()).items()}
    except (ValueError, AttributeError, TypeError) as error:
        warn(f"ignoring unreadable run times {path}: {error}")
        return {}


def record_run_times(tsv: Path, json_path: Path) -> dict[str, float]:
    """Turn ``make run``'s lines ``stem<TAB>start<TAB>end`` (epoch seconds) into ``{stem: seconds}``."""
    times = {}
    for line in tsv.read_text().splitlines():
        if line.strip():
            stem, start, end = line.split("\t")
            # bash's EPOCHREALTIME uses the locale's decimal separator
            times[stem] = round(float(end.replace(",", ".")) - float(start.replace(",", ".")), 1)
    json_path.write_text(json.dumps(times, indent=1) + "\n")
    return times


def format_run_times(times: dict[str, float]) -> str:
    width = max([len(stem) for stem in times] + [len("total")])
    lines = [f"{'notebook':<{width}}  seconds"]
    lines += [f"{stem:<{width}}  {seconds:7.1f}" for stem, seconds in times.items()]
    lines.append(f"{'total':<{width}}  {sum(times.values()):7.1f}")
    return "\n".join(lines)


def human_duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"


# ---------------------------------------------------------------------------------------------
# nbconvert preprocessors
# ---------------------------------------------------------------------------------------------

NBVAL_LINE = re.compile(r"^[ \t]*# ?NBVAL_[A-Z_]+[^\n]*(\n|$)", re.MULTILINE)
NOQA = re.compile(r"[ \t]*#[ \t]*noqa\b[^\n]*$", re.MULTILINE)


class StripTestMarkersPreprocessor(Preprocessor):
    """Remove nbval's marker lines (``# NBVAL_CHECK_OUTPUT`` …) and trailing ``# noqa`` comments from the
    code shown on the page; the notebook file is not touched."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            source = NBVAL_LINE.sub("", cell.source)
            cell.source = NOQA.sub("", source).rstrip("\n")
        return cell, resources


# A copy of plotly.js embedded in an output (the ``notebook`` renderer writes one), and script tags
# that would load anything from the network (CDN copies of require.js, MathJax, plotly.js).
EMBEDDED_PLOTLY_JS = re.compile(r"<script\b[^>]*>(?:(?!</script>).){0,400}?plotly\.js v[\d.]+.*?</script>", re.DOTALL)
REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc=[\"'](?:https?:)?//[^\"']*[\"'][^>]*>\s*</script>", re.IGNORECASE)
REMOTE_IMPORT = re.compile(r"<script\b[^>]*type=[\"']module[\"'][^>]*>\s*import\s+[\"']https?://[^\"']*[\"'];?\s*</script>")
SHARE_ABOVE = 2000  # characters of JSON: values at least this long are written once per page


def single_precision(value):
    """A trace with its float64 typed arrays (``{"dtype": "f8", "bdata": …}``, plotly's base64 encoding of numpy
    arrays) stored as float32: half the size, and seven significant digits are more than a figure draws."""
    if isinstance(value, dict):
        if value.get("dtype") == "f8" and isinstance(value.get("bdata"), str):
            import numpy as np

            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype="<f8").astype("<f4")
            return {**value, "dtype": "f4", "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
        return {key: single_precision(item) for key, item in value.items()}
    if isinstance(value, list):
        return [single_precision(item) for item in value]
    return value


def js(value) -> str:
    """Compact JSON that is safe inside a ``<script>`` element."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


def strip_remote_and_embedded_scripts(text: str) -> str:
    text = EMBEDDED_PLOTLY_JS.sub("", text)
    text = REMOTE_SCRIPT.sub("", text)
    return REMOTE_IMPORT.sub("", text)


class PlotlyPreprocessor(Preprocessor):
    """Render plotly outputs as a ``<div>`` plus a ``Plotly.newPlot`` call against the site's one copy of
    plotly.js.

    * ``application/vnd.plotly.v1+json`` (``PLOTLY_RENDERER=plotly_mimetype``, how the notebooks are
      stored and how ``make run`` executes them) becomes HTML made by ``plotly.io.to_html``;
    * HTML outputs lose any embedded copy of plotly.js and any script tag that points at a CDN."""

    def preprocess(self, nb, resources):
        self.count = 0
        self.shared: dict[str, int] = {}
        self.stem = resources.get("metadata", {}).get("name", "nb")
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if PLOTLY_MIME in data:
                self.count += 1
                figure = data[PLOTLY_MIME]
                output["data"] = {"text/html": self.figure_html(figure, f"{self.stem}-figure-{self.count}")}
                resources["has_plotly"] = True
            elif "text/html" in data:
                before = data["text/html"]
                text = "".join(before) if isinstance(before, list) else before
                cleaned = strip_remote_and_embedded_scripts(text)
                if "Plotly.newPlot" in cleaned:
                    resources["has_plotly"] = True
                data["text/html"] = cleaned
        return cell, resources

    def figure_html(self, figure: dict, div_id: str) -> str:
        """A ``<div>`` and the ``Plotly.newPlot`` call that draws ``figure`` into it.

        A large value that an earlier figure of the same page already used (plotly's default template,
        the hover texts of the same test images) is written once, kept in ``window.siteShared``, and
        referenced afterwards. A figure with frames (an explorer's slider steps) is passed whole, as
        ``{data, layout, config, frames}``, so that its slider can show them."""
        data = [single_precision(trace) for trace in figure.get("data", [])]
        layout = dict(figure.get("layout", {}))
        config = {**figure.get("config", {}), "responsive": True}
        config.pop("plotlyServerURL", None)
        height = layout.get("height")
        style = f"height:{height}px; width:100%;" if isinstance(height, int | float) else "height:450px; width:100%;"
        if figure.get("frames"):
            frames = [{**frame, "data": [single_precision(trace) for trace in frame.get("data", [])]}
                      for frame in figure["frames"]]
            parts = zip(("data", "layout", "config", "frames"), (data, layout, config, frames), strict=True)
            arguments = "{" + ", ".join(f"{name}: {self.shared_json(part)}" for name, part in parts) + "}"
        else:
            arguments = ", ".join(self.shared_json(part) for part in (data, layout, config))
        return (f'<div class="plotly-figure"><div id="{div_id}" class="plotly-graph-div" style="{style}"></div>\n'
                f'<script>window.siteShared = window.siteShared || {{}};\n'
                f'Plotly.newPlot("{div_id}", {arguments});</script></div>')

    def shared_json(self, value) -> str:
        """JSON of ``value``, as JavaScript that stores or reuses its large parts in ``window.siteShared``."""
        if isinstance(value, dict | list):
            text = js(value)
            if len(text) > SHARE_ABOVE:
                if text in self.shared:
                    return f"siteShared[{self.shared[text]}]"
                key = self.shared[text] = len(self.shared)
                inner = self.json_with_shared_parts(value)
                return f"(siteShared[{key}] = {inner})"
            return self.json_with_shared_parts(value)
        return js(value)

    def json_with_shared_parts(self, value) -> str:
        if isinstance(value, dict):
            items = (f"{js(str(k))}:{self.shared_json(v)}" for k, v in value.items())
            return "{" + ",".join(items) + "}"
        if isinstance(value, list):
            return "[" + ",".join(self.shared_json(v) for v in value) + "]"
        return js(value)


def compact_image(png: bytes) -> bytes:
    """A figure's PNG as a lossless WebP of its colours reduced to a 256-colour palette (dithered), or a
    high-quality lossy WebP where that is a quarter smaller still.

    Matplotlib figures use few colours; this keeps them sharp at about a third of the PNG's size,
    which keeps the whole site (with its one 4.8 MB plotly.js) small."""
    image = Image.open(io.BytesIO(png))
    if image.mode != "RGB":
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image).convert("RGB")
    palette = image.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG)
    lossless, lossy = io.BytesIO(), io.BytesIO()
    palette.convert("RGB").save(lossless, "WEBP", lossless=True, quality=80, method=4)
    # Smooth, photo-like figures (many colours) compress far better lossy; take that only when it pays.
    image.save(lossy, "WEBP", quality=88, method=4)
    return lossy.getvalue() if lossy.tell() < 0.75 * lossless.tell() else lossless.getvalue()


class ImageFilesPreprocessor(Preprocessor):
    """Move PNG outputs out of the page into ``assets/figures/<stem>/`` as compact WebP files."""

    def preprocess(self, nb, resources):
        self.stem = resources.get("metadata", {}).get("name", "nb")
        resources.setdefault("site_files", {})
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for number, output in enumerate(cell.get("outputs", [])):
            data = output.get("data", {})
            if "image/png" not in data:
                continue
            name = f"{ASSETS}/figures/{self.stem}/cell{index:03d}-{number}.webp"
            png = base64.b64decode(data["image/png"])
            resources["site_files"][name] = compact_image(png)
            output.setdefault("metadata", {}).setdefault("filenames", {})["image/png"] = name
            if "width" not in output["metadata"]:
                width, height = Image.open(io.BytesIO(png)).size
                output["metadata"]["image/png"] = {**output["metadata"].get("image/png", {}),
                                                   "width": width, "height": height}
            data["image/png"] = ""  # the file replaces the inline copy
        return cell, resources


# The cells only (nbconvert's JupyterLab markup); the page around them is PAGE below.
CELLS_TEMPLATE = """{%- extends 'base.html.j2' -%}
{% block input_group -%}
{%- if 'boilerplate' in cell.metadata.get('tags', []) -%}
<details class="boilerplate"><summary>Set-up code</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{%- endblock input_group %}
"""


def make_exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"site_cells.html.j2": CELLS_TEMPLATE})],
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.template_file = "site_cells.html.j2"
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags={"remove-cell"},
            remove_input_tags={"remove-input"},
            remove_all_outputs_tags={"remove-output"},
            enabled=True,
        ),
        enabled=True,
    )
    exporter.register_preprocessor(StripTestMarkersPreprocessor(), enabled=True)
    exporter.register_preprocessor(PlotlyPreprocessor(), enabled=True)
    exporter.register_preprocessor(ImageFilesPreprocessor(), enabled=True)
    return exporter


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------

# Pygments tokens the default style leaves unstyled (names, punctuation, whitespace): their <span>s only
# add bytes (about a third of the highlighted code's size).
UNSTYLED_TOKEN = re.compile(r'<span class="(?:n|p|w)">([^<]*)</span>')

HEADING = re.compile(r"<h([1-3]) id=\"([^\"]+)\">(.*?)</h\1>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def table_of_contents(body: str) -> tuple[str, list[tuple[int, str, str]]]:
    """Headings (level, id, text) of the rendered cells, with duplicate ids made unique in ``body``."""
    seen: dict[str, int] = {}
    headings = []

    def visit(match):
        level, anchor, inner = int(match.group(1)), match.group(2), match.group(3)
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        if count:
            anchor = f"{anchor}-{count + 1}"
            inner = inner.replace(f'href="#{match.group(2)}"', f'href="#{anchor}"')
        text = html.unescape(TAG.sub("", inner.replace("¶", ""))).strip()
        headings.append((level, anchor, text))
        return f'<h{level} id="{anchor}">{inner}</h{level}>'

    body = HEADING.sub(visit, body)
    # The notebook's first title is the page's title; the contents list what follows.
    if headings and headings[0][0] == 1:
        headings = headings[1:]
    return body, headings


def toc_html(headings: list[tuple[int, str, str]]) -> str:
    if not headings:
        return ""
    top = min(level for level, _, _ in headings)
    items = "\n".join(
        f'<li class="toc-level{level - top + 1}"><a href="#{html.escape(anchor)}">{html.escape(text)}</a></li>'
        for level, anchor, text in headings
    )
    return (f'<nav class="toc" aria-label="Contents"><details open><summary>Contents</summary>'
            f"<ul>\n{items}\n</ul></details></nav>")


def pager_html(previous: Study | None, following: Study | None, where: str) -> str:
    parts = []
    if previous:
        parts.append(f'<a class="prev" rel="prev" href="{previous.stem}.html"><span class="label">← Previous</span>'
                     f'<span class="title">{html.escape(previous.title)}</span></a>')
    if following:
        parts.append(f'<a class="next" rel="next" href="{following.stem}.html"><span class="label">Next →</span>'
                     f'<span class="title">{html.escape(following.title)}</span></a>')
    return f'<nav class="pager pager-{where}" aria-label="Previous and next study">{"".join(parts)}</nav>'


#: The start of every page, up to its ``<body>`` (the study pages and the index share it).
HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{style}">
{head_scripts}
</head>
"""

PAGE = HEAD + """<body class="study">
<header class="site-header"><a class="course-title" href="index.html">{course}</a>
<a class="home" href="index.html">Course index</a></header>
{pager_top}
<div class="layout">
{toc}
<main class="notebook">
{body}
</main>
</div>
{pager_bottom}
</body>
</html>
"""


def render_study(exporter: HTMLExporter, study: Study, course: Course, previous, following) -> tuple[str, dict]:
    nb = nbformat.read(study.notebook, as_version=4)
    body, resources = exporter.from_notebook_node(nb, resources={"metadata": {"name": study.stem}})
    body, headings = table_of_contents(UNSTYLED_TOKEN.sub(r"\1", body))
    scripts = []
    if resources.get("has_plotly"):
        scripts.append(f'<script src="{PLOTLY_JS}"></script>')
    if "$" in body or "\\(" in body or "\\[" in body:
        scripts.append(f"<script>\n{MATHJAX_CONFIG}\n</script>\n<script defer src=\"{MATHJAX_JS}\"></script>")
    page = PAGE.format(
        title=html.escape(study.title),
        style=STYLE,
        head_scripts="\n".join(scripts),
        course=html.escape(course.title),
        pager_top=pager_html(previous, following, "top"),
        toc=toc_html(headings),
        body=body,
        pager_bottom=pager_html(previous, following, "bottom"),
    )
    return page, resources.get("site_files", {})


INDEX = HEAD + """<body class="index">
<header class="course">
<h1>{title}</h1>
<p>{paragraph}</p>
</header>
<main class="cards">
{cards}
</main>
<footer>{footer}</footer>
</body>
</html>
"""

CARD = """<article class="card">
<a class="thumb" href="{href}">{thumb}</a>
<div class="card-body">
<h2><a href="{href}">{title}</a></h2>
<p class="summary">{summary}</p>
{teaches}
{prerequisites}
{time}
</div>
</article>"""


def index_html(course: Course, thumbs: dict[str, str]) -> str:
    cards = []
    for study in course.studies:
        href = f"{study.stem}.html"
        thumb = (f'<img src="{thumbs[study.stem]}" alt="A figure from {html.escape(study.title)}" loading="lazy">'
                 if study.stem in thumbs else "")
        teaches = ""
        if study.teaches:
            items = "".join(f"<li>{html.escape(t)}</li>" for t in study.teaches)
            teaches = f'<h3>What it teaches</h3><ul class="teaches">{items}</ul>'
        prerequisites = (f'<p class="prereq"><strong>Prerequisites:</strong> {html.escape(study.prerequisites)}</p>'
                         if study.prerequisites else "")
        time = (f'<p class="runtime"><strong>Run time:</strong> {human_duration(study.seconds)} '
                f"(measured by <code>make run</code>, default parameters)</p>" if study.seconds is not None else "")
        cards.append(CARD.format(href=href, thumb=thumb, title=html.escape(study.title),
                                 summary=html.escape(study.summary), teaches=teaches,
                                 prerequisites=prerequisites, time=time))
    total = [s.seconds for s in course.studies if s.seconds is not None]
    footer = "Each page is a notebook executed with its default parameters. Everything here works offline."
    if total:
        footer += (f" Run times were measured by <code>make run</code>; the {len(total)} notebooks took "
                   f"{human_duration(sum(total))} together.")
    return INDEX.format(title=html.escape(course.title), paragraph=html.escape(course.paragraph), style=STYLE,
                        head_scripts="", cards="\n".join(cards), footer=footer)


def thumbnail(png: Path) -> bytes:
    image = Image.open(png)
    image = image.convert("RGBA")
    background = Image.new("RGBA", image.size, (255, 255, 255, 255))
    image = Image.alpha_composite(background, image).convert("RGB")
    if image.width > THUMB_WIDTH:
        image = image.resize((THUMB_WIDTH, round(image.height * THUMB_WIDTH / image.width)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=82, method=4)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Assets and the build
# ---------------------------------------------------------------------------------------------


PLOTLY_LOADER = """/* plotly.js {version}, gzip-compressed and base64-encoded (written by helpers/site.py).
   4.8 MB of plotly.min.js ship as {size:.1f} MB: pages opened from file:// cannot fetch a compressed file, so this
   script carries it, decompresses it with the browser's DecompressionStream and evaluates it in global scope.
   Until then window.Plotly is a stand-in whose newPlot waits for the real one; window.sitePlotly resolves to
   plotly.js, and window.sitePlots holds every newPlot call's promise (the browser tests wait for them). */
(function () {{
  var data = "{data}";
  var ready = (async function () {{
    var bytes = Uint8Array.from(atob(data), function (c) {{ return c.charCodeAt(0); }});
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    (0, eval)(await new Response(stream).text());
    return window.Plotly;
  }})();
  window.sitePlotly = ready;
  window.sitePlots = [];
  window.Plotly = {{newPlot: function () {{
    var args = arguments;
    var drawn = ready.then(function (plotly) {{ return plotly.newPlot.apply(plotly, args); }});
    window.sitePlots.push(drawn);
    return drawn;
  }}}};
}})();
"""


def plotly_loader(source: bytes, version: str) -> str:
    """The script that ships plotly.js compressed (:data:`PLOTLY_LOADER`); gzip at level 9 with a zero
    timestamp, so the same plotly.js always gives the same file."""
    compressed = gzip.compress(source, compresslevel=9, mtime=0)
    encoded = base64.b64encode(compressed).decode("ascii")
    return PLOTLY_LOADER.format(version=version, size=len(encoded) / 1e6, data=encoded)


def copy_static_assets(output: Path) -> None:
    """plotly.js and MathJax (CHTML output and its web fonts) from the installed packages, once."""
    import plotly

    assets = output / ASSETS
    assets.mkdir(parents=True, exist_ok=True)
    source = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    version = re.search(rb"plotly\.js v([\d.]+)", source[:400])
    (output / PLOTLY_JS).write_text(plotly_loader(source, version.group(1).decode() if version else "?"),
                                    encoding="ascii")
    mathjax = Path(importlib.util.find_spec("mathjax").submodule_search_locations[0]) / "static" / "mathjax" / "es5"
    for name in MATHJAX_FILES:
        target = output / MATHJAX_DIR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (mathjax / name).is_dir():
            shutil.copytree(mathjax / name, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(mathjax / name, target)
    (output / STYLE).write_text(CSS + HtmlFormatter(style="default").get_style_defs(".highlight"), encoding="utf-8")


def clean_output(output: Path) -> None:
    """Remove what an earlier build wrote (pages and assets), so no stale page survives."""
    if not output.exists():
        return
    for page in output.glob("*.html"):
        page.unlink()
    if (output / ASSETS).is_dir():
        shutil.rmtree(output / ASSETS)


def build_site(output: Path, notebooks: list[Path], course_file: Path = DEFAULT_COURSE,
               run_times: dict[str, float] | None = None) -> list[Path]:
    """Write the site into ``output``; returns the pages written, index first."""
    course = load_course(course_file, notebooks, run_times)
    if not course.studies:
        raise SystemExit(f"site: no notebook matches an entry of {course_file}")
    clean_output(output)
    copy_static_assets(output)
    figures = course_file.parent / "figures"
    thumbs = {}
    for study in course.studies:
        source = figures / f"{study.stem}.png"
        if source.exists():
            thumbs[study.stem] = f"{ASSETS}/thumbs/{study.stem}.webp"
            (output / thumbs[study.stem]).parent.mkdir(parents=True, exist_ok=True)
            (output / thumbs[study.stem]).write_bytes(thumbnail(source))
        else:
            warn(f"no thumbnail {source}")
    exporter = make_exporter()
    pages = [output / "index.html"]
    pages[0].write_text(index_html(course, thumbs), encoding="utf-8")
    for i, study in enumerate(course.studies):
        previous = course.studies[i - 1] if i > 0 else None
        following = course.studies[i + 1] if i + 1 < len(course.studies) else None
        page, files = render_study(exporter, study, course, previous, following)
        for name, content in files.items():
            (output / name).parent.mkdir(parents=True, exist_ok=True)
            (output / name).write_bytes(content)
        pages.append(output / f"{study.stem}.html")
        pages[-1].write_text(page, encoding="utf-8")
    return pages


CSS = """/* helpers/site.py: the pages' style */
:root { --text: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #0b5cad; --bg-code: #f6f8fa;
        --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial,
                sans-serif;
        --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font-family: var(--sans); font-size: 16px; line-height: 1.6; color: var(--text); background: #fff; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre { font-family: var(--mono); }
img { max-width: 100%; height: auto; }

/* study pages */
.site-header { display: flex; gap: 1rem; justify-content: space-between; align-items: baseline;
               padding: .6rem 1.25rem; border-bottom: 1px solid var(--line); background: #fbfcfd; }
.site-header .course-title { color: var(--text); font-weight: 600; }
.site-header .home { white-space: nowrap; font-size: .92rem; }
.pager { display: grid; grid-template-columns: 1fr 1fr; gap: .75rem; max-width: 80rem; margin: 0 auto;
         padding: .75rem 1.25rem; font-size: .9rem; line-height: 1.35; }
.pager a { display: block; padding: .45rem .75rem; border: 1px solid var(--line); border-radius: 6px; }
.pager a:hover { border-color: var(--accent); text-decoration: none; }
.pager .label { display: block; color: var(--muted); font-size: .78rem; }
.pager .next { grid-column: 2; text-align: right; }
.pager-bottom { margin-top: 2rem; padding-bottom: 2.5rem; border-top: 1px solid var(--line); padding-top: 1.25rem; }
.layout { max-width: 80rem; margin: 0 auto; padding: 0 1.25rem; }
.toc { font-size: .9rem; line-height: 1.35; }
.toc summary { font-weight: 600; cursor: pointer; margin-bottom: .4rem; }
.toc ul { list-style: none; margin: 0; padding: 0; }
.toc li { margin: .25rem 0; }
.toc .toc-level2 { padding-left: 1rem; font-size: .86rem; }
.toc .toc-level3 { padding-left: 2rem; font-size: .84rem; }
.toc a { color: var(--muted); }
.toc a:hover { color: var(--accent); }
main.notebook { min-width: 0; max-width: 60rem; }
@media (min-width: 1100px) {
  .layout { display: grid; grid-template-columns: 15rem minmax(0, 1fr); gap: 2.5rem; }
  .toc { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow-y: auto; padding: 1rem 0; }
}
@media (max-width: 1099px) {
  .toc { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; margin: .5rem 0 1rem;
         background: #fbfcfd; }
  .toc ul { columns: 2; column-gap: 2rem; }
  .toc li { break-inside: avoid; }
}
@media (max-width: 600px) { .toc ul { columns: 1; } }

/* notebook cells (nbconvert's JupyterLab markup) */
.jp-Cell { margin: 0 0 .9rem; }
.jp-MarkdownCell h1 { font-size: 1.9rem; line-height: 1.25; margin: 1.2rem 0 .8rem; }
.jp-MarkdownCell h2 { font-size: 1.45rem; line-height: 1.3; margin: 2rem 0 .6rem; padding-bottom: .25rem;
                      border-bottom: 1px solid var(--line); }
.jp-MarkdownCell h3 { font-size: 1.15rem; margin: 1.4rem 0 .5rem; }
.jp-MarkdownCell p, .jp-MarkdownCell li { max-width: 46rem; }
.anchor-link { visibility: hidden; margin-left: .35rem; color: var(--muted); font-weight: 400; }
h1:hover .anchor-link, h2:hover .anchor-link, h3:hover .anchor-link { visibility: visible; }
.jp-MarkdownCell code { background: var(--bg-code); padding: .1em .3em; border-radius: 4px; font-size: .88em; }
.jp-InputArea-editor, .jp-CodeCell .highlight { background: var(--bg-code); border: 1px solid #e3e8ee;
                                                  border-radius: 6px; }
.highlight pre, .jp-RenderedText pre { margin: 0; padding: .5rem .75rem; font-size: 13px; line-height: 1.4;
                                        overflow-x: auto; white-space: pre; }
.highlight { background: var(--bg-code); }
.jp-OutputArea { margin-top: .35rem; }
.jp-OutputArea-output { overflow-x: auto; }
.jp-RenderedText pre { padding: .25rem .1rem; }
.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"] pre { background: #fff5f5; color: #82071e;
                                                                       padding: .4rem .75rem; border-radius: 4px; }
.jp-RenderedImage { margin: .25rem 0; }
mjx-container[display="true"] { display: block; max-width: 100%; overflow-x: auto; overflow-y: hidden; }
.jp-RenderedHTMLCommon .plotly-graph-div { max-width: 100%; }
details.boilerplate { margin: 0 0 .3rem; }
details.boilerplate > summary { cursor: pointer; color: var(--muted); font-size: .88rem; }
details.boilerplate[open] > summary { margin-bottom: .3rem; }

/* tables (pandas' HTML, also with border="1"): compact and striped; the output area scrolls sideways */
.jp-RenderedHTMLCommon table, .jp-MarkdownCell table { border-collapse: collapse; border: 0; font-size: .85rem;
  font-variant-numeric: tabular-nums; margin: .4rem 0; }
.jp-RenderedHTMLCommon th, .jp-RenderedHTMLCommon td, .jp-MarkdownCell th, .jp-MarkdownCell td {
  padding: .3rem .6rem; border: 0; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
.jp-RenderedHTMLCommon thead th, .jp-MarkdownCell thead th { border-bottom: 2px solid #afb8c1;
  vertical-align: bottom; }
.jp-RenderedHTMLCommon tbody th { text-align: left; font-weight: 600; }
.jp-RenderedHTMLCommon caption { caption-side: top; text-align: left; font-weight: 600; color: var(--muted);
  padding: 0 .6rem .3rem; white-space: normal; }
.jp-RenderedHTMLCommon tbody tr:nth-child(odd), .jp-MarkdownCell tbody tr:nth-child(odd) { background: #f6f8fa; }
.jp-RenderedHTMLCommon tbody tr:hover { background: #eaf2fb; }
.jp-MarkdownCell td, .jp-MarkdownCell th { text-align: left; white-space: normal; }

/* the course's front page */
body.index { background: #f6f8fa; }
header.course { max-width: 72rem; margin: 0 auto; padding: 2.5rem 1.25rem 1rem; }
header.course h1 { font-size: 2.1rem; line-height: 1.2; margin: 0 0 .8rem; }
header.course p { max-width: 48rem; color: #333b44; font-size: 1.05rem; margin: 0; }
.cards { max-width: 72rem; margin: 0 auto; padding: 1rem 1.25rem 2rem; display: grid; gap: 1.25rem;
         grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; overflow: hidden; display: flex;
        flex-direction: column; }
.card .thumb { display: block; background: #fff; border-bottom: 1px solid var(--line); aspect-ratio: 16 / 9;
               overflow: hidden; }
.card .thumb img { width: 100%; height: 100%; object-fit: contain; display: block; }
.card-body { padding: .9rem 1.1rem 1.1rem; font-size: .93rem; line-height: 1.5; }
.card h2 { font-size: 1.12rem; line-height: 1.3; margin: 0 0 .5rem; }
.card h2 a { color: var(--text); }
.card h3 { font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--muted);
           margin: .8rem 0 .3rem; }
.card .summary { margin: 0; color: #333b44; }
.card ul.teaches { margin: 0; padding-left: 1.1rem; }
.card .prereq, .card .runtime { margin: .6rem 0 0; color: var(--muted); font-size: .88rem; }
footer { max-width: 72rem; margin: 0 auto; padding: 0 1.25rem 2.5rem; color: var(--muted); font-size: .88rem; }
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.site", description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="folder to write the site into (its pages and assets are replaced)")
    parser.add_argument("notebooks", type=Path, nargs="+", help="the notebooks (.ipynb) to publish")
    parser.add_argument("--course", type=Path, default=DEFAULT_COURSE, help="the course file (default: %(default)s)")
    parser.add_argument("--run-times", type=Path, help="JSON {stem: seconds} shown on the cards, when it exists")
    parser.add_argument("--record-times", type=Path, metavar="TSV",
                        help="make run's timings (stem, start, end per line): written to --run-times as JSON first, "
                             "and printed as a table at the end")
    args = parser.parse_args(argv)
    recorded = None
    if args.record_times:
        if not args.run_times:
            parser.error("--record-times needs --run-times")
        recorded = record_run_times(args.record_times, args.run_times)
    pages = build_site(args.output, args.notebooks, args.course, read_run_times(args.run_times))
    print(f"Site: {pages[0]} ({len(pages) - 1} study page{'s' if len(pages) != 2 else ''})")
    if recorded:
        print("Run times (papermill, seconds):")
        print(format_run_times(recorded))
    return 0


if __name__ == "__main__":
    sys.exit(main())

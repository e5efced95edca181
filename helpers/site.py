"""Build the offline course site with Sphinx + myst-nb + sphinx-book-theme; this module is only the glue.

    python -m helpers.site OUTPUT_DIR NOTEBOOK.ipynb [...] [--course notebooks/course.yaml]
                           [--run-times build/run_times.json] [--record-times build/run_times.tsv]

``make run`` calls it on the executed notebooks, ``make site`` on the stored ones. The configuration is
``notebooks/_site/conf.py``. What the glue adds to the stack:

* a staging folder with the notebooks (nbval markers and ``# noqa`` stripped, ``boilerplate`` cells folded with
  ``hide-input``, an alt text on every figure) and ``index.md``: one sphinx-design card per study from
  ``notebooks/course.yaml``, with the run time measured by ``make run``;
* a myst-nb renderer (entry point ``myst_nb.mime_renderers``) that draws ``application/vnd.plotly.v1+json`` with
  the site's one copy of plotly.js, and writes figures as compact WebP files instead of PNG;
* on each study page a "Map of this page" after its learning goals;
* offline assets: plotly.js gzip-compressed inside a script (only on pages with figures) and the used parts of
  MathJax; the download button's ``.ipynb`` is the notebook without outputs.

(long: one command-line build, whose steps — staging, rendering, the page map, the offline assets — share its
staging folder and options; kept together so that the build reads top to bottom.)
"""

from __future__ import annotations

import argparse
import base64
import gzip
import importlib.util
import io
import json
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers import assignments, lecture
from helpers.notebook_tags import wanted_tag
from helpers.report import human_duration

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COURSE = REPO_ROOT / "notebooks" / "course.yaml"
CONF_DIR = REPO_ROOT / "notebooks" / "_site"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
PLOTLY_JS = "_static/plotly-gzip.js"
# MathJax's component files loaded by its startup script: TeX input, CHTML output with its fonts, assistive MathML.
MATHJAX_FILES = ["startup.js", "core.js", "input/tex.js", "output/chtml.js", "output/chtml/fonts/tex.js",
                 "a11y/assistive-mml.js", "output/chtml/fonts/woff-v2"]
NBVAL_LINE = re.compile(r"^[ \t]*# ?NBVAL_[A-Z_]+[^\n]*(\n|$)", re.MULTILINE)
NOQA = re.compile(r"[ \t]*#[ \t]*noqa\b[^\n]*$", re.MULTILINE)
TITLE = re.compile(r"""(?:\btitle\s*=\s*|set_title\(|suptitle\()\s*f?(["'])(.+?)\1""")
LEARNING_GOALS = "What you will learn"


def warn(message: str) -> None:
    print(f"site: warning: {message}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# The course (notebooks/course.yaml) and make run's timings
# ---------------------------------------------------------------------------------------------


@dataclass
class Study:
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
    file: Path = DEFAULT_COURSE
    slides: bool = False  # whether decks are built next to the pages (slides/STEM.html)


def load_course(course_file: Path, notebooks: list[Path], run_times: dict[str, float] | None = None) -> Course:
    """The studies in the course's order, each matched to its notebook by stem; an entry without a notebook and a
    notebook without an entry are skipped with a warning (notebooks get merged and renamed)."""
    import yaml

    data = yaml.safe_load(course_file.read_text(encoding="utf-8")) or {}
    entries, order = data.get("studies") or {}, data.get("order") or list(data.get("studies") or {})
    by_stem, run_times, studies = {nb.stem: nb for nb in notebooks}, run_times or {}, []
    for stem in order:
        entry = entries.get(stem)
        if entry is None or stem not in by_stem:
            warn(f"{stem} is in {course_file}'s order but has no " + ("entry" if entry is None else "notebook")
                 + "; skipped")
            continue
        studies.append(Study(stem, by_stem[stem], str(entry.get("title") or stem), str(entry.get("summary") or ""),
                             [str(t) for t in entry.get("teaches") or []], str(entry.get("prerequisites") or ""),
                             float(run_times[stem]) if stem in run_times else None))
    for stem in sorted(set(by_stem) - set(order)):
        warn(f"{by_stem[stem]} is not in {course_file}'s order; skipped (add it to publish it)")
    return Course(str(data.get("title") or "Notebooks"), str(data.get("paragraph") or ""), studies, course_file)


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
            stem, start, end = line.split("\t")  # bash's EPOCHREALTIME uses the locale's decimal separator
            times[stem] = round(float(end.replace(",", ".")) - float(start.replace(",", ".")), 1)
    json_path.write_text(json.dumps(times, indent=1) + "\n")
    return times


def format_run_times(times: dict[str, float]) -> str:
    width = max([len(stem) for stem in times] + [len("total")])
    lines = [f"{'notebook':<{width}}  seconds"] + [f"{stem:<{width}}  {s:7.1f}" for stem, s in times.items()]
    return "\n".join(lines + [f"{'total':<{width}}  {sum(times.values()):7.1f}"])


# ---------------------------------------------------------------------------------------------
# Staging: the front page and the notebooks as Sphinx reads them
# ---------------------------------------------------------------------------------------------


def lecture_plan_markdown(course: Course, assignments: bool) -> str:
    """The front page's lecture plan: per study its core path (sections and minutes, from course.yaml), its slides
    and its assignment."""
    rows, details = [], []
    for study in course.studies:
        plan = lecture.core_minutes(study.stem, course.file)
        if not plan:
            continue
        minutes = sum(m or 0 for m in plan.values())
        links = [f'<a href="slides/{study.stem}.html">slides</a>'] if course.slides else []
        links += [f"[assignment]({ASSIGNMENTS_PAGE}.md#{assignment_anchor(study.stem)})"] if assignments else []
        rows.append(f"| [{study.title}]({study.stem}.ipynb) | {len(plan)} sections, about {minutes} min | "
                    f"{' · '.join(links)} |")
        items = "\n".join(f"- {'Introduction' if title == lecture.OPENING else title}: {m} min"
                          for title, m in plan.items())
        details.append(f":::{{dropdown}} {study.title.split(' — ')[0]}: the core path, section by section\n"
                       f"{items}\n:::\n")
    if not rows:
        return ""
    return ("## Teaching from these pages\n\n"
            "Each study opens with a core path that fits one lecture. It is timed at "
            f"{lecture.WORDS_PER_MINUTE} words a minute, plus {lecture.FIGURE_MINUTES:g} minute per figure. "
            "The other sections are folded on the page "
            "as *going further*. Change which sections are core in `notebooks/course.yaml`.\n\n"
            "| study | core path | material |\n|---|---|---|\n" + "\n".join(rows) + "\n\n" + "\n".join(details))


def index_markdown(course: Course, thumbs: set[str], assignments: bool = False) -> str:
    """The front page: the course's paragraph, one card per study, and the (hidden) toctree behind prev/next."""
    cards = []
    for s in course.studies:
        body = [s.summary, "", "**What it teaches**", ""] + [f"- {t}" for t in s.teaches]
        if s.prerequisites:
            body += ["", f"**Prerequisites:** {s.prerequisites}"]
        if s.seconds is not None:
            body += ["", f"**Run time:** {human_duration(s.seconds)} (measured by `make run`, default parameters)"]
        if course.slides:
            body += ["", f'<a class="card-slides" href="slides/{s.stem}.html">Slides for a lecture</a>']
        image = f":img-top: thumbs/{s.stem}.webp\n:img-alt: A figure from {s.title}\n" if s.stem in thumbs else ""
        cards.append(f":::{{grid-item-card}} {s.title}\n:link: {s.stem}\n:link-type: doc\n{image}\n"
                     + "\n".join(body) + "\n:::\n")
    total = [s.seconds for s in course.studies if s.seconds is not None]
    footer = "Each page is a notebook executed with its default parameters. Everything here works offline."
    if total:
        footer += (f" Run times were measured by `make run`; the {len(total)} notebooks took "
                   f"{human_duration(sum(total))} together.")
    footer += "\n\n" + lecture_plan_markdown(course, assignments)
    toctree = "\n".join(s.stem for s in course.studies)
    if assignments:
        footer += (f" Each study also has a coding assignment, graded offline: see [the assignments]"
                   f"({ASSIGNMENTS_PAGE}.md).")
        toctree += f"\n{ASSIGNMENTS_PAGE}"
    return (f"# {course.title}\n\n{course.paragraph}\n\n::::{{grid}} 1 1 2 2\n:gutter: 3\n\n" + "\n".join(cards)
            + f"::::\n\n{footer}\n\n```{{toctree}}\n:hidden:\n:maxdepth: 1\n\n{toctree}\n```\n")


ASSIGNMENTS_PAGE = "assignments"


def assignment_anchor(stem: str) -> str:
    return f"assignment-{stem.replace('_', '-')}"


def assignments_markdown(course: Course, outlines: dict) -> str:
    """The assignments page: how to work on one and check it, how a lecturer grades, then per study its
    questions and the student's notebook to download (``assignments/STEM.ipynb``, no answers, no hidden tests)."""
    parts = [
        "# Assignments: write the code of each study yourself",
        "",
        "Each study has a coding assignment of four to six questions. In each one you write a piece of code that",
        "the study relies on, such as a KL term, a Jacobian, a probe or a bound. An autograder",
        "([otter-grader](https://otter-grader.readthedocs.io)) then checks your code against the project's own",
        "implementation and against known answers. Everything runs offline on a laptop, and nothing trains.",
        "",
        "**How to work on an assignment and check it**",
        "",
        "1. Get the project and install it once: `make setup` (see the README).",
        "2. Download the assignment's notebook below and save it in the project's `notebooks/` folder.",
        "3. Start JupyterLab with `make lab`, open the notebook and choose the kernel *Python (vae-notebooks)*.",
        "4. Replace every `...` with your code. Then run the `grader.check(\"q…\")` cell under the question. It runs",
        "   the question's *public* tests (shapes and sanity) and says what failed. The grader also runs *hidden*",
        "   tests with known answers, so passing the public tests does not yet mean full marks.",
        "5. Save the notebook and hand in the `.ipynb` file as your course asks.",
        "",
        "**For lecturers.** `make assignments` builds each study's student and autograder versions into",
        "`build/assignments/NAME/`, and the reference solution must score full marks before a build is kept.",
        "`make grade SUBMISSIONS=folder` grades a folder of handed-in notebooks and writes one CSV, with a row per",
        "student and a column per question. No Docker and no network are needed.",
        "",
    ]
    for study in course.studies:
        if study.stem not in outlines:
            continue
        title, questions = outlines[study.stem]
        total = sum(q.points for q in questions)
        parts += [f"({assignment_anchor(study.stem)})=", f"## {title}", "",
                  f"For [{study.title}]({study.stem}.ipynb): {len(questions)} questions, {total:g} points.", "",
                  "| question | what you write | points |", "|---|---|---|"]
        parts += [f"| `{q.name}` | {q.heading} | {q.points:g} |" for q in questions]
        parts += ["", f'<a class="assignment-download" href="assignments/{study.stem}.ipynb" download>'
                      f"Download the notebook ({study.stem}.ipynb)</a>", ""]
    return "\n".join(parts) + "\n"


def figure_alt(output, cell, heading: str, index: int, count: int) -> str:
    """A figure's alt text: a plotly figure's own title, a title literal in the cell's code (not an f-string with
    fields), or the section the figure belongs to."""
    title = output.get("data", {}).get(PLOTLY_MIME, {}).get("layout", {}).get("title", {})
    found = [m.group(2) for m in TITLE.finditer(cell.source) if "{" not in m.group(2)]
    if isinstance(title, dict) and title.get("text"):
        return f"Figure: {re.sub(r'<[^>]+>', ' ', title['text'])}"
    alt = f"Figure: {found[0]}" if len(found) == 1 else f"Figure of the section “{heading}”"
    return alt + (f" ({index} of {count})" if count > 1 else "")


def stage_notebook(source: Path, target: Path) -> None:
    """The notebook as the pages show it: markers stripped, boilerplate folded, every figure with an alt text."""
    import nbformat

    nb = nbformat.read(source, as_version=4)
    heading = nb.cells[0].source.lstrip("# ").split("\n")[0] if nb.cells else ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            titles = re.findall(r"^#{1,4} +(.+)$", cell.source, re.MULTILINE)
            heading = re.sub(r"\$[^$]*\$|[*`]", "", titles[-1]).strip(" :") if titles else heading
            continue
        if cell.cell_type != "code":
            continue
        cell.source = NOQA.sub("", NBVAL_LINE.sub("", cell.source)).rstrip("\n")
        tags = cell.metadata.setdefault("tags", [])
        tag = wanted_tag(cell.source) if not {"boilerplate", "remove-input", "hide-input"} & set(tags) else None
        tags += [tag] if tag else []  # what make tags writes into the notebook, in case it was not run
        if "boilerplate" in tags and "hide-input" not in tags:
            tags.append("hide-input")
            cell.metadata.setdefault("mystnb", {})["code_prompt_show"] = "Show the set-up code"
        figures = [o for o in cell.get("outputs", []) if {PLOTLY_MIME, "image/png"} & set(o.get("data", {}))]
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt")  # a hand-written one wins
        for i, output in enumerate(figures):
            output.setdefault("metadata", {})["alt"] = alt or figure_alt(output, cell, heading, i + 1, len(figures))
    nbformat.write(nb, target)


def without_outputs(source: Path) -> str:
    import nbformat

    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nbformat.writes(nb)


# ---------------------------------------------------------------------------------------------
# Outputs: plotly figures and compact images (a myst-nb mime renderer)
# ---------------------------------------------------------------------------------------------

SHARE_ABOVE = 2000  # characters of JSON: values at least this long are written once per page


def single_precision(value):
    """plotly's base64 float64 arrays (``{"dtype": "f8", "bdata": …}``) as float32: half the size, enough to draw."""
    if isinstance(value, dict):
        if value.get("dtype") == "f8" and isinstance(value.get("bdata"), str):
            import numpy as np

            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype="<f8").astype("<f4")
            return {**value, "dtype": "f4", "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
        return {key: single_precision(item) for key, item in value.items()}
    return [single_precision(item) for item in value] if isinstance(value, list) else value


def js(value) -> str:
    """Compact JSON that is safe inside a ``<script>`` element."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


def shared_json(value, shared: dict[str, int]) -> str:
    """JSON of ``value`` as JavaScript that stores its large parts in ``window.siteShared`` once per page and
    refers to them afterwards (plotly's template, the hover texts of the same images)."""
    if not isinstance(value, dict | list):
        return js(value)
    text = js(value)
    if len(text) > SHARE_ABOVE and text in shared:
        return f"siteShared[{shared[text]}]"
    inner = ("{" + ",".join(f"{js(str(k))}:{shared_json(v, shared)}" for k, v in value.items()) + "}"
             if isinstance(value, dict) else "[" + ",".join(shared_json(v, shared) for v in value) + "]")
    if len(text) > SHARE_ABOVE:
        shared[text] = len(shared)
        return f"(siteShared[{shared[text]}] = {inner})"
    return inner


def figure_html(figure: dict, div_id: str, alt: str, shared: dict[str, int]) -> str:
    """A ``<div>`` and the ``Plotly.newPlot`` call that draws ``figure`` into it (with its frames, if any: an
    explorer's slider steps)."""
    layout, config = dict(figure.get("layout", {})), {**figure.get("config", {}), "responsive": True}
    config.pop("plotlyServerURL", None)
    parts = {"data": [single_precision(t) for t in figure.get("data", [])], "layout": layout, "config": config}
    if figure.get("frames"):
        parts["frames"] = [{**f, "data": single_precision(f.get("data", []))} for f in figure["frames"]]
    arguments = "{" + ", ".join(f"{k}: {shared_json(v, shared)}" for k, v in parts.items()) + "}"
    height = layout.get("height") if isinstance(layout.get("height"), int | float) else 450
    return (f'<div class="plotly-figure"><div id="{div_id}" class="plotly-graph-div" role="img" '
            f'aria-label="{alt.replace(chr(34), "&quot;")}" style="height:{height}px; width:100%;"></div>\n'
            f"<script>window.siteShared = window.siteShared || {{}};\nPlotly.newPlot(\"{div_id}\", {arguments});"
            "</script></div>")


def compact_image(png: bytes) -> bytes:
    """A PNG as a lossless WebP of a 256-colour palette, or a lossy WebP where that is a quarter smaller still."""
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    if image.mode != "RGB":
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA")).convert("RGB")
    lossless, lossy = io.BytesIO(), io.BytesIO()
    image.quantize(256, method=Image.Quantize.MEDIANCUT).convert("RGB").save(lossless, "WEBP", lossless=True, method=4)
    image.save(lossy, "WEBP", quality=88, method=4)
    return lossy.getvalue() if lossy.tell() < 0.75 * lossless.tell() else lossless.getvalue()


class NotebookOutputs:
    """myst-nb mime renderer (entry point ``myst_nb.mime_renderers``): plotly figures and PNGs as WebP."""

    mime_priority_overrides = [("html", PLOTLY_MIME, 5)]

    @staticmethod
    def handle_mime(renderer, data, inline):
        from docutils import nodes

        if inline or data.mime_type not in (PLOTLY_MIME, "image/png"):
            return None
        alt = data.output_metadata.get("alt") or "Figure"
        if data.mime_type == "image/png":
            webp = compact_image(base64.b64decode(data.content))
            uri = renderer.write_file([f"{__import__('hashlib').sha256(webp).hexdigest()[:20]}.webp"], webp,
                                      overwrite=False, exists_ok=True)
            return [nodes.image(uri=uri, alt=alt, classes=["output"])]
        document = renderer.renderer.document
        state = document.__dict__.setdefault("_site_plotly", {"count": 0, "shared": {}})
        state["count"] += 1
        stem = Path(document["source"]).stem
        html = figure_html(data.content, f"{stem}-figure-{state['count']}", alt, state["shared"])
        return [nodes.raw("", html, format="html", classes=["output", "text_html"])]


# ---------------------------------------------------------------------------------------------
# The Sphinx extension (listed in conf.py): map of each page, per-page scripts, offline assets
# ---------------------------------------------------------------------------------------------


def plain_title(text: str) -> str:
    """A heading's text reduced to letters and digits, so that a markdown title (``The $\\beta$-VAE``) and the same
    title read back from the page (``The \\beta-VAE``) compare equal."""
    return re.sub(r"[^0-9a-z]+", "", text.lower().replace("\\", ""))


FOLD_OPEN = ('<details class="going-further"><summary>Open this section: it is not on the lecture\'s core path'
             "</summary>")
FOLD_SCRIPT = """<script>
/* Going-further sections are folded (helpers.site.fold_going_further): open the one a link points into, and let
   plotly figures take their width once their section opens. */
(function () {
  function reveal() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    for (var node = target; node; node = node.parentElement) { if (node.tagName === "DETAILS") node.open = true; }
    var own = target && target.querySelector(":scope > details.going-further");
    if (own) own.open = true;
    if (target) target.scrollIntoView();
  }
  window.addEventListener("hashchange", reveal);
  document.addEventListener("DOMContentLoaded", function () {
    reveal();
    document.querySelectorAll("details.going-further").forEach(function (d) {
      d.addEventListener("toggle", function () { window.dispatchEvent(new Event("resize")); });
    });
  });
})();
</script>"""


def going_further(section, core: set[str]) -> bool:
    """A ``##`` section outside the core path, or a ``###`` subsection titled "Going further…"."""
    from helpers.lecture import NEVER_CORE, is_going_further

    title = section[0].astext().strip()
    if section.parent is not None and section.parent.parent is not None and \
            getattr(section.parent, "tagname", "") == "section" and section.parent.parent.tagname == "section":
        return is_going_further(title)  # a ### subsection
    return plain_title(title) not in core and title not in NEVER_CORE


def fold_going_further(app, doctree) -> None:
    """Fold every going-further section of a study page into a closed ``<details>`` (its title stays visible,
    marked "Going further"); search still finds its text, and JupyterLab shows the notebook unfolded."""
    from docutils import nodes

    core = {plain_title(t) for t in app.config.site_core.get(app.env.docname, [])}
    if not core:
        return
    top = next(iter(doctree.findall(nodes.section)), None)
    folded = 0
    for section in list(top.findall(nodes.section)) if top else []:
        if section is top or not going_further(section, core):
            continue
        if any(isinstance(a, nodes.section) and "going-further" in a.get("classes", [])
               for a in _ancestors(section)):
            continue  # already inside a folded section
        section["classes"].append("going-further")
        if not plain_title(section[0].astext()).startswith("goingfurther"):
            section[0].insert(0, nodes.inline(text="Going further", classes=["going-further-badge"]))
        section.insert(1, nodes.raw("", FOLD_OPEN, format="html"))
        section.append(nodes.raw("", "</details>", format="html"))
        folded += 1
    if folded:
        top.append(nodes.raw("", FOLD_SCRIPT, format="html"))


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def add_page_map(app, doctree) -> None:
    """After the learning goals of a study page, a list of its sections that links to each, marking the core path
    and the going-further sections."""
    from docutils import nodes

    top = next(iter(doctree.findall(nodes.section)), None)
    sections = [s for s in top.children if isinstance(s, nodes.section)] if top else []
    goals = next((s for s in sections if s[0].astext().strip() == LEARNING_GOALS), None)
    if goals is None:
        return
    core = {plain_title(t) for t in app.config.site_core.get(app.env.docname, [])}
    items = nodes.bullet_list()
    for section in sections[sections.index(goals) + 1:]:
        reference = nodes.reference("", "", *[c.deepcopy() for c in section[0].children], refid=section["ids"][0],
                                    internal=True)
        further = bool(core) and going_further(section, core)
        mark = nodes.inline(text=" going further" if further else "", classes=["map-further"] if further else [])
        items += nodes.list_item("", nodes.paragraph("", "", reference, mark),
                                 classes=["map-further" if further else "map-core"])
    heading = nodes.paragraph("", "", nodes.strong(text="Map of this page"))
    if core:
        heading += nodes.Text(" — the core path is unmarked; sections marked going further are folded below")
    box = [heading, items]
    if app.env.docname in app.config.site_slides:
        deck = nodes.reference("", "the core path as a reveal.js deck (press S for the speaker view)",
                               refuri=f"slides/{app.env.docname}.html")
        box.append(nodes.paragraph("", "", nodes.strong(text="Slides: "), deck))
    if app.env.docname in app.config.site_assignments:
        link = nodes.reference("", "write this study's code yourself, autograded",
                               refuri=f"{ASSIGNMENTS_PAGE}.html#{assignment_anchor(app.env.docname)}")
        box.append(nodes.paragraph("", "", nodes.strong(text="Assignment: "), link))
    cells = [i for i, child in enumerate(goals.children) if "cell" in child.get("classes", [])]
    goals.insert(cells[0] if cells else len(goals), nodes.container("", *box, classes=["page-map"]))


def page_scripts(app, pagename, templatename, context, doctree) -> None:
    if "plotly-graph-div" in context.get("body", ""):
        app.add_js_file("plotly-gzip.js")


PLOTLY_LOADER = """/* plotly.js {version}, gzip-compressed and base64-encoded (written by helpers/site.py): pages opened
   from file:// cannot fetch a compressed file, so this script carries it and unpacks it with DecompressionStream.
   Until then window.Plotly is a stand-in whose newPlot waits; window.sitePlots holds every drawing's promise. */
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


def copy_static_assets(output: Path) -> None:
    """plotly.js (compressed, reproducibly: gzip mtime 0) and the used parts of MathJax, from installed packages."""
    import plotly

    source = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    version = re.search(rb"plotly\.js v([\d.]+)", source[:400])
    data = base64.b64encode(gzip.compress(source, compresslevel=9, mtime=0)).decode("ascii")
    (output / PLOTLY_JS).parent.mkdir(parents=True, exist_ok=True)
    (output / PLOTLY_JS).write_text(PLOTLY_LOADER.format(version=version.group(1).decode() if version else "?",
                                                         data=data), encoding="ascii")
    mathjax = Path(importlib.util.find_spec("mathjax").submodule_search_locations[0]) / "static" / "mathjax" / "es5"
    for name in MATHJAX_FILES:
        target = output / "_static" / "mathjax" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (mathjax / name).is_dir() else shutil.copyfile)(mathjax / name, target)


def setup(app):
    from myst_nb.core.render import load_mime_renders

    if not any(getattr(r, "__name__", "") == "NotebookOutputs" for r in load_mime_renders()):
        raise RuntimeError("myst-nb lacks helpers.site's renderer (pyproject.toml's entry point): run make setup")
    app.add_config_value("site_assignments", [], "env")  # the study pages that have an assignment
    app.add_config_value("site_core", {}, "env")  # {study: titles of its core sections} from course.yaml
    app.add_config_value("site_slides", [], "env")  # the study pages that have a deck in slides/
    app.connect("doctree-read", add_page_map)
    app.connect("doctree-read", fold_going_further)
    app.connect("html-page-context", page_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# ---------------------------------------------------------------------------------------------
# The build
# ---------------------------------------------------------------------------------------------


def student_notebooks(course: Course) -> dict[str, Path]:
    """``{stem: the student's copy}`` for each study with an assignment master, made by otter assign (cached), two
    at a time."""
    from concurrent.futures import ThreadPoolExecutor

    stems = [s.stem for s in course.studies if s.stem in assignments.masters()]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(stems, pool.map(assignments.student_notebook, stems), strict=True))


def thumbnail(png: Path, width: int = 480) -> bytes:
    from PIL import Image

    image = Image.open(png).convert("RGBA")
    image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image).convert("RGB")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=82, method=4)
    return out.getvalue()


def build_site(output: Path, notebooks: list[Path], course_file: Path = DEFAULT_COURSE,
               run_times: dict[str, float] | None = None) -> list[Path]:
    """Write the site into ``output`` (replacing an earlier build); returns the pages written, index first."""
    from sphinx.application import Sphinx

    course = load_course(course_file, notebooks, run_times)
    course.slides = True  # build_site writes one deck per study into slides/ (helpers.slides)
    if not course.studies:
        raise SystemExit(f"site: no notebook matches an entry of {course_file}")
    if output.exists() and ((output / ".buildinfo").exists() or (output / "index.html").exists()):
        shutil.rmtree(output)
    with tempfile.TemporaryDirectory(prefix="site-src-") as staging:
        source = Path(staging)
        (source / "thumbs").mkdir()
        thumbs = set()
        for study in course.studies:
            stage_notebook(study.notebook, source / f"{study.stem}.ipynb")
            png = course_file.parent / "figures" / f"{study.stem}.png"
            if png.exists():
                (source / "thumbs" / f"{study.stem}.webp").write_bytes(thumbnail(png))
                thumbs.add(study.stem)
        students = student_notebooks(course)
        outlines = {stem: assignments.outline(assignments.masters()[stem]) for stem in students}
        (source / "index.md").write_text(index_markdown(course, thumbs, bool(students)), encoding="utf-8")
        if students:
            (source / f"{ASSIGNMENTS_PAGE}.md").write_text(assignments_markdown(course, outlines), encoding="utf-8")
        app = Sphinx(str(source), str(CONF_DIR), str(output), str(source / ".doctrees"), "html",
                     status=None, warning=sys.stderr, freshenv=True, keep_going=True,
                     confoverrides={"project": course.title, "html_title": course.title,
                                    "site_assignments": sorted(students),
                                    "site_slides": [s.stem for s in course.studies] if course.slides else [],
                                    "site_core": {s.stem: lecture.core_titles(s.stem, course_file)
                                                  for s in course.studies}})
        app.build()
    copy_static_assets(output)
    for stem, notebook in students.items():  # the student's copy: no solutions, no hidden tests
        (output / "assignments").mkdir(exist_ok=True)
        shutil.copyfile(notebook, output / "assignments" / f"{stem}.ipynb")
    from helpers import slides  # the decks reuse the site's MathJax and plotly.js, so they come last

    slides.build_decks([study.notebook for study in course.studies], output, course_file)
    for study in course.studies:  # the download button's notebook: no outputs (a student runs it)
        (output / "_sources" / f"{study.stem}.ipynb").write_text(without_outputs(study.notebook), encoding="utf-8")
    # What a page never needs offline: source maps, translations, the brand icons' font. The theme's CSS draws
    # its icons from Font Awesome's web fonts, so its 1.6 MB script (icons as SVG) ships as an empty stub.
    junk = [*output.rglob("*.map"), output / "_static" / "locales", output / ".doctrees", output / "objects.inv",
            *output.rglob("fa-brands-400.*")]
    for path in junk:
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    (output / "_static" / "scripts" / "fontawesome.js").write_text("/* icons: the theme's CSS web fonts */\n")
    return ([output / "index.html"] + [output / f"{s.stem}.html" for s in course.studies]
            + ([output / f"{ASSIGNMENTS_PAGE}.html"] if students else []))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.site", description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="folder to write the site into (an earlier build there is replaced)")
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
    start = time.perf_counter()
    pages = build_site(args.output, args.notebooks, args.course, read_run_times(args.run_times))
    print(f"Site: {pages[0]} ({len(pages) - 1} study pages, {time.perf_counter() - start:.1f} s)")
    if recorded:
        print("Run times (papermill, seconds):")
        print(format_run_times(recorded))
    return 0


if __name__ == "__main__":
    sys.exit(main())

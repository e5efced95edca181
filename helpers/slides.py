"""Offline reveal.js decks made from the executed notebooks: one per study, no code, the rest in speaker notes.

    python -m helpers.slides --tag NOTEBOOK.ipynb [...]      writes each cell's slide type into its metadata
    python -m helpers.slides SITE_DIR NOTEBOOK.ipynb [...]   writes SITE_DIR/slides/STEM.html, one deck per notebook

Which cells go on a slide follows from the lecture's core path (``notebooks/course.yaml``, read by
:mod:`helpers.lecture`), never from hand edits. :func:`plan` decides, per cell, its reveal.js ``slide_type``:

* a cell outside the core path, boilerplate, the parameters and cells without a takeaway or figure: ``skip``;
* the title cell, and the heading cell of each core section: ``slide``; a ``###`` heading inside a core section:
  ``subslide``. The slide shows the heading, the first sentence (or a short lead's list) and the cell's display
  equations; the whole text goes into the speaker notes;
* a code cell with a figure: ``subslide``, one vertical slide per figure, its code never shown;
* a code cell that renders a takeaway or a table: ``fragment`` on the current slide when it fits there, else its own
  ``subslide`` (a dense one, in smaller type, when it is long);
* any other markdown cell (prose): ``notes``; its display equations (``$$ … $$``) still go on a slide, next to the
  current one's content when they fit, else on a slide of their own;
* a cell that shows source code (``show_source``): ``notes``.

:func:`tag_notebook` stores those types as ``metadata.slideshow.slide_type`` (``make tags``), so that JupyterLab's
slide-type menu and RISE agree. :func:`build_decks` re-plans each notebook in memory (a stale stored tag does not
matter), splits heading and equation cells into what the slide shows and what the notes say, turns PNG figures into
WebP and plotly figures into a ``<div>`` drawn by the site's one copy of plotly.js, and renders the deck with
nbconvert's ``SlidesExporter`` and the template in ``notebooks/_slides/``. The decks open from ``file://`` with no
network: reveal.js 5 (the ``sphinx-revealjs`` wheel) is copied once into ``slides/_reveal/``; MathJax and plotly.js
are the site's own copies in ``_static/`` (:func:`helpers.site.copy_static_assets`).

(long: the slide plan and the deck build share one reading of a notebook's cells — what a heading, a figure, a
takeaway shows and how many lines it takes — so that the plan's line budget is the build's; kept in one module.)
"""

from __future__ import annotations

import argparse
import base64
import copy
import importlib.util
import io
import math
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from helpers import lecture
from helpers.locations import REPO_ROOT

TEMPLATE_DIR = REPO_ROOT / "notebooks" / "_slides"
TEMPLATE_FILE = TEMPLATE_DIR / "deck.html.j2"
ASSETS = "_reveal"  # the folder of reveal.js's files inside site/slides/
# reveal.js's files a deck uses, relative to sphinx-revealjs's copy: the script, its CSS, the white theme (its
# Source Sans Pro in WOFF only: the theme's CSS lists EOT/TTF after it as fallbacks nobody needs) and the notes
# plugin, which carries the speaker view (press S).
REVEAL_FILES = ["dist/reveal.js", "dist/reveal.css", "dist/theme/white.css", "plugin/notes/notes.js",
                "dist/theme/fonts/source-sans-pro/source-sans-pro.css", "dist/theme/fonts/source-sans-pro/LICENSE",
                *(f"dist/theme/fonts/source-sans-pro/source-sans-pro-{face}.woff"
                  for face in ("regular", "italic", "semibold", "semibolditalic"))]
WIDTH, HEIGHT = 1280, 720  # the deck's design size (16:9); reveal.js scales it to the screen
PLOTLY_MIME = "application/vnd.plotly.v1+json"
FIGURE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", PLOTLY_MIME)
TEXT_MIMES = ("text/markdown", "text/html")
SKIPPED_TAGS = {"boilerplate", "parameters"}
SOURCE_RENDERERS = re.compile(r"\bshow_source\(")
# How much a slide holds, in lines of body text at the deck's type size; what a cell costs on it.
CAPACITY = 18
DENSE_CAPACITY = 24  # the same slide in the dense type (0.72 of the size)
WORDS_PER_LINE = 17
FIGURE_LINES = 16  # figures are drawn at most FIGURE_HEIGHT px high: room for a short takeaway under them
FIGURE_HEIGHT = 540
MAX_UPSCALE = 1.6  # a small raster figure is drawn up to this much larger than its pixels
HEADING_LINES = 2
EQUATION_LINES = 2.5
LEAD_WORDS = 45  # a first sentence longer than this stays in the notes
DISPLAY_MATHS = re.compile(r"\$\$.*?\$\$", re.DOTALL)
ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "cf.", "vs.", "etc.", "Fig.", "approx.")


# ---------------------------------------------------------------------------------------------
# The plan: what each cell becomes
# ---------------------------------------------------------------------------------------------


@dataclass
class Part:
    """One cell on the deck: its ``slide_type``; for a markdown cell split in the deck, the markdown its slide
    shows (``visible``) and where that goes (``visible_type``); the markdown of its speaker notes (``notes``);
    ``dense``: a slide whose text is set smaller (a long takeaway or table)."""

    slide_type: str
    visible: str | None = None
    visible_type: str | None = None
    notes: str | None = None
    dense: bool = False
    groups: list[tuple[list[int], bool]] | None = None  # a long takeaway split over slides (see output_groups)



def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _masked(text: str) -> str:
    """``text`` with inline maths and code replaced by same-length placeholders (no sentence ends inside)."""
    return re.sub(r"\$[^$]*\$|`[^`]*`", lambda m: "x" * len(m.group(0)), text)


def first_sentence(paragraph: str) -> str:
    """The first sentence of a paragraph of markdown (maths, code and common abbreviations do not end it)."""
    masked = _masked(paragraph)
    for abbreviation in ABBREVIATIONS:
        masked = masked.replace(abbreviation, "x" * len(abbreviation))
    match = re.search(r"[.!?](?=\s|$)", masked)
    return paragraph[: match.end()] if match else paragraph


def _blocks(body: str) -> list[str]:
    return [b.strip("\n") for b in re.split(r"\n\s*\n", body) if b.strip()]


def _is_list(block: str) -> bool:
    return bool(re.match(r"^\s*([*+-]|\d+\.)\s", block))


def _lines(words: int) -> float:
    return max(1.0, math.ceil(words / WORDS_PER_LINE))


def _short_item(item: str, words: int = 14) -> str:
    """A list item cut after its first clause (at most ``words`` words), for a slide; the notes keep it whole."""
    tokens = item.split()
    if len(tokens) <= words:
        return item
    cut = " ".join(tokens[:words])
    clause = re.search(r"^(.{25,}?)[,;:—]\s", _masked(cut))
    cut = cut[: clause.end(1)] if clause else cut
    for marker in ("$", "**", "`"):  # never end inside maths, bold or code
        if cut.count(marker) % 2:
            cut = cut[: cut.rindex(marker)]
    return cut.rstrip(" ,;:—(") + " …"


def heading_slide(text: str) -> tuple[str, float, bool]:
    """What a heading cell's slide shows, and its height in lines: the heading, the first sentence of its first
    paragraph (or, after a short lead such as "After this notebook you can …", the list that follows, each item cut to
    its first clause when the whole list would not fit even in the dense type), and the cell's display equations.
    Returns the markdown, its height in lines and whether the slide is set in the dense type."""
    heading, _, body = text.strip().partition("\n")
    shown, lines = [heading], HEADING_LINES * math.ceil(len(heading) / (40 if heading.startswith("# ") else 55))
    blocks = [b for b in _blocks(body) if not b.lstrip().startswith("$$") and not b.lstrip().startswith("<!--")]
    if blocks and not _is_list(blocks[0]):
        lead = first_sentence(re.sub(r"\s*\n\s*", " ", blocks[0]).strip())
        words = lecture.count_words(lead)
        if words <= LEAD_WORDS:
            shown.append(lead)
            lines += _lines(words)
        follows = blocks[1] if len(blocks) > 1 else ""
        if words <= 10 and _is_list(follows) and lead.rstrip().endswith((":", "…", "...")):
            items = re.split(r"\n(?=\s*(?:[*+-]|\d+\.)\s)", follows)
            flat = [re.sub(r"\s*\n\s*", " ", i).strip() for i in items]
            full = sum(_lines(lecture.count_words(i)) for i in flat)
            if lines + full > DENSE_CAPACITY:
                flat = [_short_item(i) for i in flat]
            shown.append("\n".join(flat))
            lines += sum(_lines(lecture.count_words(i)) for i in flat)
    elif blocks and _is_list(blocks[0]):
        flat = [re.sub(r"\s*\n\s*", " ", i).strip() for i in re.split(r"\n(?=\s*(?:[*+-]|\d+\.)\s)", blocks[0])]
        flat = [_short_item(i) for i in flat]
        shown.append("\n".join(flat))
        lines += sum(_lines(lecture.count_words(i)) for i in flat)
    equations = DISPLAY_MATHS.findall(body)
    shown += equations
    lines += EQUATION_LINES * len(equations)
    return "\n\n".join(shown), lines, lines > CAPACITY


def _outputs(cell) -> list[dict]:
    return cell.get("outputs", []) if cell["cell_type"] == "code" else []


def has_figure(cell) -> bool:
    return any(m in o.get("data", {}) for o in _outputs(cell) for m in FIGURE_MIMES)


def output_lines(output) -> float:
    """The height in lines of one rendered output: a markdown takeaway, or an HTML table (its rows, wider for many
    columns, whose headers and cells wrap); 0 for anything else."""
    data = output.get("data", {})
    if "text/markdown" in data:
        text = _text(data["text/markdown"])
        return _lines(lecture.count_words(text)) + text.count("\n* ") * 0.5 + 2 * len(DISPLAY_MATHS.findall(text))
    if "text/html" in data:
        html = _text(data["text/html"])
        rows = html.count("<tr")
        if not rows:
            return _lines(lecture.count_words(html))
        columns = max(len(re.findall(r"<t[hd][ >]", row)) for row in html.split("<tr")[1:])
        wrap = 1 + 0.12 * max(0, columns - 5)
        return rows * wrap + (1 if "<caption" in html else 0) + (1.5 if columns > 6 else 0)
    return 0.0


def is_wide(output) -> bool:
    html = _text(output.get("data", {}).get("text/html", ""))
    return bool(html) and max((len(re.findall(r"<t[hd][ >]", r)) for r in html.split("<tr")[1:]), default=0) > 8


def takeaway_lines(cell) -> tuple[float, bool]:
    """The height in lines of what a code cell renders (markdown takeaways, HTML tables), and whether it has any."""
    shown = [o for o in _outputs(cell) if any(m in o.get("data", {}) for m in TEXT_MIMES)]
    return sum(output_lines(o) for o in shown), bool(shown)


def output_groups(cell) -> list[tuple[list[int], bool]]:
    """A long takeaway cell's outputs packed, in order, into slides: ``[(output indices, dense), ...]``."""
    groups: list[tuple[list[int], bool]] = []
    current: list[int] = []
    height = 0.0
    for index, output in enumerate(_outputs(cell)):
        lines = output_lines(output)
        if not lines:
            continue
        if current and height + lines > DENSE_CAPACITY:
            groups.append((current, height > CAPACITY))
            current, height = [], 0.0
        current.append(index)
        height += lines
    if current:
        groups.append((current, height > CAPACITY))
    wide = {i for i, o in enumerate(_outputs(cell)) if is_wide(o)}
    return [(indices, dense or bool(wide & set(indices))) for indices, dense in groups]


def title_index(notebook: dict) -> int | None:
    """The index of the opening's title cell: the first markdown cell that opens with a ``# `` heading."""
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "markdown" and lecture.heading_title(cell, 1) is not None:
            return index
    return None


def plan(notebook: dict, roles: list[dict]) -> list[Part]:
    """Per cell, what it becomes on the deck (see the module's docstring for the rule)."""
    parts: list[Part] = []
    title = title_index(notebook)
    used = 0.0  # lines used on the current (sub)slide
    has_figure_now = False
    for index, (cell, role) in enumerate(zip(notebook["cells"], roles, strict=True)):
        tags = set(cell.get("metadata", {}).get("tags", []))
        source = lecture.cell_source(cell)
        if not role.get("core") or SKIPPED_TAGS & tags or cell["cell_type"] not in ("markdown", "code"):
            parts.append(Part("skip"))
            continue
        if cell["cell_type"] == "markdown":
            starts = index == title or role.get("heading") or lecture.heading_title(cell, 3) is not None
            if starts:
                kind = "slide" if index == title or role.get("heading") else "subslide"
                visible, used, dense = heading_slide(source)
                has_figure_now = False
                notes = source.strip().partition("\n")[2].strip()
                parts.append(Part(kind, visible=visible, visible_type=kind, notes=notes or None, dense=dense))
                continue
            equations = DISPLAY_MATHS.findall(source)
            part = Part("notes", notes=source.strip())
            if equations:
                cost = EQUATION_LINES * len(equations)
                part.visible = "\n\n".join(equations)
                if used + cost <= CAPACITY and not has_figure_now:
                    part.visible_type, used = "-", used + cost
                else:
                    part.visible_type, used, has_figure_now = "subslide", cost, False
            parts.append(part)
            continue
        if SOURCE_RENDERERS.search(source):
            parts.append(Part("notes"))
            continue
        if has_figure(cell):
            parts.append(Part("subslide"))
            used, has_figure_now = FIGURE_LINES, True
            continue
        lines, found = takeaway_lines(cell)
        if not found:
            parts.append(Part("skip"))
        elif used + lines <= CAPACITY and not any(is_wide(o) for o in _outputs(cell)):
            parts.append(Part("fragment"))
            used += lines
        else:
            groups = output_groups(cell)
            parts.append(Part("subslide", dense=groups[0][1], groups=groups if len(groups) > 1 else None))
            used, has_figure_now = min(lines, CAPACITY), False
    return parts


def slide_types(notebook: dict, roles: list[dict]) -> list[str]:
    """The reveal.js ``slide_type`` of each cell: ``slide``, ``subslide``, ``fragment``, ``-``, ``notes``, ``skip``."""
    return [part.slide_type for part in plan(notebook, roles)]


def notebook_roles(notebook: dict, stem: str, course_file: Path = lecture.COURSE_FILE) -> list[dict]:
    return lecture.cell_roles(notebook, lecture.core_titles(stem, course_file))


# ---------------------------------------------------------------------------------------------
# The tagger: slide types into the stored notebooks (make tags)
# ---------------------------------------------------------------------------------------------


def tag_notebook(path: Path, course_file: Path = lecture.COURSE_FILE) -> bool:
    """Write each cell's ``metadata.slideshow.slide_type`` into ``path`` (nothing else); returns whether anything
    changed. Idempotent: an up-to-date notebook is not rewritten."""
    import nbformat

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    types = slide_types(nb, notebook_roles(nb, path.stem, course_file))
    changed = False
    for cell, kind in zip(nb.cells, types, strict=True):
        if cell.metadata.get("slideshow", {}).get("slide_type") != kind:
            cell.metadata.setdefault("slideshow", {})["slide_type"] = kind
            changed = True
    if changed:
        nbformat.write(nb, path)
    return changed


# ---------------------------------------------------------------------------------------------
# The deck
# ---------------------------------------------------------------------------------------------


def _markdown_cell(text: str, kind: str, dense: bool = False):
    import nbformat

    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["slideshow"] = {"slide_type": kind, **({"data": {"density": "dense"}} if dense else {})}
    return cell


def _figure_output(output, cell, heading: str, number: int, count: int, shared: dict, stem: str, counter: list):
    """A figure output as ``text/html``: a PNG as a compact WebP ``<img>``, a plotly figure as a div that the site's
    plotly.js draws (at most FIGURE_HEIGHT px high)."""
    import nbformat

    from helpers.site import compact_image, figure_alt, figure_html

    data = output["data"]
    alt = figure_alt(output, cell, heading, number, count).replace('"', "&quot;")
    if PLOTLY_MIME in data:
        figure = copy.deepcopy(data[PLOTLY_MIME])
        layout = figure.setdefault("layout", {})
        height = layout.get("height") if isinstance(layout.get("height"), int | float) else 450
        layout["height"] = min(height, FIGURE_HEIGHT)
        if isinstance(layout.get("width"), int | float) and layout["width"] > WIDTH - 80:
            layout.pop("width")
        counter[0] += 1
        html = figure_html(figure, f"{stem}-deck-figure-{counter[0]}", alt, shared)
    elif "image/png" in data:
        from PIL import Image

        png = base64.b64decode(_text(data["image/png"]))
        width, height = Image.open(io.BytesIO(png)).size
        scale = min(MAX_UPSCALE, (WIDTH - 60) / width, FIGURE_HEIGHT / height)  # as large as the slide allows
        webp = compact_image(png)
        html = (f'<img class="deck-figure" alt="{alt}" width="{round(width * scale)}" height="{round(height * scale)}" '
                f'src="data:image/webp;base64,{base64.b64encode(webp).decode("ascii")}">')
    else:
        return output
    return nbformat.v4.new_output("display_data", data={"text/html": html})


def deck_notebook(notebook, roles: list[dict], stem: str):
    """The notebook as the deck shows it (a new notebook): cells planned, split and cleaned; ``skip`` cells dropped.
    Returns ``(notebook, has_plotly)``."""
    import nbformat

    parts = plan(notebook, roles)
    deck = nbformat.v4.new_notebook(metadata=copy.deepcopy(notebook.metadata))
    shared: dict[str, int] = {}
    counter = [0]
    heading = ""
    for cell, part in zip(notebook.cells, parts, strict=True):
        if cell.cell_type == "markdown":
            titles = re.findall(r"^#{1,4} +(.+)$", cell.source, re.MULTILINE)
            heading = re.sub(r"\$[^$]*\$|[*`]", "", titles[-1]).strip(" :") if titles else heading
        if part.slide_type == "skip":
            continue
        if cell.cell_type == "markdown":
            if part.visible:
                deck.cells.append(_markdown_cell(part.visible, part.visible_type, part.dense))
            if part.notes:
                deck.cells.append(_markdown_cell(part.notes, "notes"))
            continue
        outputs = cell.get("outputs", [])
        figures = [o for o in outputs if any(m in o.get("data", {}) for m in FIGURE_MIMES)]
        if figures:  # one vertical slide per figure, with the text outputs that follow it
            slices, kind = [], part.slide_type
            for output in outputs:
                if output in figures or not slices:
                    slices.append(([], kind, False))
                    kind = "subslide"
                slices[-1][0].append(output)
        elif part.groups:
            slices = [([outputs[i] for i in indices], part.slide_type if n == 0 else "subslide", dense)
                      for n, (indices, dense) in enumerate(part.groups)]
        else:
            slices = [(outputs, part.slide_type, part.dense)]
        for n, (chosen, kind, dense) in enumerate(slices):
            new = copy.deepcopy(cell)
            new["id"] = f"{cell.get('id', 'cell')}-{n}"[:64]  # a figure's or group's own cell: ids stay unique
            new.metadata = {"slideshow": {"slide_type": kind, **({"data": {"density": "dense"}} if dense else {})}}
            new.outputs = []
            for output in copy.deepcopy(chosen):
                data = output.get("data", {})
                if any(m in data for m in FIGURE_MIMES):
                    number = next(i for i, f in enumerate(figures) if f == output) + 1
                    new.outputs.append(_figure_output(output, cell, heading, number, len(figures), shared, stem,
                                                      counter))
                elif any(m in data for m in TEXT_MIMES):
                    output["data"] = {m: data[m] for m in TEXT_MIMES if m in data}
                    new.outputs.append(output)
            deck.cells.append(new)
    return deck, counter[0] > 0


def exporter():
    from nbconvert import SlidesExporter

    return SlidesExporter(template_file=str(TEMPLATE_FILE), extra_template_basedirs=[str(TEMPLATE_DIR)],
                          exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                          reveal_url_prefix=ASSETS, reveal_theme="white", reveal_transition="slide",
                          reveal_number="c/t", reveal_width=str(WIDTH), reveal_height=str(HEIGHT))


def copy_assets(slides_dir: Path) -> None:
    """reveal.js's files (only those the decks use) from the installed ``sphinx-revealjs`` into ``slides/_reveal``."""
    spec = importlib.util.find_spec("sphinx_revealjs")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("slides: sphinx-revealjs is not installed (it carries reveal.js): run make setup")
    source = Path(spec.submodule_search_locations[0]) / "_static" / "revealjs"
    for name in REVEAL_FILES:
        target = slides_dir / ASSETS / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, target)


def build_deck(notebook_path: Path, slides_dir: Path, course_file: Path = lecture.COURSE_FILE) -> Path:
    import nbformat

    notebook_path = Path(notebook_path)
    stem = notebook_path.stem
    nb = nbformat.read(notebook_path, as_version=4)
    deck, has_plotly = deck_notebook(nb, notebook_roles(nb, stem, course_file), stem)
    resources = {"metadata": {"name": stem}, "deck": {"plotly": has_plotly, "static": "../_static"}}
    html, _ = exporter().from_notebook_node(deck, resources=resources)
    target = slides_dir / f"{stem}.html"
    target.write_text(html, encoding="utf-8")
    return target


def build_decks(notebooks: list[Path], site_dir: Path, course_file: Path = lecture.COURSE_FILE) -> list[Path]:
    """One deck per notebook in ``site_dir/slides/``, and reveal.js's files once in ``slides/_reveal/``. The decks
    use the site's MathJax and plotly.js in ``site_dir/_static/`` (written by the site build; copied here if
    missing). Returns the decks written."""
    site_dir = Path(site_dir)
    slides_dir = site_dir / "slides"
    slides_dir.mkdir(parents=True, exist_ok=True)
    if not (site_dir / "_static" / "mathjax" / "startup.js").exists() or not (site_dir / "_static" /
                                                                             "plotly-gzip.js").exists():
        from helpers.site import copy_static_assets

        copy_static_assets(site_dir)
    copy_assets(slides_dir)
    return [build_deck(path, slides_dir, course_file) for path in notebooks]


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.slides", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", action="store_true", help="write the slide types into the notebooks' metadata")
    parser.add_argument("paths", type=Path, nargs="+", help="SITE_DIR NOTEBOOK... (or, with --tag, NOTEBOOK...)")
    parser.add_argument("--course", type=Path, default=lecture.COURSE_FILE, help="the course file (%(default)s)")
    arguments = parser.parse_args(argv)
    if arguments.tag:
        for path in arguments.paths:
            print(f"{path}: {'slide types written' if tag_notebook(path, arguments.course) else 'unchanged'}")
        return 0
    if len(arguments.paths) < 2:
        parser.error("give SITE_DIR and at least one notebook")
    site_dir, notebooks = arguments.paths[0], arguments.paths[1:]
    start = time.perf_counter()
    decks = build_decks(notebooks, site_dir, arguments.course)
    size = folder_size(site_dir / "slides")
    print(f"Slides: {len(decks)} decks in {site_dir / 'slides'} ({size / 1e6:.1f} MB, "
          f"{time.perf_counter() - start:.1f} s)")
    for deck in decks:
        print(f"  {deck} ({deck.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A study page as a lecture: its sections, which of them are the core path, and how long each takes to teach.

    python -m helpers.lecture [NOTEBOOK.ipynb ...]          prints every section's words, figures and minutes
    python -m helpers.lecture --write-plan                  writes the minutes of the core sections into course.yaml

``notebooks/course.yaml`` names, per study, its ``core`` sections (the titles of ``##`` headings, in order). Every
other section, except the page's opening, is *going further*: the site folds it, the slides skip it, JupyterLab
shows it. A section's reading time is its words of prose at :data:`WORDS_PER_MINUTE` plus :data:`FIGURE_MINUTES`
per figure, where

* words = the whitespace-separated tokens of its markdown cells and of the takeaways its code cells render
  (``text/markdown`` outputs), with display maths (``$$ … $$``), HTML comments and HTML tags left out;
* a figure = one image or one plotly figure among its outputs.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from helpers.locations import REPO_ROOT

COURSE_FILE = REPO_ROOT / "notebooks" / "course.yaml"
WORDS_PER_MINUTE = 150
FIGURE_MINUTES = 1.0  # a figure shown in class: point at it, say what it shows, answer a question
CORE_WORD_LIMIT = 2500  # ≤ 25 minutes of reading at 150 words a minute
OPENING = "(opening)"  # the cells before the first ## heading: title, introduction
GOING_FURTHER = "Going further"  # a ### subsection whose title starts so is folded even inside a core section
NEVER_CORE = ("Exercises", "Claims on this page")  # exercises are homework; the claims table is a reference
DISPLAY_MATHS = re.compile(r"\$\$.*?\$\$", re.DOTALL)
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
HTML_TAG = re.compile(r"<[^>]+>")
FIGURE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "application/vnd.plotly.v1+json")


def cell_source(cell) -> str:
    """A cell's source as one string (notebook JSON stores it as a string or a list of lines)."""
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def count_words(text: str) -> int:
    """Words of prose: tokens of ``text`` without display maths, HTML comments and tags."""
    text = HTML_TAG.sub(" ", HTML_COMMENT.sub(" ", DISPLAY_MATHS.sub(" ", text)))
    return len(re.findall(r"\S+", text.replace("#", " ")))


def rendered_markdown(cell) -> str:
    """The takeaways a code cell renders: its ``text/markdown`` outputs."""
    texts = []
    for output in cell.get("outputs", []):
        data = output.get("data", {}).get("text/markdown")
        if data:
            texts.append("".join(data) if isinstance(data, list) else data)
    return "\n".join(texts)


def figure_count(cell) -> int:
    return sum(1 for output in cell.get("outputs", []) if any(m in output.get("data", {}) for m in FIGURE_MIMES))


def heading_title(cell, level: int = 2) -> str | None:
    """The title of the ``#``×level heading that opens a markdown cell, if it opens with one."""
    if cell["cell_type"] != "markdown":
        return None
    first = cell_source(cell).lstrip().split("\n", 1)[0]
    match = re.match(r"^(#+)\s+(.*)$", first)
    return match.group(2).strip() if match and len(match.group(1)) == level else None


@dataclass
class Section:
    """A ``##`` section of a notebook, or one of its ``### Going further …`` subsections: cells, words, figures.
    ``parent`` is the title of the ``##`` section a subsection belongs to (``None`` for a ``##`` section)."""

    title: str
    cells: list[int] = field(default_factory=list)
    words: int = 0
    figures: int = 0
    parent: str | None = None

    @property
    def minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE + FIGURE_MINUTES * self.figures


def is_going_further(title: str) -> bool:
    return title.lower().startswith(GOING_FURTHER.lower())


def sections(notebook: dict) -> list[Section]:
    """The notebook's sections in order; the cells before the first ``##`` heading form :data:`OPENING`. A ``###``
    subsection titled "Going further…" is a section of its own (up to the next ``##`` or ``###`` heading); any
    other ``###`` subsection stays in its ``##`` section."""
    found = [Section(OPENING)]
    top = found[0]
    for index, cell in enumerate(notebook["cells"]):
        title, subtitle = heading_title(cell, 2), heading_title(cell, 3)
        if title is not None:
            top = Section(title)
            found.append(top)
        elif subtitle is not None:
            if is_going_further(subtitle):
                found.append(Section(subtitle, parent=top.title))
            elif found[-1] is not top:
                found.append(Section(top.title, parent=None))  # back in the ## section after a folded part
                top = found[-1]
        section = found[-1]
        section.cells.append(index)
        text = cell_source(cell) if cell["cell_type"] == "markdown" else rendered_markdown(cell)
        section.words += count_words(text)
        section.figures += figure_count(cell) if cell["cell_type"] == "code" else 0
    return [s for s in found if s.cells]


def read_notebook(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def core_titles(stem: str, course_file: Path = COURSE_FILE) -> list[str]:
    """The titles of study ``stem``'s core sections, as ``course.yaml`` names them (its ``core`` list)."""
    import yaml

    entry = (yaml.safe_load(Path(course_file).read_text(encoding="utf-8")).get("studies") or {}).get(stem) or {}
    return [str(item["section"] if isinstance(item, dict) else item) for item in entry.get("core") or []]


def split(notebook: dict, core: list[str]) -> tuple[list[Section], list[Section]]:
    """(core sections, going-further sections); the opening is core. A core title the notebook lacks is an error:
    a renamed heading must not silently drop a section from the lecture."""
    found = sections(notebook)
    titles = [s.title for s in found]
    missing = [t for t in core if t not in titles and t != OPENING]
    if missing:
        raise ValueError(f"course.yaml names core section(s) {missing} that the notebook does not have; "
                         f"its sections are: {titles}")
    bad = [t for t in core if t in NEVER_CORE]
    if bad:
        raise ValueError(f"course.yaml: {bad} cannot be core (exercises and the claims table are not lecture material)")
    is_core = [(s.title == OPENING or s.title in core) and s.parent is None for s in found]
    return ([s for s, c in zip(found, is_core, strict=True) if c],
            [s for s, c in zip(found, is_core, strict=True) if not c])


def cell_roles(notebook: dict, core: list[str]) -> list[dict]:
    """Per cell: ``{"section": title, "core": bool, "heading": bool}`` (``heading``: the cell opens its section)."""
    core_sections, further = split(notebook, core)
    roles: list[dict] = [{}] * len(notebook["cells"])
    for is_core, group in ((True, core_sections), (False, further)):
        for section in group:
            for position, index in enumerate(section.cells):
                roles[index] = {"section": section.title, "core": is_core,
                                "heading": position == 0 and section.title != OPENING
                                and heading_title(notebook["cells"][index], 3 if section.parent else 2) is not None}
    return roles


def core_words(notebook: dict, core: list[str]) -> int:
    return sum(s.words for s in split(notebook, core)[0])


def lecture_plan(notebooks: list[Path], course_file: Path = COURSE_FILE) -> dict[str, list[dict]]:
    """``{stem: [{section, words, figures, minutes}, ...]}`` over each study's core sections (the opening first)."""
    plan = {}
    for path in notebooks:
        core, _ = split(read_notebook(path), core_titles(path.stem, course_file))
        merged: dict[str, dict] = {}  # a core section split by a folded ### part counts once
        for s in core:
            row = merged.setdefault(s.title, {"section": s.title, "words": 0, "figures": 0})
            row["words"] += s.words
            row["figures"] += s.figures
        for row in merged.values():
            row["minutes"] = math.ceil(row["words"] / WORDS_PER_MINUTE + FIGURE_MINUTES * row["figures"])
        plan[path.stem] = list(merged.values())
    return plan


def core_minutes(stem: str, course_file: Path = COURSE_FILE) -> dict[str, int | None]:
    """``{title: minutes}`` of a study's core sections as ``course.yaml`` states them (``None`` where it does not)."""
    import yaml

    entry = (yaml.safe_load(Path(course_file).read_text(encoding="utf-8")).get("studies") or {}).get(stem) or {}
    return {str(item["section"]): item.get("minutes") if isinstance(item, dict) else None
            for item in entry.get("core") or [] for item in [item if isinstance(item, dict) else {"section": item}]}


def write_plan(notebooks: list[Path], course_file: Path = COURSE_FILE) -> None:
    """Rewrite each study's ``core`` list in ``course.yaml`` as ``- {section: TITLE, minutes: N}`` with the minutes
    computed now (comments and everything else in the file kept)."""
    text = Path(course_file).read_text(encoding="utf-8")
    for stem, rows in lecture_plan(notebooks, course_file).items():
        block = re.search(rf"(\n  {re.escape(stem)}:\n(?:    .*\n|\s*\n)*?    core:[^\n]*\n)((?:      - .*\n)+)", text)
        if block is None:
            raise ValueError(f"{course_file}: no core list for {stem}")
        items = "".join(f"      - {{section: {json.dumps(row['section'], ensure_ascii=False)}, "
                        f"minutes: {row['minutes']}}}\n" for row in rows)
        text = text[:block.start(2)] + items + text[block.end(2):]
    Path(course_file).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.lecture", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", type=Path, nargs="*")
    parser.add_argument("--write-plan", action="store_true", help="write the core sections' minutes into course.yaml")
    arguments = parser.parse_args(argv)
    notebooks = arguments.notebooks or sorted((REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))
    if arguments.write_plan:
        write_plan(notebooks)
    for path in notebooks:
        notebook = read_notebook(path)
        core = core_titles(path.stem)
        core_sections, _ = split(notebook, core)
        core_set = {s.title for s in core_sections}
        print(f"== {path.stem}")
        for s in sections(notebook):
            mark = "core" if s.title in core_set and s.parent is None else "further"
            print(f"  {mark:7s} {s.words:5d} words {s.figures:2d} figures {s.minutes:5.1f} min  {s.title}")
        words = sum(s.words for s in core_sections)
        minutes = sum(s.minutes for s in core_sections)
        print(f"  core: {words} words (limit {CORE_WORD_LIMIT}), {minutes:.0f} minutes with figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())

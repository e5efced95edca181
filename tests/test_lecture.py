"""The lecture plan (helpers.lecture): words and figures per section, the core path within its bound on every study
page, and course.yaml's minutes equal to what the notebooks give now."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from helpers import lecture

STUDIES = sorted((lecture.REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))


def _md(text):
    return nbformat.v4.new_markdown_cell(text)


def _code(markdown=None, figure=False):
    cell = nbformat.v4.new_code_cell("x = 1")
    if markdown:
        cell.outputs.append(nbformat.v4.new_output("display_data", data={"text/markdown": markdown}))
    if figure:
        cell.outputs.append(nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"}))
    return cell


def _notebook(*cells):
    return nbformat.v4.new_notebook(cells=list(cells))


def test_words_leave_out_display_maths_comments_and_tags():
    assert lecture.count_words("one two $x$ three") == 4
    assert lecture.count_words("one $$\\int f \\, dx = 1$$ two <!-- hidden words --> <b>three</b>") == 3
    assert lecture.count_words("## A heading") == 2


def test_sections_count_prose_takeaways_and_figures():
    notebook = _notebook(_md("# Title\n\nfour words of intro"), _md("## First\n\nalpha beta"),
                         _code("a takeaway of five words", figure=True), _md("## Second\n\ngamma"), _code(figure=True))
    found = {s.title: s for s in lecture.sections(notebook)}
    assert list(found) == [lecture.OPENING, "First", "Second"]
    assert (found["First"].words, found["First"].figures) == (3 + 5, 1)  # "First alpha beta" + the takeaway
    assert found["First"].minutes == pytest.approx(8 / lecture.WORDS_PER_MINUTE + lecture.FIGURE_MINUTES)


def test_a_going_further_subsection_is_its_own_section_and_the_rest_stays_core():
    notebook = _notebook(_md("## Core part\n\na b"), _md("### Going further: detail\n\nc d e"), _code(figure=True),
                         _md("### Back to the point\n\nf"), _md("## Extra\n\ng"))
    core, further = lecture.split(notebook, ["Core part"])
    assert [s.title for s in core] == ["Core part", "Core part"]
    assert sum(s.words for s in core) == 4 + 5  # "Core part a b" and "Back to the point f"
    assert [s.title for s in further] == ["Going further: detail", "Extra"]
    assert further[0].figures == 1 and further[0].parent == "Core part"
    roles = lecture.cell_roles(notebook, ["Core part"])
    assert [r["core"] for r in roles] == [True, False, False, True, False]
    assert [r["heading"] for r in roles] == [True, True, False, False, True]


def test_a_core_title_the_notebook_lacks_is_an_error():
    with pytest.raises(ValueError, match="does not have"):
        lecture.split(_notebook(_md("## Real\n\ntext")), ["Renamed"])
    with pytest.raises(ValueError, match="cannot be core"):
        lecture.split(_notebook(_md("## Exercises\n\ntext")), ["Exercises"])


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_each_core_path_is_readable_within_the_bound_and_carries_figures(path):
    notebook = lecture.read_notebook(path)
    core, further = lecture.split(notebook, lecture.core_titles(path.stem))
    words = sum(s.words for s in core)
    assert words <= lecture.CORE_WORD_LIMIT, f"{path.stem}: core path {words} words (limit {lecture.CORE_WORD_LIMIT})"
    assert sum(s.figures for s in core) >= 4, "the core carries the study's main figures"
    assert further, "everything beyond the core sits in going-further sections"


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_course_yaml_minutes_are_what_the_notebook_gives(path):
    """course.yaml's lecture plan is written by `python -m helpers.lecture --write-plan`; a changed notebook or
    core list without rewriting it fails here."""
    plan = {row["section"]: row["minutes"] for row in lecture.lecture_plan([path])[path.stem]}
    assert lecture.core_minutes(path.stem) == plan


def test_write_plan_round_trips(tmp_path):
    course = tmp_path / "course.yaml"
    course.write_text(Path(lecture.COURSE_FILE).read_text(encoding="utf-8").replace("minutes: ", "minutes: 9"))
    lecture.write_plan(STUDIES, course)
    assert course.read_text(encoding="utf-8") == Path(lecture.COURSE_FILE).read_text(encoding="utf-8")

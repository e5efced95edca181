"""The reveal.js decks (helpers/slides.py): the slide-type rule on a small notebook, and the decks made from the
STORED notebooks opened in headless Chromium with every non-``file://`` request blocked.

The browser checks (marker ``site``, run by ``make site-check``) build the four decks into a temporary site folder
(with the site's MathJax and plotly.js, as ``make run`` has them), then walk every slide of every deck: reveal.js
initialised, each slide reachable and its content inside the slide (no overflow), maths typeset by MathJax 3,
every image decoded and every plotly figure drawn, speaker notes present, no code shown, no request left the machine,
and the decks with their assets ≤ 6 MB. A screenshot of the first, a figure and the last slide of each deck goes to
``build/screenshots/`` (or ``$SLIDES_SHOTS``) for a person to look at. The rest of the file needs no browser.
"""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path

import pytest

from helpers import lecture, slides

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
SCREENSHOTS = Path(os.environ.get("SLIDES_SHOTS", ROOT / "build" / "screenshots"))
DECKS_LIMIT = 6_000_000  # bytes: the decks, reveal.js's files (the site's MathJax and plotly.js are reused)


# ---------------------------------------------------------------------------------------------
# The rule, on a synthetic notebook (no browser)
# ---------------------------------------------------------------------------------------------


def _png() -> str:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "steelblue").save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode("ascii")


def synthetic_notebook():
    import nbformat

    v4 = nbformat.v4
    figure = v4.new_output("display_data", data={"image/png": _png(), "text/plain": "<Figure size 400x300>"})
    takeaway = v4.new_output("display_data", data={"text/markdown": "The line is **2.2×** as long.", "text/plain": ""})
    long_text = "* " + "\n* ".join(" ".join(["word"] * 30) for _ in range(12))
    long_takeaway = v4.new_output("display_data", data={"text/markdown": long_text, "text/plain": ""})
    cells = [
        v4.new_markdown_cell("# Study 0 — A toy\n\nA first sentence. A second one, for the notes."),  # 0
        v4.new_markdown_cell("## What you will learn\n\nAfter this notebook you can …\n\n* do a\n* do b"),  # 1
        v4.new_code_cell("import numpy", metadata={"tags": ["boilerplate"]}),  # 2
        v4.new_code_cell("seed = 1", metadata={"tags": ["parameters"]}),  # 3
        v4.new_markdown_cell("## The loss\n\nWe minimise it.\n\n$$L = a + b$$\n\nMore prose."),  # 4
        v4.new_markdown_cell("Prose with a display equation:\n\n$$E \\ge L^2$$\n\nand words."),  # 5
        v4.new_code_cell("plot()", outputs=[figure]),  # 6
        v4.new_code_cell("show_takeaway('x')", outputs=[takeaway], metadata={"tags": ["remove-input"]}),  # 7
        v4.new_markdown_cell("Plain prose between figures."),  # 8
        v4.new_code_cell("x = 1"),  # 9: no outputs
        v4.new_code_cell("show_takeaway('y')", outputs=[long_takeaway], metadata={"tags": ["hide-input"]}),  # 10
        v4.new_code_cell("train()", outputs=[v4.new_output("stream", name="stdout", text="epoch 1\n")]),  # 11
        v4.new_code_cell("show_source(f)", outputs=[takeaway], metadata={"tags": ["remove-input"]}),  # 12
        v4.new_markdown_cell("### Going further: details\n\nLong detail."),  # 13
        v4.new_code_cell("plot_more()", outputs=[figure]),  # 14
        v4.new_markdown_cell("## Exercises\n\nTry it."),  # 15
        v4.new_code_cell("show_exercise(1)", outputs=[takeaway]),  # 16
    ]
    return v4.new_notebook(cells=cells)


CORE = ["What you will learn", "The loss"]
EXPECTED = ["slide", "slide", "skip", "skip", "slide", "notes", "subslide", "fragment", "notes", "skip", "subslide",
            "skip", "notes", "skip", "skip", "skip", "skip"]


def test_slide_types_follow_the_rule():
    nb = synthetic_notebook()
    assert slides.slide_types(nb, lecture.cell_roles(nb, CORE)) == EXPECTED


def test_plan_splits_headings_and_equations():
    nb = synthetic_notebook()
    parts = slides.plan(nb, lecture.cell_roles(nb, CORE))
    assert parts[0].visible == "# Study 0 — A toy\n\nA first sentence."
    assert "A second one" in parts[0].notes
    assert parts[1].visible.endswith("* do a\n* do b")  # a short lead's list goes on the slide
    assert parts[4].visible == "## The loss\n\nWe minimise it.\n\n$$L = a + b$$"  # heading, first sentence, equation
    assert parts[5].visible == "$$E \\ge L^2$$" and parts[5].visible_type == "-" and "and words" in parts[5].notes
    assert parts[10].dense  # a long takeaway: its own slide, in smaller type


def test_first_sentence_ignores_maths_and_abbreviations():
    assert slides.first_sentence("Take $x = 1.5$ here, e.g. now. Then more.") == "Take $x = 1.5$ here, e.g. now."
    assert slides.first_sentence("No full stop") == "No full stop"


def test_short_list_items_never_end_inside_maths_or_bold():
    item = slides._short_item("train a VAE with $\\beta$ warm-up over ten epochs and then $a + b + c + d$ more words")
    assert item.count("$") % 2 == 0 and item.endswith(" …")
    assert slides._short_item("**AE** — a short item") == "**AE** — a short item"


def test_deck_notebook_has_no_code_and_compact_figures():
    nb = synthetic_notebook()
    deck, has_plotly = slides.deck_notebook(nb, lecture.cell_roles(nb, CORE), "toy")
    assert not has_plotly
    types = [c.metadata["slideshow"]["slide_type"] for c in deck.cells]
    assert "skip" not in types and types[0] == "slide" and types.count("notes") >= 4
    html = [o["data"]["text/html"] for c in deck.cells if c.cell_type == "code" for o in c.outputs
            if "text/html" in o.get("data", {})]
    assert html and all('src="data:image/webp;base64,' in h and 'alt="Figure' in h for h in html)
    assert all("text/plain" not in o.get("data", {}) for c in deck.cells if c.cell_type == "code" for o in c.outputs)


def test_tag_notebook_is_idempotent_and_only_touches_slide_metadata(tmp_path):
    import nbformat

    course = tmp_path / "course.yaml"
    course.write_text("studies:\n  toy:\n    core:\n" + "".join(f"      - \"{t}\"\n" for t in CORE), encoding="utf-8")
    path = tmp_path / "toy.ipynb"
    nbformat.write(synthetic_notebook(), path)
    before = json.loads(path.read_text(encoding="utf-8"))
    assert slides.tag_notebook(path, course) is True
    assert slides.tag_notebook(path, course) is False
    after = json.loads(path.read_text(encoding="utf-8"))
    assert [c["metadata"]["slideshow"]["slide_type"] for c in after["cells"]] == EXPECTED
    for old, new in zip(before["cells"], after["cells"], strict=True):
        new["metadata"].pop("slideshow")
        assert old == new


def test_stored_notebooks_plan_a_deck_each():
    """Every study's core path gives a deck with a title slide, figures and speaker notes."""
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        types = slides.slide_types(nb, slides.notebook_roles(nb, path.stem))
        assert types.count("slide") >= 4 and types.count("subslide") >= 2 and "notes" in types, (path.stem, types)


# ---------------------------------------------------------------------------------------------
# The decks in a browser
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    from helpers.site import copy_static_assets

    site = tmp_path_factory.mktemp("slides-site")
    copy_static_assets(site)  # the site's MathJax and plotly.js, which the decks reuse
    return slides.build_decks(NOTEBOOKS, site)


CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",  # as tests/test_site.py
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"headless Chromium is needed to check the decks, and {CHROMIUM} is missing (see tests/test_site.py)"
        pytest.skip(message) if os.geteuid() != 0 and not os.environ.get("CI") else pytest.fail(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield browser
        browser.close()


WALK = """async () => {
  Reveal.configure({transition: "none", backgroundTransition: "none"});  // each slide in place at once
  const slides = Reveal.getSlides();
  const found = [];
  for (const slide of slides) {
    const {h, v} = Reveal.getIndices(slide);
    Reveal.slide(h, v, 0);
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const current = Reveal.getCurrentSlide();
    const box = slide.getBoundingClientRect();
    found.push({h, v, reached: current === slide && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
                height: slide.scrollHeight, width: slide.scrollWidth,
                text: (slide.innerText || "").slice(0, 60)});
  }
  Reveal.slide(0, 0, 0);
  return found;
}"""


@pytest.mark.site
def test_decks_offline_in_browser(decks, browser):
    slides_dir = decks[0].parent
    size = slides.folder_size(slides_dir)
    assert size <= DECKS_LIMIT, f"the decks take {size / 1e6:.1f} MB (limit {DECKS_LIMIT / 1e6:.0f} MB)"
    assert len(decks) == len(NOTEBOOKS)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for deck in decks:
        html = deck.read_text(encoding="utf-8")
        assert "https://" not in html.replace("https://revealjs.com", ""), f"{deck.name}: a remote URL is left"
        context = browser.new_context(viewport={"width": slides.WIDTH, "height": slides.HEIGHT},
                                      service_workers="block")
        remote, failed, errors = [], [], []

        def route(request_route, remote=remote):
            if request_route.request.url.startswith(("file://", "data:")):
                request_route.continue_()
            else:
                remote.append(request_route.request.url)
                request_route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("requestfailed", lambda r, failed=failed: failed.append(f"{r.url} ({r.failure})"))
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        try:
            page.goto(deck.as_uri(), wait_until="load")
            page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=20_000)
            page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
            page.evaluate("() => window.sitePlotly ? window.sitePlotly.then(() => Promise.all(window.sitePlots)) : 0")
            name = deck.stem
            walked = page.evaluate(WALK)
            assert len(walked) >= 8, f"{name}: only {len(walked)} slides"
            unreached = [w for w in walked if not w["reached"]]
            assert not unreached, f"{name}: slides not reachable: {unreached}"
            overflow = [w for w in walked if w["height"] > slides.HEIGHT + 4 or w["width"] > slides.WIDTH + 4]
            assert not overflow, f"{name}: slides whose content does not fit {slides.WIDTH}×{slides.HEIGHT}: {overflow}"

            if "$" in html:
                assert page.locator(".slides mjx-container").count() > 0, f"{name}: MathJax typeset nothing"
            assert page.locator("mjx-merror").count() == 0, f"{name}: a TeX error"
            untypeset = page.evaluate("""() => [...document.querySelectorAll('.slides section')]
                .flatMap(s => [...s.childNodes]).filter(n => !(n.matches && n.matches('aside.notes, section')))
                .map(n => n.textContent).filter(t => /\\$\\$|\\$\\\\/.test(t)).map(t => t.slice(0, 80))""")
            assert not untypeset, f"{name}: TeX left untypeset on a slide: {untypeset[:3]}"

            images = page.evaluate("""() => [...document.querySelectorAll('.slides img')].map(i => ({
                ok: i.complete && i.naturalWidth > 0, alt: i.alt}))""")
            assert images and all(i["ok"] for i in images), f"{name}: images not decoded: {images}"
            assert all(len(i["alt"]) > 12 for i in images), f"{name}: an image without alt text"
            plots = page.evaluate("""() => [...document.querySelectorAll('.slides .plotly-graph-div')].map(d => ({
                id: d.id, svg: !!d.querySelector('svg.main-svg'), traces: d.data ? d.data.length : 0}))""")
            assert plots == [] or all(p["svg"] and p["traces"] > 0 for p in plots), f"{name}: plotly not drawn: {plots}"
            assert html.count('class="plotly-graph-div"') == len(plots)

            assert page.locator("aside.notes").count() > 0, f"{name}: no speaker notes"
            code = page.locator(".jp-CodeCell .jp-InputArea, .jp-CodeMirrorEditor, div.input_area, div.input")
            assert code.count() == 0, f"{name}: code shown"  # (markdown cells render in a .jp-InputArea too)
            shown_code = page.evaluate("() => [...document.querySelectorAll('.slides pre')]"
                                       ".filter(p => !p.closest('aside.notes')).length")
            assert shown_code == 0, f"{name}: a code listing is on a slide"
            assert not remote, f"{name}: requests tried to leave the machine: {remote}"
            assert not failed, f"{name}: files failed to load: {failed}"
            assert not errors, f"{name}: script errors: {errors}"

            figure = next((i for i, w in enumerate(walked) if w["v"] > 0), 1)
            for label, index in (("first", 0), ("figure", figure), ("last", len(walked) - 1)):
                page.evaluate(f"() => Reveal.slide({walked[index]['h']}, {walked[index]['v']}, 99)")
                page.wait_for_timeout(400)  # the slide transition, and plotly fitting the figure to its slide
                page.screenshot(path=str(SCREENSHOTS / f"slides-{name}-{label}.png"))
        finally:
            context.close()

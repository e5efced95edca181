"""The Sphinx course site, opened in a real browser: headless Chromium from Debian (``apt-get install chromium``).

The site is built from the STORED notebooks (``notebooks/[0-9]*.ipynb``, nothing is executed) into
``build/site-check/`` by ``helpers.site`` (Sphinx + myst-nb + sphinx-book-theme). Every page is opened with all
non-``file://`` requests blocked and recorded; the tests assert that no request tried to leave the machine, that
no file a page asks for is missing, that every plotly figure drew its data (WebGL canvas or SVG) and carries an
alt text, that every equation was typeset by MathJax without ``mjx-merror``, that no script error occurred, that
search finds pages from ``file://``, that each study page has previous/next links, right-hand contents that
follow the reader, a map of its sections and a download button (the notebook without outputs), that no test
marker and no takeaway or table code is shown, that every image has a real alt text, that the page does not
scroll sideways at 1280 or 768 px, and that every link resolves. Full-page screenshots at 1280 and 768 px go to
``build/screenshots/`` for a person to look at.

The browser checks are marked ``site``: run them with ``make site-check`` (``pytest -m site``). The
builder's and the tagger's own tests at the end of this file need no browser and run with the unit tests.
Without Chromium the browser checks fail with how to install it; only a non-root user outside CI (``CI``
unset) gets a skip instead.
"""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

browser_check = pytest.mark.site  # the slow part: make site-check runs it, make unit leaves it out

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SITE = ROOT / "build" / "site-check"
SCREENSHOTS = ROOT / "build" / "screenshots"
WIDTHS = (1280, 768)
# Flags that keep Chromium offline and quiet here (no sandbox: tests may run as root in a container).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))

INSTALL = ("headless Chromium is needed to check the HTML site in a real browser, and "
           f"{CHROMIUM} is missing: install it with `apt-get update && apt-get install -y chromium` "
           "(Debian/Ubuntu, as root), or point the CHROMIUM environment variable at a Chromium binary")


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 and not os.environ.get("CI"):
        pytest.skip(INSTALL + " (skipped: not root and not in CI)")
    pytest.fail(INSTALL)


@pytest.fixture(scope="module")
def site() -> list[Path]:
    from helpers.site import DEFAULT_COURSE, build_site, read_run_times

    assert NOTEBOOKS, "no stored notebooks in notebooks/"
    return build_site(SITE, NOTEBOOKS, DEFAULT_COURSE, read_run_times(ROOT / "build" / "run_times.json"))


@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield browser
        browser.close()


class Visit:
    """One page opened in its own browser context, with its requests and errors recorded."""

    def __init__(self, browser, path: Path, width: int = WIDTHS[0]):
        self.context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
        self.page = self.context.new_page()
        self.remote: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page.on("requestfailed", lambda request: self.failed.append(f"{request.url} ({request.failure})"))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.goto(path.as_uri(), wait_until="load")
        self.page.evaluate(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise ? MathJax.startup.promise : null"
        )
        # plotly.js arrives compressed and draws asynchronously: wait until it is in and every figure is drawn
        self.page.evaluate(
            "() => window.sitePlotly ? window.sitePlotly.then(() => Promise.all(window.sitePlots)) : null")

    def _route(self, route):
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.remote.append(url)
            route.abort()

    def close(self):
        self.context.close()


def titles() -> dict[str, str]:
    from helpers.site import DEFAULT_COURSE, load_course

    course = load_course(DEFAULT_COURSE, NOTEBOOKS)
    return ({"index": course.title} | {study.stem: study.title for study in course.studies}
            | {"assignments": "Assignments: write the code of each study yourself"})


def page_names() -> list[str]:
    return list(titles())


def local_target(url: str) -> tuple[Path, str] | None:
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path)), parsed.fragment


@browser_check
@pytest.mark.parametrize("name", page_names())
def test_page_in_browser(site, browser, name):
    path = SITE / f"{name}.html"
    assert path in site
    visit = Visit(browser, path)
    page = visit.page
    try:
        assert not visit.remote, f"{name}: requests tried to leave the machine: {visit.remote}"
        assert not visit.failed, f"{name}: files the page asked for failed to load: {visit.failed}"
        html = path.read_text(encoding="utf-8")
        assert "https://cdn" not in html and "//cdn." not in html, f"{name}: a CDN reference is left in the page"

        # Plotly: every figure div was drawn, with data, into an SVG or a WebGL canvas, and says what it shows.
        expected = html.count('class="plotly-graph-div"')
        figures = page.evaluate(
            """() => [...document.querySelectorAll('.plotly-graph-div')].map(d => ({
                id: d.id, drawn: d.classList.contains('js-plotly-plot'), traces: d.data ? d.data.length : 0,
                surface: !!d.querySelector('svg.main-svg, canvas'), label: d.getAttribute('aria-label') || '',
                webglMissing: /WebGL is not supported/i.test(d.innerText)}))"""
        )
        assert len(figures) == expected
        for figure in figures:
            assert figure["drawn"] and figure["traces"] > 0 and figure["surface"], f"{name}: figure not drawn: {figure}"
            assert not figure["webglMissing"], f"{name}: {figure['id']} says WebGL is not supported"
            assert len(figure["label"]) > 12 and figure["label"] != "Figure", f"{name}: {figure['id']} has no alt text"
        assert ("plotly-gzip.js" in html) == bool(expected), f"{name}: plotly.js must load exactly where figures are"

        # MathJax: every equation Sphinx marked (span.math, div.math) was typeset, and no TeX error.
        maths = page.evaluate("""() => [...document.querySelectorAll('span.math, div.math')]
            .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))""")
        assert not maths, f"{name}: equations left untypeset: {maths[:5]}"
        if name != "index":
            assert page.locator("mjx-container").count() > 0, f"{name}: MathJax typeset nothing"
        assert page.locator("mjx-merror").count() == 0, f"{name}: MathJax reported a TeX error"
        assert not visit.errors, f"{name}: script errors: {visit.errors}"

        # Images: every one says what it shows (not empty, not matplotlib's "<Figure size …>").
        alts = page.evaluate("() => [...document.querySelectorAll('article img')].map(i => i.alt)")
        bad = [alt for alt in alts if len(alt) < 12 or alt.startswith("<Figure") or alt == "Figure"]
        assert not bad, f"{name}: images without a real alt text: {bad}"

        assert titles()["index"] in page.title()
        if name == "index":
            cards = page.locator(".sd-card:not(.sd-dropdown)")
            assert cards.count() == len(titles()) - 2, "one card per study (titles() also holds the assignments page)"
            decks = page.locator("a.card-slides").evaluate_all("links => links.map(a => a.getAttribute('href'))")
            assert len(decks) == len(titles()) - 2 and all((SITE / deck).exists() for deck in decks), \
                "each card links its study's deck"
        elif name == "assignments":
            # one download per study: the student's notebook, which exists next to the page and holds no answers
            links = page.locator("a.assignment-download").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))")
            assert sorted(links) == sorted(f"assignments/{stem}.ipynb" for stem in titles() if stem[:1].isdigit())
            for link in links:
                student = json.loads((SITE / link).read_text(encoding="utf-8"))
                assert "otter" in student["metadata"] and "# SOLUTION" not in json.dumps(student["cells"])
            text = page.evaluate("() => document.body.innerText")
            assert "grader.check" in text and "make grade" in text, "how to check and how to grade are explained"
        else:
            assignment = page.locator('.page-map a[href*="assignments.html#assignment-"]')
            assert assignment.count() == 1, f"{name}: the page map does not link the study's assignment"
            deck = page.locator(f'.page-map a[href="slides/{name}.html"]')
            assert deck.count() == 1 and (SITE / "slides" / f"{name}.html").exists(), f"{name}: no link to its deck"
            target = assignment.get_attribute("href").split("#")[1]
            assert f'id="{target}"' in (SITE / "assignments.html").read_text(encoding="utf-8"), f"{name}: dead link"
            # prev/next, the right-hand contents, the map of the page, the download button
            assert page.locator(".prev-next-area a").count() >= 1, f"{name}: no previous/next links"
            assert page.locator(".page-toc li").count() >= 3, f"{name}: the right-hand contents are missing"
            map_links = page.locator(".page-map a")
            assert map_links.count() >= 3, f"{name}: no map of the page after the learning goals"
            in_page = "links => links.filter(a => a.getAttribute('href').startsWith('#')).map(a => a.hash.slice(1))"
            for anchor in map_links.evaluate_all(in_page):
                assert page.locator(f'[id="{unquote(anchor)}"]').count() == 1, f"{name}: map link #{anchor} is dead"
            download = page.locator(f'a[href$="_sources/{name}.ipynb"]')
            assert download.count() == 1, f"{name}: no download-.ipynb button"
            notebook = json.loads((SITE / "_sources" / f"{name}.ipynb").read_text(encoding="utf-8"))
            assert not any(c.get("outputs") for c in notebook["cells"]), f"{name}: the download keeps outputs"
            # test markers never shown, and no takeaway or table cell shows its code
            text = page.evaluate("() => document.body.innerText")
            assert "NBVAL_" not in text and "# noqa" not in text, f"{name}: a test marker is shown"
            shown = page.evaluate("""() => [...document.querySelectorAll('div.cell_input pre')]
                .filter(p => p.offsetParent !== null && /show_(takeaway|table)\\(/.test(p.innerText))
                .map(p => p.innerText.slice(0, 80))""")
            assert not shown, f"{name}: takeaway/table cells show their code: {shown}"

        # Screenshots, and no sideways scrolling of the page itself at either width.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(600)  # plotly's responsive figures redraw on resize
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name}: the page scrolls sideways by {overflow} px at {width} px"
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    finally:
        visit.close()


@browser_check
def test_search_works_offline(site, browser):
    """Sphinx's search (searchindex.js, loaded by a script tag) finds pages from file:// with the network blocked."""
    visit = Visit(browser, SITE / "search.html")
    try:
        visit.page.goto((SITE / "search.html").as_uri() + "?q=geodesic", wait_until="load")
        visit.page.wait_for_selector("#search-results ul.search li", timeout=15_000)
        found = visit.page.evaluate("() => [...document.querySelectorAll('#search-results li a')].map(a => a.href)")
        assert any("01_cone_distortion.html" in url for url in found), found
        assert not visit.remote and not visit.errors, (visit.remote, visit.errors)
    finally:
        visit.close()


@browser_check
def test_right_hand_contents_follow_the_reader(site, browser):
    """Scrolled to a section, the right-hand contents mark that section."""
    visit = Visit(browser, SITE / "01_cone_distortion.html")
    try:
        page = visit.page
        target = page.locator("section section").nth(4)
        target.scroll_into_view_if_needed()
        page.evaluate("() => window.scrollBy(0, 40)")
        page.wait_for_timeout(800)
        active = page.evaluate("() => [...document.querySelectorAll('.page-toc a.active')].map(a => a.hash)")
        assert active, "no entry of the right-hand contents is marked"
    finally:
        visit.close()


@browser_check
def test_every_link_resolves(site, browser):
    """Every link, image, script and style sheet of every page points at a file of the site (and at an
    element that exists, for links with a #fragment); the index links every study page."""
    missing = []
    visit = Visit(browser, SITE / "index.html")
    try:
        index_links = visit.page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    finally:
        visit.close()
    studies = [name for name in page_names() if name != "index"]
    assert {Path(urlparse(u).path).stem for u in index_links} >= set(studies), "the index misses a study page"
    for link in index_links:
        target = local_target(link)
        if target is None or not target[0].is_file():
            missing.append(f"index.html -> {link}")

    for path in site:
        visit = Visit(browser, path)
        try:
            urls = visit.page.evaluate(
                """() => [...document.querySelectorAll('a[href], img[src], script[src], link[href]')]
                          .map(e => e.href || e.src)"""
            )
            ids = set(visit.page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)"))
        finally:
            visit.close()
        for url in urls:
            target = local_target(url)
            if target is None:
                if urlparse(url).scheme not in ("http", "https", "mailto"):
                    missing.append(f"{path.name} -> {url}")
                continue  # a link out (a reference in the text) is not a request
            file, fragment = target
            if not file.is_file():
                missing.append(f"{path.name} -> {url}")
            elif fragment and file == path and fragment not in ids and unquote(fragment) not in ids:
                missing.append(f"{path.name} -> #{fragment} (no such element)")
    assert not missing, "links that do not resolve:\n" + "\n".join(missing)


@browser_check
def test_explorer_sliders_change_the_picture(site, browser):
    """Every figure with a slider (an explorer, helpers.plotting.add_slider): clicking its rail near the end
    shows another frame: the slider's active step moves and the moving traces' data change. Screenshots of
    each explorer before and after go to build/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found = 0
    for path in site:
        visit = Visit(browser, path)
        try:
            page = visit.page
            ids = page.evaluate("""() => [...document.querySelectorAll('.plotly-graph-div')]
                .filter(d => d._fullLayout && (d._fullLayout.sliders || []).length).map(d => d.id)""")
            for div_id in ids:
                found += 1
                state = f"""() => {{ const d = document.getElementById('{div_id}');
                    return {{active: d._fullLayout.sliders[0].active, frames: (d._transitionData._frames || []).length,
                             data: JSON.stringify(d.data.map(t => [t.x, t.y, t.z]))}}; }}"""
                before = page.evaluate(state)
                steps = page.evaluate(f"() => document.getElementById('{div_id}')._fullLayout.sliders[0].steps.length")
                assert before["frames"] == steps, f"{path.name} {div_id}: {before['frames']} frames, {steps} steps"
                figure = page.locator(f'[id="{div_id}"]')  # the ids start with a digit: no #id selector
                figure.scroll_into_view_if_needed()
                figure.screenshot(path=str(SCREENSHOTS / f"{div_id}-before.png"))
                rail = page.locator(f'[id="{div_id}"] .slider-rail-touch-rect').bounding_box()
                page.mouse.click(rail["x"] + 0.85 * rail["width"], rail["y"] + rail["height"] / 2)
                page.wait_for_timeout(500)
                after = page.evaluate(state)
                figure.screenshot(path=str(SCREENSHOTS / f"{div_id}-after.png"))
                assert after["active"] > before["active"], f"{path.name} {div_id}: the slider did not move"
                assert after["data"] != before["data"], f"{path.name} {div_id}: the picture did not change"
            assert not visit.errors, f"{path.name}: script errors: {visit.errors}"
        finally:
            visit.close()
    assert found, "no explorer (a figure with a slider) on any page"


@browser_check
def test_site_is_small_and_ships_libraries_once(site):
    total = sum(f.stat().st_size for f in SITE.rglob("*")
                if f.is_file() and "slides" not in f.relative_to(SITE).parts)
    # (the slide decks have their own budget of 6 MB: tests/test_slides.py)
    # issue 22's budget: 8 MB in all. plotly.js ships gzip-compressed (1.9 MB instead of 4.8 MB); a page that
    # embedded its own copy of plotly.js or an unconverted figure would break it
    assert total <= 8_000_000, f"the site is {total / 1e6:.2f} MB (limit 8 MB)"
    assert len(list(SITE.rglob("plotly*.js"))) == 1
    assert not list(SITE.rglob("*.png")) or all(f.stat().st_size < 20_000 for f in SITE.rglob("*.png")), "PNG figures"
    for page in site:
        html = page.read_text(encoding="utf-8")
        assert "plotly.js v" not in html, f"{page.name}: embeds a copy of plotly.js"
        assert html.count("mathjax/startup.js") <= 1, f"{page.name}: MathJax loaded more than once"
    times = ROOT / "build" / "run_times.json"
    if times.exists():
        assert json.loads(times.read_text()), "build/run_times.json is empty"


# ---------------------------------------------------------------------------------------------
# The builder and the tagger without a browser (fast; part of make unit)
# ---------------------------------------------------------------------------------------------


def tiny_notebook(path: Path) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    figure = {"data": [{"type": "scatter", "x": [1, 2, 3], "y": [3, 1, 2]}], "layout": {"height": 300},
              "config": {"plotlyServerURL": "https://plot.ly"}}
    png = base64.b64encode(_png()).decode("ascii")
    nb = new_notebook(cells=[
        new_markdown_cell("# A title\n\nText with $x^2$.\n\n## What you will learn\n\nThings."),
        new_code_cell("import numpy  # noqa: F401\n# NBVAL_CHECK_OUTPUT\nsecret_setup = 1",
                      metadata={"tags": ["boilerplate"]}),
        new_markdown_cell("## Part one"),
        new_code_cell("hidden_cell = 2", metadata={"tags": ["remove-cell"]}),
        new_code_cell("hidden_input = 3", metadata={"tags": ["remove-input"]},
                      outputs=[new_output("stream", name="stdout", text="shown output\n")]),
        new_markdown_cell("## Part two"),
        new_code_cell("fig", outputs=[new_output("display_data", data={"application/vnd.plotly.v1+json": figure,
                                                                       "text/plain": "Figure"})]),
        new_code_cell('plot(title="Loss per epoch")', outputs=[new_output(
            "display_data", data={"image/png": png, "text/plain": "<Figure size 640x480 with 1 Axes>"})]),
    ])
    nbformat.write(nb, path)
    return path


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_builder_makes_the_pages_with_tags_markers_figures_and_cards(tmp_path):
    from helpers.site import build_site

    notebook = tiny_notebook(tmp_path / "01_tiny.ipynb")
    course = tmp_path / "course.yaml"
    course.write_text("title: T\nparagraph: P\norder: [01_tiny]\nstudies:\n  01_tiny: {title: Tiny study}\n")
    pages = build_site(tmp_path / "site", [notebook], course, {"01_tiny": 75})
    html = (tmp_path / "site" / "01_tiny.html").read_text()
    assert "hidden_cell" not in html and "hidden_input" not in html and "shown output" in html
    assert "Show the set-up code" in html and "secret_setup" in html  # boilerplate folded, not removed
    assert "NBVAL" not in html and "noqa" not in html
    assert "Plotly.newPlot" in html and 'src="_static/plotly-gzip.js"' in html and "plot.ly" not in html
    assert 'alt="Figure: Loss per epoch"' in html and ".webp" in html and 'aria-label="Figure of the section' in html
    assert 'class="page-map' in html and 'href="#part-one"' in html and 'href="#part-two"' in html
    assert [f.name for f in (tmp_path / "site").rglob("plotly*.js")] == ["plotly-gzip.js"]
    index = pages[0].read_text()
    assert "1 min 15 s" in index and "Tiny study" in index and "plotly-gzip.js" not in index
    assert (tmp_path / "site" / "_sources" / "01_tiny.ipynb").is_file()
    assert (tmp_path / "site" / "searchindex.js").is_file()


def test_course_skips_missing_notebooks_and_entries_with_a_warning(tmp_path, capsys):
    from helpers.site import load_course

    course = tmp_path / "course.yaml"
    course.write_text("title: T\norder: [01_a, 02_gone]\nstudies:\n  01_a: {title: A}\n  02_gone: {title: Gone}\n")
    studies = load_course(course, [tmp_path / "01_a.ipynb", tmp_path / "03_new.ipynb"]).studies
    assert [s.stem for s in studies] == ["01_a"]
    warnings = capsys.readouterr().err
    assert "02_gone" in warnings and "03_new" in warnings


def test_run_times_are_recorded_and_tabled(tmp_path):
    from helpers.site import format_run_times, record_run_times

    tsv = tmp_path / "t.tsv"
    tsv.write_text("01_a\t100.5\t110.0\n02_b\t110,0\t170,3\n")  # a comma: EPOCHREALTIME in some locales
    times = record_run_times(tsv, tmp_path / "t.json")
    assert times == {"01_a": 9.5, "02_b": 60.3}
    assert json.loads((tmp_path / "t.json").read_text()) == times
    assert format_run_times(times).splitlines()[-1].split() == ["total", f"{sum(times.values()):.1f}"]


def test_a_figure_with_frames_is_drawn_with_them():
    """An explorer's frames (its slider steps) must reach plotly.js, or the slider shows nothing new."""
    from helpers.site import figure_html

    figure = {"data": [{"type": "scatter", "y": [1.0, 2.0]}], "layout": {"sliders": [{"steps": []}]},
              "frames": [{"name": "step 0", "data": [{"y": [1.0, 2.0]}]},
                         {"name": "step 1", "data": [{"y": [2.0, 1.0]}]}]}
    shared = {}
    call = figure_html(figure, "explorer", "An explorer", shared).split("Plotly.newPlot(", 1)[1]
    assert call.startswith('"explorer", {data: [') and 'frames: [{"name":"step 0"' in call and '"step 1"' in call
    # a large part is written once, as an assignment, then referred to
    big = {**figure, "data": [{"type": "scatter", "y": list(range(1000))}]}
    call = figure_html(big, "big", "Big", shared).split("Plotly.newPlot(", 1)[1]
    assert call.startswith('"big", {data: (siteShared[') and " = [" in call.split("layout:")[0]
    again = figure_html(big, "again", "Again", shared).split("Plotly.newPlot(", 1)[1]
    assert again.startswith('"again", {data: siteShared[')
    plain = figure_html({"data": [{"type": "scatter"}], "layout": {}}, "plain", "Plain", {})
    assert "frames" not in plain


def test_plotly_ships_compressed_and_decompresses_to_the_installed_copy(tmp_path):
    """The loader holds the installed plotly.min.js, gzip-compressed in base64, and is much smaller than it."""
    import gzip

    import plotly

    from helpers.site import PLOTLY_JS, copy_static_assets

    copy_static_assets(tmp_path)
    script = (tmp_path / PLOTLY_JS).read_text(encoding="ascii")
    original = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    data = re.search(r'var data = "([A-Za-z0-9+/=]+)";', script).group(1)
    assert gzip.decompress(base64.b64decode(data)) == original
    assert len(script) < 0.5 * len(original)
    assert "new DecompressionStream(\"gzip\")" in script and "window.sitePlotly = ready" in script
    assert (tmp_path / "_static" / "mathjax" / "startup.js").is_file()
    copy_static_assets(tmp_path / "again")
    assert (tmp_path / "again" / PLOTLY_JS).read_text(encoding="ascii") == script  # reproducible (mtime 0)


@pytest.mark.parametrize("source, tag", [
    ('show_takeaway("k", "{a:.1f}", a=1.0)', "remove-input"),
    ('show_table("k", frame)\nshow_takeaway("k2", "x")', "remove-input"),
    ('if table is not None:\n    show_table("k", table)', "remove-input"),
    ('frame = compute()\nshow_table("k", frame)', "hide-input"),
    ("plot(x)\nplt.show()", None),
    ("from helpers.report import show_takeaway", None),
])
def test_takeaway_cells_are_told_apart(source, tag):
    from helpers.notebook_tags import wanted_tag

    assert wanted_tag(source) == tag


def test_tagging_is_idempotent_and_hides_the_source_in_jupyterlab(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from helpers.notebook_tags import tag_notebook

    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell('show_takeaway("k", "x")'),
                                       new_code_cell('v = f()\nshow_table("k", v)'),
                                       new_code_cell('show_table("k", t)', metadata={"tags": ["boilerplate"]})]), path)
    assert tag_notebook(path) and not tag_notebook(path)
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].metadata.tags == ["remove-input"] and cells[0].metadata.jupyter.source_hidden
    assert cells[1].metadata.tags == ["hide-input"] and "jupyter" not in cells[1].metadata
    assert cells[2].metadata.tags == ["boilerplate"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_notebooks_are_tagged(notebook, tmp_path):
    """Run `make tags` (or `make sync`) after adding a takeaway or table cell."""
    import shutil

    from helpers.notebook_tags import tag_notebook

    copy = tmp_path / notebook.name
    shutil.copyfile(notebook, copy)
    assert not tag_notebook(copy), f"{notebook.name} has untagged takeaway/table cells: run make tags"

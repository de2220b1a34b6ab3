"""The course website: the lesson-page transform, then the built site in Debian's Chromium.

The browser tests build the site with tools/build_site.py (Sphinx re-reads only what changed),
serve build/site on a loopback port and visit the start page, every lesson page and every page
of the package reference. No page may log a console error, load anything from outside the site
or show a broken image, and every link between pages must resolve. Screenshots land in
artifacts/site/. In CI they must run; elsewhere they skip when Chromium or Sphinx is missing.
"""
import copy
import functools
import html as html_lib
import http.server
import json
import os
import pkgutil
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
from test_browser import CHROMIUM, _require_browser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "site" / "_ext"))
import lesson_pages  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DEEP_DIVES = sorted((ROOT / "notebooks" / "deeper").glob("*.ipynb"))
SHOTS = ROOT / "artifacts" / "site"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEW = lesson_pages.WIDGET_VIEW


# --- the lesson-page transform (no browser needed) -------------------------------------

def _nb(*outputs, title="# Lesson 99 — A title\n\nWhat you will be able to do."):
    return {"cells": [{"cell_type": "markdown", "metadata": {}, "source": title.splitlines(keepends=True)},
                      {"cell_type": "code", "metadata": {}, "source": "x", "outputs": list(outputs),
                       "execution_count": 1}]}


def _widget(png=True):
    data = {VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0}, "text/plain": "VBox(...)"}
    if png:
        data["image/png"] = "iVBORw0KGgo="
    return {"output_type": "display_data", "metadata": {}, "data": data}


def test_run_box_sits_under_the_title_with_the_download_and_both_commands():
    page = lesson_pages.lesson_page(_nb(), "99_x.ipynb")
    text = page["cells"][0]["source"]
    assert text.startswith("# Lesson 99 — A title\n") and text.rstrip().endswith("What you will be able to do.")
    box = text.split("\n", 1)[1]
    assert "{download}`99_x.ipynb <99_x.ipynb>`" in box and "`make lab`" in box and "`make test`" in box


def test_widget_with_a_picture_keeps_it_and_gets_a_note():
    plain = {"output_type": "stream", "name": "stdout", "text": "hello\n"}
    widget = _widget(png=True)
    outs = lesson_pages.lesson_page(_nb(plain, copy.deepcopy(widget)), "a.ipynb")["cells"][1]["outputs"]
    assert outs[0] == plain and outs[1] == widget
    assert len(outs) == 3 and "make lab" in outs[2]["data"]["text/html"] and "picture" in outs[2]["data"]["text/html"]


def test_pages_drop_nbgraders_markers_and_hidden_tests_but_keep_the_solution():
    nb = _nb()
    nb["cells"][1]["source"] = ("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n"
                                "f = exercises.build('01.1', f)\n### BEGIN HIDDEN TESTS\nexercises.require('01.1')\n"
                                "### END HIDDEN TESTS")
    shown = lesson_pages.lesson_page(nb, "a.ipynb")["cells"][1]["source"]
    assert shown == "def f(x):\n    return 2 * x\nf = exercises.build('01.1', f)", shown


def test_links_to_other_notebooks_become_doc_references():
    nb = _nb(title="# Lesson 99\n\nSee the [deep dive: speed](deeper/99_speed.ipynb) and [lesson 98](../98_x.ipynb).")
    text = lesson_pages.lesson_page(nb, "a.ipynb")["cells"][0]["source"]
    assert "{doc}`deep dive: speed <deeper/99_speed>`" in text and "{doc}`lesson 98 <../98_x>`" in text


def test_widget_without_a_picture_becomes_a_note():
    outs = lesson_pages.lesson_page(_nb(_widget(png=False)), "a.ipynb")["cells"][1]["outputs"]
    assert len(outs) == 1 and list(outs[0]["data"]) == ["text/html"] and "make lab" in outs[0]["data"]["text/html"]


# --- the built site in a browser --------------------------------------------------------

def _require_sphinx():
    try:
        import myst_nb  # noqa: F401
        import sphinx_book_theme  # noqa: F401
    except ImportError:
        reason = "the website test needs the docs extra (pip install -e '.[docs]')"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must run it (make test installs it).")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def site():
    _require_browser()
    _require_sphinx()
    run = subprocess.run([sys.executable, "tools/build_site.py"], check=False, cwd=ROOT, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, f"the site did not build:\n{run.stdout[-3000:]}\n{run.stderr[-6000:]}"
    handler = functools.partial(_QuietHandler, directory=str(ROOT / "build" / "site"))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser left a page mid-transfer
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def context(site):
    from playwright.sync_api import sync_playwright
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium.new_context(viewport={"width": 1280, "height": 900})  # one cache for all pages
        chromium.close()


def _open(context, url: str, shot: str):
    """Open ``url``; return the page and the problems seen: console errors, failed or outside requests."""
    host = urlparse(url).netloc
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))

    def route(r):
        if urlparse(r.request.url).netloc == host or r.request.url.startswith("data:"):
            return r.continue_()
        problems.append(f"loads from outside the site: {r.request.url}")
        return r.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")  # lazy images, if any
    page.wait_for_function("() => [...document.images].every(i => i.complete)", timeout=30_000)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
    return page, problems


def _module_pages() -> list[str]:
    """The reference's module pages: every public module but the exercises (their source holds the answers)."""
    import course_utils
    names = [m.name for m in pkgutil.iter_modules(course_utils.__path__)
             if not m.name.startswith("_") and m.name != "exercises"]
    return ["generated/course_utils.html"] + [f"generated/course_utils.{n}.html" for n in names]


def _widget_outputs(path: Path) -> list[bool]:
    """For each widget output stored in the notebook: whether it carries a picture."""
    nb = json.loads(path.read_text())
    return [("image/png" in o.get("data", {})) for c in nb["cells"] for o in c.get("outputs", [])
            if VIEW in o.get("data", {})]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


PAGES = (["index.html", "glossary.html"] + [f"lessons/{p.stem}.html" for p in NOTEBOOKS]
         + [f"lessons/deeper/{p.stem}.html" for p in DEEP_DIVES] + ["reference.html"])


@pytest.mark.parametrize("lang", ["", "zh_CN/"], ids=["english", "chinese"])
def test_pages_load_cleanly_with_images_widgets_and_links(site, context, lang):
    links, checked = {}, []
    for rel in PAGES + _module_pages():
        page, problems = _open(context, f"{site}/{lang}{rel}", (lang + rel).replace("/", "_").removesuffix(".html"))
        try:
            assert page.title() and "404" not in page.title(), f"{rel}: no such page"
            if lang:   # the Chinese site: Chinese pages (the package reference's docstrings stay English)
                assert page.evaluate("document.documentElement.lang") == "zh-CN", rel
                assert re.search(r"[\u4e00-\u9fff]", page.locator("article").inner_text()
                                 if not rel.startswith("generated/") else page.content()), f"{rel} has no Chinese"
            broken = page.evaluate("() => [...document.images].filter(i => i.naturalWidth === 0).map(i => i.src)")
            assert not broken, f"{rel}: images that did not load: {broken}"
            html = page.content()
            for bad in ("Loading widget", VIEW, '"model_id"'):
                assert bad not in html, f"{rel} shows {bad!r}: widget outputs must become a picture or a note"
            if rel.startswith("lessons/"):
                _check_lesson(page, rel)
            for href in page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)"):
                url = urldefrag(href).url
                if urlparse(url).netloc == urlparse(site).netloc:
                    links.setdefault(url, rel)
            assert not problems, f"{rel}:\n" + "\n".join(problems)
            checked.append(rel)
        finally:
            page.close()
    dead = {url: where for url, where in links.items() if _status(url) != 200}
    assert not dead, f"links that do not resolve (target: page that links it): {dead}"
    assert len(checked) == len(PAGES) + len(_module_pages()) and len(links) > len(checked)
    twins = {url for url in links if ("/zh_CN/" in url) != bool(lang)}   # the language switch's targets
    assert len(twins) >= len(checked), f"{len(twins)} links to the other language from {len(checked)} pages"


def _check_lesson(page, rel: str) -> None:
    stem = Path(rel).stem
    nb_path = ROOT / "notebooks" / Path(rel).relative_to("lessons").with_suffix(".ipynb")
    nb = json.loads(nb_path.read_text())
    tagged = lambda tag: sum(tag in c["metadata"].get("tags", []) for c in nb["cells"])  # noqa: E731
    assert page.locator(".cell.tag_hide-input").count() == tagged("hide-input") > 0 or not tagged("hide-input"), (
        f"{rel}: each solution cell is folded behind a toggle")
    assert page.locator(".tag_remove-cell").count() == 0, f"{rel}: a guard cell is shown"
    assert "BEGIN SOLUTION" not in page.content() and "HIDDEN TESTS" not in page.content(), rel
    box = page.locator(".run-lesson")
    assert box.count() == 1, f"{rel}: the run-it box is missing"
    text = box.inner_text()
    assert "make lab" in text and "make test" in text, f"{rel}: the box must give both commands"
    assert box.locator(f"a[href$='{stem}.ipynb']").count() == 1, f"{rel}: no download link to {stem}.ipynb"
    widgets = _widget_outputs(nb_path)
    notes = page.locator(".widget-note")
    assert notes.count() == len(widgets), f"{rel}: {len(widgets)} widget outputs but {notes.count()} notes"
    picture_width = ("n => { const o = n.closest('.output'), prev = o && o.previousElementSibling;"
                     " const img = prev && (prev.tagName === 'IMG' ? prev : prev.querySelector('img'));"
                     " return img ? img.naturalWidth : -1; }")  # the picture shown just above the note
    for i, has_picture in enumerate(widgets):
        if has_picture:
            assert notes.nth(i).evaluate(picture_width) > 0, f"{rel}: widget {i + 1}'s stored picture is not shown"
    assert page.locator(".cell_output img").count() > 0 or not _has_figures(nb_path), f"{rel}: figures missing"


def _has_figures(path: Path) -> bool:
    nb = json.loads(path.read_text())
    return any("image/png" in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", []))


def test_language_switch_goes_both_ways(site, context):
    page, problems = _open(context, f"{site}/lessons/04_moons_from_scratch.html", "switch_english")
    try:
        page.locator(".course-language-switch").click()
        page.wait_for_url("**/zh_CN/lessons/04_moons_from_scratch.html")
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        assert "第 04 课" in page.locator("h1").first.inner_text()
        page.screenshot(path=str(SHOTS / "switch_chinese.png"))
        page.locator(".course-language-switch").click()
        page.wait_for_url(re.compile(r".*/lessons/04_moons_from_scratch\.html$"))
        assert "/zh_CN/" not in page.url and page.evaluate("document.documentElement.lang") == "en"
        assert "Lesson 04" in page.locator("h1").first.inner_text()
        assert not problems, "\n".join(problems)
    finally:
        page.close()


def _search(context, url: str, shot: str) -> list[str]:
    """The result links of the site's search page at ``url`` (its ``?q=``), in their order."""
    page, problems = _open(context, url, shot)
    try:
        page.wait_for_selector("#search-results ul.search li a", timeout=30_000)
        page.wait_for_function("() => !document.querySelector('#search-results').innerText.includes('Searching')"
                               " && !document.querySelector('#search-results').innerText.includes('搜索中')",
                               timeout=30_000)
        hits = page.evaluate("() => [...document.querySelectorAll('#search-results ul.search li a')].map(a => a.href)")
        page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)
        assert not problems, "\n".join(problems)
        return hits
    finally:
        page.close()


def test_chinese_search_finds_backpropagation_in_lesson_04(site, context):
    hits = _search(context, f"{site}/zh_CN/search.html?q=反向传播", "search_zh")
    assert hits and "zh_CN/lessons/04_moons_from_scratch.html" in hits[0], hits


def test_chinese_glossary_follows_the_term_list(site):
    sys.path.insert(0, str(ROOT / "tools"))
    import translations
    english = html_lib.unescape(_TAGS.sub(" ", (ROOT / "build" / "site" / "glossary.html").read_text()))
    chinese = html_lib.unescape(_TAGS.sub(" ", (ROOT / "build" / "site" / "zh_CN" / "glossary.html").read_text()))
    used = [(en, zh) for en, zh in translations.terms("zh_CN") if translations._uses(english, en)]
    assert len(used) >= 10, used
    missing = [(en, zh) for en, zh in used if zh not in chinese]
    assert not missing, f"the Chinese glossary does not use these terms of locale/zh_CN/terms.csv: {missing}"
    for en in ("loss", "learning rate", "dropout", "overfitting"):   # both languages, side by side
        assert f"（{en}）" in chinese or f"({en})" in chinese, en


def test_reference_lists_fit_and_mlp(site, context):
    page, _ = _open(context, f"{site}/reference.html", "reference")  # its problems: checked in the test above
    try:
        for module, name in (("train", "fit"), ("models", "mlp")):  # as a reader gets there: by clicking
            page.goto(f"{site}/reference.html")
            page.locator("article").get_by_role("link", name="course_utils", exact=True).first.click()
            page.locator("article").get_by_role("link", name=module, exact=True).first.click()
            entry = page.locator(f"dt[id='course_utils.{module}.{name}']")
            entry.wait_for(timeout=10_000)
            assert entry.count() == 1 and f"{name}(" in entry.inner_text(), f"{module}.{name} is not documented"
            page.screenshot(path=str(SHOTS / f"reference_{module}.png"))
    finally:
        page.close()


EXERCISES = ROOT / "course_utils" / "exercises"
_TAGS = re.compile(r"<[^>]+>")


def _notebook_text(path: Path) -> str:
    """What a lesson page shows of its notebook: each cell's source and each output's text."""
    nb = json.loads(path.read_text())
    parts = [_join(c["source"]) for c in nb["cells"]]
    parts += [_join(o.get("text", "")) + _join(o.get("data", {}).get("text/plain", ""))
              for c in nb["cells"] for o in c.get("outputs", [])]
    return "\n".join(parts)


def _join(text: str | list[str]) -> str:
    return "".join(text) if isinstance(text, list) else text


def _exercise_lines() -> set[str]:
    """Lines of the exercise modules' source (answers, hints, judges) that no lesson or page source shows."""
    others = list((ROOT / "course_utils").glob("*.py"))  # the documented modules: lines they share
    shown = [*map(_notebook_text, NOTEBOOKS + DEEP_DIVES), *(p.read_text() for p in [*(ROOT / "site").glob("*.md"), *others])]
    elsewhere = {line.strip() for text in shown for line in text.splitlines()}
    return {line.strip() for path in EXERCISES.glob("*.py") for line in path.read_text().splitlines()
            if len(line.strip()) > 30 and line.strip() not in elsewhere}


def _page_lines(path: Path) -> set[str]:
    """The stripped lines of a built file's text, with the HTML tags (e.g. highlighting) taken out."""
    return {line.strip() for line in html_lib.unescape(_TAGS.sub("", path.read_text(errors="replace"))).splitlines()}


def test_no_page_shows_the_exercise_source(site, context):
    out = ROOT / "build" / "site"
    named = sorted(str(p.relative_to(out)) for p in out.rglob("*") if "course_utils.exercises" in p.name
                   or "course_utils/exercises" in p.as_posix())
    assert not named, f"the site publishes the exercise package (its source holds the answers): {named}"
    secret = _exercise_lines()
    assert len(secret) > 300  # the answers, hints and judges of every lesson
    leaks = {str(p.relative_to(out)): sorted(secret & _page_lines(p))[:3]
             for p in out.rglob("*") if p.suffix in (".html", ".js", ".txt") and p.is_file()}
    leaks = {page: lines for page, lines in leaks.items() if lines}
    assert not leaks, f"pages that show lines of course_utils/exercises/*.py: {leaks}"
    page, problems = _open(context, f"{site}/index.html", "index_exercises")
    try:  # the learner's API is on the start page instead, with the three marks a check prints
        text = page.locator("article").inner_text()
        assert "exercises.check(" in text and all(mark in text for mark in "⏳❌✅"), text[-1500:]
        assert not problems, "\n".join(problems)
    finally:
        page.close()


def test_search_finds_zero_grad_in_lesson_01(site, context):
    hits = _search(context, f"{site}/search.html?q=zero_grad", "search")
    lesson_01 = [p.stem for p in NOTEBOOKS if p.stem.startswith("01_")]
    assert lesson_01 and any(f"lessons/{lesson_01[0]}.html" in h for h in hits), hits

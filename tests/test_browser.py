"""The playground in a real browser: JupyterLab + Debian's Chromium, driven by Playwright.

Writes the learner's edition as `make lab` does (tools/editions.py) into a temporary working folder,
opens its 06_playground.ipynb, runs every cell, clicks step, plays and pauses, moves a slider, and
checks that the rendered widgets changed. The screenshot is kept in
artifacts/playground.png. In CI it must run; elsewhere it skips when Chromium is missing.
"""
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def _require_browser():
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append("Chromium (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright (pip install -e '.[dev]')")
    if missing:
        reason = f"the real-browser test needs {' and '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must run it (.ci/run installs Chromium).")
        pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    _require_browser()
    work = tmp_path_factory.mktemp("lab")
    sys.path.insert(0, str(ROOT / "tools"))
    import editions
    assert editions.lab(work) == [] and (work / "06_playground.ipynb").exists()
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "COURSE_LANG", "JUPYTER_CONFIG_PATH")}
    yield from _serve(work, env)


def _chinese_lab_env() -> dict[str, str]:
    """The variables `make lab LANG=zh` sets for JupyterLab, as the Makefile says (make -n)."""
    run = subprocess.run(["make", "-n", "lab", "LANG=zh"], cwd=ROOT, capture_output=True, text=True, check=True)
    line = next(line for line in run.stdout.splitlines() if "jupyter lab" in line)
    return dict(word.split("=", 1) for word in line.split("jupyter lab")[0].split() if "=" in word)


@pytest.fixture(scope="module")
def lab_zh(tmp_path_factory):
    _require_browser()
    work = tmp_path_factory.mktemp("lab-zh")
    sys.path.insert(0, str(ROOT / "tools"))
    import editions
    assert editions.lab(work, lang="zh") == []
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"} | _chinese_lab_env()
    assert env["COURSE_LANG"] == "zh_CN" and Path(env["JUPYTER_CONFIG_PATH"]).is_dir()
    yield from _serve(work, env)


def _serve(work: Path, env: dict[str, str]):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         f"--ServerApp.root_dir={work}", "--LabApp.expose_app_in_browser=True"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=2)
            break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("JupyterLab did not start within 60 s")
            time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _open_and_run_all(page, url: str) -> None:
    """Open a notebook in JupyterLab, wait for its kernel, run every cell and wait until all have run."""
    page.goto(url)
    page.wait_for_function("() => window.jupyterapp && jupyterapp.shell.currentWidget && "
                           "jupyterapp.shell.currentWidget.sessionContext && "
                           "jupyterapp.shell.currentWidget.sessionContext.session && "
                           "jupyterapp.shell.currentWidget.sessionContext.session.kernel && "
                           "jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
                           timeout=90_000)
    page.evaluate("() => jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function("() => { const nb = jupyterapp.shell.currentWidget.content;"
                           " const cells = nb.widgets.filter(c => c.model.type === 'code');"
                           " return cells.length > 0 && cells.every(c => c.model.executionCount !== null)"
                           " && jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'; }",
                           timeout=180_000)


def _scroll_to(page, text: str) -> None:
    """JupyterLab renders only the cells in view: bring the first cell whose source holds ``text`` into view."""
    page.evaluate("async (text) => { const nb = jupyterapp.shell.currentWidget.content;"
                  " const i = nb.widgets.findIndex(c => c.model.sharedModel.getSource().includes(text));"
                  " nb.activeCellIndex = i; await nb.scrollToItem(i, 'start'); }", text)


def _epoch(page) -> int:
    text = page.locator(".widget-html", has_text="epoch").first.inner_text()
    return int(text.split("epoch")[1].split(",")[0].strip())


@contextlib.contextmanager
def _lab_page(shot: str):
    """A Chromium page on JupyterLab's scale; its full-page screenshot lands in artifacts/<shot>.png."""
    from playwright.sync_api import sync_playwright
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            yield page
        finally:
            page.screenshot(path=str(artifacts / f"{shot}.png"), full_page=True)
            browser.close()


def test_playground_in_chromium(lab):
    with _lab_page("playground") as page:
        _open_and_run_all(page, f"{lab}/lab/tree/06_playground.ipynb")
        # JupyterLab renders only the cells in view: bring the playground's cell into view.
        _scroll_to(page, "pg = playground(")
        step = page.locator("button.jupyter-button", has_text="step").first
        step.wait_for(timeout=30_000)
        before = _epoch(page)
        image_before = page.locator(".widget-image").first.get_attribute("src")
        step.click()
        page.wait_for_function(f"() => [...document.querySelectorAll('.widget-html')].some(e => "
                               f"/epoch (\\d+)/.test(e.innerText) && +e.innerText.match(/epoch (\\d+)/)[1] > {before})",
                               timeout=30_000)
        after_step = _epoch(page)
        assert after_step > before
        assert page.locator(".widget-image").first.get_attribute("src") != image_before

        toggle = page.locator(".widget-toggle-button").first
        toggle.click()                                            # play
        page.wait_for_function("() => document.querySelector('.widget-toggle-button').innerText.includes('pause')",
                               timeout=10_000)
        page.wait_for_timeout(1500)
        toggle.click()                                            # pause: the kernel must answer while training
        page.wait_for_function("() => document.querySelector('.widget-toggle-button').innerText.includes('play')",
                               timeout=10_000)
        page.wait_for_timeout(800)
        paused_at = _epoch(page)
        assert paused_at > after_step + 5, (after_step, paused_at)
        page.wait_for_timeout(1000)
        assert _epoch(page) == paused_at, "pause stopped the training"

        slider = page.locator(".widget-slider", has_text="learning rate").first
        readout = slider.locator(".widget-readout")
        old = readout.inner_text()
        slider.locator(".noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("(old) => [...document.querySelectorAll('.widget-slider')].some(s => "
                               "s.innerText.includes('learning rate') && "
                               "s.querySelector('.widget-readout').innerText !== old)", arg=old, timeout=10_000)
        assert readout.inner_text() != old
        page.wait_for_timeout(500)
        code = page.locator(".widget-html", has_text="playground(").first.inner_text()
        lr_in_code = float(code.split("lr=")[1].split(",")[0])
        assert abs(lr_in_code - float(readout.inner_text())) < 1e-3 * lr_in_code + 1e-4, (code, readout.inner_text())


def test_chinese_lab_speaks_chinese(lab_zh):
    """`make lab LANG=zh`: JupyterLab's own menus, the lesson, the widgets and the checks' lines in Chinese."""
    with _lab_page("lab_zh") as page:
        _open_and_run_all(page, f"{lab_zh}/lab/tree/06_playground.ipynb")
        menus = page.locator("#jp-menu-panel, .lm-MenuBar-content").first.inner_text()
        assert "文件" in menus and "File" not in menus, menus   # the language pack, through the default setting
        page.locator(".jp-MarkdownCell", has_text="第 06 课").first.wait_for(timeout=30_000)
        _scroll_to(page, "pg = playground(")
        page.locator("button.jupyter-button", has_text="单步").first.wait_for(timeout=30_000)   # the widget labels
        assert page.locator(".widget-slider", has_text="学习率").count() > 0
        _scroll_to(page, "exercises.check")
        page.locator(".jp-OutputArea-output", has_text="⏳ 还没有作答").first.wait_for(timeout=30_000)

"""Build the course website from site/ and the stored notebooks (which are not executed).

    python tools/build_site.py                      # HTML into build/site; re-reads only what changed
    python -m http.server -d build/site 8000        # preview at http://127.0.0.1:8000

Warnings fail the build (a broken link or a missing picture is a bug). Prints the time and the pages.
"""
from __future__ import annotations

import importlib.util
import runpy
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's course_utils (conf.py documents the same one)
SOURCE = ROOT / "site"
OUT = ROOT / "build" / "site"
DOCTREES = ROOT / "build" / "doctrees"


def pages(out: Path = OUT) -> dict[str, int]:
    """Count the built pages: lessons, package reference (module pages) and all HTML files."""
    return {"lessons": len(list((out / "lessons").glob("*.html"))),
            "reference": len(list((out / "generated").glob("*.html"))),
            "html files": len(list(out.rglob("*.html")))}


def _drop_stale_stubs() -> None:
    """autosummary writes a page source per module into site/generated; one of a removed module fails the build."""
    for stub in (SOURCE / "generated").glob("*.rst"):
        if importlib.util.find_spec(stub.stem) is None:
            stub.unlink()


def _drop_hidden(out: Path) -> None:
    """Remove what an earlier build wrote for a module the reference now leaves out (conf.REFERENCE_HIDDEN).

    Sphinx never deletes an output page, so without this the exercises' pages, and their source, would
    stay in build/site and be published with it.
    """
    hidden = runpy.run_path(str(SOURCE / "conf.py"))["REFERENCE_HIDDEN"]
    for module in hidden:
        stale = [out / "_modules" / module.replace(".", "/"), out / "_modules" / f"{module.replace('.', '/')}.html"]
        for folder in (SOURCE / "generated", out / "generated", out / "_sources" / "generated"):
            stale += [*folder.glob(f"{module}.*"), *folder.glob(f"{module}.*.*")]
        for path in stale:
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def build(out: Path = OUT) -> int:
    """Run Sphinx's HTML builder; returns its exit status (0 when the site built without warnings)."""
    try:
        from sphinx.cmd.build import build_main
    except ImportError:
        print("Sphinx is missing: install the website's tools with  pip install -e '.[docs]'  (or: make site)",
              file=sys.stderr)
        return 2
    _drop_stale_stubs()
    _drop_hidden(out)
    status = build_main(["-b", "html", "-q", "-W", "--keep-going", "-d", str(DOCTREES), str(SOURCE), str(out)])
    _drop_hidden(out)  # stubs that a stale package stub had autosummary write again (excluded, never built)
    return status


if __name__ == "__main__":
    t0 = time.perf_counter()
    status = build()
    if status == 0:
        counts = ", ".join(f"{v} {k}" for k, v in pages().items())
        print(f"site built in {time.perf_counter() - t0:.1f} s: {counts}; open {OUT / 'index.html'}")
    sys.exit(status)

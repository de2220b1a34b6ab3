"""Build the course website from site/ and the stored notebooks (which are not executed).

    python tools/build_site.py                      # HTML into build/site (Chinese: build/site/zh_CN)
    python -m http.server -d build/site 8000        # preview at http://127.0.0.1:8000

Both languages are built, each re-reading only what changed. The Chinese site is built from a copy of
site/ in build/site-src/zh_CN whose lessons are the Chinese notebooks (tools/translations.py): Sphinx's own
gettext route cannot translate notebooks under MyST-NB (MyST-NB#587), and the notebooks already have
their catalogues. The pages' own text (index, glossary, reference) is translated by Sphinx from
locale/zh_CN/LC_MESSAGES/site.po.

Warnings fail the build (a broken link or a missing picture is a bug). Prints the time and the pages.
"""
from __future__ import annotations

import importlib.util
import os
import runpy
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's course_utils (conf.py documents the same one)
sys.path.insert(0, str(ROOT / "tools"))
import translations  # noqa: E402  (tools/translations.py: the catalogues, the editions in other languages)

SOURCE = ROOT / "site"
OUT = ROOT / "build" / "site"
DOCTREES = ROOT / "build" / "doctrees"
LANGUAGES = ("zh_CN",)   # besides English, each into OUT/<lang>
JIEBA_TERMS = ROOT / "build" / "jieba-terms.txt"   # conf.html_search_options


def pages(out: Path = OUT) -> dict[str, int]:
    """Count the built pages: lessons, package reference (module pages) and all HTML files."""
    return {"lessons": len(list((out / "lessons").glob("*.html"))),
            "reference": len(list((out / "generated").glob("*.html"))),
            "html files": len(list(out.rglob("*.html")))}


def _drop_stale_stubs(source: Path = SOURCE) -> None:
    """autosummary writes a page source per module into site/generated; one of a removed module fails the build."""
    for stub in (source / "generated").glob("*.rst"):
        if importlib.util.find_spec(stub.stem) is None:
            stub.unlink()


def _drop_hidden(out: Path, source: Path = SOURCE) -> None:
    """Remove what an earlier build wrote for a module the reference now leaves out (conf.REFERENCE_HIDDEN).

    Sphinx never deletes an output page, so without this the exercises' pages, and their source, would
    stay in build/site and be published with it.
    """
    hidden = runpy.run_path(str(SOURCE / "conf.py"))["REFERENCE_HIDDEN"]
    for module in hidden:
        stale = [out / "_modules" / module.replace(".", "/"), out / "_modules" / f"{module.replace('.', '/')}.html"]
        for folder in (source / "generated", out / "generated", out / "_sources" / "generated"):
            stale += [*folder.glob(f"{module}.*"), *folder.glob(f"{module}.*.*")]
        for path in stale:
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def stage(lang: str) -> Path:
    """build/site-src/<lang>: site/ with the lessons in ``lang`` (code, ids and outputs the English ones')."""
    target = ROOT / "build" / "site-src" / lang
    for path in SOURCE.rglob("*"):
        rel = path.relative_to(SOURCE)
        if rel.parts[0] in ("lessons", "generated", "_build") or "__pycache__" in rel.parts or path.is_dir():
            continue
        translations.write_if_changed(target / rel, path.read_bytes())
    translations.edition(lang, target / "lessons")
    return target


def jieba_terms(lang: str) -> None:
    """The course's terms as a jieba dictionary (word, frequency, part of speech), for the Chinese search."""
    words = sorted({zh for _en, zh in translations.terms(lang) if not zh.isascii()})
    translations.write_if_changed(JIEBA_TERMS, "".join(f"{w} 1000 n\n" for w in words).encode())


def build(out: Path = OUT, lang: str = "en") -> int:
    """Run Sphinx's HTML builder for ``lang``; returns its exit status (0 when it built without warnings)."""
    try:
        from sphinx.cmd.build import build_main
    except ImportError:
        print("Sphinx is missing: install the website's tools with  pip install -e '.[docs]'  (or: make site)",
              file=sys.stderr)
        return 2
    source, doctrees, options = SOURCE, DOCTREES, []
    if lang != "en":
        source, doctrees, out = stage(lang), DOCTREES.with_name(f"doctrees-{lang}"), out / lang
        options = ["-D", f"language={lang}"]
        jieba_terms(lang)
        os.environ["COURSE_ROOT"] = str(ROOT)
    _drop_stale_stubs(source)
    _drop_hidden(out, source)
    status = build_main(["-b", "html", "-q", "-W", "--keep-going", *options, "-d", str(doctrees), str(source),
                         str(out)])
    _drop_hidden(out, source)  # stubs that a stale package stub had autosummary write again (excluded, never built)
    return status


def build_all(out: Path = OUT) -> int:
    """English, then every other language; the first failure's status (0 when all built without warnings)."""
    for lang in ("en", *LANGUAGES):
        status = build(out, lang)
        if status:
            return status
    return 0


if __name__ == "__main__":
    t0 = time.perf_counter()
    status = build_all()
    if status == 0:
        counts = ", ".join(f"{v} {k}" for k, v in pages().items())
        print(f"site built in {time.perf_counter() - t0:.1f} s: {counts}; open {OUT / 'index.html'}")
    sys.exit(status)

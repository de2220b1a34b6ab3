"""Turn a stored notebook into a lesson page, as Sphinx reads it (the file on disk is not changed).

- Under the lesson's title: a box that links the notebook for download and gives the two commands
  that run it (``make lab``, ``make test``).
- nbgrader's markers go: a solution cell keeps its code (folded behind a toggle by its ``hide-input``
  tag), a graded check loses its hidden tests (only ``nbgrader autograde`` runs them); guard cells
  are left out by their ``remove-cell`` tag.
- A link to another notebook (``[deep dive](deeper/x.ipynb)``, ``[lesson](../x.ipynb)``) becomes a
  ``{doc}`` reference: the pages are read through the ``lessons`` link, and MyST would resolve a
  relative file link from the notebook's real folder instead of the page's.
- Widget outputs cannot run without a kernel. A widget whose display bundle carries a picture of
  its view (``image/png``, see ``course_utils.widgets``) keeps it, followed by a note on how to use
  it live; a widget without one (e.g. a tqdm progress bar) is replaced by that note alone.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from course_utils.i18n import N_, translation

Translate = Callable[[str], str]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# The notes and the run box speak the page's language (Sphinx's `language`), from the package's catalogue.
PICTURE_NOTE = N_("<p class='widget-note'><strong>Interactive widget</strong>: above is a picture of its view "
                  "when it was first shown. To use it live, run the notebook in JupyterLab: <code>make lab</code>.</p>")
NO_PICTURE_NOTE = N_("<p class='widget-note'><strong>Live widget</strong> (a progress bar or a control): it "
                     "appears here when the notebook runs in JupyterLab (<code>make lab</code>); a static page "
                     "cannot show it.</p>")


SITE_TITLE = N_("Neural networks from zero")   # conf.html_title, in the site's language
RUN_TITLE = N_("Run this lesson yourself")
RUN_TEXT = N_("This page shows the notebook as it was last run; nothing runs here. Download {download}, or get the "
              "whole course and, in its folder, run `make lab` to open the lessons in JupyterLab (the first run "
              "installs everything), or `make test` to run this notebook top to bottom with all the course's tests.")


def run_box(filename: str, tr: Translate = str) -> str:
    """The MyST admonition that links ``filename`` (beside the page) and states how to run it."""
    text = tr(RUN_TEXT).format(download=f"{{download}}`{filename} <{filename}>`")
    return f"\n```{{admonition}} {tr(RUN_TITLE)}\n:class: tip run-lesson\n{text}\n```\n"


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def add_run_box(nb: dict[str, Any], filename: str, tr: Translate = str) -> None:
    """Insert :func:`run_box` right under the first ``# title`` line (or on top when there is none)."""
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        lines = _source(cell).splitlines(keepends=True)
        for i, line in enumerate(lines):
            if line.startswith("# "):
                cell["source"] = "".join(lines[:i + 1]) + run_box(filename, tr) + "\n" + "".join(lines[i + 1:])
                return
    nb["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": run_box(filename, tr)})


def _note(html: str) -> dict[str, Any]:
    return {"output_type": "display_data", "metadata": {}, "data": {"text/html": html}}


def static_outputs(output: dict[str, Any], tr: Translate = str) -> list[dict[str, Any]]:
    """One stored output → what a static page shows for it (unchanged unless it is a widget)."""
    data = output.get("data", {})
    if WIDGET_VIEW not in data:
        return [output]
    if "image/png" in data:
        return [output, _note(tr(PICTURE_NOTE))]
    return [_note(tr(NO_PICTURE_NOTE))]


HIDDEN_TESTS = re.compile(r"\n?[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*", re.S)
MARKER = re.compile(r"(?m)^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?")


def without_markers(source: str) -> str:
    """A code cell as the page shows it: no hidden tests, no solution markers (the solution stays)."""
    return MARKER.sub("", HIDDEN_TESTS.sub("", source))


NOTEBOOK_LINK = re.compile(r"\[([^\]]+)\]\(((?:\.\./)?[\w/-]+)\.ipynb\)")


def doc_links(markdown: str) -> str:
    """Links to other notebooks as ``{doc}`` references, resolved from the page's own folder."""
    return NOTEBOOK_LINK.sub(lambda m: f"{{doc}}`{m.group(1)} <{m.group(2)}>`", markdown)


def lesson_page(nb: dict[str, Any], filename: str, tr: Translate = str) -> dict[str, Any]:
    """The notebook ``nb`` (nbformat 4 as a dict) as its lesson page shows it; ``nb`` is changed in place.

    ``tr`` translates the page's own notes (gettext's ``gettext`` of the page's language).
    """
    add_run_box(nb, filename, tr)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell["source"] = doc_links(_source(cell))
        if cell["cell_type"] == "code":
            cell["source"] = without_markers(_source(cell))
            cell["outputs"] = [shown for out in cell.get("outputs", []) for shown in static_outputs(out, tr)]
    return nb


def _on_source_read(app: Any, docname: str, source: list[str]) -> None:
    path = Path(str(app.env.doc2path(docname)))
    if path.suffix == ".ipynb":
        tr = translation(app.config.language or "en").gettext
        source[0] = json.dumps(lesson_page(json.loads(source[0]), path.name, tr))
        app.env.note_dependency(__file__)  # an edit here re-reads the lessons on the next build


def _on_config_inited(app: Any, config: Any) -> None:
    if config.html_title == SITE_TITLE:
        config.html_title = translation(config.language or "en").gettext(SITE_TITLE)


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _on_config_inited)
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}

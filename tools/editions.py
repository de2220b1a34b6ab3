"""The learner's edition of the course, generated from the source notebooks with nbgrader's preprocessors.

    python tools/editions.py lab [WORK] [--lang zh]          # build or refresh the learner's working folder
    python tools/editions.py nbgrader [COURSE] [--lang zh]   # a course directory for nbgrader
    python tools/editions.py check NOTEBOOK...               # run each learner's edition untouched: only ⏳, no error

The source (``notebooks/``) keeps every solution in-line, inside nbgrader's ``### BEGIN SOLUTION`` /
``### END SOLUTION`` regions. The learner's edition is what nbgrader's ``generate_assignment`` would hand
out: ``ClearSolutions`` turns each region into the stub below, ``ClearHiddenTests`` removes the graded
checks only ``nbgrader autograde`` runs, ``ClearOutput`` empties the cells the learner fills and their
checks, ``LockCells`` keeps the checks read-only. Every other stored output stays, so the learner sees
what their code should produce, and after each solution cell comes a folded "Stuck? Show a solution".
The guard cells (tag ``remove-cell``: the asserts that keep the source's claims true in CI) stay in the
source: a learner's own right answer, written another way, must not trip a claim about the course's run.

``--lang zh`` writes the same editions in Chinese: each notebook's markdown comes from its catalogue
(``tools/translations.py``), its code cells, ids and outputs stay the English source's.

``lab`` never overwrites a notebook the learner changed: it writes the lessons that are new, refreshes
the ones the learner never touched, and keeps (and names, one line each) every one they changed.
"""
from __future__ import annotations

import copy
import hashlib
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat

from course_utils.i18n import LANGUAGES, N_, translation

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "notebooks"
STUB = "# YOUR CODE HERE\npass"
REVEAL = "<details><summary>{summary}</summary>\n\n```python\n{code}\n```\n\n</details>"
REVEAL_SUMMARY = N_("Stuck? Show a solution")
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
STATE = ".course-editions.json"   # in the working folder: the hash of each notebook as it was last written


def nbgrader_meta(cell: nbformat.NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and bool(nbgrader_meta(cell).get("solution"))


def is_graded(cell: nbformat.NotebookNode) -> bool:
    return bool(nbgrader_meta(cell).get("grade"))


def is_guard(cell: nbformat.NotebookNode) -> bool:
    return "remove-cell" in cell.get("metadata", {}).get("tags", [])


def shown_solution(source: str) -> str:
    """A solution cell's code as the learner may reveal it: the markers go, hidden tests never are in it."""
    return "\n".join(line for line in source.splitlines() if line.strip() not in MARKERS)


def _clear(cell: nbformat.NotebookNode) -> None:
    cell.outputs = []
    cell.execution_count = None


def _reveal_after(cells: list, i: int) -> int:
    """Where the folded solution of solution cell ``i`` goes: after its check, if the next cell is one."""
    nxt = cells[i + 1] if i + 1 < len(cells) else None
    check = nxt is not None and nxt.cell_type == "code" and (is_graded(nxt) or "exercises." in nxt.source)
    return i + 2 if check and "exercises." not in cells[i].source else i + 1


def source_notebook(path: Path, lang: str = "en", source: Path = SOURCE) -> nbformat.NotebookNode:
    """The source notebook at ``path`` in ``lang``: its markdown translated, everything else the English's."""
    import translations  # tools/translations.py, beside this file

    return translations.notebook_in(path, LANGUAGES[lang], source)


def learner_edition(nb: nbformat.NotebookNode, lang: str = "en") -> nbformat.NotebookNode:
    """The learner's edition of a source notebook (the source is left as it is); its own texts in ``lang``."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions, LockCells

    source = copy.deepcopy(nb)
    source.cells = [c for c in source.cells if not is_guard(c)]
    nb = copy.deepcopy(source)
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    resources = {"metadata": {}}
    nb, _ = ClearSolutions(code_stub={"python": STUB}).preprocess(nb, resources)
    nb, _ = ClearHiddenTests().preprocess(nb, resources)
    nb, _ = LockCells().preprocess(nb, resources)
    inserts = []
    for i, (cell, original) in enumerate(zip(nb.cells, source.cells, strict=True)):
        if is_solution(cell) or is_graded(cell):
            _clear(cell)
        if is_solution(cell):
            summary = translation(lang).gettext(REVEAL_SUMMARY)
            reveal = nbformat.v4.new_markdown_cell(REVEAL.format(summary=summary,
                                                                 code=shown_solution(original.source)))
            reveal.id = f"{cell.id}-solution"[:64]
            inserts.append((_reveal_after(nb.cells, i), reveal))
    for at, reveal in reversed(inserts):
        nb.cells.insert(at, reveal)
    return nb


def notebooks(source: Path = SOURCE) -> Iterator[Path]:
    """Every notebook of the course, lessons first, then the deep dives."""
    yield from sorted(source.glob("*.ipynb"))
    yield from sorted(source.glob("deeper/*.ipynb"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lab(work: Path, source: Path = SOURCE, lang: str = "en") -> list[str]:
    """Bring the working folder up to date without losing a learner's change; one line per kept notebook."""
    work.mkdir(parents=True, exist_ok=True)
    state_path = work / STATE
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    report = []
    for path in notebooks(source):
        rel = path.relative_to(source).as_posix()
        target = work / rel
        edition = nbformat.writes(learner_edition(source_notebook(path, lang, source), lang)) + "\n"
        if target.exists() and _digest(target) != state.get(rel):
            report.append(f"kept {rel}: you changed it (to get the course's edition again, rename yours and "
                          f"run make lab)")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(edition)
        state[rel] = _digest(target)
    for extra in source.glob("deeper/*"):   # pictures or data a deep dive links to
        if extra.suffix != ".ipynb" and extra.is_file() and not (work / "deeper" / extra.name).exists():
            shutil.copy2(extra, work / "deeper" / extra.name)
    state_path.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
    return report


NBGRADER_CONFIG = '''\
# nbgrader's configuration for this course (written by `make nbgrader`; see tools/editions.py).
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "nn-from-zero"
c.CourseDirectory.root = {root!r}
# The learner's edition and the release share one stub: a region's code becomes these two lines, and the
# lesson's check says "not written yet" and goes on with the course's version (never a traceback cascade).
c.ClearSolutions.code_stub = {{"python": {stub!r}}}
c.Execute.timeout = 600
'''


def assignment_name(path: Path) -> str:
    return "lesson" + path.name[:2]


def nbgrader_course(course: Path, source: Path = SOURCE, lang: str = "en") -> list[Path]:
    """A course directory: ``nbgrader_config.py`` and ``source/lessonNN/<notebook>`` for each graded lesson."""
    course.mkdir(parents=True, exist_ok=True)
    (course / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(root=str(course.resolve()), stub=STUB))
    written = []
    for path in sorted(source.glob("*.ipynb")):
        nb = source_notebook(path, lang, source)
        if not any(is_graded(c) for c in nb.cells):
            continue   # exploration only (the playground): nothing to grade
        target = course / "source" / assignment_name(path) / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        written.append(target)
    return written


def check(paths: list[Path]) -> int:
    """Run each learner's edition untouched; print every ✅/❌/⏳ line; 1 if a cell raised or a check was not ⏳."""
    from nbclient import NotebookClient

    failed = 0
    for path in paths:
        nb = learner_edition(nbformat.read(path, as_version=4))
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except Exception as exc:  # a cell raised: the learner would meet a traceback
            print(f"{path}: the untouched edition raised: {str(exc)[-600:]}")
            failed = 1
            continue
        for cell in nb.cells:
            text = "".join(o.get("text", "") for o in cell.get("outputs", []))
            for line in text.splitlines():
                if line.startswith(("✅", "❌", "⏳")):
                    print(f"{path.name} {cell.id}: {line[:160]}")
                    failed |= not line.startswith("⏳")
    return failed


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    lang = "en"
    if "--lang" in args:
        at = args.index("--lang")
        lang, args = (args[at + 1] if at + 1 < len(args) else ""), args[:at] + args[at + 2:]
        if lang not in LANGUAGES:
            print(f"--lang {lang!r} is not a language of the course: use one of {', '.join(LANGUAGES)}.",
                  file=sys.stderr)
            return 2
    if command == "lab":
        work = Path(args[0]) if args else ROOT / "work"
        for line in lab(work, lang=lang):
            print(line)
        return 0
    if command == "nbgrader":
        course = Path(args[0]) if args else ROOT / "build" / "nbgrader"
        for target in nbgrader_course(course, lang=lang):
            print(target.relative_to(course))
        return 0
    if command == "check":
        return check([Path(a) for a in args])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

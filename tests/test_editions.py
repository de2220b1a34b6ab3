"""The learner's edition (tools/editions.py): what it hides, what it keeps, and that `make lab` loses nothing."""
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import editions  # noqa: E402

NOTEBOOKS = list(editions.notebooks())
REGION = re.compile(r"^[ \t]*### BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*### END SOLUTION", re.S | re.M)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)


def _ids(paths):
    return [p.relative_to(ROOT / "notebooks").as_posix() for p in paths]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_learner_edition_hides_every_solution_and_keeps_the_rest(path):
    source = nbformat.read(path, as_version=4)
    edition = editions.learner_edition(source)
    reveals = [c for c in edition.cells if c.id.endswith("-solution")]
    kept = [c for c in edition.cells if not c.id.endswith("-solution")]
    assert [c.id for c in kept] == [c.id for c in source.cells if not editions.is_guard(c)], (
        "cells added, lost or reordered (only the guard cells stay in the source)")
    source.cells = [c for c in source.cells if not editions.is_guard(c)]
    hidden_text = "\n".join(c.source for c in kept)
    assert "### BEGIN SOLUTION" not in hidden_text and "HIDDEN TESTS" not in hidden_text
    elsewhere = "\n".join(REGION.sub("", HIDDEN.sub("", c.source)) for c in source.cells)
    for cell, mine in zip(source.cells, kept, strict=True):
        if editions.is_solution(cell):
            assert REGION.search(cell.source) or cell.source.strip(), cell.id
            own = [ln.strip() for m in REGION.finditer(cell.source) for ln in m.group(1).splitlines()
                   if len(ln.strip()) > 12 and ln.strip() not in elsewhere]
            assert not [ln for ln in own if ln in mine.source], f"{cell.id}: solution lines survive: {own}"
            assert "# YOUR CODE HERE" in mine.source and not mine.get("outputs")
        elif editions.is_graded(cell):
            assert not mine.get("outputs") and mine.metadata.get("editable") is False, cell.id
        else:
            assert mine.source == cell.source and mine.get("outputs", []) == cell.get("outputs", []), (
                f"{cell.id}: a cell the learner does not fill must keep its code and stored output")
    assert len(reveals) == sum(editions.is_solution(c) for c in source.cells), "one folded solution per solution cell"
    for reveal in reveals:
        assert reveal.source.startswith("<details><summary>Stuck? Show a solution</summary>")


def test_the_stub_is_nbgraders_and_the_reveal_follows_the_check():
    nb = nbformat.v4.new_notebook()
    solution = nbformat.v4.new_code_cell("def double(x):\n    # twice x\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                                         "    ### END SOLUTION")
    solution.metadata = {"nbgrader": {"grade": False, "grade_id": "ex01_1", "locked": False, "schema_version": 3,
                                      "solution": True}, "tags": ["hide-input"]}
    check = nbformat.v4.new_code_cell("double = exercises.build('01.1', double)\n### BEGIN HIDDEN TESTS\n"
                                      "exercises.require('01.1')\n### END HIDDEN TESTS")
    check.metadata = {"nbgrader": {"grade": True, "grade_id": "ex01_1_check", "locked": True, "points": 1,
                                   "schema_version": 3, "solution": False}}
    nb.cells = [solution, check]
    edition = editions.learner_edition(nb)
    assert edition.cells[0].source == "def double(x):\n    # twice x\n    # YOUR CODE HERE\n    pass"
    assert edition.cells[1].source.strip() == "double = exercises.build('01.1', double)"
    assert edition.cells[2].id == f"{solution.id}-solution" and "return 2 * x" in edition.cells[2].source
    assert "BEGIN" not in edition.cells[2].source
    assert nb.cells[0].source.count("BEGIN SOLUTION") == 1, "the source is left as it is"


def _course(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    (source / "deeper").mkdir(parents=True)
    for path in NOTEBOOKS[:2]:
        (source / path.name).write_bytes(path.read_bytes())
    return source


def test_lab_adds_new_lessons_refreshes_untouched_ones_and_keeps_changed_ones(tmp_path):
    source, work = _course(tmp_path), tmp_path / "work"
    first, second = sorted(source.glob("*.ipynb"))
    assert editions.lab(work, source) == []
    written = (work / first.name).read_text()
    assert "### BEGIN SOLUTION" not in written and json.loads(written)["cells"]
    # the learner changes the first notebook; the course changes both and adds a lesson
    mine = written.replace("# YOUR CODE HERE", "# my own answer", 1)
    assert mine != written
    (work / first.name).write_text(mine)
    for path in (first, second):
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(nbformat.v4.new_markdown_cell("A new paragraph from the course."))
        nbformat.write(nb, path)
    (source / "99_new.ipynb").write_bytes(second.read_bytes())
    report = editions.lab(work, source)
    assert report == [f"kept {first.name}: you changed it (to get the course's edition again, rename yours and "
                      f"run make lab)"]
    assert (work / first.name).read_text() == mine, "a learner's change was overwritten"
    assert "A new paragraph from the course." in (work / second.name).read_text(), "an untouched lesson not refreshed"
    assert (work / "99_new.ipynb").exists(), "a new lesson was not added"
    assert editions.lab(work, source) == report and (work / first.name).read_text() == mine, "lost on a third run"


def test_nbgrader_course_directory(tmp_path):
    written = editions.nbgrader_course(tmp_path)
    config = (tmp_path / "nbgrader_config.py").read_text()
    assert "c.ClearSolutions.code_stub" in config and "course_id" in config
    graded = [p for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
              if any(editions.is_graded(c) for c in nbformat.read(p, as_version=4).cells)]
    assert [p.parent.name for p in written] == [editions.assignment_name(p) for p in graded]
    assert all(p.parent.parent == tmp_path / "source" for p in written)

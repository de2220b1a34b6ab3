"""nbgrader, as a teacher runs it: `make nbgrader`, then `nbgrader generate_assignment` and `nbgrader autograde`.

For each lesson with graded checks: the release is the learner's edition; the source's solutions score full
marks, and the solved notebook prints what the source stores; the untouched release scores zero, and its only
errors are the graded checks' hidden tests. On lesson 01 a typical wrong answer (the registry's first for its first
graded piece) loses exactly that check's points.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import editions  # noqa: E402

from course_utils import exercises  # noqa: E402

GRADED = [p for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
          if any(editions.is_graded(c) for c in nbformat.read(p, as_version=4).cells)]
WRONG_TOO = {"01"}   # the fastest lesson also gets a wrong answer (each submission is a full run; one shows the rule)
BUILD = re.compile(r"exercises\.build\(\s*[\"'](\d\d\.\d+)[\"']")


def _nbgrader(course: Path, *args: str) -> str:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=1200)
    assert done.returncode == 0 and "ERROR" not in done.stderr, done.stderr[-3000:]
    return done.stderr


def _sanitizers() -> list[tuple[str, str]]:
    """nbval's regex/replace pairs (tests/nbval_sanitize.cfg; a section may hold several)."""
    lines = (ROOT / "tests" / "nbval_sanitize.cfg").read_text().splitlines()
    regexes = [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("regex:")]
    replaces = [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("replace:")]
    assert len(regexes) == len(replaces) > 0
    return list(zip(regexes, replaces))


def _sanitized(text: str) -> str:
    for regex, replace in _sanitizers():
        text = re.sub(regex, replace, text)
    return text


def _texts(cell) -> list[str]:
    """What a cell printed (its stdout, however it was split into chunks) and its plain-text results."""
    outputs = cell.get("outputs", [])
    stdout = "".join(o["text"] for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stdout")
    results = [o["data"]["text/plain"] for o in outputs
               if "text/plain" in o.get("data", {}) and "image/png" not in o["data"]]
    return [_sanitized(t) for t in [stdout, *results] if t]


def _submit(course: Path, lesson: str, student: str, nb) -> None:
    _nbgrader(course, "db", "student", "add", student)
    folder = course / "submitted" / student / lesson
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / NAME[lesson])


NAME: dict[str, str] = {}


@pytest.mark.parametrize("path", GRADED, ids=[p.name for p in GRADED])
def test_autograde_scores_solutions_full_untouched_zero_and_a_wrong_answer_loses_its_points(path, tmp_path,
                                                                                            monkeypatch):
    monkeypatch.setenv("COURSE_CHECKPOINTS", str(tmp_path / "checkpoints"))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    course = tmp_path / "course"
    editions.nbgrader_course(course)
    lesson = editions.assignment_name(path)
    NAME[lesson] = path.name
    _nbgrader(course, "generate_assignment", lesson, "--force")
    release = nbformat.read(course / "release" / lesson / path.name, as_version=4)
    source = nbformat.read(path, as_version=4)
    by_id = {c.id: c for c in source.cells}
    assert [c.id for c in release.cells] == [c.id for c in source.cells]
    for rc in release.cells:   # what nbgrader hands out is the learner's edition (less the folded solutions)
        assert "BEGIN SOLUTION" not in rc.source and "HIDDEN TESTS" not in rc.source

    solved = nbformat.from_dict(release)
    for cell in solved.cells:
        if editions.is_solution(cell):
            cell.source = by_id[cell.id].source
    _submit(course, lesson, "alice", solved)
    _submit(course, lesson, "bob", release)
    checks = [c for c in source.cells if editions.is_graded(c)]
    first = next(c for c in checks if BUILD.search(c.source))
    piece = source.cells[source.cells.index(first) - 1]
    wrong = exercises.get(BUILD.search(first.source).group(1)).wrong_answers
    carol = path.name[:2] in WRONG_TOO and wrong
    if carol:
        mistaken = nbformat.from_dict(solved)
        next(c for c in mistaken.cells if c.id == piece.id).source = wrong[0]
        _submit(course, lesson, "carol", mistaken)
    _nbgrader(course, "autograde", lesson, "--force")

    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        students = ("alice", "bob", "carol") if carol else ("alice", "bob")
        scores = {s: gradebook.find_submission(lesson, s).score for s in students}
        total = gradebook.find_assignment(lesson).max_score
    points = sum(c.metadata.nbgrader["points"] for c in checks)
    assert total == points > 0
    assert scores["alice"] == total, f"the solutions scored {scores['alice']} of {total}"
    assert scores["bob"] == 0, f"the untouched edition scored {scores['bob']}"
    if carol:
        assert scores["carol"] == total - first.metadata.nbgrader["points"], (wrong[0], scores["carol"])

    graded = nbformat.read(course / "autograded" / "alice" / lesson / path.name, as_version=4)
    ignored = {c.id for c in source.cells if "nbval-ignore-output" in c.metadata.get("tags", [])}
    for cell in graded.cells:
        if cell.cell_type == "code" and cell.id not in ignored:
            assert _texts(cell) == _texts(by_id[cell.id]), f"the solved edition prints otherwise in {cell.id}"
    untouched = nbformat.read(course / "autograded" / "bob" / lesson / path.name, as_version=4)
    for cell in untouched.cells:
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        assert not errors or (editions.is_graded(cell) and errors[0].ename == "AssertionError"), (
            f"the untouched edition raised in {cell.id}: {errors[0].ename if errors else ''}")
        for line in "".join(_texts(cell)).splitlines():
            assert not line.startswith(("✅", "❌")), f"the untouched edition judged something in {cell.id}: {line}"


def test_the_chinese_release_is_the_english_release_with_chinese_text(tmp_path):
    """`make nbgrader LANG=zh`: nbgrader's own release of lesson 01, code and checks as in the English one."""
    releases = {}
    for lang in ("en", "zh"):
        course = tmp_path / lang
        editions.nbgrader_course(course, lang=lang)
        _nbgrader(course, "generate_assignment", "lesson01", "--force")
        releases[lang] = nbformat.read(next((course / "release" / "lesson01").glob("*.ipynb")), as_version=4)
    en, zh = releases["en"], releases["zh"]
    assert [c.id for c in zh.cells] == [c.id for c in en.cells]
    for a, b in zip(en.cells, zh.cells):
        if a.cell_type == "markdown":
            assert b.metadata == a.metadata and (b.source != a.source or not a.source.strip())
        else:
            assert b == a, a.id   # code, outputs, nbgrader metadata and checksums alike
    assert any(re.search(r"[\u4e00-\u9fff]", c.source) for c in zh.cells if c.cell_type == "markdown")

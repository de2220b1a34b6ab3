"""Every lesson's exercises, run inside the lesson, as its student edition.

For each notebook: build the student edition (tools/student.py) and check that no solution text
survives; then run it top to bottom with probes inserted after each exercise cell. The run must
not raise; each exercise cell, as the student gets it, says "⏳ Not answered yet" (an explore task's
cell runs the starter's setting); each typical wrong answer (from the package's registry) gets a ❌
whose hint contains none of the answer's giveaways; the folded solution, or an explore task's example change (the source cell with its
solution region), gets a ✅; and no exercise cell shows a giveaway.
"""
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import student  # noqa: E402

from course_utils import exercises  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _probe_lines(cell_source: str) -> list[str]:
    lines = [line for line in cell_source.splitlines() if "exercises.check(" in line]
    for line in lines:
        assert line.startswith("exercises.check(") and line.rstrip().endswith(")"), (
            f"keep each check call on one line of its own: {line!r}")
    return [line.replace("exercises.check(", "exercises.probe(", 1) for line in lines]


def _probed(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, list[dict]]:
    """The student edition with probe cells after each exercise cell, and what each probe expects."""
    solved = dict(student.solutions(nb))
    edition = student.student_edition(nb)
    cells, plan = [], []
    for i, cell in enumerate(edition.cells):
        cells.append(cell)
        if not student.is_exercise_cell(cell):
            continue
        probes = _probe_lines(cell.source)
        exercise_ids = [re.search(r"\"(\d\d\.\d+)\"|'(\d\d\.\d+)'", p).group(0).strip("'\"") for p in probes]
        explore = [exercises.get(e).kind == "explore" for e in exercise_ids]
        assert len(set(explore)) == 1, f"cell {i}: an explore task's check stands in a cell of its own"
        assert (solved[i] is None) == explore[0], (
            f"cell {i}: an explore task is followed by a folded 'What you should see', any other exercise by a "
            f"folded 'Solution'")
        plan.append({"kind": "blank", "cell": len(cells) - 1, "source": cell.source})
        if explore[0]:   # the example change first (the source cell, its solution region kept): the typical
            source = nb.cells[i].source   # wrong answers below then alter a changed setting's numbers
            assert student.REGION.search(source), f"cell {i}: an explore task's example change, in a solution region"
            cells.append(nbformat.v4.new_code_cell(source.replace("exercises.check(", "exercises.probe(")))
            plan.append({"kind": "solution", "cell": len(cells) - 1, "ids": exercise_ids})
        for exercise_id in exercise_ids:
            for snippet in exercises.get(exercise_id).wrong_answers:
                cells.append(nbformat.v4.new_code_cell(snippet + "\n" + "\n".join(probes)))
                plan.append({"kind": "wrong", "cell": len(cells) - 1, "id": exercise_id, "snippet": snippet})
        if solved[i] is not None:
            cells.append(nbformat.v4.new_code_cell(solved[i] + "\n" + "\n".join(probes)))
            plan.append({"kind": "solution", "cell": len(cells) - 1, "ids": exercise_ids})
    for k, cell in enumerate(cells):
        cell.id = f"probe-{k}"
    return nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata), plan


def _stdout(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _records(cell: nbformat.NotebookNode) -> list[dict]:
    return [json.loads(line.removeprefix("PROBE ")) for line in _stdout(cell).splitlines() if line.startswith("PROBE ")]


def _gives_away(text: str, giveaways: list[str]) -> list[str]:
    return [g for g in giveaways if re.search(rf"(?<![\w.]){re.escape(g)}(?![\w]|\.\d)", text, re.IGNORECASE)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_student_edition_hides_solutions(path):
    nb = nbformat.read(path, as_version=4)
    edition = student.student_edition(nb)
    text = "\n".join(c.source for c in edition.cells)
    assert "<summary>Solution" not in text and "<summary>What you should see" not in text
    assert "### BEGIN SOLUTION" not in text and "### END SOLUTION" not in text
    elsewhere = "\n".join(student.FOLDED.sub("", c.source) for c in nb.cells)
    for _, code in student.solutions(nb):
        if code is None:
            continue
        own = [line.strip() for line in code.splitlines() if len(line.strip()) > 12 and line.strip() not in elsewhere]
        assert not [line for line in own if line in text], f"solution lines survive in the student edition: {own}"
    assert all(not c.get("outputs") for c in edition.cells if student.is_exercise_cell(c))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_exercises_run_in_the_lesson(path, tmp_path, monkeypatch):
    nb, plan = _probed(nbformat.read(path, as_version=4))
    monkeypatch.setenv("COURSE_CHECKPOINTS", str(tmp_path / "checkpoints"))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()   # raises on any error
    giveaways: dict[str, list[str]] = {}
    for step in plan:
        cell = nb.cells[step["cell"]]
        if step["kind"] == "blank":
            lines = [ln for ln in _stdout(cell).splitlines() if ln.strip().startswith(("⏳", "✅", "❌"))]
            assert lines and all(ln.startswith("⏳ Not answered yet") for ln in lines), (step["source"], lines)
            continue
        records = {r["id"]: r for r in _records(cell)}
        for r in records.values():
            giveaways[r["id"]] = r["giveaways"]
        if step["kind"] == "wrong":
            r = records[step["id"]]
            assert r["status"] == "wrong", f"{step['id']}: a typical wrong answer was accepted:\n{step['snippet']}\n{r}"
            leaked = _gives_away(r["message"], r["giveaways"])
            assert not leaked, f"{step['id']}: the hint gives the answer away ({leaked}): {r['message']}"
        else:
            for exercise_id in step["ids"]:
                r = records[exercise_id]
                assert r["status"] == "right", f"{exercise_id}: the folded solution is not judged right: {r}"
    for step in plan:
        if step["kind"] == "blank":
            for exercise_id, words in giveaways.items():
                if exercise_id in step["source"]:
                    leaked = _gives_away(step["source"], words)
                    assert not leaked, f"{exercise_id}: the exercise cell shows the answer ({leaked})"

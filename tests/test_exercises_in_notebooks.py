"""Every lesson as a learner meets it, with a second seed, then Run All again.

For each notebook, one kernel runs (with ``SEED = 1`` instead of 0):
1. the learner's edition (tools/editions.py, without the source's guard cells), untouched: no cell raises and every check says ⏳ (a piece the
   lesson goes on with is replaced by the course's version); after each check, every typical wrong answer of
   the registry, in the learner's cell, gets ❌ with a hint that contains none of the answer's giveaways; then
   the source's solution (or an explore task's example change, before the wrong answers) gets ✅;
2. the source notebook again, top to bottom in the same kernel (Run All twice: re-runnable).
Every guard must hold throughout (robust to the seed, not lucky), no exercise cell may show a giveaway, and
the runs write nothing into the repository. Deep dives run once, with the second seed.
"""
import copy
import json
import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import editions  # noqa: E402

from course_utils import exercises  # noqa: E402

NOTEBOOKS = list(editions.notebooks())
CALL = re.compile(r"^(?:\w+(?:\s*,\s*\w+)*\s*=\s*)?exercises\.(?:check|build)\((.*)\)\s*$")
SKIP_DIRS = {".venv", ".venv-oldest", ".git", "data", "artifacts", ".pytest_cache", ".hypothesis", "__pycache__",
             "build", "work"}


def _probe_lines(source: str) -> list[str]:
    lines = [ln for ln in source.splitlines() if "exercises.check(" in ln or "exercises.build(" in ln]
    for ln in lines:
        assert CALL.match(ln), f"keep each check call on one line of its own: {ln!r}"
    return [f"exercises.probe({CALL.match(ln).group(1)})" for ln in lines]


def _exercise_ids(probes: list[str]) -> list[str]:
    return [re.search(r"[\"'](\d\d\.\d+)[\"']", p).group(1) for p in probes]


def _checked_by(cells, i: int) -> tuple[int, list[str]]:
    """The cell that checks solution cell ``i`` (itself, or the graded cell after it) and its probe lines."""
    own = _probe_lines(cells[i].source)
    if own:
        return i, own
    assert i + 1 < len(cells) and _probe_lines(cells[i + 1].source), (
        f"solution cell {cells[i].id}: check it in the same cell or in the cell right after it")
    return i + 1, _probe_lines(cells[i + 1].source)


def _second_seed(cells) -> None:
    seeded = [c for c in cells if c.cell_type == "code" and "SEED = 0" in c.source]
    assert seeded, "a seed cell with SEED = 0"
    for c in seeded:
        c.source = c.source.replace("SEED = 0", "SEED = 1")


def _lesson_plan(full) -> tuple[list, list[dict]]:
    """The learner's edition with the probes, then the source again; what each probe cell expects."""
    edition = editions.learner_edition(full)
    edition.cells = [c for c in edition.cells if not c.id.endswith("-solution")]
    source = copy.deepcopy(full)
    source.cells = [c for c in full.cells if not editions.is_guard(c)]   # as the learner's edition has them
    assert [c.id for c in source.cells] == [c.id for c in edition.cells]
    solutions = {i for i, c in enumerate(source.cells) if editions.is_solution(c)}
    after = {}
    for i in solutions:
        at, probes = _checked_by(source.cells, i)
        after[at] = (i, probes)
    cells, plan = [], []
    for k, cell in enumerate(edition.cells):
        if cell.cell_type == "code":
            cell.source = re.sub(r"(?m)^.*exercises\.require\(.*$", "", cell.source)
        cells.append(cell)
        if k not in after:
            continue
        i, probes = after[k]
        ids = _exercise_ids(probes)
        explore = {exercises.get(e).kind == "explore" for e in ids}
        assert len(explore) == 1, f"cell {k}: an explore task's check stands in a cell of its own"
        plan.append({"kind": "blank", "cell": len(cells) - 1, "source": edition.cells[i].source, "ids": ids})
        solved = source.cells[i].source + ("\n" + "\n".join(probes) if i == k else "")
        steps = [("wrong", snippet, e) for e in ids for snippet in exercises.get(e).wrong_answers]
        steps = ([("solution", solved, None)] + steps) if explore.pop() else (steps + [("solution", solved, None)])
        for kind, code, exercise_id in steps:
            if kind == "wrong" or i == k:
                cells.append(nbformat.v4.new_code_cell(code + ("\n" + "\n".join(probes) if kind == "wrong" else "")))
                plan.append({"kind": kind, "cell": len(cells) - 1, "ids": ids, "id": exercise_id, "snippet": code})
            else:   # a piece checked in the next cell: the source's piece, then its check, probed and bound
                cells.append(nbformat.v4.new_code_cell(code))
                check = source.cells[k].source
                cells.append(nbformat.v4.new_code_cell(re.sub(r"(?m)^.*exercises\.require\(.*$", "", check)
                                                       + "\n" + "\n".join(probes)))
                plan.append({"kind": "solution", "cell": len(cells) - 1, "ids": ids})
    again = copy.deepcopy(full.cells)
    for c in again:
        c.id = f"{c.id}-again"
    return cells + again, plan


def _stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _records(cell) -> dict[str, dict]:
    rows = [json.loads(ln.removeprefix("PROBE ")) for ln in _stdout(cell).splitlines() if ln.startswith("PROBE ")]
    return {r["id"]: r for r in rows}


def _gives_away(text: str, giveaways: list[str]) -> list[str]:
    return [g for g in giveaways if re.search(rf"(?<![\w.]){re.escape(g)}(?![\w]|\.\d)", text, re.IGNORECASE)]


def _snapshot() -> dict[str, float]:
    files = {}
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        for f in filenames:
            p = Path(dirpath) / f
            files[str(p.relative_to(ROOT))] = p.stat().st_mtime
    return files


def _judge(nb, plan) -> None:
    giveaways: dict[str, list[str]] = {}
    for step in plan:
        cell = nb.cells[step["cell"]]
        if step["kind"] == "blank":
            lines = [ln for ln in _stdout(cell).splitlines() if ln.strip().startswith(("⏳", "✅", "❌"))]
            assert lines and all(ln.startswith("⏳ Not answered yet") for ln in lines), (step["source"], lines)
            continue
        records = _records(cell)
        for r in records.values():
            giveaways[r["id"]] = r["giveaways"]
        if step["kind"] == "wrong":
            r = records[step["id"]]
            assert r["status"] == "wrong", f"{step['id']}: a typical wrong answer was accepted:\n{step['snippet']}\n{r}"
            leaked = _gives_away(r["message"], r["giveaways"])
            assert not leaked, f"{step['id']}: the hint gives the answer away ({leaked}): {r['message']}"
        else:
            for exercise_id in step["ids"]:
                assert records[exercise_id]["status"] == "right", f"{exercise_id}: the solution is not judged right"
    for step in plan:
        if step["kind"] == "blank":
            for exercise_id in step["ids"]:
                leaked = _gives_away(step["source"], giveaways.get(exercise_id, []))
                assert not leaked, f"{exercise_id}: the learner's cell shows the answer ({leaked})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.relative_to(ROOT / "notebooks").as_posix() for p in NOTEBOOKS])
def test_the_lesson_as_a_learner_meets_it_with_a_second_seed(path, tmp_path, monkeypatch):
    source = nbformat.read(path, as_version=4)
    _second_seed(source.cells)
    cells, plan = (_lesson_plan(source) if path.parent.name == "notebooks" else (source.cells, []))
    for k, cell in enumerate(cells):
        cell.id = f"run-{k}"
    nb = nbformat.v4.new_notebook(cells=cells, metadata=source.metadata)
    monkeypatch.setenv("COURSE_CHECKPOINTS", str(tmp_path / "checkpoints"))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    before = _snapshot()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()   # raises on any error
    assert _snapshot() == before, "the notebook wrote into the repository"
    _judge(nb, plan)

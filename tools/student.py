"""The student edition: every lesson without its folded solutions, for teachers to hand out.

    python tools/student.py [OUT]          # default OUT: student/

Removes each ``<details>`` block whose summary is "Solution" or "What you should see", the
``### BEGIN SOLUTION`` / ``### END SOLUTION`` regions of the exercise cells (an explore task's example
change of its starter's setting, nbgrader's markers) and the outputs of the exercise cells (those that
call ``exercises.check``); everything else, stored outputs included, stays as it is. The exercise cells
then hold only the blank answer or the starter's setting and the check, so a student's run prints
"⏳ Not answered yet" until they answer or change the setting.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
FOLDED = re.compile(r"<details>\s*<summary>\s*(Solution|What you should see)\s*</summary>.*?</details>\s*",
                    re.DOTALL | re.IGNORECASE)
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
REGION = re.compile(r"^[ \t]*### BEGIN SOLUTION[ \t]*\n.*?^[ \t]*### END SOLUTION[ \t]*(?:\n|\Z)",
                    re.DOTALL | re.MULTILINE)
CHECK = re.compile(r"exercises\.check\(\s*[\"'](\d\d\.\d+)[\"']")


def is_exercise_cell(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and bool(CHECK.search(cell.source))


def solutions(nb: nbformat.NotebookNode) -> list[tuple[int, str | None]]:
    """``(index of the exercise cell, solution code)`` for every exercise cell, in order.

    A solution is the code of the first folded block after its exercise cell: a "Solution"
    block's ```python code, or ``None`` for an explore task's "What you should see" block.
    """
    found, pending = [], None
    for i, cell in enumerate(nb.cells):
        if is_exercise_cell(cell):
            if pending is not None:
                raise ValueError(f"exercise cell {pending} has no folded solution before the next exercise.")
            pending = i
        if cell.cell_type != "markdown":
            continue
        for m in FOLDED.finditer(cell.source):
            if pending is None:
                raise ValueError(f"cell {i} holds a folded {m.group(1)!r} block that follows no exercise cell.")
            code = CODE_BLOCK.findall(m.group(0))
            if m.group(1).lower() == "solution" and not code:
                raise ValueError(f"the solution in cell {i} has no ```python block.")
            found.append((pending, "\n".join(c.strip("\n") for c in code) if m.group(1).lower() == "solution"
                          else None))
            pending = None
    if pending is not None:
        raise ValueError(f"exercise cell {pending} has no folded solution.")
    return found


def student_edition(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without folded solutions and expected results, exercise outputs cleared."""
    out = nbformat.from_dict(nb)
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = FOLDED.sub("", cell.source).rstrip("\n")
        elif is_exercise_cell(cell):
            cell.source = REGION.sub("", cell.source)
            cell.outputs = []
            cell.execution_count = None
    return out


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nbformat.write(student_edition(nbformat.read(path, as_version=4)), out_dir / path.name)
        print(f"{out_dir.name}/{path.name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "student")

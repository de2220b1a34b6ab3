"""The project's own files: dependencies that agree, a lean package, notebooks kept to the house rules."""
import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DEEP_DIVES = sorted((ROOT / "notebooks" / "deeper").glob("*.ipynb"))
ALL_NOTEBOOKS = NOTEBOOKS + DEEP_DIVES


def _rel(path: Path) -> str:
    return path.relative_to(ROOT / "notebooks").as_posix()
CONDA_NAMES = {"pytorch": "torch"}


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    return CONDA_NAMES.get(m[1].lower(), m[1].lower().replace("_", "-")), m[2].replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = meta["dependencies"] + [r for extra in meta["optional-dependencies"].values() for r in extra]
    return dict(_split(r) for r in reqs)


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        for req in (dep["pip"] if isinstance(dep, dict) else [dep]):
            name, spec = _split(req)
            if name not in ("python", "pip"):
                out[name] = spec
    return out


def test_environment_yml_agrees_with_pyproject():
    py, conda = pyproject_requirements(), conda_requirements()
    assert set(py) == set(conda), (f"only in pyproject: {set(py) - set(conda)}; "
                                   f"only in environment.yml: {set(conda) - set(py)}")
    differ = {k: (py[k], conda[k]) for k in py if py[k] != conda[k]}
    assert not differ, f"version ranges differ (pyproject, conda): {differ}"


def test_dependencies_are_ranges_not_pins():
    pinned = [k for k, v in pyproject_requirements().items() if v.startswith("==") or not v]
    assert not pinned, f"pin-free ranges please: {pinned}"


def test_torchvision_runs_against_installed_torch():
    # A torchvision built for another torch imports, then fails on its compiled operators
    # ("operator torchvision::nms does not exist"): run one of them.
    import torch
    import torchvision
    boxes = torch.tensor([[0.0, 0.0, 10.0, 10.0], [1.0, 1.0, 11.0, 11.0], [50.0, 50.0, 60.0, 60.0]])
    keep = torchvision.ops.nms(boxes, torch.tensor([0.9, 0.8, 0.7]), iou_threshold=0.5)
    assert keep.tolist() == [0, 2]


def test_package_import_is_lean():
    code = "import sys, course_utils; print(sorted(m for m in ('torch', 'matplotlib', 'sklearn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"importing course_utils pulled in {out.strip()}"


def test_every_third_party_import_of_the_package_is_a_declared_dependency():
    from importlib.metadata import packages_distributions
    dists = packages_distributions()
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = {_split(r)[0] for r in meta["dependencies"]}
    undeclared = {}
    for path in sorted((ROOT / "course_utils").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "course_utils":
                    continue
                owners = {d.lower() for d in dists.get(top, [top])}
                if not owners & core:
                    undeclared.setdefault(top, []).append(path.name)
    assert not undeclared, f"imported by course_utils but not a core dependency: {undeclared}"


def test_functions_are_short_enough_to_read_at_once():
    too_long = []
    for path in sorted((ROOT / "course_utils").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body[1:] if ast.get_docstring(node) and len(node.body) > 1 else node.body
                lines = node.end_lineno - body[0].lineno + 1
                if lines > 60:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert not too_long, f"split these (at most about 60 lines of code each): {too_long}"


def test_ci_calls_the_readme_test_command():
    readme, ci = (ROOT / "README.md").read_text(), (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and re.search(r"^make test$", ci, re.M)
    assert "set -euo pipefail" in ci


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def _is_guard(cell: dict) -> bool:
    return "remove-cell" in cell["metadata"].get("tags", [])


DETAILS = re.compile(r"<details>.*?</details>", re.S)
MAX_WORDS = 1500   # "about 1,500 words of prose" a lesson


def prose_words(nb: dict) -> int:
    """Words of a notebook's prose: every \\w+ token of its markdown cells (numbers, inline code and HTML tags
    included), folded <details> blocks (what a learner opens only when stuck) left out."""
    text = "\n".join(_text(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    return len(re.findall(r"\w+", DETAILS.sub(" ", text)))


def test_prose_words_counts_what_it_should():
    nb = {"cells": [{"cell_type": "markdown", "source": ["Two words, 3 `x.T` <a id=\"t\"></a>\n",
                                                         "<details>hidden words</details>"]},
                    {"cell_type": "code", "source": ["not prose"]}]}
    assert prose_words(nb) == 9   # Two words 3 x T a id t a


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=[_rel(p) for p in ALL_NOTEBOOKS])
def test_notebook_house_rules(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and _text(c).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), f"run it top to bottom from a fresh kernel: {counts}"
    assert "widgets" not in nb["metadata"], "widget state is stored in the metadata: strip it"
    assert path.stat().st_size < 2_000_000, "over 2 MB: keep figures small"
    assert any("set_seed(" in _text(c) for c in code[:3]), "a seed cell near the top"
    for c, after in zip(code, code[1:] + [None]):
        assert "NBVAL_" not in _text(c), "mark cells with nbval's tags (invisible to a learner), not comments"
        if "nbval-ignore-output" in c["metadata"].get("tags", []):
            guarded = [_text(c)] + ([_text(after)] if after is not None else [])
            assert any("assert " in t or "exercises." in t for t in guarded), (
                f"a cell whose output is not compared must assert what it shows, or its next cell (a guard) must; "
                f"an exercise cell is judged by tests/test_exercises_in_notebooks.py:\n{_text(c)[:200]}")
        for out in c.get("outputs", []):
            assert out["output_type"] != "error", f"stored error output in:\n{_text(c)[:200]}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=[_rel(p) for p in ALL_NOTEBOOKS])
def test_claims_are_checked_out_of_sight(path):
    for c in json.loads(path.read_text())["cells"]:
        if c["cell_type"] == "markdown":
            said = re.search(r"\b(asserted|asserts|guarded)\b", _text(c), re.I)
            assert not said, f"prose states the finding plainly, never {said.group(0)!r} (cell {c.get('id')})"
            continue
        hidden = bool(c["metadata"].get("jupyter", {}).get("source_hidden"))
        assert _is_guard(c) == hidden, (f"a guard cell is collapsed in JupyterLab (jupyter.source_hidden) and left "
                                        f"off the website (tag remove-cell), both or neither: cell {c.get('id')}")
        if _is_guard(c):
            assert not c.get("outputs"), f"a guard cell prints nothing: cell {c.get('id')}"
            continue
        for line in _text(c).splitlines():
            assert not re.match(r"\s*assert\b", line) or ".shape" in line, (
                f"a cell a learner reads asserts only what it teaches (a shape); move this into a guard cell after "
                f"it (cell {c.get('id')}): {line.strip()[:100]}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_a_lesson_is_an_hour_and_the_learner_builds_it(path):
    nb = json.loads(path.read_text())
    head = _text(nb["cells"][0])
    for need in ("**Time:**", "**Prerequisites:**", "you will be able to"):
        assert need in head, f"the lesson's first cell states its time, prerequisites and objectives: no {need!r}"
    words = prose_words(nb)
    assert words <= MAX_WORDS, f"{words} words of prose: about 1,500 at most (move a detour to a deep dive)"
    md = "\n".join(_text(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "<summary>Solution" not in md, "solutions sit in nbgrader solution regions, not in folded markdown"
    solutions = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
    if path.name.startswith("06"):
        assert not [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")], "06 is exploration"
    else:
        assert [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")], "a piece the learner builds"
    assert len(solutions) >= 3, "at least three exercises or pieces to write"
    ids = []
    for c in nb["cells"]:
        meta, text = c["metadata"].get("nbgrader"), _text(c)
        if "### BEGIN SOLUTION" in text:
            assert meta and meta.get("solution") and "hide-input" in c["metadata"].get("tags", []), (
                f"a solution region's cell has nbgrader's solution metadata and the hide-input tag: {c.get('id')}")
        if meta:
            ids.append(meta["grade_id"])
            kind = r"ex\d\d_\d+_check" if meta.get("grade") else r"ex\d\d_\d+"
            assert re.fullmatch(kind, meta["grade_id"]) and meta["grade_id"][2:4] == path.name[:2], meta
            assert meta.get("schema_version") == 3 and meta.get("locked") == bool(meta.get("grade")), meta
        if meta and meta.get("grade"):
            assert meta.get("points", 0) > 0 and re.search(
                r"### BEGIN HIDDEN TESTS\s+exercises\.require\(\s*[\"']\d\d\.\d+[\"']\s*\)\s+### END HIDDEN TESTS",
                text), f"a graded check ends with a hidden exercises.require(id): {c.get('id')}"
    assert len(ids) == len(set(ids)), f"grade ids repeat: {ids}"
    import nbformat
    from nbgrader.preprocessors import CheckCellMetadata
    CheckCellMetadata().preprocess(nbformat.read(path, as_version=4), {})   # nbgrader's own validation


# A duration in prose ("14.1 s", "0.76 s per epoch", "about 30 s"): timings differ from machine to machine and
# run to run, so a lesson prints the ones it measures and its prose quotes none.
DURATION = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:s|ms|seconds?|minutes?)\b(?!\w)")


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=[_rel(p) for p in ALL_NOTEBOOKS])
def test_prose_quotes_no_timing(path):
    for c in json.loads(path.read_text())["cells"]:
        if c["cell_type"] == "markdown":
            found = DURATION.search("".join(c["source"]))
            assert not found, (f"the prose quotes a duration ({found.group(0)!r} in cell {c.get('id')}): print what "
                               f"the notebook measures instead, or say it without the number")


def test_duration_pattern_finds_what_it_should():
    for said in ("took 14.1 s,", "0.76 s per epoch", "about 30 s of CPU time", "in 2 minutes", "12 ms a frame"):
        assert DURATION.search(said), said
    for fine in ("28×28 images", "3 seeds", "lesson 05's", "1.5 steps", "10 samples"):
        assert not DURATION.search(fine), fine


# A path of the machine that ran the notebook: a POSIX absolute path under a usual top-level folder, a
# home-relative one, a Windows drive, or this checkout's own location.
MACHINE_PATH = re.compile(r"(?<![\w.:/])/(?:home|root|Users|work|tmp|var|opt|mnt|srv|private|usr|data)/"
                          r"|~/|\b[A-Za-z]:\\|" + re.escape(str(ROOT)))


def _output_texts(nb: dict):
    for c in nb["cells"]:
        for out in c.get("outputs", []):
            yield "".join(out.get("text", ""))
            for mime, value in out.get("data", {}).items():
                if mime.startswith("text/") or mime.endswith("json"):
                    yield value if isinstance(value, str) else json.dumps(value)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=[_rel(p) for p in ALL_NOTEBOOKS])
def test_stored_outputs_name_no_machine_path(path):
    for text in _output_texts(json.loads(path.read_text())):
        found = MACHINE_PATH.search(text)
        assert not found, (f"a stored output shows a path of the machine that ran it ({found.group(0)!r} in "
                           f"{text[max(0, found.start() - 60):found.end() + 60]!r}): print it relative to the "
                           f"repository or the data folder")


def test_machine_path_pattern_finds_what_it_should():
    assert MACHINE_PATH.search("loaded from /home/ada/course/data/MNIST")
    assert MACHINE_PATH.search(f"saved to {ROOT}/notebooks/x.pt") and MACHINE_PATH.search("C:\\Users\\ada")
    for fine in ("saved to mnist_mlp.pt", "data folder: MNIST/raw", "x / 10", "3/4 of the points", "https://x.org/home/a"):
        assert not MACHINE_PATH.search(fine), fine


PACKAGE_MODULES = sorted(p.stem for p in (ROOT / "course_utils").glob("*.py") if p.stem != "__init__")


def test_every_module_lists_its_api_in_all_and_defines_each_concept_once():
    import importlib
    where: dict[str, list[str]] = {}
    for name in PACKAGE_MODULES:
        mod = importlib.import_module(f"course_utils.{name}")
        assert isinstance(getattr(mod, "__all__", None), list), f"course_utils.{name} has no __all__"
        missing = [n for n in mod.__all__ if not hasattr(mod, n)]
        assert not missing, f"course_utils.{name}.__all__ names what it lacks: {missing}"
        assert not [n for n in mod.__all__ if n.startswith("_")], f"course_utils.{name} exports private names"
        for n in vars(mod):
            where.setdefault(n, []).append(name)
    assert "batches" not in importlib.import_module("course_utils.train").__all__, "a helper, not the API"
    # one definition per concept: the tables and predictions live in one module, the others import them
    for concept, home in [("ACTIVATIONS", "models"), ("OPTIMIZERS", "train"), ("outputs", "models"),
                          ("predict", "models"), ("predict_proba", "models"), ("checkpoint_dir", "checkpoint"),
                          ("grow_view", "drawing"), ("Blitter", "drawing"), ("png_bytes", "drawing")]:
        holders = [m for m in where.get(concept, []) if m != home and
                   getattr(importlib.import_module(f"course_utils.{m}"), concept) is not
                   getattr(importlib.import_module(f"course_utils.{home}"), concept)]
        assert not holders and home in where.get(concept, []), f"{concept}: defined in {home} and in {holders}"
    assert "_whole" not in where, f"one set of validators (course_utils.validate), not _whole in {where.get('_whole')}"


GLOSSARY_TERMS = ["loss", "gradient", "learning rate", "epoch, step, batch", "SGD", "broadcasting", "momentum", "Adam",
                  "learning-rate schedule (one-cycle)", "logits", "softmax", "cross-entropy", "initialisation",
                  "validation set", "standard error", "overfitting", "L2 / weight decay", "dropout", "early stopping"]


def test_glossary_links_each_term_to_the_place_that_first_explains_it():
    rows = re.findall(r"^\| ([^|]+?) \| [^|]+ \| <a href=\"lessons/([\w/]+)\.html#(term-[\w-]+)\">",
                      (ROOT / "site" / "glossary.md").read_text(), re.M)
    assert [r[0] for r in rows] == GLOSSARY_TERMS
    for term, page, anchor in rows:
        nb = json.loads((ROOT / "notebooks" / f"{page}.ipynb").read_text())
        md = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
        assert sum(f'<a id="{anchor}"></a>' in m for m in md) == 1, f"{term}: no anchor {anchor} in {page}"
        earlier = sorted(ROOT.glob("notebooks/0*.ipynb"))
        for path in earlier[:[p.stem for p in earlier].index(page)]:
            assert f'id="{anchor}"' not in path.read_text(), f"{term} is anchored in {path.name} too"

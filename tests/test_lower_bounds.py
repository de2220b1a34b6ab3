"""tools/lower_bounds.py: the exact pins that `make test-oldest` installs, and its one-sentence failures."""
import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "lower_bounds.py"
_spec = importlib.util.spec_from_file_location("lower_bounds", TOOL)
lower_bounds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lower_bounds)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True)


def _pyproject(tmp_path: Path, deps: list[str], extras: dict[str, list[str]] | None = None) -> Path:
    lines = ["[project]", 'name = "course-utils"', f"dependencies = {json.dumps(deps)}",
             "[project.optional-dependencies]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in (extras or {}).items()]
    path = tmp_path / "pyproject.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _pins(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stdout.splitlines() if not line.startswith("#")]


def test_every_requirement_of_the_real_pyproject_is_pinned_at_its_lower_bound():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(r) for r in meta["dependencies"] + meta["optional-dependencies"]["dev"]]
    result = _run("--extras", "dev")
    assert result.returncode == 0, result.stderr
    pinned = {Requirement(line).name: Requirement(line) for line in _pins(result)}
    assert sorted(pinned) == sorted(r.name for r in declared)
    for req in declared:
        (pin,) = pinned[req.name].specifier
        assert pin.operator == "==" and req.specifier.contains(pin.version), (req, pin)
        assert pin.version == next(s.version for s in req.specifier if s.operator == ">="), (req, pin)


def test_pins_follow_ranges_extras_markers_and_the_projects_own_extras(tmp_path):
    path = _pyproject(tmp_path, ["torch>=2.2,<3", "numpy~=1.24", "tqdm==4.66.0", "Foo_Bar[x]>=1.0",
                                 'tomli>=2.0; python_version < "3.11"'],
                      {"dev": ["pytest>=8.0", "course-utils[docs]", "numpy>=1.26"],
                       "docs": ["sphinx>=7.1"], "gpu": ["cupy>=13"]})
    result = _run("--pyproject", str(path), "--extras", "dev")
    assert result.returncode == 0, result.stderr
    assert _pins(result) == ["torch==2.2", "numpy==1.26", "tqdm==4.66.0", "Foo_Bar[x]==1.0",
                             'tomli==2.0 ; python_version < "3.11"', "pytest==8.0", "sphinx==7.1"]
    assert "extras: dev" in result.stdout.splitlines()[0]


def test_all_extras_by_default(tmp_path):
    path = _pyproject(tmp_path, ["torch>=2.2"], {"dev": ["pytest>=8.0"], "gpu": ["cupy>=13"]})
    assert _pins(_run("--pyproject", str(path))) == ["torch==2.2", "pytest==8.0", "cupy==13"]


@pytest.mark.parametrize("requirement, says", [
    ("tqdm", r"'tqdm' has no lower bound: give it one, e\.g\. 'tqdm>=X'"),
    ("tqdm<5", r"'tqdm<5' has no lower bound"),
    ("tqdm>4.66", r"'>' excludes its bound"),
    ("tqdm>=4.66,!=4.66", r"excludes its own lower bound 4\.66"),
    ("tqdm==4.*", r"wildcard"),
    ("tqdm>=>4", r"is not a valid requirement"),
])
def test_a_requirement_without_a_usable_lower_bound_fails_with_one_sentence(tmp_path, requirement, says):
    path = _pyproject(tmp_path, ["torch>=2.2"], {"dev": [requirement]})
    result = _run("--pyproject", str(path), "--extras", "dev")
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and re.search(says, result.stderr), result.stderr


def test_an_unknown_extra_is_named(tmp_path):
    result = _run("--pyproject", str(_pyproject(tmp_path, ["torch>=2.2"], {"dev": []})), "--extras", "dev,lint")
    assert result.returncode == 1
    assert result.stderr.strip() == "lower_bounds.py: pyproject.toml has no extra 'lint' (it declares: dev)."


def test_lower_bound_is_the_highest_of_the_lower_bounds():
    from packaging.specifiers import SpecifierSet
    assert lower_bounds.lower_bound("x", SpecifierSet(">=1.2,>=1.10,<2")) == Version("1.10")
    with pytest.raises(lower_bounds.BoundError, match="no lower bound"):
        lower_bounds.lower_bound("x", SpecifierSet("!=1.0"))


def test_make_pins_the_extras_that_make_test_installs():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^TEST_EXTRAS\s*:?=\s*\S+", makefile, re.M)
    assert re.search(r"^test: \$\(DOCS\)", makefile, re.M), "make test installs through the DOCS stamp"
    assert '-e ".[$(TEST_EXTRAS)]"' in makefile and "tools/lower_bounds.py --extras $(TEST_EXTRAS)" in makefile

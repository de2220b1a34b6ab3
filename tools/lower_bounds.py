"""Pin every requirement of the project at its lower bound: ``name==lower``, one a line.

    python tools/lower_bounds.py [--extras dev[,other]] [--pyproject pyproject.toml]

Reads ``[project] dependencies`` and the chosen ``optional-dependencies`` (all of them when
``--extras`` is not given); an extra that names the project itself (``course-utils[docs]``) is
followed. A name listed twice with the same marker gets the lower bound of both ranges together.
Every requirement needs a lower bound (``>=``, ``~=`` or ``==``): one without stops the script
with one sentence on stderr and exit status 1. ``make test-oldest`` installs the output into
``.venv-oldest`` and runs the tests there.
"""
from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]


class BoundError(ValueError):
    """A requirement that cannot be pinned at its lower bound."""


def lower_bound(name: str, specifier: SpecifierSet) -> Version:
    """The oldest version ``specifier`` allows: the highest of its ``>=``, ``~=`` and ``==`` bounds."""
    if any(s.operator == ">" for s in specifier):
        raise BoundError(f"'{name}{specifier}' has no oldest version because '>' excludes its bound: "
                         f"write '>=' with the oldest version that works.")
    try:
        bounds = [Version(s.version) for s in specifier if s.operator in (">=", "~=", "==")]
    except InvalidVersion:
        raise BoundError(f"'{name}{specifier}' has a wildcard or arbitrary version: write the range as "
                         f"'>=X,<Y' so that its oldest version is explicit.") from None
    if not bounds:
        raise BoundError(f"'{name}{specifier}' has no lower bound: give it one, "
                         f"e.g. '{name}>=X' with the oldest version that works.")
    low = max(bounds)
    if not specifier.contains(low, prereleases=True):
        raise BoundError(f"'{name}{specifier}' excludes its own lower bound {low}: "
                         f"raise the '>=' to the oldest version the range allows.")
    return low


def _parse(text: str, where: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as e:
        reason = str(e).splitlines()[0]
        raise BoundError(f"{where}: {text!r} is not a valid requirement ({reason}).") from None


def requirements(meta: dict, extras: list[str] | None) -> list[tuple[str, Requirement]]:
    """``(where, requirement)`` for the project's dependencies and its ``extras`` (None: all)."""
    own = canonicalize_name(meta["name"])
    declared = meta.get("optional-dependencies", {})
    out = [("dependencies", _parse(r, "dependencies")) for r in meta.get("dependencies", [])]
    todo, seen = list(declared if extras is None else extras), set()
    while todo:
        extra = todo.pop(0)
        if extra in seen:
            continue
        seen.add(extra)
        if extra not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise BoundError(f"pyproject.toml has no extra {extra!r} (it declares: {known}).")
        for text in declared[extra]:
            req = _parse(text, f"extra {extra!r}")
            if canonicalize_name(req.name) == own:  # an extra that pulls in other extras of the project
                todo.extend(sorted(req.extras))
            else:
                out.append((f"extra {extra!r}", req))
    return out


def pins(meta: dict, extras: list[str] | None = None) -> list[str]:
    """One ``name[extras]==lower[ ; marker]`` line per requirement, in the order first declared."""
    merged: dict[tuple[str, str], list] = {}
    for _, req in requirements(meta, extras):
        key = (canonicalize_name(req.name), str(req.marker or ""))
        if key in merged:
            merged[key][1] &= req.specifier
            merged[key][2] |= req.extras
        else:
            merged[key] = [req.name, SpecifierSet(str(req.specifier)), set(req.extras)]
    lines = []
    for (_, marker), (name, specifier, req_extras) in merged.items():
        low = lower_bound(name, specifier)
        extra_part = f"[{','.join(sorted(req_extras))}]" if req_extras else ""
        lines.append(f"{name}{extra_part}=={low}" + (f" ; {marker}" if marker else ""))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pyproject", type=Path, default=ROOT / "pyproject.toml")
    parser.add_argument("--extras", help="comma-separated extras, as in pip's '.[dev]' (default: all)")
    args = parser.parse_args(argv)
    extras = None if args.extras is None else [e.strip() for e in args.extras.split(",") if e.strip()]
    try:
        meta = tomllib.loads(args.pyproject.read_text())["project"]
        lines = pins(meta, extras)
    except (BoundError, OSError, KeyError, tomllib.TOMLDecodeError) as e:
        message = {KeyError: f"{args.pyproject} has no [project] table with a name.",
                   tomllib.TOMLDecodeError: f"{args.pyproject} is not valid TOML ({e})."}.get(type(e), str(e))
        print(f"lower_bounds.py: {message}", file=sys.stderr)
        return 1
    chosen = "all" if extras is None else ",".join(extras) or "none"
    print(f"# The lower bound of every requirement in {args.pyproject.name} (extras: {chosen}),"
          f" made by tools/lower_bounds.py.")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

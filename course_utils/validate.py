"""The argument checks the package shares: each passes a good value back and says in one sentence what is
wrong with a bad one (a ``ValueError``), e.g. ``epochs must be a whole number of at least 1, not 0.``"""
from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any, TypeVar

from .i18n import _

__all__ = ["one_of", "whole", "within"]

T = TypeVar("T")


def whole(name: str, value: Any, lo: int = 1, hi: int | None = None) -> int:
    """``value`` as an int, when it is a whole number (not a bool) from ``lo`` (to ``hi``, if given)."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < lo or (hi is not None and value > hi):
        limit = _("from {lo} to {hi}", lo=lo, hi=hi) if hi is not None else _("of at least {lo}", lo=lo)
        raise ValueError(_("{name} must be a whole number {limit}, not {value!r}.",
                           name=_(name), limit=limit, value=value))
    return int(value)


def within(name: str, value: Any, lo: float, hi: float) -> float:
    """``value`` as a float, when it is a real number (not a bool) from ``lo`` to ``hi``."""
    if isinstance(value, bool) or not isinstance(value, Real) or not lo <= value <= hi:
        raise ValueError(_("{name} must be a number from {lo:g} to {hi:g}, not {value!r}.",
                           name=_(name), lo=lo, hi=hi, value=value))
    return float(value)


def one_of(name: str, value: T, options: Sequence[Any]) -> T:
    """``value``, when it is one of ``options``."""
    if value not in options:
        raise ValueError(_("{name} {value!r} is not offered here: use one of {map_options}.",
                           name=_(name), value=value, map_options=', '.join(map(repr, options))))
    return value

"""Helpers for the course *Neural networks from zero with PyTorch*.

One module per concern: ``data`` (data sets), ``models`` (building and running models: ``mlp``,
``outputs``, ``predict``, ``predict_proba``), ``train`` (``fit``, ``evaluate``, callbacks), ``checkpoint``
(saving weights), ``plot`` (static figures), ``live`` (``LivePlot``), ``widgets`` (the playground and
explorers), ``drawing`` (the frame helpers ``live`` and ``widgets`` share), ``scratch`` (a network in
NumPy, and its speed-tuned twin ``scratch_fast``), ``gradcheck``, ``runtime`` (seeds, devices), ``validate``
(the shared argument checks), ``exercises`` and ``i18n`` (the language it speaks to you:
``course_utils.set_language("zh")`` for Chinese). Importing the package is cheap: torch and matplotlib load
only when a module that needs them is used.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_LAZY = {"set_seed": "runtime", "device": "runtime", "set_language": "i18n"}
_MODULES = {"data", "models", "train", "plot", "live", "scratch", "scratch_fast", "gradcheck", "checkpoint",
            "exercises", "runtime", "widgets", "drawing", "validate", "i18n"}

__all__ = ["set_seed", "device", "set_language", *sorted(_MODULES)]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'course_utils' has no attribute {name!r}")

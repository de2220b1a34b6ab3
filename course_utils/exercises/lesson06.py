"""Lesson 06's exercises: the playground.

06.1 predict: which data set a network without a hidden layer cannot learn · 06.2 explore: XOR with 0, 2
and 4 hidden units, over three seeds · 06.3 predict: the fewest ReLU units whose edges can close a region.
"""
from __future__ import annotations

import math
from typing import Any

from .core import Exercise, Verdict, register, right, wrong
from .judges import choice, number


def _judge_xor(result: Any) -> Verdict:
    if not isinstance(result, dict) or "" not in result or len(result) < 2:
        return wrong("result should be a dict from hidden sizes to lists of test accuracies, with the run without a "
                     "hidden layer ('') and at least one with hidden units: run the starter first.")
    means = {}
    for hidden, accs in result.items():
        if not isinstance(accs, (list, tuple)) or len(accs) < 2:
            return wrong(f"result[{hidden!r}] should hold one test accuracy per seed, at least two seeds.")
        if not all(isinstance(a, (int, float)) and math.isfinite(a) and 0 <= a <= 1 for a in accs):
            return wrong(f"result[{hidden!r}] should hold accuracies, numbers from 0 to 1.")
        means[hidden] = sum(accs) / len(accs)
    best = max((h for h in means if h != ""), key=means.get)
    if means[best] < means[""] + 0.1:
        return wrong("here no hidden layer did clearly better than none: is this a data set that one straight line "
                     "already separates? On XOR, with enough units and frames, it should not be.")
    table = ", ".join(f"{h or 'none'}: {m:.2f}" for h, m in means.items())
    return right(f"mean test accuracy by hidden sizes ({table}). With no hidden layer the boundary is one straight "
                 f"line, and XOR's classes sit in opposite corners: it stays near chance. Hidden units add edges the "
                 f"boundary can bend along; a few suffice when training finds them, and the seeds show how much that "
                 f"depends on the start (each seed also draws its own data sample and batch order).")


register(
    Exercise("06.1", "predict", "which data set needs a hidden layer",
             choice("xor", ["gaussians", "xor"],
                    explain="XOR's classes sit in opposite corners: no single straight line separates them.",
                    hints={"gaussians": "two round blobs side by side: could one straight line split them?"}),
             giveaways=lambda: ["xor"], wrong_answers=("answer_1 = 'gaussians'",)),
    Exercise("06.2", "explore", "XOR with 0, 2 and 4 hidden units", _judge_xor,
             wrong_answers=("result = {k: v[:1] for k, v in result.items()}",
                            "result = {k: v for k, v in result.items() if k}")),
    Exercise("06.3", "predict", "units needed to close a region",
             number(3, whole=True, explain="three: the boundary of a one-hidden-layer ReLU net can only bend where it "
                                           "crosses a unit's switching line; two lines cut the plane into pieces that "
                                           "all stay open, while three can enclose a triangle, and the boundary can "
                                           "close around the inner circle (a polygon whose corners lie on the lines).",
                    mistakes=[(lambda v, e: v < e, "draw it: can that many straight lines fence in a region on every "
                                                   "side?"),
                              (lambda v, e: v > e, "that many lines can fence in a region, but so can fewer: what is "
                                                   "the simplest closed shape with straight sides?")]),
             giveaways=lambda: ["3", "three", "triangle"], wrong_answers=("answer_3 = 4", "answer_3 = 2")),
)

"""Lesson 06's exercises: the playground.

06.1 predict: which data set a network without a hidden layer cannot learn · 06.2 explore: XOR with 0, 2
and 4 hidden units, over three seeds · 06.3 predict: the fewest ReLU units whose edges can close a region.
"""
from __future__ import annotations

import math
from typing import Any

from .core import Exercise, Verdict, register, right, wrong
from .judges import choice, number

XOR_KEYS = ("", "2", "4")   # the hidden sizes the explore starter tries


def _judge_xor(result: Any) -> Verdict:
    if not isinstance(result, dict) or set(result) != set(XOR_KEYS):
        return wrong(f"result should be the starter's dict, one list of test accuracies for each of the hidden "
                     f"sizes {XOR_KEYS}: run the starter as given first.")
    means = {}
    for hidden, accs in result.items():
        if not isinstance(accs, (list, tuple)) or len(accs) < 2:
            return wrong(f"result[{hidden!r}] should hold one test accuracy per seed, at least two seeds.")
        if not all(isinstance(a, (int, float)) and math.isfinite(a) and 0 <= a <= 1 for a in accs):
            return wrong(f"result[{hidden!r}] should hold accuracies, numbers from 0 to 1.")
        means[hidden] = sum(accs) / len(accs)
    if not means[""] < means["2"] < means["4"]:
        return wrong("the mean test accuracy should rise from no hidden layer to 2 units to 4 units; if yours "
                     "does not, did the runs train for the starter's 40 frames? Run the starter as given.")
    return right(f"with no hidden layer the boundary is one straight line, and XOR's classes sit in opposite "
                 f"corners: the mean test accuracy stays near chance ({means['']:.2f}). Two hidden units give two "
                 f"edges, enough for a band through the middle when training finds it ({means['2']:.2f}); four "
                 f"give room to spare ({means['4']:.2f}). Compare the seeds too: the smaller the network, the more "
                 f"the result depends on where training starts.")


register(
    Exercise("06.1", "predict", "which data set needs a hidden layer",
             choice("xor", ["gaussians", "xor"],
                    explain="XOR's classes sit in opposite corners: no single straight line separates them.",
                    hints={"gaussians": "two round blobs side by side: could one straight line split them?"}),
             giveaways=lambda: ["xor"], wrong_answers=("answer_1 = 'gaussians'",)),
    Exercise("06.2", "explore", "XOR with 0, 2 and 4 hidden units", _judge_xor,
             wrong_answers=("result = {k: v[:1] for k, v in result.items()}",
                            "result = dict(zip(result, reversed(list(result.values()))))")),
    Exercise("06.3", "predict", "units needed to close a region",
             number(3, whole=True, explain="a triangle: with 1 or 2 straight edges the region stays open on at least "
                                           "one side, and 3 edges can close it around the inner circle.",
                    mistakes=[(lambda v, e: v < e, "draw it: can that many straight lines fence in a region on every "
                                                   "side?"),
                              (lambda v, e: v > e, "that many edges can close a region, but so can fewer: what is "
                                                   "the simplest closed shape with straight sides?")]),
             giveaways=lambda: ["3", "three", "triangle"], wrong_answers=("answer_3 = 4", "answer_3 = 2")),
)

"""Lesson 06's exercises: the playground.

06.1 predict: which data set a network without a hidden layer cannot learn · 06.2 explore: hidden units
against none, over three seeds (the starter: XOR, 0, 2 and 4 units) · 06.3 predict: the fewest ReLU units
whose edges can close a region.
"""
from __future__ import annotations

from typing import Any

from ..i18n import N_, _
from .core import Exercise, Verdict, register, right, wrong
from .judges import LearnerError, as_number, choice, explore, number

# ---- 06.2: explore: hidden units against none -----------------------------------------------------------------

HIDDEN_STARTER = {"data set": "xor", "activation": "tanh", "frames": 40, "hidden": ("", "2", "4"), "seeds": 3}
HIDDEN_INVITE = (N_("change the hidden sizes, the activation, the frames or the data set (keep the run without a "
                    "hidden layer, '', to compare against)"))


def _xor_setting(result: Any) -> dict[str, Any]:
    keys = ("data set", "activation", "frames", "test accuracy")
    if not isinstance(result, dict) or not set(keys) <= set(result) or not isinstance(result["test accuracy"], dict):
        raise LearnerError(wrong(_("result should be the starter's dict, with {map_keys} (hidden sizes to lists of "
                                   "test accuracies): run the starter cell first.",
                                   map_keys=', '.join(map(repr, keys)))))
    accs = result["test accuracy"]
    seeds = {len(v) for v in accs.values() if isinstance(v, (list, tuple))}
    return {"data set": result["data set"], "activation": result["activation"], "frames": result["frames"],
            "hidden": tuple(accs), "seeds": seeds.pop() if len(seeds) == 1 else sorted(seeds)}


def _judge_hidden(result: Any) -> Verdict:
    accs = result["test accuracy"]
    if "" not in accs or len(accs) < 2:
        return wrong("keep the run without a hidden layer ('') and at least one with hidden units: the finding is "
                     "a comparison between them.")
    means = {}
    for hidden, values in accs.items():
        if not isinstance(values, (list, tuple)) or len(values) < 2:
            return wrong(_("result['test accuracy'][{hidden!r}] should hold one test accuracy per seed, at least "
                           "two seeds (one seed cannot tell the setting from the luck of its start).", hidden=hidden))
        numbers = [as_number(a) for a in values]
        if any(a is None or not 0 <= a <= 1 for a in numbers):
            return wrong(_("result['test accuracy'][{hidden!r}] should hold accuracies, numbers from 0 to 1.",
                           hidden=hidden))
        means[hidden] = sum(numbers) / len(numbers)
    best = max((h for h in means if h), key=means.get)
    gain = means[best] - means[""]
    table = ", ".join(f"{h or 'none'}: {m:.2f}" for h, m in means.items())
    where = _("on {result} with {result2}, {result3} frames",
              result=result['data set'], result2=result['activation'], result3=result['frames'])
    if gain >= 0.1:
        found = (_("hidden units clearly help on this data: the best, {best!r}, beats no hidden layer by "
                   "{gain:.2f}. Each hidden unit adds an edge the boundary can bend along", best=best, gain=gain))
    elif gain > -0.05:
        found = (_("on this data hidden units buy little: the straight boundary of the net without a hidden layer "
                    "already does about as well"))
    else:
        return wrong(_("{where}, every hidden size did worse than none ({table}): with so few frames or so small a "
                       "learning signal the hidden layers have not trained yet. Give them more frames.",
                       where=where, table=table))
    return right(_("mean test accuracy {where}, by hidden sizes: {table}. {found}{found2}. How much a few units "
                   "reach depends on training finding their edges: compare the seeds (each also draws its own "
                   "sample of the data and batch order).",
                   where=where, table=table, found=found[0].upper(), found2=found[1:]))


register(
    Exercise("06.1", "predict", "which data set needs a hidden layer",
             choice("xor", ["gaussians", "xor"],
                    explain=N_("XOR's classes sit in opposite corners: no single straight line separates them. "
                               "Exercise 06.2 lets you measure how much hidden units change that."),
                    hints={"gaussians": N_("two round blobs side by side: could one straight line split them?")}),
             giveaways=lambda: ["xor"], wrong_answers=("answer_1 = 'gaussians'",)),
    Exercise("06.2", "explore", "hidden units against none", explore(HIDDEN_STARTER, _xor_setting, HIDDEN_INVITE,
                                                                     _judge_hidden),
             wrong_answers=("result['test accuracy'] = {k: v[:1] for k, v in result['test accuracy'].items()}",
                            "result['test accuracy'] = {k: v for k, v in result['test accuracy'].items() if k}")),
    Exercise("06.3", "predict", "units needed to close a region",
             number(3, whole=True, explain=N_("three: the boundary of a one-hidden-layer ReLU net can only bend "
                                              "where it crosses a unit's switching line; two lines cut the plane "
                                              "into pieces that all stay open, while three can enclose a triangle, "
                                              "and the boundary can close around the inner circle (a polygon whose "
                                              "corners lie on the lines)."),
                    mistakes=[(lambda v, e: v < e, N_("draw it: can that many straight lines fence in a region on "
                                                      "every side?")),
                              (lambda v, e: v > e, N_("that many lines can fence in a region, but so can fewer: "
                                                      "what is the simplest closed shape with straight sides?"))]),
             giveaways=lambda: ["3", "three", "triangle"], wrong_answers=("answer_3 = 4", "answer_3 = 2")),
)

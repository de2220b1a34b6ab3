"""Lesson 02's exercises: networks from a layer-size list, and the recipe that trains them."""
from __future__ import annotations

from typing import Any

from .core import Exercise, Verdict, register, right, wrong
from .judges import choice, number, number_giveaways
from .lesson01 import WEIGHTS_ONLY, param_count

DEEP = [1, 20, 50, 100, 500, 100, 50, 20, 1]


def _cfg(answer: Any) -> Verdict:
    """Three hidden layers of 32 between one input and one output."""
    from ..models import check_cfg
    try:
        cfg = check_cfg(answer)
    except ValueError as exc:
        return wrong(str(exc))
    if cfg[0] != 1 or cfg[-1] != 1:
        return wrong(f"the first size is the number of inputs and the last the number of outputs; "
                     f"this problem has one of each, yours are {cfg[0]} and {cfg[-1]}.")
    if len(cfg) != 5:
        return wrong(f"{cfg} has {len(cfg) - 2} hidden layers: the list counts the input and the output too.")
    if cfg[1:-1] != [32, 32, 32]:
        return wrong(f"the hidden sizes {cfg[1:-1]} are not three layers of 32 units.")
    return right(f"{cfg}: 3 hidden layers of 32, {param_count(cfg):,} parameters.")


register(
    Exercise("02.1", "compute", "count the deep net's parameters",
             number(param_count(DEEP), whole=True, explain="Σ (in·out + out) over the 8 layers = 112,881.",
                    mistakes=[(lambda v, e: v == sum(a * b for a, b in zip(DEEP[:-1], DEEP[1:])),
                               WEIGHTS_ONLY)]),
             giveaways=lambda: number_giveaways(param_count(DEEP)),
             wrong_answers=("answer_1 = 112_040",)),
    Exercise("02.2", "write", "write a cfg", _cfg,
             giveaways=lambda: ["[1, 32, 32, 32, 1]"],
             wrong_answers=("answer_2 = [32, 32, 32]", "answer_2 = [1, 32, 32, 1]")),
    Exercise("02.3", "compute", "the largest scaled input",
             number(lambda x, SCALE: float((x / SCALE).abs().max()),
                    explain="x runs over [-10, 10], so x / 10 runs over [-1, 1]."),
             giveaways=lambda x, SCALE: number_giveaways(float((x / SCALE).abs().max())),
             wrong_answers=("answer_3 = 10",), context=("x", "SCALE")),
    Exercise("02.4", "predict", "which optimiser adapts its steps",
             choice("adam", ["sgd", "adam"],
                    explain="Adam divides each gradient by the root of its running squared average; "
                            "SGD uses lr × gradient for all.",
                    hints={"sgd": "SGD moves every parameter by the same lr times its gradient: "
                                  "which one keeps statistics of each gradient?"}),
             giveaways=lambda: ["adam"], wrong_answers=("answer_4 = 'sgd'",)),
)

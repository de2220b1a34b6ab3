"""Lesson 04's exercises: backward passes, checked by gradient checks."""
from __future__ import annotations

from typing import Any

import numpy as np

from .core import Exercise, Verdict, register, right, unanswered, wrong
from .judges import number, number_giveaways


def _tanh_backward(layer_cls: Any) -> Verdict:
    """A scratch layer class whose ``backward`` must pass the gradient check for tanh."""
    from ..gradcheck import check_layer
    x = np.random.default_rng(0).standard_normal((6, 4))
    try:
        layer = layer_cls()
        if not np.allclose(layer.forward(x), np.tanh(x)):
            return wrong("forward must return np.tanh(x).")
        grad = layer.backward(x, np.ones_like(x))
    except NotImplementedError:
        return unanswered("MyTanh.backward still raises NotImplementedError: fill it in.")
    if grad is None:
        return unanswered("MyTanh.backward still returns None: fill it in.")
    err = check_layer(layer_cls(), x)["input"]
    if err >= 1e-6:
        return wrong(f"relative error {err:.1e} against central differences: differentiate tanh, and "
                     f"multiply by grad_out.")
    return right(f"relative error {err:.1e} against central differences: d tanh/dx = 1 − tanh(x)².")


register(
    Exercise("04.1", "write", "write Tanh.backward", _tanh_backward,
             wrong_answers=("class MyTanh(scratch.Layer):\n"
                            "    def forward(self, x):\n"
                            "        return np.tanh(x)\n\n"
                            "    def backward(self, x, grad_out):\n"
                            "        return grad_out * (1 - np.tanh(x))\n",)),
    Exercise("04.2", "compute", "the sigmoid's steepest slope",
             number(0.25, explain="s(0) = 0.5, so s(1 − s) = 0.5 · 0.5 = 0.25.",
                    mistakes=[(lambda v, e: abs(v - 0.5) < 1e-3, "0.5 is the sigmoid's value at 0, not its slope.")]),
             giveaways=lambda: number_giveaways(0.25), wrong_answers=("answer_2 = 0.5",)),
    Exercise("04.3", "compute", "He initialisation's standard deviation",
             number(float(np.sqrt(2 / 64)), explain="He uses √(2 / fan_in) = √(2/64) ≈ 0.177.",
                    mistakes=[(lambda v, e: abs(v - 2 / 64) < 1e-6,
                               "that is the variance: the standard deviation is its root.")]),
             giveaways=lambda: number_giveaways(float(np.sqrt(2 / 64))), wrong_answers=("answer_3 = 2 / 64",)),
)

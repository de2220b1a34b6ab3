"""Lesson 01's exercises: the regression network and its training step."""
from __future__ import annotations

import math
from typing import Any

from .core import Exercise, Verdict, register, right, wrong
from .judges import code, number, number_giveaways, run, shape, shape_giveaways

WEIGHTS_ONLY = "you counted the weights; each layer also has one bias per output."


def param_count(cfg: list[int]) -> int:
    """Parameters of ``models.mlp(cfg)``: one weight matrix and one bias vector per layer."""
    return sum(a * b + b for a, b in zip(cfg[:-1], cfg[1:]))


def _train_step(train_step: Any) -> Verdict:
    """``train_step(net, optimizer, x, y) -> float`` must do one correct SGD step and return the loss.

    Two steps are compared with the reference loop (``zero_grad``, forward, loss, ``backward``,
    ``step``); a missing ``zero_grad`` shows up in the second step.
    """
    import torch

    from ..models import mlp
    from ..runtime import seeded
    x = torch.linspace(-1, 1, 16).unsqueeze(1)
    y = x.pow(2)
    with seeded(0):
        ref, mine = mlp([1, 5, 1]), mlp([1, 5, 1])
    mine.load_state_dict(ref.state_dict())
    opt_ref = torch.optim.SGD(ref.parameters(), lr=0.1)
    opt_mine = torch.optim.SGD(mine.parameters(), lr=0.1)
    for step in (1, 2):
        opt_ref.zero_grad()
        loss_ref = torch.nn.functional.mse_loss(ref(x), y)
        loss_ref.backward()
        opt_ref.step()
        got = run(train_step, mine, opt_mine, x, y, name="train_step")
        if not isinstance(got, (int, float)) or not math.isclose(float(got), loss_ref.item(), rel_tol=1e-5):
            return wrong(f"step {step} returned {got!r}: return the loss computed before the update, "
                         f"as a Python number (loss.item()).")
        if not all(torch.allclose(a, b, atol=1e-6) for a, b in zip(ref.parameters(), mine.parameters())):
            return wrong("the weights changed differently from the second step on: gradients add up unless "
                         "they are cleared before each backward()." if step == 2 else
                         "the weights after one step differ from one step of SGD: compute the gradients, "
                         "then let the optimizer take its step.")
    return right("zero_grad, forward, loss, backward, step: two steps match the reference loop.")


register(
    Exercise("01.1", "compute", "the shape of the output layer's weight",
             shape(lambda net: tuple(net[2].weight.shape), what="net[2].weight",
                   explain="Linear(10, 1) stores its weight as (out, in): one row per output unit."),
             giveaways=lambda net: shape_giveaways(tuple(net[2].weight.shape)),
             wrong_answers=("answer_1 = (10, 1)",), context=("net",)),
    Exercise("01.2", "compute", "count the parameters of the 1-10-1 net",
             number(param_count([1, 10, 1]), whole=True,
                    explain="1·10 + 10 + 10·1 + 1 = 31: two weight matrices and two bias vectors.",
                    mistakes=[(lambda v, e: v == 20, WEIGHTS_ONLY)]),
             giveaways=lambda: number_giveaways(param_count([1, 10, 1])),
             wrong_answers=("answer_2 = 20",)),
    Exercise("01.3", "write", "write the training step", code(lambda fn: _train_step(fn)),
             wrong_answers=("def train_step(net, optimizer, x, y):\n"
                            "    loss = torch.nn.functional.mse_loss(net(x), y)\n"
                            "    loss.backward()\n"
                            "    optimizer.step()\n"
                            "    return loss.item()\n",)),
)

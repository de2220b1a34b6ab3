"""Self-checks for the lessons' exercises.

Each check prints one line: ✅ right, ❌ not yet (and why), or ⏳ not answered yet. It returns
nothing, so a notebook cell shows just that line, and an unanswered exercise never fails a run.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def _result(ok: bool, right: str, wrong: str) -> None:
    print(("✅ Right: " + right) if ok else ("❌ Not yet: " + wrong))


def _unanswered(what: str) -> None:
    print(f"⏳ Not answered yet: {what}")
    return None


def count_params(cfg: Sequence[int]) -> int:
    """Parameters of ``models.mlp(cfg)``: one weight matrix and one bias vector per layer."""
    return sum(a * b + b for a, b in zip(cfg[:-1], cfg[1:]))


def check_value(answer: Any, expected: float, *, what: str, why: str, rtol: float = 1e-3) -> None:
    """A number within ``rtol`` of ``expected``."""
    if answer is None:
        return _unanswered(f"set the answer to {what}.")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return _result(False, "", f"{what} should be a number, got {answer!r}.")
    return _result(math.isclose(value, expected, rel_tol=rtol, abs_tol=1e-12),
                   f"{what} is {expected:g}. {why}", f"{value:g} is not {what}. {why}")


def check_param_count(cfg: Sequence[int], answer: Any) -> None:
    """The parameter count of the MLP built from ``cfg``."""
    if answer is None:
        return _unanswered(f"set the answer to the number of parameters of mlp({list(cfg)}).")
    expected = count_params(cfg)
    terms = " + ".join(f"{a}·{b}+{b}" for a, b in zip(cfg[:-1], cfg[1:]))
    if not isinstance(answer, (int, np.integer)) or isinstance(answer, bool):
        return _result(False, "", f"a parameter count is a whole number, got {answer!r}.")
    hint = ("each Linear(a, b) holds an (b, a) weight matrix and b biases"
            if answer != sum(a * b for a, b in zip(cfg[:-1], cfg[1:])) else
            "you counted the weights; each layer also has one bias per output")
    return _result(int(answer) == expected, f"{terms} = {expected:,}.", f"{answer:,} is not it: {hint}.")


def check_shape(answer: Any, expected: tuple[int, ...], *, what: str, why: str) -> None:
    """A shape given as a tuple (or ``torch.Size``)."""
    if answer is None:
        return _unanswered(f"set the answer to the shape of {what}, as a tuple.")
    try:
        got = tuple(int(v) for v in answer)
    except TypeError:
        return _result(False, "", f"a shape is a tuple of sizes such as (3, 2), got {answer!r}.")
    hint = " (you have it transposed)" if got == tuple(reversed(expected)) and got != expected else ""
    return _result(got == expected, f"{what} has shape {expected}. {why}",
                   f"{got} is not the shape of {what}{hint}. {why}")


def check_choice(answer: Any, expected: str, options: Sequence[str], *, why: str) -> None:
    """One of a few named options (case-insensitive)."""
    if answer is None:
        return _unanswered(f"set the answer to one of {', '.join(map(repr, options))}.")
    got = str(answer).strip().lower()
    if got not in [o.lower() for o in options]:
        return _result(False, "", f"{answer!r} is not one of {', '.join(map(repr, options))}.")
    return _result(got == expected.lower(), f"{expected}. {why}", f"not {answer!r}. {why}")


def check_train_step(train_step: Callable | None) -> None:
    """``train_step(net, optimizer, x, y) -> float`` must do one correct SGD step and return the loss.

    Two steps are compared with the reference loop (``zero_grad``, forward, loss, ``backward``,
    ``step``); a missing ``zero_grad`` shows up in the second step.
    """
    if train_step is None:
        return _unanswered("write train_step(net, optimizer, x, y) and pass it in.")
    unanswered = "train_step still returns None: fill in its body and return loss.item()."
    import torch

    from .models import mlp
    x = torch.linspace(-1, 1, 16).unsqueeze(1)
    y = x.pow(2)
    torch.manual_seed(0)
    ref, mine = mlp([1, 5, 1]), mlp([1, 5, 1])
    mine.load_state_dict(ref.state_dict())
    opt_ref = torch.optim.SGD(ref.parameters(), lr=0.1)
    opt_mine = torch.optim.SGD(mine.parameters(), lr=0.1)
    for step in (1, 2):
        opt_ref.zero_grad()
        loss_ref = torch.nn.functional.mse_loss(ref(x), y)
        loss_ref.backward()
        opt_ref.step()
        try:
            got = train_step(mine, opt_mine, x, y)
        except Exception as exc:  # the learner's code: report, don't crash
            return _result(False, "", f"train_step raised {type(exc).__name__}: {exc}")
        if got is None and step == 1:
            return _unanswered(unanswered)
        if got is None or not math.isclose(float(got), loss_ref.item(), rel_tol=1e-5):
            return _result(False, "", f"step {step} returned {got!r}, expected the loss before the "
                                      f"update, {loss_ref.item():.6f} (return loss.item()).")
        same = all(torch.allclose(a, b, atol=1e-6) for a, b in zip(ref.parameters(), mine.parameters()))
        if not same:
            why = ("the weights changed differently from the second step on: gradients add up unless "
                   "you call optimizer.zero_grad() before backward()" if step == 2 else
                   "the weights after one step differ: call loss.backward() then optimizer.step()")
            return _result(False, "", why + ".")
    return _result(True, "zero_grad, forward, loss, backward, step: two steps match the reference loop.", "")

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


def check_cfg(answer: Any, *, n_in: int, n_out: int, hidden: int, width: int) -> None:
    """A layer-size list with ``hidden`` hidden layers of ``width`` units between n_in and n_out."""
    if answer is None:
        return _unanswered(f"set the answer to a cfg list such as [{n_in}, 8, {n_out}].")
    from .models import check_cfg as valid_cfg
    try:
        cfg = valid_cfg(answer)
    except ValueError as exc:
        return _result(False, "", str(exc))
    expected = [n_in] + [width] * hidden + [n_out]
    if cfg[0] != n_in or cfg[-1] != n_out:
        return _result(False, "", f"the first size is the number of inputs ({n_in}) and the last the number "
                                  f"of outputs ({n_out}); yours are {cfg[0]} and {cfg[-1]}.")
    return _result(cfg == expected, f"{expected}: {hidden} hidden layers of {width}, "
                                    f"{sum(a * b + b for a, b in zip(expected[:-1], expected[1:])):,} parameters.",
                   f"{cfg} has {len(cfg) - 2} hidden layers of sizes {cfg[1:-1]}; the list counts the "
                   f"input and the output too.")


def check_accuracy_fn(accuracy: Callable | None) -> None:
    """``accuracy(logits (N, C), labels (N,)) -> float``, the fraction of rows whose top score is the label."""
    if accuracy is None:
        return _unanswered("write accuracy(logits, labels) and pass it in.")
    import torch
    gen = torch.Generator().manual_seed(0)
    logits, labels = torch.randn(200, 3, generator=gen), torch.randint(0, 3, (200,), generator=gen)
    expected = (logits.argmax(1) == labels).float().mean().item()
    try:
        got = accuracy(logits, labels)
    except Exception as exc:
        return _result(False, "", f"accuracy raised {type(exc).__name__}: {exc}")
    if got is None:
        return _unanswered("accuracy still returns None: fill in its body.")
    try:
        value = float(got)
    except (TypeError, ValueError):
        return _result(False, "", f"return one number (use .item()), got {type(got).__name__}.")
    if math.isclose(value, expected * 100, rel_tol=1e-4):
        return _result(False, "", "that is a percentage: return a fraction between 0 and 1.")
    return _result(math.isclose(value, expected, rel_tol=1e-5),
                   "the predicted class is the argmax of the scores; compare it with the labels and average.",
                   f"got {value:.4f} on a test batch where the answer is {expected:.4f}: predicted class = "
                   f"logits.argmax(dim=1), then (pred == labels).float().mean().")


def check_predict_fn(predict_fn: Callable | None, model: Any) -> None:
    """``predict_fn(X: ndarray (N, 2)) -> ndarray (N,)`` of the model's predicted classes."""
    if predict_fn is None:
        return _unanswered("write predict_fn(X) and pass it in.")
    import torch
    X = np.random.default_rng(0).normal(size=(100, 2)).astype(np.float32)
    with torch.no_grad():
        expected = model(torch.as_tensor(X)).argmax(1).numpy()
    try:
        got = predict_fn(X)
    except Exception as exc:
        return _result(False, "", f"predict_fn raised {type(exc).__name__}: {exc} (convert with torch.as_tensor).")
    if got is None:
        return _unanswered("predict_fn still returns None: fill in its body.")
    if isinstance(got, torch.Tensor):
        return _result(False, "", "return a NumPy array: end with .numpy() (after .detach() if needed).")
    got = np.asarray(got)
    if got.shape != expected.shape:
        return _result(False, "", f"return one class per point, shape {expected.shape}; got {got.shape} "
                                  f"(take argmax over dim 1).")
    return _result(bool((got == expected).all()), "NumPy in, tensor through the model, argmax, NumPy out.",
                   f"{int((got != expected).sum())} of 100 classes differ from the model's argmax.")


def check_tanh_backward(layer_cls: Any) -> None:
    """A scratch layer class whose ``backward`` must pass the gradient check for tanh."""
    if layer_cls is None:
        return _unanswered("write the MyTanh class and pass it in.")
    from .gradcheck import check_layer
    x = np.random.default_rng(0).standard_normal((6, 4))
    layer = layer_cls()
    try:
        out = layer.forward(x)
        if not np.allclose(out, np.tanh(x)):
            return _result(False, "", "forward must return np.tanh(x).")
        grad = layer.backward(x, np.ones_like(x))
    except NotImplementedError:
        return _unanswered("MyTanh.backward still raises NotImplementedError: fill it in.")
    except Exception as exc:
        return _result(False, "", f"{type(exc).__name__}: {exc}")
    if grad is None:
        return _unanswered("MyTanh.backward still returns None: fill it in.")
    err = check_layer(layer_cls(), x)["input"]
    return _result(err < 1e-6, f"relative error {err:.1e} against central differences: d tanh/dx = 1 − tanh(x)².",
                   f"relative error {err:.1e} against central differences; d tanh/dx = 1 − tanh(x)², "
                   f"times grad_out.")

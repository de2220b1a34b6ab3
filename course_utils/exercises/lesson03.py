"""Lesson 03's exercises: a classifier's logits, its accuracy and its predictions."""
from __future__ import annotations

import math
from typing import Any

from .core import Exercise, Verdict, register, right, wrong
from .judges import code, number, number_giveaways, run
from .lesson01 import WEIGHTS_ONLY, param_count


def _accuracy(accuracy: Any) -> Verdict:
    """``accuracy(logits (N, C), labels (N,)) -> float``, the fraction of rows whose top score is the label."""
    import torch
    gen = torch.Generator().manual_seed(0)
    logits, labels = torch.randn(200, 3, generator=gen), torch.randint(0, 3, (200,), generator=gen)
    expected = (logits.argmax(1) == labels).float().mean().item()
    got = run(accuracy, logits, labels, name="accuracy")
    try:
        value = float(got)
    except (TypeError, ValueError):
        return wrong(f"return one number (use .item()), not a {type(got).__name__}.")
    if math.isclose(value, expected * 100, rel_tol=1e-4):
        return wrong("that is a percentage: return a fraction between 0 and 1.")
    if not math.isclose(value, expected, rel_tol=1e-5):
        return wrong("on a test batch your fraction differs from the share of rows whose highest logit is "
                     "the label: which dimension holds the classes?")
    return right("the predicted class is the argmax of the scores; compare it with the labels and average.")


def _predict_fn(predict_fn: Any, net: Any) -> Verdict:
    """``predict_fn(X: ndarray (N, 2)) -> ndarray (N,)`` of the model's predicted classes."""
    import numpy as np
    import torch

    from ..train import predict
    X = np.random.default_rng(0).normal(size=(100, 2)).astype(np.float32)
    expected = predict(net, X).numpy()
    got = run(predict_fn, X, name="predict_fn")
    if isinstance(got, torch.Tensor):
        return wrong("return a NumPy array, not a tensor.")
    got = np.asarray(got)
    if got.shape != expected.shape:
        return wrong(f"return one class per point, shape {expected.shape}; got {got.shape}.")
    if not (got == expected).all():
        return wrong(f"{int((got != expected).sum())} of 100 classes differ from the class with the highest logit.")
    return right("NumPy in, tensor through the model, argmax, NumPy out.")


register(
    Exercise("03.1", "compute", "count the 2-4-2 net's parameters",
             number(param_count([2, 4, 2]), whole=True, explain="2·4 + 4 + 4·2 + 2 = 22.",
                    mistakes=[(lambda v, e: v == 16, WEIGHTS_ONLY)]),
             giveaways=lambda: number_giveaways(param_count([2, 4, 2])), wrong_answers=("answer_1 = 16",)),
    Exercise("03.2", "write", "accuracy from logits", code(_accuracy),
             wrong_answers=("def accuracy(logits, labels):\n"
                            "    return 100 * (logits.argmax(dim=1) == labels).float().mean().item()\n",)),
    Exercise("03.3", "write", "a predict_fn of your own", code(_predict_fn), context=("net",),
             wrong_answers=("def predict_fn(points):\n"
                            "    return net(torch.as_tensor(points, dtype=torch.float32)).argmax(dim=1)\n",)),
)

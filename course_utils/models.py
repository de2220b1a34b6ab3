"""One model builder from a layer-size list, a parameter summary, and running a model outside training.

Predictions follow scikit-learn's names: :func:`outputs` are a model's raw scores (logits, or
regression values), :func:`predict` gives class labels and :func:`predict_proba` class probabilities.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from torch import nn

from .i18n import _

__all__ = ["ACTIVATIONS", "ParamSummary", "check_activation", "check_cfg", "check_dropout", "device_of", "evaluating",
           "mlp", "n_params", "outputs", "predict", "predict_proba", "summary"]

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "leaky_relu": nn.LeakyReLU,
}


def check_cfg(cfg: Sequence[int]) -> list[int]:
    """Return ``cfg`` as a list of ints, or raise a ``ValueError`` that names the bad entry."""
    example = _("e.g. [1, 10, 1] for one input, 10 hidden units and one output")
    if isinstance(cfg, (str, bytes)) or not isinstance(cfg, Sequence):
        raise ValueError(_("cfg must be a list of layer sizes, {example}; got {cfg!r}.", example=_(example), cfg=cfg))
    if len(cfg) < 2:
        raise ValueError(
            _("cfg needs at least 2 sizes (inputs and outputs), {example}; got {list_cfg!r}.",
              example=_(example), list_cfg=list(cfg)))
    sizes = []
    for i, size in enumerate(cfg):
        if isinstance(size, bool) or not isinstance(size, Integral):
            raise ValueError(
                _("cfg[{i}] is {size!r} ({name}): every layer size must be a whole number of at least 1, {example}.",
                  i=i, size=size, name=type(size).__name__, example=_(example)))
        if size < 1:
            raise ValueError(
                _("cfg[{i}] is {size}: every layer size must be at least 1, {example}.",
                  i=i, size=size, example=_(example)))
        sizes.append(int(size))
    return sizes


def check_activation(activation: str) -> type[nn.Module]:
    """The ``nn.Module`` class for an activation name, or a one-sentence ``ValueError``."""
    if not isinstance(activation, str) or activation.lower() not in ACTIVATIONS:
        raise ValueError(
            _("activation {activation!r} is unknown: use one of {sorted_activations}.",
              activation=activation, sorted_activations=', '.join(sorted(ACTIVATIONS))))
    return ACTIVATIONS[activation.lower()]


def check_dropout(p: float) -> float:
    """``p`` as a float in [0, 1), or a one-sentence ``ValueError``."""
    if isinstance(p, bool) or not isinstance(p, Real) or not 0 <= p < 1:
        raise ValueError(_("dropout must be a probability from 0 (off) up to but not including 1, such as 0.2; got "
                           "{p!r}.", p=p))
    return float(p)


def mlp(cfg: Sequence[int], activation: str = "relu", *, dropout: float = 0.0, flatten: bool = False,
        bias: bool = True) -> nn.Sequential:
    """A multilayer perceptron from a layer-size list.

    ``mlp([1, 10, 1])`` is ``Linear(1, 10), ReLU, Linear(10, 1)``: one ``Linear`` per pair of
    neighbouring sizes, the activation after every hidden layer and none after the last (it
    outputs raw scores). ``dropout=p`` adds ``Dropout(p)`` after every hidden activation (active
    in ``model.train()``, off in ``model.eval()``); ``flatten=True`` puts an ``nn.Flatten`` first,
    for image batches.
    """
    sizes, act, p = check_cfg(cfg), check_activation(activation), check_dropout(dropout)
    layers: list[nn.Module] = [nn.Flatten()] if flatten else []
    for n_in, n_out in zip(sizes[:-2], sizes[1:-1]):  # the hidden layers
        layers += [nn.Linear(n_in, n_out, bias=bias), act()]
        if p > 0:
            layers.append(nn.Dropout(p))
    layers.append(nn.Linear(sizes[-2], sizes[-1], bias=bias))  # the output layer: raw scores
    return nn.Sequential(*layers)


@contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Eval mode and no gradients inside the block; the model's own mode comes back after, even on error.

    ``with evaluating(net): out = net(X)`` is how every helper of the package runs a model
    outside training (dropout off, nothing recorded for ``backward``).
    """
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            yield model
    finally:
        model.train(was_training)


def device_of(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (the CPU for a model without parameters)."""
    param = next(model.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


def n_params(model: nn.Module, trainable_only: bool = True) -> int:
    """The number of (trainable) parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


@dataclass
class ParamSummary:
    """Rows of ``(layer, weight shape, bias shape, count)`` and the total; prints as a table."""

    rows: list[tuple[str, tuple[int, ...] | None, tuple[int, ...] | None, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r[3] for r in self.rows)

    def __str__(self) -> str:
        def fmt(shape: tuple[int, ...] | None) -> str:
            return "-" if shape is None else str(shape)
        head = ("layer", "weight", "bias", "params")
        body = [(name, fmt(w), fmt(b), f"{n:,}") for name, w, b, n in self.rows]
        foot = ("total", "", "", f"{self.total:,}")
        widths = [max(len(r[i]) for r in [head, *body, foot]) for i in range(4)]

        def line(r: tuple[str, ...]) -> str:
            return "  ".join([r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].ljust(widths[2]),
                              r[3].rjust(widths[3])])
        rule = "-" * len(line(head))
        return "\n".join([line(head), rule, *map(line, body), rule, line(foot)])

    __repr__ = __str__


def summary(model: nn.Module) -> ParamSummary:
    """Every module that owns parameters, with its weight and bias shapes and parameter count."""
    rows = []
    for name, module in model.named_modules():
        own = dict(module.named_parameters(recurse=False))
        if not own:
            continue
        w, b = own.get("weight"), own.get("bias")
        label = f"{name} ({type(module).__name__})" if name else type(module).__name__
        rows.append((label, tuple(w.shape) if w is not None else None,
                     tuple(b.shape) if b is not None else None, sum(p.numel() for p in own.values())))
    return ParamSummary(rows)


def _as_tensor(a: Any, name: str) -> torch.Tensor:
    if isinstance(a, torch.Tensor):
        return a
    if isinstance(a, (np.ndarray, list, tuple)):
        arr = np.asarray(a)
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        return torch.as_tensor(arr)
    raise TypeError(_("{name} must be a torch tensor or a NumPy array, not {name2}.",
                      name=name, name2=type(a).__name__))


def _for_model(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """``X`` on the model's device, with the model's float dtype."""
    param = next(model.parameters(), None)
    if param is None:
        return X
    return X.to(param.device, param.dtype if X.is_floating_point() else X.dtype)


def _labels(out: torch.Tensor) -> torch.Tensor:
    """Class labels from raw outputs: the highest score, or a single logit above 0."""
    if out.ndim != 2:
        raise ValueError(_("a classifier outputs one row of scores per example, shape (N, classes); got "
                           "{tuple_out}.", tuple_out=tuple(out.shape)))
    return (out[:, 0] > 0).long() if out.shape[1] == 1 else out.argmax(dim=1)


def outputs(model: nn.Module, X: Any, batch_size: int = 8192) -> torch.Tensor:
    """The model's raw outputs (logits, or regression values) for X: ``(N, outputs)`` on the CPU.

    Runs in eval mode without gradients, in batches, on the model's device; X is a tensor or a
    NumPy array of shape ``(N, features)``.
    """
    X = _as_tensor(X, "X")
    if X.ndim == 0 or len(X) == 0:
        raise ValueError(_("X has shape {tuple_x}: give at least one example, one row per example.",
                           tuple_x=tuple(X.shape)))
    with evaluating(model):
        return torch.cat([model(_for_model(model, xb)).cpu() for xb in X.split(batch_size)])


def predict(model: nn.Module, X: Any, batch_size: int = 8192) -> torch.Tensor:
    """Class labels ``(N,)``, as scikit-learn's ``predict``: the class with the highest score."""
    return _labels(outputs(model, X, batch_size))


def predict_proba(model: nn.Module, X: Any, batch_size: int = 8192) -> torch.Tensor:
    """Class probabilities ``(N, classes)``, as scikit-learn's ``predict_proba``.

    The softmax of the logits; a single logit column ``z`` gives ``[1 − σ(z), σ(z)]``.
    """
    out = outputs(model, X, batch_size)
    _labels(out)  # the same shape rules as predict
    if out.shape[1] == 1:
        p = torch.sigmoid(out)
        return torch.cat([1 - p, p], dim=1)
    return out.softmax(dim=1)

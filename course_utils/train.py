"""Training loops that return a ``History``; printing, progress bars and plots are callbacks.

Vocabulary, the same across the package: ``epochs`` counts passes over the training set (with
full-batch training an epoch is one step); ``batch_size`` is a whole number, or ``None`` for the
full batch; ``weight_decay`` is the L2 penalty. Running a trained model (``outputs``, ``predict``,
``predict_proba``) is in :mod:`course_utils.models`.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import torch
from torch import nn

from .i18n import _
from .models import _as_tensor, _for_model, _labels, device_of, evaluating
from .validate import whole

__all__ = ["CLASSIFICATION", "LOSSES", "OPTIMIZERS", "SCHEDULES", "Callback", "EarlyStopping", "History",
           "PrintEvery", "ProgressBar", "TrainingDiverged", "check_data", "evaluate", "fit", "make_optimizer",
           "make_scheduler"]

LOSSES: dict[str, Callable[[], nn.Module]] = {
    "mse": nn.MSELoss,
    "cross_entropy": nn.CrossEntropyLoss,
    "bce": nn.BCEWithLogitsLoss,
}
CLASSIFICATION = ("cross_entropy", "bce")
OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("onecycle", "cosine")


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; ``.history`` holds everything recorded before that."""

    def __init__(self, message: str, history: History):
        super().__init__(message)
        self.history = history


@dataclass
class History:
    """What a training run recorded.

    ``epoch``, ``loss``, ``time`` and ``lr`` have one entry per epoch: the mean training loss,
    the training seconds so far (evaluation and callbacks excluded) and the learning rate the
    epoch started with. ``wall_time`` is the wall-clock seconds of the ``fit`` calls themselves
    (input checks, evaluation and callbacks included), to compare with ``train_time``.
    ``metrics`` holds the periodic evaluations, aligned with ``metrics["epoch"]``, e.g.
    ``metrics["val_acc"]``; ``metric_names`` lists the ones the last ``fit`` records.
    """

    epoch: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    lr: list[float] = field(default_factory=list)
    wall_time: float = 0.0
    metric_names: tuple[str, ...] = ()

    @property
    def epochs(self) -> int:
        return len(self.epoch)

    @property
    def final_loss(self) -> float:
        if not self.loss:
            raise ValueError(_("this History is empty: train for at least one epoch first."))
        return self.loss[-1]

    @property
    def train_time(self) -> float:
        return self.time[-1] if self.time else 0.0

    def series(self, key: str) -> tuple[list[int], list[float]]:
        """``(epochs, values)`` of ``"loss"`` or of a recorded metric such as ``"val_acc"``."""
        if key == "loss":
            return self.epoch, self.loss
        if not self.metrics.get(key):
            known = ", ".join(k for k in self.metrics if k != "epoch") or "none yet"
            raise KeyError(_("no metric {key!r} was recorded; recorded: {known}.", key=key, known=known))
        return self.metrics["epoch"], self.metrics[key]

    def last(self, key: str) -> float:
        """The latest value of ``"loss"`` or of a metric such as ``"val_acc"``."""
        return self.series(key)[1][-1] if key != "loss" else self.final_loss

    def time_to(self, key: str, target: float, higher_is_better: bool | None = None) -> float | None:
        """Training seconds until ``key`` first reached ``target`` (``None`` if it never did)."""
        if higher_is_better is None:
            higher_is_better = not key.endswith("loss")
        for ep, v in zip(*self.series(key)):
            if (v >= target) if higher_is_better else (v <= target):
                return self.time[self.epoch.index(ep)]
        return None

    def _record_metrics(self, epoch: int, values: dict[str, float]) -> None:
        self.metrics.setdefault("epoch", []).append(epoch)
        for k, v in values.items():
            self.metrics.setdefault(k, []).append(v)

    def __repr__(self) -> str:
        if not self.loss:
            return "History(empty)"
        extra = "".join(f", {k}={v[-1]:.4g}" for k, v in self.metrics.items() if k != "epoch" and v)
        return (f"History(epochs={self.epochs}, loss={self.final_loss:.4g}{extra}, "
                f"train_time={self.train_time:.2f}s)")


class Callback:
    """Hooks called by :func:`fit`. ``on_epoch_end`` may return ``True`` to stop training."""

    def on_train_begin(self, model: nn.Module, history: History) -> None:
        """Called once, before the first epoch."""

    def on_epoch_end(self, model: nn.Module, history: History) -> bool | None:
        """Called after every epoch, once its loss (and any evaluation) is recorded."""
        return None

    def on_train_end(self, model: nn.Module, history: History) -> None:
        """Called once at the end, also when training stopped early or raised."""


def _fresh(history: History, key: str) -> float | None:
    """The value of ``key`` recorded at the latest epoch, or None if it was not evaluated then."""
    if key == "loss":
        return history.loss[-1]
    m = history.metrics
    if m.get("epoch") and m["epoch"][-1] == history.epoch[-1] and key in m:
        return m[key][-1]
    return None


class PrintEvery(Callback):
    """Print the training loss (and the metrics evaluated that epoch) every ``n`` epochs."""

    def __init__(self, n: int, unit: str = "epoch"):
        self.n, self.unit = whole("n", n), unit

    def on_epoch_end(self, model: nn.Module, history: History) -> None:
        ep = history.epoch[-1]
        if ep % self.n == 0:
            fresh = {k: _fresh(history, k) for k in history.metrics if k != "epoch"}
            extra = "".join(f"  {k} {v:.4f}" for k, v in fresh.items() if v is not None)
            print(f"{self.unit} {ep:>6}  loss {history.loss[-1]:.5f}{extra}")


class ProgressBar(Callback):
    """A ``tqdm.auto`` progress bar over epochs, showing the loss and the latest metrics."""

    def __init__(self, desc: str = "training", total: int | None = None):
        self.desc, self.total, self.bar = desc, total, None

    def on_train_begin(self, model: nn.Module, history: History) -> None:
        from tqdm.auto import tqdm
        self.bar = tqdm(total=self.total, desc=self.desc, unit="epoch", leave=True)

    def on_epoch_end(self, model: nn.Module, history: History) -> None:
        post = {"loss": f"{history.loss[-1]:.4f}"}
        post.update({k: f"{v[-1]:.4f}" for k, v in history.metrics.items() if k != "epoch" and v})
        self.bar.set_postfix(post, refresh=False)
        self.bar.update(1)

    def on_train_end(self, model: nn.Module, history: History) -> None:
        if self.bar is not None:
            self.bar.close()


class EarlyStopping(Callback):
    """Stop once ``monitor`` has not improved for ``patience`` epochs; then put the best weights back.

    ``monitor`` is ``"loss"`` or a metric ``fit`` records, such as ``"val_loss"`` (lower is
    better) or ``"val_acc"`` (higher is better: any name not ending in ``loss``). An improvement
    must beat the best value by more than ``min_delta``. Afterwards ``best``, ``best_epoch`` and
    ``stopped_epoch`` (``None`` when training ran to the end) say what happened.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 restore_best: bool = True):
        self.monitor, self.patience = monitor, whole("patience", patience)
        self.min_delta, self.restore_best = float(min_delta), restore_best
        self.lower_is_better = monitor.endswith("loss")
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.stopped_epoch: int | None = None
        self._state: dict[str, torch.Tensor] | None = None

    def on_train_begin(self, model: nn.Module, history: History) -> None:
        if self.monitor != "loss" and self.monitor not in history.metric_names:
            recorded = ", ".join(("loss", *history.metric_names))
            raise ValueError(_("EarlyStopping watches {monitor!r}, but this fit records only {recorded}: pass "
                               "val=(X_val, y_val) to fit, or watch one of those.",
                               monitor=self.monitor, recorded=recorded))
        self.best = self.best_epoch = self.stopped_epoch = self._state = None

    def _improved(self, value: float) -> bool:
        if self.best is None:
            return True
        return value < self.best - self.min_delta if self.lower_is_better else value > self.best + self.min_delta

    def on_epoch_end(self, model: nn.Module, history: History) -> bool | None:
        value, epoch = _fresh(history, self.monitor), history.epoch[-1]
        if value is not None and self._improved(value):
            self.best, self.best_epoch = value, epoch
            if self.restore_best:
                self._state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        elif self.best_epoch is not None and epoch - self.best_epoch >= self.patience:
            self.stopped_epoch = epoch
            return True
        return None

    def on_train_end(self, model: nn.Module, history: History) -> None:
        if self.restore_best and self._state is not None:
            model.load_state_dict(self._state)


def batches(n: int, batch_size: int, *, generator: torch.Generator | None = None) -> Iterator[torch.Tensor]:
    """Shuffled index batches over ``n`` examples (the last one may be smaller)."""
    yield from torch.randperm(n, generator=generator).split(batch_size)


def _loss_fn(loss: str | Callable) -> tuple[Callable, str]:
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(_("loss {loss!r} is unknown: use one of {losses}, or pass a function.",
                               loss=loss, losses=', '.join(LOSSES)))
        return LOSSES[loss](), loss
    for name, cls in LOSSES.items():
        if isinstance(loss, cls):
            return loss, name
    if callable(loss):
        return loss, "custom"
    raise TypeError(_("loss must be a name ({losses}) or a function, not {loss!r}.",
                      losses=', '.join(LOSSES), loss=loss))


def _check_rows(X: torch.Tensor, y: torch.Tensor, where: str) -> None:
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(_("X and y{where} must have one row per example, not be single numbers.", where=where))
    if len(X) != len(y):
        raise ValueError(_("X has {n_x} rows but y has {n_y}{where}: they need one row per example each.",
                           n_x=len(X), n_y=len(y), where=where))
    if len(X) == 0:
        raise ValueError(_("the data set{where} is empty: there is nothing to train on.", where=where))
    for name, t in (("X", X), ("y", y)):
        bad = _nonfinite_rows(t)
        if len(bad):
            raise ValueError(_("{name}{where} contains NaN or infinite values in {n_bad} rows (the first is row "
                               "{bad}): clean or drop them first.",
                               name=name, where=where, n_bad=len(bad), bad=int(bad[0])))


def _nonfinite_rows(t: torch.Tensor) -> torch.Tensor:
    """Indices of the rows of ``t`` that hold a NaN or an infinity (empty for integer tensors).

    The fast path is one reduction: a sum is finite only if every entry is (or, rarely, when finite values
    overflow it); only then are the rows searched, entry by entry.
    """
    if not t.is_floating_point() or bool(t.sum().isfinite()):
        return t.new_empty(0, dtype=torch.long)
    return (~torch.isfinite(t)).reshape(len(t), -1).any(dim=1).nonzero()[:, 0]


def _check_dtypes(X: torch.Tensor, y: torch.Tensor, kind: str, where: str) -> None:
    if not X.is_floating_point():
        raise TypeError(_("X{where} has dtype {dtype}, but a network needs floats: use X.float().",
                          where=where, dtype=X.dtype))
    if kind == "cross_entropy" and (y.is_floating_point() or y.dtype == torch.bool):
        raise TypeError(_("cross_entropy needs integer class labels (torch.long), but y{where} has dtype {dtype}: "
                          "use y.long().", where=where, dtype=y.dtype))
    if kind in ("mse", "bce") and not y.is_floating_point():
        raise TypeError(_("the {kind} loss needs float targets, but y{where} has dtype {dtype}: use y.float().",
                          kind=kind, where=where, dtype=y.dtype))


def _check_outputs(model: nn.Module, X: torch.Tensor, y: torch.Tensor, kind: str, where: str) -> None:
    """One forward pass on two examples: the model takes X, and its outputs fit y and the loss."""
    try:
        with evaluating(model):
            out = model(X[:2])
    except RuntimeError as exc:
        first = next((m for m in model.modules() if isinstance(m, nn.Linear)), None)
        expects = (_(" (its first layer expects {in_features} features)", in_features=first.in_features)
                   if first is not None else "")
        raise ValueError(_("the model cannot take X of shape {tuple_x}{expects}: {exc}",
                           tuple_x=tuple(X.shape), expects=expects, exc=str(exc).splitlines()[0])) from None
    if kind == "cross_entropy":
        if out.ndim != 2:
            raise ValueError(_("cross_entropy needs model outputs of shape (N, classes), got {tuple_out}.",
                               tuple_out=tuple(out.shape)))
        if y.ndim != 1:
            raise ValueError(_("cross_entropy needs y of shape (N,) with one class index per row, got {tuple_y}: "
                               "use y.view(-1).", tuple_y=tuple(y.shape)))
        lo, hi = int(y.min()), int(y.max())
        if lo < 0 or hi >= out.shape[1]:
            raise ValueError(_("labels run from {lo} to {hi}, but the model outputs {shape} scores (classes 0 to "
                               "{out}): make its last layer size {hi2}.",
                               lo=lo, hi=hi, shape=out.shape[1], out=out.shape[1] - 1, hi2=hi + 1))
    elif kind in ("mse", "bce") and tuple(out.shape[1:]) != tuple(y.shape[1:]):
        raise ValueError(_("the model outputs shape {out} but y has shape {y}: make them match (e.g. y.view(-1, "
                           "1)), or the loss would silently broadcast.",
                           out=('N', *out.shape[1:]), y=('N', *y.shape[1:])))


def check_data(model: nn.Module, X: torch.Tensor, y: torch.Tensor, kind: str, name: str = "") -> None:
    """Raise a one-sentence ``ValueError``/``TypeError`` when X, y and the model cannot train together."""
    where = _(" in {name}", name=name) if name else ""
    _check_rows(X, y, where)
    _check_dtypes(X, y, kind, where)
    _check_outputs(model, X, y, kind, where)


def evaluate(model: nn.Module, X: Any, y: Any, loss: str | Callable = "mse",
             batch_size: int = 8192) -> dict[str, float]:
    """Mean loss over ``(X, y)`` (``"loss"``), plus accuracy (``"acc"``) for classification losses.

    The loss is averaged over examples, so an uneven last batch counts as much as full ones.
    Runs in eval mode without gradients; X and y are tensors or NumPy arrays.
    """
    loss_fn, kind = _loss_fn(loss)
    X, y = _as_tensor(X, "X"), _as_tensor(y, "y")
    _check_rows(X, y, "")
    return _evaluate(model, X, y, loss_fn, kind, batch_size)


def _evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: Callable, kind: str,
              batch_size: int = 8192) -> dict[str, float]:
    total, correct = 0.0, 0
    with evaluating(model):
        for xb, yb in zip(X.split(batch_size), y.split(batch_size)):
            out = model(_for_model(model, xb))
            yb = yb.to(out.device)
            total += float(loss_fn(out, yb)) * len(xb)
            if kind == "cross_entropy":
                correct += int((_labels(out) == yb).sum())
            elif kind == "bce":
                correct += int((_labels(out) == (yb[:, 0] > 0.5).long()).sum())
    result = {"loss": total / len(X)}
    if kind in CLASSIFICATION:
        result["acc"] = correct / len(X)
    return result


def make_optimizer(model: nn.Module, name: str, lr: float, momentum: float = 0.0,
                   weight_decay: float = 0.0) -> torch.optim.Optimizer:
    """``"sgd"``, ``"adam"`` or ``"adamw"`` over the model's parameters."""
    for what, value, ok in (("lr", lr, lambda v: v > 0), ("momentum", momentum, lambda v: 0 <= v < 1),
                            ("weight_decay", weight_decay, lambda v: v >= 0)):
        if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value) or not ok(value):
            example = {"lr": _("a positive number such as 0.1"), "momentum": _("a number from 0 up to 1, such as 0.9"),
                       "weight_decay": _("a number of at least 0, such as 1e-4")}[what]
            raise ValueError(_("{what} must be {example}, not {value!r}.", what=what, example=_(example), value=value))
    key = name.lower() if isinstance(name, str) else name
    if key == "sgd":
        return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    if key in ("adam", "adamw"):
        cls = torch.optim.Adam if key == "adam" else torch.optim.AdamW
        try:  # one fused kernel per step instead of a dozen passes over the parameters
            return cls(model.parameters(), lr=lr, weight_decay=weight_decay, fused=True)
        except (RuntimeError, TypeError, ValueError):  # a device or torch version without it
            return cls(model.parameters(), lr=lr, weight_decay=weight_decay)
    raise ValueError(_("optimizer {name!r} is unknown: use one of {optimizers}, or pass one.",
                       name=name, optimizers=', '.join(OPTIMIZERS)))


def make_scheduler(optimizer: torch.optim.Optimizer, schedule: Any, total_steps: int) -> Any:
    """The learning-rate schedule ``fit`` steps after every optimisation step.

    ``None``; ``"onecycle"`` (warm up to the optimizer's rate over the first 30 % of the steps,
    then anneal to almost 0); ``"cosine"`` (anneal from it); or a torch scheduler, used as is.
    ``"onecycle"`` is PyTorch's ``OneCycleLR`` with its defaults, so it also cycles the momentum
    between 0.95 and 0.85 (SGD's ``momentum``, Adam's first beta), against the learning rate.
    """
    sched = torch.optim.lr_scheduler
    if schedule is None:
        return None
    if schedule == "onecycle":
        return sched.OneCycleLR(optimizer, max_lr=optimizer.param_groups[0]["lr"], total_steps=total_steps)
    if schedule == "cosine":
        return sched.CosineAnnealingLR(optimizer, T_max=total_steps)
    if isinstance(schedule, sched.LRScheduler):
        return schedule
    raise ValueError(_("schedule {schedule!r} is unknown: use None, {map_schedules} or a torch scheduler.",
                       schedule=schedule, map_schedules=', '.join(map(repr, SCHEDULES))))


def _make_step(model: nn.Module, opt: torch.optim.Optimizer, sched: Any, loss_fn: Callable
               ) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    def step(xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        """One training step: zero_grad, forward, loss, backward, update; returns the loss."""
        opt.zero_grad()
        batch_loss = loss_fn(model(xb), yb)
        batch_loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        return batch_loss.detach()
    return step


def _train_epoch(step: Callable, X: torch.Tensor, y: torch.Tensor, batch_size: int | None,
                 generator: torch.Generator | None) -> float:
    """One pass over (X, y): one full-batch step, or shuffled mini-batches. Returns the mean loss."""
    if batch_size is None:
        return step(X, y).item()
    total = torch.zeros((), device=X.device)
    for idx in batches(len(X), batch_size, generator=generator):
        total += step(X[idx], y[idx]) * len(idx)
    return total.item() / len(X)


def _accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor, kind: str, batch_size: int = 16384) -> float:
    """The share of rows of ``X`` (N, features) the model labels as ``y`` says: one pass in eval mode.

    Only what accuracy needs: no loss, no autograd (``inference_mode``), large batches, and the count kept
    on the device, so the pass waits for the device once, at the end.
    """
    correct = torch.zeros((), dtype=torch.long, device=X.device)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for xb, yb in zip(X.split(batch_size), y.split(batch_size)):
                out = model(_for_model(model, xb))
                truth = yb.to(out.device) if kind == "cross_entropy" else (yb[:, 0] > 0.5).long().to(out.device)
                correct += (_labels(out) == truth).sum().to(correct.device)
    finally:
        model.train(was_training)
    return int(correct) / len(X)


def _evaluate_epoch(model: nn.Module, data: tuple[torch.Tensor, torch.Tensor],
                    val: tuple[torch.Tensor, torch.Tensor] | None, loss_fn: Callable, kind: str
                    ) -> dict[str, float]:
    values: dict[str, float] = {}
    if kind in CLASSIFICATION:
        values["train_acc"] = _accuracy(model, *data, kind)
    if val is not None:
        values.update({f"val_{k}": v for k, v in _evaluate(model, *val, loss_fn, kind).items()})
    return values


def _prepare(model: nn.Module, X: Any, y: Any, kind: str, dev: torch.device, name: str = ""
             ) -> tuple[torch.Tensor, torch.Tensor]:
    X, y = _as_tensor(X, f"{name} X".strip()).to(dev), _as_tensor(y, f"{name} y".strip()).to(dev)
    check_data(model, X, y, kind, name)
    return X, y


def _stop_if_diverged(hist: History, full_batch: bool, steps_per_epoch: int) -> None:
    e, value = hist.epoch[-1], hist.loss[-1]
    if math.isfinite(value):
        return
    where = _("step {e}", e=e) if full_batch else _("epoch {e} (steps {first}-{last})", e=e,
                                                    first=(e - 1) * steps_per_epoch + 1, last=e * steps_per_epoch)
    raise TrainingDiverged(_("Training diverged: the loss became {value} at {where} with learning rate {lr:g}; "
                             "lower the learning rate (e.g. 10 times) and train again.",
                             value=value, where=where, lr=hist.lr[-1]), hist)


def fit(model: nn.Module, X: Any, y: Any, *, loss: str | Callable = "mse",
        optimizer: str | torch.optim.Optimizer = "sgd", lr: float = 0.1, momentum: float = 0.0,
        weight_decay: float = 0.0, epochs: int = 100, batch_size: int | None = None,
        schedule: Any = None, val: tuple[Any, Any] | None = None, eval_every: int | None = None,
        callbacks: Sequence[Callback] = (), seed: int | None = None,
        device: torch.device | str | None = None, history: History | None = None,
        train_acc_rows: int | None = 10_000) -> History:
    """Train ``model`` on ``(X, y)`` and return its :class:`History`.

    ``batch_size=None`` trains full-batch (one step per epoch); otherwise each epoch visits every
    example once in shuffled mini-batches (seeded by ``seed``). ``loss`` is ``"mse"``,
    ``"cross_entropy"``, ``"bce"`` (on logits) or a function; ``optimizer`` a name or an optimizer;
    ``schedule`` as in :func:`make_scheduler`. ``val=(X_val, y_val)`` is evaluated every
    ``eval_every`` epochs (default: every epoch with mini-batches, 100 times per run full-batch), as
    is the training accuracy for classification: on every k-th training row, at most ``train_acc_rows`` of
    them (a fixed sample, as cs231n's ``Solver`` does; ``None``: every row), so that on a large training set
    it costs a small part of an epoch. Pass ``history`` to continue a run. Raises
    :class:`TrainingDiverged` when the loss becomes NaN or infinite.
    """
    wall0 = time.perf_counter()
    epochs = whole("epochs", epochs)
    if batch_size is not None:
        batch_size = whole(_("batch_size (None for the full batch)"), batch_size)
    if val is not None and not (isinstance(val, (tuple, list)) and len(val) == 2):
        raise ValueError(_("val must be a pair (X_val, y_val), not {name}.", name=type(val).__name__))
    loss_fn, kind = _loss_fn(loss)
    dev = torch.device(device) if device is not None else device_of(model)
    model.to(dev)
    X, y = _prepare(model, X, y, kind, dev)
    val = _prepare(model, *val, kind, dev, "val") if val is not None else None
    if isinstance(optimizer, torch.optim.Optimizer):
        opt = optimizer
    elif isinstance(optimizer, str):
        opt = make_optimizer(model, optimizer, lr, momentum, weight_decay)
    else:
        raise TypeError(_("optimizer must be a name ({optimizers}) or a torch optimizer, not {optimizer!r}.",
                          optimizers=', '.join(OPTIMIZERS), optimizer=optimizer))
    full_batch = batch_size is None or batch_size >= len(X)
    steps_per_epoch = 1 if full_batch else math.ceil(len(X) / batch_size)
    step = _make_step(model, opt, make_scheduler(opt, schedule, epochs * steps_per_epoch), loss_fn)
    eval_every = whole("eval_every", eval_every) if eval_every is not None else (
        max(1, epochs // 100) if full_batch else 1)
    gen = torch.Generator().manual_seed(seed) if seed is not None else None
    every = 1 if train_acc_rows is None else math.ceil(len(X) / whole("train_acc_rows", train_acc_rows))

    hist = history if history is not None else History()
    hist.metric_names = (("train_acc",) if kind in CLASSIFICATION else ()) + (
        () if val is None else ("val_loss", "val_acc") if kind in CLASSIFICATION else ("val_loss",))
    start, t_offset, seconds = (hist.epoch[-1] if hist.epoch else 0), hist.train_time, 0.0
    callbacks = list(callbacks)
    for cb in callbacks:
        cb.on_train_begin(model, hist)
    model.train()
    try:
        for e in range(start + 1, start + epochs + 1):
            hist.lr.append(opt.param_groups[0]["lr"])  # the rate this epoch starts with
            t0 = time.perf_counter()
            hist.loss.append(_train_epoch(step, X, y, None if full_batch else batch_size, gen))
            seconds += time.perf_counter() - t0
            hist.epoch.append(e)
            hist.time.append(t_offset + seconds)
            _stop_if_diverged(hist, full_batch, steps_per_epoch)
            if hist.metric_names and ((e - start) % eval_every == 0 or e == start + epochs):
                hist._record_metrics(e, _evaluate_epoch(model, (X[::every], y[::every]), val, loss_fn, kind))
            answers = [bool(cb.on_epoch_end(model, hist)) for cb in callbacks]  # every callback sees every epoch
            if any(answers):
                break
    finally:
        hist.wall_time += time.perf_counter() - wall0
        for cb in callbacks:
            cb.on_train_end(model, hist)
    return hist

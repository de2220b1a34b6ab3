"""Training loops that return a ``History``; printing, progress bars and plots are callbacks."""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

LOSSES: dict[str, Callable[[], nn.Module]] = {
    "mse": nn.MSELoss,
    "cross_entropy": nn.CrossEntropyLoss,
    "bce": nn.BCEWithLogitsLoss,
}
OPTIMIZERS = ("sgd", "adam", "adamw")


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; ``.history`` holds everything recorded before that."""

    def __init__(self, message: str, history: "History"):
        super().__init__(message)
        self.history = history


@dataclass
class History:
    """What a training run recorded.

    ``epoch``, ``loss`` and ``time`` have one entry per epoch (with full-batch training an epoch
    is one step): the mean training loss and the training seconds elapsed so far (evaluation
    and callbacks excluded). ``metrics`` holds the periodic evaluations, aligned with ``metrics["epoch"]``,
    e.g. ``metrics["val_acc"]``.
    """

    epoch: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    time: list[float] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    lr: list[float] = field(default_factory=list)
    wall_time: float = 0.0

    @property
    def epochs(self) -> int:
        return len(self.epoch)

    @property
    def final_loss(self) -> float:
        if not self.loss:
            raise ValueError("this History is empty: train for at least one epoch first.")
        return self.loss[-1]

    @property
    def train_time(self) -> float:
        return self.time[-1] if self.time else 0.0

    def last(self, key: str) -> float:
        """The latest value of a metric such as ``"val_acc"``."""
        if key == "loss":
            return self.final_loss
        if not self.metrics.get(key):
            known = ", ".join(k for k in self.metrics if k != "epoch") or "none yet"
            raise KeyError(f"no metric {key!r} was recorded; recorded: {known}.")
        return self.metrics[key][-1]

    def time_to(self, key: str, target: float, higher_is_better: bool | None = None) -> float | None:
        """Training seconds until ``key`` first reached ``target`` (``None`` if it never did)."""
        if higher_is_better is None:
            higher_is_better = not key.endswith("loss")
        if key == "loss":
            epochs, values = self.epoch, self.loss
        else:
            epochs, values = self.metrics.get("epoch", []), self.metrics.get(key, [])
        for ep, v in zip(epochs, values):
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

    def on_train_begin(self, model: nn.Module, history: History) -> None:  # noqa: D102
        pass

    def on_epoch_end(self, model: nn.Module, history: History) -> bool | None:  # noqa: D102
        return None

    def on_train_end(self, model: nn.Module, history: History) -> None:  # noqa: D102
        pass


class PrintEvery(Callback):
    """Print the training loss (and the latest metrics) every ``n`` epochs."""

    def __init__(self, n: int, unit: str = "epoch"):
        self.n, self.unit = int(n), unit

    def on_epoch_end(self, model: nn.Module, history: History) -> None:
        ep = history.epoch[-1]
        if ep % self.n == 0:
            extra = "".join(f"  {k} {v[-1]:.4f}" for k, v in history.metrics.items()
                            if k != "epoch" and v and history.metrics["epoch"][-1] == ep)
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


def batches(n: int, batch_size: int, *, shuffle: bool = True,
            generator: torch.Generator | None = None) -> Iterator[torch.Tensor | slice]:
    """Index batches over ``n`` examples: shuffled index tensors, or slices when not shuffled."""
    if shuffle:
        perm = torch.randperm(n, generator=generator)
        for i in range(0, n, batch_size):
            yield perm[i:i + batch_size]
    else:
        for i in range(0, n, batch_size):
            yield slice(i, i + batch_size)


def _as_tensor(a: Any, name: str) -> torch.Tensor:
    if isinstance(a, torch.Tensor):
        return a
    if isinstance(a, (np.ndarray, list, tuple)):
        arr = np.asarray(a)
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        return torch.as_tensor(arr)
    raise TypeError(f"{name} must be a torch tensor or a NumPy array, not {type(a).__name__}.")


def _loss_fn(loss: str | Callable) -> tuple[Callable, str]:
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"loss {loss!r} is unknown: use one of {', '.join(LOSSES)}, or pass a function.")
        return LOSSES[loss](), loss
    if isinstance(loss, nn.CrossEntropyLoss):
        return loss, "cross_entropy"
    if isinstance(loss, nn.MSELoss):
        return loss, "mse"
    if isinstance(loss, nn.BCEWithLogitsLoss):
        return loss, "bce"
    if callable(loss):
        return loss, "custom"
    raise TypeError(f"loss must be a name ({', '.join(LOSSES)}) or a function, not {loss!r}.")


def check_data(model: nn.Module, X: torch.Tensor, y: torch.Tensor, kind: str, name: str = "") -> None:
    """Raise a one-sentence ``ValueError``/``TypeError`` when X, y and the model cannot train together."""
    where = f" in {name}" if name else ""
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y{where} must have one row per example, not be single numbers.")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}{where}: they need one row per example each.")
    if len(X) == 0:
        raise ValueError(f"the data set{where} is empty: there is nothing to train on.")
    if X.is_floating_point() and not torch.isfinite(X).all():
        bad = int((~torch.isfinite(X)).any(dim=tuple(range(1, X.ndim))).sum()) if X.ndim > 1 else int((~torch.isfinite(X)).sum())
        raise ValueError(f"X{where} contains NaN or infinite values in {bad} rows: clean or drop them first.")
    if y.is_floating_point() and not torch.isfinite(y).all():
        raise ValueError(f"y{where} contains NaN or infinite values: clean or drop them first.")
    if not X.is_floating_point():
        raise TypeError(f"X{where} has dtype {X.dtype}, but a network needs floats: use X.float().")
    if kind == "cross_entropy" and (y.is_floating_point() or y.dtype == torch.bool):
        raise TypeError(f"cross_entropy needs integer class labels (torch.long), but y{where} has dtype "
                        f"{y.dtype}: use y.long().")
    if kind in ("mse", "bce") and not y.is_floating_point():
        raise TypeError(f"the {kind} loss needs float targets, but y{where} has dtype {y.dtype}: use y.float().")
    # One forward pass on two examples checks that the model takes X and fits the loss.
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(X[:2])
    except RuntimeError as exc:
        first = next((m for m in model.modules() if isinstance(m, nn.Linear)), None)
        expects = f" (its first layer expects {first.in_features} features)" if first is not None else ""
        raise ValueError(f"the model cannot take X of shape {tuple(X.shape)}{expects}: "
                         f"{str(exc).splitlines()[0]}") from None
    finally:
        model.train(was_training)
    if kind == "cross_entropy":
        if out.ndim != 2:
            raise ValueError(f"cross_entropy needs model outputs of shape (N, classes), got {tuple(out.shape)}.")
        lo, hi = int(y.min()), int(y.max())
        if lo < 0 or hi >= out.shape[1]:
            raise ValueError(f"labels run from {lo} to {hi}, but the model outputs {out.shape[1]} scores "
                             f"(classes 0 to {out.shape[1] - 1}): make its last layer size {hi + 1}.")
        if y.ndim != 1:
            raise ValueError(f"cross_entropy needs y of shape (N,) with one class index per row, "
                             f"got {tuple(y.shape)}: use y.view(-1).")
    elif kind in ("mse", "bce") and tuple(out.shape[1:]) != tuple(y.shape[1:]):
        raise ValueError(f"the model outputs shape {('N', *out.shape[1:])} but y has shape "
                         f"{('N', *y.shape[1:])}: make them match (e.g. y.view(-1, 1)), or the loss "
                         f"would silently broadcast.")


def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss: str | Callable = "mse",
             batch_size: int = 8192) -> dict[str, float]:
    """Mean loss over ``(X, y)``, plus accuracy for classification losses."""
    loss_fn, kind = _loss_fn(loss)
    dev = next(model.parameters()).device
    was_training = model.training
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(X), batch_size):
            xb, yb = X[i:i + batch_size].to(dev), y[i:i + batch_size].to(dev)
            out = model(xb)
            total += float(loss_fn(out, yb)) * len(xb)
            if kind == "cross_entropy":
                correct += int((out.argmax(1) == yb).sum())
            elif kind == "bce":
                correct += int(((out > 0) == (yb > 0.5)).sum())
    model.train(was_training)
    result = {"loss": total / len(X)}
    if kind in ("cross_entropy", "bce"):
        result["acc"] = correct / len(X)
    return result


def predict(model: nn.Module, X: torch.Tensor, batch_size: int = 8192) -> torch.Tensor:
    """Model outputs for ``X`` (no gradients, eval mode), on the CPU."""
    dev = next(model.parameters()).device
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = torch.cat([model(X[i:i + batch_size].to(dev)).cpu() for i in range(0, len(X), batch_size)])
    model.train(was_training)
    return out


def make_optimizer(model: nn.Module, name: str, lr: float, momentum: float = 0.0,
                   weight_decay: float = 0.0) -> torch.optim.Optimizer:
    """``"sgd"``, ``"adam"`` or ``"adamw"`` over the model's parameters."""
    if not isinstance(lr, (int, float)) or not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr must be a positive number such as 0.1, not {lr!r}.")
    name = name.lower()
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, weight_decay=weight_decay)
    if name in ("adam", "adamw"):
        cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        try:  # one fused kernel per step instead of a dozen passes over the parameters
            return cls(model.parameters(), lr=lr, weight_decay=weight_decay, fused=True)
        except (RuntimeError, TypeError, ValueError):  # a device or torch version without it
            return cls(model.parameters(), lr=lr, weight_decay=weight_decay)
    raise ValueError(f"optimizer {name!r} is unknown: use one of {', '.join(OPTIMIZERS)}, or pass one.")


def fit(model: nn.Module, X: Any, y: Any, *, loss: str | Callable = "mse",
        optimizer: str | torch.optim.Optimizer = "sgd", lr: float = 0.1, momentum: float = 0.0,
        weight_decay: float = 0.0, epochs: int = 100, batch_size: int | None = None,
        schedule: str | None | Any = None, val: tuple[Any, Any] | None = None,
        eval_every: int | None = None, callbacks: Sequence[Callback] = (), seed: int | None = None,
        device: torch.device | str | None = None, history: History | None = None) -> History:
    """Train ``model`` on ``(X, y)`` and return its :class:`History`.

    ``batch_size=None`` trains full-batch (one step per epoch); otherwise each epoch visits every
    example once in shuffled mini-batches (seeded by ``seed``). ``loss`` is ``"mse"``,
    ``"cross_entropy"``, ``"bce"`` or a function; ``optimizer`` a name or an optimizer.
    ``schedule="onecycle"`` (or ``"cosine"``) sets the learning rate each step. ``val=(Xv, yv)``
    is evaluated every ``eval_every`` epochs (default: every epoch with mini-batches, 100 times
    per run full-batch), as is the training set for classification accuracy.
    Pass ``history`` to continue a previous run. Raises :class:`TrainingDiverged` when the loss
    becomes NaN or infinite.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a whole number of at least 1, not {epochs!r}.")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"batch_size must be None (full batch) or a whole number of at least 1, not {batch_size!r}.")
    loss_fn, kind = _loss_fn(loss)
    X, y = _as_tensor(X, "X"), _as_tensor(y, "y")
    dev = torch.device(device) if device is not None else next(model.parameters()).device
    model.to(dev)
    X, y = X.to(dev), y.to(dev)
    check_data(model, X, y, kind)
    if val is not None:
        Xv, yv = _as_tensor(val[0], "val X").to(dev), _as_tensor(val[1], "val y").to(dev)
        check_data(model, Xv, yv, kind, "val")
    if isinstance(optimizer, str):
        opt = make_optimizer(model, optimizer, lr, momentum, weight_decay)
    elif isinstance(optimizer, torch.optim.Optimizer):
        opt = optimizer
    else:
        raise TypeError(f"optimizer must be a name ({', '.join(OPTIMIZERS)}) or a torch optimizer, not {optimizer!r}.")

    n = len(X)
    full_batch = batch_size is None or batch_size >= n
    steps_per_epoch = 1 if full_batch else math.ceil(n / batch_size)
    if schedule is None:
        sched = None
    elif schedule == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=opt.param_groups[0]["lr"], total_steps=epochs * steps_per_epoch)
    elif schedule == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)
    elif hasattr(schedule, "step"):
        sched = schedule
    else:
        raise ValueError(f"schedule {schedule!r} is unknown: use None, 'onecycle', 'cosine' or a torch scheduler.")
    if eval_every is None:
        eval_every = max(1, epochs // 100) if full_batch else 1
    track = val is not None or kind in ("cross_entropy", "bce")
    gen = torch.Generator().manual_seed(seed) if seed is not None else None

    hist = history if history is not None else History()
    start_epoch = hist.epoch[-1] if hist.epoch else 0
    t_offset = hist.train_time
    callbacks = list(callbacks)
    for cb in callbacks:
        cb.on_train_begin(model, hist)

    wall0 = time.perf_counter()
    aside_seconds = 0.0
    def step(xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        """One training step: zero_grad, forward, loss, backward, update."""
        opt.zero_grad()
        batch_loss = loss_fn(model(xb), yb)
        batch_loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        return batch_loss.detach()

    model.train()
    try:
        for e in range(start_epoch + 1, start_epoch + epochs + 1):
            hist.lr.append(opt.param_groups[0]["lr"])  # the rate this epoch starts with
            if full_batch:
                epoch_loss = step(X, y).item()
            else:
                total = torch.zeros((), device=dev)
                for idx in batches(n, batch_size, generator=gen):
                    total += step(X[idx], y[idx]) * len(idx)
                epoch_loss = total.item() / n
            hist.epoch.append(e)
            hist.loss.append(epoch_loss)
            hist.time.append(t_offset + time.perf_counter() - wall0 - aside_seconds)
            if not math.isfinite(epoch_loss):
                where = f"step {e}" if full_batch else f"epoch {e} (steps {(e - 1) * steps_per_epoch + 1}-{e * steps_per_epoch})"
                raise TrainingDiverged(
                    f"Training diverged: the loss became {epoch_loss} at {where} with learning rate "
                    f"{hist.lr[-1]:g}; lower the learning rate (e.g. 10 times) and train again.",
                    hist)
            if track and ((e - start_epoch) % eval_every == 0 or e == start_epoch + epochs):
                t_eval = time.perf_counter()
                values: dict[str, float] = {}
                if kind in ("cross_entropy", "bce"):
                    values["train_acc"] = evaluate(model, X, y, loss_fn)["acc"]
                if val is not None:
                    for k, v in evaluate(model, Xv, yv, loss_fn).items():
                        values[f"val_{k}"] = v
                hist._record_metrics(e, values)
                model.train()
                aside_seconds += time.perf_counter() - t_eval
            if callbacks:
                t_cb = time.perf_counter()
                stop = False
                for cb in callbacks:
                    stop = bool(cb.on_epoch_end(model, hist)) or stop
                aside_seconds += time.perf_counter() - t_cb
                if stop:
                    break
    finally:
        hist.wall_time += time.perf_counter() - wall0
        for cb in callbacks:
            cb.on_train_end(model, hist)
    return hist

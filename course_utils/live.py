"""A live training plot: a :class:`~course_utils.train.Callback` that redraws on a wall clock.

In JupyterLab the figure animates while ``fit`` runs (at most ``fps`` redraws a second, never
one per step). It uses one display handle that is updated in place, so a headless run
(nbval, nbconvert) keeps exactly one static figure: the final state. Frames are blitted
(:class:`~course_utils.drawing.Blitter`): the axes, ticks and legends are drawn again only when a
view grows (:func:`~course_utils.drawing.grow_view`), so a frame costs a few milliseconds instead of tens.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from .drawing import Blitter, grow_view, legend_below
from .i18n import _
from .models import outputs
from .train import Callback, History

__all__ = ["LivePlot"]


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with jupyterlab
        return False
    ip = get_ipython()
    return ip is not None and hasattr(ip, "kernel")


class LivePlot(Callback):
    """Redraw the loss (and metrics, and a 1-D fit when ``x, y`` are given) while training.

    ``metrics`` names History entries: ``"loss"`` and keys of ``history.metrics`` such as
    ``"val_loss"`` or ``"val_acc"``; losses share a log-scale panel, accuracies another.
    ``xlabel`` names what the fit panel's x axis shows (e.g. ``"x / 10"`` for scaled inputs).
    Artists are updated in place; ``frames`` counts the redraws. ``every=k`` draws every k
    epochs instead (still at most ``fps`` a second): slow motion for runs shorter than a frame.
    """

    def __init__(self, x: Any = None, y: Any = None, *, metrics: Sequence[str] = ("loss",),
                 fps: float = 12.0, every: int | None = None, figsize: tuple[float, float] | None = None,
                 logy: bool = True, title: str | None = None, xlabel: str = "x"):
        if fps <= 0:
            raise ValueError(_("fps must be positive, not {fps!r}.", fps=fps))
        if every is not None and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
            raise ValueError(_("every must be None or a whole number of epochs of at least 1, not {every!r}.",
                               every=every))
        self.every = every
        self.metrics = list(metrics)
        self.interval = 1.0 / fps
        self.logy, self.title, self.xlabel = logy, title, xlabel
        self.x = None if x is None else torch.as_tensor(x).detach().float().reshape(-1, 1).cpu()
        self.y = None if y is None else torch.as_tensor(y).detach().float().reshape(-1).cpu()
        loss_keys = [m for m in self.metrics if m.endswith("loss")]
        acc_keys = [m for m in self.metrics if not m.endswith("loss")]
        self.panels = [k for k in (loss_keys, acc_keys) if k]
        n = len(self.panels) + (self.x is not None)
        self.fig = Figure(figsize=figsize or (4.2 * n, 3.2), dpi=90)
        self.canvas = FigureCanvasAgg(self.fig)
        self.axes = self.fig.subplots(1, n, squeeze=False)[0]
        self.frames = 0
        self.handle = None
        self._next = -np.inf
        self._lines: dict[str, Any] = {}
        self._fit_line = None
        self._build()

    def _build(self) -> None:
        axes = list(self.axes)
        if self.x is not None:
            ax = axes.pop(0)
            order = torch.argsort(self.x[:, 0])
            self._order = order
            ax.plot(self.x[:, 0].numpy(), self.y.numpy(), ".", ms=3, color="0.6", label="data")
            (self._fit_line,) = ax.plot([], [], lw=2, color="C3", label="model")
            ax.set_xlabel(self.xlabel)
            ax.set_ylabel("y")
            legend_below(ax)
            self._fit_ax = ax
            self._fit_view(self.y.numpy())
        for keys, ax in zip(self.panels, axes):
            for k in keys:
                (self._lines[k],) = ax.plot([], [], label=k)
            ax.set_xlabel("epoch")
            is_loss = keys[0].endswith("loss")
            ax.set_ylabel(("loss (log scale)" if self.logy else "loss") if is_loss else "accuracy")
            if is_loss and self.logy:
                ax.set_yscale("log")
                ax.yaxis.set_minor_formatter(NullFormatter())  # the view spans whole decades: label those only
            ax.set_xlim(0, 1)
            legend_below(ax)
        if self.title:
            self.fig.suptitle(self.title)
        self.fig.tight_layout()
        movers = [self._fit_line] if self._fit_line is not None else []
        self.blitter = Blitter(self.canvas, movers + list(self._lines.values()))

    def _fit_view(self, ys: np.ndarray) -> None:
        """y from the data's range and the curve's, with a 10 % margin; it changes only when the curve leaves it."""
        ys = ys[np.isfinite(ys)]
        lo, hi = float(np.min(ys, initial=float(self.y.min()))), float(np.max(ys, initial=float(self.y.max())))
        y0, y1 = self._fit_ax.get_ylim()
        if self._fit_ax.get_autoscaley_on() or lo < y0 or hi > y1:
            pad = 0.1 * (hi - lo + 1e-9)
            self._fit_ax.set_ylim(lo - pad, hi + pad)

    def _series(self, history: History, key: str) -> tuple[list, list]:
        if key == "loss":
            return history.epoch, history.loss
        return history.metrics.get("epoch", []), history.metrics.get(key, [])

    def draw(self, model: torch.nn.Module, history: History, final: bool = False) -> None:
        """Update every artist from ``history`` (and ``model`` for the fit curve).

        ``final=True`` (the end of training) ends the epoch axes at the last epoch: the picture that stays.
        """
        if self._fit_line is not None:
            xs = self.x[self._order]
            pred = outputs(model, xs).reshape(-1).numpy()
            self._fit_line.set_data(xs[:, 0].numpy(), pred)
            self._fit_view(pred)
        for keys, ax in zip(self.panels, self.axes[-len(self.panels):] if self.panels else []):
            for k in keys:
                xs, ys = self._series(history, k)
                self._lines[k].set_data(xs, ys)
            grow_view(ax, history.epochs)
            if final:
                ax.set_xlim(0, history.epochs)
        self.frames += 1
        if self.handle is not None:
            self.handle.update(self.image())

    def image(self) -> Any:
        """The figure as a PNG ``IPython.display.Image``."""
        from IPython.display import Image
        return Image(data=self.blitter.png(), format="png")

    def on_train_begin(self, model: torch.nn.Module, history: History) -> None:
        missing = [m for m in self.metrics if m != "loss" and m not in history.metric_names]
        if missing:
            raise ValueError(_("LivePlot: this run records no {map_missing} (it records {map_history}); validation "
                               "metrics need fit(..., val=(X_val, y_val)), accuracies a classification loss.",
                               map_missing=', '.join(map(repr, missing)),
                               map_history=', '.join(map(repr, ['loss', *history.metric_names]))))
        if _in_kernel() and self.handle is None:
            from IPython.display import display
            self.handle = display(self.image(), display_id=True)
        self._next = time.perf_counter() + self.interval

    def on_epoch_end(self, model: torch.nn.Module, history: History) -> None:
        now = time.perf_counter()
        if self.every is not None:
            if history.epoch[-1] % self.every:
                return
            if now < self._next:
                time.sleep(self._next - now)
            self._frame(model, history)
        elif now >= self._next:
            self._frame(model, history)

    def _frame(self, model: torch.nn.Module, history: History) -> None:
        # A wall-clock schedule: at most `fps` frames a second, and at most a third of the time
        # spent drawing (a slow figure lowers the frame rate, not the training speed).
        start = time.perf_counter()
        self.draw(model, history)
        end = time.perf_counter()
        self._next = max(start + self.interval, end + 2 * (end - start))

    def on_train_end(self, model: torch.nn.Module, history: History) -> None:
        if history.epochs:
            self.draw(model, history, final=True)

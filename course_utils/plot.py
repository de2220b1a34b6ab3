"""Plot helpers: each takes ``ax=None``, returns the axes (or figure) and leaves rcParams alone."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def _axes(ax: Axes | None, figsize: tuple[float, float] = (5, 3.5)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _to_numpy(a: Any) -> np.ndarray:
    if hasattr(a, "detach"):
        a = a.detach().cpu().numpy()
    return np.asarray(a)


def _is_torch_module(obj: Any) -> bool:
    return hasattr(obj, "parameters") and hasattr(obj, "forward") and callable(obj)


def _as_predict_fn(predict: Any) -> Callable[[np.ndarray], np.ndarray]:
    if _is_torch_module(predict):
        from .models import numpy_predictor
        return numpy_predictor(predict)
    if not callable(predict):
        raise TypeError(f"predict_fn must be a function or a torch model, not {type(predict).__name__}.")
    return lambda X: _to_numpy(predict(X))


def plot_loss(history: Any, ax: Axes | None = None, *, logy: bool = True, label: str | None = None,
              x: str = "epoch", **kwargs: Any) -> Axes:
    """Training loss per epoch from a ``History`` (or any sequence of losses)."""
    ax = _axes(ax)
    if hasattr(history, "loss"):
        ys, xs = history.loss, history.epoch
    else:
        ys = list(history)
        xs = list(range(1, len(ys) + 1))
    ax.plot(xs, ys, label=label, **kwargs)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel("loss")
    if label:
        ax.legend()
    return ax


def plot_fit(x: Any, y: Any, predict: Any = None, ax: Axes | None = None, *, label: str = "model",
             points: bool = True, **kwargs: Any) -> Axes:
    """Data points and a model curve for 1-D regression.

    ``predict`` is a torch model, a function of ``x`` (as an ``(N, 1)`` array), or an array of
    predictions aligned with ``x``.
    """
    ax = _axes(ax)
    xs = _to_numpy(x).reshape(-1)
    if points:
        ax.scatter(xs, _to_numpy(y).reshape(-1), s=8, color="0.55", label="data")
    if predict is not None:
        order = np.argsort(xs)
        if callable(predict):
            pred = _as_predict_fn(predict)(xs[order].reshape(-1, 1).astype(np.float32))
        else:
            pred = _to_numpy(predict).reshape(-1)[order]
        ax.plot(xs[order], np.asarray(pred).reshape(-1), lw=2, label=label, **kwargs)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="best")
    return ax


def grid_predictions(predict_fn: Any, X: Any, resolution: int = 200, pad: float = 0.5
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class labels predicted over a uniform grid covering ``X``: returns ``xx, yy, labels``."""
    X = _to_numpy(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"a decision boundary needs 2-D points, X of shape (N, 2); got {X.shape}.")
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.c_[xx.ravel(), yy.ravel()].astype(np.float32)
    out = np.asarray(_as_predict_fn(predict_fn)(grid))
    n = len(grid)
    if out.ndim == 2 and out.shape == (n, 1):
        labels = (out[:, 0] > (0.5 if out.min() >= 0 and out.max() <= 1 else 0)).astype(int)
    elif out.ndim == 2 and out.shape[0] == n:
        labels = out.argmax(axis=1)
    elif out.shape == (n,):
        labels = np.rint(out).astype(int)
    else:
        raise ValueError(f"predict_fn returned shape {out.shape} for {n} points: it must return one "
                         f"label per point (N,), or one score per class (N, classes).")
    return xx, yy, labels.reshape(xx.shape)


def plot_decision_boundary(predict_fn: Any, X: Any, y: Any = None, ax: Axes | None = None, *,
                           resolution: int = 200, pad: float = 0.5, alpha: float = 0.25,
                           point_size: float = 10, title: str | None = None) -> Axes:
    """Regions of the class ``predict_fn`` gives each point of the plane, and the points ``X, y``.

    ``predict_fn`` is a torch model or any function ``(N, 2) array -> labels (N,)`` or scores
    ``(N, classes)`` (a single column is read as a probability or a logit of class 1).
    """
    ax = _axes(ax, (4.5, 4))
    xx, yy, labels = grid_predictions(predict_fn, X, resolution, pad)
    X = _to_numpy(X)
    y_np = None if y is None else _to_numpy(y).reshape(-1).astype(int)
    n_classes = int(max(labels.max(), y_np.max() if y_np is not None else 0)) + 1
    cmap = ListedColormap(CLASS_COLORS[:max(n_classes, 2)])
    ax.contourf(xx, yy, labels, levels=np.arange(-0.5, n_classes + 0.5), cmap=cmap, alpha=alpha)
    if y_np is None:
        ax.scatter(X[:, 0], X[:, 1], c="k", s=point_size, edgecolors="white", linewidths=0.3)
    else:
        ax.scatter(X[:, 0], X[:, 1], c=y_np, cmap=cmap, s=point_size, vmin=-0.5,
                   vmax=max(n_classes, 2) - 0.5, edgecolors="white", linewidths=0.3)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def show_images(images: Any, labels: Sequence[Any] | None = None, preds: Sequence[Any] | None = None,
                *, ncols: int = 10, classes: Sequence[str] | None = None, axes: Any = None,
                size: float = 1.1) -> Figure:
    """A grid of grey images titled with their labels (and predictions, in red when wrong)."""
    imgs = _to_numpy(images)
    n = len(imgs)
    if n == 0:
        raise ValueError("show_images got no images to show.")
    side = int(round(np.sqrt(imgs[0].size)))
    imgs = imgs.reshape(n, side, side) if imgs[0].ndim == 1 else imgs.reshape(n, *imgs.shape[-2:])
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    if axes is None:
        fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, (size + 0.25) * nrows), squeeze=False)
    axes = np.asarray(axes).reshape(-1)
    fig = axes[0].figure

    def name(v: Any) -> str:
        v = int(v)
        return classes[v] if classes is not None else str(v)
    for i, ax in enumerate(axes):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(imgs[i], cmap="gray_r")
        if labels is not None and preds is not None:
            wrong = int(labels[i]) != int(preds[i])
            ax.set_title(f"{name(labels[i])}→{name(preds[i])}" if wrong else name(labels[i]),
                         fontsize=8, color="red" if wrong else "black")
        elif labels is not None:
            ax.set_title(name(labels[i]), fontsize=8)
    fig.tight_layout()
    return fig

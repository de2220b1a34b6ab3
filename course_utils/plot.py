"""Plot helpers. Each takes the data first, the model (if any) next and ``ax=None`` last; each
returns the axes it drew on and leaves matplotlib's global settings (rcParams) alone.

``model`` is a torch model or a function from an ``(N, D)`` NumPy array to predictions.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

from .i18n import _

__all__ = ["CLASS_COLORS", "grid_predictions", "plot_classes", "plot_decision_boundary", "plot_fit", "plot_loss",
           "show_images"]

CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def _axes(ax: Axes | None, figsize: tuple[float, float] = (5, 3.5)) -> Axes:
    if ax is None:
        _fig, ax = plt.subplots(figsize=figsize)
    return ax


def _to_numpy(a: Any) -> np.ndarray:
    if hasattr(a, "detach"):
        a = a.detach().cpu().numpy()
    return np.asarray(a)


def _is_torch_module(obj: Any) -> bool:
    import torch
    return isinstance(obj, torch.nn.Module)


def _outputs(model: Any, X: np.ndarray) -> np.ndarray:
    """What ``model`` returns for the points X, as a NumPy array."""
    if _is_torch_module(model):
        from .models import outputs
        return outputs(model, X).numpy()
    if not callable(model):
        raise TypeError(_("model must be a torch model or a function of a NumPy array, not {name}.",
                          name=type(model).__name__))
    return _to_numpy(model(X))


def plot_loss(history: Any, *, logy: bool = True, label: str | None = None, xlabel: str = "epoch",
              ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Training loss per epoch from a ``History`` (or any sequence of losses)."""
    ax = _axes(ax)
    if hasattr(history, "loss"):
        xs, ys = history.epoch, history.loss
    else:
        ys = list(history)
        xs = list(range(1, len(ys) + 1))
    ax.plot(xs, ys, label=label, **kwargs)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss (log scale)" if logy else "loss")
    if label:
        ax.legend()
    return ax


def plot_fit(x: Any, y: Any, model: Any = None, *, label: str = "model", points: bool = True,
             xlabel: str = "x", ylabel: str = "y", ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Data points and a model's curve for 1-D regression.

    ``model`` is a torch model, a function of ``x`` (as an ``(N, 1)`` array), or an array of
    predictions aligned with ``x``. ``xlabel`` names what the x axis shows (e.g. ``"x / 10"``).
    """
    ax = _axes(ax)
    xs = _to_numpy(x).reshape(-1)
    if points:
        ax.scatter(xs, _to_numpy(y).reshape(-1), s=8, color="0.55", label="data")
    if model is not None:
        order = np.argsort(xs)
        if callable(model):
            pred = _outputs(model, xs[order].reshape(-1, 1).astype(np.float32))
        else:
            pred = _to_numpy(model).reshape(-1)[order]
        ax.plot(xs[order], np.asarray(pred).reshape(-1), lw=2, label=label, **kwargs)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="best")
    return ax


def _as_labels(out: np.ndarray, n: int, threshold: float | None) -> np.ndarray:
    """Class labels (n,) from a model's answer: labels, one score column, or one score per class."""
    if out.shape == (n,) or (out.shape == (n, 1) and out.dtype.kind in "biu"):
        out = out.reshape(n)
        if out.dtype.kind == "f" and not np.all(out == np.round(out)):
            raise ValueError(_("the model returned one non-integer number per point: return class labels (N,), or "
                               "scores of shape (N, 1) with a threshold, or (N, classes)."))
        return out.astype(int)
    if out.shape == (n, 1):
        if threshold is None:
            raise ValueError(_("the model returned one score per point: pass threshold=0.5 if it is a probability, "
                               "or threshold=0 if it is a logit."))
        return (out[:, 0] > threshold).astype(int)
    if out.ndim == 2 and out.shape[0] == n:
        return out.argmax(axis=1)
    raise ValueError(_("the model returned shape {shape} for {n} points: it must return one label per point (N,), "
                       "or one score per class (N, classes).", shape=out.shape, n=n))


def grid_predictions(X: Any, model: Any, *, threshold: float | None = None, resolution: int = 200,
                     pad: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Class labels ``model`` predicts over a uniform grid covering ``X``: returns ``xx, yy, labels``.

    A single output column is class 1 where it exceeds ``threshold``; a torch model's outputs
    are logits (the course's convention), so its threshold defaults to 0.
    """
    X = _to_numpy(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(_("a decision boundary needs 2-D points, X of shape (N, 2); got {shape}.", shape=X.shape))
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.c_[xx.ravel(), yy.ravel()].astype(np.float32)
    if threshold is None and _is_torch_module(model):
        threshold = 0.0
    labels = _as_labels(np.asarray(_outputs(model, grid)), len(grid), threshold)
    return xx, yy, labels.reshape(xx.shape)


def _class_names(n: int, classes: Sequence[str] | None) -> list[str]:
    if classes is None:
        return [f"class {k}" for k in range(n)]
    if len(classes) < n:
        raise ValueError(_("classes names {n_classes} classes, but the labels run up to {n}.",
                           n_classes=len(classes), n=n - 1))
    return list(classes)


def plot_classes(X: Any, y: Any = None, *, classes: Sequence[str] | None = None, point_size: float = 10,
                 ax: Axes | None = None) -> Axes:
    """2-D points coloured by class, with a class legend outside the axes (it never covers data)."""
    ax = _axes(ax, (4.5, 4))
    X = _to_numpy(X)
    if y is None:
        ax.scatter(X[:, 0], X[:, 1], c="k", s=point_size, edgecolors="white", linewidths=0.3)
    else:
        y = _to_numpy(y).reshape(-1).astype(int)
        names = _class_names(int(y.max()) + 1, classes)
        for k in np.unique(y):
            ax.scatter(X[y == k, 0], X[y == k, 1], color=CLASS_COLORS[k % 10], s=point_size,
                       edgecolors="white", linewidths=0.3, label=names[k])
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, fontsize=8, markerscale=1.5)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    return ax


def plot_decision_boundary(X: Any, y: Any, model: Any, *, threshold: float | None = None,
                           classes: Sequence[str] | None = None, resolution: int = 200, pad: float = 0.5,
                           alpha: float = 0.25, point_size: float = 10, title: str | None = None,
                           ax: Axes | None = None) -> Axes:
    """The class ``model`` gives each point of the plane as coloured regions, and the points ``X, y``.

    ``model`` is a torch model (its outputs are logits) or a function from an ``(N, 2)`` array to
    labels ``(N,)``, one score per class ``(N, classes)``, or one score ``(N, 1)`` with ``threshold``.
    """
    ax = _axes(ax, (4.5, 4))
    xx, yy, labels = grid_predictions(X, model, threshold=threshold, resolution=resolution, pad=pad)
    y_max = int(_to_numpy(y).max()) if y is not None else 0
    n_classes = max(int(labels.max()), y_max, 1) + 1
    cmap = ListedColormap(CLASS_COLORS[:n_classes])
    ax.contourf(xx, yy, labels, levels=np.arange(-0.5, n_classes + 0.5), cmap=cmap, alpha=alpha)
    plot_classes(X, y, classes=classes, point_size=point_size, ax=ax)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def show_images(images: Any, labels: Sequence[Any] | None = None, preds: Sequence[Any] | None = None,
                *, ncols: int = 10, classes: Sequence[str] | None = None, size: float = 1.1,
                ax: Any = None) -> np.ndarray:
    """A grid of grey images titled with their labels (and ``label→prediction`` in red when wrong).

    ``images`` is ``(N, 28, 28)`` or flattened ``(N, 784)``; ``ax`` is an array of at least N
    axes to draw into (default: a new figure). Returns the axes, one per grid cell.
    """
    imgs = _to_numpy(images)
    n = len(imgs)
    if n == 0:
        raise ValueError(_("show_images got no images to show."))
    side = int(round(np.sqrt(imgs[0].size)))
    imgs = imgs.reshape(n, side, side) if imgs[0].ndim == 1 else imgs.reshape(n, *imgs.shape[-2:])
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    if ax is None:
        _fig, ax = plt.subplots(nrows, ncols, figsize=(size * ncols, (size + 0.25) * nrows), squeeze=False)
    axes = np.asarray(ax).reshape(-1)
    name: Callable[[Any], str] = (lambda v: classes[int(v)]) if classes is not None else (lambda v: str(int(v)))
    for i, a in enumerate(axes):
        a.axis("off")
        if i >= n:
            continue
        a.imshow(imgs[i], cmap="gray_r")
        if labels is not None and preds is not None:
            wrong = int(labels[i]) != int(preds[i])
            a.set_title(f"{name(labels[i])}→{name(preds[i])}" if wrong else name(labels[i]),
                        fontsize=8, color="red" if wrong else "black")
        elif labels is not None:
            a.set_title(name(labels[i]), fontsize=8)
    axes[0].figure.tight_layout()
    return axes

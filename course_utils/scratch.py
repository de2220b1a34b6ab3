"""A neural network from scratch in NumPy: layers as forward/backward pairs, written as plain maths.

Shapes: ``N`` examples, ``D`` input features, ``H`` output features. ``backward(x, grad_out)`` is
handed the layer's input ``x`` explicitly (the only cache a layer needs; :class:`MLP` keeps each
layer's input during ``forward``), stores the parameter gradients in ``layer.grads`` and returns the
gradient for the input; it never updates anything, so gradients can be checked (see
``course_utils.gradcheck``). The update is a separate step, :func:`sgd_step`; :func:`gradient_descent`
repeats forward, backward and update.

These layers are written to be read. ``course_utils.scratch_fast`` has the same interface, tuned
for speed in float32, and is tested equal to this module.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

from .i18n import _

__all__ = ["INITS", "LOSSES", "BatchMismatchError",
           "Dense", "Layer", "Loss", "MLP", "ReLU", "Sigmoid", "Tanh", "bce_loss", "get_loss",
           "gradient_descent", "mse_loss", "sgd_step", "sse_loss"]

INITS = ("randn", "xavier", "he")


class BatchMismatchError(ValueError):
    """``backward`` got a gradient for another number of examples than the last ``forward`` saw."""


class Layer:
    """Base class: ``forward(x) -> out`` and ``backward(x, grad_out) -> grad_x``."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _check(self, x: np.ndarray, grad_out: np.ndarray | None = None, width: int | None = None) -> None:
        if x.ndim == 2 and (width is None or x.shape[1] == width) and (
                grad_out is None or grad_out.shape[0] == x.shape[0]):
            return
        name = type(self).__name__
        if x.ndim != 2:
            raise ValueError(_("{name} expects a 2-D input (N, D), got shape {shape}.", name=name, shape=x.shape))
        if width is not None and x.shape[1] != width:
            raise ValueError(_("{name} expects inputs with {width} features, got shape {shape}.",
                               name=name, width=width, shape=x.shape))
        if grad_out is not None and grad_out.shape[0] != x.shape[0]:
            raise BatchMismatchError(_("{name}.backward got grad_out for {shape} examples but an input of {shape2}: "
                                       "shapes {shape3} and {shape4}.", name=name, shape=grad_out.shape[0],
                                       shape2=x.shape[0], shape3=grad_out.shape, shape4=x.shape))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Dense(Layer):
    """``out = x @ W + b``. x: (N, D), W: (D, H), b: (H,), out: (N, H)."""

    def __init__(self, n_in: int, n_out: int, init: str = "randn", rng: np.random.Generator | None = None,
                 dtype: type = np.float64):
        super().__init__()
        if init not in INITS:
            raise ValueError(_("init {init!r} is unknown: use one of {inits}.", init=init, inits=', '.join(INITS)))
        rng = rng if rng is not None else np.random.default_rng()
        if not hasattr(rng, "standard_normal"):
            raise TypeError(_("rng must be a NumPy Generator or RandomState, not {name}.", name=type(rng).__name__))
        scale = {"randn": 1.0, "xavier": np.sqrt(2.0 / (n_in + n_out)), "he": np.sqrt(2.0 / n_in)}[init]
        self.params = {"W": (rng.standard_normal((n_in, n_out)) * scale).astype(dtype),
                       "b": np.zeros(n_out, dtype=dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._check(x, width=self.params["W"].shape[0])
        return x @ self.params["W"] + self.params["b"]

    def backward(self, x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
        """grad_out: (N, H) → stores dW (D, H) and db (H,) in ``grads``; returns dx (N, D)."""
        self._check_dense(x, grad_out)
        self.grads["W"] = x.T @ grad_out              # (D, N) @ (N, H) → (D, H)
        self.grads["b"] = grad_out.sum(axis=0)        # every example adds to the same bias: (H,)
        return grad_out @ self.params["W"].T          # (N, H) @ (H, D) → (N, D)

    def _check_dense(self, x: np.ndarray, grad_out: np.ndarray) -> None:
        W = self.params["W"]
        self._check(x, grad_out, width=W.shape[0])
        if grad_out.shape[1] != W.shape[1]:
            raise ValueError(_("Dense({shape}, {shape2}).backward got grad_out of shape {shape3}, expected (N, "
                               "{shape2}).", shape=W.shape[0], shape2=W.shape[1], shape3=grad_out.shape))

    def __repr__(self) -> str:
        return f"Dense({self.params['W'].shape[0]}, {self.params['W'].shape[1]})"


class ReLU(Layer):
    """``out = max(x, 0)``, elementwise. x, out: (N, D)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._check(x)
        return np.maximum(x, 0)

    def backward(self, x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
        """grad_out: (N, D) → dx (N, D): passed where the input was positive, zero elsewhere."""
        self._check(x, grad_out)
        return grad_out * (x > 0)


class Sigmoid(Layer):
    """``out = s(x) = 1 / (1 + exp(-x))``, elementwise. x, out: (N, D)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._check(x)
        return 1 / (1 + np.exp(-x))

    def backward(self, x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
        """grad_out: (N, D) → dx = grad_out · s(x)(1 − s(x)), (N, D)."""
        self._check(x, grad_out)
        s = self.forward(x)
        return grad_out * s * (1 - s)


class Tanh(Layer):
    """``out = tanh(x)``, elementwise. x, out: (N, D)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._check(x)
        return np.tanh(x)

    def backward(self, x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
        """grad_out: (N, D) → dx = grad_out · (1 − tanh(x)²), (N, D)."""
        self._check(x, grad_out)
        t = np.tanh(x)
        return grad_out * (1 - t ** 2)


def _check_pair(p: np.ndarray, y: np.ndarray, name: str) -> None:
    if p.shape != y.shape:
        raise ValueError(_("{name}: predictions have shape {shape} but targets {shape2}; reshape the targets, e.g. "
                           "y.reshape(-1, 1).", name=name, shape=p.shape, shape2=y.shape))


def sse_loss(p: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Summed squared error ``Σ (p − y)²`` and its gradient ``2 (p − y)``. p, y: (N, K)."""
    _check_pair(p, y, "sse_loss")
    d = p - y
    return float(np.sum(d * d)), 2.0 * d


def mse_loss(p: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error and its gradient ``2 (p − y) / p.size``. p, y: (N, K)."""
    _check_pair(p, y, "mse_loss")
    d = p - y
    return float(np.mean(d * d)), 2.0 * d / d.size


def _bce_eps(dtype: np.dtype) -> float:
    """How far inside (0, 1) probabilities are kept: 1 − 1e-12 rounds to exactly 1 in float32."""
    return max(1e-12, float(np.finfo(dtype).eps)) if np.dtype(dtype).kind == "f" else 1e-12


def bce_loss(p: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean binary cross-entropy of probabilities ``p`` and its gradient. p, y: (N, 1).

    ``p`` is kept a hair inside (0, 1) so the logarithms stay finite.
    """
    _check_pair(p, y, "bce_loss")
    eps = _bce_eps(p.dtype)
    p = np.clip(p, eps, 1 - eps)
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return float(loss), (p - y) / (p * (1 - p)) / p.size


def _torch_bce(p, y):
    eps = 1e-12 if str(p.dtype) == "torch.float64" else _bce_eps(np.float32)
    p = p.clamp(eps, 1 - eps)
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()


class Loss(NamedTuple):
    """One loss, twice: ``numpy(p, y) -> (value, ∂L/∂p)`` and ``torch(p, y) -> value`` (tensors, autograd)."""

    numpy: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]
    torch: Callable[[Any, Any], Any]


LOSSES = {"sse": Loss(sse_loss, lambda p, y: ((p - y) ** 2).sum()),
          "mse": Loss(mse_loss, lambda p, y: ((p - y) ** 2).mean()),
          "bce": Loss(bce_loss, _torch_bce)}


def get_loss(name: str) -> Loss:
    """The :class:`Loss` for a name in :data:`LOSSES`, or a one-sentence ``ValueError``."""
    if name not in LOSSES:
        raise ValueError(_("loss {name!r} is unknown: use one of {losses}.", name=name, losses=', '.join(LOSSES)))
    return LOSSES[name]


class MLP:
    """Dense layers from a ``cfg`` such as ``[2, 64, 32, 16, 1]``, each followed by its activation.

    ``activations`` has one name per Dense layer (``"relu"``, ``"sigmoid"``, ``"tanh"`` or ``None``).
    Weights come from ``rng`` (a NumPy Generator or a legacy ``RandomState``), else from ``seed``.
    """

    # the layer classes it builds from, by activation name (scratch_fast swaps in its own)
    dense: type[Dense] = Dense
    activation_classes: dict[str, type[Layer]] = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}

    def __init__(self, cfg: Sequence[int], activations: Sequence[str | None], init: str = "randn",
                 seed: int | None = None, dtype: type = np.float64, rng=None):
        from .models import check_cfg
        sizes = check_cfg(cfg)
        if len(activations) != len(sizes) - 1:
            raise ValueError(_("cfg {sizes} makes {sizes2} Dense layers, so give {sizes2} activations, not "
                               "{n_activations}.",
                               sizes=sizes, sizes2=len(sizes) - 1, n_activations=len(activations)))
        rng = rng if rng is not None else np.random.default_rng(seed)
        self.layers: list[Layer] = []
        for n_in, n_out, act in zip(sizes[:-1], sizes[1:], activations):
            self.layers.append(self.dense(n_in, n_out, init, rng, dtype))
            if act is not None:
                if act not in self.activation_classes:
                    known = ", ".join(self.activation_classes)
                    raise ValueError(_("activation {act!r} is unknown: use one of {known} or None.",
                                       act=act, known=known))
                self.layers.append(self.activation_classes[act]())
        self.dtype = dtype
        self.inputs: list[np.ndarray] = []

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Run every layer, keeping each layer's input (its cache) for ``backward``. x: (N, cfg[0])."""
        x = np.asarray(x, dtype=self.dtype)
        self.inputs = []
        for layer in self.layers:
            self.inputs.append(x)
            x = layer.forward(x)
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Backpropagate ``grad_out`` (N, cfg[-1]) through the last ``forward``; fills every ``grads``.

        Returns ∂L/∂X, (N, cfg[0])."""
        if not self.inputs:
            raise RuntimeError("call forward before backward.")
        for layer, x in zip(reversed(self.layers), reversed(self.inputs)):
            grad_out = layer.backward(x, grad_out)
        return grad_out

    def parameters(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """``(name, value, gradient)`` for every parameter, e.g. ``("0.W", W, dW)``."""
        for i, layer in enumerate(self.layers):
            for k, v in layer.params.items():
                yield f"{i}.{k}", v, layer.grads[k]

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities (N, 2), as scikit-learn's: ``[1 − p, p]`` for a sigmoid output p (N, 1)."""
        p = self.forward(x)
        if p.shape[1] != 1:
            raise ValueError(_("predict_proba needs one sigmoid output per example, but this network has {shape}.",
                               shape=p.shape[1]))
        return np.hstack([1 - p, p])

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class labels (N,), as scikit-learn's: 1 where the output probability exceeds 0.5."""
        return (self.predict_proba(x)[:, 1] > 0.5).astype(int)

    def __repr__(self) -> str:
        return "MLP(" + ", ".join(map(repr, self.layers)) + ")"


def sgd_step(model: MLP, lr: float) -> None:
    """``p ← p − lr · grad`` for every parameter, in place."""
    for _skip, value, grad in model.parameters():
        value -= lr * grad


def gradient_descent(model: MLP, X: np.ndarray, y: np.ndarray, *, lr: float, epochs: int,
                     loss: str = "sse") -> list[float]:
    """Full-batch gradient descent, one :func:`sgd_step` per epoch; returns the loss before each step.

    X: (N, cfg[0]); y: (N, cfg[-1]) or (N,). Not ``train.fit``: no torch, the summed squared error by
    default, and a plain list of losses back.
    """
    loss_fn = get_loss(loss).numpy
    X = np.asarray(X, dtype=model.dtype)
    y = np.asarray(y, dtype=model.dtype).reshape(len(X), -1)
    losses = []
    for _skip in range(epochs):
        value, grad = loss_fn(model.forward(X), y)
        model.backward(grad)
        sgd_step(model, lr)
        losses.append(value)
    return losses

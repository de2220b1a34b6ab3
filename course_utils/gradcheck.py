"""Gradient checks for the scratch network: central differences and ``torch.autograd``.

The losses come from one table, :data:`course_utils.scratch.LOSSES`, whose entries carry the NumPy
loss with its gradient and the same loss in torch.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import scratch
from .i18n import _

__all__ = ["check_layer", "check_numeric", "check_torch", "numerical_grad", "rel_error", "report", "to_torch",
           "torch_grads"]


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖), guarded against 0/0.

    Normalised by the whole array, so a near-zero entry's finite-difference noise cannot dominate.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-20))


def numerical_grad(f: Callable[[], float], x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """∂f/∂x by central differences, perturbing ``x`` in place (and restoring it)."""
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _skip in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def check_layer(layer: scratch.Layer, x: np.ndarray, seed: int = 0) -> dict[str, float]:
    """Relative errors of ``layer.backward`` against central differences, for the input and each parameter.

    Uses the scalar ``L = Σ forward(x) · g`` with a random ``g``, whose gradient for the output is ``g``.
    """
    x = np.array(x, dtype=np.float64)
    g = np.random.default_rng(seed).standard_normal(layer.forward(x).shape)
    def f() -> float:
        return float(np.sum(layer.forward(x) * g))
    grad_x = layer.backward(x, g)
    analytic = {"input": grad_x, **{k: v.copy() for k, v in layer.grads.items()}}
    errors = {"input": rel_error(analytic["input"], numerical_grad(f, x))}
    for k, v in layer.params.items():
        errors[k] = rel_error(analytic[k], numerical_grad(f, v))
    return errors


def _backprop(model: scratch.MLP, X: np.ndarray, y: np.ndarray, loss: str):
    """Float64 X and column y, and the gradients ``model.backward`` computes for the loss, by name."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(len(X), -1)
    _, grad = scratch.get_loss(loss).numpy(model.forward(X), y)
    model.backward(grad)
    return X, y, {name: g.copy() for name, _, g in model.parameters()}


def check_numeric(model: scratch.MLP, X: np.ndarray, y: np.ndarray, loss: str = "sse") -> dict[str, float]:
    """Per-parameter relative error of backprop against central differences of the whole loss."""
    loss_fn = scratch.get_loss(loss).numpy
    X, y, analytic = _backprop(model, X, y, loss)

    def f() -> float:
        return loss_fn(model.forward(X), y)[0]
    return {name: rel_error(analytic[name], numerical_grad(f, value)) for name, value, _ in model.parameters()}


def _is_dense(layer: scratch.Layer) -> bool:
    """A Dense layer: the course's, or a learner's own with weights ``W`` and bias ``b``."""
    return isinstance(layer, scratch.Dense) or set(getattr(layer, "params", {})) == {"W", "b"}


def _torch_activation(layer: scratch.Layer):
    """The torch module of an activation layer: the course's by class, a learner's own by its class name."""
    from torch import nn
    acts = [(scratch.ReLU, nn.ReLU), (scratch.Sigmoid, nn.Sigmoid), (scratch.Tanh, nn.Tanh)]
    for cls, torch_cls in acts:
        if isinstance(layer, cls) or type(layer).__name__ == cls.__name__:
            return torch_cls()
    raise ValueError(_("no torch twin for {name}: use Dense, ReLU, Sigmoid or Tanh layers.",
                       name=type(layer).__name__))


def to_torch(model: scratch.MLP):
    """The same network as a float64 ``torch.nn.Sequential`` with copied weights (``Linear.weight = W.T``)."""
    import torch
    from torch import nn
    layers = []
    for layer in model.layers:
        if _is_dense(layer):
            W, b = layer.params["W"], layer.params["b"]
            lin = nn.Linear(*W.shape).double()
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T, dtype=np.float64)))
                lin.bias.copy_(torch.from_numpy(b.astype(np.float64)))
            layers.append(lin)
        else:
            layers.append(_torch_activation(layer))
    return nn.Sequential(*layers)


def torch_grads(model: scratch.MLP, X: np.ndarray, y: np.ndarray, loss: str = "sse") -> dict[str, np.ndarray]:
    """The loss gradients ``torch.autograd`` computes for the same weights, named and shaped as in ``model``."""
    import torch
    loss_fn = scratch.get_loss(loss).torch  # the same table as the NumPy side: one name, one loss
    net = to_torch(model)
    Xt = torch.as_tensor(np.asarray(X, dtype=np.float64))
    yt = torch.as_tensor(np.asarray(y, dtype=np.float64)).reshape(len(X), -1)
    loss_fn(net(Xt), yt).backward()
    out = {}
    for i, (layer, mod) in enumerate(zip(model.layers, net)):
        if _is_dense(layer):
            out[f"{i}.W"] = mod.weight.grad.numpy().T
            out[f"{i}.b"] = mod.bias.grad.numpy()
    return out


def check_torch(model: scratch.MLP, X: np.ndarray, y: np.ndarray, loss: str = "sse") -> dict[str, float]:
    """Per-parameter relative error of backprop against ``torch.autograd`` on the same float64 weights."""
    X, y, analytic = _backprop(model, X, y, loss)
    reference = torch_grads(model, X, y, loss)
    return {name: rel_error(g, reference[name]) for name, g in analytic.items()}


def report(*columns: tuple[str, dict[str, float]], tol: float = 1e-6) -> bool:
    """Print a table of the relative error per parameter (one column per check) with PASS/FAIL."""
    names = list(columns[0][1])
    head = f"{'parameter':10s}" + "".join(f"{title:>22s}" for title, _ in columns) + "  result"
    print(head)
    print("-" * len(head))
    ok_all = True
    for n in names:
        errs = [errors[n] for _, errors in columns]
        ok = all(e < tol for e in errs)
        ok_all &= ok
        print(f"{n:10s}" + "".join(f"{e:22.2e}" for e in errs) + ("  PASS" if ok else "  FAIL"))
    print(f"all below {tol:g}: {'PASS' if ok_all else 'FAIL'}")
    return ok_all

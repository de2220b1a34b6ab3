"""The scratch network tuned for speed: the same interface and the same maths as ``course_utils.scratch``.

Use it where many steps are run (sweeps, benchmarks); read ``scratch`` to learn. The tricks, each
tested to give the same outputs and gradients as the plain layers (``tests/test_scratch.py``):

- float32 by default: half the memory traffic of float64;
- ``Dense`` writes its gradients into preallocated arrays, sums the bias gradient with one BLAS call
  (a ones-vector times ``grad_out``), and for one output unit uses broadcasting instead of a rank-1
  matrix product;
- the sigmoid as ``(1 + tanh(x / 2)) / 2``: the same function, faster, and it never overflows;
- activations keep their last input and output, so ``backward`` on the same input skips a recomputation;
- :class:`MLP` skips the input gradient of a first Dense layer, which nobody needs.
"""
from __future__ import annotations

import numpy as np

from . import scratch
from .i18n import _

__all__ = ["MLP", "Dense", "ReLU", "Sigmoid", "Tanh"]


class Dense(scratch.Dense):
    """``out = x @ W + b``, as :class:`course_utils.scratch.Dense`, with in-place BLAS gradients."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._check(x, width=self.params["W"].shape[0])
        out = x @ self.params["W"]
        out += self.params["b"]
        return out

    def backward(self, x: np.ndarray, grad_out: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """As ``scratch.Dense.backward``; returns None when ``input_grad=False`` (a first layer)."""
        self._check_dense(x, grad_out)
        W = self.params["W"]
        np.matmul(x.T, grad_out, out=self.grads["W"])
        if len(getattr(self, "_ones", ())) != len(x) or self._ones.dtype != grad_out.dtype:
            self._ones = np.ones(len(x), dtype=grad_out.dtype)
        np.matmul(self._ones, grad_out, out=self.grads["b"])  # the sum over examples, as one BLAS call
        if not input_grad:
            return None
        if W.shape[1] == 1:  # an outer product: broadcasting beats a rank-1 matrix product
            return grad_out * W[:, 0]
        return grad_out @ W.T


class ReLU(scratch.ReLU):
    """``max(x, 0)``, keeping the mask of its last input."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._check(x)
        self._x, self._mask = x, x > 0
        return x * self._mask

    def backward(self, x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
        self._check(x, grad_out)
        mask = self._mask if getattr(self, "_x", None) is x else x > 0
        return grad_out * mask


class Sigmoid(scratch.Sigmoid):
    """``1 / (1 + exp(-x))`` computed as ``(1 + tanh(x / 2)) / 2``, keeping its last output."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._check(x)
        out = np.multiply(x, 0.5)
        np.tanh(out, out=out)
        out += 1.0
        out *= 0.5
        self._x, self._out = x, out
        return out

    def backward(self, x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
        self._check(x, grad_out)
        s = self._out if getattr(self, "_x", None) is x else self.forward(x)
        grad = 1.0 - s
        grad *= s
        grad *= grad_out
        return grad


class Tanh(scratch.Tanh):
    """``tanh(x)``, keeping its last output."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._check(x)
        self._x, self._out = x, np.tanh(x)
        return self._out

    def backward(self, x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
        self._check(x, grad_out)
        t = self._out if getattr(self, "_x", None) is x else np.tanh(x)
        return grad_out * (1.0 - t * t)


class MLP(scratch.MLP):
    """:class:`course_utils.scratch.MLP` built from the fast layers, float32 unless told otherwise."""

    dense = Dense
    activation_classes = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}

    def __init__(self, cfg, activations, init: str = "randn", seed: int | None = None,
                 dtype: type = np.float32, rng=None):
        super().__init__(cfg, activations, init=init, seed=seed, dtype=dtype, rng=rng)

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """As ``scratch.MLP.backward``, but returns None when the first layer is Dense (∂L/∂X is skipped)."""
        if not self.inputs:
            raise RuntimeError(_("call forward before backward."))
        last = len(self.layers) - 1
        for i, (layer, x) in enumerate(zip(reversed(self.layers), reversed(self.inputs))):
            if i == last and isinstance(layer, Dense):
                layer.backward(x, grad_out, input_grad=False)
                return None
            grad_out = layer.backward(x, grad_out)
        return grad_out

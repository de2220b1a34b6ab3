"""Lesson 04's exercises: backward passes written by the learner, each judged by a gradient check.

04.1 ``dense_backward`` · 04.2 ``relu_backward`` · 04.3 ``sigmoid_backward`` · 04.4 ``mse_grad`` ·
04.5 debug a training loop whose weights never move. Each write judge runs the learner's function on
random inputs of a few shapes, compares it with central differences of the layer's forward pass, and
recognises the typical mistakes by what they compute, naming the mistake without the code.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .core import Exercise, Verdict, register, right, wrong
from .judges import code, run

TOL = 1e-6                                  # relative error a correct backward stays far below
SHAPES = [(5, 3, 4), (7, 2, 1), (1, 4, 3)]  # (N, D, H): no two equal, so a transposed result shows in its shape


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _numeric(f: Callable[[], float], *arrays: np.ndarray) -> list[np.ndarray]:
    """Central differences of ``f`` for each array (perturbed in place and restored)."""
    from ..gradcheck import numerical_grad
    return [numerical_grad(f, a) for a in arrays]


def _array(value: Any, shape: tuple[int, ...], what: str, owner: str) -> np.ndarray | Verdict:
    """The learner's ``value`` as a float array of ``shape``, or the verdict that explains why it is not."""
    if np.isscalar(value) or not hasattr(value, "shape"):
        return wrong(f"{what} should be a NumPy array with the shape of {owner}, {shape}, not a "
                     f"{type(value).__name__}: one gradient entry per entry of {owner}.")
    if tuple(value.shape) != shape:
        if len(shape) == 2 and tuple(value.shape) == shape[::-1]:
            return wrong(f"{what} has shape {tuple(value.shape)}, {owner}'s shape transposed: a gradient has the "
                         f"shape of what it is the gradient of, so multiply the factors in the other order.")
        return wrong(f"{what} has shape {tuple(value.shape)} but {owner} has shape {shape}: a gradient has the "
                     f"shape of what it is the gradient of.")
    return np.asarray(value, dtype=np.float64)


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    from ..gradcheck import rel_error
    return rel_error(a, b)


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and _rel(a, b) < TOL


# --- 04.1: Dense ------------------------------------------------------------------------------------------

def _dense_case(n: int, d: int, h: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal((d, h)), rng.standard_normal(h), rng.standard_normal((n, h))


def _dense_one(fn: Any, n: int, d: int, h: int, seed: int) -> Verdict | list[float]:
    x, W, b, g = _dense_case(n, d, h, seed)
    out = run(fn, x.copy(), W.copy(), g.copy(), name="dense_backward")
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        return wrong("dense_backward should return three arrays, (dx, dW, db), in that order.")
    got = [_array(v, s, w, o) for v, s, w, o in zip(out, [(n, d), (d, h), (h,)], ["dx", "dW", "db"], ["x", "W", "b"])]
    if n > 1 and hasattr(out[2], "shape") and tuple(out[2].shape) == (n,):
        return wrong(f"db has one entry per example, shape ({n},): you summed over the wrong axis. A bias "
                     f"gets one gradient per output unit, collecting the contributions of all the examples.")
    for v in got:
        if isinstance(v, Verdict):
            return v
    dx, dW, db = got
    num = _numeric(lambda: float(np.sum((x @ W + b) * g)), x, W, b)
    errors = [_rel(a, e) for a, e in zip((dx, dW, db), num)]
    for name, a, e, err in zip(("dx", "dW", "db"), (dx, dW, db), num, errors):
        if err < TOL:
            continue
        if n > 1 and _close(a * n, e):
            return wrong(f"{name} is the right gradient divided by the number of examples. The 1/N of a mean "
                         f"loss is already inside grad_out; a layer only adds up what each example sends back.")
        if _close(a, -e):
            return wrong(f"{name} has the right size but the wrong sign: follow the chain rule without a minus.")
        hint = {"dx": "each input x[n, d] reaches every output of its example through W[d, h]",
                "dW": "each weight W[d, h] meets x[n, d] in every example n",
                "db": "each bias b[h] is added to output h of every example"}[name]
        return wrong(f"{name} differs from central differences (relative error {err:.1e}): {hint}; "
                     f"write that sum for one entry, then as a matrix product or a sum over an axis.")
    return errors


def dense_backward(fn: Any) -> Verdict:
    """``dense_backward(x, W, grad_out) -> (dx, dW, db)`` for ``out = x @ W + b``, on three shapes."""
    worst = 0.0
    for seed, (n, d, h) in enumerate(SHAPES):
        result = _dense_one(fn, n, d, h, seed)
        if isinstance(result, Verdict):
            return result
        worst = max(worst, *result)
    return right(f"dx = grad_out @ W.T (N, D), dW = x.T @ grad_out (D, H), db = grad_out summed over the "
                 f"examples (H,). On {len(SHAPES)} shapes the largest relative error against central "
                 f"differences is {worst:.1e}: each gradient has the shape of its variable, which pins down "
                 f"which factor is transposed and on which side it goes.")


DENSE_RIGHT = ("def dense_backward(x, W, grad_out):\n"
               "    dx = grad_out @ W.T\n"
               "    dW = x.T @ grad_out\n"
               "    db = grad_out.sum(axis=0)\n"
               "    return dx, dW, db\n")
DENSE_WRONG_ANSWERS = (
    DENSE_RIGHT.replace("x.T @ grad_out", "grad_out.T @ x"),                          # dW transposed
    DENSE_RIGHT.replace("grad_out.sum(axis=0)", "grad_out.sum(axis=1)"),              # db over the wrong axis
    DENSE_RIGHT.replace("grad_out.sum(axis=0)", "grad_out.mean(axis=0)"),             # an extra 1/N
    DENSE_RIGHT.replace("x.T @ grad_out", "x.T @ grad_out / len(x)"),                 # an extra 1/N
    DENSE_RIGHT.replace("grad_out @ W.T", "(grad_out @ W.T).T"),                      # dx transposed
)


# --- 04.2 and 04.3: elementwise activations -------------------------------------------------------------

def _activation_case(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((6, 5)) * 2
    x[np.abs(x) < 0.05] = 0.5                   # away from ReLU's kink, where it has no derivative
    return x, rng.standard_normal((6, 5))


def _activation(fn: Any, name: str, forward: Callable[[np.ndarray], np.ndarray],
                mistakes: Callable[[np.ndarray, np.ndarray], list[tuple[np.ndarray, str]]]) -> Verdict | float:
    worst = 0.0
    for seed in range(3):
        x, g = _activation_case(seed)
        got = _array(run(fn, x.copy(), g.copy(), name=name), x.shape, "dx", "x")
        if isinstance(got, Verdict):
            return got
        (num,) = _numeric(lambda x=x, g=g: float(np.sum(forward(x) * g)), x)
        err = _rel(got, num)
        if err >= TOL:
            for candidate, hint in mistakes(x, g):
                if _close(got, candidate):
                    return wrong(hint)
            return wrong(f"dx differs from central differences (relative error {err:.1e}): the layer acts on "
                         f"each entry alone, so dx is grad_out times the activation's slope at that entry's input.")
        worst = max(worst, err)
    return worst


def _relu_mistakes(x: np.ndarray, g: np.ndarray) -> list[tuple[np.ndarray, str]]:
    return [(g * (g > 0), "you masked by the sign of grad_out, the gradient arriving from above. Whether the ReLU "
                          "passes a gradient depends on its own input: flat where that was negative."),
            (g * (x < 0), "your mask is the wrong way round: the ReLU passes gradients where it was passing its "
                          "input."),
            ((x > 0).astype(float), "that is the ReLU's slope alone. The chain rule multiplies the local slope by "
                                    "grad_out, the gradient of the loss for the layer's output."),
            (g * np.maximum(x, 0), "you multiplied by the ReLU's output. Its slope is 1 or 0, whatever the size "
                                   "of the input."),
            (g, "you passed every gradient through: where the input was negative the ReLU's output is flat, so "
                "nothing flows back there.")]


def relu_backward(fn: Any) -> Verdict:
    """``relu_backward(x, grad_out) -> dx`` for ``out = max(x, 0)``."""
    result = _activation(fn, "relu_backward", lambda x: np.maximum(x, 0), _relu_mistakes)
    if isinstance(result, Verdict):
        return result
    return right(f"dx = grad_out where x > 0, zero elsewhere (largest relative error {result:.1e}). The mask comes "
                 f"from the layer's input x (or equally its output, which is positive exactly where x is); "
                 f"never from grad_out. A ReLU that is negative for every example passes no gradient at all.")


RELU_RIGHT = ("def relu_backward(x, grad_out):\n"
              "    return grad_out * (x > 0)\n")
RELU_WRONG_ANSWERS = (
    RELU_RIGHT.replace("grad_out * (x > 0)", "grad_out * (grad_out > 0)"),   # mask from the wrong array
    RELU_RIGHT.replace("grad_out * (x > 0)", "1.0 * (x > 0)"),               # no chain rule
    RELU_RIGHT.replace("grad_out * (x > 0)", "grad_out * np.maximum(x, 0)"),  # the output, not the slope
)


def _sigmoid_mistakes(x: np.ndarray, g: np.ndarray) -> list[tuple[np.ndarray, str]]:
    s = _sigmoid(x)
    return [(g * x * (1 - x), "you put the input x into s(1 − s). The formula needs the sigmoid's output s = s(x): "
                              "compute it first."),
            (s * (1 - s), "that is the sigmoid's slope alone. The chain rule multiplies it by grad_out."),
            (g * s, "s is the sigmoid's value, not its slope: its derivative has a second factor."),
            (g * (1 - s), "one factor is missing: the sigmoid's slope is a product of two terms, both built from s."),
            (-g * s * (1 - s), "right size, wrong sign: the sigmoid rises everywhere, so its slope is positive.")]


def sigmoid_backward(fn: Any) -> Verdict:
    """``sigmoid_backward(x, grad_out) -> dx`` for ``out = 1 / (1 + exp(-x))``."""
    result = _activation(fn, "sigmoid_backward", _sigmoid, _sigmoid_mistakes)
    if isinstance(result, Verdict):
        return result
    return right(f"dx = grad_out · s(1 − s) with s = s(x) (largest relative error {result:.1e}). The slope is "
                 f"largest at x = 0 and shrinks fast on both sides: a saturated sigmoid passes almost nothing back.")


SIGMOID_RIGHT = ("def sigmoid_backward(x, grad_out):\n"
                 "    s = 1 / (1 + np.exp(-x))\n"
                 "    return grad_out * s * (1 - s)\n")
SIGMOID_WRONG_ANSWERS = (
    SIGMOID_RIGHT.replace("grad_out * s * (1 - s)", "grad_out * x * (1 - x)"),   # the input, not the output
    SIGMOID_RIGHT.replace("grad_out * s * (1 - s)", "s * (1 - s)"),              # no chain rule
    SIGMOID_RIGHT.replace("grad_out * s * (1 - s)", "grad_out * s"),             # the value, not the slope
)


# --- 04.4: the MSE's gradient ----------------------------------------------------------------------------

def mse_grad(fn: Any) -> Verdict:
    """``mse_grad(p, y) -> ∂L/∂p`` for ``L = mean((p − y)²)`` over every entry, on (N, K) with K > 1 too."""
    worst = 0.0
    for seed, shape in enumerate([(8, 1), (6, 3)]):
        rng = np.random.default_rng(seed)
        p, y = rng.standard_normal(shape), rng.standard_normal(shape)
        got = _array(run(fn, p.copy(), y.copy(), name="mse_grad"), shape, "the gradient", "p")
        if isinstance(got, Verdict):
            return got
        (num,) = _numeric(lambda p=p, y=y: float(np.mean((p - y) ** 2)), p)
        err = _rel(got, num)
        if err < TOL:
            worst = max(worst, err)
            continue
        d = p - y
        for candidate, hint in [
                (2 * d, "you forgot the 1/N of the mean: each prediction's share of the loss is divided by the "
                        "number of entries averaged."),
                (2 * d / len(p), "you divided by the number of rows. np.mean averages over every entry of p, "
                                 "rows times columns, so that is what divides."),
                (d / d.size, "the factor from differentiating the square is missing."),
                (-2 * d / d.size, "right size, wrong sign: the loss grows as p moves away from y, so its gradient "
                                  "points from y towards p.")]:
            if _close(got, candidate):
                return wrong(hint)
        return wrong(f"your gradient differs from central differences (relative error {err:.1e}): differentiate "
                     f"one term (p − y)² of the mean, then remember how many terms the mean divides by.")
    return right(f"∂L/∂p = 2 (p − y) / p.size (largest relative error {worst:.1e}). The 1/N lives here, in the "
                 f"loss, and reaches every layer through grad_out: that is why dense_backward sums over the "
                 f"examples instead of averaging.")


MSE_RIGHT = ("def mse_grad(p, y):\n"
             "    return 2 * (p - y) / p.size\n")
MSE_WRONG_ANSWERS = (
    MSE_RIGHT.replace(" / p.size", ""),                  # the forgotten 1/N
    MSE_RIGHT.replace("p.size", "len(p)"),               # rows only
    MSE_RIGHT.replace("2 * (p - y)", "(p - y)"),          # no factor 2
)


# --- 04.5: debug the loop whose weights never move --------------------------------------------------------

DEBUG_STEPS = 5
BROKEN_LOOP = ("def train_steps(model, X, Y, lr, steps):\n"
               "    losses = []\n"
               "    for step in range(steps):\n"
               "        p = model.forward(X)\n"
               "        loss, grad = scratch.mse_loss(p, Y)\n"
               "        model.backward(grad)\n"
               "        for name, value, g in model.parameters():\n"
               "            value = value - lr * g\n"
               "        losses.append(loss)\n"
               "    return losses\n")
DEBUG_WRONG_ANSWERS = (
    BROKEN_LOOP.replace("value = value - lr * g", "value = value + lr * g"),     # still a new array
    BROKEN_LOOP.replace("value = value - lr * g", "value += lr * g"),            # in place, but uphill
)


def _weights(model: Any) -> list[np.ndarray]:
    return [v.copy() for _, v, _ in model.parameters()]


def debug_loop(fn: Any) -> Verdict:
    """``train_steps(model, X, Y, lr, steps) -> losses``: must train as the reference loop does."""
    from sklearn.datasets import make_moons

    from .. import scratch
    X, y = make_moons(n_samples=60, noise=0.2, random_state=0)
    Y = y.reshape(-1, 1).astype(float)
    mine, ref = (scratch.MLP([2, 8, 1], ["sigmoid", "sigmoid"], seed=0) for _ in range(2))
    start = _weights(mine)
    want = scratch.gradient_descent(ref, X, Y, lr=0.5, epochs=DEBUG_STEPS, loss="mse")
    got = run(fn, mine, X, Y, 0.5, DEBUG_STEPS, name="train_steps")
    after = _weights(mine)
    if all(np.array_equal(a, b) for a, b in zip(start, after)):
        return wrong("the weights inside the model are exactly where they started. `name = expression` builds a "
                     "new array and points the loop variable at it; the array the layer holds is untouched.")
    if not all(np.allclose(a, b, rtol=1e-10, atol=1e-12) for a, b in zip(after, _weights(ref))):
        return wrong("the weights move now, but not the way gradient descent moves them: the loss rises where it "
                     "should fall. Step against the gradient." if len(got) > 1 and got[-1] > got[0] else
                     "the weights move now, but not the way gradient descent moves them: p ← p − lr · grad, "
                     "for every parameter, changing the layer's own array.")
    if not np.allclose(np.asarray(got, dtype=float), want, rtol=1e-10):
        return wrong("the weights come out right; now return the loss before each step, as the original did.")
    return right("`value -= lr * g` writes into the array the layer holds (so does `value[...] = value - lr * g`); "
                 "`value = value - lr * g` only rebinds a local name, so every step recomputed the same gradients "
                 "for the same weights and the loss curve stayed flat.")


register(
    Exercise("04.1", "write", "write the Dense layer's backward pass", code(dense_backward),
             giveaways=lambda: ["x.T @ grad_out", "grad_out @ W.T", "sum(axis=0)"],
             wrong_answers=DENSE_WRONG_ANSWERS),
    Exercise("04.2", "write", "write the ReLU's backward pass", code(relu_backward),
             giveaways=lambda: ["grad_out * (x > 0)"], wrong_answers=RELU_WRONG_ANSWERS),
    Exercise("04.3", "write", "write the sigmoid's backward pass", code(sigmoid_backward),
             giveaways=lambda: ["s * (1 - s)", "s * (1 − s)"], wrong_answers=SIGMOID_WRONG_ANSWERS),
    Exercise("04.4", "write", "write the gradient of the mean squared error", code(mse_grad),
             giveaways=lambda: ["2 * (p - y) / p.size"], wrong_answers=MSE_WRONG_ANSWERS),
    Exercise("04.5", "debug", "fix the loop whose weights never move", code(debug_loop),
             giveaways=lambda: ["value -= lr"], wrong_answers=DEBUG_WRONG_ANSWERS),
)

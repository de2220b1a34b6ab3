"""Lesson 04's exercises: the learner builds the network's pieces, each judged at once by a gradient check.

04.1 ``Dense`` (forward and backward) · 04.2 ``ReLU`` · 04.3 ``Sigmoid`` · 04.4 ``mse_loss`` (value and
gradient) · 04.5 the training loop · 04.6 debug a training loop that loses its caches.

Each layer judge builds the learner's class, runs its forward pass against the formula and its backward
pass against central differences of that forward pass on random inputs of a few shapes, and recognises
the typical mistakes by what they compute, naming the mistake without the code. Until a piece passes,
``exercises.build`` hands on the course's version (``course_utils.scratch``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..i18n import N_, _
from .core import Exercise, Verdict, register, right, unanswered, wrong
from .judges import LearnerError, code, run

TOL = 1e-6                                  # relative error a correct backward stays far below
SHAPES = [(5, 3, 4), (7, 2, 1), (1, 4, 3)]  # (N, D, H): no two equal, so a transposed result shows in its shape
CFG, ACTS = [2, 64, 32, 16, 1], ["relu", "sigmoid", "sigmoid", "sigmoid"]   # the lesson's network


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _numeric(f: Callable[[], float], *arrays: np.ndarray) -> list[np.ndarray]:
    """Central differences of ``f`` for each array (perturbed in place and restored)."""
    from ..gradcheck import numerical_grad
    return [numerical_grad(f, a) for a in arrays]


def _array(value: Any, shape: tuple[int, ...], what: str, owner: str) -> np.ndarray | Verdict:
    """The learner's ``value`` as a float array of ``shape``, or the verdict that explains why it is not."""
    if np.isscalar(value) or not hasattr(value, "shape"):
        return wrong(_("{what} should be a NumPy array with the shape of {owner}, {shape}, not a {name}: one "
                       "gradient entry per entry of {owner}.",
                       what=what, owner=owner, shape=shape, name=type(value).__name__))
    if tuple(value.shape) != shape:
        if len(shape) == 2 and tuple(value.shape) == shape[::-1]:
            return wrong(_("{what} has shape {tuple_value}, {owner}'s shape transposed: a gradient has the shape "
                           "of what it is the gradient of, so multiply the factors in the other order.",
                           what=what, tuple_value=tuple(value.shape), owner=owner))
        return wrong(_("{what} has shape {tuple_value} but {owner} has shape {shape}: a gradient has the shape of "
                       "what it is the gradient of.",
                       what=what, tuple_value=tuple(value.shape), owner=owner, shape=shape))
    return np.asarray(value, dtype=np.float64)


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    from ..gradcheck import rel_error
    return rel_error(a, b)


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and _rel(a, b) < TOL


def _instance(cls: Any, name: str, *args: Any) -> Any:
    """``cls(*args)``; a LearnerError when ``cls`` is not a class or its constructor fails."""
    if not isinstance(cls, type):
        raise LearnerError(wrong(_("pass the class itself ({name}), not a {name2}.",
                                   name=name, name2=type(cls).__name__)))
    try:
        return cls(*args)
    except Exception as exc:
        raise LearnerError(wrong("{name}{args} raised {error}: {exc}",
                                 name=name, args=args, error=type(exc).__name__, exc=exc)) from None


def _forward(layer: Any, x: np.ndarray, want: np.ndarray, name: str, hint: str) -> None:
    """Run the learner's forward pass; a LearnerError unless it computes ``want``."""
    out = run(layer.forward, x.copy(), name=f"{name}.forward")
    if not hasattr(out, "shape") or tuple(out.shape) != want.shape:
        raise LearnerError(wrong(_("{name}.forward returned shape {getattr_out} for an input of shape {shape}; it "
                                   "should be {shape2}. {hint}",
                                   name=name, getattr_out=getattr(out, 'shape', type(out).__name__), shape=x.shape,
                                   shape2=want.shape, hint=hint)))
    if not np.allclose(out, want, rtol=1e-10, atol=1e-12):
        raise LearnerError(wrong(_("{name}.forward computes other values than its formula: {hint}",
                                   name=name, hint=hint)))


# --- 04.1: Dense ------------------------------------------------------------------------------------------

def _dense_case(n: int, d: int, h: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal((d, h)), rng.standard_normal(h), rng.standard_normal((n, h))


def _dense_run(cls: Any, x: np.ndarray, W: np.ndarray, b: np.ndarray, g: np.ndarray) -> tuple:
    """The learner's layer with weights ``W``, ``b``: forward checked, then ``(dx, dW, db)`` from its backward."""
    layer = _instance(cls, "Dense", *W.shape)
    if not isinstance(getattr(layer, "params", None), dict) or not isinstance(getattr(layer, "grads", None), dict):
        raise LearnerError(wrong("keep the __init__ the cell gives: the layer keeps W and b in self.params and "
                                 "their gradients in self.grads."))
    layer.params["W"], layer.params["b"] = W.copy(), b.copy()
    layer.grads["W"], layer.grads["b"] = np.zeros_like(W), np.zeros_like(b)
    if x.shape[0] > 1:   # the forward pass, judged once per shape on a batch
        _forward(layer, x, x @ W + b, "Dense", _("out[n, h] = Σ_d x[n, d] · W[d, h] + b[h], with the bias added "
                                                  "to every example's output."))
    try:
        out = layer.backward(x.copy(), g.copy())
    except ValueError as exc:
        if "mismatch" in str(exc) or "not aligned" in str(exc) or "shapes" in str(exc):
            raise LearnerError(wrong(
                _("a matrix product in Dense.backward has factors whose shapes do not line up ({exc}). Write down "
                  "the shape of each factor (x: (N, D), W: (D, H), grad_out: (N, H)) and of the result you want: "
                  "one factor needs a transpose.", exc=exc))) from None
        raise LearnerError(wrong(_("Dense.backward raised ValueError: {exc}", exc=exc))) from None
    if out is None:
        if any(np.any(v != 0) for v in layer.grads.values()):
            raise LearnerError(wrong("backward stores the parameter gradients but returns None: it must also "
                                     "return dx, the gradient for its input, which the layer below needs."))
        raise LearnerError(unanswered("Dense.backward still returns None: fill in its body and return dx."))
    first = {k: np.array(v, copy=True) for k, v in layer.grads.items()}
    layer.backward(x.copy(), g.copy())   # the same call again, as the next training step would make it
    if any(not np.allclose(layer.grads[k], first[k]) for k in first):
        raise LearnerError(wrong("a second backward with the same input changed the stored gradients: each call "
                                 "must store this batch's gradients afresh, not build on the last call's (the "
                                 "training loop never clears them)."))
    return out, first["W"], first["b"]


def _dense_one(cls: Any, n: int, d: int, h: int, seed: int) -> Verdict | list[float]:
    x, W, b, g = _dense_case(n, d, h, seed)
    try:
        out = _dense_run(cls, x, W, b, g)
    except LearnerError:
        raise
    except Exception as exc:   # the learner's backward, any other failure
        raise LearnerError(wrong(_("Dense.backward raised {name}: {exc}", name=type(exc).__name__, exc=exc))) from None
    db_shape = getattr(out[2], "shape", None)
    if n > 1 and db_shape is not None and tuple(db_shape) == (n, h):
        return wrong(_("db has one row per example, shape {n_h}, but b has shape {h}: one bias is shared by every "
                       "example of the batch, so its gradient collects what all the examples send back.",
                       n_h=(n, h), h=(h,)))
    if n > 1 and db_shape is not None and tuple(db_shape) == (n,):
        return wrong(_("db has one entry per example, shape ({n},): you summed over the wrong axis. A bias gets "
                       "one gradient per output unit, collecting the contributions of all the examples.", n=n))
    got = [_array(v, s, w, o) for v, s, w, o in zip(out, [(n, d), (d, h), (h,)], ["dx", "dW", "db"], ["x", "W", "b"])]
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
            return wrong(_("{name} is the right gradient divided by the number of examples. The 1/N of a mean loss "
                           "is already inside grad_out; a layer only adds up what each example sends back.",
                           name=name))
        if _close(a, -e):
            return wrong(_("{name} has the right size but the wrong sign: follow the chain rule without a minus.",
                           name=name))
        hint = {"dx": _("each input x[n, d] reaches every output of its example through W[d, h]"),
                "dW": _("each weight W[d, h] meets x[n, d] in every example n"),
                "db": _("each bias b[h] is added to output h of every example")}[name]
        return wrong(_("{name} differs from central differences (relative error {err:.1e}): {hint}; write that sum "
                       "for one entry, then as a matrix product or a sum over an axis.",
                       name=name, err=err, hint=hint))
    return errors


def dense_layer(cls: Any) -> Verdict:
    """A ``Dense`` class: ``forward(x) = x @ W + b``; ``backward(x, grad_out)`` stores dW, db and returns dx."""
    for seed, (n, d, h) in enumerate(SHAPES):
        result = _dense_one(cls, n, d, h, seed)
        if isinstance(result, Verdict):
            return result
    return right(_("forward is x @ W + b; backward: dx = grad_out @ W.T (N, D), dW = x.T @ grad_out (D, H), db = "
                   "grad_out summed over the examples (H,). On {n_shapes} shapes every relative error against "
                   "central differences is below {tol:g}: each gradient has the shape of its variable, which pins "
                   "down which factor is transposed and on which side it goes.", n_shapes=len(SHAPES), tol=TOL))


DENSE_INIT = ("    def __init__(self, n_in, n_out, init='randn', rng=None, dtype=np.float64):\n"
              "        super().__init__()\n"
              "        rng = rng if rng is not None else np.random.default_rng()\n"
              "        scale = {'randn': 1.0, 'xavier': np.sqrt(2 / (n_in + n_out)), 'he': np.sqrt(2 / n_in)}[init]\n"
              "        self.params = {'W': rng.standard_normal((n_in, n_out)) * scale, 'b': np.zeros(n_out)}\n"
              "        self.grads = {'W': np.zeros((n_in, n_out)), 'b': np.zeros(n_out)}\n\n")
DENSE_RIGHT = ("class Dense(scratch.Layer):\n" + DENSE_INIT +
               "    def forward(self, x):\n"
               "        return x @ self.params['W'] + self.params['b']\n\n"
               "    def backward(self, x, grad_out):\n"
               "        self.grads['W'] = x.T @ grad_out\n"
               "        self.grads['b'] = grad_out.sum(axis=0)\n"
               "        return grad_out @ self.params['W'].T\n")
DENSE_WRONG_ANSWERS = (
    DENSE_RIGHT.replace("x.T @ grad_out", "grad_out.T @ x"),                          # dW transposed
    DENSE_RIGHT.replace("grad_out.sum(axis=0)", "grad_out"),                          # bias not summed over the batch
    DENSE_RIGHT.replace("grad_out.sum(axis=0)", "grad_out.sum(axis=1)"),              # db over the wrong axis
    DENSE_RIGHT.replace("grad_out.sum(axis=0)", "grad_out.mean(axis=0)"),             # an extra 1/N
    DENSE_RIGHT.replace("x.T @ grad_out", "x.T @ grad_out / len(x)"),                 # an extra 1/N
    DENSE_RIGHT.replace("grad_out @ self.params['W'].T", "grad_out @ self.params['W']"),  # the missing transpose
    DENSE_RIGHT.replace(" + self.params['b']\n", "\n"),                               # forward without the bias
    DENSE_RIGHT.replace("self.grads['W'] =", "self.grads['W'] +="),                   # adds to old gradients
)


# --- 04.2 and 04.3: elementwise activations -------------------------------------------------------------

def _activation_case(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((6, 5)) * 2
    x[np.abs(x) < 0.05] = 0.5                   # away from ReLU's kink, where it has no derivative
    return x, rng.standard_normal((6, 5))


def _activation(cls: Any, name: str, forward: Callable[[np.ndarray], np.ndarray], forward_hint: str,
                mistakes: Callable[[np.ndarray, np.ndarray], list[tuple[np.ndarray, str]]]) -> Verdict | float:
    worst = 0.0
    for seed in range(3):
        x, g = _activation_case(seed)
        layer = _instance(cls, name)
        _forward(layer, x, forward(x), name, forward_hint)        # as a network calls it: forward, then backward
        got = _array(run(layer.backward, x.copy(), g.copy(), name=f"{name}.backward"), x.shape, "dx", "x")
        if isinstance(got, Verdict):
            return got
        (num,) = _numeric(lambda x=x, g=g: float(np.sum(forward(x) * g)), x)
        err = _rel(got, num)
        if err >= TOL:
            for candidate, hint in mistakes(x, g):
                if _close(got, candidate):
                    return wrong(hint)
            return wrong(_("dx differs from central differences (relative error {err:.1e}): the layer acts on each "
                           "entry alone, so dx is grad_out times the activation's slope at that entry's input.",
                           err=err))
        worst = max(worst, err)
    return worst


def _relu_mistakes(x: np.ndarray, g: np.ndarray) -> list[tuple[np.ndarray, str]]:
    return [(g * (g > 0), _("you masked by the sign of grad_out, the gradient arriving at the layer's output. "
                             "Whether the ReLU passes a gradient depends on its own input: flat where that was "
                             "negative.")),
            (g * (x < 0), _("your mask is the wrong way round: the ReLU passes gradients where it was passing its "
                             "input.")),
            ((x > 0).astype(float), _("that is the ReLU's slope alone. The chain rule multiplies the local slope "
                                       "by grad_out, the gradient of the loss for the layer's output.")),
            (g * np.maximum(x, 0), _("you multiplied by the ReLU's output. Its slope is 1 or 0, whatever the size "
                                      "of the input.")),
            (g, _("you passed every gradient through: where the input was negative the ReLU's output is flat, so "
                   "nothing flows back there."))]


def relu_layer(cls: Any) -> Verdict:
    """A ``ReLU`` class: ``forward(x) = max(x, 0)``; ``backward(x, grad_out)`` returns dx."""
    result = _activation(cls, "ReLU", lambda x: np.maximum(x, 0),
                         _("keep each positive entry, set the others to 0."), _relu_mistakes)
    if isinstance(result, Verdict):
        return result
    return right("dx = grad_out where x > 0, zero elsewhere: the mask comes from the layer's input x (or equally "
                 "its output, which is positive exactly where x is); never from grad_out. A ReLU that is negative "
                 "for every example passes no gradient at all.")


RELU_RIGHT = ("class ReLU(scratch.Layer):\n"
              "    def forward(self, x):\n"
              "        return np.maximum(x, 0)\n\n"
              "    def backward(self, x, grad_out):\n"
              "        return grad_out * (x > 0)\n")
RELU_WRONG_ANSWERS = (
    RELU_RIGHT.replace("grad_out * (x > 0)", "grad_out * (grad_out > 0)"),   # mask from the output's gradient
    RELU_RIGHT.replace("grad_out * (x > 0)", "1.0 * (x > 0)"),               # no chain rule
    RELU_RIGHT.replace("grad_out * (x > 0)", "grad_out * np.maximum(x, 0)"),  # the output, not the slope
)


def _sigmoid_mistakes(x: np.ndarray, g: np.ndarray) -> list[tuple[np.ndarray, str]]:
    s = _sigmoid(x)
    return [(g * x * (1 - x), _("you put the input x into s(1 − s). The formula needs the sigmoid's output s = "
                                 "s(x): compute it first.")),
            (g * _sigmoid(s) * (1 - _sigmoid(s)), _("you applied the sigmoid twice: s(1 − s) takes the sigmoid's "
                                                     "output s, not the sigmoid of that output.")),
            (s * (1 - s), _("that is the sigmoid's slope alone. The chain rule multiplies it by grad_out.")),
            (g * s, _("s is the sigmoid's value, not its slope: its derivative has a second factor.")),
            (g * (1 - s), _("one factor is missing: the sigmoid's slope is a product of two terms, both built "
                             "from s.")),
            (-g * s * (1 - s), _("right size, wrong sign: the sigmoid rises everywhere, so its slope is positive."))]


def sigmoid_layer(cls: Any) -> Verdict:
    """A ``Sigmoid`` class: ``forward(x) = 1 / (1 + exp(-x))``; ``backward(x, grad_out)`` returns dx."""
    result = _activation(cls, "Sigmoid", _sigmoid, _("s(x) = 1 / (1 + exp(−x)), entry by entry."), _sigmoid_mistakes)
    if isinstance(result, Verdict):
        return result
    return right("dx = grad_out · s(1 − s) with s = s(x), the sigmoid's output for this input. The slope is "
                 "largest at x = 0 (1/4) and shrinks fast on both sides: a saturated sigmoid passes almost nothing "
                 "back.")


SIGMOID_RIGHT = ("class Sigmoid(scratch.Layer):\n"
                 "    def forward(self, x):\n"
                 "        return 1 / (1 + np.exp(-x))\n\n"
                 "    def backward(self, x, grad_out):\n"
                 "        s = self.forward(x)\n"
                 "        return grad_out * s * (1 - s)\n")
SIGMOID_WRONG_ANSWERS = (
    SIGMOID_RIGHT.replace("grad_out * s * (1 - s)", "grad_out * x * (1 - x)"),   # the input, not the output
    SIGMOID_RIGHT.replace("s = self.forward(x)", "s = self.forward(self.forward(x))"),  # s of the output
    SIGMOID_RIGHT.replace("grad_out * s * (1 - s)", "s * (1 - s)"),              # no chain rule
    SIGMOID_RIGHT.replace("grad_out * s * (1 - s)", "grad_out * s"),             # the value, not the slope
)


# --- 04.4: the MSE and its gradient ----------------------------------------------------------------------

def _mse_grad_verdict(got: np.ndarray, p: np.ndarray, y: np.ndarray, err: float) -> Verdict:
    d = p - y
    for candidate, hint in [
            (2 * d, _("you forgot the 1/N of the mean: each prediction's share of the loss is divided by the "
                       "number of entries averaged.")),
            (2 * d / len(p), _("you divided by the number of rows. np.mean averages over every entry of p, rows "
                                "times columns, so that is what divides.")),
            (d / d.size, _("the 2 from differentiating the square is missing.")),
            (-2 * d / d.size, _("right size, wrong sign: the loss grows as p moves away from y, so its gradient "
                                 "points from y towards p."))]:
        if _close(got, candidate):
            return wrong(hint)
    return wrong(_("your gradient differs from central differences (relative error {err:.1e}): differentiate one "
                   "term (p − y)² of the mean, then remember how many terms the mean divides by.", err=err))


def mse_judge(fn: Any) -> Verdict:
    """``mse_loss(p, y) -> (loss, ∂L/∂p)`` for ``L = mean((p − y)²)`` over every entry, on (N, K) with K > 1 too."""
    for seed, shape in enumerate([(8, 1), (6, 3)]):
        rng = np.random.default_rng(seed)
        p, y = rng.standard_normal(shape), rng.standard_normal(shape)
        out = run(fn, p.copy(), y.copy(), name="mse_loss")
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            return wrong("mse_loss should return two things, (loss, grad): the loss's value and its gradient for p.")
        if not np.isclose(float(np.asarray(out[0])), np.mean((p - y) ** 2), rtol=1e-10):
            return wrong("the loss's value is not the mean of (p − y)²: keep the line the cell gives.")
        got = _array(out[1], shape, N_("the gradient"), "p")
        if isinstance(got, Verdict):
            return got
        (num,) = _numeric(lambda p=p, y=y: float(np.mean((p - y) ** 2)), p)
        err = _rel(got, num)
        if err >= TOL:
            return _mse_grad_verdict(got, p, y, err)
    return right("∂L/∂p = 2 (p − y) / p.size. The 1/N lives here, in the loss, and reaches every layer through "
                 "grad_out: that is why Dense.backward sums over the examples instead of averaging.")


MSE_RIGHT = ("def mse_loss(p, y):\n"
             "    loss = float(np.mean((p - y) ** 2))\n"
             "    return loss, 2 * (p - y) / p.size\n")
MSE_WRONG_ANSWERS = (
    MSE_RIGHT.replace(" / p.size", ""),                  # the forgotten 1/N
    MSE_RIGHT.replace("p.size", "len(p)"),               # rows only
    MSE_RIGHT.replace("2 * (p - y)", "(p - y)"),          # no factor 2
)


# --- 04.5: the training loop ------------------------------------------------------------------------------

_REFERENCE: dict[tuple, tuple[list[float], list[np.ndarray]]] = {}


def _start() -> Any:
    """The lesson's network at its starting weights (randn from RandomState(0), as the original)."""
    from .. import scratch
    return scratch.MLP(CFG, ACTS, rng=np.random.RandomState(0))


def _reference_run(X: np.ndarray, Y: np.ndarray, lr: float, steps: int) -> tuple[list[float], list[np.ndarray]]:
    """The reference loop's losses and final weights (computed once per data, rate and step count)."""
    from .. import scratch
    key = (hash(np.asarray(X).tobytes()), hash(np.asarray(Y).tobytes()), float(lr), int(steps))
    if key not in _REFERENCE:
        model = _start()
        losses = scratch.gradient_descent(model, X, Y, lr=lr, epochs=steps, loss="mse")
        _REFERENCE[key] = (losses, [v.copy() for _, v, _ in model.parameters()])
    return _REFERENCE[key]


def _weights(model: Any) -> list[np.ndarray]:
    return [v.copy() for _, v, _ in model.parameters()]


def _loop_verdict(losses: np.ndarray, moved: bool, want: list[float]) -> Verdict | None:
    """The hint for a loop whose losses are not the reference's, or None when they are."""
    if not moved:
        return wrong("the weights inside the model are exactly where they started: the update must change the "
                     "arrays the layers hold (in place), using the gradients backward has just filled.")
    if len(losses) == 0:
        return wrong("the weights move, but losses is empty: append each step's loss (a number) to it.")
    if len(losses) != len(want):
        return wrong(_("losses holds {n_losses} values for {n_want} steps: append one loss per step.",
                       n_losses=len(losses), n_want=len(want)))
    if np.allclose(losses, want, rtol=1e-6):
        return None
    if len(losses) > 1 and losses[-1] > losses[0]:
        return wrong("the loss rises where it should fall: step against the gradient.")
    if len(losses) > 1 and losses[0] == losses[1]:
        return wrong("the first step changed nothing, so the update used gradients that were not computed yet: "
                     "backward comes before the update.")
    first = int(np.argmax(~np.isclose(losses, want, rtol=1e-6)))
    return wrong(_("your losses follow the reference loop's until step {first}, then part: one loss per step, "
                   "computed before that step's update, with the learning rate lr on every parameter.", first=first))


def training_loop(answer: Any, X: Any, Y: Any, lr: float, steps: int) -> Verdict:
    """``(model, losses)`` after the learner's loop: the reference loop's losses and weights, step for step."""
    if not isinstance(answer, tuple) or len(answer) != 2 or not hasattr(answer[0], "parameters"):
        return wrong("pass (model, losses): the network the cell builds and the list of losses.")
    model, losses = answer
    start, after = _weights(_start()), _weights(model)
    if len(start) != len(after) or any(a.shape != b.shape for a, b in zip(start, after)):
        return wrong("keep the network the cell builds: its layers' shapes changed.")
    moved = not all(np.array_equal(a, b) for a, b in zip(start, after))
    try:
        losses = np.asarray([float(v) for v in losses], dtype=float)
    except (TypeError, ValueError):
        return wrong("losses should be a list of numbers, one loss per step.")
    if not moved and len(losses) == 0:
        return unanswered("the loop's body is still empty: write its four moves.")
    want, weights = _reference_run(X, Y, lr, steps)
    verdict = _loop_verdict(losses, moved, want)
    if verdict is not None:
        return verdict
    if not all(np.allclose(a, b, rtol=1e-6, atol=1e-9) for a, b in zip(after, weights)):
        return wrong("the losses match, but the final weights do not: update every parameter, once per step.")
    return right("forward, loss, backward, update in place: your loop's losses and final weights match the "
                 "reference loop's, step for step.")


def reference_loop(X: Any, Y: Any, lr: float, steps: int) -> tuple[Any, list[float]]:
    """The course's trained network and its losses, for the cells below the loop."""
    losses, weights = _reference_run(X, Y, lr, steps)
    model = _start()
    for (_skip, value, _skip), w in zip(model.parameters(), weights):
        value[...] = w
    return model, list(losses)


LOOP_RIGHT = ("model = Net(CFG, ACTS, rng=np.random.RandomState(0))   # the original's start: randn weights\n"
              "lr, steps = 0.8, 500\n"
              "losses = []\n"
              "for step in range(steps):\n"
              "    p = model.forward(X)\n"
              "    loss, grad = mse_loss(p, Y)\n"
              "    model.backward(grad)\n"
              "    for name, value, g in model.parameters():\n"
              "        value -= lr * g\n"
              "    losses.append(loss)\n")
LOOP_WRONG_ANSWERS = (
    LOOP_RIGHT.replace("value -= lr * g", "value = value - lr * g"),           # rebinds a name
    LOOP_RIGHT.replace("value -= lr * g", "value += lr * g"),                  # uphill
    LOOP_RIGHT.replace("    model.backward(grad)\n", "").replace(                  # backward after the update
        "        value -= lr * g\n", "        value -= lr * g\n    model.backward(grad)\n"),
)


# --- 04.6: debug the loop that loses its caches -----------------------------------------------------------

DEBUG_STEPS = 5
TRACK = "        accuracies.append((model.predict(X[::2]) == Y[::2, 0]).mean())   # accuracy on every other point\n"
BROKEN_LOOP = ("def train_steps(model, X, Y, lr, steps):\n"
               "    losses, accuracies = [], []\n"
               "    for step in range(steps):\n"
               "        p = model.forward(X)\n"
               "        loss, grad = scratch.mse_loss(p, Y)\n"
               + TRACK +
               "        model.backward(grad)\n"
               "        scratch.sgd_step(model, lr)\n"
               "        losses.append(loss)\n"
               "    return losses, accuracies\n")
DEBUG_RIGHT = BROKEN_LOOP.replace(TRACK, "").replace("        losses.append(loss)\n",
                                                     "        losses.append(loss)\n" + TRACK)   # after the update
DEBUG_WRONG_ANSWERS = (
    BROKEN_LOOP.replace(TRACK, "").replace("        loss, grad", TRACK + "        loss, grad"),   # still in between
    BROKEN_LOOP.replace("X[::2]) == Y[::2, 0]", "X) == Y[:, 0]"),                         # tracks other points
)
CACHE_HINT = (N_("the error comes from backward, but the cause is earlier in the step. Between a forward pass and "
                 "its backward, the network holds each layer's input, its cache; look for anything else that runs "
                 "a forward pass in between, and where in the step it could run instead."))


def _debug_reference(X: np.ndarray, Y: np.ndarray) -> tuple[list[float], list[np.ndarray], list, list]:
    """The correct loop's losses and final weights, and the accuracies before and after each step's update."""
    from .. import scratch
    model = scratch.MLP([2, 8, 1], ["sigmoid", "sigmoid"], seed=0)
    losses, before, after = [], [], []
    for _skip in range(DEBUG_STEPS):
        before.append((model.predict(X[::2]) == Y[::2, 0]).mean())
        loss, grad = scratch.mse_loss(model.forward(X), Y)
        model.backward(grad)
        scratch.sgd_step(model, 0.5)
        losses.append(loss)
        after.append((model.predict(X[::2]) == Y[::2, 0]).mean())
    return losses, _weights(model), before, after


def debug_loop(fn: Any) -> Verdict:
    """``train_steps(model, X, Y, lr, steps) -> (losses, accuracies)``: trains as the reference loop does."""
    from sklearn.datasets import make_moons

    from .. import scratch
    X, y = make_moons(n_samples=60, noise=0.2, random_state=0)
    Y = y.reshape(-1, 1).astype(float)
    mine = scratch.MLP([2, 8, 1], ["sigmoid", "sigmoid"], seed=0)
    start = _weights(mine)
    try:
        out = fn(mine, X, Y, 0.5, DEBUG_STEPS)
    except scratch.BatchMismatchError:   # in any language: the caches of another batch met this one's gradient
        return wrong(CACHE_HINT)
    if out is None:
        return unanswered("train_steps still returns None: fill in its body and return the result.")
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return wrong("return (losses, accuracies), as the colleague's loop does.")
    losses, accuracies = out
    want, weights, before, after = _debug_reference(X, Y)
    moved = _weights(mine)
    if all(np.array_equal(a, b) for a, b in zip(start, moved)):
        return wrong("the weights never move now: keep the update step.")
    if not all(np.allclose(a, b, rtol=1e-10, atol=1e-12) for a, b in zip(moved, weights)):
        return wrong("the weights move, but not as gradient descent moves them: keep forward, loss, backward and "
                     "update, each once per step, in that order.")
    if not np.allclose(np.asarray(losses, dtype=float), want, rtol=1e-10):
        return wrong("the weights come out right; now return the loss before each step, as the loop did.")
    accs = np.asarray(accuracies, dtype=float)
    if accs.shape != (DEBUG_STEPS,) or not (np.allclose(accs, before) or np.allclose(accs, after)):
        return wrong("the weights and losses are right, but the accuracies are not those of every other point at "
                     "each step: keep the tracking line as it was, and change only where it runs.")
    return right("between a forward pass and its backward the network keeps each layer's input (its cache). "
                 "predict ran a forward pass on other points and replaced the caches, so backward met the inputs "
                 "of half the points and a gradient for all of them. Tracking before the forward pass or after the "
                 "update leaves the caches alone.")


def _scratch(name: str) -> Callable[..., Any]:
    def reference(**context: Any) -> Any:
        from .. import scratch
        return getattr(scratch, name)
    return reference


register(
    Exercise("04.1", "write", "build the Dense layer: forward and backward", code(dense_layer),
             giveaways=lambda: ["x.T @ grad_out", "grad_out @ W.T", "grad_out @ self.params['W'].T", "sum(axis=0)"],
             wrong_answers=DENSE_WRONG_ANSWERS, reference=_scratch("Dense")),
    Exercise("04.2", "write", "build the ReLU: forward and backward", code(relu_layer),
             giveaways=lambda: ["grad_out * (x > 0)"], wrong_answers=RELU_WRONG_ANSWERS, reference=_scratch("ReLU")),
    Exercise("04.3", "write", "build the sigmoid: forward and backward", code(sigmoid_layer),
             giveaways=lambda: ["s * (1 - s)"], wrong_answers=SIGMOID_WRONG_ANSWERS,
             reference=_scratch("Sigmoid")),
    Exercise("04.4", "write", "write the mean squared error and its gradient", code(mse_judge),
             giveaways=lambda: ["2 * (p - y) / p.size"], wrong_answers=MSE_WRONG_ANSWERS,
             reference=_scratch("mse_loss")),
    Exercise("04.5", "write", "write the training loop", code(training_loop), wrong_answers=LOOP_WRONG_ANSWERS,
             giveaways=lambda X, Y, lr, steps: ["value -= lr"], context=("X", "Y", "lr", "steps"),
             reference=reference_loop),
    Exercise("04.6", "debug", "fix the loop that loses its caches", code(debug_loop),
             wrong_answers=(BROKEN_LOOP, *DEBUG_WRONG_ANSWERS)),
)

"""Lesson 04's judges: each typical mistake in a layer, the loss or the loop gets its own named hint.

Right answers written several ways get a ✅, the untouched stub (``pass``) a ⏳, every registered wrong
answer a ❌ whose hint contains none of the giveaways; ``exercises.build`` hands on the course's piece
until the learner's passes.
"""
import numpy as np
import pytest
from sklearn.datasets import make_moons

from course_utils import exercises, scratch
from course_utils.exercises import lesson04

X, y = make_moons(n_samples=1000, noise=0.2, random_state=666)
Y = y.reshape(-1, 1).astype(np.float64)
FEW = ("0.8, 500", "0.8, 30")          # the loop's cell, with fewer steps: the same judge, quicker


class Net(scratch.MLP):
    pass


CONTEXT = {"np": np, "scratch": scratch, "Net": Net, "X": X, "Y": Y, "mse_loss": scratch.mse_loss,
           "CFG": lesson04.CFG, "ACTS": lesson04.ACTS}


def _define(source: str, name: str):
    namespace = dict(CONTEXT)
    exec(source, namespace)
    return namespace[name]


def _loop(source: str):
    """Run a version of the loop's cell; the (model, losses) it leaves and its context."""
    namespace = dict(CONTEXT)
    exec(source.replace(*FEW), namespace)
    return (namespace["model"], namespace["losses"]), {"X": X, "Y": Y, "lr": namespace["lr"],
                                                       "steps": namespace["steps"]}


def _stub(source: str, start: str) -> str:
    """``source`` with the lines from ``start`` to the end of its block replaced by ``pass``, as nbgrader does."""
    lines = source.splitlines()
    i = next(k for k, line in enumerate(lines) if line.strip().startswith(start))
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    j = i
    while j + 1 < len(lines) and (lines[j + 1].startswith(indent) and lines[j + 1].strip()):
        j += 1
    return "\n".join(lines[:i] + [indent + "# YOUR CODE HERE", indent + "pass"] + lines[j + 1:]) + "\n"


LAYERS = [("04.1", lesson04.DENSE_RIGHT, "Dense"), ("04.2", lesson04.RELU_RIGHT, "ReLU"),
          ("04.3", lesson04.SIGMOID_RIGHT, "Sigmoid"), ("04.4", lesson04.MSE_RIGHT, "mse_loss")]


@pytest.mark.parametrize("exercise_id, source, name", LAYERS)
def test_right_answers_are_judged_right(exercise_id, source, name):
    verdict = exercises.judge(exercise_id, _define(source, name))
    assert verdict.ok, verdict


def test_the_loop_and_the_fixed_debug_loop_are_judged_right():
    answer, context = _loop(lesson04.LOOP_RIGHT)
    assert exercises.judge("04.5", answer, **context).ok
    assert exercises.judge("04.6", _define(lesson04.DEBUG_RIGHT, "train_steps")).ok


def test_right_answers_in_other_styles():
    einsum = lesson04.DENSE_RIGHT.replace(
        "self.grads['W'] = x.T @ grad_out", "self.grads['W'] = np.einsum('nd,nh->dh', x, grad_out)").replace(
        "grad_out.sum(axis=0)", "np.ones(len(x)) @ grad_out")
    assert einsum != lesson04.DENSE_RIGHT and exercises.judge("04.1", _define(einsum, "Dense")).ok
    cached = ("class ReLU(scratch.Layer):\n"
              "    def forward(self, x):\n"
              "        self.out = np.maximum(x, 0)\n"
              "        return self.out\n\n"
              "    def backward(self, x, grad_out):\n"
              "        return np.where(self.out > 0, grad_out, 0.0)\n")
    assert exercises.judge("04.2", _define(cached, "ReLU")).ok
    sigmoid = lesson04.SIGMOID_RIGHT.replace("1 / (1 + np.exp(-x))", "np.exp(x) / (1 + np.exp(x))")
    assert exercises.judge("04.3", _define(sigmoid, "Sigmoid")).ok
    mse = lesson04.MSE_RIGHT.replace("2 * (p - y) / p.size", "(p - y) * (2.0 / (p.shape[0] * p.shape[1]))")
    assert exercises.judge("04.4", _define(mse, "mse_loss")).ok
    loop = lesson04.LOOP_RIGHT.replace("value -= lr * g", "value[...] = value - lr * g")
    answer, context = _loop(loop)
    assert exercises.judge("04.5", answer, **context).ok
    before = lesson04.BROKEN_LOOP.replace(lesson04.TRACK, "").replace(
        "        p = model.forward(X)\n", lesson04.TRACK + "        p = model.forward(X)\n")
    assert exercises.judge("04.6", _define(before, "train_steps")).ok
    again = lesson04.BROKEN_LOOP.replace("        model.backward(grad)\n",
                                         "        model.forward(X)\n        model.backward(grad)\n")
    assert exercises.judge("04.6", _define(again, "train_steps")).ok


def _assert_wrong(exercise_id, verdict, words, **context):
    assert verdict.status == "wrong", verdict
    for word in words:
        assert word in verdict.message, (word, verdict.message)
    for giveaway in exercises.get(exercise_id).giveaways(**context):
        assert giveaway not in verdict.message, (giveaway, verdict.message)


W = lesson04.DENSE_WRONG_ANSWERS


@pytest.mark.parametrize("exercise_id, answer, name, words", [
    ("04.1", W[0], "Dense", ["dW has shape (4, 3)", "transposed"]),
    ("04.1", W[1], "Dense", ["db has one row per example", "shared by every example of the batch"]),
    ("04.1", W[2], "Dense", ["db has one entry per example", "wrong axis"]),
    ("04.1", W[3], "Dense", ["db is the right gradient divided by the number"]),
    ("04.1", W[4], "Dense", ["dW is the right gradient divided by the number", "1/N of a mean loss"]),
    ("04.1", W[5], "Dense", ["do not line up", "needs a transpose"]),
    ("04.1", W[6], "Dense", ["Dense.forward computes other values", "bias added"]),
    ("04.1", W[7], "Dense", ["second backward", "afresh"]),
    ("04.2", lesson04.RELU_WRONG_ANSWERS[0], "ReLU", ["sign of grad_out", "its own input"]),
    ("04.2", lesson04.RELU_WRONG_ANSWERS[1], "ReLU", ["slope alone", "chain rule"]),
    ("04.2", lesson04.RELU_WRONG_ANSWERS[2], "ReLU", ["multiplied by the ReLU's output"]),
    ("04.3", lesson04.SIGMOID_WRONG_ANSWERS[0], "Sigmoid", ["input x", "sigmoid's output"]),
    ("04.3", lesson04.SIGMOID_WRONG_ANSWERS[1], "Sigmoid", ["sigmoid twice"]),
    ("04.3", lesson04.SIGMOID_WRONG_ANSWERS[2], "Sigmoid", ["slope alone", "grad_out"]),
    ("04.3", lesson04.SIGMOID_WRONG_ANSWERS[3], "Sigmoid", ["value, not its slope"]),
    ("04.4", lesson04.MSE_WRONG_ANSWERS[0], "mse_loss", ["forgot the 1/N"]),
    ("04.4", lesson04.MSE_WRONG_ANSWERS[1], "mse_loss", ["number of rows", "every entry"]),
    ("04.4", lesson04.MSE_WRONG_ANSWERS[2], "mse_loss", ["the 2 from differentiating the square"]),
    ("04.6", lesson04.BROKEN_LOOP, "train_steps", ["cause is earlier in the step", "cache"]),
    ("04.6", lesson04.DEBUG_WRONG_ANSWERS[0], "train_steps", ["cause is earlier in the step"]),
    ("04.6", lesson04.DEBUG_WRONG_ANSWERS[1], "train_steps", ["accuracies are not those of every other point"]),
    ("04.6", lesson04.DEBUG_RIGHT.replace("scratch.sgd_step(model, lr)", "pass"), "train_steps",
     ["weights never move"]),
    ("04.6", lesson04.DEBUG_RIGHT.replace("return losses, accuracies", "return losses"), "train_steps",
     ["return (losses, accuracies)"]),
])
def test_each_mistake_is_named_without_the_answer(exercise_id, answer, name, words):
    _assert_wrong(exercise_id, exercises.judge(exercise_id, _define(answer, name)), words)


@pytest.mark.parametrize("answer, words", [
    (lesson04.LOOP_WRONG_ANSWERS[0], ["exactly where they started", "in place"]),
    (lesson04.LOOP_WRONG_ANSWERS[1], ["loss rises", "against the gradient"]),
    (lesson04.LOOP_WRONG_ANSWERS[2], ["first step changed nothing", "backward comes before the update"]),
    (lesson04.LOOP_RIGHT.replace("    losses.append(loss)\n", ""), ["losses is empty"]),
    (lesson04.LOOP_RIGHT.replace("lr * g", "0.1 * g"), ["then part", "learning rate"]),
])
def test_each_loop_mistake_is_named_without_the_answer(answer, words):
    answer, context = _loop(answer)
    _assert_wrong("04.5", exercises.judge("04.5", answer, **context), words, **context)


@pytest.mark.parametrize("exercise_id, source, words", [
    ("04.1", lesson04.DENSE_RIGHT.replace("        return grad_out @ self.params['W'].T\n", ""),
     ["returns None", "return dx"]),
    ("04.1", lesson04.DENSE_RIGHT.replace("grad_out.sum(axis=0)", "-grad_out.sum(axis=0)"),
     ["db has the right size but the wrong sign"]),
    ("04.1", lesson04.DENSE_RIGHT.replace("x.T @ grad_out", "x.T @ grad_out * 2"),
     ["dW differs from central differences", "each weight W[d, h] meets x[n, d]"]),
    ("04.2", lesson04.RELU_RIGHT.replace("grad_out * (x > 0)", "grad_out * (x < 0)"), ["wrong way round"]),
    ("04.2", lesson04.RELU_RIGHT.replace("grad_out * (x > 0)", "grad_out"), ["passed every gradient through"]),
    ("04.2", lesson04.RELU_RIGHT.replace("grad_out * (x > 0)", "1.0"), ["NumPy array"]),
    ("04.2", lesson04.RELU_RIGHT.replace("np.maximum(x, 0)", "np.abs(x)"), ["ReLU.forward computes other values"]),
    ("04.3", lesson04.SIGMOID_RIGHT.replace("grad_out * s", "-grad_out * s"), ["wrong sign"]),
    ("04.3", lesson04.SIGMOID_RIGHT.replace("grad_out * s * (1 - s)", "grad_out * np.cos(x)"), ["relative error"]),
    ("04.4", lesson04.MSE_RIGHT.replace("2 * (p - y)", "2 * (y - p)"), ["wrong sign"]),
    ("04.4", "def mse_loss(p, y):\n    return 2 * (p - y) / p.size\n", ["two things"]),
    ("04.4", lesson04.MSE_RIGHT.replace("np.mean((p - y) ** 2)", "np.sum((p - y) ** 2)"), ["mean of (p − y)²"]),
])
def test_other_shapes_of_wrong(exercise_id, source, words):
    name = source.split("(")[0].split()[-1]
    _assert_wrong(exercise_id, exercises.judge(exercise_id, _define(source, name)), words)


STUBS = [("04.1", _stub(_stub(lesson04.DENSE_RIGHT, "return x @"), "self.grads['W'] ="), "Dense"),
         ("04.2", _stub(_stub(lesson04.RELU_RIGHT, "return np.maximum"), "return grad_out"), "ReLU"),
         ("04.3", _stub(_stub(lesson04.SIGMOID_RIGHT, "return 1 /"), "s = self.forward"), "Sigmoid"),
         ("04.4", _stub(lesson04.MSE_RIGHT, "return loss"), "mse_loss"),
         ("04.6", "def train_steps(model, X, Y, lr, steps):\n    # YOUR CODE HERE\n    pass\n", "train_steps")]


@pytest.mark.parametrize("exercise_id, source, name", STUBS)
def test_stubs_are_not_answered_yet(exercise_id, source, name):
    assert "pass" in source
    verdict = exercises.judge(exercise_id, _define(source, name))
    assert verdict.status == "unanswered", verdict


def test_the_loop_stub_is_not_answered_yet_and_build_goes_on_with_the_course_loop(capsys):
    answer, context = _loop(_stub(lesson04.LOOP_RIGHT, "p = model.forward"))
    assert exercises.judge("04.5", answer, **context).status == "unanswered"
    model, losses = exercises.build("04.5", answer, **context)
    assert "⏳" in capsys.readouterr().out and len(losses) == context["steps"] and losses[-1] < losses[0]
    want = scratch.gradient_descent(Net([2, 64, 32, 16, 1], ["relu", "sigmoid", "sigmoid", "sigmoid"],
                                        rng=np.random.RandomState(0)), X, Y, lr=0.8, epochs=30, loss="mse")
    assert np.allclose(losses, want) and np.isclose(scratch.mse_loss(model.forward(X), Y)[0], want[-1], rtol=0.05)


@pytest.mark.parametrize("exercise_id, source, name", STUBS[:4])
def test_build_hands_on_the_course_piece_until_the_learners_passes(exercise_id, source, name, capsys):
    piece = exercises.build(exercise_id, _define(source, name))
    assert piece is getattr(scratch, name) and "the cells below use the course's version" in capsys.readouterr().out
    mine = _define({e: s for e, s, _ in LAYERS}[exercise_id], name)
    assert exercises.build(exercise_id, mine) is mine


def test_every_exercise_has_typical_wrong_answers():
    exs = [e for e in exercises.all_exercises() if e.id.startswith("04.")]
    assert [e.id for e in exs] == ["04.1", "04.2", "04.3", "04.4", "04.5", "04.6"]
    assert all(e.wrong_answers for e in exs)
    assert all(e.reference is not None for e in exs[:5])
    assert {e.kind for e in exs} == {"write", "debug"}

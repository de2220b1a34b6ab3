"""Lesson 04's judges: each typical mistake in a backward pass gets its own named hint, a right answer a ✅.

The harness (test_exercises_in_notebooks.py) runs the same answers inside the lesson; here each
mistake is checked to be recognised for what it is, not just rejected.
"""
import numpy as np
import pytest

from course_utils import exercises, scratch
from course_utils.exercises import lesson04


def _define(source: str, name: str):
    namespace = {"np": np, "scratch": scratch}
    exec(source, namespace)
    return namespace[name]


RIGHT = [("04.1", lesson04.DENSE_RIGHT, "dense_backward"), ("04.2", lesson04.RELU_RIGHT, "relu_backward"),
         ("04.3", lesson04.SIGMOID_RIGHT, "sigmoid_backward"), ("04.4", lesson04.MSE_RIGHT, "mse_grad"),
         ("04.5", lesson04.BROKEN_LOOP.replace("value = value - lr * g", "value -= lr * g"), "train_steps")]


@pytest.mark.parametrize("exercise_id, source, name", RIGHT)
def test_right_answers_are_judged_right(exercise_id, source, name):
    verdict = exercises.judge(exercise_id, _define(source, name))
    assert verdict.ok, verdict


def test_right_answers_in_other_styles():
    einsum = ("def dense_backward(x, W, grad_out):\n"
              "    return np.einsum('nh,dh->nd', grad_out, W), np.einsum('nd,nh->dh', x, grad_out), grad_out.sum(0)\n")
    assert exercises.judge("04.1", _define(einsum, "dense_backward")).ok
    from_output = ("def relu_backward(x, grad_out):\n"
                   "    return np.where(np.maximum(x, 0) > 0, grad_out, 0.0)\n")
    assert exercises.judge("04.2", _define(from_output, "relu_backward")).ok
    slice_update = lesson04.BROKEN_LOOP.replace("value = value - lr * g", "value[...] = value - lr * g")
    assert exercises.judge("04.5", _define(slice_update, "train_steps")).ok


@pytest.mark.parametrize("exercise_id, answer, name, words", [
    ("04.1", lesson04.DENSE_WRONG_ANSWERS[0], "dense_backward", ["dW has shape (4, 3)", "transposed"]),
    ("04.1", lesson04.DENSE_WRONG_ANSWERS[1], "dense_backward", ["db has one entry per example", "wrong axis"]),
    ("04.1", lesson04.DENSE_WRONG_ANSWERS[2], "dense_backward", ["db is the right gradient divided by the number"]),
    ("04.1", lesson04.DENSE_WRONG_ANSWERS[3], "dense_backward", ["dW is the right gradient divided by the number",
                                                                 "1/N of a mean loss"]),
    ("04.1", lesson04.DENSE_WRONG_ANSWERS[4], "dense_backward", ["dx has shape (3, 5)", "transposed"]),
    ("04.2", lesson04.RELU_WRONG_ANSWERS[0], "relu_backward", ["sign of grad_out", "its own input"]),
    ("04.2", lesson04.RELU_WRONG_ANSWERS[1], "relu_backward", ["slope alone", "chain rule"]),
    ("04.2", lesson04.RELU_WRONG_ANSWERS[2], "relu_backward", ["multiplied by the ReLU's output"]),
    ("04.3", lesson04.SIGMOID_WRONG_ANSWERS[0], "sigmoid_backward", ["input x", "sigmoid's output"]),
    ("04.3", lesson04.SIGMOID_WRONG_ANSWERS[1], "sigmoid_backward", ["slope alone", "grad_out"]),
    ("04.3", lesson04.SIGMOID_WRONG_ANSWERS[2], "sigmoid_backward", ["value, not its slope"]),
    ("04.4", lesson04.MSE_WRONG_ANSWERS[0], "mse_grad", ["forgot the 1/N"]),
    ("04.4", lesson04.MSE_WRONG_ANSWERS[1], "mse_grad", ["number of rows", "every entry"]),
    ("04.4", lesson04.MSE_WRONG_ANSWERS[2], "mse_grad", ["differentiating the square"]),
    ("04.5", lesson04.BROKEN_LOOP, "train_steps", ["exactly where they started", "new array"]),
    ("04.5", lesson04.DEBUG_WRONG_ANSWERS[0], "train_steps", ["exactly where they started"]),
    ("04.5", lesson04.DEBUG_WRONG_ANSWERS[1], "train_steps", ["loss rises", "against the gradient"]),
])
def test_each_mistake_is_named_without_the_answer(exercise_id, answer, name, words):
    verdict = exercises.judge(exercise_id, _define(answer, name))
    assert verdict.status == "wrong", verdict
    for word in words:
        assert word in verdict.message, (word, verdict.message)
    for giveaway in exercises.get(exercise_id).giveaways():
        assert giveaway not in verdict.message, (giveaway, verdict.message)


@pytest.mark.parametrize("exercise_id, source, words", [
    ("04.1", "def dense_backward(x, W, grad_out):\n    return grad_out @ W.T, x.T @ grad_out\n", ["three arrays"]),
    ("04.1", "def dense_backward(x, W, grad_out):\n    return grad_out @ W.T, x.T @ grad_out, -grad_out.sum(0)\n",
     ["db has the right size but the wrong sign"]),
    ("04.1", "def dense_backward(x, W, grad_out):\n    return grad_out @ W.T, x.T @ grad_out * 2, grad_out.sum(0)\n",
     ["dW differs from central differences", "each weight W[d, h] meets x[n, d]"]),
    ("04.2", "def relu_backward(x, grad_out):\n    return grad_out * (x < 0)\n", ["wrong way round"]),
    ("04.2", "def relu_backward(x, grad_out):\n    return grad_out\n", ["passed every gradient through"]),
    ("04.2", "def relu_backward(x, grad_out):\n    return 1.0\n", ["NumPy array"]),
    ("04.3", "def sigmoid_backward(x, grad_out):\n    s = 1 / (1 + np.exp(-x))\n    return -grad_out * s * (1 - s)\n",
     ["wrong sign"]),
    ("04.3", "def sigmoid_backward(x, grad_out):\n    return grad_out * np.cos(x)\n", ["relative error"]),
    ("04.4", "def mse_grad(p, y):\n    return 2 * (y - p) / p.size\n", ["wrong sign"]),
    ("04.4", "def mse_grad(p, y):\n    return np.mean((p - y) ** 2)\n", ["NumPy array", "one gradient entry"]),
])
def test_other_shapes_of_wrong(exercise_id, source, words):
    verdict = exercises.judge(exercise_id, _define(source, source.split("(")[0].removeprefix("def ")))
    assert verdict.status == "wrong", verdict
    for word in words:
        assert word in verdict.message, (word, verdict.message)


@pytest.mark.parametrize("exercise_id, source", [
    ("04.1", "def dense_backward(x, W, grad_out):\n    raise NotImplementedError\n"),
    ("04.3", "def sigmoid_backward(x, grad_out):\n    pass\n"),
    ("04.5", "def train_steps(model, X, Y, lr, steps):\n    return None\n"),
])
def test_stubs_are_not_answered_yet(exercise_id, source):
    verdict = exercises.judge(exercise_id, _define(source, source.split("(")[0].removeprefix("def ")))
    assert verdict.status == "unanswered", verdict


def test_every_exercise_has_typical_wrong_answers_and_no_parameter_counting():
    exs = [e for e in exercises.all_exercises() if e.id.startswith("04.")]
    assert [e.id for e in exs] == ["04.1", "04.2", "04.3", "04.4", "04.5"]
    assert all(e.wrong_answers for e in exs)
    assert {e.kind for e in exs} == {"write", "debug"}

"""Lesson 03's judges on their own: each recognises the right answer and names each typical mistake.

The lesson's own solutions and wrong answers run inside the notebook in tests/test_exercises_in_notebooks.py.
"""
import json
import math
import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from course_utils import exercises
from course_utils.exercises import lesson03


def _define(source: str, name: str):
    namespace = {"torch": torch, "F": F}
    exec(source, namespace)
    return namespace[name]


# --- 03.1: the classifier Net, with the original's optional second hidden layer ---------------------------

NET_STUB = ("class Net(torch.nn.Module):\n"
            "    def __init__(self, n_feature, n_hidden, n_output, second_hidden=None):\n"
            "        super().__init__()\n"
            "        pass\n"
            "\n"
            "    def forward(self, x):\n"
            "        pass\n")


def test_net_accepts_the_original_and_other_styles():
    assert exercises.judge("03.1", _define(lesson03._NET, "Net")).ok
    assert exercises.judge("03.1", lesson03._reference_net_class()).ok
    other = ("class Net(torch.nn.Module):\n"
             "    def __init__(self, a, b, c, second_hidden=None):\n"
             "        super().__init__()\n"
             "        self.hidden = torch.nn.Linear(a, b)\n"
             "        self.hidden2 = torch.nn.Linear(b, second_hidden) if second_hidden else None\n"
             "        self.out = torch.nn.Linear(second_hidden or b, c)\n"
             "    def forward(self, x):\n"
             "        x = torch.relu(self.hidden(x))\n"
             "        if self.hidden2:\n"
             "            x = self.hidden2(x).clamp(min=0)\n"
             "        return self.out(x)\n")
    assert exercises.judge("03.1", _define(other, "Net")).ok


def test_net_stub_is_not_answered_yet():
    assert exercises.judge("03.1", _define(NET_STUB, "Net")).status == "unanswered"
    half = NET_STUB.replace("        super().__init__()\n        pass\n",
                            "        super().__init__()\n        self.hidden = torch.nn.Linear(n_feature, n_hidden)\n")
    assert exercises.judge("03.1", _define(half, "Net")).status == "unanswered"


@pytest.mark.parametrize("answer, words", [
    (lesson03.NET_WRONG_ANSWERS[0], ["go through a ReLU", "logits are any real numbers"]),
    (lesson03.NET_WRONG_ANSWERS[1], ["Net(2, 4, 2, 3) fails", "in_features must equal"]),
    (lesson03.NET_WRONG_ANSWERS[2], ["Net(2, 4, 2, 3) fails", "in_features must equal"]),
    (lesson03.NET_WRONG_ANSWERS[3], ["receives layer 2's values unchanged", "ReLU after every hidden layer"]),
    (lesson03.NET_WRONG_ANSWERS[4], ["fixed numbers", "Net(3, 5, 4)"]),
])
def test_net_names_each_mistake(answer, words):
    verdict = exercises.judge("03.1", _define(answer, "Net"))
    assert verdict.status == "wrong", verdict
    for word in words:
        assert word in verdict.message, (word, verdict.message)
    assert not [g for g in lesson03.NET_GIVEAWAYS if g in verdict.message]


def test_net_other_mistakes():
    good = lesson03._NET
    renamed = good.replace("self.hidden(x)", "self.first(x)").replace("self.hidden = ", "self.first = ")
    assert "self.hidden" in exercises.judge("03.1", _define(renamed, "Net")).message
    always = good.replace("        if second_hidden is not None:\n            self.hidden2",
                          "        if True:\n            self.hidden2").replace(
        "Linear(n_hidden, second_hidden)", "Linear(n_hidden, second_hidden or n_hidden)").replace(
        "n_hidden = second_hidden\n", "n_hidden = second_hidden or n_hidden\n")
    assert "Linear layer(s)" in exercises.judge("03.1", _define(always, "Net")).message
    softmax = good.replace("return self.out(x)", "return self.out(x).softmax(dim=1)")
    assert "unchanged" in exercises.judge("03.1", _define(softmax, "Net")).message
    no_super = good.replace("        super().__init__()\n", "")
    assert "super().__init__()" in exercises.judge("03.1", _define(no_super, "Net")).message
    assert "not a network built from it" in exercises.judge("03.1", _define(good, "Net")(2, 4, 2)).message
    reference = exercises.get("03.1").reference()
    assert exercises.judge("03.1", reference).ok


# --- 03.2: the training loop ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def circles():
    from sklearn.datasets import make_circles
    X, y = make_circles(n_samples=1000, factor=0.2, noise=0.1, random_state=0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)   # as the lesson runs: on tiny matrices, threads wait on each other (14x slower here)
    yield torch.tensor(X, dtype=torch.float32), torch.tensor(y)
    torch.set_num_threads(threads)


def _trained(loop: str, X, y, cls=None):
    """Run the lesson's loop cell (the learner's whole cell, or only its loop after the lesson's first lines)."""
    from course_utils.runtime import seeded
    if loop.startswith("for "):
        loop = lesson03._LOOP[:lesson03._LOOP.index("for ")] + loop
    namespace = {"Net": cls or _define(lesson03._NET, "Net"), "seeded": seeded, "SEED": 0, "X": X, "y": y,
                 "torch": torch, "F": F}
    exec(loop, namespace)
    return namespace["net"]


def test_loop_right_answers_written_several_ways(circles):
    X, y = circles
    assert exercises.judge("03.2", _trained(lesson03._LOOP, X, y), X=X, y=y, seed=0).ok
    other = ("for t in range(5000):\n"
             "    optimizer.zero_grad()\n"
             "    F.cross_entropy(net.forward(X), y).backward()\n"
             "    optimizer.step()\n")
    assert exercises.judge("03.2", _trained(other, X, y), X=X, y=y, seed=0).ok
    # a learner's class whose layers are created in another order starts elsewhere, and is judged from there
    swapped = lesson03._NET.replace("        self.out = torch.nn.Linear(n_hidden, n_output)\n", "")
    swapped = swapped.replace("        super().__init__()\n",
                              "        super().__init__()\n        self.out = torch.nn.Linear(second_hidden or n_hidden, n_output)\n")
    cls = _define(swapped, "Net")
    assert exercises.judge("03.2", _trained(lesson03._LOOP, X, y, cls), X=X, y=y, seed=0).ok


def test_loop_stub_is_not_answered_yet(circles):
    X, y = circles
    v = exercises.judge("03.2", _trained("for t in range(5000):\n    pass\n", X, y), X=X, y=y, seed=0)
    assert v.status == "unanswered" and "have not moved" in v.message


@pytest.mark.parametrize("i, words", [(0, "sum of all the gradients"), (1, "raw outputs (the logits)")])
def test_loop_names_each_mistake(circles, i, words):
    X, y = circles
    v = exercises.judge("03.2", _trained(lesson03.LOOP_WRONG_ANSWERS[i], X, y), X=X, y=y, seed=0)
    assert v.status == "wrong" and words in v.message, v
    assert not [g for g in lesson03.LOOP_GIVEAWAYS if g in v.message]


def test_loop_other_mistakes(circles):
    X, y = circles
    short = lesson03._LOOP.replace("range(5000)", "range(1000)")
    v = exercises.judge("03.2", _trained(short, X, y), X=X, y=y, seed=0)
    assert v.status == "wrong" and "each once" in v.message
    assert "not a Tensor" in exercises.judge("03.2", torch.zeros(3), X=X, y=y, seed=0).message
    reference = exercises.get("03.2").reference(X=X, y=y, seed=0)
    assert exercises.judge("03.2", reference, X=X, y=y, seed=0).ok


# --- 03.4: two hidden units cannot close a region -----------------------------------------------------------

def _closed_regions(hidden: int, n_nets: int = 2000) -> tuple[int, int]:
    """Of random 2-hidden-2 ReLU nets that call the origin class 1: how many, and how many call no far point 1."""
    gen = torch.Generator().manual_seed(0)
    W1, b1 = 3 * torch.randn(n_nets, hidden, 2, generator=gen), 3 * torch.randn(n_nets, hidden, 1, generator=gen)
    W2, b2 = 3 * torch.randn(n_nets, 2, hidden, generator=gen), 3 * torch.randn(n_nets, 2, 1, generator=gen)
    angles = torch.linspace(0, 2 * math.pi, 3601)
    points = torch.cat([torch.zeros(2, 1), 1e4 * torch.stack([angles.cos(), angles.sin()])], dim=1)   # (2, P)
    scores = W2 @ torch.relu(W1 @ points + b1) + b2                                                   # (nets, 2, P)
    says_inner = scores[:, 1] > scores[:, 0]
    centre = says_inner[:, 0]
    closed = centre & ~says_inner[:, 1:].any(dim=1)
    return int(centre.sum()), int(closed.sum())


@pytest.mark.parametrize("hidden, can_close", [(2, False), (3, True)])
def test_two_hidden_units_never_enclose_the_centre_three_can(hidden, can_close):
    # the geometry behind 03.4's answer: with 2 units a region holding the centre always reaches far away
    centre, closed = _closed_regions(hidden)
    assert centre > 500 and (closed > 0) == can_close, (centre, closed)


def test_two_units_prediction():
    assert exercises.judge("03.4", 0).ok and exercises.judge("03.4", 0.0).ok
    assert exercises.judge("03.4", "0").ok and exercises.judge("03.4", torch.tensor(0)).ok   # refused before
    for answer, hint in ((3, "four hidden units"), (2, "switching lines"), (1, "switching lines")):
        v = exercises.judge("03.4", answer)
        assert v.status == "wrong" and hint in v.message, v
    for bad in (5, 1.5, "none", True, -1):
        v = exercises.judge("03.4", bad)
        assert v.status == "wrong" and "whole number of seeds" in v.message, v
    assert exercises.judge("03.4", None).status == "unanswered"


# --- 03.3: accuracy ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn, hint", [
    (lambda lo, la: 100 * (lo.argmax(dim=1) == la).float().mean().item(), "percentage"),
    (lambda lo, la: (lo.argmax(dim=0) == la).float().mean().item(), "Which dimension holds the classes"),
    (lambda lo, la: (lo.argmax(dim=1) == la).float().sum().item(), "how many rows are right"),
    (lambda lo, la: (lo.argmax(dim=1) == la).mean().item(), "booleans"),
    (lambda lo, la: (lo.argmax(dim=1) == la).float(), "one number"),
    (lambda lo, la: (lo[:, 1] > 0).eq(la).float().mean().item(), "which dimension holds the classes"),
    (lambda lo, la: lo.argmax(dim=5), "raised IndexError"),
])
def test_accuracy_names_each_mistake(fn, hint):
    v = exercises.judge("03.3", fn)
    assert v.status == "wrong" and hint in v.message, v


def test_accuracy_accepts_a_fraction_in_any_form():
    assert exercises.judge("03.3", lambda lo, la: (lo.argmax(dim=1) == la).float().mean().item()).ok
    assert exercises.judge("03.3", lambda lo, la: (lo.softmax(1).argmax(1) == la).float().mean()).ok
    assert exercises.judge("03.3", lambda lo, la: (lo.argmax(-1) == la).sum().item() / len(la)).ok
    assert exercises.judge("03.3", lambda lo, la: None).status == "unanswered"


# --- 03.5: FixedNet ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("answer, words", [
    (lesson03.FIXED_WRONG_ANSWERS[0], ["still go through a ReLU", "no gradient"]),
    (lesson03.FIXED_WRONG_ANSWERS[1], ["AttributeError", "super().__init__()"]),
    (lesson03.FIXED_WRONG_ANSWERS[2], ["(in_features, out_features)", "FixedNet(2, 4, 2) fails"]),
    (lesson03.FIXED_WRONG_ANSWERS[3], ["unchanged", "Keep the hidden layer's ReLU"]),
    (lesson03.FIXED_WRONG_ANSWERS[4], ["fixed numbers", "FixedNet(3, 5, 4)"]),
])
def test_fixed_net_names_each_mistake(answer, words):
    verdict = exercises.judge("03.5", _define(answer, "FixedNet"))
    assert verdict.status == "wrong", verdict
    for word in words:
        assert word in verdict.message, (word, verdict.message)


def test_fixed_net_accepts_a_right_class_in_any_style():
    assert exercises.judge("03.5", _define(lesson03._FIXED, "FixedNet")).ok
    attributes = ("class FixedNet(torch.nn.Module):\n"
                  "    def __init__(self, a, b, c):\n"
                  "        super().__init__()\n"
                  "        self.hidden = torch.nn.Linear(a, b)\n"
                  "        self.out = torch.nn.Linear(b, c)\n"
                  "    def forward(self, x):\n"
                  "        return self.out(F.relu(self.hidden(x)))\n")
    assert exercises.judge("03.5", _define(attributes, "FixedNet")).ok


def test_no_cell_outside_the_folded_solution_shows_the_fix():
    # 03.5's fix (the Sequential ending at the output layer) must be found, not copied from an earlier cell
    nb = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / "03_circles.ipynb").read_text())
    folded = re.compile(r"<details>.*?</details>|### BEGIN SOLUTION.*?### END SOLUTION", re.DOTALL)
    shown = "\n".join(folded.sub("", "".join(c["source"])) for c in nb["cells"])
    assert not [g for g in lesson03.FIXED_GIVEAWAYS if g in shown]
    assert "n_output), torch.nn.ReLU())" in shown          # the bug itself is shown, in the colleague's class


def test_fixed_net_other_shapes_of_wrong():
    good = lesson03._FIXED
    skeleton = ("class FixedNet(torch.nn.Module):\n"
                "    def __init__(self, n_feature, n_hidden, n_output):\n"
                "        ...\n"
                "    def forward(self, x):\n"
                "        ...\n")
    assert exercises.judge("03.5", _define(skeleton, "FixedNet")).status == "unanswered"
    tanh = good.replace("n_hidden), torch.nn.ReLU()", "n_hidden), torch.nn.Tanh()")
    assert "not the ReLU" in exercises.judge("03.5", _define(tanh, "FixedNet")).message
    softmax = good.replace("return self.layers(x)", "return self.layers(x).softmax(dim=1)")
    assert "raw scores" in exercises.judge("03.5", _define(softmax, "FixedNet")).message
    no_bias = good.replace("(n_hidden, n_output)", "(n_hidden, n_output, bias=False)")
    assert "keep the biases" in exercises.judge("03.5", _define(no_bias, "FixedNet")).message
    spare = good.replace("        self.layers =", "        self.spare = torch.nn.Linear(n_hidden, 7)\n        self.layers =")
    assert "does not use" in exercises.judge("03.5", _define(spare, "FixedNet")).message
    one_layer = good.replace("return self.layers(x)", "return self.layers[0](x)")
    assert "1 registered Linear layer" in exercises.judge("03.5", _define(one_layer, "FixedNet")).message
    narrow = good.replace("Linear(n_feature, n_hidden)", "Linear(n_feature, n_output)").replace(
        "Linear(n_hidden, n_output)", "Linear(n_output, n_output)")
    v = exercises.judge("03.5", _define(narrow, "FixedNet"))
    assert "first Linear layer maps 2 features to 2" in v.message and "2 → 4" in v.message
    four = good.replace("Linear(n_feature, n_hidden)", "Linear(n_feature, 4)").replace("Linear(n_hidden,", "Linear(4,")
    v = exercises.judge("03.5", _define(four, "FixedNet"))
    assert "FixedNet(3, 5, 4) the first Linear layer maps 3 features to 4" in v.message and "fixed numbers" in v.message
    flat = good.replace("return self.layers(x)", "return self.layers(x).sum(dim=1)")
    assert "one score per class" in exercises.judge("03.5", _define(flat, "FixedNet")).message
    assert "not a network built from it" in exercises.judge("03.5", _define(good, "FixedNet")(2, 4, 2)).message
    assert "subclasses torch.nn.Module" in exercises.judge("03.5", object).message


# --- 03.6: the learning rate: the lesson's 0.03 is the starter's setting (⏳), another rate is judged ---------------

GOOD = {"learning rate": 0.1, "seeds trained": 4, "median final loss": 0.008, "median test accuracy": 0.986}
AT_003 = {"learning rate": 0.03, "seeds trained": 3, "median final loss": 0.031, "median test accuracy": 0.985}


def test_learning_rate_of_the_lesson_is_not_answered_yet():
    v = exercises.judge("03.6", AT_003)
    assert v.status == "unanswered" and "starter's setting" in v.message and "0.03" in v.message
    assert exercises.judge("03.6", {**AT_003, "learning rate": "0.03"}).status == "unanswered"


@pytest.mark.parametrize("change, found", [
    ({}, "more seeds trained than at 0.03 (4 of 4 against 3)"),                                  # the cell's 0.1
    ({"learning rate": 0.3, "seeds trained": 2, "median final loss": 0.2}, "fewer seeds trained"),   # refused before
    ({"learning rate": 0.05, "seeds trained": 3, "median final loss": 0.02}, "as many seeds trained"),
    ({"learning rate": "0.2", "seeds trained": 4.0}, "at learning rate 0.2"),
])
def test_learning_rate_another_rate_is_judged_on_its_own_numbers(change, found):
    """The old check refused every rate but 0.1 ('fine for exploring, but this check judges the starter')."""
    v = exercises.judge("03.6", {**GOOD, **change})
    assert v.ok and found in v.message, v.message


@pytest.mark.parametrize("change, hint", [({"seeds trained": 3}, "outside what learning rate 0.1 gives"),
                                          ({"median final loss": 0.03}, "outside what learning rate 0.1 gives"),
                                          ({"median test accuracy": 0.9}, "outside what learning rate 0.1 gives"),
                                          ({"median final loss": float("nan")}, "one number"),
                                          ({"learning rate": 0.3, "seeds trained": 5}, "cannot come from the starter"),
                                          ({"learning rate": 0.3, "median test accuracy": 98.6},
                                           "cannot come from the starter")])
def test_learning_rate_unsound_numbers_get_a_hint(change, hint):
    v = exercises.judge("03.6", {**GOOD, **change})
    assert v.status == "wrong" and hint in v.message, v.message


def test_learning_rate_wants_the_starters_dictionary():
    assert "starter's dictionary" in exercises.judge("03.6", {"seeds trained": 4}).message
    assert "starter's dictionary" in exercises.judge("03.6", [4]).message

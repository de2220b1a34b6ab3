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


# --- 03.1: two hidden units cannot close a region -----------------------------------------------------------

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
    # the geometry behind 03.1's answer: with 2 units a region holding the centre always reaches far away
    centre, closed = _closed_regions(hidden)
    assert centre > 500 and (closed > 0) == can_close, (centre, closed)


def test_two_units_prediction():
    assert exercises.judge("03.1", 0).ok and exercises.judge("03.1", 0.0).ok
    assert exercises.judge("03.1", "0").ok and exercises.judge("03.1", torch.tensor(0)).ok   # refused before
    for answer, hint in ((6, "four hidden units"), (2, "switching lines"), (1, "switching lines")):
        v = exercises.judge("03.1", answer)
        assert v.status == "wrong" and hint in v.message, v
    for bad in (9, 1.5, "none", True, -1):
        v = exercises.judge("03.1", bad)
        assert v.status == "wrong" and "whole number of seeds" in v.message, v
    assert exercises.judge("03.1", None).status == "unanswered"


# --- 03.2: accuracy ----------------------------------------------------------------------------------------

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
    v = exercises.judge("03.2", fn)
    assert v.status == "wrong" and hint in v.message, v


def test_accuracy_accepts_a_fraction_in_any_form():
    assert exercises.judge("03.2", lambda lo, la: (lo.argmax(dim=1) == la).float().mean().item()).ok
    assert exercises.judge("03.2", lambda lo, la: (lo.softmax(1).argmax(1) == la).float().mean()).ok
    assert exercises.judge("03.2", lambda lo, la: (lo.argmax(-1) == la).sum().item() / len(la)).ok
    assert exercises.judge("03.2", lambda lo, la: None).status == "unanswered"


# --- 03.3: FixedNet ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("answer, words", [
    (lesson03.FIXED_WRONG_ANSWERS[0], ["still go through a ReLU", "no gradient"]),
    (lesson03.FIXED_WRONG_ANSWERS[1], ["AttributeError", "super().__init__()"]),
    (lesson03.FIXED_WRONG_ANSWERS[2], ["(in_features, out_features)", "FixedNet(2, 4, 2) fails"]),
    (lesson03.FIXED_WRONG_ANSWERS[3], ["unchanged", "Keep the hidden layer's ReLU"]),
    (lesson03.FIXED_WRONG_ANSWERS[4], ["fixed numbers", "FixedNet(3, 5, 4)"]),
])
def test_fixed_net_names_each_mistake(answer, words):
    verdict = exercises.judge("03.3", _define(answer, "FixedNet"))
    assert verdict.status == "wrong", verdict
    for word in words:
        assert word in verdict.message, (word, verdict.message)


def test_fixed_net_accepts_a_right_class_in_any_style():
    assert exercises.judge("03.3", _define(lesson03._FIXED, "FixedNet")).ok
    attributes = ("class FixedNet(torch.nn.Module):\n"
                  "    def __init__(self, a, b, c):\n"
                  "        super().__init__()\n"
                  "        self.hidden = torch.nn.Linear(a, b)\n"
                  "        self.out = torch.nn.Linear(b, c)\n"
                  "    def forward(self, x):\n"
                  "        return self.out(F.relu(self.hidden(x)))\n")
    assert exercises.judge("03.3", _define(attributes, "FixedNet")).ok


def test_no_cell_outside_the_folded_solution_shows_the_fix():
    # 03.3's fix (the Sequential ending at the output layer) must be found, not copied from an earlier cell
    nb = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / "03_circles.ipynb").read_text())
    folded = re.compile(r"<details>.*?</details>", re.DOTALL)
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
    assert exercises.judge("03.3", _define(skeleton, "FixedNet")).status == "unanswered"
    tanh = good.replace("n_hidden), torch.nn.ReLU()", "n_hidden), torch.nn.Tanh()")
    assert "not the ReLU" in exercises.judge("03.3", _define(tanh, "FixedNet")).message
    softmax = good.replace("return self.layers(x)", "return self.layers(x).softmax(dim=1)")
    assert "raw scores" in exercises.judge("03.3", _define(softmax, "FixedNet")).message
    no_bias = good.replace("(n_hidden, n_output)", "(n_hidden, n_output, bias=False)")
    assert "keep the biases" in exercises.judge("03.3", _define(no_bias, "FixedNet")).message
    spare = good.replace("        self.layers =", "        self.spare = torch.nn.Linear(n_hidden, 7)\n        self.layers =")
    assert "does not use" in exercises.judge("03.3", _define(spare, "FixedNet")).message
    one_layer = good.replace("return self.layers(x)", "return self.layers[0](x)")
    assert "1 registered Linear layer" in exercises.judge("03.3", _define(one_layer, "FixedNet")).message
    narrow = good.replace("Linear(n_feature, n_hidden)", "Linear(n_feature, n_output)").replace(
        "Linear(n_hidden, n_output)", "Linear(n_output, n_output)")
    v = exercises.judge("03.3", _define(narrow, "FixedNet"))
    assert "first Linear layer maps 2 features to 2" in v.message and "2 → 4" in v.message
    four = good.replace("Linear(n_feature, n_hidden)", "Linear(n_feature, 4)").replace("Linear(n_hidden,", "Linear(4,")
    v = exercises.judge("03.3", _define(four, "FixedNet"))
    assert "FixedNet(3, 5, 4) the first Linear layer maps 3 features to 4" in v.message and "fixed numbers" in v.message
    flat = good.replace("return self.layers(x)", "return self.layers(x).sum(dim=1)")
    assert "one score per class" in exercises.judge("03.3", _define(flat, "FixedNet")).message
    assert "not a network built from it" in exercises.judge("03.3", _define(good, "FixedNet")(2, 4, 2)).message
    assert "subclasses torch.nn.Module" in exercises.judge("03.3", object).message


# --- 03.4: the learning rate: section 7's 0.03 is the starter's setting (⏳), another rate is judged ---------------

GOOD = {"learning rate": 0.1, "seeds trained": 8, "median final loss": 0.008, "median test accuracy": 0.986}
SECTION_7 = {"learning rate": 0.03, "seeds trained": 6, "median final loss": 0.037, "median test accuracy": 0.985}


def test_learning_rate_of_section_7_is_not_answered_yet():
    v = exercises.judge("03.4", SECTION_7)
    assert v.status == "unanswered" and "starter's setting" in v.message and "0.03" in v.message
    assert exercises.judge("03.4", {**SECTION_7, "learning rate": "0.03"}).status == "unanswered"


@pytest.mark.parametrize("change, found", [
    ({}, "more seeds trained than at 0.03 (8 of 8 against 6)"),                                  # the cell's 0.1
    ({"learning rate": 0.3, "seeds trained": 5, "median final loss": 0.2}, "fewer seeds trained"),   # refused before
    ({"learning rate": 0.05, "seeds trained": 6, "median final loss": 0.02}, "as many seeds trained"),
    ({"learning rate": "0.2", "seeds trained": 8.0}, "at learning rate 0.2"),
])
def test_learning_rate_another_rate_is_judged_on_its_own_numbers(change, found):
    """The old check refused every rate but 0.1 ('fine for exploring, but this check judges the starter')."""
    v = exercises.judge("03.4", {**GOOD, **change})
    assert v.ok and found in v.message, v.message


@pytest.mark.parametrize("change, hint", [({"seeds trained": 7}, "outside what learning rate 0.1 gives"),
                                          ({"median final loss": 0.03}, "outside what learning rate 0.1 gives"),
                                          ({"median test accuracy": 0.9}, "outside what learning rate 0.1 gives"),
                                          ({"median final loss": float("nan")}, "one number"),
                                          ({"learning rate": 0.3, "seeds trained": 9}, "cannot come from the starter"),
                                          ({"learning rate": 0.3, "median test accuracy": 98.6},
                                           "cannot come from the starter")])
def test_learning_rate_unsound_numbers_get_a_hint(change, hint):
    v = exercises.judge("03.4", {**GOOD, **change})
    assert v.status == "wrong" and hint in v.message, v.message


def test_learning_rate_wants_the_starters_dictionary():
    assert "starter's dictionary" in exercises.judge("03.4", {"seeds trained": 8}).message
    assert "starter's dictionary" in exercises.judge("03.4", [8]).message

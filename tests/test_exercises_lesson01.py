"""Lesson 01's judges of learner code: each typical mistake gets its own named hint, a right answer a ✅.

The harness (test_exercises_in_notebooks.py) runs the same answers inside the lesson; here each
mistake is checked to be recognised for what it is, not just rejected.
"""
import math

import pytest
import torch
import torch.nn.functional as F

from course_utils import data, exercises
from course_utils.exercises import lesson01


def _define(source: str, name: str):
    namespace = {"torch": torch, "F": F}
    exec(source, namespace)
    return namespace[name]


GOOD_NET = lesson01._net_answer(lesson01._INIT, lesson01._FORWARD)


@pytest.mark.parametrize("answer, words", [
    (lesson01.NET_WRONG_ANSWERS[0], ["AttributeError", "super().__init__()"]),
    (lesson01.NET_WRONG_ANSWERS[1], ["fixed numbers", "TwoHidden(3, 5, 4, 1)"]),
    (lesson01.NET_WRONG_ANSWERS[2], ["second Linear layer maps 16 features to 16", "16 → 8"]),
    (lesson01.NET_WRONG_ANSWERS[3], ["missing activation", "between the second and the third"]),
    (lesson01.NET_WRONG_ANSWERS[4], ["output goes through a ReLU"]),
    (lesson01.NET_WRONG_ANSWERS[5], ["returns shape (64,)", "one row per example"]),
    (lesson01.NET_WRONG_ANSWERS[6], ["parameters() is empty", "Python list"]),
])
def test_two_hidden_names_each_mistake(answer, words):
    verdict = exercises.judge("01.2", _define(answer, "TwoHidden"))
    assert verdict.status == "wrong", verdict
    for word in words:
        assert word in verdict.message, (word, verdict.message)


def test_two_hidden_accepts_a_right_class_in_any_style():
    assert exercises.judge("01.2", _define(GOOD_NET, "TwoHidden")).ok
    sequential = ("class TwoHidden(torch.nn.Module):\n"
                  "    def __init__(self, a, b, c, d):\n"
                  "        super().__init__()\n"
                  "        self.body = torch.nn.Sequential(torch.nn.Linear(a, b), torch.nn.ReLU(),\n"
                  "                                        torch.nn.Linear(b, c), torch.nn.ReLU(), torch.nn.Linear(c, d))\n"
                  "    def forward(self, x):\n"
                  "        return self.body(x)\n")
    assert exercises.judge("01.2", _define(sequential, "TwoHidden")).ok


def test_two_hidden_skeleton_and_other_shapes_of_wrong():
    skeleton = ("class TwoHidden(torch.nn.Module):\n"
                "    def __init__(self, n_feature, n_hidden1, n_hidden2, n_output):\n"
                "        ...\n"
                "    def forward(self, x):\n"
                "        ...\n")
    assert exercises.judge("01.2", _define(skeleton, "TwoHidden")).status == "unanswered"
    tanh = GOOD_NET.replace("x = F.relu(self.hidden1(x))", "x = torch.tanh(self.hidden1(x))")
    assert "not the ReLU" in exercises.judge("01.2", _define(tanh, "TwoHidden")).message
    no_bias = GOOD_NET.replace("(n_hidden2, n_output)", "(n_hidden2, n_output, bias=False)")
    assert "keep the biases" in exercises.judge("01.2", _define(no_bias, "TwoHidden")).message
    extra = GOOD_NET.replace("        self.out =", "        self.spare = torch.nn.Linear(n_hidden1, 5)\n        self.out =")
    assert "never uses" in exercises.judge("01.2", _define(extra, "TwoHidden")).message
    swapped = GOOD_NET.replace("(n_feature, n_hidden1)", "(n_hidden1, n_feature)")
    assert "in_features must equal" in exercises.judge("01.2", _define(swapped, "TwoHidden")).message
    assert "not a network built from it" in exercises.judge("01.2", _define(GOOD_NET, "TwoHidden")(2, 3, 4, 5)).message
    assert "subclasses torch.nn.Module" in exercises.judge("01.2", object).message


@pytest.mark.parametrize("answer, words", [
    (lesson01.STEP_WRONG_ANSWERS[0], ["second step", "cleared before each backward()"]),
    (lesson01.STEP_WRONG_ANSWERS[1], ["loss after the update"]),
    (lesson01.STEP_WRONG_ANSWERS[2], ["exactly where they were", "take its step"]),
])
def test_train_step_names_each_mistake(answer, words):
    verdict = exercises.judge("01.3", _define(answer, "train_step"))
    assert verdict.status == "wrong", verdict
    for word in words:
        assert word in verdict.message, (word, verdict.message)


def test_train_step_accepts_the_five_moves_and_wants_a_number():
    assert exercises.judge("01.3", _define(lesson01._STEP, "train_step")).ok
    tensor = lesson01._STEP.replace("return loss.item()", "return loss")
    assert "returns a tensor" in exercises.judge("01.3", _define(tensor, "train_step")).message


@pytest.mark.filterwarnings("ignore:Using a target size")   # what F.mse_loss says about the bug it keeps
@pytest.mark.parametrize("answer", lesson01.DEBUG_WRONG_ANSWERS + (lesson01._BROKEN,))
def test_debug_loop_recognises_the_bug_still_there(answer):
    verdict = exercises.judge("01.6", _define(answer, "train_fixed"))
    assert verdict.status == "wrong" and "still trains on the bug" in verdict.message, verdict


@pytest.mark.parametrize("fix", ["((prediction - targets.view(-1, 1)) ** 2).mean()",
                                 "((prediction.view(-1) - targets) ** 2).mean()",
                                 "torch.nn.functional.mse_loss(prediction.squeeze(1), targets)"])
def test_debug_loop_accepts_any_fix_that_makes_the_shapes_agree(fix):
    fixed = lesson01._BROKEN.replace("((prediction - targets) ** 2).mean()", fix)
    assert exercises.judge("01.6", _define(fixed, "train_fixed")).ok


def test_debug_loop_other_mistakes():
    frozen = lesson01._BROKEN.replace("        optimizer.step()\n", "")
    assert "where they started" in exercises.judge("01.6", _define(frozen, "train_fixed")).message
    summed = lesson01._BROKEN.replace("((prediction - targets) ** 2).mean()",
                                      "((prediction.view(-1) - targets) ** 2).sum()")
    assert "somewhere else" in exercises.judge("01.6", _define(summed, "train_fixed")).message


@pytest.mark.parametrize("seed", [0, 1])
def test_constant_prediction_judge_follows_the_data(seed):
    x, y = data.regression_data(seed=seed)
    variance = float(((y - y.mean()) ** 2).mean())
    assert exercises.judge("01.5", 4 / 45 + 0.2 ** 2 / 12, y=y).ok
    assert exercises.judge("01.5", f"{variance:.4f}", y=y).ok   # a number typed as a string was refused
    assert exercises.judge("01.5", variance * 1.09, y=y).ok and not exercises.judge("01.5", variance * 1.2, y=y).ok
    assert "noise floor" in exercises.judge("01.5", 0.2 ** 2 / 12, y=y).message
    assert "from 0" in exercises.judge("01.5", float((y ** 2).mean()), y=y).message
    assert "too low" in exercises.judge("01.5", 0.03, y=y).message


STARTER_SWEEP = {0.05: 0.05, 0.2: 0.009, 0.5: 0.005, 0.8: 0.08, 1.0: 10.0, 2.0: math.inf}


def _sweep(table, steps=100):
    return {"steps": steps, "median final MSE": table}


def test_lr_sweep_starter_as_given_is_not_answered_yet():
    """The old check said ✅ to the untouched starter: it judged that the learner ran it, not a finding."""
    v = exercises.judge("01.7", _sweep(STARTER_SWEEP))
    assert v.status == "unanswered" and "starter's setting" in v.message and "STEPS" in v.message
    assert exercises.judge("01.7", _sweep({str(k): v for k, v in STARTER_SWEEP.items()}, steps="100")).status == (
        "unanswered")


@pytest.mark.parametrize("table, steps, found", [
    ({**STARTER_SWEEP, 0.65: 0.03}, 100, "came at learning rate 0.5"),        # one more rate, as the lesson ships
    ({0.05: 0.02, 0.2: 0.004, 0.5: 0.003, 0.8: 0.2, 1.0: 12.0, 2.0: math.inf}, 300, "with 300 steps"),
    ({0.01: 0.09, 0.1: 0.02}, 100, "smaller values ended within a factor of 4.5"),
    ({0.03: 0.3, 0.3: 0.006, 3.0: math.inf}, 100, "smaller values ended higher, up to 50 times"),
    ({0.3: 0.006, 3.0: math.inf}, 100, "learning rate 3 diverged"),
])
def test_lr_sweep_changed_setting_is_judged_on_its_own_numbers(table, steps, found):
    """The old check said '❌ Not yet' to any rate or step count other than the starter's."""
    v = exercises.judge("01.7", _sweep(table, steps))
    assert v.ok and found in v.message, v.message


@pytest.mark.parametrize("table, steps, hint", [
    ({lr: 10 * v for lr, v in {**STARTER_SWEEP, 0.65: 0.03}.items()}, 100, "outside what this sweep gives"),
    ({0.2: 0.009}, 300, "at least two values"),
    ({3.0: math.inf, 5.0: math.inf}, 100, "every learning rate you tried diverged"),
    ({0.3: 0.006, 0.35: 0.0062}, 100, "within 20 %"),
    ({0.3: -1.0, 0.6: 0.1}, 100, "from 0 up"),
])
def test_lr_sweep_changed_setting_without_a_sound_finding_gets_a_hint(table, steps, hint):
    v = exercises.judge("01.7", _sweep(table, steps))
    assert v.status == "wrong" and hint in v.message, v.message


def test_lr_sweep_result_of_another_kind_is_one_sentence():
    v = exercises.judge("01.7", STARTER_SWEEP)   # the old starter's bare table: no steps
    assert v.status == "wrong" and "'steps'" in v.message

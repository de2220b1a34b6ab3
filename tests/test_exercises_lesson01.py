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
from course_utils.runtime import seeded


def _define(source: str, name: str):
    namespace = {"torch": torch, "F": F}
    exec(source, namespace)
    return namespace[name]


GOOD_NET = lesson01._net_answer(lesson01._INIT, lesson01._FORWARD)
STUB_NET = lesson01._net_answer("        pass\n", "        pass\n")   # what the learner's edition hands over


@pytest.mark.parametrize("answer, words", [
    (lesson01.NET_WRONG_ANSWERS[0], ["fixed numbers", "Net(3, 5, 2)"]),
    (lesson01.NET_WRONG_ANSWERS[1], ["in_features must equal"]),
    (lesson01.NET_WRONG_ANSWERS[2], ["missing activation", "between the first and the second"]),
    (lesson01.NET_WRONG_ANSWERS[3], ["output goes through a ReLU"]),
    (lesson01.NET_WRONG_ANSWERS[4], ["returns shape (64,)", "one row per example"]),
    (lesson01.NET_WRONG_ANSWERS[5], ["parameters() is empty", "Python list"]),
    (lesson01.NET_WRONG_ANSWERS[6], ["net.hidden", "net.predict"]),
])
def test_net_names_each_mistake(answer, words):
    verdict = exercises.judge("01.1", _define(answer, "Net"))
    assert verdict.status == "wrong", verdict
    for word in words:
        assert word in verdict.message, (word, verdict.message)
    assert not [g for g in ("Linear(n_feature, n_hidden)", "Linear(n_hidden, n_output)") if g in verdict.message]


def test_net_accepts_a_right_class_in_any_style():
    assert exercises.judge("01.1", _define(GOOD_NET, "Net")).ok
    one_line = GOOD_NET.replace("        x = F.relu(self.hidden(x))\n        return self.predict(x)\n",
                                "        return self.predict(torch.relu(self.hidden(x)))\n")
    assert exercises.judge("01.1", _define(one_line, "Net")).ok
    module_relu = GOOD_NET.replace("F.relu(self.hidden(x))", "torch.nn.ReLU()(self.hidden(x))")
    assert exercises.judge("01.1", _define(module_relu, "Net")).ok
    assert exercises.judge("01.1", lesson01.reference_net()).ok


def test_net_stub_is_not_answered_and_build_goes_on_with_the_reference(capsys):
    stub = _define(STUB_NET, "Net")
    assert exercises.judge("01.1", stub).status == "unanswered"
    assert exercises.build("01.1", stub) is lesson01.reference_net()
    out = capsys.readouterr().out
    assert out.startswith("⏳") and "course's version" in out
    with pytest.raises(AssertionError):
        exercises.require("01.1")
    good = _define(GOOD_NET, "Net")
    assert exercises.build("01.1", good) is good
    exercises.require("01.1")


def test_net_other_shapes_of_wrong():
    tanh = GOOD_NET.replace("x = F.relu(self.hidden(x))", "x = torch.tanh(self.hidden(x))")
    assert "not the ReLU" in exercises.judge("01.1", _define(tanh, "Net")).message
    no_bias = GOOD_NET.replace("(n_hidden, n_output)", "(n_hidden, n_output, bias=False)")
    assert "keep the biases" in exercises.judge("01.1", _define(no_bias, "Net")).message
    extra = GOOD_NET.replace("        self.predict =", "        self.spare = torch.nn.Linear(n_hidden, 5)\n"
                                                     "        self.predict =")
    assert "never uses" in exercises.judge("01.1", _define(extra, "Net")).message
    no_super = GOOD_NET.replace("        super().__init__()\n", "")
    assert "super().__init__()" in exercises.judge("01.1", _define(no_super, "Net")).message
    assert "not a network built from it" in exercises.judge("01.1", _define(GOOD_NET, "Net")(2, 3, 4)).message
    assert "subclasses torch.nn.Module" in exercises.judge("01.1", object).message


X, Y = data.regression_data(n=100, noise=0.2, seed=0)


def _loop(source: str, net_class=None):
    """Run a loop cell as the lesson does (SEED 0, the lesson's data and loss_fn); return its trained net."""
    namespace = {"torch": torch, "F": F, "seeded": seeded, "SEED": 0, "x": X, "y": Y,
                 "Net": net_class or lesson01.reference_net(), "loss_fn": torch.nn.MSELoss()}
    exec(source, namespace)
    return namespace["net"]


GOOD_LOOP = lesson01.LOOP_HEAD + lesson01._LOOP


@pytest.mark.parametrize("answer, words", [
    (lesson01.LOOP_WRONG_ANSWERS[0], ["drift away from plain SGD", "Clear them in every pass"]),
    (lesson01.LOOP_WRONG_ANSWERS[1], ["nan or inf", "not their sum"]),
    (lesson01.LOOP_WRONG_ANSWERS[2], ["elsewhere", "each once"]),
])
def test_loop_names_each_mistake(answer, words):
    verdict = exercises.judge("01.2", _loop(answer), x=X, y=Y, seed=0)
    assert verdict.status == "wrong", verdict
    for word in words:
        assert word in verdict.message, (word, verdict.message)
    assert not [g for g in lesson01.LOOP_GIVEAWAYS if g in verdict.message]


@pytest.mark.parametrize("body", [
    lesson01._LOOP,
    "    optimizer.zero_grad()\n    loss_fn(net(x), y).backward()\n    optimizer.step()\n",
    "    loss = ((net(x) - y) ** 2).mean()\n    loss.backward()\n    optimizer.step()\n    optimizer.zero_grad()\n",
    "    net.zero_grad()\n    loss = F.mse_loss(net(x), y)\n    loss.backward()\n    optimizer.step()\n",
])
def test_loop_accepts_the_five_moves_written_several_ways(body):
    assert exercises.judge("01.2", _loop(lesson01.LOOP_HEAD + body), x=X, y=Y, seed=0).ok


def test_loop_with_the_learners_own_net_class_is_judged_from_its_own_start():
    own = _define(GOOD_NET.replace("        self.hidden = torch.nn.Linear(n_feature, n_hidden)\n"
                                   "        self.predict = torch.nn.Linear(n_hidden, n_output)\n",
                                   "        self.predict = torch.nn.Linear(n_hidden, n_output)\n"
                                   "        self.hidden = torch.nn.Linear(n_feature, n_hidden)\n"), "Net")
    assert exercises.judge("01.2", _loop(GOOD_LOOP, own), x=X, y=Y, seed=0).ok


@pytest.mark.parametrize("body", ["    pass\n",                                                   # the stub
                                  "    loss = loss_fn(net(x), y)\n    loss.backward()\n    optimizer.zero_grad()\n    optimizer.step()\n"])
def test_loop_that_never_moves_the_weights_is_not_answered_yet(body):
    verdict = exercises.judge("01.2", _loop(lesson01.LOOP_HEAD + body), x=X, y=Y, seed=0)
    assert verdict.status == "unanswered" and "where they started" in verdict.message, verdict


def test_loop_build_goes_on_with_the_reference_loop(capsys):
    net = exercises.build("01.2", _loop(lesson01.LOOP_HEAD + "    pass\n"), x=X, y=Y, seed=0)
    assert "course's version" in capsys.readouterr().out
    assert exercises.judge("01.2", net, x=X, y=Y, seed=0).ok
    assert "the check takes the network" in exercises.judge("01.2", 0.5, x=X, y=Y, seed=0).message


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
    assert exercises.judge("01.5", 4 / 45 + 0.2 ** 2 / 12, y=y, x=x).ok
    assert exercises.judge("01.5", f"{variance:.4f}", y=y, x=x).ok   # a number typed as a string was refused
    assert exercises.judge("01.5", variance * 1.09, y=y, x=x).ok and not exercises.judge("01.5", variance * 1.2, y=y, x=x).ok
    assert "noise floor" in exercises.judge("01.5", 0.2 ** 2 / 12, y=y, x=x).message
    assert "from 0" in exercises.judge("01.5", float((y ** 2).mean()), y=y, x=x).message
    assert "too low" in exercises.judge("01.5", 0.03, y=y, x=x).message
    assert exercises.judge("01.5", ((y - y.mean()) ** 2).mean().item(), y=y, x=x).ok   # computed in one line
    assert exercises.judge("01.5", y.var(unbiased=False), y=y, x=x).ok
    floor = float(((y - (x ** 2 + 0.1)) ** 2).mean())
    assert f"{variance / floor:.0f} times" in exercises.judge("01.5", variance, y=y, x=x).message


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

"""Lesson 05's judges on their own: each recognises the right answer (written several ways), names each typical
mistake without giving the answer away, and says ⏳ to the untouched stub the learner's edition starts from.

The lesson's own solutions and wrong answers also run inside the notebook in tests/test_exercises_in_notebooks.py.
"""
import re
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import exercises
from course_utils.exercises import lesson05


@pytest.fixture
def sets():
    # training part: digit 1 is the most common (4 of 10); validation: digit 1 is 3 labels of 8
    train_set = SimpleNamespace(y=torch.tensor([1, 1, 1, 1, 2, 2, 3, 4, 5, 6]))
    val_set = SimpleNamespace(y=torch.tensor([1, 1, 1, 2, 2, 2, 2, 7]))
    return {"train_set": train_set, "val_set": val_set}


def test_baseline_is_the_training_majority_scored_on_validation(sets):
    assert exercises.judge("05.4", 3 / 8, guess=0.5, **sets).ok
    assert "you guessed 0.5" in exercises.judge("05.4", 3 / 8, guess=0.5, **sets).message
    assert "guess down first" in exercises.judge("05.4", 3 / 8, guess=None, **sets).message
    # the validation set's own majority (digit 2, 4 of 8) is not what was asked
    assert not exercises.judge("05.4", 0.5, guess=None, **sets).ok


@pytest.mark.parametrize("written", [3 / 8, "0.375", " 0.375", torch.tensor(0.375), np.float64(0.375)])
def test_baseline_accepts_the_number_however_written(sets, written):
    """A fraction typed as a string was refused ('give one number'), though it is the right number."""
    assert exercises.judge("05.4", written, guess=None, **sets).ok


@pytest.mark.parametrize("answer, hint", [(0.4, "training part"), (37.5, "percentage"), (1, "that is a digit"),
                                          (0.1, "equally common"), (0.2, "too low"), (0.6, "too high"),
                                          ("three eighths", "one number"), ([0.375], "one number")])
def test_baseline_names_each_mistake_without_the_answer(sets, answer, hint):
    v = exercises.judge("05.4", answer, guess=None, **sets)
    assert v.status == "wrong" and hint in v.message and "0.375" not in v.message and "37.5" not in v.message


# The lesson's stored validation confusion matrix: by share of its images digit 2 does worst (185 of 199, 0.930;
# digit 8: 176 of 189, 0.931), by images recognised digit 5 (163 of 173).
LESSON_CM = np.array([[186, 0, 0, 0, 0, 0, 2, 0, 2, 0], [0, 205, 2, 1, 1, 0, 0, 0, 0, 1],
                      [1, 1, 185, 0, 2, 0, 4, 3, 3, 0], [0, 0, 1, 189, 0, 6, 0, 0, 4, 0],
                      [0, 1, 1, 0, 201, 0, 2, 0, 1, 1], [1, 0, 0, 5, 1, 163, 1, 1, 0, 1],
                      [3, 0, 0, 0, 2, 4, 198, 0, 0, 0], [1, 0, 1, 0, 2, 0, 0, 218, 0, 1],
                      [0, 3, 0, 2, 0, 4, 2, 0, 176, 2], [2, 0, 0, 1, 2, 0, 0, 2, 1, 194]])


def _hardest_context(cm=LESSON_CM):
    return {"per_class": cm.diagonal() / cm.sum(axis=1), "cm": cm}


@pytest.mark.parametrize("answer", [2, "2", 5, " 5 ", np.int64(5), torch.tensor(2)])
def test_hardest_digit_accepts_both_readings_however_written(answer):
    """Lowest share of its own images (2) and fewest images recognised (5): both fair readings are right."""
    assert exercises.judge("05.5", answer, **_hardest_context()).ok


@pytest.mark.parametrize("answer, hint", [(8, "close"), (0, "at least one digit does worse"),
                                          ("7", "at least one digit does worse")])
def test_hardest_digit_hints_without_the_answers(answer, hint):
    v = exercises.judge("05.5", answer, **_hardest_context())
    giveaways = exercises.get("05.5").giveaways(**_hardest_context())
    assert v.status == "wrong" and hint in v.message and sorted(giveaways) == ["2", "5"]
    assert not [g for g in giveaways if re.search(rf"(?<![\w.]){g}(?![\w]|\.\d)", v.message)], v.message


def test_hardest_digit_follows_the_learners_own_numbers_and_accepts_ties():
    cm = np.diag([50, 40, 40, 60]) + 5   # shares 55/70, 45/60, 45/60, 65/80; counts 55, 45, 45, 65
    assert [exercises.judge("05.5", d, **_hardest_context(cm)).status for d in range(4)] == [
        "wrong", "right", "right", "wrong"]
    assert "one digit from 0 to 3" in exercises.judge("05.5", "ten", **_hardest_context(cm)).message
    assert "one digit from 0 to 3" in exercises.judge("05.5", 12, **_hardest_context(cm)).message
    assert "one digit from 0 to 3" in exercises.judge("05.5", True, **_hardest_context(cm)).message




# ---- the builds: 05.1 Net, 05.2 train_and_validate, 05.3 per_class_accuracy --------------------------------------

def _defined(snippet, name):
    """What a learner's cell defines, run as the lesson runs it."""
    namespace = {"torch": torch, "nn": nn, "F": F}
    exec(snippet, namespace)
    return namespace[name]


NET_RIGHT = {
    "view": lesson05.reference_net(),
    "nn.Flatten and a Sequential": _defined(
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.flat = nn.Flatten()\n        self.layers = nn.Sequential(nn.Linear(784, 256), nn.ReLU(),\n"
        "            nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))\n\n"
        "    def forward(self, x):\n        return self.layers(self.flat(x))\n", "Net"),
    "reshape and torch.relu": _defined(
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.a, self.b, self.c = nn.Linear(784, 256), nn.Linear(256, 256), nn.Linear(256, 10)\n\n"
        "    def forward(self, x):\n        x = x.reshape(len(x), -1)\n"
        "        return self.c(torch.relu(self.b(torch.relu(self.a(x)))))\n", "Net"),
}
NET_STUB = ("class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        # YOUR CODE HERE\n        pass\n\n    def forward(self, x):\n        # YOUR CODE HERE\n        pass\n")


@pytest.mark.parametrize("name", NET_RIGHT)
def test_net_accepts_the_original_written_several_ways(name):
    v = exercises.judge("05.1", NET_RIGHT[name])
    assert v.ok, v.message


@pytest.mark.parametrize("snippet, hint", list(zip(lesson05.NET_WRONG_ANSWERS, [
    "one row of 28·28 pixels", "no score can be negative", "applies a softmax", "missing activation",
    "784-256-256-10"])))
def test_net_names_each_typical_mistake(snippet, hint):
    v = exercises.judge("05.1", _defined(snippet, "Net"))
    assert v.status == "wrong" and hint in v.message, v.message
    assert "view(-1" not in v.message and "self.fc" not in v.message


def test_net_stub_and_other_kinds_of_answer():
    assert exercises.judge("05.1", _defined(NET_STUB, "Net")).status == "unanswered"
    assert "the class itself" in exercises.judge("05.1", lesson05.reference_net()()).message
    assert "subclasses torch.nn.Module" in exercises.judge("05.1", 3).message
    no_super = _defined(NET_STUB.replace("        super().__init__()\n", ""), "Net")
    assert exercises.judge("05.1", no_super).status == "unanswered"


def test_net_build_hands_on_the_reference_until_the_learners_passes(capsys):
    stub = _defined(NET_STUB, "Net")
    got = exercises.build("05.1", stub)
    assert got is not stub and exercises.judge("05.1", got).ok
    assert "⏳" in capsys.readouterr().out
    mine = NET_RIGHT["reshape and torch.relu"]
    assert exercises.build("05.1", mine) is mine
    exercises.require("05.1")


LOOP_STUB = (lesson05._LOOP_HEAD + "        # YOUR CODE HERE\n        pass\n        val_loss, correct = 0.0, 0\n"
             "        # YOUR CODE HERE\n        pass\n" + lesson05._LOOP_TAIL)
LOOP_RIGHT = {
    "as the lesson writes it": lesson05.LOOP_RIGHT,
    "validation first in the cell, accuracy as a float sum": lesson05.LOOP_RIGHT.replace(
        ".sum().item()", ".float().sum().item()"),
    "zero_grad after the step": lesson05.LOOP_RIGHT.replace(
        "            optimizer.zero_grad()\n", "").replace(
        "            optimizer.step()\n", "            optimizer.step()\n            optimizer.zero_grad()\n"),
    "labels.size(0) and set_to_none": lesson05.LOOP_RIGHT.replace("len(labels)", "labels.size(0)").replace(
        "optimizer.zero_grad()", "optimizer.zero_grad(set_to_none=True)"),
}


@pytest.mark.parametrize("name", LOOP_RIGHT)
def test_loop_accepts_the_original_written_several_ways(name):
    v = exercises.judge("05.2", _defined(LOOP_RIGHT[name], "train_and_validate"))
    assert v.ok, v.message


@pytest.mark.parametrize("snippet, hint", list(zip(lesson05.LOOP_WRONG_ANSWERS, [
    "gradients piled up", "from the second epoch on", "validation pass ran in training mode",
    "autograd recording", "a batch size too small", "weights never changed"])))
def test_loop_names_each_typical_mistake(snippet, hint):
    v = exercises.judge("05.2", _defined(snippet, "train_and_validate"))
    assert v.status == "wrong" and hint in v.message, v.message
    assert "zero_grad" not in v.message and "no_grad" not in v.message and ".step()" not in v.message


def test_loop_stub_and_half_done_loop_are_not_answered_yet():
    assert exercises.judge("05.2", _defined(LOOP_STUB, "train_and_validate")).status == "unanswered"
    half = lesson05.LOOP_RIGHT.replace(lesson05._VAL_PART, "        val_loss, correct = 0.0, 0\n        pass\n")
    v = exercises.judge("05.2", _defined(half, "train_and_validate"))
    assert v.status == "unanswered" and "validation part" in v.message
    assert exercises.judge("05.2", lambda *args: None).status == "unanswered"


def test_loop_judge_leaves_the_learners_random_numbers_alone():
    torch.manual_seed(5)
    expected = torch.rand(3)
    torch.manual_seed(5)
    exercises.judge("05.2", lesson05.reference_loop())
    assert torch.equal(torch.rand(3), expected)


PER_CLASS_STUB = lesson05.PER_CLASS_HEAD + "            # YOUR CODE HERE\n            pass\n    return class_correct / class_total\n"
PER_CLASS_RIGHT = {
    "as the lesson writes it": lesson05.reference_per_class(),
    "the original's indices over the batch's own length": _defined(
        lesson05.PER_CLASS_HEAD + "            _, pred = torch.max(model(images), 1)\n"
        "            correct = pred.eq(labels)\n            for i in range(len(labels)):\n"
        "                class_correct[labels[i]] += correct[i].item()\n                class_total[labels[i]] += 1\n"
        "    return class_correct / class_total\n", "per_class_accuracy"),
    "bincount, as a list": lambda model, loader, n_classes=10: (
        lambda y, p: (torch.bincount(y[p == y], minlength=n_classes) / torch.bincount(y, minlength=n_classes))
        .tolist())(torch.cat([b for _, b in loader]), torch.cat([model(x).argmax(1) for x, _ in loader])),
}


@pytest.mark.parametrize("name", PER_CLASS_RIGHT)
def test_per_class_accepts_the_original_written_several_ways(name):
    v = exercises.judge("05.3", PER_CLASS_RIGHT[name])
    assert v.ok, v.message


@pytest.mark.parametrize("snippet, hint", list(zip(lesson05.PER_CLASS_WRONG_ANSWERS, [
    "fewer images than your loop assumes", "precision", "every class comes out at 1"])))
def test_per_class_names_each_typical_mistake(snippet, hint):
    v = exercises.judge("05.3", _defined(snippet, "per_class_accuracy"))
    assert v.status == "wrong" and hint in v.message, v.message
    assert "len(labels)" not in v.message and "class_total[label]" not in v.message


def test_per_class_stub_is_not_answered_yet():
    assert exercises.judge("05.3", _defined(PER_CLASS_STUB, "per_class_accuracy")).status == "unanswered"
    assert exercises.judge("05.3", lambda model, loader, n_classes=10: None).status == "unanswered"
    assert exercises.judge("05.3", "recall").status == "wrong"


def test_every_build_hands_on_a_working_reference():
    for exercise_id in ("05.1", "05.2", "05.3"):
        ex = exercises.get(exercise_id)
        assert ex.reference is not None and exercises.judge(exercise_id, ex.reference()).ok

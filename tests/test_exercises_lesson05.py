"""Lesson 05's judges on their own: each recognises the right answer and names each typical mistake.

The lesson's own solutions and wrong answers run inside the notebook in tests/test_exercises_in_notebooks.py.
"""
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from course_utils import exercises, models


@pytest.fixture
def sets():
    # training part: digit 1 is the most common (4 of 10); validation: digit 1 is 3 labels of 8
    train_set = SimpleNamespace(y=torch.tensor([1, 1, 1, 1, 2, 2, 3, 4, 5, 6]))
    val_set = SimpleNamespace(y=torch.tensor([1, 1, 1, 2, 2, 2, 2, 7]))
    return {"train_set": train_set, "val_set": val_set}


def test_baseline_is_the_training_majority_scored_on_validation(sets):
    assert exercises.judge("05.1", 3 / 8, guess=0.5, **sets).ok
    assert "you guessed 0.5" in exercises.judge("05.1", 3 / 8, guess=0.5, **sets).message
    assert "guess down first" in exercises.judge("05.1", 3 / 8, guess=None, **sets).message
    # the validation set's own majority (digit 2, 4 of 8) is not what was asked
    assert not exercises.judge("05.1", 0.5, guess=None, **sets).ok


@pytest.mark.parametrize("answer, hint", [(0.4, "training part"), (37.5, "percentage"), (1, "that is a digit"),
                                          (0.1, "equally common"), (0.2, "too low"), (0.6, "too high"),
                                          ("0.375", "one number")])
def test_baseline_names_each_mistake_without_the_answer(sets, answer, hint):
    v = exercises.judge("05.1", answer, guess=None, **sets)
    assert v.status == "wrong" and hint in v.message and "0.375" not in v.message and "37.5" not in v.message


def test_hardest_digit_accepts_ties_and_hints_with_the_guess_only():
    per_class = np.array([0.99, 0.95, 0.97, 0.95, 0.98, 0.96, 0.99, 0.97, 0.96, 0.98])
    assert exercises.judge("05.2", 1, per_class=per_class).ok and exercises.judge("05.2", "3", per_class=per_class).ok
    v = exercises.judge("05.2", "5", per_class=per_class)
    assert v.status == "wrong" and "digit 5" in v.message and "96.0%" in v.message and "95.0" not in v.message
    assert "one digit from 0 to 9" in exercises.judge("05.2", "ten", per_class=per_class).message
    assert "one digit from 0 to 9" in exercises.judge("05.2", 12, per_class=per_class).message


@pytest.mark.parametrize("body, hint", [
    (lambda cm: cm.diagonal() / cm.sum(axis=0), "column totals"),
    (lambda cm: cm.diagonal() / cm.sum(), "all the images"),
    (lambda cm: cm.diagonal(), "counts of right answers"),
    (lambda cm: 100 * cm.diagonal() / cm.sum(axis=1), "percentages"),
    (lambda cm: cm.diagonal().sum() / cm.sum(), "one accuracy per class"),
    (lambda cm: cm.diagonal() / cm.sum(axis=1) + 0.01, "rows are the true classes"),
])
def test_per_class_accuracy_names_each_mistake(body, hint):
    v = exercises.judge("05.3", body)
    assert v.status == "wrong" and hint in v.message


def test_per_class_accuracy_is_recall():
    assert exercises.judge("05.3", lambda cm: cm.diagonal() / cm.sum(axis=1)).ok
    assert exercises.judge("05.3", lambda cm: torch.tensor(cm.diagonal() / cm.sum(axis=1)).tolist()).ok
    assert exercises.judge("05.3", lambda cm: None).status == "unanswered"


def _accuracy(model, X, y):
    return (model(X).argmax(dim=1) == y).float().mean().item()


def _eval_only(model, X, y):
    model.eval()
    return _accuracy(model, X, y)


def _eval_no_grad(model, X, y):
    model.eval()
    with torch.no_grad():
        return _accuracy(model, X, y)


def _no_grad_only(model, X, y):
    with torch.no_grad():
        return _accuracy(model, X, y)


def _restored_but_percent(model, X, y):
    with models.evaluating(model):
        return 100 * _accuracy(model, X, y)


def _eval_then_train(model, X, y):
    model.eval()
    with torch.no_grad():
        acc = _accuracy(model, X, y)
    model.train()
    return acc


def _evaluating(model, X, y):
    with models.evaluating(model):
        return _accuracy(model, X, y)


@pytest.mark.parametrize("fn, hint", [(_accuracy, "still in training mode"), (_no_grad_only, "still in training mode"),
                                      (_eval_only, "autograd still recorded"),
                                      (_restored_but_percent, "not the fraction")])
def test_evaluation_debug_names_each_mistake(fn, hint):
    v = exercises.judge("05.4", fn)
    assert v.status == "wrong" and hint in v.message


@pytest.mark.parametrize("fn", [_evaluating, _eval_then_train, _eval_no_grad])
def test_evaluation_debug_accepts_a_correct_fix(fn):
    assert exercises.judge("05.4", fn).ok


def test_evaluation_debug_accepts_the_textbook_fix_and_recommends_restoring_the_mode():
    """model.eval() with torch.no_grad() is what the question asks; restoring the mode is advice with the ✅."""
    verdict = exercises.judge("05.4", _eval_no_grad)
    assert verdict.ok and "put the mode back afterwards" in verdict.message
    assert "leaves the model in eval mode" not in exercises.judge("05.4", _evaluating).message


KEYS = ("DataLoader vs in-memory, both batch 20", "batch 20 vs batch 128, both in memory")


@pytest.mark.parametrize("ratios, status", [((3.0, 3.0), "right"), ((1.2, 6.5), "right"), ((0.3, 3.0), "wrong"),
                                            ((3.0, 80.0), "wrong"), ((1.05, 3.0), "wrong"),
                                            ((float("nan"), 3.0), "wrong")])
def test_slowdown_ranges(ratios, status):
    assert exercises.judge("05.5", dict(zip(KEYS, ratios))).status == status
    assert exercises.judge("05.5", {"ratio": 3.0}).status == "wrong"

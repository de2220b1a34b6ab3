"""Lesson 05's judges on their own: each recognises the right answer and names each typical mistake.

The lesson's own solutions and wrong answers run inside the notebook in tests/test_exercises_in_notebooks.py.
"""
import re
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


@pytest.mark.parametrize("written", [3 / 8, "0.375", " 0.375", torch.tensor(0.375), np.float64(0.375)])
def test_baseline_accepts_the_number_however_written(sets, written):
    """A fraction typed as a string was refused ('give one number'), though it is the right number."""
    assert exercises.judge("05.1", written, guess=None, **sets).ok


@pytest.mark.parametrize("answer, hint", [(0.4, "training part"), (37.5, "percentage"), (1, "that is a digit"),
                                          (0.1, "equally common"), (0.2, "too low"), (0.6, "too high"),
                                          ("three eighths", "one number"), ([0.375], "one number")])
def test_baseline_names_each_mistake_without_the_answer(sets, answer, hint):
    v = exercises.judge("05.1", answer, guess=None, **sets)
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
    assert exercises.judge("05.2", answer, **_hardest_context()).ok


@pytest.mark.parametrize("answer, hint", [(8, "close"), (0, "at least one digit does worse"),
                                          ("7", "at least one digit does worse")])
def test_hardest_digit_hints_without_the_answers(answer, hint):
    v = exercises.judge("05.2", answer, **_hardest_context())
    giveaways = exercises.get("05.2").giveaways(**_hardest_context())
    assert v.status == "wrong" and hint in v.message and sorted(giveaways) == ["2", "5"]
    assert not [g for g in giveaways if re.search(rf"(?<![\w.]){g}(?![\w]|\.\d)", v.message)], v.message


def test_hardest_digit_follows_the_learners_own_numbers_and_accepts_ties():
    cm = np.diag([50, 40, 40, 60]) + 5   # shares 55/70, 45/60, 45/60, 65/80; counts 55, 45, 45, 65
    assert [exercises.judge("05.2", d, **_hardest_context(cm)).status for d in range(4)] == [
        "wrong", "right", "right", "wrong"]
    assert "one digit from 0 to 3" in exercises.judge("05.2", "ten", **_hardest_context(cm)).message
    assert "one digit from 0 to 3" in exercises.judge("05.2", 12, **_hardest_context(cm)).message
    assert "one digit from 0 to 3" in exercises.judge("05.2", True, **_hardest_context(cm)).message


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


def _timings(memory, loader=0.95, optimizer="sgd", batch=20, workers=0):
    return {"optimizer": optimizer, "DataLoader": {"batch_size": batch, "num_workers": workers, "seconds": loader},
            "in memory": memory}


STARTER_TIMES = {20: 0.58, 128: 0.15}


def test_slowdown_starter_as_given_is_not_answered_yet():
    """The old check said ✅ to the starter's two ratios and refused the variations the task invites."""
    v = exercises.judge("05.5", _timings(STARTER_TIMES))
    assert v.status == "unanswered" and "BATCHES" in v.message and "OPTIMIZER" in v.message


@pytest.mark.parametrize("run, found", [
    (_timings({20: 0.58, 64: 0.25, 128: 0.15}), "batch 20 took 3.9 times as long as batch 128"),   # as shipped
    (_timings(STARTER_TIMES, optimizer="adam", loader=1.2), "your run (adam)"),
    (_timings(STARTER_TIMES, workers=2, loader=0.6), "costs little here"),       # workers hide the loader's work
    (_timings({20: 0.58, 512: 0.1}), "as long as batch 512"),
    (_timings({"32": 0.4, "128": "0.15"}, batch=32, loader=0.8), "at batch 32"),
])
def test_slowdown_changed_setting_is_judged_on_its_own_numbers(run, found):
    v = exercises.judge("05.5", run)
    assert v.ok and found in v.message, v.message


@pytest.mark.parametrize("run, hint", [
    (_timings({20: 0.58, 64: 0.25, 128: 0.15}, loader=0.3), "below 1"),
    (_timings({20: 1 / 0.58, 64: 1 / 0.25, 128: 1 / 0.15}), "below 1"),
    (_timings({20: 0.58, 64: 0.25, 128: 0.01}), "over 50"),
    (_timings({64: 0.25, 128: 0.15}), "put both in BATCHES"),
    (_timings({20: 0.58, 64: -1.0}), "positive number of seconds"),
])
def test_slowdown_changed_setting_without_a_sound_finding_gets_a_hint(run, hint):
    v = exercises.judge("05.5", run)
    assert v.status == "wrong" and hint in v.message, v.message


def test_slowdown_result_of_another_kind_is_one_sentence():
    old_style = {"DataLoader vs in-memory, both batch 20": 1.6, "batch 20 vs batch 128, both in memory": 3.8}
    for bad in (old_style, {"ratio": 3.0}, [1.6, 3.8]):
        v = exercises.judge("05.5", bad)
        assert v.status == "wrong" and "starter's dict" in v.message

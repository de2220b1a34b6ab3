"""Lesson 07's judges on their own: each recognises the right answer and names each typical mistake.

The lesson's own solutions and wrong answers run inside the notebook in tests/test_exercises_in_notebooks.py.
"""
import numpy as np
import pytest
import torch

from course_utils import exercises, train
from course_utils.exercises import lesson07


def _history(val_losses, val_accs):
    h = train.History()
    for e, (v, a) in enumerate(zip(val_losses, val_accs, strict=True), start=1):
        h.epoch.append(e)
        h.loss.append(0.1)
        h._record_metrics(e, {"val_loss": v, "val_acc": a})
    return h


# validation loss: best so far at epoch 4 (2.5); 5, 6, 7 do not beat it -> the loss rule stops at 7 (7, 4)
LOSSES = [5, 4, 3, 2.5, 2.6, 2.7, 2.8, 1.0, 1.2, 1.3, 1.4, 1.5, 1.6]
# validation accuracy: best so far at epoch 3 (0.70); 4, 5 (equal: no improvement), 6 do not beat it -> (6, 3).
# Counting the tie as a new best gives (8, 5); the run's highest (0.80) comes at epoch 9.
ACCS = [0.50, 0.60, 0.70, 0.65, 0.70, 0.68, 0.66, 0.69, 0.80, 0.75, 0.70, 0.71, 0.70]


def test_early_stop_rule_matches_the_callback():
    assert lesson07.early_stop(LOSSES, 3) == (7, 4)
    assert lesson07.early_stop(LOSSES, 5) == (13, 8)          # never stops: runs to the end
    assert lesson07.early_stop([3, 2, 2, 2, 2], 3) == (5, 2)  # equal is no improvement


def test_the_accuracy_rule_is_the_callbacks():
    """07.1's expected answer is what train.EarlyStopping("val_acc", patience=3) does on the same history."""
    stopper = train.EarlyStopping("val_acc", patience=3)
    h = train.History()
    for e, a in enumerate(ACCS, start=1):
        h.epoch.append(e)
        h.loss.append(0.1)
        h._record_metrics(e, {"val_acc": a})
        if stopper.on_epoch_end(torch.nn.Linear(1, 1), h):
            break
    assert (stopper.stopped_epoch, stopper.best_epoch) == lesson07._acc_stop(_history(LOSSES, ACCS)) == (6, 3)


def test_stop_prediction_is_judged_against_the_rule():
    v = exercises.judge("07.1", (6, 3), history=_history(LOSSES, ACCS))
    assert v.ok and "epoch 9" in v.message and "(7, 4)" in v.message   # a later best missed; the loss rule differs
    for written in ("(6, 3)", "6, 3", [6, 3], ("6", "3"), (6.0, 3.0)):   # the two epochs however written
        assert exercises.judge("07.1", written, history=_history(LOSSES, ACCS)).ok, written


@pytest.mark.parametrize("answer, hint", [((3, 3), "cannot stop at the best epoch"),
                                          ((6, 6), "cannot stop at the best epoch"),
                                          ((7, 4), "watches the validation accuracy"),
                                          ((8, 5), "strictly higher"),
                                          ((12, 9), "cannot know in advance"),
                                          ((6, 5), "which weights does it put back"),
                                          ((5, 3), "off by one"), ((7, 3), "off by one"),
                                          ((4, 1), "walk through the validation accuracies"),
                                          ("seven", "two whole numbers")])
def test_stop_prediction_names_each_mistake_without_the_answer(answer, hint):
    v = exercises.judge("07.1", answer, history=_history(LOSSES, ACCS))
    assert v.status == "wrong" and hint in v.message, v.message
    assert "(6, 3)" not in v.message and "6, 3" not in v.message


def test_l2_penalty_is_the_sum_of_squares_over_every_parameter():
    assert exercises.judge("07.2", lambda m: sum(p.pow(2).sum() for p in m.parameters())).ok
    assert exercises.judge("07.2", lambda m: sum((p * p).sum() for p in m.parameters())).ok
    assert exercises.judge("07.2", lambda m: None).status == "unanswered"


@pytest.mark.parametrize("fn, hint", [
    (lambda m: sum(p.pow(2).sum() for p in m.parameters()).sqrt(), "norm"),
    (lambda m: sum(p.abs().sum() for p in m.parameters()), "L1"),
    (lambda m: sum(p.pow(2).mean() for p in m.parameters()), "mean"),
    (lambda m: sum(p.pow(2).sum() for n, p in m.named_parameters() if "weight" in n), "left out the biases"),
    (lambda m: sum(p.pow(2).sum() for p in m.parameters()).detach(), "no gradient"),
    (lambda m: sum(p.pow(2).sum() for p in m.parameters()).item(), "as a tensor"),
    (lambda m: 2 * sum(p.pow(2).sum() for p in m.parameters()), "not the sum"),
])
def test_l2_penalty_names_each_mistake(fn, hint):
    v = exercises.judge("07.2", fn)
    assert v.status == "wrong" and hint in v.message


def test_l2_penalty_that_changes_the_model_is_caught():
    def sneaky(m):
        out = sum(p.pow(2).sum() for p in m.parameters())
        with torch.no_grad():
            next(m.parameters()).mul_(0.5)
        return out
    v = exercises.judge("07.2", sneaky)
    assert v.status == "wrong" and "changes the model" in v.message


def _on_test(candidates, train_fn, accuracy, val_set, test_set):
    best, best_acc = None, -1.0
    for c in candidates:
        acc = accuracy(train_fn(c), test_set)
        if acc > best_acc:
            best, best_acc = c, acc
    return best, best_acc


def _on(data, report):
    def choose(candidates, train_fn, accuracy, val_set, test_set):
        nets = {c: train_fn(c) for c in candidates}
        pick = {"val": val_set, "test": test_set}[data]
        best = max(candidates, key=lambda c: accuracy(nets[c], pick))
        if report == "all-tests":
            scores = {c: accuracy(nets[c], test_set) for c in candidates}
            return best, scores[best]
        return best, accuracy(nets[best], {"val": val_set, "test": test_set}[report])
    return choose


@pytest.mark.parametrize("fn, hint", [(_on_test, "still made on the test set"),
                                      (_on("test", "test"), "still made on the test set"),
                                      (_on("val", "val"), "winner's validation score"),
                                      (_on("val", "all-tests"), "evaluates the test set 3 times"),
                                      (lambda c, t, a, v, s: ("b", 0.9), "measured on data that played no part"),
                                      (lambda c, t, a, v, s: "b", "return two things")])
def test_choice_on_the_test_set_names_each_mistake(fn, hint):
    v = exercises.judge("07.3", fn)
    assert v.status == "wrong" and hint in v.message, v.message


def test_choice_on_the_training_set_is_named():
    def on_train(candidates, train_fn, accuracy, val_set, test_set):
        return "a", 0.87
    assert "training set" in exercises.judge("07.3", on_train).message


def test_choice_on_validation_then_test_once_is_right():
    assert exercises.judge("07.3", _on("val", "test")).ok


@pytest.mark.parametrize("answer, hint", [(0.0, "add one"), (1e-4, "larger values"), (0.001, "other values"),
                                          ("0.001", "other values"), (0.1, "smallest value"), (0.05, "dropdown"),
                                          ("L2", "as it appears there"), ([0.01], "as it appears there"),
                                          (True, "as it appears there")])
def test_playground_l2_names_each_mistake_without_the_answer(answer, hint):
    v = exercises.judge("07.4", answer)
    assert v.status == "wrong" and hint in v.message
    assert "0.01" not in v.message and "1e-2" not in v.message


@pytest.mark.parametrize("wrong_value", [0.0, 1e-4, 1e-3, 1e-1])
def test_playground_l2_hints_never_point_at_the_answer(wrong_value):
    """A hint may say which way to look, never which value: 'try the next value' after 0.001 named it."""
    message = exercises.judge("07.4", wrong_value).message.lower()
    assert not any(word in message for word in ("next", "one after", "one before", "the one up")), message


@pytest.mark.parametrize("answer", [1e-2, 0.01, "0.01", " 0.01 ", "1e-2", np.float32(0.01), torch.tensor(0.01)])
def test_playground_l2_right_however_written(answer):
    """The question asks for the value as it appears in the dropdown: "0.01" is that value."""
    assert exercises.judge("07.4", answer).ok


@pytest.mark.parametrize("seed", [0, 1])
def test_the_lessons_playground_finding_holds(seed):
    """The answer of 07.4 on the lesson's seeds: 0.001 lets the test loss end >20 % above its lowest, 0.01 does not."""
    from course_utils.widgets import playground
    rise = {}
    for l2 in (1e-3, 1e-2):
        pg = playground(**lesson07.PLAYGROUND_SETTING, weight_decay=l2, seed=seed, epochs_per_frame=10, resolution=10)
        pg.run(20)
        _, losses = pg.history.series("val_loss")
        rise[l2] = losses[-1] / min(losses)
    assert rise[1e-3] > 1.2 > rise[1e-2], rise

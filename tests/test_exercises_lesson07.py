"""Lesson 07's judges on their own: each recognises the right answer and names each typical mistake.

The lesson's own solutions and wrong answers run inside the notebook in tests/test_exercises_in_notebooks.py.
"""
import copy
import math

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
    """07.4's expected answer is what train.EarlyStopping("val_acc", patience=3) does on the same history."""
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
    v = exercises.judge("07.4", (6, 3), history=_history(LOSSES, ACCS))
    assert v.ok and "epoch 9" in v.message and "(7, 4)" in v.message   # a later best missed; the loss rule differs
    for written in ("(6, 3)", "6, 3", [6, 3], ("6", "3"), (6.0, 3.0)):   # the two epochs however written
        assert exercises.judge("07.4", written, history=_history(LOSSES, ACCS)).ok, written


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
    v = exercises.judge("07.4", answer, history=_history(LOSSES, ACCS))
    assert v.status == "wrong" and hint in v.message, v.message
    assert "(6, 3)" not in v.message and "6, 3" not in v.message


# ---- 07.1: the decay step -----------------------------------------------------------------------------------------

def _decay_right(model, lr, weight_decay):
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("weight"):
                param.mul_(1 - lr * weight_decay)


def _decay_by_dim(model, lr, weight_decay):       # weights found by their shape, shrunk with *=
    for p in model.parameters():
        if p.dim() > 1:
            p.data *= 1 - lr * weight_decay


def _decay_stub(model, lr, weight_decay):
    pass


def _decay_rebinds(model, lr, weight_decay):
    for p in model.parameters():
        p = p * (1 - lr * weight_decay)


@pytest.mark.parametrize("fn", [_decay_right, _decay_by_dim, lesson07.decay_weights])
def test_decay_right_however_written(fn):
    assert exercises.judge("07.1", fn).ok


@pytest.mark.parametrize("fn", [_decay_stub, _decay_rebinds])
def test_decay_untouched_is_unanswered(fn):
    assert exercises.judge("07.1", fn).status == "unanswered"


def _decay(body):
    def fn(model, lr, weight_decay):
        with torch.no_grad():
            for name, param in model.named_parameters():
                body(name, param, lr, weight_decay)
    return fn


@pytest.mark.parametrize("fn, hint", [
    (lambda m, lr, wd: [p.mul_(1 - lr * wd) for p in m.parameters()], "torch.no_grad"),
    (_decay(lambda n, p, lr, wd: p.mul_(1 - lr * wd)), "biases too"),
    (_decay(lambda n, p, lr, wd: n.endswith("bias") and p.mul_(1 - lr * wd)), "other way round"),
    (_decay(lambda n, p, lr, wd: n.endswith("weight") and p.mul_(lr * wd)), "small fraction"),
    (_decay(lambda n, p, lr, wd: n.endswith("weight") and p.mul_(1 - wd)), "learning rate"),
    (_decay(lambda n, p, lr, wd: n.endswith("weight") and p.sub_(lr * wd)), "in proportion"),
    (_decay(lambda n, p, lr, wd: n.endswith("weight") and p.mul_(1 - 2 * lr * wd)), "factor the comment names"),
    ("decay", "should be a function"),
])
def test_decay_names_each_mistake(fn, hint):
    v = exercises.judge("07.1", fn)
    assert v.status == "wrong" and hint in v.message, v.message
    assert "1 - lr * weight_decay" not in v.message


# ---- 07.2: inverted dropout ----------------------------------------------------------------------------------------

def _dropout(forward):
    class Dropout(torch.nn.Module):
        def __init__(self, p):
            super().__init__()
            self.p = p

    Dropout.forward = forward
    return Dropout


def _inverted(self, x):
    if not self.training:
        return x
    return x * torch.bernoulli(torch.full_like(x, 1 - self.p)) / (1 - self.p)


def _inverted_where(self, x):
    if self.training and self.p > 0:
        keep = torch.rand(x.shape) > self.p
        return torch.where(keep, x / (1 - self.p), torch.zeros_like(x))
    return x


@pytest.mark.parametrize("cls", [_dropout(_inverted), _dropout(_inverted_where),
                                 exercises.get("07.2").reference()])
def test_dropout_right_however_written(cls):
    assert exercises.judge("07.2", cls).ok


def test_dropout_matches_torchs_statistics():
    """The course's Dropout and nn.Dropout zero the same share and keep the same mean (what the lesson prints)."""
    ours, theirs = exercises.get("07.2").reference()(0.3), torch.nn.Dropout(0.3)
    x = torch.ones(300, 1000)
    for d in (ours, theirs):
        out = d(x)
        assert abs(float((out == 0).float().mean()) - 0.3) < 0.01 and abs(float(out.mean()) - 1) < 0.01


def test_dropout_stub_is_unanswered():
    assert exercises.judge("07.2", _dropout(lambda self, x: None)).status == "unanswered"


def _mask(self, x):
    return x * (torch.rand_like(x) >= self.p)


@pytest.mark.parametrize("forward, hint", [
    (lambda self, x: x if not self.training else _mask(self, x), "not scaled"),
    (lambda self, x: x * (1 - self.p) if not self.training else _mask(self, x), "first published"),
    (lambda self, x: _mask(self, x) / (1 - self.p), "in eval() mode"),
    (lambda self, x: x if not self.training else x * (torch.rand_like(x) < self.p) / self.p, "not of keeping"),
    (lambda self, x: x if self.training else _mask(self, x) / (1 - self.p), "wrong way round"),
    (lambda self, x: x if not self.training else _mask(self, x) / self.p, "mean of your output"),
    (lambda self, x: x if not self.training else x * (torch.rand(x.shape[0], 1) >= self.p) / (1 - self.p),
     "whole rows"),
    (lambda self, x: x if not self.training else x * (torch.rand(x.shape, generator=torch.Generator()
                                                                 .manual_seed(0)) >= self.p) / (1 - self.p),
     "same entries"),
    (lambda self, x: x if not self.training else x * 0.5 if not self.p else _mask(self, x) / (1 - self.p),
     "Dropout(0.0)"),
    (lambda self, x: x if not self.training else x.detach() * (torch.rand_like(x) >= self.p) / (1 - self.p),
     "no gradient"),
    (lambda self, x: x[:, :1], "same shape"),
])
def test_dropout_names_each_mistake(forward, hint):
    v = exercises.judge("07.2", _dropout(forward))
    assert v.status == "wrong" and hint in v.message, v.message
    assert "1 / (1 - self.p)" not in v.message


def test_dropout_instance_is_refused():
    assert "class itself" in exercises.judge("07.2", torch.nn.Dropout(0.5)).message


# ---- 07.3: early stopping ------------------------------------------------------------------------------------------

def _es(better, stop, restore=True, keep=lambda m: copy.deepcopy(m.state_dict())):
    class EarlyStopping(train.Callback):
        def __init__(self, patience):
            self.patience = patience
            self.best_loss, self.best_epoch, self.best_state = math.inf, 0, None

        def on_epoch_end(self, model, history):
            epoch, loss = history.epoch[-1], history.metrics["val_loss"][-1]
            if better(loss, self.best_loss):
                self.best_loss, self.best_epoch, self.best_state = loss, epoch, keep(model)
            elif stop(epoch - self.best_epoch, self.patience):
                return True
            return False

        def on_train_end(self, model, history):
            if restore:
                model.load_state_dict(self.best_state)
    return EarlyStopping


def test_early_stopping_right_however_written():
    assert exercises.judge("07.3", _es(lambda a, b: a < b, lambda d, p: d >= p)).ok
    assert exercises.judge("07.3", exercises.get("07.3").reference()).ok
    clone = _es(lambda a, b: a < b, lambda d, p: d >= p,
                keep=lambda m: {k: v.detach().clone() for k, v in m.state_dict().items()})
    assert exercises.judge("07.3", clone).ok


def test_early_stopping_matches_the_package_on_the_same_losses():
    """The reference stops and restores where train.EarlyStopping does (what the lesson checks on its run)."""
    ours = lesson07._drive(exercises.get("07.3").reference(), lesson07.ES_LOSSES, lesson07.ES_PATIENCE)
    theirs = lesson07._drive(lambda p: train.EarlyStopping("val_loss", patience=p), lesson07.ES_LOSSES,
                             lesson07.ES_PATIENCE)
    assert ours[:2] == theirs[:2] == (6, 3.0)


def test_early_stopping_stub_is_unanswered():
    assert exercises.judge("07.3", _es(lambda a, b: False, lambda d, p: False, restore=False)).status == "unanswered"


@pytest.mark.parametrize("cls, hint", [
    (_es(lambda a, b: a < b, lambda d, p: d >= p, keep=lambda m: m.state_dict()), "not a copy"),
    (_es(lambda a, b: a < b, lambda d, p: d >= p, keep=lambda m: dict(m.state_dict())), "not a copy"),
    (_es(lambda a, b: a < b, lambda d, p: d >= p, restore=False), "put the best epoch's weights back"),
    (_es(lambda a, b: a <= b, lambda d, p: d >= p), "strictly lower"),
    (_es(lambda a, b: a < b, lambda d, p: d > p), "off by one"),
    (_es(lambda a, b: a < b, lambda d, p: True), "first epoch without a new lowest"),
    (_es(lambda a, b: a < b, lambda d, p: False), "never stopped"),
    (_es(lambda a, b: a < b, lambda d, p: d >= p - 1), "another epoch"),
    (torch.nn.Linear, "subclass of train.Callback"),
])
def test_early_stopping_names_each_mistake(cls, hint):
    v = exercises.judge("07.3", cls)
    assert v.status == "wrong" and hint in v.message, v.message
    assert "deepcopy" not in v.message



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
    v = exercises.judge("07.5", fn)
    assert v.status == "wrong" and hint in v.message, v.message


def test_choice_on_the_training_set_is_named():
    def on_train(candidates, train_fn, accuracy, val_set, test_set):
        return "a", 0.87
    assert "training set" in exercises.judge("07.5", on_train).message


def test_choice_on_validation_then_test_once_is_right():
    assert exercises.judge("07.5", _on("val", "test")).ok


@pytest.mark.parametrize("answer, hint", [(0.0, "add one"), (1e-4, "larger values"), (0.001, "other values"),
                                          ("0.001", "other values"), (0.1, "smallest value"), (0.05, "dropdown"),
                                          ("L2", "as it appears there"), ([0.01], "as it appears there"),
                                          (True, "as it appears there")])
def test_playground_l2_names_each_mistake_without_the_answer(answer, hint):
    v = exercises.judge("07.6", answer)
    assert v.status == "wrong" and hint in v.message
    assert "0.01" not in v.message and "1e-2" not in v.message


@pytest.mark.parametrize("wrong_value", [0.0, 1e-4, 1e-3, 1e-1])
def test_playground_l2_hints_never_point_at_the_answer(wrong_value):
    """A hint may say which way to look, never which value: 'try the next value' after 0.001 named it."""
    message = exercises.judge("07.6", wrong_value).message.lower()
    assert not any(word in message for word in ("next", "one after", "one before", "the one up")), message


@pytest.mark.parametrize("answer", [1e-2, 0.01, "0.01", " 0.01 ", "1e-2", np.float32(0.01), torch.tensor(0.01)])
def test_playground_l2_right_however_written(answer):
    """The question asks for the value as it appears in the dropdown: "0.01" is that value."""
    assert exercises.judge("07.6", answer).ok


@pytest.mark.parametrize("seed", [0, 1])
def test_the_lessons_playground_finding_holds(seed):
    """The answer of 07.6 on the lesson's seeds: 0.001 lets the test loss end >20 % above its lowest, 0.01 does not."""
    from course_utils.widgets import playground
    rise = {}
    for l2 in (1e-3, 1e-2):
        pg = playground(**lesson07.PLAYGROUND_SETTING, weight_decay=l2, seed=seed, epochs_per_frame=10, resolution=10)
        pg.run(20)
        _, losses = pg.history.series("val_loss")
        rise[l2] = losses[-1] / min(losses)
    assert rise[1e-3] > 1.2 > rise[1e-2], rise

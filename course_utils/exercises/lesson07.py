"""Lesson 07's exercises: generalisation.

- 07.1 predict-then-run: where early stopping on the validation accuracy (patience 3) stops on the memorising
  run, and which weights it restores.
- 07.2 write-the-code: the L2 penalty that SGD's weight_decay adds to the loss.
- 07.3 debug-this: a loop that chooses a setting on the test set and reports the winner's test score.
- 07.4 compute (in the playground): the smallest L2 that stops the test loss rising.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from .core import Exercise, Verdict, register, right, wrong
from .judges import as_number, choice, code, run

# ---- 07.1: where early stopping stops ---------------------------------------------------------------------------


def early_stop(val_losses: Sequence[float], patience: int) -> tuple[int, int]:
    """``(epoch where training stops, epoch whose weights are restored)`` for losses recorded at epochs 1, 2, ...

    The rule of ``train.EarlyStopping`` (``min_delta=0``): stop once ``patience`` epochs have passed
    without a value below the best so far; run to the end if that never happens.
    """
    best, best_epoch = math.inf, 0
    for epoch, value in enumerate(val_losses, start=1):
        if value < best:
            best, best_epoch = value, epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(val_losses), best_epoch


def _series(history: Any, name: str) -> list[float]:
    epochs, values = history.series(name)
    if list(epochs) != list(range(1, len(epochs) + 1)):
        raise ValueError("exercise 07.1 needs a history evaluated every epoch.")
    return [float(v) for v in values]


def _acc_stop(history: Any) -> tuple[int, int]:
    """Where ``EarlyStopping("val_acc", patience=3)`` stops, and the epoch it restores (higher is better)."""
    return early_stop([-a for a in _series(history, "val_acc")], 3)


def _judge_stop(answer: Any, history: Any) -> Verdict:
    if isinstance(answer, str) and re.fullmatch(r"[\s(\[]*\d+\s*,\s*\d+[\s,)\]]*", answer):
        answer = re.findall(r"\d+", answer)   # "(6, 3)" or "6, 3": the two epochs as written
    try:
        stop, restored = (int(v) for v in answer)
    except (TypeError, ValueError):
        return wrong("give two whole numbers, (the epoch where training stops, the epoch whose weights are "
                     "restored), such as (30, 27).")
    accs = _series(history, "val_acc")
    exp_stop, exp_best = _acc_stop(history)
    highest = max(range(len(accs)), key=accs.__getitem__) + 1           # first epoch of the run's highest
    if (stop, restored) == (exp_stop, exp_best):
        later = (f" The highest validation accuracy of the whole run came later, at epoch {highest}: a patience "
                 f"of 3 gave up before it." if highest != exp_best else "")
        by_loss = early_stop(_series(history, "val_loss"), 3)
        return right(f"the validation accuracy was highest so far at epoch {exp_best}; epochs {exp_best + 1} to "
                     f"{exp_stop} did not beat it (an equal value is no improvement), so after the third the "
                     f"callback stops and puts back the copy of the weights it took at epoch {exp_best}.{later} "
                     f"Watching the validation loss instead, with the same patience, it would have stopped at "
                     f"{by_loss}: the two measures do not agree on the best epoch.")
    if stop == restored:
        return wrong("training cannot stop at the best epoch itself: at that moment nobody knows it is the "
                     "best. It needs `patience` epochs without improvement to find out.")
    if (stop, restored) == early_stop(_series(history, "val_loss"), 3):
        return wrong("that is where the same rule stops when it watches the validation loss. This callback "
                     "watches the validation accuracy: read that column, where higher is better.")
    if (stop, restored) == _stop_with_ties([-a for a in accs], 3):
        return wrong("you counted an accuracy equal to the best so far as an improvement: a new best has to be "
                     "strictly higher.")
    if restored == highest != exp_best:
        return wrong("the callback cannot know in advance which epoch will turn out best over the whole run: it "
                     "only compares each epoch with the best so far.")
    if restored != exp_best and stop == exp_stop:
        return wrong("it does stop there, but which weights does it put back? Not the last ones: the copy it "
                     "took when the validation accuracy was highest so far.")
    if abs(stop - exp_stop) == 1 and restored == exp_best:
        return wrong("off by one: patience 3 means three whole epochs after the best without improvement; "
                     "training stops at the end of the third.")
    return wrong("walk through the validation accuracies epoch by epoch: keep the highest value so far and its "
                 "epoch, and stop at the first epoch that is three epochs past it without a higher value.")


def _stop_with_ties(values: Sequence[float], patience: int) -> tuple[int, int]:
    """The rule with a wrong ``<=``: an equal value counts as a new best (a typical misreading)."""
    best, best_epoch = math.inf, 0
    for epoch, value in enumerate(values, start=1):
        if value <= best:
            best, best_epoch = value, epoch
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(values), best_epoch


def _stop_giveaways(history: Any) -> list[str]:
    s, b = _acc_stop(history)
    return [f"({s}, {b})", f"{s}, {b}", f"({s},{b})"]


# ---- 07.2: the L2 penalty -----------------------------------------------------------------------------------------


def _penalty_case() -> tuple[Any, Any, Any]:
    import torch

    from ..models import mlp
    from ..runtime import seeded
    with seeded(0):
        model = mlp([3, 5, 2])
        X, y = torch.randn(16, 3), torch.randint(0, 2, (16,))
    return model, X, y


def _judge_penalty(l2_penalty: Any) -> Verdict:
    """``l2_penalty(model)`` must be the sum of the squares of every parameter (a scalar tensor with a gradient)."""
    import torch
    from torch import nn

    model, X, y = _penalty_case()
    params = list(model.parameters())
    with torch.no_grad():
        expected = float(sum(p.pow(2).sum() for p in params))
    start = [p.detach().clone() for p in params]
    out = run(l2_penalty, model, name="your l2_penalty")
    if not all(torch.equal(p, s) for p, s in zip(params, start)):
        return wrong("your function changes the model's parameters: a penalty only reads them, and the "
                     "optimiser's step does the changing.")
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        return wrong(f"return one number as a tensor (a sum over the parameters), not a {type(out).__name__}.")
    if not out.requires_grad:
        return wrong("your penalty carries no gradient: compute it from the parameters themselves (no .item(), "
                     "no .detach(), no torch.no_grad()), so that backward() reaches the weights.")
    value = float(out.detach())
    with torch.no_grad():
        if math.isclose(value, math.sqrt(expected), rel_tol=1e-5):
            return wrong("that is the length of the weight vector (its norm): the penalty uses its square, "
                         "whose gradient is simply 2·w.")
        if math.isclose(value, float(sum(p.abs().sum() for p in params)), rel_tol=1e-5):
            return wrong("that sums the sizes of the weights (the L1 penalty, which pushes weights to exactly 0): "
                         "L2 squares them.")
        if math.isclose(value, float(sum(p.pow(2).mean() for p in params)), rel_tol=1e-5) or math.isclose(
                value, float(torch.cat([p.flatten() for p in params]).pow(2).mean()), rel_tol=1e-5):
            return wrong("that is a mean: torch's weight_decay acts on every weight with the same strength, "
                         "whatever the size of its layer, which is what a sum gives.")
        only_weights = float(sum(p.pow(2).sum() for n, p in model.named_parameters() if n.endswith("weight")))
        if math.isclose(value, only_weights, rel_tol=1e-5):
            return wrong("you left out the biases. Many people do, on purpose; but torch's weight_decay shrinks "
                         "every parameter it is given, biases included, and this exercise matches it.")
        if not math.isclose(value, expected, rel_tol=1e-5):
            return wrong("on a small test network your number is not the sum, over every parameter, of its "
                         "squared entries.")
    lam, lr = 0.1, 0.5
    opt = torch.optim.SGD(params, lr=lr)
    opt.zero_grad()
    (nn.functional.cross_entropy(model(X), y) + lam / 2 * l2_penalty(model)).backward()
    opt.step()
    by_penalty = [p.detach().clone() for p in params]
    with torch.no_grad():
        for p, s in zip(params, start):
            p.copy_(s)
    opt = torch.optim.SGD(params, lr=lr, weight_decay=lam)
    opt.zero_grad()
    nn.functional.cross_entropy(model(X), y).backward()
    opt.step()
    if not all(torch.allclose(a, b, atol=1e-6) for a, b in zip(by_penalty, params)):
        return wrong("the value is right, but one SGD step with (λ/2)·l2_penalty added to the loss does not "
                     "match SGD with weight_decay=λ: check that nothing in your function changes the model.")
    return right("Σ w² over every parameter. Its gradient is 2·w, so adding (λ/2)·Σ w² to the loss adds λ·w to "
                 "each gradient, and a plain SGD step becomes w ← w − lr·(∂loss/∂w + λ·w): exactly "
                 "torch.optim.SGD(..., weight_decay=λ), checked here on one step. Each step shrinks every weight "
                 "by the factor (1 − lr·λ) before the loss pulls it where the data want it.")


# ---- 07.3: a model-selection loop (it chooses on the test set) -------------------------------------------------

# accuracies of three fake candidates on each set: each set prefers another candidate
_SCORES = {"a": {"train": 1.00, "val": 0.88, "test": 0.87},
           "b": {"train": 0.97, "val": 0.91, "test": 0.89},
           "c": {"train": 0.98, "val": 0.89, "test": 0.90}}


def _judge_choose(choose_setting: Any) -> Verdict:
    """``choose_setting(candidates, train_fn, accuracy, val_set, test_set) -> (setting, accuracy to report)``."""
    sets = {name: SimpleNamespace(name=name) for name in ("train", "val", "test")}
    calls: list[tuple[str, str]] = []

    def train_fn(setting: str) -> SimpleNamespace:
        return SimpleNamespace(setting=setting)

    def accuracy(model: Any, data_set: Any) -> float:
        calls.append((model.setting, data_set.name))
        return _SCORES[model.setting][data_set.name]

    out = run(choose_setting, list(_SCORES), train_fn, accuracy, sets["val"], sets["test"],
              name="your choose_setting")
    try:
        chosen, reported = out
        reported = float(reported)
    except (TypeError, ValueError):
        return wrong("return two things, as the original does: the chosen setting and the accuracy to report.")
    tested = [setting for setting, data_set in calls if data_set == "test"]
    if chosen == "c":
        return wrong("the choice is still made on the test set: compare the candidates on the validation set, "
                     "which exists for exactly this.")
    if chosen == "a":
        return wrong("you chose on the training set: there the candidate that memorises most wins, whatever it "
                     "does on new digits.")
    if chosen != "b":
        return wrong("the setting you return is not the one with the highest validation accuracy.")
    if len(tested) > 1:
        return wrong(f"the choice is right, but your function evaluates the test set {len(tested)} times: "
                     f"every look at it can sway a choice. Touch it once, for the chosen setting only.")
    if not tested:
        if math.isclose(reported, _SCORES["b"]["val"]):
            return wrong("the choice is right, but the number you report is the winner's validation score: it "
                         "won because it scored high on those very digits, luck included, so it flatters. "
                         "Report a score on data that played no part in the choice.")
        return wrong("the choice is right, but report an accuracy measured on data that played no part in "
                     "choosing.")
    if tested != ["b"] or not math.isclose(reported, _SCORES["b"]["test"]):
        return wrong("the choice is right; now report the test accuracy of the chosen setting, measured once.")
    return right("choose on the validation set, then evaluate the test set once, for the chosen setting only. "
                 "The original picked the best of several test scores and reported it: that maximum is "
                 "optimistic (the more candidates, the more luck it picks up), and no untouched data are left "
                 "to check it. Note that the validation score of the winner is optimistic for the same reason.")


# ---- 07.4: the L2 that stops the rise in the playground -----------------------------------------------------------

PLAYGROUND_L2 = (0.0, 1e-4, 1e-3, 1e-2, 1e-1)   # the playground's L2 options (widgets.WEIGHT_DECAYS)
PLAYGROUND_SETTING = {"data_set": "moons", "noise": 0.3, "hidden": "32,32", "activation": "tanh", "lr": 0.03,
                      "optimizer": "adam", "batch_size": 32, "train_frac": 0.2}


def _judge_l2(answer: Any) -> Verdict:
    value = as_number(answer)
    if value is None:
        return wrong("answer with one of the L2 values of the playground's dropdown, as it appears there (a "
                     "number, or the same written as a string).")
    hints = {0.0: "with no penalty, this is the run whose test loss rises: add one.",
             1e-4: "with that L2 the test loss still ends far above its lowest: try larger values.",
             1e-3: "that slows the rise, but the test loss still ends well above its lowest (by more than a "
                   "fifth): run each of the other values too, and compare each run's end with its lowest.",
             1e-1: "that also keeps the rise small, but is it the smallest value that does? Look at the "
                   "train loss and the boundary: such a strong pull towards 0 also keeps the network from "
                   "fitting the training points."}
    match = next((v for v in PLAYGROUND_L2 if math.isclose(value, v, rel_tol=1e-6, abs_tol=1e-12)), None)
    if match is None:
        return wrong("answer with one of the values in the playground's L2 dropdown (from 0 to 0.1).")
    return choice("0.01", ["0", "0.0001", "0.001", "0.01", "0.1"],
                  explain="at 0.01 the test loss ends within a fifth of its lowest for every seed we tried (0 to "
                          "4), where 0.001 still lets it rise by more than a quarter. The penalty does not reach a "
                          "lower test loss than the unpenalised run at its best moment (its lowest is a little "
                          "higher); it holds the test loss there, so at epoch 200 it is far below the "
                          "unpenalised run's, and the epoch to stop at stops mattering. Compare the two "
                          "boundaries: the penalised one does not bend round single noisy points.",
                  hints={f"{v:g}": h for v, h in hints.items()})(f"{match:g}")


register(
    Exercise("07.1", "predict", "where early stopping on the validation accuracy stops", _judge_stop,
             giveaways=_stop_giveaways, context=("history",),
             blank="write your prediction as (stop epoch, restored epoch), then run this cell again.",
             wrong_answers=("answer_1 = (lowest_epoch, lowest_epoch)",
                            "answer_1 = early_stop(memo.metrics['val_loss'], 3)",
                            "answer_1 = (early_stop([-a for a in memo.metrics['val_acc']], 3)[0], EPOCHS)",
                            "answer_1 = (early_stop([-a for a in memo.metrics['val_acc']], 3)[0] - 1, "
                            "early_stop([-a for a in memo.metrics['val_acc']], 3)[1])",
                            "answer_1 = (int(np.argmax(memo.metrics['val_acc'])) + 4, "
                            "int(np.argmax(memo.metrics['val_acc'])) + 1)")),
    Exercise("07.2", "write", "the L2 penalty", code(_judge_penalty),
             blank="fill in l2_penalty, then run this cell again.",
             wrong_answers=("def l2_penalty(model):\n    return sum(p.abs().sum() for p in model.parameters())\n",
                            "def l2_penalty(model):\n    return sum(p.pow(2).sum() for p in model.parameters())"
                            ".sqrt()\n",
                            "def l2_penalty(model):\n    return sum((p ** 2).sum() for n, p in model.named_parameters()"
                            " if 'weight' in n)\n",
                            "def l2_penalty(model):\n    return sum(p.pow(2).sum() for p in model.parameters())"
                            ".detach()\n")),
    Exercise("07.3", "debug", "a model-selection loop", code(_judge_choose),
             blank="set answer_3 to your fixed choose_setting, then run this cell again.",
             wrong_answers=("answer_3 = choose_setting",
                            "def fixed(candidates, train_fn, accuracy, val_set, test_set):\n"
                            "    models_ = {c: train_fn(c) for c in candidates}\n"
                            "    best = max(candidates, key=lambda c: accuracy(models_[c], val_set))\n"
                            "    return best, accuracy(models_[best], val_set)\nanswer_3 = fixed",
                            "def fixed(candidates, train_fn, accuracy, val_set, test_set):\n"
                            "    models_ = {c: train_fn(c) for c in candidates}\n"
                            "    tests = {c: accuracy(models_[c], test_set) for c in candidates}\n"
                            "    best = max(candidates, key=lambda c: accuracy(models_[c], val_set))\n"
                            "    return best, tests[best]\nanswer_3 = fixed")),
    Exercise("07.4", "compute", "the smallest L2 that stops the test loss rising", _judge_l2,
             giveaways=lambda: ["0.01", "1e-2", "1e-02"],
             wrong_answers=("answer_4 = 1e-3", "answer_4 = 0.1", "answer_4 = 0.0", "answer_4 = \"0.001\"")),
)

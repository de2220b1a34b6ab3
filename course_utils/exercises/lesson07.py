"""Lesson 07's exercises: generalisation.

- 07.1 build: the decoupled weight-decay step (AdamW's), on the weights, not the biases.
- 07.2 build: inverted dropout as an nn.Module.
- 07.3 build: early stopping as a fit callback that keeps a copy of the best weights and puts it back.
- 07.4 predict-then-run: where early stopping on the validation accuracy (patience 3) stops on the memorising
  run, and which weights it restores.
- 07.5 debug-this: a loop that chooses a setting on the test set and reports the winner's test score.
- 07.6 compute (in the playground): the smallest L2 that stops the test loss rising.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

from ..i18n import N_, _
from .core import Exercise, Verdict, register, right, unanswered, wrong
from .judges import LearnerError, as_number, choice, code, run

# ---- 07.4: where early stopping on the accuracy stops ---------------------------------------------------------


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
        raise ValueError(_("exercise 07.4 needs a history evaluated every epoch."))
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
        later = (_(" The highest validation accuracy of the whole run came later, at epoch {highest}: a patience "
                   "of 3 gave up before it.", highest=highest) if highest != exp_best else "")
        by_loss = early_stop(_series(history, "val_loss"), 3)
        return right(_("the validation accuracy was highest so far at epoch {exp_best}; epochs {exp_best2} to "
                       "{exp_stop} did not beat it (an equal value is no improvement), so after the third the "
                       "callback stops and puts back the copy of the weights it took at epoch {exp_best}.{later} "
                       "Watching the validation loss instead, with the same patience, it would have stopped at "
                       "{by_loss}: the two measures do not agree on the best epoch.",
                       exp_best=exp_best, exp_best2=exp_best + 1, exp_stop=exp_stop, later=later, by_loss=by_loss))
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


# ---- 07.1: the decoupled weight-decay step ------------------------------------------------------------------------


def decay_weights(model: Any, lr: float, weight_decay: float) -> None:
    """The course's decay step: every weight (not the biases) times ``1 - lr * weight_decay``, in place."""
    import torch
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("weight"):
                param.mul_(1 - lr * weight_decay)


def _decay_case() -> tuple[Any, Any, Any]:
    import torch

    from ..models import mlp
    from ..runtime import seeded
    with seeded(0):
        model = mlp([3, 5, 2])
        X, y = torch.randn(16, 3), torch.randint(0, 2, (16,))
    return model, X, y


def _groups(model: Any) -> tuple[list, list]:
    named = list(model.named_parameters())
    return [p for n, p in named if n.endswith("weight")], [p for n, p in named if not n.endswith("weight")]


def _matches_adamw(fn: Any) -> bool:
    """Five steps of Adam with ``fn`` before each equal five steps of torch's AdamW decaying the weights only."""
    import torch
    from torch import nn

    def train(make: Any, hook: bool) -> list:
        m, X_, y_ = _decay_case()
        opt = make(m)
        if hook:
            opt.register_step_pre_hook(lambda *_: fn(m, 0.01, 2.0))
        for _skip in range(5):
            opt.zero_grad()
            nn.functional.cross_entropy(m(X_), y_).backward()
            opt.step()
        return [p.detach() for p in m.parameters()]

    mine = train(lambda m: torch.optim.Adam(m.parameters(), lr=0.01), True)
    theirs = train(lambda m: torch.optim.AdamW([{"params": _groups(m)[0], "weight_decay": 2.0},
                                                {"params": _groups(m)[1], "weight_decay": 0.0}], lr=0.01), False)
    return all(torch.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in zip(mine, theirs))


def _judge_decay(fn: Any) -> Verdict:
    """``fn(model, lr, weight_decay)`` multiplies every weight (not the biases) by ``1 - lr * weight_decay``."""
    import torch

    if not callable(fn):
        return wrong(_("decay_weights should be a function (def ...), not a {name}.", name=type(fn).__name__))
    model, X, y = _decay_case()
    weights, biases = _groups(model)
    w0, b0 = [p.detach().clone() for p in weights], [p.detach().clone() for p in biases]
    lr, wd = 0.1, 0.5
    try:
        fn(model, lr, wd)
    except NotImplementedError:
        return unanswered("decay_weights still raises NotImplementedError: write its body.")
    except RuntimeError as exc:
        if "in-place" in str(exc) or "leaf" in str(exc):
            return wrong("PyTorch refuses to change a weight in place while it records operations for backward(): "
                         "make the change inside a `with torch.no_grad():` block.")
        return wrong(_("decay_weights raised RuntimeError: {exc}", exc=exc))
    except Exception as exc:
        return wrong(_("decay_weights raised {name}: {exc}", name=type(exc).__name__, exc=exc))
    w1, b1 = [p.detach() for p in weights], [p.detach() for p in biases]

    def all_close(a: list, b: list) -> bool:
        return all(torch.allclose(x, z, rtol=1e-6, atol=1e-7) for x, z in zip(a, b))

    same_w, same_b = all_close(w1, w0), all_close(b1, b0)
    if same_w and same_b:
        return unanswered("decay_weights leaves every weight as it was: write its body, which changes the weights "
                          "of the model it is given (in place: a new tensor bound to a name changes nothing).")
    factor = 1 - lr * wd
    if same_w:
        return wrong("your function changes the biases and leaves the weights: it should be the other way round.")
    if not same_b:
        if all_close(w1, [w * factor for w in w0]):
            return wrong("you shrink the biases too. They only shift where each unit switches on, so shrinking "
                         "them does not make the network any smoother: leave them as they are.")
        return wrong("your function changes the biases: leave them as they are, and shrink only the weights.")
    if all_close(w1, [w * lr * wd for w in w0]):
        return wrong("each weight became a small fraction of itself: at every step a weight should keep all but "
                     "the fraction lr·weight_decay of its value.")
    if all_close(w1, [w * (1 - wd) for w in w0]):
        return wrong("the shrink at each step leaves out the learning rate: AdamW scales it by lr, as every step.")
    if all_close(w1, [w - lr * wd for w in w0]):
        return wrong("you subtract the same amount from every weight: a decay is in proportion to the weight, so a "
                     "large weight loses more than a small one, and a weight at 0 stays there.")
    if not all_close(w1, [w * factor for w in w0]):
        return wrong("on a small test network, your weights after the call are not the old ones times the factor "
                     "the comment names.")
    if not _matches_adamw(fn):
        return wrong("one call is right, but five steps of Adam with your step before each do not match AdamW: "
                     "does your function depend on anything besides its three arguments?")
    return right("each weight keeps the factor (1 − lr·λ) of its value at every step, apart from Adam's update "
                 "and whatever the gradient says: only weights the data keep pulling on stay large. Five steps of "
                 "Adam with your step before each matched torch.optim.AdamW(weight_decay=λ) on the weights.")


# ---- 07.2: inverted dropout ---------------------------------------------------------------------------------------


def _dropout_reference() -> Any:
    from torch import nn

    class Dropout(nn.Module):
        """Inverted dropout (the course's version): zero with probability p, scale the rest by 1/(1-p)."""

        def __init__(self, p: float):
            super().__init__()
            self.p = p

        def forward(self, x: Any) -> Any:
            import torch
            if not self.training or self.p == 0:
                return x
            keep = (torch.rand_like(x) >= self.p).to(x.dtype)
            return x * keep / (1 - self.p)

    return Dropout


def _dropout_runs(cls: Any, p: float) -> tuple:
    """The learner's Dropout on the check's inputs (a LearnerError when it fails or returns nothing):
    two training calls on ones, one in eval() on a random batch, Dropout(0) in training, a batch with a gradient."""
    import torch

    from ..runtime import seeded

    def call(d: Any, x: Any) -> Any:
        try:
            out = d(x)
        except NotImplementedError:
            raise LearnerError(unanswered("forward still raises NotImplementedError: write it.")) from None
        except Exception as exc:
            raise LearnerError(wrong(_("calling your Dropout on a batch raised {name}: {exc}",
                                       name=type(exc).__name__, exc=exc))) from None
        if out is None:
            raise LearnerError(unanswered("forward still returns None: write it, and return the result."))
        if not isinstance(out, torch.Tensor) or out.shape != x.shape:
            raise LearnerError(wrong("forward should return a tensor of the same shape as its input."))
        return out

    try:
        with seeded(0):
            d = cls(p)
            d.train()
            ones = torch.ones(200, 1000)
            out, again = call(d, ones), call(d, ones)
            d.eval()
            xr = torch.randn(50, 30)
            out_eval = call(d, xr)
            d0 = cls(0.0)
            d0.train()
            out_p0 = call(d0, xr)
            d.train()
            xg = torch.randn(100, 300, requires_grad=True)
            out_g = call(d, xg)
    except LearnerError:
        raise
    except Exception as exc:
        raise LearnerError(wrong("Dropout({p}) raised {error}: {exc}",
                                 p=p, error=type(exc).__name__, exc=exc)) from None
    return ones, out, again, xr, out_eval, out_p0, xg, out_g


def _judge_dropout(cls: Any) -> Verdict:
    """``cls(p)`` zeroes each entry with probability p in training and scales the rest by 1/(1-p); eval: identity."""
    import torch
    from torch import nn
    if isinstance(cls, nn.Module):
        return wrong("pass the class itself (Dropout), not a module built from it.")
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        return wrong("Dropout should be a class that subclasses torch.nn.Module.")
    p = 0.2
    try:
        ones, out, again, xr, out_eval, out_p0, xg, out_g = _dropout_runs(cls, p)
    except LearnerError as err:
        return err.verdict
    eval_same = torch.allclose(out_eval, xr)
    if torch.equal(out, ones):
        if not eval_same:
            return wrong("your Dropout drops nothing in training and changes its input in eval(): the two modes are "
                         "the wrong way round (self.training is True while training).")
        return wrong("in training your Dropout returns its input unchanged: it should zero some entries.")
    zeroed = float((out == 0).float().mean())
    if abs(zeroed - (1 - p)) < 0.02:
        return wrong(_("Dropout({p}) zeroed {zeroed:.0%} of the entries: p is the probability of dropping an "
                       "entry, not of keeping it.", p=p, zeroed=zeroed))
    if abs(zeroed - p) > 0.02:
        return wrong(_("Dropout({p}) zeroed {zeroed:.0%} of the entries: each entry should be dropped, on its own, "
                       "with probability p.", p=p, zeroed=zeroed))
    whole_rows = float((out == 0).all(dim=1).float().mean()) + float((out == 0).all(dim=0).float().mean())
    if whole_rows > 0.05:
        return wrong("your Dropout drops whole rows or columns at once: each entry should be dropped on its own, "
                     "with probability p, independently of the others.")
    kept = out[out != 0]
    if torch.allclose(kept, torch.ones_like(kept)) and torch.allclose(out_eval, xr * (1 - p)):
        return wrong("that is dropout as first published, which scales at evaluation. Inverted dropout does the "
                     "scaling in training, on the kept entries, so that eval() has nothing left to do.")
    if torch.allclose(kept, torch.ones_like(kept)):
        return wrong("the entries you keep are not scaled, so in training the next layer sees outputs whose mean "
                     "is smaller than in eval(): scale the kept entries so that the mean stays what it was.")
    if abs(float(out.mean()) - 1) > 0.02:
        return wrong(_("on an input of ones, the mean of your output in training is {out:.3f}: the scale of the "
                       "kept entries should keep the mean at 1, the input's.", out=float(out.mean())))
    if torch.equal(out, again):
        return wrong("two calls in training drop exactly the same entries: draw a new random mask at every call.")
    if not eval_same:
        return wrong("in eval() mode your Dropout changes its input: there it should return it unchanged "
                     "(model.eval() sets self.training to False).")
    if not torch.allclose(out_p0, xr):
        return wrong("Dropout(0.0) changes its input in training: with p = 0 nothing should be dropped or scaled.")
    if not out_g.requires_grad:
        return wrong("no gradient flows back through your Dropout: compute the output from x itself (no "
                     ".detach(), no .data), so that backward() reaches the layers before it.")
    out_g.sum().backward()
    expected = (out_g.detach() != 0).float() / (1 - p)
    if xg.grad is None or not torch.allclose(xg.grad, expected, atol=1e-6):
        return wrong("the gradient that reaches the input is not the mask times the scale: compute the output "
                     "as the input times a mask, with no operation that blocks backward().")
    return right(_("Dropout({p}) zeroed {zeroed:.1%} of the entries, kept the mean of an input of ones at "
                   "{out:.3f}, drew a new mask at every call, let the gradient through the kept entries (scaled by "
                   "1/(1−p)) and changed nothing in eval() or with p = 0. Scaling in training (inverted dropout) "
                   "means the network needs no change at all when it is evaluated.",
                   p=p, zeroed=zeroed, out=float(out.mean())))


# ---- 07.3: early stopping that keeps a copy of the best weights ---------------------------------------------------

# validation losses: strictly lower best at epoch 3 (0.70); 4, 5 (a tie: no improvement), 6 do not beat it, so
# patience 3 stops at 6 and restores 3. Counting the tie as a new best stops at 10 (restores 7); stopping only
# after more than `patience` epochs stops at 11 (restores 7); no patience at all stops at 4 (restores 3).
ES_LOSSES = (1.0, 0.8, 0.7, 0.72, 0.7, 0.75, 0.69, 0.71, 0.73, 0.74, 0.76, 0.8)
ES_PATIENCE = 3


def _early_stopping_reference() -> Any:
    import copy
    import math as _math

    from ..train import Callback

    class EarlyStopping(Callback):
        """Stop once the validation loss has not reached a new lowest for ``patience`` epochs; restore the best."""

        def __init__(self, patience: int):
            self.patience = patience
            self.best_loss, self.best_epoch, self.best_state = _math.inf, 0, None

        def on_epoch_end(self, model: Any, history: Any) -> bool:
            epoch, loss = history.epoch[-1], history.metrics["val_loss"][-1]
            if loss < self.best_loss:
                self.best_loss, self.best_epoch = loss, epoch
                self.best_state = copy.deepcopy(model.state_dict())
            elif epoch - self.best_epoch >= self.patience:
                return True
            return False

        def on_train_end(self, model: Any, history: Any) -> None:
            if self.best_state is not None:
                model.load_state_dict(self.best_state)

    return EarlyStopping


def _drive(cls: Any, losses: Sequence[float], patience: int) -> tuple[int, float, Any, Exception | None]:
    """Run an early-stopping callback on ``losses``: the model's one weight is the epoch's number.

    Returns (the epoch training stopped at, the weight after on_train_end, the callback, an error it raised).
    """
    import torch

    from ..train import History
    model = torch.nn.Linear(1, 1, bias=False)
    cb = cls(patience)
    h = History()
    h.metric_names = ("val_loss",)
    error = None
    try:
        cb.on_train_begin(model, h)
        for epoch, loss in enumerate(losses, start=1):
            with torch.no_grad():
                model.weight.fill_(float(epoch))    # in place, as an optimiser changes the weights
            h.epoch.append(epoch)
            h.loss.append(0.1)
            h._record_metrics(epoch, {"val_loss": loss})
            if cb.on_epoch_end(model, h):
                break
    except NotImplementedError:
        raise LearnerError(unanswered("on_epoch_end still raises NotImplementedError: write it.")) from None
    except Exception as exc:
        raise LearnerError(wrong(_("on_epoch_end raised {name}: {exc}", name=type(exc).__name__, exc=exc))) from None
    stopped = h.epoch[-1]
    try:
        cb.on_train_end(model, h)
    except Exception as exc:
        error = exc
    return stopped, float(model.weight.detach()), cb, error


def _holds_live_tensors(cb: Any, model_weight_ptr: int) -> bool:
    for value in vars(cb).values():
        if isinstance(value, Mapping):
            for t in value.values():
                if hasattr(t, "data_ptr") and t.data_ptr() == model_weight_ptr:
                    return True
    return False


def _judge_early_stopping(cls: Any) -> Verdict:
    """The callback stops ``patience`` epochs after the best (strictly lower) loss and restores that epoch's weights."""
    import torch
    if not (isinstance(cls, type) and issubclass(cls, _callback_class())):
        return wrong("EarlyStopping should be the class itself, a subclass of train.Callback.")
    try:
        stopped, weight, cb, error = _drive(cls, ES_LOSSES, ES_PATIENCE)
    except LearnerError as err:
        return err.verdict
    except Exception as exc:
        return wrong("EarlyStopping({es_patience}) raised {error}: {exc}",
                     es_patience=ES_PATIENCE, error=type(exc).__name__, exc=exc)
    n = len(ES_LOSSES)
    if stopped == n and error is None and weight == float(n):
        return unanswered("your early stopping never stops and puts nothing back: write on_epoch_end and "
                          "on_train_end.")
    if stopped == n:
        return wrong(_("with patience {es_patience}, on a run whose validation loss stops improving, your callback "
                       "never stopped training: on_epoch_end must return True to stop.", es_patience=ES_PATIENCE))
    if error is not None:
        return wrong(_("on_train_end raised {name}: {error}", name=type(error).__name__, error=error))
    if stopped == 4:
        return wrong(_("your callback stops at the first epoch without a new lowest: wait until {es_patience} "
                       "(patience) epochs have passed since the best one.", es_patience=ES_PATIENCE))
    if stopped == 10:
        return wrong("your callback counts a validation loss equal to the best so far as a new best: an "
                     "improvement has to be strictly lower.")
    if stopped in (7, 11):
        return wrong("off by one: with patience 3, training stops at the end of the third epoch after the best "
                     "without a new lowest.")
    if stopped != 6:
        return wrong("your callback stops at another epoch than the rule: compare each epoch's validation loss "
                     "with the lowest so far, and count the epochs since that lowest.")
    if weight == float(stopped):
        probe = torch.nn.Linear(1, 1, bias=False)
        cb2 = cls(ES_PATIENCE)
        from ..train import History
        h = History()
        h.metric_names = ("val_loss",)
        h.epoch.append(1)
        h.loss.append(0.1)
        h._record_metrics(1, {"val_loss": 1.0})
        try:
            cb2.on_epoch_end(probe, h)
        except Exception:
            pass
        if _holds_live_tensors(cb2, probe.weight.data_ptr()):
            return wrong("your callback stops at the right epoch, but what it kept is not a copy: state_dict() "
                         "hands out the model's own tensors, which go on changing with training. Keep a copy "
                         "that training cannot touch.")
        return wrong("your callback stops at the right epoch but leaves the last weights in the model: at the end, "
                     "put the best epoch's weights back (load_state_dict).")
    if weight != 3.0:
        return wrong("your callback stops at the right epoch but puts back the weights of another epoch than the "
                     "one with the lowest validation loss.")
    return right(_("on a run whose validation loss was lowest at epoch 3, with patience {es_patience} your "
                   "callback stopped at epoch 6 and put back epoch 3's weights. The copy matters: state_dict() "
                   "returns the model's live tensors, so only copy.deepcopy keeps epoch 3's values while training "
                   "goes on.", es_patience=ES_PATIENCE))


def _callback_class() -> Any:
    from ..train import Callback
    return Callback

# ---- 07.5: a model-selection loop (it chooses on the test set) -------------------------------------------------

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
              name=_("your choose_setting"))
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
        return wrong(_("the choice is right, but your function evaluates the test set {n_tested} times: every look "
                       "at it can sway a choice. Touch it once, for the chosen setting only.", n_tested=len(tested)))
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


# ---- 07.6: the L2 that stops the rise in the playground -----------------------------------------------------------

PLAYGROUND_L2 = (0.0, 1e-4, 1e-3, 1e-2, 1e-1)   # the playground's L2 options (widgets.WEIGHT_DECAYS)
PLAYGROUND_SETTING = {"data_set": "moons", "noise": 0.3, "hidden": "32,32", "activation": "tanh", "lr": 0.03,
                      "optimizer": "adam", "batch_size": 32, "train_frac": 0.2}


def _judge_l2(answer: Any) -> Verdict:
    value = as_number(answer)
    if value is None:
        return wrong("answer with one of the L2 values of the playground's dropdown, as it appears there (a "
                     "number, or the same written as a string).")
    hints = {0.0: _("with no penalty, this is the run whose test loss rises: add one."),
             1e-4: _("with that L2 the test loss still ends far above its lowest: try larger values."),
             1e-3: _("that slows the rise, but the test loss still ends well above its lowest (by more than a "
                      "fifth): run each of the other values too, and compare each run's end with its lowest."),
             1e-1: _("that also keeps the rise small, but is it the smallest value that does? Compare the printed "
                      "ratio of each smaller value with 1.2.")}
    match = next((v for v in PLAYGROUND_L2 if math.isclose(value, v, rel_tol=1e-6, abs_tol=1e-12)), None)
    if match is None:
        return wrong("answer with one of the values in the playground's L2 dropdown (from 0 to 0.1).")
    return choice("0.01", ["0", "0.0001", "0.001", "0.01", "0.1"],
                  explain=_("at 0.01 the test loss at epoch 200 ends within a fifth of its lowest (a ratio of at "
                             "most 1.2), where at 0.001 and below it ends more than a fifth above it (the printed "
                             "ratios). The penalty keeps the test loss near its lowest to the end, so the epoch to "
                             "stop at matters less."),
                  hints={f"{v:g}": h for v, h in hints.items()})(f"{match:g}")


DECAY_RIGHT = ("def decay_weights(model, lr, weight_decay):\n    with torch.no_grad():\n"
               "        for name, param in model.named_parameters():\n            if name.endswith('weight'):\n"
               "                param.mul_(1 - lr * weight_decay)\n")
DECAY_WRONG_ANSWERS = (
    "def decay_weights(model, lr, weight_decay):\n    for name, param in model.named_parameters():\n"
    "        if name.endswith('weight'):\n            param.mul_(1 - lr * weight_decay)\n",   # no torch.no_grad
    "def decay_weights(model, lr, weight_decay):\n    with torch.no_grad():\n"
    "        for param in model.parameters():\n            param.mul_(1 - lr * weight_decay)\n",  # biases decayed too
    DECAY_RIGHT.replace("mul_(1 - lr * weight_decay)", "mul_(lr * weight_decay)"),       # ×lr·λ
    DECAY_RIGHT.replace("mul_(1 - lr * weight_decay)", "mul_(1 - weight_decay)"),        # learning rate left out
    DECAY_RIGHT.replace("mul_(1 - lr * weight_decay)", "sub_(lr * weight_decay)"),       # subtracts a constant
)


register(
    Exercise("07.1", "write", "the decoupled weight-decay step", _judge_decay,
             blank=N_("write decay_weights, then run this cell again."),
             reference=lambda: decay_weights,
             wrong_answers=DECAY_WRONG_ANSWERS),
    Exercise("07.2", "write", "inverted dropout", _judge_dropout,
             blank=N_("write Dropout's forward, then run this cell again."),
             reference=_dropout_reference,
             wrong_answers=(
                 "class Dropout(torch.nn.Module):\n    def __init__(self, p):\n        super().__init__()\n"
                 "        self.p = p\n    def forward(self, x):\n        if not self.training:\n            return x\n"
                 "        return x * (torch.rand_like(x) >= self.p)\n",
                 "class Dropout(torch.nn.Module):\n    def __init__(self, p):\n        super().__init__()\n"
                 "        self.p = p\n    def forward(self, x):\n"
                 "        return x * (torch.rand_like(x) >= self.p) / (1 - self.p)\n",
                 "class Dropout(torch.nn.Module):\n    def __init__(self, p):\n        super().__init__()\n"
                 "        self.p = p\n    def forward(self, x):\n        if not self.training:\n            return x\n"
                 "        return x * (torch.rand_like(x) < self.p) / self.p\n",
                 "class Dropout(torch.nn.Module):\n    def __init__(self, p):\n        super().__init__()\n"
                 "        self.p = p\n    def forward(self, x):\n        if not self.training:\n"
                 "            return x * (1 - self.p)\n        return x * (torch.rand_like(x) >= self.p)\n")),
    Exercise("07.3", "write", "early stopping that keeps a copy of the best weights", _judge_early_stopping,
             blank=N_("write on_epoch_end and on_train_end, then run this cell again."),
             reference=_early_stopping_reference,
             wrong_answers=(
                 "class EarlyStopping(train.Callback):\n    def __init__(self, patience):\n"
                 "        self.patience = patience\n        self.best_loss, self.best_epoch, self.best_state = "
                 "math.inf, 0, None\n    def on_epoch_end(self, model, history):\n"
                 "        epoch, loss = history.epoch[-1], history.metrics['val_loss'][-1]\n"
                 "        if loss < self.best_loss:\n            self.best_loss, self.best_epoch = loss, epoch\n"
                 "            self.best_state = model.state_dict()\n"
                 "        elif epoch - self.best_epoch >= self.patience:\n            return True\n"
                 "        return False\n    def on_train_end(self, model, history):\n"
                 "        model.load_state_dict(self.best_state)\n",
                 "class EarlyStopping(train.Callback):\n    def __init__(self, patience):\n"
                 "        self.patience = patience\n        self.best_loss, self.best_epoch, self.best_state = "
                 "math.inf, 0, None\n    def on_epoch_end(self, model, history):\n"
                 "        epoch, loss = history.epoch[-1], history.metrics['val_loss'][-1]\n"
                 "        if loss <= self.best_loss:\n            self.best_loss, self.best_epoch = loss, epoch\n"
                 "            self.best_state = copy.deepcopy(model.state_dict())\n"
                 "        elif epoch - self.best_epoch >= self.patience:\n            return True\n"
                 "        return False\n    def on_train_end(self, model, history):\n"
                 "        model.load_state_dict(self.best_state)\n",
                 "class EarlyStopping(train.Callback):\n    def __init__(self, patience):\n"
                 "        self.patience = patience\n        self.best_loss, self.best_epoch, self.best_state = "
                 "math.inf, 0, None\n    def on_epoch_end(self, model, history):\n"
                 "        epoch, loss = history.epoch[-1], history.metrics['val_loss'][-1]\n"
                 "        if loss < self.best_loss:\n            self.best_loss, self.best_epoch = loss, epoch\n"
                 "            self.best_state = copy.deepcopy(model.state_dict())\n"
                 "        elif epoch - self.best_epoch > self.patience:\n            return True\n"
                 "        return False\n    def on_train_end(self, model, history):\n"
                 "        model.load_state_dict(self.best_state)\n",
                 "class EarlyStopping(train.Callback):\n    def __init__(self, patience):\n"
                 "        self.patience = patience\n        self.best_loss, self.best_epoch, self.best_state = "
                 "math.inf, 0, None\n    def on_epoch_end(self, model, history):\n"
                 "        epoch, loss = history.epoch[-1], history.metrics['val_loss'][-1]\n"
                 "        if loss < self.best_loss:\n            self.best_loss, self.best_epoch = loss, epoch\n"
                 "            self.best_state = copy.deepcopy(model.state_dict())\n"
                 "        elif epoch - self.best_epoch >= self.patience:\n            return True\n"
                 "        return False\n    def on_train_end(self, model, history):\n        pass\n")),
    Exercise("07.4", "predict", "where early stopping on the validation accuracy stops", _judge_stop,
             giveaways=_stop_giveaways, context=("history",),
             blank=N_("write your prediction as (stop epoch, restored epoch), then run this cell again."),
             wrong_answers=("answer_4 = (lowest_epoch, lowest_epoch)",
                            "answer_4 = (lowest_epoch + 3, lowest_epoch)",
                            "answer_4 = (EPOCHS, int(np.argmax(memo.metrics['val_acc'])) + 1)",
                            "answer_4 = (int(np.argmax(memo.metrics['val_acc'])) + 4, "
                            "int(np.argmax(memo.metrics['val_acc'])) + 1)")),
    Exercise("07.5", "debug", "a model-selection loop", code(_judge_choose),
             blank=N_("set answer_5 to your fixed choose_setting, then run this cell again."),
             wrong_answers=("answer_5 = choose_setting",
                            "def fixed(candidates, train_fn, accuracy, val_set, test_set):\n"
                            "    models_ = {c: train_fn(c) for c in candidates}\n"
                            "    best = max(candidates, key=lambda c: accuracy(models_[c], val_set))\n"
                            "    return best, accuracy(models_[best], val_set)\nanswer_5 = fixed",
                            "def fixed(candidates, train_fn, accuracy, val_set, test_set):\n"
                            "    models_ = {c: train_fn(c) for c in candidates}\n"
                            "    tests = {c: accuracy(models_[c], test_set) for c in candidates}\n"
                            "    best = max(candidates, key=lambda c: accuracy(models_[c], val_set))\n"
                            "    return best, tests[best]\nanswer_5 = fixed")),
    Exercise("07.6", "compute", "the smallest L2 that stops the test loss rising", _judge_l2,
             giveaways=lambda: ["0.01", "1e-2", "1e-02"],
             wrong_answers=("answer_6 = 1e-3", "answer_6 = 0.1", "answer_6 = 0.0", "answer_6 = \"0.001\"")),
)

"""Lesson 01's exercises: the network as an ``nn.Module``, its training loop, and reading a fit.

01.1 build ``Net`` (1-10-1) · 01.2 build the training loop · 01.3 the output weight's shape · 01.4 count
parameters · 01.5 predict the MSE of a constant · 01.6 debug a loop with flat targets · 01.7 explore
the learning rate. Judges of learner code run it on small fixed problems and compare with a reference;
the two builds hand the lesson the course's version (``reference_net``, ``reference_loop``) until the
learner's passes.
"""
from __future__ import annotations

import math
from typing import Any

from ..i18n import N_, _
from .core import Exercise, Verdict, register, right, unanswered, wrong
from .judges import (
    as_number,
    build_module,
    code,
    explore,
    missing_module_init,
    module_class,
    number,
    number_giveaways,
    outside,
    read_sweep,
    run,
    shape,
    shape_giveaways,
    sweep_finding,
    sweep_setting,
    trace_linears,
)

WEIGHTS_ONLY = N_("you counted the weights; each layer also has one bias per output.")


def param_count(cfg: list[int]) -> int:
    """Parameters of ``models.mlp(cfg)``: one weight matrix and one bias vector per layer."""
    return sum(a * b + b for a, b in zip(cfg[:-1], cfg[1:]))


COUNTED = [4, 32, 16, 2]    # exercise 01.4: a net like Net with two hidden layers, 4-32-16-2
NOISE_FLOOR = 0.2 ** 2 / 12  # the variance of the lesson's noise 0.2·U(0, 1)


def _count_mistakes() -> list[tuple[Any, str]]:
    weights = sum(a * b for a, b in zip(COUNTED[:-1], COUNTED[1:]))
    hidden_only = param_count(COUNTED[:-1])
    return [(lambda v, e: v == weights, WEIGHTS_ONLY),
            (lambda v, e: v == hidden_only, _("you left out a layer: the output layer has weights and biases too.")),
            (lambda v, e: v == e - COUNTED[-1], _("one bias vector is missing: every Linear layer has one, the "
                                                   "output layer included."))]


WIDE_OUTPUT_WEIGHT = (2, 7)   # Net(n_feature=3, n_hidden=7, n_output=2).predict: Linear(7, 2), W is (out, in)


def _constant_mse(answer: Any, y: Any, x: Any) -> Verdict:
    """The MSE of predicting ``y.mean()`` for every point: the variance of y (within 10 %)."""
    value, expected = as_number(answer), float(((y - y.mean()) ** 2).mean())
    floor = float(((y - (x ** 2 + 0.1)) ** 2).mean())   # the lesson's noise floor: the MSE of x² + 0.1
    if value is None:
        return wrong("give one number, such as 0.5.")
    if math.isclose(value, expected, rel_tol=0.1):
        return right(_("predicting the mean scores {expected:.4f} here: the mean squared distance of y from its "
                       "mean, which is the variance of y (and no constant scores lower). x² alone varies by 4/45 ≈ "
                       "0.089 on [-1, 1] and the noise adds its variance, 0.2²/12 ≈ 0.003. That is "
                       "{expected_floor:.0f} times this lesson's noise floor, {floor:.5f}: learning the bend is "
                       "the network's whole job.", expected=expected, expected_floor=expected / floor, floor=floor))
    if abs(value - floor) < 0.3 * floor:
        return wrong("that is about the noise floor, what a model that knows the curve scores. A constant "
                     "ignores x, so it also pays for how far the parabola itself strays from its mean.")
    mean_square = float((y ** 2).mean())
    if any(abs(value - v) < 0.15 * v for v in (mean_square, 0.2)):
        return wrong("that is an average of squared targets measured from 0; the prediction is the mean, so "
                     "measure each target's distance from the prediction.")
    return wrong(N_("that is too high: the mean is the best constant, so its error is smaller than that.") if
                 value > expected else
                 N_("that is too low: a constant cannot follow the bend, so every point far from the middle costs."))


def _sweep_ranges() -> dict[float, tuple[float, float]]:
    """Median final MSE over init seeds 0-4 after 100 SGD steps, as runs with SEED 0 and 1 give them."""
    return {0.05: (0.03, 0.08), 0.2: (0.005, 0.015), 0.5: (0.003, 0.009), 0.8: (0.04, 0.12),
            1.0: (1.0, 1e6), 2.0: (math.inf, math.inf)}


SWEEP_STARTER = {"steps": 100, "rates": (0.05, 0.2, 0.5, 0.8, 1.0, 2.0)}
SWEEP_KEY = "median final MSE"


def _lr_sweep(result: Any) -> Verdict:
    """``result``: {"steps": n, "median final MSE": {learning rate: median over the seeds (inf: diverged)}}."""
    steps, table = read_sweep(result, SWEEP_KEY, "learning rate")
    if as_number(steps) == SWEEP_STARTER["steps"]:
        off = outside(table, _sweep_ranges())
        if off is not None:
            lr, value = off
            return wrong(_("for lr {lr:g} at 100 steps your median, {value:.3g}, is outside what this sweep gives "
                           "(init seeds 0-4, the lesson's data): did the data, the net or the seeds change too? "
                           "Change one thing at a time.", lr=lr, value=value))
    finding = sweep_finding(table, steps, "learning rate")
    if isinstance(finding, Verdict):
        return finding
    return right(_("your run: {finding} A bigger learning rate helps only up to a point, and past it training does "
                   "not just slow down, it breaks (hidden units switched off, or an overflow that fit stops with "
                   "TrainingDiverged); where that point lies depends on the net and the budget of steps.",
                   finding=finding))


# --- 01.1: the learner's own nn.Module, the 1-10-1 Net -----------------------------------------------------------

NET_SIZES = ((1, 10, 1), (3, 5, 2))   # the lesson's shape, then a second one that catches fixed numbers
NET_ARGS = ("n_feature", "n_hidden", "n_output")
ORDINAL = (N_("first"), N_("second"), N_("third"), N_("fourth"), N_("fifth"), N_("sixth"))
_REFERENCE: dict[str, Any] = {}


def reference_net() -> Any:
    """The course's ``Net`` as the original writes it: Linear(n_feature, n_hidden), ReLU, Linear(n_hidden, n_output)."""
    if "Net" not in _REFERENCE:
        import torch
        import torch.nn.functional as F

        class Net(torch.nn.Module):
            def __init__(self, n_feature, n_hidden, n_output):
                super().__init__()
                self.hidden = torch.nn.Linear(n_feature, n_hidden)
                self.predict = torch.nn.Linear(n_hidden, n_output)

            def forward(self, x):
                return self.predict(F.relu(self.hidden(x)))

        _REFERENCE["Net"] = Net
    return _REFERENCE["Net"]


def _call(sizes: tuple[int, ...]) -> str:
    return f"Net{sizes}"


def _check_layers(calls: list, sizes: tuple[int, ...], first: bool) -> Verdict | None:
    expected = list(zip(sizes[:-1], sizes[1:]))
    if len(calls) != len(expected):
        return wrong(_("forward runs {n_calls} registered Linear layer(s); a hidden layer and an output layer make "
                       "{n_expected}. Create each in __init__ as an attribute and use each once.",
                       n_calls=len(calls), n_expected=len(expected)))
    for i, ((layer, _skip, _skip), (n_in, n_out)) in enumerate(zip(calls, expected)):
        got = (layer.in_features, layer.out_features)
        if got == (n_in, n_out):
            continue
        if not first:
            return wrong(_("{call_net_sizes} comes out right, but in {call_sizes} the {ordinal} Linear layer maps "
                           "{got} features to {got2}: build every layer from the constructor's arguments, not from "
                           "fixed numbers.",
                           call_net_sizes=_call(NET_SIZES[0]), call_sizes=_call(sizes), ordinal=ORDINAL[i],
                           got=got[0], got2=got[1]))
        return wrong(_("in {call_sizes} the {ordinal} Linear layer maps {got} features to {got2}, where the stated "
                       "shape asks for {n_in} → {n_out}.",
                       call_sizes=_call(sizes), ordinal=ORDINAL[i], got=got[0], got2=got[1], n_in=n_in, n_out=n_out))
    return None


def _check_activations(calls: list, out: Any) -> Verdict | None:
    import torch
    for i in range(len(calls) - 1):
        h, nxt = calls[i][2], calls[i + 1][1]
        if nxt.shape == h.shape and torch.allclose(nxt, torch.relu(h)):
            continue
        if nxt.shape == h.shape and torch.allclose(nxt, h):
            return wrong(_("nothing happens between the {ordinal} and the {ordinal2} Linear layer: a missing "
                           "activation. Two Linear layers in a row collapse into one linear map, so the net could "
                           "only fit a straight line; the hidden layer needs its ReLU.",
                           ordinal=ORDINAL[i], ordinal2=ORDINAL[i + 1]))
        return wrong(_("what reaches the {ordinal} Linear layer is not the ReLU of the {ordinal2} one's output: "
                       "apply F.relu, and nothing else, after the hidden layer.",
                       ordinal=ORDINAL[i + 1], ordinal2=ORDINAL[i]))
    last = calls[-1][2]
    if not isinstance(out, torch.Tensor) or out.numel() != last.numel():
        return None   # the output check says what is wrong with it
    if torch.allclose(out.reshape(-1), last.reshape(-1)):
        return None
    if torch.allclose(out.reshape(-1), torch.relu(last).reshape(-1)):
        return wrong("your output goes through a ReLU, so it can never be negative: the output layer gives raw "
                     "values, any real number, so return its result with no activation after it.")
    return wrong("forward changes the output layer's result before returning it: return it unchanged.")


def _check_output(out: Any, x: Any, sizes: tuple[int, ...]) -> Verdict | None:
    import torch
    want = (len(x), sizes[-1])
    if not isinstance(out, torch.Tensor):
        return wrong(_("forward returns a {name}: return the output layer's tensor.", name=type(out).__name__))
    if tuple(out.shape) != want:
        return wrong(_("for a batch of {n_x} examples {call_sizes} returns shape {tuple_out}: a network returns "
                       "one row per example and one column per output, as the targets have.",
                       n_x=len(x), call_sizes=_call(sizes), tuple_out=tuple(out.shape)))
    return None


def _check_net(cls: Any, sizes: tuple[int, ...], first: bool) -> Verdict | None:
    """None when ``cls(*sizes)`` is Linear → ReLU → Linear with these sizes, its layers named hidden and predict."""
    import torch
    net = build_module(cls, sizes, "Net", NET_ARGS)
    x = torch.randn(64, sizes[0], generator=torch.Generator().manual_seed(1))
    if "_modules" not in vars(net):
        return missing_module_init(net, x, "Net")
    if not list(net.parameters()):
        try:
            with torch.no_grad():
                skeleton = net(x) is None
        except Exception:
            skeleton = False
        if skeleton:
            return unanswered("Net is still the skeleton: create its two layers in __init__ and write forward.")
    out, calls = trace_linears(net, x, sizes, NET_SIZES[0], "Net")
    if not list(net.parameters()):
        return wrong("net.parameters() is empty, so an optimizer would have nothing to train: create the layers "
                     "in __init__ and assign each to an attribute of self (a plain Python list hides them from "
                     "nn.Module).")
    verdict = _check_layers(calls, sizes, first) or _check_activations(calls, out) or _check_output(out, x, sizes)
    if verdict is not None:
        return verdict
    n, expected = sum(p.numel() for p in net.parameters()), param_count(list(sizes))
    if n < expected:
        return wrong("your layers have fewer parameters than Linear layers with biases: keep the biases.")
    if n > expected:
        return wrong(_("{call_sizes} registers {n_expected} parameters that forward never uses: remove the layers "
                       "it does not need.", call_sizes=_call(sizes), n_expected=n - expected))
    if [getattr(net, "hidden", None), getattr(net, "predict", None)] != [c[0] for c in calls]:
        return wrong("the network works, but the cells below reach its layers as net.hidden (the first) and "
                     "net.predict (the output layer): give the two attributes those names.")
    return None


def net_class(cls: Any) -> Verdict:
    """``Net(n_feature, n_hidden, n_output)``: built in two shapes, inspected, and run on a batch."""
    return module_class(cls, "Net", NET_SIZES, _check_net) or right(
        "Linear → ReLU → Linear, built from the constructor's arguments (checked with two shapes), every "
        "parameter registered, so net.parameters() hands them all to an optimizer and state_dict() saves them.")


NET_SKELETON_HEAD = ("class Net(torch.nn.Module):\n"
                     "    def __init__(self, n_feature, n_hidden, n_output):\n"
                     "        super().__init__()\n")


def _net_answer(init: str, forward: str) -> str:
    return NET_SKELETON_HEAD + init + "\n    def forward(self, x):\n" + forward


_INIT = ("        self.hidden = torch.nn.Linear(n_feature, n_hidden)\n"
         "        self.predict = torch.nn.Linear(n_hidden, n_output)\n")
_FORWARD = ("        x = F.relu(self.hidden(x))\n"
            "        return self.predict(x)\n")
NET_WRONG_ANSWERS = (
    _net_answer(_INIT.replace("(n_feature, n_hidden)", "(1, 10)").replace("(n_hidden, n_output)", "(10, 1)"),
                _FORWARD),                                                                      # fixed sizes
    _net_answer(_INIT.replace("(n_feature, n_hidden)", "(n_hidden, n_feature)"), _FORWARD),       # in/out swapped
    _net_answer(_INIT, _FORWARD.replace("x = F.relu(self.hidden(x))", "x = self.hidden(x)")),     # no activation
    _net_answer(_INIT, _FORWARD.replace("return self.predict(x)", "return F.relu(self.predict(x))")),  # ReLU on output
    _net_answer(_INIT, _FORWARD.replace("return self.predict(x)", "return self.predict(x).squeeze()")),  # shape
    _net_answer("        self.layers = [torch.nn.Linear(n_feature, n_hidden), torch.nn.Linear(n_hidden, n_output)]\n",
                "        x = F.relu(self.layers[0](x))\n"
                "        return self.layers[1](x)\n"),                                          # layers in a list
    _net_answer(_INIT.replace("self.hidden", "self.layer1").replace("self.predict", "self.out"),
                _FORWARD.replace("self.hidden", "self.layer1").replace("self.predict", "self.out")),  # other names
)


# --- 01.2: the training loop -----------------------------------------------------------------------------------

LOOP_STEPS, LOOP_LR = 100, 0.2


def _flat(net: Any) -> Any:
    import torch
    return torch.cat([p.detach().reshape(-1) for p in net.parameters()])


def _trained(start: Any, x: Any, y: Any, *, clear: bool = True) -> Any:
    """A copy of ``start`` after the lesson's loop (or the loop without clearing the gradients)."""
    import copy

    import torch
    from torch.nn.functional import mse_loss
    net = copy.deepcopy(start)
    opt = torch.optim.SGD(net.parameters(), lr=LOOP_LR)
    for _skip in range(LOOP_STEPS):
        loss = mse_loss(net(x), y)
        if clear:
            opt.zero_grad()
        loss.backward()
        opt.step()
    return net


def _loop_start(net: Any, seed: int) -> Any:
    """The network the loop started from: the learner's own class, built again under the lesson's seed."""
    from ..runtime import seeded
    try:
        with seeded(seed):
            return type(net)(1, 10, 1)
    except Exception:
        with seeded(seed):
            return reference_net()(1, 10, 1)


def reference_loop(x: Any, y: Any, seed: int) -> Any:
    """The course's loop: the reference Net, seeded, after 100 full-batch SGD steps on the MSE (lr 0.2)."""
    from ..runtime import seeded
    with seeded(seed):
        start = reference_net()(1, 10, 1)
    return _trained(start, x, y)


def training_loop(net: Any, x: Any, y: Any, seed: int) -> Verdict:
    """``net`` after the learner's loop: the weights of 100 SGD steps from the same seeded start, within 1e-4."""
    import torch
    if not isinstance(net, torch.nn.Module):
        return wrong(_("net is a {name}: the check takes the network the loop trained.", name=type(net).__name__))
    start = _loop_start(net, seed)
    mine = _flat(net)
    if mine.shape != _flat(start).shape:
        return wrong("net is not the Net(1, 10, 1) the cell builds before the loop: keep those lines as they are.")
    if torch.equal(mine, _flat(start)):
        return unanswered("the weights are where they started: write the body of the loop. (If you did: backward "
                          "fills each parameter's .grad and the optimizer's step uses it, so a step before "
                          "backward, or clearing the gradients between the two, leaves nothing to step with.)")
    if not torch.isfinite(mine).all():
        return wrong("the weights became nan or inf: the updates grew without bound. Is the loss the mean of the "
                     "squared errors (loss_fn), not their sum, and does each step use its own gradient only?")
    if torch.allclose(mine, _flat(_trained(start, x, y)), atol=1e-4, rtol=1e-4):
        return right("forward, loss, zero_grad, backward, step, 100 times: your weights match plain SGD from the "
                     "same start. Each pass of the loop is one step; with the full batch, one step is one epoch.")
    if torch.allclose(mine, _flat(_trained(start, x, y, clear=False)), atol=1e-4, rtol=1e-4):
        return wrong("your weights drift away from plain SGD: backward adds each new gradient to what .grad "
                     "already holds, so every step used the sum of all gradients so far. Clear them in every "
                     "pass, before backward.")
    return wrong("your weights end up elsewhere than 100 steps of SGD on the mean squared error from the same "
                 "start: in each pass of the loop, one forward pass, one loss, one clearing of the gradients, one "
                 "backward and one step, each once and in that order.")


LOOP_HEAD = ("with seeded(SEED):\n"
             "    net = Net(1, 10, 1)\n"
             "optimizer = torch.optim.SGD(net.parameters(), lr=0.2)\n"
             "for step in range(100):\n")
_LOOP = ("    prediction = net(x)\n"
         "    loss = loss_fn(prediction, y)\n"
         "    optimizer.zero_grad()\n"
         "    loss.backward()\n"
         "    optimizer.step()\n")
LOOP_WRONG_ANSWERS = (
    LOOP_HEAD + _LOOP.replace("    optimizer.zero_grad()\n", ""),                              # no zero_grad
    LOOP_HEAD + _LOOP.replace("loss_fn(prediction, y)", "((prediction - y) ** 2).sum()"),      # a sum, not a mean
    LOOP_HEAD + _LOOP + "    optimizer.step()\n",                                            # two steps a pass
)
LOOP_GIVEAWAYS = ("optimizer.zero_grad()", "loss.backward()", "optimizer.step()")


def _same(a: Any, b: Any) -> bool:
    import torch
    return all(torch.allclose(p, q, atol=1e-6) for p, q in zip(a.parameters(), b.parameters()))


# --- 01.6: the loop that fits a flat line ------------------------------------------------------------------

DEBUG_STEPS = 30
_BROKEN = ("def train_fixed(net, x, targets, epochs=100, lr=0.2):\n"
           "    optimizer = torch.optim.SGD(net.parameters(), lr=lr)\n"
           "    for step in range(epochs):\n"
           "        prediction = net(x)\n"
           "        loss = ((prediction - targets) ** 2).mean()\n"
           "        optimizer.zero_grad()\n"
           "        loss.backward()\n"
           "        optimizer.step()\n"
           "    return loss.item()\n")
DEBUG_WRONG_ANSWERS = (
    _BROKEN.replace("((prediction - targets) ** 2).mean()",
                    "torch.nn.functional.mse_loss(prediction, targets)"),          # another loss, the same bug
    _BROKEN.replace("(prediction - targets)", "(prediction - targets.view(1, -1))"),  # reshaped the wrong way
)


def debug_loop(fn: Any) -> Verdict:
    """``train_fixed(net, x, targets (N,), epochs, lr) -> float``: must train as if targets were (N, 1)."""
    import copy

    import torch
    from torch.nn.functional import mse_loss

    from ..models import mlp
    from ..runtime import seeded
    x = torch.linspace(-1, 1, 40).unsqueeze(1)
    targets = (x.pow(2) + 0.1).view(-1)   # as loaded from a file: one flat row of numbers
    with seeded(0):
        start = mlp([1, 10, 1])

    def trained(loss_of: Any) -> tuple[Any, float]:
        net = copy.deepcopy(start)
        opt = torch.optim.SGD(net.parameters(), lr=0.2)
        for _ in range(DEBUG_STEPS):
            loss = loss_of(net(x))
            opt.zero_grad()
            loss.backward()
            opt.step()
        return net, loss.item()
    good, good_loss = trained(lambda p: mse_loss(p, targets.view(-1, 1)))
    broken, _ = trained(lambda p: ((p - targets) ** 2).mean())
    mine = copy.deepcopy(start)
    got = run(fn, mine, x, targets, DEBUG_STEPS, 0.2, name="train_fixed")
    if _same(mine, start):
        return wrong("after train_fixed the weights are where they started: keep all five moves of the loop.")
    if _same(mine, broken):
        return wrong("the loop still trains on the bug: inside it, print prediction.shape, targets.shape and "
                     "(prediction - targets).shape, and ask how many numbers the mean should average over.")
    if not _same(mine, good):
        return wrong("your weights end up somewhere else than a correct loop's: fix only what is broken and keep "
                     "the five moves as they were.")
    if not isinstance(got, (int, float)) or not math.isclose(float(got), good_loss, rel_tol=1e-4):
        return wrong("the weights come out right; now return the last loss as a Python number (loss.item()).")
    return right("prediction has shape (N, 1) and targets (N,): their difference broadcasts to (N, N), every "
                 "prediction against every target, and that mean is smallest for a flat line at the mean of y. "
                 "With equal shapes each prediction meets its own target. train.fit checks shapes and stops "
                 "with one sentence instead of training on such a loss.")


register(
    Exercise("01.1", "write", "write the 1-10-1 Net", code(net_class),
             giveaways=lambda: ["Linear(n_feature, n_hidden)", "Linear(n_hidden, n_output)"],
             wrong_answers=NET_WRONG_ANSWERS, reference=reference_net),
    Exercise("01.2", "write", "write the training loop", code(training_loop),
             giveaways=lambda x, y, seed: list(LOOP_GIVEAWAYS), wrong_answers=LOOP_WRONG_ANSWERS,
             context=("x", "y", "seed"), reference=reference_loop),
    Exercise("01.3", "compute", "the shape of the output layer's weight",
             shape(WIDE_OUTPUT_WEIGHT, what=N_("the output layer's weight of Net(3, 7, 2)"),
                   explain=N_("the output layer is Linear(7, 2), and Linear stores its weight as (out, in): one "
                              "row per output unit, so that x @ W.T turns (N, 7) into (N, 2).")),
             giveaways=lambda: shape_giveaways(WIDE_OUTPUT_WEIGHT),
             wrong_answers=("answer_3 = (7, 2)", "answer_3 = (2, 3)"),
             blank=N_("set answer_3 to the shape of wide.predict.weight, as a tuple.")),
    Exercise("01.4", "compute", "count the parameters of a net with two hidden layers, 4-32-16-2",
             number(param_count(COUNTED), whole=True, mistakes=_count_mistakes(),
                    explain=N_("4·32 + 32 + 32·16 + 16 + 16·2 + 2 = 722: three weight matrices, three bias "
                               "vectors. sum(p.numel() for p in net.parameters()) agrees.")),
             giveaways=lambda: number_giveaways(param_count(COUNTED)),
             wrong_answers=("answer_4 = 4 * 32 + 32 * 16 + 16 * 2", "answer_4 = 4 * 32 + 32 + 32 * 16 + 16"),
             blank=N_("set answer_4 to the number of parameters of the 4-32-16-2 network.")),
    Exercise("01.5", "compute", "the MSE of predicting the mean", _constant_mse,
             giveaways=lambda y, x: number_giveaways(float(((y - y.mean()) ** 2).mean())),
             wrong_answers=("answer_5 = 0.2 ** 2 / 12", "answer_5 = float((y ** 2).mean())"), context=("y", "x"),
             blank=N_("set answer_5 to the MSE of predicting y.mean() for every point, one number.")),
    Exercise("01.6", "debug", "fix the loop that fits a flat line", code(debug_loop),
             wrong_answers=DEBUG_WRONG_ANSWERS),
    Exercise("01.7", "explore", "how big a step?",
             code(explore(SWEEP_STARTER, sweep_setting(SWEEP_KEY, "learning rate"),
                          N_("try learning rates of your own, or more steps (STEPS)"), _lr_sweep)),
             wrong_answers=("result['median final MSE'] = {lr: 10 * v for lr, v in result['median final MSE'].items()}",
                            "result['median final MSE'] = {0.2: result['median final MSE'][0.2]}")),
)


"""Lesson 02's exercises: networks from a layer-size list, and the recipe that trains them.

02.1 build: ``make_layers(cfg)``, judged on several cfgs (one of length 2); the lesson goes on with it.
02.2 build: the ``Net(features)`` wrapper; the lesson goes on with it.
02.3 build: ``print_shapes(net)``, one line per parameter (name, shape) and the total it returns.
02.4 predict-then-run: the MSE a net without hidden layers reaches on sin x in 300 steps of the full recipe.
02.5 debug-this: a training loop that never clears its gradients.
02.6 explore: the peak learning rate of the one-cycle schedule.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any

from ..i18n import N_, _
from .core import Exercise, Verdict, register, right, unanswered, wrong
from .judges import (
    LearnerError,
    as_number,
    code,
    explore,
    missing_module_init,
    number_giveaways,
    outside,
    read_sweep,
    run,
    sweep_finding,
)

# ---- 02.1: make_layers(cfg), as the original writes it --------------------------------------------------------

# cfgs the check builds: the lesson's own shape first, then others, and a cfg of length 2 (a single Linear)
LAYER_CASES = ([1, 20, 50, 1], [3, 5, 2], [2, 4, 4, 4, 6, 3], [1, 1])


def _names(modules: Sequence[Any]) -> str:
    return ", ".join(type(m).__name__ for m in modules) or "nothing"


def _one_cfg(fn: Any, cfg: list[int]) -> Verdict | None:
    """The verdict on ``fn(cfg)``: a wrong one, ``None`` when it builds the right layers (⏳ via LearnerError)."""
    import torch
    from torch import nn
    out = run(fn, list(cfg), name="make_layers")
    if isinstance(out, (list, tuple)):
        return wrong(_("make_layers returned a Python {name} of layers. A list is not a module: its parameters are "
                       "invisible to an optimiser and it cannot be called on x. Pack the layers into the container "
                       "module that runs them in order.", name=type(out).__name__))
    if not isinstance(out, nn.Sequential):
        return wrong(_("make_layers should return an nn.Sequential, not a {name}.", name=type(out).__name__))
    mods = list(out)
    if not mods:
        raise LearnerError(unanswered("make_layers still returns an empty nn.Sequential: write the loop that "
                                      "fills `layers`."))
    linears = [m for m in mods if isinstance(m, nn.Linear)]
    acts = [m for m in mods if not isinstance(m, nn.Linear)]
    if any(not isinstance(m, nn.ReLU) for m in acts):
        other = next(type(m).__name__ for m in acts if not isinstance(m, nn.ReLU))
        return wrong(_("for cfg {cfg} your layers hold a {other}: this lesson's hidden units are ReLUs.",
                       cfg=cfg, other=other))
    n = len(cfg) - 1
    if len(linears) < n:
        return wrong(_("a layer is missing: cfg {cfg} has {n_cfg} sizes, so a Linear layer for each pair of "
                       "neighbouring sizes makes {n}; yours has {n_linears} ({names_mods}). Check the first and "
                       "the last pair of your loop.",
                       cfg=cfg, n_cfg=len(cfg), n=n, n_linears=len(linears), names_mods=_names(mods)))
    if len(linears) > n:
        return wrong(_("one Linear too many: cfg {cfg} has {n_cfg} sizes, so {n} pairs of neighbours, and yours "
                       "has {n_linears} Linear layers.", cfg=cfg, n_cfg=len(cfg), n=n, n_linears=len(linears)))
    for i, lin in enumerate(linears):
        want, got = (cfg[i], cfg[i + 1]), (lin.in_features, lin.out_features)
        if got == want:
            continue
        if got == want[::-1]:
            return wrong(_("for cfg {cfg} your Linear layer {i} maps {got} inputs to {got2} outputs: in and out "
                           "are swapped. nn.Linear takes the number of inputs first.",
                           cfg=cfg, i=i, got=got[0], got2=got[1]))
        return wrong(_("for cfg {cfg} your Linear layer {i} maps {got} inputs to {got2} outputs, but it sits "
                       "between the sizes {want} and {want2} of the list.",
                       cfg=cfg, i=i, got=got[0], got2=got[1], want=want[0], want2=want[1]))
    if not isinstance(mods[-1], nn.Linear):
        return wrong(_("for cfg {cfg} your last layer is a {name}: the output must be the last Linear's raw "
                       "numbers. sin x is negative half the time, and a ReLU after the output could never produce "
                       "a negative number.", cfg=cfg, name=type(mods[-1]).__name__))
    expected = ["Linear", "ReLU"] * (n - 1) + ["Linear"]
    if [type(m).__name__ for m in mods] != expected:
        return wrong(_("for cfg {cfg} your layers are {names_mods}: every hidden Linear needs its ReLU right after "
                       "it (two Linear layers in a row make one linear map), and the last has none.",
                       cfg=cfg, names_mods=_names(mods)))
    with torch.no_grad():
        y = out(torch.randn(5, cfg[0]))
    if tuple(y.shape) != (5, cfg[-1]):
        return wrong(_("for cfg {cfg} a batch of 5 rows gives an output of shape {tuple_y}, not (5, {cfg2}).",
                       cfg=cfg, tuple_y=tuple(y.shape), cfg2=cfg[-1]))
    return None


def make_layers(fn: Any) -> Verdict:
    """``make_layers(cfg) -> nn.Sequential``: Linear + ReLU per hidden size, a bare last Linear."""
    for cfg in LAYER_CASES:
        verdict = _one_cfg(fn, cfg)
        if verdict is not None:
            return verdict
    tried = ", ".join(str(cfg) for cfg in LAYER_CASES)
    return right(_("on {tried}: one Linear per pair of neighbouring sizes, (in, out) in that order, a ReLU after "
                   "every hidden layer and none after the last, so the output can be any number.", tried=tried))


def _reference_make_layers(cfg: Sequence[int]) -> Any:
    from ..models import mlp
    return mlp(list(cfg))


LAYERS_RIGHT = ("def make_layers(cfg):\n"
                "    layers = []\n"
                "    for i in range(len(cfg) - 2):\n"
                "        layers += [nn.Linear(cfg[i], cfg[i + 1]), nn.ReLU()]\n"
                "    layers += [nn.Linear(cfg[-2], cfg[-1])]\n"
                "    return nn.Sequential(*layers)\n")
LAYERS_WRONG_ANSWERS = (
    # a ReLU after the last Linear too
    "def make_layers(cfg):\n"
    "    layers = []\n"
    "    for i in range(len(cfg) - 1):\n"
    "        layers += [nn.Linear(cfg[i], cfg[i + 1]), nn.ReLU()]\n"
    "    return nn.Sequential(*layers)\n",
    LAYERS_RIGHT.replace("    layers += [nn.Linear(cfg[-2], cfg[-1])]\n", ""),                 # no output layer
    LAYERS_RIGHT.replace("nn.Linear(cfg[i], cfg[i + 1])", "nn.Linear(cfg[i + 1], cfg[i])"),  # in and out swapped
    LAYERS_RIGHT.replace("range(len(cfg) - 2)", "range(len(cfg) - 3)"),                   # one hidden layer short
    LAYERS_RIGHT.replace("nn.ReLU()]", "nn.Tanh()]"),                                      # another activation
)

# ---- 02.2: the Net(features) wrapper --------------------------------------------------------------------------

NET_CFGS = ([1, 20, 50, 1], [3, 5, 2])


def net_class(cls: Any) -> Verdict:
    """``Net(features)``: an nn.Module that keeps ``features`` as ``self.features`` and runs it in forward."""
    import torch
    from torch import nn

    from ..models import mlp
    from ..runtime import seeded
    if isinstance(cls, nn.Module):
        return wrong("pass the class itself (Net), not a network built from it.")
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        return wrong("Net should be a class that subclasses torch.nn.Module.")
    for cfg in NET_CFGS:
        with seeded(0):
            features = mlp(cfg)
        try:
            net = cls(features)
        except AttributeError as exc:
            if "before Module.__init__() call" in str(exc):
                return wrong(_("Net(features) raised AttributeError ({exc}): that is a missing super().__init__(). "
                               "Call it first in __init__: nn.Module's own constructor sets up the registry that "
                               "your layers are stored in.", exc=exc))
            return wrong(_("Net(features) raised AttributeError: {exc}", exc=exc))
        except TypeError as exc:
            return wrong(_("Net(features) raised TypeError ({exc}): __init__ takes one argument, the layers.",
                           exc=exc))
        except Exception as exc:
            return wrong(_("Net(features) raised {name}: {exc}", name=type(exc).__name__, exc=exc))
        if "_modules" not in vars(net):
            return missing_module_init(net, torch.zeros(1, cfg[0]), "Net")
        params = list(net.parameters())
        if not params:
            if not [m for m in net.modules() if m is not net]:
                return unanswered("Net holds no layers yet: keep the layers it is given, then write forward.")
        if not any(p is q for p in params for q in features.parameters()):
            return wrong("Net's parameters are not those of the layers it was given: keep the `features` passed "
                         "to __init__ (do not build new layers inside Net).")
        if getattr(net, "features", None) is not features:
            return wrong("keep the layers under the name the original uses, self.features: the parameter names "
                         "printed below (features.0.weight, ...) come from it.")
        x = torch.randn(7, cfg[0])
        try:
            out = net(x)
        except Exception as exc:
            return wrong(_("calling Net(...) on a batch raised {name}: {exc}", name=type(exc).__name__, exc=exc))
        if out is None:
            return wrong("forward returns nothing: return what the layers make of x.")
        if isinstance(out, nn.Module):
            return wrong("forward returns the layers themselves, not their output: call them on x.")
        with torch.no_grad():
            want = features(x)
        if not isinstance(out, torch.Tensor) or out.shape != want.shape or not torch.allclose(out, want):
            return wrong("forward's output is not what the layers make of x: run x through self.features and "
                         "return that, with nothing added.")
    return right("Net keeps the layers it is given as a submodule (a module stored as an attribute of another "
                 "module), so their parameters are Net's parameters (named features.0.weight, ...), and forward "
                 "runs them. The same wrapper takes any cfg.")


def _reference_net() -> Any:
    from torch import nn

    class Net(nn.Module):
        def __init__(self, features):
            super().__init__()
            self.features = features

        def forward(self, x):
            return self.features(x)
    return Net


NET_RIGHT = ("class Net(nn.Module):\n"
             "    def __init__(self, features):\n"
             "        super().__init__()\n"
             "        self.features = features\n\n"
             "    def forward(self, x):\n"
             "        return self.features(x)\n")
NET_WRONG_ANSWERS = (
    NET_RIGHT.replace("        super().__init__()\n", ""),                        # no super().__init__()
    NET_RIGHT.replace("return self.features(x)", "return self.features"),         # the layers, not their output
    NET_RIGHT.replace("self.features = features", "self.features = make_layers([1, 20, 50, 1])"),  # new layers
    NET_RIGHT.replace("self.features", "self.layers"),                            # another name
)

# ---- 02.3: print each parameter's name and shape; return the total ----------------------------------------------


def _printed(fn: Any, net: Any) -> tuple[str, Any]:
    import contextlib
    import io
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        out = run(fn, net, name="print_shapes")
    return buffer.getvalue(), out


def _shape_written(shape: tuple[int, ...], line: str) -> bool:
    """Whether ``line`` shows ``shape`` as a tuple, a list or a torch.Size (spaces ignored)."""
    inner, flat = ",".join(str(n) for n in shape), line.replace(" ", "")
    return any(form in flat for form in (f"({inner})", f"[{inner}]", f"({inner},)"))


def print_shapes(fn: Any) -> Verdict:
    """``print_shapes(net) -> total``: one printed line per parameter (name and shape); returns the number of values."""
    from ..models import mlp
    from ..runtime import seeded
    with seeded(0):
        net = mlp([2, 3, 4, 1])
    text, total = _printed(fn, net)
    params = list(net.named_parameters())
    want = sum(p.numel() for _, p in params)
    if not text.strip() and total in (0, None):
        return unanswered("print_shapes prints nothing yet: fill in the loop's body.")
    if "tensor(" in text or "Parameter containing" in text:
        return wrong("you printed the parameters' values (every number in them): print each one's shape instead.")
    if "built-in method" in text or "bound method" in text:
        return wrong("a method was printed instead of its result: a method gives its value only when called.")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    for name, p in params:
        line = next((ln for ln in lines if ln.split() and ln.split()[0].rstrip(":") == name), None)
        if line is None:
            return wrong(_("on a net of its own the check found no printed line starting with the parameter name "
                           "{name!r}: print each parameter's name first on its line.", name=name))
        if not _shape_written(tuple(p.shape), line):
            return wrong(_("the line of {name} does not show its shape {tuple_p}: print the parameter's shape (its "
                           "size along each dimension).", name=name, tuple_p=tuple(p.shape)))
    if total == len(params):
        return wrong(_("your total, {total}, counts the parameter tensors; the total should count the numbers in "
                       "them (a weight of shape (3, 2) holds 6).", total=total))
    if total != want:
        return wrong(_("the lines are right; your total, {total}, is not the number of values in all the "
                       "parameters of the check's net: add each parameter's count of numbers.", total=total))
    return right("one line per parameter tensor, each Linear's weight (out, in) then its bias (out,), and the total "
                 "number of values, which an optimiser trains.")


def _reference_print_shapes(net: Any) -> int:
    total = 0
    for name, param in net.named_parameters():
        print(f"{name:18s} {str(tuple(param.shape)):12s} {param.numel():7,d}")
        total += param.numel()
    return total


SHAPES_RIGHT = ("def print_shapes(net):\n"
                "    total = 0\n"
                "    for name, param in net.named_parameters():\n"
                "        print(name, tuple(param.shape), param.numel())\n"
                "        total += param.numel()\n"
                "    return total\n")
SHAPES_WRONG_ANSWERS = (
    SHAPES_RIGHT.replace("total += param.numel()", "total += 1"),                       # counts tensors
    SHAPES_RIGHT.replace("print(name, tuple(param.shape), param.numel())", "print(name, param)"),  # the values
    SHAPES_RIGHT.replace("print(name, tuple(param.shape), param.numel())", "print(name, param.size)"),
    SHAPES_RIGHT.replace("total += param.numel()", "total += param.shape[0]"),          # rows only
)

# ---- 02.2: predict, then run: a net without hidden layers --------------------------------------------------------


def _line_mse(x: Any, y: Any) -> float:
    """The MSE of the best straight line through (x, y): least squares."""
    import torch
    A = torch.cat([x, torch.ones_like(x)], dim=1).double()
    coef = torch.linalg.lstsq(A, y.double()).solution
    return float(((A @ coef - y.double()) ** 2).mean())


# the lesson's full recipe: the net sees x / 10; Adam with a one-cycle schedule peaking at 0.003; 300 steps
LINE_RECIPE = {"scale": 10.0, "optimizer": "adam", "lr": 0.003, "schedule": "onecycle", "steps": 300}


def _line_run(x: Any, y: Any, seed: int) -> dict[str, float]:
    """``mlp([1, 1])`` trained with the full recipe from the initial weights of ``seed``: its start and final
    MSE, how far its weight or bias starts from the best line's, and the sum of the schedule's rates."""
    import torch

    from ..models import mlp
    from ..runtime import seeded
    from ..train import fit
    r = LINE_RECIPE
    with seeded(seed):
        model = mlp([1, 1])
    xs = x / r["scale"]
    A = torch.cat([xs, torch.ones_like(xs)], dim=1).double()
    w_best, b_best = torch.linalg.lstsq(A, y.double()).solution[:, 0].tolist()
    w0, b0 = float(model[0].weight.detach().reshape(-1)[0]), float(model[0].bias.detach().reshape(-1)[0])
    history = fit(model, xs, y, loss="mse", optimizer=r["optimizer"], lr=r["lr"], schedule=r["schedule"],
                  epochs=r["steps"])
    return {"start": history.loss[0], "reached": history.final_loss, "travel": float(sum(history.lr)),
            "weight": abs(w0 - w_best), "bias": abs(b0 - b_best)}


def _line_reached(x: Any, y: Any, seed: int) -> float:
    """The final MSE of ``mlp([1, 1])`` trained with the full recipe from the initial weights of ``seed``."""
    return _line_run(x, y, seed)["reached"]


def _line_giveaways(x: Any, y: Any, seed: int) -> list[str]:
    return number_giveaways(_line_mse(x, y)) + number_giveaways(_line_reached(x, y, seed))


def _line_range(best: float, zero: float, reached: float) -> tuple[float, float]:
    """Right predictions: from the best line's MSE (less half a unit of the second decimal, for rounding) to
    a little above what the run reaches or predicting 0, whichever is higher. Nothing below the line is possible."""
    return best - 0.005, 1.1 * max(reached, zero)


def _judge_line(answer: Any, x: Any, y: Any, seed: int) -> Verdict:
    """Right: from the best straight line's MSE to a little above what the run reaches."""
    value = as_number(answer)
    if value is None:
        return wrong("give one number, your predicted final MSE, such as 0.1.")
    best, zero, run = _line_mse(x, y), float((y ** 2).mean()), _line_run(x, y, seed)
    reached = run["reached"]
    low, high = _line_range(best, zero, reached)
    if low <= value <= high:
        far = max((N_("weight"), N_("bias")), key=lambda k: run[k])
        if reached > best + 0.005 and run[far] > run["travel"]:
            short = (_("This run ends above that line, and above predicting 0 too: Adam moves a weight by about lr "
                       "per step, about {run:.2f} in all over the schedule, but this line's {far} starts "
                       "{run2:.2f} away from the best line's, so the steps run out first.",
                       run=run['travel'], far=far, run2=run[far]))
        elif reached > best + 0.005:
            short = (_("This run ends above that line: in {line_recipe} steps of about lr each it has not got "
                       "there yet.", line_recipe=LINE_RECIPE['steps']))
        else:
            short = _("This run gets there.")
        return right(_("from the initial weights of seed {seed}, {line_recipe} steps of the full recipe take the "
                       "MSE from {run:.3f} to {reached:.3f}. cfg [1, 1] is a single Linear, w·x + b: a straight "
                       "line, and the best line through three waves of sin x scores {best:.3f}, hardly below the "
                       "{zero:.3f} of predicting 0 everywhere (section 1): sin x on [-10, 10] has almost no trend "
                       "a line could follow. No training can beat that line. {short} Every bend of a fit needs a "
                       "hidden ReLU unit.",
                       seed=seed, line_recipe=LINE_RECIPE['steps'], run=run['start'], reached=reached, best=best,
                       zero=zero, short=short))
    if value < low:
        return wrong("too low: look at what make_layers builds for a list of two sizes, and what shape of curve "
                     "that can draw. How much of a wave can it follow?")
    return wrong("too high: predicting 0 everywhere already scores less than that (section 1). What shape of "
                 "curve can a net without hidden layers draw, and how far can training take it in 300 steps?")


# ---- 02.3: debug the loop whose loss hardly moves ---------------------------------------------------------------

DEBUG_STEPS, DEBUG_LR = 40, 0.01
BROKEN_LOOP = ("def train_loop(net, x, y, steps, lr):\n"
               "    \"\"\"Adam with a one-cycle schedule, full batch; returns the loss before each step.\"\"\"\n"
               "    optimizer = torch.optim.Adam(net.parameters(), lr=lr)\n"
               "    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps)\n"
               "    losses = []\n"
               "    for step in range(steps):\n"
               "        loss = nn.functional.mse_loss(net(x), y)\n"
               "        loss.backward()\n"
               "        optimizer.step()\n"
               "        schedule.step()\n"
               "        losses.append(loss.item())\n"
               "    return losses\n")
_BACKWARD, _CLEAR = "        loss.backward()\n", "        optimizer.zero_grad()\n"
FIXED_LOOP = BROKEN_LOOP.replace(_BACKWARD, _CLEAR + _BACKWARD)
DEBUG_WRONG_ANSWERS = (
    "answer_5 = train_loop",                                                        # the loop as it is
    FIXED_LOOP.replace(_CLEAR + _BACKWARD, _BACKWARD + _CLEAR).replace("def train_loop", "def fixed")
    + "answer_5 = fixed\n",                                                        # cleared after backward
)


def _reference(net: Any, x: Any, y: Any, *, zero: bool = True, schedule: bool = True) -> list[float]:
    import torch
    opt = torch.optim.Adam(net.parameters(), lr=DEBUG_LR)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=DEBUG_LR, total_steps=DEBUG_STEPS)
    losses = []
    for _skip in range(DEBUG_STEPS):
        loss = torch.nn.functional.mse_loss(net(x), y)
        if zero:
            opt.zero_grad()
        loss.backward()
        opt.step()
        if schedule:
            sched.step()
        losses.append(loss.item())
    return losses


def _close(a: Sequence[float], b: Sequence[float]) -> bool:
    return len(a) == len(b) and all(math.isclose(u, v, rel_tol=1e-4, abs_tol=1e-7) for u, v in zip(a, b))


def debug_loop(fn: Any) -> Verdict:
    """``train_loop(net, x, y, steps, lr) -> losses``: must train as the loop with its gradients cleared does."""
    import torch

    from ..models import mlp
    from ..runtime import seeded
    xs = torch.linspace(-1, 1, 200).unsqueeze(1)
    ys = torch.sin(6 * xs)
    with seeded(0):
        net = mlp([1, 16, 16, 1])
    start = [p.detach().clone() for p in net.parameters()]
    want = {key: _reference(copy.deepcopy(net), xs, ys, zero=z, schedule=s)
            for key, z, s in (("right", True, True), ("piled", False, True), ("constant", True, False))}
    ref = copy.deepcopy(net)
    _reference(ref, xs, ys)
    got = run(fn, net, xs, ys, DEBUG_STEPS, DEBUG_LR, name=_("your train_loop"))
    try:
        got = [float(v) for v in got]
    except (TypeError, ValueError):
        return wrong("return the list of losses, one Python number per step (loss.item()).")
    if len(got) != DEBUG_STEPS:
        return wrong(_("asked for {debug_steps} steps, your loop returned {n_got} losses: one per step.",
                       debug_steps=DEBUG_STEPS, n_got=len(got)))
    if all(torch.equal(a, b) for a, b in zip(start, net.parameters())):
        return wrong("the weights never moved: the optimiser found no gradients to use when it stepped. Where do "
                     "the gradients get cleared in your loop, and where are they used?")
    if _close(got, want["piled"]):
        return wrong("the losses are those of the broken loop: each backward() still adds its gradients to "
                     "those of every earlier step, so Adam follows the sum of all past gradients. Clear them "
                     "once per step, before backward().")
    if _close(got, want["constant"]):
        return wrong("the gradients are cleared now, but the learning rate never changes: the schedule must "
                     "take its step after each optimiser step.")
    if not all(torch.allclose(a, b, rtol=1e-4, atol=1e-6) for a, b in zip(net.parameters(), ref.parameters())):
        return wrong("the weights move, but not as the loop with cleared gradients moves them: keep the broken "
                     "loop as it is and add the one missing call.")
    if not _close(got, want["right"]):
        return wrong("the weights come out right; now return the loss measured before each step's update, as "
                     "the broken loop did.")
    return right("backward() adds each new gradient to what .grad already holds (useful when a batch is split "
                 "into pieces), so without clearing, step k followed the sum of the gradients of steps 1 to k: "
                 "an average pointing where the early steps wanted to go, long after the net moved on. With "
                 "the gradients cleared before each backward(), every step follows its own gradient; train.fit "
                 "does the same.")


# ---- 02.4: explore the one-cycle schedule's peak learning rate --------------------------------------------------

PEAK_STARTER = {"steps": 300, "rates": (0.001, 0.003, 0.01, 0.03), "schedule": "onecycle"}
PEAK_KEY = "median final MSE"
FITS = 0.01   # a median final MSE below this fits the waves closely (predicting 0 scores about 0.5)


def _peak_ranges() -> dict[float, tuple[float, float]]:
    """Median final MSE over three init seeds, [1, 32, 32, 32, 1], 300 steps, as SEED 0 and 1 give them."""
    return {0.001: (0.1, 0.5), 0.003: (3e-4, 5e-3), 0.01: (1e-4, 3e-3), 0.03: (2e-4, 6e-3)}


def _peak_setting(result: Any) -> dict[str, Any]:
    steps, table = read_sweep(result, PEAK_KEY, _("peak learning rate"))
    if "schedule" not in result:
        raise LearnerError(wrong(_("result should be the starter's dict, with 'steps', 'schedule' and "
                                   "{peak_key!r}: run the starter cell first.", peak_key=PEAK_KEY)))
    return {"steps": steps, "rates": tuple(table), "schedule": result["schedule"]}


def _judge_peaks(result: Any) -> Verdict:
    """``result``: {"steps": n, "schedule": s, "median final MSE": {peak learning rate: median over the seeds}}."""
    steps, table = read_sweep(result, PEAK_KEY, _("peak learning rate"))
    if as_number(steps) == PEAK_STARTER["steps"] and result["schedule"] == PEAK_STARTER["schedule"]:
        off = outside(table, _peak_ranges())
        if off is not None:
            lr, value = off
            return wrong(_("for peak {lr:g} at 300 steps your median, {value:.3g}, is outside what this sweep "
                           "gives (three seeds, the lesson's data): did the net or the data change too? Change one "
                           "thing at a time.", lr=lr, value=value))
    finding = sweep_finding(table, steps, _("peak learning rate"))
    if isinstance(finding, Verdict):
        return finding
    fit = sorted(r for r, e in table.items() if e < FITS)
    if len(fit) >= 2:
        spread = max(table[r] for r in fit) / min(table[r] for r in fit)
        fits = (_("{n_fit} of your peaks fit the waves (median below {fits:g}), from {fit:g} to {fit2:g}, and "
                  "their medians differ by a factor of {spread:.1f}",
                  n_fit=len(fit), fits=FITS, fit=fit[0], fit2=fit[-1], spread=spread))
    else:
        fits = _("{fit} of your peaks fits the waves (median below {fits:g}) in this budget",
                 fit=_("only one") if fit else _("none"), fits=FITS)
    schedule = "one-cycle" if result["schedule"] == "onecycle" else _("schedule {name!r}", name=result["schedule"])
    return right(_("your run ({schedule}): {finding} {fits}. Below a threshold the steps are too small to get "
                   "anywhere in the budget. Past it, compare how much your fitting medians differ with the factor "
                   "by which Adam alone lowered the median in section 6's table (the column 'original / median').",
                   schedule=schedule, finding=finding, fits=fits[0].upper() + fits[1:]))


register(
    Exercise("02.1", "write", "make_layers(cfg)", code(make_layers),
             giveaways=lambda: ["range(len(cfg) - 2)", "nn.Linear(cfg[-2], cfg[-1])", "nn.Linear(cfg[i], cfg[i + 1])"],
             blank=N_("fill in make_layers, then run this cell again."),
             wrong_answers=LAYERS_WRONG_ANSWERS, reference=lambda: _reference_make_layers),
    Exercise("02.2", "write", "the Net(features) wrapper", code(net_class),
             giveaways=lambda: ["self.features = features", "return self.features(x)"],
             blank=N_("fill in Net, then run this cell again."),
             wrong_answers=NET_WRONG_ANSWERS, reference=_reference_net),
    Exercise("02.3", "write", "print each parameter's name and shape", code(print_shapes),
             giveaways=lambda: ["param.numel()", "param.shape"],
             blank=N_("fill in print_shapes, then run this cell again."),
             wrong_answers=SHAPES_WRONG_ANSWERS, reference=lambda: _reference_print_shapes),
    Exercise("02.4", "predict", "the MSE of a net without hidden layers", _judge_line,
             giveaways=_line_giveaways, context=("x", "y", "seed"),
             blank=N_("write your prediction, one number, before you run anything."),
             wrong_answers=("answer_4 = 0.0", "answer_4 = 1.0")),
    Exercise("02.5", "debug", "the loop whose loss hardly moves", code(debug_loop),
             giveaways=lambda: ["optimizer.zero_grad()"],
             blank=N_("set answer_5 to your fixed train_loop, then run this cell again."),
             wrong_answers=DEBUG_WRONG_ANSWERS),
    Exercise("02.6", "explore", "the one-cycle schedule's peak learning rate",
             code(explore(PEAK_STARTER, _peak_setting, N_("try other peaks, more steps (STEPS, then set it back) "
                                                          "or constant Adam (SCHEDULE = None)"), _judge_peaks)),
             wrong_answers=("result['median final MSE'] = {lr: 10 * v for lr, v in result['median final MSE'].items()}",
                            "result['median final MSE'] = {lr: v for lr, v in result['median final MSE'].items() "
                            "if lr == 0.003}")),
)

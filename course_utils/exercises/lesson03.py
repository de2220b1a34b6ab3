"""Lesson 03's builds and exercises.

Builds, judged where the lesson first needs them (``exercises.build``): 03.1 the 2-4-2 classifier ``Net`` with
the original's optional second hidden layer · 03.2 its cross-entropy training loop · 03.3 ``accuracy(logits,
labels)``. Exercises: 03.4 predict how many of 4 seeds train a 2-2-2 net · 03.5 debug a classifier whose scores
are clipped (the learner writes ``FixedNet``) · 03.6 explore the learning rate over 4 seeds. The class judges
build the learner's network in several shapes, trace a batch through its Linear layers and name what is wrong:
a missing ``super().__init__()``, swapped or fixed sizes, a missing hidden ReLU, a ReLU after the output.
"""
from __future__ import annotations

import math
from typing import Any

from ..i18n import N_, _
from .core import Exercise, Verdict, register, right, unanswered, wrong
from .judges import (
    LearnerError,
    as_number,
    build_module,
    code,
    explore,
    missing_module_init,
    module_class,
    run,
    trace_linears,
)

# --- 03.1: the classifier, as the original writes it --------------------------------------------------------

NET_SIZES = ((2, 4, 2), (3, 5, 4), (2, 4, 2, 3))   # (n_feature, n_hidden, n_output[, second_hidden])


def _chain(sizes: tuple[int, ...]) -> list[tuple[int, int]]:
    """The (in, out) of each Linear layer of Net(*sizes), in the order forward uses them."""
    if len(sizes) == 4:
        a, b, c, d = sizes
        return [(a, b), (b, d), (d, c)]
    a, b, c = sizes
    return [(a, b), (b, c)]


def _reference_net_class() -> Any:
    import torch
    import torch.nn.functional as F

    class Net(torch.nn.Module):
        def __init__(self, n_feature, n_hidden, n_output, second_hidden=None):
            super().__init__()
            self.hidden = torch.nn.Linear(n_feature, n_hidden)
            self.hidden2 = None
            if second_hidden is not None:
                self.hidden2 = torch.nn.Linear(n_hidden, second_hidden)
                n_hidden = second_hidden
            self.out = torch.nn.Linear(n_hidden, n_output)

        def forward(self, x):
            x = F.relu(self.hidden(x))
            if self.hidden2 is not None:
                x = F.relu(self.hidden2(x))
            return self.out(x)

    return Net


def _classifier_verdict(cls: Any, sizes: tuple[int, ...], first: bool) -> Verdict | None:
    """None when ``cls(*sizes)`` is Linear → ReLU (→ Linear → ReLU) → Linear with these sizes, nothing after."""
    import torch
    call = f"Net{sizes}"
    net = build_module(cls, sizes, "Net", ("n_feature", "n_hidden", "n_output", "second_hidden"))
    x = torch.randn(64, sizes[0], generator=torch.Generator().manual_seed(1))
    if "_modules" not in vars(net):
        return missing_module_init(net, x, "Net")
    if not list(net.parameters()):
        return unanswered("Net has no layers yet: create them in __init__, write forward, then run both cells again.")
    out, calls = trace_linears(net, x, sizes, NET_SIZES[0] if len(sizes) == 3 else sizes, "Net")
    expected = _chain(sizes)
    if len(calls) != len(expected):
        extra = _(" (second_hidden adds one, and only when it is given)") if first or len(sizes) == 4 else ""
        return wrong(_("forward of {call} runs {n_calls} registered Linear layer(s) where it needs "
                       "{n_expected}{extra}: create each in __init__ as an attribute of self and use each once.",
                       call=call, n_calls=len(calls), n_expected=len(expected), extra=extra))
    for i, ((layer, _skip, _skip), want) in enumerate(zip(calls, expected)):
        got = (layer.in_features, layer.out_features)
        if got != want:
            if len(sizes) == 3 and not first:
                return wrong(_("Net{net_sizes} comes out right, but in {call} a Linear layer maps {got} features "
                               "to {got2}: build every layer from the constructor's arguments, not from fixed "
                               "numbers.", net_sizes=NET_SIZES[0], call=call, got=got[0], got2=got[1]))
            return wrong(_("in {call} Linear layer {i} (in the order forward uses them) maps {got} features to "
                           "{got2}, where it should map {want} → {want2}. The last argument is the width of the "
                           "second hidden layer, and the output layer reads whatever layer comes before it.",
                           call=call, i=i + 1, got=got[0], got2=got[1], want=want[0], want2=want[1]))
    for i in range(1, len(calls)):
        before, reaching = calls[i - 1][2], calls[i][1]
        if torch.allclose(reaching, before):
            return wrong(_("in {call} Linear layer {i} receives layer {i2}'s values unchanged: with no ReLU "
                           "between them, two Linear layers make one linear map. Put a ReLU after every hidden "
                           "layer.", call=call, i=i + 1, i2=i))
        if not torch.allclose(reaching, torch.relu(before)):
            return wrong(_("in {call} what reaches Linear layer {i} is not the ReLU of layer {i2}: apply a ReLU, "
                           "and nothing else, after each hidden layer.", call=call, i=i + 1, i2=i))
    scores = calls[-1][2]
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (len(x), sizes[2]):
        return wrong(_("for a batch of {n_x} points {call} should return one row per point and one score per "
                       "class, shape ({n_x}, {sizes}).", n_x=len(x), call=call, sizes=sizes[2]))
    if not torch.allclose(out, scores):
        if torch.allclose(out, torch.relu(scores)):
            return wrong("the scores go through a ReLU, so every negative score becomes 0: logits are any real "
                         "numbers, and nothing follows the output layer.")
        return wrong("forward changes the output layer's scores before returning them: return them unchanged "
                     "(the loss turns them into probabilities itself).")
    hidden = getattr(net, "hidden", None)
    if not isinstance(hidden, torch.nn.Linear) or hidden is not calls[0][0]:
        return wrong("name the first hidden layer self.hidden: the lesson draws its switching lines from "
                     "net.hidden.")
    n = sum(p.numel() for p in net.parameters())
    want = sum(a * b + b for a, b in expected)
    if n != want:
        return wrong(_("{call} has {n} parameters where its Linear layers with biases have {want}: keep the "
                       "biases, and no layers that forward does not use.", call=call, n=n, want=want))
    return None


def net_class(cls: Any) -> Verdict:
    """``Net(n_feature, n_hidden, n_output, second_hidden=None)``: built in three shapes, inspected, run."""
    return module_class(cls, "Net", NET_SIZES, _classifier_verdict) or right(
        "Net(2, 4, 2) is Linear(2, 4), ReLU, Linear(4, 2), and Net(2, 4, 2, second_hidden=3) puts Linear(4, 3) and "
        "a ReLU in between. forward returns the output layer's scores untouched: logits, one per class, any real "
        "number.")


_NET = ("class Net(torch.nn.Module):\n"
        "    def __init__(self, n_feature, n_hidden, n_output, second_hidden=None):\n"
        "        super().__init__()\n"
        "        self.hidden = torch.nn.Linear(n_feature, n_hidden)\n"
        "        self.hidden2 = None\n"
        "        if second_hidden is not None:\n"
        "            self.hidden2 = torch.nn.Linear(n_hidden, second_hidden)\n"
        "            n_hidden = second_hidden\n"
        "        self.out = torch.nn.Linear(n_hidden, n_output)\n"
        "\n"
        "    def forward(self, x):\n"
        "        x = F.relu(self.hidden(x))\n"
        "        if self.hidden2 is not None:\n"
        "            x = F.relu(self.hidden2(x))\n"
        "        return self.out(x)\n")
NET_WRONG_ANSWERS = (
    _NET.replace("return self.out(x)", "return F.relu(self.out(x))"),                         # ReLU after the scores
    _NET.replace("            n_hidden = second_hidden\n", ""),                                 # output reads n_hidden
    _NET.replace("Linear(n_hidden, second_hidden)", "Linear(n_hidden, n_hidden)"),            # ignores second_hidden
    _NET.replace("x = F.relu(self.hidden2(x))", "x = self.hidden2(x)"),                        # no ReLU after layer 2
    _NET.replace("self.hidden = torch.nn.Linear(n_feature, n_hidden)", "self.hidden = torch.nn.Linear(2, 4)"),
)
NET_GIVEAWAYS = ("Linear(n_hidden, second_hidden)", "n_hidden = second_hidden", "F.relu(self.hidden2(x))")


# --- 03.2: the training loop --------------------------------------------------------------------------------

STEPS, LR = 5000, 0.03
_RUNS: dict[tuple, Any] = {}


def _start(cls: Any, seed: int) -> Any:
    """``cls(2, 4, 2)`` as the lesson builds it, under ``seed``."""
    from ..runtime import seeded
    with seeded(seed):
        return cls(2, 4, 2)


def _loop(X: Any, y: Any, seed: int, variant: str = "right", cls: Any = None) -> Any:
    """The lesson's loop (or a typical wrong one) from the network the lesson starts with; cached."""
    import torch
    import torch.nn.functional as F
    cls = cls or _reference_net_class()
    key = (variant, seed, cls, X.data_ptr(), y.data_ptr(), tuple(X.shape))
    if key in _RUNS:
        return _RUNS[key]
    net = _start(cls, seed)
    optimizer = torch.optim.SGD(net.parameters(), lr=LR)
    for _skip in range(STEPS):
        out = net(X)
        loss = F.cross_entropy(out.softmax(dim=1) if variant == "softmax" else out, y)
        if variant != "no_zero_grad":
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    _RUNS[key] = net
    return net


def _loss(net: Any, X: Any, y: Any) -> float:
    import torch
    import torch.nn.functional as F
    with torch.no_grad():
        return float(F.cross_entropy(net(X), y))


def _training_loop(net: Any, X: Any, y: Any, seed: int) -> Verdict:
    """``net`` after the learner's 5,000 steps, against the same loop run by the course from the same start."""
    import torch
    if not isinstance(net, torch.nn.Module):
        return wrong(_("net should be the network the loop trained, not a {name}.", name=type(net).__name__))
    cls = type(net)
    try:
        fresh = _start(cls, seed)
    except Exception:
        cls = None
        fresh = _start(_reference_net_class(), seed)
    mine = [p.detach() for p in net.parameters()]
    if len(mine) == len(list(fresh.parameters())) and all(
            p.shape == q.shape and torch.equal(p, q) for p, q in zip(mine, fresh.parameters())):
        return unanswered("net's weights have not moved: write one training step in the loop's body, then run "
                          "the cell again.")
    loss = _loss(net, X, y)
    if not math.isfinite(loss):
        return wrong("the loss is no longer a number (NaN or infinite): the weights grew out of bounds. One step "
                     "uses the gradient of this step's loss only.")
    target = _loss(_loop(X, y, seed, cls=cls), X, y)
    if math.isclose(loss, target, rel_tol=1e-3, abs_tol=1e-5):
        return right(_("after 5,000 steps the loss is {loss:.4f}, where the course's loop from the same start "
                       "ends. Each step: the scores of all 1,000 points, their cross-entropy loss, the old "
                       "gradients cleared, new ones by backpropagation, one SGD update.", loss=loss))
    if math.isclose(loss, _loss(_loop(X, y, seed, "no_zero_grad", cls), X, y), rel_tol=1e-3, abs_tol=1e-5):
        return wrong("backward adds each new gradient to the one already stored, so without clearing them every "
                     "step moves the weights by the sum of all the gradients so far. Clear them once per step, "
                     "before backward.")
    if math.isclose(loss, _loss(_loop(X, y, seed, "softmax", cls), X, y), rel_tol=1e-3, abs_tol=1e-5):
        return wrong("the loss gets probabilities where it wants scores: the cross-entropy loss applies the "
                     "softmax itself, so give it the network's raw outputs (the logits).")
    return wrong(_("after 5,000 steps the loss is {loss:.4f}, where the course's loop from the same start reaches "
                   "{target:.4f}. One step is: the network's scores for all the points, the cross-entropy of those "
                   "scores and y, the gradients cleared, backward, the optimizer's step, each once.",
                   loss=loss, target=target))


def _trained_reference(X: Any, y: Any, seed: int) -> Any:
    return _loop(X, y, seed)


_LOOP = ("with seeded(SEED):\n"
         "    net = Net(n_feature=2, n_hidden=4, n_output=2)\n"
         "optimizer = torch.optim.SGD(net.parameters(), lr=0.03)\n"
         "loss_func = torch.nn.CrossEntropyLoss()\n"
         "\n"
         "for t in range(5000):\n"
         "    out = net(X)\n"
         "    loss = loss_func(out, y)\n"
         "    optimizer.zero_grad()\n"
         "    loss.backward()\n"
         "    optimizer.step()\n")
LOOP_WRONG_ANSWERS = (
    _LOOP.replace("    optimizer.zero_grad()\n", ""),                        # gradients pile up
    _LOOP.replace("loss_func(out, y)", "loss_func(out.softmax(dim=1), y)"),  # probabilities into the loss
)
LOOP_GIVEAWAYS = ("optimizer.zero_grad()", "loss.backward()", "optimizer.step()")


# --- 03.3: accuracy from logits -----------------------------------------------------------------------------


def _reference_accuracy(logits: Any, labels: Any) -> float:
    """The share of rows whose highest score is at the label's column."""
    return (logits.argmax(dim=1) == labels).float().mean().item()


# --- 03.4: predict how many of the 4 seeds train a 2-2-2 net ---------------------------------------------


def _two_units(answer: Any) -> Verdict:
    """The number of seeds (of 4) whose 2-2-2 net reaches 99 % training accuracy: none can."""
    answer = as_number(answer)
    if answer is None or answer != int(answer) or not 0 <= answer <= 4:
        return wrong("give a whole number of seeds, from 0 to 4.")
    if answer == 0:
        return right("no seed can. Two hidden units switch along two straight lines, which cut the plane into "
                     "at most four pieces. In the piece where both units are off, the two scores are constant, "
                     "so that whole piece, which runs out without end, gets one class; in a piece where a unit "
                     "is on, its ramp grows without limit in one direction, so the scores there keep changing "
                     "the same way however far out you go. No piece, and no region built from them, can be "
                     "closed around the centre: whatever the weights, the region that says 'inner circle' runs "
                     "out through the outer ring and takes outer points with it, however long it trains (the "
                     "course's tests check this on 2,000 random 2-2-2 nets). "
                     "Run show(study([2, 2, 2])) to see it in the 4 seeds.")
    if answer >= 3:
        return wrong("that is about what four hidden units managed. Picture the region where a 2-2-2 net says "
                     "'inner circle': its boundary bends only on the hidden units' switching lines, one line per "
                     "unit. Into how many pieces can two lines cut the plane, and can those pieces close a "
                     "region around the centre?")
    return wrong("look at the shape, not at luck: a region that holds the inner circle and none of the ring "
                 "must be closed on every side. The boundary bends only on the hidden units' switching lines: "
                 "sketch two lines, the pieces they cut the plane into, and ask whether any region built from "
                 "those pieces can be closed.")


def _accuracy(accuracy: Any) -> Verdict:
    """``accuracy(logits (N, C), labels (N,)) -> float``, the fraction of rows whose top score is the label."""
    import torch
    gen = torch.Generator().manual_seed(0)
    logits, labels = torch.randn(200, 3, generator=gen), torch.randint(0, 3, (200,), generator=gen)
    expected = (logits.argmax(1) == labels).float().mean().item()
    try:
        got = run(accuracy, logits, labels, name="accuracy")
    except LearnerError as err:
        if "must match the size" in err.verdict.message:
            return wrong("accuracy compares tensors of different lengths: with 200 rows and 3 classes, the "
                         "predicted classes should be one per row. Which dimension holds the classes?")
        if "could not infer output dtype" in err.verdict.message:
            return wrong("a comparison gives booleans, which cannot be averaged: turn them into floats first.")
        raise
    try:
        value = float(got)
    except (TypeError, ValueError, RuntimeError):
        return wrong(_("return one number (use .item()), not a {name}.", name=type(got).__name__))
    if math.isclose(value, expected * 100, rel_tol=1e-4):
        return wrong("that is a percentage: return a fraction between 0 and 1.")
    if math.isclose(value, expected * len(labels), rel_tol=1e-4):
        return wrong("that is how many rows are right: divide by how many rows there are.")
    if not math.isclose(value, expected, rel_tol=1e-5):
        return wrong("on a test batch your fraction differs from the share of rows whose highest logit is "
                     "the label: which dimension holds the classes?")
    return right("the predicted class is the index of the highest score in each row (argmax over the class "
                 "dimension); compare it with the labels, turn the booleans into floats and average. The "
                 "softmax is not needed: it never changes which score is highest.")


# --- 03.5: the classifier whose scores are clipped ----------------------------------------------------------

SIZES = ((2, 4, 2), (3, 5, 4))   # the shape the lesson uses, then one that catches fixed numbers
ORDINAL = (N_("first"), N_("second"), N_("third"), N_("fourth"))


def _layers_verdict(calls: list, sizes: tuple[int, ...], first: bool) -> Verdict | None:
    expected = list(zip(sizes[:-1], sizes[1:]))
    if len(calls) != len(expected):
        return wrong(_("forward runs {n_calls} registered Linear layer(s) where the network has {n_expected}, a "
                       "hidden layer and an output layer: create each in __init__ as an attribute of self and use "
                       "each once.", n_calls=len(calls), n_expected=len(expected)))
    for i, ((layer, _skip, _skip), want) in enumerate(zip(calls, expected)):
        got = (layer.in_features, layer.out_features)
        if got == want:
            continue
        if not first:
            return wrong(_("FixedNet{sizes} comes out right, but in FixedNet{sizes2} the {ordinal} Linear layer "
                           "maps {got} features to {got2}: build every layer from the constructor's arguments, not "
                           "from fixed numbers.",
                           sizes=SIZES[0], sizes2=sizes, ordinal=ORDINAL[i], got=got[0], got2=got[1]))
        return wrong(_("in FixedNet{sizes} the {ordinal} Linear layer maps {got} features to {got2}, where "
                       "{sizes2} inputs, {sizes3} hidden units and {sizes4} classes need {want} → {want2}.",
                       sizes=sizes, ordinal=ORDINAL[i], got=got[0], got2=got[1], sizes2=sizes[0], sizes3=sizes[1],
                       sizes4=sizes[2], want=want[0], want2=want[1]))
    return None


def _activations_verdict(calls: list, out: Any, sizes: tuple[int, ...]) -> Verdict | None:
    import torch
    hidden, reaching = calls[0][2], calls[1][1]
    if torch.allclose(reaching, hidden):
        return wrong("the output layer receives the hidden layer's values unchanged: with no ReLU in between, "
                     "two Linear layers make one linear map, and a straight line cannot enclose the inner "
                     "circle. Keep the hidden layer's ReLU; the bug is elsewhere.")
    if not torch.allclose(reaching, torch.relu(hidden)):
        return wrong("what reaches the output layer is not the ReLU of the hidden layer: apply a ReLU, and "
                     "nothing else, after the hidden layer.")
    scores = calls[1][2]
    if not isinstance(out, torch.Tensor):
        return wrong(_("forward returns a {name}: return the output layer's tensor of scores.",
                       name=type(out).__name__))
    if tuple(out.shape) != (len(reaching), sizes[-1]):
        return wrong(_("for a batch of {n_reaching} points FixedNet{sizes} returns shape {tuple_out}: a classifier "
                       "returns one row per point and one score per class.",
                       n_reaching=len(reaching), sizes=sizes, tuple_out=tuple(out.shape)))
    if torch.allclose(out, scores):
        return None
    if torch.allclose(out, torch.relu(scores)):
        return wrong("the scores still go through a ReLU, so every negative score becomes 0 and passes no "
                     "gradient back: a class whose score is negative for every point can never be learned. "
                     "Scores (logits) are any real numbers; the loss turns them into probabilities.")
    return wrong("forward changes the output layer's scores before returning them: cross_entropy wants the "
                 "raw scores, so return them unchanged.")


def _net_verdict(cls: Any, sizes: tuple[int, ...], first: bool) -> Verdict | None:
    """None when ``cls(*sizes)`` is Linear → ReLU → Linear with these sizes, and nothing after."""
    import torch
    net = build_module(cls, sizes, "FixedNet", ("n_feature", "n_hidden", "n_output"))
    x = torch.randn(64, sizes[0], generator=torch.Generator().manual_seed(1))
    if "_modules" not in vars(net):
        return missing_module_init(net, x, "FixedNet")
    out, calls = trace_linears(net, x, sizes, SIZES[0], "FixedNet")
    verdict = _layers_verdict(calls, sizes, first) or _activations_verdict(calls, out, sizes)
    if verdict is not None:
        return verdict
    n = sum(p.numel() for p in net.parameters())
    expected = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    if n != expected:
        return wrong(_("FixedNet{sizes} has {n} parameters where its two Linear layers with biases have "
                       "{expected}: keep the biases, and no layers that forward does not use.",
                       sizes=sizes, n=n, expected=expected))
    return None


def fixed_net(cls: Any) -> Verdict:
    """``FixedNet(n_feature, n_hidden, n_output)``: built in two shapes, inspected, and run on a batch."""
    return module_class(cls, "FixedNet", SIZES, _net_verdict) or right(
        "the bug was the ReLU after the output layer. It clips every negative score to 0, and a "
        "clipped score passes no gradient back. When both scores are 0 for every point, the net "
        "says 50/50 everywhere (loss ln 2 = 0.6931) and no weight gets a gradient again: the frozen "
        "runs above. The other runs stall part-way: every point whose two scores are both clipped to 0 "
        "sits at 50/50 and passes no gradient back, so the net can improve only the points where a score "
        "is still above 0. Scores (logits) must be free to take any value; cross_entropy turns them into "
        "probabilities itself.")


_FIXED = ("class FixedNet(torch.nn.Module):\n"
          "    def __init__(self, n_feature, n_hidden, n_output):\n"
          "        super().__init__()\n"
          "        self.layers = torch.nn.Sequential(torch.nn.Linear(n_feature, n_hidden), torch.nn.ReLU(),\n"
          "                                          torch.nn.Linear(n_hidden, n_output))\n"
          "\n"
          "    def forward(self, x):\n"
          "        return self.layers(x)\n")
FIXED_WRONG_ANSWERS = (
    _FIXED.replace("n_output))", "n_output), torch.nn.ReLU())"),                                # the bug, copied
    _FIXED.replace("        super().__init__()\n", ""),                                          # no super().__init__()
    _FIXED.replace("Linear(n_feature, n_hidden)", "Linear(n_hidden, n_feature)"),               # swapped sizes
    _FIXED.replace("torch.nn.ReLU(),\n", "\n"),                                                 # both ReLUs removed
    _FIXED.replace("(n_feature, n_hidden)", "(2, 4)").replace("(n_hidden, n_output)", "(4, 2)"),  # fixed sizes
)
# the fixed output layer, written as the last layer of the Sequential (the lesson's Net never writes it so)
FIXED_GIVEAWAYS = ("torch.nn.Linear(n_hidden, n_output))", "Linear(n_hidden, n_output))")


# --- 03.6: explore the learning rate -----------------------------------------------------------------------

LR_STARTER = {"learning rate": 0.03}   # the lesson's rate, the comparison the task starts from
LR_AT_003 = {"seeds trained": 3, "median final loss": 0.031}
LR_RANGES = {0.1: {"seeds trained": (4, 4), "median final loss": (0.004, 0.016),
                   "median test accuracy": (0.975, 0.999)}}   # the cell's example change, SEED 0 and 1
LR_KEYS = ("learning rate", "seeds trained", "median final loss", "median test accuracy")


def _lr_setting(result: Any) -> dict[str, Any]:
    if not isinstance(result, dict) or set(result) != set(LR_KEYS):
        raise LearnerError(wrong(_("result should be the starter's dictionary with {lr_keys}: run the starter cell "
                                   "first.", lr_keys=', '.join(LR_KEYS))))
    return {"learning rate": result["learning rate"]}


def _learning_rate(result: Any) -> Verdict:
    """``result``: the 4 seeds' summary at the learner's learning rate, read against the 4 seeds' at 0.03."""
    values = {k: as_number(result[k]) for k in LR_KEYS}
    if any(v is None for v in values.values()):
        return wrong("each entry of result should be one number, as the starter computes it.")
    rate, trained, loss, acc = (values[k] for k in LR_KEYS)
    if not (rate > 0 and trained == int(trained) and 0 <= trained <= 4 and loss >= 0 and 0 <= acc <= 1):
        return wrong("these numbers cannot come from the starter: a positive learning rate, 0 to 4 seeds trained, "
                     "a loss from 0 up and an accuracy from 0 to 1. Run the cell again as it stands.")
    ranges = next((r for lr, r in LR_RANGES.items() if math.isclose(rate, lr)), {})
    for key, (lo, hi) in ranges.items():
        if not lo <= values[key] <= hi:
            return wrong(_("your {key}, {values:.3g}, is outside what learning rate {rate:g} gives here (5,000 "
                           "steps, the 4 initial-weight seeds of the lesson): did something else change too? "
                           "Change one thing at a time.", key=key, values=values[key], rate=rate))
    before = LR_AT_003["seeds trained"]
    if trained > before:
        found = (_("more seeds trained than at 0.03 ({trained} of 4 against {before}): in the same 5,000 steps "
                   "bigger steps carried the slow start further (the deep dive shows 0.03 with twice the steps "
                   "trains it too)", trained=int(trained), before=before))
    elif trained < before:
        found = (_("fewer seeds trained than at 0.03 ({trained} of 4 against {before}): past a point bigger steps "
                   "overshoot or switch units off for good", trained=int(trained), before=before))
    else:
        found = _("as many seeds trained as at 0.03 ({before} of 4)", before=before)
    return right(_("at learning rate {rate:g}, {found}; the median final loss is {loss:.3g} (at 0.03: "
                   "{lr_at_003:g}) and the median test accuracy {acc:.3f}. A lower loss on seeds that had trained "
                   "already mostly makes their scores more confident; it changes the test accuracy little.",
                   rate=rate, found=found, loss=loss, lr_at_003=LR_AT_003['median final loss'], acc=acc))


register(
    Exercise("03.1", "write", "the classifier Net, with the optional second hidden layer", code(net_class),
             blank=N_("write Net's __init__ and forward, then run both cells again."),
             giveaways=lambda: list(NET_GIVEAWAYS), wrong_answers=NET_WRONG_ANSWERS,
             reference=_reference_net_class),
    Exercise("03.2", "write", "the cross-entropy training loop", code(_training_loop),
             context=("X", "y", "seed"), blank=N_("run the training loop's cell first."),
             giveaways=lambda **_: list(LOOP_GIVEAWAYS), wrong_answers=LOOP_WRONG_ANSWERS,
             reference=_trained_reference),
    Exercise("03.3", "write", "accuracy from logits", code(_accuracy),
             giveaways=lambda: ["argmax(dim=1)", "argmax(1)", "argmax(-1)", "argmax(dim=-1)"],
             wrong_answers=("def accuracy(logits, labels):\n"
                            "    return 100 * (logits.argmax(dim=1) == labels).float().mean().item()\n",
                            "def accuracy(logits, labels):\n"
                            "    return (logits.argmax(dim=0) == labels).float().mean().item()\n",
                            "def accuracy(logits, labels):\n"
                            "    return (logits.argmax(dim=1) == labels).float().sum().item()\n",
                            "def accuracy(logits, labels):\n"
                            "    return (logits.argmax(dim=1) == labels).mean().item()\n"),
             reference=lambda: _reference_accuracy),
    Exercise("03.4", "predict", "how many of 4 seeds train a 2-2-2 net", _two_units,
             blank=N_("set answer_4 to your prediction, a number of seeds from 0 to 4."),
             wrong_answers=("answer_4 = 3", "answer_4 = 2")),
    Exercise("03.5", "debug", "the classifier whose scores are clipped", code(fixed_net),
             blank=N_("write FixedNet, then run this cell again."),
             giveaways=lambda: list(FIXED_GIVEAWAYS), wrong_answers=FIXED_WRONG_ANSWERS),
    Exercise("03.6", "explore", "the learning rate of the slow seeds",
             explore(LR_STARTER, _lr_setting, N_("set LR to a learning rate other than the lesson's 0.03"),
                     _learning_rate),
             wrong_answers=('result = {"learning rate": 0.1, "seeds trained": 3, "median final loss": 0.031, '
                            '"median test accuracy": 0.985}',
                            'result = {**result, "seeds trained": 5}')),
)

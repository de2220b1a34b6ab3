"""Lesson 03's exercises: what two hidden units can enclose, accuracy from logits, a classifier with a
ReLU after its output, and the learning rate of the slow seeds.

03.1 predict how many of 8 seeds train a 2-2-2 net · 03.2 write ``accuracy(logits, labels)`` ·
03.3 debug a classifier whose scores are clipped (the learner writes ``FixedNet``) · 03.4 explore the
learning rate over 8 seeds. The class judge builds the learner's network in two shapes, traces a
batch through its Linear layers and names what is wrong: a missing ``super().__init__()``, swapped
or fixed sizes, a missing hidden ReLU, a ReLU after the output.
"""
from __future__ import annotations

import math
from typing import Any

from .core import Exercise, Verdict, register, right, wrong
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

# --- 03.1: predict how many of the 8 seeds train a 2-2-2 net ---------------------------------------------


def _two_units(answer: Any) -> Verdict:
    """The number of seeds (of 8) whose 2-2-2 net reaches 99 % training accuracy: none can."""
    answer = as_number(answer)
    if answer is None or answer != int(answer) or not 0 <= answer <= 8:
        return wrong("give a whole number of seeds, from 0 to 8.")
    if answer == 0:
        return right("no seed can. Two hidden units switch along two straight lines, which cut the plane into "
                     "at most four pieces; on each piece the two scores are linear, so the boundary is straight "
                     "there and bends only on those lines. That is too little to close a region around the "
                     "centre: whatever the weights, the region that says 'inner circle' there always runs out "
                     "through the outer ring and takes outer points with it, however long "
                     "it trains (the course's tests check this on 2,000 random 2-2-2 nets). "
                     "Run show(study([2, 2, 2])[1]) to see it in the 8 seeds.")
    if answer >= 5:
        return wrong("that is about what four hidden units managed. Picture the region where a 2-2-2 net says "
                     "'inner circle': its boundary bends only on the hidden units' switching lines, one line per "
                     "unit. Into how many pieces can two lines cut the plane, and can those pieces close a "
                     "region around the centre?")
    return wrong("look at the shape, not at luck: a region that holds the inner circle and none of the ring "
                 "must be closed on every side. The boundary bends only on the hidden units' switching lines: "
                 "sketch two lines, the pieces they cut the plane into, and ask whether any region built from "
                 "those pieces can be closed.")


# --- 03.2: accuracy from logits -----------------------------------------------------------------------------


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
        return wrong(f"return one number (use .item()), not a {type(got).__name__}.")
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


# --- 03.3: the classifier whose scores are clipped ----------------------------------------------------------

SIZES = ((2, 4, 2), (3, 5, 4))   # the shape the lesson uses, then one that catches fixed numbers
ORDINAL = ("first", "second", "third", "fourth")


def _layers_verdict(calls: list, sizes: tuple[int, ...], first: bool) -> Verdict | None:
    expected = list(zip(sizes[:-1], sizes[1:]))
    if len(calls) != len(expected):
        return wrong(f"forward runs {len(calls)} registered Linear layer(s) where the network has "
                     f"{len(expected)}, a hidden layer and an output layer: create each in __init__ as an "
                     f"attribute of self and use each once.")
    for i, ((layer, _, _), want) in enumerate(zip(calls, expected)):
        got = (layer.in_features, layer.out_features)
        if got == want:
            continue
        if not first:
            return wrong(f"FixedNet{SIZES[0]} comes out right, but in FixedNet{sizes} the {ORDINAL[i]} Linear "
                         f"layer maps {got[0]} features to {got[1]}: build every layer from the constructor's "
                         f"arguments, not from fixed numbers.")
        return wrong(f"in FixedNet{sizes} the {ORDINAL[i]} Linear layer maps {got[0]} features to {got[1]}, "
                     f"where {sizes[0]} inputs, {sizes[1]} hidden units and {sizes[2]} classes need "
                     f"{want[0]} → {want[1]}.")
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
        return wrong(f"forward returns a {type(out).__name__}: return the output layer's tensor of scores.")
    if tuple(out.shape) != (len(reaching), sizes[-1]):
        return wrong(f"for a batch of {len(reaching)} points FixedNet{sizes} returns shape {tuple(out.shape)}: "
                     f"a classifier returns one row per point and one score per class.")
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
        return wrong(f"FixedNet{sizes} has {n} parameters where its two Linear layers with biases have "
                     f"{expected}: keep the biases, and no layers that forward does not use.")
    return None


def fixed_net(cls: Any) -> Verdict:
    """``FixedNet(n_feature, n_hidden, n_output)``: built in two shapes, inspected, and run on a batch."""
    return module_class(cls, "FixedNet", SIZES, _net_verdict) or right(
        "the bug was the ReLU after the output layer. It clips every negative score to 0, and a "
        "clipped score passes no gradient back. When both scores are 0 for every point, the net "
        "says 50/50 everywhere (loss ln 2 = 0.6931) and no weight gets a gradient again: the frozen "
        "runs above. Scores (logits) must be free to take any value; cross_entropy turns them into "
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


# --- 03.4: explore the learning rate -----------------------------------------------------------------------

LR_STARTER = {"learning rate": 0.03}   # section 7's run, the comparison the task starts from
LR_SECTION_7 = {"seeds trained": 6, "median final loss": 0.037}
LR_RANGES = {0.1: {"seeds trained": (8, 8), "median final loss": (0.004, 0.016),
                   "median test accuracy": (0.975, 0.999)}}   # the cell's example change, SEED 0 and 1
LR_KEYS = ("learning rate", "seeds trained", "median final loss", "median test accuracy")


def _lr_setting(result: Any) -> dict[str, Any]:
    if not isinstance(result, dict) or set(result) != set(LR_KEYS):
        raise LearnerError(wrong(f"result should be the starter's dictionary with {', '.join(LR_KEYS)}: run the "
                                 f"starter cell first."))
    return {"learning rate": result["learning rate"]}


def _learning_rate(result: Any) -> Verdict:
    """``result``: the 8 seeds' summary at the learner's learning rate, read against section 7's at 0.03."""
    values = {k: as_number(result[k]) for k in LR_KEYS}
    if any(v is None for v in values.values()):
        return wrong("each entry of result should be one number, as the starter computes it.")
    rate, trained, loss, acc = (values[k] for k in LR_KEYS)
    if not (rate > 0 and trained == int(trained) and 0 <= trained <= 8 and loss >= 0 and 0 <= acc <= 1):
        return wrong("these numbers cannot come from the starter: a positive learning rate, 0 to 8 seeds trained, "
                     "a loss from 0 up and an accuracy from 0 to 1. Run the cell again as it stands.")
    ranges = next((r for lr, r in LR_RANGES.items() if math.isclose(rate, lr)), {})
    for key, (lo, hi) in ranges.items():
        if not lo <= values[key] <= hi:
            return wrong(f"your {key}, {values[key]:.3g}, is outside what learning rate {rate:g} gives here "
                         f"(5,000 steps, the 8 initial-weight seeds of the lesson): did something else change too? "
                         f"Change one thing at a time.")
    before = LR_SECTION_7["seeds trained"]
    if trained > before:
        found = (f"more seeds trained than at 0.03 ({int(trained)} of 8 against {before}): the slow starts needed "
                 f"bigger steps, not luck")
    elif trained < before:
        found = (f"fewer seeds trained than at 0.03 ({int(trained)} of 8 against {before}): past a point bigger "
                 f"steps overshoot or switch units off for good")
    else:
        found = f"as many seeds trained as at 0.03 ({before} of 8)"
    return right(f"at learning rate {rate:g}, {found}; the median final loss is {loss:.3g} (section 7: "
                 f"{LR_SECTION_7['median final loss']:g}) and the median test accuracy {acc:.3f}. A lower loss on "
                 f"seeds that had trained already mostly makes their scores more confident; it changes the test "
                 f"accuracy little.")


register(
    Exercise("03.1", "predict", "how many of 8 seeds train a 2-2-2 net", _two_units,
             blank="set answer_1 to your prediction, a number of seeds from 0 to 8.",
             wrong_answers=("answer_1 = 6", "answer_1 = 2")),
    Exercise("03.2", "write", "accuracy from logits", code(_accuracy),
             giveaways=lambda: ["argmax(dim=1)", "argmax(1)", "argmax(-1)", "argmax(dim=-1)"],
             wrong_answers=("def accuracy(logits, labels):\n"
                            "    return 100 * (logits.argmax(dim=1) == labels).float().mean().item()\n",
                            "def accuracy(logits, labels):\n"
                            "    return (logits.argmax(dim=0) == labels).float().mean().item()\n",
                            "def accuracy(logits, labels):\n"
                            "    return (logits.argmax(dim=1) == labels).float().sum().item()\n",
                            "def accuracy(logits, labels):\n"
                            "    return (logits.argmax(dim=1) == labels).mean().item()\n")),
    Exercise("03.3", "debug", "the classifier whose scores are clipped", code(fixed_net),
             blank="write FixedNet, then run this cell again.",
             giveaways=lambda: list(FIXED_GIVEAWAYS), wrong_answers=FIXED_WRONG_ANSWERS),
    Exercise("03.4", "explore", "the learning rate of the slow seeds",
             explore(LR_STARTER, _lr_setting, "set LR to a learning rate other than section 7's 0.03", _learning_rate),
             wrong_answers=('result = {"learning rate": 0.1, "seeds trained": 6, "median final loss": 0.037, '
                            '"median test accuracy": 0.985}',
                            'result = {**result, "seeds trained": 9}')),
)

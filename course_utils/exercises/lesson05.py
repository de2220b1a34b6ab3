"""Lesson 05's exercises: MNIST with a validation set.

05.1 predict-then-run: the accuracy of always answering the most common digit.
05.2 predict-then-run: the hardest digit, read from the confusion matrix (by share or by count).
05.3 write-the-code: per-class accuracy from a confusion matrix.
05.4 debug-this: an evaluation that leaves dropout on and records gradients.
05.5 explore: how much of the original's slowness was the DataLoader, how much the small batches.
"""
from __future__ import annotations

import math
from typing import Any

from .core import Exercise, Verdict, register, right, wrong
from .judges import LearnerError, as_number, code, explore, number_giveaways, run

# ---- 05.1: the majority-class baseline -------------------------------------------------------------------------


def _majority(train_set: Any) -> int:
    return int(train_set.y.bincount(minlength=10).argmax())


def _baseline(train_set: Any, val_set: Any) -> float:
    """Validation accuracy of always answering the training part's most common digit."""
    return float((val_set.y == _majority(train_set)).float().mean())


def _judge_baseline(answer: Any, train_set: Any, val_set: Any, guess: Any) -> Verdict:
    value, expected = as_number(answer), _baseline(train_set, val_set)
    if value is None:
        return wrong(f"give one number, a fraction such as 0.5, not a {type(answer).__name__}.")
    if math.isclose(value, expected, rel_tol=1e-3):
        most = _majority(train_set)
        said = (f"you guessed {float(guess):.3g}. " if isinstance(guess, (int, float)) and not isinstance(guess, bool)
                else "next time, write your guess down first. ")
        return right(f"{said}Digit {most} is the most common in the training part, and always answering it "
                     f"is right on {expected:.1%} of the validation images: close to the 10 % of "
                     f"answering at random, because the ten digits are about equally common. That is the "
                     f"floor any classifier must beat; a 95 % network beats it by far.")
    share = float((train_set.y == _majority(train_set)).float().mean())
    if math.isclose(value, share, rel_tol=1e-3):
        return wrong("that is how common the digit is in the training part: the accuracy is measured on the "
                     "validation set.")
    if math.isclose(value, expected * 100, rel_tol=1e-3):
        return wrong("that is a percentage: give the accuracy as a fraction between 0 and 1.")
    if value == int(value) and 0 <= value <= 9:
        return wrong("that is a digit; the question asks how often always answering the most common digit "
                     "is right, as a fraction between 0 and 1.")
    if math.isclose(value, 0.1, rel_tol=1e-6):
        return wrong("that is what answering at random scores when the ten digits are equally common, and they "
                     "are not exactly: count them in the training part (torch.bincount), find the most common, "
                     "and count how often it is the validation label.")
    return wrong("that is too high: which digit is the most common, and how often is it the label in the "
                 "validation set?" if value > expected else
                 "that is too low: always answer the training part's most common digit, and count how often "
                 "it is the validation label.")


# ---- 05.2: the hardest digit ---------------------------------------------------------------------------------


def _lowest(values: Any) -> list[int]:
    low = min(float(v) for v in values)
    return [d for d, v in enumerate(values) if float(v) == low]


def _readings(per_class: Any, cm: Any) -> dict[str, list[int]]:
    """The hardest digits under each fair reading: the lowest share of its images, the fewest images right."""
    import numpy as np
    return {"share": _lowest(per_class), "count": _lowest(np.diagonal(np.asarray(cm)))}


def _hardest(per_class: Any, cm: Any) -> list[int]:
    readings = _readings(per_class, cm)
    return sorted(set(readings["share"]) | set(readings["count"]))


def _judge_hardest(answer: Any, per_class: Any, cm: Any) -> Verdict:
    import numpy as np
    value = as_number(answer)
    digit = int(value) if value is not None and value == int(value) else -1
    if not 0 <= digit < len(per_class):
        return wrong(f"answer with one digit from 0 to {len(per_class) - 1}, as a number or a string.")
    right_counts = np.diagonal(np.asarray(cm)).astype(int)
    share, count = f"{float(per_class[digit]):.1%}", f"{int(right_counts[digit])} of {int(np.asarray(cm)[digit].sum())}"
    readings = _readings(per_class, cm)
    if digit in readings["share"] or digit in readings["count"]:
        by_share = sorted(range(len(per_class)), key=lambda d: float(per_class[d]))
        by_count = sorted(range(len(per_class)), key=lambda d: int(right_counts[d]))
        return right(f"digit {digit}: {share} of its validation images right ({count}). Both readings of "
                     f"'least often' are fair: by share of its own images the order from the hardest is "
                     f"{by_share[0]}, {by_share[1]}, {by_share[2]}; by number of images right it is {by_count[0]}, "
                     f"{by_count[1]}, {by_count[2]} (digits with fewer images have fewer to get right). In the "
                     f"confusion matrix, the share is a row's diagonal count over the row's total.")
    if float(per_class[digit]) - min(float(v) for v in per_class) < 1 / max(int(np.asarray(cm)[digit].sum()), 1):
        return wrong(f"close: digit {digit} ({share} of its images, {count}) is within one image of the hardest by "
                     f"share, but a digit does slightly worse: compare the shares to three decimals, or count the "
                     f"images recognised.")
    return wrong(f"digit {digit} is recognised on {share} of its validation images ({count}): at least one "
                 f"digit does worse, both as a share of its own images and in images right. In each row of the "
                 f"confusion matrix, compare the diagonal count with the row's total.")


# ---- 05.3: per-class accuracy from a confusion matrix -----------------------------------------------------------

_CM = [[50, 2, 6, 0],    # rows: true class; columns: predicted class (scikit-learn's layout)
       [1, 30, 0, 9],
       [0, 1, 70, 1],
       [8, 0, 3, 19]]


def _per_class(per_class_accuracy: Any) -> Verdict:
    """``per_class_accuracy(cm (C, C) ndarray) -> (C,)``: for each true class, the share recognised."""
    import numpy as np
    cm = np.array(_CM)
    got = run(per_class_accuracy, cm.copy(), name="per_class_accuracy")
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return wrong(f"return an array of numbers, not a {type(got).__name__}.")
    diag = np.diag(cm).astype(float)
    if got.shape != (len(cm),):
        return wrong(f"on a {len(cm)}×{len(cm)} confusion matrix, return one accuracy per class: shape "
                     f"({len(cm)},), not {got.shape}.")
    if np.allclose(got, diag / cm.sum(axis=1)):
        return right("row d of the confusion matrix holds every image whose true label is d, so its diagonal "
                     "count over its total is the share of that digit recognised: scikit-learn calls it recall.")
    if np.allclose(got, diag / cm.sum(axis=0)):
        return wrong("you divided by the column totals: a column counts the images PREDICTED as that class "
                     "(that share is called precision); per-class accuracy asks about the images that truly "
                     "are that class.")
    if np.allclose(got, diag / cm.sum()):
        return wrong("you divided by all the images: each class's accuracy is a share of that class's images "
                     "only.")
    if np.allclose(got, diag):
        return wrong("those are counts of right answers: turn each into a share of its class's images.")
    if np.allclose(got, 100 * diag / cm.sum(axis=1)):
        return wrong("those are percentages: return fractions between 0 and 1.")
    return wrong("on a test matrix your numbers are not the share of each true class recognised: in "
                 "scikit-learn's layout, rows are the true classes and columns the predictions.")


# ---- 05.4: debug an evaluation ----------------------------------------------------------------------------------


def _evaluation(accuracy_of: Any) -> Verdict:
    """``accuracy_of(model, X, y) -> float`` must run the model in eval mode and without gradients.

    The question does not ask to restore the mode afterwards: a fix that leaves it in eval mode is right,
    and its explanation recommends restoring it.
    """
    import torch

    from ..models import evaluating, mlp
    from ..runtime import seeded
    with seeded(0):
        model = mlp([8, 64, 3], dropout=0.5)
        X, y = torch.randn(400, 8), torch.randint(0, 3, (400,))
    with evaluating(model):
        expected = (model(X).argmax(dim=1) == y).float().mean().item()
    seen: list[tuple[bool, bool]] = []
    model.register_forward_pre_hook(lambda module, inputs: seen.append((module.training, torch.is_grad_enabled())))
    model.train()
    got = run(accuracy_of, model, X, y, name="your accuracy_of")
    if not seen:
        return wrong("your function never ran the model on X: call it on the inputs you are given.")
    if any(training for training, _ in seen):
        return wrong("the model was still in training mode during your forward pass, so dropout switched off "
                     "a random half of the hidden units: that is why the accuracy changed from call to call.")
    if any(grad for _, grad in seen):
        return wrong("dropout is off now, but autograd still recorded the forward pass, keeping every "
                     "intermediate result for a backward() that never comes: evaluation needs no gradients.")
    try:
        value = float(got)
    except (TypeError, ValueError):
        return wrong(f"return one number (use .item()), not a {type(got).__name__}.")
    if not math.isclose(value, expected, rel_tol=1e-6):
        return wrong("the mode and the gradients are right now, but the number is not the fraction of rows "
                     "whose highest score is the label.")
    restored = ("and you put the mode back afterwards" if model.training else
                "and one habit more: put the mode back afterwards (your function leaves the model in eval mode, "
                "so training it again would run without dropout until something calls model.train())")
    return right("eval mode switches dropout off (and batch norm to its running statistics), no_grad stops "
                 f"autograd recording, {restored}. `with models.evaluating(model):` does all three, and every "
                 "helper of the course evaluates that way.")


# ---- 05.5: explore: the DataLoader or the small batches? --------------------------------------------------------

SLOWDOWN_STARTER = {"optimizer": "sgd", "loader batch": 20, "num_workers": 0, "batches": (20, 128)}
SLOWDOWN_INVITE = "try another batch size (BATCHES), num_workers for the DataLoader (LOADER) or OPTIMIZER = \"adam\""


def _slowdown_parts(result: Any) -> tuple[dict[str, Any], float, dict[int, float]]:
    """``(loader settings, loader seconds, {in-memory batch: seconds})``; a LearnerError for another kind."""
    ok = (isinstance(result, dict) and {"optimizer", "DataLoader", "in memory"} <= set(result)
          and isinstance(result["DataLoader"], dict) and isinstance(result["in memory"], dict)
          and {"batch_size", "num_workers", "seconds"} <= set(result["DataLoader"]))
    if not ok:
        raise LearnerError(wrong("result should be the starter's dict, with 'optimizer', 'DataLoader' (batch_size, "
                                 "num_workers, seconds) and 'in memory' (batch size to seconds): run the starter "
                                 "cell first."))
    loader = result["DataLoader"]
    seconds = {as_number(b): as_number(t) for b, t in result["in memory"].items()}
    times = [as_number(loader["seconds"]), *seconds.values()]
    if any(t is None or t <= 0 for t in times) or any(b is None or b < 1 for b in seconds):
        raise LearnerError(wrong("each timing should be a positive number of seconds, and each in-memory key a "
                                 "batch size: run the cell again as it stands."))
    return loader, float(loader["seconds"]), {int(b): t for b, t in seconds.items()}


def _slowdown_setting(result: Any) -> dict[str, Any]:
    loader, _, seconds = _slowdown_parts(result)
    return {"optimizer": result["optimizer"], "loader batch": loader["batch_size"],
            "num_workers": loader["num_workers"], "batches": tuple(seconds)}


def _judge_slowdown(result: Any) -> Verdict:
    loader, loader_seconds, seconds = _slowdown_parts(result)
    batch = int(as_number(loader["batch_size"]) or 0)
    if batch not in seconds or len(seconds) < 2:
        return wrong(f"to take the two changes apart, time in memory at the DataLoader's batch size ({batch}) and "
                     f"at least one other: put both in BATCHES.")
    small, large = min(seconds), max(seconds)
    ratios = {"the DataLoader against in memory": loader_seconds / seconds[batch],
              f"batch {small} against batch {large}": seconds[small] / seconds[large]}
    for name, ratio in ratios.items():
        if ratio < 1:
            return wrong(f"{name} is below 1 ({ratio:.2f}): the set-up that should be the slower came out "
                         f"faster, so the timing likely caught a burst of load from something else; run the cell "
                         f"again.")
        if ratio > 50:
            return wrong(f"{name} is over 50: did one of the runs train for more than one epoch, or did the "
                         f"machine get busy during it? Run the cell again.")
    loader_ratio, batch_ratio = ratios.values()
    workers = as_number(loader["num_workers"]) or 0
    why = [("the DataLoader's per-image work (a PIL image, ToTensor, collating the batch), which in-memory "
            "batches skip, costs real time" if loader_ratio >= 1.1 else
            "the DataLoader costs little here"),
           ("larger batches need fewer steps, each with a fixed cost that small matrix products do not cover"
            if batch_ratio >= 1.1 else "the batch size changes little here")]
    whole = (" The two ratios multiply to the whole speed-up from the DataLoader at that batch to in memory at "
             f"batch {large}." if batch == small else "")
    return right(f"your run ({result['optimizer']}): the DataLoader at batch {batch} ({workers:g} worker processes) "
                 f"made an epoch {loader_ratio:.1f} times as long as in memory at the same batch, and in memory "
                 f"batch {small} took {batch_ratio:.1f} times as long as batch {large}: {why[0]}, and {why[1]}."
                 f"{whole}")


register(
    Exercise("05.1", "predict", "the accuracy of always answering the most common digit", _judge_baseline,
             giveaways=lambda train_set, val_set, guess: number_giveaways(_baseline(train_set, val_set)),
             context=("train_set", "val_set", "guess"),
             wrong_answers=("answer_1 = float((train_set.y == train_set.y.bincount().argmax()).float().mean())",
                            "answer_1 = 100 * float((val_set.y == train_set.y.bincount().argmax()).float().mean())")),
    Exercise("05.2", "predict", "the hardest digit", _judge_hardest,
             giveaways=lambda per_class, cm: [str(d) for d in _hardest(per_class, cm)], context=("per_class", "cm"),
             wrong_answers=("answer_2 = str(int(per_class.argmax()))",)),
    Exercise("05.3", "write", "per-class accuracy from a confusion matrix", code(_per_class),
             blank="fill in per_class_accuracy, then run this cell again.",
             wrong_answers=("def per_class_accuracy(cm):\n    return cm.diagonal() / cm.sum(axis=0)\n",
                            "def per_class_accuracy(cm):\n    return cm.diagonal() / cm.sum()\n",
                            "def per_class_accuracy(cm):\n    return cm.diagonal().sum() / cm.sum()\n")),
    Exercise("05.4", "debug", "an evaluation that forgets eval mode", code(_evaluation),
             blank="set answer_4 to your fixed accuracy_of, then run this cell again.",
             wrong_answers=("answer_4 = accuracy_of",
                            "def fixed(model, X, y):\n    model.eval()\n"
                            "    return (model(X).argmax(dim=1) == y).float().mean().item()\nanswer_4 = fixed",
                            "def fixed(model, X, y):\n    with torch.no_grad():\n"
                            "        return (model(X).argmax(dim=1) == y).float().mean().item()\nanswer_4 = fixed")),
    Exercise("05.5", "explore", "the DataLoader or the small batches?",
             code(explore(SLOWDOWN_STARTER, _slowdown_setting, SLOWDOWN_INVITE, _judge_slowdown)),
             wrong_answers=("result['in memory'] = {b: 1 / s for b, s in result['in memory'].items()}",
                            "result['DataLoader']['seconds'] = min(result['in memory'].values()) / 2")),
)

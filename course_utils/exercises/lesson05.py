"""Lesson 05's exercises: the original MNIST network, its training loop, and per-class accuracy.

05.1 build the original 784-256-256-10 ``Net`` with its flatten · 05.2 build ``train_and_validate``, the epoch
loop over a DataLoader with a validation pass · 05.3 build ``per_class_accuracy`` (the original's
``class_correct / class_total``) · 05.4 predict-then-run: the accuracy of always answering the most common
digit · 05.5 predict-then-run: the hardest digit, read from the confusion matrix (by share or by count).
"""
from __future__ import annotations

import copy
import math
from typing import Any

from ..i18n import N_, _
from .core import Exercise, Verdict, register, right, unanswered, wrong
from .judges import as_number, code, missing_module_init, number_giveaways, run

# ---- 05.1: the original network ---------------------------------------------------------------------------------

SIZES = [(784, 256), (256, 256), (256, 10)]
ORDINAL = (N_("first"), N_("second"), N_("third"), N_("fourth"), N_("fifth"))


def reference_net() -> type:
    """The original's network class, as the course writes it (handed on until the learner's passes)."""
    import torch.nn.functional as F
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(28 * 28, 256)
            self.fc2 = nn.Linear(256, 256)
            self.fc3 = nn.Linear(256, 10)

        def forward(self, x):
            x = x.view(-1, 28 * 28)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return Net


def _net(cls: Any) -> Verdict:
    """``Net()``: Linear 784→256, ReLU, Linear 256→256, ReLU, Linear 256→10, on images of shape (N, 1, 28, 28)."""
    import torch
    from torch import nn

    from ..runtime import seeded
    if isinstance(cls, nn.Module):
        return wrong("pass the class itself (Net), not a network built from it.")
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        return wrong("Net should be a class that subclasses torch.nn.Module.")
    try:
        with seeded(0):
            net = cls()
    except NotImplementedError:
        return unanswered("Net still raises NotImplementedError: write its __init__.")
    except Exception as exc:
        return wrong("Net() raised {error}: {exc}", error=type(exc).__name__, exc=exc)
    x = torch.rand(5, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    if "_modules" not in vars(net):
        return missing_module_init(net, x, "Net")
    calls: list = []
    hooks = [m.register_forward_hook(lambda m, inp, out: calls.append((m, inp[0].detach(), out.detach())))
             for m in net.modules() if isinstance(m, nn.Linear)]
    try:
        out = net(x)
    except NotImplementedError:
        out = None
    except RuntimeError as exc:
        return wrong(_("a batch of 5 images of shape (5, 1, 28, 28) fails in forward ({exc}): a Linear layer works "
                       "on rows of numbers, so each image must become one row of 28·28 pixels before the first "
                       "layer, keeping one row per image.", exc=str(exc).splitlines()[0]))
    except Exception as exc:
        return wrong(_("calling Net on a batch of images raised {name}: {exc}", name=type(exc).__name__, exc=exc))
    finally:
        for h in hooks:
            h.remove()
    return _net_output(net, out, calls)


def _net_output(net: Any, out: Any, calls: list) -> Verdict:
    """The second half of ``_net``: the layers that ran, the activations between them and the output."""
    import torch
    if not list(net.parameters()):
        if out is None:
            return unanswered("Net is still the skeleton: create its layers in __init__ and write its forward.")
        return wrong("net.parameters() is empty, so an optimizer would have nothing to train: create the layers "
                     "in __init__ and assign each to an attribute of self.")
    if out is None:
        return unanswered("forward still returns None: write it and return the last layer's output.")
    got = [(m.in_features, m.out_features) for m, _, _ in calls]
    if got != SIZES:
        return wrong(_("forward runs Linear layers mapping {got_a}: the original is 784-256-256-10, three Linear "
                       "layers (the input's 784 pixels, two hidden layers of 256 units, 10 outputs), each used "
                       "once, in that order.", got_a=', '.join(f'{a}→{b}' for a, b in got) or N_('nothing')))
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (5, 10):
        shown = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        return wrong(_("for a batch of 5 images Net returns {shown}: return one row of 10 scores per image.",
                       shown=shown))
    for i in range(len(calls) - 1):
        h, nxt = calls[i][2], calls[i + 1][1]
        if nxt.shape == h.shape and torch.allclose(nxt, torch.relu(h)):
            continue
        if nxt.shape == h.shape and torch.allclose(nxt, h):
            return wrong(_("nothing happens between the {ordinal} and the {ordinal2} Linear layer: a missing "
                           "activation (two Linear layers in a row collapse into one linear map).",
                           ordinal=ORDINAL[i], ordinal2=ORDINAL[i + 1]))
        return wrong(_("what reaches the {ordinal} Linear layer is not the ReLU of the {ordinal2} one's output: "
                       "apply ReLU, and nothing else, after each hidden layer.",
                       ordinal=ORDINAL[i + 1], ordinal2=ORDINAL[i]))
    last = calls[-1][2]
    if not torch.allclose(out, last):
        if torch.allclose(out, torch.relu(last)):
            return wrong("your output goes through a ReLU, so no score can be negative: return the last layer's "
                         "raw scores (logits) with no activation after it.")
        if torch.allclose(out, last.softmax(1)) or torch.allclose(out, last.log_softmax(1)):
            return wrong("your forward applies a softmax: nn.CrossEntropyLoss applies it itself, so return the "
                         "last layer's raw scores (logits).")
        return wrong("forward changes the last layer's result before returning it: return it unchanged.")
    return right("784 → 256 → ReLU → 256 → ReLU → 10, on images flattened to rows: 269,322 parameters, all "
                 "registered, so parameters() hands them to the optimizer and state_dict() saves them. The course "
                 "builds the same layers with models.mlp([784, 256, 256, 10], flatten=True).")


NET_WRONG_ANSWERS = (
    # no flatten
    "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.fc1 = nn.Linear(28 * 28, 256)\n        self.fc2 = nn.Linear(256, 256)\n"
    "        self.fc3 = nn.Linear(256, 10)\n\n    def forward(self, x):\n"
    "        x = F.relu(self.fc1(x))\n        x = F.relu(self.fc2(x))\n        return self.fc3(x)\n",
    # a ReLU after the output layer
    "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.fc1 = nn.Linear(28 * 28, 256)\n        self.fc2 = nn.Linear(256, 256)\n"
    "        self.fc3 = nn.Linear(256, 10)\n\n    def forward(self, x):\n        x = x.view(-1, 28 * 28)\n"
    "        x = F.relu(self.fc1(x))\n        x = F.relu(self.fc2(x))\n        return F.relu(self.fc3(x))\n",
    # a softmax at the end
    "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.fc1 = nn.Linear(28 * 28, 256)\n        self.fc2 = nn.Linear(256, 256)\n"
    "        self.fc3 = nn.Linear(256, 10)\n\n    def forward(self, x):\n        x = x.view(-1, 28 * 28)\n"
    "        x = F.relu(self.fc1(x))\n        x = F.relu(self.fc2(x))\n        return F.softmax(self.fc3(x), dim=1)\n",
    # the second hidden layer without its ReLU
    "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.fc1 = nn.Linear(28 * 28, 256)\n        self.fc2 = nn.Linear(256, 256)\n"
    "        self.fc3 = nn.Linear(256, 10)\n\n    def forward(self, x):\n        x = x.view(-1, 28 * 28)\n"
    "        x = F.relu(self.fc1(x))\n        x = self.fc2(x)\n        return self.fc3(x)\n",
    # one hidden layer only
    "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    "        self.fc1 = nn.Linear(28 * 28, 256)\n        self.fc3 = nn.Linear(256, 10)\n\n"
    "    def forward(self, x):\n        x = x.view(-1, 28 * 28)\n        return self.fc3(F.relu(self.fc1(x)))\n",
)

# ---- 05.2: the epoch loop with a validation pass ------------------------------------------------------------------

LOOP_TRAIN_BATCH, LOOP_VAL_BATCH, LOOP_EPOCHS = 5, 7, 2   # different batch sizes tell the two passes apart


def reference_loop(zero_grad: bool = True) -> Any:
    """The original's epoch loop: training with the running loss, then a validation pass; one dict per epoch.

    ``zero_grad=False`` leaves the gradients to pile up (to recognise that mistake).
    """
    import torch
    from torch import nn

    def train_and_validate(model, train_loader, val_loader, optimizer, epochs):
        criterion = nn.CrossEntropyLoss()
        history = []
        for _skip in range(epochs):
            running_loss = 0.0
            model.train()
            for images, labels in train_loader:
                if zero_grad:
                    optimizer.zero_grad()
                loss = criterion(model(images), labels)
                loss.backward()
                optimizer.step()
                running_loss += loss.item() * len(labels)
            val_loss, correct = 0.0, 0
            model.eval()
            with torch.no_grad():
                for images, labels in val_loader:
                    outputs = model(images)
                    val_loss += criterion(outputs, labels).item() * len(labels)
                    correct += (outputs.argmax(dim=1) == labels).sum().item()
            n_train, n_val = len(train_loader.dataset), len(val_loader.dataset)
            history.append({"loss": running_loss / n_train, "val_loss": val_loss / n_val, "val_acc": correct / n_val})
        return history

    return train_and_validate


def _loop_problem() -> tuple[Any, Any, Any]:
    """A small net with dropout (so the mode matters) and two tiny data sets of 3 classes."""
    import torch
    from torch import nn
    from torch.utils.data import TensorDataset

    from ..runtime import seeded
    with seeded(0):
        net = nn.Sequential(nn.Flatten(), nn.Linear(16, 12), nn.ReLU(), nn.Dropout(0.5), nn.Linear(12, 3))
        train = TensorDataset(torch.randn(20, 1, 4, 4), torch.randint(0, 3, (20,)))
        val = TensorDataset(torch.randn(14, 1, 4, 4), torch.randint(0, 3, (14,)))
    return net, train, val


def _run_loop(fn: Any, net: Any, train: Any, val: Any, name: str) -> tuple[Any, Any]:
    import torch
    from torch.utils.data import DataLoader

    from ..runtime import seeded
    net = copy.deepcopy(net)
    train_loader = DataLoader(train, batch_size=LOOP_TRAIN_BATCH, shuffle=True,
                              generator=torch.Generator().manual_seed(0))
    val_loader = DataLoader(val, batch_size=LOOP_VAL_BATCH)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    with seeded(0):
        out = run(fn, net, train_loader, val_loader, optimizer, LOOP_EPOCHS, name=name)
    return net, out


def _loop(fn: Any) -> Verdict:
    """``train_and_validate(model, train_loader, val_loader, optimizer, epochs) -> history``, one dict an epoch."""
    import torch
    net, train, val = _loop_problem()
    before = [p.detach().clone() for p in net.parameters()]
    seen: list[tuple[int, bool, bool]] = []
    net.register_forward_pre_hook(lambda m, inp: seen.append((len(inp[0]), m.training, torch.is_grad_enabled())))
    mine, history = _run_loop(fn, net, train, val, "train_and_validate")
    ref, ref_history = _run_loop(reference_loop(), _loop_problem()[0], train, val, N_("the reference"))
    training = [(m, g) for b, m, g in seen if b == LOOP_TRAIN_BATCH]
    validation = [(m, g) for b, m, g in seen if b == LOOP_VAL_BATCH]
    moved = any(not torch.equal(a, b.detach()) for a, b in zip(before, mine.parameters()))
    if not training and not moved:
        return unanswered("train_and_validate does not train yet: write its training part (and then its "
                          "validation part).")
    n_train = LOOP_EPOCHS * math.ceil(len(train) / LOOP_TRAIN_BATCH)
    if len(training) != n_train:
        return wrong(_("over {loop_epochs} epochs of {n_train_loop_epochs} training batches the model ran on "
                       "{n_training} training batches: in each epoch, one step for every batch of the training "
                       "loader.",
                       loop_epochs=LOOP_EPOCHS, n_train_loop_epochs=n_train // LOOP_EPOCHS, n_training=len(training)))
    if not all(m for m, _ in training[: n_train // LOOP_EPOCHS]):
        return wrong("the training batches ran with the model in evaluation mode, so layers such as dropout "
                     "were switched off while it learned: put it in training mode before the training batches.")
    if not all(m for m, _ in training):
        return wrong("from the second epoch on, training ran in evaluation mode: the validation pass left the "
                     "model there. Switch back to training mode at the start of every epoch's training part.")
    if not moved:
        return wrong("the model ran on every batch but its weights never changed: the gradients were never "
                     "applied to them (or were cleared before they could be).")
    if not validation:
        return unanswered("the training part runs; now write the validation part: the loss and the right "
                          "answers on the validation loader.")
    if any(m for m, _ in validation):
        return wrong("the validation pass ran in training mode, where layers such as dropout switch off random "
                     "units: switch the model to evaluation mode before it.")
    if any(g for _, g in validation):
        return wrong("the validation pass ran with autograd recording, keeping every intermediate result for a "
                     "backward() that never comes: run it without gradients.")
    n_val = LOOP_EPOCHS * math.ceil(len(val) / LOOP_VAL_BATCH)
    if len(validation) != n_val:
        return wrong(_("the validation pass ran on {n_validation} batches over {loop_epochs} epochs: run it once "
                       "over the whole validation loader at the end of every epoch.",
                       n_validation=len(validation), loop_epochs=LOOP_EPOCHS))
    return _loop_numbers(mine, history, ref, ref_history, train, val)


def _loop_numbers(mine: Any, history: Any, ref: Any, ref_history: Any, train: Any, val: Any) -> Verdict:
    """The second half of ``_loop``: the weights and the history's numbers against the reference loop's."""
    import torch
    weights = [p.detach() for p in mine.parameters()]
    if not all(torch.allclose(a, b.detach(), atol=1e-5) for a, b in zip(weights, ref.parameters())):
        piled, _history = _run_loop(reference_loop(zero_grad=False), _loop_problem()[0], train, val,
                                    N_("the reference"))
        if all(torch.allclose(a, b.detach(), atol=1e-5) for a, b in zip(weights, piled.parameters())):
            return wrong("your weights end where gradients piled up from batch to batch: backward() adds to "
                         "the .grad that is already there, so clear the gradients before each batch's backward.")
        return wrong("after two epochs your weights differ from the original loop's: for each batch, clear the "
                     "gradients, run the model, compute the loss, backpropagate, then step.")
    if not isinstance(history, list) or len(history) != LOOP_EPOCHS or not all(
            isinstance(h, dict) and {"loss", "val_loss", "val_acc"} <= set(h) for h in history):
        return wrong("return the history as the cell builds it: one dict per epoch with loss, val_loss and val_acc.")
    for key, batch, what in (("loss", LOOP_TRAIN_BATCH, N_("training")),
                             ("val_loss", LOOP_VAL_BATCH, N_("validation"))):
        got = [as_number(h[key]) for h in history]
        want = [h[key] for h in ref_history]
        if any(g is None for g in got):
            return wrong(_("the {what} loss should be a number each epoch: add up loss.item(), a float, not the "
                           "loss tensor itself.", what=what))
        if all(math.isclose(g, w, rel_tol=1e-4) for g, w in zip(got, want)):
            continue
        if all(math.isclose(g * batch, w, rel_tol=0.25) for g, w in zip(got, want)):
            return wrong(_("your {what} loss is about a batch size too small: the loss of a batch is the mean over "
                           "its images, and the cell divides the sum by the number of images, so add each batch's "
                           "total, not its mean.", what=what))
        return wrong(_("your {what} loss is not the mean over the epoch's {what} images: add up each batch's total "
                       "loss.", what=what))
    got = [as_number(h["val_acc"]) for h in history]
    if any(g is None or not math.isclose(g, h["val_acc"], rel_tol=1e-6) for g, h in zip(got, ref_history)):
        return wrong("the validation accuracy is off: count the images whose highest score is their label.")
    return right("train mode and the five moves for every training batch, the running loss summed over images; "
                 "then eval mode and no_grad for the validation pass: your weights and numbers match the "
                 "original loop's. train.fit does the same on tensors held in memory.")


_LOOP_HEAD = ("def train_and_validate(model, train_loader, val_loader, optimizer, epochs):\n"
              "    criterion = nn.CrossEntropyLoss()\n    history = []\n    for epoch in range(epochs):\n"
              "        running_loss = 0.0\n")
_LOOP_TAIL = ("        n_train, n_val = len(train_loader.dataset), len(val_loader.dataset)\n"
              "        history.append({\"loss\": running_loss / n_train, \"val_loss\": val_loss / n_val, "
              "\"val_acc\": correct / n_val})\n    return history\n")
_TRAIN_PART = ("        model.train()\n        for images, labels in train_loader:\n"
               "            optimizer.zero_grad()\n            loss = criterion(model(images), labels)\n"
               "            loss.backward()\n            optimizer.step()\n"
               "            running_loss += loss.item() * len(labels)\n")
_VAL_PART = ("        val_loss, correct = 0.0, 0\n        model.eval()\n        with torch.no_grad():\n"
             "            for images, labels in val_loader:\n                outputs = model(images)\n"
             "                val_loss += criterion(outputs, labels).item() * len(labels)\n"
             "                correct += (outputs.argmax(dim=1) == labels).sum().item()\n")
LOOP_RIGHT = _LOOP_HEAD + _TRAIN_PART + _VAL_PART + _LOOP_TAIL
LOOP_WRONG_ANSWERS = (
    # no zero_grad
    LOOP_RIGHT.replace("            optimizer.zero_grad()\n", ""),
    # model.train() never called: after the first validation pass, training runs in eval mode
    LOOP_RIGHT.replace("        model.train()\n", ""),
    # validation in training mode
    LOOP_RIGHT.replace("        model.eval()\n", ""),
    # validation with autograd on
    LOOP_RIGHT.replace("        with torch.no_grad():\n            for images, labels in val_loader:\n"
                       "                outputs = model(images)\n",
                       "        if True:\n            for images, labels in val_loader:\n"
                       "                outputs = model(images)\n"),
    # the batch's mean loss added up, not its total
    LOOP_RIGHT.replace("running_loss += loss.item() * len(labels)", "running_loss += loss.item()"),
    # no step
    LOOP_RIGHT.replace("            optimizer.step()\n", ""),
)

# ---- 05.3: per-class accuracy, as the original counts it -----------------------------------------------------------


def reference_per_class() -> Any:
    """The original's per-class accuracy: ``class_correct / class_total`` over a loader."""
    import torch

    def per_class_accuracy(model, loader, n_classes=10):
        class_correct = torch.zeros(n_classes)
        class_total = torch.zeros(n_classes)
        model.eval()
        with torch.no_grad():
            for images, labels in loader:
                preds = model(images).argmax(dim=1)
                for label, pred in zip(labels, preds):
                    class_total[label] += 1
                    class_correct[label] += (pred == label).item()
        return class_correct / class_total

    return per_class_accuracy


def _per_class_problem() -> tuple[Any, Any]:
    """A fixed linear model and 31 examples of 3 classes in batches of 7 (the last batch is smaller)."""
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    from ..runtime import seeded
    with seeded(3):
        model = nn.Linear(4, 3)
        X, y = torch.randn(31, 4), torch.tensor([0] * 6 + [1] * 15 + [2] * 10)
    return model, DataLoader(TensorDataset(X, y), batch_size=7)


def _per_class(fn: Any) -> Verdict:
    """``per_class_accuracy(model, loader, n_classes) -> (n_classes,)``: for each true class, the share right."""
    import numpy as np
    import torch
    model, loader = _per_class_problem()
    if not callable(fn):
        return wrong(_("per_class_accuracy should be a function (def ...), not a {name}.", name=type(fn).__name__))
    try:
        got = fn(model, loader, 3)
    except IndexError as exc:
        return wrong(_("per_class_accuracy raised IndexError ({exc}): a batch can hold fewer images than your loop "
                       "assumes (the last one usually does), so go through the labels that each batch has.", exc=exc))
    except NotImplementedError:
        return unanswered("per_class_accuracy still raises NotImplementedError: fill in its body.")
    except Exception as exc:
        return wrong(_("per_class_accuracy raised {name}: {exc}", name=type(exc).__name__, exc=exc))
    if got is None:
        return unanswered("per_class_accuracy still returns None: fill in its body and return the result.")
    try:
        got = np.asarray(got.detach() if isinstance(got, torch.Tensor) else got, dtype=float)
    except (TypeError, ValueError):
        return wrong(_("return one number per class, not a {name}.", name=type(got).__name__))
    if got.shape != (3,):
        return wrong(_("with 3 classes, return one accuracy per class: shape (3,), not {shape}.", shape=got.shape))
    if np.isnan(got).all():
        return unanswered("per_class_accuracy counts nothing yet (every class total is 0): predict each batch "
                          "and count its images in class_total and class_correct.")
    with torch.no_grad():
        pred = torch.cat([model(images).argmax(dim=1) for images, _ in loader]).numpy()
    y = torch.cat([labels for _, labels in loader]).numpy()
    hit = (pred == y).astype(float)
    want = np.array([hit[y == c].mean() for c in range(3)])
    if np.allclose(got, want):
        return right("each image counts once in its true class's total, and once more in its class_correct when "
                     "the prediction matches: class_correct / class_total is the share of each class recognised, "
                     "what scikit-learn calls recall.")
    by_pred = np.array([hit[pred == c].mean() if (pred == c).any() else np.nan for c in range(3)])
    if np.allclose(got, by_pred, equal_nan=True):
        return wrong("you counted each image under its predicted class: that share (how often a prediction of "
                     "the class is right) is called precision. Per-class accuracy counts under the true label.")
    if np.allclose(np.nan_to_num(got, nan=1.0), 1.0):
        return wrong("every class comes out at 1: class_total must count every image of the class, right or wrong.")
    if np.allclose(got, np.full(3, hit.mean())):
        return wrong("every class has the same value, the overall accuracy: count each image under its own label.")
    return wrong("on a test problem your numbers are not the share of each true class's images classified right.")


_PREDS = "            preds = model(images).argmax(dim=1)\n"
_ZIP = "            for label, pred in zip(labels, preds):\n"
PER_CLASS_HEAD = ("def per_class_accuracy(model, loader, n_classes=10):\n"
                  "    class_correct = torch.zeros(n_classes)\n    class_total = torch.zeros(n_classes)\n"
                  "    model.eval()\n    with torch.no_grad():\n        for images, labels in loader:\n")
PER_CLASS_WRONG_ANSWERS = (
    # the original's range(batch_size), which breaks on a smaller last batch
    PER_CLASS_HEAD + _PREDS + "            for i in range(20):\n                class_total[labels[i]] += 1\n"
    "                class_correct[labels[i]] += (preds[i] == labels[i]).item()\n"
    "    return class_correct / class_total\n",
    # counted under the prediction
    PER_CLASS_HEAD + _PREDS + _ZIP +
    "                class_total[pred] += 1\n                class_correct[pred] += (pred == label).item()\n"
    "    return class_correct / class_total\n",
    # only right answers counted in the total
    PER_CLASS_HEAD + _PREDS + _ZIP +
    "                if pred == label:\n                    class_total[label] += 1\n"
    "                    class_correct[label] += 1\n    return class_correct / class_total\n",
)

# ---- 05.4: the majority-class baseline -----------------------------------------------------------------------


def _majority(train_set: Any) -> int:
    return int(train_set.y.bincount(minlength=10).argmax())


def _baseline(train_set: Any, val_set: Any) -> float:
    """Validation accuracy of always answering the training part's most common digit."""
    return float((val_set.y == _majority(train_set)).float().mean())


def _judge_baseline(answer: Any, train_set: Any, val_set: Any, guess: Any) -> Verdict:
    value, expected = as_number(answer), _baseline(train_set, val_set)
    if value is None:
        return wrong(_("give one number, a fraction such as 0.5, not a {name}.", name=type(answer).__name__))
    if math.isclose(value, expected, rel_tol=1e-3):
        most = _majority(train_set)
        guessed = isinstance(guess, (int, float)) and not isinstance(guess, bool)
        said = (_("you guessed {guess:.3g}. ", guess=float(guess)) if guessed
                else _("next time, write your guess down first. "))
        return right(_("{said}Digit {most} is the most common in the training part, and always answering it is "
                       "right on {expected:.1%} of the validation images: close to the 10 % of answering at "
                       "random, because the ten digits are about equally common. That is the floor any classifier "
                       "must beat; a 95 % network beats it by far.", said=said, most=most, expected=expected))
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
    return wrong(N_("that is too high: which digit is the most common, and how often is it the label in the "
                 "validation set?") if value > expected else
                 N_("that is too low: always answer the training part's most common digit, and count how often "
                 "it is the validation label."))


# ---- 05.5: the hardest digit ---------------------------------------------------------------------------------


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
        return wrong(_("answer with one digit from 0 to {per_class}, as a number or a string.",
                       per_class=len(per_class) - 1))
    right_counts = np.diagonal(np.asarray(cm)).astype(int)
    share = f"{float(per_class[digit]):.1%}"
    count = _("{right} of {total}", right=int(right_counts[digit]), total=int(np.asarray(cm)[digit].sum()))
    readings = _readings(per_class, cm)
    if digit in readings["share"] or digit in readings["count"]:
        by_share = sorted(range(len(per_class)), key=lambda d: float(per_class[d]))
        by_count = sorted(range(len(per_class)), key=lambda d: int(right_counts[d]))
        return right(_("digit {digit}: {share} of its validation images right ({count}). Both readings of 'least "
                       "often' are fair: by share of its own images the order from the hardest is {by_share}, "
                       "{by_share2}, {by_share3}; by number of images right it is {by_count}, {by_count2}, "
                       "{by_count3} (digits with fewer images have fewer to get right). In the confusion matrix, "
                       "the share is a row's diagonal count over the row's total.",
                       digit=digit, share=share, count=count, by_share=by_share[0], by_share2=by_share[1],
                       by_share3=by_share[2], by_count=by_count[0], by_count2=by_count[1], by_count3=by_count[2]))
    if float(per_class[digit]) - min(float(v) for v in per_class) < 1 / max(int(np.asarray(cm)[digit].sum()), 1):
        return wrong(_("close: digit {digit} ({share} of its images, {count}) is within one image of the hardest "
                       "by share, but a digit does slightly worse: compare the shares to three decimals, or count "
                       "the images recognised.", digit=digit, share=share, count=count))
    return wrong(_("digit {digit} is recognised on {share} of its validation images ({count}): at least one digit "
                   "does worse, both as a share of its own images and in images right. In each row of the "
                   "confusion matrix, compare the diagonal count with the row's total.",
                   digit=digit, share=share, count=count))


register(
    Exercise("05.1", "write", "the original 784-256-256-10 network with its flatten", code(_net),
             blank=N_("write Net, then run this cell again."), wrong_answers=NET_WRONG_ANSWERS,
             reference=reference_net),
    Exercise("05.2", "write", "the epoch loop over a DataLoader with a validation pass", code(_loop),
             blank=N_("write train_and_validate, then run this cell again."), wrong_answers=LOOP_WRONG_ANSWERS,
             reference=reference_loop),
    Exercise("05.3", "write", "per-class accuracy, class_correct / class_total", code(_per_class),
             blank=N_("write per_class_accuracy, then run this cell again."), wrong_answers=PER_CLASS_WRONG_ANSWERS,
             reference=reference_per_class),
    Exercise("05.4", "predict", "the accuracy of always answering the most common digit", _judge_baseline,
             giveaways=lambda train_set, val_set, guess: number_giveaways(_baseline(train_set, val_set)),
             context=("train_set", "val_set", "guess"),
             wrong_answers=("answer_4 = float((train_set.y == train_set.y.bincount().argmax()).float().mean())",
                            "answer_4 = 100 * float((val_set.y == train_set.y.bincount().argmax()).float().mean())")),
    Exercise("05.5", "predict", "the hardest digit", _judge_hardest,
             giveaways=lambda per_class, cm: [str(d) for d in _hardest(per_class, cm)], context=("per_class", "cm"),
             wrong_answers=("answer_5 = str(int(per_class.argmax()))",)),
)

"""Lesson 05's exercises: MNIST."""
from __future__ import annotations

from .core import Exercise, register
from .judges import choice, number, number_giveaways
from .lesson01 import WEIGHTS_ONLY, param_count

MLP = [784, 256, 256, 10]


register(
    Exercise("05.1", "compute", "count the MNIST net's parameters",
             number(param_count(MLP), whole=True, explain="784·256 + 256 + 256·256 + 256 + 256·10 + 10 = 269,322.",
                    mistakes=[(lambda v, e: v == sum(a * b for a, b in zip(MLP[:-1], MLP[1:])),
                               WEIGHTS_ONLY)]),
             giveaways=lambda: number_giveaways(param_count(MLP)), wrong_answers=("answer_1 = 268_800",)),
    Exercise("05.2", "compute", "the hardest digit",
             choice(lambda per_class: str(int(per_class.argmin())), [str(d) for d in range(10)],
                    explain=lambda per_class: f"digit {int(per_class.argmin())} has the lowest accuracy, "
                                              f"{float(per_class.min()):.3f}.",
                    hints={}),
             giveaways=lambda per_class: [], context=("per_class",),
             wrong_answers=("answer_2 = str(int(per_class.argmax()))",)),
    Exercise("05.3", "compute", "the mean pixel value",
             number(lambda train_set: train_set.mean,
                    explain="most of an MNIST image is black background, so the mean is small."),
             giveaways=lambda train_set: number_giveaways(train_set.mean), context=("train_set",),
             wrong_answers=("answer_3 = float(train_set.images.float().mean())",)),
)

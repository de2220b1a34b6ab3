"""Lesson 06's exercises: the playground."""
from __future__ import annotations

from .core import Exercise, register
from .judges import choice, number, number_giveaways
from .lesson01 import WEIGHTS_ONLY, param_count

register(
    Exercise("06.1", "predict", "which data set needs a hidden layer",
             choice("xor", ["gaussians", "xor"],
                    explain="XOR's classes sit in opposite corners: no single straight line separates them.",
                    hints={"gaussians": "two round blobs side by side: could one straight line split them?"}),
             giveaways=lambda: ["xor"], wrong_answers=("answer_1 = 'gaussians'",)),
    Exercise("06.2", "compute", "count the playground's parameters",
             number(param_count([2, 8, 8, 2]), whole=True, explain="2·8 + 8 + 8·8 + 8 + 8·2 + 2 = 114.",
                    mistakes=[(lambda v, e: v == 96, WEIGHTS_ONLY)]),
             giveaways=lambda: number_giveaways(param_count([2, 8, 8, 2])), wrong_answers=("answer_2 = 96",)),
    Exercise("06.3", "predict", "units needed to enclose a region",
             number(3, whole=True, explain="a triangle: with 1 or 2 units the region stays open on one side."),
             giveaways=lambda: ["3", "three", "triangle"], wrong_answers=("answer_3 = 4",)),
)

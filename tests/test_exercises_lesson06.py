"""Lesson 06's judges on their own: 06.1's choice, 06.2's explore task, 06.3's count.

The lesson's own solutions and wrong answers run inside the notebook in tests/test_exercises_in_notebooks.py.
"""
import pytest

from course_utils import exercises
from course_utils.exercises import lesson06

STARTER = {"data set": "xor", "activation": "tanh", "frames": 40,
           "test accuracy": {"": [0.6, 0.63, 0.475], "2": [0.785, 0.835, 0.71], "4": [0.915, 0.905, 0.935]}}


def _run(**changes):
    return {**STARTER, **changes}


def test_the_untouched_starter_is_not_answered_yet():
    v = exercises.judge("06.2", STARTER)
    assert v.status == "unanswered" and "starter's setting" in v.message
    # the same setting written otherwise (hidden sizes in another order, seeds the same) is still the starter
    reordered = _run(**{"test accuracy": dict(reversed(list(STARTER["test accuracy"].items())))})
    assert exercises.judge("06.2", reordered).status == "unanswered"


@pytest.mark.parametrize("changes", [
    {"data set": "gaussians", "test accuracy": {"": [0.97, 0.96, 0.98], "4": [0.97, 0.97, 0.98]}},  # flat: sound
    {"activation": "relu"},
    {"frames": 80},
    {"test accuracy": {**STARTER["test accuracy"], "8": [0.95, 0.94, 0.96]}},
    {"data set": "moons", "test accuracy": {"": [0.86, 0.88, 0.85], "2": ["0.9", 0.93, 0.91]}},
])
def test_a_changed_setting_with_a_sound_finding_is_right(changes):
    """The old check refused the Gaussians ('no hidden layer did clearly better') though the task invites them."""
    v = exercises.judge("06.2", _run(**changes))
    assert v.ok, v.message
    assert "xor" not in v.message.lower() or changes.get("data set", "xor") == "xor"


def test_the_finding_is_read_from_the_learners_numbers():
    flat = exercises.judge("06.2", _run(**{"data set": "gaussians", "test accuracy": {"": [0.97, 0.96],
                                                                                      "4": [0.97, 0.98]}}))
    helps = exercises.judge("06.2", _run(frames=80))
    assert "buy little" in flat.message and "clearly help" in helps.message and "'4'" in helps.message


@pytest.mark.parametrize("changes, hint", [
    ({"frames": 2, "test accuracy": {"": [0.6, 0.62], "4": [0.5, 0.48]}}, "more frames"),
    ({"frames": 80, "test accuracy": {"4": [0.9, 0.92]}}, "without a hidden layer"),
    ({"frames": 80, "test accuracy": {"": [0.6], "4": [0.9]}}, "at least two seeds"),
    ({"frames": 80, "test accuracy": {"": [60, 62], "4": [90, 92]}}, "numbers from 0 to 1"),
])
def test_a_changed_setting_without_a_sound_finding_gets_a_hint(changes, hint):
    v = exercises.judge("06.2", _run(**changes))
    assert v.status == "wrong" and hint in v.message


def test_a_result_of_another_kind_is_one_sentence():
    for bad in ({"": [0.6, 0.6], "4": [0.9, 0.9]}, [0.6, 0.9], "xor"):
        v = exercises.judge("06.2", bad)
        assert v.status == "wrong" and "starter's dict" in v.message and v.message.count(". ") == 0


def test_exercise_1_is_xor_with_a_hint_for_the_gaussians():
    assert exercises.judge("06.1", "XOR ").ok and exercises.judge("06.1", "xor").ok
    v = exercises.judge("06.1", "gaussians")
    assert v.status == "wrong" and "xor" not in v.message.lower()


def test_no_explanation_of_exercise_2_states_exercise_1s_answer():
    """06.2's stored ✅ sits just below exercise 1: it said why XOR needs a hidden layer (06.1's answer)."""
    for changes in ({"activation": "relu"}, {"data set": "moons"}, {"frames": 2}):
        message = exercises.judge("06.2", _run(**changes)).message.lower()
        assert "opposite corners" not in message and "one straight line" not in message
    assert lesson06.HIDDEN_STARTER["data set"] == "xor"

"""The exercise registry, verdicts, and the calls a lesson makes: ``check``, ``judge`` and ``probe``.

An exercise cell holds only the learner's answer and a call such as
``exercises.check("04.2", answer_2)`` (plus the lesson objects the check needs, by name:
``exercises.check("05.2", answer_2, per_class=per_class)``). What is right, the hints for typical
mistakes and the explanation live here, in the package: one module per lesson
(``course_utils.exercises.lesson04`` ...). A wrong answer gets a hint that never states the
answer; the explanation comes with the ✅.
"""
from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..i18n import N_, _

Status = Literal["right", "wrong", "unanswered"]
KINDS = ("predict", "write", "debug", "explore", "compute")
_MARKS = {"right": N_("✅ Right: "), "wrong": N_("❌ Not yet: "), "unanswered": N_("⏳ Not answered yet: ")}


@dataclass(frozen=True)
class Verdict:
    """What a check says: ``status`` (right, wrong or unanswered) and one message."""

    status: Status
    message: str

    @property
    def ok(self) -> bool:
        return self.status == "right"

    def __str__(self) -> str:
        return _(_MARKS[self.status]) + self.message


# The message of a verdict is translated here (course_utils.i18n): ``wrong("... {n} ...", n=n)`` fills in the
# values after translating, and a text marked N_("...") elsewhere is translated when it reaches a verdict.
def right(explanation: str, **values: Any) -> Verdict:
    """✅, with the full explanation."""
    return Verdict("right", _(explanation, **values))


def wrong(hint: str, **values: Any) -> Verdict:
    """❌, with a hint that moves the learner on and never states the answer."""
    return Verdict("wrong", _(hint, **values))


def unanswered(what: str, **values: Any) -> Verdict:
    """⏳: nothing to judge yet. A notebook run never fails on it."""
    return Verdict("unanswered", _(what, **values))


@dataclass(frozen=True)
class Exercise:
    """One exercise of one lesson.

    ``judge(answer, **context)`` returns a :class:`Verdict` for an answer that is not ``None``.
    ``context`` names the lesson objects the check call must pass. ``giveaways(**context)`` lists
    the strings that would give the answer away: no hint and no exercise cell may contain them.
    ``wrong_answers`` are snippets of code with a typical mistake, as a learner would type them
    in the exercise cell; the tests run each in the lesson and require a ❌ without giveaways.
    ``reference(**context)`` returns the course's own version of a piece the lesson goes on with (a
    class, a function, a trained model): :func:`build` hands it on until the learner's version passes.
    """

    id: str
    kind: str
    title: str
    judge: Callable[..., Verdict]
    giveaways: Callable[..., Sequence[str]] = lambda **context: ()
    wrong_answers: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    blank: str = N_("replace None with your answer, then run this cell again.")
    reference: Callable[..., Any] | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d\d\.\d+", self.id):
            raise ValueError(_("exercise ids look like '04.2' (lesson, number), not {id!r}.", id=self.id))
        if self.kind not in KINDS:
            raise ValueError(_("exercise kind {kind!r} is unknown: use one of {kinds}.",
                               kind=self.kind, kinds=', '.join(KINDS)))


REGISTRY: dict[str, Exercise] = {}
_LAST: dict[str, Verdict] = {}   # the latest verdict of each exercise in this kernel, for require()


def register(*exercises: Exercise) -> None:
    """Add exercises to the registry (each id once)."""
    for ex in exercises:
        if ex.id in REGISTRY and REGISTRY[ex.id] is not ex:
            raise ValueError(_("exercise {id} is registered twice.", id=ex.id))
        REGISTRY[ex.id] = ex


def get(exercise_id: str) -> Exercise:
    """The exercise with this id, loading its lesson's module on first use."""
    if not isinstance(exercise_id, str) or not re.fullmatch(r"\d\d\.\d+", exercise_id):
        raise ValueError(_("exercise ids look like '04.2' (lesson, number), not {exercise_id!r}.",
                           exercise_id=exercise_id))
    if exercise_id not in REGISTRY:
        try:
            importlib.import_module(f"course_utils.exercises.lesson{exercise_id[:2]}")
        except ModuleNotFoundError:
            pass
    if exercise_id not in REGISTRY:
        raise ValueError(_("there is no exercise {exercise_id}: check the number in the exercise's heading.",
                           exercise_id=exercise_id))
    return REGISTRY[exercise_id]


def all_exercises() -> list[Exercise]:
    """Every exercise of every lesson module, in id order."""
    import pkgutil

    from course_utils import exercises as package
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("lesson"):
            importlib.import_module(f"course_utils.exercises.{info.name}")
    return [REGISTRY[k] for k in sorted(REGISTRY)]


def judge(exercise_id: str, answer: Any, **context: Any) -> Verdict:
    """The verdict on ``answer`` (``None`` means not answered yet)."""
    ex = get(exercise_id)
    missing = [name for name in ex.context if name not in context]
    if missing:
        args = ", ".join(f"{m}={m}" for m in missing)
        raise ValueError(_("exercise {exercise_id} also needs {args} in its check call: "
                           "exercises.check({exercise_id!r}, answer, {args}).", exercise_id=exercise_id, args=args))
    if answer is None:
        return unanswered(ex.blank)
    try:
        return ex.judge(answer, **{k: context[k] for k in ex.context})
    except Exception as exc:  # the learner's code can fail in any way: say how, never crash the check
        return wrong(_("running your answer raised {name}: {exc}", name=type(exc).__name__, exc=exc))


def check(exercise_id: str, answer: Any, **context: Any) -> None:
    """Print one line: ✅ right (with the explanation), ❌ not yet (with a hint) or ⏳ not answered."""
    verdict = _LAST[exercise_id] = judge(exercise_id, answer, **context)
    print(verdict)


GOES_ON = N_(" Until yours passes, the cells below use the course's version.")


def build(exercise_id: str, answer: Any, **context: Any) -> Any:
    """Judge a piece the lesson goes on with: print one line, return the piece to use from here on.

    That is the learner's ``answer`` once it is right; until then the course's reference, so an
    unfinished or wrong piece never sets off a cascade of errors in the cells below.
    """
    ex = get(exercise_id)
    if ex.reference is None:
        raise ValueError(_("exercise {exercise_id} has no reference to go on with: use exercises.check.",
                           exercise_id=exercise_id))
    verdict = _LAST[exercise_id] = judge(exercise_id, answer, **context)
    if verdict.ok:
        print(verdict)
        return answer
    print(f"{verdict}{_(GOES_ON)}")
    return ex.reference(**{k: context[k] for k in ex.context})


def require(exercise_id: str) -> None:
    """For graded (hidden) tests: raise ``AssertionError`` unless this kernel's last verdict on it is ✅."""
    verdict = _LAST.get(exercise_id)
    if verdict is None:
        raise AssertionError(_("exercise {exercise_id} has not been checked in this run: run its check cell.",
                               exercise_id=exercise_id))
    if not verdict.ok:
        raise AssertionError(str(verdict))


def probe(exercise_id: str, answer: Any, **context: Any) -> None:
    """For the tests: print the verdict and the answer's giveaways as one JSON line."""
    ex = get(exercise_id)
    verdict = judge(exercise_id, answer, **context)
    print("PROBE " + json.dumps({"id": exercise_id, "status": verdict.status, "message": verdict.message,
                                 "giveaways": list(ex.giveaways(**{k: context[k] for k in ex.context}))}))

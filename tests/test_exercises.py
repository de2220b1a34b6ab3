"""The exercise machinery: verdicts, the registry, and the reusable judges.

Every exercise's solution and typical wrong answers are run inside its lesson by
tests/test_exercises_in_notebooks.py; here the parts are checked on their own.
"""
import json
import re
from pathlib import Path

import pytest

from course_utils import exercises
from course_utils.exercises import core, judges

ROOT = Path(__file__).resolve().parents[1]


def test_verdicts_print_one_marked_line(capsys):
    assert str(core.right("because.")) == "✅ Right: because."
    assert str(core.wrong("look again.")) == "❌ Not yet: look again."
    assert str(core.unanswered("fill it in.")) == "⏳ Not answered yet: fill it in."
    exercises.check("01.3", None)
    assert capsys.readouterr().out.startswith("⏳ Not answered yet")


def test_unknown_exercise_and_missing_context_are_one_sentence():
    with pytest.raises(ValueError, match="there is no exercise 01.9"):
        exercises.check("01.9", 1)
    with pytest.raises(ValueError, match="ids look like '04.2'"):
        exercises.check("1.2", 1)
    with pytest.raises(ValueError, match=r"exercise 01.5 also needs y=y, x=x in its check call"):
        exercises.check("01.5", 0.1)


def test_a_crash_in_the_learners_code_is_a_verdict_not_an_exception():
    def accuracy(logits, labels):
        return logits.argmax(dim=5)
    v = exercises.judge("03.3", accuracy)
    assert v.status == "wrong" and "raised IndexError" in v.message


def test_probe_prints_the_verdict_and_the_giveaways_as_json(capsys):
    exercises.probe("01.4", 4 * 32 + 32 * 16 + 16 * 2)   # the weights of a 4-32-16-2 net, no biases
    line = capsys.readouterr().out
    record = json.loads(line.removeprefix("PROBE "))
    assert record["status"] == "wrong" and "bias" in record["message"] and "722" in record["giveaways"]


def test_number_judge_hints_a_direction_or_a_known_mistake_never_the_value():
    judge = judges.number(0.25, explain="s(0)(1 − s(0)) = 0.25.",
                          mistakes=[(lambda v, e: v == 0.5, "that is the value, not the slope.")])
    assert judge(0.25).ok and "0.25" in judge(0.25).message
    assert judge(0.5).message == "that is the value, not the slope."
    assert "too high" in judge(0.3).message and "too low" in judge(0.1).message
    for bad in ("a quarter", [0.25], True, float("nan")):
        assert judge(bad).status == "wrong" and "one number" in judge(bad).message
    for written in ("0.25", " 0.25 ", "2.5e-1", 1 / 4):   # a right answer however it is written
        assert judge(written).ok
    assert all("0.25" not in judge(v).message for v in (0.5, 0.3, 0.1, "x"))
    assert judges.number(31, whole=True, explain="")(31.0).ok and not judges.number(31, whole=True, explain="")(31.01).ok


def test_shape_judge_recognises_a_transposed_shape():
    judge = judges.shape((1, 10), what="net[2].weight", explain="(out, in).")
    assert judge((1, 10)).ok
    assert "transposed" in judge((10, 1)).message and "(1, 10)" not in judge((10, 1)).message
    assert "2 dimensions" in judge((10,)).message
    assert "tuple of sizes" in judge("one by ten").message and "tuple of sizes" in judge(3).message
    for written in ("(1, 10)", "1, 10", "1x10", "[1, 10]", [1, 10]):   # the shape however it is written
        assert judge(written).ok, written
    assert "transposed" in judge("10, 1").message


def test_choice_judge_gives_the_hint_of_the_wrong_option():
    judge = judges.choice("adam", ["sgd", "adam"], explain="Adam adapts.", hints={"sgd": "same step for all."})
    assert judge("Adam ").ok
    assert judge("sgd").message == "same step for all."
    assert "one of 'sgd', 'adam'" in judge("rmsprop").message


def test_run_turns_a_skeleton_into_not_answered():
    def skeleton(*args):
        return None

    def todo(*args):
        raise NotImplementedError
    for fn in (skeleton, todo):
        with pytest.raises(judges.LearnerError) as err:
            judges.run(fn, 1)
        assert err.value.verdict.status == "unanswered"
    with pytest.raises(judges.LearnerError, match="should be a function"):
        judges.run(42)


def test_number_giveaways_cover_the_usual_ways_of_writing_a_number():
    assert {"0.177", "0.18"} <= set(judges.number_giveaways(0.1767767))
    assert "112,881" in judges.number_giveaways(112881) and "112881" in judges.number_giveaways(112881)


# --- the registry against the notebooks ----------------------------------------------------------------------

def _notebook_ids():
    ids = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            for exercise_id in re.findall(r"exercises\.(?:check|build)\(\s*[\"'](\d\d\.\d+)[\"']",
                                          "".join(cell["source"])):
                ids.setdefault(exercise_id, []).append(path.name)
    return ids


def test_every_registered_exercise_is_asked_exactly_once_in_its_lesson():
    registered = {ex.id for ex in exercises.all_exercises()}
    asked = _notebook_ids()
    assert registered == set(asked), (f"registered but never asked: {registered - set(asked)}; "
                                      f"asked but not registered: {set(asked) - registered}")
    for exercise_id, where in asked.items():
        assert where == [next(p for p in where if p.startswith(exercise_id[:2]))], (exercise_id, where)


def _twice(f):
    return core.right("twice.") if judges.run(f, 3) == 6 else core.wrong("twice?")


def test_build_hands_on_the_learners_piece_once_right_and_the_courses_until_then(capsys):
    core.register(core.Exercise("98.1", "write", "double", judge=judges.code(_twice),
                                wrong_answers=("def double(x):\n    return x",), reference=lambda: (lambda x: 2 * x)))
    core.register(core.Exercise("98.2", "write", "no reference", judge=judges.code(_twice)))
    try:
        def stub(x):
            pass
        used = exercises.build("98.1", stub)
        out = capsys.readouterr().out
        assert used is not stub and used(4) == 8
        assert out.startswith("⏳ Not answered yet") and out.rstrip().endswith(core.GOES_ON.strip()), out
        with pytest.raises(AssertionError, match="Not answered yet"):
            exercises.require("98.1")
        assert exercises.build("98.1", lambda x: x)(5) == 10
        assert capsys.readouterr().out.startswith("❌ Not yet: twice?")
        with pytest.raises(AssertionError, match="twice"):
            exercises.require("98.1")
        mine = lambda x: x + x  # noqa: E731
        assert exercises.build("98.1", mine) is mine and capsys.readouterr().out == "✅ Right: twice.\n"
        exercises.require("98.1")   # passes
        with pytest.raises(AssertionError, match="has not been checked"):
            exercises.require("98.2")
        with pytest.raises(ValueError, match="no reference"):
            exercises.build("98.2", mine)
    finally:
        for k in ("98.1", "98.2"):
            core.REGISTRY.pop(k, None)
            core._LAST.pop(k, None)


def test_every_built_piece_has_a_reference_to_go_on_with():
    built = {i for i in _notebook_ids() for path in (ROOT / "notebooks").glob(f"{i[:2]}_*.ipynb")
             if f'exercises.build("{i}"' in path.read_text().replace("\\", "")}
    assert built, "the lessons build pieces with exercises.build"
    assert not [i for i in built if exercises.get(i).reference is None], "exercise.reference for each built piece"


@pytest.mark.parametrize("ex", exercises.all_exercises(), ids=lambda ex: ex.id)
def test_every_exercise_has_a_typical_wrong_answer_to_test_its_hint(ex):
    assert ex.wrong_answers, f"exercise {ex.id} needs at least one typical wrong answer"
    assert ex.kind in core.KINDS and ex.title


def test_module_class_judge_names_what_is_not_a_module_class():
    import torch
    class Net(torch.nn.Module):
        def __init__(self, n_in, n_out):
            super().__init__()
            self.fc = torch.nn.Linear(n_in, n_out)
    seen = []
    def check_one(cls, sizes, first):
        seen.append((sizes, first))
        return None
    assert judges.module_class(Net, "Net", [(2, 3), (4, 5)], check_one) is None and seen == [((2, 3), True), ((4, 5), False)]
    assert "class itself" in judges.module_class(Net(2, 3), "Net", [(2, 3)], check_one).message
    assert "subclasses torch.nn.Module" in judges.module_class(int, "Net", [(2, 3)], check_one).message
    failing = judges.module_class(Net, "Net", [(2, 3), (4, 5)], lambda c, s, f: None if f else core.wrong("second"))
    assert failing.message == "second"


def test_missing_module_init_tells_the_skeleton_from_a_forgotten_super_init():
    import torch
    class Skeleton(torch.nn.Module):
        def __init__(self):
            pass
        def forward(self, x):
            raise NotImplementedError
    class NoSuper(torch.nn.Module):
        def __init__(self):
            self.n = 3
        def forward(self, x):
            return x
    x = torch.zeros(1, 2)
    assert judges.missing_module_init(Skeleton.__new__(Skeleton), x, "Net").status == "unanswered"
    no_super = NoSuper.__new__(NoSuper)
    no_super.__dict__["n"] = 3
    assert "never runs super().__init__()" in judges.missing_module_init(no_super, x, "Net").message


# --- no exercise's text states another exercise's answer ------------------------------------------------------

def _gives_away(text: str, giveaways: list[str]) -> list[str]:
    """The giveaways written in ``text`` as a whole word or number (the notebook test's rule)."""
    return [g for g in giveaways if re.search(rf"(?<![\w.]){re.escape(g)}(?![\w]|\.\d)", text, re.IGNORECASE)]


def _texts_by_exercise(module: object) -> dict[str, set[str]]:
    """For each exercise of a lesson module: the strings its judge can print (hints and explanations).

    An exercise's strings are those of its ``Exercise(...)`` call and of every top-level function or constant
    that call reaches (its id, kind and title are not printed, so they do not count).
    """
    import ast
    import inspect
    tree = ast.parse(inspect.getsource(module))
    defs, calls = {}, {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defs[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                if isinstance(target, ast.Name):
                    defs[target.id] = node
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Exercise" and node.args:
            calls[node.args[0].value] = node

    def reach(node) -> set[str]:
        seen, todo = set(), [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
        while todo:
            name = todo.pop()
            if name in defs and name not in seen:
                seen.add(name)
                todo += [n.id for n in ast.walk(defs[name]) if isinstance(n, ast.Name)]
        return seen

    def strings(nodes) -> set[str]:
        docs = {id(n.body[0].value) for n in nodes if isinstance(n, ast.FunctionDef) and ast.get_docstring(n)}
        return {n.value for node in nodes for n in ast.walk(node)   # messages, not keys or setting values
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and " " in n.value.strip()
                and id(n) not in docs}

    for call in calls.values():   # what check prints comes from the judge and its arguments, not the id or title
        call.args = call.args[3:]
        call.keywords = [k for k in call.keywords if k.arg not in ("title", "kind")]
    return {eid: strings([call, *(defs[name] for name in reach(call))]) for eid, call in calls.items()}


LESSONS = sorted({ex.id[:2] for ex in exercises.all_exercises()})


@pytest.mark.parametrize("lesson", LESSONS)
def test_no_hint_or_explanation_states_another_exercises_answer(lesson):
    """E.g. 06.2's ✅, stored just below exercise 1, said why XOR needs a hidden layer: 06.1's answer."""
    import importlib
    module = importlib.import_module(f"course_utils.exercises.lesson{lesson}")
    texts = _texts_by_exercise(module)
    answers = {ex.id: list(ex.giveaways()) for ex in exercises.all_exercises()
               if ex.id.startswith(lesson) and not ex.context}   # where practical: giveaways needing no lesson objects
    leaks = {}
    for owner, words in answers.items():
        for other, strings in texts.items():
            own = strings - texts.get(owner, set())   # a helper both exercises use speaks for the owner
            found = {s: _gives_away(s, words) for s in own if other != owner and _gives_away(s, words)}
            if found:
                leaks[f"{other} states {owner}'s answer"] = found
    assert answers and not leaks, leaks

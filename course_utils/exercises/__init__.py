"""Self-checking exercises: ``exercises.check("04.2", answer_2)`` prints one line.

✅ right (with the explanation), ❌ not yet (with a hint that never gives the answer away) or
⏳ not answered yet (a notebook run never fails on it). Expected values, hints and explanations
live in one module per lesson (``lesson01`` ...), never in the exercise cell.
"""
from .core import Exercise, Verdict, all_exercises, build, check, get, judge, probe, register, require

__all__ = ["Exercise", "Verdict", "all_exercises", "build", "check", "get", "judge", "probe", "register", "require"]

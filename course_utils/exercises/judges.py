"""Reusable judges: a number, a shape, a choice, and running the learner's code safely.

Each builder returns ``judge(answer, **context) -> Verdict``. Expected values may be functions
of the lesson's objects (``expected=lambda per_class: ...``), so they follow the run.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..i18n import N_, _
from .core import Verdict, right, unanswered, wrong

Judge = Callable[..., Verdict]
Mistake = tuple[Callable[..., bool], str]


def _value(x: Any, context: Mapping[str, Any]) -> Any:
    return x(**context) if callable(x) else x


def as_number(answer: Any) -> float | None:
    """The number an answer stands for, however it is written: ``3``, ``0.01``, ``"0.01"``, ``" 1e-2 "``, a
    NumPy number or a one-element tensor; ``None`` for anything else (a bool, a list, a word, ``nan``)."""
    import numbers
    if isinstance(answer, bool) or answer is None:
        return None
    if hasattr(answer, "item") and not isinstance(answer, (str, bytes)):
        try:
            answer = answer.item()
        except (TypeError, ValueError, RuntimeError):
            return None
        if isinstance(answer, bool):
            return None
    if isinstance(answer, (str, bytes)):
        try:
            value = float(answer.strip())
        except ValueError:
            return None
    elif isinstance(answer, numbers.Real):
        value = float(answer)
    else:
        return None
    return value if math.isfinite(value) else None


def number_giveaways(value: float) -> list[str]:
    """How a number is usually written down: ``0.25`` → ``["0.25"]``; ``0.1767767`` → ``["0.177", "0.18", ...]``."""
    forms = {f"{value:g}", f"{value:.3g}", f"{value:.2g}", f"{value:.2f}", f"{value:.3f}", f"{value:,}"}
    return sorted(f for f in forms if f not in ("0", "0.0", "0.00", "0.000", "-0"))


def number(expected: float | Callable[..., float], *, explain: str | Callable[..., str],
           rtol: float = 1e-3, mistakes: Sequence[Mistake] = (), whole: bool = False) -> Judge:
    """A number within ``rtol`` of ``expected`` (exactly, for ``whole=True``).

    ``mistakes`` are ``(test(value, expected), hint)`` pairs tried in order on a wrong answer;
    otherwise the hint says which way the number is off.
    """
    def judge(answer: Any, **context: Any) -> Verdict:
        value = as_number(answer)
        if value is None:
            return wrong(_("give one number, such as {whole} (or the same as a string), not a {name}.",
                           whole='12' if whole else '0.5', name=type(answer).__name__))
        e = float(_value(expected, context))
        ok = value == e if whole else math.isclose(value, e, rel_tol=rtol, abs_tol=1e-12)
        if ok:
            return right(_value(explain, context))
        for test, hint in mistakes:
            if test(value, e):
                return wrong(hint)
        return wrong(N_("that is too high: look again at how it is computed.") if value > e else
                     N_("that is too low: look again at how it is computed."))
    return judge


def shape(expected: tuple[int, ...] | Callable[..., tuple[int, ...]], *, explain: str | Callable[..., str],
          what: str) -> Judge:
    """A shape, given as a tuple (or ``torch.Size``)."""
    def judge(answer: Any, **context: Any) -> Verdict:
        if isinstance(answer, str) and re.fullmatch(r"[\s(\[]*\d+(\s*[,x×]\s*\d+)*[\s,)\]]*", answer):
            answer = re.findall(r"\d+", answer)   # "(2, 7)", "2, 7", "2x7": the sizes as written
        try:
            got = tuple(int(v) for v in answer)
        except (TypeError, ValueError):
            return wrong("a shape is a tuple of sizes, such as (3, 2).")
        e = tuple(_value(expected, context))
        if got == e:
            return right(_value(explain, context))
        if len(got) != len(e):
            return wrong(_("{what} has {n_e} dimensions, so its shape has {n_e} sizes.", what=what, n_e=len(e)))
        if got == e[::-1]:
            return wrong(_("you have it transposed: check the order in which PyTorch stores the sizes of {what}.",
                           what=what))
        return wrong(_("those sizes are not those of {what}: look at the layer's in_features and out_features.",
                       what=what))
    return judge


def shape_giveaways(value: tuple[int, ...]) -> list[str]:
    return [str(tuple(value)), ", ".join(map(str, value)), ",".join(map(str, value))]


def choice(expected: str | Callable[..., str], options: Sequence[str], *, explain: str | Callable[..., str],
           hints: Mapping[str, str] | None = None) -> Judge:
    """One of a few named options (case-insensitive); ``hints`` maps a wrong option to its hint."""
    def judge(answer: Any, **context: Any) -> Verdict:
        got = str(answer).strip().lower()
        if got not in [o.lower() for o in options]:
            return wrong(_("answer with one of {map_options}.", map_options=', '.join(map(repr, options))))
        if got == str(_value(expected, context)).lower():
            return right(_value(explain, context))
        default = _("not that one: reread the question and think about what the other option does.")
        return wrong((hints or {}).get(got, default))
    return judge


class LearnerError(Exception):
    """The learner's function raised, or returned nothing: carries the verdict to give."""

    def __init__(self, verdict: Verdict):
        super().__init__(verdict.message)
        self.verdict = verdict


def run(fn: Any, *args: Any, name: str = N_("your function")) -> Any:
    """Call the learner's ``fn``; an exception or a ``None`` result becomes a :class:`LearnerError`."""
    if not callable(fn):
        raise LearnerError(wrong(_("{name} should be a function (def ...), not a {name2}.",
                                   name=name, name2=type(fn).__name__)))
    try:
        out = fn(*args)
    except NotImplementedError:
        raise LearnerError(unanswered("{name} still raises NotImplementedError: fill in its body.",
                                      name=name)) from None
    except Exception as exc:
        raise LearnerError(wrong("{name} raised {error}: {exc}",
                                 name=name, error=type(exc).__name__, exc=exc)) from None
    if out is None:
        raise LearnerError(unanswered(_("{name} still returns None: fill in its body and return the result.",
                                        name=name)))
    return out


def code(judge_fn: Judge) -> Judge:
    """Wrap a judge that runs learner code with :func:`run`: its LearnerErrors become verdicts."""
    def judge(answer: Any, **context: Any) -> Verdict:
        try:
            return judge_fn(answer, **context)
        except LearnerError as err:
            return err.verdict
    judge.__doc__ = judge_fn.__doc__
    return judge


# --- a learner's nn.Module class, built and traced (lessons 01 and 03) ------------------------------------------

def _call(name: str, sizes: Sequence[int]) -> str:
    return f"{name}{tuple(sizes)}"


def build_module(cls: Any, sizes: Sequence[int], name: str, args: Sequence[str]) -> Any:
    """``cls(*sizes)`` under a fixed seed (the learner's RNG untouched); a LearnerError names what went wrong."""
    from ..runtime import seeded
    call = _call(name, sizes)
    try:
        with seeded(0):
            return cls(*sizes)
    except NotImplementedError:
        raise LearnerError(unanswered("{name} still raises NotImplementedError: write its __init__.",
                                      name=name)) from None
    except AttributeError as exc:
        if "before Module.__init__() call" in str(exc):
            raise LearnerError(wrong(
                _("{call} raised AttributeError ({exc}): that is a missing super().__init__(). Call it first in "
                  "__init__: nn.Module's own constructor sets up the registry that your layers are stored in.",
                  call=call, exc=exc)
            )) from None
        raise LearnerError(wrong("{call} raised AttributeError: {exc}", call=call, exc=exc)) from None
    except TypeError as exc:
        raise LearnerError(wrong(_("{call} raised TypeError ({exc}): __init__ takes {args}, in that order.",
                                   call=call, exc=exc, args=', '.join(args)))) from None
    except Exception as exc:
        raise LearnerError(wrong("{call} raised {error}: {exc}",
                                 call=call, error=type(exc).__name__, exc=exc)) from None


def trace_linears(net: Any, x: Any, sizes: Sequence[int], first_sizes: Sequence[int], name: str
                  ) -> tuple[Any, list]:
    """``net(x)``, and ``(layer, input, output)`` of every registered Linear layer in the order forward calls them.

    ``first_sizes`` is the shape tried first: when that one worked and ``sizes`` fails, the layers were built
    from fixed numbers rather than the constructor's arguments.
    """
    from torch import nn
    calls: list = []
    hooks = [m.register_forward_hook(lambda m, inp, out: calls.append((m, inp[0].detach(), out.detach())))
             for m in net.modules() if isinstance(m, nn.Linear)]
    call = _call(name, sizes)
    try:
        out = net(x)
    except NotImplementedError:
        raise LearnerError(unanswered("forward still raises NotImplementedError: write it.")) from None
    except RuntimeError as exc:
        if tuple(sizes) != tuple(first_sizes):
            raise LearnerError(wrong(
                _("{call_name} works, but {call} fails on a batch of shape {tuple_x}: build every layer from the "
                  "constructor's arguments, not from fixed numbers.",
                  call_name=_call(name, first_sizes), call=call, tuple_x=tuple(x.shape)))) from None
        raise LearnerError(wrong(
            _("{call} fails on a batch of shape {tuple_x} ({exc}): a Linear layer takes (in_features, "
              "out_features), and each one's in_features must equal the size of what reaches it, the input's "
              "features first, then the previous layer's out_features.",
              call=call, tuple_x=tuple(x.shape), exc=str(exc).splitlines()[0]))) from None
    except Exception as exc:
        raise LearnerError(wrong(_("calling {call} on a batch raised {name}: {exc}",
                                   call=call, name=type(exc).__name__, exc=exc))) from None
    finally:
        for h in hooks:
            h.remove()
    if out is None:
        raise LearnerError(unanswered("forward still returns None: return the output layer's result."))
    return out, calls


def missing_module_init(net: Any, x: Any, name: str) -> Verdict:
    """The instance never ran nn.Module.__init__: the untouched skeleton, or a missing super().__init__()."""
    try:
        out = type(net).forward(net, x)
    except NotImplementedError:
        out = None
    except Exception:
        out = "ran"
    if out is None and not vars(net):
        return unanswered(_("{name} is still the skeleton: write its __init__ and its forward.", name=name))
    return wrong(_("{name} never runs super().__init__(), so it is not a working nn.Module (calling it fails, and "
                   "it has no parameters): call super().__init__() first in __init__, then create the layers.",
                   name=name))


def module_class(cls: Any, name: str, shapes: Sequence[Sequence[int]],
                 check_one: Callable[[Any, Any, bool], Verdict | None]) -> Verdict | None:
    """None when ``cls`` is an nn.Module subclass that ``check_one(cls, sizes, first)`` accepts in every shape."""
    from torch import nn
    if isinstance(cls, nn.Module):
        return wrong(_("pass the class itself ({name}), not a network built from it.", name=name))
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        return wrong(_("{name} should be a class that subclasses torch.nn.Module.", name=name))
    for i, sizes in enumerate(shapes):
        verdict = check_one(cls, sizes, i == 0)
        if verdict is not None:
            return verdict
    return None


# --- explore tasks: the learner's own run, judged against the starter's setting ------------------------------------

def same_setting(a: Any, b: Any) -> bool:
    """Whether two settings are the same: numbers within 1e-9 (however written), sequences element by element
    in any order, mappings key by key, anything else by ``==``."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(same_setting(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple, set, frozenset)) and isinstance(b, (list, tuple, set, frozenset)):
        def key(v: Any) -> tuple[float, str]:
            number_ = as_number(v)
            return (math.inf, str(v)) if number_ is None else (number_, "")
        return len(a) == len(b) and all(same_setting(x, y) for x, y in zip(sorted(a, key=key), sorted(b, key=key)))
    x, y = as_number(a), as_number(b)
    if x is not None and y is not None:
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def explore(starter: Mapping[str, Any], setting: Callable[[Any], Mapping[str, Any]], invite: str,
            finding: Judge) -> Judge:
    """An explore task's judge: the untouched starter is ⏳, a changed setting gets ``finding(result)``.

    ``setting(result)`` reads the learner's setting from the result (a :class:`LearnerError` for a result
    that is not the starter's kind); ``starter`` is the starter's. ``finding`` judges what the learner's
    own numbers show: ✅ with the finding they support, or ❌ with a hint when they support none.
    ``invite`` says what the task invites to change.
    """
    def judge(result: Any, **context: Any) -> Verdict:
        try:
            mine = setting(result)
        except LearnerError as err:
            return err.verdict
        if same_setting(dict(mine), dict(starter)):
            return unanswered(_("this is the starter's setting, as given: {invite}, then run the cell again; the "
                                "check reads what your run shows.", invite=invite))
        return finding(result, **context)
    return judge


def read_sweep(result: Any, key: str, what: str) -> tuple[Any, dict[float, float]]:
    """An explore sweep ``{"steps": n, key: {rate: median final error}}`` as ``(steps, {rate: error})``.

    An error may be ``inf`` (the run diverged); a result of another kind is a :class:`LearnerError` in one sentence.
    """
    if not isinstance(result, Mapping) or "steps" not in result or not isinstance(result.get(key), Mapping):
        raise LearnerError(wrong(_("result should be the starter's dict, with 'steps' and {key!r} ({what} to its "
                                   "median final MSE): run the starter cell first.", key=key, what=what)))
    table = {}
    for rate, error in result[key].items():
        r = as_number(rate)
        try:
            e = float(error.item() if hasattr(error, "item") else error)
        except (TypeError, ValueError):
            e = math.nan
        if r is None or math.isnan(e) or e < 0:
            raise LearnerError(wrong(_("result[{key!r}] should map each {what} to its median final MSE, a number "
                                       "from 0 up (inf for runs that diverged), not {rate!r}: {error!r}.",
                                       key=key, what=what, rate=rate, error=error)))
        table[r] = e
    return result["steps"], table


def sweep_setting(key: str, what: str) -> Callable[[Any], dict[str, Any]]:
    """The setting of a sweep: its steps and the rates it tried."""
    def setting(result: Any) -> dict[str, Any]:
        steps, table = read_sweep(result, key, what)
        return {"steps": steps, "rates": tuple(table)}
    return setting


def outside(table: dict[float, float], ranges: dict[float, tuple[float, float]]) -> tuple[float, float] | None:
    """The first ``(setting, value)`` of ``table`` whose value lies outside its known ``(low, high)`` range."""
    for key, (lo, hi) in ranges.items():
        value = next((v for k, v in table.items() if math.isclose(k, key)), None)
        if value is not None and not lo <= value <= hi:
            return key, value
    return None


def sweep_finding(table: Mapping[float, float], steps: Any, what: str) -> Verdict | str:
    """What a sweep of one rate shows (a sentence), or a hint when it shows nothing to compare."""
    if len(table) < 2:
        return wrong(_("try at least two values of the {what}: a finding is a comparison.", what=what))
    finite = {r: e for r, e in table.items() if math.isfinite(e)}
    if not finite:
        return wrong(_("every {what} you tried diverged: add smaller ones, so that the table has runs to compare.",
                       what=what))
    best = min(finite, key=finite.get)
    low, high = min(finite.values()), max(finite.values())
    if high <= 1.2 * low and len(finite) == len(table):
        return wrong(_("the values of the {what} you tried all end within 20 % of each other: spread them further "
                       "apart (a factor of 3 or more) to see what it changes.", what=what))
    parts = [_("with {steps} steps, the lowest median final MSE, {finite:.3g}, came at {what} {best:g}",
               steps=steps, finite=finite[best], what=what, best=best)]
    below = [table[r] / finite[best] for r in table if r < best]
    if below and max(below) >= 10:
        parts.append(_("smaller values ended higher, up to {below:.0f} times: their steps were too small for the "
                       "budget", below=max(below)))
    elif below:
        parts.append(_("smaller values ended within a factor of {below:.1f} of it", below=max(below)))
    above = sorted(r for r in table if r > best)
    diverged = [f"{r:g}" for r in above if not math.isfinite(table[r])]
    worst = max((finite[r] / finite[best] for r in above if r in finite), default=0.0)
    if diverged or worst >= 10:
        parts.append(_("larger values ended higher")
                     + (_(", up to {worst:.0f} times", worst=worst) if worst >= 10 else "")
                     + (_(" ({what} {values} diverged)", what=what, values=", ".join(diverged)) if diverged else "")
                     + _(": past a point the steps overshoot"))
    elif above:
        parts.append(_("larger values ended within a factor of {worst:.1f} of it", worst=worst))
    return _("; ").join(parts) + _(".")

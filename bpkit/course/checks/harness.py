"""The check decorator, the registry of graded checks, and the declarative form of a check.

:func:`check` turns a check body into a graded check: registered in :data:`REGISTRY` under its exercise
id, callable from a student's check cell (it prints the PASSED line or raises :class:`CheckFailed`), and
with a ``judge`` that gives the verdict without printing, which ``bpkit grade`` calls in the grader
with :class:`~bpkit.course.checks.switch.Answer` objects that call the student's functions in their sandbox.

Most checks are the same steps over hidden cases: call the answer with bpkit's own answer switched off,
check the answer's form (shape), compare it with the reference, name the mistake it matches. Such a
check is written as its cases only (:func:`numeric_check`, :class:`Case`): what it is called with, the
reference, the mistake catalogue, the tolerance; the points are in the decorator.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ._core import CheckFailed, Hint, bug_hint, compare, fresh_rng, report, success_line, where_raised
from .switch import Answer, LocalAnswer, StudentRaised, call_answer

#: every registered check, by exercise id ("01.1", ...)
REGISTRY: dict[str, "CheckInfo"] = {}



@dataclass(frozen=True)
class CheckInfo:
    exercise: str
    title: str
    points: int
    function: object
    #: ``judge(*answers)``: the verdict, printing and raising nothing (None if passed)
    judge: object = None


def check(exercise: str, title: str, points: int = 1):
    """Register a graded check for ``exercise`` (e.g. ``"01.1"``) worth ``points``."""

    def decorate(body):
        def judge(*args, **kwargs) -> CheckFailed | None:
            args = [a if isinstance(a, Answer) else LocalAnswer(a) for a in args]
            kwargs = {k: a if isinstance(a, Answer) else LocalAnswer(a) for k, a in kwargs.items()}
            try:
                body(*args, **kwargs)
            except Hint as h:
                return CheckFailed(exercise, title, points, h.hint)
            except StudentRaised as e:
                return CheckFailed(exercise, title, points, e.hint)
            except CheckFailed as failed:
                return failed
            except Exception as e:  # not the student's: the check's own code crashed
                return CheckFailed(exercise, title, points, bug_hint(e), bug=True)
            return None

        @functools.wraps(body)
        def run(*args, **kwargs):
            verdict = judge(*args, **kwargs)
            if verdict is not None:
                raise verdict
            print(success_line(exercise, title, points))

        @functools.wraps(body)
        def run_or_report(*args, **kwargs):
            try:
                run(*args, **kwargs)
            except CheckFailed as failed:
                if not report(failed):
                    raise

        run_or_report.info = CheckInfo(exercise, title, points, run_or_report, judge)
        REGISTRY[exercise] = run_or_report.info
        return run_or_report

    return decorate


class AnswerRaised(Exception):
    """The student's code raised in a cell that tries their answer outside a check (:func:`trying`)."""

    def __init__(self, exercise: str, error: BaseException):
        info = REGISTRY.get(exercise)
        name = f"{exercise} {info.title}" if info else exercise
        what = ("not answered yet" if isinstance(error, NotImplementedError)
                else f"your code raised {type(error).__name__}: {error}{where_raised(error)}")
        super().__init__(f"{name}: {what}")

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


@contextmanager
def trying(exercise: str):
    """For a cell that tries the student's answer to ``exercise`` outside its check (prints a value, say).

    Outside report mode an exception from the student's code goes through unchanged. In report mode
    (``BPKIT_CHECKS=report``) it is shown as one line, ``01.3 forward_pass: not answered yet``, and the
    cell ends normally, so Run All goes on to the checks below it.
    """
    try:
        yield
    except Exception as error:
        if not report(AnswerRaised(exercise, error)):
            raise


# ------------------------------------------------------------------------------ the declarative form
@dataclass
class Case:
    """One hidden case of a check: the student's function is called with ``args`` (copies of them) and must
    give ``expected``; ``mistakes`` maps a hint to the value that mistake gives on this very case.

    ``form`` turns the student's raw answer into something comparable, or raises the :class:`Hint` of a
    wrong form (a shape, a list of the wrong length ...); ``where`` describes the case in hints.
    """

    args: tuple
    expected: object
    name: str
    mistakes: dict = field(default_factory=dict)
    form: Callable | None = None
    where: str = ""
    rtol: float = 1e-6
    atol: float = 1e-9


def copies(args) -> tuple:
    """Independent copies of a case's arguments, so an answer that changes its inputs changes nothing else."""
    from bpkit.network import Forward, Network

    def one(a):
        if isinstance(a, Network):
            return a.copy()
        if isinstance(a, Forward):
            return Forward(a.net.copy(), a.sums.copy(), a.sigmas.copy())
        if isinstance(a, np.ndarray):
            return a.copy()
        return a

    return tuple(one(a) for a in args)


def graded(answer, cases, *, off=(), call: Callable | None = None) -> None:
    """The steps most checks share: for each case, call the answer (bpkit's own answers ``off``) on copies of
    the case's arguments, check its form, and compare it with the reference, naming the mistake it matches.

    ``call(answer, case)`` replaces the call (to add a hint for an error the student's code raised)."""
    for case in cases:
        if call is not None:
            got = call(answer, case)
        else:
            with np.errstate(all="ignore"):
                got = call_answer(answer, *copies(case.args), off=off)
        if case.form is not None:
            got = case.form(got)
        compare(got, case.expected, case.name, case.mistakes, case.rtol, case.atol)


def numeric_check(exercise: str, title: str, points: int = 1, *, off=(), call: Callable | None = None):
    """A graded check written as its hidden cases: decorate ``cases(rng)``, a generator of :class:`Case`.

    The check it makes calls the student's answer on each case as :func:`graded` does, and is registered
    and judged like any :func:`check`, under the name and docstring of ``cases``."""

    def decorate(cases: Callable):
        def body(answer):
            graded(answer, cases(fresh_rng()), off=off, call=call)

        body.__name__, body.__qualname__, body.__doc__ = cases.__name__, cases.__qualname__, cases.__doc__
        body.__module__ = cases.__module__
        return check(exercise, title, points)(body)

    return decorate

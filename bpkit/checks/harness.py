"""The check decorator and the registry of graded checks.

:func:`check` turns a check body into a graded check: registered in :data:`REGISTRY` under its exercise
id, callable from a student's check cell (it prints the PASSED line or raises :class:`CheckFailed`), and
with a ``judge`` that gives the verdict without printing, which ``bpkit grade`` calls in the grader
with :class:`~bpkit.checks.switch.Answer` objects that call the student's functions in their sandbox.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass

from ._core import CheckFailed, Hint, bug_hint, report, success_line, where_raised
from .switch import Answer, LocalAnswer, StudentRaised

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

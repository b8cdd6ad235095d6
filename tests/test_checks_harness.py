"""The harness every check shares (bpkit.course.checks.harness): verdicts, the student's exceptions against the
check's own bugs, and the declarative form."""
from __future__ import annotations

import functools
import importlib
from pathlib import Path

import numpy as np
import pytest

from bpkit.course.checks import REGISTRY, CheckFailed, Hint
from bpkit.course.checks.harness import Case, check, numeric_check
from bpkit.course.checks.wire import Opaque
from check_answers import backprop_by_own_central_differences

for _module in sorted(Path(__file__).resolve().parents[1].glob("bpkit/course/checks/lesson[0-9][0-9].py")):
    importlib.import_module(f"bpkit.course.checks.{_module.stem}")

WEIRD = {"None": None, "a string": "w^1_1", "a ragged list": [[1.0, 2.0], [3.0]], "a dict": {"a": 1},
         "an object that crossed no boundary": Opaque("Student"), "NaN": float("nan"),
         "a huge array": np.zeros((50, 50))}


def answers(info, value):
    """The check's answers (one, or two for 01.4 and 05.4), each returning ``value`` whatever it is given."""
    return [(lambda *a, **k: value)] * _arity(info)


def _arity(info) -> int:
    """How many answers the check cell passes (01.4 and 05.4 take two functions)."""
    return 2 if info.exercise in ("01.4",) else 1


@pytest.mark.parametrize("exercise", sorted(REGISTRY), ids=str)
@pytest.mark.parametrize("kind", sorted(WEIRD))
def test_a_weird_answer_is_the_students_mistake_never_a_bug_of_the_check(exercise, kind):
    """Does every check, given an answer that returns something of no sensible form, fail with a hint for the
    student, and never report a bug of its own?"""
    info = REGISTRY[exercise]
    verdict = info.judge(*answers(info, WEIRD[kind]))
    assert isinstance(verdict, CheckFailed), verdict
    assert not verdict.bug, verdict.hint


def test_an_exception_of_the_check_itself_is_reported_as_its_bug_not_the_students():
    """Does a check whose own code raises say that the check crashed (bug=True), while the same exception
    raised by the student's function is the student's?"""
    @check("99.1", "a check with a bug", points=1)
    def buggy(answer):
        answer(1)
        raise ZeroDivisionError("1/0 in the check")

    @check("99.2", "a sound check", points=1)
    def sound(answer):
        if answer(1) != 2:
            raise Hint("not 2")

    try:
        bug = buggy.info.judge(lambda x: x + 1)
        assert bug.bug and "the check itself crashed (ZeroDivisionError" in bug.hint
        student = sound.info.judge(lambda x: 1 / 0)
        assert not student.bug and student.hint.startswith("your code raised ZeroDivisionError: division by zero")
        assert sound.info.judge(lambda x: x + 1) is None
    finally:
        REGISTRY.pop("99.1"), REGISTRY.pop("99.2")


def test_the_declarative_form_calls_on_copies_checks_the_form_and_names_the_mistake():
    """Does a numeric_check call the answer on copies (an answer that changes its input changes nothing),
    apply the case's form, pass the right answer and name a catalogued mistake?"""
    seen = []

    @numeric_check("99.3", "double an array", points=2)
    def double(rng):
        for _ in range(3):
            x = rng.normal(size=4)
            seen.append(x.copy())
            yield Case((x,), 2 * x, "2x", {"you added 1 instead of doubling.": x + 1},
                       form=lambda a: a if a is not None else (_ for _ in ()).throw(Hint("returned None")))

    def mutating(x):
        y = 2 * x
        x[:] = 0
        return y

    try:
        assert double.info.judge(mutating) is None
        assert all(np.any(s != 0) for s in seen)
        assert double.info.judge(lambda x: x + 1).hint == "you added 1 instead of doubling."
        assert double.info.judge(lambda x: None).hint == "returned None"
        assert double.info.points == 2 and double.__name__ == "double"
    finally:
        REGISTRY.pop("99.3")


# ------------------------------------------------------------------------------ the central-difference trap
FULL_GRADIENT_CHECKS = ("04.5",)


@pytest.mark.parametrize("exercise", FULL_GRADIENT_CHECKS)
@pytest.mark.parametrize("h", [1e-5, 1e-6])
def test_central_differences_of_own_E_are_named(exercise, h):
    """Does a gradient by central differences of the student's own E (no bpkit function called), right to the
    tolerance on every ordinary case, fail on the hidden case where differences are inaccurate, with a hint
    saying so?"""
    for _ in range(3):
        verdict = REGISTRY[exercise].judge(functools.partial(backprop_by_own_central_differences, h=h))
        assert verdict is not None and not verdict.bug
        assert "numerical differentiation is inaccurate" in verdict.hint and "asks for backpropagation" in verdict.hint


@pytest.mark.parametrize("exercise", FULL_GRADIENT_CHECKS)
@pytest.mark.parametrize("h", [1e-1, 1e-2, 1e-3, 1e-4, 1e-7, 1e-8])
def test_central_differences_fail_for_every_step(exercise, h):
    """Does no step h let central differences of E pass for backpropagation?"""
    for _ in range(3):
        assert REGISTRY[exercise].judge(functools.partial(backprop_by_own_central_differences, h=h)) is not None

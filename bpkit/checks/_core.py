"""The machinery every graded check shares.

A graded check is a function decorated with :func:`check`. It receives the student's
answer (usually a function), runs it on hidden randomized cases (a fresh seed every
run), compares it against bpkit's reference, and

* on success prints exactly one deterministic line, ``PASSED 01.1 <title> [2/2 points]``;
* on failure raises :class:`CheckFailed` (an ``AssertionError``) whose message starts
  with ``FAILED 01.1 <title> [0/2 points]`` and then gives a hint that diagnoses the
  mistake in the notation of the notes, without revealing the solution.

Because checks *raise*, nbval fails on them whatever outputs a notebook had saved.
Exceptions raised by the student's own code (``NotImplementedError`` from an
unanswered exercise, a ``TypeError``, a numpy broadcast error ...) are turned into a
``CheckFailed`` with a short message and no chained traceback.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

#: every registered check, by exercise id ("01.1", ...)
REGISTRY: dict[str, "CheckInfo"] = {}


class CheckFailed(AssertionError):
    """A graded check failed; ``str(error)`` is the scorecard line plus the hint."""

    def __init__(self, exercise: str, title: str, points: int, hint: str):
        self.exercise, self.title, self.points, self.hint = exercise, title, points, hint
        super().__init__(f"FAILED {exercise} {title} [0/{points} points]\nHint: {hint}")


class Hint(Exception):
    """Raised inside a check body to fail with ``hint``; the decorator adds the header."""

    def __init__(self, hint: str):
        self.hint = hint
        super().__init__(hint)


@dataclass(frozen=True)
class CheckInfo:
    exercise: str
    title: str
    points: int
    function: object


def success_line(exercise: str, title: str, points: int) -> str:
    return f"PASSED {exercise} {title} [{points}/{points} points]"


def check(exercise: str, title: str, points: int = 1):
    """Register a graded check for ``exercise`` (e.g. ``"01.1"``) worth ``points``."""

    def decorate(body):
        @functools.wraps(body)
        def run(*args, **kwargs):
            try:
                body(*args, **kwargs)
            except Hint as h:
                raise CheckFailed(exercise, title, points, h.hint) from None
            except CheckFailed:
                raise
            except NotImplementedError:
                raise CheckFailed(
                    exercise, title, points,
                    "not answered yet: replace `raise NotImplementedError()` with your code.",
                ) from None
            except Exception as e:  # the student's code crashed
                raise CheckFailed(
                    exercise, title, points,
                    f"your code raised {type(e).__name__}: {e}",
                ) from None
            print(success_line(exercise, title, points))

        run.info = CheckInfo(exercise, title, points, run)
        REGISTRY[exercise] = run.info
        return run

    return decorate


def fresh_rng() -> np.random.Generator:
    """A generator with a fresh seed on every call: hidden cases differ every run."""
    return np.random.default_rng()


def as_array(value, name: str, shape: tuple | None = None) -> np.ndarray:
    """The student's ``value`` as a float array, or a :class:`Hint` saying what is wrong."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Hint(f"{name} should be a number or an array of numbers, got {type(value).__name__}.") from None
    if shape is not None and arr.shape != tuple(shape):
        if arr.shape == tuple(shape)[::-1] and len(shape) == 2:
            raise Hint(
                f"wrong shape: {name} has shape {arr.shape} but should have shape {tuple(shape)}; "
                "did you swap i and j (transpose W)?"
            )
        raise Hint(f"wrong shape: {name} has shape {arr.shape} but should have shape {tuple(shape)}.")
    if not np.all(np.isfinite(arr)):
        raise Hint(f"{name} contains NaN or inf.")
    return arr


def close(a, b, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


def compare(answer, expected, name: str, mistakes: dict | None = None,
            rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Pass if ``answer`` matches ``expected``; otherwise raise the best :class:`Hint`.

    ``mistakes`` maps a hint (e.g. "you forgot the λ/m·w^l_ij term") to the value a
    student making that mistake would get, computed from bpkit's reference on the same
    hidden case. If the answer matches one of them, that hint is given; otherwise a
    generic hint that says how far off the answer is.
    """
    expected = np.asarray(expected, dtype=float)
    arr = as_array(answer, name, expected.shape if expected.ndim else None)
    if arr.shape != expected.shape:
        raise Hint(f"wrong shape: {name} has shape {arr.shape} but should have shape {expected.shape}.")
    if close(arr, expected, rtol, atol):
        return
    matching = []
    for hint, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong, dtype=float)
        if wrong.shape == arr.shape and close(arr, wrong, rtol, atol) and not close(wrong, expected, rtol, atol):
            matching.append(hint)
    if matching:  # two mistakes can give the same numbers on one case: name every one
        raise Hint(" Or: ".join(dict.fromkeys(matching)))
    diff = float(np.max(np.abs(arr - expected)))
    raise Hint(f"{name} is not right on a hidden test case (largest difference {diff:.3g}).")

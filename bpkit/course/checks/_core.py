"""The base every graded check stands on: the verdict protocol, the comparison, the hidden cases' seed.

A graded check (:func:`bpkit.course.checks.harness.check`) receives the student's answer, runs it on hidden
randomized cases, compares it against bpkit's reference, and

* on success prints exactly one deterministic line, ``PASSED 01.1 <title> [2/2 points]``
  (:data:`PASSED_LINE`, :func:`success_line`);
* on failure raises :class:`CheckFailed` (an ``AssertionError``) whose message starts
  with ``FAILED 01.1 <title> [0/2 points]`` (:data:`FAILED_HEAD`) and then gives a hint that diagnoses
  the mistake in the notation of the notes, without revealing the solution.

This protocol is defined here and nowhere else. Because checks *raise*, nbval fails on them whatever
outputs a notebook had saved. In a notebook a failing check reads as a verdict, not a crash:
``CheckFailed`` renders its own traceback (IPython's ``_render_traceback_``), the verdict and the hint
only. In the course's own JupyterLab (``course.py start`` sets ``BPKIT_CHECKS=report``) a failing
check *reports* instead of raising (:func:`report`): it publishes the same error output, which nbval
still fails on, but the cell ends normally, so a student's Run All shows every exercise's verdict.
``bpkit check`` and ``bpkit grade`` start their kernels without that variable.

The other parts: :mod:`.switch` (bpkit's own answers switched off while the student's code runs, and
the student's answer as a check calls it), :mod:`.harness` (the check decorator, the registry and the
declarative form of a check), :mod:`.common` (hidden cases and answer shapes several lessons share),
:mod:`.wire` and :mod:`.serve` (the sandbox boundary of ``bpkit grade``).
"""
from __future__ import annotations

import linecache
import os
import re
import threading
import traceback
from contextlib import contextmanager

import numpy as np

#: ``BPKIT_CHECKS=report`` (set by ``course.py start``): a failing check reports in the notebook
#: and lets Run All go on, instead of raising
MODE_VARIABLE = "BPKIT_CHECKS"


# The protocol between a check and whoever reads its verdict, defined here only: a passing check prints
# one PASSED line; a failing one raises CheckFailed, whose message is the FAILED line, then "Hint: ...".
PASSED_LINE = re.compile(r"^PASSED (?P<exercise>\S+) (?P<title>.*) \[(?P<got>\d+)/(?P<of>\d+) points\]$")
FAILED_HEAD = re.compile(r"^FAILED (?P<exercise>\S+) (?P<title>.*) \[0/(?P<of>\d+) points\]$")


class CheckFailed(AssertionError):
    """A graded check failed; ``str(error)`` is the scorecard line plus the hint.

    ``bug`` is True when the check itself crashed (a bug in bpkit, not in the answer)."""

    def __init__(self, exercise: str, title: str, points: int, hint: str, bug: bool = False):
        self.exercise, self.title, self.points, self.hint, self.bug = exercise, title, points, hint, bug
        super().__init__(f"FAILED {exercise} {title} [0/{points} points]\nHint: {hint}")

    def _render_traceback_(self) -> list[str]:
        """What IPython shows for this exception: the verdict and the hint, no frames of bpkit."""
        return str(self).splitlines()


class Hint(Exception):
    """Raised inside a check body to fail with ``hint``; the decorator adds the header."""

    def __init__(self, hint: str):
        self.hint = hint
        super().__init__(hint)


def success_line(exercise: str, title: str, points: int) -> str:
    return f"PASSED {exercise} {title} [{points}/{points} points]"


def bug_hint(error: BaseException) -> str:
    return (f"the check itself crashed ({type(error).__name__}: {error}): a bug in bpkit's check, not in your "
            "answer. Please tell your instructor.")


def where_raised(error: BaseException) -> str:
    """" (your cell, line 3: `return W @ sigma`)" for the deepest frame of ``error`` that ran in a
    notebook cell, or "" when none did (a cell's code is compiled under a name like
    ``/tmp/ipykernel_12/3.py`` or ``<ipython-input-4-…>``; IPython keeps its lines in ``linecache``)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if "ipykernel_" in f.filename or f.filename.startswith("<ipython-input")]
    if not frames:
        return ""
    frame = frames[-1]
    line = (frame.line or linecache.getline(frame.filename, frame.lineno)).strip()
    return f" (your cell, line {frame.lineno}: `{line}`)" if line else f" (your cell, line {frame.lineno})"


def report(failed: Exception) -> bool:
    """In report mode (``BPKIT_CHECKS=report``, in a running IPython kernel), publish ``failed`` (a
    :class:`CheckFailed` or :class:`AnswerRaised`) as the cell's error output without raising, and return
    True; otherwise return False (the caller raises).

    The output is a real ``error`` message, so nbval fails the cell all the same; only the execution
    itself ends normally, so JupyterLab's Run All does not stop at this exercise.
    """
    if os.environ.get(MODE_VARIABLE) != "report":
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if getattr(shell, "kernel", None) is None:  # not a kernel (plain Python, a terminal IPython)
        return False
    shell.showtraceback((type(failed), failed, None))  # as IPython shows an exception: _render_traceback_
    return True


#: inside :func:`seeded`, this thread's [seed, calls so far]
_SEED = threading.local()


@contextmanager
def seeded(seed: int):
    """While the block runs (in this thread), :func:`fresh_rng` draws from ``seed``: ``bpkit grade`` seeds
    each check from the submission's own code, so grading the same submission twice gives the same cases
    and the same hints, while no two different submissions can count on the same cases."""
    old = getattr(_SEED, "state", None)
    _SEED.state = [int(seed), 0]
    try:
        yield
    finally:
        _SEED.state = old


def fresh_rng() -> np.random.Generator:
    """A generator with a fresh seed on every call: hidden cases differ every run (see :func:`seeded`)."""
    state = getattr(_SEED, "state", None)
    if state is None:
        return np.random.default_rng()
    state[1] += 1
    return np.random.default_rng([state[0], state[1]])


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


def shape_of(value) -> tuple | None:
    """``np.shape(value)``, or None when the student's value has no array shape (a ragged list, a string ...):
    a check that looks at a student's value must not crash on it."""
    if isinstance(value, (str, bytes)):
        return None
    try:
        return np.shape(value)
    except (ValueError, TypeError):
        return None


def float_array(value) -> np.ndarray | None:
    """The student's value as a float array, or None when it is not one."""
    if isinstance(value, (str, bytes)):
        return None
    try:
        return np.asarray(value, dtype=float)
    except (ValueError, TypeError):
        return None


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



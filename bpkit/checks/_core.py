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
``CheckFailed`` with a short message, the line of the student's cell that raised, and no
chained traceback.

In a notebook a failing check reads as a verdict, not a crash: ``CheckFailed`` renders its
own traceback (IPython's ``_render_traceback_``), the verdict and the hint only, whatever
IPython profile the kernel has. In the course's own JupyterLab (``course.py start`` sets
``BPKIT_CHECKS=report``) a failing check *reports* instead of raising: it publishes the same
error output, which nbval still fails on, but the cell ends normally, so a student's
Run All goes on and shows every exercise's verdict. ``bpkit check`` and ``bpkit grade``
start their kernels without that variable.

While the student's code runs, the bpkit functions that would answer the exercise
outright are switched off (:func:`switched_off`, :func:`call_answer`): calling one
fails the check with the hint "you called bpkit.gradient: this exercise asks you to
compute it yourself ...". The check computes its own reference outside that block.
"""
from __future__ import annotations

import collections.abc
import functools
import importlib
import linecache
import os
import re
import threading
import traceback
import types
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

#: every registered check, by exercise id ("01.1", ...)
REGISTRY: dict[str, "CheckInfo"] = {}


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


class StudentRaised(Exception):
    """The student's code raised ``ename: evalue`` (``where``: " (your cell, line N: `...`)" or "").

    Raised by an :class:`Answer` for whatever the student's function raised, in this process or in a
    grading kernel, so a check can tell the student's exceptions from its own bugs."""

    def __init__(self, ename: str, evalue: str, where: str = ""):
        self.ename, self.evalue, self.where = ename, evalue, where
        super().__init__(f"{ename}: {evalue}")

    @property
    def hint(self) -> str:
        if self.ename == "NotImplementedError":
            return "not answered yet: replace `raise NotImplementedError()` with your code."
        return f"your code raised {self.ename}: {self.evalue}{self.where}"


class Answer:
    """The student's answer as a check sees it: calling it calls the student's function, and anything
    that function raises comes out as :class:`StudentRaised` (a :class:`SwitchedOff` as itself).

    :class:`LocalAnswer` calls a function of this process (a student's check cell, ``bpkit check``);
    ``bpkit grade`` passes a :class:`bpkit.grading.remote.RemoteAnswer`, which calls it in the
    student's sandboxed kernel."""

    name = "answer"

    def __call__(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError


class LocalAnswer(Answer):
    def __init__(self, function):
        self.function = function
        self.name = getattr(function, "__name__", type(function).__name__)

    def __call__(self, *args, **kwargs):
        try:
            return _materialized(self.function(*args, **kwargs))
        except SwitchedOff:
            raise
        except Exception as e:
            raise StudentRaised(type(e).__name__, str(e), where_raised(e)) from None


@dataclass(frozen=True)
class CheckInfo:
    exercise: str
    title: str
    points: int
    function: object
    #: ``judge(*answers)``: the verdict, printing and raising nothing (None if passed)
    judge: object = None


def success_line(exercise: str, title: str, points: int) -> str:
    return f"PASSED {exercise} {title} [{points}/{points} points]"


def bug_hint(error: BaseException) -> str:
    return (f"the check itself crashed ({type(error).__name__}: {error}): a bug in bpkit's check, not in your "
            "answer. Please tell your instructor.")


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


# ------------------------------------------------------------------------------ switched off
class SwitchedOff(Hint):
    """Raised by a bpkit function that a check switched off while the student's code runs."""

    def __init__(self, label: str):
        self.label = label
        super().__init__(f"you called {label}: this exercise asks you to compute it yourself ({label} is "
                         "bpkit's reference answer, switched off inside this check).")


#: bpkit's gradients: each also carries the forward record, ∂E/∂σ^l and δ^l = ∂E/∂sum^l of every
#: layer and E itself (``bpkit.backward`` is the backward pass they share)
GRADIENTS = ("bpkit.gradient", "bpkit.backward", "bpkit.output_gradient", "bpkit.scalar.gradient",
             "bpkit.naive.gradient", "bpkit.numerical_gradient", "bpkit.gradient_check")
#: the forward pass: every sum^l and σ^l (``_forward`` is what bpkit's own functions call)
FORWARD = (("bpkit.Network.forward", "net.forward"), ("bpkit.Network._forward", "net._forward"),
           ("bpkit.Network.predict_proba", "net.predict_proba"), ("bpkit.Network.predict", "net.predict"))
#: E(w) and its parts
OBJECTIVE = ("bpkit.objective", "bpkit.cross_entropy", "bpkit.CrossEntropy.fn", "bpkit.penalty")


def _resolve(path: str):
    """The object at a dotted ``path`` such as "bpkit.activations.sigmoid.derivative"."""
    parts = path.split(".")
    obj = importlib.import_module(parts[0])
    for k, part in enumerate(parts[1:], start=1):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[:k + 1]))
    return obj


def _refusing_code(function: types.FunctionType, label: str) -> types.CodeType:
    """A code object for ``function`` that raises :class:`SwitchedOff` whatever it is called with."""
    code = function.__code__
    qualname = getattr(code, "co_qualname", None)  # code objects carry it from Python 3.11 on
    return _refusing_code_for(label, code.co_name, qualname, code.co_filename, code.co_firstlineno)


@functools.lru_cache(maxsize=None)
def _refusing_code_for(label: str, name: str, qualname: str | None, filename: str,
                       firstlineno: int) -> types.CodeType:
    # It must not read a global of its own: a function's code looks its globals up in the function's
    # module, so it reaches this module through ``__import__`` (a builtin).
    source = ("def refuse(*args, **kwargs):\n"
              f"    raise __import__({__name__!r}, fromlist=['SwitchedOff']).SwitchedOff({label!r})\n")
    namespace: dict = {}
    exec(source, {}, namespace)
    names = {"co_name": name, "co_filename": filename, "co_firstlineno": max(firstlineno - 1, 1)}
    if qualname is not None:
        names["co_qualname"] = qualname
    return namespace["refuse"].__code__.replace(**names)


#: the targets of the :func:`switched_off` blocks now running, per thread (innermost last): a remote
#: answer switches the same functions off in the student's kernel
_ACTIVE = threading.local()


def active_targets() -> list:
    """The targets of every :func:`switched_off` block running in this thread, as ``(path, label)``."""
    return [t for block in getattr(_ACTIVE, "stack", []) for t in block]


@contextmanager
def switched_off(*targets):
    """While the block runs, every target raises :class:`SwitchedOff` (a :class:`Hint`) when called.

    A target is a dotted path (``"bpkit.gradient"``, ``"bpkit.CrossEntropy.fn"``,
    ``"bpkit.activations.sigmoid.derivative"``), a ``(path, label)`` pair when the hint should name
    it differently (``("bpkit.Network.forward", "net.forward")``), or a ``(module, name)`` pair.

    The function *object* is switched off, not a name: its code is swapped for one that refuses,
    so every way of reaching it refuses alike: ``bpkit.gradient`` and ``bpkit.backprop.gradient``
    (one function), ``bpkit.landscape.swap_hidden`` and ``bpkit.plots.surfaces.swap_hidden``, an
    ``Activation``'s ``derivative`` however the activation was found (``activations.get(name)``,
    ``net.hidden``, ``ACTIVATIONS[name]``), a name the student imported earlier, and every bpkit
    function that calls it. Only Python functions without a closure can be switched off. The
    originals are always put back, also when the block raises.
    """
    saved = []
    seen = set()
    named = []
    stack = _ACTIVE.__dict__.setdefault("stack", [])
    stack.append(named)
    try:
        for target in targets:
            if isinstance(target, str):
                path, label = target, target
                function = _resolve(path)
            elif isinstance(target[0], str):
                path, label = target
                function = _resolve(path)
            else:
                owner, name = target
                label = f"{getattr(owner, '__name__', type(owner).__name__)}.{name}"
                path = f"{getattr(owner, '__module__', '')}.{label}".lstrip(".") \
                    if not isinstance(owner, types.ModuleType) else f"{owner.__name__}.{name}"
                function = getattr(owner, name)
            named.append((path, label))
            if isinstance(function, (staticmethod, classmethod)):
                function = function.__func__
            if not isinstance(function, types.FunctionType) or function.__closure__:
                raise TypeError(f"cannot switch off {label}: not a Python function without a closure")
            if id(function) in seen:
                continue
            seen.add(id(function))
            saved.append((function, function.__code__))
            function.__code__ = _refusing_code(function, label)
        yield
    finally:
        for k in range(len(stack) - 1, -1, -1):
            if stack[k] is named:
                del stack[k]
                break
        for function, code in reversed(saved):
            function.__code__ = code


def _materialized(value):
    """``value`` with iterators (a generator, ``map`` ...) consumed, also one level inside a tuple or list:
    an answer must not call a switched-off function lazily, after the block."""
    if isinstance(value, collections.abc.Iterator):
        return list(value)
    if isinstance(value, (tuple, list)) and any(isinstance(v, collections.abc.Iterator) for v in value):
        return type(value)(list(v) if isinstance(v, collections.abc.Iterator) else v for v in value)
    return value


def call_answer(function, *args, off=(), **kwargs):
    """``function(*args, **kwargs)`` (the student's answer) with the bpkit functions ``off`` switched off.

    Compute the check's reference before or after this call: inside, it would refuse too.
    """
    with switched_off(*off):
        if isinstance(function, Answer):
            return function(*args, **kwargs)
        return _materialized(function(*args, **kwargs))

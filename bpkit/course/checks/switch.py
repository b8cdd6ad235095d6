"""bpkit's own answers, switched off while the student's code runs; the student's answer as a check calls it.

While the student's code runs, the bpkit functions that would answer the exercise outright are switched
off (:func:`switched_off`, :func:`call_answer`): calling one fails the check with the hint "you called
bpkit.gradient: this exercise asks you to compute it yourself ...". The check computes its own reference
outside that block. In ``bpkit grade`` the same targets are switched off in the student's kernel
(:func:`active_targets`, :mod:`bpkit.course.checks.serve`).

A check calls the student's answer through an :class:`Answer`: whatever the student's function raises
comes out as :class:`StudentRaised`, so that the check can tell the student's exceptions from its own
bugs.
"""
from __future__ import annotations

import collections.abc
import functools
import importlib
import sys
import threading
import types
from contextlib import contextmanager

from ._core import Hint, where_raised


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
    ``bpkit grade`` passes a :class:`bpkit.course.grading.remote.RemoteAnswer`, which calls it in the
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
#: the forward pass: every sum^l and σ^l (``forward_validated`` is what bpkit's own functions call)
FORWARD = (("bpkit.Network.forward", "net.forward"), ("bpkit.Network.forward_validated", "net.forward_validated"),
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
            # a module whose name a package attribute shadows: "bpkit.objective.evaluate" (bpkit.objective is
            # also the function E(w)), or a submodule not imported yet
            module = sys.modules.get(".".join(parts[:k]))
            if module is not None and module is not obj and hasattr(module, part):
                obj = getattr(module, part)
            else:
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
    (one function), ``bpkit.landscape.swap_hidden`` however it was imported, an
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

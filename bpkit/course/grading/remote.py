"""The grader's half of a check split across the sandbox boundary (``bpkit grade``).

For each check cell of the release, the grader (this process) runs the check itself, the same
registered function a student's check cell calls, but hands it :class:`RemoteAnswer` objects instead
of the student's functions. The check draws its hidden cases, computes its references and mistake
catalogue and decides, all here; only the call of the student's function happens in the student's
sandboxed kernel (:mod:`bpkit.course.checks.serve`), with arguments and results crossing as plain data
(:mod:`bpkit.course.checks.wire`). The student's code can therefore change its own answers, and nothing else:
not the cases, the references, the comparison, the hint, the points or the verdict.

The check modules are imported here once per grading process, from the installed bpkit (or the
instructor's PYTHONPATH), never from a path a submission could write.
"""
from __future__ import annotations

import ast
import asyncio
import hashlib
import importlib
import json
import math
import time

from nbformat import NotebookNode

from ..checks import wire
from ..checks._core import CheckFailed, seeded, success_line
from ..checks.switch import active_targets, Answer, StudentRaised, SwitchedOff
from ..checks.harness import REGISTRY
from ..exercises import exercise_of, role
from . import static
from .kernel import CellRun

#: extra seconds the grader waits for a check's own work (references, comparisons) beyond the cell's limit
CHECK_GRACE = 120
#: the longest text of a student's exception the grader keeps
MAX_TEXT = 2000


class KernelLost(BaseException):
    """The student's kernel timed out or died during a call: the check cannot go on (a BaseException, so
    that no check's ``except Exception`` can take it for a wrong answer)."""

    def __init__(self, run: CellRun):
        self.run = run
        super().__init__(run.status)


class _Calls:
    """The calls of one check cell into one kernel, made from the check's thread."""

    def __init__(self, kernel, loop, index: int, cell_id: str, limit: int):
        self.kernel, self.loop, self.index, self.cell_id = kernel, loop, index, cell_id
        self.deadline = time.monotonic() + limit
        self.switched_off: set[str] = set()  # every bpkit function the check switched off (paths)

    def call(self, name: str, args: tuple, kwargs: dict):
        off = active_targets()
        self.switched_off.update(path for path, _ in off)
        request = json.dumps({"name": name, "args": [wire.encode(a) for a in args],
                              "kwargs": {k: wire.encode(v) for k, v in kwargs.items()}, "off": off})
        source = f"__import__('bpkit.course.checks.serve', fromlist=['call']).call({request!r})"
        left = max(1, math.ceil(self.deadline - time.monotonic()))
        run = asyncio.run_coroutine_threadsafe(
            self.kernel.run(source, self.index, self.cell_id, left), self.loop).result()
        if run.status in ("timeout", "died"):
            raise KernelLost(run)
        if run.status == "error":  # the kernel's half itself was broken by the notebook's code
            raise StudentRaised(run.ename or "Error", run.evalue[:MAX_TEXT])
        if not run.replies:
            raise StudentRaised("RuntimeError", "no answer came back from your notebook's kernel")
        return self._result(run.replies[-1], args, kwargs)

    @staticmethod
    def _result(reply, args: tuple, kwargs: dict):
        def text(value) -> str:
            return str(value)[:MAX_TEXT]

        if not isinstance(reply, dict):
            raise StudentRaised("RuntimeError", "the kernel's reply was not understood")
        if "switched_off" in reply:
            raise SwitchedOff(text(reply["switched_off"]))
        if "raised" in reply:
            raised = reply["raised"]
            if not (isinstance(raised, list) and len(raised) == 3):
                raise StudentRaised("RuntimeError", "the kernel's reply was not understood")
            raise StudentRaised(text(raised[0]), text(raised[1]), text(raised[2]))
        try:
            result = wire.decode(reply["result"])
            after = [wire.decode(a) for a in reply.get("args", [])]
            after_kw = {k: wire.decode(v) for k, v in dict(reply.get("kwargs", {})).items()}
        except (wire.WireError, KeyError, TypeError, ValueError) as e:
            raise StudentRaised("ValueError", f"your answer could not be read: {text(e)}") from None
        for original, changed in zip(args, after):
            wire.update_in_place(original, changed)
        for key, changed in after_kw.items():
            if key in kwargs:
                wire.update_in_place(kwargs[key], changed)
        return result


class RemoteAnswer(Answer):
    """The student's function ``name``, called in their kernel."""

    def __init__(self, calls: _Calls, name: str):
        self.calls, self.name = calls, name
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        return self.calls.call(self.name, args, kwargs)


def parse_check_cell(source: str) -> tuple[str, str, list[str]] | None:
    """``checks.NAME(a, b)`` -> ("checks", "NAME", ["a", "b"]); None for any other source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name) and not call.keywords
            and all(isinstance(a, ast.Name) for a in call.args)):
        return None
    return call.func.value.id, call.func.attr, [a.id for a in call.args]


def check_modules(release: NotebookNode) -> dict[str, str]:
    """{name in the notebook: module} for the modules the release's setup cells import."""
    found = {}
    for cell in release.cells:
        if role(cell) != "setup":
            continue
        try:
            tree = ast.parse(cell.get("source", ""))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else \
                        alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    found[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return found


class CheckRunner:
    """``check_runner`` for :func:`bpkit.course.grading.kernel.run_cells`: judges each check cell in this process."""

    def __init__(self, release: NotebookNode, cells: list[NotebookNode]):
        self.modules = check_modules(release)
        self.release, self.cells = release, cells

    def seed(self, exercise: str) -> int:
        """The seed of ``exercise``'s hidden cases: from the code of the submission and the exercise id."""
        digest = hashlib.sha256(exercise.encode())
        for cell in self.cells:
            if cell.get("cell_type") == "code":
                digest.update(cell.get("source", "").encode("utf-8", "replace") + b"\0")
        return int.from_bytes(digest.digest()[:8], "little")

    def _check(self, cell: NotebookNode):
        """The registered check of the cell's exercise and the answer names it is called with."""
        exercise = exercise_of(cell)
        parsed = parse_check_cell(cell.get("source", ""))
        if parsed is None:
            raise LookupError("the released check cell is not a call checks.NAME(answer, ...)")
        alias, function, names = parsed
        module = self.modules.get(alias)
        if module is None:
            raise LookupError(f"the release's setup cells do not import {alias!r}")
        try:
            importlib.import_module(module)
        except ImportError:  # "from package import module" names a module; else its package has it
            importlib.import_module(module.rsplit(".", 1)[0])
        info = REGISTRY.get(exercise)
        if info is None or info.function.__name__ != function:
            raise LookupError(f"no registered check {alias}.{function} for exercise {exercise}")
        return info, names

    async def __call__(self, kernel, cell: NotebookNode, index: int, limit: int) -> CellRun:
        cell_id = cell.get("id", "")
        try:
            info, names = self._check(cell)
        except LookupError as e:
            return CellRun(index, cell_id, "error", "CheckError", f"cannot grade this exercise: {e}", limit=limit)
        calls = _Calls(kernel, asyncio.get_running_loop(), index, cell_id, limit)
        answers = [RemoteAnswer(calls, name) for name in names]

        def judge():
            with seeded(self.seed(info.exercise)):
                return info.judge(*answers)

        try:
            verdict = await asyncio.wait_for(asyncio.to_thread(judge), limit + CHECK_GRACE)
        except KernelLost as lost:
            lost.run.index, lost.run.cell_id = index, cell_id
            return lost.run
        except asyncio.TimeoutError:
            return CellRun(index, cell_id, "error", "CheckError",
                           f"the check did not finish within {limit + CHECK_GRACE} s", limit=limit)
        if verdict is None:
            shortcut = static.shortcut(exercise_of(cell), self.cells, self.release, calls.switched_off)
            if shortcut:
                verdict = CheckFailed(info.exercise, info.title, info.points, shortcut)
        if verdict is None:
            return CellRun(index, cell_id, "ok", stdout=success_line(info.exercise, info.title, info.points) + "\n",
                           limit=limit)
        if verdict.bug:
            return CellRun(index, cell_id, "error", "CheckError", verdict.hint, limit=limit)
        return CellRun(index, cell_id, "error", "CheckFailed", str(verdict), limit=limit)

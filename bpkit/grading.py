"""Run notebooks in a fresh kernel and turn their check cells into scorecards.

The flow, for a student (``bpkit check``) and an instructor (``bpkit grade``) alike::

    notebook file --read--> cells --(grade: restore check/setup cells from the release)-->
    outputs cleared --run cell by cell in a fresh kernel--> CellRun records --> scorecard

* The student's file is only ever *read*: the run happens on an in-memory copy.
* Every kernel is started with :func:`kernel_env`, whose ``IPYTHONDIR`` points at
  bpkit's IPython profile (no colours, minimal tracebacks), so failures read cleanly.
* Cells run one at a time and errors do not stop the run. A cell that runs longer than
  the per-cell timeout is interrupted (and, if the kernel does not come back, the
  kernel is restarted); a kernel that dies is restarted. After a restart the cells
  that had run cleanly (setup and answers, never checks) are replayed, so the
  remaining exercises are graded as if nothing had happened.
* A check cell passes only if it raises nothing and prints its
  ``PASSED NN.k <title> [P/P points]`` line; saved outputs are cleared before the run,
  so they count for nothing. When grading, the check modules are reloaded before each
  check cell (:func:`check_guard`), so rebinding or patching ``checks`` changes nothing.

Limits, stated honestly: student code runs with the grader's rights in the same Python
process as the checks, so code written *to attack the grader* more deeply (patching
``bpkit.checks._core``, ``print`` or numpy; reading files) is beyond what restoring cells
can prevent. Run ``bpkit grade`` in a container or an unprivileged account, and read
suspicious code.
"""
from __future__ import annotations

import ast
import asyncio
import copy
import csv
import json
import math
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from jupyter_core.utils import ensure_async
from nbformat import NotebookNode

from .checks._core import MODE_VARIABLE
from .exercises import (
    Exercise,
    exercise_of,
    exercises_in,
    notebooks_in,
    read_notebook,
    role,
)

#: seconds a single cell may run before it is interrupted
DEFAULT_TIMEOUT = 60
#: the least time a setup cell (the instructor's imports and data) or the check guard gets,
#: whatever the per-cell timeout: a short ``--timeout`` for students' cells must not
#: fail a whole class because an import was slow on a busy machine
SETUP_TIMEOUT = 120
#: seconds an interrupted kernel has to answer before it is restarted
INTERRUPT_GRACE = 5
#: restarts allowed per notebook before the remaining cells are given up
MAX_RESTARTS = 4
#: the roles of the cells a submission may not change
PROTECTED_ROLES = ("check", "setup")

PASSED_LINE = re.compile(r"^PASSED (?P<exercise>\S+) (?P<title>.*) \[(?P<got>\d+)/(?P<of>\d+) points\]$")
FAILED_HEAD = re.compile(r"^FAILED (?P<exercise>\S+) (?P<title>.*) \[0/(?P<of>\d+) points\]$")


# --------------------------------------------------------------------------- kernel environment


def ipython_dir() -> Path:
    """bpkit's IPython directory (profile: colors='nocolor', xmode='Minimal')."""
    return Path(__file__).resolve().parent / "data" / "ipython"


def kernel_env(extra_pythonpath: Sequence[os.PathLike | str] = ()) -> dict[str, str]:
    """The environment every bpkit kernel starts with.

    A copy of ``os.environ`` with ``IPYTHONDIR`` set to :func:`ipython_dir` and
    ``extra_pythonpath`` prepended to ``PYTHONPATH``. Relative ``PYTHONPATH`` entries
    are made absolute, since kernels run in the notebook's directory. Without
    ``BPKIT_CHECKS``: checks raise here (report mode is for a student's JupyterLab).
    """
    env = dict(os.environ)
    env.pop(MODE_VARIABLE, None)
    env["IPYTHONDIR"] = str(ipython_dir())
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet debugpy in kernels
    paths = [str(Path(p).resolve()) for p in extra_pythonpath]
    paths += [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


# --------------------------------------------------------------------------- running cells


@dataclass
class CellRun:
    """What happened when one code cell ran."""

    index: int
    cell_id: str
    status: str  # "ok" | "error" | "timeout" | "died" | "not run"
    ename: str = ""
    evalue: str = ""
    stdout: str = ""
    restarted: bool = False  # a fresh kernel took over after this cell
    limit: int = 0  # the seconds the cell was allowed


def _error_output(cell: NotebookNode) -> NotebookNode | None:
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    return errors[-1] if errors else None


def _stdout(cell: NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


class _Kernel:
    """One kernel and its nbclient client, driven cell by cell."""

    def __init__(self, timeout: int, cwd: str | None, env: dict[str, str]):
        self.timeout, self.cwd, self.env = timeout, cwd, env
        self.client = NotebookClient(
            nbformat.v4.new_notebook(), kernel_name="python3", timeout=timeout,
            allow_errors=True, interrupt_on_timeout=False, record_timing=False,
            skip_cells_with_tag="bpkit-never-skip", shutdown_kernel="immediate",
            store_widget_state=False,
        )

    async def start(self) -> "_Kernel":
        """Start the kernel; its own stderr (log chatter) goes to a file, shown if it fails."""
        self.log = tempfile.TemporaryFile(mode="w+", prefix="bpkit-kernel-")
        self.client.km = self.client.create_kernel_manager()
        try:
            await self.client.async_start_new_kernel(env=self.env, cwd=self.cwd,
                                                     stdout=self.log, stderr=self.log)
            await self.client.async_start_new_kernel_client()
        except Exception as e:
            self.log.seek(0)
            raise RuntimeError(f"the kernel did not start: {e}\n{self.log.read()[-2000:]}") from None
        return self

    async def stop(self) -> None:
        try:
            if self.client.km is not None:
                await self.client._async_cleanup_kernel()
        except Exception:  # a dead or wedged kernel: nothing more to clean
            pass
        finally:
            self.log.close()

    async def run(self, source: str, index: int, cell_id: str, limit: int | None = None) -> CellRun:
        """Run ``source`` for at most ``limit`` seconds (default: the kernel's timeout).

        Never raises for errors, timeouts or a dying kernel: they are in the record.
        """
        cell = nbformat.v4.new_code_cell(source)
        self.client.nb.cells = [cell]
        self.client.timeout = limit = limit or self.timeout
        before = asyncio.all_tasks()
        try:
            await self.client.async_execute_cell(cell, 0)
        except CellTimeoutError:
            self._cancel_tasks_since(before)
            return CellRun(index, cell_id, "timeout", stdout=_stdout(cell), limit=limit)
        except DeadKernelError:
            self._cancel_tasks_since(before)
            return CellRun(index, cell_id, "died", stdout=_stdout(cell), limit=limit)
        error = _error_output(cell)
        if error is not None:
            return CellRun(index, cell_id, "error", error.get("ename", ""),
                           error.get("evalue", ""), _stdout(cell), limit=limit)
        return CellRun(index, cell_id, "ok", stdout=_stdout(cell), limit=limit)

    @staticmethod
    def _cancel_tasks_since(before: set) -> None:
        """nbclient leaves its output-polling task behind on a timeout: stop it."""
        for task in asyncio.all_tasks() - before - {asyncio.current_task()}:
            task.cancel()

    async def interrupt(self) -> bool:
        """Interrupt the running cell; did the kernel come back within the grace period?"""
        try:
            await ensure_async(self.client.km.interrupt_kernel())
            kc = self.client.kc
            msg_id = await ensure_async(kc.execute("pass", store_history=False))
            deadline = time.monotonic() + INTERRUPT_GRACE
            while (left := deadline - time.monotonic()) > 0:
                msg = await ensure_async(kc.shell_channel.get_msg(timeout=left))
                if msg["parent_header"].get("msg_id") == msg_id:
                    return True
        except Exception:  # queue.Empty on the grace timeout, or a dead kernel
            return False
        return False


async def _start_kernel(timeout: int, cwd: str | None, env: dict[str, str],
                        attempts: int = 3) -> _Kernel:
    """A started kernel; retried, since two kernels starting at once can race for a port."""
    for attempt in range(1, attempts + 1):
        kernel = _Kernel(timeout, cwd, env)
        try:
            return await kernel.start()
        except RuntimeError:
            await kernel.stop()
            if attempt == attempts:
                raise
            await asyncio.sleep(0.5 * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _is_code(cell: NotebookNode) -> bool:
    return cell.get("cell_type") == "code" and bool(cell.get("source", "").strip())


async def _run_cells(cells: list[NotebookNode], timeout: int, cwd: str | None,
                     env: dict[str, str], before_check: str | None = None) -> list[CellRun]:
    runs: list[CellRun] = []
    kernel: _Kernel | None = await _start_kernel(timeout, cwd, env)
    restarts = 0
    try:
        for index, cell in enumerate(cells):
            if not _is_code(cell):
                continue
            cell_id = cell.get("id", "")
            if kernel is None:
                runs.append(CellRun(index, cell_id, "not run"))
                continue
            if before_check and role(cell) == "check":  # unrecorded; see check_guard
                await kernel.run(before_check, index, cell_id, max(timeout, SETUP_TIMEOUT))
            run = await kernel.run(cell.source, index, cell_id, _limit(cell, timeout))
            runs.append(run)
            if run.status == "ok" or run.status == "error":
                continue
            if run.status == "timeout" and await kernel.interrupt():
                continue
            await kernel.stop()
            kernel = None
            restarts += 1
            if restarts <= MAX_RESTARTS:
                try:
                    kernel = await _start_kernel(timeout, cwd, env)
                except RuntimeError:  # the remaining cells are recorded as "not run"
                    continue
                run.restarted = True
                await _replay(kernel, cells, runs)
    finally:
        if kernel is not None:
            await kernel.stop()
    return runs


def _limit(cell: NotebookNode, timeout: int) -> int:
    """The seconds ``cell`` may run: ``timeout``, or at least SETUP_TIMEOUT for a setup cell."""
    return max(timeout, SETUP_TIMEOUT) if role(cell) == "setup" else timeout


async def _replay(kernel: _Kernel, cells: list[NotebookNode], runs: list[CellRun]) -> None:
    """Re-run the cells that had run cleanly, except checks, in a restarted kernel."""
    for run in runs:
        cell = cells[run.index]
        if run.status == "ok" and role(cell) != "check":
            again = await kernel.run(cell.source, run.index, run.cell_id, run.limit)
            if again.status in ("timeout", "died"):
                return


def run_cells(cells: list[NotebookNode], *, timeout: int = DEFAULT_TIMEOUT,
              cwd: os.PathLike | str | None = None, env: dict[str, str] | None = None,
              before_check: str | None = None) -> list[CellRun]:
    """Run the code cells of ``cells`` in order in a fresh kernel, one record per code cell.

    ``env`` defaults to :func:`kernel_env`; ``cwd`` is the kernel's working directory.
    Errors, timeouts (``timeout`` seconds per cell; setup cells get at least
    ``SETUP_TIMEOUT``) and kernel deaths are recorded, never raised; ``cells`` are not
    modified. ``before_check`` is code run (unrecorded)
    right before every check cell (see :func:`check_guard`).
    """
    timeout = max(1, math.ceil(timeout))
    return asyncio.run(_run_cells(cells, timeout, str(cwd) if cwd else None,
                                  env if env is not None else kernel_env(), before_check))


# --------------------------------------------------------------------------- scorecards


@dataclass
class ExerciseResult:
    """The outcome of one graded exercise."""

    exercise: str
    points: int
    earned: int = 0
    passed: bool = False
    title: str = ""
    hint: str | None = None  # the check's hint, from its CheckFailed message
    problem: str | None = None  # anything else: a crash, a timeout, a missing check


@dataclass
class NotebookResult:
    """The scorecard of one notebook."""

    path: str
    exercises: list[ExerciseResult] = field(default_factory=list)
    student: str = ""
    release: str = ""
    error: str | None = None  # the notebook could not be graded at all
    notes: list[str] = field(default_factory=list)  # e.g. what restoring changed
    seconds: float = 0.0

    @property
    def earned(self) -> int:
        return sum(e.earned for e in self.exercises)

    @property
    def possible(self) -> int:
        return sum(e.points for e in self.exercises)

    @property
    def all_passed(self) -> bool:
        return self.error is None and bool(self.exercises) and all(e.passed for e in self.exercises)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["exercises"] = {e.exercise: asdict(e) for e in self.exercises}
        data.update(total=self.earned, possible=self.possible)
        return data


def _describe(run: CellRun) -> str:
    if run.status == "error":
        return f"raised {run.ename}: {run.evalue}".rstrip(": ")
    if run.status == "timeout":
        then = ("the kernel did not answer an interrupt, so it was restarted" if run.restarted
                else "the kernel was interrupted")
        return f"timed out after {run.limit} s (an infinite loop?); {then} and grading went on"
    if run.status == "died":
        then = ("the kernel was restarted and grading went on" if run.restarted
                else "the remaining cells could not be run")
        return f"killed the kernel (os._exit, a crash or running out of memory?); {then}"
    return "was not run: the kernel died too many times, or could not be restarted"


def _earlier_failures(ex: Exercise, check_index: int, cells: list[NotebookNode],
                      runs: list[CellRun], check_crashed: bool) -> list[str]:
    """What went wrong before the check, worth telling the student.

    Failures of the exercise's own answer cells always (except the
    ``NotImplementedError`` of an unanswered one); when the check itself crashed
    rather than failing with a hint, also the first other failing cell before it
    (a setup cell, say), checks excepted.
    """
    before = [r for r in runs if r.index < check_index and r.status != "ok"
              and role(cells[r.index]) != "check"]
    def is_own(r: CellRun) -> bool:
        cell = cells[r.index]
        return role(cell) == "answer" and exercise_of(cell) == ex.exercise

    own = [r for r in before if is_own(r) and r.ename != "NotImplementedError"]
    other = [r for r in before if not is_own(r)][:1] if check_crashed else []
    return ([f"cell #{r.index + 1} (your answer) {_describe(r)}" for r in own]
            + [f"cell #{r.index + 1} (an earlier cell) {_describe(r)}" for r in other])


def score(exercises: Iterable[Exercise], cells: list[NotebookNode],
          runs: list[CellRun]) -> list[ExerciseResult]:
    """One :class:`ExerciseResult` per exercise, from the runs of its check cell."""
    index_of = {c.get("id"): i for i, c in enumerate(cells) if c.get("id")}
    run_at = {r.index: r for r in runs}
    results = []
    for ex in exercises:
        result = ExerciseResult(ex.exercise, ex.points)
        results.append(result)
        index = index_of.get(ex.check_cell) if ex.check_cell else None
        if index is None:
            result.problem = "no check cell for this exercise (was it deleted?)"
            continue
        run = run_at.get(index)
        if run is None:
            result.problem = "the check cell is empty"
            continue
        _score_check(result, run)
        context = _earlier_failures(ex, index, cells, runs, result.problem is not None)
        if not result.passed and context:
            why = "; ".join(context)
            result.problem = (f"{result.problem}. Before it, {why}" if result.problem
                              else f"Before the check, {why}")
    return results


def _score_check(result: ExerciseResult, run: CellRun) -> None:
    if run.status == "ok":
        for line in run.stdout.splitlines():
            m = PASSED_LINE.match(line.strip())
            if m and m["exercise"] == result.exercise:
                result.passed, result.earned, result.title = True, result.points, m["title"]
                return
        result.problem = "the check cell printed no PASSED line"
        return
    if run.status == "error" and run.ename == "CheckFailed":
        head, _, rest = run.evalue.partition("\n")
        m = FAILED_HEAD.match(head.strip())
        result.title = m["title"] if m else ""
        _, found, hint = rest.partition("Hint: ")
        result.hint = hint.strip() if found else (rest.strip() or head.strip())
        return
    result.problem = f"the check cell {_describe(run)}"


# --------------------------------------------------------------------------- check (a student)


def clear_outputs(nb: NotebookNode) -> NotebookNode:
    """``nb`` with every output and execution count removed (in place)."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def student_exercises(nb: NotebookNode) -> list[Exercise]:
    """The notebook's exercises, including those whose check cell has gone."""
    found = exercises_in(nb)
    known = {e.exercise for e in found}
    for cell in nb.cells:
        ex = exercise_of(cell)
        if role(cell) == "answer" and ex and ex not in known:
            known.add(ex)
            found.append(Exercise(ex, 0, "", ()))
    return found


def check_notebook(path: os.PathLike | str, *, timeout: int = DEFAULT_TIMEOUT,
                   env: dict[str, str] | None = None) -> NotebookResult:
    """Run the notebook at ``path`` (read only; never written) and score its checks.

    The kernel runs in the notebook's directory, as Jupyter would run it.
    """
    path = Path(path)
    started = time.monotonic()
    result = NotebookResult(str(path), student=path.stem)
    try:
        nb = read_notebook(path)
    except Exception as e:
        result.error = f"cannot read {path}: {type(e).__name__}: {e}"
        return result
    clear_outputs(nb)
    try:
        runs = run_cells(nb.cells, timeout=timeout, cwd=path.resolve().parent, env=env,
                         before_check=check_guard(nb))  # scored as `grade` would score it
    except RuntimeError as e:  # the kernel did not start
        result.error = f"could not run the notebook: {e}"
        return result
    result.exercises = score(student_exercises(nb), nb.cells, runs)
    result.seconds = time.monotonic() - started
    return result


def format_scorecard(result: NotebookResult) -> str:
    """The scorecard as text, one block per exercise and the total at the end."""
    lines = [f"Scorecard for {result.path}"]
    if result.error:
        return "\n".join(lines + [f"  ERROR  {result.error}"])
    if not result.exercises:
        lines.append("  (this notebook has no graded exercises)")
    for e in result.exercises:
        status = "PASSED" if e.passed else "FAILED"
        lines.append(f"  {status}  {e.exercise:<6} {e.title or '':<40} {e.earned}/{e.points} points")
        if e.hint:
            lines += [f"          Hint: {line}" if i == 0 else f"                {line}"
                      for i, line in enumerate(e.hint.splitlines())]
        if e.problem:
            lines.append(f"          Problem: {e.problem}")
    passed = sum(e.passed for e in result.exercises)
    lines.append(f"Total: {result.earned}/{result.possible} points "
                 f"({passed} of {len(result.exercises)} exercises passed)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- grade (an instructor)


def _find_protected(nb: NotebookNode, released: NotebookNode, taken: set[int]) -> int | None:
    """Index of the submission cell matching the released check/setup cell, if any."""
    for i, cell in enumerate(nb.cells):
        if i not in taken and cell.get("id") and cell.get("id") == released.get("id"):
            return i
    ex, r = exercise_of(released), role(released)
    if ex:
        for i, cell in enumerate(nb.cells):
            if i not in taken and exercise_of(cell) == ex and role(cell) == r:
                return i
    return None


def _insert_at(nb: NotebookNode, release: NotebookNode, released: NotebookNode) -> int:
    """Where a deleted protected cell goes back."""
    if role(released) == "check":
        answers = [i for i, c in enumerate(nb.cells)
                   if role(c) == "answer" and exercise_of(c) == exercise_of(released)]
        return answers[-1] + 1 if answers else len(nb.cells)
    position = next(i for i, c in enumerate(release.cells) if c is released)
    for previous in reversed(release.cells[:position]):
        for i, cell in enumerate(nb.cells):
            if previous.get("id") and cell.get("id") == previous.get("id"):
                return i + 1
    return 0


#: cell metadata a front end writes by itself (timings, collapsed outputs): not an edit
UI_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled", "jupyter")


def _essence(cell: NotebookNode) -> tuple:
    """What a student could change in a cell to affect grading (not its outputs or UI state)."""
    meta = {k: v for k, v in cell.get("metadata", {}).items() if k not in UI_METADATA}
    return cell.get("cell_type"), cell.get("id"), cell.get("source"), json.dumps(meta, sort_keys=True)


def restore_protected_cells(submission: NotebookNode,
                            release: NotebookNode) -> tuple[NotebookNode, list[str]]:
    """A copy of ``submission`` whose check and setup cells are the released ones.

    Each released check/setup cell is matched by cell id, falling back to
    ``metadata.bpkit.exercise`` + role, and replaced wholesale (source, metadata,
    tags, id); a deleted one is re-inserted after its exercise's last answer cell
    (setup cells: after the cell that precedes them in the release), or at the end.
    Submission cells that claim a protected role but match nothing lose that claim.
    Returns the notebook and a list of what changed.
    """
    nb = copy.deepcopy(submission)
    changes: list[str] = []
    restored: list[NotebookNode] = []
    for released in release.cells:
        if role(released) not in PROTECTED_ROLES:
            continue
        what = f"{role(released)} cell {released.get('id')!r}" + (
            f" of {exercise_of(released)}" if exercise_of(released) else "")
        fresh = copy.deepcopy(released)
        index = _find_protected(nb, released, {i for i, c in enumerate(nb.cells)
                                               if any(c is r for r in restored)})
        if index is None:
            nb.cells.insert(_insert_at(nb, release, released), fresh)
            changes.append(f"re-inserted the deleted {what}")
        else:
            if _essence(nb.cells[index]) != _essence(fresh):
                changes.append(f"restored the edited {what}")
            nb.cells[index] = fresh
        restored.append(fresh)
    protected_ids = {c.get("id") for c in restored}
    for n, cell in enumerate(nb.cells):
        if any(cell is r for r in restored):
            continue
        if role(cell) in PROTECTED_ROLES:
            changes.append(f"ignored cell {cell.get('id')!r}, which claims to be a {role(cell)} cell")
            cell.metadata["bpkit"] = {k: v for k, v in cell.metadata["bpkit"].items() if k != "role"}
        if cell.get("id") in protected_ids:
            cell["id"] = f"{cell['id']}-submitted-{n}"
    return nb, changes


def check_guard(release: NotebookNode) -> str | None:
    """Code that undoes name-level tampering with the checks, run before every check cell.

    A student's answer cell could rebind ``checks`` or patch one of its functions
    (``checks.add = lambda f: print("PASSED ...")``). The guard reloads every module that
    registered a graded check (``bpkit.checks.REGISTRY``), then re-runs the import statements
    of the release's setup cells, so the check cell calls the genuine check. ``None`` if the
    setup cells import nothing.
    """
    imports = []
    for cell in release.cells:
        if role(cell) == "setup":
            try:
                tree = ast.parse(cell.get("source", ""))
            except SyntaxError:
                continue
            imports += [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    if not imports:
        return None
    return "\n".join([
        "def _bpkit_guard():",
        "    import importlib, sys",
        "    from bpkit.checks._core import REGISTRY",
        "    for name in sorted({info.function.__module__ for info in list(REGISTRY.values())}):",
        "        if name in sys.modules:",
        "            importlib.reload(sys.modules[name])",
        "_bpkit_guard()",
        "del _bpkit_guard",
        ast.unparse(ast.Module(body=imports, type_ignores=[])),
    ])


def student_name(path: Path, release: Path | None) -> str:
    """File stem, or the parent directory's name when the file keeps the release's name."""
    parent = path.resolve().parent.name
    if release is not None and path.stem == release.stem and parent:
        return parent
    return path.stem


def match_release(path: Path, nb: NotebookNode | None, releases: Sequence[Path]) -> Path | None:
    """The released notebook ``path`` is a submission of: same file name, else most shared ids."""
    for release in releases:
        if release.name == path.name:
            return release
    if len(releases) == 1:
        return releases[0]
    if nb is None:
        return None

    def overlap(release: Path) -> int:
        rel = read_notebook(release)
        keys = {c.get("id") for c in rel.cells} | {exercise_of(c) for c in rel.cells}
        return len(keys & ({c.get("id") for c in nb.cells} | {exercise_of(c) for c in nb.cells}) - {None, ""})

    best = max(releases, key=overlap)
    return best if overlap(best) > 0 else None


def grade_submission(path: os.PathLike | str, releases: Sequence[os.PathLike | str], *,
                     timeout: int = DEFAULT_TIMEOUT, env: dict[str, str] | None = None) -> NotebookResult:
    """Grade one submission against the released notebooks; never raises for a bad file.

    The kernel runs in the matched release notebook's directory, where the student
    ran it. Restoring check cells is recorded in ``notes``.
    """
    path, release_paths = Path(path), [Path(r) for r in releases]
    started = time.monotonic()
    result = NotebookResult(str(path), student=path.stem)
    try:
        nb: NotebookNode | None = read_notebook(path)
        read_error = None
    except Exception as e:
        nb, read_error = None, f"cannot read the submission: {type(e).__name__}: {e}".splitlines()[0]
    release_path = match_release(path, nb, release_paths)
    result.student = student_name(path, release_path)
    if release_path is None:
        result.error = read_error or "cannot tell which released notebook this is a submission of"
        return result
    result.release = str(release_path)
    release = read_notebook(release_path)
    exercises = exercises_in(release)
    result.exercises = [ExerciseResult(e.exercise, e.points) for e in exercises]
    if nb is None:
        result.error = read_error
        for e in result.exercises:
            e.problem = read_error
        return result
    restored, result.notes = restore_protected_cells(nb, release)
    clear_outputs(restored)
    try:
        runs = run_cells(restored.cells, timeout=timeout, cwd=release_path.resolve().parent, env=env,
                         before_check=check_guard(release))
    except RuntimeError as e:  # the kernel did not start
        result.error = f"could not run the notebook: {e}"
        return result
    result.exercises = score(exercises, restored.cells, runs)
    result.seconds = time.monotonic() - started
    return result


def _grade_job(job: tuple[str, list[str], int, dict[str, str]]) -> NotebookResult:
    path, releases, timeout, env = job
    try:
        return grade_submission(path, releases, timeout=timeout, env=env)
    except Exception as e:  # a grader bug must not lose the other students' rows
        return NotebookResult(path, student=Path(path).stem, error=f"grading failed: {type(e).__name__}: {e}")


def _process_context() -> multiprocessing.context.BaseContext:
    """``fork`` when it is safe (POSIX, no other threads): workers then inherit the imports;
    otherwise ``forkserver`` (POSIX) or ``spawn``, with bpkit's grading module preloaded."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def parallel_map(function: Callable, jobs: list, workers: int) -> list:
    """``[function(j) for j in jobs]`` in up to ``workers`` processes, results in order."""
    if workers <= 1 or len(jobs) <= 1:
        return [function(j) for j in jobs]
    context = _process_context()
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        return list(pool.map(function, jobs))


def release_notebooks(release: os.PathLike | str) -> list[Path]:
    """The released notebooks: ``release`` itself if it is a file, else the ones in it."""
    release = Path(release)
    return [release] if release.is_file() else notebooks_in(release)


def grade_many(submissions: Sequence[os.PathLike | str], release: os.PathLike | str, *,
               jobs: int = 1, timeout: int = DEFAULT_TIMEOUT) -> list[NotebookResult]:
    """Grade every submission (``jobs`` at a time) against the release file or directory."""
    releases = [str(p) for p in release_notebooks(release)]
    if not releases:
        raise FileNotFoundError(f"no released notebooks at {release}")
    env = kernel_env()  # computed here: a worker's own environment may be older than ours
    work = [(str(s), releases, timeout, env) for s in submissions]
    return parallel_map(_grade_job, work, jobs)


def write_gradebook(results: Sequence[NotebookResult], csv_path: os.PathLike | str) -> tuple[Path, Path]:
    """Write ``<out>.csv`` (points per exercise, total) and ``<out>.json`` (with hints)."""
    csv_path = Path(csv_path)
    json_path = csv_path.with_suffix(".json")
    exercise_ids = sorted({e.exercise for r in results for e in r.exercises},
                          key=lambda x: tuple(int(p) if p.isdigit() else 0 for p in x.split(".")))
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "file", *exercise_ids, "total", "possible", "error"])
        for r in results:
            earned = {e.exercise: e.earned for e in r.exercises}
            writer.writerow([r.student, r.path, *(earned.get(x, "") for x in exercise_ids),
                             r.earned, r.possible, r.error or ""])
    book = {"exercises": exercise_ids, "students": [r.to_dict() for r in results]}
    json_path.write_text(json.dumps(book, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return csv_path, json_path


# --------------------------------------------------------------------------- validate (CI)


@dataclass
class PartResult:
    """One part of ``bpkit validate``: did it pass, and what it has to say."""

    name: str
    passed: bool
    summary: str
    details: list[str] = field(default_factory=list)


def nbval_command(notebooks: Sequence[Path], *, jobs: int = 1, timeout: int = 600,
                  color: bool = False) -> list[str]:
    """The strict nbval command for ``notebooks`` (with pytest-xdist when installed and jobs > 1)."""
    cmd = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
           f"--nbval-cell-timeout={max(1, math.ceil(timeout))}", "-q", "-rfE",
           f"--color={'yes' if color else 'no'}"]
    if jobs > 1 and len(notebooks) > 1 and _have_xdist():
        cmd += ["-n", str(min(jobs, len(notebooks))), "--dist", "loadfile"]
    return cmd + [str(p) for p in notebooks]


def _have_xdist() -> bool:
    import importlib.util

    return importlib.util.find_spec("xdist") is not None


def validate_nbval(dirs: Sequence[Path], *, jobs: int = 1, timeout: int = 600,
                   cwd: Path | None = None, on_output: Callable[[str], None] | None = None,
                   color: bool = False) -> PartResult:
    """Strict nbval over every notebook of ``dirs``; a directory without notebooks fails.

    pytest's output goes, line by line, to ``on_output``; the result's details keep the
    ``FAILED``/``ERROR`` lines and the final count.
    """
    empty = [str(d) for d in dirs if not notebooks_in(d)]
    if empty:
        return PartResult("nbval", False, "no notebooks to run in " + ", ".join(empty))
    notebooks = [p for d in dirs for p in notebooks_in(d)]
    cmd = nbval_command(notebooks, jobs=jobs, timeout=timeout, color=color)
    proc = subprocess.Popen(cmd, cwd=cwd, env=kernel_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    output = []
    for line in proc.stdout:
        output.append(line.rstrip("\n"))
        if on_output:
            on_output(line.rstrip("\n"))
    code = proc.wait()
    tail = [line for line in output if line.startswith(("FAILED ", "ERROR "))
            or re.match(r"^=*\s*\d+ (passed|failed|error)", line)]
    if code == 0:
        return PartResult("nbval", True, f"{len(notebooks)} notebooks pass strict nbval", tail)
    return PartResult("nbval", False, f"strict nbval failed (pytest exit code {code})", tail or output[-20:])


def _invert_job(job: tuple[str, int, dict[str, str]]) -> list[str]:
    path, timeout, env = job
    nb = clear_outputs(read_notebook(Path(path)))
    exercises = exercises_in(nb)
    if not exercises:
        return [f"{path}: has no check cells"]
    runs = {r.index: r for r in run_cells(nb.cells, timeout=timeout, cwd=Path(path).resolve().parent,
                                          env=env)}
    problems = []
    for index, cell in enumerate(nb.cells):
        if role(cell) != "check":
            continue
        ex, run = exercise_of(cell), runs.get(index)
        if run is None or run.status == "ok":
            problems.append(f"{path}: the check of {ex} passes on the unsolved exercise")
        elif run.status != "error":
            problems.append(f"{path}: the check of {ex} {_describe(run)}")
        elif run.ename != "CheckFailed" or not run.evalue.startswith(f"FAILED {ex} "):
            first_line = run.evalue.splitlines()[0] if run.evalue else ""
            problems.append(f"{path}: the check of {ex} raised {run.ename}: {first_line} instead of a "
                            f"CheckFailed for {ex}; on an unsolved exercise a check should fail with a "
                            "hint (define the answer's names outside the solution markers)")
    return problems


def validate_invert(exercises_dir: Path, *, jobs: int = 1, timeout: int = DEFAULT_TIMEOUT) -> PartResult:
    """Every check cell of every shipped exercise must fail with its CheckFailed."""
    notebooks = notebooks_in(exercises_dir)
    if not notebooks:
        return PartResult("invert", False, f"no notebooks to run in {exercises_dir}")
    env = kernel_env()
    found = parallel_map(_invert_job, [(str(n), timeout, env) for n in notebooks], jobs)
    problems = [problem for notebook_problems in found for problem in notebook_problems]
    checks = sum(len(exercises_in(read_notebook(n))) for n in notebooks)
    if problems:
        return PartResult("invert", False, f"{len(problems)} of {checks} checks do not fail "
                                           "properly on the unsolved exercises", problems)
    return PartResult("invert", True, f"all {checks} checks in {len(notebooks)} notebooks fail on "
                                      "the unsolved exercises")


__all__ = [
    "CellRun", "ExerciseResult", "NotebookResult", "PartResult", "DEFAULT_TIMEOUT",
    "check_notebook", "clear_outputs", "format_scorecard", "grade_many", "grade_submission",
    "ipython_dir", "kernel_env", "match_release", "nbval_command", "parallel_map",
    "release_notebooks", "restore_protected_cells", "run_cells", "score", "student_name",
    "validate_invert", "validate_nbval", "write_gradebook",
]

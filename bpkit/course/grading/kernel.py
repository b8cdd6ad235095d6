"""Kernels: start one (sandboxed or not), run notebook cells in it one at a time, survive anything.

* Every kernel is started with :func:`kernel_env`, whose ``IPYTHONDIR`` points at
  bpkit's IPython profile (no colours, minimal tracebacks), so failures read cleanly.
* Cells run one at a time and errors do not stop the run. A cell that runs longer than
  the per-cell timeout is interrupted (and, if the kernel does not come back, the
  kernel is restarted); a kernel that dies is restarted. After a restart the cells
  that had run cleanly (setup and answers, never checks) are replayed.
* With a :class:`~bpkit.course.grading.sandbox.Sandbox`, the kernel runs inside it (``bpkit grade``):
  see :mod:`bpkit.course.grading.sandbox`.
"""
from __future__ import annotations

import asyncio
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import nbformat
from jupyter_core.utils import ensure_async
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

from ..checks._core import MODE_VARIABLE
from ..exercises import role
from ..settings import DEFAULT_TIMEOUT, SETUP_TIMEOUT
#: seconds an interrupted kernel has to answer before it is restarted
INTERRUPT_GRACE = 5
#: restarts allowed per notebook before the remaining cells are given up
MAX_RESTARTS = 4


def ipython_dir() -> Path:
    """bpkit's IPython directory (profile: colors='nocolor', xmode='Minimal')."""
    from bpkit import data

    return Path(data.__file__).resolve().parent / "ipython"


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
    replies: list = field(default_factory=list, repr=False)  # bpkit.course.checks.serve replies it published


def _error_output(cell: NotebookNode) -> NotebookNode | None:
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    return errors[-1] if errors else None


def _stdout(cell: NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def _replies(cell: NotebookNode) -> list:
    from ..checks.serve import MIME

    return [o["data"][MIME] for o in cell.get("outputs", [])
            if o.get("output_type") == "display_data" and MIME in o.get("data", {})]


#: the most output (characters) kept of one cell: a cell printing without end cannot fill the grader's memory
MAX_OUTPUT = 4 * 2**20


class _Client(NotebookClient):
    """nbclient's client, keeping at most MAX_OUTPUT characters of a cell's outputs (counted as they come:
    :meth:`_Kernel.run` sets ``output_size`` to 0 before each cell)."""

    output_size = 0

    def output(self, outs, msg, display_id, cell_index):
        self.output_size += len(str(msg.get("content", "")))
        if self.output_size > MAX_OUTPUT:
            return None
        return super().output(outs, msg, display_id, cell_index)


class _Kernel:
    """One kernel and its nbclient client, driven cell by cell."""

    def __init__(self, timeout: int, cwd: str | None, env: dict[str, str], sandbox=None):
        self.timeout, self.cwd, self.env, self.sandbox = timeout, cwd, env, sandbox
        self.private = None
        self.client = _Client(
            nbformat.v4.new_notebook(), kernel_name="python3", timeout=timeout,
            allow_errors=True, interrupt_on_timeout=False, record_timing=False,
            skip_cells_with_tag="bpkit-never-skip", shutdown_kernel="immediate",
            store_widget_state=False,
        )

    async def start(self) -> "_Kernel":
        """Start the kernel; its own stderr (log chatter) goes to a file, shown if it fails."""
        self.log = tempfile.TemporaryFile(mode="w+", prefix="bpkit-kernel-")
        self.client.km = self.client.create_kernel_manager()
        env, cwd = self.env, self.cwd
        if self.sandbox is not None:
            env, cwd = self._sandboxed()
        try:
            await self.client.async_start_new_kernel(env=env, cwd=cwd, stdout=self.log, stderr=self.log)
            await self.client.async_start_new_kernel_client()
        except Exception as e:
            self.log.seek(0)
            raise RuntimeError(f"the kernel did not start: {e}\n{self.log.read()[-2000:]}") from None
        return self

    def _sandboxed(self) -> tuple[dict[str, str], str]:
        """Make the kernel manager start the kernel in a new sandbox (:mod:`.sandbox`), talking over
        Unix sockets in its private directory; the environment and directory to start it with."""
        from jupyter_client.kernelspec import KernelSpec

        from . import sandbox

        self.private = sandbox.private_dir()
        km = self.client.km
        km.transport, km.ip = "ipc", str(self.private / "runtime" / "kernel")
        km.connection_file = str(self.private / "runtime" / "kernel.json")
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        km._kernel_spec = KernelSpec(
            argv=sandbox.command(argv, self.env, self.private, self.sandbox), display_name="bpkit sandbox",
            language="python", interrupt_mode="message", env={}, metadata={})
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, str(self.private)

    async def stop(self) -> None:
        try:
            if self.client.km is not None:
                await self.client._async_cleanup_kernel()
        except Exception:  # a dead or wedged kernel: nothing more to clean
            pass
        finally:
            self.log.close()
            if self.private is not None:
                from . import sandbox

                sandbox.remove(self.private)

    async def run(self, source: str, index: int, cell_id: str, limit: int | None = None) -> CellRun:
        """Run ``source`` for at most ``limit`` seconds (default: the kernel's timeout).

        Never raises for errors, timeouts or a dying kernel: they are in the record.
        """
        cell = nbformat.v4.new_code_cell(source)
        self.client.nb.cells = [cell]
        self.client.output_size = 0
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
                           error.get("evalue", ""), _stdout(cell), limit=limit, replies=_replies(cell))
        return CellRun(index, cell_id, "ok", stdout=_stdout(cell), limit=limit, replies=_replies(cell))

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


async def _start_kernel(timeout: int, cwd: str | None, env: dict[str, str], sandbox=None,
                        attempts: int = 3) -> _Kernel:
    """A started kernel; retried, since two kernels starting at once can race for a port."""
    for attempt in range(1, attempts + 1):
        kernel = _Kernel(timeout, cwd, env, sandbox)
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
                     env: dict[str, str], before_check: str | None = None, sandbox=None,
                     check_runner=None) -> list[CellRun]:
    runs: list[CellRun] = []
    kernel: _Kernel | None = await _start_kernel(timeout, cwd, env, sandbox)
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
            if check_runner is not None and role(cell) == "check":
                run = await check_runner(kernel, cell, index, _limit(cell, timeout))
            else:
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
                    kernel = await _start_kernel(timeout, cwd, env, sandbox)
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
              before_check: str | None = None, sandbox=None, check_runner=None) -> list[CellRun]:
    """Run the code cells of ``cells`` in order in a fresh kernel, one record per code cell.

    ``env`` defaults to :func:`kernel_env`; ``cwd`` is the kernel's working directory.
    Errors, timeouts (``timeout`` seconds per cell; setup cells get at least
    ``SETUP_TIMEOUT``) and kernel deaths are recorded, never raised; ``cells`` are not
    modified. ``before_check`` is code run (unrecorded) right before every check cell (see
    :func:`~bpkit.course.grading.restore.check_guard`). ``sandbox`` (a :class:`~bpkit.course.grading.sandbox.Limits`)
    runs the kernel in a new sandbox. ``check_runner(kernel, cell, index, limit)``, a coroutine, judges
    each check cell instead of running it in the kernel and returns its :class:`CellRun`
    (:mod:`bpkit.course.grading.remote`).
    """
    timeout = max(1, math.ceil(timeout))
    return run_sync(_run_cells(cells, timeout, str(cwd) if cwd else None,
                               env if env is not None else kernel_env(), before_check, sandbox, check_runner))


def run_sync(coroutine):
    """Run ``coroutine`` to its end and return its result, also where an event loop is already running in
    this thread (a Jupyter notebook, playwright's sync API): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()



"""``bpkit grade``: grade a class's submissions, each in its own sandbox, verdicts in the grader.

For one submission::

    submission --read--> cells --restore check/setup cells from the release--> outputs cleared
      --> a new sandbox (:mod:`.sandbox`) with a fresh kernel
      --> the student's cells run there, in order; at each check cell, the check runs HERE
          (:mod:`.remote`), calling the student's functions in the kernel on hidden cases
      --> CellRun records --> scorecard (:mod:`.scorecard`) + status

The student's file is only ever read. Nothing the kernel does reaches this process except plain data,
so no code in a submission can change its own verdict, another submission's, or the gradebook.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

from nbformat import NotebookNode

from ..exercises import exercises_in, notebooks_in, read_notebook
from . import sandbox as sandboxes
from .kernel import DEFAULT_TIMEOUT, CellRun, kernel_env, run_cells
from .parallel import parallel_map
from .remote import CheckRunner
from .restore import match_release, restore_protected_cells, student_name
from .scorecard import ExerciseResult, NotebookResult, clear_outputs, score

#: a submission's status in the gradebook, worst first
STATUSES = ("invalid notebook", "sandbox error", "grader error", "crashed", "timeout", "graded")


def status_of(runs: list[CellRun]) -> str:
    """"crashed" if the kernel died (or cells could not run), "timeout" if a cell timed out, else "graded"."""
    states = {r.status for r in runs}
    if states & {"died", "not run"}:
        return "crashed"
    if "timeout" in states:
        return "timeout"
    return "graded"


def grade_submission(path: os.PathLike | str, releases: Sequence[os.PathLike | str], *,
                     timeout: int = DEFAULT_TIMEOUT, env: dict[str, str] | None = None,
                     sandbox: sandboxes.Limits | None = sandboxes.Limits()) -> NotebookResult:
    """Grade one submission against the released notebooks; never raises for a bad file.

    ``sandbox``: the limits of the submission's sandbox, or None to run its kernel unsandboxed (in the
    release's directory, as the student ran it). Restoring protected cells is recorded in ``notes``.
    """
    path, release_paths = Path(path), [Path(r) for r in releases]
    started = time.monotonic()
    result = NotebookResult(str(path), student=path.stem, status="invalid notebook",
                            sandbox="bubblewrap" if sandbox is not None else "none")
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
        with tempfile.TemporaryDirectory(prefix="bpkit-ipython-") as fresh:
            if sandbox is None:  # unsandboxed: at least a profile of its own, not one a kernel before it wrote to
                env = dict(env if env is not None else kernel_env(),
                           IPYTHONDIR=str(sandboxes.fresh_profile(Path(fresh))))
            runs = run_cells(restored.cells, timeout=timeout, env=env, sandbox=sandbox,
                             cwd=None if sandbox is not None else release_path.resolve().parent,
                             check_runner=CheckRunner(release, restored.cells))
    except RuntimeError as e:  # the kernel did not start
        result.status = "sandbox error" if sandbox is not None else "crashed"
        result.error = f"could not run the notebook: {e}"
        for ex in result.exercises:
            ex.problem = result.error
        return result
    result.exercises = score(exercises, restored.cells, runs)
    result.status = status_of(runs)
    result.seconds = time.monotonic() - started
    return result


def _grade_job(job: tuple) -> NotebookResult:
    path, releases, timeout, env, sandbox = job
    try:
        return grade_submission(path, releases, timeout=timeout, env=env, sandbox=sandbox)
    except Exception as e:  # a grader bug must not lose the other students' rows
        return NotebookResult(path, student=Path(path).stem, status="grader error",
                              error=f"grading failed: {type(e).__name__}: {e}")


def _lost(job: tuple, error: BaseException) -> NotebookResult:
    return NotebookResult(job[0], student=Path(job[0]).stem, status="grader error",
                          error=f"the grading process died: {type(error).__name__}: {error}")


def release_notebooks(release: os.PathLike | str) -> list[Path]:
    """The released notebooks: ``release`` itself if it is a file, else the ones in it."""
    release = Path(release)
    return [release] if release.is_file() else notebooks_in(release)


def grade_many(submissions: Sequence[os.PathLike | str], release: os.PathLike | str, *,
               jobs: int = 1, timeout: int = DEFAULT_TIMEOUT, sandbox: bool = True,
               limits: sandboxes.Limits | None = None,
               on_result: Callable[[NotebookResult], None] | None = None,
               scheduler: str | None = None) -> list[NotebookResult]:
    """Grade every submission (``jobs`` at a time) against the release file or directory.

    Every submission gets a result, in the order given; ``on_result(result)`` is called as each one
    finishes (to write it down at once). With ``sandbox`` (the default) every submission runs in its
    own sandbox, and :class:`~bpkit.course.grading.sandbox.SandboxUnavailable` is raised when none can be
    made here; ``sandbox=False`` is ``--unsafe-no-sandbox``. ``scheduler`` (``tcp://host:8786`` or
    ``local:N``) grades on a dask.distributed cluster instead of ``jobs`` local processes (:mod:`.cluster`).
    """
    releases = [str(p) for p in release_notebooks(release)]
    if not releases:
        raise FileNotFoundError(f"no released notebooks at {release}")
    if sandbox:
        sandboxes.require()
    env = kernel_env()  # computed here: a worker's own environment may be older than ours
    limits = (limits or sandboxes.Limits()) if sandbox else None
    work = [(str(s), releases, timeout, env, limits) for s in submissions]
    if scheduler is not None:
        from .cluster import cluster_map

        # a worker may run elsewhere, in another directory: it gets absolute paths (on a filesystem every
        # worker shares), and each result is given back the paths as this run was given them
        given = {str(Path(p).resolve()): p for p in [*releases, *(str(s) for s in submissions)]}
        remote = [(str(Path(s).resolve()), [str(Path(r).resolve()) for r in releases], timeout, env, limits)
                  for s in submissions]

        def as_given(k: int, result: NotebookResult) -> NotebookResult:
            result.path = str(submissions[k])
            result.release = given.get(result.release, result.release)
            return result

        results = cluster_map(_grade_job, remote, scheduler, on_lost=_lost,
                              on_result=lambda k, r: on_result(as_given(k, r)) if on_result else as_given(k, r))
        return [as_given(k, r) for k, r in enumerate(results)]
    return parallel_map(_grade_job, work, jobs, on_lost=_lost,
                        on_result=(lambda k, r: on_result(r)) if on_result else None)

"""Scorecards: what each exercise earned, read from the runs of its check cell (``bpkit check``).

A check cell passes only if it raises nothing and prints its
``PASSED NN.k <title> [P/P points]`` line (:data:`bpkit.course.checks.PASSED_LINE`); saved outputs are
cleared before the run, so they count for nothing. The student's file is only ever *read*.
"""
from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable

from nbformat import NotebookNode

from ..checks._core import FAILED_HEAD, PASSED_LINE
from ..exercises import Exercise, exercise_of, exercises_in, read_notebook, role
from .kernel import DEFAULT_TIMEOUT, CellRun, run_cells
from .restore import check_guard

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
    #: graded, timeout, crashed, invalid notebook, sandbox error or grader error (``bpkit grade``)
    status: str = "graded"
    #: what the kernel ran in: "bubblewrap", "none" (--unsafe-no-sandbox) or "" (``bpkit check``)
    sandbox: str = ""

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



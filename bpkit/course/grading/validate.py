"""``bpkit validate`` (CI): strict nbval of lessons and solutions, and every shipped check must fail
on the unsolved exercises."""
from __future__ import annotations

import math
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from ..exercises import exercise_of, exercises_in, notebooks_in, read_notebook, role
from .kernel import DEFAULT_TIMEOUT, kernel_env, run_cells
from .parallel import parallel_map
from .scorecard import _describe, clear_outputs


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
           "-p", "bpkit.course.grading.nbval_kernels",   # a kernel that dies while starting is started again
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


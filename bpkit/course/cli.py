"""The ``bpkit`` command line: ``sync``, ``check``, ``grade``, ``gradebook`` and ``validate``.

* ``bpkit check NOTEBOOK`` (students): run a notebook in a fresh kernel, print a scorecard.
* ``bpkit grade SUBMISSION...`` (instructors): grade many notebooks in parallel, each in its own
  sandbox, with the verdicts computed outside the students' code, into a CSV and JSON gradebook;
  ``--shard I/N``, ``--resume``, ``--only STUDENT`` and ``bpkit gradebook merge`` (:mod:`.classroom`).
* ``bpkit sync [--check]`` (authors): generate ``exercises/`` from ``solutions/``.
* ``bpkit validate`` (CI): strict nbval, exercises in sync, every check fails unsolved.

Exit codes: 0 success; 1 a check, sync or validation failed; 2 a usage or input error.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from bpkit.course import grading

from .settings import DEFAULT_TIMEOUT, SETUP_TIMEOUT

PARTS = ("nbval", "sync", "invert")
TIMEOUT_HELP = (f"seconds each cell may run (default {DEFAULT_TIMEOUT}; setup cells get at least "
                f"{SETUP_TIMEOUT})")


def find_course_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` (default: cwd) holding ``solutions/``.

    Falls back to ``start`` itself, so default paths are relative to the current
    directory outside a course checkout.
    """
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "solutions").is_dir():
            return folder
    return start


def _show(path: Path) -> str:
    """``path`` relative to the current directory when it is below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _parts(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(f"unknown part {', '.join(unknown) or text!r}; "
                                         f"choose from {', '.join(PARTS)}")
    return parts


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {text}")
    return value


def _add_timeout(parser: argparse.ArgumentParser) -> None:
    """``--timeout S``, the same for every command that runs cells."""
    parser.add_argument("--timeout", type=_positive_int, default=DEFAULT_TIMEOUT, metavar="S", help=TIMEOUT_HELP)


# --------------------------------------------------------------------------- sync


def cmd_sync(args: argparse.Namespace) -> int:
    from bpkit.course import exercises as ex

    root = find_course_root()
    solutions = Path(args.solutions) if args.solutions else root / "solutions"
    exercises = Path(args.exercises) if args.exercises else root / "exercises"
    if not ex.notebooks_in(solutions):
        print(f"no solution notebooks in {_show(solutions)}: nothing to generate", file=sys.stderr)
        return 1
    try:
        entries = ex.plan_sync(solutions, exercises) if args.check else ex.sync(
            solutions, exercises, force=args.force)
    except ex.NotebookFormatError as e:
        print("error: the solutions break the exercise conventions; nothing was written:",
              file=sys.stderr)
        for problem in e.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except ex.UnsafeSyncError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return _report_sync(entries, exercises, check=args.check)


def _report_sync(entries: list, exercises: Path, *, check: bool) -> int:
    orphans = [e for e in entries if e.state == "orphan"]
    changed = [e for e in entries if e.state in ("missing", "out of sync")]
    for entry in changed:
        if check:
            print(f"{entry.state}: {_show(entry.exercise)}")
        else:
            print(f"wrote {_show(entry.exercise)}")
    for entry in orphans:
        print(f"orphan: {_show(entry.exercise)} has no solution notebook; delete it (git rm) "
              "or add its solution")
    in_sync = len(entries) - len(orphans) - (len(changed) if check else 0)
    print(f"{in_sync} of {len(entries) - len(orphans)} exercise notebooks in sync with their solutions"
          + (f"; {len(orphans)} orphan(s)" if orphans else ""))
    if check and changed:
        print("exercises/ is out of sync with solutions/: run `bpkit sync` and commit the result")
    return 1 if orphans or (check and changed) else 0


# --------------------------------------------------------------------------- check


def cmd_check(args: argparse.Namespace) -> int:
    from bpkit.course import grading

    path = Path(args.notebook)
    if not path.is_file():
        print(f"error: no notebook at {path}", file=sys.stderr)
        return 2
    print(f"Running {_show(path)} in a fresh kernel (your file is not modified) ...", flush=True)
    result = grading.check_notebook(path, timeout=args.timeout)
    print(grading.format_scorecard(result))
    if result.error:
        return 2
    return 0 if result.all_passed else 1


# --------------------------------------------------------------------------- grade


def _submissions(paths: Sequence[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        else:
            found.append(path)
    return found


# --------------------------------------------------------------------------- validate


def cmd_validate(args: argparse.Namespace) -> int:
    from bpkit.course import grading

    root = find_course_root()
    lessons = Path(args.lessons) if args.lessons else root / "lessons"
    solutions = Path(args.solutions) if args.solutions else root / "solutions"
    exercises = Path(args.exercises) if args.exercises else root / "exercises"
    parts = [p for p in PARTS if p in (args.only or PARTS)]
    jobs = args.jobs or os.cpu_count() or 1
    results: list = []
    for part in parts:
        print(f"== validate: {part} ==", flush=True)
        if part == "nbval":
            result = grading.validate_nbval([lessons, solutions], jobs=jobs, timeout=args.timeout,
                                            cwd=root, on_output=print,
                                            color=sys.stdout.isatty())
        elif part == "sync":
            result = _validate_sync(solutions, exercises)
        else:
            result = grading.validate_invert(exercises, jobs=jobs, timeout=args.invert_timeout)
        results.append(result)
        _print_part(result)
    print("== validate: summary ==")
    for result in results:
        print(f"  {result.name:<7} {'PASSED' if result.passed else 'FAILED'}  {result.summary}")
    failed = [r for r in results if not r.passed]
    print(f"validate: {len(results) - len(failed)} of {len(results)} parts passed")
    return 1 if failed else 0


def _validate_sync(solutions: Path, exercises: Path) -> "grading.PartResult":
    from bpkit.course import exercises as ex
    from bpkit.course import grading

    if not ex.notebooks_in(solutions):
        return grading.PartResult("sync", False, f"no solution notebooks in {_show(solutions)}")
    try:
        entries = ex.plan_sync(solutions, exercises)
    except ex.NotebookFormatError as e:
        return grading.PartResult("sync", False, "solutions break the exercise conventions", e.problems)
    bad = [f"{e.state}: {_show(e.exercise)}" for e in entries if not e.ok]
    if bad:
        return grading.PartResult("sync", False, f"{len(bad)} exercise notebook(s) out of sync "
                                  "with solutions/ (run `bpkit sync`)", bad)
    return grading.PartResult("sync", True, f"{len(entries)} exercise notebooks in sync with solutions/")


def _print_part(result: "grading.PartResult") -> None:
    print(f"{result.name}: {'PASSED' if result.passed else 'FAILED'}: {result.summary}")
    if not result.passed or result.name != "nbval":  # nbval streamed its own output
        for line in result.details:
            print(f"  {line}")


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bpkit",
        description="bpkit's course tools: check your notebook, grade a class, keep "
                    "exercises in sync with solutions, validate the course in CI.",
        epilog="Exit codes: 0 success; 1 a check, sync or validation failed; 2 a usage or input "
               "error. Default directories are found from the course root (the nearest directory "
               "above the current one that holds solutions/).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("check", help="run your notebook in a fresh kernel and print a scorecard",
                       description="Run NOTEBOOK (a copy: your file is never modified) in a fresh "
                                   "kernel, cell by cell, and print PASSED/FAILED, points and the "
                                   "hint for every graded exercise. Exit 0 only if all passed.")
    p.add_argument("notebook", metavar="NOTEBOOK", help="the notebook to check")
    _add_timeout(p)
    p.set_defaults(run=cmd_check)

    from . import classroom  # grade and gradebook: a class, whole or in shards

    classroom.add_parsers(sub)

    p = sub.add_parser("sync", help="generate exercises/ from solutions/",
                       description="Write each exercises/NN_*.ipynb from solutions/NN_*.ipynb: "
                                   "'### BEGIN SOLUTION' ... '### END SOLUTION' regions become "
                                   "'# YOUR CODE HERE' + 'raise NotImplementedError()', outputs are "
                                   "cleared. Refuses to overwrite a file that has been run or filled "
                                   "in, unless --force.")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 listing the exercises that are out of sync")
    p.add_argument("--force", action="store_true",
                   help="overwrite exercise files even if they have outputs or filled-in answers")
    p.add_argument("--solutions", metavar="DIR", help="default: <course root>/solutions")
    p.add_argument("--exercises", metavar="DIR", help="default: <course root>/exercises")
    p.set_defaults(run=cmd_sync)

    p = sub.add_parser("validate", help="validate the course for CI (nbval, sync, invert)",
                       description="nbval: strict nbval on lessons/ and solutions/. sync: exercises/ "
                                   "in sync with solutions/. invert: every check cell fails (with its "
                                   "CheckFailed) on the unsolved exercises. A part with no notebooks "
                                   "fails. Exit 0 only if every selected part passes.")
    p.add_argument("--only", action="extend", type=_parts, metavar="PART[,PART]",
                   help=f"run only these parts ({', '.join(PARTS)}); comma-separated or repeated")
    p.add_argument("--jobs", "-j", type=_positive_int, default=None, metavar="N",
                   help="notebooks run at a time (default: number of CPUs)")
    p.add_argument("--timeout", type=_positive_int, default=600, metavar="S",
                   help="nbval's per-cell timeout (default 600)")
    p.add_argument("--invert-timeout", type=_positive_int, default=120, metavar="S",
                   help="per-cell timeout when running the unsolved exercises (default 120)")
    p.add_argument("--lessons", metavar="DIR", help="default: <course root>/lessons")
    p.add_argument("--solutions", metavar="DIR", help="default: <course root>/solutions")
    p.add_argument("--exercises", metavar="DIR", help="default: <course root>/exercises")
    p.set_defaults(run=cmd_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``bpkit`` command; returns the exit code."""
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

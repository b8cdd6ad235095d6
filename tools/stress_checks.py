"""Does every graded check pass the shipped solution on every hidden case it can draw?

Each check draws fresh hidden cases on every run (``fresh_rng``), so a right answer that fails on one case in a
thousand fails a student now and then and CI once in a while: twice so far (04.6 drew a bug too small to see,
09.2's tolerance was below central differences' error). A test run sees one draw per check. This script sees
hundreds: it runs each ``solutions/`` notebook's cells once in this process, then runs every check cell again
under ``seeded(k)`` for k = 0, 1, 2, ... (the seeds ``bpkit grade`` uses, so a failure here is replayed exactly by
``--first k --seeds 1``), until ``--seeds`` runs or ``--budget`` seconds per check.

Usage: ``.venv/bin/python tools/stress_checks.py [solutions/04_*.ipynb ...] [--seeds 300] [--budget 60]
[--first 0] [--exercise 04.6]``. Exit code 1 if any run of a check failed the solution, else 0.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
import traceback
import warnings
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]


def cells(path: Path) -> list[tuple[dict, str]]:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return [(c.metadata.get("bpkit", {}), c.source) for c in nb.cells if c.cell_type == "code"]


def _quietly(source: str, namespace: dict) -> None:
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 - our own solution notebooks


def stress(path: Path, seeds: int, budget: float, first: int, only: set[str]) -> list[tuple[str, int, int, list]]:
    """[(exercise, runs, failures, [(seed, message), ...])] for every check cell of the notebook at ``path``."""
    import matplotlib.pyplot as plt

    from bpkit.course.checks._core import seeded

    namespace: dict = {"__name__": "__main__"}
    rows = []
    for index, (meta, source) in enumerate(cells(path)):
        if meta.get("role") != "check":
            try:
                _quietly(source, namespace)
            except Exception as exc:  # noqa: BLE001 - the checks that follow then fail, and say why
                if only and meta.get("role") != "setup" and meta.get("exercise") not in only:
                    continue  # a cell of another exercise, or of none: not asked about
                print(f"code cell {index} raised {type(exc).__name__}: {str(exc)[:120]}", flush=True)
                rows.append((f"cell {index}", 1, 1, [(None, f"{type(exc).__name__}: {exc}")]))
            plt.close("all")
            continue
        exercise = meta.get("exercise", "?")
        if only and exercise not in only:
            continue
        runs, failed, started = 0, [], time.monotonic()
        for k in range(first, first + seeds):
            runs += 1
            try:
                with seeded(k):
                    _quietly(source, namespace)
            except Exception as exc:  # noqa: BLE001 - every failure is reported
                lines = [x.strip() for x in str(exc).splitlines() if x.strip()]
                line = " / ".join(lines[:2]) if lines else type(exc).__name__
                if not hasattr(exc, "hint") and type(exc).__name__ not in ("CheckFailed", "Hint"):
                    line = f"{type(exc).__name__}: {line} ({traceback.extract_tb(exc.__traceback__)[-1].name})"
                failed.append((k, line[:220]))
            plt.close("all")
            if time.monotonic() - started > budget:
                break
        rows.append((exercise, runs, len(failed), failed))
        print(f"{exercise:6} {runs:5} runs  {len(failed):3} failed  seeds {first}..{first + runs - 1}"
              f"  {time.monotonic() - started:6.1f} s", flush=True)
        for k, line in failed[:5]:
            print(f"         seed {k}: {line}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="solution notebooks (default: solutions/*.ipynb)")
    parser.add_argument("--seeds", type=int, default=300, help="runs per check at most (default 300)")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per check at most (default 60)")
    parser.add_argument("--first", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("--exercise", action="append", default=[], help="only this exercise, e.g. 04.6")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "solutions").glob("*.ipynb"))
    os.chdir(ROOT)  # the notebooks' working directory, as under nbval
    failures = 0
    for path in notebooks:
        print(f"# {path.name}", flush=True)
        failures += sum(r[2] for r in stress(path, args.seeds, args.budget, args.first, set(args.exercise)))
    print(f"\n{failures} failed run(s) of a right answer" if failures else "\nevery run passed the solution")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""What the grading sandbox costs: `bpkit grade` of N honest lesson-06 submissions, sandbox on and off.

Both modes grade the same class in the same run, in alternating rounds (sandboxed, unsandboxed, sandboxed, ...),
with ``--jobs 2``, and the script prints seconds per submission for each and their ratio. Speed is measured
here, never asserted in a test (tests/test_benchmarks.py only runs ``--quick``).

    .venv/bin/python benchmarks/grading.py                 # 100 submissions, 2 rounds each (about 5 minutes)
    .venv/bin/python benchmarks/grading.py --submissions 20 --rounds 1
    .venv/bin/python benchmarks/grading.py --quick         # 4 submissions, 1 round: a smoke run
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def honest_class(lesson: str, count: int, folder: Path) -> tuple[Path, list[Path]]:
    """(the released notebook of lesson ``lesson``, ``count`` copies of its solution as students' submissions)."""
    solution = Path(glob.glob(str(ROOT / "solutions" / f"{lesson}_*.ipynb"))[0])
    subs = []
    for k in range(count):
        path = folder / f"student{k:03d}" / solution.name
        path.parent.mkdir()
        shutil.copy(solution, path)
        subs.append(path)
    return ROOT / "exercises" / solution.name, subs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.submissions, args.rounds = 4, 1

    from bpkit.course import grading
    from bpkit.course.grading import sandbox

    if sandbox.problem() is not None:
        print(f"no sandbox here: {sandbox.problem()}")
        return 2
    with tempfile.TemporaryDirectory(prefix="bpkit-bench-") as tmp:
        release, subs = honest_class("04", args.submissions, Path(tmp))
        load = os.getloadavg()[0]
        print(f"grading {args.submissions} honest submissions of lesson 04 with --jobs {args.jobs}, "
              f"{args.rounds} round(s) per mode; load average {load:.2f} on {os.cpu_count()} CPUs")
        times: dict[str, list[float]] = {"sandboxed": [], "unsandboxed": []}
        for _ in range(args.rounds):
            for mode in ("sandboxed", "unsandboxed"):
                started = time.perf_counter()
                results = grading.grade_many(subs, release, jobs=args.jobs, sandbox=(mode == "sandboxed"))
                seconds = time.perf_counter() - started
                bad = [r for r in results if r.earned != r.possible or r.status != "graded"]
                if bad:
                    print(f"{mode}: {len(bad)} submissions not graded full marks: {bad[0]}")
                    return 1
                times[mode].append(seconds / args.submissions)
        on, off = statistics.median(times["sandboxed"]), statistics.median(times["unsandboxed"])
        print(f"{'mode':<12} {'s/submission (median)':>22} {'rounds':>30}")
        for mode, values in times.items():
            print(f"{mode:<12} {statistics.median(values):>22.3f} {' '.join(f'{v:.3f}' for v in values):>30}")
        print(f"sandbox overhead: {on / off:.2f}x ({(on / off - 1) * 100:+.0f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

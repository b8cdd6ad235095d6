"""Grading a class on dask.distributed: `--jobs 2` against `--scheduler local:2`, side by side.

Grades N honest lesson-01 submissions in each mode, alternating (jobs, dask, jobs, dask, ...), and prints
the throughput of each (submissions per second), the seconds per submission, and what dask adds per
submission (its cluster's start-up included: a real run pays it once). Both modes must give every
submission full marks. Speed is measured here, never asserted in a test (tests/test_benchmarks.py runs
``--quick``).

    .venv/bin/python benchmarks/grading_cluster.py                   # 200 submissions, 1 round per mode
    .venv/bin/python benchmarks/grading_cluster.py --submissions 40 --rounds 2
    .venv/bin/python benchmarks/grading_cluster.py --quick           # 4 submissions: a smoke run
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from grading import honest_class  # noqa: E402  (benchmarks/grading.py: the same honest class)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="--jobs N against --scheduler local:N")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.submissions, args.rounds = 4, 1

    from bpkit.course import grading
    from bpkit.course.grading import cluster, sandbox

    if sandbox.problem() is not None:
        print(f"no sandbox here: {sandbox.problem()}")
        return 2
    try:
        cluster.require_dask()
    except cluster.SchedulerError as e:
        print(e)
        return 2
    n = args.workers
    with tempfile.TemporaryDirectory(prefix="bpkit-bench-") as tmp:
        release, subs = honest_class("01", args.submissions, Path(tmp))
        print(f"grading {args.submissions} honest submissions of lesson 01, {args.rounds} round(s) per mode, "
              f"each in its own sandbox; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        modes = {f"--jobs {n}": {"jobs": n}, f"--scheduler local:{n}": {"scheduler": f"local:{n}"}}
        times: dict[str, list[float]] = {m: [] for m in modes}
        for _ in range(args.rounds):
            for mode, how in modes.items():
                started = time.perf_counter()
                results = grading.grade_many(subs, release, timeout=120, **how)
                times[mode].append(time.perf_counter() - started)
                bad = [r for r in results if r.earned != r.possible or r.status != "graded"]
                if bad:
                    print(f"{mode}: {len(bad)} submission(s) not graded full marks, e.g. {bad[0]}")
                    return 1
        print(f"{'mode':<24} {'seconds':>9} {'submissions/s':>14} {'s/submission':>13}")
        med = {m: statistics.median(t) for m, t in times.items()}
        for mode, seconds in med.items():
            print(f"{mode:<24} {seconds:>9.1f} {args.submissions / seconds:>14.2f} {seconds / args.submissions:>13.3f}")
        jobs, dask = med[f"--jobs {n}"], med[f"--scheduler local:{n}"]
        print(f"dask adds {(dask - jobs) / args.submissions * 1000:+.0f} ms per submission "
              f"({dask / jobs:.2f}x the time of --jobs {n}, its cluster's start-up included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

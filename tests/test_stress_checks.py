"""Does tools/stress_checks.py (many seeded runs of every check on the shipped solution) pass a solution and fail
an unanswered exercise, naming the seed that failed?"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def stress(notebook: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "stress_checks.py"), notebook, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_solution_passes_every_seeded_run():
    """Does 01.1's check pass the solution on seeds 0..4, and say so with exit code 0?"""
    run = stress("solutions/01_notation_forward_pass.ipynb", "--seeds", "5", "--exercise", "01.1")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "01.1       5 runs    0 failed  seeds 0..4" in run.stdout and "every run passed" in run.stdout


def test_an_unanswered_exercise_fails_with_its_seed_and_hint():
    """Does the unanswered 01.1 fail on seeds 7 and 8, each named with the check's hint, and exit 1?"""
    run = stress("exercises/01_notation_forward_pass.ipynb", "--seeds", "2", "--first", "7", "--exercise", "01.1")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "01.1       2 runs    2 failed  seeds 7..8" in run.stdout
    for seed in (7, 8):
        assert f"seed {seed}: FAILED 01.1" in run.stdout and "not answered yet" in run.stdout
    assert "2 failed run(s) of a right answer" in run.stdout

"""Do the benchmark scripts run, and does memoization grow the way the notes say?

Speed is measured by ``benchmarks/speed.py``, never asserted here: the machine is shared
and timings are noise. The multiplication *counts* are deterministic, so their growth
exponents are asserted: memoized linear in the number of weights, naive at least quadratic.
"""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


def run(script: str, *args: str, timeout: float = 120) -> str:
    """Run a benchmark script in a subprocess (from another directory) and return its stdout."""
    proc = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True, text=True, timeout=timeout, cwd=str(BENCH.parent.parent),
        env={**os.environ, "PYTHONWARNINGS": "error::RuntimeWarning"},
    )
    assert proc.returncode == 0, f"{script} {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def memo_output() -> str:
    return run("memo_growth.py", "--quick")


def exponents(out: str) -> dict[str, tuple[float, float]]:
    """{'width': (memoized, naive), 'depth': (...)} parsed from the exponent table."""
    block = out.split("growth exponents", 1)[1]
    found = {name: (float(a), float(b))
             for name, a, b in re.findall(r"^\s*(width|depth)\s+([-\d.]+)\s+([-\d.]+)\s*$", block, re.M)}
    assert set(found) == {"width", "depth"}, out
    return found


def test_speed_quick_prints_the_table():
    """Does speed.py --quick check the contenders and print the table, the goals and the BLAS?"""
    out = run("speed.py", "--quick")
    assert "numpy " in out and "BLAS (threadpoolctl):" in out and "BLAS threads" in out
    header = next(line for line in out.splitlines() if line.startswith("case"))
    for column in ("bpkit ms", "floor ms", "bpkit/floor", "sklearn ms", "bpkit/sklearn",
                   "torch ms", "bpkit/torch"):
        assert column in header, header
    for case in ("64-25-10", "400-25-10", "784-128-64-10"):
        assert case in out
    assert out.count("784-128-64-10") >= 2
    # the sklearn contender is either verified against bpkit or skipped with a reason
    assert re.search(r"checked: sklearn _backprop.* bpkit's E and gradient", out) or "sklearn skipped:" in out
    assert "torch autograd" in out or re.search(r"^torch .*: skipped$", out, re.M)
    assert "goals" in out and re.search(r"all goals: (met|not met)", out)


def test_speed_runs_as_a_cpu_without_avx512_would_in_a_child_process():
    """Does --no-avx512 run one case in a child whose numpy has its AVX-512 loops off and whose OpenBLAS runs the
    Haswell kernel (where this CPU and BLAS allow it), saying so in the header?"""
    out = run("speed.py", "--quick", "--case", "1", "--no-avx512")
    assert "64-25-10" in out and "400-25-10" not in out
    simd = next(line for line in out.splitlines() if line.startswith("numpy SIMD dispatch:"))
    assert "X86_V4" not in simd.split("(")[0] and "AVX512" not in simd.split("(")[0], simd
    blas = next(line for line in out.splitlines() if line.startswith("BLAS (threadpoolctl):"))
    cpuinfo = Path("/proc/cpuinfo")
    if "openblas" in blas and cpuinfo.exists() and "avx2" in cpuinfo.read_text().split():
        assert "kernel=Haswell" in blas, blas
    assert "OPENBLAS_CORETYPE=Haswell" in out


def test_speed_rejects_a_case_that_does_not_exist():
    """Is --case 9 a usage error naming the cases there are?"""
    proc = subprocess.run([sys.executable, str(BENCH / "speed.py"), "--quick", "--case", "9"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--case must be between 1 and 4" in proc.stderr, proc.stderr


def test_memo_growth_quick_prints_tables_and_exponents(memo_output):
    """Does memo_growth.py --quick print both sweeps, the exponents and the base per layer?"""
    assert "growing width" in memo_output and "growing depth" in memo_output
    assert "growth exponents" in memo_output
    assert re.search(r"naive fitted base per layer .*: ([\d.]+)", memo_output)


def test_memoized_count_is_linear_in_the_weights(memo_output):
    """Is the memoized count's growth exponent (width sweep) about 1?"""
    memo, _ = exponents(memo_output)["width"]
    assert 0.9 <= memo <= 1.1, memo_output


def test_naive_count_is_at_least_quadratic_in_the_weights(memo_output):
    """Is the naive count's growth exponent at least 1.8 (width sweep), and exponential in depth?"""
    fits = exponents(memo_output)
    assert fits["width"][1] >= 1.8, memo_output
    assert fits["depth"][1] >= 1.8, memo_output
    base = float(re.search(r"naive fitted base per layer .*?: ([\d.]+)", memo_output).group(1))
    assert base >= 2.0, memo_output


def load_speed():
    spec = importlib.util.spec_from_file_location("bpkit_bench_speed", BENCH / "speed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sklearn_contender_is_skipped_with_a_reason_if_backprop_changes(monkeypatch):
    """If sklearn's private _backprop changes signature again, is its column skipped, saying why?"""
    from sklearn.neural_network import MLPClassifier

    speed = load_speed()
    net, X, Y = speed.make_case((4, 3, 2), 5)
    monkeypatch.setattr(MLPClassifier, "_backprop", lambda self, X, y, state: None)
    with pytest.raises(speed.Skip, match="unknown signature"):
        speed.sklearn_contender(net, X, Y, 1.0)


def test_sklearn_contender_computes_bpkits_loss_and_gradient():
    """Is the sklearn contender apples to apples: bpkit's E and gradient, and does verify catch a difference?"""
    import bpkit

    speed = load_speed()
    net, X, Y = speed.make_case((5, 4, 3), 20)
    g = bpkit.gradient(net, X, Y, lam=1.0)
    loss, coef_grads, intercept_grads = speed.sklearn_contender(net, X, Y, 1.0)()
    speed.verify("sklearn", g, loss, coef_grads, intercept_grads)
    coef_grads[0][0, 0] += 1e-6
    with pytest.raises(AssertionError, match="differs from bpkit"):
        speed.verify("sklearn", g, loss, coef_grads, intercept_grads)


def test_grading_quick_prints_seconds_per_submission_for_both_modes(sandboxed):
    """Does grading.py --quick grade honest lesson-06 submissions sandboxed and not, full marks in both, and
    print seconds per submission and the sandbox's overhead?"""
    out = run("grading.py", "--quick")
    assert re.search(r"^sandboxed\s+[\d.]+", out, re.M) and re.search(r"^unsandboxed\s+[\d.]+", out, re.M), out
    assert re.search(r"^sandbox overhead: [\d.]+x", out, re.M), out


def test_grading_cluster_quick_prints_both_modes_throughput(sandboxed):
    """Does grading_cluster.py --quick grade honest lesson-01 submissions with --jobs 2 and on a local dask
    cluster, full marks in both, and print each mode's throughput and dask's overhead per submission?"""
    pytest.importorskip("distributed", reason="the cluster extra (pip install 'bpkit[cluster]') is not installed")
    out = run("grading_cluster.py", "--quick")
    assert re.search(r"^--jobs 2\s+[\d.]+\s+[\d.]+", out, re.M), out
    assert re.search(r"^--scheduler local:2\s+[\d.]+\s+[\d.]+", out, re.M), out
    assert re.search(r"^dask adds [+-]\d+ ms per submission", out, re.M), out


def test_speed_quick_measures_memory_and_names_the_cpu():
    """Does speed.py --quick print the CPU model, the tracemalloc peaks (a first call, a call in a loop) and what
    the workspace keeps, against the forward record, and the memory goal?"""
    out = run("speed.py", "--quick")
    assert re.search(r"^CPU: \S", out, re.M), out
    assert re.search(r"peak\s+[\d.]+ MB\s+in a loop\s+[\d.]+ MB\s+kept\s+[\d.]+ MB\s+record\s+[\d.]+ MB\s+"
                     r"peak/record [\d.]+", out), out
    assert re.search(r"peak/record\s+[\d.]+ <= 1.5\s+(met|not met)", out), out


def test_widget_latency_times_every_slider_as_built_and_at_the_integer_sliders_maximum():
    """Does widget_latency.py --lesson 05 time each slider of both lesson-05 widgets, as built and with every integer
    slider at its maximum, and count them in its summary?"""
    out = run("widget_latency.py", "--lesson", "05", "--repeat", "2")
    header = next(line for line in out.splitlines() if line.startswith("lesson"))
    for column in ("widget", "slider", "state", "median ms", "max ms", "≤ 100 ms", "build ms"):
        assert column in header, header
    rows = [line.split() for line in out.splitlines() if line.startswith("05 ")]
    states = {(r[1], "ints at max" if "ints" in r else "as built") for r in rows}
    assert states == {(w, s) for w in ("memo_table", "counts_and_paths") for s in ("as built", "ints at max")}, out
    assert all("update failed" not in " ".join(r) and "build failed" not in " ".join(r) for r in rows), out
    assert f"\n{len(rows)} slider(s) timed" in out, out

"""Do the course's saved outputs and its checks hold on CPUs and BLAS libraries other than the authors'?

Strict nbval compares every saved output. The first edition passed it only with the AVX-512 kernels
the notebooks were executed with. Here every lesson and solution runs again under strict nbval with
OpenBLAS forced to other kernel families (``OPENBLAS_CORETYPE``, set in that subprocess's environment
only) and to 1 and 2 threads, and the checks' own tests run under a second kernel. Each run first asks
threadpoolctl which kernel OpenBLAS really uses, so a run that silently kept the default kernel fails
instead of proving nothing.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from tools.openblas import forced_env

ROOT = Path(__file__).resolve().parents[1]
IPYTHONDIR = ROOT / "bpkit" / "data" / "ipython"
#: OpenBLAS kernel families and the CPU feature each needs (a kernel the CPU lacks would crash);
#: /proc/cpuinfo calls SSE3 "pni"
FAMILIES = {"Prescott": "pni", "Nehalem": "sse4_2", "Sandybridge": "avx", "Haswell": "avx2",
            "SkylakeX": "avx512f"}


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    line = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return set(line.partition(":")[2].split())


def blas(env: dict[str, str]) -> dict:
    """What numpy's BLAS is in a Python started with ``env``: threadpoolctl's record of it."""
    code = ("import json, numpy, threadpoolctl; "
            "print(json.dumps([i for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas']))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    infos = json.loads(out.stdout or "[]")
    return infos[0] if infos else {}


def configurations() -> list[tuple[str, int]]:
    """Three kernel families other than the default, the 1- and 2-thread runs shared among them
    (the main ``bpkit validate`` run covers the default kernel)."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return []
    flags = cpu_flags()
    usable = [name for name, flag in FAMILIES.items() if flag in flags]
    # The kernel each family really runs (OpenBLAS names some differently, e.g. Prescott's "Katmai"), and the one
    # this machine runs by default (which OPENBLAS_CORETYPE in the environment may already have chosen)
    default = blas(dict(os.environ)).get("architecture", "").lower()
    others = [name for name in usable
              if blas(dict(os.environ, OPENBLAS_CORETYPE=name)).get("architecture", "").lower() not in ("", default)]
    picked = others[:2] + others[-1:] if len(others) > 3 else others
    return [(name, 1 if k % 2 == 0 else 2) for k, name in enumerate(picked)]


def forced(coretype: str, threads: int) -> dict[str, str]:
    """The environment of a subprocess whose OpenBLAS runs ``coretype`` on ``threads`` threads (with
    ``OPENBLAS_L2_SIZE`` where that kernel needs it: tools/openblas.py); skips if numpy cannot run bare products so."""
    env = forced_env(dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), IPYTHONDIR=str(IPYTHONDIR)), coretype)
    if env is None:
        pytest.skip(f"numpy's OpenBLAS forced to {coretype} ({threads} thread(s)) cannot run a bare matrix product "
                    "on this CPU (it crashes or hangs, with or without OPENBLAS_L2_SIZE): OpenBLAS's problem here")
    info = blas(env)
    if info.get("internal_api") != "openblas":
        pytest.skip(f"numpy's BLAS here is {info.get('internal_api') or 'unknown'}, not OpenBLAS: "
                    "OPENBLAS_CORETYPE cannot choose its kernel")
    # OpenBLAS may name the kernel it runs differently (Prescott's is reported as "Katmai" by some builds),
    # so what must hold is that it is no longer the default one
    default = blas(dict(os.environ)).get("architecture", "")
    assert info.get("architecture") and info["architecture"].lower() != default.lower(), (
        f"OPENBLAS_CORETYPE={coretype} did not take: OpenBLAS still runs {info.get('architecture')!r}")
    assert info.get("num_threads") == threads, info
    return env


CONFIGURATIONS = configurations()


def test_three_kernel_families_and_both_thread_counts_are_tried():
    """Does this machine give the portability runs below three kernel families other than its default,
    with 1 and 2 threads among them? (On a CPU that cannot, say so rather than pass quietly.)"""
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip(f"OpenBLAS kernel families are x86-64's; this is {platform.machine()}")
    assert len({name for name, _ in CONFIGURATIONS}) >= 3, CONFIGURATIONS
    assert {threads for _, threads in CONFIGURATIONS} == {1, 2}, CONFIGURATIONS


def strict_nbval(paths: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
           "-q", "-rfE", "--color=no", "-n", "2", "--dist", "loadfile", *paths]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)


@pytest.mark.slow
def test_a_digit_of_rounding_noise_is_caught(tmp_path):
    """Would these runs catch an output that prints rounding noise? A notebook executed with the default
    kernel prints sixteen column sums of a matrix product to 17 digits; under another kernel strict nbval must
    fail it. (Sixteen, not one: one sum can come out the same on two kernels by chance, and on an AVX-512
    machine the total of A @ A @ A did, with the SkylakeX kernel and with Prescott's on one thread.)"""
    if len(CONFIGURATIONS) < 1:
        pytest.skip("no second OpenBLAS kernel family on this machine")
    import nbformat
    from nbclient import NotebookClient

    source = ("import numpy as np\nA = np.random.default_rng(0).normal(size=(300, 300))\n"
              "print([repr(float(x)) for x in (A @ A @ A)[:, :16].sum(axis=0)])")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    env = dict(os.environ, IPYTHONDIR=str(IPYTHONDIR))
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    path = tmp_path / "noise.ipynb"
    nbformat.write(nb, path)
    assert strict_nbval([str(path)], env, tmp_path).returncode == 0  # the same kernel: passes
    result = strict_nbval([str(path)], forced(*CONFIGURATIONS[0]), tmp_path)
    assert result.returncode == 1 and "Cell outputs differ" in result.stdout, result.stdout[-2000:]


@pytest.mark.slow
@pytest.mark.parametrize("coretype, threads", CONFIGURATIONS,
                         ids=[f"{name}-{threads}thread" for name, threads in CONFIGURATIONS])
def test_every_saved_output_is_the_same_under_another_blas_kernel(coretype, threads):
    """Does every lesson and solution pass strict nbval with OpenBLAS forced to ``coretype``?"""
    result = strict_nbval(["lessons", "solutions"], forced(coretype, threads))
    tail = "\n".join(result.stdout.splitlines()[-60:])
    assert result.returncode == 0, f"OPENBLAS_CORETYPE={coretype}, {threads} thread(s):\n{tail}"


@pytest.mark.slow
def test_the_checks_tests_pass_under_a_second_blas_kernel():
    """Do the graded checks' own tests (right answers pass, every wrong variant fails with its hint) hold
    under another kernel family too (the oldest this machine does not run by default), so no check's
    tolerance fits only one CPU?"""
    if not CONFIGURATIONS:
        pytest.skip("no second OpenBLAS kernel family on this machine")
    coretype = CONFIGURATIONS[0][0]
    env = forced(coretype, 1)
    tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_checks_*.py"))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no", *tests]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    tail = "\n".join(result.stdout.splitlines()[-40:])
    assert result.returncode == 0, f"OPENBLAS_CORETYPE={coretype}:\n{tail}"
    assert " passed" in result.stdout.splitlines()[-1]

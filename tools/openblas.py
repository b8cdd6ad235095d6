"""numpy's OpenBLAS forced to another kernel family (``OPENBLAS_CORETYPE``) for one subprocess, and made to run.

The portability tests and ``benchmarks/speed.py --coretype`` force kernels to see how the course behaves on other
CPUs. A forced kernel must first run bare numpy products: OpenBLAS 0.3.34 (numpy 2.5.5), forced to the Haswell or
Zen kernel on an AVX-512 CPU of this workplace's VMs, segfaults in dgemm (a (1797, 25)ᵀ (1797, 10) product) unless
it is told the L2 cache size (``OPENBLAS_L2_SIZE``), while its Prescott kernel then loops forever in a 300 × 300
A @ A @ A (and runs without it). So :func:`forced_env` gives the L2 size, the CPU's own from sysfs, only to a kernel
that needs it, and answers None for a kernel that runs neither way.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: products that crashed or hung some forced kernels (see the module docstring)
PROBE = ("import numpy as np; rng = np.random.default_rng(0); A = rng.normal(size=(300, 300)); A @ A @ A; "
         "rng.random((1797, 25)).T @ rng.random((1797, 10)); print('ok')")


def l2_bytes() -> int | None:
    """The size of this CPU's L2 cache (Linux sysfs), or None."""
    try:
        text = Path("/sys/devices/system/cpu/cpu0/cache/index2/size").read_text().strip()
        return int(text.rstrip("KkMm")) * {"K": 1024, "M": 1024 ** 2}.get(text[-1:].upper(), 1)
    except (OSError, ValueError):
        return None


def numpy_runs(env: dict[str, str], python: str = sys.executable) -> bool:
    """Whether ``python`` started with ``env`` computes :data:`PROBE`'s products (no crash, no hang)."""
    try:
        out = subprocess.run([python, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return False
    return out.returncode == 0 and out.stdout.strip() == "ok"


def forced_env(env: dict[str, str], coretype: str, python: str = sys.executable) -> dict[str, str] | None:
    """``env`` with ``OPENBLAS_CORETYPE=coretype``, plus ``OPENBLAS_L2_SIZE`` if (and only if) that kernel needs
    it to run bare products here; None if it runs neither way (OpenBLAS's problem on this CPU)."""
    env = dict(env, OPENBLAS_CORETYPE=coretype)
    env.pop("OPENBLAS_L2_SIZE", None)          # belongs to whatever kernel the machine had forced
    if numpy_runs(env, python):
        return env
    l2 = l2_bytes()
    if l2 and numpy_runs(dict(env, OPENBLAS_L2_SIZE=str(l2)), python):
        return dict(env, OPENBLAS_L2_SIZE=str(l2))
    return None

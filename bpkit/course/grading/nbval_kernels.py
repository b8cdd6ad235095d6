"""A pytest plugin for nbval runs: a kernel that dies while starting is started again, and says why.

nbval starts one kernel per notebook on TCP ports that jupyter_client picked by binding and releasing
them; the kernel binds them a moment later. When other processes start kernels or open connections
at the same time (``bpkit validate --jobs 2``, the test suite's portability runs, a class being
graded), one of those ports can be taken in between, and that kernel exits before it answers:
"Kernel died before replying to kernel_info", and every cell of that notebook errors, although
nothing in the notebook is wrong. nbval sends the kernel's stderr to /dev/null, so the reason is lost.

With this plugin (``-p bpkit.course.grading.nbval_kernels``; the repository's conftest.py loads it
for every pytest run there) a kernel that dies or does not answer while starting is started again,
up to :data:`ATTEMPTS` times in all. Each failed start is reported as a warning, with the tail of
that kernel's own stderr, and if every attempt fails, the error says so and shows it. Only the start
is retried: a cell that fails, or a kernel that dies while running a cell, fails as before.
"""
from __future__ import annotations

import tempfile
import time
import warnings

#: kernel starts tried per notebook, the first included
ATTEMPTS = 3


class KernelStartWarning(UserWarning):
    """A kernel died or did not answer while starting, and was started again."""


def _tail(log) -> str:
    log.flush()
    log.seek(0)
    text = log.read().strip()
    return text[-2000:] if text else "(the kernel wrote nothing to stderr)"


def retrying(start, attempts: int = ATTEMPTS, pause: float = 0.5):
    """``start`` (nbval's ``start_new_kernel``), tried up to ``attempts`` times while it raises RuntimeError
    (jupyter_client's "Kernel died before replying to kernel_info" or "...didn't respond to heartbeats"),
    with the kernel's stderr kept in a temporary file instead of /dev/null."""
    def start_new_kernel(*args, **kwargs):
        for attempt in range(1, attempts + 1):
            log = tempfile.TemporaryFile(mode="w+", prefix="bpkit-nbval-kernel-")
            kwargs["stderr"] = log   # the kernel keeps its own descriptor of the file; this one can close
            try:
                return start(*args, **kwargs)
            except RuntimeError as exc:
                why = f"{exc}\nits stderr:\n{_tail(log)}"
                if attempt == attempts:
                    raise RuntimeError(f"the kernel did not start in {attempts} attempts; the last: {why}") from exc
                warnings.warn(KernelStartWarning(
                    f"a kernel did not start (attempt {attempt} of {attempts}), starting another: {why}"))
                time.sleep(pause * attempt)
            finally:
                log.close()
        raise AssertionError("unreachable")  # pragma: no cover

    start_new_kernel.bpkit_retrying = True
    return start_new_kernel


def install() -> bool:
    """Make nbval start its kernels with :func:`retrying`; True if nbval is there (idempotent)."""
    try:
        import nbval.kernel
    except ImportError:
        return False
    if not getattr(nbval.kernel.start_new_kernel, "bpkit_retrying", False):
        nbval.kernel.start_new_kernel = retrying(nbval.kernel.start_new_kernel)
    return True


def pytest_configure(config):
    install()

"""Settings for every pytest run in this repository (unit tests and nbval alike)."""
import os

from bpkit.course.grading.kernel import ipython_dir

# nbval's kernels: one that dies while starting (a port taken by another process) is started again, with a warning
# that shows its stderr (bpkit/course/grading/nbval_kernels.py)
pytest_plugins = ["bpkit.course.grading.nbval_kernels"]

# Kernels started by tests (nbval, graders) read this IPython profile: no ANSI colours and
# minimal tracebacks, so a failing check reads as its hint.
os.environ.setdefault("IPYTHONDIR", str(ipython_dir()))


def pytest_configure(config):
    """In a log (no terminal), no ANSI colours: nbval colours its reports unless --color=no,
    even under pytest's default --color=auto."""
    import sys

    if getattr(config.option, "color", None) == "auto" and not sys.stdout.isatty():
        config.option.color = "no"

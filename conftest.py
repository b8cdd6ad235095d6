"""Settings for every pytest run in this repository (unit tests and nbval alike)."""
import os

from bpkit.course.grading.kernel import ipython_dir

# Kernels started by tests (nbval, graders) read this IPython profile: no ANSI colours and
# minimal tracebacks, so a failing check reads as its hint.
os.environ.setdefault("IPYTHONDIR", str(ipython_dir()))


def pytest_configure(config):
    """In a log (no terminal), no ANSI colours: nbval colours its reports unless --color=no,
    even under pytest's default --color=auto."""
    import sys

    if getattr(config.option, "color", None) == "auto" and not sys.stdout.isatty():
        config.option.color = "no"

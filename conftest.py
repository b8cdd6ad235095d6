"""Settings for every pytest run in this repository (unit tests and nbval alike)."""
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent
# Kernels started by tests (nbval, graders) read this IPython profile: no ANSI colours and
# minimal tracebacks, so a failing check reads as its hint.
os.environ.setdefault("IPYTHONDIR", str(ROOT / "bpkit" / "data" / "ipython"))

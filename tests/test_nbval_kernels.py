"""Does a kernel that dies while starting get started again under nbval, saying why, and only then?

The real thing: nbval, a real kernel and an IPython startup file that kills that kernel before it can answer
(as a port taken by another process does), the first time or every time.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import pytest

from bpkit.course.grading import nbval_kernels
from bpkit.course.grading.validate import nbval_command

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = "bpkit.course.grading.nbval_kernels"
DIE = """\
import os
from pathlib import Path

marker = Path(os.environ["BPKIT_TEST_DIES"])
if marker.read_text() != "0":
    marker.write_text(str(int(marker.read_text()) - 1))
    os.write(2, b"zmq.error.ZMQError: Address already in use (the test's stand-in)\\n")  # fd 2: sys.stderr is the kernel's
    os._exit(1)
"""


def run_nbval(tmp_path: Path, deaths: int, *plugin_args: str, cwd: Path | None = None) -> tuple[int, str, int]:
    """Strict nbval of a one-cell notebook in ``tmp_path`` whose kernel dies at start-up the first ``deaths``
    times; (exit code, output, deaths left). From ``tmp_path``, outside the repository, its conftest.py does
    not apply: only the plugin given in ``plugin_args``."""
    profile = tmp_path / "ipython" / "profile_default" / "startup"
    profile.mkdir(parents=True)
    (profile / "00-die.py").write_text(DIE)
    marker = tmp_path / "deaths"
    marker.write_text(str(deaths))
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(2 + 3)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="5\n")]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "five.ipynb")
    env = dict(os.environ, IPYTHONDIR=str(tmp_path / "ipython"), BPKIT_TEST_DIES=str(marker))
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
                             "-q", "--color=no", "-p", "no:xdist", *plugin_args, str(tmp_path / "five.ipynb")],
                            cwd=cwd or tmp_path, env=env, capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr, int(marker.read_text())


def test_without_the_plugin_a_kernel_that_dies_at_start_fails_the_notebook(tmp_path):
    """The failure the plugin is for, reproduced: nbval alone errors, and the kernel's stderr is lost."""
    code, out, left = run_nbval(tmp_path, 1)
    assert code != 0 and "Kernel died before replying to kernel_info" in out, out
    assert "Address already in use" not in out
    assert left == 0


def test_with_the_plugin_the_kernel_is_started_again_and_the_notebook_passes(tmp_path):
    code, out, left = run_nbval(tmp_path, 2, "-p", PLUGIN)
    assert code == 0, out
    assert "1 passed" in out
    assert out.count("KernelStartWarning: a kernel did not start") == 2, out           # both failed starts are reported ...
    assert "attempt 1 of 3" in out and "attempt 2 of 3" in out
    assert "Address already in use (the test's stand-in)" in out  # ... with the kernel's own stderr
    assert left == 0


def test_a_kernel_that_never_starts_fails_with_its_stderr(tmp_path):
    code, out, left = run_nbval(tmp_path, 5, "-p", PLUGIN)
    assert code != 0, out
    assert "the kernel did not start in 3 attempts" in out
    assert "Address already in use (the test's stand-in)" in out
    assert left == 5 - nbval_kernels.ATTEMPTS


def test_retrying_retries_only_runtime_errors_at_start_and_passes_arguments_on():
    calls = []

    def start(startup_timeout=60, kernel_name="python", **kwargs):
        calls.append((startup_timeout, kernel_name, sorted(kwargs)))
        kwargs["stderr"].write(f"start {len(calls)} failed\n")
        if len(calls) < 3:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "km", "kc"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert nbval_kernels.retrying(start, pause=0)(30, kernel_name="k", cwd="/x") == ("km", "kc")
    assert calls == [(30, "k", ["cwd", "stderr"])] * 3
    assert [str(w.message).splitlines()[-1] for w in caught] == ["start 1 failed", "start 2 failed"]

    def broken(**kwargs):
        calls.append("broken")
        raise ValueError("not a start-up failure")

    calls.clear()
    with pytest.raises(ValueError):
        nbval_kernels.retrying(broken, pause=0)()
    assert calls == ["broken"]   # not retried


def test_the_repository_and_bpkit_validate_load_the_plugin(tmp_path):
    """Every nbval run in the repository (its conftest.py) and ``bpkit validate`` (its command) use it."""
    cmd = nbval_command([ROOT / "lessons" / "01_notation_forward_pass.ipynb"])
    assert cmd[cmd.index(PLUGIN) - 1] == "-p"
    folder = ROOT / "test-artifacts" / f"nbval-kernels-{os.getpid()}"   # inside: the root conftest.py applies
    try:
        folder.mkdir(parents=True)
        code, out, left = run_nbval(folder, 1, cwd=ROOT)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert code == 0 and "KernelStartWarning" in out, out
    assert left == 0

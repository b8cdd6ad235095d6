"""How does a failing check read in a real Jupyter kernel, and does Run All go on past it?

These tests drive real IPython kernels through jupyter_client, the way JupyterLab does: every cell of a
"Run All" is sent at once with ``stop_on_error=True``, so the kernel aborts the cells queued after one that
fails. They use the kernel's *default* IPython profile (a fresh, empty IPYTHONDIR), not bpkit's, since a
student's JupyterLab does not use bpkit's profile.
"""
from __future__ import annotations

import os
import queue
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

from bpkit.course.checks import _core

ROOT = Path(__file__).resolve().parents[1]

SETUP = "import numpy as np\nimport bpkit\nfrom bpkit.course.checks import lesson01 as checks"
RIGHT_SUM_LAYER = ("def sum_layer(net, sigma_prev, l):\n"
                   "    return sigma_prev @ net.W[l] + (0 if net.b is None else net.b[l])")
WRONG_SUM_LAYER = "def sum_layer(net, sigma_prev, l):\n    return sigma_prev @ net.W[l]  # no bias"
RAISING_SUM_LAYER = "def sum_layer(net, sigma_prev, l):\n    x = 1\n    return sigma_prev @ net.W[l - 1]"
UNANSWERED_SIGMA_LAYER = "def sigma_layer(net, sum_l, l):\n    raise NotImplementedError()"
RIGHT_SIGMA_LAYER = "def sigma_layer(net, sum_l, l):\n    return net.activation(l).value(sum_l)"


def run_all(cells: list[str], mode: str | None, tmp_path: Path) -> list[dict]:
    """Run ``cells`` as JupyterLab's Run All does, in a fresh kernel whose environment has
    ``BPKIT_CHECKS=mode`` (or no such variable); per cell: the reply's status and the outputs."""
    env = {k: v for k, v in os.environ.items() if k != _core.MODE_VARIABLE}
    env["IPYTHONDIR"] = str(tmp_path / "ipython")  # IPython's defaults: colours, verbose tracebacks
    if mode is not None:
        env[_core.MODE_VARIABLE] = mode
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    try:
        ids = [kc.execute(source, stop_on_error=True) for source in cells]
        results = {i: {"status": None, "outputs": []} for i in ids}
        while any(r["status"] is None for r in results.values()):
            reply = kc.get_shell_msg(timeout=120)
            parent = reply["parent_header"].get("msg_id")
            if parent in results:
                results[parent]["status"] = reply["content"]["status"]
        idle = set()
        while idle != set(ids):
            try:
                msg = kc.get_iopub_msg(timeout=10)
            except queue.Empty:
                break
            parent = msg["parent_header"].get("msg_id")
            if parent not in results:
                continue
            kind = msg["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                idle.add(parent)
            elif kind in ("stream", "error", "display_data", "execute_result"):
                results[parent]["outputs"].append(dict(msg["content"], output_type=kind))
        return [results[i] for i in ids]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def errors(cell: dict) -> list[dict]:
    return [o for o in cell["outputs"] if o["output_type"] == "error"]


def stdout(cell: dict) -> str:
    return "".join(o.get("text", "") for o in cell["outputs"] if o["output_type"] == "stream")


T1 = "FAILED 01.1 sum^l_j = Σ_i w^l_ij σ^{l-1}_i + b^l_j for one layer [0/2 points]"
T2 = "FAILED 01.2 σ^l_j = g(sum^l_j) for one layer [0/2 points]"
NOTEBOOK = [SETUP, WRONG_SUM_LAYER, "checks.sum_layer(sum_layer)", UNANSWERED_SIGMA_LAYER,
            "checks.sigma_layer(sigma_layer)", RIGHT_SUM_LAYER, "checks.sum_layer(sum_layer)"]


def test_a_failing_check_shows_its_verdict_and_hint_not_a_traceback_into_bpkit(tmp_path):
    """With IPython's default profile, is a failing check's error output just the verdict and the hint?"""
    cells = run_all(NOTEBOOK[:3], None, tmp_path)
    (error,) = errors(cells[2])
    assert error["ename"] == "CheckFailed"
    assert error["traceback"] == [
        T1,
        error["traceback"][1],
    ], error["traceback"]
    assert error["traceback"][1].startswith("Hint: ") and "bias" in error["traceback"][1]
    text = "\n".join(error["traceback"])
    assert "\x1b[" not in text and "File " not in text and "_core.py" not in text


def test_without_report_mode_run_all_stops_at_the_first_failing_check(tmp_path):
    """Outside the course's JupyterLab (nbval, bpkit check/grade, a plain kernel), does a failing check
    raise, so the cells queued after it are aborted? (What report mode exists to change.)"""
    cells = run_all(NOTEBOOK, None, tmp_path)
    assert [c["status"] for c in cells] == ["ok", "ok", "error", "aborted", "aborted", "aborted", "aborted"]


def test_report_mode_run_all_shows_every_verdict(tmp_path):
    """With BPKIT_CHECKS=report (course.py start), does Run All go on and show each exercise's verdict?"""
    cells = run_all(NOTEBOOK, "report", tmp_path)
    assert [c["status"] for c in cells] == ["ok"] * 7
    first, second = errors(cells[2]), errors(cells[4])
    assert first[0]["traceback"][0] == T1
    assert second[0]["traceback"] == [T2,
                                      "Hint: not answered yet: replace `raise NotImplementedError()` with your code."]
    assert errors(cells[6]) == [] and stdout(cells[6]).startswith("PASSED 01.1 ")


def test_a_hint_names_the_line_of_the_students_cell_that_raised(tmp_path):
    """When the student's own code raises, does the hint say which line of their cell?"""
    cells = run_all([SETUP, RAISING_SUM_LAYER, "checks.sum_layer(sum_layer)"], None, tmp_path)
    (error,) = errors(cells[2])
    assert "(your cell, line 3: `return sigma_prev @ net.W[l - 1]`)" in error["traceback"][1], error


def test_trying_an_answer_outside_its_check_does_not_stop_run_all_in_report_mode(tmp_path):
    """Does a cell that tries an unanswered function (``with bpkit.course.checks.trying(...)``) say "not answered
    yet" and let the checks below run in report mode, and raise as before outside it?"""
    try_cell = ("with bpkit.course.checks.trying('01.2'):\n"
                "    print(sigma_layer(bpkit.Network((2, 1)), np.zeros((1, 1)), 1))")
    notebook = [SETUP, UNANSWERED_SIGMA_LAYER, try_cell, RIGHT_SUM_LAYER, "checks.sum_layer(sum_layer)"]
    reported = run_all(notebook, "report", tmp_path)
    assert [c["status"] for c in reported] == ["ok"] * 5
    assert errors(reported[2])[0]["traceback"] == ["01.2 σ^l_j = g(sum^l_j) for one layer: not answered yet"]
    assert stdout(reported[4]).startswith("PASSED 01.1 ")
    raised = run_all(notebook, None, tmp_path)
    assert [c["status"] for c in raised] == ["ok", "ok", "error", "aborted", "aborted"]
    assert errors(raised[2])[0]["ename"] == "NotImplementedError"
    answered = run_all([SETUP, RIGHT_SIGMA_LAYER, try_cell], "report", tmp_path)
    assert errors(answered[2]) == [] and stdout(answered[2]).strip() == "[[0.5]]"


def test_report_mode_outside_a_kernel_still_raises(monkeypatch):
    """In plain Python (a script, pytest) there is no cell to report into: does a failing check raise?"""
    from bpkit.course.checks import lesson01

    def sum_layer(net, sigma_prev, l):
        return sigma_prev @ net.W[l]

    env = dict(os.environ, **{_core.MODE_VARIABLE: "report"})
    code = ("from bpkit.course.checks import lesson01\n"
            "lesson01.sum_layer(lambda net, s, l: s @ net.W[l])\n")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "CheckFailed: FAILED 01.1" in result.stderr, result.stderr
    monkeypatch.setenv(_core.MODE_VARIABLE, "report")  # and in this process (pytest: IPython, but no kernel)
    with pytest.raises(_core.CheckFailed):
        lesson01.sum_layer(sum_layer)


@pytest.mark.parametrize("mode", [None, "report"])
def test_nbval_fails_a_wrong_answer_in_report_mode_too(tmp_path, mode):
    """A reported verdict is still an error output: does strict nbval fail the cell either way?"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in NOTEBOOK[:3]])
    path = tmp_path / "report.ipynb"
    nbformat.write(nb, path)
    env = {k: v for k, v in os.environ.items() if k != _core.MODE_VARIABLE}
    if mode:
        env[_core.MODE_VARIABLE] = mode
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
                             "-p", "no:cacheprovider", "-q", str(path)],
                            capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    out = result.stdout + result.stderr
    assert result.returncode == 1 and "FAILED 01.1" in out and "1 failed" in out.splitlines()[-1], out

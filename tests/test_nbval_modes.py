"""Can saved outputs fool nbval into passing a wrong answer, in strict or lax mode? (They must not.)"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
WRONG_E = (
    "def E(net, X, Y, lam):\n"
    "    m = X.shape[0]\n"
    "    S = net.forward(X).sums[net.L]\n"
    "    return float(np.sum(Y * np.logaddexp(0.0, -S) + (1 - Y) * np.logaddexp(0.0, S)) / m)  # no penalty\n"
)


@pytest.fixture(scope="module")
def tampered(tmp_path_factory) -> Path:
    """Solution 05 with a wrong answer to 03.1 but its saved 'PASSED 03.1 ...' output kept."""
    nb = nbformat.read(ROOT / "solutions" / "03_objective.ipynb", as_version=4)
    answer = next(c for c in nb.cells if c.get("id") == "ex03-1-answer")
    check = next(c for c in nb.cells if c.get("id") == "ex03-1-check")
    assert "PASSED 03.1" in check.outputs[0]["text"]  # the stored output claims success
    answer.source = WRONG_E
    # inside the repository, as a user's `pytest --nbval solutions/` would be (the root conftest applies)
    folder = ROOT / "test-artifacts" / f"nbval-modes-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "03_objective.ipynb"
    nbformat.write(nb, path)
    yield path
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("mode", ["--nbval", "--nbval-lax"])
def test_wrong_answer_fails_whatever_was_saved(tampered: Path, mode: str):
    """Under strict and lax nbval alike, does the check cell fail with its hint, readably (no colours)?"""
    env = dict(os.environ, IPYTHONDIR=str(ROOT / "bpkit" / "data" / "ipython"))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", mode, "--nbval-current-env", "-p", "no:cacheprovider", "-q",
         str(tampered)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "FAILED 03.1" in out and "Hint:" in out and "penalty" in out
    assert "\x1b[" not in out
    assert "1 failed" in out.splitlines()[-1]

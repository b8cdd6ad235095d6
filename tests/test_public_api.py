"""Does bpkit's public API work as code outside this repository uses it, whatever the package's inner layout?

The names below are used by tests outside this repository: ``Network``, ``Network.from_weights``, ``W``/``b``
indexing, ``objective``, ``gradient``, ``scalar.gradient``, ``numerical_gradient``, ``gradient_check``.
The script runs in a fresh interpreter that imports only ``bpkit`` (no test helper, no conftest), and the
numbers it prints are checked against a hand-worked example and central differences written here.
"""
import json
import subprocess
import sys

SCRIPT = r"""
import json
import numpy as np
import bpkit
from bpkit import Network
from bpkit.scalar import gradient as scalar_gradient
from bpkit.naive import gradient as naive_gradient

out = {"all": sorted(n for n in bpkit.__all__ if not hasattr(bpkit, n))}

# a 1-1-1 network by hand: w^1_00 = 0.5, w^2_00 = -1, no biases, sigmoid everywhere
net = Network.from_weights([np.array([[0.5]]), np.array([[-1.0]])])
out["W"] = [net.W[1].tolist(), net.W[2].tolist(), net.b is None]
X, Y = np.array([[2.0]]), np.array([[1.0]])
out["E"] = float(bpkit.objective(net, X, Y))
g = bpkit.gradient(net, X, Y)
out["dW"] = [float(g.W[1][0, 0]), float(g.W[2][0, 0])]

# a random 3-4-2 tanh network with biases and λ > 0: every gradient agrees with central differences
net = Network([3, 4, 2], hidden="tanh", seed=1)
net.W[1][0, 1] = 0.25
net.b[2][1] = -0.5
rng = np.random.default_rng(0)
X, Y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
lam = 0.7
numeric = bpkit.numerical_gradient(net, X, Y, lam)
exact = bpkit.gradient(net, X, Y, lam)
out["errors"] = [float(bpkit.relative_error(f(net, X, Y, lam).W[l], numeric.W[l]))
                 for f in (bpkit.gradient, bpkit.scalar.gradient, scalar_gradient, naive_gradient) for l in (1, 2)]
out["b_error"] = float(bpkit.relative_error(exact.b[2], numeric.b[2]))
check = bpkit.gradient_check(net, X, Y, lam)
out["check"] = [float(check.relative_error), float(check.tolerance)]
try:
    net.W[0]
except IndexError as e:
    out["W0"] = str(e)
print(json.dumps(out))
"""


def test_the_public_api_from_a_fresh_interpreter():
    """Do the names outside code uses exist, and give the hand-worked and central-difference numbers?"""
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["all"] == [], f"bpkit.__all__ names missing from the package: {out['all']}"
    assert out["W"] == [[[0.5]], [[-1.0]], True]
    # by hand: sum^1 = 0.5·2 = 1, σ^1 = s(1) = 0.7310586, sum^2 = −0.7310586, σ^2 = s(−0.7310586) = 0.3249625;
    # E = −log σ^2 = 1.1240456 (y = 1, m = 1, λ = 0)
    # δ^2 = σ^2 − y = −0.6750375; ∂E/∂w^2_00 = σ^1 δ^2 = 0.7310586 · −0.6750375 = −0.4934920
    # δ^1 = δ^2 w^2_00 s'(1) = 0.6750375 · 0.1966119 = 0.1327204; ∂E/∂w^1_00 = σ^0 δ^1 = 2 · 0.1327204 = 0.2654409
    assert abs(out["E"] - 1.1240456) < 1e-6
    assert abs(out["dW"][0] - 0.2654409) < 1e-6 and abs(out["dW"][1] - (-0.4934920)) < 1e-6
    assert max(out["errors"]) < 1e-6 and out["b_error"] < 1e-6, out
    assert out["check"][0] < out["check"][1] <= 1e-5
    assert "layer 0" in out["W0"]

"""Are the activations' derivatives ∂σ/∂sum right, and is the sigmoid stable?"""
import warnings

import numpy as np
import pytest
from scipy.special import expit

from bpkit import activations

S = np.linspace(-6, 6, 121) + 0.013  # avoid relu's kink at exactly 0


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_derivative_matches_central_differences(name):
    """Does g'(sum) agree with (g(sum+ε) - g(sum-ε)) / 2ε?"""
    g = activations.get(name)
    eps = 1e-6
    numeric = (g.value(S + eps) - g.value(S - eps)) / (2 * eps)
    np.testing.assert_allclose(g.derivative(S), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_derivative_from_value_matches_derivative(name):
    """Does the derivative written in terms of σ agree with the one written in terms of sum?"""
    g = activations.get(name)
    np.testing.assert_allclose(g.derivative_from_value(g.value(S)), g.derivative(S), rtol=1e-12, atol=1e-15)


def test_values_agree_with_scipy_and_numpy():
    """Are the values those of scipy's expit, numpy's tanh and max(0, s)?"""
    np.testing.assert_allclose(activations.sigmoid(S), expit(S))
    np.testing.assert_allclose(activations.tanh(S), np.tanh(S))
    np.testing.assert_allclose(activations.relu(S), np.maximum(S, 0))


def test_sigmoid_is_stable_at_plus_minus_800():
    """Does σ(±800) give exactly 1 and 0 without any numpy warning?"""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert activations.sigmoid(np.array([800.0]))[0] == 1.0
        assert activations.sigmoid(np.array([-800.0]))[0] == 0.0
        assert activations.log_sigmoid(np.array([-800.0]))[0] == -800.0


def test_unknown_activation_lists_the_known_ones():
    """Does an unknown name give a ValueError listing relu, sigmoid and tanh?"""
    with pytest.raises(ValueError, match="unknown activation 'softplus': the known activations are relu, sigmoid, tanh"):
        activations.get("softplus")


def test_each_activation_has_name_and_latex():
    """Does each activation carry its name and LaTeX for value and derivative?"""
    for name in ("sigmoid", "tanh", "relu"):
        g = activations.get(name)
        assert g.name == name
        assert "\\" in g.latex and "partial" in g.derivative_latex


@pytest.mark.parametrize("logistic", [activations._logistic_numpy, activations._logistic_scipy, None],
                         ids=["numpy-exp", "scipy-expit", "the-one-this-CPU-uses"])
def test_sigmoid_agrees_with_scipy_to_four_ulp_everywhere(logistic):
    """Are both ways of computing logistic(s) (numpy's exp where it is vectorized, scipy's expit elsewhere), and
    the sigmoid itself, within 4 ulp of scipy's expit from -800 to 800 and at ±1e308, without a warning, also
    when they write over their input (out=s)? (numpy's AVX-512 exp, 1.24 to 2.5, reaches 4 ulp near s = -37,
    where 1 + e^{-s} rounds too; its scalar exp, 0.)"""
    s = np.concatenate([np.linspace(-800, 800, 2000001), [-1e308, 1e308, -745.2, 709.9, 0.0]])
    ref = expit(s)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = activations.sigmoid(s) if logistic is None else logistic(s, out=np.empty_like(s))
        in_place = s.copy()
        if logistic is not None:
            logistic(in_place, out=in_place)
    ulp = np.spacing(np.maximum(np.abs(ref), np.finfo(float).tiny))
    assert np.all(np.abs(ours - ref) <= 4 * ulp)
    if logistic is not None:
        np.testing.assert_array_equal(in_place, ours)


def _logistic_chosen(env: dict) -> str:
    """The name of the logistic function a fresh Python with ``env`` chooses."""
    import os
    import subprocess
    import sys
    code = "import bpkit.activations as a; print(a._logistic.__name__)"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def _cpu_has_avx512f() -> bool | None:
    """What the Linux kernel says of the CPU (None: not Linux)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            return "avx512f" in f.read().split()
    except OSError:
        return None


def test_the_logistic_function_follows_the_cpu():
    """Does bpkit use numpy's exp on a CPU with AVX-512 (numpy vectorizes float64 exp only there), and scipy's
    expit when numpy's AVX-512 loops are off (NPY_DISABLE_CPU_FEATURES), as on a CPU without AVX-512?"""
    import numpy
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:
        from numpy.core import _multiarray_umath as umath
    avx512 = [t for t in umath.__cpu_dispatch__ if ("AVX512" in t or t == "X86_V4") and umath.__cpu_features__.get(t)]
    has = _cpu_has_avx512f()
    if has is None:
        pytest.skip("no /proc/cpuinfo: the CPU's features are not known independently of numpy")
    chosen = _logistic_chosen({"NPY_DISABLE_CPU_FEATURES": ""})
    assert chosen == ("_logistic_numpy" if has and avx512 else "_logistic_scipy"), (numpy.__version__, chosen)
    if has and avx512:
        assert _logistic_chosen({"NPY_DISABLE_CPU_FEATURES": " ".join(avx512)}) == "_logistic_scipy"


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_a_single_number_works_everywhere(name):
    """Do value, derivative and derivative_from_value accept a plain number and return a number?"""
    g = activations.get(name)
    for s in (0.3, -40.0, 40.0, 800.0):
        v = g.value(s)
        assert np.ndim(v) == 0 and float(v) == pytest.approx(float(g.value(np.array([s]))[0]))
        assert np.ndim(g.derivative(s)) == 0
        assert float(g.derivative_from_value(v)) == pytest.approx(float(g.derivative(s)), abs=1e-15)

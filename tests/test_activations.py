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


def test_sigmoid_agrees_with_scipy_to_two_ulp_everywhere():
    """Is our exp-based sigmoid within 2 ulp of scipy's expit from -800 to 800 and at ±1e308?"""
    s = np.concatenate([np.linspace(-800, 800, 200001), [-1e308, 1e308, -745.2, 709.9, 0.0]])
    ours, ref = activations.sigmoid(s), expit(s)
    ulp = np.spacing(np.maximum(np.abs(ref), np.finfo(float).tiny))
    assert np.all(np.abs(ours - ref) <= 2 * ulp)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_a_single_number_works_everywhere(name):
    """Do value, derivative and derivative_from_value accept a plain number and return a number?"""
    g = activations.get(name)
    for s in (0.3, -40.0, 40.0, 800.0):
        v = g.value(s)
        assert np.ndim(v) == 0 and float(v) == pytest.approx(float(g.value(np.array([s]))[0]))
        assert np.ndim(g.derivative(s)) == 0
        assert float(g.derivative_from_value(v)) == pytest.approx(float(g.derivative(s)), abs=1e-15)

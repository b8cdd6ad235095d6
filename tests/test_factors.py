"""Do the notes' three factors of ∂E/∂w^l_ij, read from bpkit's backward pass, multiply back to the gradient and
agree with central differences on every weight?"""
import numpy as np
import pytest

import bpkit
from bpkit.factors import three_factors


def small_case():
    """A 2-3-2-1 tanh network without biases (lesson 04's), m = 3, λ = 0.5."""
    net = bpkit.Network((2, 3, 2, 1), hidden="tanh", bias=False, seed=4)
    X = np.array([[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8]])
    Y = np.array([[1.0], [0.0], [1.0]])
    return net, X, Y, 0.5


def test_factors_multiply_to_bpkits_gradient():
    """For every weight, do Σ_e (three factors) + λ/m·w equal bpkit.gradient and a central difference of E
    computed here, by hand, without bpkit's own central-difference code?"""
    net, X, Y, lam = small_case()
    g = bpkit.gradient(net, X, Y, lam)
    for l in net.W.layers():
        for i, j in np.ndindex(*net.W[l].shape):
            f = three_factors(net, X, Y, lam, l, i, j)
            assert f.total == pytest.approx(g.W[l][i, j], rel=1e-10, abs=1e-12)
            assert f.bpkit_value == g.W[l][i, j]
            plus, minus = net.copy(), net.copy()
            plus.W[l][i, j] += 1e-6
            minus.W[l][i, j] -= 1e-6
            by_hand = (bpkit.objective(plus, X, Y, lam) - bpkit.objective(minus, X, Y, lam)) / 2e-6
            assert f.numerical == pytest.approx(by_hand, rel=1e-6, abs=1e-9)
            assert f.total == pytest.approx(by_hand, rel=1e-5, abs=1e-8)
            np.testing.assert_allclose(f.sigma_prev, g.extras["record"].sigma(l - 1, i))
            assert f.penalty == pytest.approx(lam / 3 * net.W[l][i, j])


def test_factors_text_is_fixed_format():
    """Does the printed table show every example's factors and the five summary lines?"""
    net, X, Y, lam = small_case()
    lines = three_factors(net, X, Y, lam, 2, 1, 0).text().splitlines()
    assert lines[0].startswith("w^2_10 = ") and len(lines) == 2 + X.shape[0] + 5
    assert lines[-1].startswith("central difference")


def test_the_network_is_left_as_it_was():
    """Does reading the factors (and its central difference) leave every weight exactly unchanged?"""
    net, X, Y, lam = small_case()
    before = net.get_flat().copy()
    three_factors(net, X, Y, lam, 1, 0, 2)
    np.testing.assert_array_equal(net.get_flat(), before)

"""Does the gradient check tell a right gradient from a wrong one?"""
import numpy as np
import pytest

import bpkit
from catalogue import make_case


def test_numerical_gradient_leaves_the_network_unchanged():
    """After central differences, are the weights and biases exactly as before?"""
    net, X, Y = make_case((3, 4, 2), seed=0)
    before = net.get_flat().copy()
    bpkit.numerical_gradient(net, X, Y, 1.0, True)
    assert np.array_equal(net.get_flat(), before)


def test_gradient_check_passes_backprop():
    """Does backprop pass the check, with a relative error far below the tolerance?"""
    net, X, Y = make_case((3, 4, 2), seed=1)
    result = bpkit.gradient_check(net, X, Y, 0.7)
    assert result.ok and result.relative_error < 1e-6
    assert str(result).startswith("backprop and central differences agree")


@pytest.mark.parametrize("mistake", ["no_penalty", "transposed", "sign"])
def test_gradient_check_catches_a_wrong_gradient(mistake):
    """Does the check fail a gradient that forgot λ/m·w, transposed W^1, or flipped the sign?"""
    net, X, Y = make_case((3, 3, 2), seed=2)

    def wrong(net, X, Y, lam, rb):
        g = bpkit.gradient(net, X, Y, 0.0 if mistake == "no_penalty" else lam, rb)
        if mistake == "transposed":
            g.W[1] = g.W[1].T.copy()
        if mistake == "sign":
            g.W[2] = -g.W[2]
        return g

    result = bpkit.gradient_check(net, X, Y, 2.0, method=wrong)
    assert not result.ok
    assert "DISAGREE" in str(result)


def test_relative_error():
    """Is the relative error max |a-b| / (|a|+|b|), and 0 for equal vectors?"""
    assert bpkit.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert bpkit.relative_error([1.0, 3.0], [1.0, 1.0]) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="cannot compare gradients of 2 and 3 entries"):
        bpkit.relative_error([1.0, 2.0], [1.0, 2.0, 3.0])


@pytest.mark.parametrize("error, shown", [
    (2.9e-08, "agree: relative error < 1e-06 (tolerance 1e-05)"),   # rounding noise: only its bound is shown
    (4.1e-09, "agree: relative error < 1e-06 (tolerance 1e-05)"),   # the same on another CPU's BLAS
    (3.2e-06, "agree: relative error 3.2e-06 (tolerance 1e-05)"),   # close to the tolerance: the number
    (4.0e-02, "DISAGREE: relative error 4.0e-02 (tolerance 1e-05)"),
])
def test_gradient_check_prints_the_same_verdict_on_every_machine(error, shown):
    """Is an error far below the tolerance printed as its bound (its digits differ between BLAS kernels),
    and one near or above the tolerance printed as it is?"""
    net, X, Y = make_case((2, 2, 1), seed=0)
    g = bpkit.gradient(net, X, Y, 0.0)
    result = bpkit.gradcheck.GradientCheck(g, g, error, 1e-5)
    assert str(result) == "backprop and central differences " + shown


def test_central_difference_restores_the_entry_and_is_second_order():
    """Does the one central-difference primitive give (f(a+ε) − f(a−ε))/2ε, put the entry back exactly even when f
    raises, and work for array-valued f?"""
    import pytest as _pytest

    from bpkit.gradcheck import central_difference

    a = np.array([0.3, -1.2])
    d = central_difference(lambda: np.sin(a[0]) * a[1], a, 0, 1e-5)
    assert abs(d - np.cos(0.3) * -1.2) < 1e-9 and a.tolist() == [0.3, -1.2]
    v = central_difference(lambda: np.array([a[1] ** 3, 2 * a[1]]), a, 1, 1e-4)
    np.testing.assert_allclose(v, [3 * 1.2 ** 2, 2.0], rtol=1e-7)

    def broken():
        raise RuntimeError("boom")

    with _pytest.raises(RuntimeError):
        central_difference(broken, a, 1)
    assert a.tolist() == [0.3, -1.2]

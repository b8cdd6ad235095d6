"""Do the gradient implementations agree on random shapes (hypothesis property tests)?"""
import numpy as np
from hypothesis import given, settings

import bpkit
from strategies import networks


@settings(max_examples=60, deadline=None)
@given(networks())
def test_scalar_naive_and_vectorized_agree(case):
    """On any shape, activation, bias and λ, do all three backprops give the same ∂E/∂w?"""
    net, X, Y, lam, rb = case
    v = bpkit.gradient(net, X, Y, lam, rb)
    for method in (bpkit.scalar.gradient, bpkit.naive.gradient):
        g = method(net, X, Y, lam, rb)
        np.testing.assert_allclose(g.flat(), v.flat(), rtol=1e-10, atol=1e-13)
        assert g.E == v.E


@settings(max_examples=40, deadline=None)
@given(networks(activations=("sigmoid", "tanh")))
def test_gradient_matches_central_differences(case):
    """On any smooth network, does backprop agree with central differences?"""
    net, X, Y, lam, rb = case
    check = bpkit.gradient_check(net, X, Y, lam, rb, tolerance=1e-4)
    diff = np.abs(check.backprop.flat() - check.numerical.flat())
    assert np.all(diff <= 1e-6 + 1e-4 * np.abs(check.numerical.flat())), str(check)


@settings(max_examples=60, deadline=None)
@given(networks())
def test_shapes_and_E(case):
    """Is the gradient laid out like the network, and E ≥ 0 and finite?"""
    net, X, Y, lam, rb = case
    g = bpkit.gradient(net, X, Y, lam, rb)
    for l in net.W.layers():
        assert g.W[l].shape == (net.sizes[l - 1], net.sizes[l])
        if net.b is not None:
            assert g.b[l].shape == (net.sizes[l],)
    assert (g.b is None) == (net.b is None)
    assert np.isfinite(g.E) and g.E >= 0

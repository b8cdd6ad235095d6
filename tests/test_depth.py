"""Tests of bpkit.depth: per-layer gradient norms, slopes and saturation, and the squared error's δ^L."""
import numpy as np
import pytest

import bpkit
from bpkit import depth
from bpkit.gradcheck import central_difference


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_layer_norms_match_central_differences(hidden):
    """Is ‖∂E/∂W^l‖ the Frobenius norm of central differences of E (bpkit.numerical_gradient), layer by layer
    in order l = 1..L, with the biases left out?"""
    net = bpkit.Network((3, 4, 4, 4, 2), hidden=hidden, seed=7)
    for l in net.b.layers():
        net.b[l] += 0.3                       # nonzero biases: their gradient must not enter the norm
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(6, 3)), rng.integers(0, 2, size=(6, 2)).astype(float)
    numeric = bpkit.numerical_gradient(net, X, Y)
    expected = [np.sqrt((numeric.W[l] ** 2).sum()) for l in range(1, net.L + 1)]
    assert np.allclose(depth.layer_norms(net, X, Y), expected, rtol=1e-6)


def test_layer_norms_by_hand():
    """On the 1-1-1 network w^1_00 = 0.5, w^2_00 = −1, x = 2, y = 1 (worked out by hand in test_public_api), are
    the norms |∂E/∂w^1_00| = 0.2654409 and |∂E/∂w^2_00| = 0.4934920?"""
    net = bpkit.Network.from_weights([np.array([[0.5]]), np.array([[-1.0]])])
    # σ^1 = s(1) = 0.7310586, σ^2 = s(−0.7310586) = 0.3249625, δ^2 = −0.6750375, ∂E/∂w^2_00 = 0.7310586·δ^2
    # δ^1 = δ^2 · (−1) · s'(1) = 0.6750375 · 0.1966119 = 0.1327204, ∂E/∂w^1_00 = 2 · δ^1
    assert np.allclose(depth.layer_norms(net, [[2.0]], [[1.0]]), [0.2654409, 0.4934920], atol=1e-7)


def test_slope_bounds_are_the_largest_slopes():
    """Is slope_bound the maximum of ∂σ/∂sum over a fine grid of sums (1/4, 1, 1)?"""
    s = np.linspace(-8, 8, 16001)
    for name in ("sigmoid", "tanh", "relu"):
        g = bpkit.activations.get(name)
        assert depth.slope_bound(name) == pytest.approx(g.derivative(s).max(), abs=1e-7)


def test_saturation_by_hand():
    """On a 1-2-1 sigmoid network with sum^1 = (10x, 0.1x) and x = 0.5, 1, is the fraction of saturated
    neurons 2/4 (neuron 0 on both examples: s(5) = 0.9933 and s(10) = 0.99995 are above 0.9873)?"""
    net = bpkit.Network.from_weights([np.array([[10.0, 0.1]]), np.array([[1.0], [1.0]])], hidden="sigmoid")
    # x = 0.5: sum^1 = (5, 0.05): s(5) = 0.99331, slope 0.00665 < 0.0125: saturated; s(0.05): slope 0.2498
    # x = 1:   sum^1 = (10, 0.1): s(10): slope 4.5e-5, saturated; s(0.1): slope 0.2494
    assert depth.saturation(net, [[0.5], [1.0]]).tolist() == [0.5]
    # x = 0.3: sum^1_0 = 3: s(3) = 0.9526, slope 0.0452 > 0.0125: not saturated
    assert depth.saturation(net, [[0.3], [0.01]]).tolist() == [0.0]
    relu = bpkit.Network.from_weights([np.array([[1.0, -1.0, 2.0]]), np.ones((3, 1))], hidden="relu")
    assert depth.saturation(relu, [[1.0], [-1.0]]).tolist() == [0.5]   # x = 1: neuron 1 off; x = −1: 0 and 2 off


def test_slopes_are_the_activation_derivatives_of_the_sums():
    """Are the slopes ∂σ^l_j/∂sum^l_j, computed from σ^l, equal to central differences of σ^l_j in sum^l_j
    (through g alone)?"""
    net = bpkit.Network((2, 3, 3, 1), hidden="tanh", seed=3)
    X = np.random.default_rng(1).normal(size=(4, 2))
    rec = net.forward(X)
    for l, s in enumerate(depth.slopes(net, X), start=1):
        sums = rec.sums[l].copy()
        for idx in [(0, 0), (3, 2), (1, 1)]:
            d = central_difference(lambda: float(net.activation(l).value(sums[idx])), sums, idx)
            assert d == pytest.approx(s[idx], rel=1e-6)


def test_sigmoid_gradients_vanish_with_depth():
    """Does a deep sigmoid network's first layer get a far smaller gradient norm than its last (factor > 100),
    and tanh's much less so (Glorot init, moons)?"""
    X, Y = bpkit.data.moons(100, seed=0)
    sig = depth.profile(X, Y, depth=8, width=20, hidden="sigmoid")
    tanh = depth.profile(X, Y, depth=8, width=20, hidden="tanh")
    assert sig.norms[-1] / sig.norms[0] > 100
    assert tanh.norms[-1] / tanh.norms[0] < 10
    assert len(sig.norms) == 9 and len(sig.saturation) == 8 and sig.net.sizes == (2,) + (20,) * 8 + (1,)
    big = depth.profile(X, Y, depth=4, width=20, hidden="sigmoid", scale=8.0)
    assert big.saturation.max() > 0.1 > sig.saturation.max()
    with pytest.raises(ValueError, match="depth"):
        depth.profile(X, Y, depth=0, width=3)


def test_squared_error_delta_matches_central_differences_in_sum_L():
    """Is δ^L = ∂E/∂sum^L of E = 1/(2m) Σ (σ^L − y)² (σ^L = logistic(sum^L)) the central difference of that E
    in each sum^L_k, E written out here with numpy?"""
    rng = np.random.default_rng(5)
    sums = rng.normal(scale=2.0, size=(5, 3))
    Y = rng.integers(0, 2, size=(5, 3)).astype(float)

    def E():
        sig = 1.0 / (1.0 + np.exp(-sums))
        return ((sig - Y) ** 2).sum() / (2 * len(sums))

    numeric = np.array([[central_difference(E, sums, (e, k)) for k in range(3)] for e in range(5)])
    sigma_L = 1.0 / (1.0 + np.exp(-sums))
    assert np.allclose(depth.squared_error_delta(sigma_L, Y), numeric, rtol=1e-6, atol=1e-10)


def test_squared_error_by_hand_and_its_slowdown():
    """Is E = 1/(2m) Σ (σ^L − y)² right by hand, and is δ^L tiny for a saturated wrong output (σ^L ≈ 1, y = 0)
    while the cross-entropy's is not?"""
    net = bpkit.Network.from_weights([np.array([[0.0]])], [np.array([0.0])])   # σ^1 = s(0) = 1/2 always
    assert depth.squared_error(net, [[1.0], [2.0]], [[1.0], [0.0]]) == pytest.approx(0.125)  # (1/4+1/4)/(2·2)
    sigma = np.array([[0.9999]])
    assert depth.squared_error_delta(sigma, [[0.0]])[0, 0] == pytest.approx(0.9999 * 0.9999 * 0.0001)
    assert bpkit.CrossEntropy.delta(sigma, np.array([[0.0]]))[0, 0] == pytest.approx(0.9999)

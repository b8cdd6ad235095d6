"""Tests of bpkit.initialization: the schemes, Glorot as Network draws it, and identical hidden neurons."""
import numpy as np
import pytest

import bpkit
from bpkit import initialization as init


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("sizes, seed", [((3, 5, 4, 2), 0), ((2, 7, 1), 11), ((4, 3), 5), ((2, 6, 6, 6, 1), 123)])
def test_glorot_is_exactly_what_network_draws(sizes, seed, hidden):
    """Does initialization.glorot give exactly (bit for bit) the weights of Network(sizes, hidden, seed)?"""
    W = init.glorot(sizes, hidden, seed)
    net = bpkit.Network(sizes, hidden=hidden, seed=seed)
    assert len(W) == net.L
    for l in range(1, net.L + 1):
        assert np.array_equal(W[l - 1], net.W[l])
    built = init.network(sizes, "glorot", hidden=hidden, seed=seed)
    assert np.array_equal(built.get_flat(), net.get_flat()) and built.hidden is net.hidden


def test_glorot_bound_by_hand():
    """Is the bound sqrt(6/(n_{l-1}+n_l)), times sqrt(2) for a logistic layer (by hand: 6/(2+4) = 1)?"""
    assert init.glorot_bound(2, 4, logistic=False) == pytest.approx(1.0)           # sqrt(6/6) = 1
    assert init.glorot_bound(2, 4, logistic=True) == pytest.approx(1.4142135624)   # 1 · sqrt(2)
    assert init.glorot_bound(10, 14, logistic=False) == pytest.approx(0.5)         # sqrt(6/24) = 1/2


def test_glorot_weights_lie_within_their_bound_and_fill_it():
    """Do the draws stay inside (−a, a) and reach close to it (uniform on the whole interval)?"""
    W = init.glorot((50, 60, 1), "tanh", seed=0)
    a1 = np.sqrt(6 / 110)                  # tanh hidden layer: no sqrt(2)
    a2 = np.sqrt(6 / 61) * np.sqrt(2)      # the output layer is logistic
    assert np.abs(W[0]).max() < a1 and np.abs(W[0]).max() > 0.99 * a1
    assert np.abs(W[1]).max() < a2


def test_scaled_normal_has_variance_s2_over_fan_in():
    """Is w^l_ij ~ N(0, s²/n_{l-1}): sample variance within 5% of s²/n_{l-1} on 40 000 draws?"""
    W = init.scaled_normal((200, 200, 3), scale=2.0, seed=1)
    assert W[0].var() == pytest.approx(4.0 / 200, rel=0.05)
    assert abs(W[0].mean()) < 0.01
    assert init.scaled_normal((3, 2), scale=0.0, seed=1)[0].tolist() == [[0.0, 0.0]] * 3
    with pytest.raises(ValueError, match="scale"):
        init.scaled_normal((3, 2), scale=-1.0)


def test_zeros_and_network_biases():
    """Are the zero weights zero, with zero biases, or none with bias=False?"""
    net = init.network((3, 4, 2), "zeros")
    assert all(not w.any() for w in net.W) and all(not b.any() for b in net.b)
    assert init.network((3, 4, 2), "zeros", bias=False).b is None
    with pytest.raises(ValueError, match="unknown initialization"):
        init.network((3, 4, 2), "he")


def test_identical_scheme_makes_every_hidden_neuron_alike():
    """In the 'identical' scheme, are the columns of W^l (l < L) and the rows of W^l (l > 1) each equal,
    but different layers' draws not all the same?"""
    W = init.identical((3, 4, 5, 2), seed=2)
    assert np.all(W[0] == W[0][:, :1]) and not np.all(W[0] == W[0][0, 0])   # columns alike, rows differ
    assert np.all(W[1] == W[1][0, 0])
    assert np.all(W[2] == W[2][:1, :]) and W[2][0, 0] != W[2][0, 1]
    net = init.network((3, 4, 5, 2), "identical", seed=2)
    assert init.symmetry_gap(net, 1) == 0.0 and init.symmetry_gap(net, 2) == 0.0
    assert init.identical_neurons(net, 1) == [(i, j) for i in range(4) for j in range(i + 1, 4)]


def test_identical_neurons_by_hand():
    """On a hand-made 2-3-1 network where neurons 0 and 2 share incoming, bias and outgoing weights, and 1
    shares the incoming weights of 0 only, is the one identical pair (0, 2)? And with b^1_2 changed, none?"""
    W1 = np.array([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]])
    W2 = np.array([[0.5], [-0.5], [0.5]])
    net = bpkit.Network.from_weights([W1, W2], [np.array([0.1, 0.1, 0.1]), np.array([0.0])])
    assert init.identical_neurons(net, 1) == [(0, 2)]
    assert init.symmetry_gap(net, 1) == pytest.approx(1.0)       # |w^2_10 − w^2_00| = |−0.5 − 0.5|
    net.b[1][2] = 0.3
    assert init.identical_neurons(net, 1) == []
    assert init.identical_neurons(bpkit.Network.from_weights([W1, W2]), 1) == [(0, 2)]   # no biases
    with pytest.raises(IndexError, match="not a hidden layer"):
        init.identical_neurons(net, 2)


def test_identical_neurons_get_identical_gradients():
    """Do identical hidden neurons get equal gradients (central differences, bpkit.numerical_gradient), so
    that a gradient step keeps them identical?"""
    net = init.network((2, 3, 1), "identical", hidden="tanh", seed=4, scale=1.5)
    X, Y = bpkit.data.xor(20, seed=1)
    g = bpkit.numerical_gradient(net, X, Y)
    assert np.allclose(g.W[1][:, 0], g.W[1][:, 1], atol=1e-9) and np.allclose(g.W[1][:, 0], g.W[1][:, 2], atol=1e-9)
    assert np.allclose(g.W[2][0], g.W[2][1], atol=1e-9)
    assert np.abs(g.W[1]).max() > 1e-4                     # not trivially zero
    bpkit.train(net, X, Y, method="gd", epochs=50, learning_rate=1.0)
    assert init.symmetry_gap(net, 1) < 1e-12

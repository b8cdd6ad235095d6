"""Does the network compute the notes' forward pass, and refuse bad input in the notes' terms?"""
import numpy as np
import pytest

import bpkit
from bpkit import Network

# A 2-2-1 sigmoid network without biases, worked by hand (the notes' sum^l_j = Σ_i w^l_ij σ^{l-1}_i):
#   x = (σ^0_0, σ^0_1) = (1, 2)
#   w^1_00 = 0.1, w^1_01 = 0.2, w^1_10 = 0.3, w^1_11 = 0.4;  w^2_00 = 0.5, w^2_10 = -0.6
#   sum^1_0 = w^1_00·1 + w^1_10·2 = 0.1 + 0.6 = 0.7        σ^1_0 = 1/(1+e^-0.7) = 0.668188
#   sum^1_1 = w^1_01·1 + w^1_11·2 = 0.2 + 0.8 = 1.0        σ^1_1 = 1/(1+e^-1.0) = 0.731059
#   sum^2_0 = 0.5·0.668188 - 0.6·0.731059 = 0.334094 - 0.438635 = -0.104541
#   σ^2_0 = 1/(1+e^0.104541) = 1/2.110202 = 0.473888
HAND_W = [np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([[0.5], [-0.6]])]
HAND_X = np.array([[1.0, 2.0]])


def hand_net():
    return Network.from_weights(HAND_W)


def test_forward_pass_worked_by_hand():
    """Does the forward pass give the hand-worked sum^l_i and σ^l_i?"""
    rec = hand_net().forward(HAND_X)
    assert rec.sum_(1, 0)[0] == pytest.approx(0.7)
    assert rec.sum_(1, 1)[0] == pytest.approx(1.0)
    assert rec.sigma(1, 0)[0] == pytest.approx(0.668188, abs=1e-6)
    assert rec.sigma(1, 1)[0] == pytest.approx(0.731059, abs=1e-6)
    assert rec.sum_(2, 0)[0] == pytest.approx(-0.104541, abs=1e-6)
    assert rec.sigma(2, 0)[0] == pytest.approx(0.473888, abs=1e-6)
    assert np.array_equal(rec.sigma(0, 1), [2.0])


def test_record_keeps_every_layer_with_examples_as_rows():
    """Does the record hold sums[1..L] and sigmas[0..L], each (m, n_l)?"""
    net = Network((3, 4, 2), seed=1)
    X = np.random.default_rng(0).normal(size=(7, 3))
    rec = net.forward(X)
    assert [rec.sigmas[l].shape for l in range(3)] == [(7, 3), (7, 4), (7, 2)]
    assert [rec.sums[l].shape for l in (1, 2)] == [(7, 4), (7, 2)]
    assert rec.m == 7
    with pytest.raises(IndexError, match="no sum\\^0_i"):
        rec.sum_(0, 0)
    # σ^l = g(sum^l) with the hidden activation, and the sigmoid at the output
    np.testing.assert_allclose(rec.sigmas[1], 1 / (1 + np.exp(-rec.sums[1])))
    np.testing.assert_allclose(rec.sigmas[2], 1 / (1 + np.exp(-rec.sums[2])))


def test_biases_are_added_to_sum():
    """With biases, is sum^l_j = Σ_i w^l_ij σ^{l-1}_i + b^l_j?"""
    net = Network.from_weights(HAND_W, b=[np.array([0.5, -0.5]), np.array([0.25])])
    rec = net.forward(HAND_X)
    assert rec.sum_(1, 0)[0] == pytest.approx(1.2)
    assert rec.sum_(1, 1)[0] == pytest.approx(0.5)


def test_per_neuron_accessors_read_like_the_notes():
    """Does net.w(l, i, j) read w^l_ij, and refuse neurons that do not exist?"""
    net = hand_net()
    assert net.w(1, 1, 0) == 0.3  # from neuron 1 of layer 0 to neuron 0 of layer 1
    assert net.w(2, 1, 0) == -0.6
    with pytest.raises(IndexError, match="i = 2 but layer 0 has 2 neurons"):
        net.w(1, 2, 0)
    with pytest.raises(IndexError, match="j = 1 but layer 2 has 1 neurons"):
        net.w(2, 0, 1)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_hidden_activation_is_used_on_hidden_layers_and_sigmoid_on_output(hidden):
    """Is the hidden activation applied to layers 1..L-1 and the sigmoid to layer L?"""
    net = Network((2, 3, 3, 2), hidden=hidden, seed=0)
    rec = net.forward(np.random.default_rng(1).normal(size=(4, 2)))
    g = bpkit.activations.get(hidden)
    for l in (1, 2):
        np.testing.assert_allclose(rec.sigmas[l], g.value(rec.sums[l]))
    np.testing.assert_allclose(rec.sigmas[3], 1 / (1 + np.exp(-rec.sums[3])))


def test_seed_makes_initialization_reproducible():
    """Does the same seed give the same weights, and biases start at zero?"""
    a, b = Network((5, 4, 3), seed=3), Network((5, 4, 3), seed=3)
    for l in (1, 2):
        assert np.array_equal(a.W[l], b.W[l])
        assert np.all(a.b[l] == 0)
    assert not np.array_equal(a.W[1], Network((5, 4, 3), seed=4).W[1])


def test_bias_false_means_no_biases():
    """Does bias=False give exactly the notes' bias-free network (net.b is None)?"""
    assert Network((2, 2, 1), bias=False).b is None


def test_flat_round_trip():
    """Do get_flat and set_flat lay out w^1, b^1, w^2, b^2 and round-trip?"""
    net = Network((3, 2, 2), seed=0)
    theta = net.get_flat()
    assert theta.size == 3 * 2 + 2 + 2 * 2 + 2
    other = Network((3, 2, 2), seed=9)
    other.set_flat(theta)
    assert np.array_equal(other.get_flat(), theta)
    with pytest.raises(ValueError, match="expected a vector of 14 parameters"):
        other.set_flat(theta[:-1])


# ---------------------------------------------------------------- bad input (item 8)
def test_fewer_than_two_layers():
    """Does a network of one layer say it needs an input and an output layer?"""
    with pytest.raises(ValueError, match="at least two layers"):
        Network((3,))


def test_layer_of_zero_neurons():
    """Does a layer of 0 neurons name the layer?"""
    with pytest.raises(ValueError, match="layer 1 has 0 neurons"):
        Network((3, 0, 2))


def test_unknown_activation():
    """Does an unknown activation list the known ones?"""
    with pytest.raises(ValueError, match="known activations are relu, sigmoid, tanh"):
        Network((2, 2, 1), hidden="swish")


def test_weights_that_do_not_chain():
    """Does from_weights name the layer whose shape breaks the chain (the issue's example)?"""
    with pytest.raises(ValueError, match=r"w\^2 has shape \(5, 2\) but layer 1 has 4 neurons"):
        Network.from_weights([np.zeros((3, 4)), np.zeros((5, 2))])


def test_bias_of_wrong_shape():
    """Does a bias vector of the wrong length name b^l and layer l's size?"""
    with pytest.raises(ValueError, match=r"b\^1 has shape \(3,\) but layer 1 has 2 neurons"):
        Network.from_weights(HAND_W, b=[np.zeros(3), np.zeros(1)])


def test_weights_with_nan():
    """Do NaN weights give an error instead of NaN outputs?"""
    W = [HAND_W[0].copy(), HAND_W[1]]
    W[0][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"w\^1 contains NaN or inf"):
        Network.from_weights(W)


@pytest.mark.parametrize(
    "X, message",
    [
        (np.zeros((3, 5)), "X has 5 columns but layer 0 \\(the input\\) has n_0 = 2 neurons"),
        (np.zeros((0, 2)), "m = 0 examples"),
        (np.array([[1.0, np.nan]]), "X contains NaN or inf"),
        (np.array([[1.0, np.inf]]), "X contains NaN or inf"),
        (np.zeros((2, 2, 2)), "X must have shape \\(m, n_0\\)"),
    ],
)
def test_bad_X(X, message):
    """Does each bad X get a ValueError in the notation's terms?"""
    with pytest.raises(ValueError, match=message):
        hand_net().forward(X)


@pytest.mark.parametrize(
    "Y, message",
    [
        (np.zeros((3, 2)), "Y has 2 columns but the output layer L = 2 has n_L = 1 neurons"),
        (np.zeros((4, 1)), "X has 3 rows \\(examples\\) but Y has 4"),
        (np.full((3, 1), 1.5), "targets y_k must lie in \\[0, 1\\]"),
        (np.full((3, 1), -0.1), "targets y_k must lie in \\[0, 1\\]"),
        (np.full((3, 1), np.nan), "Y contains NaN or inf"),
    ],
)
def test_bad_Y(Y, message):
    """Does each bad Y get a ValueError for objective and gradient alike?"""
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match=message):
        bpkit.objective(hand_net(), X, Y)
    with pytest.raises(ValueError, match=message):
        bpkit.gradient(hand_net(), X, Y)


@pytest.mark.parametrize("lam", [-0.1, np.nan, np.inf])
def test_bad_lambda(lam):
    """Does λ < 0 (or not finite) give a ValueError naming λ?"""
    with pytest.raises(ValueError, match="λ \\(lam\\) must be a finite number >= 0"):
        bpkit.gradient(hand_net(), HAND_X, [[1.0]], lam=lam)


def test_non_numeric_input_is_a_type_error():
    """Does a non-numeric X give a TypeError rather than a numpy error from deep inside?"""
    with pytest.raises(TypeError, match="X must be an array of numbers"):
        hand_net().forward([["a", "b"]])


def test_every_construction_path_gives_the_same_kind_of_network():
    """Do Network(...), Network.from_weights(...) and net.copy() set the same attributes (one private path), and is
    a copy independent of its original?"""
    net = Network((3, 4, 2), hidden="tanh", seed=0)
    rebuilt = Network.from_weights(list(net.W), list(net.b), hidden="tanh")
    copied = net.copy()
    sparse = bpkit.example.network()
    for other in (rebuilt, copied, sparse.copy()):
        assert vars(other).keys() == vars(net).keys()
    for other in (rebuilt, copied):
        assert other.sizes == net.sizes and other.hidden is net.hidden and other.output is net.output
        for l in net.W.layers():
            np.testing.assert_array_equal(other.W[l], net.W[l])
            np.testing.assert_array_equal(other.b[l], net.b[l])
    copied.W[1][0, 0] += 1.0
    copied.b[2][0] += 1.0
    assert copied.W[1][0, 0] != net.W[1][0, 0] and copied.b[2][0] != net.b[2][0]
    sparse_copy = sparse.copy()
    sparse_copy.mask[1][0, 0] = not sparse_copy.mask[1][0, 0]
    assert sparse_copy.mask[1][0, 0] != sparse.mask[1][0, 0]


def _zero_row_net():
    """A 3-2-1 network whose input neuron 1 has no weight out of it (w^1_1j = 0): NaN·0 and inf·0 are its test."""
    net = Network((3, 2, 1), bias=True, seed=3)
    net.W[1][1, :] = 0.0
    return net


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("net_of", [hand_net, _zero_row_net, bpkit.example.network], ids=["dense", "zero-row", "notes-sparse"])
def test_a_bad_entry_anywhere_in_X_is_caught_by_every_entry_point(bad, net_of):
    """Is NaN or ±inf in any entry of X an error for forward, objective and every gradient, even where the
    weights out of that input neuron are 0 (the check reads sum^1 = σ^0 W^1 first, X only if sum^1 is not finite)?"""
    net = net_of()
    n0, nL = net.sizes[0], net.sizes[-1]
    rng = np.random.default_rng(0)
    for e in range(3):
        for i in range(n0):
            X = rng.normal(size=(3, n0))
            X[e, i] = bad
            Y = np.ones((3, nL)) / 2
            calls = [lambda: net.forward(X), lambda: bpkit.objective(net, X, Y), lambda: bpkit.gradient(net, X, Y),
                     lambda: bpkit.scalar.gradient(net, X, Y), lambda: bpkit.naive.gradient(net, X, Y),
                     lambda: bpkit.backprop.output_gradient(net, X)]
            for call in calls:
                with pytest.raises(ValueError, match="X contains NaN or inf"):
                    call()


def test_a_large_finite_X_is_not_called_bad():
    """Is an X that is finite but makes sum^1 overflow still accepted, as it was before the check read sum^1
    (sum^1 = ±inf is a legal, saturated input to the sigmoid)?"""
    net = Network.from_weights([np.full((2, 2), 2.0), np.ones((2, 1))])
    X = np.array([[1e308, 1e308]])
    with np.errstate(over="ignore"):
        record = net.forward(X)
    assert not np.isfinite(record.sums[1]).all() and np.isfinite(record.sigmas[1]).all()

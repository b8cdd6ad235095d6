"""Tests of bpkit.course.checks.lesson09: right answers pass, typical wrong ones fail with the matching hint.

The references are checked here against oracles the checks do not use: 09.1 against central differences of the
squared error written out in this file, 09.2 against norms of central differences (bpkit.numerical_gradient),
09.3 against a brute-force comparison written here."""
import numpy as np
import pytest

import bpkit
from bpkit.course.checks import lesson09 as checks
from bpkit.gradcheck import central_difference
from check_answers import CHEAT

REPEAT = range(4)  # fresh hidden cases every run: repeat to cover several


# ------------------------------------------------------------------ 09.1
def delta_right(sigma_L, Y):
    return (sigma_L - Y) * sigma_L * (1 - sigma_L) / len(sigma_L)


def delta_by_central_differences(sigma_L, Y):
    """δ^L_k = ∂E/∂sum^L_k by central differences of E = 1/(2m) Σ (logistic(sum^L) − y)², sum^L = logit(σ^L):
    an answer that never uses the formula (and so checks the check's reference)."""
    sums = np.log(sigma_L / (1 - sigma_L))
    m = len(sums)

    def E():
        return float(np.sum((1 / (1 + np.exp(-sums)) - Y) ** 2) / (2 * m))

    return np.array([[central_difference(E, sums, (e, k), eps=1e-5) for k in range(sums.shape[1])]
                     for e in range(m)])


@pytest.mark.parametrize("run", REPEAT)
def test_delta_right_answer_passes(checking, run):
    """Does δ^L = (σ^L − Y) σ^L (1 − σ^L)/m pass, printing one PASSED line?"""
    checking.passes(checks.delta_L_squared, delta_right)


@pytest.mark.parametrize("run", range(2))
def test_delta_by_central_differences_passes(checking, run):
    """Does an answer computed by central differences of the squared error (no formula) pass: is the check's
    reference ∂E/∂sum^L?"""
    checking.passes(checks.delta_L_squared, delta_by_central_differences)


@pytest.mark.parametrize("run", REPEAT)
def test_delta_wrong_answers_get_their_hint(checking, run):
    """Do the cross-entropy's δ^L, no 1/m, a sign error, the logistic applied to σ^L, a factor 2 and tanh's slope
    each get their hint?"""
    m = len
    checking.fails(checks.delta_L_squared, lambda s, Y: (s - Y) / m(s), hints="left out the slope")
    checking.fails(checks.delta_L_squared, lambda s, Y: (s - Y) * s * (1 - s), hints="forgot the 1/m")
    checking.fails(checks.delta_L_squared, lambda s, Y: (Y - s) * s * (1 - s) / m(s), hints="sign error")
    checking.fails(checks.delta_L_squared, lambda s, Y: 2 * (s - Y) * s * (1 - s) / m(s), hints="factor 2")
    checking.fails(checks.delta_L_squared, lambda s, Y: (s - Y) * (1 - s ** 2) / m(s), hints="slope of tanh")
    logistic = bpkit.activations.sigmoid.value
    checking.fails(checks.delta_L_squared, lambda s, Y: (s - Y) * logistic(s) * (1 - logistic(s)) / m(s),
                   hints="as if sigma_L were sum^L")
    checking.fails(checks.delta_L_squared,
                   lambda s, Y: (np.log(s / (1 - s)) - Y) * s * (1 - s) / m(s), hints="used sum^L_k where σ^L_k")
    checking.fails(checks.delta_L_squared, lambda s, Y: delta_right(s, Y).sum(axis=0),
                   hints="do not sum over the examples")


def test_delta_cannot_call_the_reference_and_unanswered_fails(checking):
    """Do calling bpkit.depth.squared_error_delta, the unanswered exercise and None fail with their hints?"""
    checking.fails(checks.delta_L_squared, bpkit.depth.squared_error_delta,
                   hints=f"you called bpkit.depth.squared_error_delta: {CHEAT}")
    checking.fails(checks.delta_L_squared, checking.unanswered, hints="not answered yet")
    checking.fails(checks.delta_L_squared, lambda s, Y: None, hints="returned None")


# ------------------------------------------------------------------ 09.2
def norms_right(net, X, Y):
    g = bpkit.gradient(net, X, Y)
    return [np.linalg.norm(g.W[l]) for l in range(1, net.L + 1)]


def norms_by_central_differences(net, X, Y):
    g = bpkit.numerical_gradient(net, X, Y)
    return [np.sqrt((g.W[l] ** 2).sum()) for l in range(1, net.L + 1)]


@pytest.mark.parametrize("run", REPEAT)
def test_norms_right_answers_pass(checking, run):
    """Do the Frobenius norms of bpkit.gradient's W^l, and of central differences, pass?"""
    checking.passes(checks.layer_norms, norms_right)
    checking.passes(checks.layer_norms, norms_by_central_differences)


@pytest.mark.parametrize("run", REPEAT)
def test_norms_wrong_answers_get_their_hint(checking, run):
    """Do the reversed order, biases included, the weights' norm, no square root, max |.| and Σ |.| get their hint?"""
    def with_bias(net, X, Y):
        g = bpkit.gradient(net, X, Y)
        return [np.sqrt((g.W[l] ** 2).sum() + (0 if g.b is None else (g.b[l] ** 2).sum())) for l in range(1, net.L + 1)]

    def gradients(net, X, Y):
        g = bpkit.gradient(net, X, Y)
        return [g.W[l] for l in range(1, net.L + 1)]

    checking.fails(checks.layer_norms, lambda *a: norms_right(*a)[::-1], hints="reverse order")
    checking.fails(checks.layer_norms, with_bias, hints="included the biases")
    checking.fails(checks.layer_norms, lambda net, X, Y: [np.linalg.norm(w) for w in net.W], hints="weights W^l")
    checking.fails(checks.layer_norms, lambda *a: np.square(norms_right(*a)), hints="square root")
    checking.fails(checks.layer_norms, lambda *a: [np.abs(d).max() for d in gradients(*a)], hints="largest")
    checking.fails(checks.layer_norms, lambda *a: [np.abs(d).sum() for d in gradients(*a)], hints="added up")
    checking.fails(checks.layer_norms, lambda *a: norms_right(*a)[:-1], hints="L = ")


def test_norms_reference_off_and_unanswered(checking):
    """Do calling bpkit.depth.layer_norms and the unanswered exercise fail?"""
    checking.fails(checks.layer_norms, bpkit.depth.layer_norms, hints=f"you called bpkit.depth.layer_norms: {CHEAT}")
    checking.fails(checks.layer_norms, checking.unanswered, hints="not answered yet")


# ------------------------------------------------------------------ 09.3
def pairs_right(net, l):
    n = net.n(l)
    out = []
    for i in range(n):
        for j in range(i + 1, n):
            same = (np.array_equal(net.W[l][:, i], net.W[l][:, j]) and np.array_equal(net.W[l + 1][i], net.W[l + 1][j])
                    and (net.b is None or net.b[l][i] == net.b[l][j]))
            if same:
                out.append((i, j))
    return out


def pairs_variant(incoming=True, bias=True, outgoing=True):
    def answer(net, l):
        n = net.n(l)
        return [(i, j) for i in range(n) for j in range(i + 1, n)
                if (not incoming or np.array_equal(net.W[l][:, i], net.W[l][:, j]))
                and (not outgoing or np.array_equal(net.W[l + 1][i], net.W[l + 1][j]))
                and (not bias or net.b is None or net.b[l][i] == net.b[l][j])]
    return answer


@pytest.mark.parametrize("run", REPEAT)
def test_pairs_right_answer_passes(checking, run):
    """Does a brute-force comparison of incoming weights, bias and outgoing weights pass (as a list, any order of
    pairs, a pair as (j, i) too)?"""
    checking.passes(checks.identical_neurons, pairs_right)
    checking.passes(checks.identical_neurons, lambda net, l: [(j, i) for i, j in reversed(pairs_right(net, l))])


@pytest.mark.parametrize("run", REPEAT)
def test_pairs_wrong_answers_get_their_hint(checking, run):
    """Do comparing incoming weights only, forgetting the bias, forgetting the outgoing weights and comparing the
    outgoing weights only each get their hint?"""
    checking.fails(checks.identical_neurons, pairs_variant(outgoing=False, bias=False), hints="incoming weights only")
    checking.fails(checks.identical_neurons, pairs_variant(bias=False), hints="forgot the bias")
    checking.fails(checks.identical_neurons, pairs_variant(outgoing=False), hints="forgot the outgoing weights")
    checking.fails(checks.identical_neurons, pairs_variant(incoming=False, bias=False), hints="outgoing weights only")


def test_pairs_malformed_answers_and_unanswered(checking):
    """Do self-pairs, repeated pairs, None, no pairs at all and the unanswered exercise fail with a clear hint?"""
    checking.fails(checks.identical_neurons, lambda net, l: pairs_right(net, l) + [(0, 0)], hints="with itself")
    checking.fails(checks.identical_neurons, lambda net, l: pairs_right(net, l) * 2, hints="pair twice")
    checking.fails(checks.identical_neurons, lambda net, l: None, hints="returned None")
    checking.fails(checks.identical_neurons, lambda net, l: [], hints="missing")
    checking.fails(checks.identical_neurons, bpkit.initialization.identical_neurons,
                   hints=f"you called bpkit.initialization.identical_neurons: {CHEAT}")
    checking.fails(checks.identical_neurons, checking.unanswered, hints="not answered yet")


def test_mutating_answers_do_not_fool_the_checks(checking):
    """Does an answer that zeroes the network after answering still pass (the checks pass copies)?"""
    def pairs_then_zero(net, l):
        out = pairs_right(net, l)
        for w in net.W:
            w *= 0
        return out

    def norms_then_zero(net, X, Y):
        out = norms_right(net, X, Y)
        for w in net.W:
            w *= 0
        X *= 0
        return out

    checking.passes(checks.identical_neurons, pairs_then_zero)
    checking.passes(checks.layer_norms, norms_then_zero)


# ------------------------------------------------------------------ 09.4
SLOPE_BOUND = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}   # by hand: t(1 − t) <= 1/4, 1 − t² <= 1, relu' <= 1


def slopes_right(net, X):
    """Every hidden layer's slopes ∂σ^l_j/∂sum^l_j, from a forward pass written out here."""
    out, sigma = [], X
    for l in range(1, net.L):
        s = sigma @ net.W[l] + (0 if net.b is None else net.b[l])
        sigma = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}[
            net.hidden.name](s)
        out.append({"sigmoid": sigma * (1 - sigma), "tanh": 1 - sigma ** 2, "relu": (s > 0) * 1.0}[net.hidden.name])
    return out


def fractions_right(net, X, threshold):
    return [np.mean(s < threshold * SLOPE_BOUND[net.hidden.name]) for s in slopes_right(net, X)]


@pytest.mark.parametrize("run", REPEAT)
def test_saturated_fraction_right_answer_passes(checking, run):
    """Does the fraction of slopes below threshold · (largest slope), from a forward pass written out here, pass?"""
    checking.passes(checks.saturated_fraction, fractions_right)


@pytest.mark.parametrize("run", REPEAT)
def test_saturated_fraction_wrong_answers_get_their_hint(checking, run):
    """Do an absolute threshold, the derivative taken at σ, counting whole neurons, the logistic's rule for every
    activation and the output layer included each get their hint?"""
    def absolute(net, X, threshold):
        return [np.mean(s < threshold) for s in slopes_right(net, X)]

    def at_sigma(net, X, threshold):
        rec = net.forward(X)
        return [np.mean(net.hidden.derivative(rec.sigmas[l]) < threshold * SLOPE_BOUND[net.hidden.name])
                for l in range(1, net.L)]

    def per_neuron(net, X, threshold):
        return [np.mean(np.all(s < threshold * SLOPE_BOUND[net.hidden.name], axis=0)) for s in slopes_right(net, X)]

    def logistic_rule(net, X, threshold):
        rec = net.forward(X)
        return [np.mean(rec.sigmas[l] * (1 - rec.sigmas[l]) < threshold / 4) for l in range(1, net.L)]

    checking.fails(checks.saturated_fraction, absolute, hints="threshold itself")
    checking.fails(checks.saturated_fraction, at_sigma, hints="derivative at σ^l_j")
    checking.fails(checks.saturated_fraction, per_neuron, hints="count (example, neuron) pairs")
    checking.fails(checks.saturated_fraction, logistic_rule, hints="logistic's rule")
    checking.fails(checks.saturated_fraction, lambda net, X, t: fractions_right(net, X, t) + [0.0],
                   hints="one fraction per hidden layer")


def test_saturated_fraction_reference_off_and_unanswered(checking):
    """Do calling bpkit.depth.saturation and the unanswered exercise fail?"""
    checking.fails(checks.saturated_fraction, bpkit.depth.saturation, hints=f"you called bpkit.depth.saturation: {CHEAT}")
    checking.fails(checks.saturated_fraction, checking.unanswered, hints="not answered yet")

"""Tests of bpkit.course.checks.lesson01: right answers pass, typical wrong ones fail with the matching hint."""
import numpy as np
import pytest

import bpkit
from bpkit import Network
from bpkit.course.checks import lesson01 as checks
from check_answers import CHEAT

REPEAT = range(4)  # fresh hidden cases every run: repeat to cover several


# ------------------------------------------------------------------ answers, right and wrong
def sum_right(net, sigma_prev, l):
    s = sigma_prev @ net.W[l]
    return s if net.b is None else s + net.b[l]


def sum_no_bias(net, sigma_prev, l):
    return sigma_prev @ net.W[l]


def sum_transposed(net, sigma_prev, l):
    W = net.W[l]
    s = sigma_prev @ (W.T if W.shape[0] == W.shape[1] else W)
    return s if net.b is None else s + net.b[l]


def sum_activated(net, sigma_prev, l):
    return net.activation(l).value(sum_right(net, sigma_prev, l))


def sum_by_forward(net, sigma_prev, l):
    return net.forward(sigma_prev).sums[l]


def sigma_right(net, sum_l, l):
    return net.activation(l).value(sum_l)


def sigma_not_activated(net, sum_l, l):
    return sum_l


def sigma_always_hidden(net, sum_l, l):
    return net.hidden.value(sum_l)


def sigma_always_sigmoid(net, sum_l, l):
    return 1 / (1 + np.exp(-sum_l))


def sigma_twice(net, sum_l, l):
    g = net.activation(l)
    return g.value(g.value(sum_l))


def forward_right(net, X):
    sigmas = [X]
    for l in range(1, net.L + 1):
        sigmas.append(sigma_right(net, sum_right(net, sigmas[-1], l), l))
    return sigmas


def forward_without_input(net, X):
    return forward_right(net, X)[1:]


def forward_no_bias(net, X):
    sigmas = [X]
    for l in range(1, net.L + 1):
        sigmas.append(net.activation(l).value(sigmas[-1] @ net.W[l]))
    return sigmas


def forward_sigmoid_everywhere(net, X):
    sigmas = [X]
    for l in range(1, net.L + 1):
        sigmas.append(1 / (1 + np.exp(-sum_right(net, sigmas[-1], l))))
    return sigmas


def forward_passes_sums(net, X):
    sigmas, prev = [X], X
    for l in range(1, net.L + 1):
        s = sum_right(net, prev, l)
        sigmas.append(net.activation(l).value(s))
        prev = s
    return sigmas


def forward_mutates(net, X):
    """Right, but scribbles over the network and X afterwards: must not fool the check."""
    out = [a.copy() for a in forward_right(net, X)]
    for w in net.W:
        w *= 0
    X *= 0
    return out


def incoming_right(net, l, j):
    return net.W[l][:, j]


def outgoing_right(net, l, i):
    return net.W[l + 1][i, :]


def incoming_rows(net, l, j):
    W = net.W[l]
    return W[j, :] if W.shape[0] == W.shape[1] else W[:, j]


def outgoing_columns(net, l, i):
    W = net.W[l + 1]
    return W[:, i] if W.shape[0] == W.shape[1] else W[i, :]






# ------------------------------------------------------------------ 01.1
@pytest.mark.parametrize("run", REPEAT)
def test_sum_layer_right_answer_passes(checking, run):
    """Does the right sum^l = σ^{l-1} W[l] + b^l pass, on fresh hidden cases, printing one PASSED line?"""
    checking.passes(checks.sum_layer, sum_right)


@pytest.mark.parametrize("run", REPEAT)
def test_sum_layer_wrong_answers_get_their_hint(run, checking):
    """Do a forgotten bias, a transposed W and an applied activation each get their own hint?"""
    checking.fails(checks.sum_layer, sum_no_bias, hints="forgot the bias")
    checking.fails(checks.sum_layer, sum_transposed, hints="swapped i and j")
    checking.fails(checks.sum_layer, sum_activated, hints="applied the activation")



def sum_by_one_layer_network(net, sigma_prev, l):
    """Right, but by bpkit's forward pass on a network made of layer l alone."""
    one = Network.from_weights([net.W[l]], None if net.b is None else [net.b[l]])
    return one.forward(sigma_prev).sums[1]


def sum_by_gradient_record(net, sigma_prev, l):
    """Right for l = 1 only: bpkit.gradient's record holds every sum^l."""
    return bpkit.gradient(net, sigma_prev if l == 1 else np.zeros((len(sigma_prev), net.sizes[0])),
                          np.zeros((len(sigma_prev), net.sizes[-1]))).extras["record"].sums[l]


@pytest.mark.parametrize("cheat, called", [
    (sum_by_forward, "net.forward"),
    (sum_by_one_layer_network, "net.forward"),
    (lambda net, sigma_prev, l: net.forward_validated(sigma_prev).sums[l] if l == 1 else sum_right(net, sigma_prev, l),
     "net.forward_validated"),
    (sum_by_gradient_record, "bpkit.gradient"),
], ids=["forward", "one-layer-network", "forward_validated", "gradient-record"])
def test_sum_layer_cannot_call_the_reference(cheat, called, checking):
    """Does an answer that calls bpkit's forward pass (or a gradient, whose record holds it) fail with the
    hint that names what it called?"""
    checking.fails(checks.sum_layer, cheat, hints=f"you called {called}: {CHEAT}")


def test_sum_layer_unanswered_fails(checking):
    """Does the unanswered exercise (raise NotImplementedError()) fail with 'not answered yet'?"""
    checking.fails(checks.sum_layer, checking.unanswered, hints="not answered yet")


# ------------------------------------------------------------------ 01.2
@pytest.mark.parametrize("run", REPEAT)
def test_sigma_layer_right_answer_passes(checking, run):
    """Does σ^l = net.activation(l)(sum^l) pass?"""
    checking.passes(checks.sigma_layer, sigma_right)


@pytest.mark.parametrize("run", REPEAT)
def test_sigma_layer_wrong_answers_get_their_hint(run, checking):
    """Do no activation, the wrong layer's activation and a doubled activation each get their hint?"""
    checking.fails(checks.sigma_layer, sigma_not_activated, hints="returned sum^l itself")
    checking.fails(checks.sigma_layer, sigma_always_hidden, hints="wrong activation for layer l")
    checking.fails(checks.sigma_layer, sigma_always_sigmoid, hints="wrong activation for layer l")
    checking.fails(checks.sigma_layer, sigma_twice, hints="activation twice")


def test_sigma_layer_unanswered_fails(checking):
    """Does the unanswered exercise fail?"""
    checking.fails(checks.sigma_layer, checking.unanswered, hints="not answered yet")


# ------------------------------------------------------------------ 01.3
@pytest.mark.parametrize("run", REPEAT)
def test_forward_pass_right_answer_passes(checking, run):
    """Does a right forward pass pass, on any depth and activation?"""
    checking.passes(checks.forward_pass, forward_right)


def test_forward_pass_mutating_answer_does_not_fool_the_check(checking):
    """Does an answer that zeroes the network and X after computing still pass (the reference is computed first)?"""
    checking.passes(checks.forward_pass, forward_mutates)


@pytest.mark.parametrize("run", REPEAT)
def test_forward_pass_wrong_answers_get_their_hint(run, checking):
    """Do a missing σ^0, a forgotten bias, the sigmoid everywhere and passing sums on get their hints?"""
    checking.fails(checks.forward_pass, forward_without_input, hints="σ^0 (the input X, layer 0) comes first")
    checking.fails(checks.forward_pass, forward_no_bias, hints="forgot the bias")
    checking.fails(checks.forward_pass, forward_sigmoid_everywhere, hints="sigmoid at every layer")
    checking.fails(checks.forward_pass, forward_passes_sums, hints="passed the sums on")


@pytest.mark.parametrize("cheat, called", [
    (lambda net, X: list(net.forward(X).sigmas), "net.forward"),
    (lambda net, X: list(net.forward_validated(X).sigmas), "net.forward_validated"),
    (lambda net, X: [X] + [net.predict_proba(X)] * net.L, "net.predict_proba"),
    (lambda net, X: list(bpkit.gradient(net, X, np.zeros((len(X), net.sizes[-1]))).extras["record"].sigmas),
     "bpkit.gradient"),
    (lambda net, X: list(bpkit.output_gradient(net, X).extras["record"].sigmas), "bpkit.output_gradient"),
    (lambda net, X: (s for s in net.forward(X).sigmas), "net.forward"),
], ids=["forward", "forward_validated", "predict_proba", "gradient-record", "output-gradient", "lazy-generator"])
def test_forward_pass_cannot_call_the_reference(cheat, called, checking):
    """Does a forward pass copied from bpkit (net.forward, the net.forward_validated bpkit itself calls, a gradient's
    record, even a generator that calls net.forward only once the check reads it) fail with the hint that
    names what it called?"""
    checking.fails(checks.forward_pass, cheat, hints=f"you called {called}: {CHEAT}")


def test_forward_pass_unanswered_and_none_fail(checking):
    """Do the unanswered exercise and an answer returning None fail with a clear hint?"""
    checking.fails(checks.forward_pass, checking.unanswered, hints="not answered yet")
    checking.fails(checks.forward_pass, lambda net, X: None, hints="returned None")


# ------------------------------------------------------------------ 01.4
@pytest.mark.parametrize("run", REPEAT)
def test_incoming_outgoing_right_answer_passes(checking, run):
    """Do column j of W[l] (into σ^l_j) and row i of W[l+1] (out of σ^l_i) pass?"""
    checking.passes(checks.incoming_outgoing, incoming_right, outgoing_right)


@pytest.mark.parametrize("run", REPEAT)
def test_incoming_outgoing_swapped_i_j_fails(run, checking):
    """Do rows for incoming, or columns for outgoing, fail with 'swapped i and j'?"""
    checking.fails(checks.incoming_outgoing, incoming_rows, outgoing_right, hints="swapped i and j")
    checking.fails(checks.incoming_outgoing, incoming_right, outgoing_columns, hints="swapped i and j")


def test_incoming_outgoing_unanswered_fails(checking):
    """Does the unanswered exercise fail?"""
    checking.fails(checks.incoming_outgoing, checking.unanswered, checking.unanswered, hints="not answered yet")


# ------------------------------------------------------------------ switching bpkit off (bpkit.course.checks.switch)
from bpkit import gradient as gradient_imported_early  # noqa: E402  (a name bound before any check runs)
from bpkit.course.checks._core import Hint
from bpkit.course.checks.switch import call_answer, switched_off, SwitchedOff  # noqa: E402


def _refuses(call) -> str:
    with pytest.raises(SwitchedOff) as e:
        call()
    assert isinstance(e.value, Hint)
    return e.value.hint


def test_switched_off_reaches_every_name_of_one_function_and_puts_it_back():
    """Does switching off bpkit.gradient also stop bpkit.backprop.gradient, a name imported earlier and the bpkit
    functions that call it, and does everything work again afterwards, also when the block raised?"""
    net, X, Y = Network((2, 3, 1), seed=0), np.ones((4, 2)), np.ones((4, 1))
    before = bpkit.gradient(net, X, Y, 0.5).flat()
    with pytest.raises(ZeroDivisionError):
        with switched_off("bpkit.gradient"):
            for call in (lambda: bpkit.gradient(net, X, Y), lambda: bpkit.backprop.gradient(net, X, Y),
                         lambda: gradient_imported_early(net, X, Y), lambda: bpkit.landscape.hessian(net, X, Y)):
                assert _refuses(call).startswith(f"you called bpkit.gradient: {CHEAT}")
            1 / 0
    np.testing.assert_array_equal(bpkit.gradient(net, X, Y, 0.5).flat(), before)
    np.testing.assert_array_equal(gradient_imported_early(net, X, Y, 0.5).flat(), before)


def test_switched_off_reaches_the_frozen_activations_however_they_are_found():
    """Is an Activation's derivative (a field of a frozen dataclass) switched off whether it is reached through
    activations.get, the module's instance, the ACTIVATIONS table or a network's hidden activation?"""
    s = np.array([-1.0, 0.5])
    expected = bpkit.activations.tanh.derivative(s)
    net = Network((1, 2, 1), hidden="tanh")
    with switched_off("bpkit.activations.tanh.derivative"):
        for call in (lambda: bpkit.activations.get("tanh").derivative(s), lambda: bpkit.activations.tanh.derivative(s),
                     lambda: bpkit.activations.ACTIVATIONS["tanh"].derivative(s), lambda: net.hidden.derivative(s)):
            assert "you called bpkit.activations.tanh.derivative" in _refuses(call)
        np.testing.assert_array_equal(bpkit.activations.tanh.value(s), np.tanh(s))  # the value stays on
    np.testing.assert_array_equal(net.hidden.derivative(s), expected)


def test_call_answer_consumes_a_lazy_answer_inside_the_block():
    """Is an answer that returns a generator (or map) consumed while bpkit is still switched off?"""
    net, X = Network((2, 1), seed=0), np.ones((3, 2))
    with pytest.raises(SwitchedOff):
        call_answer(lambda: (s for s in net.forward(X).sigmas), off=[("bpkit.Network.forward", "net.forward")])
    with pytest.raises(SwitchedOff):
        call_answer(lambda: (map(np.sum, net.forward(X).sigmas), None), off=[("bpkit.Network.forward", "net.forward")])
    assert call_answer(lambda: (v for v in (1, 2)), off=["bpkit.gradient"]) == [1, 2]


def test_switched_off_rejects_what_it_cannot_switch_off():
    """Is a target that is not a plain Python function (a numpy ufunc) refused, and nothing left switched off?"""
    with pytest.raises(TypeError, match="cannot switch off"):
        with switched_off("bpkit.gradient", "bpkit.activations.tanh.value"):
            pass
    assert bpkit.gradient(Network((1, 1), seed=0), np.ones((1, 1)), np.ones((1, 1))).E > 0

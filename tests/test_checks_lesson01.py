"""Tests of bpkit.checks.lesson01: right answers pass, typical wrong ones fail with the matching hint."""
import numpy as np
import pytest

from bpkit.checks import CheckFailed
from bpkit.checks import lesson01 as checks

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


def unanswered(*args):
    raise NotImplementedError()


# ------------------------------------------------------------------ helpers
def passes(capsys, check, *answers):
    check(*answers)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith(f"PASSED {check.info.exercise} ")
    assert f"[{check.info.points}/{check.info.points} points]" in out


def fails(check, *answers, hint: str):
    with pytest.raises(CheckFailed) as e:
        check(*answers)
    assert str(e.value).startswith(f"FAILED {check.info.exercise} ")
    assert hint in e.value.hint, e.value.hint
    return e.value


# ------------------------------------------------------------------ 01.1
@pytest.mark.parametrize("run", REPEAT)
def test_sum_layer_right_answer_passes(capsys, run):
    """Does the right sum^l = σ^{l-1} W[l] + b^l pass, on fresh hidden cases, printing one PASSED line?"""
    passes(capsys, checks.sum_layer, sum_right)


@pytest.mark.parametrize("run", REPEAT)
def test_sum_layer_wrong_answers_get_their_hint(run):
    """Do a forgotten bias, a transposed W and an applied activation each get their own hint?"""
    fails(checks.sum_layer, sum_no_bias, hint="forgot the bias")
    fails(checks.sum_layer, sum_transposed, hint="swapped i and j")
    fails(checks.sum_layer, sum_activated, hint="applied the activation")


def test_sum_layer_cannot_call_the_reference():
    """Is net.forward switched off inside the check, with a hint that says so?"""
    fails(checks.sum_layer, sum_by_forward, hint="net.forward (bpkit's reference) is switched off")


def test_sum_layer_unanswered_fails():
    """Does the unanswered exercise (raise NotImplementedError()) fail with 'not answered yet'?"""
    fails(checks.sum_layer, unanswered, hint="not answered yet")


# ------------------------------------------------------------------ 01.2
@pytest.mark.parametrize("run", REPEAT)
def test_sigma_layer_right_answer_passes(capsys, run):
    """Does σ^l = net.activation(l)(sum^l) pass?"""
    passes(capsys, checks.sigma_layer, sigma_right)


@pytest.mark.parametrize("run", REPEAT)
def test_sigma_layer_wrong_answers_get_their_hint(run):
    """Do no activation, the wrong layer's activation and a doubled activation each get their hint?"""
    fails(checks.sigma_layer, sigma_not_activated, hint="returned sum^l itself")
    fails(checks.sigma_layer, sigma_always_hidden, hint="wrong activation for layer l")
    fails(checks.sigma_layer, sigma_always_sigmoid, hint="wrong activation for layer l")
    fails(checks.sigma_layer, sigma_twice, hint="activation twice")


def test_sigma_layer_unanswered_fails():
    """Does the unanswered exercise fail?"""
    fails(checks.sigma_layer, unanswered, hint="not answered yet")


# ------------------------------------------------------------------ 01.3
@pytest.mark.parametrize("run", REPEAT)
def test_forward_pass_right_answer_passes(capsys, run):
    """Does a right forward pass pass, on any depth and activation?"""
    passes(capsys, checks.forward_pass, forward_right)


def test_forward_pass_mutating_answer_does_not_fool_the_check(capsys):
    """Does an answer that zeroes the network and X after computing still pass (the reference is computed first)?"""
    passes(capsys, checks.forward_pass, forward_mutates)


@pytest.mark.parametrize("run", REPEAT)
def test_forward_pass_wrong_answers_get_their_hint(run):
    """Do a missing σ^0, a forgotten bias, the sigmoid everywhere and passing sums on get their hints?"""
    fails(checks.forward_pass, forward_without_input, hint="σ^0 (the input X, layer 0) comes first")
    fails(checks.forward_pass, forward_no_bias, hint="forgot the bias")
    fails(checks.forward_pass, forward_sigmoid_everywhere, hint="sigmoid at every layer")
    fails(checks.forward_pass, forward_passes_sums, hint="passed the sums on")


def test_forward_pass_unanswered_and_none_fail():
    """Do the unanswered exercise and an answer returning None fail with a clear hint?"""
    fails(checks.forward_pass, unanswered, hint="not answered yet")
    fails(checks.forward_pass, lambda net, X: None, hint="returned None")


# ------------------------------------------------------------------ 01.4
@pytest.mark.parametrize("run", REPEAT)
def test_incoming_outgoing_right_answer_passes(capsys, run):
    """Do column j of W[l] (into σ^l_j) and row i of W[l+1] (out of σ^l_i) pass?"""
    passes(capsys, checks.incoming_outgoing, incoming_right, outgoing_right)


@pytest.mark.parametrize("run", REPEAT)
def test_incoming_outgoing_swapped_i_j_fails(run):
    """Do rows for incoming, or columns for outgoing, fail with 'swapped i and j'?"""
    fails(checks.incoming_outgoing, incoming_rows, outgoing_right, hint="swapped i and j")
    fails(checks.incoming_outgoing, incoming_right, outgoing_columns, hint="swapped i and j")


def test_incoming_outgoing_unanswered_fails():
    """Does the unanswered exercise fail?"""
    fails(checks.incoming_outgoing, unanswered, unanswered, hint="not answered yet")

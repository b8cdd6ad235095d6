"""Do lesson 05's graded checks pass every right answer and fail each common mistake with its hint?

Every check draws fresh hidden networks and sizes, so each test runs several times.
"""
from __future__ import annotations

import numpy as np
import pytest

from bpkit.course.checks import lesson05 as checks
from check_answers import CHEAT, unanswered

REPEAT = range(5)








# ------------------------------------------------------------------------------ 05.1
def make_memo(mistake=None):
    def dE_dsigma_layer(net, record, dE_dsum_next, l):
        W = net.W[l + 1]                                   # w^{l+1}_jp, shape (n_l, n_{l+1})
        # ∂E/∂σ^l_j = Σ_p ∂E/∂sum^{l+1}_p w^{l+1}_jp, written as loops over j and p
        m, n_l = record.sigmas[l].shape
        out = np.zeros((m, n_l))
        for j in range(n_l):
            for p in range(W.shape[1]):
                out[:, j] += dE_dsum_next[:, p] * W[j, p]
        if mistake == "transposed":
            return dE_dsum_next @ W
        if mistake == "times g'":
            return out * net.activation(l).derivative(record.sums[l])
        if mistake == "g' of l+1 again":
            return (dE_dsum_next * net.activation(l + 1).derivative(record.sums[l + 1])) @ W.T
        if mistake == "1/m again":
            return out / m
        if mistake == "sign":
            return -out
        if mistake == "sigma":
            return record.sigmas[l + 1] @ W.T
        if mistake == "rows":
            return out.T
        if mistake == "summed":
            return out.sum(axis=0)
        if mistake == "wrong layer":
            return dE_dsum_next @ net.W[l].T
        return out

    return dE_dsigma_layer


@pytest.mark.parametrize("run", REPEAT)
def test_memo_layer_right_answer_passes(run, checking):
    """Does Σ_p ∂E/∂sum^{l+1}_p w^{l+1}_jp (as loops) pass on random nets, layers and batch sizes?"""
    checking.passes(checks.memo_layer, make_memo())


def test_memo_layer_matrix_form_passes(checking):
    """Does the matrix form dE_dsum_next @ W[l+1].T pass too?"""
    checking.passes(checks.memo_layer, lambda net, record, d, l: d @ net.W[l + 1].T)


@pytest.mark.parametrize("mistake,hint", [
    ("transposed", "swapped i and j (transposed W)"),
    ("times g'", "that is ∂E/∂sum^l, not ∂E/∂σ^l"),
    ("g' of l+1 again", "activation derivative of layer l+1 twice"),
    ("1/m again", "divided by m twice"),
    ("sign", "sign error"),
    ("sigma", "used σ^{l+1}"),
    ("rows", "rows are examples"),
    ("summed", "summed over the examples"),
    ("wrong layer", "wrong layer of weights"),
])
@pytest.mark.parametrize("run", range(2))
def test_memo_layer_mistakes_fail_with_their_hint(mistake, hint, run, checking):
    """Does each common mistake (transposed W, the activation derivative of the wrong layer, 1/m twice, a sign,
    σ for ∂E/∂sum, a wrong shape, the wrong layer's weights) fail with the hint that names it?"""
    checking.fails(checks.memo_layer, make_memo(mistake), hints=hint)


def test_memo_layer_unanswered_fails(checking):
    """Does an unanswered exercise fail with 'not answered yet'?"""
    checking.fails(checks.memo_layer, checking.unanswered, hints="not answered yet")


def test_memo_layer_cannot_be_fooled_by_mutating_its_inputs(checking):
    """Does an answer that scribbles over the network, record and ∂E/∂sum^{l+1} still get graded correctly?"""
    right = make_memo()

    def vandal(net, record, d, l):
        out = right(net, record, d, l)
        for w in net.W:
            w[...] = 0.0
        for s in record.sigmas:
            s[...] = 0.0
        d[...] = 0.0
        return out

    checking.passes(checks.memo_layer, vandal)


# ------------------------------------------------------------------------------ 05.2
@pytest.mark.parametrize("run", REPEAT)
def test_memo_layer_count_right_answer_passes(run, checking):
    """Does m · n_l · n_{l+1} pass?"""
    checking.passes(checks.memo_layer_count, lambda sizes, l, m: m * sizes[l] * sizes[l + 1])


@pytest.mark.parametrize("wrong,hint", [
    (lambda s, l, m: s[l] * s[l + 1], "you forgot m"),
    (lambda s, l, m: m * s[l] * (s[l + 1] + 1), "also counted the product with ∂σ^l_j/∂sum^l_j"),
    (lambda s, l, m: m * s[l - 1] * s[l], "the weights w^l into layer l"),
    (lambda s, l, m: m * s[l], "not one per neuron j"),
    (lambda s, l, m: m * s[l] * s[l + 1] + 1, "is not right"),
    (lambda s, l, m: "many", "whole number"),
    (unanswered, "not answered yet"),
])
@pytest.mark.parametrize("run", range(2))
def test_memo_layer_count_mistakes_fail_with_their_hint(wrong, hint, run, checking):
    """Does each miscount (no m, the g' products too, the wrong layer, one per neuron) fail with its hint?"""
    checking.fails(checks.memo_layer_count, wrong, hints=hint)


# ------------------------------------------------------------------------------ 05.3
@pytest.mark.parametrize("run", REPEAT)
def test_path_count_right_answer_passes(run, checking):
    """Does n_{l+1} · ... · n_L pass (1 for the output layer)?"""
    checking.passes(checks.path_count, lambda sizes, l, i, j: int(np.prod(sizes[l + 1:])))


@pytest.mark.parametrize("wrong,hint", [
    (lambda s, l, i, j: int(np.prod(s[l:])), "counted the neurons of layer l too"),
    (lambda s, l, i, j: int(np.prod(s[l + 1:-1])), "include the output layer"),
    (lambda s, l, i, j: int(sum(s[l + 1:])), "the choices multiply"),
    (unanswered, "not answered yet"),
])
@pytest.mark.parametrize("run", range(3))
def test_path_count_mistakes_fail_with_their_hint(wrong, hint, run, checking):
    """Does each miscount of the paths fail with its hint?"""
    checking.fails(checks.path_count, wrong, hints=hint)



def test_path_count_names_every_miscount_that_gives_the_number(monkeypatch, checking):
    """When two miscounts give the same number on a hidden case (skipping layer l+1, or leaving out the output
    layer, when l + 1 = L), does the hint name both rather than whichever comes first?"""
    monkeypatch.setattr(checks, "fresh_rng", lambda: np.random.default_rng(0))  # such a case comes up
    checking.fails(checks.path_count, lambda s, l, i, j: int(np.prod(s[l + 2:])),
                   hints=["every layer after l branches, layer l+1 too", "include the output layer", " Or: "])


def test_memo_layer_count_cannot_count_bpkits_steps(checking):
    """Does counting the steps of bpkit.scalar.gradient (the check's own measurement) fail with the hint that
    names it?"""
    from bpkit import Network, scalar

    def cheat(sizes, l, m):
        net = Network(sizes, bias=False, seed=0)
        steps = scalar.gradient(net, np.zeros((m, sizes[0])), np.zeros((m, sizes[-1]))).extras["steps"]
        return m * sum(len(s.reads) for s in steps if s.writes[1] == l)

    checking.fails(checks.memo_layer_count, cheat, hints=f"you called bpkit.scalar.gradient: {CHEAT}")


def test_path_count_cannot_be_copied_from_bpkit(checking):
    """Is naive.paths switched off while the answer runs, and back on afterwards?"""
    from bpkit import naive

    checking.fails(checks.path_count, lambda s, l, i, j: len(naive.paths(s, l, i, j)),
                   hints=f"you called bpkit.naive.paths: {CHEAT}")
    assert len(naive.paths((2, 3, 4), 1, 0, 0)) == 4


# ------------------------------------------------------------------------------ 05.4
def memoized_count(sizes, m, mistake=None):
    L = len(sizes) - 1
    out = sizes[L]                                                         # (σ^L_k - y_k) · 1/m
    hidden = sum(sizes[l] * (sizes[l + 1] + (0 if mistake == "no g'" else 1)) for l in range(1, L))
    weights = sum(sizes[l - 1] * sizes[l] for l in range(1, L + 1))       # one per weight
    total = (0 if mistake == "no output" else out) + hidden + weights
    return total * (1 if mistake == "no m" else m)


def naive_count(sizes, m, mistake=None):
    L = len(sizes) - 1
    c = {L: 1}
    for l in range(L - 1, 0, -1):
        c[l] = sizes[l + 1] * (c[l + 1] + 1) + 1
    per_weight = 0 if mistake == "no last product" else 1
    total = sum(sizes[l - 1] * sizes[l] * (c[l] + per_weight) for l in range(1, L + 1))
    return total * (1 if mistake == "no m" else m)


@pytest.mark.parametrize("run", REPEAT)
def test_counts_right_answer_passes(run, checking):
    """Do the two closed forms, written from the lesson's derivation, pass against the counters?"""
    checking.passes(checks.counts, memoized_count, naive_count)


@pytest.mark.parametrize("memo,nv,hint", [
    ("no m", None, "memoized: you forgot m"),
    ("no output", None, "left out the output layer"),
    ("no g'", None, "left out the products with ∂σ^l_j/∂sum^l_j"),
    (None, "no m", "naive: you forgot m"),
    (None, "no last product", "one more per weight"),
    ("swap", None, "memoized: that is the naive count"),
])
@pytest.mark.parametrize("run", range(2))
def test_counts_mistakes_fail_with_their_hint(memo, nv, hint, run, checking):
    """Does each miscount of either formula fail with the hint that names it?"""
    if memo == "swap":
        answers = (lambda s, m: naive_count(s, m), lambda s, m: naive_count(s, m))
    else:
        answers = (lambda s, m: memoized_count(s, m, memo), lambda s, m: naive_count(s, m, nv))
    checking.fails(checks.counts, *answers, hints=hint)


def test_counts_cannot_be_copied_from_bpkit(checking):
    """Are the closed forms and the counters switched off while the answers run?"""
    from bpkit import scalar

    checking.fails(checks.counts, lambda s, m: scalar.multiplication_count(s, m), naive_count,
                   hints=f"you called bpkit.scalar.multiplication_count: {CHEAT}")
    assert scalar.multiplication_count((2, 2)) == 6


def test_memo_layer_cannot_call_bpkits_gradient(checking):
    """Is bpkit.gradient switched off inside the memo-layer check?"""
    import bpkit

    def cheat(net, record, d, l):
        return bpkit.gradient(net, record.sigmas[0], np.zeros((record.m, net.sizes[-1]))).extras["dE_dsigma"][l]

    checking.fails(checks.memo_layer, cheat, hints=f"you called bpkit.gradient: {CHEAT}")


def test_counts_unanswered_fails(checking):
    """Does an unanswered exercise fail with 'not answered yet'?"""
    checking.fails(checks.counts, checking.unanswered, checking.unanswered, hints="not answered yet")

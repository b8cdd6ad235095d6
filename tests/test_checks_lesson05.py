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
def make_fill(mistake=None):
    """A fill of the memo table written from the notes' recursion, with loops over j and p; ``mistake``
    switches on one common mistake."""
    def fill_memo(net, record, dE_dsigma_L):
        L = net.L
        start = dE_dsigma_L / record.sigmas[0].shape[0] if mistake == "1/m again" else dE_dsigma_L
        memo, order = {}, []
        if mistake != "no output":
            for k in range(net.n(L)):
                memo[(L, k)] = start[:, k]
                order.append((L, k))
        if mistake == "layer 0":
            memo[(0, 0)] = np.zeros(record.sigmas[0].shape[0])
        table = {(L, k): start[:, k] for k in range(net.n(L))}
        for l in range(L - 1, 0, -1):
            W = net.W[l + 1]                                         # w^{l+1}_jp, shape (n_l, n_{l+1})
            g_next = net.activation(l + 1).derivative(record.sums[l + 1])   # ∂σ^{l+1}_p/∂sum^{l+1}_p
            if mistake == "no g'":
                g_next = np.ones_like(g_next)
            if mistake == "g' at sigma":
                g_next = net.activation(l + 1).derivative(record.sigmas[l + 1])
            for j in range(net.n(l)):
                total = 0.0
                for p in range(net.n(l + 1)):
                    w = W[p, j] if mistake == "transposed" else W[j, p]
                    factor = net.activation(l).derivative(record.sums[l][:, j]) if mistake == "g' of l" \
                        else g_next[:, p]
                    total = total + table[(l + 1, p)] * factor * w
                table[(l, j)] = -total if mistake == "sign" else total
        for (l, j), v in table.items():
            if l < L:
                memo[(l, j)] = v
                order.append((l, j))
        if mistake == "delta":
            for (l, j) in list(memo):
                memo[(l, j)] = memo[(l, j)] * net.activation(l).derivative(record.sums[l][:, j])
        if mistake == "left to right":
            order = sorted(order)
        if mistake == "j descending":
            order = sorted(order, key=lambda e: (-e[0], -e[1]))
        if mistake == "order missing output":
            order = [e for e in order if e[0] < L]
        if mistake == "column":
            memo = {key: v[:, None] for key, v in memo.items()}
        if mistake == "no order":
            return memo
        return memo, order

    return fill_memo


@pytest.mark.parametrize("run", REPEAT)
def test_memo_table_right_answer_passes(run, checking):
    """Does the table filled right to left from ∂E/∂σ^L (loops over j and p) pass on random nets and batches?"""
    checking.passes(checks.memo_table, make_fill())


def test_memo_table_vectorized_answer_passes(checking):
    """Does a layer-at-a-time fill, (∂E/∂σ^{l+1} * g'(sum^{l+1})) @ (W^{l+1})ᵀ cut into columns, pass too?"""
    def fill_memo(net, record, dE_dsigma_L):
        L = net.L
        memo = {(L, k): dE_dsigma_L[:, k] for k in range(net.n(L))}
        order = list(memo)
        layer = dE_dsigma_L
        for l in range(L - 1, 0, -1):
            layer = (layer * net.activation(l + 1).derivative(record.sums[l + 1])) @ net.W[l + 1].T
            for j in range(net.n(l)):
                memo[(l, j)] = layer[:, j]
                order.append((l, j))
        return memo, order

    checking.passes(checks.memo_table, fill_memo)


@pytest.mark.parametrize("mistake,hint", [
    ("no g'", "you forgot the activation derivative ∂σ^{l+1}_p/∂sum^{l+1}_p"),
    ("g' of l", "activation derivative of layer l (at sum^l_j)"),
    ("g' at sigma", "at σ^{l+1}_p"),
    ("sign", "sign error"),
    ("1/m again", "do not divide it by m again"),
    ("delta", "you stored ∂E/∂sum^l_j"),
    ("transposed", "transposed W^{l+1}"),
    ("no output", "also holds the output layer's entries"),
    ("layer 0", "layer 0 is the input"),
    ("column", "one value per example"),
    ("no order", "return two things"),
    ("left to right", "the table fills right to left"),
    ("j descending", "within a layer, write j = 0, 1, 2"),
    ("order missing output", "exactly once"),
])
@pytest.mark.parametrize("run", range(2))
def test_memo_table_mistakes_fail_with_their_hint(mistake, hint, run, checking):
    """Does each common mistake (g' forgotten, of the wrong layer or at σ; a sign; 1/m twice; ∂E/∂sum stored;
    W transposed; entries missing or extra or of the wrong shape; a wrong order) fail with the hint that
    names it?"""
    checking.fails(checks.memo_table, make_fill(mistake), hints=hint)


def test_memo_table_unanswered_fails(checking):
    """Does an unanswered exercise fail with 'not answered yet'?"""
    checking.fails(checks.memo_table, checking.unanswered, hints="not answered yet")


def test_memo_table_cannot_be_fooled_by_mutating_its_inputs(checking):
    """Does an answer that scribbles over the network, the record and ∂E/∂σ^L still get graded correctly?"""
    right = make_fill()

    def vandal(net, record, dE_dsigma_L):
        out = right(net, record, dE_dsigma_L)
        out = ({key: v.copy() for key, v in out[0].items()}, out[1])
        for w in net.W:
            w[...] = 0.0
        for s in record.sigmas:
            s[...] = 0.0
        dE_dsigma_L[...] = 0.0
        return out

    checking.passes(checks.memo_table, vandal)


def test_memo_table_cannot_read_bpkits_memo(checking):
    """Is bpkit.scalar.gradient (whose extras hold the very table) switched off inside the check?"""
    from bpkit import scalar

    def cheat(net, record, dE_dsigma_L):
        Y = np.zeros((record.sigmas[0].shape[0], net.n(net.L)))
        g = scalar.gradient(net, record.sigmas[0], Y)
        return g.extras["memo"], [s.writes[1:] for s in g.extras["steps"]]

    checking.fails(checks.memo_table, cheat, hints=f"you called bpkit.scalar.gradient: {CHEAT}")


# ------------------------------------------------------------------------------ 05.2
@pytest.mark.parametrize("run", REPEAT)
def test_memo_step_count_right_answer_passes(run, checking):
    """Does m · n_{l+1} · (n_l + 1) pass (n_{l+1} products with g', once each; n_l · n_{l+1} with weights)?"""
    checking.passes(checks.memo_step_count, lambda sizes, l, m: m * sizes[l + 1] + m * sizes[l] * sizes[l + 1])


@pytest.mark.parametrize("wrong,hint", [
    (lambda s, l, m: s[l + 1] * (s[l] + 1), "you forgot m"),
    (lambda s, l, m: 2 * m * s[l] * s[l + 1], "form it once for each p, not again for every j"),
    (lambda s, l, m: m * s[l] * s[l + 1], "you left out the products"),
    (lambda s, l, m: m * s[l] * (s[l + 1] + 1), "products with ∂σ^l_j/∂sum^l_j of layer l"),
    (lambda s, l, m: m * s[l] * (s[l - 1] + 1), "the weights w^l into layer l"),
    (lambda s, l, m: m * s[l + 1] * (s[l] + 1) + 1, "is not right"),
    (lambda s, l, m: "many", "whole number"),
    (unanswered, "not answered yet"),
])
@pytest.mark.parametrize("run", range(2))
def test_memo_step_count_mistakes_fail_with_their_hint(wrong, hint, run, checking):
    """Does each miscount (no m, the g' products per (j, p), none of them, layer l's, the wrong layer's weights)
    fail with its hint?"""
    checking.fails(checks.memo_step_count, wrong, hints=hint)


def test_memo_step_count_cannot_count_bpkits_steps(checking):
    """Does counting the steps of bpkit.scalar.gradient (the check's own measurement) fail with the hint that
    names it?"""
    from bpkit import Network, scalar

    def cheat(sizes, l, m):
        net = Network(sizes, bias=False, seed=0)
        steps = scalar.gradient(net, np.zeros((m, sizes[0])), np.zeros((m, sizes[-1]))).extras["steps"]
        return m * sum(len(s.reads) + 1 for s in steps if s.writes[1] == l)

    checking.fails(checks.memo_step_count, cheat, hints=f"you called bpkit.scalar.gradient: {CHEAT}")


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


def test_path_count_cannot_be_copied_from_bpkit(checking):
    """Is naive.paths switched off while the answer runs, and back on afterwards?"""
    from bpkit import naive

    checking.fails(checks.path_count, lambda s, l, i, j: len(naive.paths(s, l, i, j)),
                   hints=f"you called bpkit.naive.paths: {CHEAT}")
    assert len(naive.paths((2, 3, 4), 1, 0, 0)) == 4


# ------------------------------------------------------------------------------ 05.4
def central_count(sizes, m, bias, mistake=None):
    """The multiplications of a central-difference gradient, counted from the lesson's rules; ``mistake``
    switches on one common miscount."""
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    P = weights + (sum(sizes[1:]) if bias and mistake != "no biases" else 0)
    mm = 1 if mistake == "no m" else m
    forward = mm * (sizes[-2] * sizes[-1] if mistake == "one layer" else weights)   # one product per weight
    E = forward + (0 if mistake == "forward only" else 2 * mm * sizes[-1] + 1)       # y log σ, (1-y) log(1-σ), 1/m
    evaluations = 1 if mistake == "one evaluation" else 2
    return P * (evaluations * E + (0 if mistake == "no 1/2eps" else 1))


@pytest.mark.parametrize("run", REPEAT)
def test_central_difference_count_right_answer_passes(run, checking):
    """Does P · (2 · (forward pass + E's 2 m n_L + 1) + 1), counted from the rules, pass?"""
    checking.passes(checks.central_difference_multiplications, central_count)


@pytest.mark.parametrize("mistake,hint", [
    ("one evaluation", "2 evaluations per parameter, not 1"),
    ("no biases", "the biases b^l_j are parameters too"),
    ("no m", "you forgot m"),
    ("forward only", "a forward pass AND the cross-entropy"),
    ("no 1/2eps", "multiplied by 1/(2ε) once"),
    ("one layer", "count every weight's product, not only one layer's"),
    ("backprop", "that is the count of backpropagation"),
    ("off by one", "is not right (it is off by +1)"),
    ("text", "whole number"),
])
@pytest.mark.parametrize("run", range(2))
def test_central_difference_count_mistakes_fail_with_their_hint(mistake, hint, run, checking):
    """Does each miscount (one evaluation per parameter, the biases forgotten, m forgotten, E's own products or
    the 1/(2ε) left out, one layer's forward pass, backprop's count) fail with the hint that names it?"""
    answer = {"backprop": backprop_count,
              "off by one": lambda s, m, b: central_count(s, m, b) + 1,
              "text": lambda s, m, b: "lots"}.get(mistake, lambda s, m, b: central_count(s, m, b, mistake))
    checking.fails(checks.central_difference_multiplications, answer, hints=hint)


def backprop_count(sizes, m, bias):
    """Backprop's count written out by hand: one forward pass (one product per weight per example), then the
    backward pass: n_L output products, n_l (n_{l+1} + 1) per hidden layer, one per weight; all times m."""
    L = len(sizes) - 1
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    backward = sizes[L] + sum(sizes[l] * (sizes[l + 1] + 1) for l in range(1, L)) + weights
    return m * weights + m * backward


def test_central_difference_count_unanswered_fails(checking):
    """Does an unanswered exercise fail with 'not answered yet'?"""
    checking.fails(checks.central_difference_multiplications, checking.unanswered, hints="not answered yet")


def test_central_difference_count_cannot_be_copied_from_bpkit(checking):
    """Is bpkit.cost.central_difference_count switched off while the answer runs, and back on afterwards?"""
    from bpkit import cost

    checking.fails(checks.central_difference_multiplications, cost.central_difference_count,
                   hints=f"you called bpkit.cost.central_difference_count: {CHEAT}")
    assert cost.central_difference_count((2, 3, 1), 2) == 611      # 13 · (2 · 23 + 1), see tests/test_cost.py

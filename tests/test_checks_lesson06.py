"""Tests of bpkit.course.checks.lesson06: right answers pass, typical wrong ones fail with the matching hint.

The right answers are written here from the formulas (not taken from bpkit.graph), and 06.3's right answer is
also compared with central differences of bpkit.objective with respect to X, so the check's reference is
tested against an oracle nobody here wrote."""
import numpy as np
import pytest

import bpkit
from bpkit.course.checks import lesson06 as checks
from bpkit.gradcheck import central_difference

REPEAT = range(4)  # fresh hidden cases every run: repeat to cover several


def logistic(s):
    return 1 / (1 + np.exp(-s))


# ------------------------------------------------------------------ 06.1 answers
def send_right(op, inputs, upstream):
    if op == "mul":
        a, b = inputs
        return [b * upstream, a * upstream]
    if op == "add":
        return [upstream] * len(inputs)
    s = inputs[0]
    if op == "logistic":
        return [logistic(s) * (1 - logistic(s)) * upstream]
    if op == "tanh":
        return [(1 - np.tanh(s) ** 2) * upstream]
    if op == "relu":
        return [float(s > 0) * upstream]
    raise ValueError(op)


def send_no_upstream(op, inputs, upstream):
    return send_right(op, inputs, 1.0)


def send_swapped(op, inputs, upstream):
    if op == "mul":
        return [inputs[0] * upstream, inputs[1] * upstream]
    return send_right(op, inputs, upstream)


def send_value(op, inputs, upstream):
    if op == "logistic":
        return [logistic(inputs[0]) * upstream]
    if op == "tanh":
        return [np.tanh(inputs[0]) * upstream]
    return send_right(op, inputs, upstream)


def send_derivative_of_input(op, inputs, upstream):
    s = inputs[0]
    if op == "logistic":
        return [s * (1 - s) * upstream]
    if op == "tanh":
        return [(1 - s ** 2) * upstream]
    return send_right(op, inputs, upstream)


def send_split(op, inputs, upstream):
    if op == "add":
        return [upstream / len(inputs)] * len(inputs)
    return send_right(op, inputs, upstream)


@pytest.mark.parametrize("run", REPEAT)
def test_send_back_right_answer_passes(checking, run):
    """Does local gradient × upstream for mul, add, logistic, tanh and relu pass, printing one PASSED line?"""
    checking.passes(checks.send_back, send_right)


@pytest.mark.parametrize("run", REPEAT)
def test_send_back_wrong_answers_get_their_hint(checking, run):
    """Do a forgotten upstream, swapped operands, the activation for its derivative, the derivative written in the
    input and a split upstream each get their hint?"""
    checking.fails(checks.send_back, send_no_upstream, hints="local gradient alone")
    checking.fails(checks.send_back, send_swapped, hints="swapped the product's operands")
    checking.fails(checks.send_back, send_value, hints="instead of its derivative")
    checking.fails(checks.send_back, send_derivative_of_input, hints="you wrote")
    checking.fails(checks.send_back, send_split, hints="do not divide")


def test_send_back_unanswered_and_wrong_length_fail(checking):
    """Do the unanswered exercise, None and a single number for a two-input node fail with a clear hint?"""
    checking.fails(checks.send_back, checking.unanswered, hints="not answered yet")
    checking.fails(checks.send_back, lambda op, inputs, upstream: None, hints="returned None")
    checking.fails(checks.send_back, lambda op, inputs, upstream: sum(send_right(op, inputs, upstream)),
                   hints="one contribution per input")


def test_send_back_cannot_call_the_reference(checking):
    """Does an answer that calls bpkit.graph.contributions fail with the hint naming it?"""
    checking.fails(checks.send_back, lambda op, inputs, upstream: bpkit.graph.contributions(op, inputs, upstream),
                   hints="you called bpkit.graph.contributions")


# ------------------------------------------------------------------ 06.2 answers
def reverse_right(nodes, order=None, keep="sum", times_upstream=True):
    n = len(nodes)
    adj = [0.0] * n
    adj[-1] = 1.0
    for k in (range(n - 1, -1, -1) if order is None else order):
        node = nodes[k]
        if node["op"] == "leaf":
            continue
        values = [nodes[u]["value"] for u in node["inputs"]]
        sent = send_right(node["op"], values, adj[k] if times_upstream else 1.0)
        for u, c in zip(node["inputs"], sent):
            adj[u] = adj[u] + c if keep == "sum" else c
    return adj


def reverse_keeps_last(nodes):
    return reverse_right(nodes, keep="last")


def reverse_forward_order(nodes):
    return reverse_right(nodes, order=range(len(nodes)))


def reverse_no_upstream(nodes):
    return reverse_right(nodes, times_upstream=False)


def reverse_mutates(nodes):
    """Right, but scribbles over the records afterwards: must not fool the check."""
    out = reverse_right(nodes)
    for node in nodes:
        node["value"] = 0.0
    return out


@pytest.mark.parametrize("run", REPEAT)
def test_reverse_mode_right_answer_passes(checking, run):
    """Does reverse-mode accumulation (right to left, contributions summed) pass on random graphs with fan-out?"""
    checking.passes(checks.reverse_mode, reverse_right)


def test_reverse_mode_right_answer_agrees_with_central_differences():
    """Is the right answer written here the central difference of the output with respect to each leaf (so the
    check's reference, which it passes, is right)?"""
    rng = np.random.default_rng(0)
    for _ in range(3):
        g = bpkit.graph.random_graph(rng, 3, 8)
        nodes = bpkit.graph.records(g)
        adj = reverse_right(nodes)
        leaves = np.array([r["value"] for r in nodes if r["op"] == "leaf"])

        def output():
            for k, v in enumerate(leaves):
                g.nodes[k].value = float(v)
            return g.forward()[g.output]

        for k in range(leaves.size):
            assert adj[k] == pytest.approx(central_difference(output, leaves, k), abs=1e-7)


@pytest.mark.parametrize("run", REPEAT)
def test_reverse_mode_wrong_answers_get_their_hint(checking, run):
    """Do keeping only the last contribution, visiting in forward order and forgetting the upstream get their hint?"""
    checking.fails(checks.reverse_mode, reverse_keeps_last, hints="SUM what they send")
    checking.fails(checks.reverse_mode, reverse_forward_order, hints="forward order")
    checking.fails(checks.reverse_mode, reverse_no_upstream, hints="local gradient alone")
    checking.fails(checks.reverse_mode, lambda nodes: [0.0] * len(nodes), hints="∂o/∂o = 1")


def test_reverse_mode_mutating_answer_does_not_fool_the_check(checking):
    """Does an answer that zeroes the records after computing still pass?"""
    checking.passes(checks.reverse_mode, reverse_mutates)


def test_reverse_mode_unanswered_and_wrong_length_fail(checking):
    """Do the unanswered exercise, None and the leaves' adjoints alone fail with a clear hint?"""
    checking.fails(checks.reverse_mode, checking.unanswered, hints="not answered yet")
    checking.fails(checks.reverse_mode, lambda nodes: None, hints="returned None")
    checking.fails(checks.reverse_mode, lambda nodes: reverse_right(nodes)[:2], hints="one adjoint per node")


# ------------------------------------------------------------------ 06.3 answers
def deltas(net, X, Y, derivative=True, divide=1.0):
    """δ^1 by the recursion written out here: δ^L = (σ^L - y)/m, δ^l = (δ^{l+1} W^{l+1}ᵀ) ⊙ g'(sum^l)."""
    rec = net.forward(X)
    delta = (rec.sigmas[net.L] - Y) / X.shape[0] / divide
    dE_dsigma = None
    for l in range(net.L - 1, 0, -1):
        dE_dsigma = delta @ net.W[l + 1].T
        delta = dE_dsigma * (net.activation(l).derivative(rec.sums[l]) if derivative else 1.0)
    return delta, dE_dsigma


def dE_dx_right(net, X, Y, lam):
    return deltas(net, X, Y)[0] @ net.W[1].T


def dE_dx_no_transpose(net, X, Y, lam):
    W = net.W[1]
    return deltas(net, X, Y)[0] @ (W if W.shape[0] == W.shape[1] else W.T)


def dE_dx_delta1(net, X, Y, lam):
    return deltas(net, X, Y)[0]


def dE_dx_sigma1(net, X, Y, lam):
    delta, dsig = deltas(net, X, Y)
    return dE_dx_right(net, X, Y, lam) if dsig is None else dsig


def dE_dx_lambda(net, X, Y, lam):
    return dE_dx_right(net, X, Y, lam) + lam / X.shape[0] * X


def dE_dx_m_twice(net, X, Y, lam):
    return deltas(net, X, Y, divide=X.shape[0])[0] @ net.W[1].T


def dE_dx_no_derivative(net, X, Y, lam):
    return deltas(net, X, Y, derivative=False)[0] @ net.W[1].T


@pytest.mark.parametrize("run", REPEAT)
def test_dE_dx_right_answer_passes(checking, run):
    """Does δ^1 (W^1)ᵀ, with δ^1 by the recursion, pass on square, one-layer and random networks?"""
    checking.passes(checks.dE_dx, dE_dx_right)


@pytest.mark.parametrize("sizes, hidden, bias", [([3, 4, 2], "tanh", True), ([2, 2, 2, 1], "sigmoid", False),
                                                 ([4, 3], "sigmoid", True), ([3, 5, 2], "relu", True)])
def test_dE_dx_right_answer_is_central_differences_in_X(sizes, hidden, bias):
    """Is the right answer ∂E/∂σ^0 (central differences of bpkit.objective with respect to X, λ > 0), and so is
    the check's reference that it passes?"""
    net = bpkit.Network(sizes, hidden=hidden, bias=bias, seed=7)
    rng = np.random.default_rng(8)
    X, Y = rng.normal(size=(4, sizes[0])), rng.integers(0, 2, size=(4, sizes[-1])).astype(float)
    lam = 1.1
    numeric = np.array([[central_difference(lambda: bpkit.objective(net, X, Y, lam), X, (e, i))
                         for i in range(sizes[0])] for e in range(4)])
    assert np.allclose(dE_dx_right(net, X, Y, lam), numeric, rtol=1e-6, atol=1e-9)
    assert np.allclose(bpkit.graph.input_gradient(net, X, Y, lam), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("run", REPEAT)
def test_dE_dx_wrong_answers_get_their_hint(checking, run):
    """Do a missing transpose, stopping at δ^1 or at ∂E/∂σ^1, the λ term, 1/m twice, a sign error and a forgotten
    activation derivative each get their hint?"""
    checking.fails(checks.dE_dx, dE_dx_no_transpose, hints="forgot the transpose")
    checking.fails(checks.dE_dx, dE_dx_delta1, hints="stopped at δ^1")
    checking.fails(checks.dE_dx, dE_dx_sigma1, hints="∂E/∂σ^1")
    checking.fails(checks.dE_dx, dE_dx_lambda, hints="penalty")
    checking.fails(checks.dE_dx, dE_dx_m_twice, hints="divided by m once more")
    checking.fails(checks.dE_dx, lambda net, X, Y, lam: -dE_dx_right(net, X, Y, lam), hints="sign error")
    checking.fails(checks.dE_dx, dE_dx_no_derivative, hints="activation derivative")


def test_dE_dx_transposed_answer_gets_a_shape_hint(checking):
    """Does ∂E/∂σ^0 transposed (one column per example) fail?"""
    checking.fails(checks.dE_dx, lambda net, X, Y, lam: dE_dx_right(net, X, Y, lam).T)


@pytest.mark.parametrize("cheat, called", [
    (lambda net, X, Y, lam: bpkit.gradient(net, X, Y, lam).extras["delta"][1] @ net.W[1].T, "bpkit.gradient"),
    (lambda net, X, Y, lam: bpkit.graph.input_gradient(net, X, Y, lam), "bpkit.graph.input_gradient"),
    (lambda net, X, Y, lam: bpkit.objective(net, X, Y, lam) * X, "bpkit.objective"),
], ids=["gradient", "input_gradient", "objective"])
def test_dE_dx_cannot_call_the_reference(cheat, called, checking):
    """Does an answer that calls bpkit's gradient, the graph's input gradient or E (to take differences) fail with
    the hint naming it?"""
    checking.fails(checks.dE_dx, cheat, hints=f"you called {called}")


def test_dE_dx_unanswered_fails(checking):
    """Do the unanswered exercise and None fail?"""
    checking.fails(checks.dE_dx, checking.unanswered, hints="not answered yet")
    checking.fails(checks.dE_dx, lambda net, X, Y, lam: None, hints="returned None")


def reverse_by_graph(nodes):
    """Right, but by bpkit.graph's own backward pass over the records."""
    g = bpkit.graph.Graph()
    for k, node in enumerate(nodes):
        g.add((k,), str(k), node["op"], node["inputs"], value=node["value"] if node["op"] == "leaf" else None)
    g.output = len(nodes) - 1
    return list(g.backward().adjoints)


def test_reverse_mode_cannot_call_the_reference(checking):
    """Does an answer that runs bpkit.graph's backward pass, right outside the check, fail with the hint naming it?"""
    nodes = bpkit.graph.records(bpkit.graph.random_graph(np.random.default_rng(3), 3, 8))
    assert np.allclose(reverse_by_graph(nodes), reverse_right(nodes))
    checking.fails(checks.reverse_mode, reverse_by_graph, hints="you called Graph.backward")

"""Tests of bpkit.graph: the computational graph, its forward pass and reverse-mode accumulation.

Oracles written here, not taken from the code under test: central differences (bpkit.gradcheck's primitive)
of each node's value, of o and of E; hand-worked numbers with their arithmetic; the notes' sympy derivatives.
"""
import numpy as np
import pytest

import bpkit
from bpkit import example, graph
from bpkit.gradcheck import central_difference


# ------------------------------------------------------------------ local gradients
@pytest.mark.parametrize("op, inputs", [
    ("mul", [0.7, -1.3]), ("add", [0.2, 1.5, -0.4]), ("logistic", [0.3]), ("tanh", [-0.8]), ("relu", [0.9]),
    ("relu", [-0.9]), ("penalty", [0.5, -2.0, 1.0]),
])
def test_local_gradients_match_central_differences(op, inputs):
    """Is each node type's ∂node/∂input the central difference of its value?"""
    a = np.array(inputs, dtype=float)
    local = graph.local_gradients(op, a, scale=0.3)
    numeric = [central_difference(lambda: graph.node_value(op, a, scale=0.3), a, k) for k in range(a.size)]
    assert np.allclose(local, numeric, atol=1e-8)


def test_cross_entropy_local_gradients_match_central_differences():
    """Is ∂(cross-entropy)/∂σ^L_k the central difference of the cross-entropy node's value?"""
    Y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    s = np.array([0.2, 0.6, 0.7, 0.1, 0.45, 0.9])
    local = graph.local_gradients("xent", s, targets=Y)
    numeric = [central_difference(lambda: graph.node_value("xent", s, targets=Y), s, k) for k in range(s.size)]
    assert np.allclose(local, numeric, atol=1e-7)


def test_hand_worked_contributions():
    """Do the hand-worked contributions come out? mul a=2, b=-3, upstream 0.5: (b·u, a·u) = (-1.5, 1.0);
    logistic at s = 0: logistic(0) = 0.5, ∂ = 0.5·0.5 = 0.25, times u = 2 gives 0.5; tanh at 0: 1·u."""
    assert graph.contributions("mul", [2.0, -3.0], 0.5).tolist() == [-1.5, 1.0]
    assert graph.contributions("add", [2.0, -3.0], 0.5).tolist() == [0.5, 0.5]
    assert graph.contributions("logistic", [0.0], 2.0).tolist() == [0.5]
    assert graph.contributions("tanh", [0.0], -1.5).tolist() == [-1.5]


# ------------------------------------------------------------------ a hand-worked graph with fan-out
def hand_graph():
    """o = (a·b) + logistic(a) + a with a = 0, b = 3: a fans out to three nodes."""
    g = graph.Graph()
    a = g.add(("a",), "a", "leaf", column=0, value=0.0)
    b = g.add(("b",), "b", "leaf", column=0, value=3.0)
    p = g.add(("p",), "×", "mul", (a, b))
    s = g.add(("s",), "logistic", "logistic", (a,))
    g.output = g.add(("o",), "o", "add", (p, s, a))
    return g


def test_fan_out_sums_the_contributions_hand_worked():
    """∂o/∂a = b + logistic'(0) + 1 = 3 + 0.25 + 1 = 4.25 (three consumers, summed); ∂o/∂b = a = 0."""
    back = hand_graph().backward()
    assert back.adjoint(("a",)) == pytest.approx(4.25)
    assert back.adjoint(("b",)) == pytest.approx(0.0)
    # o = 0·3 + 0.5 + 0 = 0.5
    assert back.values[back.graph.output] == pytest.approx(0.5)


def test_after_and_complete_after_show_the_partial_sums():
    """After the first step (o sends 1 to each of ×, logistic, a), a holds 1 and is not final; after every step it
    holds 4.25 and is; a node not yet reached is NaN."""
    back = hand_graph().backward()
    first = back.after(0)
    assert np.isnan(first[0]) and first[4] == 1.0
    one = back.after(1)
    assert one[0] == 1.0 and not back.complete_after(1)[0]
    assert back.after(len(back.steps))[0] == pytest.approx(4.25) and back.complete_after(len(back.steps))[0]


def test_edges_must_go_left_to_right():
    """Is a node placed left of its input refused?"""
    g = graph.Graph()
    a = g.add(("a",), "a", "leaf", column=2, value=1.0)
    with pytest.raises(ValueError, match="left to right"):
        g.add(("b",), "b", "tanh", (a,), column=1)


# ------------------------------------------------------------------ the notes' example
def test_example_graph_has_a_node_per_input_weight_product_sum_activation():
    """4 inputs + 6 weights + 6 products + 3 sums + 3 activations = 22 nodes, and its forward pass gives net.forward's o."""
    g = graph.example_graph()
    ops = [n.op for n in g.nodes]
    assert len(g) == 22 and ops.count("leaf") == 10 and ops.count("mul") == 6 and ops.count("add") == 3
    assert g.forward()[g.output] == pytest.approx(float(example.network().forward(example.inputs()).sigmas[2][0, 0]))


def test_example_partials_match_sympy_and_central_differences():
    """Do the graph's ∂o/∂w equal the notes' symbolic derivatives and central differences of o?"""
    net, x = example.network({"w^2_1": -0.4}), example.inputs({"y": -1.0})
    got = graph.output_partials(net, x)
    numeric = example.numerical_output_partials(net, x)
    sym = example.symbolic()
    for name in example.NOTES_NAMES:
        assert got[name] == pytest.approx(numeric[name], abs=1e-8)
        exact = example.evaluate_symbolic(sym["partials"][name], {"w^2_1": -0.4}, {"y": -1.0})
        assert got[name] == pytest.approx(exact, rel=1e-10)


# ------------------------------------------------------------------ whole networks and E
CASES = [([3, 4, 2], "tanh", True, 0.7, 5), ([2, 3, 3, 1], "sigmoid", False, 0.0, 3), ([4, 2, 3], "relu", True, 1.3, 4)]


@pytest.mark.parametrize("sizes, hidden, bias, lam, m", CASES)
def test_weight_gradient_matches_central_differences(sizes, hidden, bias, lam, m):
    """Are the adjoints of the weight and bias leaves ∂E/∂w^l_ij and ∂E/∂b^l_j (central differences of E)?"""
    net = bpkit.Network(sizes, hidden=hidden, bias=bias, seed=3)
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(m, sizes[0])), rng.integers(0, 2, size=(m, sizes[-1])).astype(float)
    got = graph.weight_gradient(net, X, Y, lam)
    assert bpkit.relative_error(got, bpkit.numerical_gradient(net, X, Y, lam)) < 1e-6
    assert got.E == pytest.approx(bpkit.objective(net, X, Y, lam))


@pytest.mark.parametrize("sizes, hidden, bias, lam, m", CASES)
def test_memo_table_is_the_backward_pass(sizes, hidden, bias, lam, m):
    """Do the σ^l_j adjoints equal bpkit.scalar.gradient's memo, entry by entry, finished in its order?"""
    net = bpkit.Network(sizes, hidden=hidden, bias=bias, seed=4)
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(m, sizes[0])), rng.integers(0, 2, size=(m, sizes[-1])).astype(float)
    memo, order = graph.memo_table(net, X, Y, lam)
    ref = bpkit.scalar.gradient(net, X, Y, lam).extras
    assert memo.keys() == ref["memo"].keys()
    for key in memo:
        assert np.allclose(memo[key], ref["memo"][key], rtol=1e-10, atol=1e-14)
    assert order == [s.writes[1:] for s in ref["steps"]]


@pytest.mark.parametrize("sizes, hidden, bias, lam, m", CASES)
def test_input_gradient_matches_central_differences_in_X(sizes, hidden, bias, lam, m):
    """Is the adjoint of the input leaves ∂E/∂σ^0_i (central differences of E with respect to X), and the penalty
    no part of it?"""
    net = bpkit.Network(sizes, hidden=hidden, bias=bias, seed=5)
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(m, sizes[0])), rng.integers(0, 2, size=(m, sizes[-1])).astype(float)
    got = graph.input_gradient(net, X, Y, lam)
    numeric = np.array([[central_difference(lambda: bpkit.objective(net, X, Y, lam), X, (e, i))
                         for i in range(sizes[0])] for e in range(m)])
    assert got.shape == X.shape
    assert np.allclose(got, numeric, rtol=1e-6, atol=1e-9)


def test_layer_backward_is_the_notes_sum_over_p():
    """Seeded with ∂E/∂σ^l, does one layer's backward pass give Σ_p ∂E/∂σ^l_p g'(sum^l_p) w^l_jp (written out here)?"""
    net = bpkit.Network([3, 4, 2], hidden="tanh", seed=6)
    rng = np.random.default_rng(4)
    X = rng.normal(size=(2, 3))
    rec = net.forward(X)
    upstream = rng.normal(size=(2, 4))
    got = graph.layer_backward(net, 1, X, upstream)
    want = np.zeros((2, 3))
    for e in range(2):
        for j in range(3):
            for p in range(4):
                want[e, j] += upstream[e, p] * (1 - np.tanh(rec.sums[1][e, p]) ** 2) * net.W[1][j, p]
    assert np.allclose(got, want)


def test_one_backward_pass_costs_one_multiplication_per_edge():
    """Does the backward pass do exactly one local × upstream product per edge, each adjoint once?"""
    g = graph.example_graph()
    back = g.backward()
    assert sum(len(s.sends) for s in back.steps) == g.n_edges() == graph.backward_cost(g)["edges"]
    # 6 products with 2 inputs, 2 sums with 2, 1 sum with 2, 3 activations with 1: 12 + 6 + 3 = 21
    assert g.n_edges() == 21


# ------------------------------------------------------------------ random graphs
@pytest.mark.parametrize("seed", range(5))
def test_random_graph_adjoints_match_central_differences(seed):
    """On random graphs with fan-out, is every leaf's adjoint the central difference of the output?"""
    rng = np.random.default_rng(seed)
    g = graph.random_graph(rng, n_leaves=3, n_ops=9)
    leaves = np.array([n.value for n in g.nodes if n.op == "leaf"])

    def output():
        for k, v in enumerate(leaves):
            g.nodes[k].value = float(v)
        return g.forward()[g.output]

    back = g.backward()
    for k in range(leaves.size):
        assert back.adjoints[k] == pytest.approx(central_difference(output, leaves, k), abs=1e-7)
    assert any(len(c) > 1 for c in g.consumers())


def test_records_are_in_topological_order():
    """Does every record read only earlier records, and is the last one the output?"""
    g = graph.random_graph(np.random.default_rng(9), 3, 7)
    recs = graph.records(g)
    assert all(all(u < k for u in r["inputs"]) for k, r in enumerate(recs))
    assert recs[-1]["value"] == pytest.approx(g.forward()[g.output])


def test_node_values_hand_worked():
    """Do the node values come out as worked by hand? mul 2·(-3) = -6; add 1 + 2 + 3 = 6; logistic(0) = 1/2;
    tanh(0) = 0; relu(-1) = 0; penalty with λ/m = 0.3 on (1, 2): 0.3/2 · (1 + 4) = 0.75; cross-entropy of σ = 1/2
    with y = 1 and m = 1: -log(1/2) = 0.693147..."""
    assert graph.node_value("mul", [2.0, -3.0]) == -6.0
    assert graph.node_value("add", [1.0, 2.0, 3.0]) == 6.0
    assert graph.node_value("logistic", [0.0]) == 0.5
    assert graph.node_value("tanh", [0.0]) == 0.0 and graph.node_value("relu", [-1.0]) == 0.0
    assert graph.node_value("penalty", [1.0, 2.0], scale=0.3) == pytest.approx(0.75)
    assert graph.node_value("xent", [0.5], targets=np.array([[1.0]])) == pytest.approx(0.6931471805599453)

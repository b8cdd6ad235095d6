r"""The computational graph of a network, and reverse-mode accumulation over it (lesson 06).

A computational graph has one node per number the forward pass computes: a leaf for every input σ^0_i,
weight w^l_ij and bias b^l_j; a product node w^l_ij · σ^{l-1}_i for every connection; a sum node

    sum^l_j = Σ_i w^l_ij σ^{l-1}_i (+ b^l_j)

and an activation node σ^l_j = g(sum^l_j) for every neuron; with targets, the objective's nodes
(the cross-entropy, the penalty λ/2m Σ_l Σ_i Σ_j (w^l_ij)², and E, their sum). Every edge goes from a
node's input to the node, left to right: the *forward pass* fills every node's value column by column.

*Reverse-mode accumulation* (the backward pass) fills every node's adjoint ∂o/∂node, o the output:
seed ∂o/∂o = 1, then visit the nodes right to left; a visited node's adjoint is final (every node that
consumes it lies to its right) and it sends to each of its inputs u

    contribution = ∂node/∂u · ∂o/∂node          ("local gradient × upstream gradient")

and an input consumed by several nodes (fan-out) SUMS what they send:

    ∂o/∂u = Σ_{v consumes u} ∂v/∂u · ∂o/∂v.

In a layer this sum is the notes' recursion: σ^l_j feeds the products w^{l+1}_jp σ^l_j of every p, so
∂E/∂σ^l_j = Σ_p ∂E/∂σ^{l+1}_p · ∂σ^{l+1}_p/∂sum^{l+1}_p · w^{l+1}_jp, and the graph's backward pass fills
exactly the notes' memo table (:func:`memo_table`). Each adjoint is computed once and reused by every
node to its left: memoization is reverse mode.

The local gradients (∂node/∂input) of each node type:

=============  ===================================  =============================================
op             value                                ∂value/∂input
=============  ===================================  =============================================
``mul``        a · b                                (b, a)  (each operand gets the *other* one)
``add``        a + b + ...                          (1, 1, ...)
``logistic``   logistic(s) = 1/(1 + e^{-s})         logistic(s)(1 - logistic(s)) = v(1 - v), v its value
``tanh``       tanh(s)                              1 - tanh²(s) = 1 - v²
``relu``       max(0, s)                            1 if s > 0 else 0
``xent``       -(1/m) Σ_e Σ_k [y log σ + (1-y) log(1-σ)]   -(1/m)[y/σ - (1-y)/(1-σ)] for each σ^L_k
``penalty``    λ/2m Σ (w^l_ij)²                     λ/m · w^l_ij
=============  ===================================  =============================================
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import activations, labels
from .network import Network, check_lam, check_XY
from .notation import Gradient, Layers
from .objective import CrossEntropy

#: the activations a graph node can be (``logistic`` is the sigmoid, the second edition's name)
ACTIVATION_OPS = ("logistic", "tanh", "relu")
OPS = ("leaf", "mul", "add", *ACTIVATION_OPS, "xent", "penalty")


def node_value(op: str, inputs, targets=None, scale: float = 1.0) -> float:
    """The value of a node of type ``op`` from its inputs' values (see the module's table)."""
    a = np.asarray(inputs, dtype=float)
    if op == "mul":
        return float(a[0] * a[1])
    if op == "add":
        return float(np.sum(a))
    if op in ACTIVATION_OPS:
        return float(activations.get(op).value(a[0]))
    if op == "xent":
        return float(CrossEntropy.naive_fn(a.reshape(np.shape(targets)), targets))
    if op == "penalty":
        return float(scale / 2 * np.sum(a * a))
    raise ValueError(f"a {op!r} node has no value to compute (ops: {', '.join(OPS)})")


def local_gradients(op: str, inputs, targets=None, scale: float = 1.0) -> np.ndarray:
    r"""∂node/∂input for each of a node's inputs, at the inputs' values ``inputs`` (see the module's table).

    mul: ∂(a·b)/∂a = b, ∂(a·b)/∂b = a; add: 1 each; an activation g: g'(s) = ∂σ/∂sum at its input s;
    xent (``targets`` Y of shape (m, n_L), inputs σ^L in Y's row-major order): -(1/m)[y/σ - (1-y)/(1-σ)];
    penalty (``scale`` = λ/m): λ/m · w.
    """
    a = np.asarray(inputs, dtype=float)
    if op == "mul":
        return np.array([a[1], a[0]])
    if op == "add":
        return np.ones(a.size)
    if op in ACTIVATION_OPS:
        return np.array([float(activations.get(op).derivative(a[0]))])
    if op == "xent":
        return CrossEntropy.dE_dsigma(a.reshape(np.shape(targets)), targets).ravel()
    if op == "penalty":
        return scale * a
    raise ValueError(f"a {op!r} node has no inputs (ops: {', '.join(OPS)})")


def contributions(op: str, inputs, upstream: float, targets=None, scale: float = 1.0) -> np.ndarray:
    """What a node sends back to each of its inputs: local gradient × upstream gradient,
    ∂node/∂u · ∂o/∂node, with ``upstream`` = ∂o/∂node (its adjoint)."""
    return local_gradients(op, inputs, targets, scale) * float(upstream)


@dataclass
class Node:
    """One node: ``key`` names what it stands for (("σ", l, i, e), ("sum", l, j, e), ("×", l, i, j, e),
    ("w", l, i, j), ("b", l, j), ("E",) ...), ``label`` is its name as drawn (from :mod:`bpkit.labels`),
    ``inputs`` the indices of the nodes it reads, ``column`` its place from left to right."""

    key: tuple
    label: str
    op: str
    inputs: tuple = ()
    column: int = 0
    value: float | None = None          # a leaf's value; the others are computed by Graph.forward
    targets: np.ndarray | None = None   # xent: Y
    scale: float = 1.0                  # xent: unused; penalty: λ/m


@dataclass
class Step:
    """One node visited by the backward pass: its final adjoint ``upstream`` = ∂o/∂node, and for each input
    ``(input, local, contribution)`` with contribution = local × upstream."""

    node: int
    upstream: float
    sends: list = field(default_factory=list)


class Graph:
    """A computational graph: nodes in the order they were added, each edge from a lower column to a higher one."""

    def __init__(self):
        self.nodes: list[Node] = []
        self.index: dict[tuple, int] = {}
        self.output: int | None = None

    def __len__(self) -> int:
        return len(self.nodes)

    def add(self, key, label, op, inputs=(), column=None, **kw) -> int:
        """Add a node; its column defaults to one right of its rightmost input. Returns its index."""
        if op not in OPS:
            raise ValueError(f"unknown op {op!r}: {', '.join(OPS)}")
        if key in self.index:
            raise ValueError(f"the graph already has a node {key!r}")
        inputs = tuple(int(k) for k in inputs)
        if (op == "leaf") != (not inputs):
            raise ValueError(f"a {op} node {'has no' if op == 'leaf' else 'needs'} inputs")
        right = max((self.nodes[k].column for k in inputs), default=-1)
        column = right + 1 if column is None else int(column)
        if column <= right:
            raise ValueError(f"node {key!r} in column {column} reads a node of column {right}: edges go left to right")
        self.nodes.append(Node(tuple(key), label, op, inputs, column, **kw))
        self.index[tuple(key)] = len(self.nodes) - 1
        return len(self.nodes) - 1

    def n_edges(self) -> int:
        return sum(len(n.inputs) for n in self.nodes)

    def consumers(self) -> list[list[int]]:
        """For each node, the nodes that read it (more than one: fan-out)."""
        out = [[] for _ in self.nodes]
        for k, n in enumerate(self.nodes):
            for u in n.inputs:
                out[u].append(k)
        return out

    def forward_order(self) -> list[int]:
        """Left to right: by column, then in the order the nodes were added."""
        return sorted(range(len(self.nodes)), key=lambda k: (self.nodes[k].column, k))

    def backward_order(self) -> list[int]:
        """Right to left: by column from the right, then in the order the nodes were added (top to bottom)."""
        return sorted(range(len(self.nodes)), key=lambda k: (-self.nodes[k].column, k))

    def forward(self) -> np.ndarray:
        """Every node's value, filled left to right: a leaf's own value, every other node's value from its
        inputs' (:func:`node_value`)."""
        values = np.full(len(self.nodes), np.nan)
        for k in self.forward_order():
            n = self.nodes[k]
            values[k] = n.value if n.op == "leaf" else node_value(n.op, values[list(n.inputs)], n.targets, n.scale)
        return values

    def backward(self, values: np.ndarray | None = None, seeds: dict | None = None) -> "Backward":
        """Reverse-mode accumulation: every node's adjoint ∂o/∂node.

        ``seeds`` {node index: adjoint} start it (default {output: 1}, ∂o/∂o = 1). Nodes are visited right to
        left (:meth:`backward_order`); each sends ∂node/∂u · ∂o/∂node to every input u, and an input's adjoint
        is the SUM of what its consumers send.
        """
        values = self.forward() if values is None else np.asarray(values, dtype=float)
        seeds = {self.output: 1.0} if seeds is None else dict(seeds)
        adjoints = np.zeros(len(self.nodes))
        for k, s in seeds.items():
            adjoints[k] += s
        steps = []
        for k in self.backward_order():
            n = self.nodes[k]
            if n.op == "leaf":
                continue
            sent = contributions(n.op, values[list(n.inputs)], adjoints[k], n.targets, n.scale)
            local = local_gradients(n.op, values[list(n.inputs)], n.targets, n.scale)
            for u, loc, c in zip(n.inputs, local, sent):
                adjoints[u] += c
            steps.append(Step(k, float(adjoints[k]), list(zip(n.inputs, local.tolist(), sent.tolist()))))
        return Backward(self, values, adjoints, steps, seeds)

    def keys(self, kind: str) -> list[tuple]:
        """The keys of the nodes of one kind ("σ", "w", "b", "sum", "×" ...), in the order they were added."""
        return [n.key for n in self.nodes if n.key[0] == kind]


@dataclass
class Backward:
    """The result of :meth:`Graph.backward`: ``values``, ``adjoints`` (∂o/∂node) and the ``steps`` in order."""

    graph: Graph
    values: np.ndarray
    adjoints: np.ndarray
    steps: list
    seeds: dict

    def adjoint(self, key) -> float:
        return float(self.adjoints[self.graph.index[tuple(key)]])

    def after(self, k: int) -> np.ndarray:
        """The adjoints after the seeds and the first ``k`` steps: a node not reached yet is NaN, a node some
        but not all of whose consumers have sent is their partial sum so far."""
        out = np.full(len(self.graph), np.nan)
        for s, v in self.seeds.items():
            out[s] = v
        for step in self.steps[:k]:
            for u, _, c in step.sends:
                out[u] = (0.0 if np.isnan(out[u]) else out[u]) + c
        return out

    def complete_after(self, k: int) -> np.ndarray:
        """Which adjoints are final after ``k`` steps: a seed, or every consumer has been visited."""
        visited = {step.node for step in self.steps[:k]}
        done = np.zeros(len(self.graph), dtype=bool)
        for u, cons in enumerate(self.graph.consumers()):
            done[u] = u in self.seeds or (bool(cons) and all(c in visited for c in cons))
        return done


# ------------------------------------------------------------------------------ the graph of a network
def _op(activation) -> str:
    name = activations.get(activation).name
    return "logistic" if name == "sigmoid" else name


def _suffix(e: int, m: int) -> str:
    return "" if m == 1 else f" [{e}]"


def add_layer(g: Graph, net: Network, l: int, previous: list[list[int]], names: dict | None = None) -> list[list[int]]:
    r"""Add layer l: leaves w^l_ij (and b^l_j), products w^l_ij · σ^{l-1}_i, sum^l_j = Σ_i w^l_ij σ^{l-1}_i + b^l_j,
    σ^l_j = g(sum^l_j), for every example; ``previous[e][i]`` is the node of σ^{l-1}_i of example e.
    Returns the nodes of σ^l, ``[e][j]``."""
    names = names or {}
    m = len(previous)
    c = g.nodes[previous[0][0]].column
    for i in range(net.sizes[l - 1]):
        for j in range(net.sizes[l]):
            if net.connected(l, i, j):
                g.add(("w", l, i, j), names.get(("w", l, i, j), labels.weight(l, i, j)), "leaf", column=c,
                      value=float(net.W[l][i, j]))
    if net.b is not None:
        for j in range(net.sizes[l]):
            g.add(("b", l, j), "b" + labels.sup(l) + labels.sub(j), "leaf", column=c, value=float(net.b[l][j]))
    out = [[None] * net.sizes[l] for _ in range(m)]
    op = _op(net.activation(l))
    for j in range(net.sizes[l]):          # neuron by neuron (j outer, example inner): the memo table's order
        for e in range(m):
            terms = []
            for i in range(net.sizes[l - 1]):
                if net.connected(l, i, j):
                    factor = g.nodes[previous[e][i]].label.split(" [")[0]
                    terms.append(g.add(("×", l, i, j, e), labels.weight(l, i, j) + "·" + factor + _suffix(e, m), "mul",
                                       (g.index[("w", l, i, j)], previous[e][i]), column=c + 1))
            if net.b is not None:
                terms.append(g.index[("b", l, j)])
            s = g.add(("sum", l, j, e), names.get(("sum", l, j), labels.neuron(l, j, "sum")) + _suffix(e, m),
                      "add", terms, column=c + 2)
            out[e][j] = g.add(("σ", l, j, e), names.get(("σ", l, j), labels.neuron(l, j)) + _suffix(e, m),
                              op, (s,), column=c + 3)
    return out


def network_graph(net: Network, X, Y=None, lam: float = 0.0, names: dict | None = None) -> Graph:
    r"""The computational graph of ``net`` on the examples X (one set of nodes per example; the weights are
    shared leaves, so each weight fans out to every example).

    Without Y the output o is σ^L_0 of the first example. With Y it is the objective
    E = cross-entropy + λ/2m Σ_l Σ_i Σ_j (w^l_ij)² (the penalty node only when λ > 0; biases unpenalized).
    ``names`` relabels nodes: {("σ", l, i): "x", ("w", l, i, j): ..., ("sum", l, j): ...}.
    """
    if Y is None:
        X = np.atleast_2d(np.asarray(X, dtype=float))
    else:
        X, Y = check_XY(net, X, Y)
    lam = check_lam(lam)
    names = names or {}
    g = Graph()
    m = X.shape[0]
    layer = [[g.add(("σ", 0, i, e), names.get(("σ", 0, i), labels.neuron(0, i)) + _suffix(e, m), "leaf",
                    column=0, value=float(X[e, i])) for i in range(net.sizes[0])] for e in range(m)]
    for l in range(1, net.L + 1):
        layer = add_layer(g, net, l, layer, names)
    if Y is None:
        g.output = layer[0][0]
        return g
    col = g.nodes[layer[0][0]].column + 1
    xent = g.add(("cross-entropy",), "cross-entropy" if lam else "E", "xent",
                 [layer[e][k] for e in range(m) for k in range(net.sizes[-1])], column=col, targets=Y.copy())
    if not lam:
        g.output = xent
        return g
    weights = [g.index[k] for k in g.keys("w")]
    pen = g.add(("penalty",), "λ/2m Σw²", "penalty", weights, column=col, scale=lam / m)
    g.output = g.add(("E",), "E", "add", (xent, pen))
    return g


def layer_graph(net: Network, l: int, sigma_prev) -> Graph:
    r"""The graph of one layer l of ``net``: leaves σ^{l-1} (``sigma_prev``, shape (m, n_{l-1})), w^l, b^l;
    sum^l = σ^{l-1} W^l + b^l and σ^l = g(sum^l). Seed its backward pass with ∂E/∂σ^l to get ∂E/∂σ^{l-1}."""
    sigma_prev = np.atleast_2d(np.asarray(sigma_prev, dtype=float))
    g = Graph()
    prev = [[g.add(("σ", l - 1, i, e), labels.neuron(l - 1, i) + _suffix(e, len(sigma_prev)), "leaf", column=0,
                   value=float(sigma_prev[e, i])) for i in range(net.sizes[l - 1])] for e in range(len(sigma_prev))]
    add_layer(g, net, l, prev)
    return g


def layer_backward(net: Network, l: int, sigma_prev, dE_dsigma) -> np.ndarray:
    r"""∂E/∂σ^{l-1}_j = Σ_p ∂E/∂σ^l_p · ∂σ^l_p/∂sum^l_p · w^l_jp, by the backward pass over :func:`layer_graph`
    seeded with ``dE_dsigma`` (∂E/∂σ^l, shape (m, n_l)). Returns shape (m, n_{l-1})."""
    g = layer_graph(net, l, sigma_prev)
    dE_dsigma = np.atleast_2d(np.asarray(dE_dsigma, dtype=float))
    seeds = {g.index[("σ", l, j, e)]: dE_dsigma[e, j] for e in range(dE_dsigma.shape[0]) for j in range(net.sizes[l])}
    back = g.backward(seeds=seeds)
    return np.array([[back.adjoint(("σ", l - 1, i, e)) for i in range(net.sizes[l - 1])]
                     for e in range(dE_dsigma.shape[0])])


def example_graph(net: Network | None = None, x=None) -> Graph:
    """The graph of the notes' example o = f(w^2_1 g_1(w^1_1 x + w^1_2 y) + w^2_2 g_2(w^1_3 z + w^1_4 w))
    (:mod:`bpkit.example`; default weights and inputs), inputs named x, y, z, w, hidden g₁, g₂, output f."""
    from . import example

    net = example.network() if net is None else net
    x = example.inputs() if x is None else x
    names = {("σ", 0, i): n for i, n in enumerate(example.INPUTS)}
    names.update({("σ", 1, 0): "g" + labels.sub(1), ("σ", 1, 1): "g" + labels.sub(2), ("σ", 2, 0): "f"})
    return network_graph(net, x, names=names)


def output_partials(net: Network | None = None, x=None) -> dict[str, float]:
    """∂o/∂w for each of the notes' weights (by the notes' names), read off the example graph's weight leaves."""
    from . import example

    back = example_graph(net, x).backward()
    return {name: back.adjoint(("w", l, i, j)) for name, (l, i, j) in example.NOTES_NAMES.items()}


def memo_table(net: Network, X, Y, lam: float = 0.0) -> tuple[dict, list]:
    r"""The notes' memo table {(l, j): ∂E/∂σ^l_j (vector over the examples)}, l = 1..L, read off the adjoints
    of the graph's σ^l_j nodes, and the order (l, j) in which the backward pass finished them (right to left)."""
    g = network_graph(net, X, Y, lam)
    back = g.backward()
    m = np.atleast_2d(X).shape[0]
    memo = {(l, j): np.array([back.adjoint(("σ", l, j, e)) for e in range(m)])
            for l in range(1, net.L + 1) for j in range(net.sizes[l])}
    order = []
    for k in g.backward_order():
        key = g.nodes[k].key
        if key[0] == "σ" and key[1] >= 1 and (key[1], key[2]) not in order:
            order.append((key[1], key[2]))
    return memo, order


def weight_gradient(net: Network, X, Y, lam: float = 0.0) -> Gradient:
    """∂E/∂w^l_ij (and ∂E/∂b^l_j): the adjoints of the graph's weight (and bias) leaves, same type as bpkit.gradient."""
    back = network_graph(net, X, Y, lam).backward()
    dW = [np.zeros_like(w) for w in net.W]
    for l in range(1, net.L + 1):
        for i, j in np.ndindex(*dW[l - 1].shape):
            if net.connected(l, i, j):
                dW[l - 1][i, j] = back.adjoint(("w", l, i, j))
    db = None
    if net.b is not None:
        db = Layers([np.array([back.adjoint(("b", l, j)) for j in range(net.sizes[l])])
                     for l in range(1, net.L + 1)], 1, "∂E/∂b")
    return Gradient(Layers(dW, 1, "∂E/∂w"), db, float(back.values[back.graph.output]))


def input_gradient(net: Network, X, Y, lam: float = 0.0) -> np.ndarray:
    r"""∂E/∂σ^0_i for every example (shape (m, n_0)): the adjoints of the input leaves. The input is just another
    leaf: ∂E/∂σ^0_i = Σ_p δ^1_p w^1_ip, i.e. δ^1 (W^1)ᵀ with δ^1 = ∂E/∂sum^1 (the penalty does not depend on x)."""
    X, Y = check_XY(net, X, Y)
    back = network_graph(net, X, Y, lam).backward()
    return np.array([[back.adjoint(("σ", 0, i, e)) for i in range(net.sizes[0])] for e in range(X.shape[0])])


def backward_cost(g: Graph) -> dict:
    """Counts of one forward and one backward pass over ``g``: ``nodes``, ``edges`` (one local gradient × upstream
    multiplication per edge in the backward pass), ``adjoints`` (each computed once), ``forward_ops`` (non-leaf
    nodes evaluated)."""
    return {"nodes": len(g), "edges": g.n_edges(), "adjoints": len(g),
            "forward_ops": sum(n.op != "leaf" for n in g.nodes)}


# ------------------------------------------------------------------------------ random graphs (exercise 06.2)
def random_graph(rng, n_leaves: int = 3, n_ops: int = 8, ops=("mul", "add", "logistic", "tanh")) -> Graph:
    """A random graph in topological order: ``n_leaves`` leaves (values N(0, 1)) then ``n_ops`` nodes, each reading
    one (activations) or two (mul, add) earlier nodes; the last node is the output and every node reaches it.
    Leaves and some inner nodes feed several nodes (fan-out)."""
    g = Graph()
    for k in range(n_leaves):
        g.add(("leaf", k), f"a{labels.sub(k)}", "leaf", column=0, value=float(rng.normal()))
    unused = list(range(n_leaves))
    for k in range(n_ops):
        op = str(rng.choice(list(ops)))
        arity = 1 if op in ACTIVATION_OPS else 2
        pool = list(range(len(g)))
        picks = []
        if unused:  # every earlier node must be used, so that it reaches the output
            picks.append(unused.pop(int(rng.integers(len(unused)))))
        while len(picks) < arity:
            c = int(rng.choice(pool))
            if c not in picks:
                picks.append(c)
        if k == n_ops - 1 and unused:  # the last node: sum the rest
            picks = picks + [u for u in unused if u not in picks]
            op = "add"
            unused = []
        node = g.add(("op", k), op, op, picks)
        unused.append(node)
    g.output = len(g) - 1 if len(unused) == 1 else g.add(("op", n_ops), "add", "add", unused)
    return g


def records(g: Graph, values: np.ndarray | None = None) -> list[dict]:
    """The graph as plain records, in topological order: {"op", "inputs" (indices of earlier records), "value"}."""
    values = g.forward() if values is None else values
    order = g.forward_order()
    where = {k: n for n, k in enumerate(order)}
    return [{"op": g.nodes[k].op, "inputs": [where[u] for u in g.nodes[k].inputs], "value": float(values[k])}
            for k in order]

r"""Graded checks for lesson 06: the computational graph and reverse-mode accumulation.

* 06.1 what a node sends back to each of its inputs: local gradient × upstream gradient, for the node types
  mul (a·b), add (a+b+...), logistic, tanh, relu;
* 06.2 reverse-mode accumulation over a whole graph given in topological order: every node's adjoint
  ∂o/∂node, the contributions of a node's consumers SUMMED (fan-out);
* 06.3 ∂E/∂σ^0_i, the gradient of E with respect to the input (one row per example): the input is just
  another leaf, ∂E/∂σ^0_i = Σ_p δ^1_p w^1_ip, i.e. δ^1 (W^1)ᵀ.

Every check draws fresh hidden cases on every run (random node values and upstream adjoints, random graphs
with fan-out, random networks, square and not, λ > 0); the references are :mod:`bpkit.graph`'s.
"""
from __future__ import annotations

import numpy as np

from bpkit import graph
from ._core import Hint, as_array, shape_of
from .switch import GRADIENTS, OBJECTIVE
from .harness import Case, numeric_check
from .common import describe, merged, random_network

__all__ = ["send_back", "reverse_mode", "dE_dx"]

#: the bpkit functions that would answer 06.1-06.3 outright
OFF_LOCAL = ("bpkit.graph.contributions", "bpkit.graph.local_gradients")
OFF_GRAPH = (*OFF_LOCAL, ("bpkit.graph.Graph.backward", "Graph.backward"))
OFF_INPUT = (*GRADIENTS, *OBJECTIVE, *OFF_GRAPH, "bpkit.graph.input_gradient", "bpkit.graph.layer_backward",
             "bpkit.gradcheck.central_difference")

FORGOT_UPSTREAM = ("you returned the local gradient alone: a node sends local gradient × upstream gradient, "
                   "∂node/∂u · ∂o/∂node; multiply by `upstream`.")
SWAPPED = ("you swapped the product's operands: ∂(a·b)/∂a = b, so input a gets b × upstream and input b gets "
           "a × upstream (each operand gets the OTHER one).")
VALUE_NOT_DERIVATIVE = ("you used the activation g(s) itself instead of its derivative ∂σ/∂sum = g'(s) as the "
                        "local gradient.")
LOGISTIC_OF_INPUT = ("the logistic's derivative is v(1 - v) with v = logistic(s) the node's VALUE "
                     "(σ^l_j(1 - σ^l_j) in a network); you wrote s(1 - s) with s its input.")
TANH_OF_INPUT = ("tanh's derivative is 1 - v² with v = tanh(s) the node's VALUE; you wrote 1 - s² with s its input.")
SPLIT = ("an add node passes its upstream gradient unchanged to EVERY input (∂(a+b)/∂a = 1): do not divide "
         "it among them.")


# ------------------------------------------------------------------------------ 06.1
def _as_contributions(n: int, name: str):
    def form(answer):
        if answer is None:
            raise Hint(f"{name} returned None: return one contribution per input ({n} here).")
        shape = shape_of(answer)
        if shape is None:
            as_array(answer, name)
        arr = np.atleast_1d(as_array(answer, name))
        if arr.shape != (n,):
            raise Hint(f"{name} has {arr.size} entries but the node has {n} input{'s' if n > 1 else ''}: "
                       "return one contribution per input, in the order of the inputs.")
        return arr
    return form


@numeric_check("06.1", "local gradient × upstream gradient, for each node type", points=2, off=OFF_LOCAL)
def send_back(rng):
    """Check ``send_back(op, inputs, upstream)`` -> the contribution ∂node/∂u · upstream for each input u of a node
    of type ``op`` ("mul", "add", "logistic", "tanh", "relu"), at its inputs' values ``inputs``."""
    ops = ["mul", "add", "add", "logistic", "tanh", "relu", "mul", "logistic", "tanh"]
    for op in ops:
        n = 2 if op == "mul" else int(rng.integers(2, 4)) if op == "add" else 1
        inputs = rng.uniform(0.3, 2.0, size=n) * rng.choice([-1.0, 1.0], size=n)
        if op == "relu":
            inputs = np.abs(inputs) * rng.choice([-1.0, 1.0])
        upstream = float(rng.uniform(0.4, 3.0) * rng.choice([-1.0, 1.0]))
        expected = graph.contributions(op, inputs, upstream)
        local = graph.local_gradients(op, inputs)
        mistakes = {FORGOT_UPSTREAM: local}
        if op == "mul":
            mistakes[SWAPPED] = inputs * upstream
        if op == "add":
            mistakes[SPLIT] = np.full(n, upstream / n)
        if op in graph.ACTIVATION_OPS:
            mistakes[VALUE_NOT_DERIVATIVE] = np.array([graph.node_value(op, inputs)]) * upstream
        if op == "logistic":
            mistakes[LOGISTIC_OF_INPUT] = inputs * (1 - inputs) * upstream
        if op == "tanh":
            mistakes[TANH_OF_INPUT] = (1 - inputs ** 2) * upstream
        values = ", ".join(f"{v:.3g}" for v in inputs)
        name = f"send_back({op!r}, [{values}], {upstream:.3g})"
        yield Case((op, inputs.tolist(), upstream), expected, name, merged(mistakes), form=_as_contributions(n, name))


# ------------------------------------------------------------------------------ 06.2
def _sweep(recs, order, *, keep: str = "sum", times_upstream: bool = True, seed: float = 1.0) -> np.ndarray:
    """Reverse-mode accumulation over records, right or with a mistake: ``order`` the visiting order, ``keep``
    "sum" (right) or "last" (each contribution overwrites the one before), ``times_upstream`` False: local only."""
    adj = np.zeros(len(recs))
    adj[-1] = seed
    values = np.array([r["value"] for r in recs])
    for k in order:
        r = recs[k]
        if r["op"] == "leaf":
            continue
        local = graph.local_gradients(r["op"], values[r["inputs"]])
        sent = local * adj[k] if times_upstream else local
        for u, c in zip(r["inputs"], sent):
            adj[u] = adj[u] + c if keep == "sum" else c
    return adj


def _fanned_out_graph(rng):
    """A random graph in which some node feeds more than one other and keeping only one contribution is wrong."""
    while True:
        g = graph.random_graph(rng, n_leaves=int(rng.integers(2, 5)), n_ops=int(rng.integers(6, 11)),
                               ops=("mul", "add", "logistic", "tanh"))
        recs = graph.records(g)
        n = len(recs)
        right = _sweep(recs, range(n - 1, -1, -1))
        last = _sweep(recs, range(n - 1, -1, -1), keep="last")
        if any(len(c) > 1 for c in g.consumers()) and not np.allclose(right, last, rtol=1e-6, atol=1e-9):
            return recs, right


@numeric_check("06.2", "reverse-mode accumulation: every adjoint ∂o/∂node", points=3, off=OFF_GRAPH)
def reverse_mode(rng):
    """Check ``reverse_mode(nodes)`` -> the adjoint ∂o/∂node of every node of a graph given in topological order
    (``nodes[k]``: {"op", "inputs", "value"}; the output o is the last node), on random graphs with fan-out."""
    for _ in range(4):
        recs, right = _fanned_out_graph(rng)
        n = len(recs)
        mistakes = {
            "a node consumed by several others (fan-out) must SUM what they send: ∂o/∂u = Σ_v ∂v/∂u · ∂o/∂v; "
            "you kept only the last contribution (`=` instead of `+=`).": _sweep(recs, range(n - 1, -1, -1), keep="last"),
            "you visited the nodes in forward order: reverse mode goes from the output back to the leaves (last "
            "record first), so a node's adjoint is complete before it sends it on.": _sweep(recs, range(n)),
            "every contribution is local gradient × the node's own adjoint (upstream gradient): you sent the "
            "local gradient alone.": _sweep(recs, range(n - 1, -1, -1), times_upstream=False),
            "start from ∂o/∂o = 1 at the output (the last node); your adjoints are all zero.": np.zeros(n),
        }
        ops = sorted({r["op"] for r in recs})
        name = f"the adjoints of a hidden graph of {n} nodes ({', '.join(ops)})"
        yield Case((recs,), right, name, merged(mistakes), form=_adjoint_list(n, name))


def _adjoint_list(n: int, name: str):
    def form(answer):
        if answer is None:
            raise Hint(f"reverse_mode returned None: return a list of {n} adjoints, one per node.")
        if isinstance(answer, dict):
            answer = [answer.get(k, np.nan) for k in range(n)]
        arr = np.atleast_1d(as_array(answer, name))
        if arr.shape != (n,):
            raise Hint(f"{name}: your answer has shape {arr.shape}; return one adjoint per node, {n} in all, "
                       "in the nodes' order.")
        return arr
    return form


# ------------------------------------------------------------------------------ 06.3
def _deltas_without_derivative(net, X, Y):
    """δ^1 computed without the hidden activations' derivative (the mistake): δ^l = δ^{l+1} (W^{l+1})ᵀ."""
    rec = net.forward(X)
    delta = (rec.sigmas[net.L] - Y) / X.shape[0]
    for l in range(net.L - 1, 0, -1):
        delta = delta @ net.W[l + 1].T
    return delta


def _input_cases(rng):
    """Networks: one square (n_0 = n_1 = ...: a missing transpose or stopping a layer early keeps the shape) with a
    smooth hidden activation (a relu's derivative can be 1 at every hidden sum, hiding a forgotten derivative), one
    with L = 1, two random ones (n_0 != n_1), all with λ > 0 and m = 2..6 examples."""
    square = random_network(rng, L=int(rng.integers(2, 4)), square=True, hidden=str(rng.choice(["sigmoid", "tanh"])))
    shallow = random_network(rng, L=1, min_width=2)
    nets = [square, shallow]
    while len(nets) < 4:
        net = random_network(rng, L=int(rng.integers(2, 4)), min_width=1)
        if net.sizes[0] != net.sizes[1]:
            nets.append(net)
    return nets


@numeric_check("06.3", "∂E/∂σ^0_i: the gradient of E with respect to the input", points=3, off=OFF_INPUT)
def dE_dx(rng):
    """Check ``dE_dx(net, X, Y, lam)`` -> ∂E/∂σ^0 of shape (m, n_0): ∂E/∂σ^0_i = Σ_p δ^1_p w^1_ip = δ^1 (W^1)ᵀ."""
    import bpkit

    for net in _input_cases(rng):
        m = int(rng.integers(2, 7))
        X = rng.normal(size=(m, net.sizes[0]))
        Y = rng.integers(0, 2, size=(m, net.sizes[-1])).astype(float)
        lam = float(rng.uniform(0.5, 2.0))
        expected = graph.input_gradient(net, X, Y, lam)
        ex = bpkit.gradient(net, X, Y, lam).extras
        delta1 = ex["delta"][1]
        mistakes = {
            "you added the penalty's λ/m term: the penalty λ/2m Σ (w^l_ij)² depends on the weights only, not on "
            "the input, so it adds nothing to ∂E/∂σ^0.": expected + lam / m * X,
            "you divided by m once more: δ^L = (σ^L - y)/m already carries the 1/m of E.": expected / m,
            "a sign error: δ^L = (σ^L - y)/m, not (y - σ^L)/m.": -expected,
            "you forgot a hidden layer's activation derivative: δ^l_j = ∂E/∂σ^l_j · ∂σ^l_j/∂sum^l_j.":
                _deltas_without_derivative(net, X, Y) @ net.W[1].T,
        }
        if net.sizes[0] == net.sizes[1]:
            mistakes["you forgot the transpose: ∂E/∂σ^0_i = Σ_p δ^1_p w^1_ip sums over p, the second index of "
                     "w^1_ip (row i of W^1), so it is δ^1 (W^1)ᵀ, not δ^1 W^1."] = delta1 @ net.W[1]
            mistakes["you stopped at δ^1 = ∂E/∂sum^1: go one step further, through the weights w^1_ip, "
                     "to the input."] = delta1
            if net.L > 1:
                mistakes["you stopped at ∂E/∂σ^1, one layer short: go on through layer 1 (its activation "
                         "derivative and w^1_ip) to the input σ^0."] = ex["dE_dsigma"][1]
        where = describe(net, m, lam)
        yield Case((net, X, Y, lam), expected, f"∂E/∂σ^0 on a hidden {where}", merged(mistakes),
                   form=_input_shape(net, m, where))


def _input_shape(net, m, where):
    def form(answer):
        if answer is None:
            raise Hint("dE_dx returned None: return ∂E/∂σ^0, shape (m, n_0), one row per example.")
        shape = shape_of(answer)
        n0, n1 = net.sizes[0], net.sizes[1]
        if shape == (m, n1) and n1 != n0:
            raise Hint(f"your answer has shape {shape}, one column per neuron of layer 1: you stopped at δ^1 or "
                       "∂E/∂σ^1. Go one step further, through the weights w^1_ip, to the input σ^0 (shape (m, n_0)).")
        if shape == (n0, m) and n0 != m:
            raise Hint(f"your answer has shape {shape}: one ROW per example, shape (m, n_0) = ({m}, {n0}).")
        if shape is not None and len(shape) == 2 and shape != (m, n0) and shape[1] == n0:
            raise Hint(f"your answer has {shape[0]} rows on a {where}: one row per example.")
        return as_array(answer, "∂E/∂σ^0", (m, n0))
    return form

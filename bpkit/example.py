r"""The notes' example network, numerically and symbolically.

Inputs x, y, z, w (layer 0); a hidden layer of two neurons g_1, g_2 (layer 1); one
output f (layer L = 2):

    output = f(w^2_1 g_1(w^1_1 x + w^1_2 y) + w^2_2 g_2(w^1_3 z + w^1_4 w))

The notes name the weights with a single index. In the w^l_ij notation (zero-indexed,
from neuron i of layer l-1 to neuron j of layer l) they are:

    ======  ========  ====================
    notes   w^l_ij    connects
    ======  ========  ====================
    w^1_1   w^1_00    x  (σ^0_0) -> g_1 (σ^1_0)
    w^1_2   w^1_10    y  (σ^0_1) -> g_1 (σ^1_0)
    w^1_3   w^1_21    z  (σ^0_2) -> g_2 (σ^1_1)
    w^1_4   w^1_31    w  (σ^0_3) -> g_2 (σ^1_1)
    w^2_1   w^2_00    g_1 (σ^1_0) -> f (σ^2_0)
    w^2_2   w^2_10    g_2 (σ^1_1) -> f (σ^2_0)
    ======  ========  ====================

The other six entries of W[1] are connections that do not exist (x and y do not feed g_2;
z and w do not feed g_1): the network's mask removes them, and they get no gradient.
Here g_1 = g_2 = g (the hidden activation) and f is the sigmoid. There are no biases.
"""
from __future__ import annotations

import numpy as np

from . import labels
from .gradcheck import central_difference
from .network import Network

#: the notes' single-index weight names -> (l, i, j) of w^l_ij
NOTES_NAMES: dict[str, tuple[int, int, int]] = {
    "w^1_1": (1, 0, 0),
    "w^1_2": (1, 1, 0),
    "w^1_3": (1, 2, 1),
    "w^1_4": (1, 3, 1),
    "w^2_1": (2, 0, 0),
    "w^2_2": (2, 1, 0),
}
#: the notes' input names, in the order of layer 0's neurons
INPUTS = ("x", "y", "z", "w")

MASK = [
    np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=bool),
    np.array([[1], [1]], dtype=bool),
]

DEFAULT_WEIGHTS = {"w^1_1": 0.5, "w^1_2": -0.3, "w^1_3": 0.8, "w^1_4": 0.2, "w^2_1": 1.2, "w^2_2": -0.7}
DEFAULT_INPUTS = {"x": 1.0, "y": 2.0, "z": -1.0, "w": 0.5}


def ij_name(name: str) -> str:
    """The w^l_ij name of one of the notes' weights, e.g. "w^1_2" -> "w^1_10"."""
    l, i, j = _lookup(name)
    return labels.weight_text(l, i, j)


def _lookup(name: str) -> tuple[int, int, int]:
    if name not in NOTES_NAMES:
        raise KeyError(f"{name!r} is not one of the notes' weights: {', '.join(NOTES_NAMES)}")
    return NOTES_NAMES[name]


def network(weights: dict | None = None, hidden="sigmoid") -> Network:
    """The notes' example network with the given weights (by the notes' names).

    Missing names take :data:`DEFAULT_WEIGHTS`. Unknown names raise a KeyError.
    """
    values = dict(DEFAULT_WEIGHTS)
    for name, value in (weights or {}).items():
        _lookup(name)
        values[name] = float(value)
    W = [np.zeros((4, 2)), np.zeros((2, 1))]
    for name, (l, i, j) in NOTES_NAMES.items():
        W[l - 1][i, j] = values[name]
    return Network.from_weights(W, None, hidden=hidden, mask=MASK)


def inputs(values: dict | None = None) -> np.ndarray:
    """One example (x, y, z, w) as a row of shape (1, 4); missing names take the defaults."""
    v = dict(DEFAULT_INPUTS)
    for name, value in (values or {}).items():
        if name not in INPUTS:
            raise KeyError(f"{name!r} is not one of the inputs {', '.join(INPUTS)}")
        v[name] = float(value)
    return np.array([[v[n] for n in INPUTS]])


def weights_of(net: Network) -> dict[str, float]:
    """The six weights of an example network, by the notes' names."""
    return {name: net.w(l, i, j) for name, (l, i, j) in NOTES_NAMES.items()}


def output_partials(net: Network, x: np.ndarray) -> dict[str, float]:
    """∂o/∂w for each of the notes' weights, o = f(...) the output, by backpropagation."""
    from .backprop import output_gradient

    grad = output_gradient(net, x, 0)
    return {name: float(grad.W[l][i, j]) for name, (l, i, j) in NOTES_NAMES.items()}


def numerical_output_partials(net: Network, x, eps: float = 1e-6) -> dict[str, float]:
    r"""∂o/∂w for each of the notes' weights by central differences on o itself.

    ∂o/∂w^l_ij ≈ (o(w^l_ij + ε) - o(w^l_ij - ε)) / 2ε, perturbing ``net.W[l][i, j]`` and
    running ``net.forward`` again; the weight is restored exactly afterwards.
    """
    def o() -> float:
        return float(net.forward(x).sigmas[net.L][0, 0])

    return {name: central_difference(o, net.W[l], (i, j), eps) for name, (l, i, j) in NOTES_NAMES.items()}


def chain_factors(net: Network, x: np.ndarray) -> dict[str, dict[str, float]]:
    r"""Each factor of the chain rule for ∂o/∂w, for each of the notes' weights.

    For a first-layer weight w^1_t feeding g_j with input value u:
    ∂o/∂w^1_t = ∂f/∂sum^2 · ∂sum^2/∂g_j · ∂g_j/∂sum^1_j · ∂sum^1_j/∂w^1_t
              = f'(sum^2) · w^2_j · g'(sum^1_j) · u.
    (∂f/∂g_j is the first two factors; ∂g_j/∂w^1_t the last two, as in the notes.)
    For a second-layer weight w^2_j: ∂o/∂w^2_j = f'(sum^2) · g_j.
    Returns {name: {"df/dsum2", "dsum2/dg", "dg/dsum1", "dsum1/dw", "df/dg", "dg/dw", "product"}}.
    """
    rec = net.forward(x)
    fprime = float(net.output.derivative(rec.sums[2])[0, 0])
    out = {}
    for name, (l, i, j) in NOTES_NAMES.items():
        if l == 1:
            dsum2_dg = net.w(2, j, 0)
            dg_dsum1 = float(net.hidden.derivative(rec.sums[1])[0, j])
            dsum1_dw = float(rec.sigmas[0][0, i])
            factors = {"df/dsum2": fprime, "dsum2/dg": dsum2_dg, "dg/dsum1": dg_dsum1,
                       "dsum1/dw": dsum1_dw, "df/dg": fprime * dsum2_dg, "dg/dw": dg_dsum1 * dsum1_dw}
            factors["product"] = factors["df/dg"] * factors["dg/dw"]
        else:
            g = float(rec.sigmas[1][0, i])
            factors = {"df/dsum2": fprime, "dsum2/dw": g, "product": fprime * g}
        out[name] = factors
    return out


def symbolic(hidden: str = "sigmoid"):
    r"""The example in sympy: symbols, the output expression and every ∂o/∂w derived symbolically.

    Returns a dict with ``inputs`` (x, y, z, w symbols), ``weights`` (notes' name -> symbol,
    printed w^1_1 ...), ``output`` (the expression of o) and ``partials`` (notes' name ->
    sympy.diff(output, weight)). ``hidden`` is "sigmoid", "tanh" or "relu" (relu as
    sympy's Max(0, s), differentiable away from 0).
    """
    import sympy as sp

    x, y, z, w = sp.symbols("x y z w", real=True)
    ws = {name: sp.Symbol(name, real=True) for name in NOTES_NAMES}

    def sig(s):
        return 1 / (1 + sp.exp(-s))

    g = {"sigmoid": sig, "tanh": sp.tanh, "relu": lambda s: sp.Max(0, s)}.get(hidden)
    if g is None:
        raise ValueError(f"unknown activation {hidden!r}: the known activations are relu, sigmoid, tanh")
    g1 = g(ws["w^1_1"] * x + ws["w^1_2"] * y)
    g2 = g(ws["w^1_3"] * z + ws["w^1_4"] * w)
    output = sig(ws["w^2_1"] * g1 + ws["w^2_2"] * g2)
    partials = {name: sp.diff(output, sym) for name, sym in ws.items()}
    return {"inputs": (x, y, z, w), "weights": ws, "output": output, "partials": partials,
            "g1": g1, "g2": g2}


def evaluate_symbolic(expr, weights: dict | None = None, values: dict | None = None) -> float:
    """A sympy expression of :func:`symbolic` at the given weights and inputs (notes' names)."""
    import sympy as sp

    sym = symbolic()
    wv = dict(DEFAULT_WEIGHTS, **(weights or {}))
    iv = dict(DEFAULT_INPUTS, **(values or {}))
    subs = {sym["weights"][n]: wv[n] for n in NOTES_NAMES}
    subs.update({s: iv[n] for s, n in zip(sym["inputs"], INPUTS)})
    return float(sp.N(expr.subs(subs)))

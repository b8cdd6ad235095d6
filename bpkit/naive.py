r"""The chain rule with no memoization: every path from w^l_ij to the outputs recomputed.

Without a memo table, ∂E/∂sum^l_j is recomputed from scratch each time it is needed,
by expanding the notes' sum over p all the way to the output layer:

    ∂E/∂sum^l_j = g'(sum^l_j) · Σ_p w^{l+1}_jp · ∂E/∂sum^{l+1}_p,     ∂E/∂sum^L_k = (σ^L_k - y_k)/m

Unrolled, that is one product of factors for every path j → p_{l+1} → ... → k through
the layers to the right, and there are n_{l+1} · n_{l+2} · ... · n_L such paths. Each
weight w^l_ij repeats the whole expansion, so the work grows with the number of paths,
not the number of weights. The result equals :func:`bpkit.gradient`; only the cost differs.

The counter charges the same multiplications as :mod:`bpkit.scalar`, only again on every call: an
output ∂E/∂sum^L_k = (σ^L_k - y_k)/m is m products (with 1/m, standing for ∂E/∂σ^L_k · ∂σ^L_k/∂sum^L_k);
a hidden ∂E/∂sum^l_j is, per example, one product w^{l+1}_jp · ∂E/∂sum^{l+1}_p for every p (after
the recursive call that recomputes ∂E/∂sum^{l+1}_p) and one with g'(sum^l_j) = ∂σ^l_j/∂sum^l_j;
each weight then pays one product ∂E/∂sum^l_j · σ^{l-1}_i per example. Evaluating g' itself and the
forward pass are not counted.
"""
from __future__ import annotations

from itertools import product

import numpy as np

from .network import Network
from .notation import Gradient, Layers
from .objective import add_penalty_gradient, evaluate


def gradient(net: Network, X, Y, lam: float = 0.0, regularize_bias: bool = False) -> Gradient:
    """∂E/∂w^l_ij by the unmemoized chain rule; ``.extras["multiplications"]`` counts the work.

    Same signature and result type as :func:`bpkit.gradient`. Slow on purpose: use small nets.
    """
    e = evaluate(net, X, Y, lam, regularize_bias)    # validated X, Y, λ; the forward record; E
    X, Y, m, record = e.X, e.Y, e.m, e.record
    L = net.L
    count = [0]

    def dE_dsum(l: int, j: int) -> np.ndarray:
        # recomputed on every call: no memo
        if l == L:
            count[0] += m
            return (record.sigmas[L][:, j] - Y[:, j]) / m
        total = np.zeros(m)
        for p in range(net.sizes[l + 1]):
            if net.connected(l + 1, j, p):
                total = total + net.W[l + 1][j, p] * dE_dsum(l + 1, p)
                count[0] += m
        count[0] += m
        return total * net.activation(l).derivative(record.sums[l][:, j])

    dW = Layers([np.zeros_like(w) for w in net.W], 1, "∂E/∂w")
    db = None if net.b is None else Layers([np.zeros_like(b) for b in net.b], 1, "∂E/∂b")
    for l in range(1, L + 1):
        for i in range(net.sizes[l - 1]):
            for j in range(net.sizes[l]):
                if not net.connected(l, i, j):
                    continue
                dW[l][i, j] = float(np.sum(dE_dsum(l, j) * record.sigmas[l - 1][:, i]))
                count[0] += m
        if db is not None:
            for j in range(net.sizes[l]):
                db[l][j] = float(np.sum(dE_dsum(l, j)))
    if e.lam:
        add_penalty_gradient(dW, db, net, e.lam, m, regularize_bias)  # + (λ/m) w^l_ij, one product per weight
        count[0] += net.n_weights
    return Gradient(dW, db, e.E, extras={"multiplications": count[0], "record": record})


def multiplication_count(sizes, m: int = 1, bias: bool = False) -> int:
    """The multiplications :func:`gradient` does on a fully connected net with λ = 0.

    With c(L) = 1 and c(l) = n_{l+1} (c(l+1) + 1) + 1 the cost of one unmemoized
    ∂E/∂sum^l_j, the total is Σ_l n_{l-1} n_l (c(l) + 1) (+ Σ_l n_l c(l) with biases), times m.
    """
    sizes = list(sizes)
    L = len(sizes) - 1
    c = {L: 1}
    for l in range(L - 1, 0, -1):
        c[l] = sizes[l + 1] * (c[l + 1] + 1) + 1
    total = sum(sizes[l - 1] * sizes[l] * (c[l] + 1) for l in range(1, L + 1))
    if bias:
        total += sum(sizes[l] * c[l] for l in range(1, L + 1))
    return total * m


def paths(sizes, l: int, i: int, j: int) -> list[tuple[int, ...]]:
    """Every path the chain rule follows from w^l_ij to the output layer.

    A path is (i, j, p_{l+1}, ..., k): neuron i of layer l-1, neuron j of layer l, then one
    neuron of every layer to the right. There are n_{l+1} · ... · n_L of them.
    """
    sizes = list(sizes)
    L = len(sizes) - 1
    if not 1 <= l <= L:
        raise IndexError(f"w^{l} does not exist: l runs from 1 to {L}")
    if not 0 <= i < sizes[l - 1]:
        raise IndexError(f"i = {i} but layer {l - 1} has {sizes[l - 1]} neurons")
    if not 0 <= j < sizes[l]:
        raise IndexError(f"j = {j} but layer {l} has {sizes[l]} neurons")
    tails = product(*(range(sizes[t]) for t in range(l + 1, L + 1)))
    return [(i, j) + tail for tail in tails]

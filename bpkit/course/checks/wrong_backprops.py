r"""Wrong backpropagations: bpkit's backward pass with one mistake switched on.

The mistakes that exercise 04.5 recognises in a whole gradient (:func:`variant`,
:func:`transposed_backward`), and the bugs that exercise 04.6 plants in one layer for the student to
find with a gradient check (:func:`planted`). Every function returns gradients in the notes' layout:
entry [i, j] of ∂E/∂W^l is ∂E/∂w^l_ij, W^l of shape (n_{l-1}, n_l), δ^l_j = ∂E/∂sum^l_j.
"""
from __future__ import annotations

from bpkit.network import Network

#: the bugs :func:`planted` can put into one layer l, and which layers' ∂E/∂W they make wrong
BUGS = {
    "derivative": "δ^l_j without ∂σ^l_j/∂sum^l_j (layers l and below are wrong)",
    "double": "δ^l_j doubled (layers l and below are wrong)",
    "penalty": "∂E/∂w^l_ij without the λ/m·w^l_ij term (layer l only)",
    "sign": "∂E/∂W^l with the wrong sign (layer l only)",
}


def variant(net: Network, X, Y, lam: float, *, dg: str = "sum", one_over_m: bool = True,
            delta_sign: float = 1.0, penalty_factor: float = 1.0, penalize_bias: bool = False,
            sigma_l: bool = False):
    """bpkit's backward pass with one mistake switched on; returns (dW list, db list or None).

    ``dg``: "sum" (right), "none" (forgot ∂σ/∂sum in hidden layers), "sigma" (g' evaluated at σ);
    ``one_over_m=False`` drops the 1/m of δ^L (and of the penalty); ``delta_sign=-1`` uses y - σ^L;
    ``penalty_factor`` scales λ/m·w; ``penalize_bias`` adds λ/m·b; ``sigma_l`` uses σ^l for σ^{l-1}
    (only meaningful where n_{l-1} = n_l).
    """
    m = X.shape[0]
    record = net.forward(X)
    L = net.L
    delta = delta_sign * (record.sigmas[L] - Y) / (m if one_over_m else 1)
    dW, db = [None] * L, [None] * L
    for l in range(L, 0, -1):
        src = record.sigmas[l] if (sigma_l and net.sizes[l] == net.sizes[l - 1]) else record.sigmas[l - 1]
        dW[l - 1] = src.T @ delta
        db[l - 1] = delta.sum(axis=0)
        if l > 1:
            back = delta @ net.W[l].T
            act = net.activation(l - 1)
            if dg == "sum":
                back = back * act.derivative(record.sums[l - 1])
            elif dg == "sigma":
                back = back * act.derivative(record.sigmas[l - 1])
            delta = back
    scale = lam / (m if one_over_m else 1) * penalty_factor
    for l in range(1, L + 1):
        dW[l - 1] = dW[l - 1] + scale * net.W[l]
        if penalize_bias and net.b is not None:
            db[l - 1] = db[l - 1] + scale * net.b[l]
    return dW, (db if net.b is not None else None)


def transposed_backward(net: Network, X, Y, lam: float):
    """The backward pass through W^l instead of (W^l)ᵀ (square layers only): (dW, db or None)."""
    m = X.shape[0]
    record = net.forward(X)
    delta = (record.sigmas[net.L] - Y) / m
    dW, db = [None] * net.L, [None] * net.L
    for l in range(net.L, 0, -1):
        dW[l - 1] = record.sigmas[l - 1].T @ delta + lam / m * net.W[l]
        db[l - 1] = delta.sum(axis=0)
        if l > 1:
            delta = (delta @ net.W[l]) * net.activation(l - 1).derivative(record.sums[l - 1])
    return dW, (db if net.b is not None else None)


def planted(net: Network, X, Y, lam: float, l_bug: int, kind: str) -> dict:
    """{l: ∂E/∂W^l} for l = 1..L, by backpropagation with the bug ``kind`` (a key of :data:`BUGS`) in layer
    ``l_bug``: the backward pass δ^L = (σ^L - y)/m, ∂E/∂σ^l = δ^{l+1} (W^{l+1})ᵀ, δ^l = ∂E/∂σ^l · g'(sum^l),
    ∂E/∂W^l = (σ^{l-1})ᵀ δ^l + λ/m·W^l, with that one step wrong."""
    if kind not in BUGS:
        raise ValueError(f"unknown bug {kind!r}: the known bugs are {', '.join(BUGS)}")
    if kind == "derivative" and not 1 <= l_bug < net.L:
        raise ValueError(f"the 'derivative' bug needs a hidden layer 1..L-1 = 1..{net.L - 1}, not l = {l_bug}")
    m = X.shape[0]
    record = net.forward(X)
    delta = (record.sigmas[net.L] - Y) / m
    out = {}
    for l in range(net.L, 0, -1):
        if l < net.L:
            dE_dsigma = delta @ net.W[l + 1].T
            delta = dE_dsigma if (kind == "derivative" and l == l_bug) else \
                dE_dsigma * net.activation(l).derivative(record.sums[l])
        if kind == "double" and l == l_bug:
            delta = 2.0 * delta
        dW = record.sigmas[l - 1].T @ delta
        if not (kind == "penalty" and l == l_bug):
            dW = dW + lam / m * net.W[l]
        out[l] = -dW if (kind == "sign" and l == l_bug) else dW
    return out

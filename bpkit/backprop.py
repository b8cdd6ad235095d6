r"""Backpropagation, vectorized: the notes' three factors as matrix products.

For one weight the notes write

    ∂E/∂w^l_ij = ∂E/∂σ^l_j · ∂σ^l_j/∂sum^l_j · ∂sum^l_j/∂w^l_ij
               = ∂E/∂σ^l_j · g'(sum^l_j)   · σ^{l-1}_i

Call δ^l_j = ∂E/∂σ^l_j · ∂σ^l_j/∂sum^l_j = ∂E/∂sum^l_j (one number per example). Then,
over all m examples at once (rows are examples):

* output layer:  δ^L = (σ^L - Y) / m                (:meth:`CrossEntropy.delta`)
* every layer:   ∂E/∂W^l = (σ^{l-1})ᵀ δ^l           (Σ over examples of σ^{l-1}_i δ^l_j)
* memo step:     ∂E/∂σ^{l-1} = δ^l (W^l)ᵀ            (Σ_p δ^l_p w^l_jp: the notes' sum over p)
* hidden layer:  δ^{l-1} = ∂E/∂σ^{l-1} ⊙ g'(sum^{l-1})
* penalty:       + (λ/m) W^l                         (:func:`bpkit.objective.add_penalty_gradient`)

The forward record (every sum^l and σ^l) and the δ^l of the layer to the right are the
memoized values: each is computed once and read again.
"""
from __future__ import annotations

import numpy as np

from .network import Forward, Network
from .notation import Gradient, Layers
from .objective import CrossEntropy, add_penalty_gradient, evaluate
from .workspace import WORKSPACE


#: from n_{l-1} = WIDE neurons and m = WIDE_M examples on, ∂E/∂W^l = (σ^{l-1})ᵀ δ^l is computed as
#: ((δ^l)ᵀ σ^{l-1})ᵀ: the same sums, but OpenBLAS runs the product with the wide σ^{l-1} on the right 6-40% faster
#: (n_{l-1} = 400 and 784, m = 5000 and 10 000, SkylakeX and Haswell kernels, 1 and 2 threads;
#: benchmarks/README.md); for narrower layers neither order wins, and for fewer examples the transposing copy
#: can cost more than the product gains
WIDE, WIDE_M = 256, 1024


def _weight_gradient(sigma_prev: np.ndarray, delta: np.ndarray, out: np.ndarray, scratch) -> np.ndarray:
    """∂E/∂W^l = (σ^{l-1})ᵀ δ^l into ``out`` (n_{l-1}, n_l); with a ``scratch`` (n_l, n_{l-1}), by way of
    (δ^l)ᵀ σ^{l-1} and one transposing copy (the result is C-ordered either way)."""
    if scratch is None:
        return np.matmul(sigma_prev.T, delta, out=out)
    np.matmul(delta.T, sigma_prev, out=scratch)
    np.copyto(out, scratch.T)
    return out


def backward(net: Network, record: Forward, delta_L: np.ndarray):
    """Propagate δ^L = ∂(·)/∂sum^L back through the network.

    Returns ``(dW, db, dE_dsigma, delta)``, all :class:`Layers`: ``dW[l]`` (n_{l-1}, n_l),
    ``db[l]`` (n_l,) or None, and per-example ``dE_dsigma[l]`` = ∂/∂σ^l (l = 1..L-1; the
    output entry is None) and ``delta[l]`` = ∂/∂sum^l (l = 1..L), each (m, n_l).
    """
    L, m = net.L, delta_L.shape[0]
    dW = [None] * L
    db = [None] * L if net.b is not None else None
    deltas = [None] * L
    dsig = [None] * L
    # ∂E/∂σ^l and δ^l (l = 1..L-1), ∂E/∂W^l and ∂E/∂b^l (l = 1..L): arrays the workspace reuses once no
    # earlier result holds them
    sizes = net.sizes
    transposed = [sizes[l - 1] >= WIDE and m >= WIDE_M for l in range(1, L + 1)]   # ∂E/∂W^l by (δ^l)ᵀ σ^{l-1}
    arrays = WORKSPACE.take(("backward", m, sizes), [(m, sizes[l]) for l in range(1, L)] * 2
                            + [(sizes[l - 1], sizes[l]) for l in range(1, L + 1)] + [(sizes[l],) for l in range(1, L + 1)]
                            + [(m,)] + [(sizes[l], sizes[l - 1]) for l in range(1, L + 1) if transposed[l - 1]])
    dsig_out, delta_out = arrays[:L - 1], arrays[L - 1:2 * L - 2]          # l = 1..L-1
    dW_out, db_out, ones = arrays[2 * L - 2:3 * L - 2], arrays[3 * L - 2:4 * L - 2], arrays[4 * L - 2]   # l = 1..L
    wide = iter(arrays[4 * L - 1:])
    scratch = [next(wide) if transposed[l - 1] else None for l in range(1, L + 1)]
    ones.fill(1.0)                       # Σ_e over the examples as a product: (1, ..., 1) δ^l
    delta = delta_L
    for l in range(L, 0, -1):
        deltas[l - 1] = delta
        dW[l - 1] = _weight_gradient(record.sigmas[l - 1], delta, dW_out[l - 1], scratch[l - 1])  # ∂sum^l_j/∂w^l_ij = σ^{l-1}_i
        if net.mask is not None:
            dW[l - 1] *= net.mask[l]
        if db is not None:
            db[l - 1] = np.matmul(ones, delta, out=db_out[l - 1])   # ∂sum^l_j/∂b^l_j = 1
        if l > 1:
            dE_dsigma = np.matmul(delta, net.W[l].T, out=dsig_out[l - 2])       # Σ_p δ^l_p w^l_jp
            dsig[l - 2] = dE_dsigma
            g = net.activation(l - 1)
            delta = g.derivative_from_value(record.sigmas[l - 1], out=delta_out[l - 2])  # ∂σ^{l-1}/∂sum^{l-1}
            delta *= dE_dsigma                                                  # ⊙ ∂E/∂σ^{l-1}
    return (Layers(dW, 1, "∂E/∂w"), None if db is None else Layers(db, 1, "∂E/∂b"),
            Layers(dsig, 1, "∂E/∂σ"), Layers(deltas, 1, "∂E/∂sum"))


def gradient(net: Network, X, Y, lam: float = 0.0, regularize_bias: bool = False) -> Gradient:
    """∂E/∂w^l_ij (and ∂E/∂b^l_j) for every layer, by vectorized backpropagation.

    Returns a :class:`~bpkit.notation.Gradient` with ``.W[l]``, ``.b[l]`` and ``.E``;
    ``.extras`` holds the forward ``record``, the per-example ``dE_dsigma`` and ``delta``
    Layers, and the ``penalty`` gradient, each a named step of the derivation.
    """
    e = evaluate(net, X, Y, lam, regularize_bias)            # validated X, Y, λ; the forward record; E
    out = WORKSPACE.take(("output δ", e.m, net.sizes[-1]), [(e.m, net.sizes[-1])])[0]
    delta_L = CrossEntropy.delta(e.record.sigmas[net.L], e.Y, out=out)  # (σ^L_k - y_k) / m
    dW, db, dsig, deltas = backward(net, e.record, delta_L)
    add_penalty_gradient(dW, db, net, e.lam, e.m, regularize_bias)   # + (λ/m) w^l_ij
    return Gradient(dW, db, e.E, extras={"record": e.record, "dE_dsigma": dsig, "delta": deltas})


def output_gradient(net: Network, X, k: int = 0) -> Gradient:
    r"""∂σ^L_k/∂w^l_ij: the derivative of output neuron k itself (no objective), summed over X's rows.

    This is the notes' first example, ∂o/∂w^1_1 = ∂f/∂g_1 · ∂g_1/∂w^1_1, for o = σ^L_k.
    The same backward pass with δ^L = ∂σ^L_k/∂sum^L seeded at neuron k only.
    ``.E`` is None; ``.extras["output"]`` holds σ^L_k for every example.
    """
    from .network import check_X

    X = check_X(net, X, finite=False)
    if not 0 <= k < net.sizes[-1]:
        raise IndexError(f"k = {k} but the output layer L = {net.L} has {net.sizes[-1]} neurons")
    record = net.forward(X)
    sigma_L = record.sigmas[net.L]
    delta_L = np.zeros_like(sigma_L)
    delta_L[:, k] = net.output.derivative_from_value(sigma_L[:, k])
    dW, db, dsig, deltas = backward(net, record, delta_L)
    return Gradient(dW, db, None, extras={"record": record, "output": sigma_L[:, k].copy(),
                                          "dE_dsigma": dsig, "delta": deltas})

r"""Backpropagation per neuron, literally the notes' equations, with an explicit memo table.

For every weight the notes write ∂E/∂w^l_ij as a product of three factors:

    ∂E/∂w^l_ij = ∂E/∂σ^l_j · ∂σ^l_j/∂sum^l_j · ∂sum^l_j/∂w^l_ij

* ∂sum^l_j/∂w^l_ij = σ^{l-1}_i, read from the forward record;
* ∂σ^l_j/∂sum^l_j = g'(sum^l_j), "just differentiate the activation function";
* ∂E/∂σ^l_j = Σ_p ∂E/∂σ^{l+1}_p · ∂σ^{l+1}_p/∂sum^{l+1}_p · ∂sum^{l+1}_p/∂σ^l_j,
  a sum over the neurons p of layer l+1, where ∂sum^{l+1}_p/∂σ^l_j = w^{l+1}_jp.
  (The notes print ∂sum^{l+1}_p/∂σ^l_{ij}; the index is j alone.)

The memo table holds ∂E/∂σ^l_j for every neuron, filled right to left, layer L first: when
layer l is computed, every entry of layer l+1 it reads is "already stored in the previous
iteration". The products ∂E/∂sum^l_j = ∂E/∂σ^l_j · ∂σ^l_j/∂sum^l_j are memoized too.
At the output layer that product simplifies to (σ^L_k - y_k)/m (see
:meth:`bpkit.objective.CrossEntropy.delta`), which is what is propagated.

Loops run over neurons; each neuron's value is a vector over the m examples, and the
multiplication count counts every scalar multiplication (m per vector product).

Which multiplication is charged to which step (``Step.multiplications``):

* an output step writes ∂E/∂σ^L_k, which is stored so the table can show it; what layer L-1 reads
  is ∂E/∂sum^L_k = (σ^L_k - y_k)/m, computed from σ^L and y directly. The step is charged the m
  products of (σ^L_k - y_k) with 1/m: they stand for the product ∂E/∂σ^L_k · ∂σ^L_k/∂sum^L_k, which
  the simplification of :meth:`bpkit.objective.CrossEntropy.delta` (lesson 04, section 4) replaces;
* a hidden step (l < L) writes ∂E/∂σ^l_j and is charged its sum over p (n_{l+1} products per
  example, one per entry ∂E/∂sum^{l+1}_p it reads) and the product ∂E/∂σ^l_j · ∂σ^l_j/∂sum^l_j
  that stores ∂E/∂sum^l_j for layer l-1 to read (one per example);
* the products ∂E/∂sum^l_j · σ^{l-1}_i (one per weight per example) belong to no step; they are
  counted in ``multiplications`` only. Computing ∂σ^l_j/∂sum^l_j itself (logistic(sum^l_j)(1 -
  logistic(sum^l_j)), "just differentiate the activation function") and the forward pass are not counted.

So the multiplications that write the whole layer l of the table (l < L) from the stored layer l+1 are
the sum-over-p part of layer l's steps, m n_l n_{l+1}, and the m n_{l+1} products of layer l+1's
steps that formed the ∂E/∂sum^{l+1}_p it reads: m n_{l+1} (n_l + 1).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .network import Network
from .notation import Gradient, Layers
from .objective import CrossEntropy, add_penalty_gradient, evaluate


@dataclass
class Step:
    """One entry written into the memo table, and the entries it read.

    ``writes`` is ("∂E/∂σ", l, j); ``reads`` lists ("∂E/∂sum", l+1, p) for every p read.
    ``value`` is the entry written (a vector over the examples) and ``multiplications``
    the scalar multiplications this step did.
    """

    writes: tuple
    reads: list = field(default_factory=list)
    value: np.ndarray | None = None
    multiplications: int = 0


def gradient(net: Network, X, Y, lam: float = 0.0, regularize_bias: bool = False) -> Gradient:
    """∂E/∂w^l_ij for every weight, neuron by neuron, with an explicit memo table.

    Same signature and result type as :func:`bpkit.gradient`. ``.extras`` holds:

    * ``memo``: dict (l, j) -> ∂E/∂σ^l_j (vector over the examples), l = 1..L;
    * ``delta``: dict (l, j) -> ∂E/∂sum^l_j, the memoized product of the first two factors;
    * ``steps``: the :class:`Step` list, in the order the memo table was filled;
    * ``multiplications``: the number of scalar multiplications done;
    * ``record``: the forward pass it read.
    """
    e = evaluate(net, X, Y, lam, regularize_bias)    # validated X, Y, λ; the forward record; E
    X, Y, m, record = e.X, e.Y, e.m, e.record
    L = net.L
    sigma_L = record.sigmas[L]

    memo: dict[tuple[int, int], np.ndarray] = {}
    delta: dict[tuple[int, int], np.ndarray] = {}
    steps: list[Step] = []
    mults = 0
    dW = Layers([np.zeros_like(w) for w in net.W], 1, "∂E/∂w")
    db = None if net.b is None else Layers([np.zeros_like(b) for b in net.b], 1, "∂E/∂b")

    # Output layer L: ∂E/∂σ^L_k, and the simplified product ∂E/∂sum^L_k = (σ^L_k - y_k)/m.
    dE_dsigma_L = CrossEntropy.dE_dsigma(sigma_L, Y)
    for k in range(net.sizes[L]):
        memo[(L, k)] = dE_dsigma_L[:, k]
        delta[(L, k)] = (sigma_L[:, k] - Y[:, k]) / m
        mults += m
        steps.append(Step(("∂E/∂σ", L, k), [], memo[(L, k)], m))

    for l in range(L, 0, -1):
        if l < L:
            g = net.activation(l)
            for j in range(net.sizes[l]):
                # ∂E/∂σ^l_j = Σ_p ∂E/∂sum^{l+1}_p · w^{l+1}_jp   (reads the memo of layer l+1)
                total = np.zeros(m)
                reads = []
                count = 0
                for p in range(net.sizes[l + 1]):
                    if not net.connected(l + 1, j, p):
                        continue  # no such connection: no path through it
                    total = total + delta[(l + 1, p)] * net.W[l + 1][j, p]
                    reads.append(("∂E/∂sum", l + 1, p))
                    count += m
                memo[(l, j)] = total
                # ∂E/∂sum^l_j = ∂E/∂σ^l_j · ∂σ^l_j/∂sum^l_j
                delta[(l, j)] = total * g.derivative(record.sums[l][:, j])
                count += m
                mults += count
                steps.append(Step(("∂E/∂σ", l, j), reads, total, count))
        # ∂E/∂w^l_ij = ∂E/∂sum^l_j · σ^{l-1}_i, summed over the examples
        for j in range(net.sizes[l]):
            for i in range(net.sizes[l - 1]):
                if not net.connected(l, i, j):
                    continue
                dW[l][i, j] = float(np.sum(delta[(l, j)] * record.sigmas[l - 1][:, i]))
                mults += m
            if db is not None:
                db[l][j] = float(np.sum(delta[(l, j)]))          # ∂sum^l_j/∂b^l_j = 1

    if e.lam:
        # the regularization term's own derivative, λ/m · w^l_ij, which the notes' product leaves out:
        # one multiplication per weight that exists (and per bias, if they are penalized)
        add_penalty_gradient(dW, db, net, e.lam, m, regularize_bias)
        mults += net.n_weights + (sum(net.sizes[1:]) if regularize_bias and db is not None else 0)

    return Gradient(dW, db, e.E, extras={"memo": memo, "delta": delta, "steps": steps,
                                       "multiplications": mults, "record": record})


def multiplication_count(sizes, m: int = 1) -> int:
    """The multiplications :func:`gradient` does for a fully connected net with λ = 0.

    n_L (the output deltas) + Σ_{l<L} n_l (n_{l+1} + 1) (memo entries and their products)
    + Σ_l n_{l-1} n_l (one per weight), all times m: linear in the number of weights.
    """
    sizes = list(sizes)
    L = len(sizes) - 1
    count = sizes[L]
    count += sum(sizes[l] * (sizes[l + 1] + 1) for l in range(1, L))
    count += sum(sizes[l - 1] * sizes[l] for l in range(1, L + 1))
    return count * m

r"""The notes' three factors of one partial derivative, for every example:

    ∂E/∂w^l_ij = Σ_e ∂E/∂σ^l_j · ∂σ^l_j/∂sum^l_j · ∂sum^l_j/∂w^l_ij  +  (λ/m) w^l_ij
               = Σ_e ∂E/∂σ^l_j · g'(sum^l_j)     · σ^{l-1}_i        +  (λ/m) w^l_ij

read from bpkit's backward pass (:func:`bpkit.gradient`), and checked against it and against a
central difference of E (:func:`bpkit.gradcheck.central_difference`). Lesson 04 prints these
numbers and its widget shows the same ones.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import labels
from .backprop import gradient
from .gradcheck import central_difference
from .network import Network
from .objective import CrossEntropy, objective

__all__ = ["Factors", "three_factors"]


@dataclass
class Factors:
    r"""∂E/∂w^l_ij assembled from the notes' three factors (one entry per example), plus λ/m·w^l_ij."""

    l: int
    i: int
    j: int
    w: float
    dE_dsigma: np.ndarray    # ∂E/∂σ^l_j, per example
    dsigma_dsum: np.ndarray  # ∂σ^l_j/∂sum^l_j = g'(sum^l_j), per example
    sigma_prev: np.ndarray   # ∂sum^l_j/∂w^l_ij = σ^{l-1}_i, per example
    penalty: float           # λ/m · w^l_ij
    bpkit_value: float       # bpkit.gradient(...).W[l][i, j]
    numerical: float         # central difference of bpkit.objective

    @property
    def products(self) -> np.ndarray:
        return self.dE_dsigma * self.dsigma_dsum * self.sigma_prev

    @property
    def total(self) -> float:
        return float(self.products.sum() + self.penalty)

    def text(self) -> str:
        """A fixed-format table (what the lesson prints; the widget shows the same numbers)."""
        name = labels.weight_text(self.l, self.i, self.j)
        head = (f"{name} = {self.w:+.4f}\n"
                f"{'e':>2} {'∂E/∂σ^l_j':>12} {'∂σ^l_j/∂sum^l_j':>16} {'σ^(l-1)_i':>10} {'product':>12}")
        rows = [f"{e:>2} {a:>12.6f} {b:>16.6f} {c:>10.6f} {p:>12.6f}" for e, (a, b, c, p) in
                enumerate(zip(self.dE_dsigma, self.dsigma_dsum, self.sigma_prev, self.products))]
        tail = [f"{label:<22} {value:+.6f}" for label, value in (
            ("Σ_e product", self.products.sum()), (f"+ λ/m · {name}", self.penalty),
            (f"= ∂E/∂{name}", self.total), ("bpkit.gradient", self.bpkit_value),
            ("central difference", self.numerical))]
        return "\n".join([head] + rows + tail)


def three_factors(net: Network, X, Y, lam: float, l: int, i: int, j: int, eps: float = 1e-6) -> Factors:
    r"""The three factors of ∂E/∂w^l_ij for every example, read from bpkit's backprop.

    ∂E/∂σ^l_j is ``bpkit.gradient(...).extras["dE_dsigma"][l]`` for a hidden layer and
    ``CrossEntropy.dE_dsigma`` for the output layer; ∂σ^l_j/∂sum^l_j is the activation's
    ``derivative`` at sum^l_j; σ^{l-1}_i comes from the forward record.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    m = X.shape[0]
    g = gradient(net, X, Y, lam)
    rec = g.extras["record"]
    if l == net.L:
        dE_dsigma = CrossEntropy.dE_dsigma(rec.sigmas[l], Y)[:, j]
    else:
        dE_dsigma = g.extras["dE_dsigma"][l][:, j]
    work = net.copy()
    w = float(net.W[l][i, j])
    numerical = central_difference(lambda: objective(work, X, Y, lam), work.W[l], (i, j), eps)
    return Factors(l, i, j, w, dE_dsigma.copy(), net.activation(l).derivative(rec.sums[l][:, j]),
                   rec.sigmas[l - 1][:, i].copy(), lam / m * w, float(g.W[l][i, j]), numerical)

r"""The objective E(w) of the notes: cross-entropy over the output layer plus an L2 penalty.

.. math::

    E(w) = -\frac{1}{m}\sum_{e=1}^{m}\sum_k \Big[y^{(e)}_k \log σ^L_k(x^{(e)})
           + (1 - y^{(e)}_k)\log(1 - σ^L_k(x^{(e)}))\Big]
           + \frac{λ}{2m}\sum_l\sum_i\sum_j (w^l_{ij})^2

**How λ is scaled**: the penalty is λ/(2m) times the sum of the squares of the weights of
*every* layer l = 1..L, where m is the number of examples in the batch. Its gradient is
therefore ∂/∂w^l_ij = (λ/m) w^l_ij. Biases are not weights in the notes and are not
penalized unless ``regularize_bias=True``. (scikit-learn's ``alpha`` is this λ.)

The cross-entropy "only looks at the output layer" and is computed from the output sums
in log-sigmoid form, log logistic(s) = -log(1 + e^{-s}), so that sum^L_k = ±800 still gives an
exact, finite E and gradient (the naive log(σ) gives log(0) = -inf).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .workspace import WORKSPACE
from .network import Forward, Network, check_finite_X, check_lam, check_XY
from .notation import Layers


class CrossEntropy:
    """The cross-entropy cost, separated from its output-layer delta (as Nielsen's network2)."""

    @staticmethod
    def fn(sum_L: np.ndarray, Y: np.ndarray) -> float:
        r"""-(1/m) Σ_e Σ_k [y_k log logistic(sum^L_k) + (1-y_k) log(1 - logistic(sum^L_k))], stably.

        With log logistic(s) = -softplus(-s) and log(1 - logistic(s)) = -softplus(s), where
        softplus(s) = log(1 + e^s) = max(s, 0) + log(1 + e^{-|s|}), each term is
        softplus(s) - y s = max(s, 0) - y s + log1p(e^{-|s|}): e^{-|s|} ≤ 1 never overflows,
        and s = ±800 gives exactly 800 or 0.
        """
        m = sum_L.shape[0]
        t, losses, ys = WORKSPACE.take(("cross-entropy", sum_L.shape), [sum_L.shape] * 3)  # scratch arrays
        np.abs(sum_L, out=t)
        np.negative(t, out=t)
        np.exp(t, out=t)
        np.log1p(t, out=t)                       # log(1 + e^{-|s|})
        np.maximum(sum_L, 0.0, out=losses)
        losses -= np.multiply(Y, sum_L, out=ys)
        losses += t
        return float(losses.sum() / m)

    @staticmethod
    def naive_fn(sigma_L: np.ndarray, Y: np.ndarray) -> float:
        """The textbook formula on σ^L itself; overflows to inf/nan when σ^L is 0 or 1.

        Kept only so a lesson can show why :meth:`fn` exists. Never used for training.
        """
        m = sigma_L.shape[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(-(Y * np.log(sigma_L) + (1 - Y) * np.log(1 - sigma_L)).sum() / m)

    @staticmethod
    def dE_dsigma(sigma_L: np.ndarray, Y: np.ndarray) -> np.ndarray:
        r"""∂E/∂σ^L_k = -(1/m) [y_k/σ^L_k - (1-y_k)/(1-σ^L_k)] for every example.

        Infinite where σ^L_k is exactly 0 or 1; backpropagation uses :meth:`delta` instead.
        """
        m = sigma_L.shape[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            return -(Y / sigma_L - (1 - Y) / (1 - sigma_L)) / m

    @staticmethod
    def delta(sigma_L: np.ndarray, Y: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        r"""∂E/∂sum^L_k = ∂E/∂σ^L_k · ∂σ^L_k/∂sum^L_k = (σ^L_k - y_k) / m.

        The product simplifies because ∂σ^L_k/∂sum^L_k = σ^L_k·(1 - σ^L_k) for the logistic output: the two
        factors' denominators cancel, and the result is finite for every sum^L_k. ``out``: an (m, n_L) array
        to write it into.
        """
        m = sigma_L.shape[0]
        d = np.subtract(sigma_L, Y, out=out)
        d /= m
        return d


def penalty(net: Network, lam: float, m: int, regularize_bias: bool = False) -> float:
    r"""The regularization term λ/(2m) Σ_l Σ_i Σ_j (w^l_ij)² over the weights of every layer.

    With ``regularize_bias=True`` the biases b^l_j are added to the sum.
    """
    total = sum(float(np.vdot(w, w)) for w in net.W)
    if regularize_bias and net.b is not None:
        total += sum(float(np.vdot(b, b)) for b in net.b)
    return lam / (2.0 * m) * total


def add_penalty_gradient(dW: Layers, db: Layers | None, net: Network, lam: float, m: int,
                         regularize_bias: bool = False) -> None:
    r"""Add the penalty's own derivative to a gradient, in place: ∂E/∂w^l_ij += (λ/m) w^l_ij.

    This is the term the notes' product of three factors leaves out: the derivative of
    λ/2m Σ_l Σ_i Σ_j (w^l_ij)² with respect to w^l_ij (the 2 cancels). Only connections that
    exist get it (a sparse network's missing w^l_ij have no gradient); ∂E/∂b^l_j gets (λ/m) b^l_j
    only with ``regularize_bias=True``. Every gradient (vectorized, scalar, naive) ends here.
    """
    if not lam:
        return
    shapes = [w.shape for w in net.W]
    scratches = WORKSPACE.take(("penalty", *shapes), shapes)           # (λ/m) w^l_ij, without new arrays
    for l, scratch in zip(dW.layers(), scratches):
        W = net.W[l] if net.mask is None else net.W[l] * net.mask[l]
        gradient = dW[l]              # in place: `dW[l] += ...` would store a copy (Layers copies what is assigned)
        gradient += np.multiply(lam / m, W, out=scratch)
        if regularize_bias and db is not None:
            bias_gradient = db[l]
            bias_gradient += (lam / m) * net.b[l]


def penalty_gradient(net: Network, lam: float, m: int, regularize_bias: bool = False):
    r"""∂/∂w^l_ij of the penalty alone, (λ/m) w^l_ij, for every layer: returns (W, b) as Layers.

    :func:`add_penalty_gradient` added to zeros. ``b`` is None without biases; it is zero unless
    ``regularize_bias=True``.
    """
    W = Layers([np.zeros_like(w) for w in net.W], first=1, name="∂E/∂w")
    b = None if net.b is None else Layers([np.zeros_like(bl) for bl in net.b], first=1, name="∂E/∂b")
    add_penalty_gradient(W, b, net, lam, m, regularize_bias)
    return W, b


@dataclass(frozen=True)
class Evaluation:
    """E(w) on one validated batch, and what every gradient starts from.

    ``X`` (m, n_0) and ``Y`` (m, n_L) validated, ``lam`` = λ ≥ 0, ``m`` the number of examples,
    ``record`` the forward pass (every sum^l_i and σ^l_i: the values backpropagation reads again)
    and ``E`` = cross-entropy + λ/2m Σ_l Σ_i Σ_j (w^l_ij)².
    """

    X: np.ndarray
    Y: np.ndarray
    lam: float
    m: int
    record: Forward
    E: float


def evaluate(net: Network, X, Y, lam: float = 0.0, regularize_bias: bool = False) -> Evaluation:
    """Validate X, Y and λ, run the forward pass once and compute E(w): the first step of
    :func:`objective` and of every gradient (:func:`bpkit.gradient`, :func:`bpkit.scalar.gradient`,
    :func:`bpkit.naive.gradient`). Bad input raises an error saying what is wrong in the notes' terms."""
    X, Y = check_XY(net, X, Y, finite=False)
    lam = check_lam(lam)
    m = X.shape[0]
    record = net.forward_validated(X)
    check_finite_X(X, record)                     # NaN or inf in X, read through sum^1_0
    E = CrossEntropy.fn(record.sums[net.L], Y) + penalty(net, lam, m, regularize_bias)
    return Evaluation(X, Y, lam, m, record, E)


def objective(net: Network, X, Y, lam: float = 0.0, regularize_bias: bool = False) -> float:
    """E(w) for a batch X (m, n_0) with targets Y (m, n_L): see the module docstring."""
    return evaluate(net, X, Y, lam, regularize_bias).E


def cross_entropy(net: Network, X, Y) -> float:
    """The cross-entropy part of E(w) alone (λ = 0)."""
    return objective(net, X, Y, 0.0)

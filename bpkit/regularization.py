r"""E(w) as one weight or λ moves: the numbers of lesson 03 (the objective and its penalty).

    E(w) = cross-entropy + λ/2m Σ_l Σ_i Σ_j (w^l_ij)²

* :func:`weight_squares`: Σ_i Σ_j (w^l_ij)² for every layer l (what the penalty sums);
* :func:`objective_along_weight` / :func:`weight_effect`: set one weight w^l_ij and follow it to
  σ^l_j, σ^L, the cross-entropy (from σ^L alone), the penalty and E;
* :func:`fit_lambda`: a small network trained on ``bpkit.data.moons`` with a given λ (cached, so the
  λ widget and the lesson's checked cell share one training per λ), with E, its two terms and
  the accuracies.
Every number comes from :func:`bpkit.objective`, :func:`bpkit.penalty`, :class:`bpkit.CrossEntropy`
and :func:`bpkit.train`; nothing is derived again.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import data
from .network import Network
from .objective import CrossEntropy, cross_entropy, objective, penalty
from .train import accuracy, train

__all__ = ["LAMBDAS", "weight_squares", "WeightPath", "objective_along_weight", "WeightEffect", "weight_effect",
           "LambdaFit", "moons_split", "fit_lambda"]

#: the λ values of lesson 03's widget and table (λ = 0 first: no penalty at all). Not λ = 0.01: after 100 L-BFGS
#: iterations its network differs from one CPU's BLAS kernels to another's (test accuracy 0.882 to 0.892), and the
#: lesson prints the table, which must read the same on every machine.
LAMBDAS = (0.0, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def weight_squares(net) -> list[float]:
    r"""Σ_i Σ_j (w^l_ij)² for l = 1..L (biases excluded): the penalty is λ/2m times their sum."""
    return [float(np.sum(w * w)) for w in net.W]


@dataclass
class WeightPath:
    """E(w) along one weight w^l_ij: ``values`` of the weight and, at each, the two terms of E."""

    l: int
    i: int
    j: int
    values: np.ndarray
    cross_entropy: np.ndarray
    penalty: np.ndarray
    sigma_L: np.ndarray  # σ^L_0 of every example, one row per value

    @property
    def E(self) -> np.ndarray:
        return self.cross_entropy + self.penalty


def objective_along_weight(net, X, Y, lam: float, l: int, i: int, j: int, values) -> WeightPath:
    r"""Set w^l_ij to each of ``values`` (on a copy of ``net``) and record the terms of E(w).

    The cross-entropy is computed from the output layer alone (``CrossEntropy.fn`` of sum^L),
    the penalty by ``bpkit.penalty``; their sum is ``bpkit.objective``.
    """
    net = net.copy()
    values = np.asarray(values, dtype=float)
    m = np.asarray(X).shape[0]
    ce, pen, sig = [], [], []
    for v in values:
        net.W[l][i, j] = v
        rec = net.forward(X)
        ce.append(CrossEntropy.fn(rec.sums[net.L], np.asarray(Y, dtype=float).reshape(m, -1)))
        pen.append(penalty(net, lam, m))
        sig.append(rec.sigmas[net.L][:, 0].copy())
    return WeightPath(l, i, j, values, np.array(ce), np.array(pen), np.array(sig))


@dataclass
class WeightEffect:
    """What one value of a weight w^l_ij does: the neuron it feeds, the output, and E's two terms."""

    value: float
    sigma_j: np.ndarray      # σ^l_j for every example (the neuron the weight feeds)
    sigma_L: np.ndarray      # σ^L (m, n_L)
    cross_entropy: float     # from σ^L alone: CrossEntropy.fn(sum^L, Y)
    squares: list            # Σ_i Σ_j (w^l_ij)² per layer
    penalty: float           # bpkit.penalty
    E: float                 # bpkit.objective


def weight_effect(net, X, Y, lam: float, l: int, i: int, j: int, value: float) -> WeightEffect:
    r"""Set w^l_ij = ``value`` on a copy of ``net``; follow it to σ^l_j, σ^L and the terms of E(w).

    The cross-entropy is evaluated from the output layer's sums alone; ``E`` is
    ``bpkit.objective`` (and equals cross-entropy + penalty).
    """
    net = net.copy()
    net.W[l][i, j] = value
    Y = np.asarray(Y, dtype=float).reshape(np.asarray(X).shape[0], -1)
    rec = net.forward(X)
    m = rec.m
    return WeightEffect(float(value), rec.sigmas[l][:, j].copy(), rec.sigmas[net.L].copy(),
                        CrossEntropy.fn(rec.sums[net.L], Y), weight_squares(net), penalty(net, lam, m),
                        objective(net, X, Y, lam))


@dataclass
class LambdaFit:
    """One network trained with one λ, and what lesson 03 shows about it."""

    lam: float
    net: object
    E: float
    cross_entropy: float
    penalty: float
    weight_squares: list
    train_accuracy: float
    test_accuracy: float
    iterations: int


def moons_split(m: int = 100, noise: float = 0.3):
    """The λ widget's data: ``moons(m, noise, seed=0)`` to train on, ``moons(500, noise, seed=1)`` to test."""
    X, Y = data.moons(m, noise, seed=0)
    Xt, Yt = data.moons(500, noise, seed=1)
    return X, Y, Xt, Yt


@lru_cache(maxsize=64)
def fit_lambda(lam: float, sizes=(2, 8, 1), hidden: str = "tanh", seed: int = 0,
               iterations: int = 100) -> LambdaFit:
    r"""Train a ``sizes`` network (seeded) on the moons with penalty λ by L-BFGS; cached per argument.

    E, its two terms and the accuracies are computed by ``bpkit.objective``,
    ``bpkit.cross_entropy``, ``bpkit.penalty`` and ``bpkit.accuracy`` after training.
    Treat the returned network as read-only (it is shared by the cache).
    """
    X, Y, Xt, Yt = moons_split()
    net = Network(sizes, hidden=hidden, seed=seed)
    history = train(net, X, Y, lam, method="lbfgs", epochs=iterations)
    m = X.shape[0]
    return LambdaFit(float(lam), net, objective(net, X, Y, lam), cross_entropy(net, X, Y),
                     penalty(net, lam, m), weight_squares(net), accuracy(net, X, Y),
                     accuracy(net, Xt, Yt), len(history.E))

r"""Softmax outputs with their cross-entropy, for one-of-k targets (lesson 07).

The notes' output layer has one logistic neuron per output k, each with its own two-class
cross-entropy. When every example belongs to exactly one of n_L classes (the digits 0..9), the
outputs can instead be made a probability distribution over the classes:

    softmax(sum^L)_k = e^{sum^L_k} / Σ_t e^{sum^L_t}            (per example, over the row's n_L entries)

    E = −(1/m) Σ_e Σ_k y_k log softmax(sum^L)_k                   (rows of Y: one-hot or distributions)

    δ^L_k = ∂E/∂sum^L_k = (softmax(sum^L)_k − y_k) / m            (when each row of Y sums to 1)

The same simple δ^L as the logistic output's (σ^L_k − y_k)/m, with softmax in place of logistic:
∂E/∂sum^L_k = −(1/m) Σ_t y_t (1[t = k] − softmax_k) = (softmax_k Σ_t y_t − y_k)/m.

Rows are examples, as everywhere in bpkit: ``sum_L`` and ``Y`` have shape (m, n_L), and every
normalization runs along a row (axis 1). Computed stably: subtracting the row's largest sum^L_t
changes no softmax (numerator and denominator both gain the factor e^{−max}), and then every
exponent is ≤ 0, so nothing overflows, even for sum^L_k = 1000.
"""
from __future__ import annotations

import numpy as np

__all__ = ["softmax", "log_softmax", "softmax_cross_entropy", "softmax_delta"]


def _rows(sum_L) -> np.ndarray:
    sum_L = np.asarray(sum_L, dtype=float)
    if sum_L.ndim != 2:
        raise ValueError(f"sum^L must be an (m, n_L) matrix, rows are examples; got shape {sum_L.shape}")
    return sum_L


def log_softmax(sum_L) -> np.ndarray:
    r"""log softmax(sum^L)_k = sum^L_k − max_t sum^L_t − log Σ_t e^{sum^L_t − max_t sum^L_t}, per row.

    Never overflows (every exponent is ≤ 0) and never takes log 0 (the sum is ≥ 1)."""
    s = _rows(sum_L)
    shifted = s - s.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(sum_L) -> np.ndarray:
    r"""softmax(sum^L)_k = e^{sum^L_k} / Σ_t e^{sum^L_t}, per row (example); each row sums to 1.

    Computed as e^{sum^L_k − max_t sum^L_t} / Σ_t e^{sum^L_t − max_t sum^L_t} (the same number)."""
    s = _rows(sum_L)
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_cross_entropy(sum_L, Y) -> float:
    r"""E = −(1/m) Σ_e Σ_k y_k log softmax(sum^L)_k, with log softmax computed stably (:func:`log_softmax`)."""
    s = _rows(sum_L)
    Y = np.asarray(Y, dtype=float)
    if Y.shape != s.shape:
        raise ValueError(f"Y has shape {Y.shape} but sum^L has shape {s.shape}: both are (m, n_L)")
    return float(-(Y * log_softmax(s)).sum() / s.shape[0])


def softmax_delta(sum_L, Y) -> np.ndarray:
    r"""δ^L = ∂E/∂sum^L of :func:`softmax_cross_entropy`: (softmax(sum^L) − Y)/m, shape (m, n_L).

    Exact when every row of Y sums to 1 (one-hot or a distribution), as the targets of one-of-k
    outputs do; in general ∂E/∂sum^L_k = (softmax_k Σ_t y_t − y_k)/m, which this returns."""
    s = _rows(sum_L)
    Y = np.asarray(Y, dtype=float)
    if Y.shape != s.shape:
        raise ValueError(f"Y has shape {Y.shape} but sum^L has shape {s.shape}: both are (m, n_L)")
    return (softmax(s) * Y.sum(axis=1, keepdims=True) - Y) / s.shape[0]

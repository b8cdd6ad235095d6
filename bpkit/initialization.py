r"""Weight initialization schemes, and the symmetry of hidden neurons (lesson 09).

``bpkit.Network(sizes, seed=...)`` initializes its weights silently with Glorot's uniform scheme and its
biases with 0. This module writes that scheme out (:func:`glorot`, the same numbers), with the others the
lesson compares, each a list W = [w^1, ..., w^L] that :func:`network` turns into a Network through
``Network.from_weights``:

* :func:`glorot`: w^l_ij ~ U(-a_l, a_l), a_l = sqrt(6 / (n_{l-1} + n_l)), times sqrt(2) where layer l's
  activation is the logistic (every layer of a sigmoid network, and the output layer L always);
* :func:`scaled_normal`: w^l_ij ~ N(0, s² / n_{l-1}): s = 1 keeps Σ_i (w^l_ij)² near 1 per neuron;
* :func:`zeros`: every w^l_ij = 0;
* :func:`identical`: random, but all hidden neurons of a layer alike: equal columns of W^l (incoming
  weights), equal biases and equal rows of W^{l+1} (outgoing weights).

Two hidden neurons i, j of layer l are *identical* when w^l_ti = w^l_tj for every t, b^l_i = b^l_j and
w^{l+1}_ip = w^{l+1}_jp for every p (:func:`identical_neurons`). Then sum^l_i = sum^l_j and σ^l_i = σ^l_j
on every example, and ∂E/∂σ^l_i = Σ_p δ^{l+1}_p w^{l+1}_ip = ∂E/∂σ^l_j, so δ^l_i = δ^l_j and
∂E/∂w^l_ti = σ^{l-1}_t δ^l_i = ∂E/∂w^l_tj: gradient descent moves both alike and they stay identical
(:func:`symmetry_gap` measures how far from identical they are).
"""
from __future__ import annotations

import numpy as np

from . import activations
from .network import Network, check_sizes

__all__ = ["glorot_bound", "glorot", "scaled_normal", "zeros", "identical", "SCHEMES", "network",
           "identical_neurons", "symmetry_gap"]


def glorot_bound(n_in: int, n_out: int, logistic: bool) -> float:
    r"""a = sqrt(6 / (n_{l-1} + n_l)), times sqrt(2) for a logistic layer: w^l_ij ~ U(-a, a).

    U(-a, a) has variance a²/3 = 2 / (n_{l-1} + n_l) (Glorot and Bengio, 2010), the compromise between
    1/n_{l-1} (sum^l_j keeps the variance of σ^{l-1}) and 1/n_l (δ^{l-1} keeps the variance of δ^l).
    The logistic's slope at 0 is 1/4, not 1: the factor sqrt(2) is scikit-learn's choice for it.
    """
    bound = np.sqrt(6.0 / (n_in + n_out))
    return float(bound * np.sqrt(2.0)) if logistic else float(bound)


def glorot(sizes, hidden="sigmoid", seed=None) -> list[np.ndarray]:
    r"""W = [w^1, ..., w^L] with w^l_ij ~ U(-a_l, a_l), a_l = :func:`glorot_bound`: what ``Network(sizes,
    hidden, seed=seed)`` draws, number for number (one generator ``default_rng(seed)``, layer after layer)."""
    sizes = check_sizes(sizes)
    logistic_hidden = activations.get(hidden) is activations.sigmoid
    rng = np.random.default_rng(seed)
    W = []
    for l in range(1, len(sizes)):
        a = glorot_bound(sizes[l - 1], sizes[l], logistic_hidden or l == len(sizes) - 1)
        W.append(rng.uniform(-a, a, size=(sizes[l - 1], sizes[l])))
    return W


def scaled_normal(sizes, scale: float = 1.0, seed=None) -> list[np.ndarray]:
    r"""W = [w^1, ..., w^L] with w^l_ij ~ N(0, s² / n_{l-1}), s = ``scale``.

    Then sum^l_j = Σ_i w^l_ij σ^{l-1}_i has variance s² · mean_i (σ^{l-1}_i)²: s sets how far each layer
    pushes its neurons' sums from 0 (s = 1 keeps it; s = sqrt(2) is He's choice for relu)."""
    sizes = check_sizes(sizes)
    if not (np.isfinite(scale) and scale >= 0):
        raise ValueError(f"the scale s must be a finite number >= 0, got {scale}")
    rng = np.random.default_rng(seed)
    return [rng.normal(0.0, scale / np.sqrt(sizes[l - 1]), size=(sizes[l - 1], sizes[l]))
            for l in range(1, len(sizes))]


def zeros(sizes, seed=None) -> list[np.ndarray]:
    r"""W = [w^1, ..., w^L] with every w^l_ij = 0 (``seed`` is ignored: nothing is random)."""
    sizes = check_sizes(sizes)
    return [np.zeros((sizes[l - 1], sizes[l])) for l in range(1, len(sizes))]


def identical(sizes, scale: float = 1.0, seed=None) -> list[np.ndarray]:
    r"""W = [w^1, ..., w^L], random, in which all neurons of each hidden layer are identical.

    w^1_ij = a_i (every column of W^1 the same), w^l_ij = c_l for 2 <= l <= L-1 (rows and columns the
    same), w^L_ij = d_j (every row of W^L the same), with a_i, c_l, d_j ~ N(0, s² / n_{l-1})."""
    sizes = check_sizes(sizes)
    rng = np.random.default_rng(seed)
    L = len(sizes) - 1
    W = []
    for l in range(1, L + 1):
        n_in, n_out = sizes[l - 1], sizes[l]
        std = scale / np.sqrt(n_in)
        rows_alike, columns_alike = l >= 2, l <= L - 1     # layer l-1 hidden / layer l hidden
        shape = (1 if rows_alike else n_in, 1 if columns_alike else n_out)
        W.append(np.broadcast_to(rng.normal(0.0, std, size=shape), (n_in, n_out)).copy())
    return W


#: the schemes by name, each ``scheme(sizes, ...)`` -> W (see :func:`network`)
SCHEMES = {"glorot": glorot, "normal": scaled_normal, "zeros": zeros, "identical": identical}


def network(sizes, scheme: str = "glorot", hidden="sigmoid", seed=None, scale: float = 1.0,
            bias: bool = True) -> Network:
    r"""``Network.from_weights`` with W from the scheme called ``scheme`` and zero biases (None without).

    ``scale`` is s of "normal" (N(0, s²/n_{l-1})) and "identical"; "glorot" and "zeros" have none."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown initialization {scheme!r}: choose one of {', '.join(SCHEMES)}")
    sizes = check_sizes(sizes)
    if scheme == "glorot":
        W = glorot(sizes, hidden, seed)
    elif scheme == "zeros":
        W = zeros(sizes)
    else:
        W = SCHEMES[scheme](sizes, scale, seed)
    b = [np.zeros(n) for n in sizes[1:]] if bias else None
    return Network.from_weights(W, b, hidden=hidden)


def _hidden_layer(net: Network, l: int) -> None:
    if not 1 <= l <= net.L - 1:
        raise IndexError(f"layer {l} is not a hidden layer: the hidden layers are 1..{net.L - 1}")


def identical_neurons(net: Network, l: int, atol: float = 1e-12) -> list[tuple[int, int]]:
    r"""The pairs (i, j), i < j, of identical hidden neurons of layer l (1 <= l <= L-1), in order:
    |w^l_ti − w^l_tj| <= atol for every t (incoming), |b^l_i − b^l_j| <= atol (if the network has biases)
    and |w^{l+1}_ip − w^{l+1}_jp| <= atol for every p (outgoing)."""
    _hidden_layer(net, l)
    incoming, outgoing = net.W[l], net.W[l + 1]
    pairs = []
    for i in range(net.sizes[l]):
        for j in range(i + 1, net.sizes[l]):
            same = (np.all(np.abs(incoming[:, i] - incoming[:, j]) <= atol)
                    and np.all(np.abs(outgoing[i, :] - outgoing[j, :]) <= atol)
                    and (net.b is None or abs(net.b[l][i] - net.b[l][j]) <= atol))
            if same:
                pairs.append((i, j))
    return pairs


def symmetry_gap(net: Network, l: int) -> float:
    r"""How far the hidden neurons of layer l are from all identical: the largest difference from neuron 0,

        max_j max( max_t |w^l_tj − w^l_t0|, |b^l_j − b^l_0|, max_p |w^{l+1}_jp − w^{l+1}_0p| ),

    0 exactly when every neuron of layer l is identical to neuron 0."""
    _hidden_layer(net, l)
    gaps = [np.max(np.abs(net.W[l] - net.W[l][:, :1])), np.max(np.abs(net.W[l + 1] - net.W[l + 1][:1, :]))]
    if net.b is not None:
        gaps.append(np.max(np.abs(net.b[l] - net.b[l][0])))
    return float(max(gaps))

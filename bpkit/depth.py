r"""Vanishing gradients: per-layer gradient norms and saturation statistics (lesson 09).

Along the notes' recursion,

    ∂E/∂σ^l_j = Σ_p ∂E/∂σ^{l+1}_p · ∂σ^{l+1}_p/∂sum^{l+1}_p · w^{l+1}_jp,

every layer back multiplies by a slope ∂σ^{l+1}_p/∂sum^{l+1}_p and a weight. The logistic's slope is
σ^l_j(1 − σ^l_j) <= 1/4 (:func:`slope_bound`), so with weights of order 1 the gradient shrinks layer by layer:
‖∂E/∂W^l‖ (:func:`layer_norms`) is small for the first layers of a deep sigmoid network. A neuron whose
σ^l_j is near 0 or 1 has a slope near 0 (:func:`saturation`: the fraction of such neurons per layer) and
passes almost nothing back. :func:`profile` computes both for a deep network built by
:mod:`bpkit.initialization`.

The output layer has the same problem under another objective: with the squared error
E = 1/(2m) Σ_e Σ_k (σ^L_k − y_k)², δ^L = (σ^L − Y) σ^L (1 − σ^L) / m (:func:`squared_error_delta`)
vanishes when an output saturates at the wrong value, where the cross-entropy's δ^L = (σ^L − Y)/m does not.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activations, initialization
from .backprop import gradient
from .network import Network, check_XY

__all__ = ["slope_bound", "layer_norms", "slopes", "saturation", "DepthProfile", "profile",
           "squared_error", "squared_error_delta"]

#: the largest slope ∂σ^l_j/∂sum^l_j of each activation: logistic 1/4 (at sum = 0), tanh 1 (at 0), relu 1 (sum > 0)
SLOPE_BOUNDS = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}

#: a neuron is saturated on an example when its slope is below this fraction of the activation's largest
SATURATED = 0.05


def slope_bound(hidden) -> float:
    r"""max over sum^l_j of ∂σ^l_j/∂sum^l_j: 1/4 for the logistic (σ^l_j(1 − σ^l_j) is largest at σ^l_j = 1/2),
    1 for tanh (1 − (σ^l_j)², at σ^l_j = 0) and for relu (1 where sum > 0)."""
    return SLOPE_BOUNDS[activations.get(hidden).name]


def layer_norms(net: Network, X, Y) -> np.ndarray:
    r"""[‖∂E/∂W^1‖, ..., ‖∂E/∂W^L‖] (λ = 0), each the Frobenius norm ‖∂E/∂W^l‖ = sqrt(Σ_i Σ_j (∂E/∂w^l_ij)²)
    of bpkit's gradient (biases not included); entry l − 1 is layer l."""
    g = gradient(net, X, Y)
    return np.array([np.sqrt(np.sum(g.W[l] ** 2)) for l in g.W.layers()])


def slopes(net: Network, X) -> list[np.ndarray]:
    r"""[∂σ^1/∂sum^1, ..., ∂σ^{L-1}/∂sum^{L-1}]: every hidden neuron's slope ∂σ^l_j/∂sum^l_j on every
    example (shape (m, n_l) each), from the forward record's σ^l (σ^l_j(1 − σ^l_j), 1 − (σ^l_j)², 0 or 1)."""
    record = net.forward(X)
    return [net.activation(l).derivative_from_value(record.sigmas[l]) for l in range(1, net.L)]


def saturation(net: Network, X, threshold: float = SATURATED) -> np.ndarray:
    r"""For every hidden layer l = 1..L-1, the fraction of (example, neuron) pairs whose slope
    ∂σ^l_j/∂sum^l_j is below ``threshold`` times :func:`slope_bound`: for the logistic (threshold 0.05)
    σ^l_j(1 − σ^l_j) < 0.0125, i.e. σ^l_j < 0.0127 or σ^l_j > 0.9873; for tanh |σ^l_j| > 0.975; for relu
    sum^l_j <= 0 (a neuron that passes nothing back). Entry l − 1 is layer l."""
    bound = slope_bound(net.hidden)
    return np.array([float(np.mean(s < threshold * bound)) for s in slopes(net, X)])


@dataclass
class DepthProfile:
    """What :func:`profile` measured: ``norms[l-1]`` = ‖∂E/∂W^l‖ (l = 1..L), ``saturation[l-1]`` the
    fraction of saturated neurons of hidden layer l (l = 1..L-1), ``net`` the network measured."""

    norms: np.ndarray
    saturation: np.ndarray
    net: Network


def profile(X, Y, depth: int, width: int, hidden="sigmoid", scale: float | None = None,
            seed: int = 0) -> DepthProfile:
    r"""Gradient norms and saturation of a network with ``depth`` hidden layers of ``width`` neurons
    (sizes (n_0, width, ..., width, n_L), so L = depth + 1), zero biases and weights
    N(0, s²/n_{l-1}) with s = ``scale`` (:func:`bpkit.initialization.scaled_normal`), or Glorot's
    (Network's own) when ``scale`` is None."""
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if depth < 1 or width < 1:
        raise ValueError(f"depth and width must be >= 1, got depth {depth}, width {width}")
    sizes = [X.shape[1]] + [int(width)] * int(depth) + [Y.shape[1]]
    if scale is None:
        net = initialization.network(sizes, "glorot", hidden=hidden, seed=seed)
    else:
        net = initialization.network(sizes, "normal", hidden=hidden, seed=seed, scale=scale)
    return DepthProfile(layer_norms(net, X, Y), saturation(net, X), net)


def squared_error(net: Network, X, Y) -> float:
    r"""E = 1/(2m) Σ_e Σ_k (σ^L_k − y_k)²: the squared error of the outputs (no penalty), for comparison
    with the notes' cross-entropy."""
    X, Y = check_XY(net, X, Y)
    return float(np.sum((net.forward(X).sigmas[net.L] - Y) ** 2) / (2 * X.shape[0]))


def squared_error_delta(sigma_L, Y) -> np.ndarray:
    r"""δ^L_k = ∂E/∂sum^L_k of the squared error E = 1/(2m) Σ_e Σ_k (σ^L_k − y_k)² with logistic outputs:

        δ^L_k = ∂E/∂σ^L_k · ∂σ^L_k/∂sum^L_k = (σ^L_k − y_k)/m · σ^L_k (1 − σ^L_k),

    per example (rows), shape (m, n_L). The cross-entropy's δ^L_k = (σ^L_k − y_k)/m has no σ^L_k(1 − σ^L_k)."""
    sigma_L, Y = np.asarray(sigma_L, dtype=float), np.asarray(Y, dtype=float)
    m = sigma_L.shape[0]
    return (sigma_L - Y) * activations.sigmoid.derivative_from_value(sigma_L) / m

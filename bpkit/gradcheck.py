r"""Central differences: the gradient check every backpropagation must pass.

    ∂E/∂w^l_ij ≈ (E(w^l_ij + ε) - E(w^l_ij - ε)) / 2ε

with an error of order ε². It needs two evaluations of E per parameter, so it is far
slower than backpropagation, but it uses nothing but E itself: an independent oracle.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network, check_lam, check_XY
from .notation import Gradient, Layers
from .objective import objective


def central_difference(f, array: np.ndarray, index, eps: float = 1e-6):
    r"""(f(a + ε) − f(a − ε)) / 2ε for one entry a = ``array[index]``: the one central difference in bpkit.

    ``f`` takes no arguments and reads ``array`` (a weight matrix, a bias vector, a parameter vector θ);
    the entry is set to a + ε, then a − ε, and always put back exactly, also if ``f`` raises. ``f`` may
    return a number (∂E/∂w^l_ij, ∂o/∂w^l_ij) or an array (a column of the Hessian from two gradients).
    The error is O(ε²); rounding adds about (machine ε)·|f|/ε.
    """
    old = array[index]
    try:
        array[index] = old + eps
        plus = f()
        array[index] = old - eps
        minus = f()
    finally:
        array[index] = old
    return (plus - minus) / (2 * eps)


def numerical_gradient(net: Network, X, Y, lam: float = 0.0, regularize_bias: bool = False,
                       eps: float = 1e-6) -> Gradient:
    """∂E/∂w^l_ij (and ∂E/∂b^l_j) by central differences; same result type as :func:`bpkit.gradient`.

    Connections that do not exist (a sparse network's mask) are not perturbed: their entry is 0.
    The network is left exactly as it was.
    """
    X, Y = check_XY(net, X, Y)
    lam = check_lam(lam)
    E = objective(net, X, Y, lam, regularize_bias)

    def partial(arr: np.ndarray, idx) -> float:
        return central_difference(lambda: objective(net, X, Y, lam, regularize_bias), arr, idx, eps)

    dW = []
    for l in net.W.layers():
        w = net.W[l]
        g = np.zeros_like(w)
        for idx in np.ndindex(*w.shape):
            if net.connected(l, *idx):
                g[idx] = partial(w, idx)
        dW.append(g)
    db = None
    if net.b is not None:
        db = [np.array([partial(net.b[l], (j,)) for j in range(net.sizes[l])]) for l in net.b.layers()]
        db = Layers(db, 1, "∂E/∂b")
    return Gradient(Layers(dW, 1, "∂E/∂w"), db, E)


def relative_error(a, b) -> float:
    """max |a - b| / max(|a| + |b|, 1e-12), elementwise: the usual gradient-check measure."""
    a = a.flat() if isinstance(a, Gradient) else np.ravel(np.asarray(a, dtype=float))
    b = b.flat() if isinstance(b, Gradient) else np.ravel(np.asarray(b, dtype=float))
    if a.shape != b.shape:
        raise ValueError(f"cannot compare gradients of {a.size} and {b.size} entries")
    denom = np.maximum(np.abs(a) + np.abs(b), 1e-12)
    return float(np.max(np.abs(a - b) / denom)) if a.size else 0.0


@dataclass
class GradientCheck:
    """The result of :func:`gradient_check`: backprop vs central differences."""

    backprop: Gradient
    numerical: Gradient
    relative_error: float
    tolerance: float

    @property
    def ok(self) -> bool:
        return self.relative_error <= self.tolerance

    def __str__(self) -> str:
        """The verdict, the same on every machine: an error far below the tolerance (more than 10 times)
        is printed as that bound, ``relative error < 1e-06``, since its digits are rounding noise that
        differs between CPUs and BLAS libraries; a larger one is printed as it is."""
        verdict = "agree" if self.ok else "DISAGREE"
        bound = self.tolerance / 10
        error = f"< {bound:.0e}" if self.relative_error < bound else f"{self.relative_error:.1e}"
        return f"backprop and central differences {verdict}: relative error {error} (tolerance {self.tolerance:.0e})"


def gradient_check(net: Network, X, Y, lam: float = 0.0, regularize_bias: bool = False,
                   method=None, eps: float = 1e-6, tolerance: float = 1e-5) -> GradientCheck:
    """Compare a backpropagation ``method`` (default :func:`bpkit.gradient`) with central differences."""
    if method is None:
        from .backprop import gradient as method
    bp = method(net, X, Y, lam, regularize_bias)
    num = numerical_gradient(net, X, Y, lam, regularize_bias, eps)
    return GradientCheck(bp, num, relative_error(bp, num), tolerance)

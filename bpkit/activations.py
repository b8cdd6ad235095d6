r"""Activation functions σ = g(sum) and their derivatives ∂σ/∂sum.

Each :class:`Activation` gives the value σ^l_j = g(sum^l_j), the derivative
∂σ^l_j/∂sum^l_j (the middle factor of the notes' product, "just differentiate the
activation function"), a name, and both in LaTeX.

The activation called "sigmoid" is the logistic function, written logistic(s) = 1/(1 + e^{-s})
(scikit-learn's name for it), never σ(s): σ is only ever a neuron's value σ^l_j, as in the notes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


def _numpy_exp_is_simd() -> bool:
    """Whether numpy evaluates float64 exp with vector instructions on this CPU.

    numpy's own float64 exp and log loops are vectorized for AVX-512 only (the dispatch targets AVX512F and
    AVX512_SKX up to numpy 2.2, X86_V4 since 2.3); on every other CPU (AVX2, ARM) it calls the C library's exp
    once per number. The answer depends only on the CPU and on ``NPY_DISABLE_CPU_FEATURES``, never on timing:
    the same machine always computes σ^l the same way.
    """
    try:
        from numpy._core import _multiarray_umath as umath      # numpy >= 2
    except ImportError:                                         # numpy 1.x
        from numpy.core import _multiarray_umath as umath
    features, dispatch = umath.__cpu_features__, umath.__cpu_dispatch__
    return any(features.get(target) for target in ("AVX512F", "AVX512_SKX", "X86_V4") if target in dispatch)


def _logistic_numpy(s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    r"""logistic(s) = 1 / (1 + e^{-s}) by numpy's exp: four passes over the array (negate, exp, add 1, divide),
    fastest where numpy's exp is vectorized (AVX-512). e^{-s} may overflow to inf, and 1/(1 + inf) = 0 exactly."""
    t = np.negative(s, out=out)
    with np.errstate(over="ignore"):
        np.exp(t, out=t)
    t += 1.0
    return np.divide(1.0, t, out=t)          # = np.reciprocal, but numpy vectorizes the division, not reciprocal


def _logistic_scipy(s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    r"""logistic(s) = 1 / (1 + e^{-s}) by scipy's ``expit``: one pass, one scalar exp per number; fastest where
    numpy's exp is scalar too (CPUs without AVX-512)."""
    from scipy.special import expit

    return expit(s, out=out)


#: the way σ^l = logistic(sum^l) is computed on this CPU (the same numbers to within 4 ulp: tests/test_activations.py)
_logistic = _logistic_numpy if _numpy_exp_is_simd() else _logistic_scipy


def _sigmoid(s, out=None):
    r"""σ = logistic(sum) = 1 / (1 + e^{-sum}), for any sum (±800 gives exactly 1 or 0).

    Within 4 ulp of scipy's ``expit`` (tested; numpy's vectorized exp is not correctly rounded, and 1 + e^{-sum}
    rounds again): by numpy's vectorized exp where numpy has one (AVX-512), else by
    ``expit`` itself. ``out``: an array of sum's shape to write σ into (it may be sum itself).
    """
    s = np.asarray(s, dtype=float)
    t = _logistic(s, out=np.empty_like(s) if out is None else out)  # an array even for a single number
    return t if t.ndim else t[()]


def _sigmoid_prime(s):
    r"""∂σ/∂sum = logistic(sum) (1 - logistic(sum))."""
    g = _sigmoid(s)
    return g * (1.0 - g)


def _sigmoid_prime_from_value(g, out=None):
    r"""∂σ/∂sum = σ (1 - σ), from the neuron's value σ = logistic(sum) itself (one new array, or ``out``:
    1 - σ, then times σ in place)."""
    d = np.subtract(1.0, g, out=out)
    d *= g
    return d


def _tanh_prime_from_value(g, out=None):
    r"""∂σ/∂sum = 1 - σ², from σ = tanh(sum) itself (one new array, or ``out``)."""
    if out is None:
        d = np.negative(np.multiply(g, g))   # −σ², then + 1 in place: the same numbers as 1 − σ²
    else:
        d = np.multiply(g, g, out=out)
        np.negative(d, out=d)
    d += 1.0
    return d


def _tanh_prime(s):
    r"""∂σ/∂sum = 1 - tanh²(sum)."""
    return 1.0 - np.tanh(s) ** 2


def _relu(s, out=None):
    return np.maximum(np.asarray(s, dtype=float), 0.0, out=out)


def _relu_prime_from_value(g, out=None):
    r"""∂σ/∂sum = 1 where σ = relu(sum) > 0, else 0 (a new array, or ``out``)."""
    return (g > 0).astype(float) if out is None else np.greater(g, 0.0, out=out)


def _relu_prime(s):
    r"""∂σ/∂sum = 1 if sum > 0 else 0 (we take 0 at sum = 0)."""
    return (np.asarray(s) > 0).astype(float)


@dataclass(frozen=True)
class Activation:
    """An activation function g with its derivative, name and LaTeX."""

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    latex: str
    derivative_latex: str
    #: ∂σ/∂sum written in terms of σ itself (saves recomputing g in the backward pass).
    #: ``value`` and ``derivative_from_value`` accept ``out=``, an array to write the result into.
    derivative_from_value: Callable[[np.ndarray], np.ndarray] = None

    def __call__(self, s):
        return self.value(s)

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


sigmoid = Activation(
    "sigmoid", _sigmoid, _sigmoid_prime,
    r"\operatorname{logistic}(s) = \frac{1}{1 + e^{-s}}",
    r"\frac{\partial \sigma^l_j}{\partial\,\text{sum}^l_j} = \operatorname{logistic}(\text{sum}^l_j)\,"
    r"\big(1 - \operatorname{logistic}(\text{sum}^l_j)\big) = \sigma^l_j\,(1 - \sigma^l_j)",
    _sigmoid_prime_from_value,
)
tanh = Activation(
    "tanh", np.tanh, _tanh_prime,
    r"\tanh(s) = \frac{e^{s} - e^{-s}}{e^{s} + e^{-s}}",
    r"\frac{\partial \sigma^l_j}{\partial\,\text{sum}^l_j} = 1 - \tanh^2(\text{sum}^l_j) = 1 - (\sigma^l_j)^2",
    _tanh_prime_from_value,
)
relu = Activation(
    "relu", _relu, _relu_prime,
    r"\mathrm{relu}(s) = \max(0, s)",
    r"\frac{\partial \sigma^l_j}{\partial\,\text{sum}^l_j} = \begin{cases} 1 & \text{sum}^l_j > 0 \\ 0 & "
    r"\text{sum}^l_j \le 0 \end{cases}",
    _relu_prime_from_value,
)

ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (sigmoid, tanh, relu)}
#: scikit-learn's name for the sigmoid
ACTIVATIONS["logistic"] = sigmoid


def get(name: "str | Activation") -> Activation:
    """The activation called ``name``; a ValueError lists the known ones otherwise."""
    if isinstance(name, Activation):
        return name
    if not isinstance(name, str) or name not in ACTIVATIONS:
        known = ", ".join(sorted(k for k in ACTIVATIONS if k != "logistic"))
        raise ValueError(f"unknown activation {name!r}: the known activations are {known}")
    return ACTIVATIONS[name]


def log_sigmoid(s):
    r"""log logistic(s) = -log(1 + e^{-s}), exact and finite for every finite s."""
    return -np.logaddexp(0.0, -np.asarray(s, dtype=float))

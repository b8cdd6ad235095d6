r"""The cost of a gradient: how the work of the chain rule grows, with and without memoization.

Memoized backpropagation (:mod:`bpkit.scalar`) stores every ∂E/∂σ^l_j once; the naive chain rule
(:mod:`bpkit.naive`) re-expands the notes' sum over p along every path from w^l_ij to the outputs.
Both count their scalar multiplications; their closed forms are :func:`bpkit.scalar.multiplication_count`
and :func:`bpkit.naive.multiplication_count`. A sweep gives, for each architecture, the counts by the
formulas, checked against the counters where the naive gradient is cheap enough, and optionally the
wall-clock time of each; the fits give growth exponents (count ≈ c · n_weights^p) and factors per
layer (count ≈ c · factor^L). The networks are the notes' kind: no biases.

The fair baseline for backpropagation is not the naive chain rule but central differences
(:func:`bpkit.numerical_gradient`): two evaluations of E per parameter, each a whole forward pass plus E.
:func:`central_difference_count` and :func:`backprop_count` count both the same way (one multiplication per
weight per example in a forward pass; additions, bias additions, activations and logs are free), and
:func:`gradient_cost_sweep` puts them, and the seconds each gradient takes, side by side.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from . import naive, scalar
from .network import Network

__all__ = ["Row", "architecture", "count_row", "sweep", "fit_exponent", "fit_growth_factor", "local_slopes",
           "n_parameters", "forward_count", "objective_count", "backprop_count", "central_difference_count",
           "GradientCostRow", "gradient_cost_row", "gradient_cost_sweep"]


@dataclass
class Row:
    """One architecture of a sweep: sizes, number of weights, counts (formula and, when measured,
    the counters of an actual gradient) and, when timed, seconds per gradient."""

    sizes: tuple
    n_weights: int
    memo_count: int
    naive_count: int
    memo_measured: int | None = None
    naive_measured: int | None = None
    memo_time: float | None = None
    naive_time: float | None = None

    @property
    def depth(self) -> int:
        """L, the number of weight layers."""
        return len(self.sizes) - 1

    @property
    def ratio(self) -> float:
        return self.naive_count / self.memo_count


def architecture(width: int, hidden_layers: int, n_in: int | None = None, n_out: int | None = None) -> tuple:
    """(n_0, n_1, ..., n_L): ``hidden_layers`` hidden layers of ``width`` neurons; input and
    output of ``width`` neurons too unless given."""
    n_in = width if n_in is None else n_in
    n_out = width if n_out is None else n_out
    return (n_in,) + (width,) * hidden_layers + (n_out,)


def _data(sizes, m: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, sizes[0]))
    Y = (rng.random((m, sizes[-1])) < 0.5).astype(float)
    return X, Y


def count_row(sizes, m: int = 1, measure_memo: bool = True, measure_naive: bool = True,
              timed: bool = False, repeat: int = 3, seed: int = 0) -> Row:
    """The counts for one architecture; ``measure_*`` runs that gradient and reads its counter,
    ``timed`` also records the best of ``repeat`` wall-clock times of each gradient run."""
    sizes = tuple(int(n) for n in sizes)
    row = Row(sizes, sum(a * b for a, b in zip(sizes, sizes[1:])),
              scalar.multiplication_count(sizes, m), naive.multiplication_count(sizes, m, bias=False))
    if not (measure_memo or measure_naive):
        return row
    net = Network(sizes, bias=False, seed=seed)
    X, Y = _data(sizes, m, seed)
    for kind, fn, wanted in (("memo", scalar.gradient, measure_memo), ("naive", naive.gradient, measure_naive)):
        if not wanted:
            continue
        best = np.inf
        for _ in range(repeat if timed else 1):
            t0 = time.perf_counter()
            g = fn(net, X, Y)
            best = min(best, time.perf_counter() - t0)
        setattr(row, f"{kind}_measured", int(g.extras["multiplications"]))
        if timed:
            setattr(row, f"{kind}_time", float(best))
    return row


def sweep(architectures, m: int = 1, naive_limit: int = 200_000, timed: bool = False,
          repeat: int = 3, seed: int = 0) -> list[Row]:
    """:func:`count_row` for every architecture; the naive gradient is only run (measured,
    timed) where its count is at most ``naive_limit`` multiplications."""
    rows = []
    for sizes in architectures:
        cheap = naive.multiplication_count(sizes, m, bias=False) <= naive_limit
        rows.append(count_row(sizes, m, True, cheap, timed, repeat, seed))
    return rows


def fit_exponent(x, y) -> float:
    """The slope of log y against log x (least squares): y ≈ c · x^slope."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def fit_growth_factor(depths, y) -> float:
    """The factor per layer of an exponential fit y ≈ c · factor^depth (log y linear in depth)."""
    d, y = np.asarray(depths, dtype=float), np.asarray(y, dtype=float)
    return float(np.exp(np.polyfit(d, np.log(y), 1)[0]))


def local_slopes(rows, key: str) -> np.ndarray:
    """The slope of every segment of log(count) against log(number of weights)."""
    x = np.log([r.n_weights for r in rows])
    y = np.log([getattr(r, key) for r in rows])
    return np.diff(y) / np.diff(x)


# ------------------------------------------------------------------ backprop against central differences
def n_parameters(sizes, bias: bool = True) -> int:
    """P, the parameters a gradient has an entry for: Σ_l n_{l-1} n_l weights w^l_ij (+ Σ_l n_l biases b^l_j)."""
    sizes = list(sizes)
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    return weights + (sum(sizes[1:]) if bias else 0)


def forward_count(sizes, m: int = 1) -> int:
    """The multiplications of one forward pass: sum^l_j = Σ_i w^l_ij σ^{l-1}_i (+ b^l_j) is n_{l-1}
    products for every neuron j of layer l and every example, so m · Σ_l n_{l-1} n_l. Adding b^l_j and
    applying the activation (σ^l_j = logistic(sum^l_j), tanh, relu) are not multiplications."""
    sizes = list(sizes)
    return m * sum(a * b for a, b in zip(sizes, sizes[1:]))


def objective_count(sizes, m: int = 1) -> int:
    """The multiplications of one evaluation of E(w) with λ = 0: a forward pass, then for every example and
    every output k the two products y_k · log σ^L_k and (1 - y_k) · log(1 - σ^L_k), then one product of the
    sum with 1/m:  forward_count + 2 m n_L + 1."""
    return forward_count(sizes, m) + 2 * m * list(sizes)[-1] + 1


def backprop_count(sizes, m: int = 1) -> int:
    """The multiplications of a gradient by backpropagation (λ = 0): one forward pass (the record it reads)
    plus the backward pass, :func:`bpkit.scalar.multiplication_count` (the same count for the vectorized
    :func:`bpkit.gradient`; biases add none: ∂E/∂b^l_j is a sum of ∂E/∂sum^l_j over the examples)."""
    return forward_count(sizes, m) + scalar.multiplication_count(sizes, m)


def central_difference_count(sizes, m: int = 1, bias: bool = True) -> int:
    """The multiplications of a gradient by central differences (:func:`bpkit.numerical_gradient`, λ = 0).

    For each of the P parameters θ (:func:`n_parameters`), ∂E/∂θ ≈ (E(θ + ε) - E(θ - ε)) · 1/(2ε):
    two evaluations of E (:func:`objective_count` each) and one product:

        P · (2 · objective_count(sizes, m) + 1)  ≈  2P forward passes.

    (:func:`bpkit.numerical_gradient` also evaluates E once at w to report it; the gradient does not need it.)
    """
    return n_parameters(sizes, bias) * (2 * objective_count(sizes, m) + 1)


@dataclass
class GradientCostRow:
    """One architecture: P, the multiplications of backprop and of central differences and, when timed,
    the seconds each takes for one gradient (:func:`bpkit.gradient`, :func:`bpkit.numerical_gradient`)."""

    sizes: tuple
    m: int
    bias: bool
    P: int
    backprop_count: int
    central_count: int
    backprop_time: float | None = None
    central_time: float | None = None

    @property
    def count_ratio(self) -> float:
        """central differences / backprop, in multiplications."""
        return self.central_count / self.backprop_count

    @property
    def time_ratio(self) -> float | None:
        """central differences / backprop, in seconds (None if not timed)."""
        if self.backprop_time is None or self.central_time is None:
            return None
        return self.central_time / self.backprop_time


def gradient_cost_row(sizes, m: int = 1, bias: bool = True, timed: bool = False, repeat: int = 3,
                      seed: int = 0) -> GradientCostRow:
    """Both counts for one architecture; ``timed`` also records the best of ``repeat`` wall-clock times of
    :func:`bpkit.gradient` and of :func:`bpkit.numerical_gradient` on a network with these sizes."""
    from .backprop import gradient
    from .gradcheck import numerical_gradient

    sizes = tuple(int(n) for n in sizes)
    row = GradientCostRow(sizes, m, bias, n_parameters(sizes, bias), backprop_count(sizes, m),
                          central_difference_count(sizes, m, bias))
    if timed:
        net = Network(sizes, bias=bias, seed=seed)
        X, Y = _data(sizes, m, seed)
        for name, fn in (("backprop_time", gradient), ("central_time", numerical_gradient)):
            best = np.inf
            for _ in range(repeat):
                t0 = time.perf_counter()
                fn(net, X, Y)
                best = min(best, time.perf_counter() - t0)
            setattr(row, name, float(best))
    return row


def gradient_cost_sweep(architectures, m: int = 1, bias: bool = True, timed: bool = False, repeat: int = 3,
                        seed: int = 0) -> list[GradientCostRow]:
    """:func:`gradient_cost_row` for every architecture (e.g. ``architecture(n, 1)`` for growing widths n)."""
    return [gradient_cost_row(sizes, m, bias, timed, repeat, seed) for sizes in architectures]

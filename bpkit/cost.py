r"""The cost of a gradient: how the work of the chain rule grows, with and without memoization.

Memoized backpropagation (:mod:`bpkit.scalar`) stores every ∂E/∂σ^l_j once; the naive chain rule
(:mod:`bpkit.naive`) re-expands the notes' sum over p along every path from w^l_ij to the outputs.
Both count their scalar multiplications; their closed forms are :func:`bpkit.scalar.multiplication_count`
and :func:`bpkit.naive.multiplication_count`. A sweep gives, for each architecture, the counts by the
formulas, checked against the counters where the naive gradient is cheap enough, and optionally the
wall-clock time of each; the fits give growth exponents (count ≈ c · n_weights^p) and factors per
layer (count ≈ c · factor^L). The networks are the notes' kind: no biases.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from . import naive, scalar
from .network import Network

__all__ = ["Row", "architecture", "count_row", "sweep", "fit_exponent", "fit_growth_factor", "local_slopes"]


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

r"""Lesson 05: how the work of the chain rule grows, with and without memoization.

Memoized backpropagation (:mod:`bpkit.scalar`) stores every ∂E/∂σ^l_j once; the naive
chain rule (:mod:`bpkit.naive`) re-expands the notes' sum over p along every path from
w^l_ij to the outputs. Both count their scalar multiplications; their closed forms are
:func:`bpkit.scalar.multiplication_count` and :func:`bpkit.naive.multiplication_count`.

The fair baseline, central differences (:func:`bpkit.numerical_gradient`: two evaluations of E per
parameter), is counted and timed against backpropagation by :func:`bpkit.cost.gradient_cost_sweep`.

The sweeps, counts, times and fits are computed by :mod:`bpkit.cost`; this module prints
their tables and draws the log-log plots.
"""
from __future__ import annotations

import numpy as np

from bpkit import labels
from bpkit.cost import fit_exponent, fit_growth_factor, local_slopes

__all__ = ["counts_table", "times_table", "steps_table", "plot_width_sweep", "plot_depth_sweep",
           "plot_times", "format_path", "gradient_cost_table", "gradient_cost_times_table", "plot_gradient_cost"]


def counts_table(rows) -> str:
    """A fixed-width table: architecture, weights, both counts (formula and counter) and the ratio."""
    head = (f"{'sizes':>22s}{'L':>3s}{'weights':>9s}{'memoized':>11s}{'(counter)':>11s}"
            f"{'naive':>13s}{'(counter)':>13s}{'naive/memo':>12s}")
    lines = [head]
    for r in rows:
        mm = "" if r.memo_measured is None else str(r.memo_measured)
        nm = "not run" if r.naive_measured is None else str(r.naive_measured)
        lines.append(f"{'-'.join(map(str, r.sizes)):>22s}{r.depth:>3d}{r.n_weights:>9d}{r.memo_count:>11d}"
                     f"{mm:>11s}{r.naive_count:>13d}{nm:>13s}{r.ratio:>12.1f}")
    return "\n".join(lines)


def times_table(rows) -> str:
    """Seconds per gradient (best of a few runs) and the naive/memoized time ratio."""
    lines = [f"{'sizes':>22s}{'weights':>9s}{'memoized s':>12s}{'naive s':>12s}{'naive/memo':>12s}"]
    for r in rows:
        nt = "not run" if r.naive_time is None else f"{r.naive_time:.5f}"
        ratio = "" if r.naive_time is None else f"{r.naive_time / r.memo_time:.1f}"
        lines.append(f"{'-'.join(map(str, r.sizes)):>22s}{r.n_weights:>9d}{r.memo_time:>12.5f}{nt:>12s}{ratio:>12s}")
    return "\n".join(lines)


def _entry(e) -> str:
    kind, l, j = e
    return f"{kind}^{l}_{j}"


def steps_table(grad, example: int = 0) -> str:
    """The memo table of :func:`bpkit.scalar.gradient`, in the order it was filled: for every
    step the entry written, its value (for one example), the entries read and the multiplications."""
    lines = [f"{'step':>4s}  {'writes':10s}{'value':>11s}  {'mults':>5s}  reads"]
    for k, s in enumerate(grad.extras["steps"], start=1):
        reads = ", ".join(_entry(r) for r in s.reads) if s.reads else "(output layer: from σ^L and y)"
        lines.append(f"{k:>4d}  {_entry(s.writes):10s}{float(s.value[example]):>11.6f}  "
                     f"{s.multiplications:>5d}  {reads}")
    return "\n".join(lines)


def format_path(path, l: int) -> str:
    """A path (i, j, p_{l+1}, ..., k) from :func:`bpkit.naive.paths` as σ^{l-1}_i → σ^l_j → ... → σ^L_k."""
    return " → ".join(labels.neuron_text(l - 1 + t, n) for t, n in enumerate(path))


# --------------------------------------------------------------------------------------- plots
def _loglog(ax, rows, key_formula, key_measured, color, label):
    x = [r.n_weights for r in rows]
    y = [getattr(r, key_formula) for r in rows]
    slope = fit_exponent(x, y)
    ax.plot(x, y, "-", color=color, lw=2, label=f"{label} (formula), fitted slope {slope:.2f}")
    meas = [(r.n_weights, getattr(r, key_measured)) for r in rows if getattr(r, key_measured) is not None]
    if meas:
        ax.plot(*zip(*meas), "o", color=color, ms=6, mfc="none", label=f"{label} (counter)")
    return slope


def plot_width_sweep(rows, ax=None):
    """Multiplications against the number of weights, log-log, as the width grows (depth fixed)."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
    else:
        fig = ax.figure
    _loglog(ax, rows, "memo_count", "memo_measured", "C0", "memoized")
    _loglog(ax, rows, "naive_count", "naive_measured", "C3", "naive")
    ax.set_xscale("log")
    ax.set_yscale("log")
    L = rows[0].depth
    ax.set_xlabel(r"number of weights $w^l_{ij}$", fontsize=12)
    ax.set_ylabel(r"multiplications for $\partial E/\partial w$ (m = 1)", fontsize=12)
    ax.set_title(f"Growing the width, depth fixed (L = {L})", fontsize=12)
    ax.legend(fontsize=9)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def plot_depth_sweep(rows, axes=None):
    """Multiplications as the depth grows (width fixed): log-log against the number of weights
    (the naive curve bends upward: no power law fits it) and log-linear against L (a straight
    line: exponential)."""
    import matplotlib.pyplot as plt

    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    else:
        fig = axes[0].figure
    ax = axes[0]
    x = [r.n_weights for r in rows]
    half = len(rows) // 2
    memo_slope = fit_exponent(x[half:], [r.memo_count for r in rows[half:]])
    naive_local = local_slopes(rows, "naive_count")
    ax.plot(x, [r.memo_count for r in rows], "-", color="C0", lw=2,
            label=f"memoized (formula), slope {memo_slope:.2f} (deepest half)")
    ax.plot(x, [r.naive_count for r in rows], "-", color="C3", lw=2,
            label=f"naive (formula), local slope {naive_local[0]:.1f} → {naive_local[-1]:.1f}")
    for key, color, label in (("memo_measured", "C0", "memoized"), ("naive_measured", "C3", "naive")):
        meas = [(r.n_weights, getattr(r, key)) for r in rows if getattr(r, key) is not None]
        if meas:
            ax.plot(*zip(*meas), "o", color=color, ms=6, mfc="none", label=f"{label} (counter)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"number of weights $w^l_{ij}$", fontsize=12)
    ax.set_ylabel("multiplications (m = 1)", fontsize=12)
    ax.set_title(f"Growing the depth, width {rows[0].sizes[1]}: log-log", fontsize=12)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    ax = axes[1]
    d = [r.depth for r in rows]
    memo = [r.memo_count for r in rows]
    naive_ = [r.naive_count for r in rows]
    step = float(np.mean(np.diff(memo)))
    ax.plot(d, memo, "o-", color="C0", label=f"memoized: +{step:.0f} per layer (linear in L)")
    ax.plot(d, naive_, "o-", color="C3", label=f"naive: x{fit_growth_factor(d, naive_):.2f} per layer (fit)")
    ax.set_yscale("log")
    ax.set_xlabel("depth L (number of weight layers)", fontsize=12)
    ax.set_ylabel("multiplications (m = 1)", fontsize=12)
    ax.set_title("The same against L: naive is exponential in L", fontsize=12)
    ax.legend(fontsize=9)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def plot_times(width_rows, depth_rows=None, ax=None):
    """Seconds per gradient against the number of weights, log-log, with fitted slopes."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
    else:
        fig = ax.figure
    for rows, marker, what in ((width_rows, "o", "width sweep"), (depth_rows or [], "s", "depth sweep")):
        for key, color, label in (("memo_time", "C0", "memoized"), ("naive_time", "C3", "naive")):
            pts = [(r.n_weights, getattr(r, key)) for r in rows if getattr(r, key) is not None]
            if len(pts) < 2:
                continue
            slope = fit_exponent(*zip(*pts))
            ax.plot(*zip(*pts), marker + "-", color=color, mfc="none" if marker == "s" else color,
                    label=f"{label}, {what}: slope {slope:.2f}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"number of weights $w^l_{ij}$", fontsize=12)
    ax.set_ylabel("seconds per gradient", fontsize=12)
    ax.set_title("Wall-clock time (this machine, this run)", fontsize=12)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


# ------------------------------------------------------------------ backprop against central differences
def gradient_cost_table(rows) -> str:
    """The multiplications of one gradient by backprop and by central differences, and their ratio, per P."""
    lines = [f"{'sizes':>14s}{'P':>7s}{'backprop':>12s}{'central diff.':>16s}{'ratio':>9s}"]
    for r in rows:
        lines.append(f"{'-'.join(map(str, r.sizes)):>14s}{r.P:>7d}{r.backprop_count:>12d}{r.central_count:>16d}"
                     f"{r.count_ratio:>9.1f}")
    return "\n".join(lines)


def gradient_cost_times_table(rows) -> str:
    """Seconds per gradient (best of a few runs) by backprop and by central differences, and their ratio."""
    lines = [f"{'sizes':>14s}{'P':>7s}{'backprop s':>13s}{'central diff. s':>17s}{'ratio':>9s}"]
    for r in rows:
        lines.append(f"{'-'.join(map(str, r.sizes)):>14s}{r.P:>7d}{r.backprop_time:>13.5f}{r.central_time:>17.5f}"
                     f"{r.time_ratio:>9.1f}")
    return "\n".join(lines)


def plot_gradient_cost(rows):
    """Backprop against central differences as P grows, log-log: multiplications (left) and, if the rows
    were timed, seconds per gradient (right), each with its fitted slope."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    P = [r.P for r in rows]
    panels = ((axes[0], "backprop_count", "central_count", "multiplications per gradient"),
              (axes[1], "backprop_time", "central_time", "seconds per gradient"))
    for ax, bp_key, cd_key, ylabel in panels:
        for key, color, label in ((bp_key, "C0", "backprop"), (cd_key, "C3", "central differences")):
            pts = [(p, getattr(r, key)) for p, r in zip(P, rows) if getattr(r, key) is not None]
            if len(pts) < 2:
                continue
            slope = fit_exponent(*zip(*pts))
            ax.plot(*zip(*pts), "o-", color=color, label=f"{label}: slope {slope:.2f}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())       # decades only: minor labels overlap
        ax.set_xlabel(r"number of parameters $P$ ($w^l_{ij}$ and $b^l_j$)", fontsize=12)
        ax.set_ylabel(ylabel, fontsize=12)
        ax.grid(alpha=0.3, which="both")
        if ax.lines:
            ax.legend(fontsize=9)
    axes[0].set_title(f"Counted (m = {rows[0].m})", fontsize=12)
    axes[1].set_title("Wall-clock time (this machine, this run)", fontsize=12)
    fig.tight_layout()
    return fig

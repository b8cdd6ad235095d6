r"""Plots for lesson 03, the objective E(w).

.. math::

    E(w) = -\frac{1}{m}\sum_{e}\sum_k \Big[y^{(e)}_k \log σ^L_k + (1 - y^{(e)}_k)\log(1 - σ^L_k)\Big]
           + \frac{λ}{2m}\sum_l\sum_i\sum_j (w^l_{ij})^2

The numbers (E along one weight, the fits for each λ) are computed by :mod:`bpkit.regularization`;
* :func:`fit_table` prints the fits for every λ;
* :class:`RegularizationFigure` draws one fit: decision boundary and weight sizes per layer,
  reusing one figure (only its artists change), rendered to PNG bytes for an ``Image`` widget;
* :func:`plot_log_forms` compares the naive and the stable (log-sigmoid) cross-entropy.

Every number here comes from bpkit's core (``bpkit.objective``, ``bpkit.penalty``,
``bpkit.CrossEntropy``, ``bpkit.train``); nothing is re-derived.
"""
from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from bpkit import labels
from bpkit.objective import CrossEntropy
from bpkit.activations import sigmoid
from bpkit.regularization import LAMBDAS, LambdaFit, WeightPath, fit_lambda, moons_split

def fit_table(lams=LAMBDAS) -> str:
    """A fixed-format table of :func:`fit_lambda` for every λ (what the lesson prints and the widget shows)."""
    fits = [fit_lambda(float(lam)) for lam in lams]
    L = fits[0].net.L
    head = f"{'λ':>6} {'E(w)':>8} {'cross-ent.':>10} {'penalty':>8} " + " ".join(
        f"{'Σ(w^%d)²' % l:>10}" for l in range(1, L + 1)) + f" {'train acc':>9} {'test acc':>8} {'iterations':>10}"
    rows = [head]
    for f in fits:
        rows.append(f"{f.lam:>6g} {f.E:>8.4f} {f.cross_entropy:>10.4f} {f.penalty:>8.4f} "
                    + " ".join(f"{s:>10.3g}" for s in f.weight_squares)
                    + f" {f.train_accuracy:>9.3f} {f.test_accuracy:>8.3f} {f.iterations:>10d}")
    return "\n".join(rows)


# ----------------------------------------------------------------------------------- figures
def _grid(X, n: int = 120, pad: float = 0.6):
    x0, x1 = X[:, 0].min() - pad, X[:, 0].max() + pad
    y0, y1 = X[:, 1].min() - pad, X[:, 1].max() + pad
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return gx, gy, (x0, x1, y0, y1)


def plot_decision_boundary(net, X, Y, ax=None, title: str | None = None):
    r"""σ^L_0 over the plane (colour), its 1/2 level (the decision boundary) and the examples."""
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(5, 4))
    gx, gy, extent = _grid(X)
    P = net.predict_proba(np.c_[gx.ravel(), gy.ravel()])[:, 0].reshape(gx.shape)
    ax.imshow(P, origin="lower", extent=extent, cmap="RdBu_r", vmin=0, vmax=1, alpha=0.55, aspect="auto")
    ax.contour(gx, gy, P, levels=[0.5], colors="k", linewidths=1.5)
    y = np.asarray(Y).ravel()
    ax.scatter(X[y == 0, 0], X[y == 0, 1], c="tab:blue", s=14, edgecolors="k", linewidths=0.3, label="$y_0 = 0$")
    ax.scatter(X[y == 1, 0], X[y == 1, 1], c="tab:red", s=14, edgecolors="k", linewidths=0.3, label="$y_0 = 1$")
    ax.set(xlabel=r"$\sigma^0_0$ (input 0)", ylabel=r"$\sigma^0_1$ (input 1)",
           title=title or r"$\sigma^L_0$ and the boundary $\sigma^L_0 = 1/2$")
    ax.legend(loc="lower right", fontsize=9)
    return ax


class RegularizationFigure:
    r"""One figure for the λ widget: decision boundary (left) and Σ_i Σ_j (w^l_ij)² per layer (right).

    :meth:`update` changes only the artists' data (image, boundary line, bar heights, titles),
    then :meth:`png` renders the figure; nothing is rebuilt between λ values.
    """

    def __init__(self, n_layers: int = 2, figsize=(9.0, 3.8), dpi: int = 72):
        X, Y, _, _ = moons_split()
        self.X, self.Y = X, Y
        self.gx, self.gy, extent = _grid(X, n=90)
        # a fixed layout (no constrained layout, no minor ticks): redrawing costs only the artists
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.fig.subplots_adjust(left=0.08, right=0.98, bottom=0.14, top=0.9, wspace=0.3)
        self.ax, self.bar_ax = self.fig.subplots(1, 2, width_ratios=[1.4, 1])
        self.image = self.ax.imshow(np.zeros_like(self.gx), origin="lower", extent=extent, cmap="RdBu_r",
                                    vmin=0, vmax=1, alpha=0.55, aspect="auto")
        y = Y.ravel()
        self.ax.scatter(X[y == 0, 0], X[y == 0, 1], c="tab:blue", s=12, edgecolors="k", linewidths=0.3,
                        label="$y_0 = 0$")
        self.ax.scatter(X[y == 1, 0], X[y == 1, 1], c="tab:red", s=12, edgecolors="k", linewidths=0.3,
                        label="$y_0 = 1$")
        self.ax.set(xlabel=r"$\sigma^0_0$", ylabel=r"$\sigma^0_1$")
        self.ax.legend(loc="lower right", fontsize=8)
        self.boundary = None
        labels = [f"$l = {l}$" for l in range(1, n_layers + 1)]
        self.bars = self.bar_ax.bar(labels, np.ones(n_layers), color=["tab:purple", "tab:orange", "tab:green",
                                                                       "tab:brown"][:n_layers])
        self.bar_ax.set_yscale("log")
        self.bar_ax.set_ylim(0.1, 1e7)
        self.bar_ax.set_yticks([1e-1, 1e1, 1e3, 1e5, 1e7])
        self.bar_ax.yaxis.set_minor_locator(NullLocator())
        self.bar_ax.set(xlabel="layer $l$", ylabel=r"$\sum_i\sum_j (w^l_{ij})^2$",
                        title="weight sizes per layer")
        self.bar_text = [self.bar_ax.text(k, 1, "", ha="center", va="bottom", fontsize=9)
                         for k in range(n_layers)]

    def update(self, fit: LambdaFit) -> None:
        P = fit.net.predict_proba(np.c_[self.gx.ravel(), self.gy.ravel()])[:, 0].reshape(self.gx.shape)
        self.image.set_data(P)
        if self.boundary is not None:
            self.boundary.remove()
        self.boundary = self.ax.contour(self.gx, self.gy, P, levels=[0.5], colors="k", linewidths=1.5)
        # plain text (no mathtext to parse on every update)
        self.ax.set_title(f"λ = {fit.lam:g}: boundary σᴸ₀ = 1/2, test accuracy {fit.test_accuracy:.3f}",
                          fontsize=11)
        for bar, text, s in zip(self.bars, self.bar_text, fit.weight_squares):
            bar.set_height(s)
            text.set_position((text.get_position()[0], s))
            text.set_text(f"{s:.3g}")

    def png(self) -> bytes:
        buf = io.BytesIO()
        self.fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})
        return buf.getvalue()


def plot_weight_path(path: WeightPath, ax=None, marker: float | None = None):
    r"""The cross-entropy, the penalty and E(w) as one weight w^l_ij moves."""
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(6, 3.5))
    name = labels.weight_tex(path.l, path.i, path.j, dollars=False)
    ax.plot(path.values, path.cross_entropy, label="cross-entropy (reads $\\sigma^L$ only)")
    ax.plot(path.values, path.penalty, label=r"penalty $\frac{\lambda}{2m}\sum (w^l_{ij})^2$")
    ax.plot(path.values, path.E, "k", lw=2, label="$E(w)$")
    ax.set(xlabel=f"${name}$", ylabel="$E(w)$ and its terms", title=f"$E(w)$ as ${name}$ moves")
    ax.legend(fontsize=9)
    return ax


def plot_log_forms(ax=None, y: float = 0.0):
    r"""-[y log logistic(s) + (1-y) log(1 - logistic(s))] against s = sum^L_0: the naive form on σ^L_0, the stable one on s."""
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(6, 3.5))
    s = np.linspace(-60, 60, 601)
    Y = np.full((1, 1), y)
    naive = np.array([CrossEntropy.naive_fn(sigmoid.value(np.array([[v]])), Y) for v in s])
    stable = np.array([CrossEntropy.fn(np.array([[v]]), Y) for v in s])
    ax.plot(s, stable, "k", lw=3, label="stable: log-sigmoid of $\\text{sum}^L_0$")
    shown = np.where(np.isfinite(naive), naive, np.nan)
    ax.plot(s, shown, "tab:red", lw=1.5, ls="--", label="naive: $\\log$ of $\\sigma^L_0$")
    bad = ~np.isfinite(naive)
    if bad.any():
        ax.axvspan(s[bad].min(), s[bad].max(), color="tab:red", alpha=0.12, label="naive gives inf / nan")
    ax.set(xlabel=r"$\text{sum}^L_0$", ylabel="cross-entropy of one example",
           title=f"cross-entropy with $y_0 = {y:g}$, $m = 1$")
    ax.legend(fontsize=9, loc="upper left")
    return ax


def curves_svg(x, curves, marker: float | None = None, title: str = "", xlabel: str = "", ylabel: str = "",
               width: int = 600, height: int = 270, legend_width: int = 170) -> str:
    """A small line plot as inline SVG (no matplotlib: a widget redraws it in about a millisecond).

    ``curves`` is a list of ``(y, colour, label)``; ``marker`` draws a vertical line and a dot on
    every curve at that x. Labels are plain text (Unicode σ¹₀ rather than LaTeX).
    """
    x = np.asarray(x, dtype=float)
    ys = [np.asarray(c[0], dtype=float) for c in curves]
    left, right, top, bottom = 48, 10 + legend_width, 28, 40
    pw, ph = width - left - right, height - top - bottom
    lo = min(float(np.min(y)) for y in ys)
    hi = max(float(np.max(y)) for y in ys)
    if hi - lo < 1e-12:
        hi = lo + 1.0
    pad = 0.05 * (hi - lo)
    lo, hi = lo - pad, hi + pad

    def X(v):
        return left + (v - x[0]) / (x[-1] - x[0]) * pw

    def Y(v):
        return top + (hi - v) / (hi - lo) * ph

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             "font-family='sans-serif' font-size='11'>",
             f"<rect x='{left}' y='{top}' width='{pw}' height='{ph}' fill='white' stroke='#888'/>"]
    for v in np.linspace(lo + pad, hi - pad, 5):
        parts.append(f"<line x1='{left}' x2='{left + pw}' y1='{Y(v):.1f}' y2='{Y(v):.1f}' stroke='#eee'/>"
                     f"<text x='{left - 4}' y='{Y(v) + 4:.1f}' text-anchor='end'>{v:.2f}</text>")
    for v in np.linspace(x[0], x[-1], 7):
        parts.append(f"<line x1='{X(v):.1f}' x2='{X(v):.1f}' y1='{top}' y2='{top + ph}' stroke='#eee'/>"
                     f"<text x='{X(v):.1f}' y='{top + ph + 14}' text-anchor='middle'>{v:g}</text>")
    for (y, colour, label), k in zip(curves, range(len(curves))):
        pts = " ".join(f"{X(a):.1f},{Y(b):.1f}" for a, b in zip(x, y))
        parts.append(f"<polyline points='{pts}' fill='none' stroke='{colour}' stroke-width='2'/>")
        parts.append(f"<line x1='{left + pw + 10}' x2='{left + pw + 28}' y1='{top + 10 + 16 * k}' "
                     f"y2='{top + 10 + 16 * k}' stroke='{colour}' stroke-width='2'/>"
                     f"<text x='{left + pw + 32}' y='{top + 14 + 16 * k}'>{label}</text>")
        if marker is not None:
            parts.append(f"<circle cx='{X(marker):.1f}' cy='{Y(np.interp(marker, x, y)):.1f}' r='4' "
                         f"fill='{colour}'/>")
    if marker is not None:
        parts.append(f"<line x1='{X(marker):.1f}' x2='{X(marker):.1f}' y1='{top}' y2='{top + ph}' "
                     "stroke='#555' stroke-dasharray='4,3'/>")
    parts.append(f"<text x='{left + pw / 2}' y='16' text-anchor='middle' font-size='12'>{title}</text>")
    parts.append(f"<text x='{left + pw / 2}' y='{height - 6}' text-anchor='middle' font-size='12'>{xlabel}</text>")
    parts.append(f"<text x='12' y='{top + ph / 2}' text-anchor='middle' font-size='12' "
                 f"transform='rotate(-90 12 {top + ph / 2})'>{ylabel}</text>")
    parts.append("</svg>")
    return "".join(parts)

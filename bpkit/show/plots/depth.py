r"""Plots for lesson 09 (vanishing gradients): per-layer gradient norms ‖∂E/∂W^l‖, saturation, training curves.

* :func:`plot_layer_norms`: ‖∂E/∂W^l‖ against l on a log scale, one line per network (activation, scale);
* :func:`plot_saturation`: the fraction of saturated hidden neurons per layer, one line per network;
* :class:`NormsChart`: one small figure of bars ‖∂E/∂W^l‖, redrawn in place and rendered to PNG bytes
  (what the lesson's widget shows on every slider move);
* :func:`plot_training`: E(w) along training, one line per initialization.

Every number drawn comes from :mod:`bpkit.depth` (norms, saturation) or ``bpkit.train`` (E): nothing is
computed here.
"""
from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["NORM_LABEL", "plot_layer_norms", "plot_saturation", "NormsChart", "plot_training"]

#: the y label of every norm plot: the Frobenius norm of layer l's gradient
NORM_LABEL = r"$\|\partial E/\partial W^l\|$"


def _layers(values) -> np.ndarray:
    return np.arange(1, len(values) + 1)


def plot_layer_norms(curves: dict, ax=None, title: str = "gradient norm per layer"):
    """``curves`` maps a label (e.g. "sigmoid, s = 1") to [‖∂E/∂W^1‖, ..., ‖∂E/∂W^L‖]; one line each, log scale."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 4.2))
    for label, norms in curves.items():
        ax.semilogy(_layers(norms), norms, marker="o", ms=4, label=label)
    ax.set_xlabel("layer $l$ (1 = first hidden, $L$ = output)", fontsize=11)
    ax.set_ylabel(NORM_LABEL, fontsize=12)
    ax.set_title(title, fontsize=12)
    ax.legend(fontsize=8, ncol=2)
    ax.grid(True, which="major", alpha=0.3)
    return ax


def plot_saturation(curves: dict, ax=None, title: str = "saturated hidden neurons per layer"):
    """``curves`` maps a label to the fraction of saturated neurons of hidden layers 1..L-1 (in [0, 1])."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 3.6))
    for label, fractions in curves.items():
        ax.plot(_layers(fractions), 100 * np.asarray(fractions), marker="o", ms=4, label=label)
    ax.set_xlabel("hidden layer $l$", fontsize=11)
    ax.set_ylabel("saturated (%)", fontsize=11)
    ax.set_ylim(-3, 103)
    ax.set_title(title, fontsize=12)
    ax.legend(fontsize=8, ncol=2)
    ax.grid(True, alpha=0.3)
    return ax


class NormsChart:
    """A bar chart of ‖∂E/∂W^l‖ (log scale) kept in one figure: :meth:`render` sets the bars' heights and returns
    the figure as PNG bytes. The figure, its axes (fixed limits ``ylim``) and its ``max_layers`` bars are made
    once; a render only moves bars and the title (about 30 ms, where a new chart takes three times as long)."""

    def __init__(self, max_layers: int = 11, figsize=(5.2, 3.0), dpi: int = 80, ylim=(1e-14, 1e6)):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.ax = self.fig.add_subplot(111)
        self.ax.set_yscale("log")
        self.ax.set_ylim(*ylim)
        self.ax.set_xlabel("layer $l$", fontsize=9)
        self.ax.set_ylabel(NORM_LABEL, fontsize=10)
        self.ax.grid(True, axis="y", alpha=0.3)
        self.fig.subplots_adjust(left=0.17, right=0.97, bottom=0.16, top=0.88)
        self.floor = ylim[0]
        self.bars = self.ax.bar(_layers(np.ones(max_layers)), np.full(max_layers, self.floor),
                                color="#3b75af", width=0.7)
        self.shown = 0

    def render(self, norms, title: str = "") -> bytes:
        """Bars for ``norms`` = [‖∂E/∂W^1‖, ..., ‖∂E/∂W^L‖] (values below the floor drawn at the floor)."""
        norms = np.maximum(np.asarray(norms, dtype=float), self.floor)
        if len(norms) > len(self.bars):
            raise ValueError(f"the chart has room for {len(self.bars)} layers, got {len(norms)}")
        for k, bar in enumerate(self.bars):
            bar.set_visible(k < len(norms))
            bar.set_height(norms[k] if k < len(norms) else self.floor)
        if len(norms) != self.shown:
            self.shown = len(norms)
            self.ax.set_xticks(_layers(norms))
            self.ax.set_xlim(0.3, len(norms) + 0.7)
        self.ax.set_title(title, fontsize=10)
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png")
        return buffer.getvalue()


def plot_training(curves: dict, ax=None, title: str = "training from three initializations"):
    """``curves`` maps a label to E(w) after every step of gradient descent (``bpkit.train``'s ``History.E``)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 3.8))
    for label, E in curves.items():
        ax.plot(np.arange(1, len(E) + 1), E, label=label)
    ax.set_xlabel("gradient-descent step", fontsize=11)
    ax.set_ylabel("$E(w)$", fontsize=11)
    ax.set_title(title, fontsize=12)
    ax.legend(fontsize=9)
    ax.grid(True, alpha=0.3)
    return ax

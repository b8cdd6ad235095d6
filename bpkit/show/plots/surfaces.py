r"""The pictures of lesson 08 (non-convexity): loss contours and surfaces, segments and slices of E(w).

They draw what :mod:`bpkit.landscape` computes (``loss_grid``, ``segment_E``, ``slice_E``, ``hessian``,
``two_minima``), with the axes labelled in the notation; :class:`BlitFigure` is a figure whose static
part is drawn once, so a widget redraws only its moving markers.
"""
from __future__ import annotations

import io

import numpy as np

from bpkit.labels import weight_tex

__all__ = ["plot_loss_contour", "plot_loss_surface", "plot_segment", "plot_slices",
           "BlitFigure"]


# ---------------------------------------------------------------------- plotting


def plot_loss_contour(ax, values_a, values_b, E, w_a, w_b, title: str | None = None, log: bool = True,
                      levels: int = 25, points=None, colorbar: bool = False):
    """Filled contours of E over two weights, axes labelled w^l_ij.

    With ``log`` the levels are spaced geometrically in E − min E (so the basins show).
    ``points`` is an optional list of (w_a, w_b, label, style dict) to mark (minima ...);
    ``colorbar`` adds a colour bar with a few readable ticks.
    """
    import matplotlib.colors as mcolors

    Z = np.asarray(E)
    if log:
        zmin = float(Z.min())
        span = float(Z.max()) - zmin
        lv = zmin + np.geomspace(span * 1e-4, span, levels)
        lv = np.concatenate([[zmin], lv])
        cs = ax.contourf(values_a, values_b, Z, levels=lv, cmap="viridis",
                         norm=mcolors.BoundaryNorm(lv, 256))
        ax.contour(values_a, values_b, Z, levels=lv[1::3], colors="white", linewidths=0.4, alpha=0.6)
    else:
        cs = ax.contourf(values_a, values_b, Z, levels=levels, cmap="viridis")
        ax.contour(values_a, values_b, Z, levels=levels, colors="white", linewidths=0.4, alpha=0.6)
    ax.set_xlabel(weight_tex(*w_a), fontsize=12)
    ax.set_ylabel(weight_tex(*w_b), fontsize=12)
    if title:
        ax.set_title(title, fontsize=11)
    if colorbar:
        ticks = cs.levels[:: max(1, len(cs.levels) // 6)]
        ax.figure.colorbar(cs, ax=ax, label="$E(w)$", ticks=ticks, format="%.4f")
    for (a, b, label, style) in (points or []):
        ax.plot([a], [b], **({"marker": "*", "color": "red", "markersize": 12, "linestyle": "none"} | style))
        if label:
            ax.annotate(label, (a, b), textcoords="offset points", xytext=(6, 6), color="white", fontsize=10)
    return cs


def plot_loss_surface(ax3d, values_a, values_b, E, w_a, w_b, title: str | None = None, log: bool = False):
    """E as a 3-D surface over two weights (``ax3d`` from ``projection="3d"``).

    With ``log`` the height is log10(E − min E + 10⁻⁴), which turns flat-bottomed valleys into
    visible wells (the z label says so).
    """
    A, B = np.meshgrid(values_a, values_b)
    Z = np.asarray(E, dtype=float)
    if log:
        Z = np.log10(Z - Z.min() + 1e-4)
    ax3d.plot_surface(A, B, Z, cmap="viridis", linewidth=0, antialiased=True,
                      rcount=min(len(values_b), 80), ccount=min(len(values_a), 80))
    ax3d.set_xlabel(weight_tex(*w_a), fontsize=12)
    ax3d.set_ylabel(weight_tex(*w_b), fontsize=12)
    ax3d.set_zlabel(r"$\log_{10}(E - \min E)$" if log else "$E(w)$", fontsize=11)
    if title:
        ax3d.set_title(title, fontsize=11)


def plot_segment(ax, ts, E, E_a: float | None = None, E_b: float | None = None, title: str | None = None):
    """E(θ(t)) on the segment A -> B, with the chord (1 − t) E(A) + t E(B) a convex E could not exceed."""
    E_a = E[0] if E_a is None else E_a
    E_b = E[-1] if E_b is None else E_b
    ax.plot(ts, E, color="C0", lw=2, label=r"$E((1-t)\,\theta_A + t\,\theta_B)$")
    ax.plot([0, 1], [E_a, E_b], color="C3", lw=1.5, ls="--", label=r"chord $(1-t)\,E(A) + t\,E(B)$")
    ax.set_xlabel("$t$ (0: minimum A, 1: minimum B)", fontsize=11)
    ax.set_ylabel("$E(w)$", fontsize=12)
    ax.set_xlim(0, 1)
    ax.legend(fontsize=8, loc="upper left")
    if title:
        ax.set_title(title, fontsize=11)


def plot_slices(ax, s, slices, title: str | None = None):
    """Several 1-D slices E(θ_0 + s·d) against s."""
    for k, E in enumerate(slices):
        ax.plot(s, E, lw=1.5, label=f"direction {k}")
    ax.set_xlabel("$s$ (step along the direction $d$)", fontsize=11)
    ax.set_ylabel(r"$E(\theta_0 + s\,d)$", fontsize=12)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=11)


class BlitFigure:
    """A matplotlib figure (not managed by pyplot) drawn once, whose animated artists are redrawn alone.

    Build the static plot on ``self.fig``, add moving artists with ``animated=True``, call
    :meth:`freeze` once; then each :meth:`png` restores the saved background, draws only the
    animated artists and encodes a PNG: a few ms instead of a full redraw.
    """

    def __init__(self, figsize, dpi: int = 72):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.animated: list = []
        self._background = None

    def add(self, artist):
        """Register an animated artist (sets ``animated=True``); returns it."""
        artist.set_animated(True)
        self.animated.append(artist)
        return artist

    def freeze(self) -> None:
        """Draw the static part once and keep it."""
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)

    def png(self) -> bytes:
        """The figure as PNG: background + the animated artists in their current state."""
        from PIL import Image

        if self._background is None:
            self.freeze()
        self.canvas.restore_region(self._background)
        for artist in self.animated:
            artist.axes.draw_artist(artist)
        buf = io.BytesIO()
        Image.frombuffer("RGBA", self.canvas.get_width_height(), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1) \
            .save(buf, format="png", compress_level=1)
        return buf.getvalue()

r"""Lesson 02 widget: walk the straight line between two minima of E and watch E.

:func:`segment` has one slider, t in [0, 1], that moves every weight along
θ(t) = (1 − t) θ_A + t θ_B from minimum A (t = 0) to minimum B (t = 1), B being A with two
hidden neurons swapped. Each move computes E(θ(t)) with :func:`bpkit.objective` (the function
the lesson's checked cells print), and shows

* E(θ(t)), the chord (1 − t) E(A) + t E(B) and their difference, in an HTML line (a convex E
  would never rise above the chord);
* a marker on the E(t) curve (and on the chord);
* for the default problem, where only w^1_00 and w^1_01 move, a marker on the contour plot of
  E over those two weights.

The plots are drawn once; a move redraws only the markers (:class:`bpkit.plots.surfaces.BlitFigure`).
The widget never prints.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from ..network import Network
from ..objective import objective
from ..plots import surfaces

__all__ = ["segment"]


def segment(net_a: Network | None = None, net_b: Network | None = None, X=None, Y=None, lam: float = 0.0,
            t: float = 0.0, grid: int = 41, dpi: int = 72) -> W.Widget:
    """A slider t moving θ(t) = (1 − t) θ_A + t θ_B; E(θ(t)) against the chord, live.

    Args:
        net_a, net_b: the two ends (default: :func:`bpkit.plots.surfaces.two_minima`'s A and B,
            with a contour panel over w^1_00 and w^1_01). Both must have the same sizes.
        X, Y, lam: the data and λ of E (needed when ``net_a`` is given).
        t: the slider's start.
        grid: the contour grid's points per axis (default problem only).

    The returned box has ``.slider``, ``.html``, ``.curve`` (Image), ``.plane`` (Image or
    None), ``.E`` (the function t -> E(θ(t))) and ``.update()``.
    """
    problem = None
    if net_a is None and net_b is None:
        problem = surfaces.two_minima()
        net_a, net_b, X, Y = problem.A, problem.B, problem.X, problem.Y
    elif net_a is None or net_b is None or X is None or Y is None:
        raise ValueError("give both networks net_a and net_b and the data X, Y (or nothing for the default)")
    net_a, net_b = net_a.copy(), net_b.copy()
    theta_a, theta_b = net_a.get_flat(), net_b.get_flat()
    if theta_a.shape != theta_b.shape or tuple(net_a.sizes) != tuple(net_b.sizes):
        raise ValueError(f"A is {net_a.sizes} but B is {net_b.sizes}: the segment needs one architecture")
    E_a, E_b = objective(net_a, X, Y, lam), objective(net_b, X, Y, lam)
    ts, E_t = surfaces.segment_E(net_a, net_b, X, Y, lam, np.linspace(0, 1, 101))
    work = net_a.copy()

    def E(t: float) -> float:
        work.set_flat((1 - t) * theta_a + t * theta_b)
        return objective(work, X, Y, lam)

    # ---- the E(t) curve, with the chord
    curve = surfaces.BlitFigure((5.2, 3.4), dpi=dpi)
    ax = curve.fig.add_axes([0.14, 0.15, 0.82, 0.74])
    surfaces.plot_segment(ax, ts, E_t, E_a, E_b, title="E on the segment from A to B")
    ax.set_ylim(min(E_t.min(), E_a, E_b) - 0.05 * np.ptp(E_t), E_t.max() + 0.25 * max(np.ptp(E_t), 1e-3))
    vline = curve.add(ax.axvline(0.0, color="0.4", lw=0.8, ls=":"))
    chord_dot = curve.add(ax.plot([0.0], [E_a], "o", color="C3", ms=6)[0])
    curve_dot = curve.add(ax.plot([0.0], [E_a], "o", color="C0", ms=9, mec="black")[0])
    curve.freeze()
    curve_image = W.Image(format="png")

    # ---- the (w^1_00, w^1_01) plane of the default problem
    plane, plane_image, plane_dot = None, None, None
    if problem is not None:
        lo, hi = -4.0, 4.0
        values = np.linspace(lo, hi, grid)
        Z = surfaces.loss_grid(problem.A, X, Y, problem.w_a, problem.w_b, values, values, lam)
        plane = surfaces.BlitFigure((3.9, 3.4), dpi=dpi)
        pax = plane.fig.add_axes([0.17, 0.15, 0.78, 0.74])
        a, b = problem.a_star, problem.b_star
        surfaces.plot_loss_contour(pax, values, values, Z, problem.w_a, problem.w_b,
                                   title="E over two weights", points=[(a, b, "A", {}), (b, a, "B", {})])
        pax.plot([a, b], [b, a], color="white", lw=1, ls="--")
        plane_dot = plane.add(pax.plot([a], [b], "o", color="C1", ms=9, mec="black")[0])
        plane.freeze()
        plane_image = W.Image(format="png")

    slider = W.FloatSlider(value=t, min=0.0, max=1.0, step=0.01, readout_format=".2f", continuous_update=True,
                           description="t", layout=W.Layout(width="420px"))
    html = W.HTML()

    def update(*_):
        t = float(slider.value)
        e = E(t)
        chord = (1 - t) * E_a + t * E_b
        gap = e - chord
        verdict = ("<b style='color:#c8352b'>above the chord: impossible for a convex E</b>" if gap > 1e-9
                   else "on or below the chord")
        weights = ""
        if problem is not None:
            weights = (f"w<sup>1</sup><sub>00</sub> = {work.W[1][0, 0]:.3f}, "
                       f"w<sup>1</sup><sub>01</sub> = {work.W[1][0, 1]:.3f}; ")
        html.value = (f"<span style='font-family:monospace'>t = {t:.2f}: {weights}E(θ(t)) = {e:.6f}, "
                      f"chord (1−t)E(A) + tE(B) = {chord:.6f}, difference = {gap:+.6f}</span> {verdict}")
        vline.set_xdata([t, t])
        chord_dot.set_data([t], [chord])
        curve_dot.set_data([t], [e])
        curve_image.value = curve.png()
        if plane is not None:
            plane_dot.set_data([work.W[1][0, 0]], [work.W[1][0, 1]])
            plane_image.value = plane.png()

    slider.observe(update, "value")
    update()
    panels = [curve_image] if plane_image is None else [plane_image, curve_image]
    box = W.VBox([slider, html, W.HBox(panels)])
    box.slider, box.html, box.curve, box.plane, box.E, box.update = slider, html, curve_image, plane_image, E, update
    box.E_a, box.E_b = E_a, E_b
    return box

r"""Lesson 08 widgets: move two weights over the loss surface; walk the straight line between two minima.

:func:`surface_point` has a slider for each of the two free weights w^1_00 and w^1_01 of the
two-weight problem (:func:`bpkit.show.plots.landscape.two_minima`). Each move computes E(w) with
:func:`bpkit.objective` and ∂E/∂w^1_00, ∂E/∂w^1_01 with :func:`bpkit.gradient` (the functions
the lesson's checked cells print), and shows

* E(w), how far it is above the two minima A and B (E(A) = E(B)) and the two partial derivatives,
  in an HTML table;
* a marker at (w^1_00, w^1_01) on the contour plot of E over the two weights.

:func:`segment` has one slider, t in [0, 1], that moves every weight along
θ(t) = (1 − t) θ_A + t θ_B from minimum A (t = 0) to minimum B (t = 1), B being A with two
hidden neurons swapped. Each move computes E(θ(t)) with :func:`bpkit.objective` (the function
the lesson's checked cells print), and shows

* E(θ(t)), the chord (1 − t) E(A) + t E(B) and their difference, in an HTML line (a convex E
  would never rise above the chord);
* a marker on the E(t) curve (and on the chord);
* for the default problem, where only w^1_00 and w^1_01 move, a marker on the contour plot of
  E over those two weights.

The plots are drawn once; a move redraws only the markers (:class:`bpkit.show.plots.surfaces.BlitFigure`).
The widget never prints.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from bpkit.backprop import gradient
from bpkit import labels, landscape
from bpkit.network import Network
from bpkit.objective import objective
from ..plots import surfaces
from . import LessonWidget

__all__ = ["surface_point", "segment"]


def surface_point(w00: float = 0.75, w01: float = 0.75, grid: int = 41, dpi: int = 72) -> W.Widget:
    r"""Sliders for w^1_00 and w^1_01 of the two-weight problem; E(w), its gap above the minima, live.

    Args:
        w00, w01: where the sliders start (default: the midpoint (0.75, 0.75) of the segment from
            A = (a*, b*) to B = (b*, a*), on the ridge between the two minima).
        grid: the contour grid's points per axis.

    The returned box has ``.sliders`` ({(1, 0, 0): slider, (1, 0, 1): slider}), ``.html``,
    ``.plane`` (Image), ``.net`` (the network shown), ``.problem`` (the
    :class:`~bpkit.show.plots.landscape.TwoMinima`), ``.E_min`` (E(A) = E(B)) and ``.update()``.
    """
    problem = landscape.two_minima()
    X, Y = problem.X, problem.Y
    net = problem.net(w00, w01)
    E_min = objective(problem.A, X, Y)
    lo, hi = -4.0, 4.0
    values = np.linspace(lo, hi, grid)
    Z = landscape.loss_grid(problem.A, X, Y, problem.w_a, problem.w_b, values, values)

    plane = surfaces.BlitFigure((4.0, 3.7), dpi=dpi)
    ax = plane.fig.add_axes([0.17, 0.14, 0.78, 0.76])
    a, b = problem.a_star, problem.b_star
    surfaces.plot_loss_contour(ax, values, values, Z, problem.w_a, problem.w_b,
                               title="$E(w)$ over $w^1_{00}$, $w^1_{01}$ (dark: low)",
                               points=[(a, b, "A", {}), (b, a, "B", {})])
    ax.plot(values, values, color="white", lw=0.8, ls=":")  # the swap's mirror line w^1_00 = w^1_01
    dot = plane.add(ax.plot([w00], [w01], "o", color="C1", ms=10, mec="black")[0])
    plane.freeze()
    image = W.Image(format="png")

    style = {"description_width": "48px"}
    sliders = {}
    for key, value in ((problem.w_a, w00), (problem.w_b, w01)):
        sliders[key] = W.FloatSlider(value=value, min=lo, max=hi, step=0.05, readout_format=".2f",
                                     continuous_update=True, description=labels.weight(*key),
                                     style=style, layout=W.Layout(width="360px"))
    html = W.HTML()

    def update(*_):
        for (l, i, j), s in sliders.items():
            net.W[l][i, j] = float(s.value)
        E = objective(net, X, Y)
        dW = gradient(net, X, Y).W[1]
        above = E - E_min
        where = ("<b>at a minimum: E(w) = E(A) = E(B), both partial derivatives 0</b>" if above < 1e-9
                 else "E(w) − E(A) &gt; 0: above both minima (E(A) = E(B) is the smallest E)")
        rows = [
            (f"{labels.weight_html(1, 0, 0)}, {labels.weight_html(1, 0, 1)}",
             f"{net.W[1][0, 0]:.2f}, {net.W[1][0, 1]:.2f}"),
            ("E(w)", f"{E:.6f}"),
            ("E(A) = E(B)", f"{E_min:.6f}"),
            ("E(w) − E(A)", f"{above:.6f}"),
            (f"∂E/∂{labels.weight_html(1, 0, 0)}", f"{dW[0, 0]:+.6f}"),
            (f"∂E/∂{labels.weight_html(1, 0, 1)}", f"{dW[0, 1]:+.6f}"),
        ]
        html.value = (
            "<table style='font-family:monospace;border-collapse:collapse' cellpadding='3'>"
            + "".join(f"<tr><td>{k}</td><td style='text-align:right'>{v}</td></tr>" for k, v in rows)
            + f"</table><div>{where}</div>"
        )
        dot.set_data([net.W[1][0, 0]], [net.W[1][0, 1]])
        image.value = plane.png()

    for s in sliders.values():
        s.observe(update, "value")
    update()
    box = LessonWidget([W.HBox(list(sliders.values())), W.HBox([image, html])],
                       "move w^1_00 and w^1_01 on the loss surface, watch E(w)")
    box.sliders, box.html, box.plane, box.net, box.problem, box.E_min, box.update = (
        sliders, html, image, net, problem, E_min, update)
    return box


def segment(net_a: Network | None = None, net_b: Network | None = None, X=None, Y=None, lam: float = 0.0,
            t: float = 0.0, grid: int = 41, dpi: int = 72) -> W.Widget:
    """A slider t moving θ(t) = (1 − t) θ_A + t θ_B; E(θ(t)) against the chord, live.

    Args:
        net_a, net_b: the two ends (default: :func:`bpkit.show.plots.landscape.two_minima`'s A and B,
            with a contour panel over w^1_00 and w^1_01). Both must have the same sizes.
        X, Y, lam: the data and λ of E (needed when ``net_a`` is given).
        t: the slider's start.
        grid: the contour grid's points per axis (default problem only).

    The returned box has ``.slider``, ``.html``, ``.curve`` (Image), ``.plane`` (Image or
    None), ``.E`` (the function t -> E(θ(t))) and ``.update()``.
    """
    problem = None
    if net_a is None and net_b is None:
        problem = landscape.two_minima()
        net_a, net_b, X, Y = problem.A, problem.B, problem.X, problem.Y
    elif net_a is None or net_b is None or X is None or Y is None:
        raise ValueError("give both networks net_a and net_b and the data X, Y (or nothing for the default)")
    net_a, net_b = net_a.copy(), net_b.copy()
    theta_a, theta_b = net_a.get_flat(), net_b.get_flat()
    if theta_a.shape != theta_b.shape or tuple(net_a.sizes) != tuple(net_b.sizes):
        raise ValueError(f"A is {net_a.sizes} but B is {net_b.sizes}: the segment needs one architecture")
    E_a, E_b = objective(net_a, X, Y, lam), objective(net_b, X, Y, lam)
    ts, E_t = landscape.segment_E(net_a, net_b, X, Y, lam, np.linspace(0, 1, 101))
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
        Z = landscape.loss_grid(problem.A, X, Y, problem.w_a, problem.w_b, values, values, lam)
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
            weights = (f"{labels.weight_html(1, 0, 0)} = {work.W[1][0, 0]:.3f}, "
                       f"{labels.weight_html(1, 0, 1)} = {work.W[1][0, 1]:.3f}; ")
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
    box = LessonWidget([slider, html, W.HBox(panels)], "walk t along the segment between two minima, watch E(w)")
    box.slider, box.html, box.curve, box.plane, box.E, box.update = slider, html, curve_image, plane_image, E, update
    box.E_a, box.E_b = E_a, E_b
    return box

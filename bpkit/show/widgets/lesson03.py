r"""Lesson 03 widgets: the objective E(w).

* :func:`hidden_weight`: a slider moves the hidden weight w^1_00 of a small 2-3-1 network.
  A table follows the change through σ^1_0 to σ^L_0 and the two terms of E(w): the
  cross-entropy changes only because σ^L changes; the penalty changes directly. An inline
  SVG plots both terms and E against w^1_00. Numbers come from
  :func:`bpkit.regularization.weight_effect` (``bpkit.objective``, ``bpkit.penalty``,
  ``CrossEntropy.fn``), which the lesson's checked cell prints too.
* :func:`lambda_boundary`: a λ slider over :data:`bpkit.regularization.LAMBDAS`. Each λ's
  2-8-1 network is trained once (L-BFGS, :func:`bpkit.regularization.fit_lambda`, cached) and
  its figure (decision boundary, Σ_i Σ_j (w^l_ij)² per layer) rendered once, when the widget
  is built: moving the slider only swaps a PNG and a table.

Widgets never print; they update ``HTML`` and ``Image`` values.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

import bpkit
from bpkit import labels
from bpkit.show.html import TABLE, row as _row
from bpkit import regularization
from bpkit.show.plots import objective as po
from . import LessonWidget

__all__ = ["hidden_weight", "lambda_boundary"]

#: the hidden weight the first widget moves, (l, i, j) of w^l_ij
WEIGHT = (1, 0, 0)
#: the range the slider (and the plotted curve) covers
WEIGHT_RANGE = (-6.0, 6.0)


def small_example():
    """The first widget's network, data and λ: a 2-3-1 tanh network, 6 moons examples, λ = 0.1.

    Returns ``(net, X, Y, lam)``; the lesson's checked cells use the same call.
    """
    net = bpkit.Network((2, 3, 1), hidden="tanh", seed=9)
    X, Y = bpkit.data.moons(6, noise=0.2, seed=2)
    return net, X, Y, 0.1


def effect_html(effect: regularization.WeightEffect, Y, lam: float, l: int, i: int, j: int) -> str:
    """The table the first widget shows for one :class:`~bpkit.regularization.WeightEffect`."""
    L = len(effect.squares)
    m = effect.sigma_L.shape[0]
    rows = _row("e", labels.neuron_html(l, j), labels.neuron_html(L, 0), "y<sub>0</sub>", bold=True) + "".join(
        _row(e, f"{effect.sigma_j[e]:.4f}", f"{effect.sigma_L[e, 0]:.4f}", f"{Y[e, 0]:.0f}") for e in range(m))
    squares = " + ".join(f"{s:.4f}" for s in effect.squares)
    return (
        f"<div style='font-size:13px'><b>{labels.weight_html(l, i, j)} = {effect.value:+.2f}</b> feeds {labels.neuron_html(l, j)}; "
        f"the cross-entropy sees it only through {labels.neuron_html(L, 0)}.</div>"
        f"{TABLE}{rows}</table>{TABLE}"
        + _row(f"cross-entropy (from σ{labels.sup_html('L')} only)", f"{effect.cross_entropy:.6f}")
        + _row(f"Σ<sub>l</sub>Σ<sub>i</sub>Σ<sub>j</sub> ({labels.weight_html('l', 'i', 'j')})² = {squares}",
               f"{sum(effect.squares):.6f}")
        + _row(f"penalty λ/2m · Σ (λ = {lam:g}, m = {m})", f"{effect.penalty:.6f}")
        + _row("E(w)", f"{effect.E:.6f}", bold=True)
        + "</table>"
    )


def hidden_weight() -> W.Widget:
    """A slider for the hidden weight w^1_00: σ^1_0, σ^L_0, the cross-entropy, the penalty and E, live.

    The returned box has ``.slider``, ``.table`` (HTML) and ``.plot`` (HTML with an SVG) for tests.
    """
    net, X, Y, lam = small_example()
    l, i, j = WEIGHT
    values = np.linspace(*WEIGHT_RANGE, 121)
    path = regularization.objective_along_weight(net, X, Y, lam, l, i, j, values)
    w0 = round(float(net.W[l][i, j]), 1)
    slider = W.FloatSlider(value=w0, min=WEIGHT_RANGE[0], max=WEIGHT_RANGE[1], step=0.1,
                           description=labels.weight_text(l, i, j), readout_format=".1f", continuous_update=True,
                           layout=W.Layout(width="420px"))
    table, plot = W.HTML(), W.HTML()
    curves = [(path.cross_entropy, "#1f77b4", "cross-entropy (reads σᴸ only)"),
              (path.penalty, "#ff7f0e", "penalty λ/2m Σ (wˡᵢⱼ)²"),
              (path.E, "#000000", "E(w)")]

    def update(*_):
        v = float(slider.value)
        effect = regularization.weight_effect(net, X, Y, lam, l, i, j, v)
        table.value = effect_html(effect, Y, lam, l, i, j)
        plot.value = po.curves_svg(values, curves, marker=v, title=f"E(w) and its terms as w¹₀₀ moves "
                                   f"(w¹₀₀ = {v:+.1f}, E = {effect.E:.4f})", xlabel="w¹₀₀", ylabel="E(w)")

    slider.observe(update, "value")
    update()
    box = LessonWidget([slider, plot, table], "move w^1_00, watch the cross-entropy, the penalty and E(w)")
    box.slider, box.table, box.plot = slider, table, plot
    return box


def fit_html(fit: regularization.LambdaFit) -> str:
    """The table the λ widget shows for one :class:`~bpkit.regularization.LambdaFit`."""
    squares = "".join(_row(f"Σ<sub>i</sub>Σ<sub>j</sub> ({labels.weight_html(l, 'i', 'j')})²", f"{s:.4g}")
                      for l, s in enumerate(fit.weight_squares, start=1))
    return (TABLE + _row("λ", f"{fit.lam:g}", bold=True) + _row("E(w)", f"{fit.E:.4f}")
            + _row("cross-entropy", f"{fit.cross_entropy:.4f}")
            + _row(f"penalty λ/2m Σ ({labels.weight_html('l', 'i', 'j')})²", f"{fit.penalty:.4f}") + squares
            + _row("train accuracy", f"{fit.train_accuracy:.3f}") + _row("test accuracy", f"{fit.test_accuracy:.3f}")
            + _row("L-BFGS iterations", fit.iterations) + "</table>")


def lambda_boundary(lams=regularization.LAMBDAS) -> W.Widget:
    """A λ slider: the trained 2-8-1 network's decision boundary and weight sizes for each λ.

    Every λ is trained and drawn when the widget is built (the training is cached and shared
    with the lesson's table); the slider swaps precomputed images. The returned box has
    ``.slider``, ``.image`` and ``.table`` for tests.
    """
    fits = {float(lam): regularization.fit_lambda(float(lam)) for lam in lams}
    figure = po.RegularizationFigure(n_layers=next(iter(fits.values())).net.L)
    pngs, tables = {}, {}
    for lam, fit in fits.items():
        figure.update(fit)
        pngs[lam] = figure.png()
        tables[lam] = fit_html(fit)
    slider = W.SelectionSlider(options=[(f"{lam:g}", lam) for lam in fits], value=float(lams[0]),
                               description="λ", continuous_update=True, layout=W.Layout(width="420px"))
    image = W.Image(format="png")
    table = W.HTML()

    def update(*_):
        image.value = pngs[slider.value]
        table.value = tables[slider.value]

    slider.observe(update, "value")
    update()
    box = LessonWidget([slider, W.HBox([image, table])], "move λ, watch the decision boundary and the weights")
    box.slider, box.image, box.table = slider, image, table
    return box

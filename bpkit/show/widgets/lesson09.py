r"""Lesson 09 widget: per-layer gradient norms of a deep network, live.

:func:`depth_explorer` has a slider for the initialization scale s (weights w^l_ij ~ N(0, s²/n_{l-1})), a
slider for the depth (the number of hidden layers), a dropdown for the hidden activation and one for the
initialization (N(0, s²/n_{l-1}) or Glorot, what ``bpkit.Network`` uses). Each change calls
:func:`bpkit.depth.profile` on the lesson's data (moons, m = 200, hidden layers of width 20), the function
the lesson's checked cells print, and

* redraws one small bar chart of ‖∂E/∂W^l‖ (log scale; :class:`bpkit.show.plots.depth.NormsChart`,
  the same figure every time, rendered to PNG);
* rewrites an HTML table of ‖∂E/∂W^l‖ and the fraction of saturated neurons of every layer.

One update takes a few tens of milliseconds. The widget never prints.
"""
from __future__ import annotations

import ipywidgets as W

import bpkit
from bpkit import depth, labels
from ..html import TABLE, row
from ..plots.depth import NormsChart
from . import LessonWidget

__all__ = ["depth_explorer"]

#: the lesson's data and width: moons (m = 200, seed 0), hidden layers of 20 neurons, weights' seed 0
M, WIDTH, SEED = 200, 20, 0


def lesson_data():
    """The two moons the lesson measures on: X (200, 2), Y (200, 1)."""
    return bpkit.data.moons(M, seed=0)


def norms_table(prof: depth.DepthProfile) -> str:
    """An HTML table: for every layer l, ‖∂E/∂W^l‖ and (hidden layers) the percentage of saturated neurons."""
    net = prof.net
    rows = [row("l", "layer", f"‖∂E/∂W{labels.sup_html('l')}‖", "saturated", bold=True)]
    for l in range(1, net.L + 1):
        kind = "output" if l == net.L else f"hidden ({net.hidden.name})"
        saturated = f"{100 * prof.saturation[l - 1]:.0f} %" if l < net.L else "–"
        rows.append(row(l, kind, f"{prof.norms[l - 1]:.2e}", saturated, right=True))
    ratio = prof.norms[0] / prof.norms[-1] if prof.norms[-1] > 0 else float("nan")
    caption = (f"<caption style='text-align:left'>bpkit.depth.profile: sizes {'-'.join(map(str, net.sizes))}; "
               f"‖∂E/∂W{labels.sup_html(1)}‖ / ‖∂E/∂W{labels.sup_html('L')}‖ = {ratio:.1e}</caption>")
    return TABLE + caption + "".join(rows) + "</table>"


def depth_explorer() -> W.Widget:
    """Sliders for the initialization scale s and the depth, dropdowns for the activation and the scheme;
    the bar chart of ‖∂E/∂W^l‖ and the table of norms and saturation, live.

    The returned box has ``.scale``, ``.depth`` (sliders), ``.activation``, ``.scheme`` (dropdowns),
    ``.image`` (the chart), ``.table`` (HTML), ``.profile`` (the last :class:`bpkit.depth.DepthProfile`)
    and ``.update()``.
    """
    X, Y = lesson_data()
    style = {"description_width": "150px"}
    scale = W.FloatSlider(value=1.0, min=0.25, max=4.0, step=0.25, readout_format=".2f", continuous_update=True,
                          description="scale s of N(0, s²/n)", style=style, layout=W.Layout(width="420px"))
    layers = W.IntSlider(value=6, min=1, max=10, step=1, continuous_update=True,
                         description="hidden layers", style=style, layout=W.Layout(width="420px"))
    activation = W.Dropdown(options=["sigmoid", "tanh", "relu"], value="sigmoid", description="activation",
                            style=style, layout=W.Layout(width="320px"))
    scheme = W.Dropdown(options=[("N(0, s²/n_{l-1})", "normal"), ("Glorot (bpkit.Network's)", "glorot")],
                        value="normal", description="initialization", style=style, layout=W.Layout(width="420px"))
    image = W.Image(format="png")
    table = W.HTML()
    chart = NormsChart()
    box = None

    def update(*_):
        glorot = scheme.value == "glorot"
        scale.disabled = glorot
        prof = depth.profile(X, Y, depth=layers.value, width=WIDTH, hidden=activation.value,
                             scale=None if glorot else scale.value, seed=SEED)
        init = "Glorot" if glorot else f"s = {scale.value:.2f}"
        image.value = chart.render(prof.norms, f"{activation.value}, {layers.value} hidden layers, {init}")
        table.value = norms_table(prof)
        if box is not None:
            box.profile = prof
        return prof

    for control in (scale, layers, activation, scheme):
        control.observe(update, "value")
    first = update()
    box = LessonWidget([W.VBox([scale, layers, activation, scheme]), W.HBox([image, table])],
                       "move scale s and depth, watch ‖∂E/∂W^l‖ and saturation per layer")
    box.scale, box.depth, box.activation, box.scheme = scale, layers, activation, scheme
    box.image, box.table, box.profile, box.update = image, table, first, update
    return box

r"""Lesson 09 widgets: a chain of neurons whose gradient vanishes, and per-layer gradient norms of a deep network.

:func:`chain_explorer` has a slider for the weight w^1_00 of a chain of one neuron per layer (1-1-...-1, L = 6),
one for the other weights w^l_00 (l >= 2) and a dropdown for the hidden activation. Each move runs ``net.forward``
and :func:`bpkit.output_gradient` (∂σ^L_0/∂w^l_00 for every layer: the product of the slopes and weights back to
layer l) and shows them in a table, with a bar chart of |∂σ^L_0/∂w^l_00| (log scale).

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
import numpy as np

import bpkit
from bpkit import depth, labels
from ..html import TABLE, row
from ..plots.depth import NormsChart
from . import LessonWidget

__all__ = ["chain_explorer", "depth_explorer"]

#: the lesson's data and width: moons (m = 200, seed 0), hidden layers of 20 neurons, weights' seed 0
M, WIDTH, SEED = 200, 20, 0


#: the chain: L layers of one neuron each, input σ^0_0 = 1
CHAIN_L, CHAIN_X = 6, np.array([[1.0]])


def chain_network(w1: float = 1.0, w: float = 1.0, hidden: str = "sigmoid", L: int = CHAIN_L):
    """The chain 1-1-...-1 with w^1_00 = ``w1``, every other w^l_00 = ``w``, zero biases."""
    return bpkit.Network.from_weights([np.array([[w1]])] + [np.array([[w]]) for _ in range(L - 1)],
                                      [np.zeros(1) for _ in range(L)], hidden=hidden)


def chain_table(net, record, grad) -> str:
    """An HTML table: for every layer l, sum^l_0, σ^l_0, the slope ∂σ^l_0/∂sum^l_0 and ∂σ^L_0/∂w^l_00."""
    out = labels.neuron_html("L", 0)
    rows = [row("l", labels.neuron_html("l", 0, "sum"), labels.neuron_html("l", 0),
                f"∂{labels.neuron_html('l', 0)}/∂{labels.neuron_html('l', 0, 'sum')}",
                f"∂{out}/∂{labels.weight_html('l', 0, 0)}", bold=True)]
    for l in range(1, net.L + 1):
        slope = net.activation(l).derivative_from_value(record.sigmas[l])[0, 0]
        rows.append(row(l, f"{record.sums[l][0, 0]:+.3f}", f"{record.sigmas[l][0, 0]:.4f}", f"{slope:.4f}",
                        f"{grad.W[l][0, 0]:.2e}", right=True))
    return TABLE + "".join(rows) + "</table>"


def chain_explorer() -> W.Widget:
    """Sliders for w^1_00 and for the other weights of a 6-layer chain, a dropdown for the hidden activation; the
    table of every sum^l_0, σ^l_0, slope and ∂σ^L_0/∂w^l_00 and their bar chart, live.

    The returned box has ``.w1``, ``.w`` (sliders), ``.activation``, ``.net``, ``.image``, ``.table``, ``.update()``.
    """
    style = {"description_width": "110px"}
    w1 = W.FloatSlider(value=1.0, min=-10.0, max=10.0, step=0.25, readout_format=".2f", continuous_update=True,
                       description=labels.weight(1, 0, 0), style=style, layout=W.Layout(width="400px"))
    w = W.FloatSlider(value=1.0, min=-6.0, max=6.0, step=0.25, readout_format=".2f", continuous_update=True,
                      description="the others, l ≥ 2", style=style, layout=W.Layout(width="400px"))
    activation = W.Dropdown(options=["sigmoid", "tanh", "relu"], value="sigmoid", description="activation",
                            style=style, layout=W.Layout(width="300px"))
    image, table, chart = W.Image(format="png"), W.HTML(), NormsChart(max_layers=CHAIN_L, ylim=(1e-12, 1e2))
    weight = labels.weight_tex("l", 0, 0, dollars=False)
    chart.ax.set_ylabel(f"$|\\partial\\sigma^L_0 / \\partial {weight}|$", fontsize=10)
    box = None

    def update(*_):
        net = chain_network(w1.value, w.value, activation.value)
        record = net.forward(CHAIN_X)
        grad = bpkit.output_gradient(net, CHAIN_X)
        magnitudes = [abs(grad.W[l][0, 0]) for l in range(1, net.L + 1)]
        image.value = chart.render(magnitudes, f"{activation.value}: how much reaches each ${weight}$")
        table.value = chain_table(net, record, grad)
        if box is not None:
            box.net = net
        return net

    for control in (w1, w, activation):
        control.observe(update, "value")
    first = update()
    box = LessonWidget([W.VBox([w1, w, activation]), W.HBox([image, table])],
                       "move w^1_00 and the other weights of a chain, watch the slopes")
    box.w1, box.w, box.activation, box.net = w1, w, activation, first
    box.image, box.table, box.update = image, table, update
    return box


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

r"""Lesson 01 widget: the forward pass of a small network, live.

:func:`forward_pass` has a slider for every weight w^l_ij of a 2-2-1 network (and for the
two inputs σ^0_0, σ^0_1). Each move runs ``net.forward`` (the function the lesson's checked
cells print) and

* redraws the network diagram (the weights' labels, colours and widths, every neuron's
  sum^l_i and σ^l_i): the same diagram as :func:`bpkit.show.plots.diagram.draw_network`, rendered
  as SVG by :class:`bpkit.show.plots.svg.NetworkSVG` into an ``HTML`` widget (under a
  millisecond; re-rendering the matplotlib figure took 50-150 ms);
* rewrites an HTML table of every sum^l_i and σ^l_i.

The widget never prints.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from bpkit import labels
from bpkit.network import Network
from ..plots.svg import NetworkSVG
from . import LessonWidget

__all__ = ["forward_pass"]

#: the lesson's hand-worked 2-2-1 network: w^1 (2 x 2), b^1, w^2 (2 x 1), b^2, and the input
HAND_W = [np.array([[0.5, -1.0], [0.25, 0.5]]), np.array([[1.0], [-2.0]])]
HAND_B = [np.array([0.0, 0.5]), np.array([0.25])]
HAND_X = np.array([[1.0, 2.0]])


def hand_network(hidden: str = "sigmoid") -> Network:
    """The 2-2-1 network the lesson works by hand (a fresh copy every call)."""
    return Network.from_weights([w.copy() for w in HAND_W], [b.copy() for b in HAND_B], hidden=hidden)


def values_table(net: Network, record, example: int = 0) -> str:
    """An HTML table of every sum^l_i and σ^l_i of one example of a forward record."""
    rows = []
    for l in range(net.L + 1):
        for i in range(net.sizes[l]):
            s = "input" if l == 0 else f"{record.sums[l][example, i]:.4f}"
            rows.append(
                f"<tr><td>{l}</td><td>{i}</td><td>{labels.neuron_html(l, i)}</td>"
                f"<td style='text-align:right'>{s}</td>"
                f"<td style='text-align:right'>{record.sigmas[l][example, i]:.4f}</td></tr>"
            )
    head = (f"<tr><th>l</th><th>i</th><th>neuron</th><th>{labels.neuron_html('l', 'i', 'sum')}</th>"
            f"<th>{labels.neuron_html('l', 'i')}</th></tr>")
    return ("<table style='font-family:monospace;border-collapse:collapse' cellpadding='3'>"
            f"<caption>net.forward(X): every {labels.neuron_html('l', 'i', 'sum')} and {labels.neuron_html('l', 'i')}"
            f"</caption>{head}{''.join(rows)}</table>")


def forward_pass(net: Network | None = None, x=None) -> W.Widget:
    """Sliders for every weight w^l_ij (and the inputs); the diagram and a table, live.

    Args:
        net: a small network (default: the lesson's hand-worked 2-2-1 network). It is copied.
        x: the input example, shape (n_0,) or (1, n_0) (default: the lesson's (1, 2)).

    The returned box has ``.sliders`` ({(l, i, j) or ("x", i): slider}), ``.diagram`` (an
    ``HTML`` widget holding the SVG), ``.table`` (the HTML table), ``.net`` (the network
    shown) and ``.update()``.
    """
    net = hand_network() if net is None else net.copy()
    x = HAND_X if x is None else np.asarray(x, dtype=float).reshape(1, -1)
    if x.shape[1] != net.sizes[0]:
        raise ValueError(f"x has {x.shape[1]} entries but layer 0 has n_0 = {net.sizes[0]} neurons")
    x = x.copy()
    style = {"description_width": "48px"}
    layout = W.Layout(width="260px")
    sliders = {}
    columns = []
    for l in range(1, net.L + 1):
        group = [W.HTML(f"<b>layer {l}: {labels.weight_html(l, 'i', 'j')} (from {labels.neuron_html(l - 1, 'i')} "
                        f"to {labels.neuron_html(l, 'j')})</b>")]
        for i in range(net.sizes[l - 1]):
            for j in range(net.sizes[l]):
                if not net.connected(l, i, j):
                    continue
                s = W.FloatSlider(value=float(net.W[l][i, j]), min=-3.0, max=3.0, step=0.05,
                                  readout_format=".2f", continuous_update=True, style=style, layout=layout,
                                  description=labels.weight(l, i, j))
                sliders[(l, i, j)] = s
                group.append(s)
        columns.append(group)
    inputs = [W.HTML(f"<b>the input: {labels.neuron_html(0, 'i')}</b>")]
    for i in range(net.sizes[0]):
        s = W.FloatSlider(value=float(x[0, i]), min=-3.0, max=3.0, step=0.05, readout_format=".2f",
                          continuous_update=True, style=style, layout=layout,
                          description=labels.neuron(0, i))
        sliders[("x", i)] = s
        inputs.append(s)
    columns.append(inputs)  # after the weights: the first slider of the widget moves a weight

    svg = NetworkSVG(net, net.forward(x), title="")
    picture = W.HTML()
    table = W.HTML()

    def update(*_):
        for key, s in sliders.items():
            if key[0] == "x":
                x[0, key[1]] = s.value
            else:
                l, i, j = key
                net.W[l][i, j] = s.value
        record = net.forward(x)
        picture.value = svg.render(net, record)
        table.value = values_table(net, record)

    for s in sliders.values():
        s.observe(update, "value")
    update()
    controls = W.HBox([W.VBox(c) for c in columns])
    box = LessonWidget([controls, W.HBox([picture, table])],
                       "move w^l_ij and the inputs, watch every sum^l_i and σ^l_i")
    box.sliders, box.diagram, box.table, box.net, box.update = sliders, picture, table, net, update
    return box

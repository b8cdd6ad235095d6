r"""Lesson 05 widgets: memoization.

* :func:`memo_table`: a small network's memo table of ∂E/∂σ^l_j (from
  :func:`bpkit.scalar.gradient`) filling right to left; a step slider shows which entry is
  written and which ∂E/∂sum^{l+1}_p it reads, and a weight slider moves w^2_00, changing
  every value.
* :func:`counts_and_paths`: width and depth sliders; both multiplication counts
  (:func:`bpkit.scalar.multiplication_count`, :func:`bpkit.naive.multiplication_count`) and
  the paths the naive chain rule follows from one weight w^l_00 (:func:`bpkit.naive.paths`,
  written as :func:`bpkit.show.plots.growth.format_path` prints them in the lesson).

Widgets never print: they update ``HTML`` widgets.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from bpkit import labels, naive, scalar
from bpkit.cost import architecture
from bpkit.network import Network
from . import LessonWidget

__all__ = ["memo_table", "counts_and_paths"]

#: the small network of the lesson's memo-table section
MEMO_SIZES = (2, 3, 2, 2)
MEMO_SEED = 1
MEMO_X = np.array([[0.5, -1.0]])
MEMO_Y = np.array([[1.0, 0.0]])


def memo_network(w200: float | None = None) -> Network:
    """The lesson's small network (2-3-2-2, no biases, seed 1), with w^2_00 set if given."""
    net = Network(MEMO_SIZES, bias=False, seed=MEMO_SEED)
    if w200 is not None:
        net.W[2][0, 0] = w200
    return net




def memo_html(grad, step: int) -> str:
    """The memo table after ``step`` steps, as HTML: one column per layer, right to left;
    the entry written at ``step`` in green, the ∂E/∂sum^{l+1}_p it read in yellow."""
    steps = grad.extras["steps"]
    step = max(1, min(step, len(steps)))
    net_sizes = grad.extras["record"].net.sizes
    L = len(net_sizes) - 1
    written = {(s.writes[1], s.writes[2]): k for k, s in enumerate(steps, start=1)}
    current = steps[step - 1]
    reads = {(r[1], r[2]) for r in current.reads}
    memo, delta = grad.extras["memo"], grad.extras["delta"]
    head = "".join(f"<th style='padding:0 1em'>layer {l}</th>" for l in range(L, 0, -1))
    rows = []
    for j in range(max(net_sizes[1:])):
        cells = []
        for l in range(L, 0, -1):
            if j >= net_sizes[l]:
                cells.append("<td></td>")
                continue
            k = written[(l, j)]
            style = "padding:2px 1em;border:1px solid #ccc;"
            if k <= step:
                text = (f"∂E/∂{labels.neuron_html(l, j)} = {float(memo[(l, j)][0]):+.4f}<br>"
                        f"∂E/∂{labels.neuron_html(l, j, 'sum')} = {float(delta[(l, j)][0]):+.4f}")
            else:
                text = f"∂E/∂{labels.neuron_html(l, j)} = ?<br><span style='color:#999'>(step {k})</span>"
            if (l, j) == (current.writes[1], current.writes[2]):
                style += "background:#c8f0c8;"
            elif (l, j) in reads:
                style += "background:#fff2a8;"
            cells.append(f"<td style='{style}'>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    l, j = current.writes[1], current.writes[2]
    if current.reads:
        terms = " + ".join(f"∂E/∂{labels.neuron_html(l + 1, p, 'sum')}·{labels.weight_html(l + 1, j, p)}"
                           for (_, _, p) in current.reads)
        what = (f"step {step} of {len(steps)} writes ∂E/∂{labels.neuron_html(l, j)} = {terms} "
                f"= {float(current.value[0]):+.4f}: it reads {len(current.reads)} stored entries of layer "
                f"{l + 1} (yellow) and does {current.multiplications} multiplications "
                "(including the product with ∂σ/∂sum).")
    else:
        what = (f"step {step} of {len(steps)} writes ∂E/∂{labels.neuron_html(l, j)} = {float(current.value[0]):+.4f} "
                f"from σ{labels.sup_html('L')} and y (output layer): nothing to read yet.")
    return (f"<div><table style='border-collapse:collapse'><tr>{head}</tr>{''.join(rows)}</table>"
            f"<p>{what}</p></div>")


def memo_table(step: int = 3, w200: float | None = None) -> W.Widget:
    """Step through the memo table of the lesson's 2-3-2-2 network; a slider moves w^2_00."""
    net0 = memo_network()
    weight = W.FloatSlider(value=float(net0.W[2][0, 0]) if w200 is None else w200, min=-3.0, max=3.0,
                           step=0.05, description="w^2_00", readout_format=".2f")
    n_steps = len(scalar.gradient(net0, MEMO_X, MEMO_Y).extras["steps"])
    stepper = W.IntSlider(value=step, min=1, max=n_steps, description="step")
    html = W.HTML()

    def update(*_):
        grad = scalar.gradient(memo_network(weight.value), MEMO_X, MEMO_Y)
        html.value = memo_html(grad, stepper.value)

    weight.observe(update, "value")
    stepper.observe(update, "value")
    update()
    box = LessonWidget([W.HBox([weight, stepper]), html],
                       "move w^2_00 and step through the memo table of ∂E/∂σ^l_j")
    box.weight, box.stepper, box.html = weight, stepper, html
    return box


def counts_html(width: int, hidden_layers: int, l: int, shown: int = 8) -> str:
    """Both counts for (width, hidden layers) and the naive paths from w^l_00, as HTML."""
    sizes = architecture(width, hidden_layers)
    L = len(sizes) - 1
    l = max(1, min(l, L))
    memo = scalar.multiplication_count(sizes, 1)
    nv = naive.multiplication_count(sizes, 1, bias=False)
    n_weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    ps = naive.paths(sizes, l, 0, 0)
    listed = "<br>".join(" → ".join(labels.neuron_html(l - 1 + t, n) for t, n in enumerate(p)) for p in ps[:shown])
    more = f"<br>... and {len(ps) - shown} more" if len(ps) > shown else ""
    return (f"<div><b>sizes {'-'.join(map(str, sizes))}</b> (L = {L}, {n_weights} weights, m = 1)"
            f"<table>"
            f"<tr><td>memoized multiplications</td><td style='text-align:right;font-family:monospace'>{memo}</td></tr>"
            f"<tr><td>naive multiplications</td><td style='text-align:right;font-family:monospace'>{nv}</td></tr>"
            f"<tr><td>naive / memoized</td><td style='text-align:right;font-family:monospace'>{nv / memo:.1f}</td></tr>"
            f"<tr><td>paths from {labels.weight_html(l, 0, 0)} to the outputs</td>"
            f"<td style='text-align:right;font-family:monospace'>{len(ps)}</td></tr></table>"
            f"<p>The paths the naive chain rule follows from {labels.weight_html(l, 0, 0)}:<br>"
            f"{listed}{more}</p></div>")


def counts_and_paths(width: int = 3, hidden_layers: int = 2, l: int = 1) -> W.Widget:
    """Sliders for the width and the number of hidden layers (and the layer l of the weight
    w^l_00 whose paths are listed); both multiplication counts and the paths, live."""
    w = W.IntSlider(value=width, min=1, max=6, description="width")
    d = W.IntSlider(value=hidden_layers, min=0, max=5, description="hidden layers")
    lay = W.IntSlider(value=l, min=1, max=hidden_layers + 1, description="l of w^l_00")
    html = W.HTML()

    def update(*_):
        lay.max = d.value + 1  # clamps lay.value, which re-enters update: harmless
        html.value = counts_html(w.value, d.value, lay.value)

    for s in (w, d, lay):
        s.observe(update, "value")
    update()
    box = LessonWidget([W.HBox([w, d, lay]), html],
                       "change width and depth, count memoized and naive multiplications")
    box.width, box.depth, box.layer, box.html = w, d, lay, html
    return box

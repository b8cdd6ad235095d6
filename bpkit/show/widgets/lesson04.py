r"""Lesson 04 widgets: the backpropagation equations, live.

* :func:`three_factors`: choose a weight w^l_ij and move it with a slider; a table shows, for
  every example, the notes' three factors ∂E/∂σ^l_j, ∂σ^l_j/∂sum^l_j and ∂sum^l_j/∂w^l_ij =
  σ^{l-1}_i, their product, the sum over the examples, the penalty's λ/m·w^l_ij, and the
  total against ``bpkit.gradient`` and a central difference (:func:`factors` computes them;
  the lesson's checked cells print it too).
* :func:`backprop_steps`: step through :func:`bpkit.scalar.gradient` neuron by neuron (a
  step slider and buttons). The diagram (:func:`bpkit.show.plots.diagram.draw_network`) highlights
  the memo entry written (∂E/∂σ^l_j) and the entries it reads (∂E/∂sum^{l+1}_p, through
  w^{l+1}_jp); a table shows the whole memo table's state with values. Every step's image is
  rendered when the widget is built, so a step costs only swapping a PNG and a table.

Widgets never print; they update ``HTML`` and ``Image`` values.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

import bpkit
from bpkit import labels
from bpkit.factors import Factors, three_factors as factors_of
from bpkit.show.html import TABLE, row
from bpkit.show.plots import diagram
from . import LessonWidget, follow_weight

__all__ = ["three_factors", "backprop_steps"]


def small_example():
    """The lesson's network and data: a 2-3-2-1 tanh network without biases (as in the notes),
    m = 3 examples, λ = 0.5. Returns ``(net, X, Y, lam)``."""
    net = bpkit.Network((2, 3, 2, 1), hidden="tanh", bias=False, seed=4)
    X = np.array([[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8]])
    Y = np.array([[1.0], [0.0], [1.0]])
    return net, X, Y, 0.5


# ------------------------------------------------------------------------------ the three factors
def _row(*cells, bold=False) -> str:
    return row(*cells, bold=bold, right=True)


def factors_html(f: Factors, L: int) -> str:
    """The table the :func:`three_factors` widget shows for one :class:`bpkit.factors.Factors`."""
    l, i, j = f.l, f.i, f.j
    head = _row("e", f"∂E/∂{labels.neuron_html(l, j)}", f"∂{labels.neuron_html(l, j)}/∂{labels.neuron_html(l, j, 'sum')}",
                f"∂{labels.neuron_html(l, j, 'sum')}/∂{labels.weight_html(l, i, j)} = {labels.neuron_html(l - 1, i)}", "product", bold=True)
    rows = "".join(_row(e, f"{a:.6f}", f"{b:.6f}", f"{c:.6f}", f"{p:.6f}") for e, (a, b, c, p) in
                   enumerate(zip(f.dE_dsigma, f.dsigma_dsum, f.sigma_prev, f.products)))
    where = (f"the output layer: ∂E/∂{labels.neuron_html('L', 'j')} = −(1/m)[y/σ − (1−y)/(1−σ)], and the first two "
             f"factors multiply to ({labels.neuron_html('L', 'j')} − y<sub>j</sub>)/m" if l == L else
             f"a hidden layer: ∂E/∂{labels.neuron_html(l, j)} = Σ<sub>p</sub> ∂E/∂{labels.neuron_html(l + 1, 'p')} · "
             f"∂{labels.neuron_html(l + 1, 'p')}/∂{labels.neuron_html(l + 1, 'p', 'sum')} · {labels.weight_html(l + 1, j, 'p')}")
    summary = (TABLE + _row("Σ<sub>e</sub> product", f"{f.products.sum():+.6f}")
               + _row(f"+ λ/m · {labels.weight_html(l, i, j)}", f"{f.penalty:+.6f}")
               + _row(f"= ∂E/∂{labels.weight_html(l, i, j)}", f"{f.total:+.6f}", bold=True)
               + _row("bpkit.gradient", f"{f.bpkit_value:+.6f}")
               + _row("central difference", f"{f.numerical:+.6f}") + "</table>")
    return (f"<div style='font-size:13px'><b>{labels.weight_html(l, i, j)} = {f.w:+.2f}</b>, in {where}.</div>"
            + TABLE + head + rows + "</table>" + summary)


def weight_names(net) -> list[tuple[str, tuple[int, int, int]]]:
    """(label, (l, i, j)) for every weight of ``net``, layer by layer."""
    return [(labels.weight_text(l, i, j), (l, i, j)) for l in net.W.layers()
            for i in range(net.sizes[l - 1]) for j in range(net.sizes[l])]


def three_factors(weight=(1, 0, 0)) -> W.Widget:
    """A weight chooser and a slider for its value; the three factors of ∂E/∂w^l_ij, live.

    The returned box has ``.slider``, ``.choice`` and ``.table`` for tests.
    """
    net, X, Y, lam = small_example()
    net = net.copy()
    choice = W.Dropdown(options=weight_names(net), value=tuple(weight), description="weight",
                        layout=W.Layout(width="220px"))
    l, i, j = choice.value
    slider = W.FloatSlider(value=round(float(net.W[l][i, j]), 2), min=-3.0, max=3.0, step=0.05,
                           description=labels.weight_text(l, i, j), readout_format=".2f", continuous_update=True,
                           layout=W.Layout(width="420px"))
    table = W.HTML()

    def show(l, i, j):
        table.value = factors_html(factors_of(net, X, Y, lam, l, i, j), net.L)

    def describe(l, i, j, value):
        slider.description = labels.weight_text(l, i, j)
        slider.value = round(value, 2)

    follow_weight(net, choice, slider, show, describe)
    box = LessonWidget([slider, choice, table], "move w^l_ij, watch the three factors of ∂E/∂w^l_ij")
    box.slider, box.choice, box.table = slider, choice, table
    return box


# ------------------------------------------------------------------------------ stepping through
def _sym(kind: str, l: int, j) -> str:
    """``∂E/∂σ¹₀`` or ``∂E/∂sum²ₚ`` in Unicode (for the diagram's title); ``kind`` as in a scalar Step."""
    return labels.partial("σ" if kind == "∂E/∂σ" else "sum", l, j)


def step_highlight(step) -> list:
    """The neurons and edges one :class:`bpkit.scalar.Step` touches: written (l, j), read (l+1, p),
    and the weights w^{l+1}_jp between them."""
    _, l, j = step.writes
    items = [(l, j)]
    for _, lp, p in step.reads:
        items += [(lp, p), (lp, j, p)]
    return items


def step_title(k: int, steps) -> str:
    if k == 0:
        return "step 0: forward pass done, memo table empty"
    step = steps[k - 1]
    _, l, j = step.writes
    if not step.reads:
        return f"step {k}: write {_sym('∂E/∂σ', l, j)} (output layer: reads y and σ only)"
    reads = ", ".join(_sym(r[0], r[1], r[2]) for r in step.reads)
    return f"step {k}: write {_sym('∂E/∂σ', l, j)}, reading {reads}"


def step_html(k: int, result, net, Y) -> str:
    """The memo table after step ``k`` (0 = empty), with the entry written and those read marked."""
    steps = result.extras["steps"]
    memo, delta = result.extras["memo"], result.extras["delta"]
    m = Y.shape[0]
    current = steps[k - 1] if k else None
    reads = {(r[1], r[2]) for r in current.reads} if current else set()
    head = _row("entry", "state", *[f"e = {e}" for e in range(m)], "∂E/∂sum (e = 0)", bold=True)
    colours = {"written now": "#f28e00", "read now": "#1f5fbf", "stored": "#222", "empty": "#aaa"}
    rows = []
    for n, step in enumerate(steps, start=1):
        _, l, j = step.writes
        if current is not None and n == k:
            state = "written now"
        elif (l, j) in reads:
            state = "read now"
        elif n < k:
            state = "stored"
        else:
            state = "empty"
        known = n <= k
        values = [f"{v:+.5f}" if known else "·" for v in memo[(l, j)]]
        d = f"{delta[(l, j)][0]:+.5f}" if known else "·"
        cells = [f"∂E/∂{labels.neuron_html(l, j)}", state, *values, d]
        rows.append(row(*cells, bold=state == "written now", right=True, colour=colours[state]))
    formula = ""
    if current is not None:
        _, l, j = current.writes
        if not current.reads:
            s, y = result.extras["record"].sigmas[l][0, j], Y[0, j]
            formula = (f"∂E/∂{labels.neuron_html(l, j)} = −(1/m)[y/σ − (1−y)/(1−σ)] = {memo[(l, j)][0]:+.5f} (e = 0, "
                       f"σ = {s:.5f}, y = {y:.0f}); its product with ∂σ/∂sum is stored too: "
                       f"(σ − y)/m = {delta[(l, j)][0]:+.5f}")
        else:
            terms = " + ".join(f"({delta[(lp, p)][0]:+.5f})({net.W[lp][j, p]:+.4f})" for _, lp, p in current.reads)
            formula = (f"∂E/∂{labels.neuron_html(l, j)} = Σ<sub>p</sub> ∂E/∂{labels.neuron_html(l + 1, 'p', 'sum')} · "
                       f"{labels.weight_html(l + 1, j, 'p')} = {terms} = {memo[(l, j)][0]:+.5f} (e = 0); "
                       f"{current.multiplications} multiplications over the m = {m} examples")
    else:
        formula = "nothing stored yet: the output layer L is filled first, then layer L−1, ... (right to left)"
    return (f"<div style='font-size:13px;max-width:760px'>{formula}</div>" + TABLE + head + "".join(rows)
            + "</table>")


def _render_steps(net, result) -> list[bytes]:
    import matplotlib.pyplot as plt

    steps = result.extras["steps"]
    fig = diagram.draw_network(net, result.extras["record"], example=0, title=step_title(0, steps))
    plt.close(fig)  # rendered to PNG below; never shown by the inline backend
    pngs = []
    for k in range(len(steps) + 1):
        diagram.set_highlight(fig, None if k == 0 else step_highlight(steps[k - 1]))
        fig.diagram.title.set_text(step_title(k, steps))
        pngs.append(diagram.render_png(fig, dpi=72))
    return pngs


def backprop_steps() -> W.Widget:
    """Step through backprop neuron by neuron: the memo entry written and the entries read.

    The returned box has ``.slider`` (the step), ``.previous``/``.next`` buttons, ``.image``
    (the diagram) and ``.table`` for tests.
    """
    net, X, Y, lam = small_example()
    result = bpkit.scalar.gradient(net, X, Y, lam)
    steps = result.extras["steps"]
    pngs = _render_steps(net, result)
    tables = [step_html(k, result, net, Y) for k in range(len(steps) + 1)]
    slider = W.IntSlider(value=0, min=0, max=len(steps), step=1, description="step",
                         continuous_update=True, layout=W.Layout(width="420px"))
    previous = W.Button(description="◀ previous", layout=W.Layout(width="110px"))
    nxt = W.Button(description="next ▶", layout=W.Layout(width="110px"))
    image = W.Image(format="png")
    table = W.HTML()

    def update(*_):
        image.value = pngs[slider.value]
        table.value = tables[slider.value]

    previous.on_click(lambda _: setattr(slider, "value", max(slider.min, slider.value - 1)))
    nxt.on_click(lambda _: setattr(slider, "value", min(slider.max, slider.value + 1)))
    slider.observe(update, "value")
    update()
    box = LessonWidget([W.HBox([slider, previous, nxt]), image, table],
                       "step through backpropagation, one memo entry at a time")
    box.slider, box.previous, box.next, box.image, box.table = slider, previous, nxt, image, table
    return box

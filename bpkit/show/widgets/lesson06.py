r"""Lesson 06 widgets: reverse-mode accumulation over a computational graph, step by step.

:func:`reverse_mode_example` shows the graph of the notes' example network (:func:`bpkit.graph.example_graph`),
:func:`reverse_mode_network` the graph of a 2-2-2 network with the objective E, where every σ^1_j feeds two
products (fan-out). Each has sliders for two weights and a step slider k: the graph (an SVG drawn by
:class:`bpkit.show.plots.graph.GraphSVG`) shows every node's value and its adjoint after the first k steps of
the backward pass (:meth:`bpkit.graph.Backward.after`), the node visited at step k in orange; a table lists
what that node sends to each input (local gradient × upstream gradient) and what each input holds so far.
Moving a weight rebuilds the graph (:func:`bpkit.graph.network_graph`) and reruns its passes.
The widgets never print.
"""
from __future__ import annotations

import ipywidgets as W
import numpy as np

from bpkit import example, graph, labels
from bpkit.network import Network
from ..html import TABLE, row
from ..plots.graph import GraphSVG
from . import LessonWidget

__all__ = ["reverse_mode_example", "reverse_mode_network"]

#: the 2-2-2 network of :func:`reverse_mode_network`: W^1, W^2 (no biases), one example and its targets
NET_W = [np.array([[0.5, -0.8], [-1.0, 0.6]]), np.array([[1.2, -0.4], [0.7, 0.9]])]
NET_X = np.array([[1.0, -0.5]])
NET_Y = np.array([[1.0, 0.0]])


def fanout_network() -> Network:
    """The 2-2-2 sigmoid network of :func:`reverse_mode_network` (a fresh copy every call)."""
    return Network.from_weights([w.copy() for w in NET_W], None)


def step_table(back, k: int) -> str:
    """An HTML table of step k of the backward pass: the node visited, its adjoint, and for each input the local
    gradient, the contribution (local × upstream) and the input's adjoint so far."""
    g = back.graph
    n = len(back.steps)
    if k == 0:
        seeds = ", ".join(f"{g.nodes[s].label} = {v:.4f}" for s, v in back.seeds.items())
        return (f"{TABLE}{row(f'step 0 of {n}: the seed, ∂o/∂o = 1 at the output ({seeds})', bold=True)}</table>")
    step = back.steps[k - 1]
    node = g.nodes[step.node]
    so_far = back.after(k)
    done = back.complete_after(k)
    rows = [row(f"step {k} of {n}: visit {node.label} ({node.op}), its adjoint ∂ = {step.upstream:.4f} is final",
                bold=True),
            row("input", "local gradient", "× upstream = sends", "its ∂ so far", bold=True)]
    for u, local, sent in step.sends:
        state = "final" if done[u] else "partial: more consumers to come"
        rows.append(row(g.nodes[u].label, f"{local:.4f}", f"{sent:.4f}", f"{so_far[u]:.4f} ({state})", right=True))
    return TABLE + "".join(rows) + "</table>"


def weights_table(back, keys, names=None) -> str:
    """An HTML table of the adjoints of the weight leaves ``keys`` (("w", l, i, j)) once the pass is complete."""
    rows = [row("weight", "value", "∂ (all steps)", bold=True)]
    for key in keys:
        k = back.graph.index[key]
        name = labels.weight_html(*key[1:]) + (f" (notes' {labels.notes_html(names[key])})" if names and key in names else "")
        rows.append(row(name, f"{back.values[k]:.4f}", f"{back.adjoints[k]:.4f}", right=True))
    return TABLE + "".join(rows) + "</table>"


def _reverse_mode(build, net: Network, moved, does: str, names=None) -> LessonWidget:
    """The widget: weight sliders for ``moved`` ((l, i, j)), a step slider, the graph and two tables.
    ``build(net)`` returns the graph."""
    style = {"description_width": "60px"}
    sliders = {}
    for l, i, j in moved:
        sliders[(l, i, j)] = W.FloatSlider(value=float(net.W[l][i, j]), min=-3.0, max=3.0, step=0.05,
                                           readout_format=".2f", description=labels.weight(l, i, j), style=style,
                                           continuous_update=True, layout=W.Layout(width="300px"))
    g = build(net)
    svg = GraphSVG(g)
    n = len(g.backward().steps)
    step = W.IntSlider(value=min(3, n), min=0, max=n, description="step k", style=style,
                       continuous_update=True, layout=W.Layout(width="420px"))
    picture, table, weights = W.HTML(), W.HTML(), W.HTML()
    state = {}

    def recompute(*_):
        for (l, i, j), s in sliders.items():
            net.W[l][i, j] = float(s.value)
        state["back"] = build(net).backward()
        weights.value = weights_table(state["back"], state["back"].graph.keys("w"), names)
        show()

    def show(*_):
        back = state["back"]
        picture.value = svg.render(back, step.value)
        table.value = step_table(back, step.value)

    for s in sliders.values():
        s.observe(recompute, "value")
    step.observe(show, "value")
    recompute()
    controls = W.HBox([W.VBox(list(sliders.values())), step])
    box = LessonWidget([controls, picture, W.HBox([table, weights])], does)
    box.sliders, box.step, box.diagram, box.table, box.weights, box.net = sliders, step, picture, table, weights, net
    box.state = state
    return box


def reverse_mode_example() -> W.Widget:
    """The notes' example network's graph; sliders for w^1_00 (the notes' w^1_1) and w^2_00 (w^2_1) and the step k.
    The output o = f, seeded with ∂o/∂o = 1; the weights' adjoints at the end are the notes' ∂o/∂w."""
    net = example.network()
    x = example.inputs()
    names = {("w",) + ijk: notes for notes, ijk in example.NOTES_NAMES.items()}
    return _reverse_mode(lambda n: graph.example_graph(n, x), net, [(1, 0, 0), (2, 0, 0)],
                         "step k through the backward pass, move w^1_00 or w^2_00",
                         names)


def reverse_mode_network() -> W.Widget:
    """A 2-2-2 network with one example and E: every σ^1_j feeds two products, so its adjoint is a SUM of two
    contributions (the notes' Σ_p); sliders for the two weights out of σ^1_0, w^2_01 and w^2_00, and the step k."""
    net = fanout_network()
    return _reverse_mode(lambda n: graph.network_graph(n, NET_X, NET_Y), net, [(2, 0, 1), (2, 0, 0)],
                         "step k through the fan-out sums, move w^2_01 or w^2_00")

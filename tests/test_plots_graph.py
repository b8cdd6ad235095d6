"""Do lesson 06's graph drawings show every node, its value and its adjoint after k steps, as bpkit.graph computed them?"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import bpkit  # noqa: E402
from bpkit import graph  # noqa: E402
from bpkit.show.plots import graph as plots  # noqa: E402
from bpkit.show.plots.diagram import HIGHLIGHT  # noqa: E402


def texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_layout_puts_columns_left_to_right_and_no_two_nodes_on_one_spot():
    """Does every edge go to a larger x, and does every node get its own place?"""
    g = graph.example_graph()
    pos = plots.layout(g)
    assert len(set(pos.values())) == len(g)
    assert all(pos[u][0] < pos[k][0] for k, n in enumerate(g.nodes) for u in n.inputs)


def test_draw_graph_shows_values_and_the_adjoints_after_k_steps():
    """After 0 steps only the seed (o = f, ∂ = 1) is known; after all, every weight's ∂ is ∂o/∂w of the notes
    (example.output_partials, computed by the vectorized backprop, not by the graph)."""
    g = graph.example_graph()
    back = g.backward()
    fig = plots.draw_graph(g, back=back, step=0)
    shown = texts(fig)
    assert shown.count("∂ = ?") == len(g) - 1 and "∂ = 1.000" in shown
    plt.close(fig)
    fig = plots.draw_graph(g, back=back)
    shown = texts(fig)
    assert "∂ = ?" not in shown
    for name, value in bpkit.example.output_partials(bpkit.example.network(), bpkit.example.inputs()).items():
        assert f"∂ = {value:.3f}" in shown, name
    assert tuple(fig.get_size_inches()) == (12.0, 6.5)
    plt.close(fig)


def test_svg_is_well_formed_and_changes_with_the_step():
    """Is the SVG valid XML, with one box per node, and does it change from step to step (orange = the node visited)?"""
    net = bpkit.Network.from_weights([np.array([[0.5, -0.8], [-1.0, 0.6]]), np.array([[1.2, -0.4], [0.7, 0.9]])])
    g = graph.network_graph(net, np.array([[1.0, -0.5]]), np.array([[1.0, 0.0]]))
    back = g.backward()
    svg = plots.GraphSVG(g)
    frames = [svg.render(back, k) for k in range(len(back.steps) + 1)]
    root = ET.fromstring(frames[-1])
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) == len(g)
    assert len(set(frames)) == len(frames)
    assert "∂ = ?" in frames[0] and "∂ = ?" not in frames[-1]
    assert HIGHLIGHT in frames[1] and HIGHLIGHT not in frames[0].split("</defs>")[1]

r"""Drawing a computational graph (:mod:`bpkit.graph`) with every node's value and adjoint ∂o/∂node.

Columns run left to right as the forward pass does; the backward pass fills the adjoints right to left.
A node's box shows its name, its value ``v`` and its adjoint ``∂`` (``∂ = ?`` not reached yet; a grey
``∂`` is a partial sum: some of its consumers have not sent yet). The node the backward pass visits at the
current step, and the edges along which it sends local gradient × upstream gradient, are orange.

Two renderers of one layout: :func:`draw_graph` (matplotlib, for lesson cells) and :class:`GraphSVG`
(an SVG string in about a millisecond, for widgets).
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch

from .diagram import HIGHLIGHT, INPUT_FACE, NEURON_FACE, OUTPUT_FACE

__all__ = ["layout", "node_lines", "draw_graph", "GraphSVG"]

X_GAP, Y_GAP, BOX_W, BOX_H = 1.9, 0.95, 1.45, 0.78
WEIGHT_FACE = "#eaf6e6"
EDGE, PARTIAL, DONE = "#9a9a9a", "#8a8a8a", "#1f5fbf"


def layout(g) -> dict[int, tuple[float, float]]:
    """Node index -> (x, y): x from the column; within a column the nodes are ordered by where their consumers
    are (right to left, so that edges cross as little as possible), neuron 0 at the top."""
    consumers = g.consumers()
    columns: dict[int, list[int]] = {}
    for k, n in enumerate(g.nodes):
        columns.setdefault(n.column, []).append(k)
    rank: dict[int, float] = {}
    for c in sorted(columns, reverse=True):
        nodes = columns[c]

        def key(k):
            cons = [rank[v] for v in consumers[k] if v in rank]
            return (sum(cons) / len(cons) if cons else math.inf, k)

        nodes.sort(key=key)
        for r, k in enumerate(nodes):
            rank[k] = r - (len(nodes) - 1) / 2
    return {k: (g.nodes[k].column * X_GAP, -rank[k] * Y_GAP) for k in rank}


def node_lines(g, k: int, values=None, adjoints=None) -> list[str]:
    """The text of node k: its name, ``v = 0.583`` and ``∂ = 0.116`` (``∂ = ?`` when its adjoint is NaN)."""
    lines = [g.nodes[k].label]
    if values is not None:
        lines.append(f"v = {values[k]:.3f}")
    if adjoints is not None:
        a = adjoints[k]
        lines.append("∂ = ?" if a != a else f"∂ = {a:.3f}")
    return lines


def _face(g, k: int) -> str:
    n = g.nodes[k]
    if k == g.output:
        return OUTPUT_FACE
    if n.op == "leaf":
        return WEIGHT_FACE if n.key[0] in ("w", "b") else INPUT_FACE
    return NEURON_FACE


def _state(back, step: int | None):
    """(adjoints shown, complete mask, current node, its inputs) after ``step`` steps (None: all, no current node)."""
    if back is None:
        return None, None, None, ()
    k = len(back.steps) if step is None else int(step)
    adjoints, complete = back.after(k), back.complete_after(k)
    current = back.steps[k - 1].node if k >= 1 and step is not None else None  # all steps: nothing to point at
    inputs = back.graph.nodes[current].inputs if current is not None else ()
    return adjoints, complete, current, inputs


def draw_graph(g, values=None, back=None, step: int | None = None, title: str | None = None,
               figsize=(12.0, 6.5), ax=None):
    """Draw graph ``g`` with its node values and the adjoints of ``back`` (a :class:`bpkit.graph.Backward`)
    after ``step`` steps of the backward pass (None: all). Returns the figure."""
    pos = layout(g)
    adjoints, complete, current, inputs = _state(back, step)
    values = back.values if values is None and back is not None else values
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    for k, n in enumerate(g.nodes):
        for u in n.inputs:
            hot = k == current and u in inputs
            (x0, y0), (x1, y1) = pos[u], pos[k]
            ax.annotate("", xy=(x1 - BOX_W / 2, y1), xytext=(x0 + BOX_W / 2, y0),
                        arrowprops=dict(arrowstyle="-|>", color=HIGHLIGHT if hot else EDGE, lw=2.2 if hot else 0.8,
                                        shrinkA=0, shrinkB=0), zorder=3 if hot else 1)
    for k in range(len(g)):
        x, y = pos[k]
        edge = HIGHLIGHT if k == current else (DONE if complete is not None and complete[k] else "#555555")
        ax.add_patch(FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle="round,pad=0.02",
                                    facecolor=_face(g, k), edgecolor=edge, lw=2.4 if k == current else 1.0, zorder=4))
        lines = node_lines(g, k, values, adjoints)
        ax.text(x, y + BOX_H / 4, lines[0], ha="center", va="center", fontsize=9.5, zorder=5)
        partial = complete is not None and not complete[k]
        for r, line in enumerate(lines[1:]):
            ax.text(x, y - BOX_H * (0.05 + 0.25 * r), line, ha="center", va="center", fontsize=7.5, zorder=5,
                    color=PARTIAL if partial and r == len(lines) - 2 else "black")
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - BOX_W, max(xs) + BOX_W)
    ax.set_ylim(min(ys) - BOX_H, max(ys) + BOX_H)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=11)
    return fig


class GraphSVG:
    """The drawing of :func:`draw_graph` as an SVG string, for widgets (the layout is computed once)."""

    def __init__(self, g, px: float = 62.0):
        self.g = g
        self.pos = layout(g)
        self.px = px
        xs = [p[0] for p in self.pos.values()]
        ys = [p[1] for p in self.pos.values()]
        self.x0, self.y1 = min(xs) - BOX_W * 0.6, max(ys) + BOX_H * 0.6
        self.width = (max(xs) - min(xs) + BOX_W * 1.2) * px
        self.height = (max(ys) - min(ys) + BOX_H * 1.2) * px

    def _xy(self, x, y):
        return (x - self.x0) * self.px, (self.y1 - y) * self.px

    def render(self, back, step: int | None = None, values=None) -> str:
        """The SVG of the graph with the adjoints of ``back`` after ``step`` steps (None: all)."""
        g = self.g
        adjoints, complete, current, inputs = _state(back, step)
        values = back.values if values is None and back is not None else values
        out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{self.width:.0f}' height='{self.height:.0f}' "
               "font-family='DejaVu Sans, sans-serif'>",
               "<defs><marker id='arr' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='6' markerHeight='6' "
               f"orient='auto'><path d='M0,0 L10,5 L0,10 z' fill='{EDGE}'/></marker>"
               "<marker id='hot' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='5' markerHeight='5' "
               f"orient='auto'><path d='M0,0 L10,5 L0,10 z' fill='{HIGHLIGHT}'/></marker></defs>"]
        half_w, half_h = BOX_W / 2, BOX_H / 2
        for k, n in enumerate(g.nodes):
            for u in n.inputs:
                hot = k == current and u in inputs
                xa, ya = self._xy(self.pos[u][0] + half_w, self.pos[u][1])
                xb, yb = self._xy(self.pos[k][0] - half_w, self.pos[k][1])
                out.append(f"<line x1='{xa:.1f}' y1='{ya:.1f}' x2='{xb:.1f}' y2='{yb:.1f}' "
                           f"stroke='{HIGHLIGHT if hot else EDGE}' stroke-width='{3 if hot else 1}' "
                           f"marker-end='url(#{'hot' if hot else 'arr'})'/>")
        for k in range(len(g)):
            x, y = self._xy(self.pos[k][0] - half_w, self.pos[k][1] + half_h)
            edge = HIGHLIGHT if k == current else (DONE if complete is not None and complete[k] else "#555555")
            out.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='{BOX_W * self.px:.1f}' height='{BOX_H * self.px:.1f}' "
                       f"rx='6' fill='{_face(g, k)}' stroke='{edge}' stroke-width='{3 if k == current else 1}'/>")
            cx, cy = self._xy(*self.pos[k])
            lines = node_lines(g, k, values, adjoints)
            partial = complete is not None and not complete[k]
            out.append(f"<text x='{cx:.1f}' y='{cy - 0.17 * self.px:.1f}' font-size='12' text-anchor='middle'>"
                       f"{_escape(lines[0])}</text>")
            for r, line in enumerate(lines[1:]):
                out.append(f"<text x='{cx:.1f}' y='{cy + (0.06 + 0.2 * r) * self.px:.1f}' font-size='10' "
                           f"text-anchor='middle' fill='{PARTIAL if partial and r == len(lines) - 2 else 'black'}'>"
                           f"{_escape(line)}</text>")
        out.append("</svg>")
        return "".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

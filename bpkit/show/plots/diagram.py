r"""The network diagram: every neuron σ^l_i and every weight w^l_ij, labelled in the notes' notation.

Layers run left to right, from layer 0 (the input) to layer L (the output); the notes count
them right to left from the output, so the titles say both (``layer 1 = L−1``). Neuron i of
layer l is drawn at row i (row 0 at the top) and labelled σ^l_i; given a forward record, its
sum^l_i and σ^l_i for one example are written under it. Every connection that exists
(``net.connected(l, i, j)``; a sparse network such as the notes' example draws only its own)
is a line labelled w^l_ij with its value; its colour is the weight's sign (blue > 0, red < 0)
and its width the weight's magnitude.

``draw_network`` returns the figure; its artists are kept in ``fig.diagram`` (a
:class:`Diagram`) so that the weights, the record or the highlight can be changed in place
with :func:`update_network` and :func:`set_highlight` instead of building a new figure.
For widgets, :class:`bpkit.show.plots.svg.NetworkSVG` renders the same diagram (same layout and labels) as an SVG
string in about a millisecond; re-rendering a matplotlib diagram takes 50-150 ms.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np

from bpkit import labels

#: colours: positive weight, negative weight, zero weight, highlight
POSITIVE, NEGATIVE, ZERO, HIGHLIGHT = "#1f5fbf", "#c8352b", "#9a9a9a", "#f28e00"
NEURON_FACE, INPUT_FACE, OUTPUT_FACE = "#f4f4f4", "#e3eefb", "#fbeee3"
X_STEP, Y_STEP, RADIUS = 3.0, 1.35, 0.33
MAX_WIDTH, MIN_WIDTH = 4.0, 0.6
EDGE_FONT, VALUE_FONT, NEURON_FONT, LAYER_FONT, TITLE_FONT = 8.5, 8, 12, 10, 11
SCALE = 0.9  # inches per data unit of the default figure size

__all__ = ["Diagram", "draw_network", "update_network", "set_highlight", "layer_title",
           "neuron_text", "edge_text", "render_png"]


# ---------------------------------------------------------------------- labels
def layer_title(l: int, L: int) -> str:
    """``layer 0 (input)``, ``layer l = L−k`` for hidden layers, ``layer L = L (output)``."""
    if l == 0:
        return "layer 0 (input)"
    if l == L:
        return f"layer {L} = L (output)"
    return f"layer {l} = L\u2212{L - l} (hidden)"


def neuron_text(net, record, example: int, l: int, i: int) -> str:
    """The values written under σ^l_i: its sum and σ for one example (and its bias b^l_i)."""
    lines = []
    if record is not None:
        if l > 0:
            lines.append(f"sum = {record.sums[l][example, i]:.3f}")
        lines.append(f"  \u03c3 = {record.sigmas[l][example, i]:.3f}")
    if l > 0 and net.b is not None:
        lines.append(f"  b = {net.b[l][i]:.2f}")
    return "\n".join(lines)


def edge_text(net, l: int, i: int, j: int, show_value: bool = True) -> str:
    """The label of one edge: ``w¹₀₀ = 0.50``."""
    name = labels.weight(l, i, j)
    return f"{name} = {net.W[l][i, j]:.2f}" if show_value else name


# ---------------------------------------------------------------------- geometry
def _positions(sizes) -> dict[tuple[int, int], tuple[float, float]]:
    """(l, i) -> (x, y): layer l at x = l·X_STEP, neuron 0 at the top, every layer centred on y = 0."""
    return {(l, i): (l * X_STEP, (n - 1) * Y_STEP / 2 - i * Y_STEP)
            for l, n in enumerate(sizes) for i in range(n)}


def _text_size(text: str, fontsize: float, scale: float, char: float = 0.56, line: float = 1.45):
    """Approximate (width, height) of a text in data units at ``scale`` inches per unit."""
    lines = text.split("\n") if text else [""]
    w = max(len(t) for t in lines) * char * fontsize / 72 / scale
    h = len(lines) * line * fontsize / 72 / scale
    return w, h


def _overlaps(boxes: np.ndarray, obstacles: np.ndarray) -> np.ndarray:
    """Total overlap area of each box (n, 4: x0 y0 x1 y1) with all obstacles (k, 4)."""
    if len(obstacles) == 0:
        return np.zeros(len(boxes))
    dx = np.minimum(boxes[:, None, 2], obstacles[None, :, 2]) - np.maximum(boxes[:, None, 0], obstacles[None, :, 0])
    dy = np.minimum(boxes[:, None, 3], obstacles[None, :, 3]) - np.maximum(boxes[:, None, 1], obstacles[None, :, 1])
    return (np.clip(dx, 0, None) * np.clip(dy, 0, None)).sum(axis=1)


def _segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from each point p (n, 2) to each segment a->b (k, 2): shape (n, k)."""
    ab = b - a
    ap = p[:, None, :] - a[None, :, :]
    t = np.clip((ap * ab[None]).sum(-1) / np.maximum((ab * ab).sum(-1), 1e-12)[None], 0, 1)
    closest = a[None] + t[..., None] * ab[None]
    return np.linalg.norm(p[:, None, :] - closest, axis=-1)


def _place_labels(net, pos, label_texts, value_texts, scale) -> dict:
    """Where each edge's label sits: the fraction t along its edge (0.2..0.8).

    Greedy and deterministic, in edge order: the t whose label box overlaps least with the
    neurons, their value texts and the labels already placed, and whose centre stays away
    from the other edges of the layer (so that a label never sits on a crossing, where it
    would be ambiguous which of the two edges it names)."""
    obstacles = []
    for key, (x, y) in pos.items():
        r = RADIUS + 0.05
        obstacles.append((x - r, y - r, x + r, y + r))
        if value_texts[key]:
            w, h = _text_size(value_texts[key], VALUE_FONT, scale, char=0.63, line=1.3)
            obstacles.append((x - w / 2, y - RADIUS - 0.06 - h, x + w / 2, y - RADIUS - 0.06))
    ts = np.linspace(0.2, 0.8, 25)
    out = {}
    keys = list(label_texts)
    for key in keys:
        l, i, j = key
        (x0, y0), (x1, y1) = pos[(l - 1, i)], pos[(l, j)]
        w, h = _text_size(label_texts[key], EDGE_FONT, scale)
        w, h = w + 0.08, h + 0.04
        centres = np.stack([x0 + ts * (x1 - x0), y0 + ts * (y1 - y0)], axis=1)
        boxes = np.concatenate([centres - [w / 2, h / 2], centres + [w / 2, h / 2]], axis=1)
        cost = _overlaps(boxes, np.asarray(obstacles, dtype=float)) + 0.002 * np.abs(ts - 0.5)
        others = [k for k in keys if k[0] == l and k != key]
        if others:
            a = np.array([pos[(l - 1, k[1])] for k in others], dtype=float)
            b = np.array([pos[(l, k[2])] for k in others], dtype=float)
            near = _segment_distance(centres, a, b).min(axis=1)
            cost = cost + 0.5 * h * np.clip(0.5 * w - near, 0, None)
        best = float(ts[int(np.argmin(cost))])
        out[key] = best
        cx, cy = x0 + best * (x1 - x0), y0 + best * (y1 - y0)
        obstacles.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    return out


def _edges(net):
    for l in range(1, net.L + 1):
        for i in range(net.sizes[l - 1]):
            for j in range(net.sizes[l]):
                if net.connected(l, i, j):
                    yield (l, i, j)


def _edge_style(w: float, wmax: float) -> tuple[str, float]:
    colour = ZERO if w == 0 else (POSITIVE if w > 0 else NEGATIVE)
    width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * min(abs(w) / wmax, 1.0) if wmax > 0 else MIN_WIDTH
    return colour, width


def _wmax(net) -> float:
    return max((float(np.max(np.abs(w))) for w in net.W), default=0.0)


@dataclass
class Diagram:
    """The artists of one drawn network, by notation index, for cheap updates."""

    fig: object
    ax: object
    sizes: tuple
    neurons: dict = field(default_factory=dict)        # (l, i) -> Circle
    neuron_labels: dict = field(default_factory=dict)  # (l, i) -> Text  "σ^l_i"
    values: dict = field(default_factory=dict)         # (l, i) -> Text  "sum = ...\nσ = ..."
    edges: dict = field(default_factory=dict)          # (l, i, j) -> Line2D
    edge_labels: dict = field(default_factory=dict)    # (l, i, j) -> Text  "w^l_ij = ..."
    titles: dict = field(default_factory=dict)         # l -> Text
    names: dict = field(default_factory=dict)          # (l, i) -> Text of the neuron's other name
    title: object = None                               # Text of the figure's title
    show_values: bool = True
    highlight: frozenset = frozenset()
    _style: dict = field(default_factory=dict)         # (l, i, j) -> (colour, width) of the weight

    def texts(self) -> list[str]:
        """Every string drawn (titles, neuron labels, values, edge labels): for tests."""
        out = [] if self.title is None else [self.title.get_text()]
        out += [t.get_text() for t in self.titles.values()]
        out += [t.get_text() for t in self.neuron_labels.values()]
        out += [t.get_text() for t in self.values.values()]
        out += [t.get_text() for t in self.edge_labels.values()]
        return out


def draw_network(net, record=None, example: int = 0, ax=None, show_values: bool = True,
                 highlight=None, figsize=None, title: str | None = None, names: dict | None = None):
    r"""Draw ``net`` with every neuron σ^l_i and every existing weight w^l_ij labelled.

    Args:
        net: a :class:`bpkit.Network` (small: labels are readable up to ~20 neurons).
        record: a forward record ``net.forward(X)``; if given, each neuron shows its
            sum^l_i and σ^l_i for example ``example`` (row of X), with 3 decimals.
        ax: draw into this axes (else a new figure of a fixed size set by the layer sizes). The
            labels are sized for the default figure: give an axes about as much room
            ((2.2 + 2.6 L) x (1.9 + 1.35 (max n_l − 1)) inches), or they will crowd.
        show_values: write the weights' values on the edges (2 decimals) and the record's
            values under the neurons; False draws the names only.
        highlight: neurons ``(l, i)`` and/or edges ``(l, i, j)`` to emphasise; everything
            else is dimmed.
        figsize: override the automatic size (inches).
        title: the axes title (default: the layer sizes and hidden activation).
        names: other names of neurons, ``{(l, i): "x", ...}`` (the notes' x, y, g_1 ...),
            written in italics above them.

    Returns:
        The matplotlib figure; ``fig.diagram`` holds the :class:`Diagram` of artists.
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle

    sizes = tuple(net.sizes)
    if record is not None:
        if record.sigmas[0].shape[1] != sizes[0] or len(record.sigmas) != len(sizes):
            raise ValueError("the record does not belong to this network (layer sizes differ)")
        if not 0 <= example < record.m:
            raise IndexError(f"example {example} does not exist: the record has m = {record.m} examples")
    n_max = max(sizes)
    top = (n_max - 1) * Y_STEP / 2
    xlim = (-1.0, net.L * X_STEP + 1.0)
    extra = 0.3 if names else 0.0  # room for the names above the top neurons
    ylim = (-top - (1.2 if show_values else 0.6), top + extra + (1.45 if title != "" else 0.85))
    if ax is None:
        if figsize is None:
            figsize = (round(SCALE * (xlim[1] - xlim[0]), 2), round(SCALE * (ylim[1] - ylim[0]), 2))
        fig = plt.figure(figsize=figsize)
        ax = fig.add_axes([0.0, 0.0, 1.0, 1.0])
    else:
        fig = ax.figure
    ax.set_axis_off()
    ax.set_aspect("equal")
    pos = _positions(sizes)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    label_texts = {key: edge_text(net, *key, show_values) for key in _edges(net)}
    value_texts = {key: neuron_text(net, record, example, *key) if show_values else "" for key in pos}
    fractions = _place_labels(net, pos, label_texts, value_texts, SCALE)

    d = Diagram(fig, ax, sizes, show_values=show_values)
    fig.diagram = d
    wmax = _wmax(net)
    for (l, i, j) in _edges(net):
        (x0, y0), (x1, y1) = pos[(l - 1, i)], pos[(l, j)]
        colour, width = _edge_style(float(net.W[l][i, j]), wmax)
        line = Line2D([x0, x1], [y0, y1], color=colour, linewidth=width, zorder=1,
                      solid_capstyle="round")
        ax.add_line(line)
        d.edges[(l, i, j)] = line
        d._style[(l, i, j)] = (colour, width)
        t = fractions[(l, i, j)]
        d.edge_labels[(l, i, j)] = ax.text(
            x0 + t * (x1 - x0), y0 + t * (y1 - y0), label_texts[(l, i, j)],
            fontsize=EDGE_FONT, ha="center", va="center", zorder=3, color="#222222",
            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec=colour, lw=0.6, alpha=0.9))
    for (l, i), (x, y) in pos.items():
        face = INPUT_FACE if l == 0 else (OUTPUT_FACE if l == net.L else NEURON_FACE)
        circle = Circle((x, y), RADIUS, facecolor=face, edgecolor="#333333", linewidth=1.2, zorder=4)
        ax.add_patch(circle)
        d.neurons[(l, i)] = circle
        d.neuron_labels[(l, i)] = ax.text(x, y, labels.neuron(l, i), fontsize=NEURON_FONT, ha="center",
                                          va="center", zorder=5)
        d.values[(l, i)] = ax.text(x, y - RADIUS - 0.06, value_texts[(l, i)], fontsize=VALUE_FONT,
                                   ha="center", va="top",
                                   zorder=5, family="monospace", linespacing=1.1)
    for (l, i), name in (names or {}).items():
        if (l, i) not in pos:
            raise ValueError(f"names: neuron {labels.neuron_text(l, i)} is not in the {sizes} network")
        x, y = pos[(l, i)]
        d.names[(l, i)] = ax.text(x, y + RADIUS + 0.05, name, fontsize=VALUE_FONT + 2, style="italic",
                                  ha="center", va="bottom", zorder=5, color="#444444")
    for l in range(net.L + 1):
        d.titles[l] = ax.text(l * X_STEP, top + extra + 0.55, layer_title(l, net.L), fontsize=LAYER_FONT,
                              ha="center", va="center", weight="bold")
    if title is None:
        act = "" if net.L == 1 else f", hidden: {net.hidden.name}"
        title = (f"network {'-'.join(map(str, sizes))}{act}, output: sigmoid"
                 + (f"  (example {example})" if record is not None and record.m > 1 else ""))
    if title:  # a plain text, not ax.set_title: placing a title costs a layout pass per draw
        d.title = ax.text((net.L * X_STEP) / 2, top + extra + 1.15, title, fontsize=TITLE_FONT, ha="center", va="center")
    set_highlight(fig, highlight)
    return fig


def update_network(fig, net, record=None, example: int = 0) -> None:
    """Rewrite the weights' labels, colours and widths and the neurons' values in place.

    ``net`` must have the layer sizes (and the connections) of the drawn network. Call
    ``fig.canvas.draw_idle()`` or :func:`render_png` afterwards.
    """
    d: Diagram = fig.diagram
    if tuple(net.sizes) != d.sizes:
        raise ValueError(f"the diagram shows a {d.sizes} network, not {tuple(net.sizes)}")
    wmax = _wmax(net)
    for key, line in d.edges.items():
        l, i, j = key
        d._style[key] = _edge_style(float(net.W[l][i, j]), wmax)
        d.edge_labels[key].set_text(edge_text(net, l, i, j, d.show_values))
    if d.show_values:
        for (l, i), text in d.values.items():
            text.set_text(neuron_text(net, record, example, l, i))
    _apply_highlight(d)


def _check_highlight(d: Diagram, highlight) -> frozenset:
    if highlight is None:
        return frozenset()
    items = set()
    for item in highlight:
        item = tuple(int(k) for k in item)
        if len(item) == 2:
            if item not in d.neurons:
                raise ValueError(f"neuron {labels.neuron_text(*item)} is not in the {d.sizes} network")
        elif len(item) == 3:
            if item not in d.edges:
                raise ValueError(f"the connection {labels.weight_text(*item)} does not exist in this network")
        else:
            raise ValueError(f"highlight items are neurons (l, i) or edges (l, i, j), got {item}")
        items.add(item)
    return frozenset(items)


def set_highlight(fig, highlight=None) -> None:
    """Emphasise neurons ``(l, i)`` and edges ``(l, i, j)``; dim the rest (None: nothing)."""
    d: Diagram = fig.diagram
    d.highlight = _check_highlight(d, highlight)
    _apply_highlight(d)


def _apply_highlight(d: Diagram) -> None:
    on = d.highlight
    dim = 0.25 if on else 1.0
    for key, line in d.edges.items():
        label = d.edge_labels[key]
        if key in on:
            line.set_color(HIGHLIGHT)
            line.set_linewidth(d._style[key][1] + 2.0)
            line.set_alpha(1.0)
            line.set_zorder(2)
            label.set_alpha(1.0)
            label.get_bbox_patch().set_edgecolor(HIGHLIGHT)
            label.get_bbox_patch().set_linewidth(2.0)
            label.set_zorder(6)
        else:
            colour, width = d._style[key]
            line.set_color(colour)
            line.set_linewidth(width)
            line.set_alpha(dim)
            label.get_bbox_patch().set_edgecolor(colour)
            line.set_zorder(1)
            label.set_alpha(1.0 if not on else 0.45)
            label.get_bbox_patch().set_linewidth(0.6)
            label.set_zorder(3)
    for key, circle in d.neurons.items():
        if key in on:
            circle.set_edgecolor(HIGHLIGHT)
            circle.set_linewidth(3.5)
            circle.set_alpha(1.0)
        else:
            circle.set_edgecolor("#333333")
            circle.set_linewidth(1.2)
            circle.set_alpha(1.0 if not on else 0.45)
        d.neuron_labels[key].set_alpha(1.0 if (not on or key in on) else 0.45)
        d.values[key].set_alpha(1.0 if (not on or key in on) else 0.45)


def render_png(fig, dpi: int = 80) -> bytes:
    """The figure as PNG bytes (for an ``ipywidgets.Image``: cheaper than a new figure)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buf.getvalue()

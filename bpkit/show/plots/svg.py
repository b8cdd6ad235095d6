"""The network diagram of :func:`bpkit.show.plots.diagram.draw_network` as an SVG string, for widgets.

Same layout, labels, label placement, colours and widths as the matplotlib figure, rendered in about a
millisecond (re-rendering a matplotlib diagram takes 50-150 ms), so a slider stays inside 100 ms.
"""
from __future__ import annotations

from bpkit import labels
from .diagram import (EDGE_FONT, HIGHLIGHT, INPUT_FACE, LAYER_FONT, NEURON_FACE, NEURON_FONT, OUTPUT_FACE, RADIUS,
                      SCALE, TITLE_FONT, VALUE_FONT, X_STEP, Y_STEP, _edge_style, _edges, _place_labels, _positions,
                      _wmax, edge_text, layer_title, neuron_text)

__all__ = ["NetworkSVG", "network_svg"]


class NetworkSVG:
    r"""The diagram of :func:`draw_network` as an SVG string, for widgets: ~1 ms per render.

    Same layout, labels, label placement, colours and widths as the matplotlib figure (the
    label positions are computed once, at construction, so they do not jump while a slider
    moves). ``render(net, record, example, highlight)`` returns the SVG of the current state;
    ``net`` must have the drawn network's sizes and connections.

    Matplotlib needs ~50-150 ms to re-render a diagram's dozens of texts; a widget that shows
    this SVG in an ``ipywidgets.HTML`` stays well inside the 100 ms budget.
    """

    def __init__(self, net, record=None, example: int = 0, show_values: bool = True, names: dict | None = None,
                 title: str | None = None, px_per_unit: float = 80.0):
        self.sizes = tuple(net.sizes)
        self.L = net.L
        self.show_values = show_values
        self.names = dict(names or {})
        self.U = float(px_per_unit)
        self.pos = _positions(self.sizes)
        for key in self.names:
            if key not in self.pos:
                raise ValueError(f"names: neuron {labels.neuron_text(*key)} is not in the {self.sizes} network")
        self.keys = list(_edges(net))
        n_max = max(self.sizes)
        self.top = (n_max - 1) * Y_STEP / 2
        self.extra = 0.3 if self.names else 0.0
        if title is None:
            act = "" if net.L == 1 else f", hidden: {net.hidden.name}"
            title = f"network {'-'.join(map(str, self.sizes))}{act}, output: sigmoid"
        self.title = title
        self.xlim = (-1.0, net.L * X_STEP + 1.0)
        self.ylim = (-self.top - (1.2 if show_values else 0.6),
                     self.top + self.extra + (1.45 if title else 0.85))
        edge_texts = {key: edge_text(net, *key, show_values) for key in self.keys}
        values = {key: neuron_text(net, record, example, *key) if show_values else "" for key in self.pos}
        self.fractions = _place_labels(net, self.pos, edge_texts, values, SCALE)

    # pixels
    def _x(self, x):
        return (x - self.xlim[0]) * self.U

    def _y(self, y):
        return (self.ylim[1] - y) * self.U

    def _px(self, points: float) -> float:
        """A font size in points of the matplotlib figure -> pixels at this scale."""
        return points / 72 / SCALE * self.U

    @property
    def width(self) -> int:
        return int(round((self.xlim[1] - self.xlim[0]) * self.U))

    @property
    def height(self) -> int:
        return int(round((self.ylim[1] - self.ylim[0]) * self.U))

    def render(self, net, record=None, example: int = 0, highlight=None) -> str:
        """The SVG (a string) of ``net`` (and its record's values), with ``highlight`` emphasised."""
        import html

        if tuple(net.sizes) != self.sizes:
            raise ValueError(f"the diagram shows a {self.sizes} network, not {tuple(net.sizes)}")
        on = set()
        for item in highlight or ():
            item = tuple(int(k) for k in item)
            if (len(item) == 2 and item not in self.pos) or (len(item) == 3 and item not in self.keys) \
                    or len(item) not in (2, 3):
                raise ValueError(f"cannot highlight {item}: not a neuron (l, i) or an existing edge (l, i, j)")
            on.add(item)
        dim = 0.25 if on else 1.0
        esc = html.escape
        U, X, Y = self.U, self._x, self._y
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
               f'viewBox="0 0 {self.width} {self.height}" font-family="DejaVu Sans, Verdana, sans-serif">',
               f'<rect width="{self.width}" height="{self.height}" fill="white"/>']
        wmax = _wmax(net)
        weight_texts = []
        for key in self.keys:
            l, i, j = key
            (x0, y0), (x1, y1) = self.pos[(l - 1, i)], self.pos[(l, j)]
            colour, width = _edge_style(float(net.W[l][i, j]), wmax)
            lit = key in on
            stroke, sw, op = (HIGHLIGHT, width + 2.0, 1.0) if lit else (colour, width, dim)
            out.append(f'<line x1="{X(x0):.1f}" y1="{Y(y0):.1f}" x2="{X(x1):.1f}" y2="{Y(y1):.1f}" '
                       f'stroke="{stroke}" stroke-width="{sw * U / 72 / SCALE:.2f}" stroke-opacity="{op}" '
                       f'stroke-linecap="round"/>')
            t = self.fractions[key]
            text = edge_text(net, l, i, j, self.show_values)
            fs = self._px(EDGE_FONT)
            w = len(text) * 0.6 * fs + 6
            h = fs * 1.35
            cx, cy = X(x0 + t * (x1 - x0)), Y(y0 + t * (y1 - y0))
            lop = 1.0 if (lit or not on) else 0.45
            weight_texts.append(
                f'<g opacity="{lop}"><rect x="{cx - w / 2:.1f}" y="{cy - h / 2:.1f}" width="{w:.1f}" '
                f'height="{h:.1f}" rx="3" fill="white" fill-opacity="0.9" stroke="{HIGHLIGHT if lit else colour}" '
                f'stroke-width="{2.0 if lit else 0.8}"/><text x="{cx:.1f}" y="{cy:.1f}" font-size="{fs:.1f}" '
                f'text-anchor="middle" dominant-baseline="central" fill="#222">{esc(text)}</text></g>')
        out += weight_texts
        r = RADIUS * U
        for (l, i), (x, y) in self.pos.items():
            face = INPUT_FACE if l == 0 else (OUTPUT_FACE if l == self.L else NEURON_FACE)
            lit = (l, i) in on
            op = 1.0 if (lit or not on) else 0.45
            out.append(f'<g opacity="{op}"><circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="{r:.1f}" fill="{face}" '
                       f'stroke="{HIGHLIGHT if lit else "#333"}" stroke-width="{3.5 if lit else 1.2}"/>'
                       f'<text x="{X(x):.1f}" y="{Y(y):.1f}" font-size="{self._px(NEURON_FONT):.1f}" '
                       f'text-anchor="middle" dominant-baseline="central">{esc(labels.neuron(l, i))}</text>')
            if self.show_values:
                fs = self._px(VALUE_FONT)
                lines = neuron_text(net, record, example, l, i).split("\n")
                y0 = Y(y) + r + 0.06 * U + fs
                spans = "".join(f'<tspan x="{X(x):.1f}" y="{y0 + k * fs * 1.15:.1f}">{esc(s)}</tspan>'
                                for k, s in enumerate(lines) if s)
                out.append(f'<text font-family="DejaVu Sans Mono, monospace" font-size="{fs:.1f}" '
                           f'text-anchor="middle" xml:space="preserve">{spans}</text>')
            out.append("</g>")
        for (l, i), name in self.names.items():
            x, y = self.pos[(l, i)]
            out.append(f'<text x="{X(x):.1f}" y="{Y(y + RADIUS + 0.05):.1f}" font-size="{self._px(VALUE_FONT + 2):.1f}" '
                       f'font-style="italic" fill="#444" text-anchor="middle">{esc(name)}</text>')
        for l in range(self.L + 1):
            out.append(f'<text x="{X(l * X_STEP):.1f}" y="{Y(self.top + self.extra + 0.55):.1f}" '
                       f'font-size="{self._px(LAYER_FONT):.1f}" font-weight="bold" text-anchor="middle" '
                       f'dominant-baseline="central">{esc(layer_title(l, self.L))}</text>')
        if self.title:
            out.append(f'<text x="{X(self.L * X_STEP / 2):.1f}" y="{Y(self.top + self.extra + 1.15):.1f}" '
                       f'font-size="{self._px(TITLE_FONT):.1f}" text-anchor="middle" '
                       f'dominant-baseline="central">{esc(self.title)}</text>')
        out.append("</svg>")
        return "".join(out)


def network_svg(net, record=None, example: int = 0, show_values: bool = True, highlight=None,
                names: dict | None = None, title: str | None = None) -> str:
    """:func:`draw_network` as an SVG string (see :class:`NetworkSVG`; build one and call ``render``
    repeatedly when the weights change, so the labels stay put)."""
    return NetworkSVG(net, record, example, show_values, names, title).render(net, record, example, highlight)

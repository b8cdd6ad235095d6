r"""Lesson 02: the chain rule on the notes' example network, as tables and plots.

The example (``bpkit.example``) is x, y, z, w → g_1, g_2 → f:

    o = f(w^2_1 g_1(w^1_1 x + w^1_2 y) + w^2_2 g_2(w^1_3 z + w^1_4 w))

and for a first-layer weight w^1_t feeding g_j with input u the notes' chain rule reads

    ∂o/∂w^1_t = ∂f/∂g_j · ∂g_j/∂w^1_t = [f'(sum^2_0) · w^2_j] · [g'(sum^1_j) · u].

Everything here is presentation: the factors come from :func:`bpkit.example.chain_factors`,
∂o/∂w from :func:`bpkit.example.output_partials` (backpropagation) and the sympy form from
:func:`bpkit.example.symbolic`. The one computation of its own is the independent oracle,
:func:`numerical_output_partials`: central differences on the output o itself.
"""
from __future__ import annotations

import numpy as np

from bpkit import example, labels
from bpkit.example import numerical_output_partials
from bpkit.labels import svg_sub, svg_sup
from bpkit.network import Network

__all__ = [
    "numerical_output_partials", "output", "mask_lines", "name_map_lines", "chain_rows",
    "chain_table", "agreement_rows", "agreement_table", "chain_html", "tangent_svg", "plot_tangent",
    "plot_factors",
    "FACTOR_LATEX",
]

#: LaTeX of each factor name used by :func:`bpkit.example.chain_factors`
FACTOR_LATEX = {
    "df/dsum2": r"\frac{\partial f}{\partial \text{sum}^2_0}",
    "dsum2/dg": r"\frac{\partial \text{sum}^2_0}{\partial g_j}",
    "dg/dsum1": r"\frac{\partial g_j}{\partial \text{sum}^1_j}",
    "dsum1/dw": r"\frac{\partial \text{sum}^1_j}{\partial w}",
    "df/dg": r"\frac{\partial f}{\partial g_j}",
    "dg/dw": r"\frac{\partial g_j}{\partial w}",
    "dsum2/dw": r"\frac{\partial \text{sum}^2_0}{\partial w}",
    "product": r"\text{product}",
}


def output(net: Network, x) -> float:
    """o = σ^2_0, the example's output for one input row x."""
    return float(net.forward(x).sigmas[net.L][0, 0])


def _connects(l: int, i: int, j: int) -> str:
    if l == 1:
        return f"{example.INPUTS[i]} (σ^0_{i}) -> g_{j + 1} (σ^1_{j})"
    return f"g_{i + 1} (σ^1_{i}) -> f (σ^2_{j})"


def name_map_lines(net: Network | None = None) -> list[str]:
    """The notes' single-index names against w^l_ij, what each connects, and (given a net) its value."""
    head = f"{'notes':7s}{'w^l_ij':9s}{'(l, i, j)':12s}{'connects':27s}"
    lines = [head + ("value" if net is not None else "")]
    for name, (l, i, j) in example.NOTES_NAMES.items():
        line = f"{name:7s}{example.ij_name(name):9s}{str((l, i, j)):12s}{_connects(l, i, j):27s}"
        if net is not None:
            line += f"net.W[{l}][{i}, {j}] = {net.W[l][i, j]:+.4f}"
        lines.append(line)
    return lines


def mask_lines(net: Network) -> list[str]:
    """Every entry of W[1] and W[2]: the six connections that exist and the six that do not."""
    lines = []
    for l in net.W.layers():
        for i in range(net.n(l - 1)):
            for j in range(net.n(l)):
                if net.connected(l, i, j):
                    name = next(n for n, lij in example.NOTES_NAMES.items() if lij == (l, i, j))
                    lines.append(f"{labels.weight_text(l, i, j)}: exists  = notes' {name}, value {net.W[l][i, j]:+.4f}")
                else:
                    lines.append(f"{labels.weight_text(l, i, j)}: no such connection ({_connects(l, i, j)}), "
                                 f"stays {net.W[l][i, j]:+.4f}")
    return lines


def chain_rows(net: Network, x) -> list[dict]:
    """One row per weight: its name, w^l_ij, every chain-rule factor and their product."""
    factors = example.chain_factors(net, x)
    return [dict(name=name, ij=example.ij_name(name), **factors[name]) for name in example.NOTES_NAMES]


def chain_table(net: Network, x) -> str:
    """The chain-rule factors of every ∂o/∂w as a fixed-width text table."""
    head = (f"{'notes':7s}{'w^l_ij':8s}{'df/dsum2':>10s}{'dsum2/dg':>10s}{'dg/dsum1':>10s}"
            f"{'dsum1/dw':>10s}{'df/dg':>10s}{'dg/dw':>10s}{'dsum2/dw':>10s}{'product':>11s}")
    lines = [head]
    for r in chain_rows(net, x):
        cells = "".join(f"{r[k]:10.6f}" if k in r else f"{'':10s}"
                        for k in ("df/dsum2", "dsum2/dg", "dg/dsum1", "dsum1/dw", "df/dg", "dg/dw",
                                  "dsum2/dw"))
        lines.append(f"{r['name']:7s}{r['ij']:8s}{cells}{r['product']:11.6f}")
    return "\n".join(lines)


def agreement_rows(net: Network, x, sympy_values: dict | None = None, eps: float = 1e-6) -> list[dict]:
    """Per weight: ∂o/∂w by the chain-rule product, by backpropagation, by central differences
    (and by sympy when ``sympy_values`` is given), with the largest relative disagreement."""
    chain = example.chain_factors(net, x)
    bp = example.output_partials(net, x)
    num = numerical_output_partials(net, x, eps)
    rows = []
    for name in example.NOTES_NAMES:
        vals = {"chain": chain[name]["product"], "bpkit": bp[name], "central": num[name]}
        if sympy_values is not None:
            vals["sympy"] = float(sympy_values[name])
        v = np.array(list(vals.values()))
        rel = float(np.max(np.abs(v - v[1])) / max(np.max(np.abs(v)), 1e-12))
        rows.append(dict(name=name, ij=example.ij_name(name), rel=rel, **vals))
    return rows


def agreement_table(net: Network, x, sympy_values: dict | None = None, eps: float = 1e-6,
                    tolerance: float = 1e-6) -> str:
    """The agreement rows as a text table; the disagreement is printed against ``tolerance``
    (never as a raw 1e-11, whose last digits depend on the machine)."""
    rows = agreement_rows(net, x, sympy_values, eps)
    keys = ["chain", "bpkit"] + (["sympy"] if sympy_values is not None else []) + ["central"]
    lines = [f"{'notes':7s}{'w^l_ij':8s}" + "".join(f"{k:>12s}" for k in keys) + f"  agree (rel. diff < {tolerance:.0e})"]
    for r in rows:
        lines.append(f"{r['name']:7s}{r['ij']:8s}" + "".join(f"{r[k]:12.8f}" for k in keys)
                     + f"  {r['rel'] < tolerance}")
    return "\n".join(lines)


def _fmt(v: float) -> str:
    return f"{v:+.5f}"


def chain_html(net: Network, x, name: str = "w^1_1", eps: float = 1e-6) -> str:
    """An HTML table of the chain for ∂o/∂``name``: each factor, the product, bpkit's
    backpropagated value and the central difference. Used by the lesson-03 widget."""
    l, i, j = example.NOTES_NAMES[name]
    f = example.chain_factors(net, x)[name]
    bp = example.output_partials(net, x)[name]
    num = numerical_output_partials(net, x, eps)[name]
    rec = net.forward(x)
    o = float(rec.sigmas[2][0, 0])
    if l == 1:
        u = example.INPUTS[i]
        rows = [
            (f"∂f/∂{labels.neuron_html(2, 0, 'sum')} = f′({labels.neuron_html(2, 0, 'sum')})", f["df/dsum2"]),
            (f"∂{labels.neuron_html(2, 0, 'sum')}/∂g<sub>{j + 1}</sub> = {labels.weight_html(2, j, 0)}", f["dsum2/dg"]),
            (f"∂g<sub>{j + 1}</sub>/∂{labels.neuron_html(1, j, 'sum')} = g′({labels.neuron_html(1, j, 'sum')})", f["dg/dsum1"]),
            (f"∂{labels.neuron_html(1, j, 'sum')}/∂{labels.weight_html(1, i, j)} = {u} ({labels.neuron_html(0, i)})", f["dsum1/dw"]),
            (f"∂f/∂g<sub>{j + 1}</sub> (first two)", f["df/dg"]),
            (f"∂g<sub>{j + 1}</sub>/∂{labels.weight_html(1, i, j)} (last two)", f["dg/dw"]),
        ]
    else:
        rows = [
            (f"∂f/∂{labels.neuron_html(2, 0, 'sum')} = f′({labels.neuron_html(2, 0, 'sum')})", f["df/dsum2"]),
            (f"∂{labels.neuron_html(2, 0, 'sum')}/∂{labels.weight_html(2, i, 0)} = g<sub>{i + 1}</sub> ({labels.neuron_html(1, i)})", f["dsum2/dw"]),
        ]
    rel = abs(f["product"] - num) / max(abs(f["product"]) + abs(num), 1e-12)
    rows += [
        ("<b>product of the factors</b>", f["product"]),
        ("∂o/∂w by backpropagation (bpkit)", bp),
        (f"∂o/∂w by central differences (ε = {eps:.0e})", num),
    ]
    body = "".join(f"<tr><td style='text-align:left;padding-right:1em'>{k}</td>"
                   f"<td style='text-align:right;font-family:monospace'>{_fmt(v)}</td></tr>" for k, v in rows)
    verdict = "agree" if rel < 1e-6 else "DISAGREE"
    title = (f"∂o/∂{labels.notes_html(name)} = ∂o/∂{labels.weight_html(l, i, j)} "
             f"&nbsp; (o = f = {o:.5f})")
    return (f"<div><b>{title}</b><table>{body}</table>"
            f"<div>product vs central difference: {verdict} (relative difference {rel:.1e})</div></div>")


def plot_tangent(net: Network, x, name: str = "w^1_1", span: float = 3.0, ax=None):
    """o as a function of one weight (the others fixed), with the tangent whose slope is ∂o/∂w."""
    import matplotlib.pyplot as plt

    l, i, j = example.NOTES_NAMES[name]
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 3.6))
    else:
        fig = ax.figure
    w0 = float(net.W[l][i, j])
    ws, os_ = _curve(net, x, (l, i, j), w0, span)
    o0 = output(net, x)
    slope = example.output_partials(net, x)[name]
    ax.plot(ws, os_, color="C0", lw=2, label="$o$")
    ax.plot(ws, o0 + slope * (ws - w0), color="C3", lw=1.5, ls="--",
            label=rf"tangent, slope $\partial o/\partial {labels.weight_tex(l, i, j, dollars=False)}$ = {slope:.4f}")
    ax.plot([w0], [o0], "o", color="C3")
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel(rf"{labels.weight_tex(l, i, j)} (the notes' ${name}$)", fontsize=12)
    ax.set_ylabel("$o = f$", fontsize=12)
    ax.set_title(f"The output against {labels.weight_tex(l, i, j)}, the other weights fixed", fontsize=12)
    ax.legend(fontsize=9, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def tangent_svg(net: Network, x, name: str = "w^1_1", span: float = 3.0, width: int = 380,
                height: int = 240, n: int = 61) -> str:
    """:func:`plot_tangent` as a small inline SVG (no matplotlib): cheap enough to redraw on
    every slider move. Returns the ``<svg>`` markup."""
    l, i, j = example.NOTES_NAMES[name]
    w0 = float(net.W[l][i, j])
    ws, os_ = _curve(net, x, (l, i, j), w0, span, n)
    o0 = output(net, x)
    slope = example.output_partials(net, x)[name]
    left, right, top, bottom = 46, 10, 26, 40
    pw, ph = width - left - right, height - top - bottom

    def X(w):
        return left + (w - ws[0]) / (ws[-1] - ws[0]) * pw

    def Y(o):
        o = np.clip(o, -0.05, 1.05)
        return top + (1.05 - o) / 1.1 * ph

    def poly(xs, ys, style):
        pts = " ".join(f"{X(a):.1f},{Y(b):.1f}" for a, b in zip(xs, ys))
        return f"<polyline points='{pts}' fill='none' {style}/>"

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             f"font-family='sans-serif' font-size='11'>",
             f"<rect x='{left}' y='{top}' width='{pw}' height='{ph}' fill='white' stroke='#888'/>"]
    for o in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f"<line x1='{left}' x2='{left + pw}' y1='{Y(o):.1f}' y2='{Y(o):.1f}' stroke='#eee'/>"
                     f"<text x='{left - 4}' y='{Y(o) + 4:.1f}' text-anchor='end'>{o:.2f}</text>")
    for t in np.arange(np.ceil(ws[0]), np.floor(ws[-1]) + 1):
        parts.append(f"<line x1='{X(t):.1f}' x2='{X(t):.1f}' y1='{top}' y2='{top + ph}' stroke='#eee'/>"
                     f"<text x='{X(t):.1f}' y='{top + ph + 14}' text-anchor='middle'>{t:.0f}</text>")
    parts.append(poly(ws, os_, "stroke='#1f77b4' stroke-width='2'"))
    ts = ws[np.abs(slope * (ws - w0)) < 1.2]
    parts.append(poly(ts, o0 + slope * (ts - w0), "stroke='#d62728' stroke-width='1.5' stroke-dasharray='5,3'"))
    parts.append(f"<circle cx='{X(w0):.1f}' cy='{Y(o0):.1f}' r='4' fill='#d62728'/>")
    parts.append(f"<text x='{left + pw / 2}' y='16' text-anchor='middle' font-size='12'>o against "
                 f"w{svg_sup(l)}{svg_sub(f'{i}{j}')} (notes' w{svg_sup(name[2])}{svg_sub(name[4])}): "
                 f"tangent slope ∂o/∂w = {slope:+.4f}</text>")
    parts.append(f"<text x='{left + pw / 2}' y='{height - 6}' text-anchor='middle' font-size='12'>"
                 f"w{svg_sup(l)}{svg_sub(f'{i}{j}')} = {w0:+.2f}, o = {o0:.4f}</text>")
    parts.append(f"<text x='12' y='{top + ph / 2}' text-anchor='middle' font-size='12' "
                 f"transform='rotate(-90 12 {top + ph / 2})'>o = f</text>")
    parts.append("</svg>")
    return "".join(parts)


def _curve(net: Network, x, lij, w0: float, span: float, n: int = 121):
    """o at n values of one weight around w0 (one forward pass on a copy per value)."""
    l, i, j = lij
    work = net.copy()
    ws = np.linspace(w0 - span, w0 + span, n)
    os_ = np.empty(n)
    for k, v in enumerate(ws):
        work.W[l][i, j] = v
        os_[k] = output(work, x)
    return ws, os_


def plot_factors(net: Network, x, ax=None):
    """Each ∂o/∂w^1_t as the product of its two notes' factors ∂f/∂g_j and ∂g_j/∂w^1_t (bars)."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 3.6))
    else:
        fig = ax.figure
    factors = example.chain_factors(net, x)
    names = [n for n, (l, _, _) in example.NOTES_NAMES.items() if l == 1]
    pos = np.arange(len(names))
    width = 0.27
    for k, (key, label) in enumerate([("df/dg", r"$\partial f/\partial g_j$"),
                                      ("dg/dw", r"$\partial g_j/\partial w$"),
                                      ("product", r"$\partial o/\partial w$ (product)")]):
        ax.bar(pos + (k - 1) * width, [factors[n][key] for n in names], width, label=label)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(pos, [f"${n}$ = {labels.weight_tex(l, i, j)}" for n in names
                        for (l, i, j) in [example.NOTES_NAMES[n]]], fontsize=11)
    ax.set_xlabel("weight: the notes' name = $w^l_{ij}$", fontsize=12)
    ax.set_ylabel("value", fontsize=12)
    ax.set_title("The notes' two factors of every first-layer partial, and their product", fontsize=12)
    ax.legend(fontsize=9)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig

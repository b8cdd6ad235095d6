r"""The notation, written out: one home for every label of w^l_ij, σ^l_i, sum^l_i, δ^l_j and their partials.

Each symbol has up to four forms, for the four places it is shown:

=========  ===========================  ==========================================================
form       example (w^1_00)             used by
=========  ===========================  ==========================================================
unicode    ``w¹₀₀``                     diagrams, figure titles
text       ``w^1_00``                   check hints, error messages, slider descriptions, printed tables
html       ``w<sup>1</sup><sub>00</sub>``  widget tables (``ipywidgets.HTML``)
latex      ``$w^{1}_{00}$``             matplotlib axis labels (mathtext)
svg        ``w<tspan ...>1</tspan>...``  hand-written SVG figures
=========  ===========================  ==========================================================

Indices are zero-based and written side by side (``w¹₀₁``: i = 0, j = 1) until one of them has two
digits; then a comma separates them (``w¹₁₀,₁₂``), so that w^1_{10,12} and w^1_{101,2} differ.
"""
from __future__ import annotations

_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SUB = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")


def indices(*ks) -> str:
    """Subscript indices as text: ``"00"`` for small ones, ``"10,12"`` once an index has two digits.

    An index may also be a letter (``"j"``, ``"p"``) or a dot (``"·"``): it is written as it is, and it
    needs no comma (``w¹·₁₂`` is column 12 whatever the digits).
    """
    numbers = [int(k) for k in ks if str(k).isdigit()]
    wide = len(numbers) > 1 and max(numbers) >= 10
    return ("," if wide else "").join(str(k) for k in ks)


# ---------------------------------------------------------------------------------------------- unicode
def sup(text) -> str:
    """``str(text)`` in Unicode superscript digits (σ¹)."""
    return str(text).translate(_SUP)


def sub(text) -> str:
    """``str(text)`` in Unicode subscript digits (σ₀)."""
    return str(text).translate(_SUB)


def neuron(l: int, i, name: str = "σ") -> str:
    """σ^l_i (or sum^l_i, δ^l_i with ``name``) in Unicode: ``σ¹₀``.

    Unicode rather than mathtext: a diagram has dozens of labels and matplotlib's mathtext parser
    would take most of a widget update's time.
    """
    return name + sup(l) + sub(i)


def weight(l: int, i: int, j: int) -> str:
    """w^l_ij in Unicode: ``w¹₀₀`` (``w¹₁₀,₁₂`` once an index has two digits)."""
    return "w" + sup(l) + sub(indices(i, j))


def partial(of: str, l: int, j) -> str:
    """∂E/∂σ^l_j or ∂E/∂sum^l_j in Unicode: ``of`` is ``"σ"`` or ``"sum"``; a letter ``j`` (p) is written as it is."""
    return "∂E/∂" + neuron(l, j, of)


# ---------------------------------------------------------------------------------------------- text
def _up(l) -> str:
    """A plain-text superscript: ``1`` as it is, a longer one in braces (``{l+1}``) so it cannot run on."""
    return str(l) if len(str(l)) == 1 else "{" + str(l) + "}"


def neuron_text(l, i, name: str = "σ") -> str:
    """σ^l_i (or sum^l_i, δ^l_i with ``name``) in plain text, as the notes write it: ``σ^1_0``."""
    return f"{name}^{_up(l)}_{i}"


def weight_text(l, i, j) -> str:
    """w^l_ij in plain text, as the notes write it: ``w^1_00``, ``w^{l+1}_jp``, ``w^1_10,12``."""
    return f"w^{_up(l)}_{indices(i, j)}"


# ---------------------------------------------------------------------------------------------- html
def neuron_html(l: int, i, name: str = "σ") -> str:
    """σ^l_i (or ``name``^l_i) in HTML: ``σ<sup>1</sup><sub>0</sub>``."""
    return f"{name}<sup>{l}</sup><sub>{i}</sub>"


def notes_html(name: str) -> str:
    """One of the notes' own weight names, ``"w^1_2"``, in HTML: ``w<sup>1</sup><sub>2</sub>``."""
    head, _, sub_ = name.partition("_")
    symbol, _, up = head.partition("^")
    if not (symbol and up and sub_):
        raise ValueError(f"{name!r} is not a name like the notes' w^1_2")
    return f"{symbol}<sup>{up}</sup><sub>{sub_}</sub>"


def weight_html(l, i, j) -> str:
    """w^l_ij in HTML: ``w<sup>1</sup><sub>00</sub>``."""
    return f"w<sup>{l}</sup><sub>{indices(i, j)}</sub>"


# ---------------------------------------------------------------------------------------------- latex
def weight_tex(l, i, j, dollars: bool = True) -> str:
    """w^l_ij in matplotlib mathtext: ``$w^{1}_{00}$`` (``w^{1}_{00}`` inside a longer formula, ``dollars=False``)."""
    tex = rf"w^{{{l}}}_{{{indices(i, j)}}}"
    return f"${tex}$" if dollars else tex


# ---------------------------------------------------------------------------------------------- svg
def svg_sup(text) -> str:
    """A superscript inside an SVG ``<text>``."""
    return f"<tspan baseline-shift='super' font-size='8'>{text}</tspan>"


def svg_sub(text) -> str:
    """A subscript inside an SVG ``<text>``."""
    return f"<tspan baseline-shift='sub' font-size='8'>{text}</tspan>"


def sup_html(text) -> str:
    """A superscript in HTML, for symbols that are not a neuron or a weight (W^l, δ^L): ``<sup>l</sup>``."""
    return f"<sup>{text}</sup>"

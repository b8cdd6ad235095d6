"""The small HTML tables widgets show (in ``ipywidgets.HTML``): one style, one row builder."""
from __future__ import annotations

#: the table every widget's numbers sit in
TABLE = "<table style='border-collapse:collapse;font-family:monospace;font-size:12px;margin:4px 0'>"
_TD = "<td style='padding:1px 8px'>"
_TD_RIGHT = "<td style='padding:1px 8px;text-align:right'>"


def row(*cells, bold: bool = False, right: bool = False, colour: str | None = None) -> str:
    """One ``<tr>`` of ``cells``: bold for a header or a total, ``right``-aligned for columns of numbers,
    in ``colour`` (a CSS colour) for a row whose state the colour tells."""
    td = _TD_RIGHT if right else _TD
    wrap = (lambda c: f"<b>{c}</b>") if bold else (lambda c: c)
    start = f"<tr style='color:{colour}'>" if colour else "<tr>"
    return start + "".join(f"{td}{wrap(c)}</td>" for c in cells) + "</tr>"

"""Widgets for the lessons (ipywidgets), one module per lesson: ``bpkit.show.widgets.lessonNN``.

Convention: every public function listed in a module's ``__all__`` takes no required
arguments and returns an ``ipywidgets.Widget``, whose outer box is a :class:`LessonWidget`.
Widgets never print: they update ``Label``/``HTML`` values or figure state, and every number
they show is computed by a bpkit function that ordinary, checked notebook cells also call.
"""
from __future__ import annotations

import ipywidgets as W


class LessonWidget(W.VBox):
    """The outer box of a lesson's widget.

    A notebook saves a widget's output as its view plus a ``text/plain`` fallback, which is all
    JupyterLab can show until the cells have been run: by default that fallback is the repr of every
    child (``VBox(children=(HBox(children=...``). Here it is one line that says what the widget does
    and how to bring it to life, e.g. ``[widget: move w^l_ij and watch σ^l_i and sum^l_i. Run the cells
    above to use it.]``. Everything else is a ``VBox``'s: the front end draws it as one.
    """

    def __init__(self, children, does: str, **kwargs):
        super().__init__(children, **kwargs)
        self.placeholder = f"[widget: {does}. Run the cells above to use it.]"

    def __repr__(self) -> str:
        return self.placeholder


def follow_weight(net, choice: W.Dropdown, slider: W.FloatSlider, show, describe) -> callable:
    """Wire a weight chooser and its slider: moving the slider sets ``net.W[l][i, j]`` for the chosen
    (l, i, j) and calls ``show(l, i, j)``; choosing another weight moves the slider to that weight's
    value (``describe(l, i, j, value)`` relabels and rescales the slider) without changing any weight.
    Returns the update function (already run once)."""
    busy = {"choosing": False}

    def update(*_):
        if busy["choosing"]:
            return
        l, i, j = choice.value
        net.W[l][i, j] = float(slider.value)
        show(l, i, j)

    def choose(*_):
        l, i, j = choice.value
        busy["choosing"] = True
        try:
            describe(l, i, j, float(net.W[l][i, j]))
        finally:
            busy["choosing"] = False
        update()

    slider.observe(update, "value")
    choice.observe(choose, "value")
    update()
    return update

r"""Lesson 02 widgets: the chain rule on the notes' example network, live.

:func:`chain_rule` has a slider for each of the six weights (the notes' w^1_1 .. w^2_2) and
each of the four inputs x, y, z, w. For the chosen partial ∂o/∂w it shows every factor of
the chain (:func:`bpkit.example.chain_factors`), their product, bpkit's backpropagated
value (:func:`bpkit.example.output_partials`) and the central difference on o
(:func:`bpkit.example.numerical_output_partials`) -- the same functions the lesson's
checked cells print -- and a small plot of o against that weight with its tangent.

The widget never prints: it updates two ``HTML`` widgets, the table and the plot (an
inline SVG from :func:`bpkit.show.plots.chain.tangent_svg`: a matplotlib PNG took ~0.1-0.4 s
per redraw, the SVG about a millisecond).
"""
from __future__ import annotations

import ipywidgets as W

from bpkit import example, labels
from ..plots import chain
from . import LessonWidget

__all__ = ["chain_rule"]


def chain_rule(weights: dict | None = None, values: dict | None = None, name: str = "w^1_1") -> W.Widget:
    """Sliders for the six weights and four inputs; the chain for ∂o/∂``name``, live.

    ``weights`` and ``values`` (the notes' names) override the example's defaults.
    The returned box has ``.sliders`` (name -> slider), ``.choice`` (the partial shown),
    ``.html`` (the chain) and ``.plot`` (the SVG) for tests.
    """
    w0 = dict(example.DEFAULT_WEIGHTS, **(weights or {}))
    v0 = dict(example.DEFAULT_INPUTS, **(values or {}))
    style = {"description_width": "110px"}
    layout = W.Layout(width="330px")
    sliders = {}
    for n, (l, i, j) in example.NOTES_NAMES.items():
        sliders[n] = W.FloatSlider(value=w0[n], min=-3.0, max=3.0, step=0.1, readout_format=".2f",
                                   description=f"{n} = {labels.weight_text(l, i, j)}", style=style, layout=layout,
                                   continuous_update=True)
    for n in example.INPUTS:
        sliders[n] = W.FloatSlider(value=v0[n], min=-3.0, max=3.0, step=0.1, readout_format=".2f",
                                   description=f"input {n}", style=style, layout=layout)
    choice = W.Dropdown(options=[(f"∂o/∂{n} = ∂o/∂{example.ij_name(n)}", n) for n in example.NOTES_NAMES],
                        value=name, description="partial", style=style, layout=layout)
    html = W.HTML()
    plot = W.HTML()

    def update(*_):
        net = example.network({n: sliders[n].value for n in example.NOTES_NAMES})
        x = example.inputs({n: sliders[n].value for n in example.INPUTS})
        html.value = chain.chain_html(net, x, choice.value)
        plot.value = chain.tangent_svg(net, x, choice.value)

    for s in list(sliders.values()) + [choice]:
        s.observe(update, "value")
    update()
    weights_box = W.VBox([W.HTML("<b>weights</b>")] + [sliders[n] for n in example.NOTES_NAMES])
    inputs_box = W.VBox([W.HTML("<b>inputs</b>")] + [sliders[n] for n in example.INPUTS] + [choice])
    box = LessonWidget([W.HBox([weights_box, inputs_box]), W.HBox([html, plot])],
                       "move the weights and inputs, watch each factor of the chain rule")
    box.sliders, box.choice, box.html, box.plot = sliders, choice, html, plot
    return box

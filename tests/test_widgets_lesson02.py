"""Does lesson 02's widget show the chain rule live, from bpkit's own numbers, without printing?

How fast a move is, is measured by benchmarks/widget_latency.py, never timed in a test."""
from __future__ import annotations

import ipywidgets as W
import pytest

from bpkit import example
from bpkit.show.plots import chain
from bpkit.show.widgets import lesson02


@pytest.mark.parametrize("name", lesson02.__all__)
def test_every_public_widget_builds_with_no_arguments(name):
    """Does every function in __all__ build an ipywidgets.Widget with no arguments?"""
    assert isinstance(getattr(lesson02, name)(), W.Widget)


def test_the_first_slider_moves_a_weight():
    """Is the widget's first slider a weight slider (w^1_1 = w^1_00), as the browser test expects?"""
    box = lesson02.chain_rule()
    first = next(iter(box.sliders.values()))
    assert isinstance(first, W.FloatSlider) and first.description.startswith("w^1_1")


def test_moving_a_weight_updates_the_chain_and_the_plot_with_bpkits_numbers():
    """After moving w^1_1, do the table and the plot show bpkit's factors and slope for the new weights?"""
    box = lesson02.chain_rule()
    html0, plot0 = box.html.value, box.plot.value
    box.sliders["w^1_1"].value = -1.3
    assert box.html.value != html0 and box.plot.value != plot0
    weights = {n: box.sliders[n].value for n in example.NOTES_NAMES}
    values = {n: box.sliders[n].value for n in example.INPUTS}
    net, x = example.network(weights), example.inputs(values)
    assert box.html.value == chain.chain_html(net, x, "w^1_1")
    assert box.plot.value == chain.tangent_svg(net, x, "w^1_1")


@pytest.mark.parametrize("slider", ["w^2_2", "z", "w"])
def test_inputs_and_second_layer_weights_update_too(slider):
    """Do the input sliders and a second-layer weight also change what is shown?"""
    box = lesson02.chain_rule(name="w^1_4")
    before = box.html.value
    box.sliders[slider].value = 2.4
    assert box.html.value != before


def test_choosing_another_partial_shows_its_factors():
    """Does picking ∂o/∂w^2_2 switch the table to that weight's two factors?"""
    box = lesson02.chain_rule()
    box.choice.value = "w^2_2"
    net, x = example.network(), example.inputs()
    f = example.chain_factors(net, x)["w^2_2"]
    assert f"{f['dsum2/dw']:+.5f}" in box.html.value and "w<sup>2</sup><sub>10</sub>" in box.html.value


def test_the_widget_never_prints(capsys):
    """Does building and moving the widget write nothing to stdout or stderr?"""
    box = lesson02.chain_rule()
    for v in (0.3, -0.8, 1.9):
        box.sliders["w^1_2"].value = v
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""

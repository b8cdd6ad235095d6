"""Tests of bpkit.show.widgets.lesson01: the forward-pass widget."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import bpkit  # noqa: E402
from bpkit import example  # noqa: E402
from bpkit.show.widgets import lesson01  # noqa: E402
from drawing import full_draws  # noqa: E402


def test_every_public_function_builds_a_widget_without_arguments():
    """Does every function in __all__ take no required arguments and return an ipywidgets.Widget?"""
    for name in lesson01.__all__:
        assert isinstance(getattr(lesson01, name)(), W.Widget)


def test_first_widget_has_a_weight_slider():
    """Does the widget contain a FloatSlider for every weight w^l_ij of the 2-2-1 network (and the inputs)?"""
    box = lesson01.forward_pass()
    weights = [k for k in box.sliders if k[0] != "x"]
    assert sorted(weights) == sorted((l, i, j) for l in (1, 2) for i in range(2) for j in range(2 if l == 1 else 1))
    assert all(isinstance(s, W.FloatSlider) for s in box.sliders.values())
    assert box.sliders[(1, 0, 1)].description == "w¹₀₁"


def test_moving_a_weight_updates_network_table_and_diagram():
    """Does moving w^1_00 set net.W[1][0, 0] and change the table (from net.forward) and the image?"""
    box = lesson01.forward_pass()
    table, picture = box.table.value, box.diagram.value
    box.sliders[(1, 0, 0)].value = -1.5
    assert box.net.W[1][0, 0] == -1.5
    rec = box.net.forward(lesson01.HAND_X)
    assert f"{rec.sums[1][0, 0]:.4f}" in box.table.value
    assert f"{rec.sigmas[2][0, 0]:.4f}" in box.table.value
    assert box.table.value != table and box.diagram.value != picture
    assert box.diagram.value.startswith("<svg")
    assert "w¹₀₀ = -1.50" in box.diagram.value
    assert f"sum = {rec.sums[2][0, 0]:.3f}" in box.diagram.value


def test_moving_an_input_changes_sigma_0():
    """Does moving the input slider σ^0_1 change σ^0_1 in the table?"""
    box = lesson01.forward_pass()
    box.sliders[("x", 1)].value = -0.75
    assert "-0.7500" in box.table.value


def test_table_matches_the_hand_worked_values():
    """Does the initial table show the lesson's hand-worked numbers (sum^1_0 = 1, sum^1_1 = 0.5)?"""
    box = lesson01.forward_pass()
    assert "1.0000" in box.table.value and "0.5000" in box.table.value
    assert f"{1 / (1 + np.exp(-1.0)):.4f}" in box.table.value


def test_widget_does_not_mutate_the_given_network():
    """Is the network passed in copied (moving sliders leaves it alone)?"""
    net = example.network()
    before = net.get_flat()
    box = lesson01.forward_pass(net, example.inputs())
    assert len([k for k in box.sliders if k[0] != "x"]) == 6  # the sparse example: its 6 weights only
    box.sliders[(1, 0, 0)].value = 2.0
    assert np.array_equal(net.get_flat(), before)


def test_wrong_input_size_is_rejected():
    """Does an input of the wrong size raise a clear error?"""
    with pytest.raises(ValueError, match="n_0"):
        lesson01.forward_pass(bpkit.Network((3, 2, 1), seed=0), [1.0, 2.0])


def test_slider_update_redraws_the_svg_and_no_figure():
    """Does a slider move change the diagram, which is SVG, without drawing a matplotlib figure?"""
    box = lesson01.forward_pass()
    s = box.sliders[(2, 1, 0)]
    s.value = 0.0
    svg = box.diagram.value
    with full_draws() as drawn:
        for k in range(3):
            s.value = 0.1 * (k + 1)
    assert drawn == [] and box.diagram.value != svg and "<svg" in box.diagram.value


def test_the_first_slider_moves_a_weight():
    """Is the first slider in the widget's tree a weight w^l_ij (what the browser test moves)?"""
    box = lesson01.forward_pass()

    def sliders(w):
        if isinstance(w, W.FloatSlider):
            yield w
        for c in getattr(w, "children", ()):
            yield from sliders(c)

    first = next(sliders(box))
    assert first is box.sliders[(1, 0, 0)]

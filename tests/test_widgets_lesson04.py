"""Do lesson 04's widgets build without arguments, change what they show, never print, and show the numbers of
bpkit's own backpropagation?"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import ipywidgets as W  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import bpkit  # noqa: E402
from bpkit.scalar import Step  # noqa: E402
from bpkit.show.widgets import lesson04 as w6  # noqa: E402
from drawing import full_draws  # noqa: E402


@pytest.fixture(scope="module")
def steps_widget():
    return w6.backprop_steps()


def test_all_widgets_take_no_arguments_and_return_a_widget():
    """Does every function in __all__ build with no arguments and return an ipywidgets.Widget?"""
    for name in w6.__all__:
        assert isinstance(getattr(w6, name)(), W.Widget), name
    assert plt.get_fignums() == [], "the diagram's figure is closed (rendered to PNG only)"


def test_three_factors_slider_and_choice_change_the_table(capsys):
    """Does moving the weight, or choosing another, change the table (and the slider's name), without printing?"""
    box = w6.three_factors()
    first = box.table.value
    box.slider.value = -1.25
    assert box.table.value != first
    net, X, Y, lam = w6.small_example()
    net.W[1][0, 0] = -1.25
    assert f"{bpkit.gradient(net, X, Y, lam).W[1][0, 0]:+.6f}" in box.table.value
    box.choice.value = (3, 1, 0)
    assert box.slider.description == "w^3_10"
    assert box.slider.value == pytest.approx(round(float(net.W[3][1, 0]), 2))
    assert "output layer" in box.table.value
    assert capsys.readouterr() == ("", "")


def test_step_highlight_reads_layer_l_plus_1():
    """Does a step that writes ∂E/∂σ^1_2 highlight σ^1_2, the neurons p of layer 2 it reads, and w^2_2p?"""
    step = Step(("∂E/∂σ", 1, 2), [("∂E/∂sum", 2, 0), ("∂E/∂sum", 2, 1)])
    assert set(w6.step_highlight(step)) == {(1, 2), (2, 0), (2, 1), (2, 2, 0), (2, 2, 1)}
    assert w6.step_highlight(Step(("∂E/∂σ", 3, 0), [])) == [(3, 0)]


def test_steps_widget_moves_and_marks_the_entries(steps_widget, capsys):
    """Do the step slider and buttons move through every memo entry, changing the picture and the marked rows?"""
    box = steps_widget
    net, X, Y, lam = w6.small_example()
    steps = bpkit.scalar.gradient(net, X, Y, lam).extras["steps"]
    assert box.slider.min == 0 and box.slider.max == len(steps)
    images = {box.image.value}
    assert "written now" not in box.table.value
    for k in range(1, len(steps) + 1):
        box.next.click()
        assert box.slider.value == k
        images.add(box.image.value)
        assert box.table.value.count("written now") == 1
        assert box.table.value.count("read now") == len(steps[k - 1].reads)
        _, l, j = steps[k - 1].writes
        assert f"{steps[k - 1].value[0]:+.5f}" in box.table.value
    box.next.click()
    assert box.slider.value == len(steps), "next stops at the last step"
    assert len(images) == len(steps) + 1, "every step shows its own picture"
    box.previous.click()
    assert box.slider.value == len(steps) - 1
    assert capsys.readouterr() == ("", "")


def test_steps_widget_swaps_pictures_drawn_when_it_was_built(steps_widget):
    """Is a step a swap of a precomputed PNG and table: a new picture, but no figure drawn on the move?"""
    steps_widget.slider.value = 1
    before = steps_widget.image.value
    with full_draws() as drawn:
        steps_widget.slider.value = 3
    assert drawn == [] and steps_widget.image.value != before

"""Tests of bpkit.show.widgets.lesson06: the step-by-step reverse-mode widgets."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bpkit import example, graph  # noqa: E402
from bpkit.show.widgets import lesson06  # noqa: E402

WIDGETS = [lesson06.reverse_mode_example, lesson06.reverse_mode_network]


def sliders(w):
    if isinstance(w, (W.FloatSlider, W.IntSlider)):
        yield w
    for c in getattr(w, "children", ()):
        yield from sliders(c)


def test_every_public_function_builds_a_lesson_widget_without_arguments():
    """Does every function in __all__ take no required arguments and return a LessonWidget with its one-line text?"""
    for name in lesson06.__all__:
        box = getattr(lesson06, name)()
        text = box._repr_mimebundle_()["text/plain"]
        assert isinstance(box, W.Widget) and text.startswith("[widget: ") and text.endswith("to use it.]")
        assert "\n" not in text and len(text) <= 110  # ipywidgets cuts a longer text/plain


@pytest.mark.parametrize("make", WIDGETS)
def test_the_first_slider_moves_a_weight_and_changes_the_picture(make):
    """Is the first slider a weight w^l_ij, and does moving it set net.W and change the graph and the tables?"""
    box = make()
    first = next(sliders(box))
    assert first is list(box.sliders.values())[0] and first.description.startswith("w")
    (l, i, j) = list(box.sliders)[0]
    before = (box.diagram.value, box.table.value, box.weights.value)
    first.value = -1.25
    assert box.net.W[l][i, j] == -1.25
    after = (box.diagram.value, box.table.value, box.weights.value)
    assert all(a != b for a, b in zip(before, after))


def test_step_slider_fills_the_adjoints_right_to_left():
    """At step 0 only the seed is known; at the last step no adjoint is missing; step k names the node visited."""
    box = lesson06.reverse_mode_example()
    box.step.value = 0
    assert box.diagram.value.count("∂ = ?") == 21 and "the seed" in box.table.value
    box.step.value = box.step.max
    assert "∂ = ?" not in box.diagram.value
    back = graph.example_graph().backward()
    box.step.value = 1
    assert f"visit {back.graph.nodes[back.steps[0].node].label}" in box.table.value


def test_example_widget_ends_with_the_notes_partials():
    """After all steps, does the weights table show ∂o/∂w of bpkit.example.output_partials (vectorized backprop)?"""
    box = lesson06.reverse_mode_example()
    for value in example.output_partials(example.network(), example.inputs()).values():
        assert f"{value:.4f}" in box.weights.value


def test_network_widget_shows_a_fan_out_sum():
    """In the 2-2-2 network, is there a step whose input σ^1_j is still partial (one of its two consumers to come)?"""
    box = lesson06.reverse_mode_network()
    seen = False
    for k in range(box.step.max + 1):
        box.step.value = k
        seen |= "partial: more consumers to come" in box.table.value and "σ¹" in box.table.value
    assert seen


def test_widget_does_not_touch_the_module_network():
    """Does moving a slider leave the widget module's constant weights alone?"""
    before = [w.copy() for w in lesson06.NET_W]
    box = lesson06.reverse_mode_network()
    list(box.sliders.values())[0].value = 2.0
    assert all(np.array_equal(a, b) for a, b in zip(before, lesson06.NET_W))

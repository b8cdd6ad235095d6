"""Tests of bpkit.show.widgets.lesson09: the depth explorer."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
import numpy as np  # noqa: E402

import bpkit  # noqa: E402
from bpkit import depth  # noqa: E402
from bpkit.show.widgets import lesson09  # noqa: E402


def test_every_public_function_builds_a_widget_without_arguments():
    """Does every function in __all__ take no required arguments and return an ipywidgets.Widget?"""
    for name in lesson09.__all__:
        box = getattr(lesson09, name)()
        assert isinstance(box, W.Widget) and repr(box).startswith("[widget: ")
        assert len(repr(box)) <= 110 and "\n" not in repr(box)


def test_the_first_slider_is_the_scale_of_the_weights():
    """Is the first slider in the widget's tree the FloatSlider of the initialization scale s?"""
    box = lesson09.depth_explorer()

    def sliders(w):
        if isinstance(w, (W.FloatSlider, W.IntSlider)):
            yield w
        for c in getattr(w, "children", ()):
            yield from sliders(c)

    assert next(sliders(box)) is box.scale and isinstance(box.scale, W.FloatSlider)


def test_table_shows_what_bpkit_depth_computes():
    """Are the table's norms and saturation those of bpkit.depth.profile on the lesson's data, for every layer?"""
    box = lesson09.depth_explorer()
    X, Y = lesson09.lesson_data()
    prof = depth.profile(X, Y, depth=6, width=lesson09.WIDTH, hidden="sigmoid", scale=1.0, seed=lesson09.SEED)
    assert np.array_equal(box.profile.norms, prof.norms)
    for norm in prof.norms:
        assert f"{norm:.2e}" in box.table.value
    assert box.table.value.count("<tr>") == 1 + 7


def test_moving_the_scale_changes_norms_table_and_image():
    """Does moving the scale slider change the network's weights, the norms, the table and the chart?"""
    box = lesson09.depth_explorer()
    table, picture, before = box.table.value, box.image.value, box.profile
    box.scale.value = 4.0
    assert box.table.value != table and box.image.value != picture
    assert not np.allclose(box.profile.norms, before.norms)
    assert np.allclose(box.profile.net.W[2], before.net.W[2] * 4.0)   # same draws, 4 times the scale


def test_moving_the_depth_and_activation_change_the_layers_shown():
    """Does the depth slider set the number of layers, and the dropdowns the activation and the scheme?"""
    box = lesson09.depth_explorer()
    box.depth.value = 3
    assert box.profile.net.L == 4 and len(box.profile.norms) == 4 and box.table.value.count("<tr>") == 1 + 4
    box.activation.value = "relu"
    assert box.profile.net.hidden.name == "relu" and "relu" in box.table.value
    box.scheme.value = "glorot"
    assert box.scale.disabled
    X, Y = lesson09.lesson_data()
    glorot = depth.profile(X, Y, depth=3, width=lesson09.WIDTH, hidden="relu", seed=lesson09.SEED)
    assert np.array_equal(box.profile.norms, glorot.norms)


# ------------------------------------------------------------------ the chain
def test_the_chain_widget_starts_with_the_weight_slider_w100():
    """Is the chain widget's first slider w¹₀₀, the weight the browser test moves, and the net a 6-layer chain?"""
    box = lesson09.chain_explorer()
    assert box.w1.description == "w¹₀₀" and isinstance(box.w1, W.FloatSlider)
    assert box.net.sizes == (1,) * 7 and box.net.W[1][0, 0] == 1.0


def test_the_chain_table_shows_the_forward_record_and_output_gradient():
    """Are the table's σ^l_0 and ∂σ^L_0/∂w^l_00 those of net.forward and bpkit.output_gradient, and the slopes
    σ^l_0(1 − σ^l_0) worked out here?"""
    box = lesson09.chain_explorer()
    box.w1.value = 3.0
    net = box.net
    rec = net.forward(lesson09.CHAIN_X)
    g = bpkit.output_gradient(net, lesson09.CHAIN_X)
    for l in range(1, net.L + 1):
        s = rec.sigmas[l][0, 0]
        assert f"{s:.4f}" in box.table.value and f"{s * (1 - s):.4f}" in box.table.value
        assert f"{g.W[l][0, 0]:.2e}" in box.table.value


def test_moving_w100_changes_the_weight_the_table_and_the_chart():
    """Does moving w¹₀₀ set W[1][0, 0] and change table and image; does saturating σ^1_0 (w¹₀₀ = 10) shrink
    ∂σ^L_0/∂w^1_00 by more than 100 compared with w¹₀₀ = 0?"""
    box = lesson09.chain_explorer()
    table, picture = box.table.value, box.image.value
    box.w1.value = 0.0
    small = bpkit.output_gradient(box.net, lesson09.CHAIN_X).W[1][0, 0]
    box.w1.value = 10.0
    assert box.net.W[1][0, 0] == 10.0 and box.table.value != table and box.image.value != picture
    saturated = bpkit.output_gradient(box.net, lesson09.CHAIN_X).W[1][0, 0]
    assert abs(saturated) * 100 < abs(small)
    box.activation.value = "tanh"
    assert box.net.hidden.name == "tanh"

"""Tests of bpkit.show.widgets.lesson08: the segment between two minima."""

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import bpkit  # noqa: E402
from bpkit import landscape  # noqa: E402
from bpkit.show.widgets import lesson08  # noqa: E402
from drawing import full_draws  # noqa: E402


def test_every_public_function_builds_a_widget_without_arguments():
    """Does every function in __all__ take no required arguments and return an ipywidgets.Widget?"""
    for name in lesson08.__all__:
        assert isinstance(getattr(lesson08, name)(), W.Widget)


def test_slider_moves_the_weights_and_E_follows_bpkit():
    """Does t = 0.5 show w^1_00 = w^1_01 = (a* + b*)/2 and E(θ(t)) as bpkit.objective computes it?"""
    box = lesson08.segment()
    assert isinstance(box.slider, W.FloatSlider)
    curve, plane = box.curve.value, box.plane.value
    box.slider.value = 0.5
    p = landscape.two_minima()
    mid = p.net((p.a_star + p.b_star) / 2, (p.a_star + p.b_star) / 2)
    E = bpkit.objective(mid, p.X, p.Y)
    assert f"E(θ(t)) = {E:.6f}" in box.html.value
    assert f"{(p.a_star + p.b_star) / 2:.3f}" in box.html.value
    assert "above the chord" in box.html.value
    assert box.curve.value != curve and box.plane.value != plane


def test_at_the_ends_E_equals_the_chord():
    """At t = 0 and t = 1, is E on the chord (difference +0.000000), and E(A) = E(B)?"""
    box = lesson08.segment()
    for t in (0.0, 1.0):
        box.slider.value = t
        assert "difference = +0.000000" in box.html.value or "difference = -0.000000" in box.html.value
    assert box.E_a == pytest.approx(box.E_b, abs=1e-12)


def test_segment_between_any_two_networks():
    """Given two networks and data, does the widget work without a plane panel, and reject a mismatch?"""
    X, Y = bpkit.data.xor(m=20, seed=0)
    a = bpkit.Network((2, 3, 1), seed=0)
    b = landscape.swap_hidden(a, 1, 0, 2)
    box = lesson08.segment(a, b, X, Y, lam=0.1)
    assert box.plane is None
    box.slider.value = 0.3
    assert f"{box.E(0.3):.6f}" in box.html.value
    with pytest.raises(ValueError, match="architecture"):
        lesson08.segment(a, bpkit.Network((2, 4, 1), seed=0), X, Y)
    with pytest.raises(ValueError, match="both networks"):
        lesson08.segment(a)


def test_slider_update_blits_the_markers_and_redraws_no_figure():
    """Does a move of t change both pictures while no figure is drawn again (the markers are blitted)?"""
    box = lesson08.segment()
    curve, plane = box.curve.value, box.plane.value
    with full_draws() as drawn:
        for k in range(3):
            box.slider.value = 0.05 * (k + 1)
    assert drawn == []
    assert box.curve.value != curve and box.plane.value != plane


def test_E_curve_has_its_maximum_inside():
    """Is E's maximum on the segment strictly inside (0, 1) and above both ends?"""
    p = landscape.two_minima()
    ts, E = landscape.segment_E(p.A, p.B, p.X, p.Y)
    k = int(np.argmax(E))
    assert 0 < ts[k] < 1 and E[k] > E[0] + 0.1


# ---------------------------------------------------------------------- surface_point: the two weights on sliders
def _point_parts(box):
    return box.sliders[(1, 0, 0)], box.sliders[(1, 0, 1)]


def test_surface_point_sliders_are_the_two_weights_in_the_notation():
    """Are the widget's first two sliders w¹₀₀ and w¹₀₁ (the house style), starting at the midpoint (0.75, 0.75)?"""
    box = lesson08.surface_point()
    s00, s01 = _point_parts(box)
    assert isinstance(s00, W.FloatSlider) and isinstance(s01, W.FloatSlider)
    assert (s00.description, s01.description) == ("w¹₀₀", "w¹₀₁")
    assert (s00.value, s01.value) == (0.75, 0.75)
    first = box.children[0].children[0]
    assert first is s00, "the widget's first slider moves a weight (the browser test moves it)"


def test_surface_point_shows_E_its_gap_above_the_minima_and_the_gradient_as_bpkit_computes_them():
    """After moving both sliders, are E(w), E(w) − E(A) and ∂E/∂w¹₀₀, ∂E/∂w¹₀₁ those of bpkit.objective/gradient?"""
    box = lesson08.surface_point()
    s00, s01 = _point_parts(box)
    html, png = box.html.value, box.plane.value
    s00.value, s01.value = 1.85, -0.40
    p = landscape.two_minima()
    net = p.net(1.85, -0.40)
    E, E_A = bpkit.objective(net, p.X, p.Y), bpkit.objective(p.A, p.X, p.Y)
    dW = bpkit.gradient(net, p.X, p.Y).W[1]
    assert box.html.value != html and box.plane.value != png, "the numbers and the marker moved"
    assert f">{E:.6f}<" in box.html.value
    assert f">{E_A:.6f}<" in box.html.value and box.E_min == E_A
    assert f">{E - E_A:.6f}<" in box.html.value and E > E_A
    assert f">{dW[0, 0]:+.6f}<" in box.html.value and f">{dW[0, 1]:+.6f}<" in box.html.value
    assert ">1.85, -0.40<" in box.html.value


def test_surface_point_default_numbers_are_those_the_lesson_prints():
    """At the default (0.75, 0.75), does the widget show E = 0.942379 and 0.282339 above the minima (lesson 08's cells)?"""
    box = lesson08.surface_point()
    assert ">0.942379<" in box.html.value and ">0.660040<" in box.html.value and ">0.282339<" in box.html.value


def test_surface_point_at_either_minimum_E_equals_E_A_and_the_gradient_vanishes():
    """At A = (2.5, −1) and at B = (−1, 2.5), is E(w) − E(A) = 0 and the widget says it is at a minimum?"""
    box = lesson08.surface_point()
    s00, s01 = _point_parts(box)
    for a, b in ((2.5, -1.0), (-1.0, 2.5)):
        s00.value, s01.value = a, b
        assert "at a minimum" in box.html.value
        assert ">0.000000<" in box.html.value
    s00.value = 0.0
    assert "at a minimum" not in box.html.value


def test_surface_point_never_prints_and_redraws_no_figure(capsys):
    """Does a slider move print nothing and draw no figure again (only the marker is blitted)?"""
    box = lesson08.surface_point()
    s00, _ = _point_parts(box)
    capsys.readouterr()
    with full_draws() as drawn:
        for k in range(3):
            s00.value = -2.0 + 0.4 * k
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    assert drawn == []

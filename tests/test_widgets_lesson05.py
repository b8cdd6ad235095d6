"""Do lesson 05's widgets show the memo table and the growth of both counts live, without printing?"""
from __future__ import annotations

import ipywidgets as W
import pytest

from bpkit import naive, scalar
from bpkit.show.widgets import lesson05


@pytest.mark.parametrize("name", lesson05.__all__)
def test_every_public_widget_builds_with_no_arguments(name):
    """Does every function in __all__ build an ipywidgets.Widget with no arguments?"""
    assert isinstance(getattr(lesson05, name)(), W.Widget)


def test_the_memo_table_widget_moves_a_weight_and_shows_bpkits_memo():
    """Does the first slider move w^2_00, and does the table then show scalar.gradient's memo for the new net?"""
    box = lesson05.memo_table(step=7)
    assert box.children[0].children[0] is box.weight and box.weight.description == "w^2_00"
    before = box.html.value
    box.weight.value = -1.5
    assert box.html.value != before
    grad = scalar.gradient(lesson05.memo_network(-1.5), lesson05.MEMO_X, lesson05.MEMO_Y)
    assert box.html.value == lesson05.memo_html(grad, 7)
    for (l, j), v in grad.extras["memo"].items():
        assert f"{float(v[0]):+.4f}" in box.html.value


def test_the_step_slider_reveals_entries_right_to_left():
    """At step k, are exactly the first k memo entries filled in, and the rest still unknown?"""
    box = lesson05.memo_table(step=1)
    n = box.stepper.max
    assert n == 7
    for k in range(1, n + 1):
        box.stepper.value = k
        assert box.html.value.count("= ?") == n - k
    box.stepper.value = 4          # writes ∂E/∂σ^2_1, reading ∂E/∂sum^3_0 and ∂E/∂sum^3_1
    assert "writes ∂E/∂σ<sup>2</sup><sub>1</sub>" in box.html.value
    assert box.html.value.count("#fff2a8") == 2 and box.html.value.count("#c8f0c8") == 1


def test_counts_and_paths_follow_the_sliders():
    """Do width, depth and layer sliders show both formulas' counts and naive.paths' number of paths?"""
    box = lesson05.counts_and_paths()
    box.width.value, box.depth.value = 4, 3
    box.layer.value = 2
    sizes = (4, 4, 4, 4, 4)
    html = box.html.value
    assert f">{scalar.multiplication_count(sizes)}<" in html
    assert f">{naive.multiplication_count(sizes)}<" in html
    assert f">{len(naive.paths(sizes, 2, 0, 0))}<" in html
    assert "... and 8 more" in html


def test_the_layer_slider_follows_the_depth():
    """When the depth shrinks, is the layer l of the weight clamped to the new L?"""
    box = lesson05.counts_and_paths(hidden_layers=4, l=5)
    box.depth.value = 1
    assert box.layer.max == 2 and box.layer.value == 2
    assert "(L = 2," in box.html.value


def test_the_widgets_never_print(capsys):
    """Does moving every slider write nothing to stdout or stderr?"""
    a, b = lesson05.memo_table(), lesson05.counts_and_paths()
    a.weight.value, a.stepper.value = 0.7, 6
    b.width.value, b.depth.value, b.layer.value = 5, 4, 1
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""

"""Do lesson 03's widgets build without arguments, change what they show when their slider moves, never print,
and show bpkit's own numbers?"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import ipywidgets as W  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import bpkit  # noqa: E402
from bpkit import regularization  # noqa: E402
from bpkit.show.widgets import lesson03 as w5  # noqa: E402
from drawing import full_draws  # noqa: E402

FAST_LAMS = (0.0, 1.0)  # two quick trainings, so the λ widget builds fast in tests


@pytest.fixture(scope="module")
def lam_widget():
    return w5.lambda_boundary(lams=FAST_LAMS)


def test_all_widgets_take_no_arguments_and_return_a_widget(monkeypatch):
    """Does every function in __all__ build with no arguments and return an ipywidgets.Widget (λ grid made small)?"""
    monkeypatch.setattr(w5.lambda_boundary, "__defaults__", (FAST_LAMS,))
    for name in w5.__all__:
        assert isinstance(getattr(w5, name)(), W.Widget), name


def test_hidden_weight_slider_changes_table_and_plot(capsys):
    """Does moving w^1_00 change the table and the plot, with no printing and no figure left open?"""
    box = w5.hidden_weight()
    assert isinstance(box.slider, W.FloatSlider) and box.slider.description == "w^1_00"
    table, plot = box.table.value, box.plot.value
    box.slider.value = 2.5
    assert box.table.value != table and box.plot.value != plot
    assert capsys.readouterr() == ("", "")
    assert plt.get_fignums() == []


def test_hidden_weight_shows_bpkits_numbers():
    """Are σ^L_0, the cross-entropy, the penalty and E shown as bpkit computes them for the moved weight?"""
    box = w5.hidden_weight()
    box.slider.value = -1.5
    net, X, Y, lam = w5.small_example()
    net.W[1][0, 0] = -1.5
    shown = box.table.value
    assert f"{bpkit.objective(net, X, Y, lam):.6f}" in shown
    assert f"{bpkit.penalty(net, lam, X.shape[0]):.6f}" in shown
    assert f"{bpkit.cross_entropy(net, X, Y):.6f}" in shown
    assert f"{net.predict_proba(X)[0, 0]:.4f}" in shown


def test_lambda_slider_swaps_image_and_table(lam_widget, capsys):
    """Does moving λ change the PNG and the table without printing, swapping pictures drawn when it was built
    (no figure is drawn on a move)?"""
    box = lam_widget
    assert isinstance(box.slider, W.SelectionSlider) and box.slider.description == "λ"
    image, table = box.image.value, box.table.value
    with full_draws() as drawn:
        box.slider.value = FAST_LAMS[1]
    assert drawn == []
    assert box.image.value != image and box.table.value != table
    assert bytes(box.image.value).startswith(b"\x89PNG")
    assert capsys.readouterr() == ("", "")
    assert plt.get_fignums() == []


def test_lambda_widget_shows_the_cached_fit(lam_widget):
    """Are the numbers shown for λ those of regularization.fit_lambda(λ), which the lesson's table prints?"""
    lam_widget.slider.value = FAST_LAMS[1]
    fit = regularization.fit_lambda(FAST_LAMS[1])
    for text in (f"{fit.E:.4f}", f"{fit.penalty:.4f}", f"{fit.test_accuracy:.3f}", f"{fit.weight_squares[0]:.4g}"):
        assert text in lam_widget.table.value

"""Do lesson 07's widgets build without arguments, show bpkit's numbers, and never print?

How fast a move is, is measured by benchmarks/widget_latency.py, never timed in a test."""
from __future__ import annotations

import contextlib
import io

import ipywidgets
import numpy as np
import pytest

import bpkit
from bpkit.show.plots import training as tp
from bpkit.show.widgets import lesson07 as w7


def silently(f, *args, **kwargs):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        result = f(*args, **kwargs)
    assert out.getvalue() == "", f"{f.__name__} printed {out.getvalue()!r}"
    return result


def parts(widget):
    """The slider, every Image and every HTML inside a widget tree."""
    found = {"slider": [], "image": [], "html": []}

    def walk(w):
        if isinstance(w, (ipywidgets.IntSlider, ipywidgets.FloatSlider)):
            found["slider"].append(w)
        elif isinstance(w, ipywidgets.Image):
            found["image"].append(w)
        elif isinstance(w, ipywidgets.HTML):
            found["html"].append(w)
        for child in getattr(w, "children", ()):
            walk(child)

    walk(widget)
    return found


def shown(widget):
    p = parts(widget)
    return [i.value for i in p["image"]], [h.value for h in p["html"]]


@pytest.fixture(scope="module")
def snap():
    return w7.training_snapshots()


@pytest.mark.parametrize("name", w7.__all__)
def test_every_public_widget_builds_without_arguments(name, snap):
    """Does every function in __all__ build a Widget with no arguments, printing nothing?"""
    widget = silently(getattr(w7, name))
    assert isinstance(widget, ipywidgets.Widget)
    assert parts(widget)["slider"], "each widget has a slider"


def test_training_snapshots_record_every_iteration_from_the_initialization(snap):
    """Are entry 0 the random initialization (E, accuracies by bpkit) and entries 1.. bpkit.train's History?"""
    assert snap.iterations == 60
    assert len(snap.W1) == len(snap.E) == len(snap.train_accuracy) == len(snap.test_accuracy) == 61
    net0 = bpkit.Network([64, 25, 10], seed=0)
    np.testing.assert_array_equal(snap.W1[0], net0.W[1])
    split = snap.split
    assert snap.E[0] == pytest.approx(bpkit.objective(net0, split.X_train, split.Y_train, 1.0))
    assert snap.test_accuracy[0] == bpkit.accuracy(net0, split.X_test, split.Y_test)
    np.testing.assert_array_equal(snap.W1[-1], snap.net.W[1])
    assert snap.E[-1] == pytest.approx(bpkit.objective(snap.net, split.X_train, split.Y_train, 1.0))
    assert snap.E[-1] < snap.E[0] / 5 and snap.test_accuracy[-1] > 0.9
    assert w7.training_snapshots() is snap, "cached in memory for the session"


def test_training_explorer_shows_E_and_accuracies_of_the_chosen_iteration(snap):
    """Does moving the iteration slider change the images and show that iteration's E and accuracies?"""
    widget = w7.training_explorer()
    slider = parts(widget)["slider"][0]
    images0, html0 = shown(widget)
    assert f"E(w) = {snap.E[0]:.4f}" in html0[0]
    silently(setattr, slider, "value", 37)
    images1, html1 = shown(widget)
    assert images1 != images0 and html1 != html0
    assert "after 37 L-BFGS iterations" in html1[0]
    assert f"E(w) = {snap.E[37]:.4f}" in html1[0]
    assert f"train accuracy = {snap.train_accuracy[37]:.4f}" in html1[0]
    assert f"test accuracy = {snap.test_accuracy[37]:.4f}" in html1[0]


def test_training_explorer_image_is_the_mosaic_of_hidden_weights(snap):
    """Is the picture the 25 columns of W^1 at that iteration, tiled 5 x 5 on a symmetric scale?"""
    widget = w7.training_explorer()
    slider = parts(widget)["slider"][0]
    slider.value = 12
    images = snap.W1[12].T.reshape(25, 8, 8)
    vmax = np.abs(images).max()
    want = tp.to_png(tp.mosaic(images, 5), -vmax, vmax, scale=7)
    assert parts(widget)["image"][0].value == want


def test_hidden_neuron_explorer_shows_the_neuron_its_class_means_and_strongest_digits(snap):
    """Does the neuron slider show w^1_(.j), the mean σ^1_j per class, and the digits with the largest σ^1_j?"""
    net, split = snap.net, snap.split
    widget = w7.hidden_neuron_explorer(net, split)
    slider = parts(widget)["slider"][0]
    assert slider.max == 24
    before = shown(widget)
    silently(setattr, slider, "value", 9)
    images, html = shown(widget)
    assert images != before[0] and html != before[1]
    response = tp.class_response(net, split.X_test, split.labels_test)
    for k in range(10):
        assert f"{response[9, k]:.3f}" in html[0]
    sigma = net.forward(split.X_test).sigmas[1][:, 9]
    top = np.argsort(-sigma, kind="stable")[:8]
    assert ", ".join(str(int(split.labels_test[r])) for r in top) in html[1]
    assert f"{sigma[top[0]]:.3f}" in html[1]


# ------------------------------------------------------------------------------ the matrix products


def _rows(M):
    """How matrix_table writes a matrix: every entry as {x:+.4f} in its own cell."""
    return [f">{x:+.4f}</td>" for x in np.ravel(M)]


def test_small_problem_is_section_1s_network():
    """Is the widget's default problem the lesson's 4-3-3-2 tanh network (seed 0), 5 examples, λ = 0.7?"""
    net, X, Y, lam = w7.small_problem()
    assert tuple(net.sizes) == (4, 3, 3, 2) and net.activation(1).name == "tanh"
    np.testing.assert_array_equal(net.get_flat(), bpkit.Network([4, 3, 3, 2], hidden="tanh", seed=0).get_flat())
    assert X.shape == (5, 4) and Y.shape == (5, 2) and lam == 0.7


def test_matrix_products_slider_is_a_weight_and_starts_at_its_exact_value():
    """Is the first slider w²₁₀ (a weight, in the notation), at the network's own value, so the numbers are the lesson's?"""
    box = silently(w7.matrix_products)
    assert isinstance(box.slider, ipywidgets.FloatSlider)
    assert box.slider.description == "w²₁₀" and box.choice.value == (2, 1, 0)
    net, X, Y, lam = w7.small_problem()
    assert box.slider.value == net.W[2][1, 0]
    g = bpkit.gradient(net, X, Y, lam)
    assert f"E(w) = {g.E:.6f}" in box.html.value
    assert f"matrix entry [1, 0] {g.W[2][1, 0]:+.6f}" in box.html.value


@pytest.mark.parametrize("weight", [(2, 1, 0), (1, 3, 2), (3, 0, 1)], ids=["w2_10", "w1_32", "w3_01"])
def test_moving_the_weight_shows_bpkits_matrices_for_the_new_network(weight):
    """After moving w^l_ij, are δ^L, δ^l, ∂E/∂W^l, ∂E/∂σ^{l-1}, δ^{l-1} shown exactly as bpkit.gradient computes them?"""
    l, i, j = weight
    box = w7.matrix_products(weight=weight)
    before = box.html.value
    silently(setattr, box.slider, "value", 1.35)
    assert box.html.value != before
    net, X, Y, lam = w7.small_problem()
    net.W[l][i, j] = 1.35
    g = bpkit.gradient(net, X, Y, lam)
    delta, dE_dsigma = g.extras["delta"], g.extras["dE_dsigma"]
    L = net.L
    shown = [delta[L], g.W[l], net.W[l]]
    if l < L:
        shown.append(delta[l])
    if l > 1:
        shown += [dE_dsigma[l - 1], delta[l - 1]]
    for M in shown:
        for cell in _rows(M):
            assert cell in box.html.value, cell
    np.testing.assert_allclose(delta[L], (g.extras["record"].sigmas[L] - Y) / X.shape[0])
    assert f"E(w) = {g.E:.6f}" in box.html.value
    s = bpkit.scalar.gradient(net, X, Y, lam)
    assert f"per neuron (bpkit.scalar.gradient) {s.W[l][i, j]:+.6f}" in box.html.value
    assert "bpkit.scalar.gradient: True" in box.html.value and "False" not in box.html.value
    assert ("no δ<sup>0</sup>" in box.html.value) == (l == 1)


def test_choosing_another_weight_relabels_the_slider_and_keeps_the_first_weight_moved():
    """Does the dropdown put w³₀₁ on the slider (at its value) while the earlier move of w²₁₀ stays in the network?"""
    box = w7.matrix_products()
    box.slider.value = -2.0
    box.choice.value = (3, 0, 1)
    assert box.slider.description == "w³₀₁"
    assert box.slider.value == box.net.W[3][0, 1]
    assert box.net.W[2][1, 0] == -2.0
    box.slider.value = 0.5
    assert box.net.W[3][0, 1] == 0.5 and box.net.W[2][1, 0] == -2.0


def test_matrix_products_does_not_touch_the_callers_network():
    """Is the network passed in copied (moving the slider leaves the caller's w^l_ij alone)?"""
    net, X, Y, lam = w7.small_problem()
    box = w7.matrix_products(net, X, Y, lam)
    box.slider.value = 2.0
    assert net.W[2][1, 0] != 2.0
    with pytest.raises(ValueError, match="not a weight"):
        w7.matrix_products(weight=(4, 0, 0))

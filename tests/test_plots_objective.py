"""Do lesson 03's plots and the numbers they show agree with bpkit's objective, and draw what they claim?"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import bpkit  # noqa: E402
from bpkit.objective import CrossEntropy  # noqa: E402
from bpkit import regularization  # noqa: E402
from bpkit.show.plots import objective as po  # noqa: E402


@pytest.fixture
def case():
    net = bpkit.Network((2, 4, 3, 1), hidden="tanh", seed=1)
    net.b[1] = np.array([0.1, -0.2, 0.3, 0.0])
    X, Y = bpkit.data.moons(7, noise=0.2, seed=3)
    return net, X, Y, 0.7


@pytest.fixture(autouse=True)
def no_figures_left():
    yield
    plt.close("all")


def test_weight_squares_are_what_the_penalty_sums(case):
    """Is λ/2m times the sum of weight_squares exactly bpkit.penalty (biases left out)?"""
    net, X, Y, lam = case
    squares = regularization.weight_squares(net)
    assert len(squares) == net.L
    assert squares[0] == pytest.approx(float(np.sum(net.W[1] ** 2)))
    assert lam / (2 * 7) * sum(squares) == pytest.approx(bpkit.penalty(net, lam, 7))


def test_objective_along_weight_matches_bpkit_and_leaves_the_network_alone(case):
    """Does E along w^1_12 equal bpkit.objective at each value, split into cross-entropy + penalty, without changing net?"""
    net, X, Y, lam = case
    before = net.get_flat().copy()
    values = [-2.0, 0.0, 1.5]
    path = regularization.objective_along_weight(net, X, Y, lam, 1, 1, 2, values)
    np.testing.assert_array_equal(net.get_flat(), before)
    for k, v in enumerate(values):
        moved = net.copy()
        moved.W[1][1, 2] = v
        assert path.E[k] == pytest.approx(bpkit.objective(moved, X, Y, lam), rel=1e-12)
        assert path.cross_entropy[k] == pytest.approx(bpkit.cross_entropy(moved, X, Y), rel=1e-12)
        np.testing.assert_allclose(path.sigma_L[k], moved.predict_proba(X)[:, 0])


def test_weight_effect_follows_the_weight_to_the_output(case):
    """Does weight_effect report σ^l_j, σ^L and E's terms of the moved network, and does E = cross-entropy + penalty?"""
    net, X, Y, lam = case
    eff = regularization.weight_effect(net, X, Y, lam, 2, 1, 2, 3.0)
    moved = net.copy()
    moved.W[2][1, 2] = 3.0
    rec = moved.forward(X)
    np.testing.assert_allclose(eff.sigma_j, rec.sigma(2, 2))
    np.testing.assert_allclose(eff.sigma_L, rec.sigmas[3])
    assert eff.cross_entropy == pytest.approx(CrossEntropy.fn(rec.sums[3], Y))
    assert eff.E == pytest.approx(eff.cross_entropy + eff.penalty)
    assert eff.E == pytest.approx(bpkit.objective(moved, X, Y, lam))


def test_fit_lambda_is_cached_and_consistent():
    """Is fit_lambda cached per λ, and do its E, terms and accuracies agree with bpkit on its own network?"""
    a = regularization.fit_lambda(1.0, iterations=15)
    assert regularization.fit_lambda(1.0, iterations=15) is a
    X, Y, Xt, Yt = regularization.moons_split()
    assert a.E == pytest.approx(bpkit.objective(a.net, X, Y, 1.0))
    assert a.E == pytest.approx(a.cross_entropy + a.penalty)
    assert a.weight_squares == pytest.approx(regularization.weight_squares(a.net))
    assert a.test_accuracy == pytest.approx(bpkit.accuracy(a.net, Xt, Yt))
    assert 1 <= a.iterations <= 15


def test_a_larger_lambda_gives_smaller_weights():
    """Does training with λ = 10 end with smaller Σ (w^l_ij)² in every layer than with λ = 0.01?"""
    small, large = regularization.fit_lambda(0.01, iterations=30), regularization.fit_lambda(10.0, iterations=30)
    assert all(b < a for a, b in zip(small.weight_squares, large.weight_squares))


def test_fit_table_has_a_row_per_lambda():
    """Does the printed table have a header and one fixed-format row per λ?"""
    text = po.fit_table(lams=(0.0, 1.0))
    lines = text.splitlines()
    assert len(lines) == 3 and "Σ(w^1)²" in lines[0] and "test acc" in lines[0]
    assert lines[2].split()[0] == "1"


def test_regularization_figure_changes_with_the_fit_and_is_not_a_pyplot_figure():
    """Does the λ figure redraw in place (other PNG for another fit) without opening pyplot figures?"""
    fig = po.RegularizationFigure()
    a, b = regularization.fit_lambda(0.0, iterations=15), regularization.fit_lambda(10.0, iterations=15)
    fig.update(a)
    png_a = fig.png()
    fig.update(b)
    png_b = fig.png()
    assert png_a.startswith(b"\x89PNG") and png_a != png_b
    assert plt.get_fignums() == []
    assert "λ = 10" in fig.ax.get_title()
    assert fig.bar_ax.get_ylabel() and fig.ax.get_xlabel() == r"$\sigma^0_0$"
    heights = [bar.get_height() for bar in fig.bars]
    assert heights == pytest.approx(b.weight_squares)


def test_static_plots_have_titles_and_labels(case):
    """Do the decision boundary, log-form and weight-path plots carry titles and axis labels in the notation?"""
    net, X, Y, lam = case
    ax = po.plot_decision_boundary(net, X, Y)
    assert ax.get_title() and "sigma^0_0" in ax.get_xlabel()
    ax = po.plot_log_forms(y=0.0)
    assert "sum" in ax.get_xlabel() and ax.get_title()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("inf" in t for t in labels), "the naive form's inf/nan region is marked"
    path = regularization.objective_along_weight(net, X, Y, lam, 1, 0, 0, np.linspace(-2, 2, 5))
    ax = po.plot_weight_path(path)
    assert ax.get_xlabel() == "$w^{1}_{00}$" and "E(w)" in ax.get_title()


def test_log_forms_plot_shows_where_the_naive_form_fails():
    """Is the naive curve missing (inf/nan) exactly where σ^L rounds to 1, for y = 0 (sum^L >= ~37)?"""
    ax = po.plot_log_forms(y=0.0)
    naive = [line for line in ax.get_lines() if line.get_linestyle() == "--"][0]
    x, y = naive.get_data()
    assert np.all(np.isfinite(y[x < 30])) and np.all(np.isnan(y[x > 40]))


def test_curves_svg_is_valid_and_marks_the_value():
    """Is the SVG well-formed, with one polyline per curve, the legend and a marker at the given x?"""
    x = np.linspace(-1, 1, 11)
    svg = po.curves_svg(x, [(x ** 2, "#000", "E(w)"), (x, "#f00", "penalty")], marker=0.5,
                        title="t", xlabel="w¹₀₀", ylabel="E")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}polyline")) == 2
    assert len(root.findall(f"{ns}circle")) == 2
    texts = [t.text for t in root.findall(f"{ns}text")]
    assert "E(w)" in texts and "penalty" in texts and "w¹₀₀" in texts
    assert po.curves_svg(x, [(x ** 2, "#000", "a")], marker=0.0) != po.curves_svg(x, [(x ** 2, "#000", "a")], marker=0.5)

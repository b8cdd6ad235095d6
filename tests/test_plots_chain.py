"""Do lesson 02's tables and plots show the chain rule of the notes' example correctly?"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bpkit import example  # noqa: E402
from bpkit.show.plots import chain  # noqa: E402


def random_case(seed, hidden="sigmoid"):
    rng = np.random.default_rng(seed)
    weights = {n: float(rng.uniform(-2, 2)) for n in example.NOTES_NAMES}
    values = {n: float(rng.uniform(-2, 2)) for n in example.INPUTS}
    return example.network(weights, hidden=hidden), example.inputs(values)


@pytest.mark.parametrize("seed,hidden", [(0, "sigmoid"), (1, "tanh"), (2, "sigmoid"), (3, "tanh")])
def test_central_differences_on_o_agree_with_backprop(seed, hidden):
    """Do central differences on o itself agree with bpkit's backpropagated ∂o/∂w for every weight?"""
    net, x = random_case(seed, hidden)
    num = example.numerical_output_partials(net, x)
    bp = example.output_partials(net, x)
    for name in example.NOTES_NAMES:
        assert num[name] == pytest.approx(bp[name], rel=1e-6, abs=1e-9), name


def test_central_differences_leave_the_network_exactly_as_it_was():
    """Is every perturbed weight restored bit for bit?"""
    net, x = random_case(5)
    before = [w.copy() for w in net.W]
    example.numerical_output_partials(net, x, eps=1e-3)
    for a, b in zip(before, net.W):
        assert np.array_equal(a, b)


def test_name_map_lists_every_notes_name_with_its_wlij():
    """Does the name map pair w^1_1..w^2_2 with w^1_00, w^1_10, w^1_21, w^1_31, w^2_00, w^2_10 and their values?"""
    net = example.network()
    lines = chain.name_map_lines(net)
    assert len(lines) == 7
    for name in example.NOTES_NAMES:
        l, i, j = example.NOTES_NAMES[name]
        line = next(s for s in lines if s.startswith(name))
        assert example.ij_name(name) in line and f"net.W[{l}][{i}, {j}] = {net.W[l][i, j]:+.4f}" in line


def test_mask_lines_name_the_four_missing_connections():
    """Do the mask lines say that exactly x→g_2, y→g_2, z→g_1 and w→g_1 do not exist?"""
    lines = chain.mask_lines(example.network())
    missing = [s.split(":")[0] for s in lines if "no such connection" in s]
    assert missing == ["w^1_01", "w^1_11", "w^1_20", "w^1_30"]
    assert sum("exists" in s for s in lines) == 6


def test_chain_rows_multiply_to_the_product():
    """Is each row's product the product of its notes' factors ∂f/∂g_j · ∂g_j/∂w (or f' · g for w^2)?"""
    net, x = random_case(7)
    for r in chain.chain_rows(net, x):
        if "df/dg" in r:
            assert r["product"] == pytest.approx(r["df/dg"] * r["dg/dw"])
            assert r["df/dg"] == pytest.approx(r["df/dsum2"] * r["dsum2/dg"])
            assert r["dg/dw"] == pytest.approx(r["dg/dsum1"] * r["dsum1/dw"])
        else:
            assert r["product"] == pytest.approx(r["df/dsum2"] * r["dsum2/dw"])
    assert len(chain.chain_table(net, x).splitlines()) == 7


def test_agreement_table_says_true_when_everything_agrees_and_false_when_not():
    """Does the agreement column say True for the right values and False for a wrong sympy value?"""
    net, x = random_case(8)
    right = example.output_partials(net, x)
    assert chain.agreement_table(net, x, right).count("True") == 6
    wrong = dict(right, **{"w^1_3": right["w^1_3"] + 0.01})
    table = chain.agreement_table(net, x, wrong)
    assert table.count("True") == 5 and "False" in table.splitlines()[3]


@pytest.mark.parametrize("name", list(example.NOTES_NAMES))
def test_chain_html_shows_the_factors_the_product_and_the_check(name):
    """Does the widget's table show the product, bpkit's value and the central difference of that weight?"""
    net, x = random_case(9)
    text = chain.chain_html(net, x, name)
    f = example.chain_factors(net, x)[name]
    assert f"{f['product']:+.5f}" in text
    assert f"{example.output_partials(net, x)[name]:+.5f}" in text
    assert "agree" in text and "DISAGREE" not in text


def test_tangent_svg_is_well_formed_and_shows_the_slope():
    """Is the widget's plot a well-formed SVG whose title carries ∂o/∂w?"""
    net, x = random_case(10)
    svg = chain.tangent_svg(net, x, "w^1_4")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert f"{example.output_partials(net, x)['w^1_4']:+.4f}" in svg
    assert len(root.findall("{http://www.w3.org/2000/svg}polyline")) == 2


def test_plots_have_titles_and_labels_in_the_notation():
    """Do the tangent and factor plots carry titles and axis labels in the notation?"""
    net, x = random_case(11)
    fig = chain.plot_tangent(net, x, "w^1_2")
    ax = fig.axes[0]
    assert ax.get_title() and "w^{1}_{10}" in ax.get_xlabel() and ax.get_ylabel()
    plt.close(fig)
    fig = chain.plot_factors(net, x)
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    assert tuple(fig.get_size_inches()) == (7.5, 3.6)
    plt.close(fig)

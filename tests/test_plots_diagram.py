"""Tests of bpkit.show.plots.diagram: the network drawn in the notes' notation."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import bpkit  # noqa: E402
from bpkit import example  # noqa: E402
from bpkit.show.plots import diagram  # noqa: E402
from bpkit.show.plots.diagram import draw_network, set_highlight, update_network  # noqa: E402
from bpkit.show.plots.svg import NetworkSVG, network_svg  # noqa: E402
from bpkit import labels  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _net(sizes=(2, 3, 1), seed=0, **kw):
    return bpkit.Network(sizes, seed=seed, **kw)


def test_every_neuron_is_labelled_sigma_l_i():
    """Is every neuron σ^l_i of a 3-4-2-1 network drawn once, labelled σ^l_i?"""
    net = _net((3, 4, 2, 1))
    d = draw_network(net).diagram
    assert set(d.neurons) == {(l, i) for l, n in enumerate(net.sizes) for i in range(n)}
    for (l, i), text in d.neuron_labels.items():
        assert text.get_text() == labels.neuron(l, i)
    assert d.neuron_labels[(2, 1)].get_text() == "σ²₁"


def test_layer_titles_count_from_the_output():
    """Do the titles say layer 0 (input), layer L (output), and hidden layers as L−k (the notes' right to left)?"""
    d = draw_network(_net((3, 4, 2, 1))).diagram
    titles = [d.titles[l].get_text() for l in range(4)]
    assert titles == ["layer 0 (input)", "layer 1 = L−2 (hidden)", "layer 2 = L−1 (hidden)", "layer 3 = L (output)"]
    d = draw_network(_net((2, 1))).diagram
    assert [t.get_text() for t in d.titles.values()] == ["layer 0 (input)", "layer 1 = L (output)"]


def test_every_edge_is_labelled_with_its_weight():
    """Is every edge labelled w^l_ij = value, the value being net.W[l][i, j] with 2 decimals?"""
    net = _net((2, 3, 2))
    d = draw_network(net).diagram
    assert len(d.edges) == 2 * 3 + 3 * 2
    for (l, i, j), text in d.edge_labels.items():
        assert text.get_text() == f"w{labels.sup(l)}{labels.sub(f'{i}{j}')} = {net.W[l][i, j]:.2f}"
    assert d.edge_labels[(1, 0, 2)].get_text().startswith("w¹₀₂ = ")


def test_edge_goes_from_neuron_i_of_layer_l_minus_1_to_neuron_j_of_layer_l():
    """Does the line of w^l_ij start at σ^{l-1}_i and end at σ^l_j (not transposed)?"""
    net = _net((2, 3, 1))
    d = draw_network(net).diagram
    for (l, i, j), line in d.edges.items():
        xs, ys = line.get_data()
        assert (xs[0], ys[0]) == tuple(d.neurons[(l - 1, i)].center)
        assert (xs[1], ys[1]) == tuple(d.neurons[(l, j)].center)


def test_sparse_example_network_draws_only_its_six_edges():
    """Does the notes' x, y, z, w example (a mask) draw exactly its 6 connections, named as the mask says?"""
    net = example.network()
    d = draw_network(net).diagram
    assert len(d.edges) == net.n_weights == 6
    assert set(d.edges) == set(example.NOTES_NAMES.values())


def test_values_match_the_forward_record():
    """Are the sum^l_i and σ^l_i written under each neuron those of the record, for the chosen example?"""
    net = _net((3, 2, 2), seed=3)
    X = np.random.default_rng(1).normal(size=(4, 3))
    rec = net.forward(X)
    d = draw_network(net, rec, example=2).diagram
    for (l, i), text in d.values.items():
        s = text.get_text()
        assert f"σ = {rec.sigma(l, i)[2]:.3f}" in s
        if l > 0:
            assert f"sum = {rec.sum_(l, i)[2]:.3f}" in s
        else:
            assert "sum" not in s


def test_no_values_without_show_values():
    """With show_values=False, are only names drawn (no numbers under neurons or on edges)?"""
    net = _net()
    d = draw_network(net, net.forward(np.ones((1, 2))), show_values=False).diagram
    assert all(t.get_text() == "" for t in d.values.values())
    assert all("=" not in t.get_text() for t in d.edge_labels.values())


def test_edge_colour_and_width_follow_the_weight():
    """Is a positive weight blue, a negative one red, and the largest |w| the widest line?"""
    W = [np.array([[2.0, -0.5], [0.0, 1.0]]), np.array([[1.0], [-1.0]])]
    net = bpkit.Network.from_weights(W)
    d = draw_network(net).diagram
    assert d.edges[(1, 0, 0)].get_color() == diagram.POSITIVE
    assert d.edges[(1, 0, 1)].get_color() == diagram.NEGATIVE
    assert d.edges[(1, 1, 0)].get_color() == diagram.ZERO
    widths = {k: line.get_linewidth() for k, line in d.edges.items()}
    assert max(widths, key=widths.get) == (1, 0, 0)


def test_update_network_rewrites_values_in_place():
    """After changing a weight, does update_network rewrite its label and the neurons' values on the same figure?"""
    net = _net((2, 2, 1), seed=1)
    X = np.array([[0.5, -1.0]])
    fig = draw_network(net, net.forward(X))
    n_artists = len(fig.axes[0].texts)
    net.W[1][1, 0] = -1.25
    rec = net.forward(X)
    update_network(fig, net, rec)
    d = fig.diagram
    assert d.edge_labels[(1, 1, 0)].get_text() == "w¹₁₀ = -1.25"
    assert f"sum = {rec.sum_(2, 0)[0]:.3f}" in d.values[(2, 0)].get_text()
    assert len(fig.axes[0].texts) == n_artists
    with pytest.raises(ValueError, match="network"):
        update_network(fig, _net((2, 3, 1)))


def test_highlight_emphasises_and_validates():
    """Does highlight emphasise the given neurons and edges, dim the rest, and reject ones that do not exist?"""
    net = example.network()
    fig = draw_network(net, highlight=[(1, 0), (2, 1, 0)])
    d = fig.diagram
    assert d.neurons[(1, 0)].get_edgecolor()[:3] == matplotlib.colors.to_rgb(diagram.HIGHLIGHT)
    assert d.edges[(2, 1, 0)].get_color() == diagram.HIGHLIGHT
    assert d.edges[(2, 0, 0)].get_alpha() < 1
    set_highlight(fig, None)
    assert d.edges[(2, 0, 0)].get_alpha() == 1
    assert d.edges[(2, 1, 0)].get_color() != diagram.HIGHLIGHT
    with pytest.raises(ValueError, match="does not exist"):
        set_highlight(fig, [(1, 0, 1)])  # x does not feed g_2 in the sparse example
    with pytest.raises(ValueError, match="not in"):
        set_highlight(fig, [(3, 0)])


def test_record_of_another_network_is_rejected():
    """Does a record from a network of other sizes, or an example index out of range, raise a clear error?"""
    net = _net((2, 2, 1))
    with pytest.raises(ValueError, match="record"):
        draw_network(net, _net((3, 2, 1)).forward(np.ones((1, 3))))
    with pytest.raises(IndexError, match="example 5"):
        draw_network(net, net.forward(np.ones((2, 2))), example=5)


def test_figure_size_is_fixed_by_the_layer_sizes():
    """Is the figure size a function of the sizes only (so nbval's <Figure size ...> is stable)?"""
    a = draw_network(_net((2, 3, 1), seed=0)).get_size_inches()
    b = draw_network(_net((2, 3, 1), seed=5), _net((2, 3, 1)).forward(np.ones((1, 2)))).get_size_inches()
    assert tuple(a) == tuple(b)


def test_draws_into_a_given_axes_and_returns_its_figure():
    """Given ax, does it draw there and return that axes' figure?"""
    fig, ax = plt.subplots(figsize=(6, 3))
    assert draw_network(_net(), ax=ax) is fig


def test_label_placement_is_deterministic_and_avoids_crossings():
    """On a 2-2-1 net, are the labels of the two crossing edges w^1_01 and w^1_10 away from the crossing point?"""
    net = _net((2, 2, 1))
    d1 = draw_network(net).diagram
    d2 = draw_network(net).diagram
    for key in d1.edge_labels:
        assert d1.edge_labels[key].get_position() == d2.edge_labels[key].get_position()
    cross = np.array([diagram.X_STEP / 2, 0.0])
    for key in [(1, 0, 1), (1, 1, 0)]:
        assert np.linalg.norm(np.array(d1.edge_labels[key].get_position()) - cross) > 0.3


def test_a_20_neuron_network_has_every_neuron_and_edge():
    """Does the diagram of a 5-8-5-2 network draw its 20 neurons and 5·8 + 8·5 + 5·2 = 90 edges, each once?"""
    net = _net((5, 8, 5, 2))
    d = draw_network(net, net.forward(np.ones((1, 5)))).diagram
    assert sorted(d.neurons) == [(l, i) for l, n in enumerate(net.sizes) for i in range(n)]
    wanted = {(l, i, j) for l in (1, 2, 3) for i in range(net.sizes[l - 1]) for j in range(net.sizes[l])}
    assert len(wanted) == 90 and set(d.edges) == wanted


def test_other_names_are_written_above_their_neurons():
    """Given names={(0, 0): "x", ...}, is each written above its neuron, and an unknown neuron rejected?"""
    names = {(0, 0): "x", (1, 1): "g₂", (2, 0): "f"}
    d = draw_network(example.network(), names=names).diagram
    for key, name in names.items():
        assert d.names[key].get_text() == name
        assert d.names[key].get_position()[1] > d.neurons[key].center[1]
    with pytest.raises(ValueError, match="names"):
        draw_network(example.network(), names={(3, 0): "?"})


def test_svg_has_the_same_labels_and_values_as_the_figure():
    """Does the SVG diagram carry every neuron label, every edge label and the record's values of the matplotlib one?"""
    net = _net((2, 3, 1), seed=4)
    rec = net.forward(np.array([[0.3, -0.7]]))
    d = draw_network(net, rec).diagram
    svg = network_svg(net, rec)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for text in list(d.neuron_labels.values()) + list(d.edge_labels.values()) + list(d.titles.values()):
        assert text.get_text() in svg
    for (l, i), text in d.values.items():
        for line in text.get_text().split("\n"):
            assert line in svg
    assert svg.count("<line ") == len(d.edges)


def test_svg_renders_new_weights_and_rejects_what_is_not_in_the_network():
    """Does NetworkSVG.render show changed weights, and reject a highlight or a network it was not built for?"""
    net = _net((2, 2, 1), seed=0)
    X = np.ones((1, 2))
    svg = NetworkSVG(net, net.forward(X))
    before = svg.render(net, net.forward(X))
    net.W[2][1, 0] = 2.75
    after = svg.render(net, net.forward(X))
    assert "w²₁₀ = 2.75" in after and "w²₁₀ = 2.75" not in before
    with pytest.raises(ValueError, match="highlight"):
        svg.render(net, highlight=[(1, 5)])
    with pytest.raises(ValueError, match="network"):
        svg.render(_net((2, 3, 1)))


def test_svg_highlight_marks_the_chosen_items():
    """Does a highlighted edge get the highlight colour and the rest get dimmed?"""
    net = example.network()
    svg = network_svg(net, highlight=[(2, 1, 0)])
    assert svg.count(f'stroke="{diagram.HIGHLIGHT}"') >= 2  # the line and its label's box
    assert 'stroke-opacity="0.25"' in svg

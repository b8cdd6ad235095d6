"""Tests of bpkit.show.plots.surfaces: Hessians, hidden-neuron permutations, segments, grids, plots."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import bpkit  # noqa: E402
from bpkit import landscape  # noqa: E402
from bpkit import example  # noqa: E402
from bpkit.show.plots import surfaces  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _data(n0=2, nL=1, m=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, n0)), rng.integers(0, 2, size=(m, nL)).astype(float)


def test_hessian_of_logistic_regression_matches_the_formula():
    """For a 0-hidden-layer net, is the central-difference Hessian
    (1/m) Σ_e logistic(z_e)(1 − logistic(z_e)) x̃_e x̃_eᵀ + (λ/m) diag(weights)?"""
    X, Y = _data(3)
    net = bpkit.Network((3, 1), seed=1)
    net.b[1] = np.array([0.3])
    lam, m = 0.7, X.shape[0]
    p = net.predict_proba(X)[:, 0]
    Xt = np.hstack([X, np.ones((m, 1))])
    H = (Xt * (p * (1 - p))[:, None]).T @ Xt / m + lam / m * np.diag([1, 1, 1, 0])
    assert np.allclose(landscape.hessian(net, X, Y, lam), H, atol=1e-7)


def test_hessian_is_symmetric_and_has_a_negative_eigenvalue_somewhere_with_a_hidden_layer():
    """With a hidden layer, is the Hessian symmetric but not PSD at the midpoint between swapped minima?"""
    p = landscape.two_minima()
    mid = p.net((p.a_star + p.b_star) / 2, (p.a_star + p.b_star) / 2)
    H = landscape.hessian(mid, p.X, p.Y)
    assert np.allclose(H, H.T)
    assert np.linalg.eigvalsh(H).min() < -1e-3


def test_permuting_hidden_neurons_keeps_every_output():
    """Does permute_hidden leave σ^L unchanged on a 3-layer tanh net with biases, while changing the weights?"""
    X, _ = _data(2, m=7)
    net = bpkit.Network((2, 4, 3, 2), hidden="tanh", seed=3)
    for l in net.b.layers():
        net.b[l] = np.linspace(-1, 1, net.sizes[l])
    for l, perm in [(1, [2, 0, 3, 1]), (2, [1, 2, 0])]:
        new = landscape.permute_hidden(net, l, perm)
        assert np.allclose(new.predict_proba(X), net.predict_proba(X))
        assert not np.allclose(new.get_flat(), net.get_flat())
        assert np.array_equal(new.W[l][:, 0], net.W[l][:, perm[0]])
        assert np.array_equal(new.W[l + 1][0], net.W[l + 1][perm[0]])
        assert new.b[l][0] == net.b[l][perm[0]]


def test_permute_keeps_the_mask_of_a_sparse_network():
    """On the notes' sparse example, does swapping g_1 and g_2 move the mask with the weights?"""
    net = example.network()
    new = landscape.swap_hidden(net, 1, 0, 1)
    assert np.array_equal(new.mask[1], net.mask[1][:, [1, 0]])
    x = example.inputs()
    assert np.allclose(new.predict_proba(x), net.predict_proba(x))


def test_permute_rejects_bad_input():
    """Are a non-hidden layer and a non-permutation rejected with clear errors?"""
    net = bpkit.Network((2, 3, 1), seed=0)
    with pytest.raises(ValueError, match="hidden layer"):
        landscape.permute_hidden(net, 2, [0])
    with pytest.raises(ValueError, match="permutation"):
        landscape.permute_hidden(net, 1, [0, 0, 1])


def test_segment_ends_and_interpolate():
    """Is segment_E's first/last value E(A)/E(B), and interpolate(A, B, t) the point (1−t)θ_A + tθ_B?"""
    X, Y = _data()
    a, b = bpkit.Network((2, 3, 1), seed=0), bpkit.Network((2, 3, 1), seed=1)
    ts, E = landscape.segment_E(a, b, X, Y, 0.2, [0.0, 0.25, 1.0])
    assert E[0] == pytest.approx(bpkit.objective(a, X, Y, 0.2))
    assert E[-1] == pytest.approx(bpkit.objective(b, X, Y, 0.2))
    mid = landscape.interpolate(a, b, 0.25)
    assert np.allclose(mid.get_flat(), 0.75 * a.get_flat() + 0.25 * b.get_flat())
    assert E[1] == pytest.approx(bpkit.objective(mid, X, Y, 0.2))
    with pytest.raises(ValueError, match="architecture"):
        landscape.interpolate(a, bpkit.Network((2, 2, 1)), 0.5)


def test_slice_E_of_logistic_regression_is_convex():
    """Are the second differences of a 1-D slice of the logistic-regression E non-negative?"""
    X, Y = _data(2, m=30)
    net = bpkit.Network((2, 1), seed=0)
    s = np.linspace(-3, 3, 61)
    E = landscape.slice_E(net, X, Y, np.array([1.0, -0.5, 0.3]), s, lam=0.1)
    assert np.diff(E, 2).min() > -1e-12


def test_plots_label_axes_in_the_notation():
    """Do the contour and segment plots label their axes w^l_ij and E(w)?"""
    p = landscape.two_minima()
    v = np.linspace(-2, 2, 5)
    Z = landscape.loss_grid(p.A, p.X, p.Y, p.w_a, p.w_b, v, v)
    fig, (ax1, ax2) = plt.subplots(1, 2)
    surfaces.plot_loss_contour(ax1, v, v, Z, p.w_a, p.w_b, title="t", points=[(0, 0, "A", {})])
    assert ax1.get_xlabel() == "$w^{1}_{00}$" and ax1.get_ylabel() == "$w^{1}_{01}$"
    ts, E = landscape.segment_E(p.A, p.B, p.X, p.Y, ts=np.linspace(0, 1, 5))
    surfaces.plot_segment(ax2, ts, E)
    assert ax2.get_ylabel() == "$E(w)$"
    fig.canvas.draw()


def test_blit_figure_redraws_only_markers():
    """Does BlitFigure return a PNG that changes when an animated marker moves?"""
    bf = surfaces.BlitFigure((3, 2))
    ax = bf.fig.add_subplot(111)
    ax.plot([0, 1], [0, 1])
    dot = bf.add(ax.plot([0], [0], "o")[0])
    bf.freeze()
    first = bf.png()
    dot.set_data([1], [1])
    second = bf.png()
    assert first[:8] == b"\x89PNG\r\n\x1a\n" and first != second

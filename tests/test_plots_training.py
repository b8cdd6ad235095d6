"""Do lesson 07's plots and their helpers draw and compute what they claim?"""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import bpkit  # noqa: E402
from bpkit import landscape  # noqa: E402
from bpkit.show.plots import training as tp  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits():
    return bpkit.data.digits()


def image_net(seed=0, hidden=6):
    net = bpkit.Network([64, hidden, 10], seed=seed)
    rng = np.random.default_rng(seed)
    for l in net.b.layers():
        net.b[l] = rng.normal(size=net.n(l))
    return net


def test_hidden_images_put_pixel_i_at_row_i_div_8_column_i_mod_8():
    """Is pixel (r, c) of image j the weight w^1_ij from input pixel i = 8r + c?"""
    net = image_net()
    images = tp.hidden_images(net)
    assert images.shape == (6, 8, 8)
    for i in (0, 7, 8, 37, 63):
        for j in range(6):
            assert images[j, i // 8, i % 8] == net.w(1, i, j)


def test_hidden_images_refuse_a_network_whose_input_is_not_64_pixels():
    """Does asking for 8x8 images of a 5-input network fail with a clear message?"""
    with pytest.raises(ValueError, match="n_0 = 64"):
        tp.hidden_images(bpkit.Network([5, 3, 2], seed=0))


def test_mosaic_tiles_row_by_row_with_nan_gaps():
    """Does mosaic put tile n at row n // columns, column n % columns, separated by NaN?"""
    images = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    out = tp.mosaic(images, columns=2, pad=1)
    assert out.shape == (3 * 3 + 1, 2 * 4 + 1)
    np.testing.assert_array_equal(out[1:3, 1:4], images[0])
    np.testing.assert_array_equal(out[1:3, 5:8], images[1])
    np.testing.assert_array_equal(out[7:9, 1:4], images[4])
    assert np.isnan(out[0]).all() and np.isnan(out[:, 4]).all()
    assert np.isnan(out[7:9, 5:8]).all(), "the unused sixth tile is background"


def test_to_png_is_a_scaled_colour_mapped_image():
    """Does to_png give a PNG of shape x scale whose colours follow the map and whose NaNs are background?"""
    array = np.array([[-1.0, 0.0], [1.0, np.nan]])
    png = tp.to_png(array, -1.0, 1.0, cmap="RdBu_r", scale=3)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert pixels.shape == (6, 6, 3)
    cmap = matplotlib.colormaps["RdBu_r"]
    for (r, c), value in {(0, 0): 0.0, (0, 1): 0.5, (1, 0): 1.0}.items():
        want = np.round(np.array(cmap(value)[:3]) * 255)
        np.testing.assert_allclose(pixels[3 * r + 1, 3 * c + 1], want, atol=1)
    np.testing.assert_allclose(pixels[4, 4], [237, 237, 237], atol=1)


def test_class_response_is_the_mean_hidden_activation_per_class(digits):
    """Is entry [j, k] the mean σ^1_j over the examples labelled k?"""
    net = image_net()
    X, labels = digits.X_test[:120], digits.labels_test[:120]
    response = tp.class_response(net, X, labels)
    sigma_1 = net.forward(X).sigmas[1]
    assert response.shape == (6, 10)
    for k in range(10):
        np.testing.assert_allclose(response[:, k], sigma_1[labels == k].mean(axis=0))


def test_align_hidden_undoes_a_permutation_of_the_hidden_neurons(digits):
    """Does aligning a net with permuted hidden neurons recover it exactly, leaving E unchanged?"""
    net = image_net(hidden=7)
    perm = np.random.default_rng(3).permutation(7)
    shuffled = net.copy()
    shuffled.W[1] = net.W[1][:, perm]
    shuffled.W[2] = net.W[2][perm, :]
    shuffled.b[1] = net.b[1][perm]
    X, Y = digits.X_train[:50], digits.Y_train[:50]
    assert bpkit.objective(shuffled, X, Y, 1.0) == pytest.approx(bpkit.objective(net, X, Y, 1.0), rel=1e-12)
    assert landscape.weight_distance(net, shuffled) > 1.0
    aligned = landscape.align_hidden(net, shuffled)
    assert landscape.weight_distance(net, aligned) == 0.0
    assert landscape.weight_distance(net, landscape.align_hidden(net, net.copy())) == 0.0


def test_align_hidden_needs_one_hidden_layer():
    """Does align_hidden refuse networks without exactly one hidden layer?"""
    with pytest.raises(ValueError, match="one hidden layer"):
        landscape.align_hidden(bpkit.Network([4, 3, 3, 2], seed=0), bpkit.Network([4, 3, 3, 2], seed=1))


def test_segment_objective_runs_from_one_network_to_the_other(digits):
    """Are the segment's ends E(θ_a) and E(θ_b), and its middle E at the average of the weights?"""
    a, b = image_net(0), image_net(1)
    X, Y = digits.X_train[:80], digits.Y_train[:80]
    t, E = tp.segment_objective(a, b, X, Y, 0.5, steps=5)
    np.testing.assert_allclose(t, [0, 0.25, 0.5, 0.75, 1])
    assert E[0] == pytest.approx(bpkit.objective(a, X, Y, 0.5))
    assert E[-1] == pytest.approx(bpkit.objective(b, X, Y, 0.5))
    mid = a.copy()
    mid.set_flat((a.get_flat() + b.get_flat()) / 2)
    assert E[2] == pytest.approx(bpkit.objective(mid, X, Y, 0.5))


def _texts(fig):
    return [ax.get_title() for ax in fig.axes] + [ax.get_xlabel() for ax in fig.axes] + [ax.get_ylabel() for ax in fig.axes]


def test_plot_digits_titles_every_image_with_its_label(digits):
    """Does plot_digits draw count images of fixed size, each titled with its label?"""
    fig = tp.plot_digits(digits.X_train, digits.labels_train, count=6)
    assert len(fig.axes) == 6
    assert tuple(fig.get_size_inches()) == pytest.approx((6.6, 1.6))
    assert [ax.get_title() for ax in fig.axes] == [f"label {k}" for k in digits.labels_train[:6]]


def test_plot_hidden_weights_draws_one_image_per_hidden_neuron_on_one_scale():
    """Does plot_hidden_weights draw n_1 8x8 images titled j, on one symmetric colour scale, with a colour bar?"""
    net = image_net(hidden=7)
    fig = tp.plot_hidden_weights(net, columns=4)
    images = [im for ax in fig.axes for im in ax.get_images()]
    assert len(images) == 7
    vmax = np.abs(net.W[1]).max()
    for j, im in enumerate(images):
        assert im.get_array().shape == (8, 8)
        np.testing.assert_allclose(im.get_array(), net.W[1][:, j].reshape(8, 8))
        assert im.get_clim() == pytest.approx((-vmax, vmax))
    assert "$j = 6$" in _texts(fig)
    assert any("w^1_{ij}" in t for t in _texts(fig)), "the colour bar is labelled in the notation"
    assert "w^1" in fig._suptitle.get_text()


def test_plot_learning_curves_draws_E_and_both_accuracies():
    """Does plot_learning_curves plot E(w) and the train/test accuracy of every run, with labelled axes?"""
    h = bpkit.History("lbfgs", E=[3.0, 1.0, 0.6], train_accuracy=[0.3, 0.8, 0.9], test_accuracy=[0.2, 0.7, 0.85])
    g = bpkit.History("minibatch", E=[2.0, 0.9], train_accuracy=[0.5, 0.8], test_accuracy=[0.4, 0.75])
    fig = tp.plot_learning_curves({"L-BFGS": h, "minibatch": g})
    ax_E, ax_acc = fig.axes
    assert tuple(fig.get_size_inches()) == pytest.approx((11, 4))
    assert ax_E.get_ylabel() == "$E(w)$" and ax_E.get_yscale() == "log"
    assert len(ax_E.get_lines()) == 2 and len(ax_acc.get_lines()) == 4
    np.testing.assert_allclose(ax_E.get_lines()[0].get_ydata(), h.E)
    np.testing.assert_allclose(ax_E.get_lines()[0].get_xdata(), [1, 2, 3])
    assert ax_acc.get_ylabel() == "accuracy" and all(ax.get_title() for ax in fig.axes)


def test_plot_segment_draws_each_curve_and_its_chord():
    """Does plot_segment draw every E(θ(t)) curve and the chord a convex E would stay under?"""
    t = np.linspace(0, 1, 5)
    fig = tp.plot_segment(t, {"a": np.array([1.0, 2, 3, 2, 1.5])})
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert len(lines) == 2
    np.testing.assert_allclose(lines[1].get_ydata(), [1.0, 1.5])
    assert "E(" in ax.get_ylabel() and "t" in ax.get_xlabel() and ax.get_title()

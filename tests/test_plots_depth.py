"""Do lesson 09's plots draw what bpkit.depth computed?"""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import bpkit  # noqa: E402
from bpkit import depth  # noqa: E402
from bpkit.show.plots import depth as dplots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def profiles():
    X, Y = bpkit.data.moons(60, seed=0)
    return {h: depth.profile(X, Y, depth=5, width=8, hidden=h) for h in ("sigmoid", "tanh")}


def test_layer_norms_plot_draws_each_norm_on_a_log_scale(profiles):
    """Does every line hold exactly layers 1..L and the norms it was given, on a log y axis labelled ‖∂E/∂W^l‖?"""
    ax = dplots.plot_layer_norms({h: p.norms for h, p in profiles.items()})
    assert ax.get_yscale() == "log" and ax.get_ylabel() == dplots.NORM_LABEL
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["sigmoid", "tanh"]
    for line, p in zip(lines, profiles.values()):
        assert line.get_xdata().tolist() == [1, 2, 3, 4, 5, 6]
        assert np.array_equal(line.get_ydata(), p.norms)


def test_saturation_plot_draws_percentages(profiles):
    """Are the saturation fractions drawn as percentages of hidden layers 1..L-1?"""
    ax = dplots.plot_saturation({h: p.saturation for h, p in profiles.items()})
    line = ax.get_lines()[0]
    assert line.get_xdata().tolist() == [1, 2, 3, 4, 5]
    assert np.allclose(line.get_ydata(), 100 * profiles["sigmoid"].saturation)


def test_norms_chart_reuses_one_figure_and_changes_its_picture(profiles):
    """Does the chart keep one figure, replace its bars (one per layer, heights the norms) and return a PNG
    that changes with the norms?"""
    chart = dplots.NormsChart()
    first = chart.render(profiles["sigmoid"].norms, "sigmoid")
    assert Image.open(io.BytesIO(first)).size == (416, 240)
    shown = [b for b in chart.bars if b.get_visible()]
    assert np.allclose([b.get_height() for b in shown], profiles["sigmoid"].norms)
    fig = chart.fig
    second = chart.render(profiles["tanh"].norms[:4], "tanh")
    shown = [b for b in chart.bars if b.get_visible()]
    assert chart.fig is fig and len(shown) == 4 and second != first
    assert np.allclose([b.get_height() for b in shown], profiles["tanh"].norms[:4])
    assert chart.ax.get_xlim() == (0.3, 4.7) and chart.ax.get_title() == "tanh"
    chart.render([0.0, 1.0])
    assert chart.bars[0].get_height() == chart.floor      # a zero norm sits at the floor of the log scale
    with pytest.raises(ValueError, match="room for 11 layers"):
        chart.render(np.ones(12))


def test_training_plot_draws_each_curve():
    """Does the training plot draw E(w) against the step number for every initialization?"""
    ax = dplots.plot_training({"zeros": [0.7, 0.69], "random": [0.7, 0.5, 0.3]})
    assert [line.get_ydata().tolist() for line in ax.get_lines()] == [[0.7, 0.69], [0.7, 0.5, 0.3]]
    assert ax.get_lines()[1].get_xdata().tolist() == [1, 2, 3]

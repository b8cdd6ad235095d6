"""Do lesson 05's sweeps count, fit and draw the growth of naive and memoized backprop correctly?"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from bpkit import Network, cost, scalar  # noqa: E402
from bpkit.show.plots import growth  # noqa: E402

def test_steps_table_lists_every_memo_entry_right_to_left():
    """Does the steps table write every ∂E/∂σ^l_j once, layer L first, each reading only layer l+1?"""
    net = Network((2, 3, 2, 2), bias=False, seed=0)
    g = scalar.gradient(net, np.array([[0.3, -0.2]]), np.array([[1.0, 0.0]]))
    lines = growth.steps_table(g).splitlines()[1:]
    assert len(lines) == 2 + 2 + 3
    assert [ln.split()[1] for ln in lines] == ["∂E/∂σ^3_0", "∂E/∂σ^3_1", "∂E/∂σ^2_0", "∂E/∂σ^2_1",
                                                "∂E/∂σ^1_0", "∂E/∂σ^1_1", "∂E/∂σ^1_2"]
    assert "∂E/∂sum^3_0, ∂E/∂sum^3_1" in lines[2] and "∂E/∂sum^2_0, ∂E/∂sum^2_1" in lines[6]
    assert f"{float(g.extras['memo'][(1, 2)][0]):.6f}" in lines[6]

def test_format_path_names_each_neuron_in_the_notation():
    """Is the path (i, j, p, k) from w^2_ij written σ^1_i → σ^2_j → σ^3_p → σ^4_k?"""
    assert growth.format_path((1, 0, 2, 1), 2) == "σ^1_1 → σ^2_0 → σ^3_2 → σ^4_1"

def test_tables_and_plots_are_labelled_and_log_scaled():
    """Are the sweep plots log-log (and log-linear for depth), titled and labelled, with fixed sizes?"""
    width_rows = cost.sweep([cost.architecture(n, 2) for n in (2, 3, 4)], timed=True, repeat=1)
    depth_rows = cost.sweep([cost.architecture(2, h) for h in range(0, 4)], timed=True, repeat=1)
    assert "not run" not in growth.counts_table(width_rows)
    assert len(growth.times_table(depth_rows).splitlines()) == 5
    fig = growth.plot_width_sweep(width_rows)
    ax = fig.axes[0]
    assert ax.get_xscale() == ax.get_yscale() == "log" and ax.get_title() and "w^l_{ij}" in ax.get_xlabel()
    assert "slope" in " ".join(t.get_text() for t in ax.get_legend().get_texts())
    plt.close(fig)
    fig = growth.plot_depth_sweep(depth_rows)
    assert fig.axes[1].get_xscale() == "linear" and fig.axes[1].get_yscale() == "log"
    assert all(a.get_title() and a.get_xlabel() and a.get_ylabel() for a in fig.axes)
    assert tuple(fig.get_size_inches()) == (11, 4.2)
    plt.close(fig)
    fig = growth.plot_times(width_rows, depth_rows)
    assert fig.axes[0].get_ylabel() == "seconds per gradient"
    plt.close(fig)


def test_gradient_cost_tables_and_plot():
    """Does the backprop-vs-central-differences table show every P with both counts, and the plot draw both,
    log-log, counted and timed, with fitted slopes and a fixed size?"""
    rows = cost.gradient_cost_sweep([cost.architecture(n, 1, n_in=2, n_out=1) for n in (2, 4, 8)],
                                    timed=True, repeat=1)
    lines = growth.gradient_cost_table(rows).splitlines()
    assert len(lines) == 4 and lines[1].split()[1:4] == [str(rows[0].P), str(rows[0].backprop_count),
                                                         str(rows[0].central_count)]
    assert len(growth.gradient_cost_times_table(rows).splitlines()) == 4
    fig = growth.plot_gradient_cost(rows)
    assert tuple(fig.get_size_inches()) == (11, 4.2)
    for ax in fig.axes:
        assert ax.get_xscale() == ax.get_yscale() == "log" and "P" in ax.get_xlabel() and ax.get_title()
        assert len(ax.lines) == 2
        assert all("slope" in t.get_text() for t in ax.get_legend().get_texts())
    assert list(fig.axes[0].lines[1].get_ydata()) == [r.central_count for r in rows]
    plt.close(fig)
    untimed = cost.gradient_cost_sweep([(2, 2, 1), (2, 3, 1)])
    fig = growth.plot_gradient_cost(untimed)
    assert len(fig.axes[0].lines) == 2 and not fig.axes[1].lines
    plt.close(fig)

"""Do lesson 04's sweeps count, fit and draw the growth of naive and memoized backprop correctly?"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bpkit import Network, naive, scalar  # noqa: E402
from bpkit.show.plots import growth  # noqa: E402


@pytest.mark.parametrize("sizes,m", [((2, 3, 2, 2), 1), ((3, 1, 4), 3), ((2, 2, 2, 2, 2), 2), ((4, 1), 5)])
def test_counters_equal_the_formulas(sizes, m):
    """Does a row's counter reading (an actual gradient run) equal both closed forms?"""
    r = growth.count_row(sizes, m=m)
    assert r.memo_measured == r.memo_count == scalar.multiplication_count(sizes, m)
    assert r.naive_measured == r.naive_count == naive.multiplication_count(sizes, m, bias=False)
    assert r.n_weights == sum(a * b for a, b in zip(sizes, sizes[1:]))


def test_sweep_skips_the_naive_gradient_above_the_limit():
    """Is the naive gradient left unrun (but still counted by formula) where it would be too expensive?"""
    rows = growth.sweep([(2, 2, 2), (20, 20, 20, 20)], naive_limit=10_000)
    assert rows[0].naive_measured is not None and rows[1].naive_measured is None
    assert rows[1].naive_count == naive.multiplication_count((20, 20, 20, 20))


def test_fits_recover_known_exponents_and_factors():
    """Does the log-log fit return p for c·x^p, and the log-linear fit return b for c·b^d?"""
    x = np.array([3.0, 10, 30, 100])
    assert growth.fit_exponent(x, 7 * x ** 1.5) == pytest.approx(1.5)
    d = np.arange(1, 7)
    assert growth.fit_growth_factor(d, 2 * 3.0 ** d) == pytest.approx(3.0)


def test_width_sweep_memoized_is_linear_and_naive_quadratic_in_the_weights():
    """With two hidden layers, is the memoized count's exponent ≈ 1 and the naive one ≈ 2?"""
    rows = [growth.count_row(growth.architecture(n, 2), measure_memo=False, measure_naive=False)
            for n in (8, 16, 32, 64, 128)]
    w = [r.n_weights for r in rows]
    assert growth.fit_exponent(w, [r.memo_count for r in rows]) == pytest.approx(1.0, abs=0.03)
    assert growth.fit_exponent(w, [r.naive_count for r in rows]) == pytest.approx(2.0, abs=0.06)


def test_depth_sweep_naive_grows_by_the_width_per_layer():
    """With width n, does the naive count multiply by ≈ n per added layer while the memoized one adds a constant?"""
    rows = [growth.count_row(growth.architecture(4, h), measure_memo=False, measure_naive=False) for h in range(3, 9)]
    naive_counts = [r.naive_count for r in rows]
    assert naive_counts[-1] / naive_counts[-2] == pytest.approx(4.0, rel=0.01)
    assert len(set(np.diff([r.memo_count for r in rows]))) == 1
    assert np.all(np.diff(growth.local_slopes(rows, "naive_count")) > 0)


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
    width_rows = growth.sweep([growth.architecture(n, 2) for n in (2, 3, 4)], timed=True, repeat=1)
    depth_rows = growth.sweep([growth.architecture(2, h) for h in range(0, 4)], timed=True, repeat=1)
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

"""Does bpkit.cost count, sweep and fit the growth of naive and memoized backprop correctly?"""
import numpy as np
import pytest

from bpkit import cost, naive, scalar


@pytest.mark.parametrize("sizes,m", [((2, 3, 2, 2), 1), ((3, 1, 4), 3), ((2, 2, 2, 2, 2), 2), ((4, 1), 5)])
def test_counters_equal_the_formulas(sizes, m):
    """Does a row's counter reading (an actual gradient run) equal both closed forms?"""
    r = cost.count_row(sizes, m=m)
    assert r.memo_measured == r.memo_count == scalar.multiplication_count(sizes, m)
    assert r.naive_measured == r.naive_count == naive.multiplication_count(sizes, m, bias=False)
    assert r.n_weights == sum(a * b for a, b in zip(sizes, sizes[1:]))


def test_sweep_skips_the_naive_gradient_above_the_limit():
    """Is the naive gradient left unrun (but still counted by formula) where it would be too expensive?"""
    rows = cost.sweep([(2, 2, 2), (20, 20, 20, 20)], naive_limit=10_000)
    assert rows[0].naive_measured is not None and rows[1].naive_measured is None
    assert rows[1].naive_count == naive.multiplication_count((20, 20, 20, 20))


def test_fits_recover_known_exponents_and_factors():
    """Does the log-log fit return p for c·x^p, and the log-linear fit return b for c·b^d?"""
    x = np.array([3.0, 10, 30, 100])
    assert cost.fit_exponent(x, 7 * x ** 1.5) == pytest.approx(1.5)
    d = np.arange(1, 7)
    assert cost.fit_growth_factor(d, 2 * 3.0 ** d) == pytest.approx(3.0)


def test_width_sweep_memoized_is_linear_and_naive_quadratic_in_the_weights():
    """With two hidden layers, is the memoized count's exponent ≈ 1 and the naive one ≈ 2?"""
    rows = [cost.count_row(cost.architecture(n, 2), measure_memo=False, measure_naive=False)
            for n in (8, 16, 32, 64, 128)]
    w = [r.n_weights for r in rows]
    assert cost.fit_exponent(w, [r.memo_count for r in rows]) == pytest.approx(1.0, abs=0.03)
    assert cost.fit_exponent(w, [r.naive_count for r in rows]) == pytest.approx(2.0, abs=0.06)


def test_depth_sweep_naive_grows_by_the_width_per_layer():
    """With width n, does the naive count multiply by ≈ n per added layer while the memoized one adds a constant?"""
    rows = [cost.count_row(cost.architecture(4, h), measure_memo=False, measure_naive=False) for h in range(3, 9)]
    naive_counts = [r.naive_count for r in rows]
    assert naive_counts[-1] / naive_counts[-2] == pytest.approx(4.0, rel=0.01)
    assert len(set(np.diff([r.memo_count for r in rows]))) == 1
    assert np.all(np.diff(cost.local_slopes(rows, "naive_count")) > 0)

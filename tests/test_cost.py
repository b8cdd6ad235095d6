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


# ------------------------------------------------------------------ backprop against central differences
def test_gradient_costs_by_hand_on_a_2_3_1_network():
    """Do the counts for sizes 2-3-1, m = 2, with biases, equal the numbers worked out by hand?"""
    sizes, m = (2, 3, 1), 2
    # P: weights 2·3 + 3·1 = 9, biases 3 + 1 = 4, so 13 (9 without biases)
    assert cost.n_parameters(sizes) == 13 and cost.n_parameters(sizes, bias=False) == 9
    # a forward pass: one product per weight per example, 2 · 9 = 18
    assert cost.forward_count(sizes, m) == 18
    # E: forward 18 + (y·log σ and (1-y)·log(1-σ)) 2 · m · n_L = 2 · 2 · 1 = 4 + one product with 1/m: 23
    assert cost.objective_count(sizes, m) == 23
    # central differences: 13 parameters · (2 evaluations · 23 + 1 product with 1/2ε) = 13 · 47 = 611
    assert cost.central_difference_count(sizes, m) == 611
    # without biases: 9 · 47 = 423
    assert cost.central_difference_count(sizes, m, bias=False) == 423
    # backprop, backward: output n_L = 1; hidden n_1 (n_2 + 1) = 3 · 2 = 6; one per weight 9: 16, times m = 32;
    # plus the forward pass 18: 50
    assert cost.backprop_count(sizes, m) == 50
    row = cost.gradient_cost_row(sizes, m)
    assert (row.P, row.backprop_count, row.central_count) == (13, 50, 611)
    assert row.count_ratio == pytest.approx(611 / 50) and row.time_ratio is None


def _counting_objective(counter):
    """E(w) (λ = 0, logistic hidden and output layers) written with explicit loops, counting every
    multiplication it does: the instrument for the count of a central-difference gradient."""
    def E(net, X, Y, lam=0.0, regularize_bias=False):
        assert lam == 0.0
        m = X.shape[0]
        total = 0.0
        for e in range(m):
            sigma = list(X[e])
            for l in range(1, net.L + 1):
                new = []
                for j in range(net.n(l)):
                    s = 0.0 if net.b is None else float(net.b[l][j])
                    for i in range(net.n(l - 1)):
                        s += float(net.W[l][i, j]) * sigma[i]
                        counter[0] += 1
                    new.append(1.0 / (1.0 + np.exp(-s)))
                sigma = new
            for k, y in enumerate(Y[e]):
                total += y * np.log(sigma[k]) + (1 - y) * np.log(1 - sigma[k])
                counter[0] += 2
        counter[0] += 1
        return -total * (1.0 / m)
    return E


@pytest.mark.parametrize("sizes,m,bias", [((2, 3, 1), 2, True), ((3, 2, 2), 1, False), ((2, 2, 3, 2), 3, True)])
def test_central_difference_count_equals_an_instrumented_run(monkeypatch, sizes, m, bias):
    """Does an actual bpkit.numerical_gradient run, with E replaced by a hand-written E that counts its
    multiplications, do 2P evaluations of E (plus one to report E) and exactly the counted multiplications?"""
    from bpkit import Network, gradcheck, gradient

    counter, calls = [0], [0]
    own = _counting_objective(counter)

    def counted(*args, **kwargs):
        calls[0] += 1
        return own(*args, **kwargs)

    net = Network(sizes, hidden="sigmoid", bias=bias, seed=3)
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(m, sizes[0])), (rng.random((m, sizes[-1])) < 0.5).astype(float)
    monkeypatch.setattr(gradcheck, "objective", counted)
    g = gradcheck.numerical_gradient(net, X, Y)
    monkeypatch.undo()
    P = cost.n_parameters(sizes, bias)
    assert calls[0] == 2 * P + 1                                  # two per parameter, one for E itself
    per_call = counter[0] // calls[0]
    assert per_call * calls[0] == counter[0]
    # the counted evaluations for the differences, plus one product with 1/(2ε) per parameter
    assert 2 * P * per_call + P == cost.central_difference_count(sizes, m, bias)
    assert bpkit_relative_error(g, gradient(net, X, Y)) < 1e-6   # and it is the gradient


def bpkit_relative_error(a, b):
    from bpkit import relative_error
    return relative_error(a, b)


@pytest.mark.parametrize("sizes,m", [((2, 3, 1), 2), ((3, 4, 2, 2), 3)])
def test_backprop_count_is_a_forward_pass_plus_the_counted_backward_pass(sizes, m):
    """Is backprop's count one forward pass (one product per weight per example) plus what the counter of an
    actual scalar.gradient run reads, whatever the biases?"""
    from bpkit import Network

    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(m, sizes[0])), (rng.random((m, sizes[-1])) < 0.5).astype(float)
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    for bias in (False, True):
        counted = scalar.gradient(Network(sizes, bias=bias, seed=1), X, Y).extras["multiplications"]
        assert cost.backprop_count(sizes, m) == m * weights + counted


def test_central_differences_cost_grows_like_P_times_backprop():
    """As the hidden layer widens, does the count ratio central/backprop grow like P (slope ≈ 1 on log-log),
    between 2P/3 and P (2P forward passes against backprop's forward pass, one product per weight, and the
    recursion's products: two to three passes' worth)?"""
    rows = cost.gradient_cost_sweep([cost.architecture(n, 1, n_in=4, n_out=3) for n in (8, 16, 32, 64, 128, 256)])
    P = [r.P for r in rows]
    assert cost.fit_exponent(P, [r.count_ratio for r in rows]) == pytest.approx(1.0, abs=0.05)
    assert all(2 * r.P / 3 < r.count_ratio < r.P for r in rows)
    assert all(np.diff([r.count_ratio for r in rows]) > 0)


def test_gradient_cost_sweep_times_both_gradients():
    """Does a timed sweep record positive seconds for both gradients and their ratio?"""
    rows = cost.gradient_cost_sweep([(2, 2, 1), (2, 4, 1)], m=2, timed=True, repeat=1)
    assert all(r.backprop_time > 0 and r.central_time > 0 and r.time_ratio > 0 for r in rows)

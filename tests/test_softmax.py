"""Are bpkit.softmax's softmax, its cross-entropy and δ^L = (softmax(sum^L) − Y)/m right, and stable?"""
import numpy as np
import pytest
from scipy.special import log_softmax as scipy_log_softmax
from scipy.special import softmax as scipy_softmax

from bpkit import softmax as sm
from bpkit.gradcheck import central_difference, relative_error


def _case(seed, m=6, n=4, scale=3.0, one_hot=True):
    rng = np.random.default_rng(seed)
    S = rng.normal(scale=scale, size=(m, n))
    if one_hot:
        Y = np.eye(n)[rng.integers(0, n, size=m)]
    else:
        Y = rng.uniform(size=(m, n))
        Y /= Y.sum(axis=1, keepdims=True)
    return S, Y


def test_hand_worked_softmax():
    """Does one row (0, log 3) give (1/4, 3/4), and E with y = (0, 1) give −log(3/4)?"""
    # e^0 = 1, e^{log 3} = 3, sum 4: softmax = (1/4, 3/4); E = −(0·log 1/4 + 1·log 3/4)/1 = log(4/3)
    S = np.array([[0.0, np.log(3.0)]])
    assert sm.softmax(S) == pytest.approx(np.array([[0.25, 0.75]]), abs=1e-15)
    assert sm.softmax_cross_entropy(S, [[0.0, 1.0]]) == pytest.approx(np.log(4 / 3), abs=1e-15)
    # δ^L = (softmax − Y)/m = (1/4 − 0, 3/4 − 1)/1
    assert sm.softmax_delta(S, [[0.0, 1.0]]) == pytest.approx(np.array([[0.25, -0.25]]), abs=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_softmax_matches_scipy_along_rows(seed):
    """Are softmax and log_softmax scipy.special's, normalized over each row (axis=1, an example)?"""
    S, _ = _case(seed, m=5, n=3)
    assert np.allclose(sm.softmax(S), scipy_softmax(S, axis=1), rtol=1e-13, atol=0)
    assert np.allclose(sm.log_softmax(S), scipy_log_softmax(S, axis=1), rtol=1e-13, atol=1e-15)
    assert np.allclose(sm.softmax(S).sum(axis=1), 1.0)
    assert not np.allclose(sm.softmax(S), scipy_softmax(S, axis=0))   # the axis matters on this case


@pytest.mark.parametrize("seed", range(3))
def test_cross_entropy_matches_scipy_log_softmax(seed):
    """Is E = −(1/m) Σ_e Σ_k y_k log softmax_k, with scipy's log_softmax as the oracle?"""
    S, Y = _case(seed, one_hot=False)
    expected = -(Y * scipy_log_softmax(S, axis=1)).sum() / S.shape[0]
    assert sm.softmax_cross_entropy(S, Y) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("one_hot", [True, False], ids=["one-hot", "distributions"])
@pytest.mark.parametrize("seed", range(3))
def test_delta_is_the_central_difference_gradient(seed, one_hot):
    """Is δ^L = (softmax − Y)/m the gradient of E by central differences (bpkit.gradcheck), for one-hot and
    soft targets?"""
    S, Y = _case(seed, one_hot=one_hot)
    numeric = np.zeros_like(S)
    for index in np.ndindex(*S.shape):
        numeric[index] = central_difference(lambda: sm.softmax_cross_entropy(S, Y), S, index)
    assert relative_error(sm.softmax_delta(S, Y), numeric) < 1e-6
    assert np.allclose(sm.softmax_delta(S, Y), (scipy_softmax(S, axis=1) - Y) / S.shape[0], rtol=1e-12, atol=1e-15)


def test_delta_for_targets_whose_rows_do_not_sum_to_one():
    """With rows of Y not summing to 1, is δ^L still the gradient of E (by central differences)?"""
    rng = np.random.default_rng(7)
    S, Y = rng.normal(size=(4, 3)), rng.uniform(size=(4, 3))
    numeric = np.zeros_like(S)
    for index in np.ndindex(*S.shape):
        numeric[index] = central_difference(lambda: sm.softmax_cross_entropy(S, Y), S, index)
    assert relative_error(sm.softmax_delta(S, Y), numeric) < 1e-6


def test_large_sums_do_not_overflow():
    """Do sums of ±1000 give finite, right values (a naive e^1000 overflows)?"""
    S = np.array([[1000.0, 999.0, -1000.0], [-1000.0, -1000.0, -1000.0]])
    Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        P, E, D = sm.softmax(S), sm.softmax_cross_entropy(S, Y), sm.softmax_delta(S, Y)
    assert np.allclose(P, scipy_softmax(S, axis=1))
    # row 0: log softmax_1 = (999 − 1000) − log(1 + e^{-1} + e^{-2000}) = −1 − log(1 + e^{-1}); row 1: log(1/3)
    assert E == pytest.approx((1.0 + np.log1p(np.exp(-1.0)) + np.log(3.0)) / 2, rel=1e-12)
    assert np.all(np.isfinite(D))


def test_shapes_are_checked():
    """Does a vector sum^L or a mismatched Y raise a ValueError that says rows are examples?"""
    with pytest.raises(ValueError, match="rows are examples"):
        sm.softmax(np.zeros(3))
    with pytest.raises(ValueError, match=r"\(m, n_L\)"):
        sm.softmax_delta(np.zeros((2, 3)), np.zeros((3, 2)))

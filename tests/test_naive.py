"""Does the unmemoized chain rule give the same gradient at a cost that grows with the number of paths?"""
import numpy as np
import pytest

import bpkit
from bpkit import naive, scalar
from catalogue import CASE_IDS, CASES, make_case


@pytest.mark.parametrize("ident, net, X, Y, lam, rb", CASES, ids=CASE_IDS)
def test_naive_equals_vectorized(ident, net, X, Y, lam, rb):
    """Does the naive gradient equal the vectorized one on every catalogue network?"""
    np.testing.assert_allclose(naive.gradient(net, X, Y, lam, rb).flat(),
                               bpkit.gradient(net, X, Y, lam, rb).flat(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("sizes", [(2, 1), (3, 4, 2), (2, 3, 4, 2), (3, 2, 2, 2, 2)])
@pytest.mark.parametrize("bias", [False, True])
def test_multiplication_count_formula(sizes, bias):
    """Does the counter equal the closed-form count of the unmemoized recursion?"""
    net, X, Y = make_case(sizes, bias=bias, seed=1, m=2)
    assert naive.gradient(net, X, Y).extras["multiplications"] == naive.multiplication_count(sizes, 2, bias)


def test_naive_costs_more_and_grows_faster_with_depth():
    """Does the naive count exceed the memoized one, and by a factor that grows with depth?"""
    ratios = []
    for depth in range(1, 6):
        sizes = (3,) + (3,) * depth + (2,)
        ratios.append(naive.multiplication_count(sizes) / scalar.multiplication_count(sizes))
    assert ratios[0] > 1
    assert all(b > 1.5 * a for a, b in zip(ratios[1:], ratios[2:]))


def test_paths_from_a_weight_to_the_outputs():
    """Are there n_{l+1}·...·n_L paths from w^l_ij, each ending at an output neuron?"""
    sizes = (2, 3, 4, 2)
    p = naive.paths(sizes, 1, 1, 2)
    assert len(p) == 4 * 2
    assert all(path[:2] == (1, 2) and len(path) == 4 for path in p)
    assert len(set(p)) == len(p)
    assert naive.paths(sizes, 3, 0, 1) == [(0, 1)]
    with pytest.raises(IndexError, match="j = 4 but layer 1 has 3 neurons"):
        naive.paths(sizes, 1, 0, 4)
    with pytest.raises(IndexError, match="w\\^0 does not exist"):
        naive.paths(sizes, 0, 0, 0)

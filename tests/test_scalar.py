"""Is the per-neuron backprop literally the notes' equations, with a memo table filled right to left?"""
import numpy as np
import pytest

import bpkit
from bpkit import scalar
from catalogue import CASE_IDS, CASES, make_case


@pytest.mark.parametrize("ident, net, X, Y, lam, rb", CASES, ids=CASE_IDS)
def test_scalar_equals_vectorized(ident, net, X, Y, lam, rb):
    """Does the per-neuron gradient equal the vectorized one on every catalogue network?"""
    s = scalar.gradient(net, X, Y, lam, rb)
    v = bpkit.gradient(net, X, Y, lam, rb)
    assert s.E == v.E
    np.testing.assert_allclose(s.flat(), v.flat(), rtol=1e-12, atol=1e-15)


def test_memo_holds_dE_dsigma_for_every_neuron():
    """Does memo[(l, j)] hold ∂E/∂σ^l_j, equal to the vectorized ∂E/∂σ^l for hidden layers?"""
    net, X, Y = make_case((3, 4, 3, 2), "tanh", seed=2, m=4)
    s = scalar.gradient(net, X, Y)
    v = bpkit.gradient(net, X, Y)
    for l in (1, 2):
        for j in range(net.sizes[l]):
            np.testing.assert_allclose(s.extras["memo"][(l, j)], v.extras["dE_dsigma"][l][:, j], rtol=1e-12)
            np.testing.assert_allclose(s.extras["delta"][(l, j)], v.extras["delta"][l][:, j], rtol=1e-12)
    assert set(s.extras["memo"]) == {(l, j) for l in (1, 2, 3) for j in range(net.sizes[l])}


def test_memo_is_filled_right_to_left_and_reads_only_stored_entries():
    """Is every memo entry written after the entries of layer l+1 it reads (the notes' 'already stored')?"""
    net, X, Y = make_case((2, 3, 3, 2), seed=3, m=2)
    steps = scalar.gradient(net, X, Y).extras["steps"]
    written = set()
    layers = [step.writes[1] for step in steps]
    assert layers == sorted(layers, reverse=True)  # L first, then L-1, ... 1
    for step in steps:
        for _, l, p in step.reads:
            assert ("∂E/∂σ", l, p) in written
        written.add(step.writes)
    # each hidden entry ∂E/∂σ^l_j reads ∂E/∂sum^{l+1}_p for every p of layer l+1
    hidden = [s for s in steps if s.writes[1] < net.L]
    assert all(len(s.reads) == net.sizes[s.writes[1] + 1] for s in hidden)


@pytest.mark.parametrize("sizes", [(2, 1), (3, 4, 2), (2, 3, 4, 2), (5, 2, 2, 2, 3)])
@pytest.mark.parametrize("m", [1, 3])
def test_multiplication_count_formula(sizes, m):
    """Does the counter equal the closed form n_L + Σ n_l(n_{l+1}+1) + Σ n_{l-1} n_l (times m)?"""
    net, X, Y = make_case(sizes, seed=1, m=m)
    assert scalar.gradient(net, X, Y).extras["multiplications"] == scalar.multiplication_count(sizes, m)


def test_count_is_linear_in_the_number_of_weights():
    """Does doubling the width of a deep net roughly quadruple both the weights and the count?"""
    small = scalar.multiplication_count((8, 8, 8, 8, 8))
    big = scalar.multiplication_count((16, 16, 16, 16, 16))
    n_small, n_big = 4 * 64, 4 * 256
    assert 0.9 < (big / small) / (n_big / n_small) < 1.1

"""Is the notes' x, y, z, w example network real: sparse, named as in the notes, and right symbolically?"""
import numpy as np
import pytest
import sympy as sp

import bpkit
from bpkit import example


def test_names_map_to_w_l_ij():
    """Does each of the notes' single-index names map to the right w^l_ij (zero-indexed)?"""
    assert example.ij_name("w^1_1") == "w^1_00"  # x -> g1
    assert example.ij_name("w^1_2") == "w^1_10"  # y -> g1
    assert example.ij_name("w^1_3") == "w^1_21"  # z -> g2
    assert example.ij_name("w^1_4") == "w^1_31"  # w -> g2
    assert example.ij_name("w^2_1") == "w^2_00"  # g1 -> f
    assert example.ij_name("w^2_2") == "w^2_10"  # g2 -> f
    with pytest.raises(KeyError, match="not one of the notes' weights"):
        example.ij_name("w^1_5")


def test_output_is_the_notes_formula():
    """Is o = f(w^2_1 g1(w^1_1 x + w^1_2 y) + w^2_2 g2(w^1_3 z + w^1_4 w)) for the sigmoid?"""
    W = {"w^1_1": 0.3, "w^1_2": -1.1, "w^1_3": 0.7, "w^1_4": 2.0, "w^2_1": -0.4, "w^2_2": 1.5}
    v = {"x": 0.2, "y": -0.5, "z": 1.5, "w": 0.1}
    s = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    o = s(W["w^2_1"] * s(W["w^1_1"] * v["x"] + W["w^1_2"] * v["y"])
          + W["w^2_2"] * s(W["w^1_3"] * v["z"] + W["w^1_4"] * v["w"]))
    net = example.network(W)
    assert net.predict_proba(example.inputs(v))[0, 0] == pytest.approx(o, rel=1e-12)
    assert example.weights_of(net) == W


def test_missing_connections_do_not_exist():
    """Do x, y not feed g2 and z, w not feed g1, with no gradient on those entries?"""
    net = example.network()
    assert net.n_weights == 6
    assert not net.connected(1, 0, 1) and not net.connected(1, 2, 0)
    X = np.random.default_rng(0).normal(size=(5, 4))
    Y = np.random.default_rng(1).uniform(size=(5, 1))
    for method in (bpkit.gradient, bpkit.scalar.gradient, bpkit.naive.gradient, bpkit.numerical_gradient):
        g = method(net, X, Y, 0.5)
        assert np.all(g.W[1][~example.MASK[0]] == 0)
    np.testing.assert_allclose(bpkit.gradient(net, X, Y, 0.5).flat(),
                               bpkit.numerical_gradient(net, X, Y, 0.5).flat(), rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError, match="nonzero weight where the mask says no connection exists"):
        bpkit.Network.from_weights([np.ones((4, 2)), np.ones((2, 1))], mask=example.MASK)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh"])
def test_symbolic_partials_equal_backprop_and_central_differences(hidden):
    """Do sympy's ∂o/∂w, bpkit's output_gradient and central differences agree at random points?"""
    sym = example.symbolic(hidden)
    rng = np.random.default_rng(4)
    for _ in range(3):
        W = {n: float(v) for n, v in zip(example.NOTES_NAMES, rng.normal(size=6))}
        v = {n: float(t) for n, t in zip(example.INPUTS, rng.normal(size=4))}
        net = example.network(W, hidden=hidden)
        x = example.inputs(v)
        numeric = example.output_partials(net, x)
        subs = {sym["weights"][n]: W[n] for n in W}
        subs.update({s: v[n] for s, n in zip(sym["inputs"], example.INPUTS)})
        for name, (l, i, j) in example.NOTES_NAMES.items():
            symbolic = float(sym["partials"][name].subs(subs))
            eps = 1e-6
            net.W[l][i, j] += eps
            plus = net.predict_proba(x)[0, 0]
            net.W[l][i, j] -= 2 * eps
            minus = net.predict_proba(x)[0, 0]
            net.W[l][i, j] += eps
            assert numeric[name] == pytest.approx(symbolic, rel=1e-10, abs=1e-14)
            assert numeric[name] == pytest.approx((plus - minus) / (2 * eps), rel=1e-6, abs=1e-10)


def test_chain_factors_multiply_to_the_partial():
    """Is ∂o/∂w^1_1 = ∂f/∂g1 · ∂g1/∂w^1_1, each factor as in the notes?"""
    net, x = example.network(), example.inputs()
    factors = example.chain_factors(net, x)
    partials = example.output_partials(net, x)
    for name, f in factors.items():
        assert f["product"] == pytest.approx(partials[name], rel=1e-12)
    sym = example.symbolic()
    g1 = sym["g1"]
    # ∂g1/∂w^1_1 = g1'(...) · x, symbolically
    dg1 = example.evaluate_symbolic(sp.diff(g1, sym["weights"]["w^1_1"]))
    assert factors["w^1_1"]["dg/dw"] == pytest.approx(dg1, rel=1e-12)

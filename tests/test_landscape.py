"""Is the landscape maths (Hessian, permutation symmetry, segments) in the core, and right?"""
import numpy as np
import pytest

import bpkit
from bpkit import example, landscape
from bpkit.show.plots import surfaces, training


def test_the_plot_modules_carry_no_landscape_maths():
    """Is every landscape function in the core only: the plot modules neither copy nor re-export it?"""
    for name in ("hessian", "permute_hidden", "swap_hidden", "interpolate", "segment_E", "slice_E",
                 "align_hidden", "weight_distance"):
        assert hasattr(landscape, name)
        assert not hasattr(surfaces, name), f"bpkit.show.plots.surfaces.{name}: import it from bpkit.landscape"
        assert name == "segment_E" or not hasattr(training, name), f"bpkit.show.plots.training.{name}"


def test_hessian_of_logistic_regression_matches_the_closed_form():
    """For no hidden layer, is the Hessian (1/m) Σ_e logistic(z_e)(1 − logistic(z_e)) x̃_e x̃_eᵀ + (λ/m) on the
    weights (not the bias)?"""
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(15, 3)), rng.integers(0, 2, size=(15, 1)).astype(float)
    net = bpkit.Network((3, 1), seed=2)
    net.b[1] = np.array([-0.4])
    lam, m = 1.3, 15
    p = net.predict_proba(X)[:, 0]
    Xt = np.hstack([X, np.ones((m, 1))])  # flat layout: w^1_00, w^1_10, w^1_20, b^1_0
    H = (Xt * (p * (1 - p))[:, None]).T @ Xt / m + lam / m * np.diag([1, 1, 1, 0])
    np.testing.assert_allclose(landscape.hessian(net, X, Y, lam), H, atol=1e-7)
    assert np.linalg.eigvalsh(H).min() >= 0


def test_permutation_leaves_E_unchanged_and_align_undoes_it():
    """Swapping hidden neurons keeps E; does align_hidden find the permutation back?"""
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(10, 4)), rng.uniform(size=(10, 2))
    net = bpkit.Network((4, 5, 2), seed=3)
    shuffled = landscape.permute_hidden(net, 1, [3, 0, 4, 1, 2])
    assert bpkit.objective(shuffled, X, Y, 0.5) == pytest.approx(bpkit.objective(net, X, Y, 0.5), rel=1e-14)
    assert landscape.weight_distance(net, shuffled) > 0.1
    assert landscape.weight_distance(net, landscape.align_hidden(net, shuffled)) == 0.0


def test_segment_between_swapped_networks_is_not_convex_somewhere():
    """On the line between a net and its swap, is E(midpoint) different from the ends (the symmetry is real)?"""
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(20, 2)), rng.integers(0, 2, size=(20, 1)).astype(float)
    a = bpkit.Network((2, 2, 1), hidden="tanh", seed=5)
    b = landscape.swap_hidden(a, 1, 0, 1)
    ts, E = landscape.segment_E(a, b, X, Y, 0.0, [0.0, 0.5, 1.0])
    assert E[0] == pytest.approx(E[2], rel=1e-14)
    assert E[1] != pytest.approx(E[0])


def test_two_minima_problem_has_equal_minima_and_a_ridge():
    """In the two-weight problem, are (a*, b*) and (b*, a*) minima with equal E and zero gradient, and is E higher between?"""
    p = landscape.two_minima()
    EA, EB = bpkit.objective(p.A, p.X, p.Y), bpkit.objective(p.B, p.X, p.Y)
    assert EA == pytest.approx(EB, abs=1e-12)
    for net in (p.A, p.B):
        assert np.abs(bpkit.gradient(net, p.X, p.Y).W[1]).max() < 1e-10
    mid = p.net((p.a_star + p.b_star) / 2, (p.a_star + p.b_star) / 2)
    assert bpkit.objective(mid, p.X, p.Y) > EA + 0.1


def test_loss_grid_layout_and_values():
    """Is loss_grid's row k the value values_b[k] of the second weight (the layout contour expects)?"""
    p = landscape.two_minima()
    va, vb = np.array([-1.0, 0.0, 2.5]), np.array([-1.0, 3.0])
    Z = landscape.loss_grid(p.A, p.X, p.Y, p.w_a, p.w_b, va, vb)
    assert Z.shape == (2, 3)
    assert Z[0, 2] == pytest.approx(bpkit.objective(p.net(2.5, -1.0), p.X, p.Y))
    assert Z[1, 0] == pytest.approx(bpkit.objective(p.net(-1.0, 3.0), p.X, p.Y))
    with pytest.raises(ValueError, match="not a connection"):
        landscape.loss_grid(example.network(), p.X, p.Y, (1, 0, 1), (1, 0, 0), va, vb)

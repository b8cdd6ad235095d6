"""Is E(w) the notes' objective: stable cross-entropy over the output layer plus λ/2m Σ w² over every layer?"""
import warnings

import numpy as np
import pytest
from sklearn.metrics import log_loss

import bpkit
from bpkit import CrossEntropy, Network
from bpkit.objective import evaluate
from catalogue import make_case
from test_network import HAND_W, HAND_X


def test_hand_worked_E():
    """Does E match the hand-worked 2-2-1 network, with and without λ?"""
    net = Network.from_weights(HAND_W)
    # σ^2_0 = 0.473888 and y = 1:  E = -log(0.473888) = 0.746783
    assert bpkit.objective(net, HAND_X, [[1.0]]) == pytest.approx(0.746783, abs=1e-6)
    # penalty: λ/2m Σ w² = 0.6/2 · (0.01 + 0.04 + 0.09 + 0.16 + 0.25 + 0.36) = 0.3 · 0.91 = 0.273
    assert bpkit.objective(net, HAND_X, [[1.0]], lam=0.6) == pytest.approx(0.746783 + 0.273, abs=1e-6)


def test_cross_entropy_matches_scikit_learn_log_loss():
    """With one output neuron and λ = 0, is E scikit-learn's log_loss (a mean over m)?"""
    net, X, _ = make_case((3, 4, 1), seed=2, m=40)
    y = np.random.default_rng(5).integers(0, 2, size=40)
    p = net.predict_proba(X)[:, 0]
    assert bpkit.objective(net, X, y.reshape(-1, 1)) == pytest.approx(log_loss(y, p, labels=[0, 1]), rel=1e-10)


def test_cross_entropy_sums_over_output_neurons():
    """Is E summed over the output neurons k (not averaged), and averaged over the m examples?"""
    net, X, _ = make_case((3, 4, 3), seed=2, m=10)
    Y = (np.random.default_rng(5).uniform(size=(10, 3)) > 0.5).astype(float)
    P = net.predict_proba(X)
    per_neuron = [log_loss(Y[:, k], P[:, k], labels=[0, 1]) for k in range(3)]
    assert bpkit.objective(net, X, Y) == pytest.approx(sum(per_neuron), rel=1e-10)


def test_penalty_covers_every_layer_but_not_biases_by_default():
    """Does the penalty include the weights of every layer, and the biases only on request?"""
    net, X, Y = make_case((3, 4, 2), seed=1, m=8)
    sq_w = sum(float(np.sum(w ** 2)) for w in net.W)
    sq_b = sum(float(np.sum(b ** 2)) for b in net.b)
    E0 = bpkit.objective(net, X, Y)
    assert bpkit.objective(net, X, Y, lam=2.0) - E0 == pytest.approx(2.0 / (2 * 8) * sq_w)
    assert bpkit.objective(net, X, Y, lam=2.0, regularize_bias=True) - E0 == pytest.approx(2.0 / 16 * (sq_w + sq_b))


@pytest.mark.parametrize("regularize_bias", [False, True])
def test_penalty_gradient_alone_is_lambda_over_m_times_w(regularize_bias):
    """Does the penalty's own gradient, (λ/m) w^l_ij, match central differences of the penalty alone?"""
    net, X, Y = make_case((3, 4, 2), seed=3, m=6)
    lam, m, eps = 0.9, 6, 1e-6
    W, b = bpkit.penalty_gradient(net, lam, m, regularize_bias)
    for l in net.W.layers():
        for idx in np.ndindex(*net.W[l].shape):
            old = net.W[l][idx]
            net.W[l][idx] = old + eps
            plus = bpkit.penalty(net, lam, m, regularize_bias)
            net.W[l][idx] = old - eps
            minus = bpkit.penalty(net, lam, m, regularize_bias)
            net.W[l][idx] = old
            assert W[l][idx] == pytest.approx((plus - minus) / (2 * eps), rel=1e-6)
            assert W[l][idx] == pytest.approx(lam / m * old)
        expected_b = lam / m * net.b[l] if regularize_bias else np.zeros_like(net.b[l])
        np.testing.assert_allclose(b[l], expected_b)


def test_gradient_difference_between_lambdas_is_the_penalty_gradient():
    """Does ∂E/∂w with λ minus ∂E/∂w with λ = 0 equal exactly (λ/m) w^l_ij, layer by layer?"""
    net, X, Y = make_case((3, 4, 3, 2), seed=4, m=9)
    g0 = bpkit.gradient(net, X, Y, 0.0)
    g1 = bpkit.gradient(net, X, Y, 1.7)
    for l in net.W.layers():
        np.testing.assert_allclose(g1.W[l] - g0.W[l], 1.7 / 9 * net.W[l], atol=1e-14)
        np.testing.assert_allclose(g1.b[l], g0.b[l])


@pytest.mark.parametrize("s, y", [(800.0, 0.0), (-800.0, 1.0), (800.0, 1.0), (-800.0, 0.0)])
def test_stable_at_plus_minus_800(s, y):
    """Does an output sum of ±800 give the exact, finite E and gradient, with no numpy warning?"""
    # one input of value 1, one weight w^1_00 = s, no bias: sum^1_0 = s
    net = Network.from_weights([np.array([[s]])])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        E = bpkit.objective(net, [[1.0]], [[y]])
        g = bpkit.gradient(net, [[1.0]], [[y]])
        gs = bpkit.scalar.gradient(net, [[1.0]], [[y]])
    # -[y log logistic(s) + (1-y) log(1 - logistic(s))]: a wrong-sided prediction costs exactly |s|, a right one e^-800 ≈ 0
    wrong = (s > 0) != (y > 0)
    assert E == (800.0 if wrong else pytest.approx(0.0, abs=1e-300))
    expected = (1.0 - y) if s > 0 else -y  # ∂E/∂w = (σ - y)·x with σ exactly 0 or 1
    assert g.W[1][0, 0] == expected
    assert gs.W[1][0, 0] == expected


def test_naive_log_form_overflows_where_the_stable_one_does_not():
    """Does the textbook log σ formula give inf where the log-sigmoid form stays exact?"""
    sum_L = np.array([[40.0], [-800.0]])
    Y = np.array([[0.0], [1.0]])
    sigma = bpkit.activations.sigmoid(sum_L)
    assert not np.isfinite(CrossEntropy.naive_fn(sigma, Y))
    assert CrossEntropy.fn(sum_L, Y) == pytest.approx((40.0 + 800.0) / 2, rel=1e-12)


@pytest.mark.parametrize("targets", ["one-hot", "in [0, 1]"])
def test_cross_entropy_against_scipy_log_expit_over_every_scale(targets):
    """Is CrossEntropy.fn the stable cross-entropy written with scipy's log_expit,
    -(1/m) Σ [y log_expit(s) + (1 - y) log_expit(-s)], to a few ulp, from |sum^L| = 1e-9 to 800?"""
    from scipy.special import log_expit

    rng = np.random.default_rng(11)
    m, n_L = 400, 5
    S = rng.normal(size=(m, n_L)) * rng.choice([1e-9, 1e-3, 1.0, 10.0, 40.0, 800.0], size=(m, n_L))
    if targets == "one-hot":
        Y = np.zeros((m, n_L))
        Y[np.arange(m), rng.integers(0, n_L, size=m)] = 1.0
    else:
        Y = rng.uniform(size=(m, n_L))
    ref = -(Y * log_expit(S) + (1 - Y) * log_expit(-S)).sum() / m
    assert CrossEntropy.fn(S, Y) == pytest.approx(ref, rel=1e-13)


@pytest.mark.parametrize("s, y", [(-40.0, 0.0), (40.0, 1.0), (-30.0, 0.0), (30.0, 1.0)])
def test_a_confident_right_prediction_costs_its_tiny_loss_exactly(s, y):
    """Does a right prediction with |sum^L| = 30 or 40 cost log(1 + e^-|s|) ≈ e^-|s| to full relative precision,
    not 0 (what log σ^L gives once σ^L has rounded to 1: lesson 03 prints 4.24835e-18 for s = ±40)?"""
    from scipy.special import log_expit

    got = CrossEntropy.fn(np.array([[s]]), np.array([[y]]))
    assert got == pytest.approx(-log_expit(abs(s)), rel=1e-14)
    assert got > 0


def test_output_delta_simplification():
    """Is ∂E/∂σ^L_k · ∂σ^L_k/∂sum^L_k equal to (σ^L_k - y_k)/m, where both are finite?"""
    rng = np.random.default_rng(0)
    sigma = rng.uniform(0.05, 0.95, size=(6, 3))
    Y = rng.uniform(size=(6, 3))
    np.testing.assert_allclose(CrossEntropy.dE_dsigma(sigma, Y) * sigma * (1 - sigma),
                               CrossEntropy.delta(sigma, Y))


def test_evaluate_is_the_one_start_of_E_and_of_every_gradient():
    """Does evaluate() give objective()'s E, the forward record of net.forward, and the validated X, Y, λ, m,
    and do the three gradients report that same E?"""
    net, X, Y = make_case((3, 4, 2), seed=5, m=7)
    e = evaluate(net, X.tolist(), Y, 0.4)
    assert e.E == bpkit.objective(net, X, Y, 0.4) and e.m == 7 and e.lam == 0.4
    assert isinstance(e.X, np.ndarray) and e.X.shape == (7, 3)
    record = net.forward(X)
    for l in range(1, net.L + 1):
        np.testing.assert_array_equal(e.record.sums[l], record.sums[l])
    for gradient in (bpkit.gradient, bpkit.scalar.gradient, bpkit.naive.gradient):
        assert gradient(net, X, Y, 0.4).E == e.E
    with pytest.raises(ValueError, match="λ"):
        evaluate(net, X, Y, -1.0)


def test_the_penalty_step_skips_connections_that_do_not_exist():
    """On the notes' sparse example network, does (λ/m) w^l_ij go only to weights that exist, in every gradient,
    and does each gradient still match central differences?"""
    from bpkit.objective import add_penalty_gradient
    from bpkit.notation import Layers

    net = bpkit.example.network()
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(4, net.sizes[0])), rng.uniform(size=(4, 1))
    dW = Layers([np.ones_like(w) for w in net.W], first=1)
    add_penalty_gradient(dW, None, net, 2.0, 4)
    for l in net.W.layers():
        np.testing.assert_array_equal(dW[l][~net.mask[l]], 1.0)           # untouched where w^l_ij does not exist
        np.testing.assert_allclose(dW[l][net.mask[l]], 1.0 + 0.5 * net.W[l][net.mask[l]])
    numeric = bpkit.numerical_gradient(net, X, Y, 2.0)
    for gradient in (bpkit.gradient, bpkit.scalar.gradient, bpkit.naive.gradient):
        g = gradient(net, X, Y, 2.0)
        for l in net.W.layers():
            assert bpkit.relative_error(g.W[l], numeric.W[l]) < 1e-6
            np.testing.assert_array_equal(g.W[l][~net.mask[l]], 0.0)

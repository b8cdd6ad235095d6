"""Does the vectorized backpropagation give ∂E/∂w^l_ij exactly, against oracles nobody here wrote?"""
import inspect
import warnings

import numpy as np
import pytest

import bpkit
from bpkit import Network
from catalogue import CASE_IDS, CASES, make_case
from test_network import HAND_W, HAND_X


@pytest.mark.parametrize("ident, net, X, Y, lam, rb", CASES, ids=CASE_IDS)
def test_gradient_matches_central_differences(ident, net, X, Y, lam, rb):
    """Does bpkit.gradient agree with central differences on every catalogue network?"""
    g = bpkit.gradient(net, X, Y, lam, rb)
    n = bpkit.numerical_gradient(net, X, Y, lam, rb)
    assert g.E == pytest.approx(bpkit.objective(net, X, Y, lam, rb))
    for l in net.W.layers():
        np.testing.assert_allclose(g.W[l], n.W[l], rtol=1e-5, atol=1e-7)
        if net.b is not None:
            np.testing.assert_allclose(g.b[l], n.b[l], rtol=1e-5, atol=1e-7)
        else:
            assert g.b is None


def test_hand_worked_gradient():
    """Does the gradient match the 2-2-1 network worked by hand (y = 1, λ = 0)?"""
    # From test_network: σ^1 = (0.668188, 0.731059), σ^2_0 = 0.473888.
    # δ^2_0 = (σ^2_0 - y)/m = 0.473888 - 1 = -0.526112
    # ∂E/∂w^2_00 = δ^2_0 · σ^1_0 = -0.526112 · 0.668188 = -0.351541
    # ∂E/∂w^2_10 = δ^2_0 · σ^1_1 = -0.526112 · 0.731059 = -0.384618
    # ∂E/∂σ^1_0 = δ^2_0 · w^2_00 = -0.263056;  σ'(0.7) = 0.668188 · 0.331812 = 0.221713
    # δ^1_0 = -0.263056 · 0.221713 = -0.058323
    # ∂E/∂σ^1_1 = δ^2_0 · w^2_10 = 0.315667;   σ'(1.0) = 0.731059 · 0.268941 = 0.196612
    # δ^1_1 = 0.315667 · 0.196612 = 0.062064
    # ∂E/∂w^1_ij = δ^1_j · σ^0_i with σ^0 = (1, 2)
    g = bpkit.gradient(Network.from_weights(HAND_W), HAND_X, [[1.0]])
    np.testing.assert_allclose(g.W[2], [[-0.351541], [-0.384618]], atol=1e-6)
    np.testing.assert_allclose(g.W[1], [[-0.058323, 0.062064], [-0.116646, 0.124128]], atol=1e-6)
    np.testing.assert_allclose(g.extras["dE_dsigma"][1], [[-0.263056, 0.315667]], atol=1e-6)


# ---------------------------------------------------------------- scikit-learn as an oracle
def _sklearn_backprop(net, X, Y, lam):
    """Loss and gradients from scikit-learn's private MLPClassifier._backprop, same weights."""
    from sklearn.neural_network import MLPClassifier

    params = list(inspect.signature(MLPClassifier._backprop).parameters)
    known = {
        ("self", "X", "y", "activations", "deltas", "coef_grads", "intercept_grads"): False,
        ("self", "X", "y", "sample_weight", "activations", "deltas", "coef_grads", "intercept_grads"): True,
    }
    if tuple(params) not in known:
        pytest.skip(f"scikit-learn's private _backprop changed its signature to {params}; "
                    "update this oracle (it was (X, y, [sample_weight,] activations, deltas, coef_grads, intercept_grads))")
    hidden = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu"}[net.hidden.name]
    clf = MLPClassifier(hidden_layer_sizes=net.sizes[1:-1], activation=hidden, alpha=lam, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, Y)  # Y is a 2-D 0/1 indicator: multilabel, logistic output, binary log loss
    assert clf.out_activation_ == "logistic"
    clf.coefs_ = [net.W[l].copy() for l in net.W.layers()]
    clf.intercepts_ = [net.b[l].copy() for l in net.b.layers()]
    n_layers = net.L + 1
    activations = [X] + [None] * (n_layers - 1)
    deltas = [None] * (n_layers - 1)
    coef_grads = [np.empty_like(w) for w in clf.coefs_]
    intercept_grads = [np.empty_like(b) for b in clf.intercepts_]
    args = [X, Y] + ([None] if known[tuple(params)] else []) + [activations, deltas, coef_grads, intercept_grads]
    loss, coef_grads, intercept_grads = clf._backprop(*args)
    return loss, coef_grads, intercept_grads


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("sizes", [(4, 5, 3), (3, 4, 4, 2),
                                   # a layer l - 1 of at least WIDE neurons: ∂E/∂W^l by way of (δ^l)ᵀ σ^{l-1}
                                   (bpkit.backprop.WIDE, 3, 2), (3, bpkit.backprop.WIDE + 5, 4, 2)],
                         ids=["4-5-3", "3-4-4-2", "wide-input", "wide-hidden"])
@pytest.mark.parametrize("lam", [0.0, 1.3])
def test_gradient_matches_scikit_learn(hidden, sizes, lam):
    """Does bpkit agree with scikit-learn's _backprop (biases unregularized, 0.5·alpha·Σw²/m), also where
    ∂E/∂W^l is computed as ((δ^l)ᵀ σ^{l-1})ᵀ (a layer l - 1 of at least WIDE neurons, at least WIDE_M examples)?"""
    m = bpkit.backprop.WIDE_M if max(sizes) >= bpkit.backprop.WIDE else 12   # enough examples for that order
    net, X, _ = make_case(sizes, hidden, bias=True, seed=7, m=m)
    rng = np.random.default_rng(3)
    Y = (rng.uniform(size=(m, sizes[-1])) > 0.5).astype(float)
    Y[0], Y[1] = 0.0, 1.0  # every output column sees both classes
    loss, coef_grads, intercept_grads = _sklearn_backprop(net, X, Y, lam)
    g = bpkit.gradient(net, X, Y, lam)
    assert g.E == pytest.approx(loss, rel=1e-10)
    for l in net.W.layers():
        np.testing.assert_allclose(g.W[l], coef_grads[l - 1], rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(g.b[l], intercept_grads[l - 1], rtol=1e-10, atol=1e-13)


# ---------------------------------------------------------------- no stale memo
@pytest.mark.parametrize("method", [bpkit.gradient, bpkit.scalar.gradient, bpkit.naive.gradient])
def test_no_stale_memo_between_calls(method):
    """Called twice with a weight changed in between, does the gradient follow the new weight?"""
    net, X, Y = make_case((3, 4, 2), seed=11)
    first = method(net, X, Y, 0.5)
    again = method(net, X, Y, 0.5)
    np.testing.assert_array_equal(first.flat(), again.flat())  # nothing accumulated
    net.W[1][0, 0] += 0.75
    changed = method(net, X, Y, 0.5)
    fresh = bpkit.numerical_gradient(net, X, Y, 0.5)
    np.testing.assert_allclose(changed.flat(), fresh.flat(), rtol=1e-5, atol=1e-8)
    assert not np.allclose(changed.flat(), first.flat())


def test_gradient_does_not_modify_the_network_or_inputs():
    """Does computing the gradient leave the weights, X and Y untouched?"""
    net, X, Y = make_case((3, 4, 2), seed=12)
    before = net.get_flat().copy(), X.copy(), Y.copy()
    bpkit.gradient(net, X, Y, 1.0, True)
    assert np.array_equal(net.get_flat(), before[0])
    assert np.array_equal(X, before[1]) and np.array_equal(Y, before[2])


def test_output_gradient_is_the_derivative_of_the_output_neuron():
    """Does output_gradient give ∂σ^L_k/∂w^l_ij (no objective), as central differences of σ^L_k?"""
    net, X, _ = make_case((3, 4, 2), seed=13, m=1)
    g = bpkit.output_gradient(net, X, k=1)
    eps = 1e-6
    for l in net.W.layers():
        for idx in np.ndindex(*net.W[l].shape):
            old = net.W[l][idx]
            net.W[l][idx] = old + eps
            plus = net.predict_proba(X)[0, 1]
            net.W[l][idx] = old - eps
            minus = net.predict_proba(X)[0, 1]
            net.W[l][idx] = old
            assert g.W[l][idx] == pytest.approx((plus - minus) / (2 * eps), rel=1e-5, abs=1e-9)
    with pytest.raises(IndexError, match="k = 2 but the output layer L = 2 has 2 neurons"):
        bpkit.output_gradient(net, X, k=2)

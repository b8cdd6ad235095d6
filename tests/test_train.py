"""Does training minimize E(w) and reach the course's accuracy on real data?"""
import numpy as np
import pytest

import bpkit
from bpkit import data


@pytest.mark.slow
def test_digits_64_25_10_reaches_97_percent():
    """Does a 64-25-10 network trained by L-BFGS (λ = 1) reach ≥ 97 % test accuracy on digits?"""
    d = data.digits()
    net = bpkit.Network((64, 25, 10), seed=0)
    history = bpkit.train(net, d.X_train, d.Y_train, lam=1.0, method="lbfgs", epochs=200)
    acc = bpkit.accuracy(net, d.X_test, d.Y_test)
    assert acc >= 0.97, f"test accuracy {acc:.3f}"
    assert history.E[-1] < history.E[0]


@pytest.mark.parametrize("method", ["gd", "minibatch", "lbfgs"])
def test_every_method_decreases_E(method):
    """Does each method lower E(w) on a small XOR problem, recording E every epoch?"""
    X, Y = data.xor(m=80, seed=0)
    net = bpkit.Network((2, 6, 1), hidden="tanh", seed=1)
    E0 = bpkit.objective(net, X, Y, 0.01)
    h = bpkit.train(net, X, Y, lam=0.01, method=method, epochs=30, learning_rate=1.0, batch_size=16, seed=0)
    assert len(h.E) >= 1 and h.E[-1] < E0
    assert h.E[-1] == pytest.approx(bpkit.objective(net, X, Y, 0.01))


def test_gradient_descent_step_is_w_minus_eta_gradient():
    """Is one full-batch epoch exactly w <- w - η ∂E/∂w?"""
    X, Y = data.xor(m=20, seed=0)
    net = bpkit.Network((2, 3, 1), seed=2)
    g = bpkit.gradient(net, X, Y, 0.3)
    expected = net.get_flat() - 0.1 * g.flat()
    bpkit.train(net, X, Y, lam=0.3, method="gd", epochs=1, learning_rate=0.1)
    np.testing.assert_allclose(net.get_flat(), expected)


def test_callback_can_stop_training_and_test_accuracy_is_recorded():
    """Does a callback returning True stop training, with accuracies recorded per epoch?"""
    X, Y = data.xor(m=40, seed=0)
    seen = []
    h = bpkit.train(bpkit.Network((2, 4, 1), seed=0), X, Y, method="minibatch", epochs=50,
                    callback=lambda epoch, net, E: seen.append(epoch) or epoch == 2, test=(X, Y), seed=0)
    assert seen == [0, 1, 2] and len(h.E) == 3 and len(h.test_accuracy) == 3
    h = bpkit.train(bpkit.Network((2, 4, 1), seed=0), X, Y, method="lbfgs", epochs=50,
                    callback=lambda epoch, net, E: epoch == 1)
    assert len(h.E) == 2


def test_progress_bar(capsys):
    """Does progress=True show a progress bar (tqdm), closed at the end?"""
    X, Y = data.xor(m=20, seed=0)
    bpkit.train(bpkit.Network((2, 3, 1), seed=0), X, Y, method="gd", epochs=3, progress=True)
    assert "training (gd)" in capsys.readouterr().err


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "adam"}, "unknown method 'adam': choose one of gd, minibatch, lbfgs"),
        ({"epochs": 0}, "epochs must be a positive integer"),
        ({"method": "gd", "learning_rate": -1.0}, "learning rate η must be > 0"),
        ({"method": "minibatch", "batch_size": 0}, "batch_size must be a positive integer"),
        ({"lam": -1.0}, "λ \\(lam\\) must be a finite number >= 0"),
    ],
)
def test_bad_training_arguments(kwargs, message):
    """Does each bad argument get a clear error before any training happens?"""
    X, Y = data.xor(m=10, seed=0)
    net = bpkit.Network((2, 3, 1), seed=0)
    before = net.get_flat().copy()
    with pytest.raises(ValueError, match=message):
        bpkit.train(net, X, Y, **kwargs)
    assert np.array_equal(net.get_flat(), before)


def test_accuracy():
    """Is accuracy the fraction of argmax matches (one-hot) or σ^L_0 > 1/2 matches (one output)?"""
    net = bpkit.Network.from_weights([np.array([[1.0]])])
    assert bpkit.accuracy(net, [[2.0], [-2.0], [3.0]], [[1.0], [0.0], [0.0]]) == pytest.approx(2 / 3)


def test_minibatch_step_uses_the_full_objectives_penalty():
    """Does one minibatch step use the batch's cross-entropy gradient plus (λ/m)·w, not (λ/b)·w?"""
    X, Y = data.xor(m=40, seed=0)
    net = bpkit.Network((2, 3, 1), seed=2)
    lam, b, eta = 2.0, 10, 0.1
    order = np.random.default_rng(5).permutation(40)
    expected = net.copy()
    for start in range(0, 40, b):
        idx = order[start:start + b]
        ce = bpkit.gradient(expected, X[idx], Y[idx], 0.0)
        for l in expected.W.layers():
            expected.W[l] -= eta * (ce.W[l] + lam / 40 * expected.W[l])
            expected.b[l] -= eta * ce.b[l]
    bpkit.train(net, X, Y, lam=lam, method="minibatch", epochs=1, learning_rate=eta, batch_size=b, seed=5)
    np.testing.assert_allclose(net.get_flat(), expected.get_flat(), rtol=1e-12)


def test_lbfgs_counts_its_evaluations_of_E_and_the_gradient():
    """Is History.nfev the number of (E, ∇E) evaluations, counted by our own wrapper around scipy's L-BFGS, and
    more than the number of iterations (a line search can need several)?"""
    from scipy.optimize import minimize

    X, Y = bpkit.data.xor(m=40, noise=0.1, seed=0)
    net = bpkit.Network((2, 4, 1), seed=0)
    calls = []
    probe = net.copy()

    def fun(theta):
        calls.append(1)
        probe.set_flat(theta)
        g = bpkit.gradient(probe, X, Y, 0.1)
        return g.E, g.flat()

    minimize(fun, net.get_flat(), jac=True, method="L-BFGS-B", options={"maxiter": 30})
    h = bpkit.train(net, X, Y, lam=0.1, method="lbfgs", epochs=30)
    assert h.nfev == len(calls)
    assert h.nfev > len(h.E) == 30


def test_lbfgs_stopped_by_its_callback_still_counts_its_evaluations():
    """When the callback stops L-BFGS early, does nfev count the evaluations made until then?"""
    X, Y = bpkit.data.xor(m=40, noise=0.1, seed=0)
    h = bpkit.train(bpkit.Network((2, 4, 1), seed=0), X, Y, method="lbfgs", epochs=50,
                    callback=lambda epoch, net, E: epoch == 4)
    assert len(h.E) == 5 and h.nfev >= 5


@pytest.mark.parametrize("method", ["gd", "minibatch"])
def test_gradient_descent_makes_one_pass_over_the_data_per_epoch(method):
    """For gradient descent (full batch or minibatches), is nfev the number of epochs?"""
    X, Y = bpkit.data.xor(m=40, noise=0.1, seed=0)
    h = bpkit.train(bpkit.Network((2, 4, 1), seed=0), X, Y, method=method, epochs=7, batch_size=8, seed=0)
    assert h.nfev == 7 == len(h.E)

r"""Graded checks for lesson 07: vectorized backpropagation and training on the digits.

* 07.1 :func:`output_delta`: δ^L = ∂E/∂sum^L for a whole batch, as a matrix (m, n_L).
* 07.2 :func:`delta_L_softmax`: δ^L = (softmax(sum^L) − Y)/m for softmax outputs with their cross-entropy.
* 07.3 :func:`gradient_descent_step`: one step w ← w − η ∂E/∂w for every layer, in place.
* 07.4 :func:`train_digits`: a network trained on the digits reaching test accuracy ≥ 0.95.

Each check runs the student's answer on hidden randomized cases (fresh seeds: random depths,
widths, activations, λ, biases, batch sizes, sums) and compares with bpkit's reference
(:func:`bpkit.gradient`, :meth:`bpkit.CrossEntropy.delta`, :func:`bpkit.softmax.softmax_delta`). On a
mismatch it recomputes the common mistakes on the same case (no 1/m, sign error, forgot λ/m·w,
the logistic function for softmax, normalized over the wrong axis, ...) and names the one the answer matches.
The student's function always receives copies, so mutating its inputs cannot fool a check.
While it runs, the bpkit functions that would answer the exercise outright are switched off
(:func:`bpkit.course.checks.switch.switched_off`, see :data:`OFF`): ``CrossEntropy.delta`` and the
gradients for 07.1, :mod:`bpkit.softmax` for 07.2 (its δ^L is the answer, and central differences of its
E would pass as one), ``bpkit.train`` for 07.3 (one epoch of "gd" is one step). 07.3 may call
``bpkit.gradient``, and 07.4 ``bpkit.train``: that is what they are about.
"""
from __future__ import annotations

import time

import numpy as np

import bpkit
from bpkit.objective import CrossEntropy

from ._core import Hint, as_array, close, fresh_rng
from .switch import GRADIENTS, call_answer, StudentRaised
from .harness import Case, check, numeric_check
from .common import random_network

__all__ = ["output_delta", "delta_L_softmax", "gradient_descent_step", "train_digits"]

ACTIVATIONS = ("sigmoid", "tanh", "relu")
#: what would answer each exercise outright
OFF = {"07.1": ("bpkit.CrossEntropy.delta", *GRADIENTS),
       "07.2": ("bpkit.softmax.softmax_delta", "bpkit.softmax.softmax", "bpkit.softmax.log_softmax",
                "bpkit.softmax.softmax_cross_entropy"),
       "07.3": ("bpkit.train",)}
RTOL, ATOL = 1e-6, 1e-9


# ----------------------------------------------------------------------------- hidden cases
def _random_net(rng, sizes, hidden=None, bias=None):
    """A network with random Glorot weights, random (nonzero) biases and a random activation."""
    return random_network(rng, bias=bias, hidden=hidden, sizes=sizes, biases="normal")


def _random_batch(rng, net, m):
    X = rng.normal(0.0, 1.0, size=(m, net.sizes[0]))
    nL = net.sizes[-1]
    if nL > 1 and rng.random() < 0.5:
        Y = bpkit.data.one_hot(rng.integers(0, nL, size=m), nL)
    else:
        Y = rng.uniform(0.0, 1.0, size=(m, nL)).round(2)
    return X, Y


def _backprop_cases(rng):
    """Three hidden cases: all layers of one width (so σ^l-for-σ^{l-1} and transposition
    mistakes give wrong numbers, not just wrong shapes), then two of random depth, widths
    and activation."""
    cases = []
    n = int(rng.integers(2, 5))
    L = int(rng.integers(2, 4))
    m = int(rng.integers(3, 7))
    m = m + 1 if m == n else m
    # sigmoid or tanh: a relu layer of 2-4 neurons can be dead on every example, and then
    # most mistakes give the right numbers
    net = _random_net(rng, [n] * (L + 1), hidden=str(rng.choice(["sigmoid", "tanh"])), bias=True)
    cases.append((net, *_random_batch(rng, net, m), float(rng.uniform(0.3, 2.0))))
    for depth in (int(rng.integers(1, 5)), int(rng.integers(2, 5))):
        sizes = [int(k) for k in rng.integers(1, 6, size=depth + 1)]
        net = _random_net(rng, sizes)
        lam = 0.0 if rng.random() < 0.2 else float(rng.uniform(0.1, 3.0))
        cases.append((net, *_random_batch(rng, net, int(rng.integers(2, 8))), lam))
    return cases


# ----------------------------------------------------------------------------- 07.1
@numeric_check("07.1", "the output layer's δ^L = ∂E/∂sum^L for a batch", points=1, off=OFF["07.1"])
def output_delta(rng):
    """``answer(sigma_L, Y)`` must return δ^L, shape (m, n_L): δ^L_{ek} = ∂E/∂sum^L_k on example e."""
    for k in range(3):
        m = int(rng.integers(3, 10))
        # the first case has n_L >= 2 outputs (with n_L = 1, dividing by m·n_L is dividing by m, and
        # that mistake would pass), and never n_L = m (a transposed δ^L would have the right shape)
        nL = int(rng.integers(2 if k == 0 else 1, 7))
        if nL == m:
            nL += 1
        sigma_L = rng.uniform(0.02, 0.98, size=(m, nL))
        if nL > 1 and rng.random() < 0.5:
            Y = bpkit.data.one_hot(rng.integers(0, nL, size=m), nL)
        else:
            Y = rng.uniform(0.0, 1.0, size=(m, nL)).round(2)
        expected = CrossEntropy.delta(sigma_L, Y)
        diff = sigma_L - Y
        yield Case((sigma_L, Y), expected, "δ^L", {
            "you forgot 1/m: E is a mean over the m examples, so every ∂E/∂sum^L_k carries a factor 1/m.": diff,
            "sign error: check the order of σ^L_k and y_k (E falls when σ^L_k moves towards y_k).": -diff / m,
            "sign error (check the order of σ^L_k and y_k), and you forgot 1/m.": -diff,
            "you divided by m·n_L: E averages over the m examples (rows) only and sums over the outputs k.":
                diff / (m * nL),
            "you stopped at ∂E/∂σ^L_k: δ^L_k = ∂E/∂sum^L_k also has the factor ∂σ^L_k/∂sum^L_k = σ^L_k(1 − σ^L_k), "
            "and the product simplifies.": CrossEntropy.dE_dsigma(sigma_L, Y),
            "you multiplied by ∂σ^L_k/∂sum^L_k = σ^L_k(1 − σ^L_k) once too often: the simplified product "
            "already contains it.": diff / m * sigma_L * (1 - sigma_L),
        }, form=lambda result: _delta_form(result, expected.shape), rtol=RTOL, atol=ATOL)


def _delta_form(result, shape) -> np.ndarray:
    """δ^L as an (m, n_L) array, or the hint for a wrong form (None, transposed, another shape)."""
    if result is None:
        raise Hint("your function returned None: return the matrix δ^L.")
    arr = as_array(result, "δ^L")
    if arr.shape == shape[::-1]:
        raise Hint(f"wrong shape: δ^L has shape {arr.shape} = (n_L, m) but rows are examples: it should have "
                   f"shape (m, n_L) = {shape}, one row per example e, one column per output neuron k.")
    if arr.shape != shape:
        raise Hint(f"wrong shape: δ^L has shape {arr.shape} but should have shape (m, n_L) = {shape}: "
                   "one row per example e, one column per output neuron k.")
    return arr


# ----------------------------------------------------------------------------- 07.2
#: sums this large overflow e^{sum}: the last hidden case of 07.2 has some (a stable softmax is part of the answer)
LARGE = 700.0


def _softmax_cases(rng):
    """Three hidden cases: one-hot targets, soft targets (rows of Y that are distributions), and one-hot
    targets with sums of several hundred, where e^{sum^L_k} overflows unless the row's largest sum is
    subtracted first. Never n_L = m (a transposed δ^L would have the right shape), n_L ≥ 3 and m ≥ 2
    (normalizing over the wrong axis gives other numbers)."""
    for k in range(3):
        m = int(rng.integers(2, 8))
        nL = int(rng.integers(3, 7))
        if nL == m:
            nL += 1
        if k < 2:
            sum_L = rng.normal(0.0, 2.0, size=(m, nL))
        else:  # rows around ±(700..900): e^{sum} is inf in float64 (above about 709.8)
            offsets = rng.uniform(LARGE, LARGE + 200.0, size=(m, 1)) * rng.choice([-1.0, 1.0], size=(m, 1))
            offsets[0, 0] = abs(offsets[0, 0])
            sum_L = offsets + rng.normal(0.0, 2.0, size=(m, nL))
        if k == 1:
            Y = rng.dirichlet(np.ones(nL), size=m)
        else:
            Y = bpkit.data.one_hot(rng.integers(0, nL, size=m), nL)
        yield _softmax_case(sum_L, Y)


def _softmax_case(sum_L, Y) -> Case:
    m = sum_L.shape[0]
    with np.errstate(all="ignore"):   # some mistakes divide by softmax_k = 0 (e^{-900}) on the large case
        return _softmax_case_values(sum_L, Y, m)


def _softmax_case_values(sum_L, Y, m) -> Case:
    P = bpkit.softmax.softmax(sum_L)
    logistic = bpkit.activations.sigmoid.value(sum_L)
    by_column = bpkit.softmax.softmax(sum_L.T).T          # normalized over the examples: the wrong axis
    expected = bpkit.softmax.softmax_delta(sum_L, Y)        # (softmax(sum^L) − Y)/m
    return Case((sum_L, Y), expected, "δ^L", {
        "you forgot 1/m: E is a mean over the m examples, so every ∂E/∂sum^L_k carries a factor 1/m.": P - Y,
        "sign error: E falls when softmax(sum^L)_k moves towards y_k; check the order of the two.": (Y - P) / m,
        "sign error (check the order of softmax(sum^L)_k and y_k), and you forgot 1/m.": Y - P,
        "you applied the logistic function to each sum^L_k: softmax divides e^{sum^L_k} by the sum of "
        "e^{sum^L_t} over the row's outputs t, so that each example's outputs sum to 1.": (logistic - Y) / m,
        "you normalized over the wrong axis: rows are examples, so softmax divides by Σ_t e^{sum^L_t} over "
        "the outputs t of one row (axis=1), not over the examples of a column.": (by_column - Y) / m,
        "you used the logistic output's δ: there each σ^L_k depends on sum^L_k alone, but softmax(sum^L)_t "
        "depends on every sum^L_k of its row: ∂softmax_t/∂sum^L_k = softmax_t (1[t = k] − softmax_k), and "
        "the sum over t is part of the chain rule.": -Y * (1 - P) / m,
        "you stopped at ∂E/∂softmax_k = −y_k/(m softmax_k): the chain rule goes on through "
        "∂softmax_t/∂sum^L_k, summed over the outputs t.": -Y / (m * P),
    }, form=lambda result: _softmax_form(result, sum_L), rtol=RTOL, atol=ATOL)


def _softmax_form(result, sum_L) -> np.ndarray:
    """δ^L as an (m, n_L) array of finite numbers, or the hint for a wrong form (None, shape, inf/nan)."""
    try:
        raw = None if result is None else np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        raw = None
    if raw is None or raw.shape != sum_L.shape or np.all(np.isfinite(raw)):
        return _delta_form(result, sum_L.shape)
    biggest = float(np.max(np.abs(sum_L)))
    if biggest < LARGE:
        raise Hint("your δ^L has inf or nan entries on a hidden case with moderate sums "
                   f"(|sum^L_k| ≤ {biggest:.1f}): look for a division by zero or a log of 0.")
    raise Hint(f"your δ^L has inf or nan entries on a hidden case whose sums reach |sum^L_k| = {biggest:.0f}: "
               "e^{sum} overflows for sums above about 709. Subtract each row's largest sum^L_t before "
               "exponentiating: e^{sum_k − c} / Σ_t e^{sum_t − c} is the same softmax for every c, and then "
               "no exponent is positive.")


@numeric_check("07.2", "softmax with cross-entropy: δ^L = ∂E/∂sum^L for one-of-k outputs", points=2,
               off=OFF["07.2"])
def delta_L_softmax(rng):
    """``answer(sum_L, Y)`` must return δ^L = ∂E/∂sum^L, shape (m, n_L), for
    E = −(1/m) Σ_e Σ_k y_k log softmax(sum^L)_k (each row of Y one-hot or a distribution)."""
    yield from _softmax_cases(rng)


def _layers_close(answer_dW, answer_db, dW, db) -> bool:
    if dW is None:
        return False
    if not all(a.shape == w.shape and close(a, w, RTOL, ATOL) for a, w in zip(answer_dW, dW)):
        return False
    if db is None or answer_db is None:
        return True
    return all(a.shape == b.shape and close(a, b, RTOL, ATOL) for a, b in zip(answer_db, db))


def _call_with_shape_hint(answer, *args, off=()):
    """Call the student's function (with ``off`` switched off); a shape error gets a hint about the
    orientation of W^l."""
    try:
        return call_answer(answer, *args, off=off)
    except StudentRaised as e:
        text = e.evalue
        if e.ename == "ValueError" and any(word in text for word in ("matmul", "shape", "broadcast", "aligned")):
            raise Hint(f"your code raised ValueError: {text}. Check the orientations: W^l has shape "
                       "(n_{l-1}, n_l), σ^l, sum^l and δ^l have shape (m, n_l) (rows are examples).") from None
        raise


# ----------------------------------------------------------------------------- 07.3
def _step(net, g, eta, layers=None, biases=True):
    out = net.copy()
    for l in (layers or net.W.layers()):
        out.W[l] = net.W[l] - eta * g.W[l]
        if biases and net.b is not None:
            out.b[l] = net.b[l] - eta * g.b[l]
    return out


def _sequential_step(net, X, Y, lam, eta):
    out = net.copy()
    for l in net.W.layers():
        g = bpkit.gradient(out, X, Y, lam)
        out.W[l] = out.W[l] - eta * g.W[l]
        if out.b is not None:
            out.b[l] = out.b[l] - eta * g.b[l]
    return out


def _params(net):
    return [np.asarray(w) for w in net.W], (None if net.b is None else [np.asarray(b) for b in net.b])


@check("07.3", "one gradient-descent step w^l_ij ← w^l_ij − η ∂E/∂w^l_ij", points=1)
def gradient_descent_step(answer):
    """``answer(net, X, Y, lam, eta)`` must update ``net.W[l]`` and ``net.b[l]`` in place, every layer."""
    rng = fresh_rng()
    for k in range(3):
        sizes = [int(n) for n in rng.integers(1, 6, size=int(rng.integers(3, 5)))]
        # the first case is smooth: with a relu layer dead on every example, changing W^1 would not
        # change the later layers' gradients, and recomputing the gradient after each layer would pass
        net = _random_net(rng, sizes, bias=True, hidden=str(rng.choice(["sigmoid", "tanh"])) if k == 0 else None)
        X, Y = _random_batch(rng, net, int(rng.integers(2, 8)))
        lam = float(rng.uniform(0.5, 3.0))
        eta = float(rng.uniform(0.2, 2.0))
        student = net.copy()
        _call_with_shape_hint(answer, student, X.copy(), Y.copy(), lam, eta, off=OFF["07.3"])
        g = bpkit.gradient(net, X, Y, lam)
        expected = _params(_step(net, g, eta))
        got = _params(student)
        for l in net.W.layers():
            if got[0][l - 1].shape != net.W[l].shape:
                raise Hint(f"wrong shape: after your step W^{l} has shape {got[0][l - 1].shape} "
                           f"but must keep the shape {net.W[l].shape}.")
        if _layers_close(*got, *expected):
            continue
        if _layers_close(*got, *_params(net)):
            raise Hint("the network did not change: update net.W[l] and net.b[l] in place "
                       "(for example net.W[l] -= ...); a network you return is ignored.")
        g0 = bpkit.gradient(net, X, Y, 0.0)
        mistakes = {
            "you stepped uphill: w ← w − η ∂E/∂w moves against the gradient.": _step(net, g, -eta),
            "you did not update the biases b^l_j: they move by −η ∂E/∂b^l_j too.": _step(net, g, eta, biases=False),
            "your step leaves out λ: the gradient of E includes the penalty's (λ/m)·w^l_ij.": _step(net, g0, eta),
            "you recomputed the gradient after updating a layer: take ∂E/∂w for every layer at the current w "
            "first, then update all layers.": _sequential_step(net, X, Y, lam, eta),
            "you forgot the step size η.": _step(net, g, 1.0),
            "you updated only the output layer: every layer l = 1..L moves.": _step(net, g, eta, layers=[net.L]),
        }
        matching = [hint for hint, wrong in mistakes.items() if _layers_close(*got, *_params(wrong))]
        if matching:
            raise Hint(" Or: ".join(matching))
        raise Hint("the weights after your step are not w − η ∂E/∂w on a hidden case: compute the gradient "
                   "of E (with λ) at the current weights, then move every W^l and b^l.")


# ----------------------------------------------------------------------------- 07.4
#: test accuracy the trained network must reach on the check's own split
TARGET_ACCURACY = 0.95
#: a split is representative when the lesson's network (64-25-10 sigmoid, seed 0, λ = 1, 150 L-BFGS
#: iterations) reaches this test accuracy on it. About 1 split in 1000 is so hard that it does not
#: (0.947 on one; other initial weights 0.949-0.951): a right answer could miss the target by bad luck
REPRESENTATIVE_ACCURACY = 0.96
#: splits tried at most: an answer below the target on a split that is not representative gets another
ATTEMPTS = 3


def _digits_split(rng):
    """A fresh stratified split of the digits, the 64 pixels in a random order (the same for both parts)."""
    split = bpkit.data.digits(seed=int(rng.integers(2**31)))
    perm = rng.permutation(split.X_train.shape[1])
    return split.X_train[:, perm], split.Y_train, split.X_test[:, perm], split.Y_test


def _representative(X_train, Y_train, X_test, Y_test) -> bool:
    """Whether the lesson's network, trained on this split, reaches :data:`REPRESENTATIVE_ACCURACY`."""
    net = bpkit.Network([X_train.shape[1], 25, Y_train.shape[1]], hidden="sigmoid", seed=0)
    bpkit.train(net, X_train, Y_train, lam=1.0, method="lbfgs", epochs=150)
    return bpkit.accuracy(net, X_test, Y_test) >= REPRESENTATIVE_ACCURACY


@check("07.4", "a network trained on the digits: test accuracy ≥ 0.95", points=2)
def train_digits(answer):
    """``answer(X, Y)`` gets training inputs (m, 64) and one-hot targets (m, 10) and returns a
    trained :class:`bpkit.Network`; the check measures its accuracy on a test split it keeps.

    The split is drawn afresh, and the 64 pixels are put in a random order (the same order
    for the training and the test inputs): a fully connected network does not care. An answer
    below the target is failed only on a representative split (see :data:`REPRESENTATIVE_ACCURACY`;
    checked only then, so a passing answer costs no extra training): on one that is not, the
    answer is trained and measured again on a fresh split.
    """
    from threadpoolctl import threadpool_limits

    rng = fresh_rng()
    for _ in range(ATTEMPTS):
        X_train, Y_train, X_test, Y_test = _digits_split(rng)
        start = time.perf_counter()
        with threadpool_limits(limits=1):
            net = answer(X_train.copy(), Y_train.copy())
        seconds = time.perf_counter() - start
        if net is None:
            raise Hint("your function returned None: return the trained network "
                       "(bpkit.train changes the network in place and returns its History).")
        if isinstance(net, bpkit.History):
            raise Hint("you returned bpkit.train's History: return the network itself "
                       "(bpkit.train trains it in place).")
        if not isinstance(net, bpkit.Network):
            raise Hint(f"return the trained bpkit.Network, got {type(net).__name__}.")
        if net.sizes[0] != 64 or net.sizes[-1] != 10:
            raise Hint(f"the network is {'-'.join(map(str, net.sizes))}: layer 0 must have n_0 = 64 "
                       "neurons (the pixels) and the output layer n_L = 10 (the digits 0..9).")
        if bpkit.accuracy(net, X_test, Y_test) >= TARGET_ACCURACY:
            return
        with threadpool_limits(limits=1):
            if _representative(X_train, Y_train, X_test, Y_test):
                break
    train_acc = bpkit.accuracy(net, X_train, Y_train)
    test_acc = bpkit.accuracy(net, X_test, Y_test)
    header = f"test accuracy {test_acc:.3f} < {TARGET_ACCURACY:g} (train accuracy {train_acc:.3f}, {seconds:.0f} s)"
    if train_acc < 0.3:
        raise Hint(f"{header}: no better than guessing. Did you return the network you trained? "
                   "Are the targets the one-hot Y you were given?")
    if train_acc >= 0.99:
        raise Hint(f"{header}: the network fits the training digits but not new ones (overfitting): "
                   "increase λ (λ around 1 works for a 64-25-10 network).")
    raise Hint(f"{header}: E(w) has not come down far enough. Train longer (L-BFGS: 100-300 iterations; "
               "gradient descent: more epochs or a larger learning rate η), keep λ around 1, and use "
               "a hidden layer of a few dozen neurons.")

"""Do lesson 07's graded checks pass every right answer, and fail each common mistake with its own hint?

Every check runs on fresh random cases, so each right answer and each mistake is tried several times.
"""
from __future__ import annotations

import numpy as np
import pytest

import bpkit
from check_answers import CHEAT, backprop_by_central_differences
from bpkit.course.checks import CheckFailed
from bpkit.course.checks import lesson07 as checks

REPEAT = range(5)







# ----------------------------------------------------------------------------- 07.1
def delta_right(sigma_L, Y):
    return (sigma_L - Y) / sigma_L.shape[0]


@pytest.mark.parametrize("attempt", REPEAT)
def test_output_delta_passes_the_right_answer(attempt, checking):
    """Does δ^L = (σ^L − Y)/m pass, printing exactly the PASSED line?"""
    assert checking.passes(checks.output_delta, delta_right) == (
        "PASSED 07.1 the output layer's δ^L = ∂E/∂sum^L for a batch [1/1 points]\n")


def test_output_delta_passes_an_inplace_answer_without_being_fooled(checking):
    """Does an answer that overwrites its σ^L argument still get judged on the right values?"""
    def inplace(sigma_L, Y):
        sigma_L -= Y
        sigma_L /= sigma_L.shape[0]
        return sigma_L
    checking.passes(checks.output_delta, inplace)


@pytest.mark.parametrize("attempt", REPEAT)
@pytest.mark.parametrize("wrong, hint", [
    (lambda s, Y: s - Y, "you forgot 1/m"),
    (lambda s, Y: (Y - s) / s.shape[0], "sign error"),
    (lambda s, Y: (s - Y) / s.size, "m·n_L"),
    (lambda s, Y: -(Y / s - (1 - Y) / (1 - s)) / s.shape[0], "you stopped at ∂E/∂σ^L_k"),
    (lambda s, Y: (s - Y) / s.shape[0] * s * (1 - s), "once too often"),
    (lambda s, Y: ((s - Y) / s.shape[0]).T, "rows are examples"),
    (lambda s, Y: (s - Y).mean(axis=0), "one row per example"),
    (lambda s, Y: None, "returned None"),
], ids=["no-1/m", "sign", "m*nL", "dE/dsigma", "double-derivative", "transposed", "averaged", "none"])
def test_output_delta_diagnoses_each_mistake(attempt, wrong, hint, checking):
    """Does each common mistake in δ^L fail with the hint that names it?"""
    checking.fails(checks.output_delta, wrong, hints=hint)


def test_output_delta_transposed_says_rows_are_examples(checking):
    """Does a transposed δ^L, shape (n_L, m), get the hint that rows are examples, shape (m, n_L), and not the
    hint about transposing W?"""
    failed = checking.fails(checks.output_delta, lambda s, Y: ((s - Y) / s.shape[0]).T,
                            hints=["= (n_L, m) but rows are examples", "shape (m, n_L)"])
    assert "transpose W" not in str(failed)


@pytest.mark.parametrize("seed", [214, 285, 332])
def test_output_delta_catches_dividing_by_m_n_L_where_every_case_used_to_have_one_output(monkeypatch, seed, checking):
    """On seeds whose three hidden cases used to have n_L = 1 (where (σ^L − Y)/(m·n_L) is right), does dividing
    by m·n_L still fail with its hint (the first case now has n_L >= 2)?"""
    monkeypatch.setattr(checks, "fresh_rng", lambda: np.random.default_rng(seed))
    checking.fails(checks.output_delta, lambda s, Y: (s - Y) / s.size, hints="m·n_L")


@pytest.mark.parametrize("cheat, called", [
    (lambda s, Y: bpkit.CrossEntropy.delta(s, Y), "bpkit.CrossEntropy.delta"),
    (lambda s, Y: bpkit.gradient(bpkit.Network.from_weights([np.eye(s.shape[1])]), np.log(s / (1 - s)), Y)
     .extras["delta"][1], "bpkit.gradient"),
], ids=["CrossEntropy.delta", "gradient-of-identity-network"])
def test_output_delta_cannot_be_copied_from_bpkit(cheat, called, checking):
    """Do answers that call bpkit's δ^L (CrossEntropy.delta, or a gradient's δ of a network whose output is σ^L)
    fail with the hint that names what they called?"""
    checking.fails(checks.output_delta, cheat, hints=f"you called {called}: {CHEAT}")


def test_output_delta_unanswered_fails(checking):
    """Does the shipped exercise (raise NotImplementedError) fail with 'not answered yet'?"""
    checking.fails(checks.output_delta, checking.unanswered, hints="not answered yet")


# ----------------------------------------------------------------------------- 07.2
def backprop_with(net, X, Y, lam, *, penalty=1.0, bias_penalty=0.0, one_over_m=True, sign=1.0,
                  derivative=True, sigma_l=False, transpose_rec=False, transpose_dW=False, lam_over=None):
    """A vectorized backprop written from scratch (not with bpkit.gradient), with optional mistakes."""
    m = X.shape[0]
    rec = net.forward(X)
    delta = sign * (rec.sigmas[net.L] - Y) / (m if one_over_m else 1)
    dW, db = [None] * net.L, [None] * net.L
    pen = lam / m if lam_over is None else lam / lam_over
    for l in range(net.L, 0, -1):
        left = rec.sigmas[l] if sigma_l else rec.sigmas[l - 1]
        dW[l - 1] = (delta.T @ left if transpose_dW else left.T @ delta) + penalty * pen * net.W[l]
        db[l - 1] = delta.sum(axis=0)
        if net.b is not None:
            db[l - 1] = db[l - 1] + bias_penalty * pen * net.b[l]
        if l > 1:
            dsig = delta @ (net.W[l] if transpose_rec else net.W[l].T)
            delta = dsig * net.activation(l - 1).derivative(rec.sums[l - 1]) if derivative else dsig
    return dW, (db if net.b is not None else None)


@pytest.mark.parametrize("attempt", REPEAT)
def test_backprop_passes_the_right_answer(attempt, checking):
    """Does a from-scratch vectorized backprop pass on random depths, widths, activations, λ and biases?"""
    assert checking.passes(checks.backprop, backprop_with) == (
        "PASSED 07.2 vectorized backprop: ∂E/∂W^l and ∂E/∂b^l for every layer [3/3 points]\n")


def test_backprop_passes_a_mutating_answer(checking):
    """Is an answer that scrambles the net it gets judged correctly (it passes)?"""
    def scrambles(net, X, Y, lam):
        result = backprop_with(net, X, Y, lam)
        for l in net.W.layers():
            net.W[l] = np.zeros_like(net.W[l])
        X[...] = 0.0
        return result

    checking.passes(checks.backprop, scrambles)


def _as_answer(gradient_fn):
    def answer(net, X, Y, lam):
        g = gradient_fn(net, X, Y, lam)
        return list(g.W), (None if g.b is None else list(g.b))
    return answer




@pytest.mark.parametrize("cheat, called", [
    (_as_answer(lambda *a: bpkit.gradient(*a)), "bpkit.gradient"),
    (_as_answer(lambda *a: bpkit.backprop.gradient(*a)), "bpkit.gradient"),
    (_as_answer(lambda *a: bpkit.naive.gradient(*a)), "bpkit.naive.gradient"),
    (_as_answer(lambda *a: bpkit.gradient_check(*a).backprop), "bpkit.gradient_check"),
    (backprop_by_central_differences, "bpkit.objective"),
], ids=["gradient", "backprop.gradient", "naive", "gradient_check", "central-differences-of-E"])
def test_backprop_cannot_be_copied_from_bpkit(cheat, called, checking):
    """Do answers that call one of bpkit's gradients (by any name), or take central differences of bpkit.objective,
    fail with the hint that names what they called?"""
    checking.fails(checks.backprop, cheat, hints=f"you called {called}: {CHEAT}")


MISTAKES_07_2 = [
    (dict(penalty=0.0), "you forgot the penalty's own derivative (λ/m)·w^l_ij"),
    (dict(bias_penalty=1.0), "you penalized the biases"),
    (dict(lam_over=1.0), "you forgot to divide λ by m"),
    (dict(one_over_m=False), "you forgot 1/m"),
    (dict(sign=-1.0), "sign error in δ^L"),
    (dict(derivative=False), "you forgot the activation derivative"),
    (dict(sigma_l=True), "σ^l instead of σ^{l-1}"),
    (dict(transpose_rec=True), "swapped i and j (transposed W) in the recursion"),
    (dict(transpose_dW=True), "swap"),
]


@pytest.mark.parametrize("attempt", range(3))
@pytest.mark.parametrize("flags, hint", MISTAKES_07_2, ids=[h[:30] for _, h in MISTAKES_07_2])
def test_backprop_diagnoses_each_mistake(attempt, flags, hint, checking):
    """Does each listed mistake fail 07.2 with the hint that names it (on fresh random cases)?"""
    def wrong(net, X, Y, lam):
        return backprop_with(net, X, Y, lam, **flags)
    checking.fails(checks.backprop, wrong, hints=hint)


def test_backprop_diagnoses_the_derivative_taken_of_sigma(checking):
    """Is g'(σ) instead of g'(sum) named, when the activation makes them differ?"""
    def wrong(net, X, Y, lam):
        m = X.shape[0]
        rec = net.forward(X)
        delta = (rec.sigmas[net.L] - Y) / m
        dW, db = [], []
        for l in range(net.L, 0, -1):
            dW.insert(0, rec.sigmas[l - 1].T @ delta + lam / m * net.W[l])
            db.insert(0, delta.sum(axis=0))
            if l > 1:
                delta = (delta @ net.W[l].T) * net.activation(l - 1).derivative(rec.sigmas[l - 1])
        return dW, (db if net.b is not None else None)
    for _ in range(20):  # relu gives the same numbers (σ > 0 exactly when sum > 0): retry until it differs
        try:
            checking.passes(checks.backprop, wrong)
        except CheckFailed as e:
            assert "evaluated at the wrong place" in str(e) or "forgot the activation derivative" in str(e), str(e)
            return
    pytest.fail("g'(σ) was never caught in 20 runs")


@pytest.mark.parametrize("wrong, hint", [
    (lambda net, X, Y, lam: backprop_with(net, X, Y, lam)[0], "return a pair (dW, db)"),
    (lambda net, X, Y, lam: (backprop_with(net, X, Y, lam)[0][1:], backprop_with(net, X, Y, lam)[1]),
     "one per layer l = 1..L"),
    (lambda net, X, Y, lam: (backprop_with(net, X, Y, lam)[0], None) if net.b is not None else 1 / 0,
     "this network has biases"),
    (lambda net, X, Y, lam: (backprop_with(net, X, Y, lam)[0],
                             [np.zeros(n) for n in net.sizes[1:]]), "∂E/∂b^l is not"),
    (lambda net, X, Y, lam: net.W[1] @ X, "Check the orientations"),
], ids=["no-pair", "missing-layer", "no-db", "db-wrong", "shape-error"])
def test_backprop_explains_malformed_answers(wrong, hint, checking):
    """Are answers of the wrong form (no pair, a missing layer, no db, a matmul error) explained?"""
    checking.fails(checks.backprop, wrong, hints=hint)


def test_backprop_unanswered_fails(checking):
    """Does the unanswered 07.2 fail with 'not answered yet'?"""
    checking.fails(checks.backprop, checking.unanswered, hints="not answered yet")


# ----------------------------------------------------------------------------- 07.3
def step_right(net, X, Y, lam, eta):
    g = bpkit.gradient(net, X, Y, lam)
    for l in net.W.layers():
        net.W[l] -= eta * g.W[l]
        net.b[l] -= eta * g.b[l]


@pytest.mark.parametrize("attempt", REPEAT)
def test_gradient_descent_step_passes_the_right_answer(attempt, checking):
    """Does w ← w − η ∂E/∂w (and b likewise), in place, pass with exactly the PASSED line?"""
    assert checking.passes(checks.gradient_descent_step, step_right) == (
        "PASSED 07.3 one gradient-descent step w^l_ij ← w^l_ij − η ∂E/∂w^l_ij [1/1 points]\n")


def _step(sign=1.0, biases=True, lam_used=True, eta_used=True, layers="all", sequential=False):
    def step(net, X, Y, lam, eta):
        g = bpkit.gradient(net, X, Y, lam if lam_used else 0.0)
        e = eta if eta_used else 1.0
        for l in (net.W.layers() if layers == "all" else [net.L]):
            if sequential:
                g = bpkit.gradient(net, X, Y, lam)
            net.W[l] -= sign * e * g.W[l]
            if biases:
                net.b[l] -= sign * e * g.b[l]
    return step


def _returns_new(net, X, Y, lam, eta):
    new = net.copy()
    step_right(new, X, Y, lam, eta)
    return new


@pytest.mark.parametrize("attempt", range(3))
@pytest.mark.parametrize("wrong, hint", [
    (_step(sign=-1.0), "uphill"),
    (_step(biases=False), "did not update the biases"),
    (_step(lam_used=False), "leaves out λ"),
    (_step(sequential=True), "recomputed the gradient after updating a layer"),
    (_step(eta_used=False), "forgot the step size η"),
    (_step(layers="last"), "only the output layer"),
    (_returns_new, "the network did not change"),
], ids=["uphill", "no-biases", "no-lambda", "sequential", "no-eta", "last-only", "returns-new"])
def test_gradient_descent_step_diagnoses_each_mistake(attempt, wrong, hint, checking):
    """Does each common mistake in a gradient-descent step fail 07.3 with its hint?"""
    checking.fails(checks.gradient_descent_step, wrong, hints=hint)


def test_gradient_descent_step_cannot_be_one_epoch_of_bpkit_train(checking):
    """Does one epoch of bpkit.train's gradient descent (exactly one step) fail with the hint that names it, while
    bpkit.gradient stays allowed (the right answer above uses it)?"""
    def one_epoch(net, X, Y, lam, eta):
        bpkit.train(net, X, Y, lam=lam, method="gd", epochs=1, learning_rate=eta)

    checking.fails(checks.gradient_descent_step, one_epoch, hints=f"you called bpkit.train: {CHEAT}")


def test_gradient_descent_step_unanswered_fails(checking):
    """Does the unanswered 07.3 fail with 'not answered yet'?"""
    checking.fails(checks.gradient_descent_step, checking.unanswered, hints="not answered yet")


# ----------------------------------------------------------------------------- 07.4
def train_right(X, Y):
    net = bpkit.Network([X.shape[1], 25, Y.shape[1]], hidden="sigmoid", seed=0)
    bpkit.train(net, X, Y, lam=1.0, method="lbfgs", epochs=150)
    return net


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(2))
def test_train_digits_passes_a_trained_network(attempt, checking):
    """Does a 64-25-10 network trained by L-BFGS (λ = 1, 150 iterations) pass on a fresh split?"""
    assert checking.passes(checks.train_digits, train_right) == (
        "PASSED 07.4 a network trained on the digits: test accuracy ≥ 0.95 [2/2 points]\n")


@pytest.mark.slow
def test_train_digits_passes_the_right_answer_on_a_split_too_hard_for_it(monkeypatch, checking):
    """On the split of seed 503, where the lesson's network reaches only 0.947 (other initial weights 0.949-0.951),
    does the right answer still pass (the check measures it again on a fresh split, because this one is not
    representative), with exactly the PASSED line?"""
    monkeypatch.setattr(checks, "fresh_rng", lambda: np.random.default_rng(503))
    assert checking.passes(checks.train_digits, train_right) == (
        "PASSED 07.4 a network trained on the digits: test accuracy ≥ 0.95 [2/2 points]\n")


@pytest.mark.parametrize("wrong, hint", [
    (lambda X, Y: bpkit.Network([64, 25, 10], seed=0), "no better than guessing"),
    (lambda X, Y: None, "returned None"),
    (lambda X, Y: bpkit.train(bpkit.Network([64, 3, 10], seed=0), X, Y, epochs=1), "History"),
    (lambda X, Y: bpkit.Network([64, 10], seed=0).W, "return the trained bpkit.Network"),
    (lambda X, Y: bpkit.Network([64, 25, 9], seed=0), "n_L = 10"),
], ids=["untrained", "none", "history", "not-a-network", "wrong-output"])
def test_train_digits_explains_wrong_returns(wrong, hint, checking):
    """Are an untrained network, None, a History, a non-network and a wrong output size explained?"""
    checking.fails(checks.train_digits, wrong, hints=hint)


def test_train_digits_says_train_longer_when_underfitting(checking):
    """Does a network trained far too briefly fail with the hint to train longer?"""
    def short(X, Y):
        net = bpkit.Network([64, 25, 10], seed=0)
        bpkit.train(net, X, Y, lam=1.0, method="lbfgs", epochs=12)
        return net
    checking.fails(checks.train_digits, short, hints="Train longer")


@pytest.mark.slow
def test_train_digits_says_increase_lambda_when_overfitting(monkeypatch, checking):
    """Does a network that fits every training digit but misses the target on the test set get the λ hint?

    The digits are too easy to overfit below 0.95 quickly, so the target is raised to 0.999 and
    a network trained without penalty (λ = 0) to a perfect training fit is graded against it.
    """
    monkeypatch.setattr(checks, "TARGET_ACCURACY", 0.999)

    def no_penalty(X, Y):
        net = bpkit.Network([64, 25, 10], seed=0)
        bpkit.train(net, X, Y, lam=0.0, method="lbfgs", epochs=300)
        return net
    checking.fails(checks.train_digits, no_penalty, hints=["< 0.999", "overfitting", "increase λ"])


def test_train_digits_unanswered_fails(checking):
    """Does the unanswered 07.4 fail with 'not answered yet'?"""
    checking.fails(checks.train_digits, checking.unanswered, hints="not answered yet")


def test_checks_are_registered_with_their_points():
    """Are the four exercises registered with the points the solution notebook states?"""
    from bpkit.course.checks import REGISTRY
    assert {k: REGISTRY[k].points for k in ("07.1", "07.2", "07.3", "07.4")} == {
        "07.1": 1, "07.2": 3, "07.3": 1, "07.4": 2}


def test_variant_backprop_without_mistakes_is_bpkit_gradient():
    """Is the check's mistake generator, with no mistake switched on, exactly bpkit.gradient?"""
    rng = np.random.default_rng(7)
    for _ in range(10):
        for net, X, Y, lam in checks._backprop_cases(rng):
            dW, db = checks._variant_backprop(net, X, Y, lam)
            g = bpkit.gradient(net, X, Y, lam)
            for l in net.W.layers():
                np.testing.assert_allclose(dW[l - 1], g.W[l], rtol=1e-12, atol=1e-14)
                if net.b is not None:
                    np.testing.assert_allclose(db[l - 1], g.b[l], rtol=1e-12, atol=1e-14)

"""Do lesson 07's graded checks pass every right answer, and fail each common mistake with its own hint?

Every check runs on fresh random cases, so each right answer and each mistake is tried several times.
"""
from __future__ import annotations

import numpy as np
import pytest

import bpkit
from check_answers import CHEAT
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
def softmax_rows(S, axis=1, stable=True):
    """A softmax written here, not bpkit's: over the rows (axis=1) unless told otherwise."""
    shifted = S - S.max(axis=axis, keepdims=True) if stable else S
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def softmax_delta_right(sum_L, Y):
    return (softmax_rows(sum_L) - Y) / sum_L.shape[0]


@pytest.mark.parametrize("attempt", REPEAT)
def test_delta_L_softmax_passes_the_right_answer(attempt, checking):
    """Does δ^L = (softmax(sum^L) − Y)/m, with a stable softmax over each row, pass with exactly the PASSED line?"""
    assert checking.passes(checks.delta_L_softmax, softmax_delta_right) == (
        "PASSED 07.2 softmax with cross-entropy: δ^L = ∂E/∂sum^L for one-of-k outputs [2/2 points]\n")


def test_delta_L_softmax_passes_a_mutating_answer(checking):
    """Does an answer that overwrites its sum^L argument in place still get judged on the right values?"""
    def inplace(sum_L, Y):
        sum_L -= sum_L.max(axis=1, keepdims=True)
        np.exp(sum_L, out=sum_L)
        sum_L /= sum_L.sum(axis=1, keepdims=True)
        sum_L -= Y
        sum_L /= sum_L.shape[0]
        return sum_L
    checking.passes(checks.delta_L_softmax, inplace)


def _logistic(S):
    return 0.5 * (1 + np.tanh(S / 2))      # 1/(1 + e^{-s}), without overflow


@pytest.mark.parametrize("attempt", REPEAT)
@pytest.mark.parametrize("wrong, hint", [
    (lambda S, Y: softmax_rows(S) - Y, "you forgot 1/m"),
    (lambda S, Y: (Y - softmax_rows(S)) / S.shape[0], "sign error"),
    (lambda S, Y: Y - softmax_rows(S), "and you forgot 1/m"),
    (lambda S, Y: (_logistic(S) - Y) / S.shape[0], "you applied the logistic function"),
    (lambda S, Y: (softmax_rows(S, axis=0) - Y) / S.shape[0], "normalized over the wrong axis"),
    (lambda S, Y: -Y * (1 - softmax_rows(S)) / S.shape[0], "you used the logistic output's δ"),
    (lambda S, Y: -Y / (S.shape[0] * softmax_rows(S)), "you stopped at ∂E/∂softmax_k"),
    (lambda S, Y: softmax_delta_right(S, Y).T, "rows are examples"),
    (lambda S, Y: None, "returned None"),
], ids=["no-1/m", "sign", "sign-no-1/m", "logistic", "wrong-axis", "logistic-delta", "dE/dsoftmax",
        "transposed", "none"])
def test_delta_L_softmax_diagnoses_each_mistake(attempt, wrong, hint, checking):
    """Does each typical mistake in the softmax δ^L fail with the hint that names it?"""
    checking.fails(checks.delta_L_softmax, wrong, hints=hint)


@pytest.mark.parametrize("attempt", REPEAT)
def test_delta_L_softmax_says_how_to_avoid_overflow(attempt, checking):
    """Does a softmax that exponentiates the raw sums (right on small sums) fail on the large ones with the hint
    to subtract each row's largest sum, and not with a generic 'not right'?"""
    def naive(S, Y):
        return (softmax_rows(S, stable=False) - Y) / S.shape[0]
    failed = checking.fails(checks.delta_L_softmax, naive, hints=["inf or nan", "Subtract each row's largest"])
    assert "not right on a hidden test case" not in str(failed)


def test_delta_L_softmax_nan_on_moderate_sums_is_not_blamed_on_overflow(checking):
    """Does an answer with nan on the first (moderate) case get the division-by-zero hint, not the overflow one?"""
    failed = checking.fails(checks.delta_L_softmax, lambda S, Y: np.full_like(S, np.nan),
                            hints=["inf or nan", "moderate sums", "division by zero"])
    assert "overflows" not in str(failed)


@pytest.mark.parametrize("cheat, called", [
    (lambda S, Y: bpkit.softmax.softmax_delta(S, Y), "bpkit.softmax.softmax_delta"),
    (lambda S, Y: (bpkit.softmax.softmax(S) - Y) / S.shape[0], "bpkit.softmax.softmax"),
    (lambda S, Y: (np.exp(bpkit.softmax.log_softmax(S)) - Y) / S.shape[0], "bpkit.softmax.log_softmax"),
    (lambda S, Y: bpkit.softmax.softmax_cross_entropy(S, Y), "bpkit.softmax.softmax_cross_entropy"),
], ids=["softmax_delta", "softmax", "log_softmax", "cross-entropy"])
def test_delta_L_softmax_cannot_be_copied_from_bpkit(cheat, called, checking):
    """Do answers that call bpkit.softmax (its δ^L, its softmax, or its E for central differences) fail with the
    hint that names what they called?"""
    checking.fails(checks.delta_L_softmax, cheat, hints=f"you called {called}: {CHEAT}")


def test_delta_L_softmax_unanswered_fails(checking):
    """Does the unanswered 07.2 fail with 'not answered yet'?"""
    checking.fails(checks.delta_L_softmax, checking.unanswered, hints="not answered yet")


def test_delta_L_softmax_cases_have_soft_targets_and_large_sums():
    """Do the hidden cases include rows of Y that are not one-hot (distributions) and sums whose e^{sum}
    overflows, with n_L != m?"""
    for seed in range(20):
        cases = list(checks._softmax_cases(np.random.default_rng(seed)))
        Ys = [c.args[1] for c in cases]
        assert all(np.allclose(Y.sum(axis=1), 1) for Y in Ys)
        assert any(not np.all((Y == 0) | (Y == 1)) for Y in Ys)
        assert np.abs(cases[-1].args[0]).max() > 709.8
        assert all(c.args[0].shape[0] != c.args[0].shape[1] for c in cases)


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
        "07.1": 1, "07.2": 2, "07.3": 1, "07.4": 2}

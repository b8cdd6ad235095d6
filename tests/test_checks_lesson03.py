"""Do lesson 03's graded checks pass every right answer and fail each common mistake with its hint?

Every check draws fresh hidden cases, so each test runs several times.
"""
from __future__ import annotations

import numpy as np
import pytest

import bpkit
from bpkit.course.checks import lesson03 as checks
from check_answers import CHEAT

REPEAT = range(5)








# ------------------------------------------------------------------------ 03.1  E(w)
def log_sigmoid(s):
    return -np.logaddexp(0.0, -s)


def make_E(penalty=0.5, ce_scale=None, sign=1.0, pen_sign=1.0, bias=False, naive=False, clip=False,
           last_only=False, per_output=False):
    """E(net, X, Y, lam) with one deliberate mistake switched on."""

    def E(net, X, Y, lam):
        rec = net.forward(X)
        m = X.shape[0]
        if naive or clip:
            s = rec.sigmas[net.L]
            if clip:
                s = np.clip(s, 1e-12, 1 - 1e-12)
            ce = -np.sum(Y * np.log(s) + (1 - Y) * np.log(1 - s))
        else:
            S = rec.sums[net.L]
            ce = -np.sum(Y * log_sigmoid(S) + (1 - Y) * log_sigmoid(-S))
        ce = ce / m if ce_scale is None else ce * ce_scale
        if per_output:
            ce = ce / Y.shape[1]
        layers = [net.W[net.L]] if last_only else list(net.W)
        squares = sum(np.sum(w ** 2) for w in layers)
        if bias and net.b is not None:
            squares += sum(np.sum(b ** 2) for b in net.b)
        return sign * (ce + pen_sign * penalty * lam / m * squares)

    return E


@pytest.mark.parametrize("run", REPEAT)
def test_objective_E_right_answer_passes(run, checking):
    """Does a right E(w), computed with the log-sigmoid, pass (one PASSED line)?"""
    checking.passes(checks.objective_E, make_E())


@pytest.mark.parametrize("run", REPEAT)
@pytest.mark.parametrize("wrong, hint", [
    (make_E(penalty=0.0), "penalty term is missing"),
    (make_E(bias=True), "penalized the biases"),
    (make_E(penalty=1.0), "λ/2m, not λ/m"),
    (make_E(ce_scale=1.0), "cross-entropy is missing its 1/m"),
    (make_E(sign=-1.0), "sign error"),
    (make_E(pen_sign=-1.0), "sign error"),
    (make_E(last_only=True), "EVERY"),
    (make_E(naive=True), "log-sigmoid"),
    (make_E(clip=True), "clipping"),
    (make_E(per_output=True), "divided the cross-entropy by m·n_L"),
])
def test_objective_E_mistakes_fail_with_their_hint(run, wrong, hint, checking):
    """Does each common mistake in E(w) fail with the hint that names it?"""
    checking.fails(checks.objective_E, wrong, hints=hint)


@pytest.mark.parametrize("seed", [176, 319, 427])
def test_objective_E_names_the_division_by_n_L_where_every_case_used_to_have_one_output(monkeypatch, seed, checking):
    """On seeds whose hidden networks used to have n_L = 1 in every unsaturated case (where dividing by m·n_L is
    dividing by m), is dividing by m·n_L still named (the first case now has n_L >= 2), not called clipping?"""
    monkeypatch.setattr(checks, "fresh_rng", lambda: np.random.default_rng(seed))
    checking.fails(checks.objective_E, make_E(per_output=True), hints="divided the cross-entropy by m·n_L")



@pytest.mark.parametrize("cheat, called", [
    (lambda net, X, Y, lam: bpkit.objective(net, X, Y, lam), "bpkit.objective"),
    (lambda net, X, Y, lam: bpkit.cross_entropy(net, X, Y) + bpkit.penalty(net, lam, len(X)), "bpkit.cross_entropy"),
    (lambda net, X, Y, lam: bpkit.CrossEntropy.fn(net.forward(X).sums[net.L], Y) + lam / (2 * len(X)) * sum(
        np.sum(w ** 2) for w in net.W), "bpkit.CrossEntropy.fn"),
    (lambda net, X, Y, lam: make_E(penalty=0.0)(net, X, Y, lam) + bpkit.penalty(net, lam, len(X)), "bpkit.penalty"),
    (lambda net, X, Y, lam: bpkit.gradient(net, X, Y, lam).E, "bpkit.gradient"),
], ids=["objective", "cross_entropy", "CrossEntropy.fn", "penalty", "gradient.E"])
def test_objective_E_cannot_be_copied_from_bpkit(cheat, called, checking):
    """Do answers that call bpkit for E or its parts (bpkit.objective, the cross-entropy, the penalty, a gradient's
    .E) fail with the hint that names what they called?"""
    checking.fails(checks.objective_E, cheat, hints=f"you called {called}: {CHEAT}")


def test_objective_E_unanswered_fails(checking):
    """Does the unanswered exercise fail and say so?"""
    checking.fails(checks.objective_E, checking.unanswered, hints="not answered yet")


def test_objective_E_cannot_be_fooled_by_mutating_the_network(checking):
    """Does an answer that zeroes the weights it was given (then reports E of zero weights) still fail?"""
    right = make_E()

    def sneaky(net, X, Y, lam):
        for l in net.W.layers():
            net.W[l] = np.zeros_like(net.W[l])
        return right(net, X, Y, lam)

    checking.fails(checks.objective_E, sneaky)


def test_objective_E_wrong_return_type_fails(checking):
    """Does returning an array instead of one number fail with a clear hint?"""
    checking.fails(checks.objective_E, lambda net, X, Y, lam: np.zeros(3), hints="one number")


# ------------------------------------------------------------------------ 03.2  penalty gradient
def make_grad(scale=1.0, m_power=1, transpose=False, squares=False, last_only=False):
    def penalty_grad(net, lam, m):
        out = []
        for l in net.W.layers():
            w = net.W[l]
            g = lam / m ** m_power * (w ** 2 / 2 if squares else w) * scale
            if last_only and l < net.L:
                g = np.zeros_like(w)
            out.append(g.T if transpose else g)
        return out

    return penalty_grad


@pytest.mark.parametrize("run", REPEAT)
def test_penalty_gradient_right_answer_passes(run, checking):
    """Does λ/m·w^l_ij for every layer pass?"""
    checking.passes(checks.penalty_gradient_check, make_grad())


@pytest.mark.parametrize("run", REPEAT)
@pytest.mark.parametrize("wrong, hint", [
    (make_grad(scale=0.5), "the 2 cancels"),
    (make_grad(m_power=0), "forgot the 1/m"),
    (make_grad(scale=-1.0), "sign error"),
    (make_grad(transpose=True), "swapped i and j"),
    (make_grad(squares=True), "not their derivative"),
    (make_grad(last_only=True), "every layer"),
])
def test_penalty_gradient_mistakes_fail_with_their_hint(run, wrong, hint, checking):
    """Does each common mistake in the penalty's gradient fail with its hint?"""
    checking.fails(checks.penalty_gradient_check, wrong, hints=hint)


def penalty_grad_by_two_gradients(net, lam, m):
    """Right: bpkit.gradient at λ minus bpkit.gradient at 0, on any data with m examples."""
    X, Y = np.zeros((m, net.sizes[0])), np.zeros((m, net.sizes[-1]))
    return [a - b for a, b in zip(bpkit.gradient(net, X, Y, lam).W, bpkit.gradient(net, X, Y, 0.0).W)]


def add_penalty_to_zeros(net, lam, m):
    """Right numbers, by bpkit's own penalty step added to zeros."""
    from bpkit.notation import Layers
    from bpkit.objective import add_penalty_gradient

    dW = Layers([np.zeros_like(w) for w in net.W], first=1)
    add_penalty_gradient(dW, None, net, lam, m)
    return list(dW)


@pytest.mark.parametrize("cheat, called", [
    (lambda net, lam, m: list(bpkit.penalty_gradient(net, lam, m)[0]), "bpkit.penalty_gradient"),
    (lambda net, lam, m: list(bpkit.objective.__globals__["penalty_gradient"](net, lam, m)[0]),
     "bpkit.penalty_gradient"),
    (penalty_grad_by_two_gradients, "bpkit.gradient"),
    (lambda net, lam, m: add_penalty_to_zeros(net, lam, m), "bpkit.objective.add_penalty_gradient"),
], ids=["penalty_gradient", "via-another-name", "two-gradients", "add_penalty_gradient"])
def test_penalty_gradient_cannot_be_copied_from_bpkit(cheat, called, checking):
    """Do answers that call bpkit.penalty_gradient (by any name) or take the difference of two bpkit gradients fail
    with the hint that names what they called?"""
    checking.fails(checks.penalty_gradient_check, cheat, hints=f"you called {called}: {CHEAT}")


def test_penalty_gradient_wrong_length_and_unanswered_fail(checking):
    """Do a list with an entry for layer 0, and the unanswered exercise, fail with clear hints?"""
    def with_layer0(net, lam, m):
        return [None] + make_grad()(net, lam, m)

    checking.fails(checks.penalty_gradient_check, with_layer0, hints="start at l = 1")
    checking.fails(checks.penalty_gradient_check, checking.unanswered, hints="not answered yet")


# ------------------------------------------------------------------------ 03.3  stable cross-entropy
def make_ce(kind="right"):
    def cross_entropy_stable(S, Y):
        m = S.shape[0]
        if kind == "naive":
            s = 1 / (1 + np.exp(-S))
            return -np.sum(Y * np.log(s) + (1 - Y) * np.log(1 - s)) / m
        if kind == "log1p":
            return np.sum(Y * np.log1p(np.exp(-S)) + (1 - Y) * np.log1p(np.exp(S))) / m
        if kind == "clip":
            s = np.clip(1 / (1 + np.exp(-S)), 1e-15, 1 - 1e-15)
            return -np.sum(Y * np.log(s) + (1 - Y) * np.log(1 - s)) / m
        losses = -(Y * log_sigmoid(S) + (1 - Y) * log_sigmoid(-S))
        if kind == "no-m":
            return losses.sum()
        if kind == "mean":
            return losses.mean()
        if kind == "sign":
            return -losses.sum() / m
        if kind == "swapped":
            return -(Y * log_sigmoid(-S) + (1 - Y) * log_sigmoid(S)).sum() / m
        return losses.sum() / m

    return cross_entropy_stable


@pytest.mark.parametrize("run", REPEAT)
def test_stable_cross_entropy_right_answer_passes(run, checking):
    """Does the log-sigmoid cross-entropy pass, including at sum^L = ±800?"""
    checking.passes(checks.stable_cross_entropy, make_ce())


@pytest.mark.parametrize("run", REPEAT)
@pytest.mark.parametrize("kind, hint", [
    ("naive", "log-sigmoid"),
    ("log1p", "np.logaddexp"),
    ("clip", "clipping"),
    ("no-m", "forgot the 1/m"),
    ("mean", "divided by m·n_L"),
    ("sign", "sign error"),
    ("swapped", "swapped"),
])
def test_stable_cross_entropy_mistakes_fail_with_their_hint(run, kind, hint, checking):
    """Does each common mistake (the naive log, overflow in exp, clipping, 1/m, sign, swapped y) fail with its hint?"""
    checking.fails(checks.stable_cross_entropy, make_ce(kind), hints=hint)


def cross_entropy_by_identity_network(S, Y):
    """Right: bpkit.objective of a one-layer network whose sums are S itself (w^1 = I, no bias, λ = 0)."""
    return bpkit.objective(bpkit.Network.from_weights([np.eye(S.shape[1])]), S, Y)


@pytest.mark.parametrize("cheat, called", [
    (lambda S, Y: bpkit.CrossEntropy.fn(S, Y), "bpkit.CrossEntropy.fn"),
    (lambda S, Y: bpkit.objective.__globals__["CrossEntropy"]().fn(S, Y), "bpkit.CrossEntropy.fn"),
    (cross_entropy_by_identity_network, "bpkit.objective"),
], ids=["CrossEntropy.fn", "an-instance", "identity-network"])
def test_stable_cross_entropy_cannot_be_copied_from_bpkit(cheat, called, checking):
    """Do answers that call bpkit's stable cross-entropy (directly, through an instance, or as E of a network whose
    sums are the given sum^L) fail with the hint that names what they called?"""
    checking.fails(checks.stable_cross_entropy, cheat, hints=f"you called {called}: {CHEAT}")


def test_stable_cross_entropy_unanswered_fails(checking):
    """Does the unanswered exercise fail?"""
    checking.fails(checks.stable_cross_entropy, checking.unanswered, hints="not answered yet")

"""Do lesson 05's graded checks pass every right answer and fail each common mistake with its hint?

Every check draws fresh hidden cases, so each test runs several times.
"""
from __future__ import annotations

import numpy as np
import pytest

from bpkit.checks import CheckFailed
from bpkit.checks import lesson05 as checks

REPEAT = range(5)


def passes(check, answer, capsys):
    check(answer)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("PASSED " + check.info.exercise), out
    return out


def fails(check, answer, *fragments):
    with pytest.raises(CheckFailed) as info:
        check(answer)
    text = str(info.value)
    assert text.startswith(f"FAILED {check.info.exercise} "), text
    for fragment in fragments:
        assert fragment in text, text
    return text


def unanswered(*args):
    raise NotImplementedError()


# ------------------------------------------------------------------------ 05.1  E(w)
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
def test_objective_E_right_answer_passes(run, capsys):
    """Does a right E(w), computed with the log-sigmoid, pass (one PASSED line)?"""
    passes(checks.objective_E, make_E(), capsys)


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
])
def test_objective_E_mistakes_fail_with_their_hint(run, wrong, hint):
    """Does each common mistake in E(w) fail with the hint that names it?"""
    fails(checks.objective_E, wrong, hint)


def test_objective_E_unanswered_fails():
    """Does the unanswered exercise fail and say so?"""
    fails(checks.objective_E, unanswered, "not answered yet")


def test_objective_E_cannot_be_fooled_by_mutating_the_network(capsys):
    """Does an answer that zeroes the weights it was given (then reports E of zero weights) still fail?"""
    right = make_E()

    def sneaky(net, X, Y, lam):
        for l in net.W.layers():
            net.W[l] = np.zeros_like(net.W[l])
        return right(net, X, Y, lam)

    fails(checks.objective_E, sneaky)


def test_objective_E_wrong_return_type_fails():
    """Does returning an array instead of one number fail with a clear hint?"""
    fails(checks.objective_E, lambda net, X, Y, lam: np.zeros(3), "one number")


# ------------------------------------------------------------------------ 05.2  penalty gradient
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
def test_penalty_gradient_right_answer_passes(run, capsys):
    """Does λ/m·w^l_ij for every layer pass?"""
    passes(checks.penalty_gradient_check, make_grad(), capsys)


@pytest.mark.parametrize("run", REPEAT)
@pytest.mark.parametrize("wrong, hint", [
    (make_grad(scale=0.5), "the 2 cancels"),
    (make_grad(m_power=0), "forgot the 1/m"),
    (make_grad(scale=-1.0), "sign error"),
    (make_grad(transpose=True), "swapped i and j"),
    (make_grad(squares=True), "not their derivative"),
    (make_grad(last_only=True), "every layer"),
])
def test_penalty_gradient_mistakes_fail_with_their_hint(run, wrong, hint):
    """Does each common mistake in the penalty's gradient fail with its hint?"""
    fails(checks.penalty_gradient_check, wrong, hint)


def test_penalty_gradient_wrong_length_and_unanswered_fail():
    """Do a list with an entry for layer 0, and the unanswered exercise, fail with clear hints?"""
    def with_layer0(net, lam, m):
        return [None] + make_grad()(net, lam, m)

    fails(checks.penalty_gradient_check, with_layer0, "start at l = 1")
    fails(checks.penalty_gradient_check, unanswered, "not answered yet")


# ------------------------------------------------------------------------ 05.3  stable cross-entropy
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
def test_stable_cross_entropy_right_answer_passes(run, capsys):
    """Does the log-sigmoid cross-entropy pass, including at sum^L = ±800?"""
    passes(checks.stable_cross_entropy, make_ce(), capsys)


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
def test_stable_cross_entropy_mistakes_fail_with_their_hint(run, kind, hint):
    """Does each common mistake (the naive log, overflow in exp, clipping, 1/m, sign, swapped y) fail with its hint?"""
    fails(checks.stable_cross_entropy, make_ce(kind), hint)


def test_stable_cross_entropy_unanswered_fails():
    """Does the unanswered exercise fail?"""
    fails(checks.stable_cross_entropy, unanswered, "not answered yet")

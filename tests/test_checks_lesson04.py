"""Do lesson 04's graded checks pass every right answer and fail each common mistake with its hint?

Every check draws fresh hidden cases, so each test runs several times.
"""
from __future__ import annotations

import numpy as np
import pytest

import bpkit
from check_answers import CHEAT, backprop_by_central_differences
from bpkit import activations
from bpkit.course.checks import lesson04 as checks

REPEAT = range(5)









def sig(s):
    return 1 / (1 + np.exp(-s))


def derivative(name, s):
    if name == "sigmoid":
        return sig(s) * (1 - sig(s))
    if name == "tanh":
        return 1 - np.tanh(s) ** 2
    return (s > 0).astype(float)


# ------------------------------------------------------------------------ 04.1  the recursion
def make_recursion(kind="right"):
    def dE_dsigma(net, record, dE_dsigma_next, l):
        act_next = net.activation(l + 1).name
        s_next = record.sums[l + 1]
        W = net.W[l + 1]
        if kind == "no-derivative":
            return dE_dsigma_next @ W.T
        if kind == "at-sigma":
            return (dE_dsigma_next * derivative(act_next, record.sigmas[l + 1])) @ W.T
        if kind == "transposed":
            return (dE_dsigma_next * derivative(act_next, s_next)) @ W
        if kind == "one-too-far":
            out = (dE_dsigma_next * derivative(act_next, s_next)) @ W.T
            return out * derivative(net.activation(l).name, record.sums[l])
        if kind == "sign":
            return -(dE_dsigma_next * derivative(act_next, s_next)) @ W.T
        if kind == "summed":
            return ((dE_dsigma_next * derivative(act_next, s_next)) @ W.T).sum(axis=0)
        if kind == "mutates":  # zeroes its inputs after computing the right answer
            out = (dE_dsigma_next * derivative(act_next, s_next)) @ W.T
            dE_dsigma_next[...] = 0
            W[...] = 0
            return out
        return (dE_dsigma_next * derivative(act_next, s_next)) @ W.T

    return dE_dsigma


@pytest.mark.parametrize("run", REPEAT)
@pytest.mark.parametrize("kind", ["right", "mutates"])
def test_recursion_right_answer_passes(run, kind, checking):
    """Does the recursion Σ_p ∂E/∂σ^(l+1)_p g'(sum^(l+1)_p) w^(l+1)_jp pass (even if it then mutates its inputs)?"""
    checking.passes(checks.recursion, make_recursion(kind))


@pytest.mark.parametrize("run", REPEAT)
@pytest.mark.parametrize("kind, hint", [
    ("no-derivative", "forgot the activation derivative"),
    ("at-sigma", "at σ^(l+1)_p"),
    ("transposed", "swapped i and j"),
    ("one-too-far", "one factor further"),
    ("sign", "sign error"),
    ("summed", "one row per example"),
])
def test_recursion_mistakes_fail_with_their_hint(run, kind, hint, checking):
    """Does each common mistake in the recursion fail with the hint that names it?"""
    checking.fails(checks.recursion, make_recursion(kind), hints=hint)


def test_recursion_may_use_the_activations_derivative(checking):
    """Does the solution's way, with bpkit's ∂σ/∂sum (net.activation(l + 1).derivative, 04.2's exercise, not this
    one's), still pass while bpkit's gradients are switched off?"""
    def dE_dsigma(net, record, dE_dsigma_next, l):
        return (dE_dsigma_next * net.activation(l + 1).derivative(record.sums[l + 1])) @ net.W[l + 1].T

    checking.passes(checks.recursion, dE_dsigma)


def recursion_by_backward(net, record, dE_dsigma_next, l):
    """Right when l + 1 = L: bpkit's backward pass seeded with δ^L = ∂E/∂σ^L · ∂σ^L/∂sum^L."""
    delta_L = dE_dsigma_next * (net.output.derivative(record.sums[net.L]) if l + 1 == net.L else 1.0)
    return bpkit.backward(net, record, delta_L)[2][l]


def test_recursion_cannot_be_copied_from_bpkit(checking):
    """Does an answer that runs bpkit's backward pass (whose memo holds every ∂E/∂σ^l) fail with the hint that
    names it?"""
    checking.fails(checks.recursion, recursion_by_backward, hints=f"you called bpkit.backward: {CHEAT}")


def test_recursion_unanswered_fails(checking):
    """Does the unanswered exercise fail?"""
    checking.fails(checks.recursion, checking.unanswered, hints="not answered yet")


# ------------------------------------------------------------------------ 04.2  activation derivatives
def make_dsigma(kind="right", only=None):
    def dsigma_dsum(name, s):
        if only is not None and name != only:
            return derivative(name, s)
        if kind == "value":
            return {"sigmoid": sig(s), "tanh": np.tanh(s), "relu": np.maximum(s, 0)}[name]
        if kind == "on-sum":
            return {"sigmoid": s * (1 - s), "tanh": 1 - s ** 2, "relu": (s > 0) * 1.0}[name]
        if kind == "no-square":
            return 1 - np.tanh(s)
        if kind == "ones":
            return np.ones_like(s)
        if kind == "sign":
            return -derivative(name, s)
        if kind == "scalar":
            return 0.25
        return derivative(name, s)

    return dsigma_dsum


@pytest.mark.parametrize("run", REPEAT)
def test_activation_derivatives_right_answer_passes(run, checking):
    """Do the right derivatives of sigmoid, tanh and relu pass?"""
    checking.passes(checks.activation_derivatives, make_dsigma())


@pytest.mark.parametrize("run", REPEAT)
@pytest.mark.parametrize("answer, hint", [
    (make_dsigma("value"), "not its derivative"),
    (make_dsigma("on-sum", only="sigmoid"), "for sigmoid: you applied σ·(1 - σ) to sum"),
    (make_dsigma("on-sum", only="tanh"), "for tanh: you applied 1 - σ² to sum"),
    (make_dsigma("no-square", only="tanh"), "forgot the square"),
    (make_dsigma("ones", only="relu"), "for relu: ∂σ/∂sum is 0 where sum <= 0"),
    (make_dsigma("value", only="relu"), "for relu: that is the activation's value"),
    (make_dsigma("sign"), "sign error"),
    (make_dsigma("scalar"), "not one number"),
])
def test_activation_derivatives_mistakes_fail_with_their_hint(run, answer, hint, checking):
    """Does each common mistake in ∂σ/∂sum fail with its hint, naming the activation?"""
    checking.fails(checks.activation_derivatives, answer, hints=hint)


@pytest.mark.parametrize("cheat, called", [
    (lambda name, s: activations.get(name).derivative(s), "derivative"),
    (lambda name, s: getattr(bpkit.activations, name).derivative(s), "derivative"),
    (lambda name, s: activations.ACTIVATIONS[name].derivative_from_value(activations.ACTIVATIONS[name].value(s)),
     "derivative_from_value"),
    (lambda name, s: bpkit.Network((1, 1, 1), hidden=name).activation(1).derivative(s), "derivative"),
], ids=["get", "module-instance", "from-value", "network-hidden"])
def test_activation_derivatives_cannot_be_copied_from_bpkit(cheat, called, checking):
    """Does bpkit's own ∂σ/∂sum fail with the hint that names it, however the (frozen) activation was reached:
    activations.get(name), the module's instance, the ACTIVATIONS table, a network's hidden activation?"""
    failed = checking.fails(checks.activation_derivatives, cheat, hints="you called bpkit.activations.")
    assert f".{called}: {CHEAT}" in failed.hint, failed.hint


def test_activation_derivatives_may_use_the_activations_value(checking):
    """Does an answer that takes σ = g(sum) from bpkit (activations.get(name).value) and differentiates it by hand
    still pass: only the derivatives are switched off?"""
    def dsigma_dsum(name, s):
        g = activations.get(name).value(s)
        return {"sigmoid": g * (1 - g), "tanh": 1 - g ** 2, "relu": (g > 0) * 1.0}[name]

    checking.passes(checks.activation_derivatives, dsigma_dsum)


def test_activation_derivatives_unanswered_fails(checking):
    """Does the unanswered exercise fail?"""
    checking.fails(checks.activation_derivatives, checking.unanswered, hints="not answered yet")


# ------------------------------------------------------------------------ 04.3  the third factor
def make_dW(kind="right"):
    def dE_dW_layer(record, delta, l):
        prev = record.sigmas[l - 1]
        if kind == "transposed":
            return delta.T @ prev
        if kind == "sigma-l":
            return record.sigmas[l].T @ delta
        if kind == "mean":
            return prev.T @ delta / delta.shape[0]
        if kind == "sign":
            return -prev.T @ delta
        if kind == "twice":
            act = record.net.activation(l).name
            return prev.T @ (delta * derivative(act, record.sums[l]))
        return prev.T @ delta

    return dE_dW_layer


@pytest.mark.parametrize("run", REPEAT)
def test_weight_factor_right_answer_passes(run, checking):
    """Does Σ_e σ^(l-1)_i δ^l_j, i.e. (σ^(l-1))ᵀ δ^l, pass?"""
    checking.passes(checks.weight_factor, make_dW())


@pytest.mark.parametrize("run", REPEAT)
@pytest.mark.parametrize("kind, hint", [
    ("transposed", "swapped i and j"),
    ("sigma-l", "σ^l instead of σ^{l-1}"),
    ("mean", "do not divide by m again"),
    ("sign", "sign error"),
    ("twice", "multiplied by it twice"),
])
def test_weight_factor_mistakes_fail_with_their_hint(run, kind, hint, checking):
    """Does each common mistake with ∂sum^l_j/∂w^l_ij = σ^(l-1)_i fail with its hint?"""
    checking.fails(checks.weight_factor, make_dW(kind), hints=hint)


def test_weight_factor_cannot_be_copied_from_bpkit(checking):
    """Does an answer that runs bpkit's backward pass from δ^l (right when l = L) fail with the hint that names it?"""
    checking.fails(checks.weight_factor, lambda record, delta, l: bpkit.backward(record.net, record, delta)[0][l],
                   hints=f"you called bpkit.backward: {CHEAT}")


def test_weight_factor_unanswered_fails(checking):
    """Does the unanswered exercise fail?"""
    checking.fails(checks.weight_factor, checking.unanswered, hints="not answered yet")


# ------------------------------------------------------------------------ 04.5  full backprop
def make_backprop(kind="right"):
    def backprop(net, X, Y, lam):
        m = X.shape[0]
        rec = net.forward(X)
        L = net.L
        delta = (rec.sigmas[L] - Y) / (1 if kind == "no-m" else m)
        if kind == "sign-delta":
            delta = -delta
        dW, db = [None] * L, [None] * L
        for l in range(L, 0, -1):
            src = rec.sigmas[l] if kind == "sigma-l" else rec.sigmas[l - 1]
            dW[l - 1] = src.T @ delta
            db[l - 1] = delta.sum(axis=0)
            if l > 1:
                W = net.W[l] if kind == "transposed-back" else net.W[l].T
                back = delta @ W
                if kind != "no-derivative":
                    back = back * derivative(net.hidden.name, rec.sums[l - 1])
                delta = back
        scale = {"no-lambda": 0.0, "half": 0.5 * lam / m, "no-m": lam}.get(kind, lam / m)
        for l in range(1, L + 1):
            dW[l - 1] = dW[l - 1] + scale * net.W[l]
            if kind == "bias" and net.b is not None:
                db[l - 1] = db[l - 1] + scale * net.b[l]
        if kind == "transposed":
            dW = [w.T for w in dW]
        if kind == "sign":
            dW = [-w for w in dW]
            db = [-b for b in db]
        if kind == "dW-only":
            return dW
        if kind == "reversed":
            dW = dW[::-1]
        return dW, (db if net.b is not None else None)

    return backprop


@pytest.mark.parametrize("run", REPEAT)
def test_full_backprop_right_answer_passes(run, checking):
    """Does a right backprop (any depth, biases or not, the λ/m·w term) pass?"""
    checking.passes(checks.full_backprop, make_backprop())


@pytest.mark.parametrize("run", REPEAT)
@pytest.mark.parametrize("kind, hint", [
    ("no-lambda", "forgot the λ/m·w^l_ij term"),
    ("transposed", "swapped i and j"),
    ("transposed-back", "swapped i and j"),
    ("sigma-l", "σ^l instead of σ^{l-1}"),
    ("no-derivative", "forgot the activation derivative"),
    ("no-m", "forgot 1/m"),
    ("sign", "sign error"),
    ("sign-delta", "sign error"),
    ("bias", "penalized the biases"),
    ("half", "not λ/2m·w^l_ij"),
    ("dW-only", "pair (dW, db)"),
])
def test_full_backprop_mistakes_fail_with_their_hint(run, kind, hint, checking):
    """Does each common backprop mistake fail with the hint that names it?"""
    checking.fails(checks.full_backprop, make_backprop(kind), hints=hint)




@pytest.mark.parametrize("cheat, called", [
    (lambda net, X, Y, lam: (list(bpkit.gradient(net, X, Y, lam).W),
                             None if net.b is None else list(bpkit.gradient(net, X, Y, lam).b)), "bpkit.gradient"),
    (lambda net, X, Y, lam: (list(bpkit.scalar.gradient(net, X, Y, lam).W),
                             None if net.b is None else list(bpkit.scalar.gradient(net, X, Y, lam).b)),
     "bpkit.scalar.gradient"),
    (lambda net, X, Y, lam: (list(bpkit.numerical_gradient(net, X, Y, lam).W),
                             None if net.b is None else list(bpkit.numerical_gradient(net, X, Y, lam).b)),
     "bpkit.numerical_gradient"),
    (backprop_by_central_differences, "bpkit.objective"),
], ids=["gradient", "scalar", "numerical", "central-differences-of-E"])
def test_full_backprop_cannot_be_copied_from_bpkit(cheat, called, checking):
    """Do answers that call one of bpkit's gradients, or take central differences of bpkit.objective, fail with the
    hint that names what they called?"""
    checking.fails(checks.full_backprop, cheat, hints=f"you called {called}: {CHEAT}")


def test_full_backprop_may_use_the_activations_derivative(checking):
    """Does the solution's way, with net.activation(l).derivative, still pass while the gradients are off?"""
    def backprop(net, X, Y, lam):
        m, L = X.shape[0], net.L
        rec = net.forward(X)
        delta = (rec.sigmas[L] - Y) / m
        dW, db = [None] * L, [None] * L
        for l in range(L, 0, -1):
            dW[l - 1] = rec.sigmas[l - 1].T @ delta + lam / m * net.W[l]
            db[l - 1] = delta.sum(axis=0)
            if l > 1:
                delta = (delta @ net.W[l].T) * net.activation(l - 1).derivative(rec.sums[l - 1])
        return dW, (db if net.b is not None else None)

    checking.passes(checks.full_backprop, backprop)


def test_full_backprop_unanswered_fails(checking):
    """Does the unanswered exercise fail?"""
    checking.fails(checks.full_backprop, checking.unanswered, hints="not answered yet")


def test_full_backprop_reversed_layers_fail(checking):
    """Does a list in the order L..1 fail (with the reverse-order hint when the shapes tell)?"""
    hint = checking.fails(checks.full_backprop, make_backprop("reversed")).hint
    assert "reverse order" in hint or "not right" in hint or "shape" in hint, hint


# ------------------------------------------------------------------------ 04.4  the bias gradient
def make_bias(kind="right"):
    def dE_db(net, record, dE_dsigma_l, l):
        s = record.sums[l]
        d = derivative(net.activation(l).name, record.sigmas[l] if kind == "at-sigma" else s)
        delta = dE_dsigma_l if kind == "no-derivative" else dE_dsigma_l * d
        if kind == "per-example":
            return delta
        if kind == "over-neurons":
            return delta.sum(axis=1)
        if kind == "mean":
            return delta.mean(axis=0)
        if kind == "sign":
            return -delta.sum(axis=0)
        return delta.sum(axis=0)
    return dE_db


@pytest.mark.parametrize("run", REPEAT)
def test_bias_gradient_right_answer_passes(run, checking):
    """Does Σ_e ∂E/∂σ^l_j · g'(sum^l_j), written without bpkit's gradient, pass?"""
    checking.passes(checks.bias_gradient, make_bias())


def test_bias_gradient_reference_is_the_central_difference_of_E():
    """Is the right answer of 04.4, from ∂E/∂σ^l, what central differences of E in b^l_j give?"""
    rng = np.random.default_rng(5)
    net = bpkit.Network((3, 4, 3, 2), hidden="tanh", seed=3)
    for l in net.b.layers():
        net.b[l] = rng.uniform(-1, 1, net.sizes[l])
    X, Y = rng.normal(size=(6, 3)), rng.integers(0, 2, size=(6, 2)).astype(float)
    g = bpkit.gradient(net, X, Y, lam=0.7)
    for l in (1, 2):
        ours = make_bias()(net, g.extras["record"], g.extras["dE_dsigma"][l], l)
        numeric = bpkit.numerical_gradient(net, X, Y, lam=0.7).b[l]
        np.testing.assert_allclose(ours, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("run", REPEAT)
@pytest.mark.parametrize("kind, hint", [
    ("no-derivative", "you forgot ∂σ^l_j/∂sum^l_j"),
    ("at-sigma", "you evaluated the activation derivative at σ^l_j"),
    ("mean", "do not average it"),
    ("sign", "sign error"),
    ("per-example", "one row per example"),
    ("over-neurons", "you summed over the neurons j"),
])
def test_bias_gradient_mistakes_fail_with_their_hint(run, kind, hint, checking):
    """Does each usual mistake of the bias gradient get its own hint?"""
    checking.fails(checks.bias_gradient, make_bias(kind), hints=hint)


def test_bias_gradient_cannot_be_copied_from_bpkit(checking):
    """Is bpkit.gradient switched off while 04.4's answer runs?"""
    def copied(net, record, dE_dsigma_l, l):
        return bpkit.gradient(net, record.sigmas[0], np.zeros((record.sigmas[0].shape[0], net.sizes[-1]))).b[l]
    checking.fails(checks.bias_gradient, copied, hints=f"you called bpkit.gradient: {CHEAT}")


def test_bias_gradient_unanswered_fails(checking):
    """Does the unanswered exercise fail?"""
    checking.fails(checks.bias_gradient, checking.unanswered, hints="not answered yet")


# ------------------------------------------------------------------------ 04.6  the planted bug
def layer_errors(net, X, Y, lam, claimed):
    """Relative error of each claimed ∂E/∂W^l against our own central differences of bpkit.objective."""
    errors = {}
    for l, dW in claimed.items():
        numeric = np.zeros_like(dW)
        for i in range(dW.shape[0]):
            for j in range(dW.shape[1]):
                plus, minus = net.copy(), net.copy()
                plus.W[l][i, j] += 1e-6
                minus.W[l][i, j] -= 1e-6
                numeric[i, j] = (bpkit.objective(plus, X, Y, lam) - bpkit.objective(minus, X, Y, lam)) / 2e-6
        errors[l] = np.linalg.norm(dW - numeric) / max(np.linalg.norm(dW) + np.linalg.norm(numeric), 1e-12)
    return errors


def make_finder(kind="right"):
    def find_bug(net, X, Y, lam, claimed):
        errors = layer_errors(net, X, Y, lam, claimed)
        wrong = [l for l, e in errors.items() if e > 1e-5]
        if kind == "lowest":
            return min(wrong)
        if kind == "zero-based":
            return max(wrong) - 1
        if kind == "largest-error":
            return max(errors, key=errors.get)
        if kind == "list":
            return wrong
        return max(wrong)
    return find_bug


@pytest.mark.parametrize("run", range(3))
def test_planted_bug_right_answer_passes(run, checking):
    """Does 'the highest layer whose ∂E/∂W^l disagrees with central differences' pass, on every kind of bug?"""
    checking.passes(checks.planted_bug, make_finder())


@pytest.mark.parametrize("seed", [16, 134, 992])
def test_planted_bug_is_always_visible_to_a_right_answer(seed, checking, monkeypatch):
    """Is every hidden case's bug big enough for a gradient check to see? With these seeds, a case is drawn whose
    bug changes ∂E/∂W^l by less than a gradient check can tell (tanh layers with g' ≈ 1): accepted as it is
    (VISIBLE = 0) it fails the right answer; the check draws it again and the right answer passes."""
    from bpkit.course.checks._core import seeded

    with seeded(seed):
        checking.passes(checks.planted_bug, make_finder())
    monkeypatch.setattr(checks, "VISIBLE", 0.0)
    with seeded(seed):
        with pytest.raises(Exception, match="FAILED 04.6"):
            checks.planted_bug(make_finder())


def test_planted_bug_may_use_bpkit_numerical_gradient(checking):
    """Is bpkit.numerical_gradient, the gradient check's own tool, allowed in 04.6?"""
    def find_bug(net, X, Y, lam, claimed):
        numeric = bpkit.numerical_gradient(net, X, Y, lam)
        wrong = [l for l, dW in claimed.items()
                 if np.linalg.norm(dW - numeric.W[l]) > 1e-5 * (np.linalg.norm(dW) + np.linalg.norm(numeric.W[l]))]
        return max(wrong)
    checking.passes(checks.planted_bug, find_bug)


@pytest.mark.parametrize("run", range(3))
@pytest.mark.parametrize("kind, hint", [
    ("lowest", "spreads to every layer below l"),
    ("zero-based", "one layer off"),
    ("list", "should return one layer number"),
])
def test_planted_bug_mistakes_fail_with_their_hint(run, kind, hint, checking):
    """Do the lowest wrong layer, a 0-based layer and a list of layers each get their hint?"""
    checking.fails(checks.planted_bug, make_finder(kind), hints=hint)


def test_planted_bug_cannot_be_found_with_bpkit_gradient(checking):
    """Is bpkit's analytic gradient switched off while 04.6's answer runs?"""
    def find_bug(net, X, Y, lam, claimed):
        right = bpkit.gradient(net, X, Y, lam)
        return max(l for l, dW in claimed.items() if not np.allclose(dW, right.W[l]))
    checking.fails(checks.planted_bug, find_bug, hints=f"you called bpkit.gradient: {CHEAT}")


def test_planted_bugs_are_where_they_say():
    """Does each planted bug make layer l_bug wrong, and (for bugs in δ^l) the layers below, and nothing above?"""
    from bpkit.course.checks.wrong_backprops import planted
    rng = np.random.default_rng(0)
    net = bpkit.Network((3, 4, 4, 3, 2), hidden="sigmoid", seed=1)
    X, Y = rng.normal(size=(5, 3)), rng.integers(0, 2, size=(5, 2)).astype(float)
    for kind, wrong in [("derivative", {1, 2, 3}), ("double", {1, 2, 3}), ("penalty", {3}), ("sign", {3})]:
        errors = layer_errors(net, X, Y, 2.0, planted(net, X, Y, 2.0, 3, kind))
        assert {l for l, e in errors.items() if e > 1e-5} == wrong, (kind, errors)


def test_planted_bug_unanswered_fails(checking):
    """Does the unanswered exercise fail?"""
    checking.fails(checks.planted_bug, checking.unanswered, hints="not answered yet")

"""Do lesson 02's graded checks pass every right answer and fail each common mistake with its hint?

Every check draws fresh hidden weights, inputs and activations, so each test runs several times.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import bpkit
from bpkit import example
from bpkit.course.checks import lesson02 as checks
from check_answers import CHEAT, unanswered

REPEAT = range(4)








# ------------------------------------------------------------------------------ 02.1
TABLE = {"w^1_1": (1, 0, 0), "w^1_2": (1, 1, 0), "w^1_3": (1, 2, 1), "w^1_4": (1, 3, 1),
         "w^2_1": (2, 0, 0), "w^2_2": (2, 1, 0)}          # read off the notes' formula by hand


@pytest.mark.parametrize("run", REPEAT)
def test_notes_names_right_answer_passes(run, checking):
    """Does the hand-made table of (l, i, j) pass, with exactly the PASSED line?"""
    checking.passes(checks.notes_names, lambda name: TABLE[name])


@pytest.mark.parametrize("wrong,hint", [
    (lambda n: (TABLE[n][0], TABLE[n][2], TABLE[n][1]), "swapped i and j"),
    (lambda n: (TABLE[n][0], TABLE[n][1] + 1, TABLE[n][2] + 1), "zero-indexed"),
    (lambda n: (3 - TABLE[n][0], TABLE[n][1], TABLE[n][2]), "the layer is wrong"),
    (lambda n: {"w^1_3": (1, 2, 0)}.get(n, TABLE[n]), "not a connection of the example network"),
    (lambda n: example.ij_name(n), "tuple of three integers"),
    (unanswered, "not answered yet"),
])
def test_notes_names_mistakes_fail_with_their_hint(wrong, hint, checking):
    """Do swapped i/j, one-based indices, the layer counted from the output, a missing connection, a string
    instead of a tuple and no answer each fail with the matching hint?"""
    checking.fails(checks.notes_names, wrong, hints=hint)


# ------------------------------------------------------------------------------ 02.2
def make_factors(mistake=None):
    def df_dg_and_dg_dw(net, x, name):
        l, i, j = TABLE[name]
        rec = net.forward(x)
        s2, s1 = rec.sums[2][0, 0], rec.sums[1][0, j]
        fp = net.output.derivative(s2)
        gp = net.hidden.derivative(s1)
        df_dg = fp * net.W[2][j, 0]
        dg_dw = gp * x[0, i]
        if mistake == "no f'":
            df_dg = net.W[2][j, 0]
        if mistake == "f not f'":
            df_dg = net.output.value(s2) * net.W[2][j, 0]
        if mistake == "no g'":
            dg_dw = x[0, i]
        if mistake == "sigma^l":
            dg_dw = gp * rec.sigmas[1][0, j]
        if mistake == "other input":
            dg_dw = gp * x[0, i ^ 1]
        if mistake == "other weight":
            df_dg = fp * net.W[2][1 - j, 0]
        if mistake == "sign":
            dg_dw = -dg_dw
        if mistake == "order":
            return dg_dw, df_dg
        return df_dg, dg_dw

    return df_dg_and_dg_dw


@pytest.mark.parametrize("run", REPEAT)
def test_chain_factors_right_answer_passes(run, checking):
    """Does f'(sum^2_0)·w^2_j0 and g'(sum^1_j)·σ^0_i pass for every first-layer weight and activation?"""
    checking.passes(checks.chain_factors, make_factors())


@pytest.mark.parametrize("mistake,hint", [
    ("no f'", "forgot the activation derivative: f is applied"),
    ("f not f'", "used the value f(sum^2_0)"),
    ("no g'", "forgot the activation derivative g'"),
    ("sigma^l", "σ^l instead of σ^{l-1}"),
    ("other input", "did you swap i and j?"),
    ("other weight", "wrong weight"),
    ("sign", "sign error"),
    ("order", "wrong order"),
])
@pytest.mark.parametrize("run", range(2))
def test_chain_factors_mistakes_fail_with_their_hint(mistake, hint, run, checking):
    """Does each common mistake in either factor fail with the hint that names it?"""
    checking.fails(checks.chain_factors, make_factors(mistake), hints=hint)


def test_chain_factors_unanswered_fails(checking):
    """Does an unanswered exercise fail with 'not answered yet'?"""
    checking.fails(checks.chain_factors, checking.unanswered, hints="not answered yet")


def test_chain_factors_cannot_be_fooled_by_mutating_the_network(checking):
    """Does an answer that zeroes the weights it was given still get graded on the real network?"""
    right = make_factors()

    def vandal(net, x, name):
        out = right(net, x, name)
        for w in net.W:
            w[...] = 0.0
        x[...] = 0.0
        return out

    checking.passes(checks.chain_factors, vandal)



@pytest.mark.parametrize("cheat, called", [
    (lambda net, x, name: (example.output_partials(net, x)[name], 1.0), "bpkit.example.output_partials"),
    (lambda net, x, name: (1.0, bpkit.output_gradient(net, x).W[1][TABLE[name][1], TABLE[name][2]]),
     "bpkit.output_gradient"),
], ids=["output_partials", "output_gradient"])
def test_chain_factors_cannot_call_bpkits_partials(cheat, called, checking):
    """Do answers that call bpkit's ∂o/∂w (by the example's table or bpkit.output_gradient) fail with the hint that
    names what they called?"""
    checking.fails(checks.chain_factors, cheat, hints=f"you called {called}: {CHEAT}")


def test_chain_factors_cannot_be_copied_from_bpkit(checking):
    """Is bpkit's own example.chain_factors switched off while the answer runs, and back on afterwards?"""
    failed = checking.fails(checks.chain_factors,
                            lambda net, x, name: (example.chain_factors(net, x)[name]["df/dg"],
                                                  example.chain_factors(net, x)[name]["dg/dw"]),
                            hints=f"you called bpkit.example.chain_factors: {CHEAT}")
    assert "Traceback" not in str(failed)
    net, x = example.network(), example.inputs()
    assert example.chain_factors(net, x)["w^1_1"]["product"] == example.output_partials(net, x)["w^1_1"]


# ------------------------------------------------------------------------------ 02.3
def product_form(sym, mistake=None):
    """The six partials written as the chain rule's factors; ``mistake`` breaks one of them."""
    x, y, z, w = sym["inputs"]
    W = sym["weights"]
    o, g1, g2 = sym["output"], sym["g1"], sym["g2"]
    fp = o * (1 - o)
    d = {"w^1_1": fp * W["w^2_1"] * g1 * (1 - g1) * x, "w^1_2": fp * W["w^2_1"] * g1 * (1 - g1) * y,
         "w^1_3": fp * W["w^2_2"] * g2 * (1 - g2) * z, "w^1_4": fp * W["w^2_2"] * g2 * (1 - g2) * w,
         "w^2_1": fp * g1, "w^2_2": fp * g2}
    if mistake == "no f'":
        d["w^1_1"] = W["w^2_1"] * g1 * (1 - g1) * x
    if mistake == "no g'":
        d["w^1_1"] = fp * W["w^2_1"] * x
    if mistake == "sigma^l first layer":
        d["w^1_1"] = fp * W["w^2_1"] * g1 * (1 - g1) * g1
    if mistake == "other input":
        d["w^1_2"] = fp * W["w^2_1"] * g1 * (1 - g1) * x
    if mistake == "sigma^l second layer":
        d["w^2_1"] = fp * o
    if mistake == "weight not g":
        d["w^2_1"] = fp * W["w^2_1"]
    if mistake == "sign":
        d["w^1_1"] = -d["w^1_1"]
    if mistake == "fresh symbol":
        d["w^1_1"] = d["w^1_1"].subs(W["w^2_1"], sp.Symbol("w^2_1"))
    if mistake == "foreign symbol":
        d["w^1_1"] = d["w^1_1"] * sp.Symbol("q") / sp.Symbol("q") + sp.Symbol("b")
    if mistake == "missing":
        del d["w^2_2"]
    if mistake == "derivative":
        d["w^2_1"] = sp.Derivative(o, W["w^2_1"])
    if mistake == "not a dict":
        return list(d.values())
    return d


def exponential_form(sym):
    """The same partials in another algebraic form: σ' = e^{-s} σ², no g or o helpers."""
    x, y, z, w = sym["inputs"]
    W = sym["weights"]

    def sig(s):
        return 1 / (1 + sp.exp(-s))

    def sigp(s):
        return sp.exp(-s) / (1 + sp.exp(-s)) ** 2

    s1 = {0: W["w^1_1"] * x + W["w^1_2"] * y, 1: W["w^1_3"] * z + W["w^1_4"] * w}
    s2 = W["w^2_1"] * sig(s1[0]) + W["w^2_2"] * sig(s1[1])
    return {"w^1_1": sigp(s2) * W["w^2_1"] * sigp(s1[0]) * x, "w^1_2": sigp(s2) * W["w^2_1"] * sigp(s1[0]) * y,
            "w^1_3": sigp(s2) * W["w^2_2"] * sigp(s1[1]) * z, "w^1_4": sigp(s2) * W["w^2_2"] * sigp(s1[1]) * w,
            "w^2_1": sigp(s2) * sig(s1[0]), "w^2_2": sigp(s2) * sig(s1[1])}


@pytest.mark.parametrize("run", range(2))
def test_sympy_partials_product_form_passes(run, checking):
    """Do the chain rule's factors, written with o, g_1, g_2 and f' = f(1-f), pass?"""
    checking.passes(checks.sympy_partials, product_form)


def test_sympy_partials_any_correct_form_passes(checking):
    """Does a different but equivalent form (exponentials, no helpers) pass too?"""
    checking.passes(checks.sympy_partials, exponential_form)


def test_sympy_partials_sympys_own_derivative_passes(checking):
    """Does sympy's own diff of the output pass (it is correct, if not in the spirit)?"""
    checking.passes(checks.sympy_partials,
                    lambda sym: {n: sp.diff(sym["output"], s) for n, s in sym["weights"].items()})


@pytest.mark.parametrize("mistake,hint", [
    ("no f'", "forgot the output's activation derivative"),
    ("no g'", "forgot the hidden activation derivative"),
    ("sigma^l first layer", "σ^l instead of σ^{l-1}"),
    ("other input", "wrong input"),
    ("sigma^l second layer", "σ^l instead of σ^{l-1}"),
    ("weight not g", "not the weight"),
    ("sign", "sign error"),
    ("fresh symbol", "new Symbol('w^2_1')"),
    ("foreign symbol", "symbols that are not the example's: b"),
    ("missing", "no entry for w^2_2"),
    ("derivative", "unevaluated derivative"),
    ("not a dict", "return a dict"),
])
def test_sympy_partials_mistakes_fail_with_their_hint(mistake, hint, checking):
    """Does each common mistake (a missing factor, σ^l for σ^(l-1), the wrong input, a sign, foreign symbols,
    a missing entry, an unevaluated derivative) fail with the matching hint?"""
    checking.fails(checks.sympy_partials, lambda sym: product_form(sym, mistake), hints=hint)


def test_sympy_partials_unanswered_fails(checking):
    """Does an unanswered exercise fail with 'not answered yet'?"""
    checking.fails(checks.sympy_partials, checking.unanswered, hints="not answered yet")


def test_symbolic_equivalence_falls_back_when_simplify_cannot_decide(monkeypatch):
    """When simplify leaves a difference unsimplified, does the high-precision fallback still tell equal from
    unequal expressions?"""
    sym, symbols = checks._symbols()
    o = sym["output"]
    monkeypatch.setattr(sp, "simplify", lambda e, *a, **k: e)
    rng = np.random.default_rng(0)
    assert checks._symbolically_equal(o * (1 - o), o - o ** 2, rng, symbols)
    assert not checks._symbolically_equal(o * (1 - o), o - o ** 2 + sp.Rational(1, 10**12) * sym["inputs"][0] ** 2,
                                          rng, symbols)


def test_sympy_partials_rejects_an_answer_equal_only_at_the_sampled_points(monkeypatch, checking):
    """If an answer matched at the random points but is not the same expression, does the symbolic check catch it?"""
    monkeypatch.setattr(checks, "_symbolically_equal", lambda a, b, rng, symbols: False)
    checking.fails(checks.sympy_partials, product_form, hints="not the same expression")


# ------------------------------------------------------------------------------ 02.4
def make_central(mistake=None):
    def central_difference(net, x, name, eps):
        l, i, j = TABLE[name]
        if mistake == "swapped":
            i, j = j, i
        W = net.W[l]
        old = W[i, j]

        def o():
            return net.forward(x).sigmas[2][0, 0]

        if mistake == "backprop":
            return example.output_partials(net, x)[name]
        o0 = o()
        W[i, j] = old + eps
        plus = o()
        if mistake == "not reset":
            W[i, j] -= eps
            minus = o()
        else:
            W[i, j] = old - eps
            minus = o()
        if mistake != "no restore":
            W[i, j] = old
        if mistake == "forward":
            return (plus - o0) / eps
        if mistake == "no 2":
            return (plus - minus) / eps
        if mistake == "sign":
            return (minus - plus) / (2 * eps)
        return (plus - minus) / (2 * eps)

    return central_difference


def backprop_by_hand(net, x, name, eps):
    """The exact ∂o/∂w by the chain rule (not a central difference at all)."""
    l, i, j = TABLE[name]
    rec = net.forward(x)
    fp = net.output.derivative(rec.sums[2][0, 0])
    if l == 2:
        return fp * rec.sigmas[1][0, i]
    return fp * net.W[2][j, 0] * net.hidden.derivative(rec.sums[1][0, j]) * x[0, i]


def test_central_difference_by_hand_from_backprop_is_named(checking):
    """Does the backpropagated value, computed by hand (bpkit's being switched off), get its own hint?"""
    checking.fails(checks.central_difference, backprop_by_hand, hints="backpropagated")


@pytest.mark.parametrize("seed", [553, 554, 602])
def test_central_difference_is_never_the_exact_derivative_within_the_tolerance(monkeypatch, seed, checking):
    """On hidden cases where the central difference used to lie within the tolerance of the exact ∂o/∂w (ε and
    the tolerance were too small for its O(ε²) error to show), does the exact value still fail?"""
    monkeypatch.setattr(checks, "fresh_rng", lambda: np.random.default_rng(seed))
    checking.fails(checks.central_difference, backprop_by_hand, hints="backpropagated")


@pytest.mark.parametrize("cheat, called", [
    (lambda net, x, name, eps: example.numerical_output_partials(net, x, eps)[name],
     "bpkit.example.numerical_output_partials"),
    (lambda net, x, name, eps: example.numerical_output_partials(net, x, eps)[name],
     "bpkit.example.numerical_output_partials"),
], ids=["example", "plots.chain"])
def test_central_difference_cannot_be_copied_from_bpkit(cheat, called, checking):
    """Does bpkit's own central difference on o (example.numerical_output_partials, also reached through
    bpkit.show.plots.chain) fail with the hint that names it?"""
    checking.fails(checks.central_difference, cheat, hints=f"you called {called}: {CHEAT}")


@pytest.mark.parametrize("run", REPEAT)
def test_central_difference_right_answer_passes(run, checking):
    """Does (o(w + ε) - o(w - ε)) / 2ε, restoring the weight, pass for every weight?"""
    checking.passes(checks.central_difference, make_central())


@pytest.mark.parametrize("mistake,hint", [
    ("forward", "forward difference"),
    ("no 2", "forgot the 2"),
    ("not reset", "did not start from the original weight"),
    ("sign", "sign error"),
    ("backprop", "switched off"),
    ("no restore", "restore the weight"),
    ("swapped", "swapped i and j"),
    (unanswered, "not answered yet"),
])
@pytest.mark.parametrize("run", range(2))
def test_central_difference_mistakes_fail_with_their_hint(mistake, hint, run, checking):
    """Does each common mistake in the central difference fail with the hint that names it?"""
    answer = mistake if callable(mistake) else make_central(mistake)
    checking.fails(checks.central_difference, answer, hints=hint)

r"""Graded checks for lesson 02: the chain rule on the notes' example network.

The example is x, y, z, w → g_1, g_2 → f (:mod:`bpkit.example`):

    o = f(w^2_1 g_1(w^1_1 x + w^1_2 y) + w^2_2 g_2(w^1_3 z + w^1_4 w))

* 02.1 the notes' single-index names -> (l, i, j) of w^l_ij;
* 02.2 the notes' two chain-rule factors ∂f/∂g_j and ∂g_j/∂w for a first-layer weight;
* 02.3 the six ∂o/∂w as sympy expressions, graded by symbolic equivalence and at random points;
* 02.4 ∂o/∂w by central differences on o itself.

Every check draws fresh hidden weights, inputs and activations on every run.
"""
from __future__ import annotations

import numpy as np

from bpkit import example, labels
from ._core import as_array, close, compare, fresh_rng, Hint
from .switch import switched_off
from .harness import check

__all__ = ["notes_names", "chain_factors", "sympy_partials", "central_difference"]

FIRST_LAYER = [n for n, (l, _, _) in example.NOTES_NAMES.items() if l == 1]


def _reference_functions():
    """The bpkit functions that would answer 02.2-02.4 outright (the chain-rule factors, ∂o/∂w by
    backpropagation or central differences, and the lesson's tables of them)."""
    return ["bpkit.example.chain_factors", "bpkit.example.output_partials", "bpkit.output_gradient",
            "bpkit.backward", "bpkit.example.numerical_output_partials", "bpkit.show.plots.chain.chain_rows",
            "bpkit.show.plots.chain.agreement_rows"]


def _random_case(rng, hidden=None):
    """A random example network (fresh weights, hidden activation) and a random input row."""
    weights = {n: float(rng.uniform(-2, 2)) for n in example.NOTES_NAMES}
    values = {n: float(rng.uniform(-2, 2)) for n in example.INPUTS}
    hidden = hidden or str(rng.choice(["sigmoid", "tanh"]))
    return example.network(weights, hidden=hidden), example.inputs(values), weights, values


# ------------------------------------------------------------------------------- 02.1
@check("02.1", "the notes' names w^1_1..w^2_2 as w^l_ij", points=1)
def notes_names(notes_to_lij):
    """``notes_to_lij(name)`` must return (l, i, j) with w^l_ij the notes' weight ``name``."""
    rng = fresh_rng()
    names = list(example.NOTES_NAMES)
    rng.shuffle(names)
    for name in names:
        l, i, j = example.NOTES_NAMES[name]
        answer = notes_to_lij(name)
        try:
            got = tuple(int(v) for v in answer)
            if len(got) != 3 or any(int(v) != v for v in answer):
                raise ValueError
        except (TypeError, ValueError):
            raise Hint(f"notes_to_lij({name!r}) should return a tuple of three integers (l, i, j), "
                       f"got {answer!r}.") from None
        if got == (l, i, j):
            continue
        gl, gi, gj = got
        if got == (l, j, i):
            raise Hint(f"{name}: you swapped i and j. In w^l_ij, i is the neuron of layer l-1 the weight "
                       "comes from and j the neuron of layer l it goes to.")
        if got == (l, i + 1, j + 1) or (gl == l and (gi == i + 1 or gj == j + 1)):
            raise Hint(f"{name}: neurons are zero-indexed: x is σ^0_0 and g_1 is σ^1_0.")
        if gl != l:
            raise Hint(f"{name}: the layer is wrong. w^l_ij feeds layer l: the weights into g_1, g_2 are "
                       "w^1, the weights into f are w^2.")
        net = example.network()
        if not (0 <= gi < net.n(l - 1) and 0 <= gj < net.n(l)) or not net.connected(l, gi, gj):
            raise Hint(f"{name}: {labels.weight_text(gl, gi, gj)} is not a connection of the example network "
                       "(x and y feed only g_1, z and w only g_2). Read the notes' formula again.")
        raise Hint(f"{name}: not the right weight. Find the input and the neuron it multiplies in the "
                   "notes' formula.")


# ------------------------------------------------------------------------------- 02.2
def _pair(answer, name):
    try:
        a, b = answer
        return float(a), float(b)
    except (TypeError, ValueError):
        raise Hint(f"for {name} return a pair of numbers (∂f/∂g_j, ∂g_j/∂w), got {answer!r}.") from None


@check("02.2", "the chain-rule factors ∂f/∂g_j and ∂g_j/∂w^1", points=2)
def chain_factors(df_dg_and_dg_dw):
    """``df_dg_and_dg_dw(net, x, name)`` -> (∂f/∂g_j, ∂g_j/∂w) for the first-layer weight ``name``."""
    rng = fresh_rng()
    for hidden in rng.permutation(["sigmoid", "tanh"]):
        net, x, weights, values = _random_case(rng, str(hidden))
        rec = net.forward(x)
        s2 = float(rec.sums[2][0, 0])
        f, fp = float(net.output.value(s2)), float(net.output.derivative(s2))
        names = list(FIRST_LAYER)
        rng.shuffle(names)
        for name in names:
            l, i, j = example.NOTES_NAMES[name]
            ref = example.chain_factors(net, x)[name]
            df_dg, dg_dw = ref["df/dg"], ref["dg/dw"]
            s1 = float(rec.sums[1][0, j])
            g, gp = float(net.hidden.value(s1)), float(net.hidden.derivative(s1))
            u = float(x[0, i])
            w2 = net.w(2, j, 0)
            with switched_off(*_reference_functions()):
                answer = df_dg_and_dg_dw(net.copy(), x.copy(), name)
            a, b = _pair(answer, name)
            if not (close(a, df_dg) and close(b, dg_dw)) and close(a, dg_dw) and close(b, df_dg):
                raise Hint("you returned the factors in the wrong order: first ∂f/∂g_j, then ∂g_j/∂w.")
            where = f"for {name} = w^1_{i}{j} (hidden activation {net.hidden.name})"
            compare(a, df_dg, f"∂f/∂g_{j + 1} {where}", mistakes={
                f"∂f/∂g_{j + 1} {where}: you forgot the activation derivative: f is applied to sum^2_0, so "
                "∂f/∂g_j = f'(sum^2_0) · ∂sum^2_0/∂g_j.": w2,
                f"∂f/∂g_{j + 1} {where}: you used the value f(sum^2_0) where its derivative "
                "f'(sum^2_0) belongs.": f * w2,
                f"∂f/∂g_{j + 1} {where}: wrong weight: g_{j + 1} = σ^1_{j} reaches f through w^2_{j}0.":
                    fp * net.w(2, 1 - j, 0),
                f"∂f/∂g_{j + 1} {where}: sign error.": -df_dg,
            })
            other = float(x[0, {0: 1, 1: 0, 2: 3, 3: 2}[i]])
            compare(b, dg_dw, f"∂g_{j + 1}/∂{name} {where}", mistakes={
                f"∂g_{j + 1}/∂{name} {where}: you forgot the activation derivative g'(sum^1_{j}).": u,
                f"∂g_{j + 1}/∂{name} {where}: you used σ^l instead of σ^{{l-1}}: ∂sum^1_j/∂w^1_ij is the "
                "neuron the weight comes from, in layer 0.": gp * g,
                f"∂g_{j + 1}/∂{name} {where}: you used the value g(sum^1_{j}) where its derivative "
                f"g'(sum^1_{j}) belongs.": g * u,
                f"∂g_{j + 1}/∂{name} {where}: wrong input: ∂sum^1_j/∂w^1_ij = σ^0_i, the input this "
                "weight multiplies (did you swap i and j?).": gp * other,
                f"∂g_{j + 1}/∂{name} {where}: sign error.": -dg_dw,
            })


# ------------------------------------------------------------------------------- 02.3
def _symbols():
    sym = example.symbolic()
    return sym, list(sym["inputs"]) + [sym["weights"][n] for n in example.NOTES_NAMES]


def _mistakes(sym, name):
    """Sympy forms of the common wrong answers for ∂o/∂``name`` (sigmoid g, as in symbolic())."""
    l, i, j = example.NOTES_NAMES[name]
    Wt = sym["weights"]
    o = sym["output"]
    fp = o * (1 - o)
    gs = (sym["g1"], sym["g2"])
    w2 = {0: Wt["w^2_1"], 1: Wt["w^2_2"]}
    if l == 2:
        g, other = gs[i], gs[1 - i]
        right = fp * g
        return right, {
            "you forgot the activation derivative: o = f(sum^2_0), so ∂o/∂w^2_i0 = f'(sum^2_0) · "
            "∂sum^2_0/∂w^2_i0, with f'(s) = f(s)(1 - f(s)).": g,
            "∂sum^2_0/∂w^2_i0 is σ^1_i (the hidden neuron the weight comes from), not the weight.":
                fp * w2[i],
            "you used σ^l instead of σ^{l-1}: the factor ∂sum^2_0/∂w^2_i0 is the hidden neuron g, "
            "not the output f.": fp * o,
            "wrong hidden neuron: check which g the weight multiplies in the notes' formula "
            "(did you swap i and j?).": fp * other,
            "sign error.": -right,
        }
    u = sym["inputs"][i]
    other = sym["inputs"][{0: 1, 1: 0, 2: 3, 3: 2}[i]]
    g = gs[j]
    gp = g * (1 - g)
    right = fp * w2[j] * gp * u
    return right, {
        "you forgot the output's activation derivative f'(sum^2_0) = f(1 - f).": w2[j] * gp * u,
        "you forgot the hidden activation derivative g'(sum^1_j) = g_j(1 - g_j).": fp * w2[j] * u,
        "you forgot the factor ∂sum^2_0/∂g_j = w^2_j0 (the weight from g_j to f).": fp * gp * u,
        "you forgot the factor ∂sum^1_j/∂w^1_ij = σ^0_i (the input the weight multiplies).": fp * w2[j] * gp,
        "you used σ^l instead of σ^{l-1}: ∂sum^1_j/∂w^1_ij is the input σ^0_i, not g_j.": fp * w2[j] * gp * g,
        "wrong input: ∂sum^1_j/∂w^1_ij = σ^0_i, the input this very weight multiplies "
        "(did you swap i and j?).": fp * w2[j] * gp * other,
        "wrong path: g_j reaches f through its own weight w^2_j0.": fp * w2[1 - j] * gp * u,
        "sign error.": -right,
    }


def _evaluate(expr, symbols, points) -> np.ndarray:
    """``expr`` at every row of ``points`` (one value per symbol), lambdified once.

    The example's symbols are named "w^1_1" ..., not Python identifiers: they are replaced by
    plain ones first (lambdify would otherwise rename them itself, slowly)."""
    import sympy as sp

    plain = sp.symbols(f"s0:{len(symbols)}", real=True)
    f = sp.lambdify(plain, expr.xreplace(dict(zip(symbols, plain))), modules="numpy")
    with np.errstate(all="ignore"):
        values = f(*np.asarray(points, dtype=float).T)
    return np.broadcast_to(np.asarray(values, dtype=complex), (len(points),)).copy()


def _points(rng, k):
    return rng.uniform(-2, 2, size=(k, 10))


def _symbolically_equal(a, b, rng, symbols) -> bool:
    """sympy.simplify(a - b) == 0, with a fallback when simplify cannot decide: the same
    difference rewritten in exponentials, then 40-digit evaluation at 12 random points."""
    import sympy as sp

    d = a - b
    try:
        if sp.simplify(d) == 0:
            return True
        if sp.simplify(sp.expand(d.rewrite(sp.exp))) == 0:
            return True
    except Exception:  # simplify can fail on odd inputs; the fallback below still decides
        pass
    for p in _points(rng, 12):
        v = sp.N(d.subs(dict(zip(symbols, [sp.Rational(float(t)).limit_denominator(10**6) for t in p]))), 40)
        scale = sp.N(sp.Abs(b.subs(dict(zip(symbols, [sp.Rational(float(t)).limit_denominator(10**6)
                                                     for t in p])))), 40)
        if not v.is_number or abs(complex(v)) > 1e-25 * max(1.0, float(scale)):
            return False
    return True


@check("02.3", "∂o/∂w of the example as sympy expressions", points=3)
def sympy_partials(example_partials):
    """``example_partials(sym)`` -> {notes' name: ∂o/∂w as a sympy expression}, sym = example.symbolic().

    Graded at random points (fresh every run) and by symbolic equivalence, so any correct
    form passes; the common wrong forms get a hint.
    """
    import sympy as sp

    rng = fresh_rng()
    sym, symbols = _symbols()
    # the student gets the example's symbols and expressions, not its "partials" (the answer itself)
    answer = example_partials({k: v for k, v in sym.items() if k != "partials"})
    if not isinstance(answer, dict):
        raise Hint(f"return a dict {{'w^1_1': expression, ...}}, got {type(answer).__name__}.")
    missing = [n for n in example.NOTES_NAMES if n not in answer]
    if missing:
        raise Hint(f"the dict has no entry for {', '.join(missing)}: give all six, keyed by the notes' "
                   "names 'w^1_1' ... 'w^2_2'.")
    allowed = set(symbols)
    points = _points(rng, 6)
    names = list(example.NOTES_NAMES)
    for name in names:
        if isinstance(answer[name], str):  # sympify would evaluate the text as Python: never
            raise Hint(f"∂o/∂{name}: return a sympy expression built from the symbols of sym, not a string.")
        try:
            expr = sp.sympify(answer[name], strict=True)
        except (sp.SympifyError, TypeError):
            raise Hint(f"∂o/∂{name}: not a sympy expression ({type(answer[name]).__name__}).") from None
        if expr.has(sp.Derivative) or expr.has(sp.Subs):
            raise Hint(f"∂o/∂{name} still contains an unevaluated derivative: write the chain rule's "
                       "factors out.")
        foreign = expr.free_symbols - allowed
        if foreign:
            names_ = {s.name for s in allowed}
            same = sorted(s.name for s in foreign if s.name in names_)
            if same:
                raise Hint(f"∂o/∂{name} uses a new Symbol({same[0]!r}); use the symbols of "
                           "example.symbolic() (they are real=True, so a fresh symbol with the same name "
                           "is a different symbol).")
            raise Hint(f"∂o/∂{name} contains symbols that are not the example's: "
                       f"{', '.join(sorted(s.name for s in foreign))}.")
        right, mistakes = _mistakes(sym, name)
        try:
            got = _evaluate(expr, symbols, points)
        except Exception as e:
            raise Hint(f"∂o/∂{name} cannot be evaluated at numbers ({type(e).__name__}: {e}).") from None
        if not np.all(np.isfinite(got)):
            raise Hint(f"∂o/∂{name} is not finite at some real weights and inputs.")
        if np.any(np.abs(got.imag) > 1e-12):
            raise Hint(f"∂o/∂{name} is not real at some real weights and inputs.")
        got = got.real
        expected = _evaluate(right, symbols, points).real
        wrong = {hint: _evaluate(e, symbols, points).real for hint, e in mistakes.items()}
        ok = close(got, expected, rtol=1e-8, atol=1e-12)
        if not ok:
            try:
                compare(got, expected, f"∂o/∂{name}", mistakes=wrong, rtol=1e-8, atol=1e-12)
            except Hint as h:
                raise Hint(f"∂o/∂{name} = ∂o/∂{example.ij_name(name)}: {h.hint}") from None
        if not _symbolically_equal(expr, right, rng, symbols):
            raise Hint(f"∂o/∂{name} agrees with the right answer at the sampled points but is not the "
                       "same expression: check it symbolically.")


# ------------------------------------------------------------------------------- 02.4
def _o(net, x) -> float:
    return float(net.forward(x).sigmas[net.L][0, 0])


def _shifted(net, x, lij, *shifts) -> list[float]:
    l, i, j = lij
    out = []
    for s in shifts:
        work = net.copy()
        work.W[l][i, j] += s
        out.append(_o(work, x))
    return out


@check("02.4", "∂o/∂w by central differences on o", points=2)
def central_difference(central_difference):
    """``central_difference(net, x, name, eps)`` -> (o(w + ε) - o(w - ε)) / 2ε for the notes' weight ``name``."""
    rng = fresh_rng()
    # w^1_2 = w^1_10 first: its transpose w^1_01 is a (missing) entry of W[1], so a student who
    # swapped i and j gets that hint rather than an IndexError from w^1_21 -> W[1][1, 2]
    rest = [n for n in example.NOTES_NAMES if n != "w^1_2"]
    names = ["w^1_2"] + [str(n) for n in rng.permutation(rest)]
    net, x, _, _ = _random_case(rng)
    for name in names:
        # ε large enough that the central difference differs from the exact ∂o/∂w (by about ε²/6 times
        # the third derivative) far beyond the tolerance, so that bpkit's backpropagated value cannot
        # pass for it; rounding, about 1e-16/ε, stays far below the tolerance
        eps = float(rng.choice([5e-3, 1e-2, 2e-2]))
        l, i, j = example.NOTES_NAMES[name]
        work, xw = net.copy(), x.copy()
        with switched_off(*_reference_functions()):
            got = central_difference(work, xw, name, eps)
        got = float(as_array(got, f"central_difference(net, x, {name!r}, eps)", ()))
        if not (np.array_equal(work.W[l], net.W[l]) and np.array_equal(xw, x)):
            changed = "the input x" if not np.array_equal(xw, x) else labels.weight_text(l, i, j)
            raise Hint(f"after central_difference(net, x, {name!r}, eps) {changed} is not what it was: "
                       "restore the weight you perturbed (or perturb a copy).")
        plus, zero, minus = _shifted(net, x, (l, i, j), eps, 0.0, -eps)
        expected = (plus - minus) / (2 * eps)
        mistakes = {
            "that is a forward difference (o(w + ε) - o(w)) / ε; take the central one, "
            "(o(w + ε) - o(w - ε)) / 2ε: its error is O(ε²).": (plus - zero) / eps,
            "that is a backward difference (o(w) - o(w - ε)) / ε; take the central one.": (zero - minus) / eps,
            "you forgot the 2 in 2ε: the two points are 2ε apart.": (plus - minus) / eps,
            "the second evaluation did not start from the original weight: set w to w - ε, not "
            "(w + ε) - ε.": (plus - zero) / (2 * eps),
            "sign error: (o(w + ε) - o(w - ε)), in that order.": -expected,
            "that is the backpropagated ∂o/∂w, not the central difference on o.":
                example.output_partials(net, x)[name],
        }
        if l == 1 and j < net.n(0) and i < net.n(1):
            p, m_ = _shifted(net, x, (l, j, i), eps, -eps)
            mistakes["you perturbed w^l_ji: swapped i and j (W[l][i, j] is from neuron i of layer l-1 "
                      "to neuron j of layer l)."] = (p - m_) / (2 * eps)
        compare(got, expected, f"the central difference for {name} = {labels.weight_text(l, i, j)}", mistakes=mistakes,
                rtol=1e-9, atol=1e-12)

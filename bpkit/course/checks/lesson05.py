r"""Graded checks for lesson 05: memoization, and the cost of a gradient.

* 05.1 the whole memo table {(l, j): ∂E/∂σ^l_j}, filled right to left from ∂E/∂σ^L with the recursion
  ∂E/∂σ^l_j = Σ_p ∂E/∂σ^{l+1}_p · ∂σ^{l+1}_p/∂sum^{l+1}_p · w^{l+1}_jp (the quantity 04.1 propagates
  one layer), and the order its entries were written;
* 05.2 the multiplications that write one layer of that table from the next, the products
  ∂E/∂σ^{l+1}_p · ∂σ^{l+1}_p/∂sum^{l+1}_p memoized;
* 05.3 the number of paths from w^l_ij to the outputs (what the naive chain rule follows);
* 05.4 the multiplications of a gradient by central differences, for any architecture and m.

Every check draws fresh hidden networks, sizes and activations on every run; references
are :func:`bpkit.scalar.gradient` (its memo table, its steps and their order, its counters),
:func:`bpkit.naive.paths` and :func:`bpkit.cost.central_difference_count`.
"""
from __future__ import annotations

import numpy as np

from bpkit import cost, labels, naive, scalar
from bpkit.objective import CrossEntropy
from ._core import Hint, close, fresh_rng, shape_of
from .switch import GRADIENTS, call_answer, switched_off
from .harness import check, copies
from .common import random_network

__all__ = ["memo_table", "memo_step_count", "path_count", "central_difference_multiplications"]


def _reference_functions():
    """The bpkit functions that would answer 05.1-05.4 outright (gradients with their memo
    tables and counters, the closed-form counts, the list of paths)."""
    return [*GRADIENTS, "bpkit.scalar.multiplication_count", "bpkit.naive.multiplication_count",
            "bpkit.naive.paths", "bpkit.cost.central_difference_count", "bpkit.cost.objective_count",
            "bpkit.cost.n_parameters", "bpkit.cost.gradient_cost_row", "bpkit.cost.gradient_cost_sweep"]


def _random_net(rng, sizes, bias=None, hidden=None):
    return random_network(rng, bias=bias, hidden=hidden, sizes=sizes, biases=None)


def _data(rng, sizes, m):
    X = rng.normal(size=(m, sizes[0]))
    Y = (rng.random((m, sizes[-1])) < 0.5).astype(float)
    return X, Y


def _int_answer(value, what):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise Hint(f"{what} should be a whole number, got {value!r}.") from None
    if not np.isfinite(v) or v != int(v):
        raise Hint(f"{what} should be a whole number, got {value!r}.")
    return int(v)


# ------------------------------------------------------------------------------- 05.1
def _memo_cases(rng):
    """Three hidden cases: sizes (L ≥ 2) and m. The first is square with a smooth activation (a transposed
    W has the right shape, and ∂σ/∂sum is never exactly 1 or 0); the others are random."""
    n = int(rng.integers(2, 5))
    cases = [((n,) * int(rng.integers(3, 5)), str(rng.choice(["sigmoid", "tanh"])), int(rng.integers(2, 6)))]
    for _ in range(2):
        L = int(rng.integers(2, 5))
        cases.append((tuple(int(k) for k in rng.integers(1, 6, size=L + 1)), None, int(rng.integers(2, 6))))
    return cases


def _table(net, record, dE_dsigma_L, entry):
    """A memo table filled right to left, ``entry(l, j, table)`` giving every hidden entry; layer L is
    ∂E/∂σ^L as given. What a correct fill or a fill with one mistake writes."""
    L = net.L
    table = {(L, k): dE_dsigma_L[:, k] for k in range(net.n(L))}
    for l in range(L - 1, 0, -1):
        for j in range(net.n(l)):
            table[(l, j)] = entry(l, j, table)
    return table


def _memo_mistakes(net, record, dE_dsigma_L, expected):
    """The tables the usual mistakes write (hint -> table), computed on this very case."""
    L = net.L
    g = {l: net.activation(l).derivative(record.sums[l]) for l in range(1, L + 1)}
    g_at_sigma = {l: net.activation(l).derivative(record.sigmas[l]) for l in range(1, L + 1)}

    def fill(factor, transpose=False, sign=1.0, scale=1.0):
        start = dE_dsigma_L * scale

        def entry(l, j, table):
            nxt = np.stack([table[(l + 1, p)] for p in range(net.n(l + 1))], axis=1)
            w = net.W[l + 1][:, j] if transpose else net.W[l + 1][j, :]
            return sign * (nxt * factor(l, j)) @ w
        return _table(net, record, start, entry)

    mistakes = {
        "you forgot the activation derivative ∂σ^{l+1}_p/∂sum^{l+1}_p of layer l+1: the recursion multiplies "
        "each ∂E/∂σ^{l+1}_p by it before the weight.": fill(lambda l, j: 1.0),
        "you used the activation derivative of layer l (at sum^l_j) where the one of layer l+1 (at "
        "sum^{l+1}_p) belongs.": fill(lambda l, j: g[l][:, [j]]),
        "you evaluated the activation derivative at σ^{l+1}_p; ∂σ^{l+1}_p/∂sum^{l+1}_p is g' at "
        "sum^{l+1}_p.": fill(lambda l, j: g_at_sigma[l + 1]),
        "sign error: the recursion has no minus sign.": fill(lambda l, j: g[l + 1], sign=-1.0),
        "∂E/∂σ^L is given as it is (it already contains the 1/m): do not divide it by m again.":
            fill(lambda l, j: g[l + 1], scale=1.0 / record.m),
        "the table holds ∂E/∂σ^l_j; you stored ∂E/∂sum^l_j = ∂E/∂σ^l_j · ∂σ^l_j/∂sum^l_j (one factor "
        "further).": {(l, j): v * g[l][:, j] for (l, j), v in expected.items()},
    }
    if all(net.n(l) == net.n(l + 1) for l in range(1, L)):
        mistakes["you swapped i and j (transposed W^{l+1}): ∂sum^{l+1}_p/∂σ^l_j = w^{l+1}_jp, row j, "
                 "column p."] = fill(lambda l, j: g[l + 1], transpose=True)
    return mistakes


def _memo_form(answer, keys, m, where):
    """05.1's form: a pair (table, order); the table a dict with exactly the keys (l, j), l = 1..L,
    each value a vector of m numbers. Returns the table with float arrays."""
    if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
        raise Hint(f"{where}: return two things, (memo, order): the table and the list of the entries "
                   "in the order you wrote them.")
    memo, order = answer
    if not isinstance(memo, dict):
        raise Hint(f"{where}: memo should be a dict {{(l, j): ∂E/∂σ^l_j}}, got {type(memo).__name__}.")
    try:
        got = {(int(k[0]), int(k[1])) for k in memo}
    except (TypeError, ValueError, IndexError):
        raise Hint(f"{where}: the keys of memo should be pairs (l, j).") from None
    L = max(l for l, _ in keys)
    if any(l == 0 for l, _ in got):
        raise Hint(f"{where}: layer 0 is the input, it has no ∂E/∂σ entry in the table: l runs from 1 to L.")
    missing = sorted(set(keys) - got, reverse=True)
    if missing and all(l == L for l, _ in missing):
        raise Hint(f"{where}: the table also holds the output layer's entries ∂E/∂σ^L_k (the given "
                   "dE_dsigma_L): the recursion starts from them.")
    if missing or got != set(keys):
        extra = sorted(got - set(keys))
        raise Hint(f"{where}: the table should have exactly one entry for every neuron (l, j) of layers "
                   f"1..L; missing {missing[:4]}, unexpected {extra[:4]}.")
    table = {}
    for k, v in memo.items():
        key = (int(k[0]), int(k[1]))
        shape = shape_of(v)
        if shape != (m,):
            raise Hint(f"{where}: the entry {key} has shape {shape}; each ∂E/∂σ^l_j is a vector with one value "
                       f"per example, shape ({m},).")
        table[key] = np.asarray(v, dtype=float)
    return table, order


def _check_order(order, expected_order, where):
    """05.1's order: every (l, j) once, layer L first, then L-1, ..., 1, j = 0, 1, ... within a layer."""
    try:
        got = [(int(e[0]), int(e[1])) for e in order]
    except (TypeError, ValueError, IndexError):
        raise Hint(f"{where}: order should be a list of pairs (l, j), in the order the entries were written.") \
            from None
    if got == expected_order:
        return
    if sorted(got) != sorted(expected_order):
        raise Hint(f"{where}: order should list every entry (l, j) of the table exactly once "
                   f"({len(expected_order)} entries; you listed {len(got)}).")
    layers = [l for l, _ in got]
    if layers != sorted(layers, reverse=True):
        raise Hint(f"{where}: the table fills right to left: every entry of layer l+1 must be written before "
                   "any entry of layer l reads it (layer L first, then L-1, ..., 1).")
    raise Hint(f"{where}: within a layer, write j = 0, 1, 2, ... in turn (as bpkit.scalar.gradient does).")


@check("05.1", "the memo table {(l, j): ∂E/∂σ^l_j}, filled right to left", points=3)
def memo_table(fill_memo):
    """``fill_memo(net, record, dE_dsigma_L)`` -> (memo, order): memo {(l, j): ∂E/∂σ^l_j, shape (m,)} for
    l = 1..L, order the list of (l, j) in the order they were written."""
    rng = fresh_rng()
    for sizes, hidden, m in _memo_cases(rng):
        net = _random_net(rng, sizes, hidden=hidden)
        X, Y = _data(rng, sizes, m)
        g = scalar.gradient(net, X, Y)
        record = g.extras["record"]
        expected = g.extras["memo"]
        expected_order = [tuple(s.writes[1:]) for s in g.extras["steps"]]
        dE_dsigma_L = CrossEntropy.dE_dsigma(record.sigmas[net.L], Y)
        where = (f"(hidden case: sizes {'-'.join(map(str, sizes))}, m = {m}, {net.hidden.name}"
                 f"{', biases' if net.b is not None else ''})")
        answer = call_answer(fill_memo, *copies((net, record, dE_dsigma_L)), off=_reference_functions())
        table, order = _memo_form(answer, list(expected), m, where)
        mistakes = _memo_mistakes(net, record, dE_dsigma_L, expected)
        for key in expected_order:                   # right to left: name the first entry that is wrong
            if close(table[key], expected[key]):
                continue
            matching = [hint for hint, wrong in mistakes.items()
                        if close(table[key], wrong[key]) and not close(wrong[key], expected[key])]
            name = "∂E/∂" + labels.neuron_text(*key)
            if matching:
                raise Hint(f"{name} {where}: " + " Or: ".join(matching))
            diff = float(np.max(np.abs(table[key] - expected[key])))
            raise Hint(f"{name} {where} is not right (largest difference {diff:.3g}); the entries to its right "
                       "are.")
        _check_order(order, expected_order, where)


def _judge_count(answer_function, args, what: str, expected: int, variants: dict, advice: str,
                 off_by: bool = False) -> None:
    """Call a counting answer (bpkit's own counts switched off); nothing if it gives ``expected``, else a
    :class:`Hint` naming every mistake in ``variants`` ({hint: the count it gives}; "" is the right count)
    that gives the same number, or ``advice``."""
    with switched_off(*_reference_functions()):
        answer = answer_function(*args)
    got = _int_answer(answer, what)
    if got == expected:
        return
    matching = [hint for hint, value in variants.items() if hint and got == value and value != expected]
    if matching:  # two mistakes can give the same number on a case: name every one
        raise Hint(f"{what} = {got}: " + " Or: ".join(matching))
    off = f" (it is off by {got - expected:+d})" if off_by else ""
    raise Hint(f"{what} = {got} is not right{off}: {advice}")


# ------------------------------------------------------------------------------- 05.2
def _measured_memo_step(sizes, l, m, rng) -> int:
    """The multiplications that write layer l of the table from layer l+1, read off scalar.gradient's
    steps (see :mod:`bpkit.scalar`): the sum over p of layer l's steps, and the product with
    ∂σ^{l+1}_p/∂sum^{l+1}_p (with 1/m at the output) that each step of layer l+1 did once."""
    net = _random_net(rng, sizes, bias=False)
    X, Y = _data(rng, sizes, m)
    steps = scalar.gradient(net, X, Y).extras["steps"]
    sums = sum(len(s.reads) for s in steps if s.writes[1] == l) * m
    products = sum(s.multiplications - len(s.reads) * m for s in steps if s.writes[1] == l + 1)
    return sums + products


def _memo_count_values(sizes, l, m) -> dict:
    """The right count (key "") and each common wrong one (key: its hint) for 05.2."""
    n_prev, n_l, n_next = sizes[l - 1], sizes[l], sizes[l + 1]
    return {
        "": m * n_next * (n_l + 1),
        "you forgot m: every product is done once per example.": n_next * (n_l + 1),
        "the product ∂E/∂σ^{l+1}_p · ∂σ^{l+1}_p/∂sum^{l+1}_p is memoized: form it once for each p, not again "
        "for every j.": 2 * m * n_l * n_next,
        "you left out the products ∂E/∂σ^{l+1}_p · ∂σ^{l+1}_p/∂sum^{l+1}_p (one for each p, per example).":
            m * n_l * n_next,
        "you counted the products with ∂σ^l_j/∂sum^l_j of layer l; this step needs those of layer l+1.":
            m * n_l * (n_next + 1),
        "you counted the weights w^l into layer l; the memo step uses the weights w^{l+1} out of it.":
            m * n_l * (n_prev + 1),
    }


@check("05.2", "the multiplications of one memo step", points=1)
def memo_step_count(memo_step_multiplications):
    """``memo_step_multiplications(sizes, l, m)`` -> the scalar multiplications that write layer l of the
    table of 05.1 from layer l+1, each ∂E/∂σ^{l+1}_p · ∂σ^{l+1}_p/∂sum^{l+1}_p formed once."""
    rng = fresh_rng()
    for k in range(4):
        L = int(rng.integers(2, 5))
        l = int(rng.integers(1, L))
        sizes = [int(n) for n in rng.integers(1, 7, size=L + 1)]
        m = int(rng.integers(2, 9))
        while k == 0:  # the first case tells every mistake below apart from the answer and each other
            sizes[l - 1], sizes[l], sizes[l + 1], m = (int(n) for n in rng.choice(np.arange(2, 9), 4, replace=False))
            if len(set(_memo_count_values(sizes, l, m).values())) == 6:
                break
        sizes = tuple(sizes)
        expected = _measured_memo_step(sizes, l, m, rng)
        what = f"memo_step_multiplications({sizes}, l={l}, m={m})"
        _judge_count(memo_step_multiplications, (sizes, l, m), what, expected, _memo_count_values(sizes, l, m),
                     "count, per example, one product for each p (with the activation derivative) and one for "
                     "each pair (j, p) (with the weight).")


# ------------------------------------------------------------------------------- 05.3
@check("05.3", "the number of paths from w^l_ij to the outputs", points=1)
def path_count(number_of_paths):
    """``number_of_paths(sizes, l, i, j)`` -> how many paths the naive chain rule follows from w^l_ij."""
    rng = fresh_rng()
    for k in range(5):
        L = int(rng.integers(2, 6))
        sizes = tuple(int(n) for n in rng.integers(2, 5, size=L + 1))
        l = L if k == 0 else int(rng.integers(1, L))
        i, j = int(rng.integers(sizes[l - 1])), int(rng.integers(sizes[l]))
        expected = len(naive.paths(sizes, l, i, j))
        what = f"number_of_paths({sizes}, l={l}, i={i}, j={j})"
        with switched_off(*_reference_functions()):
            answer = number_of_paths(sizes, l, i, j)
        got = _int_answer(answer, what)
        if got == expected:
            continue
        prod = lambda a, b: int(np.prod(sizes[a:b + 1])) if a <= b else 1  # noqa: E731
        mistakes = [
            (prod(l, L), "you counted the neurons of layer l too; the path already starts at j."),
            (prod(l - 1, L), "the path starts at i and j: only the layers after l branch."),
            (prod(l + 1, L - 1), "the path ends at one output neuron σ^L_k: include the output layer."),
            (sum(sizes[l + 1:]), "the choices multiply: one neuron of every layer after l."),
            (prod(l + 2, L), "every layer after l branches, layer l+1 too."),
        ]
        matching = [hint for value, hint in mistakes if got == value]
        if matching:  # two miscounts can give the same number on a case: name every one
            raise Hint(f"{what} = {got}: " + " Or: ".join(matching))
        raise Hint(f"{what} = {got} is not right: a path picks one neuron in every layer after l.")


# ------------------------------------------------------------------------------- 05.4
def _central_variants(sizes, m, bias):
    """Each common miscount of a central-difference gradient (hint -> its value) for 05.4."""
    P = cost.n_parameters(sizes, bias)
    P_w = cost.n_parameters(sizes, False)
    n_L = sizes[-1]
    fwd = cost.forward_count(sizes, m)
    E = cost.objective_count(sizes, m)
    E_no_m = cost.objective_count(sizes, 1)
    return {
        "one central difference evaluates E twice, at θ + ε and at θ - ε: 2 evaluations per parameter, "
        "not 1.": P * (E + 1),
        "the biases b^l_j are parameters too: each needs its own two evaluations of E.": P_w * (2 * E + 1),
        "you forgot m: a forward pass does its products for every example.": P * (2 * E_no_m + 1),
        "an evaluation of E is a forward pass AND the cross-entropy: 2 products per output per example, "
        "and one with 1/m.": P * (2 * fwd + 1),
        "each difference (E⁺ − E⁻) is multiplied by 1/(2ε) once: one more product per parameter.": 2 * P * E,
        "a forward pass goes through every layer: count every weight's product, not only one layer's.":
            P * (2 * (m * sizes[-2] * n_L + 2 * m * n_L + 1) + 1),
        "that is the count of backpropagation, not of central differences.": cost.backprop_count(sizes, m),
    }


@check("05.4", "the multiplications of a central-difference gradient", points=2)
def central_difference_multiplications(central_difference_count):
    """``central_difference_count(sizes, m, bias)`` -> the multiplications of :func:`bpkit.numerical_gradient`
    (λ = 0), as :func:`bpkit.cost.central_difference_count` counts them."""
    rng = fresh_rng()
    for k in range(5):
        L = int(rng.integers(2, 5)) if k < 2 else int(rng.integers(1, 5))
        sizes = tuple(int(n) for n in rng.integers(2 if k < 2 else 1, 7, size=L + 1))
        m = int(rng.integers(2, 9))
        bias = True if k == 0 else bool(rng.integers(0, 2))  # the first case: biases, so forgetting them shows
        expected = cost.central_difference_count(sizes, m, bias)
        what = f"central_difference_count({sizes}, m={m}, bias={bias})"
        _judge_count(central_difference_count, (sizes, m, bias), what, expected, _central_variants(sizes, m, bias),
                     "count the parameters, then the products of one evaluation of E.", off_by=True)

r"""Graded checks for lesson 05: memoization.

* 05.1 one memo step: ∂E/∂σ^l_j = Σ_p ∂E/∂sum^{l+1}_p · w^{l+1}_jp for a whole layer, every example;
* 05.2 the multiplications that step does;
* 05.3 the number of paths from w^l_ij to the outputs (what the naive chain rule follows);
* 05.4 the multiplication counts of memoized and naive backpropagation for any architecture.

Every check draws fresh hidden networks, sizes and activations on every run; references
are bpkit's vectorized gradient (:func:`bpkit.gradient`), the counters of
:func:`bpkit.scalar.gradient` and :func:`bpkit.naive.gradient`, and :func:`bpkit.naive.paths`.
"""
from __future__ import annotations

import numpy as np

from bpkit import naive, scalar
from bpkit.backprop import gradient
from ._core import Hint, as_array, fresh_rng, shape_of
from .switch import GRADIENTS, switched_off
from .harness import Case, check, numeric_check
from .common import random_network

__all__ = ["memo_layer", "memo_layer_count", "path_count", "counts"]


def _reference_functions():
    """The bpkit functions that would answer 05.1-05.4 outright (gradients with their memo
    tables and counters, the closed-form counts, the list of paths)."""
    return [*GRADIENTS, "bpkit.scalar.multiplication_count", "bpkit.naive.multiplication_count",
            "bpkit.naive.paths"]


def _random_net(rng, sizes, bias=None, hidden=None):
    return random_network(rng, bias=bias, hidden=hidden, sizes=sizes, biases=None)


def _data(rng, sizes, m):
    X = rng.normal(size=(m, sizes[0]))
    Y = (rng.random((m, sizes[-1])) < 0.5).astype(float)
    return X, Y


# ------------------------------------------------------------------------------- 05.1
def _memo_cases(rng):
    """Three hidden cases: (sizes, l, m). The first has n_{l-1} = n_l = n_{l+1} (so a transposed
    or wrong-layer W still has the right shape and the mistake can be named) and a smooth
    activation (so ∂σ/∂sum is never exactly 1 or 0); the others are random."""
    cases = []
    k = int(rng.integers(2, 5))
    L = int(rng.integers(2, 4))
    l = int(rng.integers(1, L))
    sizes = [int(rng.integers(1, 5)) for _ in range(L + 1)]
    sizes[l - 1] = sizes[l] = sizes[l + 1] = k
    cases.append((tuple(sizes), l, int(rng.choice([n for n in range(2, 7) if n != k]))))
    for _ in range(2):
        L = int(rng.integers(2, 5))
        l = int(rng.integers(1, L))
        sizes = [int(rng.integers(1, 6)) for _ in range(L + 1)]
        if sizes[l] == sizes[l + 1]:
            sizes[l + 1] += 1
        cases.append((tuple(sizes), l, int(rng.integers(2, 7))))
    return cases


@numeric_check("05.1", "the memo step ∂E/∂σ^l_j = Σ_p ∂E/∂sum^{l+1}_p w^{l+1}_jp", points=3,
               off=_reference_functions())
def memo_layer(rng):
    """``dE_dsigma_layer(net, record, dE_dsum_next, l)`` -> ∂E/∂σ^l, shape (m, n_l)."""
    for k, (sizes, l, m) in enumerate(_memo_cases(rng)):
        net = _random_net(rng, sizes, hidden=str(rng.choice(["sigmoid", "tanh"])) if k == 0 else None)
        X, Y = _data(rng, sizes, m)
        g = gradient(net, X, Y)
        record = g.extras["record"]
        dsum_next = g.extras["delta"][l + 1]                 # ∂E/∂sum^{l+1}, (m, n_{l+1})
        expected = g.extras["dE_dsigma"][l]                   # ∂E/∂σ^l, (m, n_l)
        n_l, n_next = sizes[l], sizes[l + 1]
        where = f"(hidden case: sizes {'-'.join(map(str, sizes))}, l = {l}, m = {m}, {net.hidden.name})"
        W_next = net.W[l + 1]
        gp = net.activation(l).derivative(record.sums[l])
        gp_next = net.activation(l + 1).derivative(record.sums[l + 1])
        mistakes = {
            "that is ∂E/∂sum^l, not ∂E/∂σ^l: the activation derivative ∂σ^l_j/∂sum^l_j is the next "
            "factor, not part of this one.": expected * gp,
            "∂E/∂sum^{l+1}_p already contains ∂σ^{l+1}_p/∂sum^{l+1}_p: you applied the activation "
            "derivative of layer l+1 twice.": (dsum_next * gp_next) @ W_next.T,
            "∂E/∂sum^{l+1}_p already contains the 1/m: you divided by m twice.": expected / m,
            "the 1/m is already in ∂E/∂sum^{l+1}_p: do not multiply by m.": expected * m,
            "sign error.": -expected,
            "you used σ^{l+1} where the memoized ∂E/∂sum^{l+1} belongs.": record.sigmas[l + 1] @ W_next.T,
        }
        if W_next.shape[0] == W_next.shape[1]:
            mistakes["swapped i and j (transposed W): ∂sum^{l+1}_p/∂σ^l_j = w^{l+1}_jp, so the sum runs "
                     "over the second index p of w^{l+1}."] = dsum_next @ W_next
        if sizes[l - 1] == n_l == n_next:
            mistakes["wrong layer of weights: σ^l_j reaches sum^{l+1}_p through w^{l+1}_jp, not "
                     "w^l."] = dsum_next @ net.W[l].T
        yield Case((net, record, dsum_next, l), expected, f"∂E/∂σ^l {where}", mistakes, where=where,
                   form=_memo_form(m, n_l, n_next, where))


def _memo_form(m: int, n_l: int, n_next: int, where: str):
    """05.1's form: ∂E/∂σ^l has shape (m, n_l); the hint for each of the usual wrong shapes."""
    def form(answer):
        shape = shape_of(answer)
        if shape != (m, n_l):
            if shape == (n_l, m):
                raise Hint(f"wrong shape {shape} {where}: rows are examples, so ∂E/∂σ^l has shape "
                           f"(m, n_l) = ({m}, {n_l}).")
            if shape == (n_l,):
                raise Hint(f"wrong shape {shape} {where}: you summed over the examples; keep one row per "
                           f"example, shape (m, n_l) = ({m}, {n_l}).")
            if shape == (m, n_next):
                raise Hint(f"wrong shape {shape} {where}: one column per neuron j of layer l "
                           f"(the sum runs over the neurons p of layer l+1), shape ({m}, {n_l}).")
            as_array(answer, "∂E/∂σ^l", (m, n_l))
        return answer
    return form


# ------------------------------------------------------------------------------- 05.2
def _int_answer(value, what):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise Hint(f"{what} should be a whole number, got {value!r}.") from None
    if not np.isfinite(v) or v != int(v):
        raise Hint(f"{what} should be a whole number, got {value!r}.")
    return int(v)


def _measured_memo_layer(sizes, l, m, rng) -> int:
    """Multiplications of the sum over p for layer l, read off scalar.gradient's steps."""
    net = _random_net(rng, sizes, bias=False)
    X, Y = _data(rng, sizes, m)
    steps = scalar.gradient(net, X, Y).extras["steps"]
    return sum(len(s.reads) for s in steps if s.writes[1] == l) * m


def _memo_count_values(sizes, l, m) -> dict:
    """The right count (key "") and each common wrong one (key: its hint) for 05.2."""
    n_prev, n_l, n_next = sizes[l - 1], sizes[l], sizes[l + 1]
    return {
        "": m * n_l * n_next,
        "you forgot m: every product is done once per example.": n_l * n_next,
        "you also counted the product with ∂σ^l_j/∂sum^l_j; 05.1 only computes ∂E/∂σ^l.":
            m * n_l * (n_next + 1),
        "you counted the weights w^l into layer l; the memo step uses the weights w^{l+1} out of it.":
            m * n_prev * n_l,
        "one multiplication per term of the sum over p, not one per neuron j.": m * n_l,
        "one multiplication per term of the sum over p, for every neuron j of layer l.": m * n_next,
    }


@check("05.2", "the multiplications of one memo step", points=1)
def memo_layer_count(dE_dsigma_layer_multiplications):
    """``dE_dsigma_layer_multiplications(sizes, l, m)`` -> scalar multiplications of ∂E/∂σ^l (05.1)."""
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
        expected = _measured_memo_layer(sizes, l, m, rng)
        what = f"dE_dsigma_layer_multiplications({sizes}, l={l}, m={m})"
        with switched_off(*_reference_functions()):
            answer = dE_dsigma_layer_multiplications(sizes, l, m)
        got = _int_answer(answer, what)
        if got == expected:
            continue
        matching = [hint for hint, value in _memo_count_values(sizes, l, m).items()
                    if hint and got == value and value != expected]
        if matching:
            raise Hint(f"{what} = {got}: " + " Or: ".join(matching))
        raise Hint(f"{what} = {got} is not right: count one multiplication for each term "
                   "∂E/∂sum^{l+1}_p · w^{l+1}_jp, for every j and every example.")


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
def _memo_variants(sizes, m):
    L = len(sizes) - 1
    out_term = sizes[L]
    memo_term = sum(sizes[l] * sizes[l + 1] for l in range(1, L))
    deriv_term = sum(sizes[l] for l in range(1, L))
    weight_term = sum(sizes[l - 1] * sizes[l] for l in range(1, L + 1))
    return {
        "memoized: you forgot m.": out_term + memo_term + deriv_term + weight_term,
        "memoized: you left out the output layer's n_L products (σ^L_k - y_k)/m.":
            m * (memo_term + deriv_term + weight_term),
        "memoized: you left out the products with ∂σ^l_j/∂sum^l_j (one per hidden neuron).":
            m * (out_term + memo_term + weight_term),
        "memoized: you left out the last step, ∂E/∂sum^l_j · σ^{l-1}_i (one per weight).":
            m * (out_term + memo_term + deriv_term),
        "memoized: that is the naive count.": naive.multiplication_count(sizes, m),
    }


def _naive_variants(sizes, m):
    L = len(sizes) - 1

    def total(c_plus_one: bool, step_plus_one: bool, mult: int):
        c = {L: 1}
        for l in range(L - 1, 0, -1):
            c[l] = sizes[l + 1] * (c[l + 1] + 1) + (1 if step_plus_one else 0)
        return mult * sum(sizes[l - 1] * sizes[l] * (c[l] + (1 if c_plus_one else 0)) for l in range(1, L + 1))

    return {
        "naive: you forgot m.": total(True, True, 1),
        "naive: each weight also multiplies its ∂E/∂sum^l_j by σ^{l-1}_i: one more per weight.":
            total(False, True, m),
        "naive: every recomputed hidden ∂E/∂sum^l_j also multiplies by g'(sum^l_j): one more per call.":
            total(True, False, m),
        "naive: that is the memoized count.": scalar.multiplication_count(sizes, m),
    }


@check("05.4", "multiplication counts: memoized and naive", points=2)
def counts(memoized_count, naive_count):
    """``memoized_count(sizes, m)`` and ``naive_count(sizes, m)`` -> the multiplications of
    :func:`bpkit.scalar.gradient` and :func:`bpkit.naive.gradient` (λ = 0, no biases)."""
    rng = fresh_rng()
    for k in range(5):
        L = int(rng.integers(3, 5)) if k in (0, 2) else int(rng.integers(1, 5))
        lo = 2 if k in (0, 2) else 1  # cases 0 and 2 are deep and wide enough to tell every mistake apart
        sizes = tuple(int(n) for n in rng.integers(lo, 5, size=L + 1))
        m = int(rng.integers(2, 6))
        if k < 2:  # small: the truth is what the counters of an actual gradient say
            net = _random_net(rng, sizes, bias=False)
            X, Y = _data(rng, sizes, m)
            memo_ref = scalar.gradient(net, X, Y).extras["multiplications"]
            naive_ref = naive.gradient(net, X, Y).extras["multiplications"]
        else:
            memo_ref = scalar.multiplication_count(sizes, m)
            naive_ref = naive.multiplication_count(sizes, m, bias=False)
        for fn, ref, variants, label in ((memoized_count, memo_ref, _memo_variants, "memoized_count"),
                                         (naive_count, naive_ref, _naive_variants, "naive_count")):
            what = f"{label}({sizes}, m={m})"
            with switched_off(*_reference_functions()):
                answer = fn(sizes, m)
            got = _int_answer(answer, what)
            if got == ref:
                continue
            matching = [hint for hint, value in variants(sizes, m).items() if got == value and value != ref]
            if matching:  # two mistakes can give the same number on a case: name every one
                raise Hint(f"{what} = {got}: " + " Or: ".join(matching))
            raise Hint(f"{what} = {got} is not right (it is off by {got - ref:+d}); count layer by layer.")

r"""Graded checks for lesson 03: the objective E(w).

.. math::

    E(w) = -\frac{1}{m}\sum_{e}\sum_k \Big[y^{(e)}_k \log σ^L_k + (1 - y^{(e)}_k)\log(1 - σ^L_k)\Big]
           + \frac{λ}{2m}\sum_l\sum_i\sum_j (w^l_{ij})^2

* 03.1 ``E(net, X, Y, lam)``: E(w) with the regularization term, stable when σ^L saturates;
* 03.2 ``penalty_grad(net, lam, m)``: ∂/∂w^l_ij of the penalty, for every layer;
* 03.3 ``cross_entropy_stable(sum_L, Y)``: the cross-entropy from sum^L by the log-sigmoid.

Every check draws fresh hidden networks (depth, widths, activation, biases), data and λ on
every run and compares against bpkit (``bpkit.objective``, ``bpkit.penalty_gradient``,
``bpkit.CrossEntropy.fn``). The student's code gets copies: mutating them fools nothing. While
it runs, the bpkit functions that would answer the exercise outright are switched off
(:func:`bpkit.course.checks.switch.switched_off`): E and its parts, and bpkit's gradients (whose ``.E``
is E, and whose difference at two λ is the penalty's gradient).
"""
from __future__ import annotations

import numpy as np

from bpkit.network import Network
from bpkit.objective import CrossEntropy, objective, penalty, penalty_gradient
from ._core import close, compare, fresh_rng, Hint
from .switch import GRADIENTS, OBJECTIVE
from .harness import Case, check, numeric_check
from .common import answer_layers, call_quietly, check_layer_shapes, flat, random_data, random_network
from .common import describe as _case_words


def describe(net: Network, m: int, lam: float | None = None) -> str:
    return "on a hidden " + _case_words(net, m, lam)

__all__ = ["objective_E", "penalty_gradient_check", "stable_cross_entropy"]

#: what would answer each exercise outright (see :func:`~bpkit.course.checks.common.call_quietly`)
OFF = {
    "03.1": (*OBJECTIVE, *GRADIENTS),
    "03.2": ("bpkit.penalty_gradient", "bpkit.objective.add_penalty_gradient", *GRADIENTS),
    "03.3": ("bpkit.CrossEntropy.fn", "bpkit.objective", "bpkit.cross_entropy", *GRADIENTS),
}

LOG_SIGMOID_HINT = (
    "when σ^L_k saturates (sum^L_k = ±40 or ±800, so σ^L_k rounds to exactly 0 or 1), log σ^L_k or "
    "log(1 - σ^L_k) becomes log 0. Never take the log of σ^L_k: compute both logs from sum^L_k with the "
    "log-sigmoid, log logistic(s) = -log(1 + e^(-s)) and log(1 - logistic(s)) = log logistic(-s); np.logaddexp(0, -s) "
    "evaluates log(1 + e^(-s)) without overflow (np.log1p(np.exp(-s)) overflows at s = -800)."
)
CLIP_HINT = (
    "right while σ^L stays away from 0 and 1, wrong when it saturates: clipping σ^L_k or adding a small ε "
    "inside the log changes E there (by tens or hundreds). Compute the logs from sum^L_k with the "
    "log-sigmoid instead, exactly."
)


# ------------------------------------------------------------------------------ cases
def saturate(net: Network, X, target: float = 800.0) -> Network:
    """A copy of ``net`` whose output sums reach ±``target``: w^L (and b^L) scaled up."""
    net = net.copy()
    sums = net.forward(X).sums[net.L]
    scale = target / max(float(np.max(np.abs(sums))), 1e-3)
    net.W[net.L] = net.W[net.L] * scale
    if net.b is not None:
        net.b[net.L] = net.b[net.L] * scale
    return net


def _scalar(value, name: str) -> float:
    """The student's E as one float, or a hint (an array, None, a string ...)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Hint(f"{name} should return one number, got {type(value).__name__}.") from None
    if arr.size != 1:
        raise Hint(f"{name} should return one number (a sum over examples and output neurons), "
                   f"got an array of shape {arr.shape}.")
    return float(arr.reshape(()))


def _copies(net, *arrays):
    return (net.copy(),) + tuple(np.array(a, copy=True) for a in arrays)


# ------------------------------------------------------------------------------ 03.1
@check("03.1", "E(w) with the regularization term λ/2m Σ_l Σ_i Σ_j (w^l_ij)²", points=3)
def objective_E(E):
    r"""``E(net, X, Y, lam)`` must return E(w): the cross-entropy of σ^L plus λ/2m Σ (w^l_ij)²."""
    rng = fresh_rng()
    cases = [  # the first has n_L >= 2 outputs: with n_L = 1, dividing by m·n_L would pass for dividing by m
        random_network(rng, L=int(rng.integers(2, 4)), bias=True, min_outputs=2),
        random_network(rng, L=int(rng.integers(2, 4)), bias=False),
        random_network(rng),
    ]
    for net in cases:
        X, Y = random_data(rng, net)
        m = X.shape[0]
        lam = float(rng.uniform(0.5, 3.0))
        ce = CrossEntropy.fn(net.forward(X).sums[net.L], Y)
        pen = penalty(net, lam, m)
        where = describe(net, m, lam)
        got = _scalar(call_quietly(E, *_copies(net, X, Y), lam, off=OFF["03.1"]), "E(net, X, Y, lam)")
        if not np.isfinite(got):
            raise Hint(f"E is {got} {where}, where σ^L does not even saturate.")
        mistakes = {
            f"{where}: E equals the cross-entropy alone: the penalty term is missing.": ce,
            f"{where}: the penalty is twice what it should be: it is λ/2m, not λ/m, times Σ (w^l_ij)².":
                ce + 2 * pen,
            f"{where}: the penalty is missing its 1/m: it is λ/2m Σ (w^l_ij)², scaled per example like the "
            "cross-entropy.": ce + m * pen,
            f"{where}: the cross-entropy is missing its 1/m (E averages over the m examples).": m * ce + pen,
            f"{where}: both terms are missing their 1/m.": m * ce + m * pen,
            f"{where}: sign error: the cross-entropy is -(1/m) Σ [y log σ + (1-y) log(1-σ)], which is >= 0.":
                -ce + pen,
            f"{where}: sign error: the penalty is added, not subtracted.": ce - pen,
            f"{where}: sign error: E is >= 0, yours is negative.": -(ce + pen),
            f"{where}: only the output layer is penalized, but the penalty covers the weights of EVERY "
            "layer l = 1..L.": ce + lam / (2 * m) * float(np.sum(net.W[net.L] ** 2)),
        }
        if net.b is not None:
            mistakes[f"{where}: you penalized the biases: the penalty sums the weights w^l_ij only "
                     "(biases are not penalized by default)."] = ce + penalty(net, lam, m, regularize_bias=True)
        if net.sizes[-1] > 1:
            mistakes[f"{where}: you divided the cross-entropy by m·n_L: E sums over the output neurons k "
                     "and divides by m only."] = ce / net.sizes[-1] + pen
        compare(got, ce + pen, "E(w)", mistakes)

    # σ^L saturates: the naive log gives inf or nan, clipping gives a wrong finite value
    while True:  # (a dead relu layer can leave every sum^L at 0: draw again)
        base = random_network(rng, L=int(rng.integers(1, 3)), min_width=2)
        X, Y = random_data(rng, base, m=6)
        Y[:, :] = (base.forward(X).sums[base.L] < 0)  # targets opposite to the output's sign: the worst case
        net = saturate(base, X)
        if np.max(np.abs(net.forward(X).sums[net.L])) > 700:
            break
    lam = float(rng.uniform(0.5, 3.0))
    m = X.shape[0]
    expected = objective(net, X, Y, lam)
    got = _scalar(call_quietly(E, *_copies(net, X, Y), lam, off=OFF["03.1"]), "E(net, X, Y, lam)")
    if not np.isfinite(got):
        raise Hint(f"E is {got} {describe(net, m, lam)} whose sums sum^L_k reach ±800: " + LOG_SIGMOID_HINT)
    if not close(got, expected):
        raise Hint(f"{describe(net, m, lam)} whose sums sum^L_k reach ±800: E is " + CLIP_HINT)


# ------------------------------------------------------------------------------ 03.2
@numeric_check("03.2", "the penalty's gradient ∂/∂w^l_ij [λ/2m Σ (w^l_ij)²] = λ/m·w^l_ij", points=2, off=OFF["03.2"])
def penalty_gradient_check(rng):
    r"""``penalty_grad(net, lam, m)`` must return [∂/∂w^1, ..., ∂/∂w^L] of the penalty alone."""
    nets = [random_network(rng, L=int(rng.integers(2, 5)), bias=True), random_network(rng)]
    n = int(rng.integers(2, 5))  # a square network: a transposed W^l has the right shape
    nets.append(Network((n, n, n), hidden="tanh", bias=False, seed=int(rng.integers(2**31))))
    for net in nets:
        m = int(rng.integers(3, 50))
        lam = float(rng.uniform(0.5, 3.0))
        where = describe(net, m, lam)
        name = "penalty_grad(net, lam, m)"
        expected, _ = penalty_gradient(net, lam, m)
        ref = flat(list(expected))
        W = [net.W[l] for l in net.W.layers()]
        only_last = [np.zeros_like(w) for w in W[:-1]] + [lam / m * W[-1]]
        mistakes = {
            f"{where}: half the right size: the derivative of (w^l_ij)² is 2 w^l_ij, and the 2 cancels the "
            "1/2 of λ/2m.": 0.5 * ref,
            f"{where}: you forgot the 1/m: the penalty is λ/2m Σ (w^l_ij)², so its derivative keeps the m.":
                m * ref,
            f"{where}: that is the penalty's terms λ/2m (w^l_ij)², not their derivative.":
                flat([lam / (2 * m) * w ** 2 for w in W]),
            f"{where}: sign error: the penalty grows with |w^l_ij|, so its derivative has the sign of w^l_ij.":
                -ref,
            f"{where}: only the output layer has a gradient, but the penalty covers every layer l = 1..L.":
                flat(only_last),
        }
        if all(w.shape[0] == w.shape[1] for w in W):
            mistakes[f"{where}: you swapped i and j (transposed W^l): entry [i, j] is ∂/∂w^l_ij."] = flat(
                [lam / m * w.T for w in W])
        yield Case((net, lam, m), ref, "∂penalty/∂w", mistakes, where=where,
                   form=lambda answer: flat(check_layer_shapes(answer_layers(answer, net.L, name), net, name)))


# ------------------------------------------------------------------------------ 03.3
@check("03.3", "a stable cross-entropy from sum^L (log-sigmoid)", points=2)
def stable_cross_entropy(cross_entropy_stable):
    r"""``cross_entropy_stable(sum_L, Y)`` must return -(1/m) Σ_e Σ_k [y log logistic(sum^L_k) + (1-y) log(1 - logistic(sum^L_k))]."""
    rng = fresh_rng()
    name = "cross_entropy_stable(sum_L, Y)"
    for _ in range(3):
        m, nL = int(rng.integers(3, 9)), int(rng.integers(2, 5))
        S = rng.normal(0, 3, size=(m, nL))
        Y = rng.integers(0, 2, size=(m, nL)).astype(float)
        Y[0, 0] = rng.uniform(0.1, 0.9)  # targets may be any number in [0, 1]
        where = f"with sum^L of shape ({m}, {nL})"
        got = _scalar(call_quietly(cross_entropy_stable, S.copy(), Y.copy(), off=OFF["03.3"]), name)
        ref = CrossEntropy.fn(S, Y)
        if not np.isfinite(got):
            raise Hint(f"the cross-entropy is {got} {where}, where σ^L does not even saturate.")
        compare(got, ref, "the cross-entropy", {
            f"{where}: you forgot the 1/m (the cross-entropy averages over the m examples).": m * ref,
            f"{where}: you divided by m·n_L: sum over the output neurons k, divide by m only.": ref / nL,
            f"{where}: sign error: the cross-entropy is -(1/m) Σ [...], which is >= 0.": -ref,
            f"{where}: y_k and 1 - y_k are swapped: y_k goes with log logistic(sum^L_k), 1 - y_k "
            "with log(1 - logistic(sum^L_k)).": CrossEntropy.fn(-S, Y),
        })
    # saturated sums: ±40 and ±800, every target
    S = np.array([[40.0, -40.0], [800.0, -800.0], [40.0, -800.0], [800.0, -40.0], [3.0, -2.0]])
    Y = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    order = rng.permutation(S.shape[0])
    S, Y = S[order], Y[order]
    got = _scalar(call_quietly(cross_entropy_stable, S.copy(), Y.copy(), off=OFF["03.3"]), name)
    if not np.isfinite(got):
        raise Hint(f"the cross-entropy is {got} for sums sum^L_k = ±40 and ±800: " + LOG_SIGMOID_HINT)
    if not close(got, CrossEntropy.fn(S, Y)):
        raise Hint("for sums sum^L_k = ±40 and ±800 the cross-entropy is " + CLIP_HINT)

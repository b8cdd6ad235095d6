r"""Graded checks for lesson 04: the backpropagation equations.

.. math::

    \frac{\partial E}{\partial w^l_{ij}} = \frac{\partial E}{\partial σ^l_j}
        \frac{\partial σ^l_j}{\partial \text{sum}^l_j}\frac{\partial \text{sum}^l_j}{\partial w^l_{ij}}
        + \frac{λ}{m} w^l_{ij}

* 04.1 ``dE_dsigma(net, record, dE_dsigma_next, l)``: the recursion for ∂E/∂σ^l_j over the
  neurons p of layer l+1 (first factor);
* 04.2 ``dsigma_dsum(name, sum_)``: ∂σ/∂sum for sigmoid, tanh and relu (second factor);
* 04.3 ``dE_dW_layer(record, delta, l)``: ∂E/∂w^l_ij from δ^l_j = ∂E/∂sum^l_j and
  ∂sum^l_j/∂w^l_ij = σ^{l-1}_i (third factor);
* 04.4 ``dE_db(net, record, dE_dsigma_l, l)``: the bias gradient ∂E/∂b^l_j = Σ_e δ^l_j, from ∂E/∂σ^l;
* 04.5 ``backprop(net, X, Y, lam)``: full backpropagation for any depth, returning
  (dW, db) = ([∂E/∂W^1, ..., ∂E/∂W^L], [∂E/∂b^1, ..., ∂E/∂b^L] or None);
* 04.6 ``find_bug(net, X, Y, lam, claimed)``: the layer l in which a backpropagation has a planted bug,
  found with a gradient check (``claimed`` = {l: ∂E/∂W^l} as that backpropagation computed it).

Hidden cases are fresh on every run (depth, widths, activation, λ, biases or not) and
compared against :func:`bpkit.gradient`. Wrong values for the common mistakes, and the planted bugs of
04.6, come from :mod:`bpkit.course.checks.wrong_backprops` (bpkit's backward pass with one mistake
switched on).

While the student's code runs, the bpkit functions that would answer the exercise outright
are switched off (:func:`bpkit.course.checks.switch.switched_off`, see :data:`OFF`): bpkit's gradients
(04.1, 04.3, 04.4, 04.5; for 04.5 also E, whose central differences would pass as a gradient; for 04.6
the analytic ones only, since central differences are that exercise's tool), and
for 04.2 the activations' own derivatives, however they are reached (``activations.get(name)``,
``activations.sigmoid``, ``net.hidden``: one function object each). 04.1 and 04.5 may still
use ``net.activation(l).derivative``: that factor is 04.2's exercise, not theirs.
"""
from __future__ import annotations

import numpy as np

from bpkit import activations
from bpkit.backprop import gradient
from bpkit.network import Forward, Network
from bpkit.objective import CrossEntropy
from ._core import Hint, as_array, compare, float_array, fresh_rng, shape_of
from .switch import GRADIENTS, OBJECTIVE, StudentRaised
from .harness import Case, check, copies, numeric_check
from .common import (answer_layers, call_quietly, central_difference_trap, check_layer_shapes, flat,
                     not_by_differences, random_data, random_network)
from .lesson03 import describe
from .wrong_backprops import planted, transposed_backward, variant

__all__ = ["recursion", "activation_derivatives", "weight_factor", "full_backprop", "bias_gradient", "planted_bug"]

#: ∂σ/∂sum of every activation, as a function of sum and of σ
DERIVATIVES = tuple(f"bpkit.activations.{name}.{which}" for name in ("sigmoid", "tanh", "relu")
                    for which in ("derivative", "derivative_from_value"))
#: what would answer each exercise outright
OFF = {"04.1": GRADIENTS, "04.2": DERIVATIVES, "04.3": GRADIENTS, "04.4": GRADIENTS, "04.5": (*GRADIENTS, *OBJECTIVE)}
#: 04.6 is solved with central differences: the analytic gradients are switched off, the numerical one is not
ANALYTIC = tuple(name for name in GRADIENTS if name not in ("bpkit.numerical_gradient",))


def _run(f, *args, where: str = "", off=()):
    """Call the student's code (with ``off`` switched off); a shape error inside it becomes a hint
    about the notation's shapes."""
    try:
        return call_quietly(f, *args, off=off)
    except StudentRaised as e:
        text = e.evalue
        if e.ename == "ValueError" and "matmul" in text or "broadcast" in text or "shapes" in text or "aligned" in text:
            raise Hint(f"{where}: your code raised a shape error ({text.strip()}). W^l has shape (n_(l-1), n_l): "
                       "row i is a neuron of layer l-1, column j one of layer l; did you swap i and j "
                       "(transpose a W), or use σ^l where σ^{l-1} belongs?") from None
        raise


def copy_record(record: Forward) -> Forward:
    """An independent copy of a forward record (and of its network)."""
    return Forward(record.net.copy(), record.sums.copy(), record.sigmas.copy())


def _array(answer, name: str, shape) -> np.ndarray:
    """as_array, but also says when the answer lost the examples' axis."""
    arr = float_array(answer)
    if arr is not None and len(shape) == 2 and arr.shape == (shape[1],):
        raise Hint(f"wrong shape: {name} has shape {arr.shape} but should have shape {tuple(shape)}: keep one row "
                   "per example (do not sum over the examples here).")
    return as_array(answer, name, shape)


# ------------------------------------------------------------------------------ 04.1
def _caller(exercise: str):
    """``call`` for :func:`numeric_check`: :func:`_run` on copies of the case's arguments."""
    return lambda f, case: _run(f, *copies(case.args), where=case.where, off=OFF[exercise])


@numeric_check("04.1", "the recursion ∂E/∂σ^l_j = Σ_p ∂E/∂σ^(l+1)_p · ∂σ^(l+1)_p/∂sum^(l+1)_p · w^(l+1)_jp",
               points=2, call=_caller("04.1"))
def recursion(rng):
    r"""``dE_dsigma(net, record, dE_dsigma_next, l)`` -> ∂E/∂σ^l, shape (m, n_l), from ∂E/∂σ^{l+1} (m, n_{l+1})."""
    n = int(rng.integers(2, 5))  # a square case first: a transposed w^{l+1} has the right shape
    nets = [Network((n, n, n, 1), hidden=str(rng.choice(["sigmoid", "tanh"])), bias=bool(rng.integers(0, 2)),
                    seed=int(rng.integers(2**31)))]
    nets += [random_network(rng, L=int(rng.integers(2, 5))) for _ in range(2)]
    for k, net in enumerate(nets):
        X, Y = random_data(rng, net)
        m = X.shape[0]
        l = 1 if k == 0 else int(rng.integers(1, net.L))
        g = gradient(net, X, Y)
        record = g.extras["record"]
        nxt = (CrossEntropy.dE_dsigma(record.sigmas[net.L], Y) if l + 1 == net.L
               else g.extras["dE_dsigma"][l + 1])
        act_next, act = net.activation(l + 1), net.activation(l)
        dg_next = act_next.derivative(record.sums[l + 1])
        W = net.W[l + 1]
        expected = (nxt * dg_next) @ W.T
        where = f"{describe(net, m)}, l = {l}"
        name = f"∂E/∂σ^{l}"
        mistakes = {
            f"{where}: you forgot the activation derivative ∂σ^(l+1)_p/∂sum^(l+1)_p (of layer l+1).": nxt @ W.T,
            f"{where}: you evaluated the activation derivative at σ^(l+1)_p; ∂σ^(l+1)_p/∂sum^(l+1)_p is g' "
            "at sum^(l+1)_p.": (nxt * act_next.derivative(record.sigmas[l + 1])) @ W.T,
            f"{where}: you multiplied by ∂σ^l_j/∂sum^l_j too: that is ∂E/∂sum^l_j, one factor further than "
            "∂E/∂σ^l_j.": expected * act.derivative(record.sums[l]),
            f"{where}: sign error.": -expected,
        }
        if W.shape[0] == W.shape[1]:
            mistakes[f"{where}: you swapped i and j (transposed W^(l+1)): ∂sum^(l+1)_p/∂σ^l_j = w^(l+1)_jp, "
                     "row j, column p."] = (nxt * dg_next) @ W
            mistakes[f"{where}: you used the activation derivative of layer l (at sum^l) where the one of "
                     "layer l+1 (at sum^(l+1)_p) belongs."] = (nxt * act.derivative(record.sums[l])) @ W.T
        yield Case((net, record, nxt, l), expected, name, mistakes, where=where,
                   form=_recursion_form(net, l, m, where, name))


def _recursion_form(net: Network, l: int, m: int, where: str, name: str):
    """04.1's form: ∂E/∂σ^l has one column per neuron of layer l, one row per example."""
    def form(answer):
        shape = shape_of(answer)
        if shape == (m, net.sizes[l - 1]) and net.sizes[l - 1] != net.sizes[l]:
            raise Hint(f"{where}: your {name} has shape {shape}, one column per neuron of layer l-1: the "
                       f"weights into layer l+1, w^(l+1), connect σ^l_j to the neurons p of layer l+1.")
        return _array(answer, name, (m, net.sizes[l]))
    return form


# ------------------------------------------------------------------------------ 04.2
def _sig(s):
    return activations.sigmoid.value(s)


@numeric_check("04.2", "∂σ^l_j/∂sum^l_j for sigmoid, tanh and relu", points=2, off=OFF["04.2"])
def activation_derivatives(rng):
    r"""``dsigma_dsum(name, sum_)`` -> ∂σ/∂sum at every entry of ``sum_`` for name in sigmoid, tanh, relu."""
    for name in rng.permutation(["sigmoid", "tanh", "relu"]):
        name = str(name)
        g = activations.get(name)
        shape = (int(rng.integers(2, 7)), int(rng.integers(1, 5)))
        S = rng.normal(0, 2.5, size=shape)
        S[S == 0] = 0.5  # relu has no derivative at 0
        # both signs in every case, so that a relu answer that ignores the sign cannot pass by luck
        S.flat[0] = -abs(S.flat[0]) - 0.1
        S.flat[-1] = abs(S.flat[-1]) + 0.1
        expected = g.derivative(S)
        value = g.value(S)
        mistakes = {
            f"for {name}: that is the activation's value σ = g(sum), not its derivative ∂σ/∂sum.": value,
            f"for {name}: sign error.": -expected,
        }
        if name == "sigmoid":
            mistakes.update({
                "for sigmoid: you applied σ·(1 - σ) to sum itself: σ·(1 - σ) needs σ = logistic(sum) first.": S * (1 - S),
                "for sigmoid: that is tanh's derivative; the sigmoid's is σ·(1 - σ), σ = logistic(sum).": 1 - value ** 2,
                "for sigmoid: you dropped a factor: ∂σ/∂sum = σ·(1 - σ).": 1 - value,
            })
        elif name == "tanh":
            mistakes.update({
                "for tanh: you applied 1 - σ² to sum itself: it needs σ = tanh(sum) first.": 1 - S ** 2,
                "for tanh: you forgot the square: ∂σ/∂sum = 1 - tanh²(sum).": 1 - value,
                "for tanh: that is the sigmoid's form σ·(1 - σ); tanh's is 1 - σ².": value * (1 - value),
                "for tanh: that is the derivative of the sigmoid, not of tanh.": _sig(S) * (1 - _sig(S)),
            })
        else:
            mistakes.update({
                "for relu: ∂σ/∂sum is 0 where sum <= 0 (relu is flat there), not 1 everywhere.": np.ones(shape),
                "for relu: the derivative is 1 where sum > 0, 0 elsewhere: a step, not sum itself.": S,
            })
        yield Case((name, S), expected, f"∂σ/∂sum for {name}", mistakes, form=_per_entry(name, shape))


def _per_entry(name: str, shape):
    """04.2's form: one derivative per entry of sum_, not one number."""
    def form(answer):
        if shape_of(answer) == () and shape != (1, 1):
            raise Hint(f"for {name}: return ∂σ/∂sum for every entry of sum_ (an array of shape {shape}), "
                       "not one number.")
        return as_array(answer, f"∂σ/∂sum for {name}", shape)
    return form


# ------------------------------------------------------------------------------ 04.3
@numeric_check("04.3", "∂E/∂w^l_ij = δ^l_j · ∂sum^l_j/∂w^l_ij, with ∂sum^l_j/∂w^l_ij = σ^(l-1)_i", points=2,
               call=_caller("04.3"))
def weight_factor(rng):
    r"""``dE_dW_layer(record, delta, l)`` -> ∂E/∂W^l (n_{l-1}, n_l) from δ^l = ∂E/∂sum^l (m, n_l)."""
    n = int(rng.integers(2, 5))  # square layers first: transposed or shifted answers have the right shape
    # (sigmoid or tanh: a dead relu layer would make every answer zero)
    nets = [Network((n, n, n), hidden=str(rng.choice(["sigmoid", "tanh"])),
                    bias=bool(rng.integers(0, 2)), seed=int(rng.integers(2**31)))]
    nets += [random_network(rng, L=int(rng.integers(2, 5))) for _ in range(2)]
    for k, net in enumerate(nets):
        X, Y = random_data(rng, net)
        m = X.shape[0]
        l = int(rng.integers(2, net.L + 1)) if k == 0 else int(rng.integers(1, net.L + 1))
        g = gradient(net, X, Y)
        record = g.extras["record"]
        delta = g.extras["delta"][l]
        prev = record.sigmas[l - 1]
        expected = prev.T @ delta
        where = f"{describe(net, m)}, l = {l}"
        mistakes = {
            f"{where}: the 1/m is already inside δ^l (δ^L = (σ^L - y)/m): do not divide by m again.":
                expected / m,
            f"{where}: δ^l_j already includes ∂σ^l_j/∂sum^l_j: you multiplied by it twice.":
                prev.T @ (delta * net.activation(l).derivative(record.sums[l])),
            f"{where}: sign error.": -expected,
        }
        if l >= 2:
            mistakes[f"{where}: ∂sum^l_j/∂w^l_ij is σ^{{l-1}}_i, the neuron's value, not its input "
                     "sum^(l-1)_i."] = record.sums[l - 1].T @ delta
        if net.sizes[l - 1] == net.sizes[l]:
            mistakes[f"{where}: you used σ^l instead of σ^{{l-1}}: w^l_ij multiplies σ^{{l-1}}_i, the neuron the "
                     "weight comes from."] = record.sigmas[l].T @ delta
            mistakes[f"{where}: you swapped i and j (transposed): entry [i, j] is ∂E/∂w^l_ij, i in layer "
                     "l-1."] = expected.T
        yield Case((record, delta, l), expected, f"∂E/∂W^{l}", mistakes, where=where,
                   form=lambda answer: check_layer_shapes([answer], net, f"{where}: ∂E/∂W^{l}", layers=[l])[0])


# ------------------------------------------------------------------------------ 04.4
@numeric_check("04.4", "the bias gradient ∂E/∂b^l_j = Σ_e δ^l_j", points=2, call=_caller("04.4"))
def bias_gradient(rng):
    r"""``dE_db(net, record, dE_dsigma_l, l)`` -> ∂E/∂b^l, shape (n_l,), from ∂E/∂σ^l (m, n_l): δ^l summed over
    the examples (∂sum^l_j/∂b^l_j = 1, and the penalty leaves the biases out)."""
    n = int(rng.integers(2, 5))
    nets = [Network((n, n, n, 1), hidden=str(rng.choice(["sigmoid", "tanh"])), bias=True, seed=int(rng.integers(2**31)))]
    nets += [random_network(rng, L=int(rng.integers(2, 5)), bias=True) for _ in range(2)]
    for k, net in enumerate(nets):
        X, Y = random_data(rng, net)
        m = X.shape[0]
        l = net.L if k == 1 else int(rng.integers(1, net.L))
        g = gradient(net, X, Y, float(rng.uniform(0.3, 2.0)))
        record = g.extras["record"]
        dE_dsigma = (CrossEntropy.dE_dsigma(record.sigmas[l], Y) if l == net.L else g.extras["dE_dsigma"][l])
        expected = g.b[l]
        where = f"{describe(net, m)}, l = {l}"
        mistakes = {
            f"{where}: you forgot ∂σ^l_j/∂sum^l_j: b^l_j is inside sum^l_j, so ∂E/∂b^l_j sums δ^l_j = "
            "∂E/∂σ^l_j · ∂σ^l_j/∂sum^l_j over the examples.": dE_dsigma.sum(axis=0),
            f"{where}: you evaluated the activation derivative at σ^l_j; ∂σ^l_j/∂sum^l_j is g' at sum^l_j.":
                (dE_dsigma * net.activation(l).derivative(record.sigmas[l])).sum(axis=0),
            f"{where}: the 1/m is already inside δ^l (δ^L = (σ^L - y)/m): sum δ^l_j over the examples, do not "
            "average it.": expected / m,
            f"{where}: sign error.": -expected,
        }
        if m == net.sizes[l]:   # the shapes cannot tell a sum over the neurons from one over the examples
            delta = dE_dsigma * net.activation(l).derivative(record.sums[l])
            mistakes[f"{where}: {OVER_NEURONS}"] = delta.sum(axis=1)
        yield Case((net, record, dE_dsigma, l), expected, f"∂E/∂b^{l}", mistakes, where=where,
                   form=_bias_form(net, l, m, where))


OVER_NEURONS = ("you summed over the neurons j (axis 1): b^l_j is one number per neuron, shared by the examples, "
                "so sum δ^l_j over the examples (axis 0) instead, one entry per neuron of layer l.")


def _bias_form(net: Network, l: int, m: int, where: str):
    """04.4's form: one number per neuron of layer l."""
    def form(answer):
        shape = shape_of(answer)
        if shape == (m, net.sizes[l]):
            raise Hint(f"{where}: your ∂E/∂b^{l} has one row per example, shape {shape}: b^l_j is shared by all "
                       f"the examples, so ∂E/∂b^l_j sums δ^l_j over them (axis 0): shape ({net.sizes[l]},).")
        if shape == (m,) and m != net.sizes[l]:
            raise Hint(f"{where}: {OVER_NEURONS}")
        return _array(answer, f"∂E/∂b^{l}", (net.sizes[l],))
    return form


# ------------------------------------------------------------------------------ 04.5
def _unpack(answer, net: Network):
    """The student's (dW, db), with hints for the common shapes of a wrong return value."""
    name = "backprop(net, X, Y, lam)"
    if (isinstance(answer, (list, tuple)) and len(answer) > 0
            and isinstance(answer[0], np.ndarray) and np.ndim(answer[0]) == 2):
        raise Hint(f"{name} should return a pair (dW, db): a list of ∂E/∂W^l and a list of ∂E/∂b^l (or None "
                   "without biases); you returned one list of arrays.")
    try:
        dW, db = answer
    except (TypeError, ValueError):
        raise Hint(f"{name} should return a pair (dW, db), got {type(answer).__name__}.") from None
    return dW, db


@check("04.5", "backpropagation for any depth: ∂E/∂w^l_ij (and ∂E/∂b^l_j) for every layer", points=4)
def full_backprop(backprop):
    r"""``backprop(net, X, Y, lam)`` -> (dW, db): [∂E/∂W^1..∂E/∂W^L], [∂E/∂b^1..∂E/∂b^L] or None."""
    rng = fresh_rng()
    n = int(rng.integers(2, 5))  # square layers first: transposed or shifted answers have the right shape
    nets = [Network((n, n, n, n), hidden=str(rng.choice(["sigmoid", "tanh"])), bias=True,
                    seed=int(rng.integers(2**31))),
            random_network(rng, L=int(rng.integers(3, 5)), bias=True),
            random_network(rng, L=int(rng.integers(2, 4)), bias=False),
            random_network(rng)]
    trap = central_difference_trap(rng)  # last: central differences of E are measurably off there
    nets.append(trap[0])
    for net in nets:
        if net is trap[0]:
            _, X, Y, lam = trap
        else:
            if net.b is not None:
                for l in net.b.layers():
                    net.b[l] = rng.uniform(-1, 1, net.sizes[l])
            X, Y = random_data(rng, net)
            lam = float(rng.uniform(0.3, 2.0))
        m = X.shape[0]
        where = describe(net, m, lam)
        ref = gradient(net, X, Y, lam)
        answer = _run(backprop, net.copy(), X.copy(), Y.copy(), lam, where=where, off=OFF["04.5"])
        dW, db = _unpack(answer, net)
        dW = check_layer_shapes(answer_layers(dW, net.L, "dW"), net, f"{where}: dW")
        if net.b is None:
            if db is not None:
                raise Hint(f"{where}: this network has no biases (net.b is None): return db = None.")
            got, expected = flat(dW), flat(list(ref.W))
        else:
            if db is None:
                raise Hint(f"{where}: this network has biases: return db, one vector ∂E/∂b^l per layer.")
            db = answer_layers(db, net.L, "db")
            db = [_array(b, f"∂E/∂b^{l}", (net.sizes[l],)) for l, b in zip(range(1, net.L + 1), db)]
            got, expected = flat(dW + db), flat(list(ref.W) + list(ref.b))

        def pack(dWv, dbv):
            return flat(list(dWv) + (list(dbv) if net.b is not None else []))

        mistakes = {
            f"{where}: you forgot the λ/m·w^l_ij term: the penalty's own derivative, which the notes' "
            "product of three factors leaves out.": pack(*variant(net, X, Y, 0.0)),
            f"{where}: you forgot the activation derivative ∂σ^l_j/∂sum^l_j in the hidden layers.":
                pack(*variant(net, X, Y, lam, dg="none")),
            f"{where}: you evaluated the activation derivative at σ^l_j; ∂σ^l_j/∂sum^l_j is g' at sum^l_j.":
                pack(*variant(net, X, Y, lam, dg="sigma")),
            f"{where}: you forgot 1/m: δ^L = (σ^L - y)/m and the penalty's derivative is λ/m·w^l_ij.":
                pack(*variant(net, X, Y, lam, one_over_m=False)),
            f"{where}: sign error: δ^L = (σ^L - y)/m, not (y - σ^L)/m.":
                pack(*variant(net, X, Y, lam, delta_sign=-1.0)),
            f"{where}: sign error: that is -∂E/∂w, the direction of steepest descent, not the gradient.":
                -expected,
            f"{where}: the penalty's derivative is λ/m·w^l_ij (the 2 of the square cancels the 1/2), "
            "not λ/2m·w^l_ij.": pack(*variant(net, X, Y, lam, penalty_factor=0.5)),
        }
        if net.b is not None:
            mistakes[f"{where}: you penalized the biases: the penalty covers the weights w^l_ij only, so "
                     "∂E/∂b^l_j has no λ term."] = pack(*variant(net, X, Y, lam, penalize_bias=True))
        if any(net.sizes[l] == net.sizes[l - 1] for l in range(1, net.L + 1)):
            mistakes[f"{where}: you used σ^l instead of σ^{{l-1}}: ∂sum^l_j/∂w^l_ij = σ^{{l-1}}_i, the neuron "
                     "the weight comes from."] = pack(*variant(net, X, Y, lam, sigma_l=True))
        if all(w.shape[0] == w.shape[1] for w in net.W):
            tW, tb = variant(net, X, Y, lam)
            mistakes[f"{where}: you swapped i and j (transposed W^l): entry [i, j] of ∂E/∂W^l is "
                     "∂E/∂w^l_ij, i in layer l-1, j in layer l."] = pack([w.T for w in tW], tb)
            mistakes[f"{where}: you swapped i and j (transposed W^l) when going back through the "
                     "weights: ∂E/∂σ^{l-1}_i sums δ^l_p · w^l_ip over p."] = pack(*transposed_backward(net, X, Y, lam))
        if net is trap[0]:
            not_by_differences(got, expected, where)
        compare(got, expected, "∂E/∂w", mistakes)


# ------------------------------------------------------------------------------ 04.6
#: the least relative change the planted bug must make to ∂E/∂W^l of its own layer: a gradient check's own error
#: is about 1e-7, so a right answer always sees the bug (a bug it cannot see would fail a right answer)
VISIBLE = 1e-3


def _visible_bug(rng, kind: str):
    """A hidden case for 04.6: (net, X, Y, λ, l_bug, claimed {l: ∂E/∂W^l}) whose planted bug changes ∂E/∂W^{l_bug}
    by at least :data:`VISIBLE` (relatively). A case where it would not (a tanh layer with g' ≈ 1 everywhere, say)
    is drawn again: about 1 case in 1500 before this rule."""
    for _ in range(100):
        L = int(rng.integers(3, 5))
        net = random_network(rng, L=L, hidden=str(rng.choice(["sigmoid", "tanh"])), bias=bool(rng.integers(0, 2)))
        low = 2 if kind in ("derivative", "double") else 1     # a bug that spreads: at least one layer below it
        high = L - 1 if kind == "derivative" else L
        l_bug = int(rng.integers(low, high + 1))
        X, Y = random_data(rng, net)
        m = X.shape[0]
        lam = float(rng.uniform(1.0, 3.0)) * m / 2
        claimed = planted(net, X, Y, lam, l_bug, kind)
        right = gradient(net, X, Y, lam).W[l_bug]
        change = np.linalg.norm(claimed[l_bug] - right) / max(np.linalg.norm(claimed[l_bug]) + np.linalg.norm(right),
                                                              1e-300)
        if change >= VISIBLE:
            return net, X, Y, lam, l_bug, claimed
    raise RuntimeError(f"04.6: no hidden case in 100 draws shows the {kind!r} bug (a bug in the check)")


@check("04.6", "find the planted bug with a gradient check", points=3)
def planted_bug(find_bug):
    r"""``find_bug(net, X, Y, lam, claimed)`` -> the layer l (1..L) whose backward step has the bug, where
    ``claimed`` is {l: ∂E/∂W^l} from a backpropagation with one bug planted in one layer."""
    rng = fresh_rng()
    for kind in ("penalty", "sign", "derivative", "double"):   # one layer wrong first, then bugs that spread
        net, X, Y, lam, l_bug, claimed = _visible_bug(rng, kind)
        m = X.shape[0]
        where = f"{describe(net, m, lam)}"
        answer = _run(find_bug, net.copy(), X.copy(), Y.copy(), lam, {l: w.copy() for l, w in claimed.items()},
                      where=where, off=ANALYTIC)
        if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, np.integer)):
            raise Hint(f"{where}: find_bug should return one layer number l (an int from 1 to L = {net.L}), got "
                       f"{type(answer).__name__} {answer!r:.60}.")
        answer = int(answer)
        if answer == l_bug:
            continue
        spreads = kind in ("derivative", "double")
        if spreads and 1 <= answer < l_bug:
            raise Hint(f"{where}: layer {answer}'s gradient is wrong, but the bug is not there: a bug in δ^l spreads "
                       "to every layer below l, because the backward pass reads δ^l to compute layer l-1 (the memo "
                       "table fills from L down to 1). The bug is in the HIGHEST layer whose gradient disagrees.")
        if answer in (l_bug - 1, l_bug + 1):
            raise Hint(f"{where}: you are one layer off (l = {answer}): layers are numbered 1..L (claimed[l] is "
                       "∂E/∂W^l; there is no W^0), and the bug is in the highest layer whose gradient disagrees "
                       "with central differences.")
        raise Hint(f"{where}: layer {answer} is not where the bug is. Compare claimed[l] with central differences of "
                   "E (bpkit.numerical_gradient, or your own), layer by layer, by relative error: the bug is in the "
                   "highest layer l whose ∂E/∂W^l disagrees.")

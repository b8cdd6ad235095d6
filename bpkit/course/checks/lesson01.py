r"""Graded checks for lesson 01: the notation and the forward pass.

.. math::

    \text{sum}^l_j = \sum_i w^l_{ij}\,σ^{l-1}_i + b^l_j \qquad σ^l_j = g_l(\text{sum}^l_j)

* 01.1 ``sum_layer(net, sigma_prev, l)``: sum^l for every example, from σ^{l-1};
* 01.2 ``sigma_layer(net, sum_l, l)``: σ^l from sum^l, with layer l's own activation;
* 01.3 ``forward_pass(net, X)``: the list [σ^0, σ^1, ..., σ^L], any depth, any activation;
* 01.4 ``incoming(net, l, j)`` and ``outgoing(net, l, i)``: the weights into σ^l_j and out of σ^l_i.

Every check draws fresh hidden networks (depth, widths, hidden activation, biases or not)
and inputs on every run, and compares against bpkit (``net.forward``, ``net.W``). The
student's function gets copies, and while it runs ``net.forward`` (the reference) and
bpkit's gradients (whose record holds the forward pass) are switched off
(:func:`bpkit.course.checks.switch.switched_off`): the exercise is to compute the forward pass,
not to call it.
"""
from __future__ import annotations

import numpy as np

from bpkit.network import Network
from ._core import Hint, as_array, compare, fresh_rng, shape_of
from .switch import FORWARD, GRADIENTS, call_answer
from .harness import Case, check, numeric_check
from .common import merged, random_network
from .common import describe as _case_words


def describe(net: Network, m: int | None = None) -> str:
    return "a " + _case_words(net, m, examples=True)

__all__ = ["sum_layer", "sigma_layer", "forward_pass", "incoming_outgoing"]

TRANSPOSED = ("you swapped i and j: w^l_ij = net.W[l][i, j] connects neuron i of layer l-1 to neuron j "
              "of layer l, so sum^l_j adds up column j of W[l] (weighted by σ^{l-1}_i), not row j.")
TRANSPOSED_IN = ("you swapped i and j: w^l_ij = net.W[l][i, j] connects neuron i of layer l-1 to neuron j of "
                 "layer l, so the weights into σ^l_j are column j of W[l], not row j.")
NO_BIAS = ("you forgot the bias: with biases, sum^l_j = Σ_i w^l_ij σ^{l-1}_i + b^l_j "
           "(net.b[l][j]; net.b is None for a network without biases).")
ACTIVATED = ("you applied the activation: sum^l_j is the input of neuron σ^l_j, before the activation; "
             "σ^l_j = g(sum^l_j) comes after.")
NOT_ACTIVATED = "you returned sum^l itself: σ^l_j = g(sum^l_j), apply layer l's activation."
TWICE = "you applied the activation twice: σ^l_j = g(sum^l_j), once."
DERIVATIVE = "you applied the activation's derivative ∂σ/∂sum, not the activation g itself."
WRONG_ACTIVATION = ("you used the wrong activation for layer l: hidden layers 1..L-1 use net.hidden, the output "
                    "layer L uses the sigmoid (net.activation(l) gives the right one for any l).")


# ------------------------------------------------------------------------------ cases
#: what would answer 01.1-01.3 outright: the forward pass (net.forward, and net.forward_validated that bpkit's
#: own functions call) and bpkit's gradients (their record holds every sum^l and σ^l)
REFERENCE = (*FORWARD, *GRADIENTS)


def student_copy(net: Network) -> Network:
    """A copy of ``net`` for the student's function (which may change it at will)."""
    return net.copy()


def _bias(net: Network, l: int):
    return 0.0 if net.b is None else net.b[l]


def _cases(rng, n: int = 6):
    """Hidden cases: random networks, including a square one (where a transposed W has the right
    shape), one without and one with biases, relu/tanh/sigmoid, and m = 1..6 examples."""
    cases = [random_network(rng, L=int(rng.integers(2, 5)), square=True, bias=True),
             random_network(rng, L=int(rng.integers(2, 5)), bias=False),
             random_network(rng, L=int(rng.integers(2, 5)), bias=True)]
    cases += [random_network(rng) for _ in range(n - len(cases))]
    out = []
    for net in cases:
        m = int(rng.integers(1, 7))
        X = rng.normal(size=(m, net.sizes[0])) * 1.5
        out.append((net, X))
    return out


# ------------------------------------------------------------------------------ 01.1
@numeric_check("01.1", "sum^l_j = Σ_i w^l_ij σ^{l-1}_i + b^l_j for one layer", points=2, off=REFERENCE)
def sum_layer(rng):
    """Check ``sum_layer_fn(net, sigma_prev, l)`` -> sum^l of shape (m, n_l)."""
    for net, X in _cases(rng):
        rec = net.forward(X)
        for l in sorted({1, net.L, int(rng.integers(1, net.L + 1))}):
            sigma_prev = rec.sigmas[l - 1]
            expected = rec.sums[l]
            W, b = net.W[l], _bias(net, l)
            g = net.activation(l)
            mistakes = {NO_BIAS: sigma_prev @ W} if net.b is not None else {}
            if W.shape[0] == W.shape[1]:
                mistakes[TRANSPOSED] = sigma_prev @ W.T + b
                if net.b is not None:
                    mistakes[TRANSPOSED + " (And the bias is missing too.)"] = sigma_prev @ W.T
            mistakes[ACTIVATED] = g.value(expected)
            if l >= 2 and net.W[l - 1].shape == W.shape:
                mistakes["w^l connects layer l-1 to layer l: use net.W[l], not net.W[l-1]."] = \
                    sigma_prev @ net.W[l - 1] + (0.0 if net.b is None else net.b[l - 1])
            yield Case((net, sigma_prev, l), expected, f"sum^{l} (layer {l} of {describe(net, X.shape[0])})",
                       merged(mistakes), form=_one_row_per_example(expected.shape))


def _one_row_per_example(shape):
    """01.1's form: sum^l for every example, (m, n_l); None and a single row get their own hints."""
    def form(answer):
        if answer is None:
            raise Hint("your function returned None: return sum^l, an array of shape (m, n_l).")
        if shape_of(answer) == (shape[1],) and shape[0] > 1:
            raise Hint(f"wrong shape: return sum^l for every example, shape (m, n_l) = {shape}; "
                       "row e is example e.")
        return answer
    return form


# ------------------------------------------------------------------------------ 01.2
@numeric_check("01.2", "σ^l_j = g(sum^l_j) for one layer", points=2, off=REFERENCE)
def sigma_layer(rng):
    """Check ``sigma_layer_fn(net, sum_l, l)`` -> σ^l of shape (m, n_l)."""
    cases = _cases(rng)
    for hidden in ("relu", "tanh"):  # a hidden layer whose activation is not the sigmoid, always
        net = random_network(rng, L=int(rng.integers(2, 5)), hidden=hidden)
        cases.append((net, rng.normal(size=(int(rng.integers(2, 6)), net.sizes[0])) * 1.5))
    for net, X in cases:
        rec = net.forward(X)
        for l in sorted({net.L, int(rng.integers(1, net.L + 1))} | ({1} if net.L > 1 else set())):
            s = rec.sums[l]
            g = net.activation(l)
            other = net.hidden if l == net.L else net.output
            mistakes = {NOT_ACTIVATED: s, TWICE: g.value(g.value(s)), DERIVATIVE: g.derivative(s)}
            if other is not g:
                mistakes[WRONG_ACTIVATION] = other.value(s)
            yield Case((net, s, l), rec.sigmas[l], f"σ^{l} (layer {l} of {describe(net, X.shape[0])})",
                       merged(mistakes), form=_not_none("σ^l"))


def _not_none(what: str):
    """A Case's form: the answer as it is, but None gets the hint to return ``what``."""
    def form(answer):
        if answer is None:
            raise Hint(f"your function returned None: return {what}, an array of shape (m, n_l).")
        return answer
    return form


# ------------------------------------------------------------------------------ 01.3
def _forward_variant(net: Network, X, *, bias=True, hidden_act=True, output=None, transpose=False,
                     pass_sums=False, activation_for_all=None):
    """The list of σ^l a typical wrong forward pass produces."""
    sigmas = [X]
    prev = X
    for l in range(1, net.L + 1):
        W = net.W[l].T if transpose else net.W[l]
        s = prev @ W
        if bias and net.b is not None:
            s = s + net.b[l]
        if activation_for_all is not None:
            g = activation_for_all
        elif l == net.L:
            g = net.output if output is None else output
        else:
            g = net.hidden if hidden_act else None
        sig = s if g is None else g.value(s)
        sigmas.append(sig)
        prev = s if (pass_sums and l < net.L) else sig
    return sigmas


@check("01.3", "forward pass: every σ^l, l = 0..L, any depth and activation", points=3)
def forward_pass(forward_fn):
    """Check ``forward_fn(net, X)`` -> [σ^0, σ^1, ..., σ^L], each of shape (m, n_l)."""
    from bpkit import activations

    rng = fresh_rng()
    cases = _cases(rng, 7)
    for hidden in ("relu", "tanh"):
        net = random_network(rng, L=int(rng.integers(2, 5)), hidden=hidden, bias=True)
        cases.append((net, rng.normal(size=(int(rng.integers(2, 6)), net.sizes[0])) * 1.5))
    for net, X in cases:
        rec = net.forward(X)
        answer = call_answer(forward_fn, student_copy(net), X.copy(), off=REFERENCE)
        where = describe(net, X.shape[0])
        if answer is None:
            raise Hint("your function returned None: return the list [σ^0, σ^1, ..., σ^L].")
        try:
            answer = list(answer)
        except TypeError:
            raise Hint(f"return a list [σ^0, σ^1, ..., σ^L] of arrays, got {type(answer).__name__}.") from None
        if len(answer) == net.L and net.L >= 1:
            raise Hint(f"your list has L = {net.L} arrays but should have L + 1 = {net.L + 1}: σ^0 (the input X, "
                       "layer 0) comes first.")
        if len(answer) != net.L + 1:
            raise Hint(f"your list has {len(answer)} arrays but {where} has layers 0..{net.L}: "
                       f"return L + 1 = {net.L + 1} arrays [σ^0, ..., σ^L].")
        variants = {}
        if net.b is not None:
            variants[NO_BIAS] = _forward_variant(net, X, bias=False)
        if net.L > 1 and net.hidden is not activations.sigmoid:
            variants["you applied the sigmoid at every layer: the hidden layers 1..L-1 use net.hidden "
                     f"(here {net.hidden.name}); only the output layer L uses the sigmoid."] = \
                _forward_variant(net, X, activation_for_all=activations.sigmoid)
        if net.L > 1 and net.hidden is not activations.sigmoid:
            variants["you applied the hidden activation at the output layer too: layer L uses the sigmoid "
                     "(net.activation(l) gives the right one for any l)."] = \
                _forward_variant(net, X, output=net.hidden)
        if net.L > 1:
            variants["you stored sum^l instead of σ^l for the hidden layers: σ^l = g(sum^l) "
                     "(the activation was never applied there)."] = _forward_variant(net, X, hidden_act=False)
            variants["the next layer's sum uses σ^{l-1} = g(sum^{l-1}), not sum^{l-1}: you passed the sums on."] = \
                _forward_variant(net, X, pass_sums=True)
        if all(w.shape[0] == w.shape[1] for w in net.W):
            variants[TRANSPOSED] = _forward_variant(net, X, transpose=True)
        for l in range(net.L + 1):
            # we only get to layer l when σ^0..σ^{l-1} were right: a mistake that would already
            # have shown in an earlier layer is not the one this answer made
            mistakes = {hint: v[l] for hint, v in variants.items()
                        if not np.allclose(v[l], rec.sigmas[l], rtol=1e-6, atol=1e-9)}
            variants = {hint: v for hint, v in variants.items() if hint not in mistakes}
            if l == 0:
                mistakes = {}
            a = as_array(answer[l], f"σ^{l}")
            if l > 0 and a.shape == rec.sums[l].shape and np.allclose(a, rec.sums[l]) \
                    and not np.allclose(rec.sums[l], rec.sigmas[l]):
                raise Hint(f"σ^{l} is sum^{l}: σ^l = g(sum^l), apply layer l's activation.")
            if l > 0 and a.shape == rec.sigmas[l].shape:
                g = net.activation(l)
                if np.allclose(a, g.value(rec.sigmas[l])) and not np.allclose(a, rec.sigmas[l]):
                    raise Hint(TWICE)
            compare(a, rec.sigmas[l], f"σ^{l} (layer {l} of {where})", merged(mistakes))


# ------------------------------------------------------------------------------ 01.4
@check("01.4", "the weights into σ^l_j and out of σ^l_i", points=1)
def incoming_outgoing(incoming, outgoing):
    """Check ``incoming(net, l, j)`` -> (w^l_0j, ..., w^l_{n_{l-1}-1, j}) and
    ``outgoing(net, l, i)`` -> (w^{l+1}_i0, ..., w^{l+1}_{i, n_{l+1}-1})."""
    rng = fresh_rng()
    nets = [random_network(rng, L=int(rng.integers(2, 5)), square=True),
            random_network(rng, L=int(rng.integers(2, 5))), random_network(rng, L=int(rng.integers(2, 5)))]
    for net in nets:
        where = describe(net)
        for _ in range(3):
            l = int(rng.integers(1, net.L + 1))
            j = int(rng.integers(0, net.sizes[l]))
            expected = net.W[l][:, j]
            mistakes = {}
            if j < net.sizes[l - 1] and net.sizes[l - 1] == net.sizes[l]:
                mistakes[TRANSPOSED_IN] = net.W[l][j, :]
            if l + 1 <= net.L and net.sizes[l] == net.sizes[l + 1]:
                mistakes["the weights into σ^l_j are in W[l] (from layer l-1), not W[l+1]."] = net.W[l + 1][:, j]
            answer = call_answer(incoming, student_copy(net), l, j, off=REFERENCE)
            if answer is None:
                raise Hint("incoming returned None: return the n_{l-1} weights w^l_ij, i = 0..n_{l-1}-1.")
            compare(answer, expected, f"incoming(net, {l}, {j}) on {where}", merged(mistakes))
        for _ in range(3):
            l = int(rng.integers(0, net.L))
            i = int(rng.integers(0, net.sizes[l]))
            expected = net.W[l + 1][i, :]
            mistakes = {}
            if net.sizes[l] == net.sizes[l + 1]:
                mistakes["you swapped i and j: the weights leaving σ^l_i go to layer l+1, they are w^{l+1}_ij "
                         "= net.W[l+1][i, j], row i of W[l+1]."] = net.W[l + 1][:, i]
            if l >= 1 and net.sizes[l - 1] == net.sizes[l] and i < net.sizes[l - 1]:
                mistakes["the weights leaving σ^l_i are in W[l+1] (to layer l+1), not W[l]."] = net.W[l][i, :]
            answer = call_answer(outgoing, student_copy(net), l, i, off=REFERENCE)
            if answer is None:
                raise Hint("outgoing returned None: return the n_{l+1} weights w^{l+1}_ij, j = 0..n_{l+1}-1.")
            compare(answer, expected, f"outgoing(net, {l}, {i}) on {where}", merged(mistakes))

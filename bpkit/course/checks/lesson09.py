r"""Graded checks for lesson 09: vanishing gradients, initialization and symmetry.

* 09.1 ``delta_L_squared(sigma_L, Y)``: δ^L = ∂E/∂sum^L of the squared error E = 1/(2m) Σ_e Σ_k (σ^L_k − y_k)²
  with logistic outputs, δ^L = (σ^L − Y) σ^L (1 − σ^L) / m (reference :func:`bpkit.depth.squared_error_delta`);
* 09.2 ``layer_norms(net, X, Y)``: [‖∂E/∂W^1‖, ..., ‖∂E/∂W^L‖], Frobenius norms of the gradient of E
  (λ = 0; reference :func:`bpkit.depth.layer_norms`); bpkit.gradient may be used;
* 09.3 ``identical_neurons(net, l)``: the pairs (i, j), i < j, of identical hidden neurons of layer l: equal
  incoming weights (columns i and j of W^l), equal biases, equal outgoing weights (rows i and j of W^{l+1})
  (reference :func:`bpkit.initialization.identical_neurons`), on hidden networks with planted duplicates and
  decoys that share only some of the three;
* 09.4 ``saturated_fraction(net, X, threshold)``: for every hidden layer, the fraction of (example, neuron) pairs whose
  slope ∂σ^l_j/∂sum^l_j is below ``threshold`` times the activation's largest slope (reference
  :func:`bpkit.depth.saturation`).

Every check draws fresh hidden cases on every run; while the student's function runs, the reference is
switched off.
"""
from __future__ import annotations

import numpy as np

from bpkit import activations
from bpkit.depth import layer_norms as reference_norms
from bpkit.depth import saturation, slope_bound, squared_error_delta
from bpkit.initialization import identical_neurons as reference_pairs
from bpkit.network import Network
from ._core import Hint, fresh_rng, shape_of
from .common import describe, merged, random_network
from .harness import Case, check, numeric_check
from .switch import call_answer

__all__ = ["delta_L_squared", "layer_norms", "identical_neurons", "saturated_fraction"]

# ------------------------------------------------------------------------------ 09.1
NO_SLOPE = ("you left out the slope ∂σ^L_k/∂sum^L_k = σ^L_k(1 − σ^L_k): (σ^L − Y)/m is the cross-entropy's δ^L "
            "(there the log cancels that factor); the squared error's ∂E/∂σ^L_k = (σ^L_k − y_k)/m still has to "
            "be multiplied by it.")
NO_M = "you forgot the 1/m: E is a mean over the m examples, E = 1/(2m) Σ_e Σ_k (σ^L_k − y_k)²."
TWO_M = ("you kept a factor 2: the derivative of (σ^L_k − y_k)² is 2(σ^L_k − y_k), and the 1/(2m) in front "
         "of E turns that 2 into 1/m.")
SIGN = "sign error: ∂E/∂σ^L_k = (σ^L_k − y_k)/m, the output minus the target, not y_k − σ^L_k."
LOGISTIC_OF_SIGMA = ("you computed the slope as if sigma_L were sum^L (you applied the logistic to σ^L_k again): "
                     "∂σ^L_k/∂sum^L_k = σ^L_k(1 − σ^L_k) is written with σ^L_k itself.")
SUM_FOR_SIGMA = ("you used sum^L_k where σ^L_k belongs: ∂E/∂σ^L_k = (σ^L_k − y_k)/m compares the output σ^L_k "
                 "(after the logistic) with the target.")
TANH_SLOPE = "1 − (σ^L_k)² is the slope of tanh; the output neurons are logistic: σ^L_k(1 − σ^L_k)."
REFERENCE_09_1 = (("bpkit.depth.squared_error_delta", "bpkit.depth.squared_error_delta"),)


def _per_example(shape):
    def form(answer):
        if answer is None:
            raise Hint(f"your function returned None: return δ^L, an array of shape (m, n_L) = {shape}.")
        got = shape_of(answer)
        if got == (shape[1],) and shape[0] > 1:
            raise Hint(f"wrong shape {got}: return δ^L for every example, shape (m, n_L) = {shape} (do not sum over "
                       "the examples: row e is example e).")
        return answer
    return form


@numeric_check("09.1", "δ^L of the squared error with logistic outputs", points=2, off=REFERENCE_09_1)
def delta_L_squared(rng):
    """Check ``delta_L_squared(sigma_L, Y)`` -> δ^L = (σ^L − Y) σ^L (1 − σ^L) / m, shape (m, n_L)."""
    for k in range(6):
        m, n = int(rng.integers(2, 9)), int(rng.integers(1, 5))
        sums = rng.normal(scale=2.5 if k else 6.0, size=(m, n))          # the first case has saturated outputs
        sigma = activations.sigmoid.value(sums)
        Y = rng.integers(0, 2, size=(m, n)).astype(float)
        expected = squared_error_delta(sigma, Y)
        slope = sigma * (1 - sigma)
        mistakes = {NO_SLOPE: (sigma - Y) / m, NO_M: (sigma - Y) * slope, TWO_M: 2 * expected, SIGN: -expected,
                    LOGISTIC_OF_SIGMA: (sigma - Y) * activations.sigmoid.derivative(sigma) / m,
                    SUM_FOR_SIGMA: (sums - Y) * slope / m, TANH_SLOPE: (sigma - Y) * (1 - sigma ** 2) / m,
                    NO_SLOPE + " And " + NO_M: sigma - Y}
        yield Case((sigma, Y), expected, f"δ^L (m = {m} examples, n_L = {n} outputs)", merged(mistakes),
                   form=_per_example((m, n)))


# ------------------------------------------------------------------------------ 09.2
REVERSED = ("your norms are in reverse order: the list starts with layer l = 1 (‖∂E/∂W^1‖, the first hidden "
            "layer) and ends with the output layer L.")
WITH_BIAS = "you included the biases: ‖∂E/∂W^l‖ is the norm of the weights' gradient only, Σ_i Σ_j (∂E/∂w^l_ij)²."
WEIGHTS = "you took the norm of the weights W^l themselves: the exercise asks for the norm of the gradient ∂E/∂W^l."
SQUARED = "you forgot the square root: ‖∂E/∂W^l‖ = sqrt(Σ_i Σ_j (∂E/∂w^l_ij)²)."
MAX_ABS = "you took the largest |∂E/∂w^l_ij|: the Frobenius norm is sqrt(Σ_i Σ_j (∂E/∂w^l_ij)²), over every entry."
SUM_ABS = "you added up |∂E/∂w^l_ij|: the Frobenius norm is sqrt(Σ_i Σ_j (∂E/∂w^l_ij)²)."
REFERENCE_09_2 = (("bpkit.depth.layer_norms", "bpkit.depth.layer_norms"),)


def _norms_form(L: int):
    def form(answer):
        if answer is None:
            raise Hint(f"your function returned None: return the L = {L} norms [‖∂E/∂W^1‖, ..., ‖∂E/∂W^L‖].")
        got = shape_of(answer)
        if got is None or len(got) != 1:
            raise Hint(f"return one number per layer, a list of L = {L} norms, got shape {got}.")
        if got[0] != L:
            extra = " (layer 0, the input, has no weights: start at l = 1)" if got[0] == L + 1 else ""
            raise Hint(f"you returned {got[0]} norms for a network with L = {L} layers of weights{extra}.")
        return answer
    return form


def _frobenius(arrays) -> np.ndarray:
    return np.array([np.sqrt(np.sum(np.square(a))) for a in arrays])


@numeric_check("09.2", "the per-layer gradient norms ‖∂E/∂W^l‖, l = 1..L", points=2, off=REFERENCE_09_2)
def layer_norms(rng):
    """Check ``layer_norms(net, X, Y)`` -> [‖∂E/∂W^1‖, ..., ‖∂E/∂W^L‖] (λ = 0, biases not included)."""
    from bpkit.backprop import gradient

    for k in range(5):
        net = random_network(rng, L=int(rng.integers(2, 6)), bias=k != 1, min_width=2)
        X = rng.normal(size=(int(rng.integers(3, 9)), net.sizes[0]))
        Y = rng.integers(0, 2, size=(X.shape[0], net.sizes[-1])).astype(float)
        expected = reference_norms(net, X, Y)
        g = gradient(net, X, Y)
        dW = [g.W[l] for l in g.W.layers()]
        mistakes = {REVERSED: expected[::-1], WEIGHTS: _frobenius(list(net.W)), SQUARED: expected ** 2,
                    MAX_ABS: np.array([np.abs(a).max() for a in dW]), SUM_ABS: np.array([np.abs(a).sum() for a in dW])}
        if net.b is not None:
            mistakes[WITH_BIAS] = np.sqrt(expected ** 2 + _frobenius(list(g.b)) ** 2)
        yield Case((net, X, Y), expected, f"the norms (a hidden {describe(net, X.shape[0])})", merged(mistakes),
                   form=_norms_form(net.L), rtol=1e-6, atol=1e-8)   # atol: a vanishing layer's norm by central
                   # differences is off by ~1e-9 (E's rounding / the step); every mistake is off by far more


# ------------------------------------------------------------------------------ 09.3
NO_OUTGOING = ("you forgot the outgoing weights: two neurons with the same incoming weights and bias compute the "
               "same σ^l on every example, but they are identical only if their outgoing weights (rows i and j of "
               "W^{l+1}, to layer l+1) are equal too.")
NO_BIAS = ("you forgot the bias: neurons with equal incoming and outgoing weights but different biases b^l_i ≠ b^l_j "
           "have different sums, so they are not identical.")
ONLY_INCOMING = ("you compared the incoming weights only (columns i and j of W^l): identical neurons also have "
                 "equal biases and equal outgoing weights (rows i and j of W^{l+1}).")
ONLY_OUTGOING = ("you compared the outgoing weights only: identical neurons also have equal incoming weights "
                 "(columns i and j of W^l) and equal biases.")
REFERENCE_09_3 = (("bpkit.initialization.identical_neurons", "bpkit.initialization.identical_neurons"),)


def _pairs(net: Network, l: int, incoming=True, bias=True, outgoing=True) -> set:
    """The pairs a comparison of only some of the three finds (the mistakes' answers)."""
    inc, out = net.W[l].T, net.W[l + 1]
    n = net.sizes[l]
    found = set()
    for i in range(n):
        for j in range(i + 1, n):
            same = ((not incoming or np.array_equal(inc[i], inc[j]))
                    and (not outgoing or np.array_equal(out[i], out[j]))
                    and (not bias or net.b is None or net.b[l][i] == net.b[l][j]))
            if same:
                found.add((i, j))
    return found


def _planted(rng, bias: bool | None = None) -> tuple[Network, int]:
    """A hidden network with, in one hidden layer l, a copied neuron (sometimes two copies) and decoys that share
    only their incoming weights, only incoming and outgoing (another bias), or only their outgoing weights."""
    L = int(rng.integers(2, 5))
    sizes = [int(rng.integers(2, 5))] + [int(rng.integers(6, 9)) for _ in range(L - 1)] + [int(rng.integers(1, 4))]
    bias = bool(rng.integers(0, 4)) if bias is None else bias                  # biases 3 times in 4
    net = random_network(rng, sizes=sizes, bias=bias)
    l = int(rng.integers(1, L))
    n = net.sizes[l]
    order = [int(v) for v in rng.permutation(n)]
    a, copy, extra, inc_only, no_bias, out_only = order[:6]

    def clone(src, dst, incoming=True, bias=True, outgoing=True):
        if incoming:
            net.W[l][:, dst] = net.W[l][:, src]
        if outgoing:
            net.W[l + 1][dst, :] = net.W[l + 1][src, :]
        if bias and net.b is not None:
            net.b[l][dst] = net.b[l][src]

    clone(a, copy)
    if rng.integers(0, 2):
        clone(a, extra)                                          # three identical neurons: three pairs
    clone(a, inc_only, outgoing=False)
    if net.b is not None:
        clone(a, no_bias, bias=False)
        net.b[l][no_bias] = net.b[l][a] + float(rng.choice([-1, 1])) * rng.uniform(0.3, 1.0)
    clone(a, out_only, incoming=False, bias=False)
    return net, l


def _as_pairs(answer, where: str) -> set:
    if answer is None:
        raise Hint("your function returned None: return a list of pairs (i, j), i < j, e.g. [(0, 3), (2, 5)] "
                   "(an empty list when no two neurons are identical).")
    try:
        items = list(answer)
    except TypeError:
        raise Hint(f"return a list of pairs (i, j), got {type(answer).__name__}.") from None
    pairs = set()
    for p in items:
        try:
            i, j = (int(v) for v in p)
        except (TypeError, ValueError):
            raise Hint(f"every item must be a pair of neuron indices (i, j), got {p!r} ({where}).") from None
        if i == j:
            raise Hint(f"you paired neuron {i} with itself ({where}): list pairs of two different neurons, i < j.")
        pairs.add((min(i, j), max(i, j)))
    if len(pairs) != len(items):
        raise Hint(f"you listed a pair twice ({where}): list each pair (i, j) once, with i < j.")
    return pairs


@check("09.3", "identical hidden neurons: incoming weights, bias and outgoing weights", points=2)
def identical_neurons(identical_fn):
    """Check ``identical_fn(net, l)`` -> the pairs (i, j), i < j, of identical neurons of hidden layer l."""
    rng = fresh_rng()
    cases = [_planted(rng, bias=True), _planted(rng, bias=False)] + [_planted(rng) for _ in range(4)]
    plain = random_network(rng, L=3, bias=True, min_width=3)                       # no two neurons identical
    cases.append((plain, int(rng.integers(1, 3))))
    for net, l in cases:
        expected = {tuple(p) for p in reference_pairs(net, l)}
        where = f"layer l = {l} of a hidden {describe(net)}"
        got = _as_pairs(call_answer(identical_fn, net.copy(), l, off=REFERENCE_09_3), where)
        if got == expected:
            continue
        variants = {NO_OUTGOING: _pairs(net, l, outgoing=False), NO_BIAS: _pairs(net, l, bias=False),
                    ONLY_INCOMING: _pairs(net, l, outgoing=False, bias=False),
                    ONLY_OUTGOING: _pairs(net, l, incoming=False, bias=False)}
        matching = [hint for hint, pairs in variants.items() if pairs == got and pairs != expected]
        if matching:
            raise Hint(" Or: ".join(dict.fromkeys(matching)) + f" ({where})")
        missing, extra = len(expected - got), len(got - expected)
        raise Hint(f"on {where}: {missing} identical pair(s) missing and {extra} pair(s) that are not identical "
                   "(identical: equal incoming weights, equal bias, equal outgoing weights).")


# ------------------------------------------------------------------------------ 09.4
ABSOLUTE = ("you compared the slope with the threshold itself: compare it with threshold times the activation's "
            "largest slope (1/4 for the logistic, 1 for tanh and relu), so that the threshold means the same "
            "for every activation.")
SLOPE_OF_SIGMA = ("you took the activation's derivative at σ^l_j: ∂σ^l_j/∂sum^l_j is the derivative at sum^l_j "
                  "(from σ^l_j itself: σ^l_j(1 − σ^l_j) for the logistic, 1 − (σ^l_j)² for tanh, 1 or 0 for relu).")
PER_NEURON = ("you counted neurons saturated on every example: count (example, neuron) pairs, the fraction of all "
              "m·n_l slopes of layer l below the threshold.")
LOGISTIC_RULE = ("you used the logistic's rule (σ^l_j near 0 or 1) for every activation: saturated means a small slope "
                 "∂σ^l_j/∂sum^l_j, whatever the activation (tanh: σ^l_j near −1 or 1; relu: sum^l_j <= 0).")
WRONG_LAYERS = "return one fraction per hidden layer l = 1..L-1 (not the input layer 0, not the output layer L)."
REFERENCE_09_4 = (("bpkit.depth.saturation", "bpkit.depth.saturation"), ("bpkit.depth.slopes", "bpkit.depth.slopes"))


def _fractions_form(L: int):
    def form(answer):
        if answer is None:
            raise Hint(f"your function returned None: return L - 1 = {L - 1} fractions, one per hidden layer.")
        got = shape_of(answer)
        if got is None or len(got) != 1 or got[0] != L - 1:
            raise Hint(f"you returned shape {got} for a network with hidden layers 1..{L - 1}: " + WRONG_LAYERS)
        return answer
    return form


@numeric_check("09.4", "the fraction of saturated neurons per hidden layer", points=2, off=REFERENCE_09_4)
def saturated_fraction(rng):
    """Check ``saturated_fraction(net, X, threshold)`` -> [fraction of layer 1, ..., of layer L-1]."""
    for hidden in ("sigmoid", "tanh", "relu", "sigmoid", str(rng.choice(["sigmoid", "tanh"]))):
        net = random_network(rng, L=int(rng.integers(2, 5)), hidden=hidden, min_width=2, biases="normal")
        for l in net.W.layers():
            net.W[l] = net.W[l] * rng.uniform(2.0, 5.0)          # large weights: some neurons saturate
        X = rng.normal(size=(int(rng.integers(4, 10)), net.sizes[0])) * 1.5
        threshold = float(rng.uniform(0.05, 0.4))
        expected = saturation(net, X, threshold)
        record = net.forward(X)
        g, bound = net.hidden, slope_bound(net.hidden)
        hidden_slopes = [g.derivative_from_value(record.sigmas[l]) for l in range(1, net.L)]
        sig_rule = [np.mean((s < 0.5 * (1 - np.sqrt(1 - threshold))) | (s > 0.5 * (1 + np.sqrt(1 - threshold))))
                    for s in (record.sigmas[l] for l in range(1, net.L))]
        mistakes = {ABSOLUTE: [np.mean(s < threshold) for s in hidden_slopes],
                    SLOPE_OF_SIGMA: [np.mean(g.derivative(record.sigmas[l]) < threshold * bound)
                                     for l in range(1, net.L)],
                    PER_NEURON: [np.mean(np.all(s < threshold * bound, axis=0)) for s in hidden_slopes]}
        if hidden != "sigmoid":
            mistakes[LOGISTIC_RULE] = sig_rule
        yield Case((net, X, threshold), expected, f"the fractions (a hidden {describe(net, X.shape[0])}, "
                   f"threshold {threshold:.3f})", merged(mistakes), form=_fractions_form(net.L))

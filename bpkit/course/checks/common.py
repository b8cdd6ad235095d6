"""What the lessons' checks share: hidden cases, and the shapes a student's answer must have.

One home for each: the random networks every check draws its hidden cases from
(:func:`random_network`), their data, the case on which central differences of E are measurably wrong
(:func:`central_difference_trap`), the words a hint uses for a case (:func:`describe`), and the checks of
a per-layer answer's form (:func:`answer_layers`, :func:`check_layer_shapes`).
"""
from __future__ import annotations

import numpy as np

from bpkit.network import Network
from ._core import Hint, as_array, close, shape_of
from .switch import call_answer

ACTIVATIONS = ("sigmoid", "tanh", "relu")


def random_network(rng, L: int | None = None, bias: bool | None = None, hidden: str | None = None, *,
                   sizes=None, square: bool = False, min_width: int = 1, min_outputs: int | None = None,
                   biases: str | None = "uniform") -> Network:
    """A random network with Glorot weights: depth L (1..4) and widths min_width..5 (all equal, 2..4, when
    ``square``; the output layer at least ``min_outputs`` wide), or the given ``sizes``; the hidden
    activation and whether it has biases at random unless given. Biases are drawn nonzero
    (``biases="uniform"``: U(-1, 1); ``"normal"``: N(0, 0.5²); None: left at 0), since a zero bias could
    hide a penalized one."""
    if sizes is None:
        L = int(rng.integers(1, 5)) if L is None else L
        if square:
            n = int(rng.integers(2, 5))
            sizes = [n] * (L + 1)
        else:
            sizes = [int(rng.integers(min_width, 6)) for _ in range(L + 1)]
        if min_outputs is not None:
            sizes[-1] = int(rng.integers(min_outputs, 6))
    hidden = str(rng.choice(list(ACTIVATIONS))) if hidden is None else hidden
    bias = bool(rng.integers(0, 2)) if bias is None else bias
    net = Network(list(sizes), hidden=hidden, bias=bias, seed=int(rng.integers(2**31)))
    if bias and biases is not None:
        for l in net.b.layers():
            net.b[l] = (rng.uniform(-1, 1, net.sizes[l]) if biases == "uniform"
                        else rng.normal(0.0, 0.5, size=net.sizes[l]))
    return net


def random_data(rng, net: Network, m: int | None = None):
    """X (m, n_0) standard normal and 0/1 targets Y (m, n_L), m = 3..8."""
    m = int(rng.integers(3, 9)) if m is None else m
    X = rng.normal(size=(m, net.sizes[0]))
    Y = rng.integers(0, 2, size=(m, net.sizes[-1])).astype(float)
    return X, Y


#: λ of :func:`central_difference_trap`: E is then about 1e9, and the rounding error of any central
#: difference of E, about 1e-16 · E / ε, swamps the unpenalized ∂E/∂b^l_j for every step ε
TRAP_LAMBDA = 1e8


def central_difference_trap(rng):
    """A hidden case (net, X, Y, λ) on which central differences of E are measurably inaccurate, for every
    step ε from 1e-8 to 1e-1, while backpropagation is exact to rounding: a huge penalty (λ = 1e8, weights
    of scale 3) makes E enormous next to the biases' gradients, which the penalty leaves out."""
    sizes = [int(rng.integers(2, 5)), int(rng.integers(2, 5)), int(rng.integers(1, 4))]
    net = Network(sizes, hidden=str(rng.choice(["sigmoid", "tanh"])), bias=True, seed=int(rng.integers(2**31)))
    for l in net.W.layers():
        net.W[l] = rng.normal(scale=3.0, size=net.W[l].shape)
        net.b[l] = rng.uniform(-1, 1, net.sizes[l])
    X = rng.normal(size=(int(rng.integers(3, 8)), sizes[0]))
    Y = rng.integers(0, 2, size=(X.shape[0], sizes[-1])).astype(float)
    return net, X, Y, TRAP_LAMBDA


def not_by_differences(got, expected, where: str) -> None:
    """On :func:`central_difference_trap`'s case, checked after every ordinary case has passed: an answer
    that is right everywhere but there is what numerical differentiation gives; say so (a :class:`Hint`)."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if got.shape == expected.shape and not close(got, expected):
        diff = float(np.max(np.abs(got - expected)))
        raise Hint(f"{where}: your gradient is right on every other hidden case, but not on one where numerical "
                   f"differentiation is inaccurate (λ = {TRAP_LAMBDA:.0e}, so E is huge next to ∂E/∂b^l_j; largest "
                   f"difference {diff:.3g}): did you take differences of E? This exercise asks for "
                   "backpropagation, which is exact there.")


def describe(net: Network, m: int | None = None, lam: float | None = None, *, examples: bool = False) -> str:
    """The hidden case in words, for hints: ``3-4-1 tanh network with biases, m = 5, λ = 1.3`` (``m = 5
    examples`` with ``examples``); the caller puts "a", "a hidden" or "on a hidden" in front."""
    sizes = "-".join(str(n) for n in net.sizes)
    hidden = f" {net.hidden.name}" if net.L > 1 else ""
    bias = "with biases" if net.b is not None else "without biases"
    extra = (f", m = {m}" + (" examples" if examples else "") if m is not None else "") + \
        (f", λ = {lam:.3g}" if lam is not None else "")
    return f"{sizes}{hidden} network {bias}{extra}"


def merged(mistakes: dict) -> dict:
    """Mistakes whose wrong values coincide on this case (relu(s) = s when every s > 0 ...) are
    one diagnosis: their hints are joined with " Or: " so the hint never picks one at random."""
    out: dict = {}
    for hint, value in mistakes.items():
        value = np.asarray(value, dtype=float)
        for other in list(out):
            v = out[other]
            if v.shape == value.shape and np.allclose(v, value, rtol=1e-6, atol=1e-9):
                out[f"{other} Or: {hint}"] = out.pop(other)
                break
        else:
            out[hint] = value
    return out


def flat(arrays) -> np.ndarray:
    return np.concatenate([np.ravel(a) for a in arrays]) if len(arrays) else np.zeros(0)


def call_quietly(f, *args, off=()):
    """Call the student's function on copies, silencing numpy's warnings (hidden cases saturate),
    with the bpkit functions ``off`` switched off."""
    with np.errstate(all="ignore"):
        return call_answer(f, *args, off=off)


def answer_layers(answer, L: int, name: str) -> list:
    """The student's per-layer list [for l = 1..L] (a list, tuple or bpkit Layers)."""
    if isinstance(answer, np.ndarray) or answer is None or isinstance(answer, (str, bytes, dict)):
        raise Hint(f"{name} should return a list with one array per layer l = 1..L, got "
                   f"{type(answer).__name__}.")
    try:
        items = list(answer)
    except TypeError:
        raise Hint(f"{name} should return a list with one array per layer l = 1..L, got "
                   f"{type(answer).__name__}.") from None
    if len(items) != L:
        extra = " (layer 0, the input, has no weights: start at l = 1)" if len(items) == L + 1 else ""
        raise Hint(f"{name} returned {len(items)} arrays for a network with L = {L} layers of weights: "
                   f"return one per layer l = 1..L{extra}.")
    return items


def check_layer_shapes(items, net: Network, name: str, layers=None) -> list:
    """Each item as a float array of w^l's shape (n_{l-1}, n_l), or a hint (transposed, wrong layer ...).

    ``layers`` (default 1..L) are the layers l the items stand for, in order.
    """
    layers = list(net.W.layers()) if layers is None else list(layers)
    shapes = [(net.sizes[l - 1], net.sizes[l]) for l in layers]
    got_shapes = [shape_of(a) for a in items]
    if len(layers) > 1 and got_shapes != shapes and got_shapes[::-1] == shapes:
        if got_shapes == [s[::-1] for s in shapes]:  # (a, b, a)-like sizes: both mistakes give these shapes
            raise Hint(f"{name}: your arrays have the shapes of the W^l transposed, which here are also the "
                       "shapes of the layers in reverse order: either you swapped i and j (entry [i, j] is for "
                       "w^l_ij, i in layer l-1), or the list is in reverse order (it starts with layer l = 1).")
        raise Hint(f"{name}: the layers are in reverse order: the list starts with layer l = 1 "
                   "(∂/∂w^1 first) and ends with the output layer L.")
    out = []
    for l, a in zip(layers, items):
        n0, n1 = net.sizes[l - 1], net.sizes[l]
        shape = shape_of(a)
        if shape is None:
            as_array(a, f"{name} for layer {l}", (n0, n1))  # says what it is instead
        if shape != (n0, n1):
            if shape == (n1, n0):
                raise Hint(f"{name}: layer {l} has shape {shape} but w^{l} has shape (n_{l-1}, n_{l}) = "
                           f"({n0}, {n1}): you swapped i and j (transposed W^{l}); the row is i, the neuron of "
                           f"layer {l - 1}.")
            if shape == (n1, n1) and n0 != n1:
                raise Hint(f"{name}: layer {l} has shape {shape}: you used σ^l instead of σ^{{l-1}}. w^l_ij "
                           f"multiplies σ^{{l-1}}_i, the neuron the weight comes from.")
            raise Hint(f"{name}: wrong shape for layer {l}: {shape} but w^{l} has shape ({n0}, {n1}).")
        out.append(as_array(a, f"{name} for layer {l}", (n0, n1)))
    return out

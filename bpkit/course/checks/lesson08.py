r"""Graded checks for lesson 08: why hidden layers make E non-convex.

* 08.1 ``hessian_logreg(net, X, Y, lam)``: the Hessian of E for logistic regression (no hidden
  layer), which is positive semi-definite: E is convex there;
* 08.2 ``swap_hidden(net, l, i, j)``: the network with hidden neurons i and j of layer l swapped,
  which computes the same function (and so has the same E);
* 08.3 ``counterexample(net, X, Y, lam)``: two parameter vectors A, B and t in (0, 1) with
  E((1 − t) A + t B) > (1 − t) E(A) + t E(B), on a network with a hidden layer.

Every check draws fresh hidden networks, data and λ on every run and evaluates with bpkit
(``bpkit.objective``, ``bpkit.gradient`` through :func:`bpkit.landscape.hessian`). The
student's code gets copies of the network and the data; while it runs, bpkit's own Hessian
(08.1) and neuron swap (08.2) are switched off (the function object itself, so it refuses however
it is reached, also inside other bpkit functions).
"""
from __future__ import annotations

import numpy as np

from bpkit.data import xor
from bpkit.landscape import hessian, interpolate
from bpkit.landscape import swap_hidden as swap_reference
from bpkit.network import Network
from bpkit.objective import objective
from bpkit.train import train
from ._core import Hint, as_array, compare, float_array, fresh_rng
from .common import describe, merged
from .harness import Case, check, numeric_check
from .switch import call_answer

__all__ = ["hessian_logreg", "swap_hidden", "counterexample"]

#: bpkit's answer to 08.1 (central differences of bpkit.gradient stay allowed: the lesson's way)
HESSIAN_REFERENCE = ("bpkit.landscape.hessian",)
#: bpkit's answers to 08.2
SWAP_REFERENCE = ("bpkit.landscape.swap_hidden", "bpkit.landscape.permute_hidden")


def _describe(net: Network, m: int | None = None, lam: float | None = None) -> str:
    return "a hidden " + describe(net, m, lam)


# ------------------------------------------------------------------------------ 08.1
def _logreg_parts(net: Network, X, Y):
    """X̃ (with a column of ones if there is a bias), the weights p(1 − p) and the mask of weights."""
    p = net.forward(X).sigmas[1][:, 0]
    Xt = np.hstack([X, np.ones((X.shape[0], 1))]) if net.b is not None else X
    is_weight = np.r_[np.ones(X.shape[1]), np.zeros(1)] if net.b is not None else np.ones(X.shape[1])
    return Xt, p * (1 - p), is_weight


@numeric_check("08.1", "the Hessian of E for logistic regression (no hidden layer)", points=3,
               off=HESSIAN_REFERENCE)
def hessian_logreg(rng):
    r"""Check ``hessian_fn(net, X, Y, lam)`` -> ∂²E/∂θ_a∂θ_b, shape (P, P), θ = ``net.get_flat()``."""
    cases = []
    for k in range(4):
        n0 = int(rng.integers(1, 5))
        bias = bool(k % 2 == 0) if k < 2 else bool(rng.integers(0, 2))
        net = Network((n0, 1), bias=bias, seed=int(rng.integers(2**31)))
        if bias:
            net.b[1] = rng.uniform(-1, 1, 1)
        m = int(rng.integers(4, 13))
        X = rng.normal(size=(m, n0))
        Y = rng.integers(0, 2, size=(m, 1)).astype(float)
        lam = float(rng.uniform(0.2, 3.0)) if k < 3 else 0.0
        cases.append((net, X, Y, lam))
    for net, X, Y, lam in cases:
        m = X.shape[0]
        expected = hessian(net, X, Y, lam)
        Xt, D, is_weight = _logreg_parts(net, X, Y)
        data = (Xt * D[:, None]).T @ Xt / m
        pen = np.diag(is_weight)
        mistakes = {}
        if lam > 0:
            mistakes["you forgot the penalty: λ/2m Σ (w^l_ij)² adds λ/m to the second derivative of every "
                     "weight w^l_ij (the diagonal)."] = data
            mistakes["the penalty is λ/2m Σ (w^l_ij)²: its second derivative is λ/m, not λ."] = data + lam * pen
            mistakes["the penalty is λ/2m Σ (w^l_ij)²: its second derivative is λ/m, not λ/2m."] = \
                data + lam / (2 * m) * pen
            if net.b is not None:
                mistakes["you penalized the bias: the notes' penalty covers the weights w^l_ij only, so the "
                         "bias's diagonal entry gets no λ/m."] = data + lam / m * np.eye(len(is_weight))
        mistakes["you forgot 1/m: E averages over the m examples, so does its second derivative."] = \
            data * m + lam / m * pen
        mistakes["you forgot 1/m: E averages over the m examples (the penalty is λ/2m Σ w², its second "
                 "derivative λ/m)."] = data * m + lam * pen
        mistakes["you forgot the activation's derivative: ∂σ^L/∂sum^L = σ^L (1 − σ^L) weights each "
                 "example's x̃ x̃ᵀ."] = Xt.T @ Xt / m + lam / m * pen
        mistakes["sign error: E is a sum of convex terms, its Hessian is positive semi-definite."] = -expected
        # a right answer is symmetric positive semi-definite; matching the reference covers that
        yield Case((net, X, Y, lam), expected, f"the Hessian ({_describe(net, m, lam)})", merged(mistakes),
                   form=_hessian_form(net, expected.shape[0]), rtol=1e-4, atol=1e-6)


def _hessian_form(net: Network, P: int):
    """08.1's form: a (P, P) matrix, θ = net.get_flat() having P entries."""
    def form(answer):
        if answer is None:
            raise Hint("your function returned None: return the (P, P) matrix of second derivatives.")
        arr = float_array(answer)
        if arr is not None and arr.shape != (P, P):
            raise Hint(f"wrong shape: the Hessian has shape {arr.shape} but θ = net.get_flat() has P = {P} "
                       f"entries ({'weights w^1_i0 and the bias b^1_0' if net.b is not None else 'the weights w^1_i0'}"
                       f"), so it should be ({P}, {P}).")
        return answer
    return form


# ------------------------------------------------------------------------------ 08.3
#: on a hidden case of 08.3, E at the midpoint of a minimum A and A with two hidden neurons swapped
#: is at least this much above E(A), for every pair of neurons
SWAP_GAP = 1e-2


def _swap_gaps(net: Network, X, Y, lam: float) -> list[float]:
    """The lesson's way on this case: train to a minimum A (L-BFGS, as the lesson does), then for each
    pair i < j of hidden neurons E((A + swap_ij(A))/2) − E(A), the gap a counterexample relies on."""
    A = net.copy()
    train(A, X, Y, lam=lam, method="lbfgs", epochs=200)
    E_A = objective(A, X, Y, lam)
    return [objective(interpolate(A, swap_reference(A, 1, i, j), 0.5), X, Y, lam) - E_A
            for i in range(net.sizes[1]) for j in range(i + 1, net.sizes[1])]


def _counterexample_case(rng, tries: int = 50):
    """A hidden case (net, X, Y, λ) for 08.3 on which the lesson's way gives a clear counterexample.

    Drawn at random (xor data, 2-n-1 sigmoid or tanh network, λ = 0 or small), and drawn again when
    training from this network's initial weights ends where swapping some pair of hidden neurons
    changes (almost) nothing: two neurons that became alike, weights that collapsed to ~0 (E ≈ log 2),
    or saturated ones on a plateau. On such a case a right method (train, swap, midpoint) finds no
    counterexample through no fault of its own (about 1 case in 300 for the best pair, 1 in 6 for
    some pair), and the check would fail a right answer.
    """
    for _ in range(tries):
        hidden = str(rng.choice(["sigmoid", "tanh"]))
        sizes = (2, int(rng.integers(2, 5)), 1)
        net = Network(sizes, hidden=hidden, seed=int(rng.integers(2**31)))
        X, Y = xor(m=int(rng.integers(30, 50)), noise=0.1, seed=int(rng.integers(2**31)))
        lam = float(rng.choice([0.0, rng.uniform(0.01, 0.2)]))
        if min(_swap_gaps(net, X, Y, lam)) >= SWAP_GAP:
            break
    return net, X, Y, lam


@check("08.3", "a counterexample to convexity once a hidden layer exists", points=3)
def counterexample(counterexample_fn):
    r"""Check ``counterexample_fn(net, X, Y, lam)`` -> (A, B, t): flat parameter vectors A, B and
    0 < t < 1 with E((1 − t) A + t B) > (1 − t) E(A) + t E(B) (bpkit.objective decides)."""
    rng = fresh_rng()
    for _ in range(2):
        net, X, Y, lam = _counterexample_case(rng)
        where = _describe(net, X.shape[0], lam)
        answer = counterexample_fn(net.copy(), X.copy(), Y.copy(), lam)
        if answer is None:
            raise Hint("your function returned None: return the tuple (A, B, t).")
        try:
            A, B, t = answer
        except (TypeError, ValueError):
            raise Hint("return a tuple (A, B, t) of two parameter vectors and a number t.") from None
        P = net.get_flat().size
        A = as_array(A, "A", (P,))
        B = as_array(B, "B", (P,))
        try:
            t = float(t)
        except (TypeError, ValueError):
            raise Hint(f"t should be a number in (0, 1), got {type(t).__name__}.") from None
        if not 0.0 < t < 1.0:
            raise Hint(f"t = {t:.3g}: t must lie strictly between 0 and 1 (at t = 0 or 1 the point is A or B "
                       "itself and the inequality is an equality).")
        if np.allclose(A, B):
            raise Hint("A and B are the same point: on a segment of length 0 every function is 'convex'.")
        work = net.copy()

        def E(theta):
            work.set_flat(theta)
            return objective(work, X, Y, lam)

        EA, EB, Et = E(A), E(B), E((1 - t) * A + t * B)
        chord = (1 - t) * EA + t * EB
        margin = 1e-6 * max(1.0, abs(chord))
        if not np.isfinite(Et):
            raise Hint("E is not finite on your segment.")
        if Et > chord + margin:
            continue
        if E(t * A + (1 - t) * B) > t * EA + (1 - t) * EB + margin:
            raise Hint("you used t the other way round: the check evaluates θ = (1 − t)·A + t·B against "
                       "(1 − t)·E(A) + t·E(B) (t = 0 is A, t = 1 is B).")
        raise Hint(f"not a counterexample on {where}: E((1 − t)A + tB) = {Et:.6f} is not above the chord "
                   f"(1 − t)E(A) + tE(B) = {chord:.6f} (it must be, by more than rounding). Along this segment E "
                   "behaves as a convex function would; look for two points with low E whose straight line "
                   "passes through a region of high E.")


# ------------------------------------------------------------------------------ 08.2
def _swap_variant(net: Network, l: int, i: int, j: int, *, cols_in=True, rows_out=True, bias=True,
                  rows_in=False, cols_out=False) -> np.ndarray:
    new = net.copy()
    W_in, W_out = new.W[l].copy(), new.W[l + 1].copy()
    if cols_in:
        W_in[:, [i, j]] = W_in[:, [j, i]]
    if rows_in:
        W_in[[i, j], :] = W_in[[j, i], :]
    if rows_out:
        W_out[[i, j], :] = W_out[[j, i], :]
    if cols_out:
        W_out[:, [i, j]] = W_out[:, [j, i]]
    new.W[l], new.W[l + 1] = W_in, W_out
    if bias and net.b is not None:
        b = new.b[l].copy()
        b[[i, j]] = b[[j, i]]
        new.b[l] = b
    return new.get_flat()


@check("08.2", "swapping hidden neurons i and j of layer l leaves E unchanged", points=2)
def swap_hidden(swap_fn):
    """Check ``swap_fn(net, l, i, j)`` -> a new network with hidden neurons i and j of layer l swapped."""
    rng = fresh_rng()
    for k in range(6):
        L = int(rng.integers(2, 5))
        sizes = [int(rng.integers(2, 6)) for _ in range(L + 1)]
        if k == 0:
            sizes = [4] * (L + 1)  # square: rows and columns can be confused
        bias = True if k < 2 else bool(rng.integers(0, 2))
        net = Network(sizes, hidden=str(rng.choice(["sigmoid", "tanh", "relu"])), bias=bias,
                      seed=int(rng.integers(2**31)))
        if bias:
            for layer in net.b.layers():
                net.b[layer] = rng.uniform(-1, 1, net.sizes[layer])
        l = int(rng.integers(1, L))
        i, j = (int(v) for v in rng.choice(net.sizes[l], size=2, replace=False))
        expected = swap_reference(net, l, i, j).get_flat()
        mistakes = {
            "you swapped the weights into the two neurons (columns of W[l]) but not the weights out of them "
            "(rows of W[l+1]): the next layer now reads the wrong neuron, and the output changes.":
                _swap_variant(net, l, i, j, rows_out=False),
            "you swapped the weights out of the two neurons (rows of W[l+1]) but not the weights into them "
            "(columns of W[l]).": _swap_variant(net, l, i, j, cols_in=False, bias=False),
        }
        if net.b is not None:
            mistakes["you forgot the biases: b^l_i and b^l_j belong to the neurons and move with them."] = \
                _swap_variant(net, l, i, j, bias=False)
        if max(i, j) < net.sizes[l - 1]:
            mistakes["you swapped i and j: the weights into neuron j of layer l are w^l_0j, w^l_1j, ..., "
                     "column j of W[l], not row j."] = _swap_variant(net, l, i, j, cols_in=False, rows_in=True)
        if max(i, j) < net.sizes[l + 1]:
            mistakes["you swapped i and j: the weights out of neuron i of layer l are w^{l+1}_i0, w^{l+1}_i1, "
                     "..., row i of W[l+1], not column i."] = _swap_variant(net, l, i, j, rows_out=False,
                                                                            cols_out=True)
        original = net.get_flat()
        answer = call_answer(swap_fn, net.copy(), l, i, j, off=SWAP_REFERENCE)
        where = f"neurons {i} and {j} of layer {l} of {_describe(net)}"
        if answer is None:
            raise Hint("your function returned None: return the new network (a copy of net with the two "
                       "neurons swapped, e.g. built with net.copy()).")
        if not isinstance(answer, Network):
            raise Hint(f"return a bpkit.Network, got {type(answer).__name__}.")
        if tuple(answer.sizes) != tuple(net.sizes):
            raise Hint(f"the new network has sizes {answer.sizes}, but swapping neurons keeps {net.sizes}.")
        got = answer.get_flat()
        if got.shape == original.shape and np.allclose(got, original):
            raise Hint(f"nothing was swapped ({where}): the network you returned equals the original.")
        compare(got, expected, f"the swapped network's parameters ({where})", merged(mistakes))
        X = rng.normal(size=(5, net.sizes[0]))
        Y = rng.integers(0, 2, size=(5, net.sizes[-1])).astype(float)
        if not np.isclose(objective(answer, X, Y), objective(net, X, Y), rtol=1e-9, atol=1e-12):
            raise Hint("E changed: a swap of two hidden neurons must leave every σ^L, and E, unchanged.")

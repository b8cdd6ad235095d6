r"""The landscape of E(w): Hessians, the hidden neurons' permutation symmetry, straight lines.

These are the maths behind the notes' first claim, that hidden layers make the objective
non-convex (lessons 07 and 08). Parameters are handled as the flat vector θ of
:meth:`bpkit.Network.get_flat` (w^1, b^1, w^2, b^2, ... row-major).

* :func:`hessian`: ∂²E/∂θ_a∂θ_b by central differences of bpkit's backpropagated gradient;
* :func:`permute_hidden` / :func:`swap_hidden`: the same function with the hidden neurons of
  layer l relabelled (columns of W[l], entries of b[l], rows of W[l+1]);
* :func:`align_hidden`: undo such a relabelling between two trained networks;
* :func:`interpolate`, :func:`segment_E`: E on the straight line θ(t) = (1 − t) θ_A + t θ_B
  (for a convex E, E(θ(t)) ≤ (1 − t) E(θ_A) + t E(θ_B));
* :func:`slice_E`: E along a line θ_0 + s·d (a 1-D slice); :func:`weight_distance`: ||θ_A − θ_B||;
* :func:`loss_grid`: E over a grid of two weights w^l_ij, the others fixed;
* :func:`two_minima`: a network with two free weights whose E has two minima (hidden-neuron swap).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import labels
from .backprop import gradient
from .gradcheck import central_difference
from .network import Network
from .objective import objective

__all__ = ["hessian", "permute_hidden", "swap_hidden", "align_hidden", "interpolate", "segment_E",
           "slice_E", "weight_distance"]


def hessian(net: Network, X, Y, lam: float = 0.0, regularize_bias: bool = False, h: float = 1e-5) -> np.ndarray:
    r"""The Hessian ∂²E/∂θ_a∂θ_b at the network's parameters θ (``net.get_flat()`` layout).

    Column b is the central difference of bpkit's gradient along θ_b:
    H[:, b] ≈ (∇E(θ + h e_b) − ∇E(θ − h e_b)) / 2h (error O(h²)); the result is symmetrized,
    (H + Hᵀ)/2. For a sparse network (a mask) the missing connections get zero rows/columns.
    """
    theta = net.get_flat()
    work = net.copy()

    def grad_at_theta() -> np.ndarray:
        work.set_flat(theta)
        return gradient(work, X, Y, lam, regularize_bias).flat()

    H = np.column_stack([central_difference(grad_at_theta, theta, b, h) for b in range(theta.size)])
    return (H + H.T) / 2


def permute_hidden(net: Network, l: int, perm) -> Network:
    r"""A copy of ``net`` whose neurons of hidden layer l are relabelled: new neuron k is old ``perm[k]``.

    Columns of W[l] (the weights into layer l), entries of b[l] and rows of W[l+1] (the
    weights out of layer l) are permuted together, so every σ^L, and E, is unchanged.
    """
    if not 1 <= l <= net.L - 1:
        raise ValueError(f"layer {l} is not a hidden layer: hidden layers are 1..{net.L - 1}")
    perm = np.asarray(perm, dtype=int)
    if sorted(perm.tolist()) != list(range(net.sizes[l])):
        raise ValueError(f"perm must be a permutation of 0..{net.sizes[l] - 1}, got {perm.tolist()}")
    new = net.copy()
    new.W[l] = net.W[l][:, perm]
    new.W[l + 1] = net.W[l + 1][perm, :]
    if net.b is not None:
        new.b[l] = net.b[l][perm]
    if net.mask is not None:
        new.mask[l] = net.mask[l][:, perm]
        new.mask[l + 1] = net.mask[l + 1][perm, :]
    return new


def swap_hidden(net: Network, l: int, i: int, j: int) -> Network:
    """A copy of ``net`` with hidden neurons i and j of layer l swapped (see :func:`permute_hidden`)."""
    perm = np.arange(net.sizes[l])
    perm[[i, j]] = perm[[j, i]]
    return permute_hidden(net, l, perm)


def align_hidden(reference, other):
    """A copy of ``other`` with its hidden neurons reordered to match ``reference``'s.

    Swapping hidden neurons j and j' (column j of W^1 with column j', b^1_j with b^1_j',
    row j of W^2 with row j') changes no output and no E(w) (lesson 08). Each neuron is
    described by its weights (w^1_{·j}, b^1_j, w^2_{j·}); the permutation that minimizes
    the summed squared distance to ``reference``'s neurons is found with the Hungarian
    algorithm (:func:`scipy.optimize.linear_sum_assignment`). One hidden layer (L = 2) only.
    """
    from scipy.optimize import linear_sum_assignment

    if reference.sizes != other.sizes or reference.L != 2:
        raise ValueError("align_hidden needs two networks of the same sizes with one hidden layer (L = 2)")
    if (reference.b is None) != (other.b is None):
        raise ValueError("both networks must have biases, or neither")

    def features(net):
        parts = [net.W[1].T, net.W[2]]
        if net.b is not None:
            parts.insert(1, net.b[1][:, None])
        return np.hstack(parts)

    fa, fb = features(reference), features(other)
    cost = ((fa[:, None, :] - fb[None, :, :]) ** 2).sum(axis=2)
    _, perm = linear_sum_assignment(cost)
    out = other.copy()
    out.W[1] = other.W[1][:, perm]
    out.W[2] = other.W[2][perm, :]
    if other.b is not None:
        out.b[1] = other.b[1][perm]
    return out


def interpolate(net_a: Network, net_b: Network, t: float) -> Network:
    """The network at θ(t) = (1 − t) θ_A + t θ_B (t = 0: A, t = 1: B)."""
    if tuple(net_a.sizes) != tuple(net_b.sizes):
        raise ValueError(f"A is {net_a.sizes} but B is {net_b.sizes}: the segment needs one architecture")
    new = net_a.copy()
    new.set_flat((1 - t) * net_a.get_flat() + t * net_b.get_flat())
    return new


def segment_E(net_a: Network, net_b: Network, X, Y, lam: float = 0.0, ts=None) -> tuple[np.ndarray, np.ndarray]:
    """E(θ(t)) on the segment from A (t = 0) to B (t = 1): returns (ts, E)."""
    ts = np.linspace(0.0, 1.0, 101) if ts is None else np.asarray(ts, dtype=float)
    a, b = net_a.get_flat(), net_b.get_flat()
    work = net_a.copy()
    E = np.empty(ts.size)
    for k, t in enumerate(ts):
        work.set_flat((1 - t) * a + t * b)
        E[k] = objective(work, X, Y, lam)
    return ts, E


def slice_E(net: Network, X, Y, direction, s, lam: float = 0.0) -> np.ndarray:
    """E(θ_0 + s·d) for each s: a 1-D slice of E through the network's θ_0 along ``direction``."""
    theta = net.get_flat()
    d = np.asarray(direction, dtype=float)
    work = net.copy()
    out = np.empty(len(s))
    for k, sk in enumerate(s):
        work.set_flat(theta + sk * d)
        out[k] = objective(work, X, Y, lam)
    return out


def weight_distance(a, b) -> float:
    """||θ_a - θ_b||: the Euclidean distance between two networks' parameter vectors."""
    return float(np.linalg.norm(a.get_flat() - b.get_flat()))


# ---------------------------------------------------------------------- E over a grid of two weights
def loss_grid(net: Network, X, Y, w_a, w_b, values_a, values_b, lam: float = 0.0) -> np.ndarray:
    """E over a grid of two weights, the others fixed at the network's values.

    ``w_a``, ``w_b`` are (l, i, j) of w^l_ij; returns E of shape (len(values_b), len(values_a)):
    row k is w_b = values_b[k] (the layout ``plt.contour(values_a, values_b, E)`` expects).
    """
    for w in (w_a, w_b):
        l, i, j = w
        if not net.connected(l, i, j):
            raise ValueError(f"{labels.weight_text(l, i, j)} is not a connection of this network")
    work = net.copy()
    E = np.empty((len(values_b), len(values_a)))
    (la, ia, ja), (lb, ib, jb) = w_a, w_b
    for r, vb in enumerate(values_b):
        work.W[lb][ib, jb] = vb
        for c, va in enumerate(values_a):
            work.W[la][ia, ja] = va
            E[r, c] = objective(work, X, Y, lam)
    return E


# ---------------------------------------------------------------------- a problem with two free weights
@dataclass
class TwoMinima:
    r"""A 1-2-1 network in which only w^1_00 = a and w^1_01 = b are free, and its data.

    Hidden neuron 0 computes g(a x), hidden neuron 1 computes g(b x); both feed the output
    with the same weight c (w^2_00 = w^2_10 = c, b^2_0 = −c, no hidden biases). The targets
    are the outputs of the "teacher" (a, b) = (a*, b*), so E has its minimum there, and,
    because swapping the two hidden neurons swaps a and b and changes nothing else, a second
    minimum with the same E at (b*, a*): the segment between them lies in the (a, b) plane.
    """

    X: np.ndarray
    Y: np.ndarray
    a_star: float
    b_star: float
    c: float
    w_a: tuple = (1, 0, 0)
    w_b: tuple = (1, 0, 1)

    def net(self, a: float, b: float) -> Network:
        """The network with w^1_00 = a, w^1_01 = b."""
        return Network.from_weights([np.array([[a, b]]), np.array([[self.c], [self.c]])],
                                    [np.zeros(2), np.array([-self.c])])

    @property
    def A(self) -> Network:
        return self.net(self.a_star, self.b_star)

    @property
    def B(self) -> Network:
        return self.net(self.b_star, self.a_star)


def two_minima(a_star: float = 2.5, b_star: float = -1.0, c: float = 4.0, m: int = 61) -> TwoMinima:
    """The :class:`TwoMinima` problem: inputs x = m points evenly spaced in [−3, 3], soft targets
    y = σ^2_0 of the teacher (a*, b*) (cross-entropy is smallest where σ^L = y)."""
    X = np.linspace(-3.0, 3.0, m).reshape(-1, 1)
    problem = TwoMinima(X, np.empty((m, 1)), a_star, b_star, c)
    problem.Y = problem.A.predict_proba(X)
    return problem

r"""A fully connected network in the notes' notation, and its forward pass.

Layers are l = 0..L with n_l neurons each; 0 is the input and L the output.
``net.W[l][i, j]`` = w^l_ij connects neuron i of layer l-1 to neuron j of layer l,
so ``net.W[l]`` has shape (n_{l-1}, n_l). The forward pass computes, layer by layer,

    sum^l_j = Σ_i w^l_ij σ^{l-1}_i (+ b^l_j)        σ^l_j = g(sum^l_j)

with g the hidden activation for l < L and the sigmoid for the output layer L.
The :class:`Forward` record keeps every sum^l_i and σ^l_i: these are the values the
backward pass reads again (the notes' memoization).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activations
from .notation import Layers, flatten
from .workspace import WORKSPACE


def _as_matrix(value, name: str, copy: bool = False) -> np.ndarray:
    try:
        arr = np.array(value, dtype=float) if copy else np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}") from None
    return arr


def check_sizes(sizes) -> tuple[int, ...]:
    """Validate layer sizes (n_0, ..., n_L)."""
    try:
        sizes = tuple(sizes)
    except TypeError:
        raise TypeError(f"sizes must be a sequence (n_0, ..., n_L), got {sizes!r}") from None
    if len(sizes) < 2:
        raise ValueError(
            f"a network needs at least two layers (input layer 0 and output layer L), got sizes {sizes}"
        )
    for l, n in enumerate(sizes):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"n_{l} (the number of neurons of layer {l}) must be an integer, got {n!r}")
        if n < 1:
            raise ValueError(f"layer {l} has {n} neurons; every layer needs at least one")
    return tuple(int(n) for n in sizes)


class Network:
    """A network with layers 0..L, weights ``W[l]`` and biases ``b[l]`` for l = 1..L.

    Args:
        sizes: (n_0, n_1, ..., n_L), the number of neurons of every layer.
        hidden: the activation of the hidden layers 1..L-1: "sigmoid", "tanh" or "relu".
            The output layer L is always the sigmoid (the notes' cross-entropy objective).
        bias: with biases, sum^l_j = Σ_i w^l_ij σ^{l-1}_i + b^l_j; without (``bias=False``)
            exactly the notes' sum^l_j = Σ_i w^l_ij σ^{l-1}_i.
        seed: seed of the random initialization (Glorot-uniform weights, zero biases).

    Attributes:
        W: ``W[l][i, j]`` = w^l_ij, shape (n_{l-1}, n_l); ``W[0]`` raises IndexError.
        b: ``b[l][j]`` = b^l_j, shape (n_l,), or None without biases.
        mask: None for a fully connected network, else ``mask[l][i, j]`` is True where the
            connection w^l_ij exists (the notes' example network is sparse).
    """

    def __init__(self, sizes, hidden="sigmoid", bias: bool = True, seed=None):
        sizes = check_sizes(sizes)
        hidden = activations.get(hidden)
        rng = np.random.default_rng(seed)
        W = []
        for l in range(1, len(sizes)):
            fan_in, fan_out = sizes[l - 1], sizes[l]
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            if (hidden is activations.sigmoid) or l == len(sizes) - 1:
                bound *= np.sqrt(2.0)  # Glorot's factor for the sigmoid, as scikit-learn
            W.append(rng.uniform(-bound, bound, size=(fan_in, fan_out)))
        b = [np.zeros(n) for n in sizes[1:]] if bias else None
        self._assign(sizes, hidden, W, b, None)

    def _assign(self, sizes: tuple, hidden, W: list, b: list | None, mask: list | None) -> None:
        """The one place a network's attributes are set (by ``__init__``, :meth:`from_weights` and
        :meth:`copy`), from already validated parts: W = [w^1, ..., w^L], b and mask alike or None."""
        self.sizes = sizes
        self.hidden = activations.get(hidden)
        self.output = activations.sigmoid
        self.W = Layers(W, first=1, name="w")
        self.b = None if b is None else Layers(b, first=1, name="b")
        self.mask = None if mask is None else Layers(mask, first=1, name="mask")

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_weights(cls, W, b=None, hidden="sigmoid", mask=None) -> "Network":
        """A network with the given weights W = [w^1, ..., w^L] and biases b = [b^1, ..., b^L].

        ``W[l-1]`` (a list is zero-based) must have shape (n_{l-1}, n_l); shapes must chain.
        ``mask``, if given, is a list of boolean arrays shaped like W: False marks a
        connection that does not exist (its weight must be 0 and it gets no gradient).
        """
        Ws = _check_weights(W)
        sizes = _check_chain(Ws)
        b = None if b is None else _check_biases(b, sizes)
        mask = None if mask is None else _check_mask(mask, Ws)
        net = cls.__new__(cls)
        net._assign(check_sizes(sizes), hidden, Ws, b, mask)
        return net

    def copy(self) -> "Network":
        """An independent copy (weights, biases and mask copied)."""
        net = self.__class__.__new__(self.__class__)
        net._assign(self.sizes, self.hidden, [w.copy() for w in self.W],
                    None if self.b is None else [b.copy() for b in self.b],
                    None if self.mask is None else [m.copy() for m in self.mask])
        return net

    # ------------------------------------------------------------------ notation
    @property
    def L(self) -> int:
        """The index of the output layer."""
        return len(self.sizes) - 1

    def n(self, l: int) -> int:
        """n_l, the number of neurons of layer l."""
        if not 0 <= l <= self.L:
            raise IndexError(f"layer {l} does not exist: layers are 0..{self.L}")
        return self.sizes[l]

    def w(self, l: int, i: int, j: int) -> float:
        """w^l_ij, the weight from neuron i of layer l-1 to neuron j of layer l."""
        self._check_neuron(l - 1, i, "i")
        self._check_neuron(l, j, "j")
        return float(self.W[l][i, j])

    def activation(self, l: int):
        """The activation of layer l (hidden for 1..L-1, sigmoid for L)."""
        if not 1 <= l <= self.L:
            raise IndexError(f"layer {l} has no activation: l runs from 1 to {self.L}")
        return self.output if l == self.L else self.hidden

    def _check_neuron(self, l: int, i: int, letter: str) -> None:
        if not 0 <= l <= self.L:
            raise IndexError(f"layer {l} does not exist: layers are 0..{self.L}")
        if not 0 <= i < self.sizes[l]:
            raise IndexError(f"{letter} = {i} but layer {l} has {self.sizes[l]} neurons (0..{self.sizes[l] - 1})")

    def connected(self, l: int, i: int, j: int) -> bool:
        """Whether the connection w^l_ij exists (always, unless the network is sparse)."""
        return True if self.mask is None else bool(self.mask[l][i, j])

    @property
    def n_weights(self) -> int:
        """The number of weights w^l_ij that exist (biases not counted)."""
        if self.mask is None:
            return sum(w.size for w in self.W)
        return int(sum(m.sum() for m in self.mask))

    # ------------------------------------------------------------------ parameters
    def get_flat(self) -> np.ndarray:
        """All parameters in one vector: w^1, b^1, w^2, b^2, ... (row-major)."""
        return flatten(self.W, self.b)

    def set_flat(self, theta) -> None:
        """Set all parameters from a vector laid out as :meth:`get_flat`."""
        theta = np.asarray(theta, dtype=float)
        size = self.get_flat().size
        if theta.shape != (size,):
            raise ValueError(f"expected a vector of {size} parameters, got shape {theta.shape}")
        k = 0
        for l in self.W.layers():
            w = self.W[l]
            w[...] = theta[k:k + w.size].reshape(w.shape)
            k += w.size
            if self.mask is not None:
                w[~self.mask[l]] = 0.0
            if self.b is not None:
                b = self.b[l]
                b[...] = theta[k:k + b.size]
                k += b.size

    # ------------------------------------------------------------------ forward
    def forward(self, X) -> "Forward":
        """The forward pass over a batch X of shape (m, n_0): every sum^l_i and σ^l_i."""
        X = check_X(self, X, finite=False)
        record = self.forward_validated(X)
        check_finite_X(X, record)
        return record

    def forward_validated(self, X: np.ndarray) -> "Forward":
        """The forward pass on an X that :func:`check_X` (or :func:`check_XY`) has already validated:
        what :meth:`forward` runs after checking X, and what :func:`bpkit.objective.evaluate` runs
        once for E(w) and every gradient. Given an unchecked X it may fail late or obscurely."""
        m, L = X.shape[0], self.L
        # sum^l and σ^l for l = 1..L, in arrays the workspace reuses once no earlier record holds them
        arrays = WORKSPACE.take(("forward", m, self.sizes), [(m, self.sizes[l]) for l in range(1, L + 1)] * 2)
        sums, sigmas = arrays[:L], [X] + arrays[L:]
        W, b = list(self.W), None if self.b is None else list(self.b)     # w^l is W[l - 1], b^l is b[l - 1]
        for l in range(1, L + 1):
            s = sums[l - 1]
            if l == 1:
                with np.errstate(invalid="ignore"):   # inf·0 in a bad X: check_finite_X reports it, in words
                    np.matmul(X, W[0], out=s)
            else:
                np.matmul(sigmas[l - 1], W[l - 1], out=s)
            if b is not None:
                s += b[l - 1]
            (self.output if l == L else self.hidden).value(s, out=sigmas[l])
        return Forward(self, Layers(sums, first=1, name="sum"), Layers(sigmas, first=0, name="σ"))

    def predict_proba(self, X) -> np.ndarray:
        """σ^L for every example: shape (m, n_L)."""
        return self.forward(X).sigmas[self.L]

    def predict(self, X) -> np.ndarray:
        """The output neuron k with the largest σ^L_k (for one-hot targets), shape (m,)."""
        return np.argmax(self.predict_proba(X), axis=1)

    def __repr__(self) -> str:
        sizes = "-".join(str(n) for n in self.sizes)
        return (f"Network({sizes}, hidden={self.hidden.name!r}, bias={self.b is not None}"
                f"{', sparse' if self.mask is not None else ''})")


@dataclass
class Forward:
    """The record of one forward pass over m examples.

    ``sums[l]`` (l = 1..L) has shape (m, n_l): column i is sum^l_i for every example.
    ``sigmas[l]`` (l = 0..L) has shape (m, n_l): column i is σ^l_i; ``sigmas[0]`` is X.
    """

    net: Network
    sums: Layers
    sigmas: Layers

    @property
    def m(self) -> int:
        return self.sigmas[0].shape[0]

    def sigma(self, l: int, i: int) -> np.ndarray:
        """σ^l_i for every example, shape (m,)."""
        self.net._check_neuron(l, i, "i")
        return self.sigmas[l][:, i]

    def sum_(self, l: int, i: int) -> np.ndarray:
        """sum^l_i for every example, shape (m,)."""
        if l == 0:
            raise IndexError("layer 0 is the input layer: it has no sum^0_i")
        self.net._check_neuron(l, i, "i")
        return self.sums[l][:, i]


# ---------------------------------------------------------------------- weight checks (from_weights)
def _check_weights(W) -> list[np.ndarray]:
    """W = [w^1, ..., w^L] as copied 2-D float arrays of finite numbers, or an error naming w^l."""
    if isinstance(W, Layers):
        W = list(W)
    if not isinstance(W, (list, tuple)) or len(W) == 0:
        raise ValueError("W must be a non-empty list [w^1, ..., w^L] of weight matrices")
    Ws = []
    for l, w in enumerate(W, start=1):
        w = _as_matrix(w, f"w^{l}", copy=True)
        if w.ndim != 2:
            raise ValueError(f"w^{l} must be a 2-D array of shape (n_{l-1}, n_{l}), got shape {w.shape}")
        if 0 in w.shape:
            raise ValueError(f"w^{l} has shape {w.shape}: a layer of 0 neurons")
        if not np.all(np.isfinite(w)):
            raise ValueError(f"w^{l} contains NaN or inf")
        Ws.append(w)
    return Ws


def _check_chain(Ws: list[np.ndarray]) -> list[int]:
    """The sizes (n_0, ..., n_L) the weights imply: w^l must have shape (n_{l-1}, n_l), so shapes chain."""
    sizes = [Ws[0].shape[0]]
    for l, w in enumerate(Ws, start=1):
        if w.shape[0] != sizes[-1]:
            raise ValueError(
                f"w^{l} has shape {w.shape} but layer {l - 1} has {sizes[-1]} neurons "
                f"(w^{l} must have shape (n_{l-1}, n_{l}) = ({sizes[-1]}, n_{l}))"
            )
        sizes.append(w.shape[1])
    return sizes


def _check_biases(b, sizes: list[int]) -> list[np.ndarray]:
    """b = [b^1, ..., b^L] as copied float vectors, b^l of shape (n_l,)."""
    if isinstance(b, Layers):
        b = list(b)
    if len(b) != len(sizes) - 1:
        raise ValueError(f"b must list one bias vector per layer 1..{len(sizes) - 1}, got {len(b)}")
    bs = []
    for l, bl in enumerate(b, start=1):
        bl = _as_matrix(bl, f"b^{l}", copy=True)
        if bl.shape != (sizes[l],):
            raise ValueError(f"b^{l} has shape {bl.shape} but layer {l} has {sizes[l]} neurons")
        if not np.all(np.isfinite(bl)):
            raise ValueError(f"b^{l} contains NaN or inf")
        bs.append(bl)
    return bs


def _check_mask(mask, Ws: list[np.ndarray]) -> list[np.ndarray]:
    """The mask as boolean arrays shaped like W; a missing connection (False) must have weight 0."""
    if len(mask) != len(Ws):
        raise ValueError(f"mask must have one array per layer 1..{len(Ws)}, got {len(mask)}")
    ms = []
    for l, (m, w) in enumerate(zip(mask, Ws), start=1):
        m = np.asarray(m, dtype=bool)
        if m.shape != w.shape:
            raise ValueError(f"the mask of w^{l} has shape {m.shape} but w^{l} has shape {w.shape}")
        if np.any(w[~m] != 0):
            raise ValueError(f"w^{l} has a nonzero weight where the mask says no connection exists")
        ms.append(m)
    return ms


# ---------------------------------------------------------------------- input checks
def check_X(net: Network, X, finite: bool = True) -> np.ndarray:
    """X as a float array of shape (m, n_0), or a ValueError saying what is wrong.

    ``finite=False`` leaves out the one check that reads every entry (NaN or inf): the caller then runs
    the forward pass and :func:`check_finite_X`, which reads the column sum^1_0 instead of X.
    """
    X = _as_matrix(X, "X")
    if X.ndim == 1 and X.size == net.sizes[0]:
        X = X.reshape(1, -1)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (m, n_0) = (m, {net.sizes[0]}), got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError("X has m = 0 examples; E(w) is a mean over m and needs m >= 1")
    if X.shape[1] != net.sizes[0]:
        raise ValueError(
            f"X has {X.shape[1]} columns but layer 0 (the input) has n_0 = {net.sizes[0]} neurons"
        )
    if finite and not _all_finite(X):
        raise ValueError("X contains NaN or inf")
    return X


def check_finite_X(X: np.ndarray, record: "Forward") -> None:
    """A ValueError if X contains NaN or inf, read through sum^1_0 = Σ_i w^1_i0 σ^0_i (+ b^1_0) of the forward record.

    A NaN or inf in row e of X makes every sum^1_j of row e NaN or inf (NaN·w = NaN, ±inf·w = ±inf, or
    NaN when w = 0; the weights and biases are finite, and adding finite numbers to ±inf or NaN leaves it
    infinite or NaN): so when the column sum^1_0, one number per example, is finite, X, n_0 numbers per
    example, is too, and X itself is read only when sum^1_0 is not. That saves a pass over X (the largest
    array of a gradient call), and over sum^1, on every call. (It relies on the matrix product following
    IEEE arithmetic, as OpenBLAS, MKL and numpy's own loops do: tests/test_network.py checks it.)
    """
    if not _all_finite(record.sums[1][:, 0]) and not _all_finite(X):
        raise ValueError("X contains NaN or inf")


def _all_finite(a: np.ndarray) -> bool:
    """Whether every entry is finite: one sum in the common case, the full check only if it overflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(np.add.reduce(a, axis=None)):
            return True
    return bool(np.isfinite(a).all())


def check_XY(net: Network, X, Y, finite: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """X of shape (m, n_0) and Y of shape (m, n_L) with entries in [0, 1], or a clear error.

    ``finite=False``: X's NaN/inf check is left to :func:`check_finite_X` after the forward pass."""
    X = check_X(net, X, finite)
    Y = _as_matrix(Y, "Y")
    nL = net.sizes[-1]
    if Y.ndim == 1 and nL == 1 and Y.shape[0] == X.shape[0]:
        Y = Y.reshape(-1, 1)
    elif Y.ndim == 1 and Y.size == nL and X.shape[0] == 1:
        Y = Y.reshape(1, -1)
    if Y.ndim != 2:
        raise ValueError(f"Y must have shape (m, n_L) = ({X.shape[0]}, {nL}), got shape {Y.shape}")
    if Y.shape[1] != nL:
        raise ValueError(f"Y has {Y.shape[1]} columns but the output layer L = {net.L} has n_L = {nL} neurons")
    if Y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows (examples) but Y has {Y.shape[0]}")
    if not (Y.min() >= 0.0 and Y.max() <= 1.0):  # False for NaN too
        if not np.isfinite(Y).all():
            raise ValueError("Y contains NaN or inf")
        raise ValueError("the targets y_k must lie in [0, 1] (the cross-entropy needs them there)")
    return X, Y


def check_lam(lam) -> float:
    """λ as a float >= 0."""
    try:
        lam = float(lam)
    except (TypeError, ValueError):
        raise TypeError(f"λ (lam) must be a number, got {lam!r}") from None
    if not np.isfinite(lam) or lam < 0:
        raise ValueError(f"λ (lam) must be a finite number >= 0, got {lam}")
    return lam

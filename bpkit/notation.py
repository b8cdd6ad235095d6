r"""The notation of the notes, as data structures.

=====================  ==============================================================
symbol                 meaning (zero-indexed)
=====================  ==============================================================
l = 0, 1, ..., L       layers; 0 is the input, L the output ("right to left" from L)
n_l                    the number of neurons of layer l
σ^l_i                  neuron i of layer l (its value); σ^0_i is input i
sum^l_i                the input of σ^l_i: sum^l_i = Σ_t w^l_ti σ^{l-1}_t (+ b^l_i)
w^l_ij                 the weight from neuron i of layer l-1 to neuron j of layer l
b^l_j                  the bias of neuron j of layer l (absent in the notes: bias=False)
E(w)                   the L2-regularized cross-entropy objective
=====================  ==============================================================

In code, ``W[l][i, j]`` is w^l_ij: ``W[l]`` has shape ``(n_{l-1}, n_l)`` (fan-in x
fan-out, the layout of scikit-learn's ``coefs_``), and ``W[0]`` does not exist.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NOTATION = __doc__


class Layers:
    """A per-layer container indexed like the notes: ``layers[l]`` for l = first..L.

    ``Layers(items, first=1, name="w")`` holds ``items[0]`` as layer ``first``. Indexing
    a layer that does not exist raises an IndexError that says why, in the notation:
    ``W[0]`` says that layer 0 is the input and has no incoming weights.
    Negative indices count from the output as usual (``W[-1]`` is w^L).
    Assigning ``W[l] = array`` checks the shape against the old one.
    """

    def __init__(self, items, first: int = 1, name: str = "w"):
        self._items = list(items)
        self.first = first
        self.name = name

    @property
    def L(self) -> int:
        return self.first + len(self._items) - 1

    def _index(self, l: int) -> int:
        if not isinstance(l, (int, np.integer)):
            raise TypeError(f"layer index must be an integer l, got {type(l).__name__}")
        l = int(l)
        if l < 0:
            l = self.L + 1 + l
        if l < self.first or l > self.L:
            if l == 0 and self.first == 1:
                raise IndexError(
                    f"layer 0 is the input layer and has no incoming weights: "
                    f"{self.name}^l exists for l = 1..{self.L}"
                )
            raise IndexError(f"{self.name}^{l} does not exist: l runs from {self.first} to {self.L}")
        return l - self.first

    def __getitem__(self, l):
        if type(l) is int and self.first <= l < self.first + len(self._items):   # the common case, quickly
            return self._items[l - self.first]
        return self._items[self._index(l)]

    def __setitem__(self, l, value):
        k = self._index(l)
        old = self._items[k]
        value = np.array(value, dtype=float)
        if old is not None and value.shape != old.shape:
            raise ValueError(f"{self.name}^{l} must have shape {old.shape}, got {value.shape}")
        self._items[k] = value

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return iter(self._items)

    def layers(self) -> range:
        """The layer numbers l held here, in order."""
        return range(self.first, self.L + 1)

    def items(self):
        """Pairs (l, value), l ascending."""
        return zip(self.layers(), self._items)

    def copy(self) -> "Layers":
        return Layers([None if a is None else np.array(a, copy=True) for a in self._items],
                      self.first, self.name)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{self.name}^{l}: {None if a is None else a.shape}" for l, a in self.items())
        return f"Layers({shapes})"


@dataclass
class Gradient:
    """A gradient of E(w), laid out like the network.

    ``W[l][i, j]`` = ∂E/∂w^l_ij; ``b[l][j]`` = ∂E/∂b^l_j (``b`` is None without biases);
    ``E`` is the objective at the point where the gradient was taken.
    """

    W: Layers
    b: Layers | None
    E: float
    extras: dict = field(default_factory=dict, repr=False)

    def flat(self) -> np.ndarray:
        """All partial derivatives in one vector, w^1, b^1, w^2, b^2, ... (row-major)."""
        return flatten(self.W, self.b)


def flatten(W: Layers, b: "Layers | None") -> np.ndarray:
    """w^1, b^1, w^2, b^2, ... (row-major) in one vector: the layout of every flat parameter vector."""
    parts = []
    for l in W.layers():
        parts.append(W[l].ravel())
        if b is not None:
            parts.append(b[l].ravel())
    return np.concatenate(parts)

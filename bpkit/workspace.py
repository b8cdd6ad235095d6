r"""Reusable arrays for the forward record and the backward pass: what bpkit computes is unchanged,
only where it is stored.

Every gradient call fills, for each layer l, arrays of shape (m, n_l): sum^l and σ^l (the forward
record), δ^l = ∂E/∂sum^l and ∂E/∂σ^l (the backward pass). Allocated fresh on every call, each is new
memory that the operating system must map page by page the first time it is written: on a training
loop that costs as much as a quarter of the call (64-25-10, m = 1797; ``benchmarks/speed.py``), while
the arithmetic is the same every time. A :class:`Workspace` keeps those arrays between calls, keyed by
what fixes their shapes (the kind of pass, m and the network's sizes), and hands an array set out
again only when **nothing outside the workspace still refers to any of its arrays**:

* while a call fills a set, the list :meth:`Workspace.take` returned refers to its arrays; after the
  call, the record or gradient it returned does. Either way their reference counts say they are in
  use, and :meth:`Workspace.take` (under a lock, so two threads never get one set) lends only a set
  whose arrays nothing refers to: every result built on it, and every view of its arrays (a view
  refers to its base array), has been dropped. A result you keep is never overwritten.

So a loop ``for step in ...: g = bpkit.gradient(...)`` alternates between two sets (the one the
previous ``g`` still holds, and the other), and a loop that keeps every result simply gets fresh
arrays, as without a workspace. At most :data:`KEYS` shapes are kept (the least recently used are
forgotten), and a set larger than :data:`MAX_BYTES` is never kept.
"""
from __future__ import annotations

import sys
import threading
from collections import OrderedDict

import numpy as np

#: array sets kept per key (two: the one the previous result holds, and one to fill)
SETS_PER_KEY = 2
#: keys (shapes) kept; the least recently used beyond this are forgotten
KEYS = 8
#: the largest array set kept (bytes); a larger one is allocated fresh on every call
MAX_BYTES = 256 * 2**20


def _refs(arrays: list, k: int) -> int:
    """The reference count of ``arrays[k]`` as :func:`_free` sees it (the list's reference, the loop's, the call's)."""
    for a in arrays:                                     # the same loop as _free's, so the same count
        if k == 0:
            return sys.getrefcount(a)
        k -= 1


#: what :func:`_refs` and :func:`_free` see for an array only the workspace holds (measured, not assumed:
#: it may vary between Python versions)
_ALONE = _refs([np.empty(1)], 0)


def _free(arrays: list) -> bool:
    """Whether nothing but the workspace refers to any of ``arrays``."""
    for a in arrays:
        if sys.getrefcount(a) != _ALONE:
            return False
    return True


class Workspace:
    """Array sets by key; :meth:`take` lends a set that nothing else refers to."""

    def __init__(self, sets_per_key: int = SETS_PER_KEY, keys: int = KEYS, max_bytes: int = MAX_BYTES):
        self.sets_per_key, self.keys, self.max_bytes = sets_per_key, keys, max_bytes
        self._sets: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key, shapes) -> list:
        """A new list of arrays of the given ``shapes`` (float64, contents undefined) that nothing else
        refers to. Keep the list, or the arrays, while you write them: that is what marks them as taken.
        The ``key`` must fix the shapes: a set found under it is returned as it is."""
        with self._lock:
            sets = self._sets.get(key)
            if sets is not None:
                self._sets.move_to_end(key)                  # most recently used last
                for arrays in sets:
                    if _free(arrays):
                        return list(arrays)
            fresh = [np.empty(shape) for shape in shapes]
            if sum(a.nbytes for a in fresh) > self.max_bytes:
                return fresh
            if sets is None:
                sets = self._sets[key] = []
                while len(self._sets) > self.keys:
                    self._sets.popitem(last=False)
            if len(sets) < self.sets_per_key:
                sets.append(fresh)
            return list(fresh)                               # kept, or (every set held) not kept

    def clear(self) -> None:
        """Forget every set (arrays that results still hold live on with those results)."""
        with self._lock:
            self._sets.clear()


#: the workspace of the forward pass and of backpropagation
WORKSPACE = Workspace()

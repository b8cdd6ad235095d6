"""One shared catalogue of cases that every gradient implementation is run against.

As minitorch's ``testing.py``: the vectorized, per-neuron (scalar), naive and numerical
gradients all see the same networks, so they can never drift apart.
"""
from __future__ import annotations

import itertools

import numpy as np

import bpkit

ACTIVATIONS = ("sigmoid", "tanh", "relu")
LAMBDAS = (0.0, 0.7, 3.0)
SHAPES = ((3, 1), (2, 3, 1), (3, 4, 2), (2, 3, 4, 2))


def make_case(sizes, hidden="sigmoid", bias=True, seed=0, m=5, *, bias_scale=0.5, data_seed=None):
    """A random network (weights from ``seed``) and a batch (X, Y) with soft targets in [0, 1]; the biases and
    the batch are drawn from ``data_seed`` (default ``seed + 1000``), the biases with spread ``bias_scale``."""
    net = bpkit.Network(sizes, hidden=hidden, bias=bias, seed=seed)
    rng = np.random.default_rng(seed + 1000 if data_seed is None else data_seed)
    if bias:
        for l in net.b.layers():
            net.b[l] = rng.normal(scale=bias_scale, size=sizes[l])
    X = rng.normal(size=(m, sizes[0]))
    Y = rng.uniform(size=(m, sizes[-1]))
    return net, X, Y


def cases():
    """(id, net, X, Y, lam, regularize_bias) for every combination in the catalogue."""
    out = []
    for k, (sizes, hidden, bias, lam, rb) in enumerate(
        itertools.product(SHAPES, ACTIVATIONS, (True, False), LAMBDAS, (False, True))
    ):
        if rb and not bias:
            continue
        net, X, Y = make_case(sizes, hidden, bias, seed=k)
        ident = f"{'-'.join(map(str, sizes))}-{hidden}-{'bias' if bias else 'nobias'}-lam{lam}-{'rb' if rb else 'norb'}"
        out.append((ident, net, X, Y, lam, rb))
    return out


CASES = cases()
CASE_IDS = [c[0] for c in CASES]

"""Does the workspace reuse the arrays of the forward record and the backward pass only when no result
still holds them, so that no number bpkit returned ever changes?"""
from __future__ import annotations

import importlib
import threading

import numpy as np
import pytest

import bpkit
from bpkit import workspace
from bpkit.workspace import WORKSPACE, Workspace


def case(seed, m=7, sizes=(4, 5, 3, 2), hidden="tanh"):
    net = bpkit.Network(sizes, hidden=hidden, seed=seed)
    rng = np.random.default_rng(seed + 100)
    for l in net.b.layers():
        net.b[l] = rng.uniform(-1, 1, sizes[l])
    return net, rng.normal(size=(m, sizes[0])), rng.integers(0, 2, size=(m, sizes[-1])).astype(float)


def snapshot(g):
    """Copies of every array a gradient returned: its record, per-example ∂E/∂σ^l and δ^l, ∂E/∂W and ∂E/∂b."""
    rec = g.extras["record"]
    arrays = list(rec.sums) + list(rec.sigmas) + list(g.W) + list(g.b)
    arrays += [a for a in g.extras["dE_dsigma"] if a is not None] + list(g.extras["delta"])
    return [a.copy() for a in arrays], arrays


def test_a_kept_gradient_is_never_overwritten():
    """After many more gradient calls of the same shapes, are the arrays of a gradient still held unchanged?"""
    net, X, Y = case(0)
    kept = bpkit.gradient(net, X, Y, lam=0.5)
    before, arrays = snapshot(kept)
    for seed in range(1, 6):
        other, X2, Y2 = case(seed)
        bpkit.gradient(other, X2, Y2, lam=2.0)
        other.forward(X2)
    for a, b in zip(arrays, before):
        np.testing.assert_array_equal(a, b)


def test_a_kept_view_protects_its_array():
    """Is a record's array kept from reuse while only a view of it (a column σ^1_0) is held?"""
    net, X, Y = case(0)
    column = net.forward(X).sigma(1, 0)
    before = column.copy()
    for seed in range(1, 5):
        other, X2, _ = case(seed)
        other.forward(X2)
    np.testing.assert_array_equal(column, before)


def test_arrays_are_reused_once_dropped():
    """When the previous results are dropped, does the next call write into the same arrays (the workspace
    works), and while they are held, into others?"""
    net, X, Y = case(0, m=11)
    first = [id(a) for a in net.forward(X).sums]       # the record is dropped at once
    again = net.forward(X)
    assert [id(a) for a in again.sums] == first
    held = net.forward(X)                               # `again` still holds the first set
    assert not {id(a) for a in held.sums} & set(first)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_the_numbers_are_those_of_fresh_arrays(hidden, monkeypatch):
    """Are the record, E and the gradient bit for bit what bpkit computes without a workspace?"""
    net, X, Y = case(3, m=9, sizes=(3, 6, 4, 2), hidden=hidden)
    bpkit.gradient(net, X, Y, lam=1.0)                  # warm the workspace: later calls reuse
    with_ws, _ = snapshot(bpkit.gradient(net, X, Y, lam=1.0))
    monkeypatch.setattr(WORKSPACE, "max_bytes", 0)
    fresh, _ = snapshot(bpkit.gradient(net, X, Y, lam=1.0))
    for a, b in zip(with_ws, fresh):
        np.testing.assert_array_equal(a, b)


def test_threads_never_share_arrays():
    """Four threads computing gradients of the same shapes at once: does each get exactly its own answer?"""
    cases = [case(seed) for seed in range(4)]
    expected = [bpkit.numerical_gradient(net, X, Y, lam=0.3) for net, X, Y in cases]
    failures = []

    def work(k):
        net, X, Y = cases[k]
        for _ in range(40):
            g = bpkit.gradient(net, X, Y, lam=0.3)
            if not all(np.allclose(g.W[l], expected[k].W[l], rtol=1e-6, atol=1e-9) for l in net.W.layers()):
                failures.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_few_keys_and_large_sets_are_not_kept():
    """Does a workspace forget the least recently used shapes beyond its limit, and never keep a set larger
    than its byte limit?"""
    ws = Workspace(keys=2, max_bytes=1000)
    for m in (1, 2, 3):
        ws.take(("k", m), [(m, 4)])
    assert list(ws._sets) == [("k", 2), ("k", 3)]
    big = ws.take("big", [(200, 1)])                   # 1600 bytes
    assert "big" not in ws._sets and big[0].shape == (200, 1)


def test_the_reference_count_of_a_lone_array_is_measured():
    """Is the workspace's notion of 'nothing else refers to it' the count this Python reports for such an array?"""
    arrays = [np.empty(3)]
    assert workspace._refs(arrays, 0) == workspace._ALONE
    other = arrays[0]
    assert workspace._refs(arrays, 0) == workspace._ALONE + 1
    del other


def test_the_penalty_is_added_in_place():
    """Does ∂E/∂W^l keep the array the backward pass wrote (the penalty added in place, no copy of every ∂E/∂W^l),
    and is it still ∂E/∂w^l_ij by central differences?"""
    net, X, Y = case(2)
    record = net.forward(X)
    dW, db, _, _ = bpkit.backward(net, record, (record.sigmas[net.L] - Y) / X.shape[0])
    before = [id(a) for a in dW]
    importlib.import_module("bpkit.objective").add_penalty_gradient(dW, db, net, 0.8, X.shape[0])
    assert [id(a) for a in dW] == before
    numeric = bpkit.numerical_gradient(net, X, Y, lam=0.8)
    for l in net.W.layers():
        np.testing.assert_allclose(dW[l], numeric.W[l], rtol=1e-6, atol=1e-9)

#!/usr/bin/env python
r"""What memoization buys: multiplications against the number of weights, with and without it.

Both gradients are *run* on one example (m = 1, λ = 0, no biases: the notes' network)
and the multiplications they did are read from ``.extras["multiplications"]``:

* memoized – :func:`bpkit.scalar.gradient`, the notes' memo table of ∂E/∂σ^l_j filled
  right to left: every ∂E/∂sum^l_j is computed once and read again;
* naive    – :func:`bpkit.naive.gradient`, the same chain rule with no memo: every path
  from w^l_ij to the outputs is multiplied out again for every weight.

Each count is cross-checked against the closed forms :func:`bpkit.scalar.multiplication_count`
and :func:`bpkit.naive.multiplication_count`, and the two gradients against each other.

Two sweeps: growing width (3 hidden layers, every layer n wide, n = 2..12) and growing
depth (every layer 3 wide, 1..7 hidden layers). The growth exponent is the least-squares
slope of log(count) against log(number of weights): about 1 for the memoized count (linear
in the weights), 2 or more for the naive one. With depth the naive count grows
exponentially: the fitted base per layer is exp(slope of log(count) against the depth).

Run ``python benchmarks/memo_growth.py [--quick]`` (--quick: n = 2..7, depth 1..5).
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

# Count this checkout's bpkit, whatever is installed and wherever this is run from.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import bpkit  # noqa: E402

HIDDEN_LAYERS = 3       # the width sweep's depth
WIDTH = 3               # the depth sweep's width


def slope(x, y) -> float:
    """Least-squares slope of y against x."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.polyfit(x, y, 1)[0])


def measure(sizes, seed=0) -> dict:
    """Run both gradients on m = 1 and return their multiplication counts (cross-checked)."""
    net = bpkit.Network(sizes, hidden="sigmoid", bias=False, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.random((1, sizes[0]))
    Y = (rng.random((1, sizes[-1])) < 0.5).astype(float)
    memo = bpkit.scalar.gradient(net, X, Y, lam=0.0)
    naive = bpkit.naive.gradient(net, X, Y, lam=0.0)
    row = {
        "sizes": tuple(sizes),
        "weights": net.n_weights,
        "memo": memo.extras["multiplications"],
        "naive": naive.extras["multiplications"],
    }
    expect_memo = bpkit.scalar.multiplication_count(sizes, m=1)
    expect_naive = bpkit.naive.multiplication_count(sizes, m=1, bias=False)
    if row["memo"] != expect_memo or row["naive"] != expect_naive:
        raise SystemExit(f"count mismatch for {sizes}: memoized ran {row['memo']} "
                         f"(formula {expect_memo}), naive ran {row['naive']} (formula {expect_naive})")
    for l in net.W.layers():
        if not np.allclose(memo.W[l], naive.W[l], rtol=1e-10, atol=1e-14):
            raise SystemExit(f"memoized and naive ∂E/∂w^{l} differ for {sizes}")
    return row


def table(title, rows, key) -> None:
    print(title)
    head = f"  {key:>6} {'sizes':<24} {'weights':>8} {'memoized':>10} {'naive':>12} {'naive/memo':>11}"
    print(head)
    print("  " + "-" * (len(head) - 2))
    for r in rows:
        sizes = "-".join(str(n) for n in r["sizes"])
        print(f"  {r[key]:>6} {sizes:<24} {r['weights']:>8} {r['memo']:>10} {r['naive']:>12} "
              f"{r['naive'] / r['memo']:>11.1f}")
    print()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sweeps (n = 2..7, depth 1..5)")
    args = ap.parse_args(argv)
    widths = range(2, 8) if args.quick else range(2, 13)
    depths = range(1, 6) if args.quick else range(1, 8)

    print("multiplications per example (m = 1, λ = 0, no biases), run and cross-checked "
          "against bpkit.scalar/naive.multiplication_count")
    print()
    by_width = []
    for n in widths:
        row = measure([n] * (HIDDEN_LAYERS + 2))
        row["width"] = n
        by_width.append(row)
    table(f"growing width: {HIDDEN_LAYERS} hidden layers, every layer n wide", by_width, "width")

    by_depth = []
    for d in depths:
        row = measure([WIDTH] * (d + 2))
        row["depth"] = d
        by_depth.append(row)
    table(f"growing depth: every layer {WIDTH} wide, 'depth' hidden layers", by_depth, "depth")

    fits = {}
    for name, rows in (("width", by_width), ("depth", by_depth)):
        logw = np.log([r["weights"] for r in rows])
        fits[name] = (slope(logw, np.log([r["memo"] for r in rows])),
                      slope(logw, np.log([r["naive"] for r in rows])))
    base_naive = float(np.exp(slope([r["depth"] for r in by_depth], np.log([r["naive"] for r in by_depth]))))
    steps = sorted({b["memo"] - a["memo"] for a, b in zip(by_depth, by_depth[1:])})

    print("growth exponents: least-squares slope of log(count) against log(number of weights)")
    print(f"  {'sweep':<6} {'memoized':>9} {'naive':>9}")
    for name, (s_memo, s_naive) in fits.items():
        print(f"  {name:<6} {s_memo:>9.3f} {s_naive:>9.3f}")
    print(f"naive fitted base per layer (depth sweep, exp of the slope of log(count) against depth): "
          f"{base_naive:.3f}  (×{WIDTH} per added layer of width {WIDTH}: exponential in depth)")
    print(f"memoized per added layer (depth sweep): +{', +'.join(str(d) for d in steps)} multiplications "
          f"(constant: linear in depth)")
    print("memoized ≈ 1 (linear in the weights), naive ≈ 2 or worse. The depth sweep's memoized slope is a")
    w = WIDTH
    print(f"little above 1 only because its count ({2 * w * w + w}·depth + {w * w + w}) and its weights "
          f"({w * w}·depth + {w * w}) have")
    print("different offsets on such small nets; its increment per layer is constant.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
r"""How fast is ``bpkit.gradient``?  Side by side with the work any implementation must do.

For each case (a network n_0-...-n_L with biases, sigmoid hidden layers, λ = 1, float64,
m examples) four contenders are timed, **rounds interleaved in one process**: in every
round each contender is called once (the order rotates from round to round), so a burst
of load from the rest of the machine hits all of them alike. The table reports the
median over the rounds and the ratio of medians.

* ``bpkit``  – ``bpkit.gradient(net, X, Y, lam=1.0)``: forward record, E(w), ∂E/∂w, ∂E/∂b.
* ``floor``  – only the matrix products backpropagation cannot avoid, on preallocated
  float64 operands and outputs of the right shapes:

      forward       sum^l = σ^{l-1} W^l                 (m, n_{l-1}) @ (n_{l-1}, n_l), l = 1..L
      weight grad   ∂E/∂W^l = (σ^{l-1})ᵀ δ^l            (n_{l-1}, m) @ (m, n_l),     l = 1..L
                    (or (δ^l)ᵀ σ^{l-1}, the faster order, when n_{l-1} >= WIDE and m >= WIDE_M, as bpkit does)
      memo step     ∂E/∂σ^{l-1} = δ^l (W^l)ᵀ            (m, n_l) @ (n_l, n_{l-1}),   l = 2..L

  No activation, no loss, no bias, no allocation: a lower bound, not a contender.
* ``sklearn`` – scikit-learn's private ``MLPClassifier._backprop`` (activation="logistic",
  alpha = λ, a 2-D 0/1 indicator target, so the output is a sigmoid per neuron and the
  loss is exactly E(w)); checked to give bpkit's E and gradient before it is timed.
* ``torch`` – PyTorch autograd in float64: forward, BCE-with-logits (summed over outputs,
  mean over examples), + λ/2m Σ w², ``backward()``; only when ``import torch`` works.

Goals (issue 13): bpkit ≤ 2.0× floor on 64-25-10 and ≤ 1.25× on the three others, faster than
sklearn on all four, with 1 and with 2 BLAS threads, on every OpenBLAS kernel the CPU runs; and the
peak memory one gradient call allocates (tracemalloc: the forward record, the returned δ^l and
∂E/∂σ^l, and every temporary) at most 1.5× the forward record (every sum^l and σ^l, σ^0 = X
included). Speed is measured here and never asserted in tests.

Run ``python benchmarks/speed.py [--rounds N] [--threads N] [--coretype NAME] [--no-avx512] [--quick]``.
``--coretype`` runs the benchmark again in a child process with ``OPENBLAS_CORETYPE=NAME``
(OpenBLAS reads it once, when it loads), so only that run uses the kernel; a CPU that cannot run
the kernel (SkylakeX without AVX-512) is reported as such. ``--no-avx512`` runs it as a CPU without
AVX-512 would: numpy's AVX-512 loops off (``NPY_DISABLE_CPU_FEATURES``: numpy's float64 exp and log
are then scalar, as on an AVX2 CPU) and OpenBLAS's Haswell kernel. The header prints the CPU model,
the kernel threadpoolctl reports and the SIMD targets numpy dispatches to. On a shared, loaded machine ``--threads 1`` gives far steadier
numbers than a threaded BLAS.
"""
from __future__ import annotations

import argparse
import gc
import inspect
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
import tracemalloc

import numpy as np

# Benchmark this checkout's bpkit, whatever is installed and wherever this is run from.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import bpkit  # noqa: E402
from bpkit.backprop import WIDE, WIDE_M  # noqa: E402

LAM = 1.0
QUICK_ROUNDS = 2
QUICK_M = 500

#: (label, sizes, m, goal for bpkit/floor)
MEMORY_GOAL = 1.5   # peak bytes one gradient call allocates / bytes of its forward record
CASES = [
    ("64-25-10", (64, 25, 10), 1797, 2.0),
    ("400-25-10", (400, 25, 10), 5000, 1.25),
    ("784-128-64-10", (784, 128, 64, 10), 256, 1.25),
    ("784-128-64-10", (784, 128, 64, 10), 10_000, 1.25),
]


# ---------------------------------------------------------------------------- environment
def blas_info() -> tuple[str, int | None]:
    """A one-line description of numpy's BLAS (threadpoolctl) and its thread count."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed: BLAS unknown", None
    blas = [d for d in threadpool_info() if d.get("user_api") == "blas"]
    mine = [d for d in blas if "numpy" in d.get("filepath", "")] or blas
    if not mine:
        return "no BLAS found by threadpoolctl", None
    d = mine[0]
    text = (f"{d.get('internal_api')} {d.get('version')} kernel={d.get('architecture')} "
            f"threads={d.get('num_threads')} threading={d.get('threading_layer')} "
            f"({os.path.basename(d.get('filepath', '?'))})")
    return text, d.get("num_threads")


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo on Linux, the platform's answer elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def numpy_simd() -> tuple[list[str], list[str]]:
    """(the SIMD targets numpy dispatches to on this CPU, those of them that need AVX-512: what
    ``NPY_DISABLE_CPU_FEATURES`` must name to run as a CPU without AVX-512)."""
    try:
        from numpy._core import _multiarray_umath as umath        # numpy 2
    except ImportError:                                           # numpy 1.x
        from numpy.core import _multiarray_umath as umath
    features = umath.__cpu_features__
    dispatch = list(umath.__cpu_dispatch__)
    on = [f for f in dispatch if features.get(f)]
    return on, [f for f in on if "AVX512" in f or f == "X86_V4"]   # numpy refuses to disable what the CPU lacks


def header(threads: int | None, torch) -> None:
    import sklearn
    blas, _ = blas_info()
    print("bpkit speed benchmark: bpkit.gradient(net, X, Y, lam=1.0), float64, biases, sigmoid hidden")
    print(f"CPU: {cpu_model()}")
    print(f"python {platform.python_version()}  numpy {np.__version__}  bpkit {bpkit.__version__}  "
          f"scikit-learn {sklearn.__version__}  "
          f"torch {torch.__version__ if torch is not None else '(not installed)'}")
    print(f"BLAS (threadpoolctl): {blas}")
    on, _ = numpy_simd()
    off = os.environ.get("NPY_DISABLE_CPU_FEATURES")
    print(f"numpy SIMD dispatch: {' '.join(on) or 'baseline only'}"
          + (f"  (NPY_DISABLE_CPU_FEATURES={off})" if off else ""))
    env = "  ".join(f"{k}={os.environ.get(k, '(unset)')}" for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                                    "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"))
    print(f"env: {env}")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"cpus {os.cpu_count()}  BLAS threads {threads}  "
          f"torch threads {torch.get_num_threads() if torch is not None else '-'}  load average {load}")
    if hasattr(os, "getloadavg") and (threads or 1) > 1 and os.getloadavg()[0] > (os.cpu_count() or 1):
        print("WARNING: a threaded BLAS on a machine with more runnable work than cores: a BLAS thread "
              "waiting for a core stalls the whole call, and the medians measure the stalls. "
              "Use --threads 1 here.")


# ---------------------------------------------------------------------------- problem
def make_case(sizes, m, seed=0):
    """A network with nonzero biases, X in [0, 1] and one-hot targets Y (m, n_L)."""
    rng = np.random.default_rng(seed)
    net = bpkit.Network(sizes, hidden="sigmoid", bias=True, seed=seed)
    for l in net.b.layers():
        net.b[l] = rng.normal(0.0, 0.1, size=sizes[l])
    X = rng.random((m, sizes[0]))
    Y = np.zeros((m, sizes[-1]))
    Y[np.arange(m), rng.integers(0, sizes[-1], size=m)] = 1.0
    return net, X, Y


def floor_contender(net, m):
    """The bare matmuls of one forward + backward pass, on preallocated operands."""
    rng = np.random.default_rng(1)
    sizes, L = net.sizes, net.L
    W = [None] + [np.ascontiguousarray(net.W[l]) for l in range(1, L + 1)]
    sig = [rng.random((m, n)) for n in sizes]            # σ^0 (= X) .. σ^L
    sums = [None] + [np.empty((m, sizes[l])) for l in range(1, L + 1)]
    delta = [None] + [rng.random((m, sizes[l])) for l in range(1, L + 1)]
    dW = [None] + [np.empty_like(W[l]) for l in range(1, L + 1)]
    # the faster order of each weight gradient, as bpkit chooses it: ((δ^l)ᵀ σ^{l-1})ᵀ for a wide layer l-1
    # (written into an (n_l, n_{l-1}) array, without bpkit's transposing copy), (σ^{l-1})ᵀ δ^l otherwise
    dWT = [None] + [np.empty((sizes[l], sizes[l - 1])) if sizes[l - 1] >= WIDE and m >= WIDE_M else None
                    for l in range(1, L + 1)]
    dsig = [None] + [np.empty((m, sizes[l - 1])) for l in range(1, L + 1)]
    matmul = np.matmul

    def run():
        for l in range(1, L + 1):
            matmul(sig[l - 1], W[l], out=sums[l])                # sum^l = σ^{l-1} W^l
        for l in range(L, 0, -1):
            if dWT[l] is None:
                matmul(sig[l - 1].T, delta[l], out=dW[l])        # (σ^{l-1})ᵀ δ^l
            else:
                matmul(delta[l].T, sig[l - 1], out=dWT[l])       # (δ^l)ᵀ σ^{l-1}
            if l > 1:
                matmul(delta[l], W[l].T, out=dsig[l])            # δ^l (W^l)ᵀ
    return run


def transcendental_contender(net, m):
    """The floor plus the transcendental functions the formulas cannot avoid, on preallocated arrays: σ^l =
    logistic(sum^l) for every neuron of every example, l = 1..L, computed as bpkit computes it on this CPU
    (numpy's exp where it is vectorized, scipy's expit elsewhere), and an exp and a log1p per output per example
    for the stable cross-entropy (log(1 + e^{-|sum^L|}), exact even where σ^L has rounded to 0 or 1). Not a
    contender either: it says how much of bpkit's time is arithmetic every exact implementation of E and its
    gradient pays."""
    from bpkit.activations import _logistic

    floor = floor_contender(net, m)
    rng = np.random.default_rng(2)
    sums = [rng.normal(size=(m, n)) for n in net.sizes[1:]]
    outs = [np.empty_like(s) for s in sums]
    last = np.empty_like(sums[-1])
    exp, log1p = np.exp, np.log1p

    def run():
        floor()
        for s, o in zip(sums, outs):
            _logistic(s, out=o)
        exp(sums[-1], out=last)
        log1p(last, out=last)
    return run


class Skip(Exception):
    """A contender that cannot run here, with the reason to print."""


def sklearn_contender(net, X, Y, lam):
    """``MLPClassifier._backprop`` on bpkit's weights, with its lists prepared as ``_fit`` does.

    Returns ``(run, check)``: ``run()`` does one call; ``check()`` returns (loss, coef_grads,
    intercept_grads) of one call for the equality check.
    """
    from sklearn.neural_network import MLPClassifier

    params = list(inspect.signature(MLPClassifier._backprop).parameters)
    known = {
        ("self", "X", "y", "activations", "deltas", "coef_grads", "intercept_grads"): False,
        ("self", "X", "y", "sample_weight", "activations", "deltas", "coef_grads", "intercept_grads"): True,
    }
    if tuple(params) not in known:
        raise Skip(f"MLPClassifier._backprop has an unknown signature {tuple(params)} "
                   f"(known: before 1.7 without sample_weight, 1.7+ with it)")
    with_sw = known[tuple(params)]
    L = net.L
    clf = MLPClassifier(hidden_layer_sizes=net.sizes[1:-1], activation="logistic", alpha=lam)
    # the attributes _fit -> _initialize sets (a 2-D indicator target: a logistic output per neuron)
    clf.n_outputs_ = net.sizes[-1]
    clf.n_layers_ = L + 1
    clf.out_activation_ = "logistic"
    clf.coefs_ = [np.array(net.W[l]) for l in range(1, L + 1)]
    clf.intercepts_ = [np.array(net.b[l]) for l in range(1, L + 1)]
    layer_units = list(net.sizes)
    activations = [X] + [None] * (len(layer_units) - 1)
    deltas = [None] * (len(activations) - 1)
    coef_grads = [np.empty((a, b), dtype=X.dtype) for a, b in zip(layer_units[:-1], layer_units[1:])]
    intercept_grads = [np.empty(b, dtype=X.dtype) for b in layer_units[1:]]
    args = (X, Y, None) if with_sw else (X, Y)
    backprop = clf._backprop

    def run():
        return backprop(*args, activations, deltas, coef_grads, intercept_grads)

    return run


def torch_contender(torch, net, X, Y, lam):
    """Autograd: forward, BCE-with-logits (sum over outputs, mean over examples), + λ/2m Σw², backward."""
    F = torch.nn.functional
    m = X.shape[0]
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    W = [torch.tensor(net.W[l], dtype=torch.float64, requires_grad=True) for l in net.W.layers()]
    b = [torch.tensor(net.b[l], dtype=torch.float64, requires_grad=True) for l in net.b.layers()]
    params = W + b
    L = net.L
    coef = lam / (2.0 * m)

    def run():
        for p in params:
            p.grad = None
        a = Xt
        for l in range(L):
            s = torch.addmm(b[l], a, W[l])
            a = torch.sigmoid(s) if l < L - 1 else s
        loss = F.binary_cross_entropy_with_logits(a, Yt, reduction="sum") / m
        loss = loss + coef * sum((w * w).sum() for w in W)
        loss.backward()
        return loss

    def result():
        loss = run()
        return float(loss.detach()), [w.grad.numpy() for w in W], [bb.grad.numpy() for bb in b]

    return run, result


def verify(name, g, loss, dW, db, tol=1e-9):
    """Assert a contender's loss and gradient equal bpkit's (relative to each array's scale)."""
    assert abs(loss - g.E) <= tol * max(1.0, abs(g.E)), f"{name}: loss {loss!r} != bpkit E {g.E!r}"
    for l, (a, bb) in enumerate(zip(dW, db), start=1):
        for what, mine, theirs in (("∂E/∂w", g.W[l], a), ("∂E/∂b", g.b[l], bb)):
            err = np.max(np.abs(mine - theirs)) / max(np.max(np.abs(mine)), 1e-300)
            assert err <= tol, f"{name}: {what}^{l} differs from bpkit's by {err:.2e} (relative)"


# ---------------------------------------------------------------------------- memory
def memory(net, X, Y) -> tuple[int, int, int, int, int]:
    """(peak bytes of a first ``bpkit.gradient`` call, of a call in a loop, bytes the workspace keeps,
    bytes of its forward record, bytes of X).

    tracemalloc sees numpy's array buffers. The peak counts everything allocated and alive at the worst
    moment of the call: the record (every sum^l and σ^l), the returned ∂E/∂σ^l and δ^l, the gradient and
    every temporary. X itself is passed in, valid and float64, so it is not copied (and not in the peak);
    the record counts it as σ^0. The first call (the workspace emptied) allocates every array; a call in
    a loop (the previous result dropped) reuses the workspace's, which keeps up to two sets of them
    between calls: that is the third number.
    """
    from bpkit.workspace import WORKSPACE

    def peak_of_one_call():
        gc.collect()
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            g = bpkit.gradient(net, X, Y, lam=LAM)
            return tracemalloc.get_traced_memory()[1] - before, g
        finally:
            tracemalloc.stop()

    WORKSPACE.clear()
    first, g = peak_of_one_call()
    del g
    bpkit.gradient(net, X, Y, lam=LAM)                      # the loop's second set
    looped, g = peak_of_one_call()
    kept = sum(a.nbytes for sets in WORKSPACE._sets.values() for arrays in sets for a in arrays)
    rec = g.extras["record"]
    record = sum(a.nbytes for a in rec.sums) + sum(a.nbytes for a in rec.sigmas)
    return first, looped, kept, record, X.nbytes


def run_child(argv: list[str], coretype: str | None, no_avx512: bool) -> int:
    """This benchmark again, in a child process whose OpenBLAS loads with ``OPENBLAS_CORETYPE=coretype``
    and, with ``no_avx512``, whose numpy dispatches to no AVX-512 loop (``NPY_DISABLE_CPU_FEATURES``):
    both libraries read these variables once, when they load, so only that run is affected."""
    env = dict(os.environ, BPKIT_SPEED_CHILD="1")
    if coretype:
        from tools.openblas import forced_env

        safe = forced_env(env, coretype)
        if safe is None:
            print(f"OPENBLAS_CORETYPE={coretype}: numpy's OpenBLAS cannot run a bare matrix product with that kernel on "
                  f"this CPU ({cpu_model()}): it crashes or hangs, with or without OPENBLAS_L2_SIZE")
            return 2
        if safe.get("OPENBLAS_L2_SIZE") != env.get("OPENBLAS_L2_SIZE"):
            print(f"OPENBLAS_L2_SIZE={safe['OPENBLAS_L2_SIZE']}: numpy's OpenBLAS crashes with the {coretype} kernel "
                  "here unless told the L2 size (tools/openblas.py)")
        env = safe
    if no_avx512:
        _, avx512 = numpy_simd()
        if avx512:
            env["NPY_DISABLE_CPU_FEATURES"] = " ".join(avx512)
    child = subprocess.run([sys.executable, os.path.abspath(__file__), *argv], env=env)
    if child.returncode == -signal.SIGILL:
        print(f"OPENBLAS_CORETYPE={coretype}: this CPU ({cpu_model()}) cannot run that kernel "
              "(illegal instruction: it uses instructions the CPU lacks, e.g. AVX-512 for SkylakeX)")
        return 2
    return child.returncode


# ---------------------------------------------------------------------------- timing
def interleaved(contenders: dict, rounds: int, warmup: int = 1, clock=time.perf_counter) -> dict:
    """Time each contender once per round, all rounds interleaved; returns name -> [seconds].

    ``clock`` is wall time. (CPU-time clocks are no steadier on this kind of VM: they
    jump by milliseconds under load, so they are not offered.)
    """
    names = list(contenders)
    for _ in range(warmup):
        for n in names:
            contenders[n]()
    times = {n: [] for n in names}
    gc_was = gc.isenabled()
    try:
        for r in range(rounds):
            gc.collect()
            gc.disable()
            order = names[r % len(names):] + names[:r % len(names)]   # rotate the order
            for n in order:
                f = contenders[n]
                t0 = clock()
                f()
                times[n].append(clock() - t0)
            if gc_was:
                gc.enable()
    finally:
        if gc_was:
            gc.enable()
    return times


def fmt_ms(x):
    return "-" if x is None else f"{x * 1e3:.3f}" if x < 0.01 else f"{x * 1e3:.2f}"


def fmt_ratio(x):
    return "-" if x is None else f"{x:.2f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=None,
                    help=f"timed rounds per case (default 30; {QUICK_ROUNDS} with --quick)")
    ap.add_argument("--quick", action="store_true",
                    help=f"smoke run: {QUICK_ROUNDS} rounds, no warm-up, m capped at {QUICK_M}, "
                         "1 BLAS thread unless --threads (every contender and check runs; "
                         "the numbers mean little)")
    ap.add_argument("--threads", type=int, default=None,
                    help="limit BLAS (and torch) to N threads; default: leave numpy's BLAS as it is")
    ap.add_argument("--coretype", default=None, metavar="NAME",
                    help="run with OPENBLAS_CORETYPE=NAME (e.g. Haswell, SkylakeX, Sandybridge, Prescott) "
                         "for this run only")
    ap.add_argument("--case", type=int, action="append", metavar="K",
                    help=f"run only case K (1-{len(CASES)}, in the table's order); may be repeated")
    ap.add_argument("--no-avx512", action="store_true",
                    help="as on a CPU without AVX-512: numpy's AVX-512 loops off (NPY_DISABLE_CPU_FEATURES) "
                         "and OpenBLAS's Haswell (AVX2) kernel unless --coretype says otherwise; this run only")
    argv = sys.argv[1:] if argv is None else list(argv)
    args = ap.parse_args(argv)
    if args.no_avx512 and not args.coretype:
        args.coretype = "Haswell"
    if not os.environ.get("BPKIT_SPEED_CHILD") and (args.coretype or args.no_avx512):
        return run_child(argv + (["--coretype", args.coretype] if "--coretype" not in argv else []),
                         args.coretype, args.no_avx512)
    rounds = args.rounds if args.rounds is not None else (QUICK_ROUNDS if args.quick else 30)
    if rounds < 1:
        ap.error("--rounds must be >= 1")
    if args.quick and args.threads is None:
        args.threads = 1      # a threaded BLAS on a loaded machine can stall for seconds
    if args.threads is not None:
        if args.threads < 1:
            ap.error("--threads must be >= 1")
        from threadpoolctl import threadpool_limits
        limiter = threadpool_limits(args.threads, user_api="blas")  # noqa: F841 (held to the end)

    _, threads = blas_info()
    torch_skip = None
    try:
        import torch
    except ImportError:
        torch, torch_skip = None, "torch not installed: skipped"
    except Exception as e:  # an install that is there but does not load
        torch, torch_skip = None, f"torch does not import ({type(e).__name__}: {e}): skipped"
    if torch is not None and threads:
        torch.set_num_threads(int(threads))
    header(threads, torch)
    print(f"rounds {rounds} (interleaved, order rotated each round; median per contender)")
    if args.quick:
        print(f"QUICK smoke run: m capped at {QUICK_M}, {rounds} rounds, no warm-up, "
              f"{args.threads} BLAS thread(s): "
              "the numbers below are not the benchmark")
    if torch is None:
        print(torch_skip)

    if args.case and not all(1 <= k <= len(CASES) for k in args.case):
        ap.error(f"--case must be between 1 and {len(CASES)}")
    cases = [c for k, c in enumerate(CASES, start=1) if not args.case or k in args.case]
    rows, memories = [], []
    sklearn_skip = None
    for label, sizes, m, goal in cases:
        if args.quick:
            m = min(m, QUICK_M)
        net, X, Y = make_case(sizes, m)
        g = bpkit.gradient(net, X, Y, lam=LAM)
        contenders = {
            "bpkit": lambda net=net, X=X, Y=Y: bpkit.gradient(net, X, Y, lam=LAM),
            "floor": floor_contender(net, m),
            "floor+σ": transcendental_contender(net, m),
        }
        if sklearn_skip is None:
            try:
                run = sklearn_contender(net, X, Y, LAM)
                loss, cg, ig = run()
                verify("sklearn _backprop", g, loss, cg, ig)
                contenders["sklearn"] = run
            except Skip as e:
                sklearn_skip = str(e)
                print(f"sklearn skipped: {sklearn_skip}")
        if torch is not None:
            run, result = torch_contender(torch, net, X, Y, LAM)
            verify("torch autograd", g, *result())
            contenders["torch"] = run
        times = interleaved(contenders, rounds, warmup=0 if args.quick else 1)
        med = {n: statistics.median(t) for n, t in times.items()}
        rows.append((label, m, goal, med, times))
        memories.append((label, m, *memory(net, X, Y)))

    checked = [n for n, on in (("sklearn _backprop", sklearn_skip is None), ("torch autograd", torch is not None)) if on]
    if checked:
        print(f"checked: {' and '.join(checked)} {'give' if len(checked) > 1 else 'gives'} bpkit's E "
              "and gradient (relative error <= 1e-9) on every case")
    print()
    head = (f"{'case':<15} {'m':>6} {'bpkit ms':>9} {'floor ms':>9} {'bpkit/floor':>11} "
            f"{'sklearn ms':>10} {'bpkit/sklearn':>13} {'torch ms':>9} {'bpkit/torch':>11}")
    print(head)
    print("-" * len(head))
    for label, m, goal, med, _ in rows:
        b, f, s, t = med["bpkit"], med["floor"], med.get("sklearn"), med.get("torch")
        print(f"{label:<15} {m:>6} {fmt_ms(b):>9} {fmt_ms(f):>9} {fmt_ratio(b / f):>11} "
              f"{fmt_ms(s):>10} {fmt_ratio(None if s is None else b / s):>13} "
              f"{fmt_ms(t):>9} {fmt_ratio(None if t is None else b / t):>11}")
    print()
    print("what the arithmetic costs: the floor plus the transcendental functions the formulas need (σ^l = "
          "logistic(sum^l) per neuron per example, computed as bpkit does on this CPU; exp and log1p per output)")
    for label, m, goal, med, _ in rows:
        b, fe = med["bpkit"], med["floor+σ"]
        print(f"  {label:<15} {m:>6}  floor+σ {fmt_ms(fe):>8} ms  bpkit/(floor+σ) {fmt_ratio(b / fe):>5}  "
              f"(floor+σ)/floor {fmt_ratio(fe / med['floor']):>5}")
    print()
    print("spread over the rounds, ms: min [25th-75th percentile]  (a wide spread means a loaded machine)")
    for label, m, goal, med, times in rows:
        parts = []
        for n, t in times.items():
            q = statistics.quantiles(t, n=4) if len(t) >= 2 else [t[0], t[0], t[0]]
            parts.append(f"{n} {fmt_ms(min(t))} [{fmt_ms(q[0])}-{fmt_ms(q[2])}]")
        print(f"  {label:<15} {m:>6}  " + "  ".join(parts))
    print()
    print("memory of one gradient call (tracemalloc peak of a first call, and of a call in a loop; the workspace's"
          " arrays kept between calls; the record = every sum^l and σ^l, σ^0 = X included)")
    for label, m, peak, looped, kept, record, x in memories:
        print(f"  {label:<15} {m:>6}  peak {peak / 1e6:8.2f} MB  in a loop {looped / 1e6:7.2f} MB  kept "
              f"{kept / 1e6:7.2f} MB  record {record / 1e6:8.2f} MB  peak/record {peak / record:4.2f}  "
              f"(record without X: {(record - x) / 1e6:.2f} MB, peak/that {peak / max(record - x, 1):4.2f})")
    print()
    print("goals")
    met_all = True
    for label, m, goal, med, _ in rows:
        r = med["bpkit"] / med["floor"]
        ok = r <= goal
        met_all &= ok
        print(f"  {label:<15} {m:>6}  bpkit/floor {r:5.2f} <= {goal:<4}  {'met' if ok else 'not met'}")
    for label, m, goal, med, _ in rows:
        if "sklearn" not in med:
            print(f"  {label:<15} {m:>6}  faster than sklearn: skipped ({sklearn_skip})")
            continue
        r = med["bpkit"] / med["sklearn"]
        ok = r < 1.0
        met_all &= ok
        print(f"  {label:<15} {m:>6}  bpkit/sklearn {r:5.2f} < 1     {'met' if ok else 'not met'}")
    for label, m, peak, _, _, record, _ in memories:
        ok = peak <= MEMORY_GOAL * record
        met_all &= ok
        print(f"  {label:<15} {m:>6}  peak/record   {peak / record:5.2f} <= {MEMORY_GOAL}  {'met' if ok else 'not met'}")
    print(f"all goals: {'met' if met_all else 'not met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

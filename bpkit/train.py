"""Training: gradient descent (batch or minibatch) and scipy's L-BFGS, on E(w).

Every method minimizes the same objective, :func:`bpkit.objective`, with the gradient of
:func:`bpkit.gradient`. A ``callback(epoch, net, E)`` is called after every epoch (or
L-BFGS iteration); ``progress=True`` shows a progress bar (tqdm, a widget in notebooks).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .backprop import gradient
from .network import Network, check_lam, check_XY
from .objective import objective

METHODS = ("gd", "minibatch", "lbfgs")


@dataclass
class History:
    """What happened during training: E(w) after every epoch / iteration, and accuracies if asked.

    ``nfev`` counts the evaluations of E(w) and its gradient over all m examples that the method made
    (passes over the data, not counting the recording of ``E``): scipy's ``nfev`` for L-BFGS, whose
    iterations each need one or more (a line search may try several steps), and one per epoch for
    "gd" and "minibatch" (an epoch's batches cover the m examples once).
    """

    method: str
    E: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    test_accuracy: list = field(default_factory=list)
    nfev: int = 0


def accuracy(net: Network, X, Y) -> float:
    """The fraction of examples whose largest σ^L_k is at the target's class (one-hot Y),
    or, for one output neuron, whose σ^L_0 > 1/2 matches y_0."""
    X, Y = check_XY(net, X, Y)
    P = net.predict_proba(X)
    if Y.shape[1] == 1:
        return float(np.mean((P[:, 0] > 0.5) == (Y[:, 0] > 0.5)))
    return float(np.mean(np.argmax(P, axis=1) == np.argmax(Y, axis=1)))


def train(net: Network, X, Y, lam: float = 0.0, method: str = "lbfgs", epochs: int = 100,
          learning_rate: float = 0.5, batch_size: int = 32, regularize_bias: bool = False,
          seed=None, callback=None, progress: bool = False, test=None) -> History:
    """Minimize E(w) in place on ``net``; returns the :class:`History`.

    Args:
        method: "gd" (full-batch gradient descent), "minibatch" (shuffled minibatches of
            ``batch_size`` each epoch) or "lbfgs" (scipy.optimize, ``epochs`` iterations).
            Every method minimizes the same E(w) over all m examples: a minibatch step uses
            its batch's cross-entropy gradient plus the full penalty gradient (λ/m)·w^l_ij.
        learning_rate: the step η of w <- w - η ∂E/∂w (gradient descent only).
        test: optional (X_test, Y_test), whose accuracy is recorded every epoch.
        callback: called as ``callback(epoch, net, E)``; return True to stop early.
    """
    X, Y = check_XY(net, X, Y)
    lam = check_lam(lam)
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: choose one of {', '.join(METHODS)}")
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if method != "lbfgs" and not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"the learning rate η must be > 0, got {learning_rate}")
    if method == "minibatch" and (not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    history = History(method)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=epochs, desc=f"training ({method})", unit="epoch" if method != "lbfgs" else "it")

    def record(epoch: int, E: float) -> bool:
        history.E.append(E)
        if test is not None:
            history.train_accuracy.append(accuracy(net, X, Y))
            history.test_accuracy.append(accuracy(net, *test))
        if bar is not None:
            bar.update(1)
            bar.set_postfix(E=f"{E:.4f}")
        return bool(callback(epoch, net, E)) if callback is not None else False

    try:
        if method == "lbfgs":
            history.nfev = _lbfgs(net, X, Y, lam, regularize_bias, epochs, record)
        else:
            rng = np.random.default_rng(seed)
            m = X.shape[0]
            for epoch in range(epochs):
                if method == "gd":
                    batches = [np.arange(m)]
                else:
                    order = rng.permutation(m)
                    batches = [order[k:k + batch_size] for k in range(0, m, batch_size)]
                for idx in batches:
                    # A batch of b examples estimates the gradient of the full E(w): its cross-entropy
                    # part averages over the b examples, and the penalty's gradient must stay (λ/m)·w,
                    # so the batch is given λ·b/m (its own penalty would be λ/2b Σ w², m/b times too strong).
                    g = gradient(net, X[idx], Y[idx], lam * len(idx) / m, regularize_bias)
                    for l in net.W.layers():
                        net.W[l] -= learning_rate * g.W[l]
                        if net.b is not None:
                            net.b[l] -= learning_rate * g.b[l]
                history.nfev += 1
                if record(epoch, objective(net, X, Y, lam, regularize_bias)):
                    break
    finally:
        if bar is not None:
            bar.close()
    return history


def _lbfgs(net, X, Y, lam, regularize_bias, iterations, record) -> int:
    """Run scipy's L-BFGS on E(w); returns the number of evaluations of E and ∇E it made."""
    from scipy.optimize import minimize

    state = {"epoch": 0, "stop": False, "nfev": 0}

    def fun(theta):
        state["nfev"] += 1
        net.set_flat(theta)
        g = gradient(net, X, Y, lam, regularize_bias)
        return g.E, g.flat()

    def cb(theta):
        net.set_flat(theta)
        stop = record(state["epoch"], objective(net, X, Y, lam, regularize_bias))
        state["epoch"] += 1
        if stop:
            raise StopIteration

    try:
        result = minimize(fun, net.get_flat(), jac=True, method="L-BFGS-B", callback=cb,
                          options={"maxiter": iterations})
        net.set_flat(result.x)
        return int(result.nfev)
    except StopIteration:
        return state["nfev"]

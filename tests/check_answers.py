"""Answers (and a hint) shared by several lessons' check tests."""
import numpy as np

import bpkit

#: what every check's hint says after "you called <bpkit's function>: " (bpkit.course.checks.switch)
CHEAT = "this exercise asks you to compute it yourself"


def unanswered(*args):
    """An exercise as shipped, before the student answers it."""
    raise NotImplementedError()


def backprop_by_central_differences(net, X, Y, lam, h=1e-5, E=None):
    """Central differences of E (default bpkit.objective): within the check's tolerance of the gradient on
    ordinary cases, but not backprop."""
    E = E or bpkit.objective

    def diff(arrays):
        out = []
        for a in arrays:
            g = np.zeros_like(a)
            for idx in np.ndindex(*a.shape):
                old = a[idx]
                a[idx] = old + h
                plus = E(net, X, Y, lam)
                a[idx] = old - h
                minus = E(net, X, Y, lam)
                a[idx] = old
                g[idx] = (plus - minus) / (2 * h)
            out.append(g)
        return out
    return diff(list(net.W)), (None if net.b is None else diff(list(net.b)))


def own_objective(net, X, Y, lam):
    """E(w) written out by hand (no bpkit function): cross-entropy over the outputs plus λ/2m Σ w²."""
    sigma = X
    for l in range(1, net.L + 1):
        s = sigma @ net.W[l] + (net.b[l] if net.b is not None else 0.0)
        g = net.activation(l).name
        sigma = (1 / (1 + np.exp(-s)) if g == "sigmoid" else np.tanh(s) if g == "tanh" else np.maximum(s, 0))
    m = X.shape[0]
    eps = 1e-300
    data = -np.sum(Y * np.log(sigma + eps) + (1 - Y) * np.log(1 - sigma + eps)) / m
    return data + lam / (2 * m) * sum(np.sum(w ** 2) for w in net.W)


def backprop_by_own_central_differences(net, X, Y, lam, h=1e-5):
    """Central differences of the student's own E (nothing of bpkit's is called): what a cheat would write."""
    return backprop_by_central_differences(net, X, Y, lam, h, E=own_objective)

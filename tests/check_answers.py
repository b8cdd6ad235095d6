"""Answers shared by several lessons' check tests."""
import numpy as np

import bpkit


def backprop_by_central_differences(net, X, Y, lam, h=1e-5):
    """Central differences of bpkit.objective: within the check's tolerance of the gradient, but not backprop."""
    def diff(arrays):
        out = []
        for a in arrays:
            g = np.zeros_like(a)
            for idx in np.ndindex(*a.shape):
                old = a[idx]
                a[idx] = old + h
                plus = bpkit.objective(net, X, Y, lam)
                a[idx] = old - h
                minus = bpkit.objective(net, X, Y, lam)
                a[idx] = old
                g[idx] = (plus - minus) / (2 * h)
            out.append(g)
        return out
    return diff(list(net.W)), (None if net.b is None else diff(list(net.b)))


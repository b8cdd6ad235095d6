"""Data sets for the course; nothing is downloaded.

* :func:`digits`: scikit-learn's 8x8 handwritten digits (shipped inside scikit-learn),
  inputs scaled to [0, 1], one-hot targets, a stratified 75/25 split.
* :func:`moons`, :func:`xor`: small 2-D sets for the widgets.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def one_hot(labels, n_classes: int | None = None) -> np.ndarray:
    """Targets Y of shape (m, n_L): Y[e, k] = 1 if example e has label k, else 0."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be a 1-D array of class numbers, got shape {labels.shape}")
    if labels.size and (labels.min() < 0 or not np.issubdtype(labels.dtype, np.integer)):
        raise ValueError("labels must be integers 0, 1, 2, ...")
    n = int(labels.max()) + 1 if n_classes is None else int(n_classes)
    if labels.size and labels.max() >= n:
        raise ValueError(f"label {labels.max()} does not fit in {n} classes")
    Y = np.zeros((labels.size, n))
    Y[np.arange(labels.size), labels] = 1.0
    return Y


@dataclass
class Split:
    """A train/test split: inputs X (m, n_0), one-hot Y (m, n_L), and integer labels."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    labels_train: np.ndarray
    labels_test: np.ndarray


def digits(test_size: float = 0.25, seed: int = 0) -> Split:
    """scikit-learn's digits (1797 images of 8x8 = 64 pixels, 10 classes).

    Pixels (0..16) are divided by 16 to lie in [0, 1]; the split is stratified.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    data = load_digits()
    X = data.data / 16.0
    y = data.target
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=test_size, stratify=y, random_state=seed)
    return Split(Xtr, one_hot(ytr, 10), Xte, one_hot(yte, 10), ytr, yte)


def moons(m: int = 200, noise: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half-moons in 2-D: X (m, 2), Y (m, 1) with 0/1 targets."""
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=m, noise=noise, random_state=seed)
    return X, y.reshape(-1, 1).astype(float)


def xor(m: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Four noisy clusters at the corners of the unit square, labelled by XOR: X (m, 2), Y (m, 1)."""
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(m, 2))
    X = corners + noise * rng.standard_normal((m, 2))
    y = (corners[:, 0] ^ corners[:, 1]).astype(float)
    return X, y.reshape(-1, 1)

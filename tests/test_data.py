"""Are the course's data sets what the lessons say they are?"""
import numpy as np
import pytest

from bpkit import data


def test_one_hot():
    """Does one_hot put a single 1 in column k for label k?"""
    Y = data.one_hot(np.array([2, 0, 1]), 4)
    assert Y.tolist() == [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]
    with pytest.raises(ValueError, match="label 4 does not fit in 4 classes"):
        data.one_hot(np.array([4]), 4)
    with pytest.raises(ValueError, match="integers"):
        data.one_hot(np.array([0.5]))


def test_digits_split():
    """Is digits a stratified 75/25 split of 1797 images, scaled to [0, 1], one-hot targets?"""
    d = data.digits()
    assert d.X_train.shape == (1347, 64) and d.X_test.shape == (450, 64)
    assert d.X_train.min() == 0 and d.X_train.max() == 1
    assert d.Y_train.shape == (1347, 10) and np.all(d.Y_train.sum(axis=1) == 1)
    assert np.array_equal(d.Y_test.argmax(axis=1), d.labels_test)
    # stratified: every class is ~25 % test
    counts = np.bincount(d.labels_test, minlength=10) / (np.bincount(d.labels_train, minlength=10) + np.bincount(d.labels_test, minlength=10))
    assert np.all(np.abs(counts - 0.25) < 0.02)


def test_small_2d_sets():
    """Are moons and xor 2-D inputs with (m, 1) 0/1 targets, reproducible by seed?"""
    for make in (data.moons, data.xor):
        X, Y = make(m=50, seed=1)
        assert X.shape == (50, 2) and Y.shape == (50, 1)
        assert set(np.unique(Y)) == {0.0, 1.0}
        X2, _ = make(m=50, seed=1)
        assert np.array_equal(X, X2)

"""Does the per-layer container index layers exactly as the notes do?"""
import numpy as np
import pytest

import bpkit
from bpkit.notation import Layers


def test_W_is_indexed_from_1_to_L_with_fan_in_by_fan_out_shapes():
    """Is net.W[l] of shape (n_{l-1}, n_l) for l = 1..L, and W[-1] the output layer's?"""
    net = bpkit.Network((4, 3, 2), seed=0)
    assert net.L == 2
    assert net.W[1].shape == (4, 3)
    assert net.W[2].shape == (3, 2)
    assert net.W[-1] is net.W[2]
    assert list(net.W.layers()) == [1, 2]


def test_W0_says_layer_0_is_the_input():
    """Does W[0] explain that layer 0 is the input and has no incoming weights?"""
    net = bpkit.Network((4, 3, 2), seed=0)
    with pytest.raises(IndexError, match="layer 0 is the input layer and has no incoming weights"):
        net.W[0]
    with pytest.raises(IndexError, match="w\\^3 does not exist"):
        net.W[3]


def test_assigning_a_layer_checks_its_shape():
    """Does W[l] = array refuse an array of the wrong shape, naming w^l?"""
    net = bpkit.Network((4, 3, 2), seed=0)
    with pytest.raises(ValueError, match=r"w\^2 must have shape \(3, 2\), got \(2, 3\)"):
        net.W[2] = np.zeros((2, 3))
    net.W[2] = np.ones((3, 2))
    assert np.all(net.W[2] == 1)


def test_layer_index_must_be_an_integer():
    """Does a non-integer layer index raise a TypeError rather than slicing silently?"""
    layers = Layers([np.zeros(2)], first=1)
    with pytest.raises(TypeError, match="layer index"):
        layers[1.0]


def test_copy_is_deep():
    """Does Layers.copy() copy the arrays, not share them?"""
    layers = Layers([np.zeros(2), np.zeros(3)], first=1)
    other = layers.copy()
    other[1][0] = 5
    assert layers[1][0] == 0


def test_notation_table_is_in_the_package_docstring():
    """Is the notation table stated in the package docstring, with the same symbols as the notes?"""
    for symbol in ("σ^l_i", "sum^l_i", "w^l_ij", "W[l][i, j]", "layer 0 is the input"):
        assert symbol in bpkit.__doc__ + bpkit.NOTATION

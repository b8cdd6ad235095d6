"""Hypothesis strategies for random networks and batches (as minitorch's tests/strategies.py)."""
from hypothesis import strategies as st

from catalogue import make_case


@st.composite
def networks(draw, max_layers=4, max_width=4, activations=("sigmoid", "tanh", "relu")):
    """(net, X, Y, lam, regularize_bias): random depth, widths, activation, biases, m and λ."""
    sizes = tuple(draw(st.lists(st.integers(1, max_width), min_size=2, max_size=max_layers)))
    hidden = draw(st.sampled_from(activations))
    bias = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    m = draw(st.integers(1, 4))
    lam = draw(st.sampled_from([0.0, 0.1, 1.0, 3.0]))
    rb = bias and draw(st.booleans())
    net, X, Y = make_case(sizes, hidden, bias, seed, m, bias_scale=0.3, data_seed=seed)
    return net, X, Y, lam, rb

r"""bpkit: backpropagation in the notation of the course's notes.

Notation (zero-indexed; the same in the notes, the lessons and the code)
-----------------------------------------------------------------------

=====================  =================================================================
symbol                 meaning                                         in code
=====================  =================================================================
l = 0, 1, ..., L       layer l; 0 is the input, L the output           ``net.L``
n_l                    the number of neurons of layer l                ``net.n(l)``
σ^l_i                  neuron i of layer l; σ^0_i is input i           ``rec.sigma(l, i)``
sum^l_i                the input of σ^l_i: Σ_t w^l_ti σ^{l-1}_t        ``rec.sum_(l, i)``
w^l_ij                 weight from neuron i of layer l-1 to j of l     ``net.W[l][i, j]``
b^l_j                  bias of neuron j of layer l (not in the notes)  ``net.b[l][j]``
E(w)                   cross-entropy + λ/2m Σ_l Σ_i Σ_j (w^l_ij)²      ``bpkit.objective``
∂E/∂w^l_ij             ∂E/∂σ^l_j · ∂σ^l_j/∂sum^l_j · σ^{l-1}_i         ``bpkit.gradient(...).W[l]``
=====================  =================================================================

``net.W[l]`` has shape (n_{l-1}, n_l) (fan-in x fan-out); ``net.W[0]`` raises an
IndexError: layer 0 is the input and has no incoming weights. ``rec = net.forward(X)``
for a batch X of shape (m, n_0); targets Y have shape (m, n_L) with entries in [0, 1].

Flow of one number: weights (:class:`Network`) -> forward record (:meth:`Network.forward`)
-> E (:func:`objective`) -> gradient (:func:`gradient`, :func:`bpkit.scalar.gradient`,
:func:`bpkit.naive.gradient`, :func:`numerical_gradient`) -> checks, widgets, plots.
"""
from . import activations, data, depth, example, factors, graph, initialization, landscape, naive, scalar, softmax
from .backprop import backward, gradient, output_gradient
from .gradcheck import GradientCheck, gradient_check, numerical_gradient, relative_error
from .network import Forward, Network
from .notation import NOTATION, Gradient, Layers
from .objective import CrossEntropy, cross_entropy, objective, penalty, penalty_gradient
from .train import History, accuracy, train

__version__ = "0.1.0"

__all__ = [
    "Network", "Forward", "Layers", "Gradient", "NOTATION",
    "objective", "cross_entropy", "penalty", "penalty_gradient", "CrossEntropy",
    "gradient", "backward", "output_gradient", "numerical_gradient", "gradient_check",
    "relative_error", "GradientCheck", "train", "accuracy", "History",
    "activations", "data", "depth", "example", "factors", "graph", "initialization", "landscape", "naive",
    "scalar", "softmax",
]

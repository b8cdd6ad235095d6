r"""Plots for lesson 07 (vectorized backprop and training on the digits), and their helpers.

* :func:`plot_digits`: a row of input images σ^0 (8x8 pixels, 64 inputs).
* :func:`plot_hidden_weights`: every hidden neuron's incoming weights w^1_{·j} (column j
  of ``net.W[1]``, 64 numbers) drawn as an 8x8 image, on one colour scale.
* :func:`plot_learning_curves`: E(w) and the train/test accuracy after every iteration.
* :func:`plot_segment`: E(w) on the straight line between two trained weight vectors.

Helpers the lesson and its widgets share (presentation and small analyses, not maths
the core needs): :func:`hidden_images`, :func:`mosaic`, :func:`to_png` (an image
rendered straight to PNG bytes, no figure: fast enough for a slider),
:func:`class_response` (mean σ^1_j per digit class), :func:`weight_distance`,
:func:`align_hidden` (undo the permutation symmetry of the hidden neurons) and
:func:`segment_objective`.
"""
from __future__ import annotations

import io

import numpy as np

from bpkit.landscape import segment_E

#: the digits are 8x8 images: input neuron i = 8 * row + column
IMAGE_SHAPE = (8, 8)
#: colour map of weights: blue positive, red negative, white 0 (as the diagrams of bpkit.show.plots.diagram)
WEIGHT_CMAP = "RdBu"
#: colour map of pixels (inputs σ^0_i in [0, 1]): white 0, black 1
PIXEL_CMAP = "gray_r"

__all__ = [
    "IMAGE_SHAPE", "hidden_images", "mosaic", "to_png", "class_response", "segment_objective", "plot_digits", "plot_hidden_weights",
    "plot_learning_curves", "plot_segment",
]


# ----------------------------------------------------------------------------- helpers
def _check_image_input(net) -> None:
    n0 = net.sizes[0]
    if n0 != IMAGE_SHAPE[0] * IMAGE_SHAPE[1]:
        raise ValueError(f"layer 0 has n_0 = {n0} neurons; drawing w^1_(.j) as an 8x8 image needs n_0 = 64")


def hidden_images(net) -> np.ndarray:
    """w^1_{·j} reshaped to 8x8 for every hidden neuron j: shape (n_1, 8, 8).

    Pixel (r, c) of image j is w^1_ij with i = 8 r + c: the weight from input pixel i to σ^1_j.
    """
    _check_image_input(net)
    W1 = np.asarray(net.W[1])
    return W1.T.reshape(W1.shape[1], *IMAGE_SHAPE)


def mosaic(images, columns: int, pad: int = 1, fill: float = np.nan) -> np.ndarray:
    """Tile images of equal shape (k, h, w) into one 2-D array, ``columns`` per row.

    Tiles are separated by ``pad`` pixels of ``fill`` (NaN: drawn as the background).
    """
    images = np.asarray(images, dtype=float)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (k, h, w), got {images.shape}")
    if columns < 1:
        raise ValueError(f"columns must be >= 1, got {columns}")
    k, h, w = images.shape
    columns = min(columns, max(k, 1))
    rows = -(-k // columns)
    out = np.full((rows * (h + pad) + pad, columns * (w + pad) + pad), fill)
    for n, image in enumerate(images):
        r, c = divmod(n, columns)
        top, left = pad + r * (h + pad), pad + c * (w + pad)
        out[top:top + h, left:left + w] = image
    return out


def to_png(array, vmin: float, vmax: float, cmap: str = WEIGHT_CMAP, scale: int = 8,
           background=(0.93, 0.93, 0.93)) -> bytes:
    """A 2-D array as PNG bytes: colour-mapped on [vmin, vmax], each value a scale x scale block.

    NaN entries are drawn in ``background``. No figure is made, so this takes milliseconds:
    the lesson-07 widgets call it on every slider move.
    """
    import matplotlib
    from PIL import Image

    array = np.asarray(array, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D array, got shape {array.shape}")
    span = vmax - vmin if vmax > vmin else 1.0
    scaled = np.clip((array - vmin) / span, 0.0, 1.0)
    rgba = matplotlib.colormaps[cmap](np.nan_to_num(scaled, nan=0.0))
    rgba[np.isnan(array), :3] = background
    rgba[..., 3] = 1.0
    pixels = (rgba[..., :3] * 255 + 0.5).astype(np.uint8)
    pixels = np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def class_response(net, X, labels, n_classes: int = 10) -> np.ndarray:
    """The mean of σ^1_j over the examples of each class: array (n_1, n_classes).

    Entry [j, k] is the average activation of hidden neuron j on the digits labelled k,
    from ``net.forward(X).sigmas[1]``: what neuron j responds to.
    """
    labels = np.asarray(labels)
    sigma_1 = net.forward(X).sigmas[1]
    out = np.zeros((sigma_1.shape[1], n_classes))
    for k in range(n_classes):
        rows = labels == k
        if rows.any():
            out[:, k] = sigma_1[rows].mean(axis=0)
    return out


def segment_objective(a, b, X, Y, lam: float, steps: int = 21):
    """E(w) at θ(t) = (1 - t) θ_a + t θ_b for ``steps`` values of t in [0, 1]: :func:`bpkit.landscape.segment_E`.

    Returns ``(t, E)``. For a convex E every E(θ(t)) would be ≤ max(E(θ_a), E(θ_b)).
    """
    return segment_E(a, b, X, Y, lam, np.linspace(0.0, 1.0, steps))


# ----------------------------------------------------------------------------- plots
def plot_digits(X, labels, count: int = 10, title: str = "Inputs $\\sigma^0$: 8x8 images, 64 pixels"):
    """The first ``count`` images of X, each titled with its label."""
    import matplotlib.pyplot as plt

    X = np.asarray(X, dtype=float)
    count = min(count, X.shape[0])
    fig, axes = plt.subplots(1, count, figsize=(1.1 * count, 1.6), squeeze=False)
    for k, ax in enumerate(axes[0]):
        ax.imshow(X[k].reshape(IMAGE_SHAPE), cmap=PIXEL_CMAP, vmin=0.0, vmax=1.0)
        ax.set_title(f"label {labels[k]}", fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    return fig


def plot_hidden_weights(net, columns: int = 5,
                        title: str = "Hidden neuron $j$'s 64 weights $w^1_{\\cdot j}$ as an 8x8 image"):
    """Column j of W^1 (the weights into σ^1_j) as an 8x8 image, for every hidden neuron j.

    One symmetric colour scale for all neurons (blue > 0, red < 0), with a colour bar.
    """
    import matplotlib.pyplot as plt

    images = hidden_images(net)
    n1 = images.shape[0]
    columns = min(columns, n1)
    rows = -(-n1 // columns)
    vmax = float(np.max(np.abs(images))) or 1.0
    fig, axes = plt.subplots(rows, columns, figsize=(1.5 * columns + 1.0, 1.5 * rows + 0.6), squeeze=False)
    shown = None
    for k, ax in enumerate(axes.ravel()):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= n1:
            ax.axis("off")
            continue
        shown = ax.imshow(images[k], cmap=WEIGHT_CMAP, vmin=-vmax, vmax=vmax)
        ax.set_title(f"$j = {k}$", fontsize=10)
    fig.suptitle(title, fontsize=12)
    fig.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.8, label="$w^1_{ij}$")
    return fig


def plot_learning_curves(histories: dict, title: str = "Training on the digits",
                         xlabel: str = "iteration"):
    """E(w) (left) and train/test accuracy (right) after every iteration, one line style per run.

    ``histories`` maps a name to a :class:`bpkit.History` (or anything with ``E``,
    ``train_accuracy`` and ``test_accuracy`` lists).
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    fig, (ax_E, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    for k, (name, h) in enumerate(histories.items()):
        color = f"C{k}"
        x = np.arange(1, len(h.E) + 1)
        ax_E.plot(x, h.E, color=color, label=name)
        if len(h.train_accuracy):
            ax_acc.plot(x, h.train_accuracy, color=color, linestyle="--", label=f"{name}: train")
        if len(h.test_accuracy):
            ax_acc.plot(x, h.test_accuracy, color=color, label=f"{name}: test")
    ax_E.set(xlabel=xlabel, ylabel="$E(w)$", title="objective $E(w)$ (training set)")
    ax_E.set_yscale("log")
    ax_E.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax_E.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax_E.yaxis.set_minor_formatter(NullFormatter())
    ax_acc.set(xlabel=xlabel, ylabel="accuracy", title="accuracy (fraction correct)", ylim=(0.0, 1.02))
    for ax in (ax_E, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9)
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    return fig


def plot_segment(t, curves: dict, title: str = "$E(w)$ on the straight line between two minima"):
    """E(θ(t)) against t for each named curve, with the chord a convex E would stay under."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for k, (name, E) in enumerate(curves.items()):
        ax.plot(t, E, marker="o", markersize=3, color=f"C{k}", label=name)
        ax.plot([t[0], t[-1]], [E[0], E[-1]], linestyle=":", color=f"C{k}")
    ax.set(xlabel="$t$ in $\\theta(t) = (1-t)\\,\\theta_a + t\\,\\theta_b$", ylabel="$E(\\theta(t))$", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig

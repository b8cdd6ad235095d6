r"""Widgets for lesson 07: watching a 64-25-10 network learn the digits.

* :func:`training_explorer`: a slider over the L-BFGS iterations of a short training run;
  shows every hidden neuron's weights w^1_{·j} as 8x8 images, and E(w) and the train/test
  accuracy at that iteration.
* :func:`hidden_neuron_explorer`: a slider over the hidden neurons j; shows w^1_{·j} as an
  image, the mean σ^1_j on each digit class, and the test digits that excite σ^1_j most.

Everything a slider shows is precomputed when the widget is built (one short training run,
:func:`training_snapshots`, about a second); a slider move only picks a precomputed array,
tiles it and encodes a small PNG (:func:`bpkit.plots.training.to_png`): a few milliseconds.
The numbers shown come from :func:`bpkit.train` (its History holds E, computed by
:func:`bpkit.objective`, and the accuracies, by :func:`bpkit.accuracy`) and from
:func:`bpkit.plots.training.class_response`; lesson 07 prints the same numbers in checked cells.
Widgets never print.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

import bpkit
from bpkit.plots import training as tplots

__all__ = ["training_explorer", "hidden_neuron_explorer"]


@dataclass(frozen=True)
class Snapshots:
    """A short training run on the digits, recorded after every L-BFGS iteration.

    ``W1[k]`` is W^1 after k iterations (``W1[0]``: the random initialization); ``E[k]``,
    ``train_accuracy[k]`` and ``test_accuracy[k]`` likewise. ``net`` is the network after
    the last iteration and ``split`` the :func:`bpkit.data.digits` split it was trained on.
    Treat it as read-only: :func:`training_snapshots` caches it.
    """

    W1: tuple
    E: tuple
    train_accuracy: tuple
    test_accuracy: tuple
    net: object
    split: object
    lam: float
    seed: int

    @property
    def iterations(self) -> int:
        return len(self.W1) - 1


@functools.lru_cache(maxsize=4)
def training_snapshots(iterations: int = 60, seed: int = 0, hidden: int = 25, lam: float = 1.0) -> Snapshots:
    """Train a 64-``hidden``-10 sigmoid network on the digits with L-BFGS and record every iteration.

    Entry 0 is the initialization: E from :func:`bpkit.objective`, accuracies from
    :func:`bpkit.accuracy`; entries 1.. are :func:`bpkit.train`'s History. Kept in memory
    (never on disk) for the session.
    """
    from threadpoolctl import threadpool_limits

    split = bpkit.data.digits()
    X, Y, test = split.X_train, split.Y_train, (split.X_test, split.Y_test)
    net = bpkit.Network([X.shape[1], hidden, Y.shape[1]], hidden="sigmoid", seed=seed)
    W1 = [net.W[1].copy()]

    def keep(epoch, net, E):
        W1.append(net.W[1].copy())

    # Small matrices: one BLAS thread is faster than several fighting over a shared machine.
    with threadpool_limits(limits=1):
        E0 = bpkit.objective(net, X, Y, lam)
        acc0 = (bpkit.accuracy(net, X, Y), bpkit.accuracy(net, *test))
        history = bpkit.train(net, X, Y, lam=lam, method="lbfgs", epochs=iterations, callback=keep, test=test)
    return Snapshots(
        W1=tuple(W1),
        E=(E0, *history.E),
        train_accuracy=(acc0[0], *history.train_accuracy),
        test_accuracy=(acc0[1], *history.test_accuracy),
        net=net, split=split, lam=lam, seed=seed,
    )


def _weights_png(W1, scale: int = 7) -> tuple[bytes, float]:
    """Every column of W1 as an 8x8 tile of one mosaic, on a symmetric scale ±max|w|."""
    images = W1.T.reshape(W1.shape[1], *tplots.IMAGE_SHAPE)
    vmax = float(np.max(np.abs(images))) or 1.0
    columns = int(np.ceil(np.sqrt(images.shape[0])))
    return tplots.to_png(tplots.mosaic(images, columns), -vmax, vmax, scale=scale), vmax


def training_explorer(iterations: int = 60, seed: int = 0):
    """A slider over the iterations k = 0..``iterations`` of a short L-BFGS run on the digits.

    Shows the 25 hidden neurons' weights w^1_{·j} as 8x8 images after k iterations (colour
    scale ±max|w^1_ij| at that iteration, red > 0, blue < 0) and E(w), the train accuracy
    and the test accuracy after k iterations.
    """
    import ipywidgets as widgets

    snap = training_snapshots(iterations, seed)
    slider = widgets.IntSlider(value=0, min=0, max=snap.iterations, step=1, description="iteration k",
                               continuous_update=True, style={"description_width": "initial"},
                               layout=widgets.Layout(width="420px"))
    image = widgets.Image(format="png")
    text = widgets.HTML()

    def show(k: int) -> None:
        png, vmax = _weights_png(snap.W1[k])
        image.value = png
        text.value = (
            f"<b>after {k} L-BFGS iteration{'s' if k != 1 else ''}</b> (λ = {snap.lam:g}, seed {snap.seed})<br>"
            f"E(w) = {snap.E[k]:.4f}<br>"
            f"train accuracy = {snap.train_accuracy[k]:.4f}<br>"
            f"test accuracy = {snap.test_accuracy[k]:.4f}<br>"
            f"colour scale: ±{vmax:.2f} (red w<sup>1</sup><sub>ij</sub> &gt; 0, blue &lt; 0)<br>"
            f"tile j (row by row) is column j of W<sup>1</sup>: w<sup>1</sup><sub>·j</sub>"
        )

    slider.observe(lambda change: show(change["new"]), names="value")
    show(slider.value)
    return widgets.VBox([slider, widgets.HBox([image, text])])


def _bars_html(response_j: np.ndarray) -> str:
    """Mean σ^1_j per digit class as an HTML table with bars (σ in [0, 1])."""
    rows = []
    best = int(np.argmax(response_j))
    for k, value in enumerate(response_j):
        width = int(round(160 * float(value)))
        weight = "bold" if k == best else "normal"
        rows.append(
            f"<tr><td style='font-weight:{weight}'>digit {k}</td>"
            f"<td style='font-family:monospace'>{value:.3f}</td>"
            f"<td><div style='background:#c44e52;height:10px;width:{width}px'></div></td></tr>"
        )
    return "<table style='border-collapse:collapse'>" + "".join(rows) + "</table>"


def hidden_neuron_explorer(net=None, split=None, top: int = 8):
    """A slider over hidden neuron j: its weights w^1_{·j} as an 8x8 image, and what it responds to.

    Shows the mean σ^1_j on the test digits of each class (:func:`~bpkit.plots.training.class_response`)
    and the ``top`` test digits with the largest σ^1_j. Without ``net`` it uses the network
    of :func:`training_snapshots` (and its split); pass the lesson's trained network to see that one.
    """
    import ipywidgets as widgets

    if net is None:
        snap = training_snapshots()
        net, split = snap.net, (split or snap.split)
    if split is None:
        split = bpkit.data.digits()
    X, labels = split.X_test, split.labels_test
    images = tplots.hidden_images(net)
    response = tplots.class_response(net, X, labels)           # (n_1, 10)
    sigma_1 = net.forward(X).sigmas[1]                          # (m, n_1)
    order = np.argsort(-sigma_1, axis=0, kind="stable")[:top]   # (top, n_1)
    vmax = float(np.max(np.abs(images))) or 1.0

    slider = widgets.IntSlider(value=0, min=0, max=images.shape[0] - 1, step=1, description="hidden neuron j",
                               continuous_update=True, style={"description_width": "initial"},
                               layout=widgets.Layout(width="420px"))
    weights = widgets.Image(format="png")
    bars = widgets.HTML()
    strongest = widgets.Image(format="png")
    caption = widgets.HTML()

    def show(j: int) -> None:
        weights.value = tplots.to_png(images[j], -vmax, vmax, scale=20)
        bars.value = (f"<b>mean σ<sup>1</sup><sub>{j}</sub> on the test digits of each class</b>"
                      + _bars_html(response[j]))
        rows = order[:, j]
        strongest.value = tplots.to_png(tplots.mosaic(X[rows].reshape(-1, *tplots.IMAGE_SHAPE), top),
                                        0.0, 1.0, cmap=tplots.PIXEL_CMAP, scale=6)
        caption.value = (
            f"left: w<sup>1</sup><sub>·{j}</sub> as an 8x8 image (±{vmax:.2f}, red &gt; 0, blue &lt; 0); "
            f"below: the {top} test digits with the largest σ<sup>1</sup><sub>{j}</sub> "
            f"(labels {', '.join(str(int(labels[r])) for r in rows)}; "
            f"σ<sup>1</sup><sub>{j}</sub> from {sigma_1[rows[0], j]:.3f} to {sigma_1[rows[-1], j]:.3f})"
        )

    slider.observe(lambda change: show(change["new"]), names="value")
    show(slider.value)
    return widgets.VBox([slider, widgets.HBox([weights, bars]), strongest, caption])

r"""Widgets for lesson 07: the equations as matrix products, and watching a 64-25-10 network learn the digits.

* :func:`matrix_products`: a slider for one weight w^l_ij (a dropdown chooses which) of the
  lesson's small 4-3-3-2 network; shows δ^L = (σ^L − Y)/m, δ^l, ∂E/∂W^l = (σ^{l-1})ᵀδ^l + (λ/m)W^l,
  ∂E/∂σ^{l-1} = δ^l (W^l)ᵀ and δ^{l-1} as small tables, all from :func:`bpkit.gradient`, and
  whether each agrees with the per-neuron :func:`bpkit.scalar.gradient`. A move recomputes both
  (well under a millisecond each) and rewrites one HTML widget.
* :func:`training_explorer`: a slider over the L-BFGS iterations of a short training run;
  shows every hidden neuron's weights w^1_{·j} as 8x8 images, and E(w) and the train/test
  accuracy at that iteration.
* :func:`hidden_neuron_explorer`: a slider over the hidden neurons j; shows w^1_{·j} as an
  image, the mean σ^1_j on each digit class, and the test digits that excite σ^1_j most.

For the two digits widgets, everything a slider shows is precomputed when the widget is built (one short training run,
:func:`training_snapshots`, about a second); a slider move only picks a precomputed array,
tiles it and encodes a small PNG (:func:`bpkit.show.plots.training.to_png`): a few milliseconds.
The numbers shown come from :func:`bpkit.train` (its History holds E, computed by
:func:`bpkit.objective`, and the accuracies, by :func:`bpkit.accuracy`) and from
:func:`bpkit.show.plots.training.class_response`; lesson 07 prints the same numbers in checked cells.
Widgets never print.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

import bpkit
from bpkit import labels
from bpkit.show.plots import training as tplots
from . import LessonWidget, follow_weight

__all__ = ["matrix_products", "training_explorer", "hidden_neuron_explorer"]


# ------------------------------------------------------------------------------ the matrix products
def small_problem():
    """Section 1's small problem: a 4-3-3-2 tanh network (seed 0), m = 5 examples, λ = 0.7.

    Returns ``(net, X, Y, lam)``, built exactly as the lesson's checked cell builds them.
    """
    net = bpkit.Network([4, 3, 3, 2], hidden="tanh", seed=0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 4))
    Y = bpkit.data.one_hot(rng.integers(0, 2, size=5), 2)
    return net, X, Y, 0.7




def matrix_table(M, title: str, rows: str, columns: str, mark=None, agrees: bool | None = None) -> str:
    """One matrix as a small HTML table, every entry ``{x:+.4f}``; ``mark(r, c)`` says which cells to highlight.

    ``rows``/``columns`` label the axes (e.g. ``"e"`` for examples, ``"j"`` for neurons of layer l);
    ``agrees`` adds whether :func:`bpkit.scalar.gradient` gives the same matrix.
    """
    M = np.atleast_2d(M)
    head = "".join(f"<th style='padding:1px 5px;color:#555'>{columns} = {c}</th>" for c in range(M.shape[1]))
    body = []
    for r, row in enumerate(M):
        cells = []
        for c, x in enumerate(row):
            style = "padding:1px 5px;text-align:right"
            if mark is not None and mark(r, c):
                style += ";background:#ffe08a;font-weight:bold"
            cells.append(f"<td style='{style}'>{x:+.4f}</td>")
        body.append(f"<tr><th style='padding:1px 5px;color:#555'>{rows} = {r}</th>{''.join(cells)}</tr>")
    check = ""
    if agrees is not None:
        check = ("<div style='color:#2a7a2a'>= bpkit.scalar.gradient: True</div>" if agrees
                 else "<div style='color:#c8352b'>= bpkit.scalar.gradient: False</div>")
    return ("<div style='margin:0 14px 10px 0'>"
            f"<div style='font-family:serif;font-size:110%'>{title}</div>"
            "<table style='font-family:monospace;border-collapse:collapse;font-size:12px'>"
            f"<tr><th></th>{head}</tr>{''.join(body)}</table>{check}</div>")


def _per_neuron(table: dict, l: int, n: int) -> np.ndarray:
    """bpkit.scalar's memo (or δ) entries of layer l as an (m, n_l) matrix, column j = neuron j."""
    return np.column_stack([table[(l, j)] for j in range(n)])


def matrix_products_html(net, X, Y, lam: float, weight) -> str:
    """The matrices of one backward pass around w^l_ij (``weight = (l, i, j)``), as HTML.

    Every number is from :func:`bpkit.gradient` (``.W``, ``.E`` and ``.extras``' ``delta`` and
    ``dE_dsigma``); each table says whether :func:`bpkit.scalar.gradient` agrees (``np.allclose``).
    """
    l, i, j = weight
    L, m = net.L, X.shape[0]
    g = bpkit.gradient(net, X, Y, lam)
    s = bpkit.scalar.gradient(net, X, Y, lam)
    delta, dE_dsigma = g.extras["delta"], g.extras["dE_dsigma"]
    s_delta, s_memo = s.extras["delta"], s.extras["memo"]

    def same_delta(k):
        return bool(np.allclose(delta[k], _per_neuron(s_delta, k, net.n(k))))

    tables = [matrix_table(delta[L], f"δ{labels.sup_html('L')} = δ{labels.sup_html(L)} = (σ{labels.sup_html('L')} − Y)/m", "e", "k",
                           mark=(lambda r, c: c == j) if l == L else None, agrees=same_delta(L))]
    if l < L:
        tables.append(matrix_table(delta[l], f"δ{labels.sup_html(l)} (from the layers above)", "e", "j",
                                   mark=lambda r, c: c == j, agrees=same_delta(l)))
    tables.append(matrix_table(net.W[l], f"W{labels.sup_html(l)} (entry [{i}, {j}] = {labels.weight_html(l, i, j)})", "i", "j",
                               mark=lambda r, c: (r, c) == (i, j)))
    tables.append(matrix_table(
        g.W[l], f"∂E/∂W{labels.sup_html(l)} = (σ{labels.sup_html(l - 1)})ᵀδ{labels.sup_html(l)} + (λ/m)W{labels.sup_html(l)}", "i", "j",
        mark=lambda r, c: (r, c) == (i, j), agrees=bool(np.allclose(g.W[l], s.W[l]))))
    if l > 1:
        tables.append(matrix_table(
            dE_dsigma[l - 1], f"∂E/∂σ{labels.sup_html(l - 1)} = δ{labels.sup_html(l)} (W{labels.sup_html(l)})ᵀ", "e", "i",
            mark=lambda r, c: c == i,
            agrees=bool(np.allclose(dE_dsigma[l - 1], _per_neuron(s_memo, l - 1, net.n(l - 1))))))
        tables.append(matrix_table(
            delta[l - 1], f"δ{labels.sup_html(l - 1)} = ∂E/∂σ{labels.sup_html(l - 1)} ⊙ g′(sum{labels.sup_html(l - 1)})", "e", "i",
            mark=lambda r, c: c == i, agrees=same_delta(l - 1)))
        where = (f"The weight also sits in row {i} of W{labels.sup_html(l)}, so it enters column {i} of "
                 f"∂E/∂σ{labels.sup_html(l - 1)} = δ{labels.sup_html(l)} (W{labels.sup_html(l)})ᵀ, and so column {i} of δ{labels.sup_html(l - 1)}.")
    else:
        where = f"Below layer 1 is layer 0, the input: the recursion stops there (there is no δ{labels.sup_html(0)})."
    w_ij = f"{labels.weight_html(l, i, j)}"
    summary = (
        f"<div style='font-family:monospace'>E(w) = {g.E:.6f}; ∂E/∂{w_ij}: "
        f"matrix entry [{i}, {j}] {g.W[l][i, j]:+.6f}, per neuron (bpkit.scalar.gradient) {s.W[l][i, j]:+.6f}</div>"
        f"<div>Highlighted: {w_ij} (entry [{i}, {j}] of W{labels.sup_html(l)}) and its partial derivative "
        f"∂E/∂{w_ij} = Σ<sub>e</sub> {labels.neuron_html(l - 1, i)} {labels.neuron_html(l, j, 'δ')} + (λ/m) {w_ij} "
        f"(the same entry of ∂E/∂W{labels.sup_html(l)}), which reads column {j} of δ{labels.sup_html(l)}. {where} "
        f"Rows e are the m = {m} examples; moving the weight changes the forward pass from layer {l} up, "
        f"so δ{labels.sup_html('L')} changes too.</div>"
    )
    return (summary + "<div style='display:flex;flex-wrap:wrap;align-items:flex-start;margin-top:6px'>"
            + "".join(tables) + "</div>")


def matrix_products(net=None, X=None, Y=None, lam: float | None = None, weight=(2, 1, 0)):
    """A dropdown choosing a weight w^l_ij and a slider for its value; the backward pass's matrices, live.

    Args:
        net, X, Y, lam: the problem (default: :func:`small_problem`, section 1's 4-3-3-2 network).
            ``net`` is copied.
        weight: (l, i, j) of the weight on the slider at first (default w^2_10, the entry the
            lesson spells out).

    The slider starts at the weight's exact value, so the widget first shows the network's own
    numbers. The returned box has ``.slider``, ``.choice``, ``.html``, ``.net`` and ``.update()``.
    """
    import ipywidgets as widgets

    if net is None:
        net, X, Y, default_lam = small_problem()
        lam = default_lam if lam is None else lam
    elif X is None or Y is None:
        raise ValueError("give the data X, Y with the network (or nothing for the lesson's small problem)")
    lam = 0.0 if lam is None else float(lam)
    net = net.copy()
    names = [(f"{labels.weight(l, i, j)}  (W[{l}][{i}, {j}])", (l, i, j)) for l in net.W.layers()
             for i in range(net.sizes[l - 1]) for j in range(net.sizes[l])]
    weight = tuple(int(k) for k in weight)
    if weight not in [key for _, key in names]:
        raise ValueError(f"{labels.weight_text(*weight)} is not a weight of this {net.sizes} network")
    l, i, j = weight
    value = float(net.W[l][i, j])
    slider = widgets.FloatSlider(value=value, min=min(-3.0, value), max=max(3.0, value), step=0.05,
                                 readout_format=".2f", continuous_update=True, description=labels.weight(l, i, j),
                                 style={"description_width": "48px"}, layout=widgets.Layout(width="400px"))
    choice = widgets.Dropdown(options=names, value=weight, description="weight",
                              layout=widgets.Layout(width="240px"))
    html = widgets.HTML()

    def show(l, i, j):
        html.value = matrix_products_html(net, X, Y, lam, (l, i, j))

    def describe(l, i, j, value):
        slider.description = labels.weight(l, i, j)
        slider.min, slider.max = min(-3.0, value), max(3.0, value)
        slider.value = value

    update = follow_weight(net, choice, slider, show, describe)
    box = LessonWidget([widgets.HBox([slider, choice]), html],
                       "move w^l_ij, watch δ^l and ∂E/∂W^l as matrix products")
    box.slider, box.choice, box.html, box.net, box.update = slider, choice, html, net, update
    return box


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
    scale ±max|w^1_ij| at that iteration, blue > 0, red < 0) and E(w), the train accuracy
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
            f"colour scale: ±{vmax:.2f} (blue {labels.weight_html(1, 'i', 'j')} &gt; 0, red &lt; 0)<br>"
            f"tile j (row by row) is column j of W<sup>1</sup>: {labels.weight_html(1, '·', 'j')}"
        )

    slider.observe(lambda change: show(change["new"]), names="value")
    show(slider.value)
    return LessonWidget([slider, widgets.HBox([image, text])],
                        "step through training, watch E(w) and the hidden weights")


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

    Shows the mean σ^1_j on the test digits of each class (:func:`~bpkit.show.plots.training.class_response`)
    and the ``top`` test digits with the largest σ^1_j. Without ``net`` it uses the network
    of :func:`training_snapshots` (and its split); pass the lesson's trained network to see that one.
    """
    import ipywidgets as widgets

    if net is None:
        snap = training_snapshots()
        net, split = snap.net, (split or snap.split)
    if split is None:
        split = bpkit.data.digits()
    X, digit_labels = split.X_test, split.labels_test
    images = tplots.hidden_images(net)
    response = tplots.class_response(net, X, digit_labels)           # (n_1, 10)
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
        bars.value = (f"<b>mean {labels.neuron_html(1, j)} on the test digits of each class</b>"
                      + _bars_html(response[j]))
        rows = order[:, j]
        strongest.value = tplots.to_png(tplots.mosaic(X[rows].reshape(-1, *tplots.IMAGE_SHAPE), top),
                                        0.0, 1.0, cmap=tplots.PIXEL_CMAP, scale=6)
        caption.value = (
            f"left: {labels.weight_html(1, '·', j)} as an 8x8 image (±{vmax:.2f}, blue &gt; 0, red &lt; 0); "
            f"below: the {top} test digits with the largest {labels.neuron_html(1, j)} "
            f"(labels {', '.join(str(int(digit_labels[r])) for r in rows)}; "
            f"{labels.neuron_html(1, j)} from {sigma_1[rows[0], j]:.3f} to {sigma_1[rows[-1], j]:.3f})"
        )

    slider.observe(lambda change: show(change["new"]), names="value")
    show(slider.value)
    return LessonWidget([slider, widgets.HBox([weights, bars]), strongest, caption],
                        "pick a hidden neuron j, see w^1_ij and what it responds to")

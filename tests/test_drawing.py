"""Can ``drawing.full_draws`` (what the widget tests use instead of timing a move) see a figure being drawn, by every
way the widgets and the inline backend draw one, and tell a blit from a draw?"""
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from bpkit.show.plots import surfaces  # noqa: E402
from drawing import full_draws  # noqa: E402


def _figure():
    fig = Figure(figsize=(2, 2), dpi=50)
    fig.add_subplot(111).plot([0, 1], [1, 0])
    return fig


def test_every_way_of_rendering_a_figure_is_counted():
    """Are savefig, print_figure (the inline backend's way), canvas.draw and a pyplot figure's savefig each counted?"""
    fig = _figure()
    with full_draws() as drawn:
        fig.savefig(io.BytesIO(), format="png")
    assert drawn == [fig]
    with full_draws() as drawn:
        fig.canvas.print_figure(io.BytesIO(), format="png", bbox_inches="tight")
    assert fig in drawn
    FigureCanvasAgg(fig)  # a bare Figure's own canvas draws nothing; the widgets' figures have this one
    with full_draws() as drawn:
        fig.canvas.draw()
    assert drawn == [fig]
    managed = plt.figure()
    try:
        with full_draws() as drawn:
            managed.savefig(io.BytesIO(), format="png")
        assert drawn == [managed]
    finally:
        plt.close(managed)


def test_a_blit_is_not_a_draw_and_nothing_is_counted_outside_the_block():
    """Is BlitFigure.png after freeze() not counted (its markers are blitted), and a draw after the block not either?"""
    bf = surfaces.BlitFigure((3, 2))
    ax = bf.fig.add_subplot(111)
    ax.plot([0, 1], [0, 1])
    dot = bf.add(ax.plot([0], [0], "o")[0])
    with full_draws() as drawn:
        bf.freeze()
    assert drawn == [bf.fig], "freeze draws the background once"
    with full_draws() as drawn:
        dot.set_data([1], [1])
        bf.png()
    assert drawn == []
    _figure().canvas.draw()
    assert drawn == []

"""What a widget update draws, counted instead of timed.

A widget that is meant to be quick because it swaps precomputed pictures, or blits a marker onto a saved
background, is quick because it never redraws a whole figure. That is a fact a test can check on any machine;
how many milliseconds it takes is measured by ``benchmarks/widget_latency.py`` (the project never times tests).
"""
from __future__ import annotations

import contextlib
from unittest import mock

from matplotlib.backends.backend_agg import FigureCanvasAgg


@contextlib.contextmanager
def full_draws():
    """A list that collects the figure of every full draw (``FigureCanvasAgg.draw``) made inside the block.

    ``savefig``, ``print_figure`` (what IPython's inline backend and ``display`` use) and ``canvas.draw`` all
    render through ``FigureCanvasAgg.draw``; blitting (``restore_region`` + ``draw_artist``) does not.
    """
    figures = []
    original = FigureCanvasAgg.draw

    def draw(self, *args, **kwargs):
        figures.append(self.figure)
        return original(self, *args, **kwargs)

    with mock.patch.object(FigureCanvasAgg, "draw", draw):
        yield figures

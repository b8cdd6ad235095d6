"""Plots for the lessons (matplotlib), one module per topic.

Titles and axis labels use the notes' notation (σ^l_i, sum^l_i, w^l_ij, E(w)).
Plots are downstream of the core: they import bpkit, never the other way round.
"""

"""The presentation: plots (matplotlib) and widgets (ipywidgets) that draw what the numeric
core computed. Nothing here computes a formula; every number comes from ``bpkit.*``.
"""

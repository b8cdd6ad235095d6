"""Graded checks, one module per lesson (``bpkit.checks.lesson01`` ...).

See :mod:`bpkit.checks._core` for the contract every check follows.
"""
from ._core import REGISTRY, CheckFailed, Hint, check, compare, fresh_rng, success_line

__all__ = ["REGISTRY", "CheckFailed", "Hint", "check", "compare", "fresh_rng", "success_line"]

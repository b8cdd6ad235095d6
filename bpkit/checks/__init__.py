"""Graded checks, one module per lesson (``bpkit.checks.lesson01`` ...).

See :mod:`bpkit.checks._core` for the contract every check follows.
"""
from ._core import REGISTRY, AnswerRaised, CheckFailed, Hint, check, compare, fresh_rng, success_line, trying

__all__ = ["REGISTRY", "AnswerRaised", "CheckFailed", "Hint", "check", "compare", "fresh_rng", "success_line",
           "trying"]

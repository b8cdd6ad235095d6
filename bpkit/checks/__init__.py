"""Graded checks, one module per lesson (``bpkit.checks.lesson01`` ...).

See :mod:`bpkit.checks._core` for the contract every check follows.
"""
from ._core import (FAILED_HEAD, PASSED_LINE, REGISTRY, Answer, AnswerRaised, CheckFailed, Hint, StudentRaised, check,
                    compare, fresh_rng, success_line, trying)

__all__ = ["FAILED_HEAD", "PASSED_LINE", "REGISTRY", "Answer", "StudentRaised", "AnswerRaised", "CheckFailed", "Hint", "check", "compare", "fresh_rng", "success_line",
           "trying"]

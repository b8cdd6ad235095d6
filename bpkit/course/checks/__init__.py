"""Graded checks, one module per lesson (``bpkit.course.checks.lesson01`` ...).

See :mod:`bpkit.course.checks._core` for the contract every check follows, :mod:`bpkit.course.checks.harness` for the
decorator that makes one.
"""
from ._core import FAILED_HEAD, PASSED_LINE, CheckFailed, Hint, compare, fresh_rng, success_line
from .harness import REGISTRY, AnswerRaised, check, trying
from .switch import Answer, StudentRaised

__all__ = ["FAILED_HEAD", "PASSED_LINE", "REGISTRY", "Answer", "AnswerRaised", "CheckFailed", "Hint", "StudentRaised",
           "check", "compare", "fresh_rng", "success_line", "trying"]

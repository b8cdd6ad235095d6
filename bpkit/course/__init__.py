"""The course tooling: exercises generated from solutions, the graded checks, grading
(sandbox, scorecards, gradebooks) and the ``bpkit`` command.

It imports the numeric core (``bpkit.*``) and never the presentation (``bpkit.show``):
a check judges numbers the core computes; it draws nothing.
"""

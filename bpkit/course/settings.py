"""The course tooling's defaults, in one light module: the CLI reads them for ``--help``
without importing the notebook machinery, and the grader uses the same numbers."""

#: seconds a cell may run under ``bpkit check`` and ``bpkit grade`` (``--timeout``)
DEFAULT_TIMEOUT = 60
#: the least time a setup cell (the instructor's imports and data) or the check guard gets,
#: whatever the per-cell timeout: a short ``--timeout`` for students' cells must not
#: fail a whole class because an import was slow on a busy machine
SETUP_TIMEOUT = 120

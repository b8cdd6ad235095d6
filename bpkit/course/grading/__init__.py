"""Running notebooks, scoring their checks, grading a class, validating the course.

============  ==================================================================================
module        its one job
============  ==================================================================================
kernel        start a kernel (sandboxed or not) and run cells in it, surviving loops and crashes
sandbox       the bubblewrap sandbox every ``bpkit grade`` kernel runs in
remote        the grader's half of a check: verdicts here, the student's calls in the kernel
static        a static look at the student's code for shortcuts that are not answers
restore       put the release's check and setup cells back; match submissions to releases
scorecard     what each exercise earned, from the runs of its check cell (``bpkit check``)
grade         grade a class (``bpkit grade``): one sandbox per submission, every one a row
gradebook     the CSV and JSON gradebooks, written as each submission finishes
validate      ``bpkit validate``: strict nbval, and every check fails on the unsolved exercises
parallel      worker processes
============  ==================================================================================

The check protocol (the PASSED line, CheckFailed's message) is defined once, in
:mod:`bpkit.course.checks._core`; the wire format of the sandbox boundary in :mod:`bpkit.course.checks.wire`.
"""
from .grade import STATUSES, grade_many, grade_submission, release_notebooks, status_of
from .gradebook import Gradebook, write_gradebook
from .kernel import DEFAULT_TIMEOUT, SETUP_TIMEOUT, CellRun, ipython_dir, kernel_env, run_cells
from .parallel import parallel_map
from .restore import PROTECTED_ROLES, check_guard, match_release, restore_protected_cells, student_name
from .sandbox import Limits, SandboxUnavailable
from .scorecard import ExerciseResult, NotebookResult, check_notebook, clear_outputs, format_scorecard, score
from .validate import PartResult, nbval_command, validate_invert, validate_nbval

__all__ = [
    "CellRun", "ExerciseResult", "Gradebook", "Limits", "NotebookResult", "PartResult", "SandboxUnavailable",
    "DEFAULT_TIMEOUT", "PROTECTED_ROLES", "SETUP_TIMEOUT", "STATUSES", "check_guard", "check_notebook",
    "clear_outputs", "format_scorecard", "grade_many", "grade_submission", "ipython_dir", "kernel_env",
    "match_release", "nbval_command", "parallel_map", "release_notebooks", "restore_protected_cells",
    "run_cells", "score", "status_of", "student_name", "validate_invert", "validate_nbval", "write_gradebook",
]

"""Solutions -> exercises: one source of truth for every graded exercise.

Each ``solutions/NN_<topic>.ipynb`` is written once, with nbgrader-style markers
around the solved code::

    def sum_and_sigma(W, sigma_prev, activation):
        ### BEGIN SOLUTION
        sum_ = W.T @ sigma_prev
        return sum_, activation(sum_)
        ### END SOLUTION

and ``exercises/NN_<topic>.ipynb`` is *generated* from it: every region between the
markers becomes ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` at the
indentation of its ``### BEGIN SOLUTION`` line, all outputs and execution counts are
cleared, cell ids and metadata are kept.

Cell metadata (``cell.metadata["bpkit"]``) ties the cells of exercise ``"NN.k"``
together:

* answer cells: ``{"exercise": "NN.k", "role": "answer"}``, code cells holding at
  least one marked region;
* exactly one check cell: ``{"exercise": "NN.k", "role": "check", "points": P}``,
  after every answer cell of that exercise;
* setup cells: ``{"role": "setup"}`` (restored from the release when grading).

Anything else (unbalanced or nested markers, markers outside answer cells, an
answer cell without markers, a malformed marker such as ``## BEGIN SOLUTION``,
missing or duplicate cell ids, a check without points ...) is a
:class:`NotebookFormatError` naming the notebook, the cell id and the line, and
nothing is written: a mistake in a solution notebook can never leak solution text
into an exercise. Generation is deterministic, so ``bpkit sync --check`` can
compare bytes.
"""
from __future__ import annotations

import copy
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
PLACEHOLDER = ("# YOUR CODE HERE", "raise NotImplementedError()")

ROLES = ("answer", "check", "setup")
EXERCISE_ID = re.compile(r"^\d{2}\.\d+$")
NOTEBOOK_NUMBER = re.compile(r"^(\d{2})_")
#: anything that looks like a marker; a line matching this must be exactly a marker
MARKER_LIKE = re.compile(r"#\s*(BEGIN|END)[\s_-]*SOLUTION\b", re.IGNORECASE)

#: cell metadata written by a run, not by an author: dropped from exercises
RUN_METADATA = ("execution", "ExecuteTime")
#: notebook metadata holding saved output state: dropped from exercises
RUN_NOTEBOOK_METADATA = ("widgets",)


class NotebookFormatError(ValueError):
    """A solution notebook breaks the exercise conventions; ``problems`` lists each one."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --------------------------------------------------------------------------- metadata


def bpkit_meta(cell: NotebookNode) -> dict:
    """The cell's ``metadata.bpkit`` dict (empty if absent or not a dict)."""
    meta = cell.get("metadata", {}).get("bpkit", {})
    return meta if isinstance(meta, dict) else {}


def role(cell: NotebookNode) -> str | None:
    """``"answer"``, ``"check"``, ``"setup"`` or ``None``."""
    return bpkit_meta(cell).get("role")


def exercise_of(cell: NotebookNode) -> str | None:
    """The exercise id (``"NN.k"``) a cell belongs to, if any."""
    return bpkit_meta(cell).get("exercise")


def check_points(cell: NotebookNode) -> int:
    """The points a check cell is worth (0 if missing or invalid)."""
    points = bpkit_meta(cell).get("points")
    return points if isinstance(points, int) and not isinstance(points, bool) else 0


@dataclass(frozen=True)
class Exercise:
    """One graded exercise of a notebook: its id, points and cells (by id)."""

    exercise: str
    points: int
    check_cell: str
    answer_cells: tuple[str, ...] = ()


def exercises_in(nb: NotebookNode) -> list[Exercise]:
    """The graded exercises of ``nb`` in notebook order of their check cells."""
    answers: dict[str, list[str]] = {}
    for cell in nb.cells:
        if role(cell) == "answer" and exercise_of(cell):
            answers.setdefault(exercise_of(cell), []).append(cell.get("id", ""))
    return [
        Exercise(exercise_of(cell), check_points(cell), cell.get("id", ""),
                 tuple(answers.get(exercise_of(cell), ())))
        for cell in nb.cells
        if role(cell) == "check" and exercise_of(cell)
    ]


# --------------------------------------------------------------------------- markers


def _where(name: str, cell: NotebookNode, line: int | None = None) -> str:
    at = f"{name}, cell {cell.get('id', '<no id>')!r}"
    return f"{at}, line {line}" if line is not None else at


def strip_solutions(source: str, where: str) -> tuple[str, int]:
    """Replace every marked region of ``source``; return the new source and region count.

    ``where`` names the notebook and cell for error messages. Raises
    :class:`NotebookFormatError` on an unbalanced, nested or malformed marker; it
    never returns partially stripped text.
    """
    out: list[str] = []
    problems: list[str] = []
    begin_line: int | None = None
    regions = 0
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        text = line.strip()
        if text == BEGIN:
            if begin_line is not None:
                problems.append(f"{where}, line {number}: nested {BEGIN} "
                                f"(the one on line {begin_line} is not closed)")
                continue
            begin_line = number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}{PLACEHOLDER[0]}\n{indent}{PLACEHOLDER[1]}")
            out.append("")  # the line ending, set by the matching END
        elif text == END:
            if begin_line is None:
                problems.append(f"{where}, line {number}: {END} without a matching {BEGIN}")
                continue
            begin_line = None
            regions += 1
            # the placeholder ends the way the END line ends (with or without "\n")
            out[-1] = "\n" if line.endswith("\n") else ""
        elif MARKER_LIKE.search(line):
            problems.append(f"{where}, line {number}: malformed marker {text!r}; "
                            f"write exactly {BEGIN!r} or {END!r} on a line of its own")
        elif begin_line is None:
            out.append(line)
    if begin_line is not None:
        problems.append(f"{where}, line {begin_line}: {BEGIN} is never closed by {END}")
    if problems:
        raise NotebookFormatError(problems)
    return "".join(out), regions


def has_marker_text(text: str) -> bool:
    """Does ``text`` contain anything that looks like a solution marker?"""
    return bool(MARKER_LIKE.search(text))


# --------------------------------------------------------------------------- validation


def _structure_problems(nb: NotebookNode, name: str) -> list[str]:
    """Metadata problems of a solution notebook (ids, roles, exercises, points, order)."""
    problems: list[str] = []
    seen_ids: set[str] = set()
    number = NOTEBOOK_NUMBER.match(Path(name).name)
    answers_after_check: dict[str, str] = {}
    checks: dict[str, str] = {}
    answers: dict[str, list[str]] = {}
    for cell in nb.cells:
        cid = cell.get("id")
        if not cid:
            problems.append(f"{name}: a {cell.cell_type} cell has no id (save it as nbformat 4.5)")
        elif cid in seen_ids:
            problems.append(f"{_where(name, cell)}: duplicate cell id")
        seen_ids.add(cid or "")
        r, ex = role(cell), exercise_of(cell)
        if r is None:
            if ex is not None:
                problems.append(f"{_where(name, cell)}: belongs to exercise {ex!r} but has no role "
                                f"(one of {', '.join(ROLES)})")
            continue
        if r not in ROLES:
            problems.append(f"{_where(name, cell)}: unknown role {r!r} (one of {', '.join(ROLES)})")
            continue
        if r == "setup":
            if cell.cell_type != "code":
                problems.append(f"{_where(name, cell)}: a setup cell must be a code cell")
            continue
        if cell.cell_type != "code":
            problems.append(f"{_where(name, cell)}: an {r} cell must be a code cell")
        if not isinstance(ex, str) or not EXERCISE_ID.match(ex):
            problems.append(f"{_where(name, cell)}: exercise id {ex!r} should look like 'NN.k'")
            continue
        if number and not ex.startswith(number.group(1) + "."):
            problems.append(f"{_where(name, cell)}: exercise {ex} does not belong in a notebook "
                            f"numbered {number.group(1)}")
        if r == "answer":
            answers.setdefault(ex, []).append(cid)
            if ex in checks:
                answers_after_check[ex] = cid
        else:  # check
            if ex in checks:
                problems.append(f"{_where(name, cell)}: second check cell for exercise {ex} "
                                f"(the first is cell {checks[ex]!r})")
            checks[ex] = cid
            if check_points(cell) < 1:
                problems.append(f"{_where(name, cell)}: check cell of {ex} needs "
                                f"metadata bpkit.points, a positive integer")
    for ex in answers:
        if ex not in checks:
            problems.append(f"{name}: exercise {ex} has answer cells but no check cell")
    for ex, cid in checks.items():
        if ex not in answers:
            problems.append(f"{name}: exercise {ex} has a check cell ({cid!r}) but no answer cell")
    for ex, cid in answers_after_check.items():
        problems.append(f"{name}, cell {cid!r}: answer cell of {ex} comes after its check cell")
    return problems


# --------------------------------------------------------------------------- generation


def generate_exercise(solution: NotebookNode, name: str = "<notebook>") -> NotebookNode:
    """The exercise notebook generated from ``solution`` (which is left unchanged).

    ``name`` (usually the solution's path) is used in error messages. Raises
    :class:`NotebookFormatError` listing every problem found.
    """
    nb = copy.deepcopy(solution)
    problems = _structure_problems(nb, name)
    for cell in nb.cells:
        source = cell.get("source", "")
        if cell.cell_type != "code":
            if has_marker_text(source):
                problems.append(f"{_where(name, cell)}: solution marker in a {cell.cell_type} cell "
                                f"(markers belong in code cells with role 'answer')")
            continue
        if role(cell) == "answer":
            try:
                cell.source, regions = strip_solutions(source, _where(name, cell))
            except NotebookFormatError as e:
                problems.extend(e.problems)
                continue
            if regions == 0:
                problems.append(f"{_where(name, cell)}: answer cell of {exercise_of(cell)} "
                                f"has no {BEGIN} ... {END} region")
        elif has_marker_text(source):
            problems.append(f"{_where(name, cell)}: solution marker in a cell whose role is "
                            f"{role(cell)!r}; only answer cells may hold solutions")
        cell.outputs = []
        cell.execution_count = None
    if problems:
        raise NotebookFormatError(problems)
    for cell in nb.cells:
        for key in RUN_METADATA:
            cell.metadata.pop(key, None)
    for key in RUN_NOTEBOOK_METADATA:
        nb.metadata.pop(key, None)
    # belt and braces: whatever happened above, no marker may survive
    leftovers = [c.get("id") for c in nb.cells if has_marker_text(c.get("source", ""))]
    if leftovers:  # pragma: no cover - unreachable unless the code above is broken
        raise NotebookFormatError([f"{name}: marker text left in cells {leftovers}"])
    return nb


def dumps(nb: NotebookNode) -> str:
    """The canonical text of a notebook: the same bytes for the same notebook, always."""
    return nbformat.writes(nb, version=4) + "\n"


def read_notebook(path: Path) -> NotebookNode:
    """Read a notebook as nbformat 4 (raises on unreadable or invalid files)."""
    return nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4)


def exercise_text(solution_path: Path) -> str:
    """The generated exercise for the solution at ``solution_path``, as file text."""
    path = Path(solution_path)
    try:
        nb = read_notebook(path)
    except Exception as e:  # nbformat raises several exception types on bad JSON
        raise NotebookFormatError([f"{path}: not a readable notebook ({e})"]) from None
    if (nb.nbformat, nb.nbformat_minor) < (4, 5):
        raise NotebookFormatError([f"{path}: nbformat {nb.nbformat}.{nb.nbformat_minor}; "
                                   "save it as 4.5 so every cell has a stable id"])
    return dumps(generate_exercise(nb, str(path)))


# --------------------------------------------------------------------------- sync


def notebooks_in(directory: Path) -> list[Path]:
    """The ``*.ipynb`` files directly in ``directory``, sorted (none if it is missing)."""
    directory = Path(directory)
    return sorted(p for p in directory.glob("*.ipynb") if p.is_file()) if directory.is_dir() else []


@dataclass
class SyncEntry:
    """The state of one exercise file relative to its solution."""

    exercise: Path
    solution: Path | None
    state: str  # "in sync" | "out of sync" | "missing" | "orphan"
    text: str | None = field(default=None, repr=False)  # the generated text

    @property
    def ok(self) -> bool:
        return self.state == "in sync"


class UnsafeSyncError(RuntimeError):
    """Writing would overwrite something that is not a pristine generated exercise."""


def plan_sync(solutions: Path, exercises: Path) -> list[SyncEntry]:
    """Compare ``exercises`` with what ``solutions`` generate; write nothing.

    Raises :class:`NotebookFormatError` listing the problems of every solution
    notebook, and ``FileNotFoundError`` if ``solutions`` is not a directory.
    """
    solutions, exercises = Path(solutions), Path(exercises)
    if not solutions.is_dir():
        raise FileNotFoundError(f"no solutions directory at {solutions}")
    entries, problems = [], []
    for solution in notebooks_in(solutions):
        target = exercises / solution.name
        try:
            text = exercise_text(solution)
        except NotebookFormatError as e:
            problems.extend(e.problems)
            continue
        if not target.exists():
            state = "missing"
        else:
            state = "in sync" if target.read_bytes() == text.encode("utf-8") else "out of sync"
        entries.append(SyncEntry(target, solution, state, text))
    if problems:
        raise NotebookFormatError(problems)
    names = {s.name for s in notebooks_in(solutions)}
    entries += [SyncEntry(p, None, "orphan") for p in notebooks_in(exercises) if p.name not in names]
    return sorted(entries, key=lambda e: e.exercise.name)


def student_work_reason(path: Path) -> str | None:
    """Why the exercise file at ``path`` looks like someone's work, or ``None``.

    A generated exercise has no outputs, no execution counts, and keeps the
    ``# YOUR CODE HERE`` placeholder in every answer cell.
    """
    try:
        nb = read_notebook(path)
    except Exception as e:
        return f"it is not a readable notebook ({type(e).__name__})"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.get("outputs") or cell.get("execution_count") is not None:
            return f"cell {cell.get('id')!r} has been run (it has outputs or an execution count)"
        if role(cell) == "answer" and PLACEHOLDER[1] not in cell.source:
            return f"answer cell {cell.get('id')!r} has been filled in"
    return None


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sync(solutions: Path, exercises: Path, *, force: bool = False) -> list[SyncEntry]:
    """Write ``exercises/`` from ``solutions/``; return what was found before writing.

    Nothing is written unless every solution generates cleanly and every file to be
    replaced is a pristine generated exercise (see :func:`student_work_reason`);
    ``force=True`` overrides the second rule only. Orphans (exercises without a
    solution) are reported, never deleted.
    """
    solutions, exercises = Path(solutions).resolve(), Path(exercises).resolve()
    if solutions == exercises or solutions in exercises.parents or exercises in solutions.parents:
        raise UnsafeSyncError(f"the exercises directory {exercises} must be separate from "
                              f"the solutions directory {solutions}")
    entries = plan_sync(solutions, exercises)
    to_write = [e for e in entries if e.state in ("missing", "out of sync")]
    if not force:
        unsafe = [f"{e.exercise}: {reason}" for e in to_write
                  if e.state == "out of sync" and (reason := student_work_reason(e.exercise))]
        if unsafe:
            raise UnsafeSyncError("refusing to overwrite what looks like a student's work "
                                  "(use --force if it is not):\n  " + "\n  ".join(unsafe))
    for entry in to_write:
        _write_atomic(entry.exercise, entry.text or "")
    return entries

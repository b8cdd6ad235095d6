"""Restoring a submission's protected cells (checks, setup) from the release, and matching
submissions to released notebooks."""
from __future__ import annotations

import ast
import copy
import json
from pathlib import Path
from typing import Sequence

from nbformat import NotebookNode

from ..exercises import exercise_of, read_notebook, role

#: the roles of the cells a submission may not change
PROTECTED_ROLES = ("check", "setup")

def _find_protected(nb: NotebookNode, released: NotebookNode, taken: set[int]) -> int | None:
    """Index of the submission cell matching the released check/setup cell, if any."""
    for i, cell in enumerate(nb.cells):
        if i not in taken and cell.get("id") and cell.get("id") == released.get("id"):
            return i
    ex, r = exercise_of(released), role(released)
    if ex:
        for i, cell in enumerate(nb.cells):
            if i not in taken and exercise_of(cell) == ex and role(cell) == r:
                return i
    return None


def _insert_at(nb: NotebookNode, release: NotebookNode, released: NotebookNode) -> int:
    """Where a deleted protected cell goes back."""
    if role(released) == "check":
        answers = [i for i, c in enumerate(nb.cells)
                   if role(c) == "answer" and exercise_of(c) == exercise_of(released)]
        return answers[-1] + 1 if answers else len(nb.cells)
    position = next(i for i, c in enumerate(release.cells) if c is released)
    for previous in reversed(release.cells[:position]):
        for i, cell in enumerate(nb.cells):
            if previous.get("id") and cell.get("id") == previous.get("id"):
                return i + 1
    return 0


#: cell metadata a front end writes by itself (timings, collapsed outputs): not an edit
UI_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled", "jupyter")


def _essence(cell: NotebookNode) -> tuple:
    """What a student could change in a cell to affect grading (not its outputs or UI state)."""
    meta = {k: v for k, v in cell.get("metadata", {}).items() if k not in UI_METADATA}
    return cell.get("cell_type"), cell.get("id"), cell.get("source"), json.dumps(meta, sort_keys=True)


def restore_protected_cells(submission: NotebookNode,
                            release: NotebookNode) -> tuple[NotebookNode, list[str]]:
    """A copy of ``submission`` whose check and setup cells are the released ones.

    Each released check/setup cell is matched by cell id, falling back to
    ``metadata.bpkit.exercise`` + role, and replaced wholesale (source, metadata,
    tags, id); a deleted one is re-inserted after its exercise's last answer cell
    (setup cells: after the cell that precedes them in the release), or at the end.
    Submission cells that claim a protected role but match nothing lose that claim.
    Returns the notebook and a list of what changed.
    """
    nb = copy.deepcopy(submission)
    changes: list[str] = []
    restored: list[NotebookNode] = []
    for released in release.cells:
        if role(released) not in PROTECTED_ROLES:
            continue
        what = f"{role(released)} cell {released.get('id')!r}" + (
            f" of {exercise_of(released)}" if exercise_of(released) else "")
        fresh = copy.deepcopy(released)
        index = _find_protected(nb, released, {i for i, c in enumerate(nb.cells)
                                               if any(c is r for r in restored)})
        if index is None:
            nb.cells.insert(_insert_at(nb, release, released), fresh)
            changes.append(f"re-inserted the deleted {what}")
        else:
            if _essence(nb.cells[index]) != _essence(fresh):
                changes.append(f"restored the edited {what}")
            nb.cells[index] = fresh
        restored.append(fresh)
    protected_ids = {c.get("id") for c in restored}
    for n, cell in enumerate(nb.cells):
        if any(cell is r for r in restored):
            continue
        if role(cell) in PROTECTED_ROLES:
            changes.append(f"ignored cell {cell.get('id')!r}, which claims to be a {role(cell)} cell")
            cell.metadata["bpkit"] = {k: v for k, v in cell.metadata["bpkit"].items() if k != "role"}
        if cell.get("id") in protected_ids:
            cell["id"] = f"{cell['id']}-submitted-{n}"
    return nb, changes


def check_guard(release: NotebookNode) -> str | None:
    """Code that undoes name-level tampering with the checks, run before every check cell.

    A student's answer cell could rebind ``checks`` or patch one of its functions
    (``checks.add = lambda f: print("PASSED ...")``). The guard reloads every module that
    registered a graded check (``bpkit.course.checks.REGISTRY``), then re-runs the import statements
    of the release's setup cells, so the check cell calls the genuine check. ``None`` if the
    setup cells import nothing.
    """
    imports = []
    for cell in release.cells:
        if role(cell) == "setup":
            try:
                tree = ast.parse(cell.get("source", ""))
            except SyntaxError:
                continue
            imports += [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    if not imports:
        return None
    return "\n".join([
        "def _bpkit_guard():",
        "    import importlib, sys",
        "    from bpkit.course.checks.harness import REGISTRY",
        "    for name in sorted({info.function.__module__ for info in list(REGISTRY.values())}):",
        "        if name in sys.modules:",
        "            importlib.reload(sys.modules[name])",
        "_bpkit_guard()",
        "del _bpkit_guard",
        ast.unparse(ast.Module(body=imports, type_ignores=[])),
    ])


def student_name(path: Path, release: Path | None) -> str:
    """File stem, or the parent directory's name when the file keeps the release's name."""
    parent = path.resolve().parent.name
    if release is not None and path.stem == release.stem and parent:
        return parent
    return path.stem


def match_release(path: Path, nb: NotebookNode | None, releases: Sequence[Path]) -> Path | None:
    """The released notebook ``path`` is a submission of: same file name, else most shared ids."""
    for release in releases:
        if release.name == path.name:
            return release
    if len(releases) == 1:
        return releases[0]
    if nb is None:
        return None

    def overlap(release: Path) -> int:
        rel = read_notebook(release)
        keys = {c.get("id") for c in rel.cells} | {exercise_of(c) for c in rel.cells}
        return len(keys & ({c.get("id") for c in nb.cells} | {exercise_of(c) for c in nb.cells}) - {None, ""})

    best = max(releases, key=overlap)
    return best if overlap(best) > 0 else None



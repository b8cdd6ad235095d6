"""Tests for bpkit.course.exercises: solutions -> exercises generation, markers, sync.

No kernels here: every test is pure file and notebook manipulation. The toy course
(three exercises, 91.1-91.3) is built by tests/fixtures/grading/toycourse.py.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_output

from bpkit.course import exercises as ex
import toycourse as toy


#: text that appears only inside the toy solution's marked regions
SOLUTION_ONLY = ("return a + b", "product = a * b", "return product", "POWER = 2", "x ** POWER")


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course directory whose solutions/ holds the (executed) toy solution."""
    toy.write(toy.solution_notebook(executed=True), tmp_path / "solutions" / toy.NAME)
    return tmp_path


def sources(nb) -> dict[str, str]:
    return {c["id"]: c.source for c in nb.cells}


# --------------------------------------------------------------------------- strip_solutions


def test_region_becomes_placeholder_at_the_begin_markers_indentation():
    """Is a region inside a def replaced by the placeholder indented like its BEGIN line?"""
    source = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n"
    stripped, regions = ex.strip_solutions(source, "nb, cell 'c'")
    assert regions == 1
    assert stripped == ("def f(x):\n    y = 1\n    # YOUR CODE HERE\n"
                        "    raise NotImplementedError()\n")


def test_several_regions_and_text_between_them_are_kept_in_order():
    """Are two regions in one cell both replaced, with the code between them kept?"""
    source = ("### BEGIN SOLUTION\na = 1\n### END SOLUTION\nkeep = True\n"
              "if keep:\n        ### BEGIN SOLUTION\n        b = 2\n        ### END SOLUTION")
    stripped, regions = ex.strip_solutions(source, "w")
    assert regions == 2
    assert stripped == ("# YOUR CODE HERE\nraise NotImplementedError()\nkeep = True\nif keep:\n"
                        "        # YOUR CODE HERE\n        raise NotImplementedError()")


@pytest.mark.parametrize("source, message", [
    ("x = 1\n### BEGIN SOLUTION\nsecret = 42\n", "line 2: ### BEGIN SOLUTION is never closed"),
    ("secret = 42\n### END SOLUTION\n", "line 2: ### END SOLUTION without a matching"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\nsecret = 42\n### END SOLUTION\n### END SOLUTION\n",
     "line 2: nested ### BEGIN SOLUTION"),
    ("## BEGIN SOLUTION\nsecret = 42\n## END SOLUTION\n", "line 1: malformed marker"),
    ("### BEGIN SOLUTION  # start\nsecret = 42\n### END SOLUTION\n", "line 1: malformed marker"),
    ("### begin solution\nsecret = 42\n### end solution\n", "line 1: malformed marker"),
])
def test_bad_markers_raise_naming_the_line_and_return_nothing(source, message):
    """Does every unbalanced, nested or malformed marker raise (never return half-stripped text)?"""
    with pytest.raises(ex.NotebookFormatError) as info:
        ex.strip_solutions(source, "solutions/91_toy.ipynb, cell 'c'")
    assert any(message in p and "cell 'c'" in p for p in info.value.problems), info.value.problems


# --------------------------------------------------------------------------- generate_exercise


def test_generated_exercise_replaces_every_region_and_keeps_the_rest():
    """Does the toy exercise hold exactly the expected sources, cell by cell?"""
    nb = toy.exercise_notebook()
    got = sources(nb)
    assert got["answer-add"] == "def add(a, b):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
    assert got["answer-mul"] == ('def mul(a, b):\n    """a times b."""\n    # YOUR CODE HERE\n'
                                 "    raise NotImplementedError()")
    assert got["answer-square-1"] == "# YOUR CODE HERE\nraise NotImplementedError()\n"
    assert got["answer-square-2"] == ("def square(x):\n    if True:\n        # YOUR CODE HERE\n"
                                      "        raise NotImplementedError()")
    solution = sources(toy.solution_notebook())
    untouched = [i for i in got if not i.startswith("answer-")]
    assert {i: got[i] for i in untouched} == {i: solution[i] for i in untouched}


def test_no_solution_text_reaches_the_exercise():
    """Is every line written between the markers absent from the generated file's text?"""
    text = ex.dumps(toy.exercise_notebook())
    for secret in SOLUTION_ONLY + ("BEGIN SOLUTION", "END SOLUTION"):
        assert secret not in text
    assert all(s in ex.dumps(toy.solution_notebook()) for s in SOLUTION_ONLY)  # the test can fail


def test_ids_metadata_kept_outputs_and_run_metadata_cleared():
    """Are cell ids and bpkit metadata kept while outputs, counts and timings go?"""
    solution = toy.solution_notebook(executed=True)
    solution.metadata["widgets"] = {"state": {"secret": 42}}
    for cell in solution.cells:
        cell.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00"}
    exercise = ex.generate_exercise(solution, toy.NAME)
    assert [c["id"] for c in exercise.cells] == [c["id"] for c in solution.cells]
    for before, after in zip(solution.cells, exercise.cells):
        assert after.metadata.get("bpkit") == before.metadata.get("bpkit")
        assert "execution" not in after.metadata
        if after.cell_type == "code":
            assert after.outputs == [] and after.execution_count is None
    assert "widgets" not in exercise.metadata
    assert any(c.get("outputs") for c in solution.cells)  # the solution itself is untouched
    nbformat.validate(exercise)


def test_generation_is_byte_identical_on_rerun(course: Path):
    """Does generating twice (and round-tripping through nbformat) give the same bytes?"""
    path = course / "solutions" / toy.NAME
    first, second = ex.exercise_text(path), ex.exercise_text(path)
    assert first == second
    assert ex.dumps(nbformat.reads(first, as_version=4)) == first


def _break(kind: str):
    """A solution notebook broken in one way, and the message fragment it must produce."""
    nb = toy.solution_notebook()
    cell = {c["id"]: c for c in nb.cells}
    if kind == "unbalanced":
        cell["answer-mul"].source = cell["answer-mul"].source.replace("    ### END SOLUTION", "")
        return nb, "cell 'answer-mul', line 3: ### BEGIN SOLUTION is never closed"
    if kind == "nested":
        cell["answer-add"].source = cell["answer-add"].source.replace(
            "    return a + b", "    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION")
        return nb, "cell 'answer-add', line 3: nested"
    if kind == "marker in markdown":
        cell["md-add"].source += "\n### BEGIN SOLUTION\nthe answer is a + b\n### END SOLUTION"
        return nb, "cell 'md-add': solution marker in a markdown cell"
    if kind == "marker in check cell":
        cell["check-add"].source = "### BEGIN SOLUTION\nchecks.add(add)\n### END SOLUTION"
        return nb, "cell 'check-add': solution marker in a cell whose role is 'check'"
    if kind == "marker in plain code cell":
        nb.cells.insert(2, copy.deepcopy(cell["answer-add"]))
        nb.cells[2]["id"], nb.cells[2].metadata = "plain", {}
        return nb, "cell 'plain': solution marker in a cell whose role is None"
    if kind == "answer without markers":
        cell["answer-add"].source = "def add(a, b):\n    return a + b"
        return nb, "cell 'answer-add': answer cell of 91.1 has no ### BEGIN SOLUTION"
    if kind == "check without points":
        del cell["check-mul"].metadata["bpkit"]["points"]
        return nb, "cell 'check-mul': check cell of 91.2 needs metadata bpkit.points"
    if kind == "no check cell":
        nb.cells.remove(cell["check-square"])
        return nb, "exercise 91.3 has answer cells but no check cell"
    if kind == "two check cells":
        extra = copy.deepcopy(cell["check-add"])
        extra["id"] = "check-add-2"
        nb.cells.append(extra)
        return nb, "cell 'check-add-2': second check cell for exercise 91.1"
    if kind == "answer after check":
        nb.cells.remove(cell["answer-add"])
        nb.cells.insert(nb.cells.index(cell["check-add"]) + 1, cell["answer-add"])
        return nb, "cell 'answer-add': answer cell of 91.1 comes after its check cell"
    if kind == "wrong notebook number":
        cell["check-add"].metadata["bpkit"]["exercise"] = "92.1"
        return nb, "exercise 92.1 does not belong in a notebook numbered 91"
    if kind == "duplicate id":
        cell["md-mul"]["id"] = "md-add"
        return nb, "cell 'md-add': duplicate cell id"
    if kind == "unknown role":
        cell["answer-add"].metadata["bpkit"]["role"] = "solution"
        return nb, "cell 'answer-add': unknown role 'solution'"
    raise AssertionError(kind)


BROKEN = ["unbalanced", "nested", "marker in markdown", "marker in check cell",
          "marker in plain code cell", "answer without markers", "check without points",
          "no check cell", "two check cells", "answer after check", "wrong notebook number",
          "duplicate id", "unknown role"]


@pytest.mark.parametrize("kind", BROKEN)
def test_broken_solution_is_an_error_naming_notebook_and_cell(kind: str):
    """Does each way of breaking the conventions raise, naming the notebook and the cell?"""
    nb, message = _break(kind)
    with pytest.raises(ex.NotebookFormatError) as info:
        ex.generate_exercise(nb, "solutions/91_toy.ipynb")
    assert any(p.startswith("solutions/91_toy.ipynb") and message in p
               for p in info.value.problems), info.value.problems


def test_cells_without_ids_are_refused(tmp_path: Path):
    """Is an nbformat 4.4 notebook (no cell ids) refused rather than given random ids?"""
    nb = toy.solution_notebook()
    nb.nbformat_minor = 4
    for cell in nb.cells:
        del cell["id"]
    path = tmp_path / toy.NAME
    path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ex.NotebookFormatError, match="save it as 4.5"):
        ex.exercise_text(path)


# --------------------------------------------------------------------------- sync


def test_sync_writes_missing_exercises_then_reports_them_in_sync(course: Path):
    """Does sync create exercises/ and does a second plan find everything in sync?"""
    entries = ex.sync(course / "solutions", course / "exercises")
    assert [(e.exercise.name, e.state) for e in entries] == [(toy.NAME, "missing")]
    written = (course / "exercises" / toy.NAME).read_text(encoding="utf-8")
    assert written == ex.dumps(toy.exercise_notebook())
    assert [e.state for e in ex.plan_sync(course / "solutions", course / "exercises")] == ["in sync"]


def test_sync_check_detects_drift_from_either_side(course: Path):
    """Is an exercise out of sync after the solution changes, and after a hand edit?"""
    ex.sync(course / "solutions", course / "exercises")
    solution_path = course / "solutions" / toy.NAME
    solution = nbformat.read(solution_path, as_version=4)
    toy.cell_by_id(solution, "md-add").source += " Now with more explanation."
    toy.write(solution, solution_path)
    assert [e.state for e in ex.plan_sync(course / "solutions", course / "exercises")] == ["out of sync"]

    ex.sync(course / "solutions", course / "exercises")
    exercise_path = course / "exercises" / toy.NAME
    exercise_path.write_text(exercise_path.read_text().replace("Three tiny", "Three small"))
    assert [e.state for e in ex.plan_sync(course / "solutions", course / "exercises")] == ["out of sync"]


def test_orphan_exercise_is_reported_and_never_deleted(course: Path):
    """Is an exercise without a solution reported as an orphan and left on disk?"""
    ex.sync(course / "solutions", course / "exercises")
    orphan = course / "exercises" / "92_gone.ipynb"
    orphan.write_text((course / "exercises" / toy.NAME).read_text())
    entries = ex.sync(course / "solutions", course / "exercises")
    assert {e.exercise.name: e.state for e in entries}["92_gone.ipynb"] == "orphan"
    assert orphan.exists()


def _stale(course: Path) -> Path:
    """Sync, then change the solution so the exercise must be rewritten."""
    ex.sync(course / "solutions", course / "exercises")
    path = course / "solutions" / toy.NAME
    solution = nbformat.read(path, as_version=4)
    toy.cell_by_id(solution, "intro").source += "\nRevised."
    toy.write(solution, path)
    return course / "exercises" / toy.NAME


def test_sync_refuses_to_overwrite_an_executed_exercise_unless_forced(course: Path):
    """Is a student's run exercise (outputs, counts) safe from sync, but not from --force?"""
    target = _stale(course)
    nb = nbformat.read(target, as_version=4)
    cell = toy.cell_by_id(nb, "check-add")
    cell.execution_count, cell.outputs = 3, [new_output("stream", name="stdout", text="hello\n")]
    toy.write(nb, target)
    before = target.read_bytes()
    with pytest.raises(ex.UnsafeSyncError, match="cell 'check-add' has been run"):
        ex.sync(course / "solutions", course / "exercises")
    assert target.read_bytes() == before
    ex.sync(course / "solutions", course / "exercises", force=True)
    assert "Revised." in target.read_text()


def test_sync_refuses_to_overwrite_filled_in_answers(course: Path):
    """Is an exercise whose answer was typed in (but never run) also protected?"""
    target = _stale(course)
    toy.write(toy.answered(nbformat.read(target, as_version=4), {"91.1": toy.RIGHT["91.1"]}), target)
    before = target.read_bytes()
    with pytest.raises(ex.UnsafeSyncError, match="answer cell 'answer-add' has been filled in"):
        ex.sync(course / "solutions", course / "exercises")
    assert target.read_bytes() == before


def test_sync_overwrites_a_pristine_stale_exercise(course: Path):
    """Does sync replace a generated-but-stale exercise without needing --force?"""
    target = _stale(course)
    ex.sync(course / "solutions", course / "exercises")
    assert "Revised." in target.read_text()


def test_one_broken_solution_means_nothing_is_written(course: Path):
    """With one good and one unbalanced solution, is no exercise written at all (no leak)?"""
    nb, _ = _break("unbalanced")
    for cell in nb.cells:
        bp = cell.metadata.get("bpkit", {})
        if "exercise" in bp:
            bp["exercise"] = bp["exercise"].replace("91.", "92.")
    toy.write(nb, course / "solutions" / "92_broken.ipynb")
    with pytest.raises(ex.NotebookFormatError, match="92_broken.ipynb, cell 'answer-mul', line 3"):
        ex.sync(course / "solutions", course / "exercises")
    assert not (course / "exercises").exists() or not list((course / "exercises").iterdir())


def test_sync_refuses_exercises_inside_solutions(course: Path):
    """Can sync be pointed at the solutions directory itself? (It must not.)"""
    with pytest.raises(ex.UnsafeSyncError):
        ex.sync(course / "solutions", course / "solutions")
    with pytest.raises(ex.UnsafeSyncError):
        ex.sync(course / "solutions", course / "solutions" / "out")


REPO = Path(__file__).resolve().parents[1]


def graded(notebook: Path) -> dict[str, int]:
    """The graded exercises of a solution notebook: id -> points, read from its check cells."""
    nb = nbformat.read(notebook, as_version=4)
    return {c.metadata["bpkit"]["exercise"]: c.metadata["bpkit"]["points"]
            for c in nb.cells if ex.role(c) == "check"}


def test_every_lesson_has_at_least_three_graded_exercises_and_the_course_thirty_two():
    """Does every lesson have a solution notebook with at least 3 graded exercises (ids NN.1, NN.2, ...), and the
    course at least 32 in all?"""
    lessons = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
    total = 0
    for lesson in lessons:
        solution = REPO / "solutions" / lesson.name
        assert solution.exists(), f"lesson {lesson.name} has no solutions/{lesson.name}"
        ids = graded(solution)
        number = lesson.name[:2]
        assert len(ids) >= 3, f"{solution.name} has {len(ids)} graded exercises: {sorted(ids)}"
        assert sorted(ids) == [f"{number}.{k}" for k in range(1, len(ids) + 1)], sorted(ids)
        assert all(p >= 1 for p in ids.values()), ids
        total += len(ids)
    assert total >= 32, f"the course has {total} graded exercises"


def test_graded_reads_the_check_cells(tmp_path: Path):
    """Does the reader count check cells (and nothing else), so that the test above cannot pass on nothing?"""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("checks.x(f)", metadata={"bpkit": {"exercise": "05.1", "role": "check",
                                                                            "points": 2}}),
                nbformat.v4.new_code_cell("def f(): pass", metadata={"bpkit": {"exercise": "05.1", "role": "answer"}}),
                nbformat.v4.new_markdown_cell("text")]
    nbformat.write(nb, tmp_path / "05_x.ipynb")
    assert graded(tmp_path / "05_x.ipynb") == {"05.1": 2}

"""Tests for bpkit.course.grading: running notebooks, scorecards, tamper-resistant grading.

Kernels run the toy course of tests/fixtures/grading (exercises 91.1-91.3, worth
2 + 3 + 1 points; checks in toychecks.py, put on the kernels' PYTHONPATH). The
infinite-loop cases use a 2 s cell timeout to stay quick (setup cells, the imports,
always get at least grading.SETUP_TIMEOUT, so a busy machine does not fail them);
the others a generous one, so that a loaded machine cannot make them flaky.
"""
from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output

from bpkit.course import grading
import toycourse as toy

FIXTURES = Path(__file__).parent / "fixtures" / "grading"

TIMEOUT = 30
LOOP_TIMEOUT = 2


@pytest.fixture(scope="module", autouse=True)
def toychecks_on_kernel_path():
    """Kernels (and grading worker processes) can import toychecks."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", str(FIXTURES), prepend=":")
        yield


def digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def by_id(results) -> dict[str, grading.ExerciseResult]:
    return {e.exercise: e for e in results}


def fake_passed_outputs(nb) -> None:
    """Store outputs claiming every check passed, as a cheating student might."""
    for cell in nb.cells:
        meta = cell.metadata.get("bpkit", {})
        if meta.get("role") == "check":
            ex = meta["exercise"]
            cell.execution_count = 1
            cell.outputs = [new_output("stream", name="stdout", text=(
                f"PASSED {ex} {toy.TITLES[ex]} [{toy.POINTS[ex]}/{toy.POINTS[ex]} points]\n"))]


# --------------------------------------------------------------------------- kernel environment


def test_kernels_use_bpkit_profile_and_this_python(tmp_path: Path):
    """Do kernels start with IPYTHONDIR at bpkit's profile (no colour, Minimal xmode) and this Python?"""
    cells = [new_code_cell(
        "import os, sys\nip = get_ipython()\n"
        "print(os.environ['IPYTHONDIR']); print(sys.executable)\n"
        "print(ip.colors); print(ip.InteractiveTB.mode); print(os.getcwd())")]
    (run,) = grading.run_cells(cells, timeout=30, cwd=tmp_path)
    assert run.status == "ok", run
    ipdir, executable, colors, mode, cwd = run.stdout.split("\n")[:5]
    assert Path(ipdir) == grading.ipython_dir() and (grading.ipython_dir() / "profile_default").is_dir()
    assert Path(executable).resolve() == Path(sys.executable).resolve()
    assert colors.lower() == "nocolor" and mode == "Minimal"
    assert Path(cwd).resolve() == tmp_path.resolve()


def test_kernel_env_prepends_pythonpath_and_makes_it_absolute(monkeypatch):
    """Does kernel_env keep the caller's PYTHONPATH (absolute) after the extra paths?"""
    monkeypatch.setenv("PYTHONPATH", "relative/dir")
    env = grading.kernel_env(["/opt/extra"])
    assert env["PYTHONPATH"].split(":") == ["/opt/extra", str(Path("relative/dir").resolve())]
    assert env["IPYTHONDIR"] == str(grading.ipython_dir())


def test_kernels_never_run_checks_in_report_mode(monkeypatch):
    """Started from the course's JupyterLab (BPKIT_CHECKS=report in the environment), do bpkit's own
    kernels still get checks that raise, not the report mode meant for a student's Run All?"""
    monkeypatch.setenv("BPKIT_CHECKS", "report")
    assert "BPKIT_CHECKS" not in grading.kernel_env()


def test_check_scores_the_same_when_report_mode_is_set(monkeypatch, tmp_path: Path):
    """Does `bpkit check` run in a terminal of the course's JupyterLab (report mode set) still score
    a wrong answer 0 and a right one full marks?"""
    monkeypatch.setenv("BPKIT_CHECKS", "report")
    path = toy.write(toy.answered(toy.exercise_notebook(), toy.RIGHT), tmp_path / "mine.ipynb")
    assert grading.check_notebook(path, timeout=TIMEOUT).earned == 6
    path = toy.write(toy.exercise_notebook(), tmp_path / toy.NAME)
    assert grading.check_notebook(path, timeout=TIMEOUT).earned == 0


# --------------------------------------------------------------------------- check (a student)


def test_check_solved_notebook_passes_everything_and_leaves_the_file_alone(tmp_path: Path):
    """Does a fully solved notebook score 6/6, and is the student's file byte-for-byte unchanged?"""
    path = toy.write(toy.answered(toy.exercise_notebook(), toy.RIGHT), tmp_path / "mine.ipynb")
    before = digest(path)
    result = grading.check_notebook(path, timeout=TIMEOUT)
    assert digest(path) == before
    assert [(e.exercise, e.passed, e.earned, e.title) for e in result.exercises] == [
        ("91.1", True, 2, "add two numbers"), ("91.2", True, 3, "multiply two numbers"),
        ("91.3", True, 1, "square a number")]
    assert (result.earned, result.possible, result.all_passed) == (6, 6, True)
    card = grading.format_scorecard(result)
    assert "PASSED  91.2" in card and card.endswith("Total: 6/6 points (3 of 3 exercises passed)")


def test_check_unsolved_notebook_fails_everything_with_the_not_answered_hint(tmp_path: Path):
    """Does the shipped exercise score 0/6 with 'not answered yet' hints and no other noise?"""
    path = toy.write(toy.exercise_notebook(), tmp_path / toy.NAME)
    result = grading.check_notebook(path, timeout=TIMEOUT)
    assert (result.earned, result.possible) == (0, 6)
    for e in result.exercises:
        assert not e.passed and e.hint.startswith("not answered yet"), e
        assert e.problem is None, e  # the unanswered cells' NotImplementedError is not news


def test_check_partial_notebook_gives_hints_partial_credit_and_ignores_saved_outputs(tmp_path: Path):
    """Wrong 91.1, crashing 91.2, right 91.3, saved fake PASSED outputs: is it 1/6 with the right hints?"""
    nb = toy.answered(toy.exercise_notebook(), {
        "91.1": toy.WRONG["91.1"][0],
        "91.2": "def mul(a, b):\n    return a * b\nundefined_name + 1",  # crashes at top level
        "91.3": toy.RIGHT["91.3"]})
    toy.cell_by_id(nb, "answer-mul").source = "def mul(a, b):\n    return a / 0"
    fake_passed_outputs(nb)
    path = toy.write(nb, tmp_path / "partial.ipynb")
    before = digest(path)
    result = grading.check_notebook(path, timeout=TIMEOUT)
    assert digest(path) == before
    got = by_id(result.exercises)
    assert not got["91.1"].passed and got["91.1"].hint == toy.WRONG["91.1"][1]
    assert not got["91.2"].passed
    assert got["91.2"].hint == "your code raised ZeroDivisionError: division by zero (your cell, line 2: `return a / 0`)"
    assert got["91.3"].passed and result.earned == 1
    card = grading.format_scorecard(result)
    assert f"Hint: {toy.WRONG['91.1'][1]}" in card and "Total: 1/6 points" in card


def test_answer_cell_crash_is_reported_with_the_check_failure(tmp_path: Path):
    """If an answer cell itself raises, does the scorecard say so next to the check's failure?"""
    nb = toy.answered(toy.exercise_notebook(), {"91.1": "def add(a, b)\n    return a + b",
                                                  "91.2": toy.RIGHT["91.2"]})
    result = grading.check_notebook(toy.write(nb, tmp_path / "syntax.ipynb"), timeout=TIMEOUT)
    got = by_id(result.exercises)
    assert not got["91.1"].passed
    assert "cell #4 (your answer) raised SyntaxError" in got["91.1"].problem
    assert got["91.2"].passed and result.earned == 3


def test_deleted_check_cell_is_reported_by_check(tmp_path: Path):
    """Does `check` report an exercise whose check cell the student deleted, instead of hiding it?"""
    nb = toy.answered(toy.exercise_notebook(), toy.RIGHT)
    nb.cells.remove(toy.cell_by_id(nb, "check-mul"))
    result = grading.check_notebook(toy.write(nb, tmp_path / "x.ipynb"), timeout=TIMEOUT)
    got = by_id(result.exercises)
    assert not got["91.2"].passed and "no check cell" in got["91.2"].problem
    assert not result.all_passed


def test_infinite_loop_and_kernel_death_fail_only_their_exercises(tmp_path: Path):
    """A top-level infinite loop (91.1) and os._exit (91.2): does 91.3 still pass after both?"""
    nb = toy.answered(toy.exercise_notebook(), {
        "91.1": "while True:\n    pass",
        "91.2": "import os\ndef mul(a, b):\n    os._exit(1)",
        "91.3": toy.RIGHT["91.3"]})
    result = grading.check_notebook(toy.write(nb, tmp_path / "loop.ipynb"), timeout=LOOP_TIMEOUT)
    got = by_id(result.exercises)
    assert "timed out after 2 s" in got["91.1"].problem and "interrupted" in got["91.1"].problem
    assert "killed the kernel" in got["91.2"].problem and "restarted" in got["91.2"].problem
    assert got["91.3"].passed and result.earned == 1


def test_uninterruptible_loop_restarts_the_kernel_and_grading_goes_on(tmp_path: Path):
    """If a loop ignores the interrupt, is the kernel restarted (setup replayed) so 91.2, 91.3 pass?"""
    nb = toy.answered(toy.exercise_notebook(), {
        "91.1": "import signal\ndef add(a, b):\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                "    while True:\n        pass",
        "91.2": toy.RIGHT["91.2"], "91.3": toy.RIGHT["91.3"]})
    result = grading.check_notebook(toy.write(nb, tmp_path / "stubborn.ipynb"), timeout=LOOP_TIMEOUT)
    got = by_id(result.exercises)
    assert "did not answer an interrupt, so it was restarted" in got["91.1"].problem
    assert got["91.2"].passed and got["91.3"].passed and result.earned == 4


def test_setup_cells_get_more_time_than_students_cells(tmp_path: Path):
    """With a 1 s timeout, does a slow setup cell still finish while a slow plain cell times out?"""
    setup = new_code_cell("import time\ntime.sleep(2.5)")
    setup.metadata["bpkit"] = {"role": "setup"}
    plain = new_code_cell("import time\ntime.sleep(2.5)")
    runs = grading.run_cells([setup, plain], timeout=1, cwd=tmp_path)
    assert [(r.status, r.limit) for r in runs] == [("ok", grading.SETUP_TIMEOUT), ("timeout", 1)]


def test_unreadable_notebook_is_an_error_not_a_crash(tmp_path: Path):
    """Does `check` on a file that is not JSON return an error result?"""
    path = tmp_path / "broken.ipynb"
    path.write_text("{ not json")
    result = grading.check_notebook(path)
    assert result.error and "cannot read" in result.error and not result.all_passed


def test_kernel_that_cannot_start_is_an_error_not_a_crash(tmp_path: Path):
    """If the kernel cannot even start (a broken Python environment), is that an error result?"""
    path = toy.write(toy.answered(toy.exercise_notebook(), toy.RIGHT), tmp_path / "mine.ipynb")
    env = dict(grading.kernel_env(), PYTHONHOME=str(tmp_path / "no-such-python"))
    result = grading.check_notebook(path, timeout=TIMEOUT, env=env)
    assert result.error.startswith("could not run the notebook: the kernel did not start")
    assert not result.all_passed


# --------------------------------------------------------------------------- restoring cells (no kernel)


def tampered() -> nbformat.NotebookNode:
    """A submission with every kind of check/setup tampering at once."""
    nb = toy.answered(toy.exercise_notebook(), toy.RIGHT)
    check_add = toy.cell_by_id(nb, "check-add")
    check_add.source = 'print("PASSED 91.1 add two numbers [2/2 points]")'
    check_add.metadata["tags"] = ["NBVAL_SKIP", "nbval-skip", "raises-exception"]
    check_add.metadata["bpkit"]["points"] = 100
    nb.cells.remove(toy.cell_by_id(nb, "check-mul"))
    toy.cell_by_id(nb, "setup").source = "checks = None"
    square = toy.cell_by_id(nb, "check-square")
    square["id"] = "renamed"  # found again by its exercise + role
    square.source = "pass"
    fake = new_code_cell('print("PASSED 91.3 square a number [1/1 points]")')
    fake["id"], fake.metadata["bpkit"] = "fake", {"exercise": "91.3", "role": "check", "points": 1}
    nb.cells.append(fake)
    return nb


def test_restore_undoes_edits_tags_metadata_and_reinserts_deleted_checks():
    """Are edited/tagged/renamed check cells and the setup cell restored, and the deleted one re-inserted?"""
    release = toy.exercise_notebook()
    restored, changes = grading.restore_protected_cells(tampered(), release)
    released = {c["id"]: c for c in release.cells
                if c.metadata.get("bpkit", {}).get("role") in ("check", "setup")}
    for cid, cell in released.items():
        (match,) = [c for c in restored.cells if c["id"] == cid]
        assert match.source == cell.source and match.metadata == cell.metadata
    ids = [c["id"] for c in restored.cells]
    assert ids.index("check-mul") == ids.index("answer-mul") + 1  # right after its answer
    assert ids.index("check-square") == ids.index("answer-square-2") + 1  # took "renamed"'s place
    fake = next(c for c in restored.cells if c["id"] == "fake")
    assert "role" not in fake.metadata["bpkit"]  # no longer claims to be a check
    assert len(changes) == 5, changes
    assert any("re-inserted the deleted check cell 'check-mul'" in c for c in changes)


def test_restore_of_an_untouched_submission_changes_nothing():
    """Is restoring a faithful submission a no-op (same cells, no changes reported)?"""
    submission = toy.answered(toy.exercise_notebook(), toy.RIGHT)
    restored, changes = grading.restore_protected_cells(submission, toy.exercise_notebook())
    assert changes == [] and restored == submission


def test_restore_does_not_call_front_end_metadata_an_edit():
    """Are collapsed outputs and run timings on a check cell not reported as tampering?"""
    submission = toy.answered(toy.exercise_notebook(), toy.RIGHT)
    check = toy.cell_by_id(submission, "check-add")
    check.metadata.update(collapsed=True, scrolled=False, jupyter={"outputs_hidden": True},
                          execution={"iopub.status.busy": "2024-01-01T00:00:00Z"})
    restored, changes = grading.restore_protected_cells(submission, toy.exercise_notebook())
    assert changes == []
    assert toy.cell_by_id(restored, "check-add").metadata == toy.cell_by_id(
        toy.exercise_notebook(), "check-add").metadata  # still replaced by the released cell


def test_restore_reinserts_a_deleted_setup_cell_in_its_place():
    """Does a deleted setup cell come back after the cell that precedes it in the release?"""
    submission = toy.answered(toy.exercise_notebook(), toy.RIGHT)
    submission.cells.remove(toy.cell_by_id(submission, "setup"))
    restored, changes = grading.restore_protected_cells(submission, toy.exercise_notebook())
    assert [c["id"] for c in restored.cells][:2] == ["intro", "setup"]
    assert changes == ["re-inserted the deleted setup cell 'setup'"]


def test_match_release_by_name_then_by_shared_ids(tmp_path: Path):
    """Is a submission matched to its release by file name, else by the cell ids it shares?"""
    ours = toy.write(toy.exercise_notebook(), tmp_path / "release" / toy.NAME)
    other = new_code_cell("x = 1")
    other["id"] = "other"
    theirs = toy.write(nbformat.v4.new_notebook(cells=[other]), tmp_path / "release" / "92_other.ipynb")
    releases = [ours, theirs]
    assert grading.match_release(tmp_path / "alice" / toy.NAME, None, releases) == ours
    assert grading.match_release(tmp_path / "bob.ipynb", toy.exercise_notebook(), releases) == ours
    assert grading.match_release(tmp_path / "bob.ipynb", None, releases) is None
    assert grading.student_name(tmp_path / "alice" / toy.NAME, ours) == "alice"
    assert grading.student_name(tmp_path / "bob.ipynb", ours) == "bob"


# --------------------------------------------------------------------------- grade (an instructor)


@pytest.fixture(scope="module")
def graded(tmp_path_factory, sandboxed):
    """Grade six submissions in two processes; return (results by student, csv path, json path)."""
    root = tmp_path_factory.mktemp("class")
    release = toy.write(toy.exercise_notebook(), root / "release" / toy.NAME)
    subs = root / "submissions"
    toy.write(toy.answered(toy.exercise_notebook(), toy.RIGHT), subs / "alice" / toy.NAME)
    # bob: solved nothing but 91.2, tampered with everything, stored fake PASSED outputs
    bob = tampered()
    bob = toy.answered(bob, {"91.1": toy.WRONG["91.1"][0], "91.3": toy.WRONG["91.3"][0]})
    fake_passed_outputs(bob)
    toy.write(bob, subs / "bob.ipynb")
    # carol: 91.2's answer loops forever, 91.3 kills the kernel; 91.1 is right
    toy.write(toy.answered(toy.exercise_notebook(), {
        "91.1": toy.RIGHT["91.1"], "91.2": "def mul(a, b):\n    while True:\n        pass",
        "91.3": "import os\ndef square(x):\n    os._exit(3)"}), subs / "carol.ipynb")
    (subs / "dave.ipynb").write_text('{"cells": [', encoding="utf-8")  # invalid JSON
    # erin: 91.2 raises inside her function; the others are right
    toy.write(toy.answered(toy.exercise_notebook(), {
        "91.1": toy.RIGHT["91.1"], "91.2": "def mul(a, b):\n    raise ValueError('oops')",
        "91.3": toy.RIGHT["91.3"]}), subs / "erin.ipynb")
    # frank: wrong answers, and answer cells that rebind `checks` and patch one of its checks
    toy.write(toy.answered(toy.exercise_notebook(), {
        "91.1": toy.WRONG["91.1"][0] + "\nclass Fake:\n    def add(self, f):\n"
                "        print('PASSED 91.1 add two numbers [2/2 points]')\nchecks = Fake()",
        "91.2": toy.WRONG["91.2"][0] + "\nchecks.mul = lambda f: print("
                "'PASSED 91.2 multiply two numbers [3/3 points]')",
        "91.3": toy.RIGHT["91.3"]}), subs / "frank.ipynb")
    paths = [subs / "alice" / toy.NAME, subs / "bob.ipynb", subs / "carol.ipynb",
             subs / "dave.ipynb", subs / "erin.ipynb", subs / "frank.ipynb"]
    before = {p: p.read_bytes() for p in paths}
    results = grading.grade_many(paths, release.parent, jobs=2, timeout=LOOP_TIMEOUT)
    assert {p: p.read_bytes() for p in paths} == before  # submissions are never written
    csv_path, json_path = grading.write_gradebook(results, root / "out" / "gradebook.csv")
    return {r.student: r for r in results}, csv_path, json_path


def test_grade_solved_submission_gets_full_marks(graded):
    """Is alice (solved, file named like the release, in her own folder) graded 6/6 under her name?"""
    results, _, _ = graded
    assert results["alice"].earned == 6 and results["alice"].all_passed and not results["alice"].notes


def test_grade_tampering_changes_nothing(graded):
    """Do bob's edited/skipped/deleted/faked check cells and fake outputs earn only his real 3 points?"""
    bob = graded[0]["bob"]
    got = by_id(bob.exercises)
    assert not got["91.1"].passed and got["91.1"].hint == toy.WRONG["91.1"][1]
    assert got["91.2"].passed
    assert not got["91.3"].passed and got["91.3"].hint == toy.WRONG["91.3"][1]
    assert (bob.earned, bob.possible) == (3, 6)  # points come from the release, not his metadata
    assert len(bob.notes) == 5


def test_grade_rebinding_or_patching_checks_in_answer_cells_changes_nothing(graded):
    """Does frank, whose answers rebind `checks` and patch `checks.mul`, get only his real 1 point?"""
    frank = graded[0]["frank"]
    got = by_id(frank.exercises)
    assert got["91.1"].hint == toy.WRONG["91.1"][1] and got["91.2"].hint == toy.WRONG["91.2"][1]
    assert frank.earned == 1


def test_grade_timeout_and_kernel_death_fail_only_their_exercises(graded):
    """Does carol keep her 2 points for 91.1 despite an infinite loop and a kernel death after it?"""
    carol = graded[0]["carol"]
    got = by_id(carol.exercises)
    assert got["91.1"].passed
    assert "timed out after 2 s" in got["91.2"].problem and "killed the kernel" in got["91.3"].problem
    assert carol.earned == 2


def test_grade_exception_in_one_exercise_does_not_zero_the_others(graded):
    """Does erin's ValueError in 91.2 leave her 91.1 and 91.3 points (3 of 6)?"""
    erin = graded[0]["erin"]
    assert by_id(erin.exercises)["91.2"].hint == "your code raised ValueError: oops (your cell, line 2: `raise ValueError('oops')`)"
    assert erin.earned == 3


def test_grade_invalid_json_gets_an_error_row(graded):
    """Does dave's unreadable file give a row with an error and zero points, not a crash?"""
    dave = graded[0]["dave"]
    assert dave.error.startswith("cannot read the submission") and dave.earned == 0
    assert dave.possible == 6


def test_gradebook_csv_and_json(graded):
    """Does the CSV have one row per student, one column per exercise, and the JSON the hints?"""
    _, csv_path, json_path = graded
    with csv_path.open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["student", "file", "91.1", "91.2", "91.3", "total", "possible", "status", "error"]
    assert {r["student"]: r["status"] for r in rows} == {
        "alice": "graded", "bob": "graded", "carol": "crashed", "dave": "invalid notebook", "erin": "graded",
        "frank": "graded"}
    table = {r["student"]: (r["91.1"], r["91.2"], r["91.3"], r["total"], r["possible"]) for r in rows}
    assert table == {"alice": ("2", "3", "1", "6", "6"), "bob": ("0", "3", "0", "3", "6"),
                     "carol": ("2", "0", "0", "2", "6"), "dave": ("0", "0", "0", "0", "6"),
                     "erin": ("2", "0", "1", "3", "6"), "frank": ("0", "0", "1", "1", "6")}
    assert [r["student"] for r in rows] == ["alice", "bob", "carol", "dave", "erin", "frank"]
    book = json.loads(json_path.read_text())
    assert book["exercises"] == ["91.1", "91.2", "91.3"]
    bob = next(s for s in book["students"] if s["student"] == "bob")
    assert bob["total"] == 3 and bob["exercises"]["91.1"]["hint"] == toy.WRONG["91.1"][1]
    assert bob["notes"] and bob["error"] is None


def test_grade_without_matching_release_is_an_error_row(tmp_path: Path, sandboxed):
    """With two releases and a renamed, unreadable submission, is the row an error, not a guess?"""
    release = tmp_path / "release"
    toy.write(toy.exercise_notebook(), release / toy.NAME)
    toy.write(nbformat.v4.new_notebook(), release / "92_other.ipynb")
    (tmp_path / "zed.ipynb").write_text("garbage")
    (result,) = grading.grade_many([tmp_path / "zed.ipynb"], release, jobs=1, timeout=TIMEOUT)
    assert result.error and result.exercises == [] and result.earned == 0

"""Tests for the ``bpkit`` command line (bpkit.course.cli).

Most commands run in-process through ``cli.main`` (argv, cwd, stdout and exit code as a user
sees them, without paying a Python start-up per call); the installed ``bpkit`` script,
``python -m bpkit`` and the full ``validate`` that CI runs are also run as subprocesses.
The course under test is the toy course of tests/fixtures/grading (exercises 91.1-91.3,
2 + 3 + 1 points), laid out in a temporary directory as lessons/, solutions/, exercises/.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from bpkit.course import cli, grading
from bpkit.course import exercises as ex
import toycourse as toy

FIXTURES = Path(__file__).parent / "fixtures" / "grading"

BPKIT_SCRIPT = Path(sys.executable).parent / "bpkit"


def bpkit(*args: str, cwd: Path, script: bool = False) -> subprocess.CompletedProcess:
    """Run ``python -m bpkit ARGS`` (or the installed ``bpkit`` script) with toychecks importable."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(FIXTURES)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    cmd = [str(BPKIT_SCRIPT)] if script else [sys.executable, "-m", "bpkit"]
    return subprocess.run(cmd + list(args), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def run(capsys, monkeypatch):
    """``run(*args, cwd=DIR)`` -> (exit code, stdout, stderr) of ``bpkit ARGS`` run in-process."""
    monkeypatch.setenv("PYTHONPATH", str(FIXTURES), prepend=os.pathsep)

    def run_bpkit(*args: str, cwd: Path) -> tuple[int, str, str]:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            code = cli.main(list(args))
        except SystemExit as e:  # argparse's usage errors and --help
            code = e.code
        out, err = capsys.readouterr()
        return code, out, err

    return run_bpkit


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A toy course: lessons/ and solutions/ (executed, so strict nbval passes), exercises/ in sync."""
    toy.write(toy.solution_notebook(executed=True), tmp_path / "solutions" / toy.NAME)
    lesson = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Lesson 91")])
    lesson.cells[0]["id"] = "intro"
    toy.write(lesson, tmp_path / "lessons" / "91_lesson.ipynb")
    ex.sync(tmp_path / "solutions", tmp_path / "exercises")
    return tmp_path


# --------------------------------------------------------------------------- help


def test_help_documents_every_command_and_option(tmp_path: Path, run):
    """Do `bpkit --help` (script and `python -m bpkit`) and each command's --help document it all?"""
    top = bpkit("--help", cwd=tmp_path, script=True)
    assert top.returncode == 0, top.stderr
    for command in ("check", "grade", "gradebook", "export", "feedback", "gradescope", "sync", "validate"):
        assert command in top.stdout
    assert bpkit("--help", cwd=tmp_path).stdout == top.stdout  # python -m bpkit is the same
    options = {"check": ["--timeout"], "grade": ["--release", "--out", "--jobs", "--timeout", "--unsafe-no-sandbox",
                                                 "--shard", "--resume", "--only", "--scheduler"],
               "gradebook": ["merge"], "export": ["canvas"], "feedback": ["--out"], "gradescope": ["build", "run"],
               "sync": ["--check", "--force", "--solutions", "--exercises"],
               "validate": ["--only", "--jobs", "--timeout", "--lessons", "--solutions", "--exercises"]}
    for command, flags in options.items():
        code, out, _ = run(command, "--help", cwd=tmp_path)
        assert code == 0 and all(f in out for f in flags), (command, out)
    assert run(cwd=tmp_path)[0] == 2  # no command: a usage error
    assert run("validate", "--only", "nbval,lint", cwd=tmp_path)[0] == 2  # unknown part
    assert run("check", "x.ipynb", "--timeout", "0", cwd=tmp_path)[0] == 2


def test_help_does_not_load_the_notebook_machinery():
    """Does `bpkit --help` answer without importing the kernel machinery (the reason its defaults live in
    bpkit.course.settings), while the grader uses the same defaults?"""
    probe = ("import sys; from bpkit.course import cli; "
             "print(sorted(m for m in ('jupyter_client', 'nbformat', 'bpkit.course.grading') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert (cli.DEFAULT_TIMEOUT, cli.SETUP_TIMEOUT) == (grading.DEFAULT_TIMEOUT, grading.SETUP_TIMEOUT)


# --------------------------------------------------------------------------- sync


def test_sync_check_fails_until_sync_writes_the_exercises(course: Path, run):
    """From a subdirectory of the course: does --check fail, sync write, and --check then pass?"""
    shutil.rmtree(course / "exercises")
    inside = course / "solutions"
    code, out, _ = run("sync", "--check", cwd=inside)
    assert code == 1 and "missing: " in out and "bpkit sync" in out
    assert not (course / "exercises").exists()  # --check writes nothing
    code, out, _ = run("sync", cwd=inside)
    assert code == 0 and "wrote " in out
    assert (course / "exercises" / toy.NAME).read_text() == ex.dumps(toy.exercise_notebook())
    assert run("sync", "--check", cwd=inside)[0] == 0


def test_sync_check_reports_drift_by_name(course: Path, run):
    """After a solution changes, does `sync --check` exit 1 naming the stale exercise?"""
    path = course / "solutions" / toy.NAME
    nb = nbformat.read(path, as_version=4)
    toy.cell_by_id(nb, "md-mul").source += " (changed)"
    toy.write(nb, path)
    code, out, _ = run("sync", "--check", cwd=course)
    assert code == 1 and f"out of sync: exercises/{toy.NAME}" in out


def test_sync_with_explicit_dirs_and_an_orphan(tmp_path: Path, course: Path, run):
    """Do --solutions/--exercises work from anywhere, and does an orphan exercise fail the sync?"""
    (course / "exercises" / "92_old.ipynb").write_text((course / "exercises" / toy.NAME).read_text())
    code, out, _ = run("sync", "--solutions", str(course / "solutions"),
                       "--exercises", str(course / "exercises"), cwd=tmp_path.parent)
    assert code == 1 and "92_old.ipynb has no solution notebook" in out
    assert (course / "exercises" / "92_old.ipynb").exists()


def test_sync_with_an_unbalanced_marker_exits_2_and_writes_nothing(course: Path, run):
    """Does an unbalanced marker stop sync with the notebook, cell and line, leaking nothing?"""
    shutil.rmtree(course / "exercises")
    path = course / "solutions" / toy.NAME
    nb = nbformat.read(path, as_version=4)
    cell = toy.cell_by_id(nb, "answer-add")
    cell.source = cell.source.replace("    ### END SOLUTION", "")
    toy.write(nb, path)
    code, _, err = run("sync", cwd=course)
    assert code == 2
    assert "91_toy.ipynb, cell 'answer-add', line 2: ### BEGIN SOLUTION is never closed" in err
    assert not (course / "exercises").exists()


def test_sync_never_overwrites_a_run_exercise_without_force(course: Path, run):
    """Is an exercise a student ran left alone (exit 2), and replaced only with --force?"""
    target = course / "exercises" / toy.NAME
    student = toy.answered(nbformat.read(target, as_version=4), toy.RIGHT)
    toy.cell_by_id(student, "check-add").execution_count = 1
    toy.write(student, target)
    before = target.read_bytes()
    code, _, err = run("sync", cwd=course)
    assert code == 2 and "student's work" in err
    assert target.read_bytes() == before
    assert run("sync", "--force", cwd=course)[0] == 0
    assert target.read_text() == ex.dumps(toy.exercise_notebook())


# --------------------------------------------------------------------------- check


def test_check_prints_a_scorecard_and_exit_code_without_touching_the_file(course: Path, run):
    """Does `bpkit check` exit 1 on a partial answer (scorecard, hint, total), 0 when solved, 2 if missing?"""
    partial = toy.write(toy.answered(toy.exercise_notebook(), {
        "91.1": toy.RIGHT["91.1"], "91.2": toy.WRONG["91.2"][0]}), course / "exercises" / "mine.ipynb")
    before = hashlib.sha256(partial.read_bytes()).hexdigest()
    code, out, err = run("check", "exercises/mine.ipynb", "--timeout", "20", cwd=course)
    assert code == 1, out + err
    assert hashlib.sha256(partial.read_bytes()).hexdigest() == before
    assert "PASSED  91.1   add two numbers" in out and "FAILED  91.2   multiply two numbers" in out
    assert f"Hint: {toy.WRONG['91.2'][1]}" in out and "Hint: not answered yet" in out
    assert "Total: 2/6 points (1 of 3 exercises passed)" in out
    assert "\x1b[" not in out + err  # no ANSI colour codes
    assert run("check", "nowhere.ipynb", cwd=course)[0] == 2


# --------------------------------------------------------------------------- grade


def test_grade_writes_csv_and_json_gradebooks(course: Path, run, sandboxed):
    """Does `bpkit grade DIR --out` grade every notebook found, in parallel, into CSV and JSON?"""
    subs = course / "submissions"
    toy.write(toy.answered(toy.exercise_notebook(), toy.RIGHT), subs / "ana" / toy.NAME)
    toy.write(toy.answered(toy.exercise_notebook(), {"91.3": toy.RIGHT["91.3"]}), subs / "ben" / toy.NAME)
    code, out, err = run("grade", "submissions", "--out", "out/book.csv", "--jobs", "2",
                         "--timeout", "20", cwd=course)
    assert code == 0, out + err
    assert "wrote out/book.csv and out/book.json" in out
    with (course / "out" / "book.csv").open() as f:
        rows = {r["student"]: (r["total"], r["possible"]) for r in csv.DictReader(f)}
    assert rows == {"ana": ("6", "6"), "ben": ("1", "6")}
    book = json.loads((course / "out" / "book.json").read_text())
    ben = next(s for s in book["students"] if s["student"] == "ben")
    assert ben["exercises"]["91.2"]["hint"].startswith("not answered yet")
    assert book["sandbox"] == "bubblewrap" and "warning" not in book and ben["status"] == "graded"
    assert "2 submissions: 2 graded" in out and "each in its own sandbox" in out and "WARNING" not in err


def test_grade_refuses_without_a_sandbox_and_says_how_to_install_it(course: Path, run, monkeypatch):
    """With no bwrap on PATH, does grade exit 2 and say how to install it (and write no gradebook)?"""
    from bpkit.course.grading import sandbox

    toy.write(toy.answered(toy.exercise_notebook(), toy.RIGHT), course / "submissions" / "ana" / toy.NAME)
    monkeypatch.setattr(sandbox, "bwrap", lambda: None)
    sandbox.problem.cache_clear()
    try:
        code, out, err = run("grade", "submissions", "--out", "out/book.csv", cwd=course)
    finally:
        sandbox.problem.cache_clear()
    assert code == 2 and "bwrap is not installed" in err and "apt-get install bubblewrap" in err
    assert "--unsafe-no-sandbox" in err and not (course / "out").exists()


def test_grade_unsafe_no_sandbox_warns_on_the_run_and_in_the_gradebook(course: Path, run, monkeypatch):
    """With --unsafe-no-sandbox (and no bwrap), does grade still grade, warn before and after, and mark the
    gradebook as graded without a sandbox?"""
    from bpkit.course.grading import sandbox

    toy.write(toy.answered(toy.exercise_notebook(), toy.RIGHT), course / "submissions" / "ana" / toy.NAME)
    monkeypatch.setattr(sandbox, "bwrap", lambda: None)
    sandbox.problem.cache_clear()
    try:
        code, out, err = run("grade", "submissions", "--out", "out/book.csv", "--unsafe-no-sandbox",
                             "--timeout", "20", cwd=course)
    finally:
        sandbox.problem.cache_clear()
    assert code == 0, out + err
    assert err.count("WARNING: graded WITHOUT a sandbox") == 2 and "NO SANDBOX" in out
    book = json.loads((course / "out" / "book.json").read_text())
    assert book["sandbox"] == "none" and book["warning"].startswith("WARNING: graded WITHOUT a sandbox")
    assert book["students"][0]["total"] == 6 and book["students"][0]["sandbox"] == "none"
    with (course / "out" / "book.csv").open() as f:
        assert [r["warning"] for r in csv.DictReader(f)] == ["graded without a sandbox"]


def test_grade_without_a_release_is_a_usage_error(tmp_path: Path, run):
    """Outside a course and without --release, does grade refuse (exit 2) instead of guessing?"""
    toy.write(toy.exercise_notebook(), tmp_path / "a.ipynb")
    code, _, err = run("grade", "a.ipynb", cwd=tmp_path)
    assert code == 2 and "no released notebooks" in err


# --------------------------------------------------------------------------- validate


def test_validate_on_an_empty_course_fails_every_part(tmp_path: Path, run):
    """With no notebooks at all, does every part of validate fail, saying so (never a silent pass)?"""
    for name in ("lessons", "solutions", "exercises"):
        (tmp_path / name).mkdir()
    code, out, _ = run("validate", cwd=tmp_path)
    assert code == 1
    assert "nbval: FAILED: no notebooks to run in" in out and "invert: FAILED: no notebooks" in out
    assert "sync: FAILED: no solution notebooks in solutions" in out
    assert "validate: 0 of 3 parts passed" in out


def test_validate_passes_on_a_correct_course(course: Path):
    """On a good course, does `python -m bpkit validate` (as CI runs it) pass nbval, sync and invert?"""
    result = bpkit("validate", "--jobs", "1", "--timeout", "60", "--invert-timeout", "20", cwd=course)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nbval   PASSED  2 notebooks pass strict nbval" in result.stdout
    assert "sync    PASSED  1 exercise notebooks in sync" in result.stdout
    assert "invert  PASSED  all 3 checks in 1 notebooks fail on the unsolved exercises" in result.stdout


def test_validate_nbval_fails_on_a_wrong_solution_despite_saved_passed_output(course: Path, run):
    """Does strict nbval fail a solution whose saved output says PASSED but whose answer is wrong?"""
    path = course / "solutions" / toy.NAME
    nb = nbformat.read(path, as_version=4)
    toy.cell_by_id(nb, "answer-mul").source = ("def mul(a, b):\n    ### BEGIN SOLUTION\n"
                                               "    return a + b\n    ### END SOLUTION")
    toy.write(nb, path)
    code, out, _ = run("validate", "--only", "nbval", "--jobs", "1", "--timeout", "60", cwd=course)
    assert code == 1
    assert "nbval   FAILED" in out and "solutions/91_toy.ipynb" in out
    assert toy.WRONG["91.2"][1] in out  # the check's hint shows in nbval's report
    assert "\x1b[" not in out  # no colour codes in a log
    assert "FAILED solutions/91_toy.ipynb::Cell" in out.split("nbval: FAILED")[1]  # the summary
    assert "sync" not in out.split("== validate: summary ==")[1]  # only the part asked for


def test_validate_sync_fails_on_drift(course: Path, run):
    """Does `validate --only sync` fail when an exercise was edited by hand?"""
    target = course / "exercises" / toy.NAME
    target.write_text(target.read_text().replace("Three tiny", "Three little"))
    code, out, _ = run("validate", "--only", "sync", cwd=course)
    assert code == 1 and f"out of sync: exercises/{toy.NAME}" in out
    assert "validate: 0 of 1 parts passed" in out
    code, out, _ = run("validate", "--only", "sync,sync", cwd=course)  # comma-separated works too
    assert code == 1 and "validate: 0 of 1 parts passed" in out


def test_validate_invert_fails_on_passing_or_crashing_checks(course: Path, run):
    """Does invert flag checks that pass on the 'unsolved' notebook and a check that crashes?"""
    toy.write(toy.answered(toy.exercise_notebook(), toy.RIGHT), course / "exercises" / toy.NAME)
    crashing = toy.exercise_notebook()
    toy.cell_by_id(crashing, "check-mul").source = "checks.mul(undefined_answer)"
    toy.write(crashing, course / "exercises" / "91_crash.ipynb")
    code, out, _ = run("validate", "--only", "invert", "--jobs", "2", "--invert-timeout", "20",
                       cwd=course)
    assert code == 1
    assert "4 of 6 checks do not fail properly" in out
    for exercise in ("91.1", "91.2", "91.3"):
        assert f"91_toy.ipynb: the check of {exercise} passes on the unsolved exercise" in out
    assert "91_crash.ipynb: the check of 91.2 raised NameError" in out


def test_nbval_command_is_strict_and_parallel_by_file():
    """Is nbval run strictly in this Python, with a cell timeout and xdist by file when asked?"""
    cmd = grading.nbval_command([Path("a.ipynb"), Path("b.ipynb")], jobs=2, timeout=30)
    assert cmd[:3] == [sys.executable, "-m", "pytest"]
    assert {"--nbval", "--nbval-current-env", "--nbval-cell-timeout=30"} <= set(cmd)
    assert "--nbval-lax" not in cmd and "--color=no" in cmd
    assert cmd[cmd.index("-n") + 1] == "2" and cmd[cmd.index("--dist") + 1] == "loadfile"
    assert "-n" not in grading.nbval_command([Path("a.ipynb")], jobs=2, timeout=30)


def test_a_killed_grade_run_keeps_every_row_it_graded(course: Path, sandboxed):
    """Killed (SIGKILL) while a looping submission runs, does `bpkit grade` leave a gradebook that parses and
    holds the rows graded before, and nothing the looping submission started?"""
    import signal
    import time

    subs = course / "submissions"
    toy.write(toy.answered(toy.exercise_notebook(), toy.RIGHT), subs / "a-ana" / toy.NAME)
    toy.write(toy.answered(toy.exercise_notebook(), {
        "91.1": "import subprocess, sys\n"
                "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', 'bpkit-killed-run-marker'],"
                " start_new_session=True)\n"
                "def add(a, b):\n    while True:\n        pass"}), subs / "b-bob" / toy.NAME)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(FIXTURES), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-m", "bpkit", "grade", "submissions", "--out", "out/book.csv",
                             "--jobs", "1", "--timeout", "120"], cwd=course, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    book = course / "out" / "book.csv"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if book.exists() and "a-ana" in book.read_text():
                break
            time.sleep(0.2)
        time.sleep(3)  # bob's notebook is running by now
        assert proc.poll() is None, "grade finished before it could be killed"
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # the grader only: its sandbox must die with it
        proc.wait()
    with book.open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["student"], r["total"], r["status"]) for r in rows] == [("a-ana", "6", "graded")]
    assert [s["student"] for s in json.loads(book.with_suffix(".json").read_text())["students"]] == ["a-ana"]
    time.sleep(2)
    left = subprocess.run(["pgrep", "-f", "bpkit-killed-run-marker"], capture_output=True, text=True).stdout
    assert left.strip() == ""

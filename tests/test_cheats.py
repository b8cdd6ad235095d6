"""The cheat catalogue (tests/cheats.py) against a naive grader and against ``bpkit grade``.

Every cheat is first shown to work against a naive grader (``pytest --nbval-lax``, the notebook's own
check cells in the student's kernel): it passes, spills into the next student's notebook, kills the
grader, or writes outside its notebook. Then one ``bpkit grade`` run (sandboxed, two at a time) grades
the whole class: an honest submission, an unsolved one, a "victim" (unsolved, graded among the
cheaters) and every cheat. No cheat may score more than the unsolved notebook, the victim must score
what it scores alone, honest answers keep full points, nothing outside the sandbox changes, nothing a
cheat started survives, and grading again gives the same gradebook.

Everything runs on copies: the bpkit package the kernels import (PYTHONPATH), the IPython profile and
the release, so that a cheat that does get through cannot harm this checkout.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

import bpkit
from bpkit.course import grading

from cheats import CHEATS, Cheat, build

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(bpkit.__file__).resolve().parent


@pytest.fixture(autouse=True)
def _needs_the_sandbox(sandboxed):
    """Every test here needs bubblewrap (see tests/conftest.py)."""


def notebook(kind: str, lesson: str) -> Path:
    return Path(glob.glob(str(ROOT / kind / f"{lesson}_*.ipynb"))[0])


def tree_digest(path: Path) -> str:
    """A digest of every file under ``path`` (names and bytes)."""
    digest = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            digest.update(str(p.relative_to(path)).encode() + p.read_bytes())
    return digest.hexdigest()


def copy_package(to: Path) -> Path:
    shutil.copytree(PACKAGE, to / "bpkit", ignore=shutil.ignore_patterns("__pycache__"))
    return to


class _Helper(socketserver.StreamRequestHandler):
    """The phone-home cheat's accomplice: answers a case with bpkit's gradient."""

    def handle(self):
        case = json.loads(self.rfile.readline())
        net = bpkit.Network.from_weights([np.array(w) for w in case["W"]],
                                         None if case["b"] is None else [np.array(b) for b in case["b"]],
                                         hidden=case["hidden"])
        g = bpkit.gradient(net, np.array(case["X"]), np.array(case["Y"]), case["lam"])
        reply = {"W": [w.tolist() for w in g.W], "b": None if g.b is None else [b.tolist() for b in g.b]}
        self.wfile.write(json.dumps(reply).encode() + b"\n")


@pytest.fixture(scope="module")
def helper():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Helper)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture(scope="module")
def paths(tmp_path_factory, helper):
    """Where the cheats aim: a classmate's submission, the gradebook, the instructor's solution, the helper."""
    root = tmp_path_factory.mktemp("targets")
    solution = root / "instructor" / notebook("solutions", "04").name
    solution.parent.mkdir()
    shutil.copy(notebook("solutions", "04"), solution)
    return {"root": root, "victim": root / "class" / "victim" / notebook("exercises", "04").name,
            "gradebook": root / "out" / "gradebook.csv", "solution": solution, "port": helper,
            "release": root / "release" / notebook("exercises", "04").name}


def write(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def cheat_notebook(cheat: Cheat, to: Path, paths: dict) -> Path:
    release = nbformat.read(notebook("exercises", cheat.lesson), as_version=4)
    fill = {k: v for k, v in paths.items() if k != "root"}
    return write(build(cheat, release, **fill), to / cheat.name / notebook("exercises", cheat.lesson).name)


def check_cell_item(path: Path, exercise: str) -> str:
    """nbval's name for the exercise's check cell: ``file::Cell N``, N counting code cells."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    n = next(k for k, c in enumerate(code) if c.metadata.get("bpkit", {}).get("role") == "check"
             and c.metadata["bpkit"].get("exercise") == exercise)
    return f"{path.name}::Cell {n}"


def naive(notebooks: list[Path], package: Path, profile: Path, cwd: Path, timeout: int = 300):
    """``pytest --nbval-lax`` over ``notebooks`` in one process, kernels importing ``package``'s bpkit
    and using the IPython profile ``profile``: (return code, {nbval item: "PASSED" | "FAILED"})."""
    env = dict(os.environ, PYTHONPATH=str(package), IPYTHONDIR=str(profile))
    env.pop("BPKIT_CHECKS", None)
    proc = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:xdist",
                           "-p", "no:cacheprovider", "-q", "-rA", "--color=no", *map(str, notebooks)],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    verdicts = {}
    for line in proc.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED") and "::Cell " in rest:
            item = rest.split(" - ")[0].strip()
            verdicts[Path(item.split("::")[0]).name + "::" + item.split("::")[1]] = word
    return proc.returncode, verdicts


def fresh_setting(root: Path) -> tuple[Path, Path]:
    """A disposable copy of the package and of bpkit's IPython profile."""
    package = copy_package(root / "pkg")
    profile = root / "ipython"
    shutil.copytree(grading.ipython_dir(), profile)
    return package, profile


# --------------------------------------------------------------------------- the naive grader is fooled


@pytest.mark.parametrize("cheat", [c for c in CHEATS if c.naive == "passes"], ids=lambda c: c.name)
def test_cheat_passes_a_naive_nbval_lax_grader(cheat, tmp_path, paths):
    """Does the cheat's own check cell pass under nbval-lax although the answer is not computed honestly?"""
    package, profile = fresh_setting(tmp_path)
    path = cheat_notebook(cheat, tmp_path / "subs", paths)
    _, verdicts = naive([path], package, profile, tmp_path)
    assert verdicts.get(check_cell_item(path, cheat.exercise)) == "PASSED", verdicts


@pytest.mark.parametrize("cheat", [c for c in CHEATS if c.naive == "spills"], ids=lambda c: c.name)
def test_cheat_spills_into_the_next_students_notebook_under_a_naive_grader(cheat, tmp_path, paths):
    """Run before an unsolved notebook, does the cheat make that other student's check cell pass?"""
    package, profile = fresh_setting(tmp_path)
    path = cheat_notebook(cheat, tmp_path / "subs", paths)
    victim = tmp_path / "zz_victim" / ("zz_" + notebook("exercises", cheat.lesson).name)
    victim.parent.mkdir()
    shutil.copy(notebook("exercises", cheat.lesson), victim)
    _, verdicts = naive([path, victim], package, profile, tmp_path)
    assert verdicts.get(check_cell_item(victim, cheat.exercise)) == "PASSED", verdicts


def test_kill_the_grader_kills_a_naive_grader(tmp_path, paths):
    """Does the kill cheat take the naive grader (pytest, the kernel's parent) down with it?"""
    cheat = next(c for c in CHEATS if c.naive == "kills")
    package, profile = fresh_setting(tmp_path)
    code, verdicts = naive([cheat_notebook(cheat, tmp_path / "subs", paths)], package, profile, tmp_path)
    assert code == -9 and not verdicts


def test_writing_cheats_write_outside_their_notebook_under_a_naive_grader(tmp_path, paths):
    """Do the wiping and the detached-writer cheats change a classmate's file and the gradebook?"""
    package, profile = fresh_setting(tmp_path)
    victim, gradebook, release = tmp_path / "victim.ipynb", tmp_path / "gradebook.csv", tmp_path / "release.ipynb"
    shutil.copy(notebook("exercises", "04"), victim)
    shutil.copy(notebook("exercises", "04"), release)
    gradebook.write_text("student,total\n")
    aims = dict(paths, victim=victim, gradebook=gradebook, release=release)
    subs = [cheat_notebook(c, tmp_path / "subs", aims) for c in CHEATS if c.naive == "writes"]
    naive(subs, package, profile, tmp_path)
    time.sleep(6)
    assert json.loads(victim.read_text()) == {"cells": []}
    assert "cheater,999" in gradebook.read_text()
    assert "print('PASSED')" in release.read_text()


# --------------------------------------------------------------------------- bpkit grade is not


@pytest.fixture(scope="module")
def graded(tmp_path_factory, paths):
    """One sandboxed grading run of the whole class, with its before-and-after state."""
    root = tmp_path_factory.mktemp("grade")
    package = copy_package(root / "pkg")
    klass = paths["victim"].parent.parent
    subs = {}
    for lesson in ("04", "07"):
        subs[f"honest-{lesson}"] = write(nbformat.read(notebook("solutions", lesson), 4),
                                         klass / f"honest-{lesson}" / notebook("exercises", lesson).name)
        subs[f"unsolved-{lesson}"] = write(nbformat.read(notebook("exercises", lesson), 4),
                                           klass / f"unsolved-{lesson}" / notebook("exercises", lesson).name)
    for cheat in CHEATS:
        subs[cheat.name] = cheat_notebook(cheat, klass, paths)
    subs["victim"] = write(nbformat.read(notebook("exercises", "04"), 4), paths["victim"])
    paths["gradebook"].parent.mkdir(parents=True, exist_ok=True)
    before = {"package": tree_digest(package), "profile": tree_digest(grading.ipython_dir()),
              "victim": paths["victim"].read_bytes(), "solution": paths["solution"].read_bytes()}
    release = paths["release"].parent  # where the release-rewriting cheat aims
    release.mkdir(exist_ok=True)
    for lesson in ("04", "07"):
        shutil.copy(notebook("exercises", lesson), release)
    before["release"] = tree_digest(release)
    order = [s for s in subs if s != "victim"] + ["victim"]  # the victim last, after every cheat
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", str(package))
        book = grading.Gradebook(paths["gradebook"], [], sandboxed=True)
        results = grading.grade_many([subs[s] for s in order], release, jobs=2, timeout=60, on_result=book.add)
        book.results = results
        book.write()
        written = paths["gradebook"].read_bytes()
        alone = grading.grade_many([subs["victim"]], release, jobs=1, timeout=60)[0]
        again = grading.grade_many([subs[s] for s in ("honest-04", "numpy-allclose", "frame-peek",
                                                      "central-differences", "unsolved-04")], release, jobs=2,
                                   timeout=60)
    time.sleep(6)  # long enough for the detached writer, had it survived
    return {"results": dict(zip(order, results)), "alone": alone, "again": again, "before": before,
            "package": package, "release": release, "written": written}


def test_honest_answers_keep_full_points(graded):
    """Do the solved notebooks of lessons 04 and 07, graded among the cheaters, get every point?"""
    for lesson in ("04", "07"):
        r = graded["results"][f"honest-{lesson}"]
        assert r.status == "graded" and r.earned == r.possible > 0, r


@pytest.mark.parametrize("cheat", CHEATS, ids=lambda c: c.name)
def test_no_cheat_scores_more_than_the_unsolved_notebook(graded, cheat):
    """Does each cheat get no more points than the unsolved notebook of its lesson (and no grader error)?"""
    r = graded["results"][cheat.name]
    unsolved = graded["results"][f"unsolved-{cheat.lesson}"]
    assert r.status not in ("grader error", "sandbox error"), r
    assert r.earned <= unsolved.earned == 0, r
    exercise = next(e for e in r.exercises if e.exercise == cheat.exercise)
    assert not exercise.passed


def test_the_trap_and_the_static_look_say_why(graded):
    """Do the honest-shortcut cheats get a hint that says what was wrong with them?"""
    def hint(name, exercise):
        return next(e for e in graded["results"][name].exercises if e.exercise == exercise).hint or ""
    assert "numerical differentiation is inaccurate" in hint("central-differences", "04.5")
    assert "is not right on a hidden test case" in hint("no-reload-patch-check", "04.5")  # patching changed nothing
    for name in ("gradient-by-reload", "gradient-by-exec"):
        assert "can undo how the check switches bpkit's own answer off" in hint(name, "04.5"), name
    assert "you called bpkit.softmax.softmax_delta" in hint("getattr-softmax-delta", "07.2")
    assert "no attribute 'f_locals'" in hint("frame-peek", "04.5")  # no reference in the student's process


def test_no_submission_changes_another(graded, paths):
    """Is the victim, graded after every cheat, scored exactly as when graded alone, its file untouched?"""
    victim, alone = graded["results"]["victim"], graded["alone"]
    assert [(e.exercise, e.earned, e.hint) for e in victim.exercises] == \
        [(e.exercise, e.earned, e.hint) for e in alone.exercises]
    assert paths["victim"].read_bytes() == graded["before"]["victim"]


def test_nothing_outside_the_sandbox_changed(graded, paths):
    """Are the package the kernels imported, bpkit's profile, the release, the solution and the gradebook
    as they were (six seconds after grading, when a surviving detached writer would have struck)?"""
    before = graded["before"]
    assert tree_digest(graded["package"]) == before["package"]
    assert tree_digest(grading.ipython_dir()) == before["profile"]
    assert tree_digest(graded["release"]) == before["release"]
    assert paths["solution"].read_bytes() == before["solution"]
    assert paths["gradebook"].read_bytes() == graded["written"]
    assert b"cheater,999" not in graded["written"]


def test_nothing_a_cheat_started_survives(graded):
    """Is no process a cheat started (detached, in its own session) still running?"""
    survivors = subprocess.run(["pgrep", "-f", "bpkit-cheat-marker"], capture_output=True, text=True).stdout
    assert survivors.strip() == ""


def test_every_submission_has_a_row_and_the_summary_matches_the_files(graded, paths):
    """Does every submission, the killer's included, have a row in the gradebook written?"""
    import csv

    rows = list(csv.DictReader(paths["gradebook"].open()))
    assert len(rows) == len(graded["results"]) == len(CHEATS) + 5
    assert {r["file"] for r in rows} == {r.path for r in graded["results"].values()}
    by_file = {r["file"]: r for r in rows}
    for r in graded["results"].values():
        assert by_file[r.path]["total"] == str(r.earned) and by_file[r.path]["status"] == r.status


def test_grading_again_gives_the_same_gradebook(graded):
    """Do five submissions, graded a second time, get the same rows (timings aside)?"""
    def row(r):
        d = r.to_dict()
        d.pop("seconds")
        return d
    names = ("honest-04", "numpy-allclose", "frame-peek", "central-differences", "unsolved-04")
    assert [row(graded["results"][n]) for n in names] == [row(r) for r in graded["again"]]

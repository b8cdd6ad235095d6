"""Grading a class in pieces (bpkit.course.classroom, bpkit.course.grading.classbook): shards and their merge,
--resume, --only, and the release every gradebook records.

The class: ana (solved), ben (unsolved), cara (part solved, one wrong answer with its hint), dan (a file that is
not a notebook), eve (91.2 loops forever). Every run is ``python -m bpkit`` as an instructor runs it.
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import toycourse as toy
from bpkit.course.grading import classbook

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
TIMEOUT = "4"  # seconds per cell: eve's loop is cut off after this


def bpkit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(FIXTURES)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    return subprocess.run([sys.executable, "-m", "bpkit", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def write_class(root: Path) -> list[Path]:
    subs = root / "submissions"
    toy.write(toy.answered(toy.exercise_notebook(), toy.RIGHT), subs / "ana.ipynb")
    toy.write(toy.exercise_notebook(), subs / "ben.ipynb")
    toy.write(toy.answered(toy.exercise_notebook(), {"91.1": toy.RIGHT["91.1"], "91.2": toy.WRONG["91.2"][0]}),
              subs / "cara.ipynb")
    (subs / "dan.ipynb").write_text("this is not a notebook", encoding="utf-8")
    toy.write(toy.answered(toy.exercise_notebook(), {"91.1": toy.RIGHT["91.1"],
                                                     "91.2": "def mul(a, b):\n    while True:\n        pass"}),
              subs / "eve.ipynb")
    return sorted(subs.glob("*.ipynb"))


def without_timings(book: dict) -> dict:
    return {**book, "students": [{k: v for k, v in s.items() if k != "seconds"} for s in book["students"]]}


def read(csv_path: Path) -> tuple[str, dict]:
    return csv_path.read_text(encoding="utf-8"), json.loads(csv_path.with_suffix(".json").read_text(encoding="utf-8"))


def grade(root: Path, *extra: str, out: str) -> subprocess.CompletedProcess:
    return bpkit("grade", "submissions", "--release", "release", "--out", out, "--jobs", "2",
                 "--timeout", TIMEOUT, *extra, cwd=root)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, sandboxed):
    """One plain run and the two parts of a --shard run of the same class; returns the root."""
    root = tmp_path_factory.mktemp("class")
    toy.write(toy.exercise_notebook(), root / "release" / toy.NAME)
    write_class(root)
    for extra, out in (((), "plain/book.csv"), (("--shard", "1/2"), "parts/p1.csv"),
                       (("--shard", "2/2"), "parts/p2.csv")):
        done = grade(root, *extra, out=out)
        assert done.returncode == 0, done.stdout + done.stderr
        (root / out).with_suffix(".stderr").write_text(done.stderr, encoding="utf-8")
    return root


def test_the_plain_run_grades_every_kind_of_submission(graded_class):
    """Does the class get the rows and statuses it should, with the release recorded and a progress bar?"""
    text, book = read(graded_class / "plain" / "book.csv")
    rows = {r["student"]: (r["total"], r["status"]) for r in csv.DictReader(text.splitlines())}
    assert rows == {"ana": ("6", "graded"), "ben": ("0", "graded"), "cara": ("2", "graded"),
                    "dan": ("0", "invalid notebook"), "eve": ("2", "timeout")}
    assert book["release"] == classbook.release_hash([graded_class / "release" / toy.NAME])
    cara = next(s for s in book["students"] if s["student"] == "cara")
    assert cara["exercises"]["91.2"]["hint"] == toy.WRONG["91.2"][1] and cara["status"] == "graded"
    assert "shard" not in book
    progress = (graded_class / "plain" / "book.stderr").read_text(encoding="utf-8")
    assert "5/5" in progress and "graded 3 · timeout 1 · crashed 0 · invalid 1" in progress


def test_shards_split_the_class_and_merge_into_the_plain_gradebook(graded_class):
    """Do the two shards grade disjoint halves covering the class, and does their merge equal the plain run's
    CSV byte for byte and its JSON apart from timings?"""
    _, p1 = read(graded_class / "parts" / "p1.csv")
    _, p2 = read(graded_class / "parts" / "p2.csv")
    one, two = {s["student"] for s in p1["students"]}, {s["student"] for s in p2["students"]}
    assert one == {"ana", "cara", "eve"} and two == {"ben", "dan"}       # every 2nd of the sorted paths
    assert p1["shard"]["index"] == 1 and p2["shard"]["count"] == 2
    done = bpkit("gradebook", "merge", "parts/p2.json", "parts/p1.json", "--out", "merged/book.csv",
                 cwd=graded_class)
    assert done.returncode == 0, done.stderr
    assert "merged 2 part(s): 5 submissions" in done.stdout
    plain_csv, plain = read(graded_class / "plain" / "book.csv")
    merged_csv, merged = read(graded_class / "merged" / "book.csv")
    assert merged_csv == plain_csv
    assert without_timings(merged) == without_timings(plain)


@pytest.mark.parametrize("parts, message", [
    (["parts/p1.json"], "missing part(s): shard 2/2"),
    (["parts/p1.json", "parts/p1.json"], "are both shard 1/2"),
    (["plain/book.json", "parts/p1.json"], "not a part of a sharded run"),
    (["parts/p1.json", "parts/other-release.json"], "graded against another release"),
    (["parts/p1.json", "parts/overlap.json"], "is in two parts"),
    (["parts/p1.json", "parts/other-run.json"], "parts of different runs"),
    (["parts/p1.json", "parts/nothing.json"], "no such file"),
    (["parts/p1.json", "release/91_toy.ipynb"], "no list of students"),
])
def test_merge_refuses_parts_that_do_not_fit(graded_class, parts, message):
    """Does merge exit 2 with a clear message for a missing or repeated shard, a plain gradebook, another
    release, a submission in two parts, another run, or a file that is no gradebook, and write nothing?"""
    p2 = json.loads((graded_class / "parts" / "p2.json").read_text())
    (graded_class / "parts" / "other-release.json").write_text(json.dumps({**p2, "release": "sha256:0"}))
    overlap = {**p2, "students": p2["students"] + [json.loads(
        (graded_class / "parts" / "p1.json").read_text())["students"][0]]}
    (graded_class / "parts" / "overlap.json").write_text(json.dumps(overlap))
    (graded_class / "parts" / "other-run.json").write_text(json.dumps({**p2, "shard": {**p2["shard"], "count": 3}}))
    done = bpkit("gradebook", "merge", *parts, "--out", "refused/book.csv", cwd=graded_class)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not (graded_class / "refused").exists()


@pytest.mark.parametrize("shard, message", [("3", "write it I/N"), ("0/2", "I = 0 is not between 1 and N = 2"),
                                            ("3/2", "I = 3 is not between 1 and N = 2"), ("1/0", "N = 0"),
                                            ("a/b", "write it I/N")])
def test_a_bad_shard_is_a_usage_error(tmp_path, shard, message):
    """Is a --shard that is not I/N with 1 <= I <= N refused with exit 2, before anything is graded?"""
    toy.write(toy.exercise_notebook(), tmp_path / "release" / toy.NAME)
    toy.write(toy.exercise_notebook(), tmp_path / "submissions" / "ana.ipynb")
    done = grade(tmp_path, "--shard", shard, out="out/book.csv")
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()


def test_shard_of_partitions_the_sorted_submissions():
    """Are the N slices disjoint, together the whole class, and the same whatever order the paths come in?"""
    paths = [Path(f"s/{name}.ipynb") for name in "qwertyuiopasdfg"]
    slices = [classbook.shard_of(paths, i, 4) for i in range(1, 5)]
    assert sorted(p for s in slices for p in s) == sorted(paths)
    assert sum(len(s) for s in slices) == len(paths)
    assert slices == [classbook.shard_of(list(reversed(paths)), i, 4) for i in range(1, 5)]


def test_resume_grades_only_what_the_output_lacks(graded_class, tmp_path):
    """Given a gradebook of three students, does --resume keep their rows, grade the other two, and end with
    the plain run's gradebook; and does it refuse an output graded against another release?"""
    root = tmp_path
    (root / "release").mkdir()
    (root / "release" / toy.NAME).write_bytes((graded_class / "release" / toy.NAME).read_bytes())
    write_class(root)
    _, plain = read(graded_class / "plain" / "book.csv")
    first = [s for s in plain["students"] if s["student"] in ("ana", "ben", "cara")]
    (root / "out").mkdir()
    (root / "out" / "book.json").write_text(json.dumps({**plain, "students": first}))
    done = grade(root, "--resume", out="out/book.csv")
    assert done.returncode == 0, done.stderr
    assert "Grading 2 submission(s)" in done.stdout and "keeping 3 already graded" in done.stdout
    _, resumed = read(root / "out" / "book.csv")
    assert without_timings(resumed) == without_timings(plain)
    (root / "out" / "book.json").write_text(json.dumps({**plain, "release": "sha256:other"}))
    refused = grade(root, "--resume", out="out/book.csv")
    assert refused.returncode == 2 and "graded against another release" in refused.stderr


def test_only_regrades_one_student_and_keeps_the_others(graded_class, tmp_path):
    """After ben fixes his notebook, does --only ben change his row alone; is an unknown student exit 2?"""
    root = tmp_path
    (root / "release").mkdir()
    (root / "release" / toy.NAME).write_bytes((graded_class / "release" / toy.NAME).read_bytes())
    write_class(root)
    (root / "out").mkdir()
    for suffix in (".csv", ".json"):
        (root / "out" / f"book{suffix}").write_bytes((graded_class / "plain" / f"book{suffix}").read_bytes())
    toy.write(toy.answered(toy.exercise_notebook(), toy.RIGHT), root / "submissions" / "ben.ipynb")
    done = grade(root, "--only", "ben", out="out/book.csv")
    assert done.returncode == 0, done.stderr
    assert "Grading 1 submission(s)" in done.stdout
    _, before = read(graded_class / "plain" / "book.csv")
    _, after = read(root / "out" / "book.csv")
    assert [s["student"] for s in after["students"]] == [s["student"] for s in before["students"]]
    for old, new in zip(without_timings(before)["students"], without_timings(after)["students"]):
        assert (new["total"] == 6) if new["student"] == "ben" else (new == old)
    missing = grade(root, "--only", "zoe", out="out/book.csv")
    assert missing.returncode == 2 and "--only zoe: no submission of that student" in missing.stderr


# ------------------------------------------------------------------------------------------ dask
def test_a_local_dask_cluster_gives_the_plain_gradebook(graded_class):
    """Does --scheduler local:2 (one dask task per submission) write the plain run's gradebook, CSV byte for
    byte and JSON apart from timings?"""
    pytest.importorskip("distributed", reason="the cluster extra (pip install 'bpkit[cluster]') is not installed")
    done = bpkit("grade", "submissions", "--release", "release", "--out", "dask/book.csv", "--timeout", TIMEOUT,
                 "--scheduler", "local:2", cwd=graded_class)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "on the dask cluster local:2" in done.stdout
    plain_csv, plain = read(graded_class / "plain" / "book.csv")
    dask_csv, book = read(graded_class / "dask" / "book.csv")
    assert dask_csv == plain_csv and without_timings(book) == without_timings(plain)


def test_a_running_dask_scheduler_grades_the_class(graded_class, monkeypatch):
    """Given the address of a running scheduler (tcp://...), are the submissions graded by its workers into the
    plain run's gradebook?"""
    distributed = pytest.importorskip("distributed", reason="the cluster extra is not installed")
    monkeypatch.setenv("PYTHONPATH", str(FIXTURES), prepend=os.pathsep)  # the workers import the toy checks
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster:
        done = bpkit("grade", "submissions", "--release", "release", "--out", "remote/book.csv",
                     "--timeout", TIMEOUT, "--scheduler", cluster.scheduler_address, cwd=graded_class)
    assert done.returncode == 0, done.stdout + done.stderr
    _, plain = read(graded_class / "plain" / "book.csv")
    _, book = read(graded_class / "remote" / "book.csv")
    assert without_timings(book) == without_timings(plain)


@pytest.mark.parametrize("scheduler, message", [("local:0", "at least 1 worker"), ("somewhere", "give a scheduler "
                                                "address"), ("tcp://127.0.0.1:9", "no dask scheduler answers")])
def test_a_bad_scheduler_is_a_usage_error(tmp_path, scheduler, message):
    """Is a --scheduler that is neither local:N nor a scheduler that answers refused with exit 2?"""
    pytest.importorskip("distributed", reason="the cluster extra is not installed")
    toy.write(toy.exercise_notebook(), tmp_path / "release" / toy.NAME)
    toy.write(toy.exercise_notebook(), tmp_path / "submissions" / "ana.ipynb")
    done = grade(tmp_path, "--scheduler", scheduler, out="out/book.csv")
    assert done.returncode == 2 and message in done.stderr, done.stderr


def test_without_dask_the_scheduler_option_names_the_extra(tmp_path, monkeypatch, capsys):
    """Without dask.distributed installed, does --scheduler exit 2 and say `pip install 'bpkit[cluster]'`?"""
    from bpkit.course import cli

    toy.write(toy.exercise_notebook(), tmp_path / "release" / toy.NAME)
    toy.write(toy.exercise_notebook(), tmp_path / "submissions" / "ana.ipynb")
    monkeypatch.setitem(sys.modules, "distributed", None)   # import distributed -> ImportError
    monkeypatch.chdir(tmp_path)
    code = cli.main(["grade", "submissions", "--release", "release", "--scheduler", "local:2"])
    assert code == 2 and "pip install 'bpkit[cluster]'" in capsys.readouterr().err
    assert not (tmp_path / "gradebook.csv").exists()


# ------------------------------------------------------------------------------------------ Canvas, feedback
ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 (17)
    Points Possible,,,,,10
"Lovelace, Ana",101,u-ana,ana,A,9
"Babbage, Ben",102,BEN,ben.b,A,7
"Curie, Cara",cara,u-cara,c.curie,B,
"Dijkstra, Dan",104,u-dan,dan,B,5
"Zuse, Zed",105,u-zed,zed,B,8
"""


def test_canvas_export_matches_the_roster_and_lists_the_rest(graded_class):
    """Does the Canvas CSV have Canvas's columns, a Points Possible row and one row per roster student, with
    submissions matched by SIS Login ID, then SIS User ID, then ID (ignoring case), and eve (in no roster
    row) listed as unmatched?"""
    (graded_class / "roster.csv").write_text(ROSTER, encoding="utf-8")
    done = bpkit("export", "canvas", "plain/book.json", "--roster", "roster.csv", "--out", "lms/canvas.csv",
                 cwd=graded_class)
    assert done.returncode == 0, done.stderr
    assert "eve (submissions/eve.ipynb)" in done.stderr and "4 of 5 submission(s) matched" in done.stdout
    rows = list(csv.reader((graded_class / "lms" / "canvas.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "91_toy"]
    assert rows[1] == ["Points Possible", "", "", "", "", "6"]
    assert {r[0]: r[5] for r in rows[2:]} == {"Lovelace, Ana": "6", "Babbage, Ben": "0", "Curie, Cara": "2",
                                              "Dijkstra, Dan": "0", "Zuse, Zed": ""}
    assert [r[1] for r in rows[2:]] == ["101", "102", "cara", "104", "105"]  # the roster's order and ids


def test_canvas_export_refuses_a_roster_without_canvas_columns_and_skips_ambiguous_rows(graded_class):
    """Is a roster without Canvas's columns exit 2 naming them; is a student two roster rows claim left out?"""
    (graded_class / "bad-roster.csv").write_text("name,email\nana,ana@example.org\n", encoding="utf-8")
    done = bpkit("export", "canvas", "plain/book.json", "--roster", "bad-roster.csv", cwd=graded_class)
    assert done.returncode == 2 and "no column 'Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section'" in done.stderr
    from bpkit.course.grading import export
    roster = [dict(zip(export.CANVAS_COLUMNS, r)) for r in (("A", "1", "x", "ana", "S"), ("B", "2", "y", "ANA", "S"))]
    assert export.match_roster("ana", roster) is None
    assert export.match_roster("Ana ", roster[:1]) == roster[0] and export.match_roster("zz", roster) is None


def test_feedback_pages_show_points_and_hints_and_nothing_hidden(graded_class):
    """Does every student get one self-contained page with each exercise's points and hint, escaped, naming
    no other student, and with no check source or hidden case in it?"""
    done = bpkit("feedback", "plain/book.json", "--out", "feedback", cwd=graded_class)
    assert done.returncode == 0, done.stderr
    pages = {p.name: p.read_text(encoding="utf-8") for p in (graded_class / "feedback").iterdir()}
    assert sorted(pages) == ["ana.html", "ben.html", "cara.html", "dan.html", "eve.html"]
    cara = pages["cara.html"]
    assert "Feedback for cara: 2 / 6 points" in cara and "you added; multiply instead." in cara
    assert "2 / 2" in cara and "0 / 3" in cara
    assert "timed out after" in pages["eve.html"] and "could not be graded" in pages["dan.html"]
    source = (FIXTURES / "toychecks.py").read_text(encoding="utf-8")
    hidden = [line.strip() for line in source.splitlines() if "randint" in line or "integers" in line]
    for name, page in pages.items():
        assert "<script" not in page and "src=" not in page and "http" not in page     # self-contained
        assert not any(line and line in page for line in hidden)
        assert "def _case" not in page and "toychecks" not in page
        others = {"ana", "ben", "cara", "dan", "eve"} - {name[:-5]}
        assert not any(f"Feedback for {o}" in page for o in others)


def test_feedback_escapes_what_a_submission_wrote(tmp_path):
    """Is a hint quoting the student's own code (here `<script>`) escaped, never markup?"""
    from bpkit.course.grading import export
    book = {"students": [{"path": "s/x.ipynb", "student": "x<y>", "total": 0, "possible": 1, "release": "r/91_toy.ipynb",
                          "error": None, "notes": [], "exercises": {"91.1": {
                              "exercise": "91.1", "points": 1, "earned": 0, "passed": False, "title": "add",
                              "hint": "your code raised NameError: <script>alert(1)</script>", "problem": None}}}]}
    (name, page), = export.feedback_pages(book).items()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and name == "x_y.html"


# ------------------------------------------------------------------------------------------ Gradescope
def test_gradescope_bundle_has_the_scripts_the_release_and_bpkit(tmp_path):
    """Does `bpkit gradescope build` write a zip with executable setup.sh and run_autograder (valid bash), the
    released notebooks and bpkit's installable source, the same bytes every time?"""
    import zipfile

    import bpkit as the_package
    toy.write(toy.exercise_notebook(), tmp_path / "release" / toy.NAME)
    done = bpkit("gradescope", "build", "--release", "release", "--out", "a.zip", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    again = bpkit("gradescope", "build", "--release", "release", "--out", "b.zip", cwd=tmp_path)
    assert again.returncode == 0 and (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        names = zf.namelist()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
        zf.extractall(tmp_path / "unzipped")
    assert modes["setup.sh"] == 0o755 and modes["run_autograder"] == 0o755
    assert f"release/{toy.NAME}" in names and "bpkit-source/pyproject.toml" in names
    package = Path(the_package.__file__).parent
    shipped = {n for n in names if n.startswith("bpkit-source/bpkit/") and n.endswith(".py")}
    assert shipped == {f"bpkit-source/bpkit/{p.relative_to(package).as_posix()}" for p in package.rglob("*.py")}
    assert not any("__pycache__" in n for n in names)
    for script in ("setup.sh", "run_autograder"):
        assert subprocess.run(["bash", "-n", str(tmp_path / "unzipped" / script)]).returncode == 0
    assert "pip install /autograder/source/bpkit-source" in (tmp_path / "unzipped" / "setup.sh").read_text()


def autograder(tmp_path: Path, submission: dict[str, object]) -> tuple[subprocess.CompletedProcess, dict]:
    """Unzip a built bundle into a simulated /autograder, upload ``submission`` and call run_autograder."""
    import zipfile
    toy.write(toy.exercise_notebook(), tmp_path / "release" / toy.NAME)
    assert bpkit("gradescope", "build", "--release", "release", "--out", "ag.zip", cwd=tmp_path).returncode == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(tmp_path / "ag.zip") as zf:
        zf.extractall(root / "source")
    (root / "submission").mkdir()
    for name, nb in submission.items():
        toy.write(nb, root / "submission" / name)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), BPKIT_PYTHON=sys.executable, PYTHONPATH=os.pathsep.join(
        [str(FIXTURES)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=600, cwd=tmp_path)
    results = root / "results" / "results.json"
    return done, (json.loads(results.read_text(encoding="utf-8")) if results.exists() else {})


def test_run_autograder_writes_gradescopes_results(tmp_path, sandboxed):
    """In a simulated /autograder, does run_autograder grade the upload into results.json in Gradescope's format:
    the score, and per exercise name, score, max_score and the hint as output?"""
    cara = toy.answered(toy.exercise_notebook(), {"91.1": toy.RIGHT["91.1"], "91.2": toy.WRONG["91.2"][0]})
    done, results = autograder(tmp_path, {"my-work.ipynb": cara})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "output" not in results, results.get("output")
    assert results["score"] == 2 and results["stdout_visibility"] == "hidden"
    tests = {t["number"]: t for t in results["tests"]}
    assert sorted(tests) == ["91.1", "91.2", "91.3"]
    assert tests["91.1"] == {"name": "91.1 add two numbers", "number": "91.1", "score": 2, "max_score": 2,
                             "output": "passed", "visibility": "visible"}
    assert tests["91.2"]["score"] == 0 and tests["91.2"]["max_score"] == 3
    assert tests["91.2"]["output"] == toy.WRONG["91.2"][1]
    assert tests["91.3"]["output"].startswith("not answered yet")


def test_run_autograder_without_a_notebook_says_so(tmp_path, sandboxed):
    """An upload with no notebook: a score of 0 and an output saying what to upload, not a crash?"""
    done, results = autograder(tmp_path, {})
    assert done.returncode == 0, done.stderr
    assert results["score"] == 0 and results["tests"] == [] and "no notebook (.ipynb)" in results["output"]

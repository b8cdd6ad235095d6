"""``bpkit grade`` and ``bpkit gradebook merge``: grading a class, whole or in shards.

* ``bpkit grade SUBMISSION... [--shard I/N] [--resume] [--only STUDENT]``: grade into a CSV and JSON
  gradebook, each submission in its own sandbox, with a progress bar of graded / timeout / crashed /
  invalid. ``--shard I/N`` grades the I-th of N slices (a Slurm array, a Kubernetes Indexed Job or a CI
  matrix runs one slice each); ``--resume`` skips the submissions the output already has for this
  release; ``--only STUDENT`` regrades one student, keeping the other rows of the output.
* ``bpkit gradebook merge PART.json... --out gradebook.csv``: the parts of a sharded run, merged into the
  gradebook a single run writes.

A gradebook records the release it was graded against (a hash of the released notebooks); parts of
another release, or a resumed output of another release, are refused with exit code 2.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

from .cli import _add_timeout, _positive_int, _show, _submissions, find_course_root

#: statuses a resumed run grades again: the grader's failures, not the student's
RETRY = ("grader error", "sandbox error")


def add_parsers(sub) -> None:
    """Register ``grade`` and ``gradebook`` on the ``bpkit`` subparsers."""
    p = sub.add_parser("grade", help="grade many submissions into a CSV/JSON gradebook",
                       description="Grade submissions in parallel, each in its own bubblewrap sandbox "
                                   "(no network, no files but its own, its processes die with it). Check "
                                   "and setup cells are first restored from the released notebook; the "
                                   "checks run in the grader, calling the student's functions in the "
                                   "sandbox, so no code in a notebook can change a verdict. Each cell has "
                                   "a timeout; a crash or a dead kernel fails only its exercise. Every "
                                   "submission gets a row with a status, written as soon as it is graded. "
                                   "Partial credit: the points of the passed exercises.")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                   help="notebooks, or directories searched for *.ipynb")
    p.add_argument("--release", metavar="DIR_OR_FILE",
                   help="the released exercise notebook(s) (default: the course's exercises/)")
    p.add_argument("--out", default="gradebook.csv", metavar="CSV",
                   help="gradebook CSV path; the JSON (with hints) goes next to it "
                        "(default gradebook.csv)")
    p.add_argument("--jobs", "-j", type=_positive_int, default=None, metavar="N",
                   help="notebooks graded at a time (default: number of CPUs)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="grade on a dask.distributed cluster: a scheduler address (tcp://host:8786), or "
                        "local:N to start N local workers; one task per submission (needs "
                        "pip install 'bpkit[cluster]'; --jobs is then unused)")
    p.add_argument("--shard", metavar="I/N",
                   help="grade only the I-th of N slices of the sorted submissions (1 <= I <= N); "
                        "merge the parts with `bpkit gradebook merge`")
    p.add_argument("--resume", action="store_true",
                   help="keep the rows the output already has for this release (except grader and "
                        "sandbox errors) and grade only the others")
    p.add_argument("--only", metavar="STUDENT",
                   help="grade only this student's submission(s), keeping the output's other rows")
    _add_timeout(p)
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="grade without the bubblewrap sandbox (only for submissions you trust: their code "
                        "then runs with your rights); a warning is printed and written into the gradebook")
    p.set_defaults(run=cmd_grade)

    p = sub.add_parser("gradebook", help="merge the gradebooks of a sharded run",
                       description="Work with gradebooks that `bpkit grade` wrote.")
    gsub = p.add_subparsers(dest="gradebook_command", metavar="ACTION", required=True)
    m = gsub.add_parser("merge", help="merge the parts of a sharded run into one gradebook",
                        description="Merge PART.json files written by `bpkit grade --shard I/N` into the "
                                    "CSV and JSON gradebook a single run writes. Refuses parts of different "
                                    "releases or runs, a shard given twice or missing, and a submission in "
                                    "two parts.")
    m.add_argument("parts", nargs="+", metavar="PART.json", help="the parts' JSON gradebooks")
    m.add_argument("--out", default="gradebook.csv", metavar="CSV",
                   help="the merged gradebook's CSV path; the JSON goes next to it (default gradebook.csv)")
    m.set_defaults(run=cmd_gradebook_merge)

    p = sub.add_parser("export", help="export a gradebook for a learning management system",
                       description="Export a gradebook JSON that `bpkit grade` wrote.")
    esub = p.add_subparsers(dest="export_command", metavar="FORMAT", required=True)
    c = esub.add_parser("canvas", help="a CSV for Canvas's gradebook import",
                        description="Write the CSV Canvas's gradebook import reads: Student, ID, SIS User ID, "
                                    "SIS Login ID, Section, then one column per released notebook (its total "
                                    "points), with a Points Possible row; one row per roster student. A "
                                    "submission belongs to the roster row whose SIS Login ID, else SIS User ID, "
                                    "else ID equals its student name (the file or folder name), ignoring case; "
                                    "submissions that match no row are listed, and left out.")
    c.add_argument("gradebook", metavar="GRADEBOOK.json")
    c.add_argument("--roster", required=True, metavar="ROSTER.csv",
                   help="Canvas's gradebook export (its first five columns are enough)")
    c.add_argument("--out", default="canvas.csv", metavar="CSV", help="default canvas.csv")
    c.set_defaults(run=cmd_export_canvas)

    p = sub.add_parser("gradescope", help="a Gradescope autograder: build its bundle, or run it",
                       description="Gradescope's programming-assignment autograder.")
    gs = p.add_subparsers(dest="gradescope_command", metavar="ACTION", required=True)
    b = gs.add_parser("build", help="write the autograder zip to upload to Gradescope",
                      description="Write a zip with setup.sh (installs Python, bubblewrap and this bpkit), "
                                  "run_autograder (grades the upload) and the released notebooks.")
    b.add_argument("--out", default="autograder.zip", metavar="ZIP", help="default autograder.zip")
    b.add_argument("--release", metavar="DIR_OR_FILE",
                   help="the released exercise notebook(s) (default: the course's exercises/)")
    b.set_defaults(run=cmd_gradescope_build)
    r = gs.add_parser("run", help="grade DIR/submission into DIR/results/results.json (run_autograder calls it)",
                      description="Grade every notebook in DIR/submission as `bpkit grade` does and write "
                                  "Gradescope's DIR/results/results.json: the score, and one test per exercise "
                                  "with its points and hint (never a hidden case).")
    r.add_argument("--root", default="/autograder", metavar="DIR", help="default /autograder")
    r.add_argument("--release", metavar="DIR_OR_FILE", help="default DIR/source/release")
    _add_timeout(r)
    r.set_defaults(run=cmd_gradescope_run)

    p = sub.add_parser("feedback", help="write one feedback page per student",
                       description="Write one self-contained HTML page per student into DIR: each notebook's "
                                   "points, and every exercise's points and hint (what `bpkit check` shows: no "
                                   "hidden case, no check source).")
    p.add_argument("gradebook", metavar="GRADEBOOK.json")
    p.add_argument("--out", default="feedback", metavar="DIR", help="default feedback/")
    p.set_defaults(run=cmd_feedback)


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _student(path: Path, releases: list[Path]) -> str:
    """The student a submission belongs to, as the gradebook will name them (without reading it)."""
    from .grading import student_name

    same = next((r for r in releases if r.name == path.name), releases[0] if len(releases) == 1 else None)
    return student_name(path, same)


def cmd_grade(args: argparse.Namespace) -> int:
    from bpkit.course import grading
    from .exercises import exercises_in, read_notebook
    from .grading import classbook, cluster, sandbox
    from .grading.cluster import SchedulerError

    release = Path(args.release) if args.release else find_course_root() / "exercises"
    releases = grading.release_notebooks(release)
    if not releases:
        return _error(f"no released notebooks at {_show(release)} (pass --release DIR_OR_FILE)")
    submissions = _submissions(args.submissions)
    if not submissions:
        return _error("no submissions to grade")
    if args.scheduler:
        try:
            cluster.parse_scheduler(args.scheduler)
            cluster.require_dask()
        except SchedulerError as e:
            return _error(str(e))
    release_id = classbook.release_hash(releases)
    shard = None
    listed = submissions  # the rows this gradebook will have, in the order given
    if args.shard:
        try:
            i, n = classbook.parse_shard(args.shard)
        except classbook.GradebookError as e:
            return _error(str(e))
        mine = {str(p) for p in classbook.shard_of(submissions, i, n)}
        listed = [s for s in submissions if str(s) in mine]
        shard = classbook.Shard(i, n, [str(s) for s in submissions]).to_dict()
    todo = listed
    if args.only:
        todo = [s for s in listed if _student(s, releases) == args.only]
        if not todo:
            return _error(f"--only {args.only}: no submission of that student among the {len(listed)} given")
    previous: dict[str, grading.NotebookResult] = {}
    out_json = Path(args.out).with_suffix(".json")
    if (args.resume or args.only) and out_json.exists():
        try:
            book = classbook.read_gradebook(out_json)
            if classbook.release_of(book, out_json) != release_id:
                raise classbook.GradebookError(f"{_show(out_json)} was graded against another release "
                                               f"({book['release']}, this one is {release_id}): grade into "
                                               "another --out, or without --resume/--only")
            if (book.get("shard") or None) != shard:
                raise classbook.GradebookError(f"{_show(out_json)} is from another run (another --shard or "
                                               "other submissions): grade into another --out")
        except classbook.GradebookError as e:
            return _error(str(e))
        previous = {s["path"]: classbook.result_from_dict(s) for s in book["students"]}
    if args.resume:
        todo = [s for s in todo if str(s) not in previous or previous[str(s)].status in RETRY]
    sandboxed = not args.unsafe_no_sandbox
    if todo and sandboxed and sandbox.problem() is not None:
        return _error(f"{sandbox.problem()}. {sandbox.INSTALL_HINT}")
    if todo and not sandboxed:
        print(sandbox.UNSAFE_WARNING, file=sys.stderr, flush=True)
    jobs = args.jobs or os.cpu_count() or 1
    kept = len(listed) - len(todo) if args.resume else 0
    print(f"Grading {len(todo)} submission(s) against {_show(release)}"
          + (f" (shard {args.shard.strip()}: {len(listed)} of {len(submissions)})" if shard else "")
          + (f", keeping {kept} already graded" if kept else "")
          + (f" (on the dask cluster {args.scheduler}, " if args.scheduler else f" ({jobs} at a time, ")
          + f"{args.timeout} s per cell, "
          f"{'each in its own sandbox' if sandboxed else 'NO SANDBOX'}) ...", flush=True)
    ids = [e.exercise for r in releases for e in exercises_in(read_notebook(r))]
    # the rows in the order given: a new result where there is one, else the output's row (kept until it is
    # replaced, so that a run stopped half-way never loses a row it had)
    rows = lambda new: [new[str(s)] if str(s) in new else previous[str(s)]  # noqa: E731
                        for s in listed if str(s) in new or str(s) in previous]
    new: dict[str, grading.NotebookResult] = {}
    book = grading.Gradebook(args.out, ids, sandboxed, release=release_id, shard=shard, results=rows(new))
    width = max((len(_student(s, releases)) for s in todo), default=1)
    bar = _progress(len(todo))
    counts: Counter = Counter()

    def finished(r: grading.NotebookResult) -> None:
        new[r.path] = r
        book.results = rows(new)
        book.write()
        counts[r.status] += 1
        line = f"  {r.student:<{width}}  {r.earned:>3}/{r.possible:<3}  {r.status}"
        if r.error:
            line += f"  ERROR: {r.error}"
        elif r.notes:
            line += f"  ({len(r.notes)} protected cell(s) restored)"
        bar.write(line.rstrip())
        bar.set_postfix_str(_counts(counts), refresh=False)
        bar.update(1)

    try:
        grading.grade_many([str(s) for s in todo], release, jobs=jobs, timeout=args.timeout, sandbox=sandboxed,
                           on_result=finished, scheduler=args.scheduler)
    except SchedulerError as e:  # a --scheduler that does not answer
        bar.close()
        return _error(str(e))
    finally:
        bar.close()
    book.results = rows(new)
    csv_path, json_path = book.write()
    print(book.summary())
    print(f"wrote {_show(csv_path)} and {_show(json_path)}")
    if todo and not sandboxed:
        print(sandbox.UNSAFE_WARNING, file=sys.stderr)
    return 0


def _counts(counts: Counter) -> str:
    invalid = counts["invalid notebook"]
    errors = counts["grader error"] + counts["sandbox error"]
    text = f"graded {counts['graded']} · timeout {counts['timeout']} · crashed {counts['crashed']} · invalid {invalid}"
    return text + (f" · errors {errors}" if errors else "")


def _progress(total: int):
    """A tqdm bar on stderr (lines written through it stay above the bar)."""
    from tqdm import tqdm

    return tqdm(total=total, unit="submission", file=sys.stderr, dynamic_ncols=True,
                bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}] {postfix}")


def cmd_gradebook_merge(args: argparse.Namespace) -> int:
    from bpkit.course import grading
    from .grading import classbook

    try:
        parts = [(_show(Path(p)), classbook.read_gradebook(p)) for p in args.parts]
        release, results, first = classbook.merge_parts(parts)
    except classbook.GradebookError as e:
        return _error(str(e))
    sandboxed = {"bubblewrap": True, "none": False}.get(first.get("sandbox"))
    book = grading.Gradebook(args.out, first.get("exercises", ()), sandboxed, release=release, results=results)
    csv_path, json_path = book.write()
    print(f"merged {len(parts)} part(s): {book.summary()}")
    print(f"wrote {_show(csv_path)} and {_show(json_path)}")
    return 0


def cmd_export_canvas(args: argparse.Namespace) -> int:
    from .grading import classbook, export

    try:
        book = classbook.read_gradebook(args.gradebook)
        roster = export.read_roster(Path(args.roster))
    except classbook.GradebookError as e:
        return _error(str(e))
    text, unmatched = export.canvas_csv(book, roster)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {_show(out)}: {len(roster)} roster student(s), "
          f"{len(book['students']) - len(unmatched)} of {len(book['students'])} submission(s) matched")
    if unmatched:
        print(f"{len(unmatched)} submission(s) match no roster row (by SIS Login ID, SIS User ID or ID) and "
              "are not in the CSV:", file=sys.stderr)
        for line in unmatched:
            print(f"  {line}", file=sys.stderr)
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from .grading import classbook, export

    try:
        book = classbook.read_gradebook(args.gradebook)
    except classbook.GradebookError as e:
        return _error(str(e))
    written = list(export.write_pages(export.feedback_pages(book), Path(args.out)))
    print(f"wrote {len(written)} feedback page(s) into {_show(Path(args.out))}/")
    return 0


def cmd_gradescope_build(args: argparse.Namespace) -> int:
    from .grading import gradescope

    release = Path(args.release) if args.release else find_course_root() / "exercises"
    try:
        names = gradescope.build_bundle(Path(args.out), release)
    except gradescope.BundleError as e:
        return _error(str(e))
    notebooks = [n for n in names if n.startswith("release/")]
    print(f"wrote {_show(Path(args.out))}: setup.sh, run_autograder, {len(notebooks)} released notebook(s) "
          f"and bpkit's source; upload it as the assignment's autograder")
    return 0


def cmd_gradescope_run(args: argparse.Namespace) -> int:
    from .grading import gradescope

    root = Path(args.root)
    release = Path(args.release) if args.release else root / "source" / "release"
    from .grading import release_notebooks

    if not release_notebooks(release):
        return _error(f"no released notebooks at {release}")
    book = gradescope.run(root, release, args.timeout)
    print(f"score {book['score']} ({len(book['tests'])} exercise(s)); wrote {root / 'results' / 'results.json'}")
    return 0

"""The gradebook: one row per submission, as CSV (points) and JSON (points, hints, notes, status).

:class:`Gradebook` writes both files again after every submission that finishes (each through a
temporary file and an atomic rename), so a run that is killed keeps every row it graded, and the
files are never half written. The summary ``bpkit grade`` prints is computed from the same rows.
"""
from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from pathlib import Path
from typing import Sequence

from .sandbox import UNSAFE_WARNING
from .scorecard import NotebookResult


def _exercise_key(x: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in x.split("."))


def _replace(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)


class Gradebook:
    """``<out>.csv`` and ``<out>.json``, rewritten as each result is added.

    ``exercises``: the exercise ids of the release (columns exist before any row); ``sandboxed``:
    False writes :data:`~bpkit.course.grading.sandbox.UNSAFE_WARNING` into the JSON and a column of the CSV.
    """

    def __init__(self, csv_path: os.PathLike | str, exercises: Sequence[str] = (), sandboxed: bool | None = None,
                 release: str | None = None, shard: dict | None = None,
                 results: Sequence[NotebookResult] = ()):
        self.csv_path = Path(csv_path)
        self.json_path = self.csv_path.with_suffix(".json")
        self.exercises = sorted(set(exercises), key=_exercise_key)
        self.sandboxed = sandboxed
        #: the release hash (:func:`~bpkit.course.grading.classbook.release_hash`) and, for a part of a
        #: sharded run, its shard (index, count, the whole run's submissions)
        self.release, self.shard = release, shard
        self.results: list[NotebookResult] = list(results)
        self.csv_path.parent.mkdir(parents=True, exist_ok=True)
        self.write()

    def add(self, result: NotebookResult) -> None:
        self.results.append(result)
        new = {e.exercise for e in result.exercises} - set(self.exercises)
        if new:
            self.exercises = sorted(set(self.exercises) | new, key=_exercise_key)
        self.write()

    def write(self) -> tuple[Path, Path]:
        out = io.StringIO()
        writer = csv.writer(out)
        unsafe = self.sandboxed is False
        writer.writerow(["student", "file", *self.exercises, "total", "possible", "status", "error"]
                        + (["warning"] if unsafe else []))
        for r in self.results:
            earned = {e.exercise: e.earned for e in r.exercises}
            writer.writerow([r.student, r.path, *(earned.get(x, "") for x in self.exercises),
                             r.earned, r.possible, r.status, r.error or ""]
                            + (["graded without a sandbox"] if unsafe else []))
        _replace(self.csv_path, out.getvalue())
        book = {"exercises": self.exercises}
        if self.release is not None:
            book["release"] = self.release
        if self.shard is not None:
            book["shard"] = self.shard
        book["students"] = [r.to_dict() for r in self.results]
        if self.sandboxed is not None:
            book["sandbox"] = "bubblewrap" if self.sandboxed else "none"
        if unsafe:
            book["warning"] = UNSAFE_WARNING
        _replace(self.json_path, json.dumps(book, indent=1, ensure_ascii=False) + "\n")
        return self.csv_path, self.json_path

    def summary(self) -> str:
        """"N submissions: k graded, ...; total points ..." from the rows written."""
        counts = Counter(r.status for r in self.results)
        parts = [f"{counts[s]} {s}" for s in ("graded", "timeout", "crashed", "invalid notebook",
                                                "sandbox error", "grader error") if counts[s]]
        return f"{len(self.results)} submissions: " + (", ".join(parts) if parts else "none")


def write_gradebook(results: Sequence[NotebookResult], csv_path: os.PathLike | str,
                    sandboxed: bool | None = None) -> tuple[Path, Path]:
    """Write ``<out>.csv`` (points per exercise, total, status) and ``<out>.json`` (with hints)."""
    book = Gradebook(csv_path, [e.exercise for r in results for e in r.exercises], sandboxed)
    book.results = list(results)
    return book.write()

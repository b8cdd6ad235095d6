"""Grading a whole class in pieces: shards, merging their gradebooks, resuming, regrading one student.

* :func:`release_hash` names the release a gradebook was graded against (a hash of the released
  notebooks' bytes), so parts, resumed runs and exports never mix two releases.
* :func:`parse_shard` and :func:`shard_of`: ``--shard I/N`` grades the I-th of N deterministic slices of
  the sorted submissions (every N-th one from the I-th, so each slice gets a share of every lesson).
* :func:`merge_parts` checks that the parts of one sharded run fit together (one release, one list of
  submissions, every shard once, no submission twice) and gives the results in the order a single run
  lists them; the merged gradebook is the one a single run writes.
* :func:`read_gradebook` reads a gradebook JSON back, with a clear error for anything else.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .scorecard import ExerciseResult, NotebookResult


class GradebookError(ValueError):
    """A gradebook, part or option that cannot be used, said in words (``bpkit`` exits with 2)."""


def release_hash(releases: Sequence[os.PathLike | str]) -> str:
    """``sha256:<hex>`` of the released notebooks (their names and bytes, in name order)."""
    digest = hashlib.sha256()
    for path in sorted((Path(p) for p in releases), key=lambda p: p.name):
        data = path.read_bytes()
        digest.update(f"{path.name}\0{len(data)}\0".encode())
        digest.update(data)
    return "sha256:" + digest.hexdigest()


# ------------------------------------------------------------------------------------------ shards
_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/N"`` -> (I, N) with 1 <= I <= N, or a :class:`GradebookError` saying what is wrong."""
    match = _SHARD.fullmatch(text or "")
    if not match:
        raise GradebookError(f"--shard {text!r}: write it I/N, e.g. --shard 3/8 (slice 3 of 8)")
    i, n = int(match.group(1)), int(match.group(2))
    if n < 1:
        raise GradebookError(f"--shard {text}: N = {n}, but there must be at least one slice (N >= 1)")
    if not 1 <= i <= n:
        raise GradebookError(f"--shard {text}: I = {i} is not between 1 and N = {n}")
    return i, n


def shard_of(submissions: Sequence[os.PathLike | str], i: int, n: int) -> list[Path]:
    """The I-th of N slices of the submissions sorted by path: the 1st, N+1-th, 2N+1-th, ... from the I-th."""
    ordered = sorted((Path(s) for s in submissions), key=str)
    return ordered[i - 1::n]


@dataclass
class Shard:
    """What a part's gradebook says about the run it is part of."""

    index: int
    count: int
    submissions: list[str]  # every submission of the whole run, in the order a single run lists them

    def to_dict(self) -> dict:
        return {"index": self.index, "count": self.count, "submissions": self.submissions}


# ------------------------------------------------------------------------------------------ reading
def result_from_dict(data: dict) -> NotebookResult:
    """The :class:`NotebookResult` a gradebook JSON row was written from."""
    exercises = [ExerciseResult(**{k: v for k, v in e.items() if k in ExerciseResult.__dataclass_fields__})
                 for e in data.get("exercises", {}).values()]
    fields = {k: v for k, v in data.items() if k in NotebookResult.__dataclass_fields__ and k != "exercises"}
    return NotebookResult(exercises=exercises, **fields)


def read_gradebook(path: os.PathLike | str) -> dict:
    """A gradebook JSON that ``bpkit grade`` wrote, or a :class:`GradebookError` naming the problem."""
    path = Path(path)
    try:
        book = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GradebookError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise GradebookError(f"{path}: not a gradebook JSON ({type(e).__name__}: {e})") from None
    if not isinstance(book, dict) or not isinstance(book.get("students"), list):
        raise GradebookError(f"{path}: not a gradebook JSON written by `bpkit grade` (no list of students)")
    for k, student in enumerate(book["students"]):
        missing = [f for f in ("path", "student", "total", "possible", "exercises") if f not in student]
        if missing:
            raise GradebookError(f"{path}: student {k + 1} has no {', '.join(missing)}")
    return book


def release_of(book: dict, path: os.PathLike | str) -> str:
    """The release hash a gradebook was graded against, or an error if it was written before they had one."""
    release = book.get("release")
    if not release:
        raise GradebookError(f"{path}: this gradebook does not say which release it was graded against "
                             "(written by an older bpkit): grade again")
    return release


# ------------------------------------------------------------------------------------------ merging
def merge_parts(parts: Sequence[tuple[str, dict]]) -> tuple[str, list[NotebookResult], dict]:
    """(release hash, every result in the whole run's order, the first part's book) of the parts of one run.

    ``parts`` are (name, gradebook JSON) pairs. Refuses, with a :class:`GradebookError`: no parts, a part
    that is not a shard, parts of different releases or different runs, a shard twice or missing, a
    submission in two parts, or one no part graded.
    """
    if not parts:
        raise GradebookError("no parts to merge")
    first_name, first = parts[0]
    release = release_of(first, first_name)
    shards = {}
    for name, book in parts:
        if book.get("shard") is None:
            raise GradebookError(f"{name}: not a part of a sharded run (it was graded without --shard)")
        if release_of(book, name) != release:
            raise GradebookError(f"{name} was graded against another release than {first_name} "
                                 f"({book['release']} vs {release})")
        if book.get("sandbox") != first.get("sandbox"):
            raise GradebookError(f"{name} was graded with sandbox {book.get('sandbox')!r}, {first_name} with "
                                 f"{first.get('sandbox')!r}: parts of one run are graded alike")
        shard = book["shard"]
        if shard["count"] != first["shard"]["count"] or shard["submissions"] != first["shard"]["submissions"]:
            raise GradebookError(f"{name} and {first_name} are parts of different runs (other submissions "
                                 "or another N in --shard I/N)")
        if shard["index"] in shards:
            raise GradebookError(f"{name} and {shards[shard['index']]} are both shard "
                                 f"{shard['index']}/{shard['count']}")
        shards[shard["index"]] = name
    count = first["shard"]["count"]
    missing = sorted(set(range(1, count + 1)) - set(shards))
    if missing:
        raise GradebookError(f"missing part(s): shard {', '.join(f'{i}/{count}' for i in missing)} "
                             f"(got {len(parts)} of {count})")
    seen: dict[str, str] = {}
    results: dict[str, NotebookResult] = {}
    for name, book in parts:
        for student in book["students"]:
            if student["path"] in seen:
                raise GradebookError(f"{student['path']} is in two parts: {seen[student['path']]} and {name}")
            seen[student["path"]] = name
            results[student["path"]] = result_from_dict(student)
    order = first["shard"]["submissions"]
    lost = [p for p in order if p not in results]
    if lost:
        raise GradebookError(f"{len(lost)} submission(s) are in no part, e.g. {lost[0]}")
    extra = sorted(set(results) - set(order))
    if extra:
        raise GradebookError(f"{extra[0]} is in a part but not among the run's submissions")
    return release, [results[p] for p in order], first

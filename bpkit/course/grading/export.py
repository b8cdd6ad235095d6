"""What a gradebook becomes for the people who read it: a Canvas gradebook import, and feedback pages.

* :func:`canvas_csv`: the CSV Canvas's gradebook import reads (Student, ID, SIS User ID, SIS Login ID,
  Section, then one column per assignment, here one per released notebook, with a "Points Possible"
  row), one row per student of the roster; submissions matched to the roster by :func:`match_roster`.
* :func:`feedback_pages`: one self-contained HTML page per student: every exercise's points and hint.
  Only what the student would see running ``bpkit check``: no hidden case, no check source.
"""
from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path
from typing import Iterable

from .classbook import GradebookError

#: Canvas's columns before the assignments (its gradebook export and import)
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: the roster columns a submission is matched against, in this order (see :func:`match_roster`)
MATCH_COLUMNS = ("SIS Login ID", "SIS User ID", "ID")


def read_roster(path: Path) -> list[dict]:
    """The rows of a Canvas roster CSV (its gradebook export), or a :class:`GradebookError`."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise GradebookError(f"{path}: cannot read the roster ({type(e).__name__}: {e})") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CANVAS_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise GradebookError(f"{path}: the roster has no column {', '.join(repr(c) for c in missing)} "
                             f"(Canvas's gradebook export has {', '.join(CANVAS_COLUMNS)})")
    # Canvas's export has a "Points Possible" row (and sometimes a muted-assignments row) under the header
    return [row for row in reader if (row.get("Student") or "").strip() not in ("", "Points Possible")
            and not (row.get("Student") or "").strip().startswith("    ")]


def _key(text: str | None) -> str:
    return (text or "").strip().casefold()


def match_roster(student: str, roster: list[dict]) -> dict | None:
    """The roster row a submission's student belongs to: the first row whose SIS Login ID, else SIS User ID,
    else Canvas ID equals the student's name in the gradebook (its file or folder name), ignoring case and
    surrounding spaces; None if no row (or more than one row) matches."""
    key = _key(student)
    for column in MATCH_COLUMNS:
        rows = [row for row in roster if key and _key(row.get(column)) == key]
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            return None
    return None


def assignment_of(student: dict) -> str:
    """The assignment a gradebook row counts for: its released notebook's name, without .ipynb."""
    return Path(student.get("release") or student["path"]).stem


def canvas_csv(book: dict, roster: list[dict]) -> tuple[str, list[str]]:
    """(Canvas import CSV, the gradebook's students no roster row matches)."""
    assignments: dict[str, int] = {}
    scores: dict[tuple[int, str], int] = {}
    unmatched = []
    for student in book["students"]:
        name = assignment_of(student)
        assignments[name] = max(assignments.get(name, 0), int(student["possible"]))
        row = match_roster(student["student"], roster)
        if row is None:
            unmatched.append(f"{student['student']} ({student['path']})")
            continue
        key = (id(row), name)
        scores[key] = max(scores.get(key, 0), int(student["total"]))   # a resubmission counts its best
    columns = sorted(assignments)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CANVAS_COLUMNS, *columns])
    writer.writerow(["Points Possible", "", "", "", "", *(assignments[c] for c in columns)])
    for row in roster:
        writer.writerow([row.get(c, "") for c in CANVAS_COLUMNS]
                        + [scores.get((id(row), c), "") for c in columns])
    return out.getvalue(), unmatched


# ------------------------------------------------------------------------------------------ feedback
_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52em; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; } td, th { padding: .35em .6em; vertical-align: top; text-align: left; }
tr + tr td { border-top: 1px solid #eee; } .pass { color: #1a7f37; } .fail { color: #b42318; }
.points { white-space: nowrap; text-align: right; } .note { color: #555; font-size: .92em; }
""".strip()


def _page_name(student: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._") or "student"
    name, k = base, 2
    while name.casefold() in taken:
        name, k = f"{base}-{k}", k + 1
    taken.add(name.casefold())
    return name + ".html"


def _notebook_html(row: dict) -> str:
    e = html.escape
    head = (f"<h2>{e(assignment_of(row))}: {row['total']} / {row['possible']} points</h2>")
    parts = [head]
    if row.get("error"):
        parts.append(f"<p class='fail'>This notebook could not be graded: {e(row['error'])}</p>")
    body = []
    for ex in sorted(row["exercises"].values(), key=lambda x: [int(p) if p.isdigit() else 0
                                                               for p in x["exercise"].split(".")]):
        ok = ex.get("passed")
        what = "passed" if ok else (ex.get("hint") or ex.get("problem") or "not passed")
        if not ok and ex.get("hint") and ex.get("problem"):
            what = f"{ex['hint']} ({ex['problem']})"
        body.append(f"<tr><td>{e(ex['exercise'])}</td><td>{e(ex.get('title') or '')}</td>"
                    f"<td class='points'>{ex['earned']} / {ex['points']}</td>"
                    f"<td class='{'pass' if ok else 'fail'}'>{e(what)}</td></tr>")
    if body:
        parts.append("<table><tr><th>exercise</th><th></th><th class='points'>points</th><th>hint</th></tr>"
                     + "".join(body) + "</table>")
    if row.get("notes"):
        parts.append(f"<p class='note'>{len(row['notes'])} check or setup cell(s) of your notebook differed "
                     "from the released ones and were graded as released.</p>")
    return "\n".join(parts)


def feedback_pages(book: dict) -> dict[str, str]:
    """{file name: HTML page} with one page per student (all their notebooks). No page lists other students."""
    by_student: dict[str, list[dict]] = {}
    for row in book["students"]:
        by_student.setdefault(row["student"], []).append(row)
    pages, taken = {}, set()
    for student in sorted(by_student, key=str.casefold):
        rows = by_student[student]
        total, possible = sum(int(r["total"]) for r in rows), sum(int(r["possible"]) for r in rows)
        name = _page_name(student, taken)
        pages[name] = (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
                       f"<title>Feedback: {html.escape(student)}</title><style>{_STYLE}</style></head><body>\n"
                       f"<h1>Feedback for {html.escape(student)}: {total} / {possible} points</h1>\n"
                       + "\n".join(_notebook_html(r) for r in rows) + "\n</body></html>\n")
    return pages


def write_pages(pages: dict[str, str], out: Path) -> Iterable[Path]:
    out.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (out / name).write_text(text, encoding="utf-8")
        yield out / name

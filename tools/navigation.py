#!/usr/bin/env python3
"""Keep the previous/next navigation cells of every lesson up to date, idempotently.

Each lesson gets a markdown cell at the top and one at the bottom (cell ids ``nav-top`` and
``nav-bottom``, metadata ``{"bpkit": {"role": "navigation"}}``) linking to the previous and next
lessons (by their titles: the first ``# `` heading) and, at the bottom, to the lesson's exercises.
Running it twice changes nothing; a notebook is rewritten only when its navigation changed, and
no other cell is touched.

    .venv/bin/python tools/navigation.py          # update lessons/ (needs bpkit: python3 course.py setup)
    .venv/bin/python tools/navigation.py --check  # exit 1 if any lesson's navigation is out of date
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from bpkit.course.exercises import role

ROOT = Path(__file__).resolve().parents[1]
ROLE = {"bpkit": {"role": "navigation"}}


def is_navigation(cell) -> bool:
    return role(cell) == "navigation"


def title(nb, path: Path) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not is_navigation(cell):
            match = re.search(r"^#\s+(.+)$", cell.source, flags=re.M)
            if match:
                return match.group(1).strip()
    return path.stem


def links(lessons: list[Path], k: int, titles: list[str], bottom: bool) -> str:
    parts = []
    if k > 0:
        parts.append(f"[← {titles[k - 1]}]({lessons[k - 1].name})")
    parts.append("[Course overview](../README.md)")
    if k + 1 < len(lessons):
        parts.append(f"[{titles[k + 1]} →]({lessons[k + 1].name})")
    text = " | ".join(parts)
    if bottom:
        exercise = ROOT / "exercises" / lessons[k].name
        text = (f"**Next:** test yourself with the graded exercises in "
                f"[`exercises/{exercise.name}`](../exercises/{exercise.name}).\n\n" + text)
    return text


def update(lesson_dir: Path, check: bool = False) -> list[Path]:
    """Rewrite the navigation of every lesson in ``lesson_dir``; return the files that changed."""
    lessons = sorted(p for p in lesson_dir.glob("[0-9][0-9]_*.ipynb"))
    notebooks = [nbformat.read(p, as_version=4) for p in lessons]
    titles = [title(nb, p) for nb, p in zip(notebooks, lessons)]
    changed = []
    for k, (path, nb) in enumerate(zip(lessons, notebooks)):
        body = [c for c in nb.cells if not is_navigation(c)]
        top = nbformat.v4.new_markdown_cell(links(lessons, k, titles, False), id="nav-top", metadata=ROLE)
        bottom = nbformat.v4.new_markdown_cell(links(lessons, k, titles, True), id="nav-bottom", metadata=ROLE)
        cells = [top] + body + [bottom]
        old = [(c.cell_type, c.source, c.get("id")) for c in nb.cells]
        new = [(c.cell_type, c.source, c.get("id")) for c in cells]
        if old != new:
            changed.append(path)
            if not check:
                nb.cells = cells
                nbformat.write(nb, path)
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if out of date")
    parser.add_argument("--lessons", type=Path, default=ROOT / "lessons")
    args = parser.parse_args(argv)
    changed = update(args.lessons, check=args.check)
    for path in changed:
        print(f"{'out of date' if args.check else 'updated'}: {path.name}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())

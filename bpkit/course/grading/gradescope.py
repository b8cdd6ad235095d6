"""Gradescope's autograder: a bundle that installs this bpkit and grades the student's uploaded notebook.

Gradescope runs ``setup.sh`` once when the autograder is built, then, for every submission, ``run_autograder``
in a fresh container where ``/autograder/source`` is the unzipped bundle, ``/autograder/submission`` the
student's upload, and ``/autograder/results/results.json`` the result it reads back: a top-level ``score``
and one entry of ``tests`` per exercise (``name``, ``score``, ``max_score``, ``output``: the hint).

* :func:`build_bundle` writes the zip: ``setup.sh``, ``run_autograder``, ``release/`` (the released exercise
  notebooks) and ``bpkit-source/`` (this bpkit's source, which ``setup.sh`` installs).
* :func:`run` is what ``run_autograder`` calls (``bpkit gradescope run --root /autograder``): every notebook
  of the submission graded as ``bpkit grade`` grades it, in its own sandbox when the container allows one.
"""
from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

from .grade import grade_many, release_notebooks
from .scorecard import NotebookResult

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends python3 python3-pip python3-venv bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install /autograder/source/bpkit-source
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission/*.ipynb into
# /autograder/results/results.json. (AUTOGRADER_ROOT and BPKIT_PYTHON exist for testing it elsewhere.)
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${BPKIT_PYTHON:-$ROOT/venv/bin/python}"
cd "$ROOT"   # not source/: a folder there must never stand in for the installed bpkit
exec "$PYTHON" -m bpkit gradescope run --root "$ROOT" --release "$ROOT/source/release"
"""

#: what a bpkit source tree needs to be pip-installed (besides bpkit/ itself)
PROJECT_FILES = ("pyproject.toml", "README.md", "LICENSE", "LICENSE-content.md")


class BundleError(ValueError):
    """A bundle that cannot be built, said in words (``bpkit`` exits with 2)."""


def source_root() -> Path:
    """The bpkit source tree this bpkit runs from (it has pyproject.toml), or a :class:`BundleError`."""
    import bpkit

    root = Path(bpkit.__file__).resolve().parent.parent
    missing = [f for f in PROJECT_FILES if not (root / f).is_file()]
    if missing:
        raise BundleError(f"bpkit runs from {root}, which is not a bpkit source tree (no {', '.join(missing)}): "
                          "build the bundle from a clone of the course")
    return root


def _add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))   # fixed: the same bundle, byte for byte
    info.compress_type = zipfile.ZIP_DEFLATED
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    zf.writestr(info, data)


def build_bundle(out: Path, release: Path) -> list[str]:
    """Write the autograder zip to ``out``; returns the names in it."""
    notebooks = release_notebooks(release)
    if not notebooks:
        raise BundleError(f"no released notebooks at {release}")
    root = source_root()
    sources = sorted(p for p in (root / "bpkit").rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"))
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as zf:
        _add(zf, "setup.sh", SETUP_SH.encode(), executable=True)
        _add(zf, "run_autograder", RUN_AUTOGRADER.encode(), executable=True)
        for nb in notebooks:
            _add(zf, f"release/{nb.name}", nb.read_bytes())
        for name in PROJECT_FILES:
            _add(zf, f"bpkit-source/{name}", (root / name).read_bytes())
        for path in sources:
            _add(zf, f"bpkit-source/{path.relative_to(root).as_posix()}", path.read_bytes())
        return zf.namelist()


def _exercise_output(e) -> str:
    if e.passed:
        return "passed"
    if e.hint and e.problem:
        return f"{e.hint} ({e.problem})"
    return e.hint or e.problem or "not passed"


def results_json(results: list[NotebookResult], problems: list[str]) -> dict:
    """Gradescope's results.json for the graded notebooks of one submission."""
    tests = []
    for r in results:
        for e in r.exercises:
            tests.append({"name": f"{e.exercise} {e.title}".strip(), "number": e.exercise, "score": e.earned,
                          "max_score": e.points, "output": _exercise_output(e), "visibility": "visible"})
    notes = list(problems) + [f"{Path(r.path).name}: {r.error}" for r in results if r.error]
    book = {"score": sum(r.earned for r in results), "tests": tests, "stdout_visibility": "hidden"}
    if notes:
        book["output"] = "\n".join(notes)
    return book


def run(root: Path, release: Path, timeout: int) -> dict:
    """Grade ``root/submission``'s notebooks against ``release``; write and return ``root/results/results.json``."""
    from . import sandbox

    submissions = sorted(p for p in (root / "submission").rglob("*.ipynb")
                         if ".ipynb_checkpoints" not in p.parts) if (root / "submission").is_dir() else []
    problems = [] if submissions else ["no notebook (.ipynb) in your submission: upload your exercise notebook"]
    sandboxed = sandbox.problem() is None
    if not sandboxed:  # for the instructor (stdout is hidden from students)
        print(f"{sandbox.UNSAFE_WARNING} (this container cannot make the sandbox: {sandbox.problem()})")
    results = grade_many([str(s) for s in submissions], release, jobs=1, timeout=timeout,
                         sandbox=sandboxed) if submissions else []
    book = results_json(results, problems)
    out = root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".results.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(book, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, out)
    return book

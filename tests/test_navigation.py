"""Are the lessons' previous/next links right, and is the script that writes them idempotent?"""
import re
import sys
from pathlib import Path

import nbformat
import navigation

ROOT = Path(__file__).resolve().parents[1]


def _lesson(path: Path, heading: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {heading}\n\ntext"), nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, path)


def test_links_and_idempotence(tmp_path):
    """Do lessons get top and bottom links to their neighbours, with a second run changing nothing?"""
    for k, heading in enumerate(["One", "Two", "Three"], start=1):
        _lesson(tmp_path / f"0{k}_topic{k}.ipynb", heading)
    assert len(navigation.update(tmp_path)) == 3
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert navigation.update(tmp_path) == []
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    middle = nbformat.read(tmp_path / "02_topic2.ipynb", as_version=4)
    assert middle.cells[0].id == "nav-top" and middle.cells[-1].id == "nav-bottom"
    assert "[← One](01_topic1.ipynb)" in middle.cells[0].source
    assert "[Three →](03_topic3.ipynb)" in middle.cells[0].source
    assert "../exercises/02_topic2.ipynb" in middle.cells[-1].source
    assert middle.cells[1].source.startswith("# Two") and middle.cells[2].source == "x = 1"
    first = nbformat.read(tmp_path / "01_topic1.ipynb", as_version=4)
    assert "←" not in first.cells[0].source


def test_check_detects_a_stale_link(tmp_path):
    """After a lesson is renamed, does --check report the neighbours as out of date?"""
    for k, heading in enumerate(["One", "Two"], start=1):
        _lesson(tmp_path / f"0{k}_t.ipynb", heading)
    navigation.update(tmp_path)
    nb = nbformat.read(tmp_path / "02_t.ipynb", as_version=4)
    nb.cells[1].source = "# Renamed"
    nbformat.write(nb, tmp_path / "02_t.ipynb")
    assert navigation.update(tmp_path, check=True) == [tmp_path / "01_t.ipynb"]


def test_repository_lessons_are_up_to_date():
    """Are the navigation cells of the real lessons in lessons/ current?"""
    lessons = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    assert len(lessons) >= 9, f"expected the nine lessons, found {[p.name for p in lessons]}"
    assert navigation.update(ROOT / "lessons", check=True) == [], "run .venv/bin/python tools/navigation.py"


TIME = re.compile(r"\*\*Time:\*\* about (\d+) min for the lesson \+ (\d+) min for the exercises\.")


def _opening(path: Path) -> str:
    """The lesson's first markdown cell that is not navigation: its title, what it teaches, its time."""
    nb = nbformat.read(path, as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "markdown" and not navigation.is_navigation(c))


def readme_rows() -> dict[str, list[str]]:
    """The README's course table: lesson file name -> its cells."""
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `lessons/([0-9]{2}_[a-z_]+\.ipynb)` \|(.*)\|$", line)
        if match:
            rows[match[1]] = [cell.strip() for cell in match[2].split("|")]
    return rows


def test_every_lesson_states_its_time_and_outcomes_as_the_readme_does():
    """Does every lesson open with its time and what the student can do after it, and does the README's table
    list every lesson, in order, with the same times and those outcomes?"""
    lessons = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    rows = readme_rows()
    assert list(rows) == [p.name for p in lessons], "the README's table should list every lesson, in order"
    for path in lessons:
        text = _opening(path)
        time = TIME.search(text)
        assert time, f"{path.name}: the opening cell should say '**Time:** about N min for the lesson + M min ...'"
        assert "**After this lesson you can:**" in text, f"{path.name}: the opening cell should list what you can do"
        outcomes = text.split("**After this lesson you can:**")[1].split("**Part of the notes")[0]
        assert outcomes.count("\n* ") >= 2, f"{path.name}: list at least two things the student can do after it"
        cells = rows[path.name]
        assert f"{time[1]} + {time[2]} min" in cells, f"{path.name}: the README says {cells}, the lesson {time[0]}"


def test_readme_rows_are_read(tmp_path, monkeypatch):
    """Does the README reader find a table row, so that the test above cannot pass on an empty table?"""
    (tmp_path / "README.md").write_text("| `lessons/01_a_b.ipynb` | x | you can | 5 + 6 min |\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert readme_rows() == {"01_a_b.ipynb": ["x", "you can", "5 + 6 min"]}

"""Are the lessons' previous/next links right, and is the script that writes them idempotent?"""
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
    assert len(lessons) >= 7, f"expected the seven lessons, found {[p.name for p in lessons]}"
    assert navigation.update(ROOT / "lessons", check=True) == [], "run .venv/bin/python tools/navigation.py"

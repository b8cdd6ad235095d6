"""Before a student runs a lesson, does each widget cell read as a one-line placeholder, not a raw repr?"""
import importlib
import json
from pathlib import Path

import pytest

from bpkit.show.widgets import LessonWidget

ROOT = Path(__file__).resolve().parents[1]
MODULES = [f"bpkit.show.widgets.{p.stem}" for p in sorted((ROOT / "bpkit" / "widgets").glob("lesson*.py"))]
VIEW = "application/vnd.jupyter.widget-view+json"


def saved_widget_outputs():
    for path in sorted((ROOT / "lessons").glob("*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text())["cells"]):
            for output in cell.get("outputs", []):
                if VIEW in output.get("data", {}):
                    yield path.name, index, output["data"]


@pytest.mark.slow
@pytest.mark.parametrize("module, function", [(m, f) for m in MODULES for f in importlib.import_module(m).__all__])
def test_every_lesson_widget_saves_a_one_line_placeholder(module, function):
    """Is the widget a LessonWidget, and is the text a notebook saves for it one line that says what it does
    and to run the cells above (ipywidgets cuts a text/plain repr at 110 characters)?"""
    value = getattr(importlib.import_module(module), function)()  # the convention: no required arguments
    assert isinstance(value, LessonWidget), f"{module}.{function} returns a {type(value).__name__}"
    text = value._repr_mimebundle_()["text/plain"]
    assert text.startswith("[widget: ") and text.endswith("Run the cells above to use it.]"), text
    assert "\n" not in text and len(text) <= 110 and "children" not in text


def test_lessons_saved_every_widget_as_its_placeholder():
    """Does every widget output stored in lessons/ show the placeholder (the notebooks were re-executed), with no
    saved widget state (JupyterLab does not draw it: 40-160 KB a lesson that no student sees)?"""
    for path in sorted((ROOT / "lessons").glob("*.ipynb")):
        assert "widgets" not in json.loads(path.read_text())["metadata"], f"{path.name} carries saved widget state"
    found = list(saved_widget_outputs())
    assert found, "no widget outputs in lessons/"
    for name, index, data in found:
        text = "".join(data["text/plain"])
        if "it/s]" in text:  # tqdm's progress bar: its own one-line text
            continue
        assert text.startswith("[widget: "), f"{name} cell {index} saved {text[:60]!r}"

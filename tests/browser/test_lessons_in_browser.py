"""Do the lessons work where the student uses them: in JupyterLab, in a real browser?

Each lesson is copied into a throw-away JupyterLab root, opened in Debian's chromium, run with Run → Run All Cells,
checked for error output, and then its first *weight* slider (the first slider whose description names a weight
w^l_ij, like ``w¹₀₀`` or ``w^1_00``) is moved with the arrow keys: what the lesson shows around that slider must
change; a lesson without a weight slider fails. The harness itself is tested first, on scratch notebooks built here,
to prove it can fail.

Run: ``.venv/bin/pytest -m browser tests/browser`` (add ``-rP`` to see the seconds each phase took).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted((REPO / "lessons").glob("*.ipynb"))


def _notebook(path: Path, *sources: str, tags: dict[int, list[str]] | None = None) -> Path:
    """Write a scratch notebook with one code cell per source (after a markdown title), as a lesson would be saved."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}")]
    for i, source in enumerate(sources):
        cell = nbformat.v4.new_code_cell(source)
        if tags and i in tags:
            cell.metadata["tags"] = tags[i]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


LABEL_SLIDER = """\
import ipywidgets as w
s = w.FloatSlider(description="w^1_00")
l = w.Label()
s.observe(lambda c: setattr(l, "value", f"{c['new']:.2f}"), "value")
w.VBox([s, l])"""

FIGURE_SLIDER = """\
import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np

a = w.FloatSlider(value=1.0, min=0.1, max=3.0, step=0.1, description="w^1_00")

def draw(a):
    fig, ax = plt.subplots(figsize=(4, 3))
    x = np.linspace(-3, 3, 100)
    ax.plot(x, np.tanh(a * x))
    ax.set(title=f"tanh({a:.1f} x)", xlabel="x", ylabel="σ")
    plt.show()

w.VBox([a, w.interactive_output(draw, {"a": a})])"""

DEAD_SLIDER = """\
import ipywidgets as w
w.VBox([w.IntSlider(description="w¹₀₀"), w.Label("this never changes")])"""

NOT_WEIGHTS = """\
import ipywidgets as w
w.VBox([w.IntSlider(description="width"), w.FloatSlider(description="t"), w.Label("never changes")])"""

LABEL_SLIDER_T = LABEL_SLIDER.replace('description="w^1_00"', 'description="t"')


# ---------------------------------------------------------------------------------------- the harness, tested


def test_harness_passes_a_slider_that_updates_a_label(lab, tmp_path):
    """Does the harness accept a notebook whose slider drives a Label (and say that the text changed)?"""
    run = lab.run(_notebook(tmp_path / "label_slider.ipynb", LABEL_SLIDER), artifacts=tmp_path)
    assert run.slider == "w^1_00"
    assert "text" in run.changed, run.summary()


def test_harness_passes_a_slider_that_redraws_a_figure(lab, tmp_path):
    """Does the harness accept a slider that redraws a matplotlib figure through interactive_output?"""
    run = lab.run(
        _notebook(tmp_path / "figure_slider.ipynb", "%matplotlib inline", FIGURE_SLIDER, "print('after')"),
        artifacts=tmp_path,
    )
    assert "images" in run.changed, run.summary()


def test_harness_moves_the_first_weight_slider_not_the_first_slider(lab, tmp_path):
    """Are sliders that move no weight ("width", "t", which change nothing) skipped for the first weight slider?"""
    run = lab.run(_notebook(tmp_path / "weight_later.ipynb", NOT_WEIGHTS, LABEL_SLIDER), artifacts=tmp_path)
    assert run.slider == "w^1_00"
    assert "text" in run.changed, run.summary()


def test_harness_fails_when_no_slider_moves_a_weight(lab, tmp_path):
    """Does a notebook whose only working slider is not a weight (t, width) fail, naming the sliders it found?"""
    nb = _notebook(tmp_path / "no_weight_slider.ipynb", NOT_WEIGHTS, LABEL_SLIDER_T)
    with pytest.raises(lab.Failure, match=r"no weight slider: none of the 3 sliders.*'width', 't', 't'"):
        lab.run(nb, artifacts=tmp_path, slider_timeout=5)
    assert (tmp_path / "no_weight_slider.png").is_file(), "a failure leaves a screenshot"


def test_harness_fails_on_an_error_cell(lab, tmp_path):
    """Does an exception in any cell fail the lesson, even though the slider before it works?"""
    nb = _notebook(tmp_path / "error_cell.ipynb", LABEL_SLIDER, "1 / 0", "print('never run')")
    with pytest.raises(lab.Failure, match=r"(?s)error output.*cell 3.*ZeroDivisionError"):
        lab.run(nb, artifacts=tmp_path)
    assert (tmp_path / "error_cell.png").is_file(), "a failure leaves a screenshot"


def test_harness_fails_when_the_slider_changes_nothing(lab, tmp_path):
    """Does a slider that moves but changes nothing else fail the lesson?"""
    nb = _notebook(tmp_path / "dead_slider.ipynb", DEAD_SLIDER)
    with pytest.raises(lab.Failure, match="changed nothing the lesson shows"):
        lab.run(nb, artifacts=tmp_path, slider_timeout=5)


def test_harness_fails_when_the_slider_callback_raises(lab, tmp_path):
    """Does an exception inside the slider's observer fail the lesson (it never reaches a cell's output)?"""
    source = LABEL_SLIDER.replace('setattr(l, "value", f"{c[\'new\']:.2f}")', "1 / 0")
    nb = _notebook(tmp_path / "raising_slider.ipynb", source)
    with pytest.raises(lab.Failure, match=r"(?s)log console.*ZeroDivisionError"):
        lab.run(nb, artifacts=tmp_path)


def test_harness_allows_a_cell_tagged_raises_exception(lab, tmp_path):
    """Is an error in a cell tagged raises-exception (nbval's convention for a deliberate error) accepted?"""
    nb = _notebook(tmp_path / "deliberate.ipynb", "import math\nmath.exp(1000)", LABEL_SLIDER,
                   tags={0: ["raises-exception"]})  # fmt: skip
    lab.run(nb, artifacts=tmp_path)


# ---------------------------------------------------------------------------------------- the lessons


@pytest.mark.parametrize("lesson", LESSONS or [None], ids=[p.stem for p in LESSONS] or ["no-lessons"])
def test_lesson_runs_and_its_weight_slider_changes_what_it_shows(lesson, request):
    """Does the lesson run without error output in JupyterLab, and does moving its first weight slider change what it shows?"""
    if lesson is None:
        pytest.fail(f"no lessons found: {REPO / 'lessons'} has no *.ipynb, so there is nothing to test in a browser")
    run = request.getfixturevalue("lab").run(lesson)
    print(run.summary())

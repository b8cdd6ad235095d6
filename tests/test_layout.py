"""Does the package keep its three parts and their one-way flow?

* the numeric core, ``bpkit/*.py`` (and ``bpkit/data``): the notation, the network, E, the gradients, the
  counts and numerical methods every lesson shows;
* the course tooling, ``bpkit/course/``: exercises, checks, grading, the CLI; it reads the core;
* the presentation, ``bpkit/show/``: plots and widgets; it draws what the core computed.

core <- course, core <- show, and nothing else: the core imports neither of the others, and the course tooling
(whose checks judge numbers) never imports the presentation, nor the presentation the course tooling.
Every import is read from the source (lazy imports inside functions too), so a test cannot miss one that a
particular run did not reach.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import bpkit

PACKAGE = Path(bpkit.__file__).resolve().parent
MAX_LINES = 450
ALLOWED = {"core": {"core"}, "course": {"core", "course"}, "show": {"core", "show"}}
#: third-party libraries that draw: only the presentation (and the notebooks) may use them
DRAWING = ("matplotlib", "ipywidgets")
#: the notebook machinery: the course tooling runs kernels; the core runs anywhere numpy does
NOTEBOOK = ("IPython", "jupyter_client", "nbformat", "nbclient")


def modules() -> dict[str, Path]:
    """bpkit's modules by dotted name (``bpkit.course.checks.harness``), read from the source tree."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(relative.parts)
        if "ipython" in parts:  # the kernel's IPython profile: configuration, not a module of ours
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def part(module: str) -> str:
    """``core``, ``course`` or ``show``: the part of the package ``module`` belongs to."""
    pieces = module.split(".")
    if module == "bpkit.__main__":  # `python -m bpkit` is the CLI
        return "course"
    return pieces[1] if len(pieces) > 1 and pieces[1] in ("course", "show") else "core"


def imports(module: str, path: Path) -> list[str]:
    """Every module name ``module`` imports, relative imports resolved, ``from a import b`` giving ``a.b``."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            names += [base] + [f"{base}.{a.name}" for a in node.names]
    return names


def test_the_tree_is_read():
    """Are the three parts found where the layout says, so that the tests below read real modules?"""
    found = modules()
    assert {"bpkit.network", "bpkit.backprop", "bpkit.course.checks.harness", "bpkit.course.grading.kernel",
            "bpkit.course.cli", "bpkit.show.plots.diagram", "bpkit.show.widgets.lesson01"} <= set(found)
    assert {part(m) for m in found} == {"core", "course", "show"}


@pytest.mark.parametrize("module", sorted(modules()))
def test_imports_flow_one_way(module):
    """Does this module import only from the parts it may (core <- course, core <- show)?"""
    path = modules()[module]
    mine = part(module)
    for name in imports(module, path):
        if name == "bpkit" or name.startswith("bpkit."):
            if name in ("bpkit", "bpkit.course", "bpkit.show"):
                continue  # the package objects themselves (e.g. `import bpkit`): checked through their members
            assert part(name) in ALLOWED[mine], (f"{path.relative_to(PACKAGE.parent)} ({mine}) imports {name} "
                                                 f"({part(name)}); {mine} may import only {sorted(ALLOWED[mine])}")
        if mine != "show":
            assert not name.startswith(DRAWING), f"{path.relative_to(PACKAGE.parent)} ({mine}) imports {name}"
        if mine == "core":
            assert not name.startswith(NOTEBOOK), f"{path.relative_to(PACKAGE.parent)} (core) imports {name}"


def test_a_wrong_import_is_caught(tmp_path):
    """Would the import reader see a check importing a plot, relatively and lazily?"""
    path = tmp_path / "lesson99.py"
    path.write_text("def f():\n    from ...show.plots import diagram\n    import bpkit.show.widgets\n")
    names = imports("bpkit.course.checks.lesson99", path)
    assert "bpkit.show.plots.diagram" in names and "bpkit.show.widgets" in names
    assert {part(n) for n in names if n.startswith("bpkit.")} == {"show"}


@pytest.mark.parametrize("module", sorted(modules()))
def test_modules_stay_readable(module):
    """Is every module at most 450 lines, so that a reader can hold it at once?"""
    lines = modules()[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines (at most {MAX_LINES}): split it along a seam"


#: numpy functions that compute the course's formulas (activations, the cross-entropy, fits): the core's business
FORMULAS = {"exp", "log", "log1p", "logaddexp", "tanh", "polyfit", "gradient"}


def formula_calls(source: str) -> list[str]:
    """The ``np.<formula>`` calls in ``source``, and central differences written out (a division by 2·eps)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and node.attr in FORMULAS and isinstance(node.value, ast.Name)
                and node.value.id in ("np", "numpy")):
            found.append(f"np.{node.attr}")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and "eps" in ast.unparse(node.right).lower():
            found.append(ast.unparse(node))
    return found


def test_formula_reader_sees_formulas():
    """Would a sigmoid, a fit or a hand-written central difference in a plot module be seen?"""
    assert sorted(formula_calls("s = 1 / (1 + np.exp(-z))\nk = np.polyfit(x, y, 1)\nd = (p - q) / (2 * EPS)")) == [
        "(p - q) / (2 * EPS)", "np.exp", "np.polyfit"]
    assert formula_calls("z = np.log10(Z)\nw = np.linspace(0, 1)") == []


@pytest.mark.parametrize("module", sorted(m for m in modules() if part(m) == "show"))
def test_the_presentation_computes_no_formula(module):
    """Does this plot or widget module only draw: no activation, logarithm or fit of its own, no central
    difference written out (each lives once, in the core)?"""
    assert formula_calls(modules()[module].read_text(encoding="utf-8")) == [], module


#: an indexed symbol written inline: HTML (``w<sup>1</sup><sub>…``) or text whose indices are computed
#: (``f"w^{l}_{i}{j}"``, ``f"σ^{l}_{i}"``); every such label is bpkit.labels' business
INLINE_LABEL = re.compile(r"(?:\b(?:w|sum)|σ|δ)(?:<sup>[^<]*</sup><sub>|\^\{[^}]*\}_\{)")


def inline_labels(source: str) -> list[str]:
    """The string constants and f-strings in ``source`` (docstrings aside) that write an indexed symbol by hand."""
    tree = ast.parse(source)
    docs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    return [ast.unparse(n) for n in ast.walk(tree) if id(n) not in docs
            and (isinstance(n, ast.JoinedStr) or (isinstance(n, ast.Constant) and isinstance(n.value, str)))
            and INLINE_LABEL.search(ast.unparse(n))]


def test_inline_label_reader_sees_labels():
    """Would a weight or neuron label written by hand, in HTML or in a computed f-string, be seen?"""
    assert len(inline_labels('a = "w<sup>1</sup><sub>00</sub>"\nb = f"w^{l}_{i}{j}"\nc = f"σ^{l}_{j}"')) == 3
    assert inline_labels('"""w<sup>1</sup><sub>00</sub> in a docstring"""\na = f"{labels.weight_text(l, i, j)}"\n'
                         'b = "w^l_ij in the notes"\nc = f"w^{l} has shape"') == []


@pytest.mark.parametrize("module", sorted(m for m in modules() if m != "bpkit.labels"))
def test_labels_have_one_home(module):
    """Does every plot, widget, check message and error write w^l_ij, σ^l_i, sum^l_i and δ^l_j with
    indices through bpkit.labels (so one change of notation changes every place it is shown)?"""
    assert inline_labels(modules()[module].read_text(encoding="utf-8")) == [], module

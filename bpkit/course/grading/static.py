"""A static look at the code a student wrote, for shortcuts that are not answers (``bpkit grade``).

An exercise whose check switches bpkit's own answer off (``bpkit.gradient`` for a backpropagation
exercise, say) asks the student to compute it themselves. In the sandboxed kernel the student's code
could undo that switch (reload a module, exec bpkit's source, reach the original through the garbage
collector), so the grader also reads the code, without running it:

* **escape hatches**, in any cell the student wrote: importing ``importlib``, ``inspect``, ``gc``,
  ``ctypes``, ``marshal``, ``subprocess`` ...; calling ``exec``, ``eval``, ``compile``, ``__import__``;
  ``sys.modules``, ``__code__``, frames (``sys._getframe``): nothing a course exercise needs;
* **bpkit's answer itself or another autodiff library**, in the cells the exercise's answer is made of
  (its answer cells, and every cell the student wrote that defines a name they use, transitively): a
  function the check switched off (as ``bpkit.gradient``, ``from bpkit import gradient`` or
  ``getattr(bpkit, "gradient")``), bpkit's gradient modules, or ``jax``, ``torch``, ``autograd``,
  ``tensorflow``. A scratch cell that compares with ``bpkit.gradient`` and defines nothing is not held
  against the answer.

Code the release itself contains is never held against the student. A finding gives 0 points with a
hint that says why. Central differences are caught by the checks themselves (hidden cases where they
are measurably inaccurate).
"""
from __future__ import annotations

import ast

from nbformat import NotebookNode

from ..exercises import exercise_of, role

#: what, used anywhere in a student's code, can undo the check's switches: modules imported ...
ESCAPE_MODULES = ("importlib", "inspect", "gc", "ctypes", "marshal", "runpy", "subprocess", "pickle", "dill")
#: ... attributes (``sys.modules``, ``f.__code__``, ``sys._getframe``, ``os.system``) ...
ESCAPE_ATTRS = ("reload", "modules", "__code__", "__globals__", "__builtins__", "__dict__", "getsource",
                "_getframe", "currentframe", "f_back", "f_locals", "f_globals", "system", "FunctionType",
                "CodeType", "import_module", "__import__", "__subclasses__", "__closure__")
#: ... and builtins called by name
ESCAPE_BUILTINS = ("exec", "eval", "compile", "__import__", "__builtins__", "globals", "vars", "breakpoint")
#: other libraries that differentiate for you
AUTODIFF = ("jax", "torch", "autograd", "tensorflow", "mxnet", "theano")
#: bpkit's modules that compute gradients
GRADIENT_MODULES = ("backprop", "scalar", "naive", "gradcheck")


def student_cells(cells: list[NotebookNode], release: NotebookNode) -> list[tuple[int, NotebookNode]]:
    """(index, cell) for the code cells the student wrote or changed (not protected, not the release's)."""
    released = {c.get("source", "") for c in release.cells if c.get("cell_type") == "code"}
    return [(i, c) for i, c in enumerate(cells) if c.get("cell_type") == "code"
            and role(c) not in ("check", "setup") and c.get("source", "") not in released]


def _names(tree: ast.AST):
    """(kind, name, line) for the names in ``tree`` that matter here: "name" (a bare identifier),
    "attr" (``x.name``), "import" (a module or name imported; "bpkit-import" when from bpkit) and
    "str" (a string that could name an attribute, as in ``getattr(bpkit, "gradient")``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield "name", node.id, node.lineno
        elif isinstance(node, ast.Attribute):
            yield "attr", node.attr, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                kind = "bpkit-import" if alias.name.split(".")[0] == "bpkit" else "import"
                for part in alias.name.split("."):
                    yield kind, part, node.lineno
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            kind = "bpkit-import" if module.split(".")[0] == "bpkit" or node.level else "import"
            for part in module.split(".") + [a.name for a in node.names]:
                if part:
                    yield kind, part, node.lineno
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            yield "str", node.value, node.lineno


def _defined(tree: ast.Module) -> set[str]:
    """The names a cell binds at its top level (functions, classes, assignments, imports)."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def _used(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def answer_cells(exercise: str, written: list[tuple[int, NotebookNode, ast.Module]]) -> set[int]:
    """The cells the answer to ``exercise`` is made of: its answer cells, and every cell the student wrote
    that defines a name those cells use (and so on, transitively)."""
    own = {i for i, cell, _ in written if role(cell) == "answer" and exercise_of(cell) == exercise}
    used = set().union(*(_used(tree) for i, _, tree in written if i in own)) if own else set()
    grew = True
    while grew:
        grew = False
        for i, _, tree in written:
            if i not in own and _defined(tree) & used:
                own.add(i)
                used |= _used(tree)
                grew = True
    return own


def shortcut(exercise: str, cells: list[NotebookNode], release: NotebookNode, switched_off) -> str | None:
    """Why the student's passing answer to ``exercise`` is not an answer (a hint), or None.

    ``switched_off``: the dotted paths of the bpkit functions the check switched off while it called
    the student's code; an exercise that switched nothing off is not looked at.
    """
    if not switched_off:
        return None
    forbidden = {path.rsplit(".", 1)[-1] for path in switched_off} - {"fn", "forward", "delta"}
    forbidden.update(GRADIENT_MODULES if any(p.rsplit(".", 1)[-1] in ("gradient", "backward")
                                             for p in switched_off) else ())
    written = []
    for index, cell in student_cells(cells, release):
        try:
            written.append((index, cell, ast.parse(cell.get("source", ""))))
        except SyntaxError:
            continue
    answer = answer_cells(exercise, written)
    for index, cell, tree in written:
        own = index in answer
        for kind, name, line in _names(tree):
            where = f"cell #{index + 1}, line {line}"
            escape = ((kind == "import" and name in ESCAPE_MODULES) or (kind == "name" and name in ESCAPE_BUILTINS)
                      or (kind in ("attr", "str") and name in ESCAPE_ATTRS and (kind == "attr" or name[0] in "_f")))
            if escape:
                return (f"your code uses {name} ({where}), which can undo how the check "
                        "switches bpkit's own answer off; an exercise answer needs none of it. Remove it.")
            if name in AUTODIFF and (own or kind == "import"):
                return (f"your code uses {name} ({where}), a library that differentiates for you; this "
                        "exercise asks you to derive and compute it yourself.")
            if name in forbidden and (kind == "bpkit-import" or (own and kind in ("attr", "str"))):
                return (f"your code uses bpkit's {name} ({where}): bpkit's own answer is not an answer to "
                        "this exercise; compute it yourself.")
    return None

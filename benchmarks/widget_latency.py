"""How long does one slider move of each lesson widget keep the kernel busy? The goal is at most 100 ms.

Convention the lesson authors follow: the widgets of lesson NN live in ``bpkit/show/widgets/lessonNN.py``, and every
public function named in that module's ``__all__`` takes no required argument and returns an ``ipywidgets.Widget``.

For every such widget this script builds it, walks its widget tree for sliders (Int/Float/FloatLog/range sliders,
SelectionSlider, SelectionRangeSlider) and, for each slider, times the kernel-side work of one move: assigning a
neighbouring ``.value`` (``.index`` for selection sliders) runs every observer synchronously, so
``time.perf_counter`` around the assignment measures what the student waits for, minus the browser round trip.
After one untimed warm-up move it makes ``--repeat`` timed moves, alternating between the two values, and prints the
median and the max. Every widget is timed twice: as built, and again with every integer slider at its maximum (the
widest, deepest network or the last step: its slowest state); the state column says which.

It runs outside a kernel: matplotlib uses Agg and nothing is displayed. What the inline backend would do is still
paid for, so the numbers are not optimistic: ``plt.show()`` and ``display(figure)`` render each figure to PNG (with
``bbox_inches="tight"``, as the inline backend does) and ``plt.show()`` closes them. The widget-to-browser traffic
(JSON state over the websocket) is not included. Work a widget pushes to a thread is not seen.

The build column is the time to build the widget (what its cell costs when run); the notes column flags what breaks
the lessons' rules: a widget that prints or warns, one that leaves figures open.

Usage: ``.venv/bin/python benchmarks/widget_latency.py [--repeat 20] [--lesson 02] [--package bpkit.show.widgets]``.
It is a benchmark, not a test: it exits 0 whatever it measures (2 only for bad arguments).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import math
import os
import pkgutil
import re
import statistics
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field

os.environ["MPLBACKEND"] = "Agg"  # before anything imports matplotlib

GOAL_MS = 100.0


# --------------------------------------------------------------------------------------------- no display


def _render_png(figure) -> None:
    """What the inline backend pays to show a figure: rendering it to PNG."""
    figure.canvas.print_figure(io.BytesIO(), format="png", bbox_inches="tight")


def _display(*objs, **kwargs) -> None:
    """Stand-in for IPython's display: figures are rendered (the inline backend's cost); nothing is shown."""
    from matplotlib.figure import Figure

    for obj in objs:
        if isinstance(obj, Figure):
            _render_png(obj)


def _clear_output(*args, **kwargs) -> None:
    """Stand-in for IPython's clear_output (outside a kernel it would print escape codes)."""


def _show(*args, **kwargs) -> None:
    """Stand-in for the inline backend's ``plt.show()``: render every open figure, then close them."""
    import matplotlib.pyplot as plt

    for num in plt.get_fignums():
        _render_png(plt.figure(num))
    plt.close("all")


def _silence_display() -> None:
    """Install the stand-ins before ipywidgets and the lesson modules bind IPython's functions at import time."""
    import IPython.core.display_functions as display_functions
    import IPython.display
    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    global _ORIGINALS
    _ORIGINALS = {"display": display_functions.display, "clear_output": display_functions.clear_output}
    for module in (IPython.display, display_functions):
        module.display, module.clear_output = _display, _clear_output
    plt.show = _show


_ORIGINALS: dict = {}


def _rebind_display() -> None:
    """Replace IPython's display/clear_output in every module that imported them before the stand-ins went in."""
    stand_ins = {"display": _display, "clear_output": _clear_output}
    for module in list(sys.modules.values()):
        for name, new in stand_ins.items():
            if getattr(module, "__dict__", {}).get(name) is _ORIGINALS[name]:  # no module __getattr__ side effects
                with contextlib.suppress(AttributeError, TypeError):
                    setattr(module, name, new)


# --------------------------------------------------------------------------------------------- sliders


def _slider_classes() -> tuple[type, ...]:
    import ipywidgets as w

    return (
        w.IntSlider, w.FloatSlider, w.FloatLogSlider, w.IntRangeSlider, w.FloatRangeSlider,
        w.SelectionSlider, w.SelectionRangeSlider,
    )  # fmt: skip


def find_sliders(root) -> list:
    """Every slider in the widget tree under ``root`` (children, and any synced trait holding widgets), in order."""
    import ipywidgets as w

    sliders, seen, todo = [], set(), [root]
    skip = (w.Layout, w.Style) if hasattr(w, "Style") else (w.Layout,)
    classes = _slider_classes()
    while todo:
        widget = todo.pop(0)
        if id(widget) in seen or isinstance(widget, skip):
            continue
        seen.add(id(widget))
        if isinstance(widget, classes):
            sliders.append(widget)
        for name in getattr(widget, "keys", []):
            value = getattr(widget, name, None)
            values = value if isinstance(value, (list, tuple)) else [value]
            todo.extend(v for v in values if isinstance(v, w.Widget))
    return sliders


def neighbour(slider):
    """(trait, current, neighbour): a value one step away from the current one, inside the slider's range."""
    import ipywidgets as w

    if isinstance(slider, (w.SelectionSlider, w.SelectionRangeSlider)):
        n = len(slider.options)
        index = slider.index
        if isinstance(slider, w.SelectionSlider):
            other = index + 1 if index + 1 < n else index - 1
            return ("index", index, other) if 0 <= other < n and other != index else None
        lo, hi = index
        if hi + 1 < n:
            return "index", index, (lo, hi + 1)
        return ("index", index, (lo, hi - 1)) if hi - 1 >= lo and hi != lo else None
    if isinstance(slider, w.FloatLogSlider):
        exponent = math.log(slider.value, slider.base)
        for other in (exponent + slider.step, exponent - slider.step):
            if slider.min <= other <= slider.max:
                return "value", slider.value, slider.base**other
        return None
    step = slider.step or (slider.max - slider.min) / 100
    if isinstance(slider, (w.IntRangeSlider, w.FloatRangeSlider)):
        lo, hi = slider.value
        if hi + step <= slider.max:
            return "value", slider.value, (lo, hi + step)
        return ("value", slider.value, (lo, hi - step)) if hi - step >= lo else None
    value = slider.value
    for other in (value + step, value - step):
        if slider.min <= other <= slider.max:
            return "value", value, other
    return None


def describe(slider) -> str:
    label = slider.description or type(slider).__name__
    return label if len(label) <= 24 else label[:23] + "…"


# --------------------------------------------------------------------------------------------- measuring


@dataclass
class Row:
    lesson: str
    widget: str
    slider: str = ""
    state: str = "as built"
    build_ms: float | None = None
    times_ms: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.times_ms) if self.times_ms else None

    @property
    def max(self) -> float | None:
        return max(self.times_ms) if self.times_ms else None


@contextlib.contextmanager
def _watch(notes: list[str]):
    """Capture prints and warnings (widgets must do neither) into ``notes``."""
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        yield
    if out.getvalue().strip():
        notes.append(f"printed {out.getvalue().strip()[:40]!r}")
    for warning in caught[:1]:
        notes.append(f"warned {warning.category.__name__}: {str(warning.message)[:60]}")


def time_slider(slider, repeat: int, notes: list[str]) -> list[float]:
    """Milliseconds of ``repeat`` moves between the slider's value and a neighbour (after one untimed round trip)."""
    import matplotlib.pyplot as plt

    move = neighbour(slider)
    if move is None:
        notes.append("cannot move (a single value)")
        return []
    trait, here, there = move
    open_before = len(plt.get_fignums())
    times = []
    with _watch(notes):
        setattr(slider, trait, there)  # warm-up: imports, font cache, first figure
        setattr(slider, trait, here)
        for i in range(repeat):
            target = there if i % 2 == 0 else here
            start = time.perf_counter()
            setattr(slider, trait, target)
            times.append((time.perf_counter() - start) * 1000)
        setattr(slider, trait, here)
    leaked = len(plt.get_fignums()) - open_before
    if leaked > 0:
        notes.append(f"left {leaked} figure(s) open")
    return times


MAXED = "ints at max"


def to_the_max(widget) -> tuple[bool, str | None]:
    """Move every integer slider of ``widget`` to its maximum, in the tree's order (a slider whose range follows
    another's is moved after it); (whether any moved, what went wrong)."""
    import ipywidgets as w

    moved = False
    for _ in range(3):  # a slider's maximum may grow once another is at its own
        grew = False
        for slider in find_sliders(widget):
            if isinstance(slider, w.IntSlider) and slider.value != slider.max:
                try:
                    with _watch([]):
                        slider.value = slider.max
                except Exception as exc:  # noqa: BLE001
                    return moved, f"moving {describe(slider)} to its maximum failed: {type(exc).__name__}: {exc}"
                moved = grew = True
        if not grew:
            break
    return moved, None


def lesson_modules(package: str, only: str | None) -> tuple[list[str], str | None]:
    """Names of ``<package>.lesson*`` modules, and why there are none when there are none."""
    try:
        pkg = importlib.import_module(package)
    except ModuleNotFoundError as exc:
        if exc.name and package.startswith(exc.name):
            return [], f"no {package} package yet"
        raise
    if not hasattr(pkg, "__path__"):
        return [], f"{package} is a module, not a package of lessonNN modules"
    names = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if re.fullmatch(r"lesson\w*", m.name))
    if only:
        names = [n for n in names if n == f"lesson{only}" or n == only]
    wanted = f"{package}.lesson{only}" if only else f"{package}.lesson* modules"
    return [f"{package}.{n}" for n in names], None if names else f"no {wanted}"


def measure(package: str, repeat: int, only: str | None) -> tuple[list[Row], str | None]:
    import ipywidgets as w
    import matplotlib.pyplot as plt

    modules, why_none = lesson_modules(package, only)
    rows = []
    for name in modules:
        lesson = name.rsplit(".", 1)[1].removeprefix("lesson")
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - a benchmark reports and goes on
            rows.append(Row(lesson, "(import)", notes=[f"import failed: {type(exc).__name__}: {exc}"]))
            continue
        _rebind_display()
        public = getattr(module, "__all__", None)
        if not public:
            rows.append(Row(lesson, "(none)", notes=["no __all__: no widget functions listed"]))
            continue
        for func_name in public:
            factory = getattr(module, func_name, None)
            notes: list[str] = []
            try:
                with _watch(notes):
                    start = time.perf_counter()
                    widget = factory()
                    build_ms = (time.perf_counter() - start) * 1000
            except Exception as exc:  # noqa: BLE001
                tb = traceback.extract_tb(exc.__traceback__)[-1]
                where = f"{os.path.basename(tb.filename)}:{tb.lineno}"
                rows.append(Row(lesson, func_name, notes=[f"build failed: {type(exc).__name__}: {exc} ({where})"]))
                continue
            if not isinstance(widget, w.Widget):
                rows.append(Row(lesson, func_name, notes=[f"returned {type(widget).__name__}, not a Widget"]))
                continue
            sliders = find_sliders(widget)
            if not sliders:
                rows.append(Row(lesson, func_name, build_ms=build_ms, notes=["no slider in its widget tree", *notes]))
            for state in ("as built", MAXED):
                if state == MAXED:
                    maxed, why_not = to_the_max(widget)
                    if why_not:
                        rows.append(Row(lesson, func_name, state=state, build_ms=build_ms, notes=[why_not]))
                    if not maxed:
                        break
                    sliders = find_sliders(widget)  # a new depth may have rebuilt some of them
                for slider in sliders:
                    row = Row(lesson, func_name, describe(slider), state, build_ms=build_ms, notes=list(notes))
                    try:
                        row.times_ms = time_slider(slider, repeat, row.notes)
                    except Exception as exc:  # noqa: BLE001
                        row.notes.append(f"update failed: {type(exc).__name__}: {exc}")
                    rows.append(row)
            with contextlib.suppress(Exception):
                widget.close()
            plt.close("all")
    return rows, why_none


def table(rows: list[Row]) -> str:
    header = ("lesson", "widget", "slider", "state", "median ms", "max ms", f"≤ {GOAL_MS:.0f} ms", "build ms", "notes")
    body = []
    for r in rows:
        fmt = lambda x: "-" if x is None else f"{x:.1f}"  # noqa: E731
        meets = "-" if r.median is None else ("yes" if r.median <= GOAL_MS else "NO")
        row = (r.lesson, r.widget, r.slider or "-", r.state, fmt(r.median), fmt(r.max), meets, fmt(r.build_ms))
        body.append((*row, "; ".join(r.notes)))
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    right = {4, 5, 7}
    lines = []
    for line in [header, None, *body]:
        if line is None:
            lines.append("  ".join("-" * n for n in widths[:-1]) + "  " + "-" * max(5, widths[-1]))
            continue
        cells = [str(c).rjust(n) if i in right else str(c).ljust(n) for i, (c, n) in enumerate(zip(line, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed moves per slider (default 20)")
    parser.add_argument("--lesson", help="only this lesson, e.g. 03")
    parser.add_argument("--package", default="bpkit.show.widgets", help="package holding lessonNN modules")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    _silence_display()
    rows, why_none = measure(args.package, args.repeat, args.lesson)
    print(f"Kernel time of one slider move (median and max of {args.repeat} moves, after a warm-up);"
          f" goal ≤ {GOAL_MS:.0f} ms.")
    if not rows:
        print(f"No lesson widgets found: {why_none}.")
        return 0
    print(table(rows))
    timed = [r for r in rows if r.median is not None]
    slow = [r for r in timed if r.median > GOAL_MS]
    over = f"; over it: {', '.join(f'{r.lesson}/{r.widget}/{r.slider}' for r in slow)}" if slow else ""
    print(f"\n{len(timed)} slider(s) timed, {len(timed) - len(slow)} meet the goal{over}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Does every test keep the rule "speed is measured in benchmarks, never in timed tests"?

A test that asserts a duration passes or fails with the machine's load: CI failed on one (a widget move measured
at 57 ms of CPU under load, 1.5 ms idle). Speed lives in ``benchmarks/`` (``widget_latency.py`` for the widgets,
``speed.py`` for the gradient), which print measurements side by side and assert nothing. So no test may read a
clock that measures (``time.perf_counter``, ``process_time``, ``thread_time``, ``time.time``, ``timeit``), and no
assert may read any clock. ``time.monotonic`` stays for deadlines: how long to wait for a server, not a verdict.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
MEASURING = {"perf_counter", "perf_counter_ns", "process_time", "process_time_ns", "thread_time", "thread_time_ns",
             "time", "time_ns"}


def timing(source: str) -> list[str]:
    """Where ``source`` measures time: 'line N: what', for each use of a measuring clock or timeit, and each assert
    that calls anything of the time module."""
    tree = ast.parse(source)
    time_names = {"time"}  # `import time as t` adds t
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "time":
                    time_names.add(alias.asname or "time")
                if alias.name == "timeit":
                    found.append(f"line {node.lineno}: imports timeit")
        elif isinstance(node, ast.ImportFrom) and node.module in ("time", "timeit"):
            for alias in node.names:
                if node.module == "timeit" or alias.name in MEASURING:
                    found.append(f"line {node.lineno}: imports {alias.name} from {node.module}")
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in MEASURING and isinstance(node.value, ast.Name)
                and node.value.id in time_names):
            found.append(f"line {node.lineno}: reads {node.value.id}.{node.attr}")
        if isinstance(node, ast.Assert):
            for sub in ast.walk(node):
                if (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
                        and isinstance(sub.func.value, ast.Name) and sub.func.value.id in time_names):
                    found.append(f"line {node.lineno}: asserts on {sub.func.value.id}.{sub.func.attr}()")
    return sorted(set(found), key=lambda s: (int(s.split()[1].rstrip(":")), s))


def test_the_reader_finds_every_way_of_timing_a_test():
    """Does timing() flag a timed assert, an imported clock, timeit and an assert on time.monotonic, and pass a
    deadline loop?"""
    timed = (
        "import time\n"
        "def test_fast():\n"
        "    t = time.perf_counter()\n"
        "    work()\n"
        "    assert time.perf_counter() - t < 0.1\n"
    )
    assert timing(timed) == ["line 3: reads time.perf_counter", "line 5: asserts on time.perf_counter()",
                             "line 5: reads time.perf_counter"]
    assert timing("import time as clock\nx = clock.process_time()\n") == ["line 2: reads clock.process_time"]
    assert timing("from time import perf_counter\n") == ["line 1: imports perf_counter from time"]
    assert timing("import timeit\n") == ["line 1: imports timeit"]
    assert timing("import time\nt0 = time.monotonic()\nwork()\nassert time.monotonic() - t0 < 5\n") == [
        "line 4: asserts on time.monotonic()"]
    deadline = (
        "import time\n"
        "deadline = time.monotonic() + 120\n"
        "while time.monotonic() < deadline:\n"
        "    time.sleep(0.2)\n"
    )
    assert timing(deadline) == []


@pytest.mark.parametrize("path", sorted(TESTS.rglob("*.py")), ids=lambda p: str(p.relative_to(TESTS)))
def test_no_test_times_anything(path):
    """Does this file of tests/ measure no time (deadlines with time.monotonic only)?"""
    found = timing(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(TESTS)} times a test; move it to benchmarks/: " + "; ".join(found)

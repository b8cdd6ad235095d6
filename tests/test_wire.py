"""The wire format of the sandbox boundary (bpkit.course.checks.wire) and the grader's static look (bpkit.course.grading.static)."""
from __future__ import annotations

import json

import nbformat
import numpy as np
import pytest
import sympy as sp

import bpkit
from bpkit import example
from bpkit.course.checks import wire
from bpkit.course.checks.serve import reply_to
from bpkit.course.grading import static


def same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and np.isnan(a):
        return isinstance(b, float) and np.isnan(b)
    return a == b and type(a) is type(b)


@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, float("inf"), float("nan"), "σ^l_j", 1 + 2j, (1, "a", None), [1.0, [2, 3]],
    {"w^1_1": 1.5, (1, 0, 0): [2.0]}, np.arange(6.0).reshape(2, 3), np.array([[1, 2]]), np.array([True, False]),
    np.float64(0.1), np.int64(7), np.array([1 + 1j]), np.zeros((0, 3)),
], ids=repr)
def test_plain_values_round_trip_exactly(value):
    """Does every plain value (numbers, strings, containers, arrays of the allowed dtypes) come back exactly?"""
    back = wire.decode(wire.encode(value))
    expected = value.item() if isinstance(value, np.generic) else value
    assert same(expected, back), (value, back)


def test_networks_and_forward_records_round_trip():
    """Do a Network (with and without biases) and its forward record come back with the same numbers?"""
    for bias in (True, False):
        net = bpkit.Network([3, 4, 2], hidden="tanh", bias=bias, seed=1)
        back = wire.decode(wire.encode(net))
        assert isinstance(back, bpkit.Network) and back.hidden.name == "tanh" and back.sizes == net.sizes
        assert all(np.array_equal(a, b) for a, b in zip(net.W, back.W))
        assert (back.b is None) == (not bias)
        record = net.forward(np.ones((5, 3)))
        again = wire.decode(wire.encode(record))
        assert all(np.array_equal(a, b) for a, b in zip(record.sigmas, again.sigmas))
        assert all(np.array_equal(a, b) for a, b in zip(record.sums, again.sums))


def test_sympy_expressions_round_trip():
    """Do the example's expressions (and a Derivative) come back as equal sympy expressions?"""
    sym = example.symbolic()
    for expr in list(sym["partials"].values()) + [sym["output"], sp.Derivative(sym["g1"], sym["weights"]["w^1_1"])]:
        back = wire.decode(wire.encode(expr))
        assert sp.simplify(back - expr) == 0


@pytest.mark.parametrize("text", [
    '{"$eval": "__import__(\'os\')"}', '{"$array": ["<U8", [1], "AAAA"]}', '{"$array": ["<f8", [2], "AAAA"]}',
    '{"$dict": [[[1], 2]]}', '{"a": 1, "b": 2}', "not json", '{"$network": 3}',
], ids=["unknown tag", "dtype", "size", "unhashable key", "two keys", "not json", "bad network"])
def test_malformed_messages_are_refused(text):
    """Is anything that does not follow the forms refused with a WireError (never evaluated)?"""
    with pytest.raises(wire.WireError):
        wire.decode(text)


def test_what_cannot_cross_becomes_opaque():
    """Do unknown objects, sympy classes off the list and broken networks decode as Opaque, not code?"""
    assert wire.decode(wire.encode(object())) == wire.Opaque("object")
    lam = wire.decode(json.dumps({"$sympy": ["Lambda", ["Symbol", "x", {}], ["Symbol", "x", {}]]}))
    assert isinstance(lam, wire.Opaque)
    broken = {"$network": {"hidden": "sigmoid", "W": [wire._enc(np.ones((2, 3)), 0), wire._enc(np.ones((2, 1)), 0)],
                           "b": None, "mask": None}}
    assert isinstance(wire.decode(json.dumps(broken)), wire.Opaque)
    assert wire.decode(json.dumps({"$sympy": ["Function", "__import__", ["Symbol", "x", {}]]})).func.__name__ \
        == "__import__"  # an undefined function's name only, never called


def test_serve_calls_the_students_function_and_reports_what_it_raised():
    """Does the kernel's half return the result and the arguments after the call, the student's exception
    with its type and message, and a missing name as a NameError?"""
    def step(net, eta):
        net.W[1] -= eta
        return eta * 2

    def broken(x):
        raise ValueError("shapes (2,3) and (2,3) not aligned")

    net = bpkit.Network([2, 2], seed=0)
    request = json.dumps({"name": "step", "args": [wire.encode(net), wire.encode(0.5)], "off": []})
    reply = reply_to(request, {"step": step})
    assert wire.decode(reply["result"]) == 1.0
    assert np.allclose(wire.decode(reply["args"][0]).W[1], net.W[1] - 0.5)
    reply = reply_to(json.dumps({"name": "broken", "args": [wire.encode(1)], "off": []}), {"broken": broken})
    assert reply["raised"][:2] == ["ValueError", "shapes (2,3) and (2,3) not aligned"]
    assert reply_to(json.dumps({"name": "nope", "args": [], "off": []}), {})["raised"][0] == "NameError"


def test_serve_switches_off_what_the_check_switched_off():
    """Does a student's function that calls bpkit.gradient get the switched-off reply in the kernel?"""
    def cheat(net, X, Y):
        return bpkit.gradient(net, X, Y, 0.0)

    net = bpkit.Network([2, 1], seed=0)
    request = json.dumps({"name": "cheat", "args": [wire.encode(net), wire.encode(np.ones((1, 2))),
                                                    wire.encode(np.ones((1, 1)))],
                          "off": [["bpkit.gradient", "bpkit.gradient"]]})
    assert reply_to(request, {"cheat": cheat}) == {"switched_off": "bpkit.gradient"}


# --------------------------------------------------------------------------- the static look


def notebook(*cells):
    """A release with one answer cell of 04.5, and a submission made of ``cells`` (source, role, exercise)."""
    release = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def backprop(net, X, Y, lam):\n    raise NotImplementedError()",
                                                                        metadata={"bpkit": {"role": "answer", "exercise": "04.5"}})])
    submission = [nbformat.v4.new_code_cell(src, metadata={"bpkit": {"role": r, "exercise": e}} if r else {})
                  for src, r, e in cells]
    return submission, release


OFF = {"bpkit.gradient", "bpkit.backward", "bpkit.objective", "bpkit.numerical_gradient"}


@pytest.mark.parametrize("source, found", [
    ("def backprop(net, X, Y, lam):\n    g = bpkit.gradient(net, X, Y, lam)\n    return g.W, g.b", "bpkit's gradient"),
    ("from bpkit import numerical_gradient as ng\ndef backprop(net, X, Y, lam):\n    return ng(net, X, Y, lam)",
     "bpkit's numerical_gradient"),
    ("import importlib\ndef backprop(net, X, Y, lam):\n    return None", "importlib"),
    ("def backprop(net, X, Y, lam):\n    exec('x = 1')", "exec"),
    ("import jax\ndef backprop(net, X, Y, lam):\n    return jax.grad", "jax"),
    ("def backprop(net, X, Y, lam):\n    return getattr(bpkit, 'gradient')(net, X, Y, lam)", "bpkit's gradient"),
    ("def backprop(net, X, Y, lam):\n    return sys._getframe(1)", "_getframe"),
], ids=["attribute", "import", "importlib", "exec", "autodiff", "getattr string", "frames"])
def test_static_look_finds_shortcuts(source, found):
    """Does each shortcut in the answer cell give a hint naming it?"""
    cells, release = notebook((source, "answer", "04.5"))
    assert found in (static.shortcut("04.5", cells, release, OFF) or "")


def test_static_look_follows_helpers_but_leaves_other_exercises_and_scratch_cells_alone():
    """Is a helper the answer calls looked at, while another exercise's answer, a scratch cell comparing with
    bpkit.gradient, a variable named gradient and re.compile are not held against it?"""
    helper = ("def helper(net, X, Y, lam):\n    return bpkit.gradient(net, X, Y, lam)", None, None)
    answer = ("def backprop(net, X, Y, lam):\n    return helper(net, X, Y, lam)", "answer", "04.5")
    cells, release = notebook(helper, answer)
    assert "bpkit's gradient" in static.shortcut("04.5", cells, release, OFF)
    honest = ("import re\npattern = re.compile('x')\ndef backprop(net, X, Y, lam):\n    gradient = 0\n"
              "    return gradient", "answer", "04.5")
    other = ("def step(net, X, Y, lam, eta):\n    g = bpkit.gradient(net, X, Y, lam)", "answer", "07.3")
    scratch = ("print(bpkit.gradient(net, X, Y, 0.1))", None, None)
    cells, release = notebook(honest, other, scratch)
    assert static.shortcut("04.5", cells, release, OFF) is None
    assert static.shortcut("04.5", cells, release, set()) is None  # nothing switched off: nothing to look for


def test_sympy_numbers_too_large_to_evaluate_are_refused():
    """Is a power like 10**(10**30), or an integer of a thousand digits, refused before sympy evaluates it?"""
    huge_power = {"$sympy": ["Pow", ["Integer", "10"], ["Integer", "1" + "0" * 30]]}
    assert isinstance(wire.decode(json.dumps(huge_power)), wire.Opaque)
    assert isinstance(wire.decode(json.dumps({"$sympy": ["Integer", "9" * 1000]})), wire.Opaque)
    wide = {"$sympy": ["Add", *[["Symbol", f"x{k}", {}] for k in range(5000)]]}
    assert isinstance(wire.decode(json.dumps(wide)), wire.Opaque)
    x = sp.Symbol("x")
    assert wire.decode(wire.encode(x ** 3 + sp.Rational(1, 3))) == x ** 3 + sp.Rational(1, 3)

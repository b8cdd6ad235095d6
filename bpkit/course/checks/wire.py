"""Plain data across the sandbox boundary: what the grader sends a kernel and what comes back.

``bpkit grade`` never runs a student's code in its own process and never unpickles or evaluates
anything a kernel sends. Values travel as JSON built from a few tagged forms:

=================  ==============================================================================
Python value        JSON
=================  ==============================================================================
None, bool, int,    themselves (``NaN`` and ``Infinity`` as Python's json writes them)
float, str
complex             ``{"$complex": [re, im]}``
tuple / list        ``{"$tuple": [...]}`` / ``[...]``
dict                ``{"$dict": [[key, value], ...]}`` (keys need not be strings)
numpy array         ``{"$array": [dtype, shape, base64 of the bytes]}`` (a few dtypes only)
Layers              ``{"$layers": [first, name, [items]]}``
Network             ``{"$network": {"hidden": name, "W": [...], "b": [...] | None, "mask": ...}}``
Forward             ``{"$forward": [network, sums, sigmas]}``
sympy expression    ``{"$sympy": tree}``: ``[class name, args...]`` from a fixed list of classes
anything else       ``{"$opaque": "the type's name"}``, decoded as :class:`Opaque`
=================  ==============================================================================

:func:`decode` is strict: a size limit, known tags only, sympy classes from :data:`SYMPY_CLASSES`
only, and a :class:`Network` rebuilt through :meth:`Network.from_weights` (validated). Whatever a
kernel sends that does not fit becomes an :class:`Opaque`, which a check rejects with a hint like
any other wrong answer.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import numpy as np

#: the largest message (characters) either side decodes: a hidden case or an answer is far smaller
MAX_MESSAGE = 64 * 2**20
#: array dtypes that may cross (little-endian); anything else is sent as float64 when it can be
DTYPES = ("<f8", "<i8", "|b1", "<c16")
#: the sympy classes a tree may name (functions, numbers and the example's symbols; no Lambda, no
#: lambdify, nothing evaluated from text)
SYMPY_CLASSES = ("Add", "Mul", "Pow", "exp", "log", "tanh", "sinh", "cosh", "sin", "cos", "tan", "Max",
                 "Min", "Abs", "sign", "Heaviside", "Derivative", "Subs", "Tuple")
MAX_DEPTH = 200
#: the longest integer and the largest exponent a sympy tree may hold: evaluating more could stall the grader
MAX_DIGITS = 40
MAX_EXPONENT = 1000
#: the most nodes a sympy tree may have (the example's partials have about 60)
MAX_NODES = 3000


class WireError(ValueError):
    """A message that does not follow this module's forms."""


@dataclass(frozen=True)
class Opaque:
    """A value of a type that does not cross the boundary (a student's own class, a module ...)."""

    type_name: str

    def __repr__(self) -> str:
        return f"<a {self.type_name} object>"


def _sympy():
    try:
        import sympy
    except ImportError:  # pragma: no cover - sympy is a dependency of the course
        return None
    return sympy


# --------------------------------------------------------------------------- encode


def encode(value) -> str:
    """``value`` as a JSON text (see the module's table)."""
    return json.dumps(_enc(value, 0), allow_nan=True, separators=(",", ":"))


def _enc(value, depth: int):
    if depth > MAX_DEPTH:
        return {"$opaque": "too deeply nested value"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (complex, np.complexfloating)):
        return {"$complex": [float(value.real), float(value.imag)]}
    if isinstance(value, np.ndarray):
        return _enc_array(value)
    if isinstance(value, tuple):
        return {"$tuple": [_enc(v, depth + 1) for v in value]}
    if isinstance(value, list):
        return [_enc(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {"$dict": [[_enc(k, depth + 1), _enc(v, depth + 1)] for k, v in value.items()]}
    from bpkit.network import Forward, Network
    from bpkit.notation import Layers

    if isinstance(value, Layers):
        return {"$layers": [value.first, value.name, [_enc(v, depth + 1) for v in value]]}
    if isinstance(value, Network):
        return {"$network": {
            "hidden": value.hidden.name,
            "W": [_enc(w, depth + 1) for w in value.W],
            "b": None if value.b is None else [_enc(b, depth + 1) for b in value.b],
            "mask": None if value.mask is None else [_enc(np.asarray(k), depth + 1) for k in value.mask]}}
    if isinstance(value, Forward):
        return {"$forward": [_enc(value.net, depth + 1), _enc(value.sums, depth + 1),
                             _enc(value.sigmas, depth + 1)]}
    sympy = _sympy()
    if sympy is not None and isinstance(value, sympy.Basic):
        return {"$sympy": _enc_sympy(value, sympy, depth + 1)}
    return {"$opaque": type(value).__name__}


def _enc_array(a: np.ndarray):
    if a.dtype.kind == "f":
        a = a.astype("<f8")
    elif a.dtype.kind in "iu":
        a = a.astype("<i8")
    elif a.dtype.kind == "b":
        a = a.astype("|b1")
    elif a.dtype.kind == "c":
        a = a.astype("<c16")
    else:
        try:
            a = a.astype("<f8")
        except (TypeError, ValueError):
            return {"$opaque": f"array of {a.dtype}"}
    data = base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")
    return {"$array": [a.dtype.str, list(a.shape), data]}


def _enc_sympy(expr, sympy, depth: int):
    if depth > MAX_DEPTH:
        raise WireError("sympy expression too deep")
    if isinstance(expr, sympy.Symbol):
        return ["Symbol", expr.name, {k: v for k, v in expr.assumptions0.items() if v is not None}]
    if isinstance(expr, sympy.Integer):
        return ["Integer", str(int(expr))]
    if isinstance(expr, sympy.Rational):
        return ["Rational", str(expr.p), str(expr.q)]
    if isinstance(expr, sympy.Float):
        return ["Float", str(expr), expr._prec]
    for name in ("pi", "E", "I", "oo", "zoo", "nan"):
        if expr == getattr(sympy, name):
            return ["Constant", name]
    if isinstance(expr, sympy.core.function.AppliedUndef):
        return ["Function", expr.func.__name__, *[_enc_sympy(a, sympy, depth + 1) for a in expr.args]]
    return [type(expr).__name__, *[_enc_sympy(a, sympy, depth + 1) for a in expr.args]]


# --------------------------------------------------------------------------- decode


def decode(text: str):
    """The value a JSON text of :func:`encode` stands for; raises :class:`WireError` if it is not one."""
    if not isinstance(text, str) or len(text) > MAX_MESSAGE:
        raise WireError("the message is not text, or too long")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise WireError(f"not JSON: {e}") from None
    return _dec(data, 0)


def _dec(data, depth: int):
    if depth > MAX_DEPTH:
        raise WireError("too deeply nested")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [_dec(v, depth + 1) for v in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise WireError("an object must have exactly one tag")
    (tag, body), = data.items()
    if tag == "$tuple" and isinstance(body, list):
        return tuple(_dec(v, depth + 1) for v in body)
    if tag == "$dict" and isinstance(body, list):
        out = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise WireError("a dict item must be a [key, value] pair")
            key = _dec(pair[0], depth + 1)
            try:
                out[key] = _dec(pair[1], depth + 1)
            except TypeError:  # an unhashable key (a list, an array)
                raise WireError("a dict key that cannot be a key") from None
        return out
    if tag == "$complex" and isinstance(body, list) and len(body) == 2:
        return complex(float(body[0]), float(body[1]))
    if tag == "$array":
        return _dec_array(body)
    if tag == "$opaque":
        return Opaque(str(body)[:100])
    if tag == "$layers":
        return _dec_layers(body, depth)
    if tag == "$network":
        return _dec_network(body, depth)
    if tag == "$forward":
        return _dec_forward(body, depth)
    if tag == "$sympy":
        sympy = _sympy()
        if sympy is None:
            return Opaque("sympy expression")
        if _nodes(body) > MAX_NODES:  # simplify on a huge expression would stall the grader
            return Opaque("sympy expression too large")
        try:
            return _dec_sympy(body, sympy, depth + 1)
        except WireError:
            return Opaque("sympy expression of an unsupported kind")
    raise WireError(f"unknown tag {str(tag)[:40]!r}")


def _dec_array(body) -> np.ndarray:
    if not (isinstance(body, list) and len(body) == 3):
        raise WireError("an array is [dtype, shape, data]")
    dtype, shape, data = body
    if dtype not in DTYPES or not isinstance(shape, list) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape) or not isinstance(data, str):
        raise WireError("an array with an unknown dtype or a bad shape")
    raw = base64.b64decode(data.encode("ascii"), validate=True)
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if count * np.dtype(dtype).itemsize != len(raw):
        raise WireError("an array whose data does not fit its shape")
    return np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(shape).astype(np.dtype(dtype).newbyteorder("="))


def _dec_layers(body, depth):
    from bpkit.notation import Layers

    if not (isinstance(body, list) and len(body) == 3 and isinstance(body[0], int)
            and isinstance(body[1], str) and isinstance(body[2], list)):
        raise WireError("layers are [first, name, items]")
    return Layers([_dec(v, depth + 1) for v in body[2]], first=body[0], name=body[1])


def _arrays(items, depth):
    if items is None:
        return None
    if not isinstance(items, list):
        raise WireError("a network's W, b and mask are lists")
    return [_dec(v, depth + 1) for v in items]


def _dec_network(body, depth):
    from bpkit.network import Network

    if not (isinstance(body, dict) and isinstance(body.get("hidden"), str)):
        raise WireError("a network is {hidden, W, b, mask}")
    W, b, mask = (_arrays(body.get(k), depth) for k in ("W", "b", "mask"))
    try:
        return Network.from_weights(W, b, hidden=body["hidden"], mask=mask)
    except (ValueError, TypeError, KeyError, IndexError) as e:  # a student's broken network
        return Opaque(f"Network that is not valid ({e})")


def _dec_forward(body, depth):
    from bpkit.network import Forward, Network
    from bpkit.notation import Layers

    if not (isinstance(body, list) and len(body) == 3):
        raise WireError("a forward record is [network, sums, sigmas]")
    net, sums, sigmas = (_dec(v, depth + 1) for v in body)
    if not (isinstance(net, Network) and isinstance(sums, Layers) and isinstance(sigmas, Layers)):
        return Opaque("Forward record that is not valid")
    return Forward(net, sums, sigmas)


def _nodes(tree) -> int:
    """How many lists a JSON tree holds (its nodes), counted without recursion."""
    count, stack = 0, [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            count += 1
            stack.extend(node)
    return count


def _dec_sympy(node, sympy, depth: int):
    if depth > MAX_DEPTH or not (isinstance(node, list) and node and isinstance(node[0], str)):
        raise WireError("not a sympy tree")
    kind, args = node[0], node[1:]
    if kind == "Symbol" and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], dict):
        assumptions = {k: v for k, v in args[1].items() if isinstance(k, str) and isinstance(v, bool)}
        try:
            return sympy.Symbol(args[0], **assumptions)
        except (ValueError, TypeError) as e:
            raise WireError(str(e)) from None
    if kind == "Integer" and len(args) == 1 and isinstance(args[0], str) and len(args[0]) <= MAX_DIGITS:
        return sympy.Integer(int(args[0]))
    if kind == "Rational" and len(args) == 2 and all(isinstance(a, str) and len(a) <= MAX_DIGITS for a in args):
        return sympy.Rational(int(args[0]), int(args[1]))
    if kind == "Float" and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], int):
        try:
            return sympy.Float(float(args[0]) if len(args[0]) > 100 else args[0], precision=min(args[1], 1000))
        except (ValueError, TypeError) as e:
            raise WireError(str(e)) from None
    if kind == "Constant" and args and args[0] in ("pi", "E", "I", "oo", "zoo", "nan"):
        return getattr(sympy, args[0])
    if kind == "Function" and args and isinstance(args[0], str) and args[0].isidentifier():
        return sympy.Function(args[0])(*[_dec_sympy(a, sympy, depth + 1) for a in args[1:]])
    if kind in SYMPY_CLASSES:
        parts = [_dec_sympy(a, sympy, depth + 1) for a in args]
        if kind == "Pow" and len(parts) == 2 and parts[1].is_Number and abs(parts[1]) > MAX_EXPONENT:
            raise WireError("an exponent too large to evaluate")  # 10**(10**40) would stall the grader
        try:
            return getattr(sympy, kind)(*parts)
        except Exception as e:  # sympy refusing the arguments: not an expression of ours
            raise WireError(f"{kind}: {e}") from None
    raise WireError(f"sympy class {kind[:40]!r} is not on the list")


# --------------------------------------------------------------------------- after a call


def update_in_place(original, after) -> None:
    """Make ``original`` (an argument the grader sent) look like ``after`` (its state after the
    student's function ran), for answers that are asked to change their arguments in place."""
    from bpkit.network import Forward, Network
    from bpkit.notation import Layers

    if isinstance(original, np.ndarray) and isinstance(after, np.ndarray):
        if original.shape == after.shape and original.flags.writeable:
            original[...] = after.astype(original.dtype, copy=False)
    elif isinstance(original, Layers) and isinstance(after, Layers):
        for k, value in enumerate(after._items[:len(original._items)]):
            if isinstance(original._items[k], np.ndarray) and isinstance(value, np.ndarray) \
                    and original._items[k].shape == value.shape:
                original._items[k][...] = value
            else:
                original._items[k] = value
    elif isinstance(original, Network) and isinstance(after, Network):
        update_in_place(original.W, after.W)
        if original.b is not None and after.b is not None:
            update_in_place(original.b, after.b)
    elif isinstance(original, Forward) and isinstance(after, Forward):
        update_in_place(original.net, after.net)
        update_in_place(original.sums, after.sums)
        update_in_place(original.sigmas, after.sigmas)
    elif isinstance(original, list) and isinstance(after, list) and len(original) == len(after):
        for k, (o, a) in enumerate(zip(original, after)):
            if isinstance(o, (np.ndarray, Layers, Network, Forward, list, dict)):
                update_in_place(o, a)
            else:
                original[k] = a
    elif isinstance(original, dict) and isinstance(after, dict):
        for key in original:
            if key in after:
                update_in_place(original[key], after[key])

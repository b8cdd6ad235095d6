"""The kernel's half of a check split across the sandbox boundary (``bpkit grade``).

The grader asks the student's kernel to run one line::

    __import__("bpkit.course.checks.serve", fromlist=["call"]).call('{"name": "forward_pass", ...}')

:func:`call` calls the student's function ``name`` (from the notebook's namespace) on arguments sent
as plain data (:mod:`bpkit.course.checks.wire`), with the bpkit functions the check switched off switched
off here too, and publishes one reply of type :data:`MIME`: the result and the arguments as they are
after the call (for answers that work in place), or what the student's code raised. Nothing else
happens here: no case, reference, comparison, hint or point is ever in this process.
"""
from __future__ import annotations

import json

from . import wire
from ._core import where_raised
from .switch import _materialized, switched_off, SwitchedOff

#: the MIME type of a reply in the cell's outputs
MIME = "application/vnd.bpkit.reply+json"


def _targets(off) -> list:
    return [tuple(t) if isinstance(t, list) else t for t in off]


def reply_to(request: str, namespace: dict) -> dict:
    """The reply to one request (a JSON text ``{"name", "args", "kwargs", "off"}``)."""
    req = json.loads(request)
    name = req["name"]
    if name not in namespace:
        return {"raised": ["NameError", f"name '{name}' is not defined", ""]}
    function = namespace[name]
    args = [wire.decode(a) for a in req["args"]]
    kwargs = {k: wire.decode(v) for k, v in req.get("kwargs", {}).items()}
    try:
        with switched_off(*_targets(req.get("off", []))):
            result = _materialized(function(*args, **kwargs))
    except SwitchedOff as e:
        return {"switched_off": e.label}
    except Exception as e:
        return {"raised": [type(e).__name__, str(e), where_raised(e)]}
    return {"result": wire.encode(result), "args": [wire.encode(a) for a in args],
            "kwargs": {k: wire.encode(v) for k, v in kwargs.items()}}


def call(request: str) -> None:
    """Answer ``request`` in this kernel: publish the reply as a display output of type :data:`MIME`."""
    from IPython import get_ipython
    from IPython.display import display

    shell = get_ipython()
    reply = reply_to(request, shell.user_ns if shell is not None else {})
    display({MIME: reply}, raw=True)

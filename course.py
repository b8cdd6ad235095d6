#!/usr/bin/env python3
"""Set up the bpkit course and open it, or run its whole test suite. Needs only Python 3 and pip.

    python3 course.py start     # set everything up, then open JupyterLab at the first lesson
    python3 course.py test      # set everything up, then run every test (what CI runs)

Setting up creates a virtual environment in .venv and installs bpkit with its
dependencies there (from pyproject.toml); it is redone only when pyproject.toml changes.
Nothing outside this folder is touched, and no notebook is ever overwritten.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".bpkit-install-stamp"
FIRST_LESSON = "lessons/01_notation_forward_pass.ipynb"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def run(cmd: list, **kwargs) -> int:
    say("$ " + " ".join(str(c) for c in cmd))
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kwargs)


def setup() -> Path:
    """Create .venv and install bpkit[test] into it, unless pyproject.toml is unchanged since."""
    if sys.version_info < (3, 10):
        sys.exit(f"bpkit needs Python 3.10 or newer; this is {sys.version.split()[0]}")
    py = venv_python()
    if not py.exists():
        say(f"creating a virtual environment in {VENV.relative_to(ROOT)}/")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return py
    say("installing bpkit and its dependencies (first time: a few minutes)")
    if run([py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"]) != 0:
        sys.exit("could not upgrade pip in .venv")
    if run([py, "-m", "pip", "install", "--quiet", "--editable", ".[test]"]) != 0:
        sys.exit("installing bpkit failed: see pip's message above")
    STAMP.write_text(digest + "\n")
    return py


def headless() -> bool:
    """True on a machine with no screen (a server): then JupyterLab opens no browser."""
    if sys.platform.startswith("linux"):
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False


def start(args) -> int:
    py = setup()
    cmd = [py, "-m", "jupyter", "lab", FIRST_LESSON, f"--ServerApp.ip={args.ip}"]
    if args.port is not None:  # exactly this port, or fail clearly
        cmd += [f"--ServerApp.port={args.port}", "--ServerApp.port_retries=0"]
    if args.no_browser or headless():
        cmd.append("--no-browser")
        port = args.port or 8888
        say("no screen here: open the http://127.0.0.1:... URL that JupyterLab prints below "
            f"(on a remote server, forward the port first, e.g. ssh -L {port}:localhost:{port} server)")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return run(cmd)


def test(args) -> int:
    """Validate every notebook (bpkit validate), then run the test suite (pytest)."""
    py = setup()
    env = dict(os.environ, IPYTHONDIR=str(ROOT / "bpkit" / "data" / "ipython"))
    bpkit_cli = [py, "-m", "bpkit"]
    jobs = str(args.jobs)
    failed = []
    if run(bpkit_cli + ["validate", "--jobs", jobs], env=env) != 0:
        failed.append("bpkit validate (lessons, solutions and exercises)")
    code = run([py, "-m", "pytest", "-n", jobs, "--dist", "loadfile", "tests", *args.pytest_args], env=env)
    if code != 0:
        failed.append(f"pytest tests (exit code {code})")
    if failed:
        say("FAILED: " + "; ".join(failed))
        return 1
    say("all checks passed")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("start", help="set everything up and open the course in JupyterLab")
    p.add_argument("--port", type=int, default=None, help="port (default: 8888 or the next free one)")
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default: this machine only)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser (for a server)")
    p.set_defaults(func=start)
    t = sub.add_parser("test", help="set everything up and run every test (what CI runs)")
    t.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="parallel workers")
    t.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (after --)")
    t.set_defaults(func=test)
    s = sub.add_parser("setup", help="only create .venv and install (start and test do this too)")
    s.set_defaults(func=lambda args: (setup(), 0)[1])
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

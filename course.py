#!/usr/bin/env python3
"""Set up the bpkit course and open it, or run its whole test suite. Needs only Python 3 and pip.

    python3 course.py start     # set everything up, then open JupyterLab at the first lesson
    python3 course.py test      # set everything up, then run every test (what CI runs)

Setting up creates a virtual environment in .venv and installs bpkit with its
dependencies there (from pyproject.toml); it is redone only when pyproject.toml changes.
Nothing outside this folder is touched, and no notebook is ever overwritten.

Other supported configurations, each in its own virtual environment (.venv-3.10-lowest/, ...):

    python3 course.py test --python 3.10 --lowest   # Python 3.10, every dependency at its lower bound
    python3 course.py test --python 3.13            # Python 3.13, the latest versions
    python3 course.py test -- -m "not browser"      # arguments after -- go to pytest

An interpreter that is not on this machine is SKIPPED (exit 0), or an error under BPKIT_REQUIRE_PYTHONS=1.
"""
from __future__ import annotations

import argparse
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP_NAME = ".bpkit-install-stamp"
STAMP = VENV / STAMP_NAME
FIRST_LESSON = "lessons/01_notation_forward_pass.ipynb"
PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
OLDEST = (3, 10)  # pyproject.toml's requires-python


def venv_python(venv: Path = VENV) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def run(cmd: list, **kwargs) -> int:
    say("$ " + " ".join(str(c) for c in cmd))
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kwargs)


@dataclass
class Config:
    """One configuration to install and test: a base interpreter, and the latest or the lowest allowed versions."""
    python: Path   # the interpreter the virtual environment is made from
    version: str   # its version, "3.10.13"
    lowest: bool
    venv: Path

    def __str__(self) -> str:
        versions = "lowest allowed versions" if self.lowest else "latest versions"
        return f"Python {self.version}, {versions}, in {self.venv.name}/"


class Unavailable(Exception):
    """The interpreter that a configuration asks for is not on this machine."""


def interpreter_version(python) -> str | None:
    """'3.10.13' for a working interpreter; None when it does not run (missing, or a pyenv shim of no version)."""
    try:
        out = subprocess.run([str(python), "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find_python(spec: str) -> tuple[Path, str]:
    """The interpreter and its version for --python: a version X.Y (pyenv's newest X.Y.*, else pythonX.Y on PATH),
    or a path or command, used as is. Raises Unavailable, saying where it looked and how to get one."""
    if re.fullmatch(r"\d+\.\d+(\.\d+)?", spec):  # 3.10, or exactly 3.10.13
        minor = ".".join(spec.split(".")[:2])
        pyenv = [d for d in PYENV_VERSIONS.glob(f"{minor}.*") if re.fullmatch(rf"{re.escape(minor)}\.\d+", d.name)]
        pyenv.sort(key=lambda d: int(d.name.rsplit(".", 1)[1]), reverse=True)
        candidates = [d / "bin" / "python3" for d in pyenv] + [shutil.which(f"python{minor}")]
        for candidate in filter(None, candidates):
            version = interpreter_version(candidate)
            if version and (version + ".").startswith(spec + "."):
                return Path(candidate), version
        raise Unavailable(f"no Python {spec} on this machine (looked for {PYENV_VERSIONS}/{minor}.*/bin/python3 "
                          f"and python{minor} on PATH); get it with `pyenv install {spec}` (or your system's "
                          f"python{minor} package), or give its path: --python /path/to/python{minor}")
    path = shutil.which(spec) if os.sep not in spec else spec
    version = interpreter_version(path) if path else None
    if not version:
        raise Unavailable(f"{spec} is not a working Python interpreter; give a version (--python 3.10) or the "
                          f"path of an existing interpreter")
    return Path(path), version


def configuration(python: str | None = None, lowest: bool = False) -> Config:
    """The configuration asked for: by default this Python in .venv/ (what `start` uses), otherwise
    .venv-X.Y/ or .venv-X.Y-lowest/. Raises Unavailable when the interpreter is not on this machine."""
    if python is None:
        base, version = Path(sys.executable), "%d.%d.%d" % sys.version_info[:3]
    else:
        base, version = find_python(python)
    if tuple(int(part) for part in version.split(".")[:2]) < OLDEST:
        sys.exit(f"bpkit needs Python {OLDEST[0]}.{OLDEST[1]} or newer; {base} is {version}")
    if python is None and not lowest:
        return Config(base, version, lowest, VENV)
    name = ".venv-" + ".".join(version.split(".")[:2]) + ("-lowest" if lowest else "")
    return Config(base, version, lowest, ROOT / name)


def toml_string_list(text: str, table: str, key: str) -> list[str]:
    """The strings of the array `key = [...]` in the `[table]` of a TOML text: enough TOML for pyproject's
    dependency lists (course.py runs before anything is installed, and tomllib exists only from Python 3.11)."""
    body = re.search(rf"^\[{re.escape(table)}\][ \t]*$(.*?)(?=^\[|\Z)", text, flags=re.M | re.S)
    start = body and re.search(rf"^{re.escape(key)}\s*=\s*\[", body.group(1), flags=re.M)
    if not start:
        sys.exit(f"pyproject.toml: found no `{key} = [` in its [{table}] table")
    token = re.compile(r'\s+|#[^\n]*|,|"((?:[^"\\\n]|\\.)*)"|\]')
    text, pos, items = body.group(1), start.end(), []
    while True:
        match = token.match(text, pos)
        if not match:
            sys.exit(f"pyproject.toml: cannot read [{table}] {key} near {text[pos:pos + 40]!r}")
        if match.group(0) == "]":
            return items
        if match.group(1) is not None:
            items.append(json.loads(f'"{match.group(1)}"'))  # TOML's escapes in basic strings are JSON's
        pos = match.end()


def lowest_constraints(pyproject: str) -> list[str]:
    """pip constraints that pin every direct dependency (pyproject's dependencies and its test extra) at its
    lower bound: "numpy>=1.24" -> "numpy==1.24". Transitive dependencies are left to pip."""
    specs = (toml_string_list(pyproject, "project", "dependencies")
             + toml_string_list(pyproject, "project.optional-dependencies", "test"))
    pins = []
    for spec in specs:
        requirement, _, marker = spec.partition(";")
        name = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        bound = re.search(r">=\s*([^,\s]+)", requirement)
        if not (name and bound):
            sys.exit(f"--lowest: pyproject.toml's dependency {spec!r} has no lower bound (>=X) to install")
        pins.append(f"{name.group(1)}=={bound.group(1)}" + (f"; {marker.strip()}" if marker.strip() else ""))
    return pins


def minutes(seconds: float) -> str:
    return f"{int(seconds) // 60}m{int(seconds) % 60:02d}s"


def setup(config: Config | None = None) -> Path:
    """Create the configuration's virtual environment (.venv by default) and install bpkit[test] into it,
    unless pyproject.toml and the configuration are unchanged since. Returns its python."""
    config = config or configuration()
    py = venv_python(config.venv)
    pyproject = (ROOT / "pyproject.toml").read_bytes()
    # The stamp is pyproject's digest in every configuration: the folder's name says --lowest, and the
    # interpreter is checked against the one asked for.
    digest = hashlib.sha256(pyproject).hexdigest()
    stamp = config.venv / STAMP_NAME
    if stamp.exists() and stamp.read_text().strip() == digest and interpreter_version(py) == config.version:
        return py
    # A new interpreter, or (for --lowest) new bounds: start from an empty environment, so that nothing
    # installed before can stand in for what this configuration installs.
    fresh = interpreter_version(py) != config.version or config.lowest
    say(f"{'creating' if fresh else 'updating'} {config}")
    started = time.monotonic()
    if fresh and run([config.python, "-m", "venv", "--clear", config.venv]) != 0:
        sys.exit(f"could not create a virtual environment in {config.venv.name}/ with {config.python}")
    say("installing bpkit and its dependencies (first time: a few minutes)")
    if run([py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"]) != 0:
        sys.exit(f"could not upgrade pip in {config.venv.name}/")
    install = [py, "-m", "pip", "install", "--quiet", "--editable", ".[test]"]
    if config.lowest:
        pins = lowest_constraints(pyproject.decode())
        constraints = config.venv / "lowest-constraints.txt"
        constraints.write_text("# generated by course.py from pyproject.toml: every lower bound, exactly\n"
                               + "\n".join(pins) + "\n")
        say(f"pinning {len(pins)} direct dependencies at their lower bounds ({constraints.relative_to(ROOT)})")
        install += ["--constraint", constraints]
    if run(install) != 0:
        sys.exit(f"installing bpkit in {config.venv.name}/ failed: see pip's message above"
                 + (" (a lower bound that does not install on this Python must be raised in pyproject.toml "
                    "and environment.yml)" if config.lowest else ""))
    stamp.write_text(digest + "\n")
    say(f"installed in {minutes(time.monotonic() - started)}")
    return py


def unavailable(command: str, exc: Unavailable) -> int:
    """One line saying why a configuration cannot run here: SKIPPED (0), or FAILED (1) under BPKIT_REQUIRE_PYTHONS=1."""
    if os.environ.get("BPKIT_REQUIRE_PYTHONS") == "1":
        say(f"FAILED {command}: {exc} (BPKIT_REQUIRE_PYTHONS=1 requires every configuration asked for)")
        return 1
    say(f"SKIPPED {command}: {exc} (BPKIT_REQUIRE_PYTHONS=1 makes this an error)")
    return 0


def asked(args) -> str:
    """The command line of a configuration, for messages: "course.py test --python 3.10 --lowest"."""
    return " ".join(["course.py", args.command] + (["--python", args.python] if args.python else [])
                    + (["--lowest"] if args.lowest else []))


def headless() -> bool:
    """True when there is no screen to open a browser on (a server, or a session over ssh): then JupyterLab opens
    none, and `start` only prints the address."""
    if sys.platform.startswith("linux"):
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return bool(os.environ.get("SSH_CONNECTION"))  # macOS, Windows: over ssh, the screen is not the student's


# `start` serves this whole folder, so that lessons/, exercises/ and solutions/ are side by side and the links
# between them work (in JupyterLab and in the Notebook UI), and lands on lesson 01 with the file browser at the top.
COURSE_SETTINGS = ROOT / ".jupyter-course"  # the course's own Jupyter settings; its README.md says what and why
LANDING = f"/lab/tree/{FIRST_LESSON}?file-browser-path=/"
FIRST_PORT, PORTS_TRIED = 8888, 50
EVERY_INTERFACE = ("", "*", "0.0.0.0", "::")


def port_in_use(ip: str, port: int) -> bool:
    """Whether something already listens on ip:port, tried the way JupyterLab binds (every address that ip names,
    with SO_REUSEADDR). An address this machine does not have counts as free: JupyterLab then says what is wrong."""
    try:
        addresses = socket.getaddrinfo(None if ip in ("", "*") else ip, port, socket.AF_UNSPEC, socket.SOCK_STREAM,
                                       0, socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        return False
    for family, kind, proto, _, address in addresses:
        try:
            with socket.socket(family, kind, proto) as probe:
                if os.name != "nt":
                    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                probe.bind(address)
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", errno.EADDRINUSE)):
                return True
    return False


def port_taken(ip: str, port: int | None) -> str:
    """The one line that says a port is taken, and which one to use instead."""
    if port is None:
        return (f"[course] ports {FIRST_PORT}-{FIRST_PORT + PORTS_TRIED - 1} are all in use: "
                "choose a free one with --port N")
    free = next((p for p in range(port + 1, min(port + PORTS_TRIED, 65536)) if not port_in_use(ip, p)), None)
    instead = f"python3 course.py start --port {free}" if free else "--port N"
    return (f"[course] port {port} is already in use (another JupyterLab?): stop what uses it, "
            f"or choose another port: {instead}")


def choose_port(args) -> int:
    """--port if it is free, else 8888 or the next free port; exits with one line when there is none."""
    if args.port is not None and not 0 < args.port < 65536:
        sys.exit(f"[course] --port {args.port}: a port is a number from 1 to 65535")
    wanted = [args.port] if args.port is not None else range(FIRST_PORT, FIRST_PORT + PORTS_TRIED)
    port = next((p for p in wanted if not port_in_use(args.ip, p)), None)
    if port is None:
        sys.exit(port_taken(args.ip, args.port))
    return port


def address_host(ip: str) -> str:
    """The host part of the address to open: this machine's name when JupyterLab listens on every interface."""
    if ip in EVERY_INTERFACE:
        return socket.gethostname()
    return f"[{ip}]" if ":" in ip else ip


def serving(ip: str, port: int, token: str) -> bool:
    """Whether JupyterLab answers on ip:port yet (its REST API, with the token; never through a proxy)."""
    host = {"": "127.0.0.1", "*": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(ip) or address_host(ip)
    request = urllib.request.Request(f"http://{host}:{port}/api/status", headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # it answers (a password set in the student's own Jupyter configuration, say)
    except Exception:  # not listening yet, or not answering yet
        return False


def start(args) -> int:
    """Set up, serve the course in JupyterLab, and print the one address to open: lesson 01.

    JupyterLab's root is this folder; it runs with the course's settings (COURSE_SETTINGS: no news or update
    pop-ups) and its own workspaces (no tabs from the student's other JupyterLab layouts), BPKIT_CHECKS=report,
    and a token made here, passed in the environment, so that the address printed here is the only one
    (JupyterLab's log is kept to warnings and errors). A port already in use is one line and exit code 1.
    Returns JupyterLab's exit code.
    """
    choose_port(args)  # before setting up: a port in use fails at once, not after a first installation
    py = setup()
    port = choose_port(args)  # and again: an installation takes minutes
    token = secrets.token_hex(24)
    config_path = [str(COURSE_SETTINGS)] + [p for p in [os.environ.get("JUPYTER_CONFIG_PATH")] if p]
    env = dict(os.environ, JUPYTER_TOKEN=token, BPKIT_CHECKS="report",
               JUPYTER_CONFIG_PATH=os.pathsep.join(config_path),
               JUPYTERLAB_WORKSPACES_DIR=str(COURSE_SETTINGS / "workspaces"))
    env.pop("JUPYTER_TOKEN_FILE", None)
    cmd = [py, "-m", "jupyter", "lab", f"--ServerApp.root_dir={ROOT}", f"--LabApp.default_url={LANDING}",
           f"--ServerApp.ip={args.ip}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           "--Application.log_level=WARN"]
    browser = not (args.no_browser or headless())
    if not browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    say("$ " + " ".join(str(c) for c in cmd))
    server = subprocess.Popen([str(c) for c in cmd], cwd=ROOT, env=env)
    # Ctrl+C in the terminal reaches JupyterLab too, which asks to confirm (a second Ctrl+C stops it): here it is
    # ignored. SIGTERM to course.py alone stops JupyterLab as well (the finally below).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        waiting_since, told = time.monotonic(), False
        while not serving(args.ip, port, token):
            if server.poll() is not None:
                say(f"JupyterLab stopped before it was ready (exit code {server.returncode}): see its message above")
                return server.returncode or 1
            if not told and time.monotonic() - waiting_since > 60:
                say("JupyterLab is still starting (the first start after an installation is the slowest)")
                told = True
            time.sleep(0.25)
        address = f"http://{address_host(args.ip)}:{port}{LANDING}&token={token}"
        if browser:
            say("the course is ready: your browser opens lesson 01. If it does not, open this address:")
        else:
            say("the course is ready. Open lesson 01 at this address:")
        print(f"\n    {address}\n", flush=True)
        if not browser and args.ip not in EVERY_INTERFACE:
            say(f"on a remote server, forward the port first (ssh -L {port}:localhost:{port} server), "
                "then open the address on your computer")
        elif args.ip in EVERY_INTERFACE:
            say(f"(listening on every interface: if {address_host(args.ip)} does not resolve, use this machine's IP)")
        say("to stop the course: Ctrl+C here, twice")
        return server.wait()
    finally:
        if server.poll() is None:  # course.py is being stopped: JupyterLab stops with it
            try:
                server.wait(timeout=5)  # a SIGTERM to the whole process group reaches JupyterLab by itself
            except subprocess.TimeoutExpired:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()


def setup_command(args) -> int:
    try:
        setup(configuration(args.python, args.lowest))
    except Unavailable as exc:
        return unavailable(asked(args), exc)
    return 0


def test(args) -> int:
    """Validate every notebook (bpkit validate), then run the test suite (pytest), in one configuration."""
    try:
        config = configuration(args.python, args.lowest)
    except Unavailable as exc:
        return unavailable(asked(args), exc)
    started = time.monotonic()
    py = setup(config)
    bpkit_cli = [py, "-m", "bpkit"]
    jobs = str(args.jobs)
    failed = []
    if run(bpkit_cli + ["validate", "--jobs", jobs]) != 0:
        failed.append("bpkit validate (lessons, solutions and exercises)")
    code = run([py, "-m", "pytest", "-n", jobs, "--dist", "loadfile", "tests", *args.pytest_args])
    if code != 0:
        failed.append(f"pytest tests (exit code {code})")
    took = minutes(time.monotonic() - started)
    if failed:
        say(f"FAILED ({config}; {took}): " + "; ".join(failed))
        return 1
    say(f"all checks passed ({config}; {took})")
    return 0


def add_configuration_arguments(parser) -> None:
    parser.add_argument("--python", metavar="VERSION_OR_PATH", default=None,
                        help="another interpreter: 3.10 (pyenv's or python3.10 on PATH) or a path; "
                             "gets its own .venv-X.Y/")
    parser.add_argument("--lowest", action="store_true",
                        help="install every direct dependency at exactly its lower bound (in .venv-X.Y-lowest/)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("start", help="set everything up and open the course in JupyterLab")
    p.add_argument("--port", type=int, default=None,
                   help=f"port (default: {FIRST_PORT}, or the next free one); a port in use is an error")
    p.add_argument("--ip", default="127.0.0.1",
                   help="address to listen on (default: this machine only; 0.0.0.0: every interface)")
    p.add_argument("--no-browser", action="store_true",
                   help="open no browser, only print the address (the default on a machine with no screen)")
    p.set_defaults(func=start)
    t = sub.add_parser("test", help="set everything up and run every test (what CI runs)")
    t.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="parallel workers")
    add_configuration_arguments(t)
    t.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (after --)")
    t.set_defaults(func=test)
    s = sub.add_parser("setup", help="only create .venv and install (start and test do this too)")
    add_configuration_arguments(s)
    s.set_defaults(func=setup_command)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())

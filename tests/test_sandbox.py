"""The grading sandbox (bpkit.course.grading.sandbox): what a kernel of `bpkit grade` can and cannot do.

Each test runs real cells in a real sandboxed kernel (bubblewrap) and reads what they print.
"""
from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import nbformat
import pytest

from bpkit.course import grading
from bpkit.course.grading import sandbox

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _needs_the_sandbox(sandboxed):
    """Every test here needs bubblewrap (see tests/conftest.py)."""


def run(*sources: str, limits: sandbox.Limits = sandbox.Limits(), env=None) -> list[grading.CellRun]:
    cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return grading.run_cells(cells, timeout=60, sandbox=limits, env=env)


def printed(*sources: str, **kw) -> str:
    runs = run(*sources, **kw)
    assert all(r.status == "ok" for r in runs), runs
    return "".join(r.stdout for r in runs)


def test_the_kernel_sees_no_file_of_the_grader_but_python_and_bpkit(tmp_path: Path):
    """Does the kernel see bpkit and numpy, but not the repository's solutions, the home directory or a file
    the grader has in its /tmp?"""
    secret = tmp_path / "secret.txt"
    secret.write_text("the answers")
    home_files = [str(p) for p in Path.home().iterdir() if p.is_file()][:20]  # .bashrc and the like
    out = printed(f"""
import os, bpkit, numpy
print("bpkit", os.path.isdir(os.path.dirname(bpkit.__file__)))
print("solutions", os.path.exists({str(ROOT / 'solutions')!r}), os.path.exists({str(ROOT / 'exercises')!r}))
print("home", any(os.path.exists(p) for p in {home_files!r}))
print("secret", os.path.exists({str(secret)!r}))
""")
    assert out.split("\n")[:4] == ["bpkit True", "solutions False False", "home False", "secret False"], out


def test_the_only_writable_place_is_private(tmp_path: Path):
    """Can the kernel write only in its private directory (and its /tmp), not in bpkit, the grader's
    directories, or its Python?"""
    import bpkit

    targets = [Path(bpkit.__file__).parent / "checks" / "lesson04.py", tmp_path / "gradebook.csv",
               Path(os.__file__).parent / "cheat.py"]
    out = printed(f"""
import os
for target in {[str(t) for t in targets]!r}:
    try:
        with open(target, "a") as f:
            f.write("# cheat")
        print("wrote", target)
    except OSError as e:
        print("refused", type(e).__name__)
open(os.path.join(os.environ["HOME"], "mine.txt"), "w").write("ok")
open("/tmp/mine.txt", "w").write("ok")
print("private ok")
""")
    assert "wrote" not in out and out.count("refused") == 3 and "private ok" in out, out
    assert not (tmp_path / "gradebook.csv").exists()


def test_no_network():
    """Can the kernel reach no server, not even one on the grader's loopback?"""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    try:
        out = printed(f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3)
    print("connected")
except OSError as e:
    print("no network", type(e).__name__)
""")
    finally:
        server.close()
    assert out.startswith("no network"), out


def test_the_grader_is_invisible_and_cannot_be_signalled():
    """Is the grader's PID invisible to the kernel (its own PID namespace), so that no signal reaches it?"""
    out = printed(f"""
import os, signal
try:
    os.kill({os.getpid()}, 0)
    print("sees the grader")
except ProcessLookupError:
    print("grader invisible")
print("processes", len([p for p in os.listdir('/proc') if p.isdigit()]))
os.kill(os.getppid(), signal.SIGKILL)  # the sandbox's init: nothing happens to the grader
""")
    assert out.startswith("grader invisible"), out
    assert int(out.split("processes ")[1].split()[0]) < 10, out


def test_every_process_dies_with_the_kernel():
    """Does a detached process (its own session, sleeping) die when its sandbox's kernel is stopped?"""
    printed("import subprocess, sys\n"
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', 'bpkit-sandbox-marker'],"
            " start_new_session=True)\nprint('started')")
    left = subprocess.run(["pgrep", "-f", "bpkit-sandbox-marker"], capture_output=True, text=True).stdout
    assert left.strip() == ""


def test_limits_apply():
    """Are the address-space, file-size and CPU limits set, and does a file over the size limit fail?"""
    limits = sandbox.Limits(memory_bytes=3 * 2**30, file_bytes=2**20, cpu_seconds=500)
    out = printed("""
import resource
print(resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_FSIZE)[0],
      resource.getrlimit(resource.RLIMIT_CPU)[0])
try:
    open("big.bin", "wb").write(b"x" * 2 * 2**20)
    print("big file written")
except OSError as e:
    print("too big", e.errno)
try:
    import numpy as np
    np.ones(int(1e9))
    print("8 GB allocated")
except MemoryError:
    print("MemoryError")
""", limits=limits)
    assert out.split("\n")[0] == f"{3 * 2**30} {2**20} 500", out
    assert "too big" in out and "MemoryError" in out, out


def test_a_fresh_profile_and_no_environment_of_the_grader(monkeypatch):
    """Does a startup file one kernel writes into its IPython profile never run in the next kernel, and
    does the grader's environment stay outside?"""
    monkeypatch.setenv("BPKIT_TEST_SECRET", "s3cret")
    env = grading.kernel_env()
    first = printed("""
import os, pathlib
startup = pathlib.Path(os.environ["IPYTHONDIR"]) / "profile_default" / "startup"
startup.mkdir(parents=True, exist_ok=True)
(startup / "00-cheat.py").write_text("print('CHEAT RAN')")
print(os.environ.get("BPKIT_TEST_SECRET"))
""", env=env)
    second = printed("print('second')", env=env)
    assert first.strip() == "None" and "CHEAT RAN" not in second


def test_sandbox_problem_says_what_is_missing(monkeypatch):
    """Without bwrap, does problem() say so and require() raise with the install hint?"""
    monkeypatch.setattr(sandbox, "bwrap", lambda: None)
    sandbox.problem.cache_clear()
    try:
        assert sandbox.problem() == "bwrap is not installed"
        with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap"):
            sandbox.require()
        with pytest.raises(sandbox.SandboxUnavailable):
            grading.grade_many([ROOT / "exercises" / "01_notation_forward_pass.ipynb"], ROOT / "exercises")
    finally:
        sandbox.problem.cache_clear()


def test_a_startup_file_in_bpkits_profile_never_reaches_a_graded_kernel(tmp_path: Path, monkeypatch):
    """If some earlier, unsandboxed kernel left a startup file in bpkit's IPython profile, do the kernels of
    bpkit grade (sandboxed, and with --unsafe-no-sandbox) still start from a fresh profile without it?"""
    import shutil

    from bpkit.course.grading import kernel

    profile = tmp_path / "ipython"
    shutil.copytree(grading.ipython_dir(), profile)
    (profile / "profile_default" / "startup").mkdir(parents=True, exist_ok=True)
    (profile / "profile_default" / "startup" / "00-left.py").write_text("print('LEFT BEHIND')")
    monkeypatch.setattr(kernel, "ipython_dir", lambda: profile)
    out = printed("print('hello')")
    assert "LEFT BEHIND" not in out
    private = sandbox.private_dir()
    try:
        assert not (private / "ipython" / "profile_default" / "startup").exists()
        assert (private / "ipython" / "profile_default" / "ipython_config.py").read_text() == \
            (profile / "profile_default" / "ipython_config.py").read_text()
    finally:
        sandbox.remove(private)


def test_run_cells_works_where_an_event_loop_is_running():
    """Called from code that runs an event loop (a notebook, playwright's sync API), does run_cells still run?"""
    import asyncio

    async def inside_a_loop():
        return grading.run_cells([nbformat.v4.new_code_cell("print(6 * 7)")], timeout=60)

    (run,) = asyncio.run(inside_a_loop())
    assert run.status == "ok" and run.stdout == "42\n"

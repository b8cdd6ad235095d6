"""A sandbox per submission: every grading kernel runs inside Debian's ``bubblewrap`` (``bwrap``).

What a kernel started by ``bpkit grade`` sees and may do:

* **Files**: the system (``/usr``, ``/lib*``, ``/bin``, a few files of ``/etc``), this Python and its
  installed packages, the ``bpkit`` package and the directories on the kernel's ``PYTHONPATH``, all
  read-only. Nothing else of the grader's machine: not the release, the solutions, the other
  submissions, the gradebook or the home directory. The one writable place is a private directory,
  made for this submission and deleted after it (its working directory, ``HOME``, a fresh copy of
  bpkit's IPython profile, matplotlib's cache, the kernel's connection sockets), plus an in-memory
  ``/tmp``.
* **Processes**: its own PID namespace (it cannot see or signal the grader or anything else; every
  process it starts, detached or not, dies with it), its own session, no capabilities, no further
  user namespaces.
* **Network**: none (its own empty network namespace); the grader talks to the kernel through Unix
  sockets in the private directory (ZeroMQ's ``ipc`` transport).
* **Limits** (:class:`Limits`): CPU seconds, address space and the size of any file it writes, set
  with ``setrlimit`` before ``bwrap`` starts.

A missing or unusable ``bwrap`` is :class:`SandboxUnavailable`: ``bpkit grade`` then refuses to grade
(unless ``--unsafe-no-sandbox``). ``docs/instructors.md`` shows how to grade inside a container
instead.
"""
from __future__ import annotations

import functools
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: what to install, said whenever the sandbox is missing
INSTALL_HINT = ("bpkit grade runs every submission in a bubblewrap sandbox, and bubblewrap (bwrap) is not usable "
                "here. Install it: `sudo apt-get install bubblewrap` (Debian, Ubuntu), `sudo dnf install "
                "bubblewrap` (Fedora), or grade inside a container (docs/instructors.md, \"Grading in a "
                "container\"). Only for submissions you trust: --unsafe-no-sandbox.")
#: the warning printed on every unsandboxed run and written into its gradebook
UNSAFE_WARNING = ("WARNING: graded WITHOUT a sandbox (--unsafe-no-sandbox): the students' code ran with your "
                  "rights, could read and write your files and other submissions, and could change its own "
                  "or another student's grade. Use this only for submissions you trust.")

#: the system directories a kernel reads (those that exist here)
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/alternatives",
               "/etc/fonts", "/etc/ssl/certs")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
                "/etc/hosts", "/etc/mime.types")
#: environment variables passed on into the sandbox (everything else is cleared)
PASSED_ON = ("LANG", "LC_ALL", "PYTHONHASHSEED", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE",
             "OMP_NUM_THREADS", "MKL_NUM_THREADS", "PYDEVD_DISABLE_FILE_VALIDATION", "PYTHONPATH",
             "MPLBACKEND")
#: the user the kernel runs as, inside its own user namespace
SANDBOX_UID = 1000

_SET_LIMITS = (
    "import os, resource, sys\n"
    "for name, value in zip(('RLIMIT_CPU', 'RLIMIT_AS', 'RLIMIT_FSIZE', 'RLIMIT_NOFILE'), sys.argv[1:5]):\n"
    "    limit = int(value)\n"
    "    resource.setrlimit(getattr(resource, name), (limit, limit))\n"
    "os.execvp(sys.argv[5], sys.argv[5:])\n"
)


class SandboxUnavailable(RuntimeError):
    """bwrap is missing or cannot create its namespaces on this machine."""


@dataclass(frozen=True)
class Limits:
    """What one submission's kernel may use (per process; its children inherit them)."""

    cpu_seconds: int = 900
    memory_bytes: int = 4 * 2**30
    file_bytes: int = 64 * 2**20
    open_files: int = 1024
    tmp_bytes: int = 256 * 2**20  # the in-memory /tmp


def bwrap() -> str | None:
    return shutil.which("bwrap")


@functools.lru_cache(maxsize=None)
def problem() -> str | None:
    """Why no sandbox can be made here (None if it can): bwrap missing, or refused by the kernel."""
    exe = bwrap()
    if exe is None:
        return "bwrap is not installed"
    try:
        proc = subprocess.run([exe, *_isolation(), "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
                               "--", "/bin/sh", "-c", "exit 0"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"bwrap did not run: {e}"
    if proc.returncode != 0:
        return f"bwrap cannot create a sandbox here: {proc.stderr.strip()[:300]}"
    return None


def require() -> None:
    """Raise :class:`SandboxUnavailable` (with :data:`INSTALL_HINT`) when no sandbox can be made."""
    why = problem()
    if why is not None:
        raise SandboxUnavailable(f"{why}. {INSTALL_HINT}")


def _isolation() -> list[str]:
    return ["--unshare-all", "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
            "--disable-userns", "--cap-drop", "ALL", "--die-with-parent", "--new-session",
            "--hostname", "bpkit-sandbox"]


def python_dirs() -> list[Path]:
    """This Python and its installed packages (read-only in the sandbox), without the working directory
    or anything else on ``sys.path`` (a repository root there would expose its solutions)."""
    dirs = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.base_exec_prefix),
            Path(os.path.realpath(sys.executable)).parent.parent}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        dirs.add(Path(sysconfig.get_paths()[key]))
    dirs.update(Path(p) for p in site.getsitepackages())
    import bpkit

    dirs.add(Path(bpkit.__file__).resolve().parent)  # an editable install lives outside site-packages
    return sorted(d.resolve() for d in dirs if d.is_dir())


def _outermost(paths: list[Path]) -> list[Path]:
    """``paths`` without those inside another one of them."""
    out: list[Path] = []
    for p in sorted(set(paths), key=lambda p: len(p.parts)):
        if not any(p == q or q in p.parents for q in out):
            out.append(p)
    return out


def private_dir() -> Path:
    """A new private directory for one submission: the only place its kernel may write."""
    root = Path(tempfile.mkdtemp(prefix="bpkit-sandbox-"))
    for sub in ("work", "ipython", "matplotlib", "runtime"):
        (root / sub).mkdir()
    fresh_profile(root / "ipython")
    root.chmod(0o700)
    return root


def fresh_profile(ipython: Path) -> Path:
    """A fresh IPython directory at ``ipython``: bpkit's profile configuration and nothing else (no startup
    file, history or log that any earlier kernel could have left in bpkit's own profile)."""
    from .kernel import ipython_dir

    config = Path("profile_default") / "ipython_config.py"
    (ipython / config).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ipython_dir() / config, ipython / config)
    return ipython


def remove(private: Path) -> None:
    shutil.rmtree(private, ignore_errors=True)


def kernel_env(env: dict[str, str], private: Path) -> dict[str, str]:
    """The environment inside the sandbox: what :data:`PASSED_ON` lets through from ``env``, and paths
    into the private directory."""
    inside = {k: env[k] for k in PASSED_ON if k in env}
    venv_bin = str(Path(sys.executable).parent)
    inside.update(HOME=str(private), TMPDIR="/tmp", IPYTHONDIR=str(private / "ipython"),
                  MPLCONFIGDIR=str(private / "matplotlib"), JUPYTER_RUNTIME_DIR=str(private / "runtime"),
                  JUPYTER_CONFIG_DIR=str(private / "jupyter"), JUPYTER_DATA_DIR=str(private / "jupyter"),
                  PATH=f"{venv_bin}:/usr/local/bin:/usr/bin:/bin", PYTHONDONTWRITEBYTECODE="1",
                  PYTHONNOUSERSITE="1")
    inside.setdefault("LANG", "C.UTF-8")
    return inside


def command(argv: list[str], env: dict[str, str], private: Path, limits: Limits = Limits()) -> list[str]:
    """``argv`` (a kernel's command) run inside a new sandbox whose private directory is ``private``."""
    exe = bwrap()
    if exe is None:
        raise SandboxUnavailable(INSTALL_HINT)
    readonly = list(python_dirs())
    readonly += [Path(p).resolve() for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p).is_dir()]
    args = [sys.executable, "-S", "-c", _SET_LIMITS, str(limits.cpu_seconds), str(limits.memory_bytes),
            str(limits.file_bytes), str(limits.open_files), exe, *_isolation(), "--clearenv"]
    for key, value in kernel_env(env, private).items():
        args += ["--setenv", key, value]
    # the in-memory /tmp first: a Python or package that lives under /tmp is bound over it, not hidden by it
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
    for d in SYSTEM_DIRS:
        if os.path.lexists(d):
            args += ["--ro-bind", d, d] if not os.path.islink(d) else ["--symlink", os.readlink(d), d]
    for f in SYSTEM_FILES:
        if os.path.exists(f):
            args += ["--ro-bind", f, f]
    for d in _outermost(readonly):
        if not str(d).startswith(("/usr/", "/lib")):
            args += ["--ro-bind", str(d), str(d)]
    args += ["--bind", str(private), str(private), "--chdir", str(private / "work"), "--", *argv]
    return args

"""One JupyterLab server and one headless chromium for the whole browser session, and the harness that drives a lesson.

The harness does what a student does: open the notebook in JupyterLab, wait for the kernel ("| Idle" in the
status bar), Run → Run All Cells, wait until every code cell has an execution count, then move the first
*weight* slider (the first ipywidgets slider whose description names a weight w^l_ij: ``w¹₀₀``, ``w^1_00``,
see ``WEIGHT_LABEL``) with the keyboard and check that what the lesson shows (the output area holding the
slider, without the slider itself) changed. A notebook without a weight slider fails.

Rules it keeps:
- the server runs on 127.0.0.1 with a random token, in a throw-away root dir; it is started and stopped by PID
  (its own process group, SIGTERM then SIGKILL), also when a test or the fixture itself fails;
- the server only ever sees *copies* of the notebooks (outputs and saved widget state stripped), never
  ``lessons/`` itself;
- chromium is Debian's ``/usr/bin/chromium`` (``executable_path``), never a browser downloaded by playwright;
- without chromium the tests are skipped with a reason, unless ``BPKIT_REQUIRE_BROWSER=1`` (CI), then they fail.

``test_course_start.py`` drives the server that ``python3 course.py start`` runs instead of this one, with the same
pieces, imported from here: ``stop_process_group``, ``wait_until_idle`` and the ``_Driver`` steps.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
IPYTHONDIR = REPO / "bpkit" / "data" / "ipython"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Seconds. Generous: the machine is small and shared, and lesson 07 trains a network while "Run All" runs.
SERVER_START_TIMEOUT = 120
KERNEL_IDLE_TIMEOUT = 120
RUN_ALL_TIMEOUT = float(os.environ.get("BPKIT_BROWSER_RUN_TIMEOUT", "900"))
SLIDER_TIMEOUT = 30
POLL = 0.25

SLIDER_SELECTOR = ".widget-slider, .jupyter-widgets .slider"
HANDLE_SELECTOR = ".noUi-handle, [role=slider], input[type=range]"
# A slider moves a weight when its description (JupyterLab renders it as the slider's ``.widget-label``) names
# one: "w" followed by the layer as a superscript, ``w¹₀₀`` (the diagrams' Unicode) or ``w^1_00`` (ASCII), also
# "w^1_1 = w^1_00". Not "width" or "w" alone. A JavaScript regular expression, used in the page.
WEIGHT_LABEL = r"^w\s*(\^|[⁰¹²³⁴⁵⁶⁷⁸⁹])"


def _browser_unavailable(reason: str) -> None:
    """Skip with ``reason``, or fail when the environment says a browser is required (CI sets it)."""
    if os.environ.get("BPKIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; BPKIT_REQUIRE_BROWSER=1 requires the browser tests (run tools/install_browser.sh)")
    pytest.skip(f"{reason}: skipped; tools/install_browser.sh installs it (BPKIT_REQUIRE_BROWSER=1 fails instead)")


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium, and playwright to drive it; skip (or fail, under BPKIT_REQUIRE_BROWSER=1) without them."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _browser_unavailable(f"{CHROMIUM} is missing")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        _browser_unavailable(f"the playwright package is not importable ({exc})")
    return CHROMIUM


# --------------------------------------------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if pytest dies, so a killed test run cannot leave a server behind."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _descendants(pid: int) -> list[int]:
    """PIDs of every live descendant of ``pid`` (the kernels run in their own sessions, not in the server's group)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        ppid = int(text.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class JupyterServer:
    """A JupyterLab server on 127.0.0.1, with a random token and a clean Jupyter config in ``workdir``."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.root_dir = workdir / "root"
        self.log_path = workdir / "jupyterlab.log"
        self.token = secrets.token_hex(24)
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.root_dir.mkdir(parents=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        for var in ("JUPYTER_CONFIG_PATH", "JUPYTER_PATH", "JUPYTER_TOKEN", "MPLBACKEND", "PYTHONSTARTUP"):
            env.pop(var, None)  # the student's defaults: inline figures, no stray configuration
        for name in ("config", "data", "runtime"):
            (self.workdir / f"jupyter-{name}").mkdir(exist_ok=True)
        # No "Would you like to get notified about official Jupyter news?" toast over the notebook.
        settings = self.workdir / "jupyter-config/lab/user-settings/@jupyterlab/apputils-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
        env.update(
            IPYTHONDIR=str(IPYTHONDIR),
            JUPYTER_CONFIG_DIR=str(self.workdir / "jupyter-config"),
            JUPYTER_DATA_DIR=str(self.workdir / "jupyter-data"),
            JUPYTER_RUNTIME_DIR=str(self.workdir / "jupyter-runtime"),
            PYDEVD_DISABLE_FILE_VALIDATION="1",
        )
        return env

    def start(self) -> None:
        """Start the server and wait until ``/api/status`` answers; on any failure, stop it and raise."""
        for attempt in range(3):  # the free port can be taken between finding it and binding it
            self.port = _free_port()
            cmd = [
                sys.executable, "-m", "jupyter", "lab",
                "--no-browser", "--allow-root",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={self.token}",  # ServerApp.token is its deprecated alias
                f"--ServerApp.root_dir={self.root_dir}",
                "--LabApp.news_url=None",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ]  # fmt: skip
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(
                    cmd, cwd=self.workdir, env=self._env(), stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent,
                )  # fmt: skip
            try:
                if self._wait_until_up():
                    return
            except BaseException:
                self.stop()
                raise
            self.stop()
            if "already in use" not in self.log_tail():
                break
        raise RuntimeError(f"JupyterLab did not start (see {self.log_path}):\n{self.log_tail()}")

    def _wait_until_up(self) -> bool:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                self.api("GET", "/api/status", timeout=2)
                return True
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        return False

    def api(self, method: str, path: str, timeout: float = 10):
        """Call the server's REST API with the token; the decoded JSON answer (None when empty)."""
        return server_api(self.url, self.token, method, path, timeout)

    def shutdown_kernel_of(self, path: str) -> None:
        """Shut down the kernel of the notebook at ``path`` (relative to the root dir), so kernels do not pile up."""
        try:
            for session in self.api("GET", "/api/sessions"):
                if session.get("path") == path:
                    self.api("DELETE", f"/api/sessions/{session['id']}")
        except (OSError, urllib.error.URLError):
            pass

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the server by PID: SIGTERM to its process group, SIGKILL after 15 s, then any leftover kernel."""
        proc, self.proc = self.proc, None
        if proc is not None:
            stop_process_group(proc)


def server_api(url: str, token: str, method: str, path: str, timeout: float = 10):
    """Call a Jupyter server's REST API at ``url`` with ``token``; the decoded JSON answer (None when empty)."""
    request = urllib.request.Request(url + path, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read()
    return json.loads(body) if body else None


def stop_process_group(proc: subprocess.Popen) -> None:
    """Stop ``proc``, started with ``start_new_session=True``, by PID: SIGTERM to its process group, SIGKILL after
    15 s, then any leftover descendant (a kernel: kernels run in their own sessions, not in the group)."""
    leftovers = _descendants(proc.pid)
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    for pid in leftovers:  # kernels have their own process groups; the server normally shuts them down itself
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if proc.poll() is None:
        proc.wait(timeout=5)


@pytest.fixture(scope="session")
def jupyter_server(chromium, tmp_path_factory) -> JupyterServer:
    """A JupyterLab server for the session; stopped by PID at the end, whatever happened."""
    server = JupyterServer(tmp_path_factory.mktemp("jupyterlab"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


# --------------------------------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser_context(chromium, tmp_path_factory):
    """One headless chromium with a fresh profile for the session; each notebook gets its own page in it."""
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    playwright = sync_playwright().start()
    try:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(chromium),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 900},
        )
        try:
            context.set_default_timeout(30_000)
            yield context
        finally:
            context.close()
    finally:
        playwright.stop()


# --------------------------------------------------------------------------------------------------- the harness

# The page-side helpers. Text is read with textContent (never innerText) so cells that the browser skips rendering
# (JupyterLab's default windowing mode is content-visibility) are read all the same.
_NOTEBOOK_STATE_JS = r"""
(exempt) => {
  const kernel = [...document.querySelectorAll('.jp-StatusBar-Item')]
    .map(e => e.textContent.trim()).find(t => / \| \S/.test(t)) || '';
  const nb = document.querySelector('.jp-Notebook');
  if (!nb) return {kernel, cells: [], errors: [], dialog: !!document.querySelector('.jp-Dialog')};
  const cells = [...nb.querySelectorAll(':scope .jp-Cell')];
  const code = [], errors = [];
  cells.forEach((cell, index) => {
    if (cell.classList.contains('jp-CodeCell')) {
      const prompt = (cell.querySelector('.jp-InputArea-prompt') || {}).textContent || '';
      const source = (cell.querySelector('.jp-InputArea-editor .cm-content') || {}).textContent || '';
      code.push({index, prompt: prompt.trim(), empty: source.trim() === ''});
    }
    if (exempt.includes(index)) return;  // tagged raises-exception: the error is the point of the cell
    for (const out of cell.querySelectorAll('.jp-OutputArea-output')) {
      const mime = out.getAttribute('data-mime-type') || '';
      const text = (out.textContent || '').trim();
      if (mime === 'application/vnd.jupyter.stderr' && /Error|Traceback/.test(text))
        errors.push({index, kind: 'error output', text});
      else if (out.querySelector('.jupyter-widgets-error-widget') || /Error displaying widget/.test(text))
        errors.push({index, kind: 'widget failed to render', text});
    }
  });
  return {kernel, cells: code, errors, dialog: !!document.querySelector('.jp-Dialog')};
}
"""

# What the lesson shows around a slider: the output area of the cell holding it (the widget's container and its
# sibling outputs), without the slider itself (its readout changes whenever it moves). Images and canvases are
# reduced to a hash and a length so a snapshot stays small.
_SNAPSHOT_JS = r"""
(slider) => {
  const hash = s => { let h = 0x811c9dc5; for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193); } return (h >>> 0).toString(16) + '/' + s.length; };
  const area = slider.closest('.jp-Cell-outputArea') || slider.closest('.jp-OutputArea') || slider.parentElement;
  const outside = n => !slider.contains(n);
  const text = [];
  const walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode())
    if (outside(n) && n.nodeValue.trim()) text.push(n.nodeValue.trim());
  const pick = (sel, f) => [...area.querySelectorAll(sel)].filter(outside).map(f);
  return {
    text: text.join('\n'),
    inputs: pick('input, textarea, select', e => e.value),
    images: pick('img', e => hash(e.getAttribute('src') || '')),
    canvases: pick('canvas', e => { try { return hash(e.toDataURL()); } catch (err) { return 'tainted'; } }),
    svgs: pick('svg', e => hash(e.outerHTML)),
  };
}
"""

# Output that belongs to no cell (prints, warnings and exceptions from widget callbacks) goes to JupyterLab's log
# console, where the student sees it flash in the status bar.
_LOG_ENTRIES_JS = r"""
() => {
  const item = document.querySelector('.jp-LogConsoleStatusItem [title]');
  const m = item && /(\d+) log entr/.exec(item.getAttribute('title'));
  return m ? Number(m[1]) : 0;
}
"""

_SLIDER_VALUE_JS = r"""
(slider) => {
  const handle = slider.querySelector('.noUi-handle, [role=slider], input[type=range]');
  const readout = slider.querySelector('.widget-readout');
  return [handle && (handle.getAttribute('aria-valuenow') || handle.value), readout && readout.textContent].join(' ');
}
"""


# Every slider in the notebook's outputs, in document order: its description (label text) and whether it names a
# weight. The first weight slider gets the attribute data-bpkit-weight-slider so the driver can find it again.
_FIND_WEIGHT_SLIDER_JS = r"""
([sliderSelector, weightLabel]) => {
  const weight = new RegExp(weightLabel);
  const seen = new Set(), sliders = [];
  for (const el of document.querySelectorAll('.jp-Notebook :is(' + sliderSelector + ')')) {
    const slider = el.closest('.widget-slider') || el;  // an older slider markup without .widget-slider
    if (seen.has(slider)) continue;
    seen.add(slider);
    sliders.push(slider);
  }
  document.querySelectorAll('[data-bpkit-weight-slider]').forEach(e => e.removeAttribute('data-bpkit-weight-slider'));
  const labels = sliders.map(s => ((s.querySelector('.widget-label') || {}).textContent || '').trim());
  const index = labels.findIndex(label => weight.test(label));
  if (index >= 0) sliders[index].setAttribute('data-bpkit-weight-slider', '1');
  return {labels, index};
}
"""


class LessonFailure(AssertionError):
    """The lesson failed in the browser; the message says where, with the page's console errors."""


@dataclass
class LessonRun:
    """What happened to one notebook: seconds per phase, the slider moved, and which parts of the output changed."""

    notebook: str
    seconds: dict[str, float] = field(default_factory=dict)
    slider: str = ""
    changed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        return f"{self.notebook}: {phases}; slider {self.slider!r} changed {', '.join(self.changed)}"


class Lab:
    """Runs notebooks in JupyterLab in chromium: one server and one browser, a fresh page and kernel per notebook."""

    Failure = LessonFailure  # for the tests, which do not import this conftest

    def __init__(self, server: JupyterServer, context):
        self.server = server
        self.context = context
        self._count = 0

    def run(self, notebook: Path, artifacts: Path = ARTIFACTS, slider_timeout: float = SLIDER_TIMEOUT) -> LessonRun:
        """Open a copy of ``notebook``, run all cells, move its first weight slider; raise LessonFailure if anything fails.

        ``slider_timeout`` is how long a slider move may take to change what the lesson shows.
        """
        self._count += 1
        relpath = f"{self._count:02d}/{notebook.name}"
        exempt = self._copy(notebook, self.server.root_dir / relpath)
        console: list[str] = []
        page = self.context.new_page()
        page.on("console", lambda m: console.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda exc: console.append(f"page error: {exc}"))
        result = LessonRun(notebook.name)
        try:
            _Driver(page, self.server, relpath, exempt, result, slider_timeout).drive()
            return result
        except Exception as exc:
            shot = artifacts / f"{notebook.stem}.png"
            try:
                artifacts.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot))
                where = f"screenshot: {shot}"
            except Exception as shot_exc:  # the page may be gone; the failure itself matters more
                where = f"no screenshot ({shot_exc.__class__.__name__})"
            errors = "\n".join(console[-20:]) or "(none)"
            message = f"{notebook.name}: {exc}\n{where}\nbrowser console errors:\n{errors}"
            if not isinstance(exc, LessonFailure):
                message += f"\nJupyterLab log (last lines):\n{self.server.log_tail()}"
            raise LessonFailure(message) from exc
        finally:
            with contextlib.suppress(Exception):  # a crashed page must not hide the failure it caused
                page.close()
            self.server.shutdown_kernel_of(relpath)

    @staticmethod
    def _copy(notebook: Path, target: Path) -> list[int]:
        """Copy ``notebook`` without its outputs; the indices of its cells tagged ``raises-exception``."""
        nb = nbformat.read(notebook, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nb.metadata.pop("widgets", None)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, target)
        return [i for i, cell in enumerate(nb.cells) if "raises-exception" in cell.get("metadata", {}).get("tags", [])]


def wait_until_idle(page, exempt: list[int] | None = None) -> None:
    """Wait until JupyterLab shows a notebook and its kernel is ready: the status bar says "| Idle".

    The execution indicator can say idle before the kernel is attached; the status bar's "| Idle" cannot.
    Raises LessonFailure when a dialog blocks the notebook or the kernel is not idle within KERNEL_IDLE_TIMEOUT.
    """
    page.wait_for_selector(".jp-Notebook >> visible=true", timeout=KERNEL_IDLE_TIMEOUT * 1000)  # the current tab's
    deadline = time.monotonic() + KERNEL_IDLE_TIMEOUT
    state = page.evaluate(_NOTEBOOK_STATE_JS, exempt or [])
    while not state["kernel"].endswith("| Idle"):
        if state["dialog"]:  # e.g. "Select Kernel" for a notebook without kernelspec metadata
            raise LessonFailure(f"a dialog blocks the notebook: {page.inner_text('.jp-Dialog')[:300]!r}")
        if time.monotonic() > deadline:
            raise LessonFailure(f"the kernel never became idle; status bar says {state['kernel']!r}")
        time.sleep(POLL)
        state = page.evaluate(_NOTEBOOK_STATE_JS, exempt or [])


class _Driver:
    """The steps for one notebook on one page."""

    def __init__(self, page, server, relpath: str, exempt: list[int], result: LessonRun, slider_timeout: float):
        self.page, self.server, self.relpath, self.exempt, self.result = page, server, relpath, exempt, result
        self.slider_timeout = slider_timeout

    def state(self) -> dict:
        return self.page.evaluate(_NOTEBOOK_STATE_JS, self.exempt)

    def timed(self, phase: str, step) -> None:
        start = time.monotonic()
        step()
        self.result.seconds[phase] = time.monotonic() - start

    def drive(self) -> None:
        self.timed("open", self.open)
        self.timed("run all", self.run_all)
        self.timed("slider", self.move_slider)

    def open(self) -> None:
        workspace = f"bpkit-test-{secrets.token_hex(4)}"  # a fresh workspace: no tabs restored from another test
        self.page.goto(f"{self.server.url}/lab/workspaces/{workspace}/tree/{self.relpath}?token={self.server.token}")
        wait_until_idle(self.page, self.exempt)

    def run_all(self) -> None:
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        deadline = time.monotonic() + RUN_ALL_TIMEOUT
        done_before = False
        while True:
            time.sleep(POLL)
            state = self.state()
            idle = state["kernel"].endswith("| Idle")
            if re.search(r"\| (Dead|Unknown|Restarting|Disconnected)", state["kernel"]):
                raise LessonFailure(f"the kernel died while running: status bar says {state['kernel']!r}")
            if state["errors"] and idle:
                self.fail_on_errors(state)
            pending = [c for c in state["cells"] if not c["empty"] and not re.fullmatch(r"\[\d+\]:", c["prompt"])]
            done = idle and not pending
            if done and done_before:  # twice in a row: the kernel was not merely between two cells
                self.fail_on_errors(state)
                self.fail_on_log_entries()
                self.check_saved_notebook()
                return
            done_before = done
            if time.monotonic() > deadline:
                where = ", ".join(f"cell {c['index'] + 1} {c['prompt'] or '[ ]:'}" for c in pending[:5])
                raise LessonFailure(
                    f"Run All Cells did not finish within {RUN_ALL_TIMEOUT:.0f} s (kernel {state['kernel']!r}); "
                    f"not executed: {where}"
                )

    def check_saved_notebook(self) -> None:
        """Save the copy and read the saved file back: every code cell executed, no error output.

        A second look that does not depend on JupyterLab's markup: error outputs are ``output_type == "error"``.
        The file is read from the disk once the save's own PUT has been answered, never through the server's
        contents API while a save may be under way: a server that reads a half-written notebook "recovers" it
        by moving it aside, and when the save removes its temporary file at that moment the notebook is gone
        (jupyter_server 2.21: HTTP 500, then 404 for good).
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        url_path = "/api/contents/" + urllib.parse.quote(self.relpath)

        def is_the_save(response) -> bool:
            return response.request.method == "PUT" and urllib.parse.urlparse(response.url).path.endswith(url_path)

        self.page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})  # focus the notebook, not a widget
        self.page.keyboard.press("Escape")
        try:
            with self.page.expect_response(is_the_save, timeout=30_000) as save:
                self.page.keyboard.press("Control+s")
        except PlaywrightTimeout as exc:
            raise LessonFailure("the notebook could not be saved (Control+S) to read its outputs back") from exc
        if save.value.status != 200:
            raise LessonFailure(f"saving the notebook (Control+S) answered HTTP {save.value.status}")
        on_disk = self.server.root_dir / self.relpath
        deadline = time.monotonic() + 30
        while True:  # an autosave may be writing it again: read until it parses
            try:
                saved = json.loads(on_disk.read_text(encoding="utf-8"))
                break
            except json.JSONDecodeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(POLL)
        errors, unexecuted = [], []
        for index, cell in enumerate(saved["cells"]):
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            if source.strip() and cell.get("execution_count") is None:
                unexecuted.append(index + 1)
            if index in self.exempt:
                continue
            for out in cell.get("outputs", []):
                if out["output_type"] == "error":
                    errors.append(f"cell {index + 1}: {out['ename']}: {out['evalue']}")
                elif out["output_type"] == "stream" and out.get("name") == "stderr":
                    text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
                    if re.search("Error|Traceback", text):
                        errors.append(f"cell {index + 1} (stderr): {text.strip()[:1500]}")
        if errors:
            raise LessonFailure("error output in the saved notebook:\n" + "\n".join(errors[:3]))
        if unexecuted:
            raise LessonFailure(f"cells never executed (no execution count in the saved notebook): {unexecuted[:10]}")

    def fail_on_log_entries(self) -> None:
        """Fail if anything reached the log console: widgets must not print, and their exceptions land there."""
        count = self.page.evaluate(_LOG_ENTRIES_JS)
        if not count:
            return
        self.page.click(".jp-LogConsoleStatusItem [title]")
        entries = self.page.locator(".jp-LogConsolePanel .jp-OutputArea-output")
        try:
            self.page.select_option(".jp-LogConsole-toolbarLogLevel select", "debug", timeout=5_000)
            entries.first.wait_for(timeout=10_000)
            texts = [t.strip() for t in entries.all_text_contents()]
            text = "\n".join(t for t in texts if not t.startswith("Log level set to"))
        except Exception:  # the panel's markup changed: the count still says what happened
            text = f"({count} entries; open View → Show Log Console to read them)"
        raise LessonFailure(
            "output outside any cell reached JupyterLab's log console (a widget callback printed, warned or "
            f"raised; widgets must update Label/HTML/figure state instead):\n{text[-2000:]}"
        )

    def fail_on_errors(self, state: dict) -> None:
        if not state["errors"]:
            return
        first = state["errors"][0]
        self.page.locator(".jp-Notebook .jp-Cell").nth(first["index"]).scroll_into_view_if_needed()
        details = "\n".join(f"cell {e['index'] + 1}, {e['kind']}:\n{e['text'][:1500]}" for e in state["errors"][:3])
        raise LessonFailure(f"error output in the notebook:\n{details}")

    def move_slider(self) -> None:
        found = self.page.evaluate(_FIND_WEIGHT_SLIDER_JS, [SLIDER_SELECTOR, WEIGHT_LABEL])
        if not found["labels"]:
            raise LessonFailure("no ipywidgets slider in the notebook's outputs (.widget-slider), so no weight slider")
        if found["index"] < 0:
            described = ", ".join(repr(label) for label in found["labels"][:10])
            raise LessonFailure(
                f"no weight slider: none of the {len(found['labels'])} sliders' descriptions names a weight w^l_ij "
                f"(they are {described}); the lesson needs a slider labelled like 'w¹₀₀' or 'w^1_00' "
                f"(regular expression {WEIGHT_LABEL}) that moves that weight"
            )
        slider = self.page.locator("[data-bpkit-weight-slider]").first
        slider.scroll_into_view_if_needed()
        label = found["labels"][found["index"]]
        self.result.slider = label
        handle = slider.locator(HANDLE_SELECTOR).first
        before = slider.evaluate(_SNAPSHOT_JS)
        value_before = slider.evaluate(_SLIDER_VALUE_JS)
        for key in ("ArrowRight", "ArrowLeft"):  # ArrowLeft when the slider starts at its maximum
            handle.focus()
            for _ in range(3):
                handle.press(key)
            if slider.evaluate(_SLIDER_VALUE_JS) != value_before:
                break
        else:
            raise LessonFailure(f"the slider {label!r} did not move with the arrow keys (disabled?): {value_before}")
        value_after = slider.evaluate(_SLIDER_VALUE_JS)

        deadline = time.monotonic() + self.slider_timeout
        previous = None
        while time.monotonic() < deadline:
            time.sleep(POLL)
            state = self.state()
            self.fail_on_errors(state)
            self.fail_on_log_entries()
            now = slider.evaluate(_SNAPSHOT_JS)
            if state["kernel"].endswith("| Idle") and now != before and now == previous:
                self.result.changed = [part for part in now if now[part] != before[part]]
                return
            previous = now
        raise LessonFailure(
            f"moving the slider {label!r} ({value_before} -> {value_after}) changed nothing the lesson shows "
            f"within {self.slider_timeout:.0f} s (compared: text, inputs, images, canvases, svgs of its output area)"
        )


@pytest.fixture(scope="session")
def lab(chromium, jupyter_server, browser_context) -> Lab:
    """The harness: ``lab.run(path)`` drives one notebook and returns its LessonRun or raises LessonFailure."""
    return Lab(jupyter_server, browser_context)

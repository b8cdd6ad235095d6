"""Does ``python3 course.py start`` open the course the way the README promises, for a student who just cloned it?

The course is started exactly as the README says, ``python3 course.py start`` (with ``--no-browser --port P``, as
on a server), in a fresh copy of the repository, and the address it prints is opened in Debian's chromium:

- the fresh copy holds what a clone would once the working tree is committed: ``git ls-files --cached --others
  --exclude-standard`` of this working tree (tracked files, and new files git does not ignore), copied as they are
  now. Not ``git clone``, which would test the last commit instead of the change being made;
- its ``.venv`` is lent, not installed: a directory of symlinks to the entries of a virtual environment already set
  up for this ``pyproject.toml`` (the repository's own ``.venv``, else the one running the tests), so course.py
  finds it ready. ``python3`` is the interpreter that made that environment. If course.py ever decided to install
  anyway, the lent environment would not change: rebuilding it removes only the links, and ``PIP_NO_INDEX=1`` stops
  any install (the test then fails, saying so). Without such an environment the tests are skipped (failed under
  ``BPKIT_REQUIRE_BROWSER=1``): run ``python3 course.py setup`` first;
- Jupyter's configuration, data and runtime directories are fresh, as for a first-time student; the server is
  stopped by its process group at the end (conftest's ``stop_process_group``), whatever happened.

The screenshot in ``docs/images/lesson01-widget.png`` (lesson 01's forward-pass widget after Run All) is made by the
last test here, only when asked (it is committed, not remade on every run):

    BPKIT_SCREENSHOTS=1 .venv/bin/python -m pytest tests/browser/test_course_start.py -k screenshot

Run: ``.venv/bin/python -m pytest tests/browser/test_course_start.py`` (``--durations=0`` for the seconds of each).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

from .conftest import (
    ARTIFACTS,
    LessonRun,
    _descendants,
    _die_with_parent,
    _Driver,
    _free_port,
    server_api,
    stop_process_group,
    wait_until_idle,
)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
LESSON = "lessons/01_notation_forward_pass.ipynb"
EXERCISE = "exercises/01_notation_forward_pass.ipynb"
EXERCISE_LINK = "../exercises/01_notation_forward_pass.ipynb"  # the text (and target) of lesson 01's link
SCREENSHOT = REPO / "docs" / "images" / "lesson01-widget.png"
STAMP = ".bpkit-install-stamp"  # course.py's record of what .venv was set up for: sha256 of pyproject.toml
START_TIMEOUT = 300  # seconds until the address is printed: the machine is small and shared
OPEN_TIMEOUT = 60  # seconds for a clicked link to open its notebook

# Whatever would sit on top of the lesson: a toast (JupyterLab's news question is one), a dialog.
POPUPS_JS = r"""
() => {
  const shown = e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed';
  const popups = [...document.querySelectorAll('.Toastify__toast, .jp-Dialog, .jp-Notification-Toast')]
    .filter(shown).map(e => e.textContent.trim().slice(0, 200));
  const bell = document.querySelector('.jp-Notification-Status');
  return {popups, notifications: bell ? bell.textContent.trim() : null};
}
"""

# The documents open in JupyterLab's main area: [is it the current tab, its path], from each tab's tooltip.
TABS_JS = r"""
() => [...document.querySelectorAll('#jp-main-dock-panel .lm-TabBar-tab')].map(tab => [
  tab.classList.contains('lm-mod-current'), ((tab.title || '').match(/^Path: (.*)$/m) || [null, null])[1]])
"""

FILE_BROWSER_JS = r"""
() => [...document.querySelectorAll('.jp-DirListing-itemText')].map(e => e.textContent.trim())
"""


def _unavailable(reason: str) -> None:
    if os.environ.get("BPKIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (BPKIT_REQUIRE_BROWSER=1 requires the browser tests)")
    pytest.skip(reason)


# ------------------------------------------------------------------------------------ the fresh copy, as cloned


def _copy_working_tree(target: Path) -> None:
    """Copy what ``git ls-files --cached --others --exclude-standard`` lists (and still exists) into ``target``."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=REPO, capture_output=True, check=True, timeout=60,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError) as exc:
        _unavailable(f"the fresh copy is made from git's list of files, and git cannot list them here: {exc}")
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _base_python(venv: Path) -> Path:
    """The interpreter that made ``venv`` (pyvenv.cfg's ``executable``, else ``home``), else the venv's own."""
    config = {}
    for line in (venv / "pyvenv.cfg").read_text().splitlines():
        key, _, value = line.partition("=")
        config[key.strip()] = value.strip()
    version = ".".join(config.get("version", config.get("version_info", "")).split(".")[:2])
    candidates = [config.get("executable")] + [
        str(Path(config["home"]) / name) for name in (f"python{version}", "python3") if "home" in config
    ]
    for candidate in filter(None, candidates):
        if os.access(candidate, os.X_OK):
            return Path(candidate)
    return venv / "bin" / "python"


def _lend_venv(copy: Path) -> Path:
    """Give ``copy`` a ``.venv`` made of symlinks to a set-up environment's entries; the ``python3`` to run with."""
    digest = hashlib.sha256((copy / "pyproject.toml").read_bytes()).hexdigest()
    candidates = [REPO / ".venv"] + ([Path(sys.prefix)] if sys.prefix != sys.base_prefix else [])
    for venv in candidates:
        stamp = venv / STAMP
        if (venv / "pyvenv.cfg").is_file() and stamp.is_file() and stamp.read_text().strip() == digest:
            break
    else:
        _unavailable(
            "no virtual environment set up for this pyproject.toml to lend the fresh copy (looked at "
            + ", ".join(str(v) for v in candidates) + "): run `python3 course.py setup` first"
        )
    lent = copy / ".venv"
    lent.mkdir()
    for entry in venv.iterdir():
        (lent / entry.name).symlink_to(entry)
    return _base_python(venv)


@pytest.fixture(scope="module")
def course_copy(chromium, tmp_path_factory) -> tuple[Path, Path]:
    """A fresh copy of the repository with a lent ``.venv``, and the ``python3`` to run its course.py with."""
    copy = tmp_path_factory.mktemp("course") / "bpkit"
    copy.mkdir()
    _copy_working_tree(copy)
    return copy, _lend_venv(copy)


def _course_env(workdir: Path) -> dict[str, str]:
    """The environment of a first-time student: no Jupyter configuration, data or runtime state of their own."""
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_PATH", "JUPYTER_PATH", "JUPYTER_TOKEN", "JUPYTER_TOKEN_FILE", "JUPYTERLAB_SETTINGS_DIR",
                "JUPYTERLAB_WORKSPACES_DIR", "BPKIT_CHECKS", "MPLBACKEND", "PYTHONSTARTUP", "VIRTUAL_ENV"):  # fmt: skip
        env.pop(var, None)
    for name in ("config", "data", "runtime"):
        (workdir / f"jupyter-{name}").mkdir(parents=True, exist_ok=True)
    env.update(
        JUPYTER_CONFIG_DIR=str(workdir / "jupyter-config"),
        JUPYTER_DATA_DIR=str(workdir / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(workdir / "jupyter-runtime"),
        PIP_NO_INDEX="1",  # the lent .venv is never changed: an install attempt fails instead
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    return env


# ------------------------------------------------------------------------------------ the course, started


class CourseStart:
    """``python3 course.py start --no-browser --port P`` in the copy: its output, and the address it printed.

    Also what conftest's ``_Driver`` needs of a server (``url``, ``token``, ``api``), to drive a notebook in it.
    """

    def __init__(self, copy: Path, python: Path, workdir: Path):
        self.copy, self.python, self.workdir = copy, python, workdir
        self.log_path = workdir / "course-start.log"
        self.port = _free_port()
        self.lines: list[str] = []
        self.address = ""
        self.seconds = 0.0
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        return urllib.parse.parse_qs(urllib.parse.urlsplit(self.address).query)["token"][0]

    def output(self) -> str:
        return "\n".join(self.lines)

    def start(self) -> None:
        """Start course.py in its own process group; return once it printed an address, or fail with its output."""
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [str(self.python), "course.py", "start", "--no-browser", "--port", str(self.port)],
            cwd=self.copy, env=_course_env(self.workdir), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True, preexec_fn=_die_with_parent,
        )  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()
        deadline = started + START_TIMEOUT
        while not self.address:
            if any(re.match(r"\[course\] (installing|creating|updating) ", line) for line in self.lines):
                pytest.fail(f"course.py wanted to install into the lent .venv, which was set up:\n{self.output()}")
            if self.proc.poll() is not None:
                time.sleep(0.5)  # the last lines
                pytest.fail(f"course.py start exited ({self.proc.returncode}) without an address:\n{self.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"course.py start printed no address within {START_TIMEOUT} s:\n{self.output()}")
            time.sleep(0.2)
            self.address = next(iter(self.addresses()), "")
        self.seconds = time.monotonic() - started

    def _read(self) -> None:
        with open(self.log_path, "w") as log:
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                log.write(line)
                log.flush()

    def addresses(self) -> list[str]:
        """Every address of this server (or file:// page opening it) in course.py's output, as printed."""
        found = re.findall(r"(?:https?|file)://\S+", self.output())
        return [url for url in found if f":{self.port}" in url or url.startswith("file:")]

    def api(self, method: str, path: str, timeout: float = 10):
        """Call the server's REST API with the token; the decoded JSON answer (None when empty)."""
        return server_api(self.url, self.token, method, path, timeout)

    def status(self, path: str) -> tuple[int, str]:
        """The HTTP status and Location of GET ``path`` (with the token), without following a redirect."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers={"Authorization": f"token {self.token}"})
            response = connection.getresponse()
            response.read()
            return response.status, response.getheader("Location") or ""
        finally:
            connection.close()

    def server_environment(self) -> dict[str, str]:
        """The environment of the JupyterLab server that course.py started (read from /proc)."""
        for pid in _descendants(self.proc.pid):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(b"jupyter" in part for part in cmdline) and b"lab" in b" ".join(cmdline):
                return dict(item.decode(errors="replace").partition("=")[::2] for item in environ if item)
        raise AssertionError(f"no JupyterLab server among the processes of course.py {self.proc.pid}")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process_group(self.proc)


@pytest.fixture(scope="module")
def course(course_copy, tmp_path_factory) -> CourseStart:
    """The course as ``python3 course.py start --no-browser --port P`` serves it; stopped by its process group."""
    copy, python = course_copy
    course = CourseStart(copy, python, tmp_path_factory.mktemp("course-start"))
    try:
        course.start()
        yield course
    finally:
        course.stop()
        if course.log_path.is_file():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(course.log_path, ARTIFACTS / "course-start.log")


@contextlib.contextmanager
def _screenshot_on_failure(page, name: str):
    """On an exception inside, save a screenshot of ``page`` as test-artifacts/<name>.png and say where."""
    try:
        yield
    except Exception:
        shot = ARTIFACTS / f"{name}.png"
        with contextlib.suppress(Exception):  # the page may be gone; the failure itself matters more
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot))
            print(f"screenshot of the failure: {shot}")
        raise


def _wait_for(page, script: str, until, what: str, timeout: float = OPEN_TIMEOUT):
    """Evaluate ``script`` in ``page`` until ``until(value)``; the value, or an AssertionError naming ``what``."""
    deadline = time.monotonic() + timeout
    value = page.evaluate(script)
    while not until(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout:.0f} s; last seen: {value!r}")
        time.sleep(0.25)
        value = page.evaluate(script)
    return value


def _no_popups(page) -> None:
    seen = page.evaluate(POPUPS_JS)
    assert not seen["popups"], f"something pops up over the course: {seen['popups']}"
    assert seen["notifications"] in (None, "0"), f"JupyterLab holds notifications: {seen['notifications']!r}"


# ------------------------------------------------------------------------------------ the tests


def test_course_start_prints_one_address_that_opens_lesson_01(course):
    """Is exactly one address printed, pointing at lesson 01 (with the file browser at the top) with a token?"""
    print(f"course.py start printed its address after {course.seconds:.1f} s:\n{course.output()}")
    assert course.addresses() == [course.address], f"not exactly one address:\n{course.output()}"
    parts = urllib.parse.urlsplit(course.address)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", f"127.0.0.1:{course.port}", f"/lab/tree/{LESSON}")
    query = urllib.parse.parse_qs(parts.query)
    assert query["file-browser-path"] == ["/"] and len(query["token"][0]) >= 32, course.address
    # the server's own default address (/) lands on lesson 01 too
    status, location = course.status("/")
    assert status == 302 and location.startswith(f"/lab/tree/{LESSON}?file-browser-path=/"), (status, location)


def test_course_start_serves_the_course_with_its_settings(course):
    """Does the server see BPKIT_CHECKS=report and the course's settings (no news, no update checks)?"""
    env = course.server_environment()
    assert env.get("BPKIT_CHECKS") == "report"
    assert env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep)[0] == str(course.copy / ".jupyter-course")
    assert env.get("JUPYTERLAB_WORKSPACES_DIR") == str(course.copy / ".jupyter-course" / "workspaces")
    settings = course.api("GET", "/lab/api/settings/@jupyterlab/apputils-extension:notification")
    defaults = {k: v.get("default") for k, v in settings["schema"]["properties"].items()}
    assert (defaults["fetchNews"], defaults["checkForUpdates"]) == ("false", False), defaults
    assert course.api("GET", "/lab/api/news") == {"news": []}
    assert course.api("GET", "/api/contents?content=1")["path"] == ""  # the root is the course, not lessons/
    assert {"lessons", "exercises", "solutions"} <= {e["name"] for e in course.api("GET", "/api/contents")["content"]}


def test_lesson_01_opens_in_jupyterlab_with_the_whole_course_and_its_exercises_link_works(course, browser_context):
    """At the printed address: lesson 01 open, the file browser showing lessons/, exercises/ and solutions/, its
    exercises link opening the exercise notebook in a new tab, and nothing popping up over any of it."""
    page = browser_context.new_page()
    try:
        with _screenshot_on_failure(page, "course-start-failure"):
            page.goto(course.address)
            wait_until_idle(page)
            assert page.evaluate(TABS_JS) == [[True, LESSON]], "lesson 01 is not the one open document"
            names = _wait_for(page, FILE_BROWSER_JS, lambda n: "lessons" in n, "the file browser shows no lessons/")
            assert {"lessons", "exercises", "solutions", "README.md"} <= set(names), names
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "course-start-lesson01.png"))

            link = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown a", has_text=EXERCISE_LINK)
            link.click()
            tabs = _wait_for(page, TABS_JS, lambda t: [True, EXERCISE] in t, f"the link did not open {EXERCISE}")
            assert tabs == [[False, LESSON], [True, EXERCISE]], tabs
            wait_until_idle(page)
            title = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown h1").first.text_content()
            assert title.startswith("Exercises 01"), title
            page.screenshot(path=str(ARTIFACTS / "course-start-exercise01.png"))
            _no_popups(page)
    finally:
        page.close()


def test_the_notebook_ui_shows_the_course_and_follows_the_exercises_link(course, browser_context):
    """In the Notebook 7 UI (/tree, /notebooks/...): the course's folders, and lesson 01's exercises link opening the
    exercise notebook in a new browser tab."""
    page = browser_context.new_page()
    opened = None
    try:
        with _screenshot_on_failure(page, "course-start-notebook-ui-failure"):
            page.goto(f"{course.url}/tree?token={course.token}")
            names = _wait_for(page, FILE_BROWSER_JS, lambda n: "lessons" in n, "/tree shows no lessons/")
            assert {"lessons", "exercises", "solutions"} <= set(names), names
            page.goto(f"{course.url}/notebooks/{LESSON}?token={course.token}")
            page.wait_for_selector(".jp-Notebook .jp-RenderedMarkdown")
            with browser_context.expect_page(timeout=OPEN_TIMEOUT * 1000) as new_tab:
                page.locator(".jp-RenderedMarkdown a", has_text=EXERCISE_LINK).click()
            opened = new_tab.value
            opened.wait_for_selector(".jp-Notebook .jp-RenderedMarkdown h1", timeout=OPEN_TIMEOUT * 1000)
            assert urllib.parse.urlsplit(opened.url).path == f"/notebooks/{EXERCISE}", opened.url
            assert opened.locator(".jp-RenderedMarkdown h1").first.text_content().startswith("Exercises 01")
            _no_popups(page)
            _no_popups(opened)
    finally:
        for tab in (opened, page):
            if tab is not None:
                tab.close()


def test_every_link_between_lessons_exercises_and_solutions_resolves_on_the_course_server(course):
    """Does every relative link in a lesson, exercise or solution notebook resolve, from its /notebooks/ page (where
    the Notebook UI resolves it; JupyterLab resolves it the same way, from the notebook's folder), to a file the
    course's server serves, and to a /notebooks/ page for a notebook?"""
    checked, broken = 0, []
    folders = [course.copy / folder for folder in ("lessons", "exercises", "solutions")]
    notebooks = sorted(notebook for folder in folders for notebook in folder.glob("*.ipynb"))
    for notebook in notebooks:
        here = notebook.relative_to(course.copy).as_posix()
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for target in re.findall(r"\]\(([^)\s]+)\)", cell.source):
                if re.match(r"[a-z][a-z0-9+.-]*:|#", target):  # http:, mailto:, an anchor in the same notebook
                    continue
                page = urllib.parse.urljoin(f"/notebooks/{urllib.parse.quote(here)}", target.split("#")[0])
                path = urllib.parse.unquote(page.removeprefix("/notebooks/"))
                checked += 1
                try:
                    assert page.startswith("/notebooks/"), "leaves the course's root"
                    course.api("GET", "/api/contents/" + urllib.parse.quote(path) + "?content=0")
                    if path.endswith(".ipynb"):
                        assert course.status(page)[0] == 200, f"/notebooks/ page answers {course.status(page)}"
                except (AssertionError, urllib.error.HTTPError) as exc:
                    broken.append(f"{here}: ({target}) -> {page}: {exc}")
    assert checked >= 30, f"only {checked} links found: the notebooks' links were not read"
    assert not broken, "links that do not resolve on the course's server:\n" + "\n".join(broken)


CELLS_JS = r"""
() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-CodeCell')].map(cell => ({
  prompt: ((cell.querySelector('.jp-InputArea-prompt') || {}).textContent || '').trim(),
  empty: ((cell.querySelector('.jp-InputArea-editor .cm-content') || {}).textContent || '').trim() === '',
  outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map(o => (o.textContent || '').trim()),
  widgets: cell.querySelectorAll('.jp-OutputArea-output .jupyter-widgets').length,
}))
"""
VIEW = "application/vnd.jupyter.widget-view+json"


def _open(page, course, path: str) -> None:
    workspace = f"bpkit-test-{secrets.token_hex(4)}"  # a fresh workspace: no tabs restored from another test
    page.goto(f"{course.url}/lab/workspaces/{workspace}/tree/{path}?token={course.token}")
    wait_until_idle(page)


def test_before_a_lesson_is_run_each_widget_reads_as_a_widget_not_a_repr(course, browser_context):
    """Opened as course.py serves them and not yet run, does every lesson show each widget cell as the widget
    (its saved state) or the one-line placeholder, and nowhere a raw ``VBox(children=...`` repr?"""
    page = browser_context.new_page()
    seen = []
    try:
        for notebook in sorted((course.copy / "lessons").glob("*.ipynb")):
            path = notebook.relative_to(course.copy).as_posix()
            saved = [c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
            widget_cells = [k for k, c in enumerate(saved)
                            if any(VIEW in o.get("data", {}) and "[widget: " in o["data"].get("text/plain", "")
                                   for o in c.get("outputs", []))]
            with _screenshot_on_failure(page, "unrun-widgets-failure"):
                _open(page, course, path)
                cells = _wait_for(page, CELLS_JS, lambda c: len(c) == len(saved), f"{path}: not every code cell shown")
                shown = "\n".join(text for cell in cells for text in cell["outputs"])
                assert "children=(" not in shown, f"{path} shows a raw widget repr before it is run"
                for k in widget_cells:
                    cell = cells[k]
                    assert cell["widgets"] or any(t.startswith("[widget: ") for t in cell["outputs"]), (path, k, cell)
                    seen.append((path, k, "widget" if cell["widgets"] else cell["outputs"][0]))
        assert len(seen) >= 7, seen  # every lesson has at least one widget
        print("\n".join(map(str, seen)))
    finally:
        page.close()


def test_run_all_of_the_unsolved_exercises_shows_every_verdict_and_no_traceback_into_bpkit(course, browser_context):
    """In the course's JupyterLab (report mode), does one Run All of the shipped exercise notebook run every cell and
    show each exercise's verdict with its hint, with no traceback into bpkit's code?"""
    saved = [c for c in nbformat.read(course.copy / EXERCISE, as_version=4).cells if c.cell_type == "code"]
    checks = [k for k, c in enumerate(saved) if c.metadata.get("bpkit", {}).get("role") == "check"]
    exercises = [saved[k].metadata["bpkit"]["exercise"] for k in checks]
    page = browser_context.new_page()
    try:
        with _screenshot_on_failure(page, "run-all-exercise-failure"):
            _open(page, course, EXERCISE)
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()

            def finished(cells) -> bool:
                return bool(cells) and all(c["empty"] or re.fullmatch(r"\[\d+\]:", c["prompt"]) for c in cells)

            _wait_for(page, CELLS_JS, finished, "Run All did not run every cell", timeout=300)
            cells = _wait_for(page, CELLS_JS, finished, "the cells stopped being finished")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "run-all-exercise01.png"), full_page=True)
            for k, exercise in zip(checks, exercises):
                text = "\n".join(cells[k]["outputs"])
                assert text.startswith(f"FAILED {exercise} ") and "Hint: not answered yet" in text, (exercise, text)
            everything = "\n".join(t for c in cells for t in c["outputs"])
            for leak in ("Traceback", "_core.py", "File \"", "---------"):
                assert leak not in everything, f"{leak!r} in the outputs:\n{everything}"
            _no_popups(page)
    finally:
        page.close()


def test_a_port_in_use_is_one_clear_line_and_a_failure(course_copy, tmp_path):
    """``course.py start --port P`` with P taken: one line saying so (no traceback), a non-zero exit, and quickly."""
    copy, python = course_copy
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        done = subprocess.run(
            [str(python), "course.py", "start", "--no-browser", "--port", str(port)],
            cwd=copy, env=_course_env(tmp_path), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    output = (done.stdout + done.stderr).strip()
    print(f"exit code {done.returncode} after {time.monotonic() - started:.1f} s:\n{output}")
    assert done.returncode != 0, output
    assert "Traceback" not in output, output
    assert len(output.splitlines()) == 1, f"not one line:\n{output}"
    assert f"port {port}" in output and "in use" in output, output


@pytest.mark.skipif(
    os.environ.get("BPKIT_SCREENSHOTS") != "1",
    reason="remakes docs/images/lesson01-widget.png: BPKIT_SCREENSHOTS=1 .venv/bin/python -m pytest "
    "tests/browser/test_course_start.py -k screenshot",
)
def test_screenshot_of_the_lesson01_widget(course, browser_context):
    """Run All in lesson 01 as served by course.py start, then save its forward-pass widget as the README's picture."""
    exempt = [
        i for i, cell in enumerate(nbformat.read(course.copy / LESSON, as_version=4).cells)
        if "raises-exception" in cell.get("metadata", {}).get("tags", [])
    ]  # fmt: skip
    page = browser_context.new_page()
    try:
        page.set_viewport_size({"width": 1400, "height": 1600})  # the whole widget in view
        with _screenshot_on_failure(page, "lesson01-widget-failure"):
            driver = _Driver(page, course, LESSON, exempt, LessonRun(LESSON), slider_timeout=30)
            driver.open()
            driver.run_all()
            cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell", has_text="forward_pass()").last
            output = cell.locator(".jp-OutputArea-output").first  # the widget, without the [n]: prompt
            output.locator(".widget-slider").first.wait_for()
            output.scroll_into_view_if_needed()
            page.mouse.move(0, 0)  # no hover highlight
            time.sleep(1)
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            output.screenshot(path=str(SCREENSHOT))
        print(f"saved {SCREENSHOT} ({SCREENSHOT.stat().st_size} bytes)")
    finally:
        page.close()

"""Does course.py, which runs before anything is installed, pick the configuration asked for?

It reads pyproject's dependency lists without tomllib (new in Python 3.11), pins every direct dependency at
its lower bound for --lowest, finds an interpreter by version, gives each configuration its own virtual
environment, and skips (or, under BPKIT_REQUIRE_PYTHONS=1, fails) a configuration whose Python is absent.
"""
import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomllib is new in 3.11; pytest itself requires tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "course.py"


@pytest.fixture(scope="module")
def course():
    spec = importlib.util.spec_from_file_location("course_under_test", COURSE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_course_py_is_python_3_10_code():
    """Does course.py parse as Python 3.10 (requires-python's lowest), which runs it before anything is installed?"""
    ast.parse(COURSE.read_text(), feature_version=(3, 10))


def test_reads_pyprojects_dependency_lists_as_tomllib_does(course):
    """Are the two lists that --lowest pins read exactly as a real TOML parser reads them?"""
    text = (ROOT / "pyproject.toml").read_text()
    project = tomllib.loads(text)["project"]
    assert course.toml_string_list(text, "project", "dependencies") == project["dependencies"]
    test_extra = course.toml_string_list(text, "project.optional-dependencies", "test")
    assert test_extra == project["optional-dependencies"]["test"]


def test_reads_lists_with_comments_brackets_escapes_and_other_tables(course):
    text = (
        '[tool.other]\n'
        'dependencies = ["wrong>=9"]\n'
        '\n'
        '[project]\n'
        'name = "x"\n'
        'dependencies = [\n'
        '    "a>=1.0",  # a comment with "quotes" and a ] bracket\n'
        '    "b[extra]>=2.1, <3; python_version < \\"3.11\\"",\n'
        ']\n'
        '[project.optional-dependencies]\n'
        'test = ["c >= 3"]\n'
    )
    assert course.toml_string_list(text, "project", "dependencies") == tomllib.loads(text)["project"]["dependencies"]
    assert course.lowest_constraints(text) == ['a==1.0', 'b==2.1; python_version < "3.11"', "c==3"]


def test_lowest_pins_every_direct_dependency_at_its_lower_bound(course):
    """numpy>=1.24 -> numpy==1.24, for every dependency and the test extra, and nothing else."""
    text = (ROOT / "pyproject.toml").read_text()
    project = tomllib.loads(text)["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["test"]
    assert course.lowest_constraints(text) == [spec.replace(">=", "==") for spec in specs]


def test_a_dependency_without_lower_bound_cannot_be_pinned(course):
    text = '[project]\ndependencies = ["numpy"]\n[project.optional-dependencies]\ntest = []\n'
    with pytest.raises(SystemExit, match="'numpy' has no lower bound"):
        course.lowest_constraints(text)


def test_each_configuration_has_its_own_virtual_environment(course):
    minor = "%d.%d" % sys.version_info[:2]
    assert course.configuration().venv == ROOT / ".venv"  # what `start` and the README's `test` use
    assert course.configuration(lowest=True).venv == ROOT / f".venv-{minor}-lowest"
    assert course.configuration(sys.executable).venv == ROOT / f".venv-{minor}"
    assert course.configuration(sys.executable, lowest=True).venv == ROOT / f".venv-{minor}-lowest"


@pytest.mark.skipif(os.name == "nt", reason="fake interpreters are shell scripts")
def test_a_version_finds_pyenvs_newest_interpreter_of_it(course, tmp_path, monkeypatch):
    """3.99 is pyenv's newest 3.99.* (3.99.12, not 3.99.9: numbers, not text); 3.99.9 exactly; no 3.98 at all."""
    for version in ("3.99.9", "3.99.12", "3.990.1"):
        python = tmp_path / "versions" / version / "bin" / "python3"
        python.parent.mkdir(parents=True)
        python.write_text(f"#!/bin/sh\necho {version}\n")
        python.chmod(0o755)
    monkeypatch.setattr(course, "PYENV_VERSIONS", tmp_path / "versions")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert course.find_python("3.99") == (tmp_path / "versions/3.99.12/bin/python3", "3.99.12")
    assert course.find_python("3.99.9") == (tmp_path / "versions/3.99.9/bin/python3", "3.99.9")
    with pytest.raises(course.Unavailable, match=r"no Python 3\.98 .*pyenv install 3\.98"):
        course.find_python("3.98")


def _course(*args: str, require: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "BPKIT_REQUIRE_PYTHONS"}
    if require:
        env["BPKIT_REQUIRE_PYTHONS"] = "1"
    return subprocess.run([sys.executable, str(COURSE), *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


@pytest.mark.parametrize("command", ["test", "setup"])
def test_an_absent_python_is_skipped_in_one_line_or_fails_when_required(command):
    """Without the interpreter: one SKIPPED line saying how to get it, exit 0; under BPKIT_REQUIRE_PYTHONS=1, exit 1."""
    skipped = _course(command, "--python", "3.99", "--lowest", require=False)
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    lines = skipped.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"[course] SKIPPED course.py {command} --python 3.99 --lowest: ")
    assert "no Python 3.99" in lines[0] and "pyenv install 3.99" in lines[0]
    failed = _course(command, "--python", "3.99", require=True)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert failed.stdout.startswith(f"[course] FAILED course.py {command} --python 3.99: no Python 3.99")
    assert not list(ROOT.glob(".venv-3.99*")), "a skipped configuration must create nothing"


@pytest.mark.skipif(os.name == "nt", reason="fake interpreters are shell scripts")
def test_an_interpreter_older_than_requires_python_is_refused(course, tmp_path):
    old = tmp_path / "python3"
    old.write_text("#!/bin/sh\necho 3.9.18\n")
    old.chmod(0o755)
    with pytest.raises(SystemExit, match="bpkit needs Python 3.10 or newer; .* is 3.9.18"):
        course.configuration(str(old))


def test_arguments_after_double_dash_go_to_pytest(course, monkeypatch):
    seen = []
    monkeypatch.setattr(course, "test", lambda args: seen.append(args) or 0)
    assert course.main(["test", "--python", "3.10", "--lowest", "--", "-m", "not browser"]) == 0
    (args,) = seen
    assert (args.python, args.lowest, args.pytest_args) == ("3.10", True, ["-m", "not browser"])

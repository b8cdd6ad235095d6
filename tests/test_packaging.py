"""Is the package what the README and CI say it is: one source of dependencies? (One-way imports: test_layout.)"""
import re
import subprocess
import sys
from pathlib import Path

import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomllib is new in 3.11; pytest itself requires tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _requirement(spec: str) -> tuple[str, str]:
    name, version = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", spec.strip()).groups()
    return name.lower().replace("_", "-"), version.replace(" ", "")


def test_environment_yml_mirrors_pyproject():
    """Does environment.yml install exactly pyproject's dependencies (with the test extra) and bpkit itself?"""
    project = _pyproject()["project"]
    wanted = {_requirement(s) for s in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip and any(line.startswith("--editable .") for line in pip[0]["pip"])
    # A package that conda-forge does not have is installed from PyPI, in the pip: list.
    from_pypi = [line for line in pip[0]["pip"] if not line.startswith("-")]
    listed = [s for s in conda if not s.startswith(("python", "pip"))] + from_pypi
    have = {_requirement(s) for s in listed}
    assert len(have) == len(listed), f"a package is listed twice in environment.yml: {sorted(listed)}"
    assert have == wanted, f"only in pyproject: {wanted - have}; only in environment.yml: {have - wanted}"
    python = [s for s in conda if s.startswith("python")]
    assert python == ["python" + project["requires-python"]]


def test_dependencies_are_lower_bounded_ranges_not_pins():
    """Is every dependency a lower-bounded range (>=), never an exact pin?"""
    project = _pyproject()["project"]
    for spec in project["dependencies"] + project["optional-dependencies"]["test"]:
        name, version = _requirement(spec)
        assert version.startswith(">="), f"{name} should be a lower-bounded range, got {version!r}"
    core = {_requirement(s)[0] for s in project["dependencies"]}
    assert {"numpy", "matplotlib", "jupyter", "ipywidgets", "nbval", "pytest"} <= core


def test_readme_gives_the_two_commands_and_ci_runs_the_test_command():
    """Does the README give exactly one setup-and-open and one setup-and-test command, and does CI run the latter?"""
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^\s*(python3 course\.py \w+)\s*$", readme, flags=re.M)
    assert "python3 course.py start" in commands and "python3 course.py test" in commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^python3 course\.py test$", ci, flags=re.M)


def test_readme_names_every_configuration_that_ci_runs():
    """Does the README's "Supported Pythons and versions" give each `course.py test` command that .ci/run runs?"""
    readme = (ROOT / "README.md").read_text()
    section = re.search(r"^## Supported Pythons and versions$(.*?)(?=^## |\Z)", readme, flags=re.M | re.S)
    assert section, 'README.md has no "## Supported Pythons and versions" section'
    ci = (ROOT / ".ci" / "run").read_text()
    runs = re.findall(r"^\s*(?:\S+=\S+\s+)*(python3 course\.py test(?: --[\w-]+(?: [\w.]+)?)*)", ci, flags=re.M)
    assert {"python3 course.py test", "python3 course.py test --python 3.10 --lowest",
            "python3 course.py test --python 3.13"} <= set(runs), runs
    for command in runs:
        assert command in section.group(1), f"README's supported configurations do not give `{command}` (.ci/run runs it)"


def _lint_workflow(path: Path) -> subprocess.CompletedProcess:
    """jactionlint (actionlint's checks: --profile correctness) on one workflow, every finding an error.
    Offline, and without shellcheck or pyflakes, so that it finds the same on every machine."""
    return subprocess.run(
        [sys.executable, "-m", "jactionlint", "--profile", "correctness", "--strict-exit", "--no-color",
         "--no-online", "--shellcheck=", "--pyflakes=", str(path)],
        capture_output=True, text=True, timeout=120, cwd=path.parent,
    )


def test_ci_workflow_passes_actionlint():
    """Does .github/workflows/validate.yml pass actionlint's checks (syntax, expressions, matrix, action inputs)?"""
    result = _lint_workflow(ROOT / ".github" / "workflows" / "validate.yml")
    assert result.returncode == 0, f"jactionlint found problems (exit {result.returncode}):\n{result.stdout}{result.stderr}"


def test_the_workflow_linter_reports_a_broken_workflow(tmp_path):
    """Can the lint above fail? A workflow with a misspelt input and matrix key, and a bad expression, must be reported."""
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "name: broken\n"
        "on: push\n"
        "jobs:\n"
        "  test:\n"
        "    runs-on: ubuntu-latest\n"
        "    strategy:\n"
        "      matrix:\n"
        '        python: ["3.10"]\n'
        "    steps:\n"
        "      - uses: actions/setup-python@v5\n"
        "        with:\n"
        "          python-versoin: ${{ matrix.pyhton }}\n"
        "      - run: echo hi\n"
        "        if: ${{ github.event.nonsense( }}\n"
    )
    result = _lint_workflow(broken)
    assert result.returncode == 1, result.stdout + result.stderr
    for finding in ("python-versoin", "pyhton", "expression"):
        assert finding in result.stdout, f"jactionlint did not report {finding!r}:\n{result.stdout}"


def test_ipython_profile_silences_colours_and_long_tracebacks():
    """Does the kernels' profile set colors='nocolor' and xmode='Minimal', and is it shipped in the package?"""
    config = (ROOT / "bpkit" / "data" / "ipython" / "profile_default" / "ipython_config.py").read_text()
    assert 'colors = "nocolor"' in config and 'xmode = "Minimal"' in config
    assert "data/ipython/profile_default/ipython_config.py" in str(_pyproject()["tool"]["setuptools"]["package-data"])


def test_licences_are_declared_and_shipped():
    """Is the code MIT (SPDX, PEP 639) and the course content CC BY 4.0, with both files in the installed metadata?"""
    from importlib.metadata import distribution

    project = _pyproject()["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE", "LICENSE-content.md"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License\n\nCopyright (c) 2026 the bpkit authors\n")
    content = (ROOT / "LICENSE-content.md").read_text()
    assert "CC BY 4.0" in content and "https://creativecommons.org/licenses/by/4.0/" in content
    metadata = distribution("bpkit").metadata
    assert metadata["License-Expression"] == "MIT", "reinstall bpkit: its metadata predates license = \"MIT\""
    assert sorted(metadata.get_all("License-File")) == ["LICENSE", "LICENSE-content.md"]

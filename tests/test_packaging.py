"""Is the package what the README and CI say it is: one source of dependencies, one-way imports?"""
import ast
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORE = ["notation", "activations", "network", "objective", "backprop", "scalar", "naive",
        "gradcheck", "example", "train", "landscape", "data/__init__"]
DOWNSTREAM = {"widgets", "plots", "checks", "cli", "grading", "exercises"}


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
    have = {_requirement(s) for s in conda if not s.startswith(("python", "pip"))}
    assert have == wanted, f"only in pyproject: {wanted - have}; only in environment.yml: {have - wanted}"
    python = [s for s in conda if s.startswith("python")]
    assert python == ["python" + project["requires-python"]]
    assert pip and any(line.startswith("--editable .") for line in pip[0]["pip"])


def test_dependencies_are_lower_bounded_ranges_not_pins():
    """Is every dependency a lower-bounded range (>=), never an exact pin?"""
    project = _pyproject()["project"]
    for spec in project["dependencies"] + project["optional-dependencies"]["test"]:
        name, version = _requirement(spec)
        assert version.startswith(">="), f"{name} should be a lower-bounded range, got {version!r}"
    core = {_requirement(s)[0] for s in project["dependencies"]}
    assert {"numpy", "matplotlib", "jupyter", "ipywidgets", "nbval", "pytest"} <= core


def test_core_never_imports_downstream_modules():
    """Does the core (notation -> network -> objective -> gradients) import no widgets, plots, checks or CLI?"""
    for module in CORE:
        tree = ast.parse((ROOT / "bpkit" / f"{module}.py").read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [(node.module or "")] + [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = set(name.replace("bpkit.", "").split("."))
                assert not (parts & DOWNSTREAM), f"bpkit/{module}.py imports {name}"
        for bad in ("ipywidgets", "matplotlib", "IPython"):
            assert bad not in (ROOT / "bpkit" / f"{module}.py").read_text(), f"bpkit/{module}.py uses {bad}"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_command():
    """Does the README give exactly one setup-and-open and one setup-and-test command, and does CI run the latter?"""
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^\s*(python3 course\.py \w+)\s*$", readme, flags=re.M)
    assert "python3 course.py start" in commands and "python3 course.py test" in commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^python3 course\.py test$", ci, flags=re.M)


def test_ipython_profile_silences_colours_and_long_tracebacks():
    """Does the kernels' profile set colors='nocolor' and xmode='Minimal', and is it shipped in the package?"""
    config = (ROOT / "bpkit" / "data" / "ipython" / "profile_default" / "ipython_config.py").read_text()
    assert 'colors = "nocolor"' in config and 'xmode = "Minimal"' in config
    assert "data/ipython/profile_default/ipython_config.py" in str(_pyproject()["tool"]["setuptools"]["package-data"])

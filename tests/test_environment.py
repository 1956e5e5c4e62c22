"""pyproject.toml is the single source of the Python dependencies;
environment.yml (Binder, conda) must agree with it, and with what is installed."""
from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))
from env_constraints import conda_pins  # noqa: E402

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
ENV_TEXT = (REPO / "environment.yml").read_text(encoding="utf-8")
ENV = yaml.safe_load(ENV_TEXT)
RUNTIME = {Requirement(r).name.lower(): Requirement(r) for r in PYPROJECT["project"]["dependencies"]}


def _conda_specs() -> dict[str, str]:
    """{name: version} from the conda part of environment.yml, parsed as YAML."""
    out = {}
    for dep in ENV["dependencies"]:
        if isinstance(dep, str):
            m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(?:=\s*(\S+))?", dep)
            assert m, f"cannot read conda dependency {dep!r}"
            out[m.group(1).lower()] = m.group(2)
    return out


def _pip_section() -> list[str]:
    return next(d["pip"] for d in ENV["dependencies"] if isinstance(d, dict) and "pip" in d)


def test_environment_yml_is_valid_yaml_with_conda_forge_and_python_311():
    assert ENV["channels"] == ["conda-forge"]
    assert _conda_specs()["python"] == "3.11"


def test_environment_installs_the_course_itself_through_pip():
    assert _pip_section() == ["-e ."]


def test_same_packages_in_both_files():
    conda = set(_conda_specs()) - {"python", "pip"}
    assert conda == set(RUNTIME), (
        f"only in environment.yml: {sorted(conda - set(RUNTIME))}; "
        f"only in pyproject.toml: {sorted(set(RUNTIME) - conda)}")


@pytest.mark.parametrize("name", sorted(RUNTIME))
def test_each_dependency_has_a_lower_bound_and_a_major_cap(name):
    spec = RUNTIME[name].specifier
    lower = [s for s in spec if s.operator == ">="]
    upper = [s for s in spec if s.operator == "<"]
    assert lower and upper, f"{name}: needs >=X and <Y, has {spec}"
    low, cap = Version(lower[0].version), Version(upper[0].version)
    assert cap.release[1:] in ((), (0,), (0, 0)), f"{name}: cap {cap} is not a major version"
    assert cap.major == low.major + 1, f"{name}: cap {cap} is not the next major after {low}"


@pytest.mark.parametrize("name", sorted(RUNTIME))
def test_environment_pin_lies_within_the_pyproject_bounds(name):
    pin = _conda_specs()[name]
    assert pin and re.fullmatch(r"\d+(\.\d+)*", pin), f"{name} is not pinned to a version in environment.yml"
    assert Version(pin) in RUNTIME[name].specifier, f"{name}={pin} is outside {RUNTIME[name].specifier}"


@pytest.mark.parametrize("name", sorted(RUNTIME))
def test_installed_version_is_the_pinned_one(name):
    """What `make test` installed and tested is what Binder gets."""
    assert metadata.version(name) == _conda_specs()[name]


def test_constraint_tool_reads_the_same_pins_as_yaml():
    assert conda_pins(ENV_TEXT) == {k: v for k, v in _conda_specs().items() if k not in ("python", "pip")}


def test_python_requirement_admits_311():
    assert Version("3.11.7") in SpecifierSet(PYPROJECT["project"]["requires-python"])


def test_axelrod_is_never_a_runtime_dependency():
    assert "axelrod" not in RUNTIME
    assert any(r.startswith("axelrod") for r in PYPROJECT["project"]["optional-dependencies"]["oracle"])

"""pyproject.toml holds the bounds of the Python dependencies; environment.yml's
pip: section pins every runtime package (Binder, conda, and `make` through
tools/env_constraints.py); the two must agree with each other and with what is
installed. Conda itself installs only packages from a short allow-list."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))
from env_constraints import pip_pins  # noqa: E402
from lock import INSTALLER, runtime_closure  # noqa: E402

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
ENV_TEXT = (REPO / "environment.yml").read_text(encoding="utf-8")
ENV = yaml.safe_load(ENV_TEXT)
RUNTIME = {
    canonicalize_name(Requirement(r).name): Requirement(r) for r in PYPROJECT["project"]["dependencies"]
}
# What conda may install: both exist on conda-forge for every Python the course
# supports, so the environment solves whatever the feedstocks hold.
CONDA_ALLOWED = {"python": "3.11", "pip": None}


def _conda_specs() -> dict[str, str | None]:
    """{name: version} from the conda part of environment.yml, parsed as YAML."""
    out = {}
    for dep in ENV["dependencies"]:
        if isinstance(dep, str):
            m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(?:=\s*(\S+))?", dep)
            assert m, f"cannot read conda dependency {dep!r}"
            out[m.group(1).lower()] = m.group(2)
    return out


def _pip_section() -> list[str]:
    sections = [d["pip"] for d in ENV["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, "environment.yml needs exactly one pip: section"
    return sections[0]


def _yaml_pins() -> dict[str, str]:
    out = {}
    for line in _pip_section():
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", f"{line!r} is not pinned with =="
        out[canonicalize_name(req.name)] = spec.version
    return out


PINS = _yaml_pins()


def test_environment_yml_is_valid_yaml_with_conda_forge_and_python_311():
    assert ENV["channels"] == ["conda-forge"]
    assert _conda_specs()["python"] == "3.11"


def test_conda_installs_only_allow_listed_packages():
    specs = _conda_specs()
    extra = sorted(set(specs) - set(CONDA_ALLOWED))
    assert not extra, f"conda may install only {sorted(CONDA_ALLOWED)}; move {extra} to the pip: section"
    for name, version in specs.items():
        assert version == CONDA_ALLOWED[name], (
            f"conda: {name}={version}, expected {CONDA_ALLOWED[name] or 'unpinned'}"
        )


def test_pip_section_has_no_local_reference():
    """repo2docker (buildpacks/conda/__init__.py, CondaBuildPack._should_preassemble_env, with
    utils.is_local_pip_requirement) builds the environment before copying the repository, and so
    caches it between pushes, only if no pip: line is local (`-e .`, `-r file`, `-c file`, a path)."""
    for line in _pip_section():
        assert not line.startswith("-"), f"{line!r}: an option in the pip: section"
        assert "/" not in line and not line.startswith("."), f"{line!r} names a local path"


def test_constraint_tool_reads_the_same_pins_as_yaml():
    assert {canonicalize_name(k): v for k, v in pip_pins(ENV_TEXT).items()} == PINS


def test_constraint_tool_refuses_an_entry_that_is_not_a_pin():
    with pytest.raises(ValueError, match="line 4.*-e \\."):
        pip_pins("dependencies:\n  - pip:\n      - numpy==2.0\n      - -e .\n")
    assert pip_pins("dependencies:\n  - pip\n  - pip:\n      - numpy==2.0\nname: x\n") == {"numpy": "2.0"}


def test_make_installs_with_the_pins_as_constraints():
    out = subprocess.run(
        ["make", "-n", "-B", "install-test", "VENV=/nonexistent-venv", "EXTRAS=test"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "tools/env_constraints.py environment.yml > /nonexistent-venv/constraints.txt" in out
    assert re.search(r"pip install .*-c /nonexistent-venv/constraints\.txt -e \"?\.\[test\]", out), out


def test_same_packages_in_both_files():
    missing = sorted(set(RUNTIME) - set(PINS))
    assert not missing, f"pyproject.toml dependencies not pinned in environment.yml: {missing}"


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
    pin = PINS[name]
    assert re.fullmatch(r"\d+(\.\d+)*", pin), f"{name}=={pin} is not a release version"
    assert Version(pin) in RUNTIME[name].specifier, f"{name}=={pin} is outside {RUNTIME[name].specifier}"


def test_pins_cover_exactly_the_installed_runtime():
    """Every package the course needs at run time is pinned, and nothing else (`make lock` fixes it)."""
    closure = runtime_closure()
    assert sorted(set(closure) - set(PINS)) == [], "needed but not pinned: run `make lock`"
    assert sorted(set(PINS) - set(closure)) == [], "pinned but not needed: run `make lock`"
    assert not set(PINS) & INSTALLER


@pytest.mark.parametrize("name", sorted(PINS))
def test_installed_version_is_the_pinned_one(name):
    """What `make test` installed and tested is what Binder gets."""
    assert metadata.version(name) == PINS[name]


def test_postbuild_installs_the_course_without_dependencies():
    post = REPO / "postBuild"
    assert os.access(post, os.X_OK), "repo2docker runs postBuild as ./postBuild: it must be executable"
    lines = [
        ln.strip() for ln in post.read_text().splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]
    assert lines[0].startswith("set -e")
    assert "python -m pip install --no-deps -e ." in lines


def test_repo2docker_reads_the_top_level_files_with_its_conda_buildpack():
    """repo2docker looks only in binder/ or .binder/ when either exists (BuildPack.binder_dir), and
    tries its buildpacks in order (app.py, Repo2Docker.buildpacks): Docker, Julia, Nix and R come
    before Conda, which is chosen because environment.yml exists (CondaBuildPack.detect)."""
    assert not (REPO / "binder").exists() and not (REPO / ".binder").exists()
    before_conda = (
        "Dockerfile",
        "Project.toml",
        "JuliaProject.toml",
        "REQUIRE",
        "default.nix",
        "runtime.txt",
        "DESCRIPTION",
        "install.R",
    )
    for other in before_conda:
        assert not (REPO / other).exists(), f"{other} would make repo2docker use another buildpack"


def test_setuptools_new_enough_for_the_licence_expression():
    assert PYPROJECT["project"]["license"] == "MIT"
    (req,) = [Requirement(r) for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools")]
    assert Version("77") in req.specifier and Version("76.9") not in req.specifier


def test_python_requirement_admits_311():
    assert Version("3.11.7") in SpecifierSet(PYPROJECT["project"]["requires-python"])


def test_axelrod_is_never_a_runtime_dependency():
    assert "axelrod" not in RUNTIME and "axelrod" not in PINS
    assert any(r.startswith("axelrod") for r in PYPROJECT["project"]["optional-dependencies"]["oracle"])

"""The wheel works without the repository: built from the tracked files,
installed with its pinned dependencies into a fresh virtual environment, and
used from a folder far from the source tree, it loads every dataset, answers
`course doctor`, copies the lessons with `course lessons`, and a copied lesson
runs on a kernel of that environment.

The environment is really fresh (a new venv, the wheel and its dependencies
installed by pip from the same index and pins as `make test`): about 30 s with
a warm pip cache. A venv sharing .venv's packages would be cheaper, but .venv
holds the editable install, whose finder would put the source tree back on
the path; the test shows that `course` is not importable there before the
wheel goes in, and that everything it then uses lies inside the new venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _run(cmd, cwd, env, check=True, timeout=600):
    r = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if check and r.returncode != 0:
        raise AssertionError(f"{cmd} failed ({r.returncode}):\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}")
    return r


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("wheel")
    # the source as git has it (tracked files, plus new ones not ignored): no build/, .venv, egg-info
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    src = base / "src"
    for name in filter(None, files):
        if (REPO / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, src / name)
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "PYTHONPATH",
            "VIRTUAL_ENV",
            "COURSE_DATASETS",
            "COURSE_DIR",
            "JUPYTER_PATH",
            "JUPYTER_CONFIG_DIR",
            "JUPYTER_DATA_DIR",
            "PYTHONHOME",
        )
    }
    home = base / "home"
    home.mkdir()
    env.update(HOME=str(home), PYTHONNOUSERSITE="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, src], cwd=base, env=env)
    (wheel,) = dist.glob("*.whl")

    venv = base / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=base, env=env)
    py = venv / "bin" / "python"
    far = base / "elsewhere"
    far.mkdir()
    before = _run([py, "-c", "import course"], cwd=far, env=env, check=False)
    assert before.returncode != 0 and "No module named 'course'" in before.stderr
    constraints = base / "constraints.txt"
    constraints.write_text(
        _run(
            [sys.executable, REPO / "tools" / "env_constraints.py", REPO / "environment.yml"],
            cwd=base,
            env=env,
        ).stdout
    )
    _run([py, "-m", "pip", "install", "-q", "-c", constraints, wheel], cwd=far, env=env)
    return {"wheel": wheel, "venv": venv.resolve(), "py": py, "far": far, "env": env, "base": base}


def test_the_wheel_holds_the_datasets_lessons_and_examples_and_no_problem_set(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    data = json.loads((REPO / "datasets" / "datapackage.json").read_text())
    for r in data["resources"]:
        assert f"course/_datasets/{r['path']}" in names
    assert "course/_datasets/datapackage.json" in names
    for p in (REPO / "lessons").glob("[0-9][0-9]_*.ipynb"):
        assert f"course/_lessons/{p.name}" in names
    for p in (REPO / "widgets" / "examples").glob("*.ipynb"):
        assert f"widgets/examples/{p.name}" in names
    # the problem sets hold solutions and hidden tests: they never ship to students
    assert not [n for n in names if "assignments" in n or n.endswith(("ps1.ipynb", "autotests.yml"))]
    assert not [n for n in names if n.startswith("tests/")]


def test_course_is_imported_from_the_venv_and_loads_every_dataset(installed):
    code = textwrap.dedent("""
        import json, sys, course, widgets
        from course import data
        tables = {n: len(data.load(n)) for n in data.resource_names()}
        print(json.dumps({"course": course.__file__, "widgets": widgets.__file__,
                          "datasets": str(data.datasets_dir()), "tables": tables,
                          "problems": {k: len(v) for k, v in data.validate_all().items()}}))
    """)
    out = json.loads(_run([installed["py"], "-c", code], cwd=installed["far"], env=installed["env"]).stdout)
    for key in ("course", "widgets", "datasets"):
        assert Path(out[key]).resolve().is_relative_to(installed["venv"]), (key, out[key])
        assert not Path(out[key]).resolve().is_relative_to(REPO), (key, out[key])
    names = [r["name"] for r in json.loads((REPO / "datasets" / "datapackage.json").read_text())["resources"]]
    assert sorted(out["tables"]) == sorted(names) and all(n > 0 for n in out["tables"].values())
    assert set(out["problems"].values()) == {0}
    r = _run(
        [installed["venv"] / "bin" / "python", "-m", "course.data"],
        cwd=installed["far"],
        env=installed["env"],
    )
    assert f"{len(names)} of {len(names)} datasets valid" in r.stdout


def test_course_doctor_outside_a_course_folder_answers_clearly(installed):
    r = _run(
        [installed["venv"] / "bin" / "course", "doctor"],
        cwd=installed["far"],
        env=installed["env"],
        check=False,
    )
    assert r.returncode == 1 and "Traceback" not in r.stderr + r.stdout
    lines = r.stdout.splitlines()
    fails = [ln for ln in lines if ln.startswith("FAIL")]
    assert len(fails) == 1 and fails[0].startswith("FAIL course directory: no nbgrader_config.py found"), (
        r.stdout
    )
    assert any("course lessons --dest DIR" in ln for ln in lines)
    for name in ("nbgrader", "jupyterlab", "server extension formgrader", "lab extension @jupyter/nbgrader"):
        assert any(ln.startswith(f"ok   {name}") for ln in lines), (name, r.stdout)


def test_course_doctor_with_the_course_folder_passes(installed):
    """An instructor who installed the wheel and keeps the course folder (assignments/) elsewhere."""
    course = installed["base"] / "instructor"
    shutil.copytree(REPO / "assignments" / "source", course / "assignments" / "source")
    shutil.copy(REPO / "assignments" / "nbgrader_config.py", course / "assignments")
    shutil.copy(REPO / "nbgrader_config.py", course)
    r = _run(
        [
            installed["venv"] / "bin" / "course",
            "--course-dir",
            course / "assignments",
            "doctor",
            "--jupyter-root",
            course,
        ],
        cwd=installed["far"],
        env=installed["env"],
        check=False,
    )
    bad = [
        ln for ln in r.stdout.splitlines() if ln.startswith("FAIL") and not ln.startswith("FAIL isolation")
    ]
    assert r.returncode in (0, 1) and not bad, r.stdout


def test_copied_lesson_runs_on_the_venvs_kernel_from_any_folder(installed):
    student = installed["base"] / "student" / "my lessons"
    course = installed["venv"] / "bin" / "course"
    r = _run([course, "lessons", "--dest", student], cwd=installed["far"], env=installed["env"])
    # every lesson, its question bank and the widget examples: counted from the repository, not hard-coded
    shipped = [
        *(REPO / "lessons").glob("[0-9][0-9]_*.ipynb"),
        *(REPO / "lessons" / "questions").glob("*.toml"),
    ]
    shipped += list((REPO / "widgets" / "examples").glob("*.ipynb"))
    assert f"Summary: {len(shipped)} copied" in r.stdout, r.stdout
    assert (student / "examples" / "timeline_demo.ipynb").is_file()
    # run lesson 01 (course.data, course.check and the TimelineExplorer widget), as Jupyter does:
    # the kernel starts in the student's folder; one cell is added to say where it ran
    code = textwrap.dedent("""
        import json, sys, nbformat
        from nbclient import NotebookClient
        path = sys.argv[1]
        nb = nbformat.read(path, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(
            "import sys, json, course, widgets, course.data as d\\n"
            "print(json.dumps([sys.executable, course.__file__, widgets.__file__, str(d.datasets_dir())]))"))
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": sys.argv[2]}}).execute()
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
        print(json.dumps({"errors": len(errors), "where": nb.cells[-1].outputs[0]["text"]}))
    """)
    lesson = student / "01_detente_road_to_helsinki.ipynb"
    out = _run(
        [installed["py"], "-c", code, lesson, student], cwd=installed["far"], env=installed["env"]
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["errors"] == 0
    for path in json.loads(result["where"]):
        assert not Path(path).resolve().is_relative_to(REPO), path
        assert Path(path).is_relative_to(installed["venv"]) or Path(path).resolve().is_relative_to(
            installed["venv"]
        ), path

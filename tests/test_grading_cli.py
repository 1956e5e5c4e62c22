"""The `course` command: release refuses leaks and names the cell; doctor finds problems and prints fixes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from grading_fixtures.commands import course, new_course

NBGRADER_PIPELINE = [
    "IncludeHeaderFooter",
    "InstantiateTests",
    "LockCells",
    "ClearSolutions",
    "ClearOutput",
    "CheckCellMetadata",
    "ComputeChecksums",
    "SaveCells",
    "ClearHiddenTests",
    "ClearMarkScheme",
    "ComputeChecksums",
    "CheckCellMetadata",
]


@pytest.mark.parametrize(
    "dropped, cell, kind",
    [
        ("ClearHiddenTests", "q1_hidden", "hidden test"),
        ("ClearSolutions", "q1_answer", "solution"),
    ],
)
def test_release_fails_and_names_the_cell_when_secrets_reach_the_student_version(
    tmp_path, dropped, cell, kind
):
    c = new_course(tmp_path / "course", "ps1")
    pipeline = [f"nbgrader.preprocessors.{p}" for p in NBGRADER_PIPELINE if p != dropped]
    with open(c / "nbgrader_config.py", "a") as f:
        f.write(f"\nc.GenerateAssignment.preprocessors = {pipeline!r}\n")
        f.write("c.ClearHiddenTests.enforce_metadata = False\nc.ClearSolutions.enforce_metadata = False\n")
    result = course("--course-dir", c, "release", "ps1")
    assert result.rc == 1, result.out
    assert f"cell '{cell}'" in result.out and f"contains {kind}" in result.out, result.out
    assert not (c / "release" / "ps1").exists(), "a leaking student version must not be left behind"


def test_release_of_the_course_passes_its_own_check(tmp_path):
    c = new_course(tmp_path / "course", "ps1", "ps3")
    result = course("--course-dir", c, "release")
    assert result.rc == 0, result.out + result.err
    assert "Summary: 2 released, 0 failed" in result.out
    assert sorted(p.name for p in (c / "release").iterdir()) == ["ps1", "ps3"]


def test_plain_nbgrader_autograde_is_refused_before_student_code_runs(tmp_path):
    from grading_fixtures.submissions import cell, reference, submit

    c = new_course(tmp_path / "course", "ps3")
    assert course("--course-dir", c, "release", "ps3").rc == 0
    marker = tmp_path / "student-code-ran"
    nb = reference(c, "ps3")
    answer = cell(nb, "q1_answer")  # an answer cell: nbgrader would run it as written
    answer.source = f"open({str(marker)!r}, 'w').close()\n" + answer.source
    submit(c, "amy", "ps3", nb)
    env = {k: v for k, v in os.environ.items() if k != "COURSE_ALLOW_PLAIN_NBGRADER"}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "nbgrader"), "autograde", "ps3"],
        cwd=c,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "autogrades with `course grade`" in proc.stdout + proc.stderr
    assert not marker.exists()
    # the control: with the override, nbgrader runs the same submission, student code and all
    env["COURSE_ALLOW_PLAIN_NBGRADER"] = "1"
    subprocess.run(
        [str(Path(sys.executable).parent / "nbgrader"), "autograde", "ps3", "--force"],
        cwd=c,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert marker.exists()


def test_unknown_problem_set_is_refused_with_the_known_ones(tmp_path):
    c = new_course(tmp_path / "course", "ps1")
    result = course("--course-dir", c, "grade", "ps9")
    assert result.rc == 2 and "unknown problem set(s): ps9; the course has: ps1" in result.err


def test_grading_before_release_says_what_to_do(tmp_path):
    c = new_course(tmp_path / "course", "ps1")
    (c / "submitted" / "amy" / "ps1").mkdir(parents=True)
    result = course("--course-dir", c, "grade", "ps1")
    assert result.rc == 2 and "run `course release ps1` first" in result.err


def test_doctor_reports_each_problem_with_its_fix_through_the_console_script(tmp_path):
    c = new_course(tmp_path / "root" / "assignments", "ps1")
    script = Path(sys.executable).parent / "course"
    proc = subprocess.run(
        [str(script), "--course-dir", str(c), "doctor", "--jupyter-root", str(tmp_path / "root")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = proc.stdout
    assert proc.returncode == 1, out
    assert "ok   nbgrader:" in out and "ok   lab extension @jupyter/nbgrader" in out
    assert "ok   server extension formgrader: enabled" in out
    assert "ok   exchange directory" in out and (c / "exchange").is_dir()
    assert "ok   course inside the Jupyter root" in out
    assert (
        "FAIL Formgrader finds this course" in out
        and "load_subconfig('assignments/nbgrader_config.py')" in out
    )
    assert "limits per submission:" in out and "sandbox:" in out
    assert "Summary:" in out


def test_doctor_is_satisfied_once_the_jupyter_root_loads_the_course_config(tmp_path):
    root = tmp_path / "root"
    c = new_course(root / "assignments", "ps1")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\nload_subconfig('assignments/nbgrader_config.py')\n"
    )
    result = course("--course-dir", c, "doctor", "--jupyter-root", root)
    assert "ok   Formgrader finds this course" in result.out, result.out
    elsewhere = course(
        "--course-dir", c, "doctor", "--jupyter-root", tmp_path / "root" / "assignments" / "source"
    )
    assert (
        "FAIL course inside the Jupyter root" in elsewhere.out
        and "fix: start JupyterLab from" in elsewhere.out
    )


def test_an_error_of_the_grader_itself_fails_the_command_and_names_the_submission(tmp_path, monkeypatch):
    """A bug in the grader is not the student's fault: it is recorded with its reason, and `course grade`
    exits 1 naming the submission, so a script or an instructor does not take the run as a success."""
    import csv
    import io

    from grading_fixtures.submissions import reference, submit

    import course.grading.grader as grader
    from course.grading.sandbox import detect_isolation

    c = new_course(tmp_path / "course", "ps4")
    assert course("--course-dir", c, "release", "ps4").rc == 0
    submit(c, "bob", "ps4", reference(c, "ps4"))
    extra = [] if detect_isolation().mode != "none" else ["--allow-unisolated"]
    ok = course("--course-dir", c, "grade", "ps4", "--jobs", "1", *extra)
    assert ok.rc == 0 and "hit an error of the grader itself" not in ok.err, ok.out + ok.err

    def broken(record):
        raise RuntimeError("a bug in a grading step")

    monkeypatch.setattr(grader, "run_steps", broken)
    r = course("--course-dir", c, "grade", "ps4", "--jobs", "1", *extra)
    assert r.rc == 1, r.out + r.err
    assert "error: ps4/bob hit an error of the grader itself" in r.err
    assert "`course grade ps4 --student bob`" in r.err
    rows = list(csv.DictReader(io.StringIO(course("--course-dir", c, "export", "-o", "-").out)))
    assert rows[0]["status"].startswith("crashed"), rows
    assert "internal grader error: RuntimeError: a bug in a grading step" in rows[0]["problems"], rows

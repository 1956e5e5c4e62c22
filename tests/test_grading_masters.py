"""Answer keys stay with instructors: the masters can live outside the course folder and the repository
(a private checkout named by COURSE_SOURCE_DIR or c.CourseDirectory.source_directory), and
`course doctor` warns when they sit where students are served (assignments/README.md, "Answer keys")."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from grading_fixtures.commands import course

from course.grading.coursedir import Course

REPO = Path(__file__).resolve().parents[1]


def public_course(tmp_path: Path) -> Path:
    """A course folder as a public deployment ships it: the configuration, no masters."""
    c = tmp_path / "public" / "assignments"
    c.mkdir(parents=True)
    shutil.copy(REPO / "assignments" / "nbgrader_config.py", c)
    return c


def private_masters(tmp_path: Path, *problem_sets: str) -> Path:
    """A checkout of the private masters repository: ps1/ps1.ipynb, ..."""
    m = tmp_path / "private" / "helsinki-nea-masters"
    for ps in problem_sets:
        shutil.copytree(REPO / "assignments" / "source" / ps, m / ps)
    return m


def test_release_takes_the_masters_from_course_source_dir_outside_the_course(tmp_path, monkeypatch):
    c = public_course(tmp_path)
    masters = private_masters(tmp_path, "ps1")
    monkeypatch.setenv("COURSE_SOURCE_DIR", str(masters))
    assert Course(c).source == masters
    result = course("--course-dir", c, "release", "ps1")
    assert result.rc == 0, result.out + result.err
    assert "ok   ps1" in result.out and "none leaked" in result.out
    assert (c / "release" / "ps1" / "ps1.ipynb").is_file()
    assert not (c / "source").exists()  # nothing of the masters was copied into the public folder
    # the gradebook recorded the masters' cells, so grading can rebuild submissions from them
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{c / 'gradebook.db'}") as gb:
        assert gb.find_assignment("ps1").notebooks[0].name == "ps1"


def test_the_masters_path_can_be_written_into_the_configuration(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_SOURCE_DIR", raising=False)
    c = public_course(tmp_path)
    masters = private_masters(tmp_path, "ps1")
    (c / "nbgrader_config.py").write_text(
        (c / "nbgrader_config.py").read_text() + f"\nc.CourseDirectory.source_directory = {str(masters)!r}\n"
    )
    result = course("--course-dir", c, "release", "ps1")
    assert result.rc == 0, result.out + result.err
    assert (c / "release" / "ps1" / "ps1.ipynb").is_file()


def test_a_public_course_without_its_masters_says_where_to_point(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_SOURCE_DIR", raising=False)
    c = public_course(tmp_path)
    result = course("--course-dir", c, "release", "ps1")
    assert result.rc == 2
    assert f"the masters folder {c / 'source'} does not exist" in result.err
    assert "COURSE_SOURCE_DIR" in result.err


def doctor_line(out: str, name: str) -> str:
    return next(line for line in out.splitlines() if name in line)


def test_doctor_warns_when_the_masters_are_inside_the_repository_binder_serves():
    result = course("--course-dir", REPO / "assignments", "doctor", "--jupyter-root", REPO)
    line = doctor_line(result.out, "answer keys out of students' reach")
    assert line.startswith("WARN"), line
    assert f"inside the course's repository {REPO}" in line and "Binder" in line
    assert "c.CourseDirectory.source_directory" in result.out  # the fix is printed
    assert "warning(s)" in result.out


def test_doctor_warns_when_the_masters_are_inside_a_student_facing_root(tmp_path, monkeypatch):
    c = public_course(tmp_path)
    served = tmp_path / "student-home"
    masters = private_masters(served, "ps1")
    monkeypatch.setenv("COURSE_SOURCE_DIR", str(masters))
    result = course("--course-dir", c, "doctor", "--jupyter-root", tmp_path, "--student-root", served)
    line = doctor_line(result.out, "answer keys out of students' reach")
    assert (
        line.startswith("WARN") and f"inside {served.resolve()}, which a student-facing server serves" in line
    )


def test_doctor_is_quiet_when_the_masters_are_private(tmp_path, monkeypatch):
    c = public_course(tmp_path)
    masters = private_masters(tmp_path, "ps1")
    served = tmp_path / "student-home"
    served.mkdir()
    monkeypatch.setenv("COURSE_SOURCE_DIR", str(masters))
    result = course("--course-dir", c, "doctor", "--jupyter-root", tmp_path, "--student-root", served)
    line = doctor_line(result.out, "answer keys out of students' reach")
    assert line.startswith("ok"), line
    assert "outside the course's repository" in line
    assert "answer keys out of the jail" not in result.out
    assert "warning(s)" not in result.out


@pytest.mark.parametrize("layout", ["jail reads the system only", "jail reads the masters folder"])
def test_a_warning_does_not_fail_doctor_but_a_reachable_jail_path_does(tmp_path, monkeypatch, layout):
    c = public_course(tmp_path)
    masters = private_masters(tmp_path, "ps1")
    monkeypatch.setenv("COURSE_SOURCE_DIR", str(masters))
    if (
        layout == "jail reads the masters folder"
    ):  # the instructor let the jail read a folder holding the masters
        (c / "nbgrader_config.py").write_text(
            (c / "nbgrader_config.py").read_text()
            + f"\nc.CourseGrader.extra_ro_paths = [{str(masters.parent)!r}]\n"
        )
    result = course("--course-dir", c, "doctor", "--jupyter-root", tmp_path)
    jail = [line for line in result.out.splitlines() if "answer keys out of the jail" in line]
    if layout == "jail reads the masters folder":
        assert jail and jail[0].startswith("FAIL") and str(masters.parent) in jail[0]
    else:
        assert not jail


def test_the_documented_course_grader_section_sets_the_limits(tmp_path):
    # (the jail check above relies on it: c.CourseGrader.extra_ro_paths must reach the settings)
    c = public_course(tmp_path)
    (c / "nbgrader_config.py").write_text(
        (c / "nbgrader_config.py").read_text()
        + "\nc.CourseGrader.cell_timeout = 5\nc.CourseGrader.memory_mb = 512\n"
    )
    settings = Course(c).settings
    assert (settings.cell_timeout, settings.memory_mb) == (5.0, 512)

"""Due dates, the late penalty set in nbgrader_config.py, and per-student extensions."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from grading_fixtures.commands import course, new_course
from nbgrader.api import Gradebook

from course.grading.coursedir import Course
from course.grading.policy import LatePenalty

DUE = dt.datetime(2026, 3, 1, 17, 0)


def gradebook(c):
    return Gradebook(f"sqlite:///{c / 'gradebook.db'}", "helsinki-nea")


@pytest.fixture
def c(tmp_path):
    c = new_course(tmp_path / "course", "ps1")
    r = course("--course-dir", c, "release", "ps1", "--due", "2026-03-01 17:00")
    assert r.rc == 0 and "due 2026-03-01 17:00 UTC" in r.out, r.out + r.err
    return c


def submitted(c, student: str, late: dt.timedelta) -> None:
    """A submission as autograding leaves it: 8 points of tests and, as if marked, the 5-point q4 scored; the
    3-point written answer q6 still to mark."""
    with gradebook(c) as gb:
        gb.update_or_create_student(student)
        sub = gb.add_submission("ps1", student, timestamp=DUE + late)
        for nb in sub.notebooks:
            for g in nb.grades:
                g.auto_score, g.needs_manual_grade = (
                    (g.max_score, False) if g.name != "q6_answer" else (None, True)
                )
        gb.db.commit()
    (c / "autograded" / student / "ps1").mkdir(parents=True)


def row(c, student):
    rows = csv.DictReader(io.StringIO(course("--course-dir", c, "export", "-o", "-").out))
    r = next(r for r in rows if r["student_id"] == student)
    return float(r["raw_score"]), float(r["late_submission_penalty"]), float(r["score"])


def test_release_sets_the_due_date_in_the_gradebook(c):
    with gradebook(c) as gb:
        assert gb.find_assignment("ps1").duedate == DUE
    assert course("--course-dir", c, "release", "ps1", "--due", "2026-03-01T17:00+02:00").rc == 0
    with gradebook(c) as gb:
        assert gb.find_assignment("ps1").duedate == dt.datetime(2026, 3, 1, 15, 0)
    assert course("--course-dir", c, "release", "ps1", "--due", "2026-03-02").rc == 0
    with gradebook(c) as gb:
        assert gb.find_assignment("ps1").duedate == dt.datetime(2026, 3, 2, 23, 59, 59)
    assert course("--course-dir", c, "release", "ps1").rc == 0  # releasing again keeps the due date
    with gradebook(c) as gb:
        assert gb.find_assignment("ps1").duedate == dt.datetime(2026, 3, 2, 23, 59, 59)
    r = course("--course-dir", c, "release", "ps1", "--due", "next friday-ish")
    assert r.rc == 2 and "cannot read the date 'next friday-ish'" in r.err, r.err


def test_the_late_penalty_follows_the_configured_policy(tmp_path):
    c = new_course(tmp_path / "course", "ps1")
    config = Course(c).config
    plugin = LatePenalty(config=config)
    assert (plugin.percent_per_day, plugin.grace_minutes, plugin.max_percent) == (10, 15, 100)
    hour = 3600
    assert plugin.late_submission_penalty("amy", 10.0, 10 * 60) == 0.0  # within the grace period
    assert plugin.late_submission_penalty("amy", 10.0, 1 * hour) == 1.0  # a started day: 10 %
    assert plugin.late_submission_penalty("amy", 10.0, 25 * hour) == 2.0
    assert plugin.late_submission_penalty("amy", 10.0, 30 * 24 * hour) == 10.0  # at most 100 %
    flat = LatePenalty(flat_percent=50, percent_per_day=0, grace_minutes=0)
    assert (
        flat.late_submission_penalty("amy", 8.0, 1) == 4.0
        and flat.late_submission_penalty("amy", 8.0, 0) == 0
    )


def test_late_penalty_extensions_and_hand_marks(c):
    submitted(c, "amy", dt.timedelta(hours=30))  # two started days late: 20 %
    submitted(c, "ben", dt.timedelta(hours=-1))  # on time
    assert row(c, "amy") == (13.0, pytest.approx(2.6), pytest.approx(10.4)) and row(c, "ben") == (
        13.0,
        0.0,
        13.0,
    )
    # a hand mark raises the score; the penalty follows it
    assert course("--course-dir", c, "mark", "ps1", "amy", "q6_answer", "3").rc == 0
    assert row(c, "amy") == (16.0, pytest.approx(3.2), pytest.approx(12.8))
    r = course("--course-dir", c, "extend", "ps1", "amy", "--until", "2026-03-03 12:00")
    assert r.rc == 0 and "has until 2026-03-03 12:00 UTC for ps1" in r.out, r.out + r.err
    with gradebook(c) as gb:
        assert gb.find_submission("ps1", "amy").extension == dt.timedelta(days=1, hours=19)
    assert row(c, "amy") == (16.0, 0.0, 16.0)
    assert course("--course-dir", c, "extend", "ps1", "amy", "--clear").rc == 0
    assert row(c, "amy") == (16.0, pytest.approx(3.2), pytest.approx(12.8))


def test_an_extension_given_before_the_submission_applies_when_it_is_graded(c):
    from course.grading.gradebook import GradebookWriter, NotebookOutcome, Outcome

    with gradebook(c) as gb:
        gb.update_or_create_student("cat")
    r = course("--course-dir", c, "extend", "ps1", "cat", "--until", "2026-03-05 17:00")
    assert r.rc == 0, r.err
    with gradebook(c) as gb:
        assert [s.student.id for s in gb.find_assignment("ps1").submissions] == []  # no fake submission
    outcome = Outcome("cat", "ps1", [NotebookOutcome("ps1", "failed", "x", [], None, kind="invalid file")])
    outcome.timestamp = "2026-03-04 09:00:00.000000 UTC"
    GradebookWriter(Course(c), "none").save(outcome)
    with gradebook(c) as gb:
        sub = gb.find_submission("ps1", "cat")
        assert sub.extension == dt.timedelta(days=4) and sub.total_seconds_late == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["ps1", "zed", "--until", "2026-03-04"], "unknown student 'zed'"),
        (["ps1", "amy", "--until", "2026-02-27"], "is not after the due date of ps1 (2026-03-01 17:00 UTC)"),
        (["ps1", "amy"], "give either --until DATE or --clear"),
        (["ps1", "amy", "--until", "soon"], "cannot read the date 'soon'"),
        (["ps9", "amy", "--until", "2026-03-04"], "the gradebook does not know ps9"),
    ],
)
def test_wrong_extensions_are_refused(c, args, message):
    submitted(c, "amy", dt.timedelta(hours=30))
    r = course("--course-dir", c, "extend", *args)
    assert r.rc == 2 and message in r.err, r.err


def test_an_extension_needs_a_due_date(tmp_path):
    c = new_course(tmp_path / "course", "ps1")
    assert course("--course-dir", c, "release", "ps1").rc == 0
    with gradebook(c) as gb:
        gb.update_or_create_student("amy")
    r = course("--course-dir", c, "extend", "ps1", "amy", "--until", "2026-03-04")
    assert r.rc == 2 and "ps1 has no due date to extend" in r.err, r.err

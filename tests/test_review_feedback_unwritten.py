"""`course feedback` fails, naming them, when graded students got no feedback file.

Before, a student with a graded submission and an autograded copy, for whom nbgrader's
generate_feedback wrote nothing, went into ``report.skipped`` and was printed as "(not graded)" in an
"ok" line, with exit code 0: the instructor was told all was well and the student got no feedback.
Students whose copy the gradebook does not hold as graded stay "skipped (not graded)" (the test of
that is tests/test_review_feedback_cli.py).
"""

from __future__ import annotations

from grading_fixtures.commands import course, new_course

from course.grading import feedback, gradebook, policy
from course.grading.coursedir import Course
from course.grading.feedback import FeedbackReport


def test_generate_sorts_students_without_a_file_into_graded_and_not_graded(tmp_path, monkeypatch):
    c = Course(new_course(tmp_path / "course", "ps1"))
    for s in ("s01", "s02", "s03"):
        (c.autograded / s / "ps1").mkdir(parents=True)

    class Api:
        def generate_feedback(self, assignment):
            out = c.feedback / "s01" / assignment
            out.mkdir(parents=True)
            (out / "ps1.html").write_text("<p>feedback</p>", encoding="utf-8")
            return {"success": True}

    monkeypatch.setattr(Course, "api", lambda self: Api())
    monkeypatch.setattr(policy, "refresh_penalties", lambda course, assignment: None)
    monkeypatch.setattr(gradebook, "graded_students", lambda course, assignment: ["s01", "s02"])
    monkeypatch.setattr(feedback, "check_feedback", lambda course, assignment: [])
    report = feedback.generate(c, "ps1")
    assert report.written == ["s01/ps1/ps1.html"]
    assert report.unwritten == ["s02"]  # graded: it should have a file
    assert report.skipped == ["s03"]  # not graded in the gradebook
    assert report.missing == []


def _run(tmp_path, monkeypatch, report: FeedbackReport):
    c = new_course(tmp_path / "course", "ps1")
    monkeypatch.setattr(feedback, "generate", lambda _course, name: report)
    return course("--course-dir", c, "feedback", "ps1")


def test_a_graded_student_without_feedback_fails_the_command_and_is_named(tmp_path, monkeypatch):
    r = _run(
        tmp_path, monkeypatch, FeedbackReport("ps1", written=["s01/ps1/ps1.html"], unwritten=["s02", "s04"])
    )
    assert r.rc == 1, r.out
    assert "FAIL ps1/s02: graded, but nbgrader wrote no feedback file" in r.out
    assert "FAIL ps1/s04: graded, but nbgrader wrote no feedback file" in r.out
    assert "Summary: 0 problem set(s) done, 1 failed" in r.out


def test_no_ok_line_when_every_graded_student_lacks_feedback(tmp_path, monkeypatch):
    r = _run(tmp_path, monkeypatch, FeedbackReport("ps1", unwritten=["s01"]))
    assert r.rc == 1 and "ok   ps1" not in r.out and "FAIL ps1/s01" in r.out, r.out

"""`course feedback` says what it did for every problem set, also when nbgrader wrote no file for anyone.

The last change printed the "ok" line only when some feedback file was written (so that a set whose
graded copies are all missing shows only its FAIL lines); a set whose graded students all got no
feedback file then printed nothing at all: the names in ``report.skipped`` were dropped.
"""

from __future__ import annotations

from grading_fixtures.commands import course, new_course

from course.grading import feedback
from course.grading.feedback import FeedbackReport


def _run(tmp_path, monkeypatch, report: FeedbackReport):
    c = new_course(tmp_path / "course", "ps1")
    monkeypatch.setattr(feedback, "generate", lambda _course, name: report)
    return course("--course-dir", c, "feedback", "ps1")


def test_students_without_a_feedback_file_are_named(tmp_path, monkeypatch):
    r = _run(tmp_path, monkeypatch, FeedbackReport("ps1", written=[], skipped=["s01", "s02"]))
    assert "ok   ps1: 0 feedback file(s)" in r.out and "no feedback for s01, s02 (not graded)" in r.out, r.out
    assert "Summary: 1 problem set(s) done, 0 failed" in r.out


def test_written_and_skipped_are_both_reported(tmp_path, monkeypatch):
    r = _run(tmp_path, monkeypatch, FeedbackReport("ps1", written=["s01/ps1/ps1.html"], skipped=["s02"]))
    assert "ok   ps1: 1 feedback file(s)" in r.out and "no feedback for s02 (not graded)" in r.out, r.out
    assert r.rc == 0

"""`course feedback` on a problem set nothing of which is graded says so and fails."""

from __future__ import annotations

from grading_fixtures.commands import course, new_course


def test_feedback_on_an_ungraded_set_says_nothing_is_graded(tmp_path):
    c = new_course(tmp_path / "course", "ps1")
    assert course("--course-dir", c, "release", "ps1").rc == 0
    r = course("--course-dir", c, "feedback", "ps1")
    assert r.rc == 1, r.out + r.err
    assert "FAIL ps1: nothing of ps1 is graded yet" in r.out and "`course grade ps1` first" in r.out
    assert "ok " not in r.out and "0 feedback file(s)" not in r.out
    assert "Summary: 0 problem set(s) done, 1 failed" in r.out

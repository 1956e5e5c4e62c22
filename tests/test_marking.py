"""`course mark`: a hand mark through nbgrader's gradebook, refused with a clear message when wrong.

The submissions are nbgrader's own gradebook rows (``Gradebook.add_submission`` makes one row per
graded cell of the released master, as grading does); what `course mark` writes is read back through
nbgrader's API and `course export`.
"""

from __future__ import annotations

import csv
import io

import pytest
from grading_fixtures.commands import course, new_course
from nbgrader.api import Gradebook


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    c = new_course(tmp_path_factory.mktemp("marking") / "course", "ps1")
    assert course("--course-dir", c, "release", "ps1").rc == 0
    with Gradebook(f"sqlite:///{c / 'gradebook.db'}", "helsinki-nea") as gb:
        for s in ("amy", "ben"):
            gb.add_student(s)
        sub = gb.add_submission("ps1", "amy")
        for nb in sub.notebooks:  # as autograding leaves it: test cells scored, the written answer pending
            for g in nb.grades:
                if g.name != "q6_answer":
                    g.auto_score, g.needs_manual_grade = g.max_score, False
        gb.db.commit()
    (c / "autograded" / "amy" / "ps1").mkdir(parents=True)
    return c


def grade(c, student, cell):
    with Gradebook(f"sqlite:///{c / 'gradebook.db'}", "helsinki-nea") as gb:
        g = gb.find_grade(cell, "ps1", "ps1", student)
        comment = gb.find_comment(cell, "ps1", "ps1", student)
        return g.manual_score, g.needs_manual_grade, comment.manual_comment


def score(c, student, cell):
    with Gradebook(f"sqlite:///{c / 'gradebook.db'}", "helsinki-nea") as gb:
        return gb.find_grade(cell, "ps1", "ps1", student).manual_score


def test_a_mark_and_comment_reach_the_gradebook_and_the_export(graded):
    r = course(
        "--course-dir", graded, "mark", "ps1", "amy", "q6_answer", "2.5", "--comment", "Good use of CSCE."
    )
    assert r.rc == 0, r.out + r.err
    assert "ok   ps1/amy q6_answer: 2.5 of 3 point(s) with a comment" in r.out
    assert grade(graded, "amy", "q6_answer") == (2.5, False, "Good use of CSCE.")
    rows = {
        row["student_id"]: row
        for row in csv.DictReader(io.StringIO(course("--course-dir", graded, "export", "-o", "-").out))
    }
    assert float(rows["amy"]["pending_points"]) == 0.0 and float(rows["amy"]["raw_score"]) == 15.5, rows[
        "amy"
    ]


def test_marking_again_replaces_the_mark(graded):
    assert course("--course-dir", graded, "mark", "ps1", "amy", "q6_answer", "3").rc == 0
    assert grade(graded, "amy", "q6_answer")[0] == 3.0


@pytest.mark.parametrize(
    "args, message",
    [
        (["ps1", "amy", "q6_answer", "3.5"], "3.5 points is more than cell 'q6_answer' is worth (3 points)"),
        (["ps1", "amy", "q6_answer", "-1"], "-1 is not a mark: give 0 to 3 points"),
        (["ps1", "zed", "q6_answer", "1"], "unknown student 'zed'"),
        (["ps1", "ben", "q6_answer", "1"], "ben has no graded submission of ps1"),
        (["ps9", "amy", "q6_answer", "1"], "unknown problem set 'ps9' (the gradebook has: ps1)"),
        (
            ["ps1", "amy", "q7_answer", "1"],
            "ps1 has no graded cell 'q7_answer'; its hand-marked cells: q4_answer, q6_answer",
        ),
        (["ps1", "amy", "q1_answer", "1"], "ps1 has no graded cell 'q1_answer'"),  # an answer without points
        (["ps1", "amy", "q1_tests", "1", "--comment", "x"], "cell 'q1_tests' takes no comment"),
    ],
)
def test_wrong_marks_are_refused_with_the_reason_and_change_nothing(graded, args, message):
    before = grade(graded, "amy", "q6_answer"), score(graded, "amy", "q1_tests")
    r = course("--course-dir", graded, "mark", *args)
    assert r.rc == 2 and message in r.err, r.err
    assert (grade(graded, "amy", "q6_answer"), score(graded, "amy", "q1_tests")) == before

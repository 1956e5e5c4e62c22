"""Honest submissions keep their scores: ``course grade`` on ps4's reference, partial and blank answers.

The numbers are pinned, not derived from the release: they are what the grader gave these very submissions
before the out-of-kernel comparison was made faster (the warm kernel pool, the dataset verdicts kept across
runs, the input digests). A change to ps4's
master that moves them must change them here, knowingly. (ps1 and ps2 are being rewritten; ps3's scoring
changed on purpose: see tests/test_grading_ps3.py.)
"""

from __future__ import annotations

import pytest
from grading_fixtures.cases import partial_answers
from grading_fixtures.commands import course, new_course
from grading_fixtures.submissions import answered, blank, reference, submit
from nbgrader.api import Gradebook

from course.grading.isolation import detect_isolation

pytestmark = pytest.mark.slow

# (kind of submission) -> (autograded score, max score) of ps4
# (the reference's other 13 points are written answers, marked by hand); the grader at commit ce4cd1d gave
# the same: 10, 7 and 0 of 23
PS4 = {"reference": (10.0, 23.0), "partial": (7.0, 23.0), "blank": (0.0, 23.0)}


def test_honest_ps4_submissions_keep_their_scores(tmp_path):
    root = new_course(tmp_path / "course", "ps4")
    assert course("--course-dir", root, "release", "ps4").rc == 0
    make = {
        "reference": lambda: reference(root, "ps4"),
        "partial": lambda: answered(root, "ps4", partial_answers(root, "ps4")),
        "blank": lambda: blank(root, "ps4"),
    }
    for kind, nb in make.items():
        submit(root, kind, "ps4", nb())
    extra = [] if detect_isolation().mode != "none" else ["--allow-unisolated"]
    graded = course("--course-dir", root, "grade", "--jobs", "1", *extra)
    assert graded.rc == 0, graded.out + graded.err
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        got = {
            s.student.id: (round(s.score, 6), round(s.max_score, 6))
            for s in gb.find_assignment("ps4").submissions
        }
    assert got == PS4, graded.out

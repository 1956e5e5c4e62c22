"""`course selfcheck key --lesson X`: a lesson that is not a number is named as such.

``answer_key`` turned each lesson into ``int(n)``, so ``--lesson x`` printed Python's own
"invalid literal for int() with base 10: 'x'"; the existing test only looked for the word "error".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from grading_fixtures.commands import course

from course.selfcheck.key import answer_key

LESSONS = Path(__file__).resolve().parents[1] / "lessons"


@pytest.mark.parametrize("bad", ["x", "5a", "-1", "1.5", "123"])
def test_a_lesson_that_is_not_a_lesson_number_is_named(bad):
    with pytest.raises(ValueError, match=rf"not a lesson number: '{bad}'; give lesson numbers such as 5"):
        answer_key(LESSONS, ["5", bad])
    r = course("selfcheck", "key", "--lesson", bad)
    assert r.rc == 2 and f"error: not a lesson number: '{bad}'" in r.err, r.err
    assert "invalid literal" not in r.err


def test_one_and_two_digit_numbers_name_the_same_lesson():
    assert answer_key(LESSONS, ["5"]) == answer_key(LESSONS, ["05"]) == answer_key(LESSONS, [" 5 "])
    assert "## Lesson 05" in answer_key(LESSONS, ["5"])

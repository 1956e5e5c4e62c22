"""Honest time (issue 17, point 4): each lesson's time estimated from its content, and the README in step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course import lessontime as lt

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
README = REPO / "lessons" / "README.md"


def _notebook(tmp_path, cells) -> Path:
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "99_test.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(text):
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": [], "execution_count": None}


# ------------------------------------------------------------------ the counting rules
def test_words_leave_out_link_addresses_tags_and_markup():
    assert lt.count_words("**Helsinki** Final Act, 1 August 1975.") == 6
    assert lt.count_words("See [the text](https://www.osce.org/files/f/documents/5/c/39501.pdf).") == 3
    assert lt.count_words("<b>one</b> two <https://example.org/a-b> three") == 3
    assert lt.count_words("self-check, Kim Il-sung's 1,200 | `csce` |") == 5
    assert lt.count_words("") == 0


def test_a_hand_counted_notebook(tmp_path):
    path = _notebook(
        tmp_path,
        [
            md("word " * 300),  # 2 minutes of reading
            code("from course.selfcheck import ask\nask('a')"),  # a check
            code("q = ask('b')\nr = ask('c')"),  # two checks in one cell
            code("explorer = TimelineExplorer(start=1969)\nexplorer"),  # a widget task
            code("# Your computation here:\n"),  # a code task
            code(
                "def f(x):\n    # Replace the next line with your own code.\n    return None"
            ),  # a code task
            code("claims['verdict'] = ['?']  # fill in, in order"),  # a code task
            code("events.head()"),  # another cell
            code("reveal_after('a', show)  # answers wait for your attempt"),  # another cell (no task words)
            code("   \n"),  # empty: not counted
            {"cell_type": "raw", "metadata": {}, "source": "word " * 1000},  # not read
        ],
    )
    t = lt.estimate(path)
    assert (t.words, t.checks, t.widget_tasks, t.code_tasks, t.other_cells) == (300, 3, 1, 3, 2)
    # 2 + 3*2 + 1*5 + 3*5 + 2*0.5 = 29
    assert t.reading_minutes == 2 and t.minutes == 29 and not t.over


def test_minutes_round_up_and_the_allowances_are_the_documented_ones(tmp_path):
    assert (lt.WORDS_PER_MINUTE, lt.MINUTES_PER_CHECK, lt.MINUTES_PER_WIDGET_TASK) == (150, 2, 5)
    assert (lt.MINUTES_PER_CODE_TASK, lt.MINUTES_PER_CELL, lt.MAX_MINUTES) == (5, 0.5, 45)
    t = lt.estimate(_notebook(tmp_path, [md("w " * 151)]))
    assert t.minutes == 2  # 1.007 minutes of reading is two started minutes
    t = lt.estimate(_notebook(tmp_path, [md("w " * 150)]))
    assert t.minutes == 1


def test_a_broken_notebook_is_named(tmp_path):
    bad = tmp_path / "00_bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="00_bad.ipynb: not a readable notebook"):
        lt.estimate(bad)
    with pytest.raises(ValueError, match="no lessons"):
        lt.estimate_all(tmp_path / "empty")


def test_update_readme_writes_between_its_markers_and_keeps_the_rest(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Lessons\n\n## Objectives\n\ntable\n", encoding="utf-8")
    t = [lt.LessonTime("00_x.ipynb", 150, 1, 0, 0, 0)]
    assert lt.update_readme(readme, t)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Lessons\n\n## Objectives\n\ntable\n\n## Time per lesson\n\n" + lt.START)
    assert "| `00_x.ipynb` | 150 | 1.0 | 1 | 0 | 0 | 0 | 3 | no |" in text
    readme.write_text(text + "\n## After\n\nkept\n", encoding="utf-8")
    t2 = [lt.LessonTime("00_x.ipynb", 9000, 0, 0, 0, 0)]
    assert lt.update_readme(readme, t2) and not lt.update_readme(readme, t2)
    text = readme.read_text(encoding="utf-8")
    assert text.count(lt.START) == 1 and text.count("## Time per lesson") == 1 and text.endswith("kept\n")
    assert "| 60 | **yes** |" in text and "| 3 | no |" not in text


# ------------------------------------------------------------------ the course's lessons
def test_the_readme_table_is_the_one_the_lessons_give_now():
    text = README.read_text(encoding="utf-8")
    assert "## Time per lesson" in text
    section = lt.readme_section(lt.estimate_all(REPO / "lessons"))
    assert section in text, (
        "lessons/README.md's time table is stale (a lesson changed): run `python -m course.lessontime --write`"
    )


def test_every_lesson_is_in_the_table_and_counted():
    times = lt.estimate_all(REPO / "lessons")
    assert [t.lesson for t in times] == [p.name for p in LESSONS] and len(times) >= 9
    for t in times:
        assert t.words > 500 and t.checks >= 1, t  # each lesson has prose and self-checks


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_no_lesson_is_above_45_minutes(path):
    t = lt.estimate(path)
    assert t.minutes <= lt.MAX_MINUTES, f"{path.name}: {t.minutes} minutes; split it"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_each_lesson_states_its_estimated_time(path):
    est = lt.estimate(path).minutes
    assert lt.stated_minutes(path) == est, f"run `python -m course.lessontime --write` (estimate: {est} min)"


def test_the_range_quoted_to_students_is_current():
    times = [lt.estimate(p).minutes for p in LESSONS]
    lo, hi = min(times), max(times)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"range from {lo} to {hi} minutes" in readme, "update README.md's lesson times"
    start = (REPO / "lessons" / "00_start_here.ipynb").read_text(encoding="utf-8")
    assert f"({lo} to {hi} minutes)" in start, "update the course map's lesson times in lesson 00"

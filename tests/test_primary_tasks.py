"""Issue 17, point 1: every lesson has at least one task that works from a primary excerpt.

Concretely, a lesson passes when it has

* an **excerpt cell**: a code cell that names, as a string literal, the id of a row of
  ``datasets/primary_texts.csv`` or of a row of ``datasets/statements.csv`` whose ``source_kind``
  is ``primary`` (the cell prints or tabulates that row's exact words), and,
* at that cell or after it, a **reasoning task on it**: a code cell that calls ``ask("<id>")`` for a
  bank entry at the analyse or evaluate level, or a task cell whose metadata ``course.level`` is
  analyse or evaluate.

A task above the excerpt does not count: the student must have the words in front of them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course import data
from course.lessontime import _source
from course.selfcheck.bank import REASONING, load_bank

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
NOTEBOOKS = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))

_LITERAL = re.compile(r"""["']([a-z0-9]+(?:-[a-z0-9]+)+)["']""")
_ASK = re.compile(r"""(?<![\w.])ask\(\s*["']([^"']+)["']""")


def primary_ids() -> set[str]:
    """Ids of the rows that hold a primary text's own words."""
    texts = set(data.load("primary_texts").id)
    st = data.load("statements")
    return texts | set(st.loc[st.source_kind == "primary", "id"])


def primary_task(cells: list[dict], levels: dict[str, str], primary: set[str]) -> tuple[int, int] | None:
    """(index of the first excerpt cell, index of the first reasoning task at or after it), or None.

    ``levels`` maps the lesson's bank ids to their level; ``primary`` is :func:`primary_ids`.
    """
    first_excerpt = None
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        src = _source(cell)
        if first_excerpt is None and set(_LITERAL.findall(src)) & primary:
            first_excerpt = i
        if first_excerpt is None:
            continue
        asked = [q for q in _ASK.findall(src) if levels.get(q) in REASONING]
        tagged = ((cell.get("metadata") or {}).get("course") or {}).get("level") in REASONING
        if asked or tagged:
            return first_excerpt, i
    return None


def _levels(lesson: str) -> dict[str, str]:
    bank = load_bank(LESSONS / "questions" / f"{lesson}.toml")
    return {qid: q["level"] for qid, q in bank.entries.items()}


def test_every_lesson_is_checked():
    assert len(NOTEBOOKS) == 11


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_lesson_has_a_reasoning_task_on_a_primary_excerpt(nb):
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    found = primary_task(cells, _levels(nb.name[:2]), primary_ids())
    assert found is not None, (
        f"{nb.name}: no code cell names a primary_texts.csv row or a primary statements.csv row "
        "followed (there or later) by an analyse/evaluate ask(...) or a task cell with course.level "
        "analyse or evaluate"
    )


# ---------------------------------------------------------------- the rule itself, on made-up lessons
def _code(src: str, **course) -> dict:
    return {"cell_type": "code", "source": src, "metadata": {"course": course} if course else {}}


PRIMARY = {"final-act-principle-7-para-1"}
LEVELS = {"q-high": "analyse", "q-low": "recall"}
EXCERPT = _code('print(texts.loc["final-act-principle-7-para-1", "excerpt"])')


def test_an_excerpt_followed_by_a_reasoning_question_passes():
    cells = [_code("x = 1"), EXCERPT, {"cell_type": "markdown", "source": "read it"}, _code('ask("q-high")')]
    assert primary_task(cells, LEVELS, PRIMARY) == (1, 3)


def test_a_tagged_task_cell_after_the_excerpt_counts():
    assert primary_task([EXCERPT, _code("# your answer here", level="evaluate")], LEVELS, PRIMARY) == (0, 1)


def test_a_lesson_without_an_excerpt_fails():
    cells = [_code('print(events.loc["helsinki-final-act"])'), _code('ask("q-high")')]
    assert primary_task(cells, LEVELS, PRIMARY) is None


def test_a_recall_question_or_a_question_above_the_excerpt_does_not_count():
    assert primary_task([EXCERPT, _code('ask("q-low")')], LEVELS, PRIMARY) is None
    assert primary_task([_code('ask("q-high")'), EXCERPT], LEVELS, PRIMARY) is None
    # an id in a markdown cell is not an excerpt the lesson prints
    md = {"cell_type": "markdown", "source": '"final-act-principle-7-para-1"'}
    assert primary_task([md, _code('ask("q-high")')], LEVELS, PRIMARY) is None


def test_only_primary_statements_count():
    ids = primary_ids()
    st = data.load("statements")
    assert "kim-dae-jung-summit-nobel-2000" in ids and "final-act-human-contacts-travel" in ids
    press = set(st.loc[st.source_kind != "primary", "id"])
    assert press and not press & ids

"""Every lesson follows the episode pattern: questions and objectives first,
key points and sources last, at least one figure or widget, at least two
self-checks, and no answer in plain text."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
EXPECTED = [f"{i:02d}" for i in range(11)]
CHECK_KINDS = ("MultipleChoice", "Order", "Match", "Numeric", "Code", "Written")
FIGURE_MARKERS = (
    "TimelineExplorer",
    "TrustLab",
    "Scorecard",
    "HumanitarianClock",
    "go.Figure",
    "FigureWidget",
    "px.",
    "make_subplots",
    "widgets.plots",  # the lessons' figures drawn by a function (issue 17, point 5)
)


def _nb(path):
    return nbformat.read(path, as_version=4)


def _text(nb, kind):
    return [c.source for c in nb.cells if c.cell_type == kind]


def _section(md: str, heading: str) -> str:
    m = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^#{{1,2}} |\Z)", md, flags=re.M | re.S)
    return m.group(1) if m else ""


def _bullets(block: str) -> list[str]:
    return [ln for ln in block.splitlines() if re.match(r"^\s*([-*]|\d+\.)\s+\S", ln)]


def test_lessons_are_numbered_00_to_08_in_teaching_order():
    assert [p.name[:2] for p in LESSONS] == EXPECTED


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_opens_with_title_time_questions_and_objectives(path):
    nb = _nb(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    md = first.source
    assert re.match(rf"^# {path.name[:2]} \S", md), "first line must be '# NN Title'"
    assert re.search(r"\*\*Estimated time:\*\*\s*about \d+ minutes", md)
    assert len(_bullets(_section(md, "Questions"))) >= 2
    n_obj = len(_bullets(_section(md, "Objectives")))
    assert 3 <= n_obj <= 5, f"{n_obj} objectives; the pattern asks for 3-5"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_closes_with_key_points_and_sources(path):
    md = "\n".join(_text(_nb(path), "markdown"))
    assert len(_bullets(_section(md, "Key points"))) >= 2
    sources = _section(md, "Sources")
    assert re.search(r"https?://", sources), "Sources must give links"
    tail = "\n".join(c.source for c in _nb(path).cells[-2:])
    assert "## Sources" in tail, "Sources is one of the last two cells"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_has_a_figure_or_widget_with_a_caption(path):
    nb = _nb(path)
    code = "\n".join(_text(nb, "code"))
    assert any(m in code for m in FIGURE_MARKERS), "at least one figure or widget per lesson"
    md = "\n".join(_text(nb, "markdown"))
    assert "*What to notice:*" in md, "each plot is followed by a 'What to notice' caption"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_has_at_least_two_self_checks_and_no_plain_answers(path):
    code = "\n".join(_text(_nb(path), "code"))
    n = len(re.findall(r"\bask\(\s*[\"']l\d\d-", code))
    assert n >= 2, f"{n} self-checks; at least two per lesson"
    # questions live in the lesson's bank (lessons/questions/NN.toml), never inline in a cell
    assert not any(re.search(rf"\b{k}\(", code) for k in CHECK_KINDS), (
        "a question is defined inline; move it to the bank"
    )
    # computing a hash in the notebook would put the answer in plain text beside it
    assert "hash_answer(" not in code and "hash_numeric(" not in code
    assert "encode(" not in code


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_imports_ipywidgets_as_ipw_never_as_widgets(path):
    code = "\n".join(_text(_nb(path), "code"))
    assert not re.search(r"import\s+ipywidgets\s+as\s+widgets\b", code)
    assert not re.search(r"from\s+ipywidgets\s+import\s+\*", code)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_gate_waits_for_a_question_asked_above_it_in_the_same_lesson(path):
    """A gate naming a question this notebook never asks (one that moved to another lesson, or was dropped)
    would wait for ever; so would one whose question comes only after it."""
    asked: set[str] = set()
    for i, src in enumerate(_text(_nb(path), "code")):
        if "reveal_after(" in src:
            call = src.split("reveal_after(", 1)[1]
            waits = set(re.findall(r"[\"'](l\d\d-[a-z0-9-]+)[\"']", call))
            assert waits <= asked, f"code cell {i} waits for {sorted(waits - asked)}, not asked above it"
        asked |= set(re.findall(r"\bask\(\s*[\"'](l\d\d-[a-z0-9-]+)[\"']", src))

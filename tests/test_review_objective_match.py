"""Objective text is matched by one function, and one badly tagged graded cell is the only orphan.

1. course.selfcheck.bank.validate (a bank's ``objective``) and course.grading.objectives.Resolver (a
   graded cell's tag; course.objectives goes through it) each normalised the start and the bullets and
   compared them themselves; now both call ``course.selfcheck.bank.objectives_starting``.
2. course.objectives.graded_cell_items caught the first bad tag of a master and made the whole master
   one orphan: the objective table then lost every other cell of that problem set.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from course.grading import objectives as grading_objectives
from course.objectives import graded_cell_items, objective_map
from course.selfcheck import bank
from course.selfcheck.bank import objective_key, objectives_starting

REPO = Path(__file__).resolve().parents[1]
BULLETS = ["Compute, with a short pandas function, the gaps;", "Compare two sources.", "compare the dates"]


@pytest.mark.parametrize(
    "start, hits",
    [
        ("compute, with", [BULLETS[0]]),
        ("  COMPUTE,   with a short", [BULLETS[0]]),
        ("Compare", [BULLETS[1], BULLETS[2]]),
        ("compare two", [BULLETS[1]]),
        ("juggle", []),
    ],
)
def test_objectives_starting_is_a_case_and_space_insensitive_prefix_match(start, hits):
    assert objectives_starting(start, BULLETS) == hits


def test_objective_key_ignores_case_accents_and_spacing():
    assert objective_key("  Réviser   LES dates ") == objective_key("reviser les dates")


def test_banks_and_graded_cells_match_through_the_one_function(monkeypatch):
    for where, fn in [
        ("bank.validate", bank.validate),
        ("Resolver.resolve", grading_objectives.Resolver.resolve),
    ]:
        src = inspect.getsource(fn)
        assert "objectives_starting(" in src and "normalize(" not in src, where
    calls = []
    real = bank.objectives_starting

    def spy(start, objectives):
        calls.append(start)
        return real(start, objectives)

    monkeypatch.setattr(grading_objectives, "objectives_starting", spy)
    grading_objectives.Resolver(REPO / "lessons").resolve("04: describe the cross")
    assert calls == ["describe the cross"]


def _ps2_with_bad_tag(tmp_path) -> Path:
    nb = json.loads((REPO / "assignments" / "source" / "ps2" / "ps2.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "q4_answer")
    cell["metadata"]["course"]["objective"] = "04: juggle"
    out = tmp_path / "source" / "ps2" / "ps2.ipynb"
    out.parent.mkdir(parents=True)
    out.write_text(json.dumps(nb), encoding="utf-8")
    return tmp_path / "source"


def _graded(source: Path) -> list[str]:
    nb = json.loads((source / "ps2" / "ps2.ipynb").read_text(encoding="utf-8"))
    return [
        c["metadata"]["nbgrader"]["grade_id"]
        for c in nb["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade")
    ]


def test_one_bad_tag_orphans_that_cell_only(tmp_path):
    source = _ps2_with_bad_tag(tmp_path)
    graded = _graded(source)
    assert len(graded) > 2 and "q4_answer" in graded
    items, orphans = graded_cell_items(source, REPO / "lessons")
    ((item, why),) = orphans
    assert item.name == "ps2/q4_answer" and "q4_answer" in why and "starts 0 of lesson 04" in why
    assert sorted(i.name for i in items) == sorted(f"ps2/{g}" for g in graded if g != "q4_answer")


def test_the_table_keeps_the_other_cells_of_a_badly_tagged_master(tmp_path):
    source = _ps2_with_bad_tag(tmp_path)
    m = objective_map(REPO / "lessons", source)
    in_table = {i.name for o in m.objectives for i in o.items if i.name.startswith("ps2/")}
    assert in_table == {f"ps2/{g}" for g in _graded(source) if g != "q4_answer"}
    assert [i.name for i, _ in m.orphans] == ["ps2/q4_answer"]

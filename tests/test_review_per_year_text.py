"""Lesson 10's chart of events per year has a text alternative: ``course.timeline.describe_per_year``.

The chart (widgets.plots.plot_per_year) was the only way to read the counts; a learner using a screen
reader got nothing. The description is pure (a string from the table), checked here against a small
table whose counts are known and against the course's events counted independently, and the lesson
prints it in the cell that draws the chart, after the chart.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from course.data import load_events
from course.timeline import describe_per_year

REPO = Path(__file__).resolve().parents[1]


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {"escalation": [2, 0, 1], "korea-diplomacy": [1, 0, 3]},
        index=pd.Index([2017, 2018, 2020], name="year"),
    )


def test_each_year_gets_its_total_and_its_tracks():
    lines = describe_per_year(_table()).splitlines()
    assert lines == [
        "Events per year and track, 2017 to 2020 (7 events in all):",
        "2017: 3 (Escalation 2, Korea diplomacy 1)",
        "2018: 0",
        "2019: none",
        "2020: 4 (Escalation 1, Korea diplomacy 3)",
        "Most events: 2020 (4)",
    ]


def test_ties_and_marks_are_named():
    table = _table().assign(escalation=[3, 0, 1])
    text = describe_per_year(table, {"Eskeland": "2014-11-12", "G & H": pd.Timestamp("2021-08-11")})
    assert "Most events: 2017 and 2020 (4 each)" in text
    assert text.splitlines()[-2:] == [
        "Dashed line: Eskeland, 12 November 2014",
        "Dashed line: G & H, 11 August 2021",
    ]


@pytest.mark.parametrize(
    "table, message",
    [
        ([1, 2], "expected a pandas DataFrame"),
        (pd.DataFrame({"csce": [1]}, index=["not a year"]), "the index must hold whole years"),
        (pd.DataFrame({"csce": [1.5]}, index=[1975]), "whole number >= 0"),
        (pd.DataFrame({"csce": [-1]}, index=[1975]), "whole number >= 0"),
        (pd.DataFrame({"csce": []}), "no years"),
    ],
)
def test_a_bad_table_is_refused(table, message):
    with pytest.raises(ValueError, match=message):
        describe_per_year(table)


def test_a_mark_that_is_not_a_date_is_named():
    with pytest.raises(ValueError, match="the mark 'Eskeland' is not a date"):
        describe_per_year(_table(), {"Eskeland": "autumn 2014"})


def test_the_course_counts_are_described_as_counted():
    events = load_events()
    korean = events[events["track"].isin(["korea-diplomacy", "escalation", "humanitarian"])]
    korean = korean[korean["date"] >= "2009-01-01"]
    per_year = korean.groupby([korean["date"].dt.year.rename("year"), "track"]).size().unstack(fill_value=0)
    text = describe_per_year(per_year)
    assert f"({len(korean)} events in all)" in text.splitlines()[0]
    for year in sorted(set(korean["date"].dt.year)):
        assert f"\n{year}: {int((korean['date'].dt.year == year).sum())}" in text


def test_lesson_10_prints_the_description_after_the_chart():
    nb = json.loads((REPO / "lessons" / "10_reading_sources_critically.ipynb").read_text(encoding="utf-8"))
    (cell,) = ["".join(c["source"]) for c in nb["cells"] if "plot_per_year(per_year" in "".join(c["source"])]
    assert "print(describe_per_year(per_year" in cell
    assert cell.index("plot_per_year(per_year") < cell.index(".show()") < cell.index("describe_per_year(")

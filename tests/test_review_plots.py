"""widgets.plots with dates as text and bad dates: drawn, or refused with a ValueError naming the value.

plot_intervals formatted each range event's dates with ``f"{row.date:%d %b %Y}"``: with the dates as text
(a table read with ``pd.read_csv`` and no ``parse_dates``, or ``end_date`` empty as its docstring allows)
it failed with "Invalid format specifier '%d %b %Y' for object of type 'str'", and a band or a mark that
was not a date gave pandas' own parse error, naming neither the band nor the mark.
"""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from course.data import load_events
from widgets.plots import plot_intervals, plot_per_year

CSV = """date,end_date,track,title
1969-03-17,,csce,Budapest appeal
1973-07-03,1975-08-01,csce,The conference
"""


def _json(fig) -> str:
    """The figure as JSON, its dates without the time of day (text parses to microseconds, loaded data has
    nanoseconds: the same dates)."""
    return re.sub(r"T00:00:00(\.0+)?", "", fig.to_json())


def _drawn(fig) -> tuple[list, list]:
    dots = [x for t in fig.data if t.mode == "markers" for x in t.x]
    bars = [t for t in fig.data if t.mode == "lines"]
    return dots, bars


def test_dates_read_as_text_draw_the_same_figure_as_parsed_dates():
    text = pd.read_csv(io.StringIO(CSV), keep_default_na=False)  # end_date: "" for the one-day event
    assert (text["end_date"] == "").sum() == 1
    parsed = pd.read_csv(io.StringIO(CSV), parse_dates=["date", "end_date"])
    a, b = plot_intervals(text), plot_intervals(parsed)
    assert _json(a) == _json(b)
    dots, bars = _drawn(a)
    assert [pd.Timestamp(x) for x in dots] == [pd.Timestamp("1969-03-17")]
    (bar,) = bars
    assert bar.hovertext == "The conference<br>03 Jul 1973 – 01 Aug 1975"


def test_the_course_events_as_text_give_the_figure_of_the_loaded_events():
    events = load_events()
    period = events[events["date"].between("1963-01-01", "1975-12-31") & (events["track"] == "csce")]
    as_text = period.assign(
        date=period["date"].dt.strftime("%Y-%m-%d"),
        end_date=period["end_date"].dt.strftime("%Y-%m-%d").fillna(""),
    )
    assert _json(plot_intervals(as_text)) == _json(plot_intervals(period))


def test_a_value_that_is_not_a_date_is_named():
    df = pd.read_csv(io.StringIO(CSV), keep_default_na=False)
    with pytest.raises(ValueError, match=r"plot_intervals: the column 'end_date' holds 'soon', which is not"):
        plot_intervals(df.assign(end_date=["", "soon"]))
    with pytest.raises(ValueError, match=r"plot_intervals: 1 event\(s\) have no date: \['Budapest appeal'\]"):
        plot_intervals(df.assign(date=["", "1973-07-03"]))
    with pytest.raises(ValueError, match=r"plot_intervals: the band 'Kennedy': 'June 63\?' is not a date"):
        plot_intervals(df, bands=[("June 63?", "1963-11-22", "Kennedy")])
    with pytest.raises(ValueError, match=r"the band 'open': None is not a date"):
        plot_intervals(df, bands=[("1963-06-10", None, "open")])


def test_per_year_names_a_mark_that_is_not_a_date():
    per_year = pd.DataFrame({"csce": [1, 2]}, index=[1974, 1975])
    fig = plot_per_year(per_year, marks={"Final Act": "1975-08-01"})
    assert pd.Timestamp(fig.layout.shapes[0].x0) == pd.Timestamp("1975-08-01")
    with pytest.raises(ValueError, match=r"plot_per_year: the mark 'Eskeland': 'autumn 2014' is not a date"):
        plot_per_year(per_year, marks={"Eskeland": "autumn 2014"})

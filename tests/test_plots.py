"""The lessons' plotting functions (widgets.plots) and the prose-friendly tables (widgets.tables)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from course.data import load_events
from widgets.plots import plot_intervals, plot_per_year, plot_track_counts, track_label
from widgets.tables import show_table, text_columns
from widgets.timeline.figure import TRACK_COLOURS

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def events():
    return load_events()


def _valid(fig) -> go.Figure:
    """The figure passes plotly's validators (a round trip through a fresh Figure)."""
    assert isinstance(fig, go.Figure)
    return go.Figure(fig.to_dict())


# ------------------------------------------------------------------ plot_track_counts
def test_track_counts_draws_one_bar_per_track_with_the_timeline_colours(events):
    per_track = events["track"].value_counts().rename_axis("track").reset_index(name="events")
    fig = _valid(plot_track_counts(per_track))
    (bar,) = fig.data
    assert list(bar.y) == per_track["events"].tolist() and sum(bar.y) == len(events)
    assert list(bar.x) == [track_label(t) for t in per_track["track"]]
    assert list(bar.marker.color) == [TRACK_COLOURS[t] for t in per_track["track"]]
    assert track_label("csce") == "CSCE" and track_label("not-a-track") == "not-a-track"


def test_track_counts_names_a_missing_column():
    with pytest.raises(ValueError, match=r"plot_track_counts: the table lacks the column\(s\) \['events'\]"):
        plot_track_counts(pd.DataFrame({"track": ["csce"], "n": [1]}))
    with pytest.raises(ValueError, match="expected a pandas DataFrame, got list"):
        plot_track_counts([1, 2])


# ------------------------------------------------------------------ plot_intervals
def test_intervals_draw_days_as_dots_and_ranges_as_bars_one_row_per_track(events):
    period = events[
        events["date"].between("1963-01-01", "1975-12-31")
        & events["track"].isin(["detente-arms-control", "csce"])
    ]
    fig = _valid(plot_intervals(period, title="T"))
    dots = [t for t in fig.data if t.mode == "markers"]
    bars = [t for t in fig.data if t.mode == "lines"]
    singles = period[period["end_date"].isna()]
    ranges = period[period["end_date"].notna()]
    assert sum(len(t.x) for t in dots) == len(singles)
    assert len(bars) == len(ranges) and all(len(t.x) == 2 for t in bars)
    # every event's title is in the hover text, and each row is a track (by its label)
    hover = " ".join(" ".join(t.text) for t in dots) + " ".join(t.hovertext for t in bars)
    assert all(html.escape(title) in hover for title in period["title"])
    assert set(fig.layout.yaxis.categoryarray) == {"CSCE", "Détente and arms control"}
    assert fig.layout.title.text == "T"
    # one legend entry per track
    assert sorted(t.name for t in fig.data if t.showlegend is not False) == sorted(
        fig.layout.yaxis.categoryarray
    )


def test_intervals_escape_titles_and_need_their_columns():
    df = pd.DataFrame(
        {
            "date": pd.to_datetime(["2000-01-01", "2001-01-01"]),
            "end_date": pd.to_datetime([None, "2001-02-01"]),
            "track": ["csce", "csce"],
            "title": ["<b>bold</b>", "A & B"],
        }
    )
    fig = _valid(plot_intervals(df))
    assert fig.data[0].text == ("&lt;b&gt;bold&lt;/b&gt;",)
    assert fig.data[1].hovertext.startswith("A &amp; B<br>01 Jan 2001")
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['end_date'\]"):
        plot_intervals(df.drop(columns="end_date"))


def test_intervals_shade_bands_and_refuse_bad_ones(events):
    period = events[events["date"].between("1963-01-01", "1975-12-31") & (events["track"] == "csce")]
    fig = _valid(plot_intervals(period, bands=[("1963-06-10", "1963-11-22", "Kennedy experiment")]))
    (band,) = fig.layout.shapes
    assert band.type == "rect" and band.layer == "below" and str(band.x0).startswith("1963-06-10")
    assert [a.text for a in fig.layout.annotations] == ["Kennedy experiment"]
    with pytest.raises(ValueError, match="ends before it starts"):
        plot_intervals(period, bands=[("1970-01-01", "1969-01-01", "back to front")])
    with pytest.raises(ValueError, match=r"a band is \(start, end, label\)"):
        plot_intervals(period, bands=[("1970-01-01", "1971-01-01")])


# ------------------------------------------------------------------ plot_per_year
def test_per_year_stacks_the_counts_and_marks_the_dates(events):
    korean = events[
        events["track"].isin(["korea-diplomacy", "escalation"]) & (events["date"] >= "2009-01-01")
    ]
    per_year = korean.groupby([korean["date"].dt.year.rename("year"), "track"]).size().unstack(fill_value=0)
    marks = {"Eskeland": pd.Timestamp("2014-11-12"), "G & H": "2021-08-11"}
    fig = _valid(plot_per_year(per_year, marks=marks, title="Per year"))
    assert fig.layout.barmode == "stack" and len(fig.data) == len(per_year.columns)
    assert sum(sum(t.y) for t in fig.data) == len(korean)
    assert [t.name for t in fig.data] == [track_label(t) for t in per_year.columns]
    assert len(fig.layout.shapes) == 2 and [a.text for a in fig.layout.annotations] == [
        "Eskeland",
        "G &amp; H",
    ]
    with pytest.raises(ValueError, match="the index must hold whole years"):
        plot_per_year(pd.DataFrame({"csce": [1]}, index=["not a year"]))


# ------------------------------------------------------------------ show_table
def _cells(html: str, col: int) -> list[str]:
    return re.findall(rf'<td id="T_\w+_row\d+_col{col}" class="data row\d+ col{col}" >(.*?)</td>', html)


def test_show_table_left_aligns_text_columns_only():
    df = pd.DataFrame(
        {
            "id": ["a", "b"],
            "date": pd.to_datetime(["2000-01-01", None]),
            "n": [1.5, np.nan],
            "count": pd.array([3, None], dtype="Int64"),
            "title": ["A long sentence that a reader reads from the left", None],
            "mixed": [1, "x"],
        }
    )
    assert text_columns(df) == ["id", "title"]
    styler = show_table(df)
    assert styler.data is df
    html = styler.to_html()
    css = dict(re.findall(r"(#T_\w+[^{]*)\{([^}]*)\}", html))
    left = [sel for sel, body in css.items() if "text-align: left" in body]
    aligned = " ".join(left)
    for col in (0, 4):  # id, title: cells and headers
        assert f"_row0_col{col}" in aligned and f"th.col{col}" in aligned
    for col in (1, 2, 3, 5):  # dates, numbers, a mixed column: as pandas aligns them, on one line
        assert f"_col{col}" not in aligned and f"th.col{col}" not in aligned
        assert any(f"_row0_col{col}" in sel and "white-space: nowrap" in body for sel, body in css.items())
    # values read as the DataFrame shows them: no midnight times, no trailing zeros, blanks for missing
    assert _cells(html, 1) == ["2000-01-01", ""] and _cells(html, 2) == ["1.5", ""]
    assert _cells(html, 3) == ["3", ""] and _cells(html, 4)[1] == ""
    assert "hide" not in html and show_table(df, hide_index=True).to_html().count("row_heading") == 0


def test_show_table_refuses_anything_but_a_dataframe():
    with pytest.raises(TypeError, match=r"got Series \(use series.to_frame\(\)\)"):
        show_table(pd.Series([1]))


# ------------------------------------------------------------------ the lessons use them
PLOTTED = ("00_start_here.ipynb", "01_detente_road_to_helsinki.ipynb", "10_reading_sources_critically.ipynb")


@pytest.mark.parametrize("name", PLOTTED)
def test_lessons_00_01_08_plot_through_functions_and_show_prose_left_aligned(name):
    nb = json.loads((REPO / "lessons" / name).read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    joined = "\n".join(code)
    assert "go.Figure" not in joined and "px." not in joined and "add_trace" not in joined
    assert "plot_" in joined and "show_table(" in joined
    # no cell that draws a figure is longer than a few lines
    for src in code:
        if re.search(r"^plot_\w+\(", src, re.MULTILINE):  # a cell that calls a plotting function
            assert len(src.splitlines()) <= 6, src

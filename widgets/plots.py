"""The lessons' figures that are not themselves the exercise, one function each.

A lesson cell then reads like what it shows, ``plot_intervals(period)``,
instead of fifteen lines of plotly that a learner must scroll past. Each
function takes the table the lesson has just computed (so the counting
stays in the lesson, where it is taught) and returns a plain ``go.Figure``:
the last line of a cell displays it, and ``fig.show()`` or
``fig.write_html(...)`` work as usual.

Colours and shapes per track are those of the timeline explorer
(:data:`widgets.timeline.figure.TRACK_COLOURS`, Okabe–Ito, safe for the
common colour-vision deficiencies), and tracks are named by their labels
from ``datasets/datapackage.json``.

Bad input raises ``ValueError`` naming the missing column or the bad value.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

__all__ = ["track_label", "plot_track_counts", "plot_intervals", "plot_per_year"]


def _tracks() -> tuple[tuple[str, ...], dict[str, str]]:
    from course.timeline import load_schema

    schema = load_schema()
    return schema.tracks, schema.track_labels


def track_label(track: str) -> str:
    """The display label of a track (``"csce"`` -> ``"CSCE"``); an unknown track keeps its slug."""
    return _tracks()[1].get(track, track)


def _style(track: str) -> tuple[str, str]:
    from widgets.timeline.figure import track_style

    return track_style(track, _tracks()[0])


def _need(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{what}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: the table lacks the column(s) {missing}; it has {list(df.columns)}")


def _timestamp(value, what: str) -> pd.Timestamp:
    """``value`` as a date, or a ValueError that says which value of which parameter it is."""
    try:
        when = pd.Timestamp(value)
    except (TypeError, ValueError):
        when = pd.NaT
    if pd.isna(when):
        raise ValueError(f"{what}: {value!r} is not a date (write e.g. '1975-08-01' or a pandas Timestamp)")
    return when


def _dates(df: pd.DataFrame, column: str, what: str) -> pd.Series:
    """``df[column]`` as datetimes: text (as ``read_csv`` leaves it) is parsed, an empty string is no date;
    a value that is not a date raises a ValueError naming the column and the value."""
    s = df[column]
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    s = s.mask(s.map(lambda v: isinstance(v, str) and not v.strip()))
    try:
        return pd.to_datetime(s, format="mixed")
    except (TypeError, ValueError) as e:
        bad = [v for v in s.dropna() if pd.isna(pd.to_datetime(v, errors="coerce", format="mixed"))]
        which = f"holds {bad[0]!r}, which is not a date" if bad else f"cannot be read as dates ({e})"
        raise ValueError(f"{what}: the column {column!r} {which}") from None


def plot_track_counts(counts: pd.DataFrame, *, title: str = "Events in the course dataset, by track"):
    """A bar per track: ``counts`` has the columns ``track`` and ``events``, e.g.
    ``events["track"].value_counts().rename_axis("track").reset_index(name="events")`` (``value_counts``
    alone gives a Series, and ``reset_index()`` a column named ``count``)."""
    _need(counts, ["track", "events"], "plot_track_counts")
    tracks = [str(t) for t in counts["track"]]
    fig = go.Figure(
        go.Bar(
            x=[track_label(t) for t in tracks],
            y=counts["events"].tolist(),
            marker_color=[_style(t)[0] for t in tracks],
            customdata=tracks,
            hovertemplate="%{x} (%{customdata}): %{y} events<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title="Track",
        yaxis_title="Number of events",
        template="plotly_white",
        height=400,
    )
    return fig


def plot_intervals(
    events: pd.DataFrame,
    *,
    title: str | None = None,
    height: int | None = None,
    bands: Sequence[tuple] = (),
):
    """Events on a date axis, one row per track: a dot for a single day, a bar from start to end for a range.

    ``events`` has the columns ``date``, ``end_date`` (empty for a single
    day), ``track`` and ``title``; the dates are datetimes or text such as
    ``read_csv`` leaves (``"1975-08-01"``, or ``""`` for no end). Hovering a dot or a bar gives the event's
    title and its dates. ``bands`` shades periods behind the events:
    ``[(start, end, label), ...]``.
    """
    _need(events, ["date", "end_date", "track", "title"], "plot_intervals")
    events = events.assign(
        date=_dates(events, "date", "plot_intervals"), end_date=_dates(events, "end_date", "plot_intervals")
    )
    undated = events["title"][events["date"].isna()]
    if len(undated):
        raise ValueError(f"plot_intervals: {len(undated)} event(s) have no date: {list(undated)[:3]}")
    checked = []
    for band in bands:
        if not (isinstance(band, tuple | list) and len(band) == 3):
            raise ValueError(f"plot_intervals: a band is (start, end, label), got {band!r}")
        start, end = (_timestamp(v, f"plot_intervals: the band {band[2]!r}") for v in band[:2])
        if end < start:
            raise ValueError(f"plot_intervals: the band {band[2]!r} ends before it starts")
        checked.append((start, end, str(band[2])))
    order, _ = _tracks()
    present = [t for t in order if t in set(events["track"])] + sorted(set(events["track"]) - set(order))
    fig = go.Figure()
    for track in present:
        rows = events[events["track"] == track]
        colour, symbol = _style(track)
        label = track_label(track)
        points = rows[rows["end_date"].isna()]
        fig.add_trace(
            go.Scatter(
                x=points["date"],
                y=[label] * len(points),
                mode="markers",
                name=label,
                legendgroup=track,
                marker=dict(size=11, color=colour, symbol=symbol),
                text=[html.escape(str(t)) for t in points["title"]],
                hovertemplate="%{text}<br>%{x|%d %b %Y}<extra></extra>",
            )
        )
        for row in rows[rows["end_date"].notna()].itertuples():
            when = f"{row.date:%d %b %Y} – {row.end_date:%d %b %Y}"
            fig.add_trace(
                go.Scatter(
                    x=[row.date, row.end_date],
                    y=[label, label],
                    mode="lines",
                    legendgroup=track,
                    showlegend=False,
                    line=dict(width=10, color=colour),
                    hovertext=f"{html.escape(str(row.title))}<br>{when}",
                    hoverinfo="text",
                )
            )
    for k, (start, end, label) in enumerate(checked):
        fig.add_vrect(
            x0=start,
            x1=end,
            fillcolor=("#d9d9d9", "#fdb863", "#b2abd2")[k % 3],
            opacity=0.35,
            line_width=0,
            layer="below",
            annotation_text=html.escape(label),
            annotation_position="top left",
        )
    fig.update_layout(
        title=title,
        xaxis_title="Date",
        yaxis=dict(title="Track", categoryorder="array", categoryarray=[track_label(t) for t in present]),
        template="plotly_white",
        height=height or 170 + 80 * max(len(present), 1),
        hovermode="closest",
    )
    return fig


def plot_per_year(
    per_year: pd.DataFrame,
    *,
    marks: Mapping[str, object] | None = None,
    title: str | None = None,
):
    """Stacked bars of events per year and track, with dashed lines at ``marks`` (``{label: date}``).

    ``per_year`` has one row per year (its index: whole years) and one column
    per track, as ``groupby([year, "track"]).size().unstack(fill_value=0)``
    gives it.
    """
    if not isinstance(per_year, pd.DataFrame):
        raise ValueError(f"plot_per_year: expected a pandas DataFrame, got {type(per_year).__name__}")
    try:
        years = [int(y) for y in per_year.index]
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"plot_per_year: the index must hold whole years, got {list(per_year.index)[:3]}"
        ) from e
    mid_year = pd.to_datetime([f"{y}-07-01" for y in years])
    fig = go.Figure()
    for track in per_year.columns:
        fig.add_trace(
            go.Bar(
                x=mid_year,
                y=per_year[track].tolist(),
                name=track_label(str(track)),
                marker_color=_style(str(track))[0],
                customdata=years,
                hovertemplate="%{customdata}: %{y} events<extra>"
                + html.escape(track_label(str(track)))
                + "</extra>",
            )
        )
    for label, when in (marks or {}).items():
        when = _timestamp(when, f"plot_per_year: the mark {label!r}")
        fig.add_vline(x=when, line_dash="dash", line_color="black")
        fig.add_annotation(x=when, y=1.06, yref="paper", text=html.escape(str(label)), showarrow=False)
    fig.update_layout(
        barmode="stack",
        title=title,
        xaxis_title="Year",
        yaxis_title="Number of events",
        template="plotly_white",
        height=420,
        legend=dict(orientation="h", y=-0.2),
    )
    return fig

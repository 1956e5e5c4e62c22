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

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = [
    "track_label",
    "plot_track_counts",
    "plot_intervals",
    "plot_per_year",
    "plot_escalation_gaps",
    "plot_talks_and_escalations",
    "plot_two_by_two",
    "plot_storehouse",
    "plot_forgiveness",
    "plot_step_evolution",
    "plot_death_rates",
    "plot_setting_totals",
]


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


def _finish(fig: go.Figure, title: str, x: str, y: str, *, height: int = 360) -> go.Figure:
    """The layout shared by the lesson figures of one chart: its title, both axis titles, the height
    and a margin with room for the title."""
    fig.update_layout(title=title, xaxis_title=x, yaxis_title=y, height=height, margin=dict(t=60, b=40))
    return fig


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


def plot_escalation_gaps(intervals: pd.DataFrame, *, split_year: int = 1990):
    """Lesson 05: one marker per agreement at its date, at the height of the days until the next escalation.

    ``intervals`` is the table of ``days_to_next_escalation`` (lesson 05): the columns ``date``,
    ``days``, ``agreement``, ``next escalation`` and ``by``. Agreements before ``split_year`` are drawn
    apart (colour and symbol), as they are measured against the thinner pre-1990 record of major attacks
    only. ``intervals`` itself is not changed.
    """
    import plotly.express as px

    what = "plot_escalation_gaps"
    _need(intervals, ["date", "days", "agreement", "next escalation", "by"], what)
    dates = _dates(intervals, "date", what)
    if dates.isna().any():
        raise ValueError(f"{what}: the column 'date' has {int(dates.isna().sum())} empty value(s)")
    days = pd.to_numeric(intervals["days"], errors="coerce")
    if days.isna().any() or (days < 0).any():
        bad = intervals["days"][days.isna() | (days < 0)].iloc[0]
        shown = repr(bad) if isinstance(bad, str) else str(bad)
        raise ValueError(f"{what}: the column 'days' must hold whole days >= 0, got {shown}")
    early = f"before {split_year}: major attacks only"
    table = intervals.assign(
        date=dates, record=dates.dt.year.lt(split_year).map({True: early, False: f"{split_year} and after"})
    )
    fig = px.scatter(
        table,
        x="date",
        y="days",
        color="record",
        symbol="record",
        hover_name="agreement",
        hover_data=["next escalation", "by"],
        title="Days from each Korean agreement to the next escalation (any side) in the data, 1972–2018",
        labels={
            "date": "Date of the agreement",
            "days": "Days until the next escalation",
            "record": "Escalation record",
        },
    )
    fig.update_traces(marker={"size": 12})
    fig.update_yaxes(rangemode="tozero")
    return fig


#: Lesson 06's colours: blue for talks, red for escalations, green for human-rights milestones.
CYCLE_COLOURS = {"korea-diplomacy": "#2166ac", "escalation": "#b2182b", "humanitarian": "#1b7837"}


def plot_talks_and_escalations(
    window: pd.DataFrame,
    *,
    deal: Mapping | None = None,
    breach: Mapping | None = None,
    title: str = "Talks, escalations and human-rights milestones, Jan 2009 – Nov 2014",
):
    """Lesson 06: the events of ``window`` as markers on one row per track (Korean diplomacy, escalation,
    humanitarian), with a dotted line from ``deal`` to ``breach`` (two event rows, e.g. the Leap Day deal
    and the Unha-3 launch) when both are given.

    ``window`` has the columns ``date``, ``track`` and ``title``; its tracks must be among
    :data:`CYCLE_COLOURS`. ``deal`` and ``breach`` each need a ``date``; the deal sits on the diplomacy
    row and the breach on the escalation row, labelled "Leap Day deal" and "Unha-3 launch, April 2012"
    unless they carry a ``label``.
    """
    what = "plot_talks_and_escalations"
    _need(window, ["date", "track", "title"], what)
    unknown = sorted(set(window["track"]) - set(CYCLE_COLOURS))
    if unknown:
        raise ValueError(
            f"{what}: the column 'track' holds {unknown}; this chart draws only {list(CYCLE_COLOURS)}"
        )
    if (deal is None) != (breach is None):
        raise ValueError(f"{what}: give both deal and breach, or neither")
    window = window.assign(date=_dates(window, "date", what))
    fig = go.Figure()
    for track, part in window.groupby("track"):
        fig.add_trace(
            go.Scatter(
                x=part["date"],
                y=[track] * len(part),
                mode="markers",
                name=track,
                marker=dict(size=13, color=CYCLE_COLOURS[track], line=dict(width=1, color="white")),
                customdata=part[["title"]].map(lambda t: html.escape(str(t), quote=False)),
                hovertemplate="%{customdata[0]}<br>%{x|%d %b %Y}<extra></extra>",
            )
        )
    if deal is not None:
        ends = []
        for name, row, default in (
            ("deal", deal, "Leap Day deal"),
            ("breach", breach, "Unha-3 launch, April 2012"),
        ):
            if "date" not in row:
                raise ValueError(f"{what}: {name} has no 'date'")
            label = row["label"] if "label" in row else default
            ends.append((_timestamp(row["date"], f"{what}: the {name}'s date"), str(label)))
        (d0, l0), (d1, l1) = ends
        fig.add_shape(
            type="line",
            x0=d0,
            x1=d1,
            y0="korea-diplomacy",
            y1="escalation",
            line=dict(color="black", width=2, dash="dot"),
        )
        fig.add_annotation(x=d0, y="korea-diplomacy", text=html.escape(l0), ax=-60, ay=-35)
        fig.add_annotation(x=d1, y="escalation", text=html.escape(l1), ax=70, ay=35)
    fig.update_layout(
        title=title,
        xaxis_title="Date",
        yaxis_title="Track",
        height=380,
        yaxis=dict(categoryorder="array", categoryarray=["escalation", "humanitarian", "korea-diplomacy"]),
    )
    return fig


#: Lesson 08's colours for the four designs of its two-by-two (opening x response).
TWO_BY_TWO_COLOURS = {
    ("small", "match"): "#2166ac",
    ("small", "grim"): "#92c5de",
    ("all", "match"): "#e08214",
    ("all", "grim"): "#fdb863",
}


def plot_two_by_two(grid: pd.DataFrame, *, title: str | None = None):
    """Lesson 08, step 4: side A's mean payoff (left) and mean worst single-round loss (right) against
    each partner, one bar per design of the two-by-two (small or all opening x match or grim response).

    ``grid`` is ``course.trust.compare_designs(...)``: the columns ``partner``, ``opening``,
    ``response``, ``named`` (a design's name, or empty), ``mean payoff`` and ``mean worst loss``, with
    every one of the four designs present.
    """
    from plotly.subplots import make_subplots

    what = "plot_two_by_two"
    _need(grid, ["partner", "opening", "response", "named", "mean payoff", "mean worst loss"], what)
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.15,
        subplot_titles=("Mean total payoff of side A", "Mean worst single-round loss"),
    )
    for (opening, response), colour in TWO_BY_TWO_COLOURS.items():
        part = grid[(grid["opening"] == opening) & (grid["response"] == response)]
        if part.empty:
            raise ValueError(
                f"{what}: the table has no row with opening {opening!r} and response {response!r}"
            )
        named = part["named"].iloc[0]
        label = f"{opening} opening, {response}" + (f" ({named})" if isinstance(named, str) and named else "")
        for col, value in ((1, "mean payoff"), (2, "mean worst loss")):
            fig.add_trace(
                go.Bar(
                    x=part["partner"],
                    y=part[value],
                    name=label,
                    marker_color=colour,
                    legendgroup=label,
                    showlegend=(col == 1),
                ),
                row=1,
                col=col,
            )
    fig.update_layout(
        barmode="group",
        height=420,
        margin=dict(t=90, b=40),
        title=title or "Step 4: opening x response, 50 rounds, means over 200 runs (seed 0)",
        legend=dict(orientation="h", y=-0.15),
    )
    fig.update_yaxes(title_text="payoff", row=1, col=1)
    fig.update_yaxes(title_text="loss in one round", row=1, col=2)
    return fig


def plot_storehouse(
    storehouse: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    forum: Mapping | None = None,
    forum_label: str = "Ulaanbaatar Dialogue (a forum)",
    title: str = "Goodby & Heiskanen's storehouse of documents, and what it leaves out",
):
    """Lesson 09: each storehouse document at the date it was adopted, blue circles for those the essay
    lists and red diamonds for those it leaves out, earliest at the top; ``forum`` (an event row with
    ``date`` and ``title``) adds a forum that is not a signed text as an open red square.

    ``storehouse`` has the columns ``id``, ``title``, ``adopted``, ``parties`` and ``in_essay``
    (True/False); ``labels`` gives every document's short name on the axis, by ``id``.
    """
    what = "plot_storehouse"
    _need(storehouse, ["id", "title", "adopted", "parties", "in_essay"], what)
    missing = [i for i in storehouse["id"] if i not in labels]
    if missing:
        raise ValueError(f"{what}: labels has no short name for the document(s) {missing}")
    if not storehouse["in_essay"].map(lambda v: isinstance(v, bool | np.bool_)).all():
        raise ValueError(f"{what}: the column 'in_essay' must hold True or False")
    adopted = _dates(storehouse, "adopted", what)
    if adopted.isna().any():
        bad = list(storehouse["id"][adopted.isna()])
        raise ValueError(f"{what}: the column 'adopted' is empty for {bad}")
    docs = storehouse.assign(adopted=adopted, label=storehouse["id"].map(labels)).sort_values("adopted")
    fig = go.Figure()
    for in_essay, name, colour, symbol in [
        (True, "listed in the essay", "#2166ac", "circle"),
        (False, "left out of the essay", "#b2182b", "diamond"),
    ]:
        part = docs[docs["in_essay"] == in_essay]
        fig.add_trace(
            go.Scatter(
                x=part["adopted"],
                y=part["label"],
                mode="markers",
                name=name,
                marker=dict(size=14, color=colour, symbol=symbol),
                customdata=part[["title", "parties"]].map(lambda t: html.escape(str(t), quote=False)),
                hovertemplate="<b>%{customdata[0]}</b><br>adopted %{x|%d %b %Y}<br>%{customdata[1]}"
                "<extra></extra>",
            )
        )
    points = docs[["adopted", "label"]]
    if forum is not None:
        if "date" not in forum or "title" not in forum:
            raise ValueError(f"{what}: forum needs a 'date' and a 'title'")
        when = _timestamp(forum["date"], f"{what}: the forum's date")
        fig.add_trace(
            go.Scatter(
                x=[when],
                y=[forum_label],
                mode="markers",
                name="a forum, not a signed text",
                marker=dict(size=14, color="#b2182b", symbol="square-open", line=dict(width=2)),
                hovertemplate=f"<b>{html.escape(str(forum['title']), quote=False)}</b>"
                "<br>%{x|%d %b %Y}<extra></extra>",
            )
        )
        points = pd.concat([points, pd.DataFrame({"adopted": [when], "label": [forum_label]})])
    order = list(points.sort_values("adopted")["label"])
    fig.update_layout(
        title=title,
        xaxis_title="Date adopted (for the forum: first meeting)" if forum is not None else "Date adopted",
        yaxis_title="Document",
        yaxis=dict(categoryorder="array", categoryarray=order, autorange="reversed"),
        height=430,
        legend=dict(orientation="h", y=-0.2),
    )
    return fig


def plot_forgiveness(sweep: pd.DataFrame, *, varied: str = "provocation rate"):
    """Lesson 07, step 3: side A's mean total payoff against the provocation rate, one line for a
    forgiving response (``match``, solid blue) and one for never forgiving (``grim``, dashed red).

    ``sweep`` is lesson 07's ``forgiveness_sweep()``: the columns ``varied``, ``value``, ``response`` and
    ``mean total payoff``; only its rows whose ``varied`` is ``varied`` are drawn.
    """
    what = "plot_forgiveness"
    _need(sweep, ["varied", "value", "response", "mean total payoff"], what)
    rows = sweep[sweep["varied"] == varied]
    if rows.empty:
        raise ValueError(
            f"{what}: no row has varied == {varied!r}; the column 'varied' holds {sorted(set(sweep['varied']))}"
        )
    fig = go.Figure()
    for response, colour, dash in [("match", "#2166ac", "solid"), ("grim", "#b2182b", "dash")]:
        part = rows[rows["response"] == response]
        if part.empty:
            raise ValueError(f"{what}: no row for the response {response!r} at varied == {varied!r}")
        fig.add_trace(
            go.Scatter(
                x=part["value"],
                y=part["mean total payoff"],
                mode="lines+markers",
                name=f"small opening, {response}",
                line=dict(color=colour, dash=dash),
            )
        )
    return _finish(
        fig,
        "Step 3: forgiveness alone (small opening), against the provoking partner",
        "Provocation rate (share of rounds the partner gives nothing)",
        "Side A's mean total payoff, 50 rounds",
    )


def plot_step_evolution(frame: pd.DataFrame, *, title: str | None = None):
    """Lesson 08, step 5: the population means of the opening ``a`` (solid blue) and the raise ``b``
    (dashed orange) over the generations of ``course.trust.evolve_step_sizes(...).to_frame()``
    (the columns ``generation``, ``mean a`` and ``mean b``)."""
    what = "plot_step_evolution"
    _need(frame, ["generation", "mean a", "mean b"], what)
    if frame.empty:
        raise ValueError(f"{what}: the table has no generations")
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=frame["generation"], y=frame["mean a"], name="mean opening a", line=dict(color="#2166ac")
        )
    )
    fig.add_trace(
        go.Scatter(
            x=frame["generation"],
            y=frame["mean b"],
            name="mean raise b",
            line=dict(color="#e08214", dash="dash"),
        )
    )
    return _finish(
        fig,
        title or "Step 5: evolution of step sizes (100 raise-the-stakes players, seed 0)",
        "Generation",
        "Population mean",
    )


def plot_death_rates(rates: pd.DataFrame, *, title: str | None = None):
    """Lesson 08: the annual death rate among registered applicants, one bar per reporting period,
    spanning the period (90 % of its width) at the height of the rate in per cent.

    ``rates`` is :func:`course.humanitarian.period_death_rates`: the columns ``period_start``,
    ``period_end`` (dates, end after start), ``rate`` (a share per year) and ``deaths``.
    """
    what = "plot_death_rates"
    _need(rates, ["period_start", "period_end", "rate", "deaths"], what)
    start, end = _dates(rates, "period_start", what), _dates(rates, "period_end", what)
    if start.isna().any() or end.isna().any():
        raise ValueError(f"{what}: every period needs a 'period_start' and a 'period_end'")
    if (end <= start).any():
        raise ValueError(
            f"{what}: a period ends on or before its start ({start[end <= start].iloc[0]:%Y-%m-%d})"
        )
    fig = go.Figure(
        go.Bar(
            x=start + (end - start) / 2,
            y=rates["rate"] * 100,
            width=(end - start).dt.days * 24 * 3600 * 1000 * 0.9,
            marker_color="#b2182b",
            customdata=rates[["deaths"]],
            hovertemplate="%{x|%b %Y}: %{y:.1f} % a year (%{customdata[0]:,} deaths)<extra></extra>",
        )
    )
    return _finish(
        fig,
        title or "Annual death rate among registered applicants, by reporting period",
        "Date",
        "Deaths per 100 living applicants per year",
        height=350,
    )


#: Lesson 06's colours for the settings of the scorecard, in order (Europe 1975, Korea 2014, Korea today).
SETTING_COLOURS = ("#2166ac", "#e08214", "#762a83")


def plot_setting_totals(totals: pd.Series, *, maximum: float = 24):
    """Lesson 06: the course's total obstacle score per setting, a labelled bar each, on an axis from 0
    to ``maximum`` (six obstacles rated 0-4: 24).

    ``totals`` is a Series of numbers indexed by setting, e.g.
    ``course.groupby("setting", sort=False)["rating"].sum()``; a total outside 0..``maximum`` is refused.
    """
    what = "plot_setting_totals"
    if not isinstance(totals, pd.Series):
        raise ValueError(
            f"{what}: expected a pandas Series of totals by setting, got {type(totals).__name__}"
        )
    values = pd.to_numeric(totals, errors="coerce")
    if totals.empty or values.isna().any():
        raise ValueError(f"{what}: totals must hold a number for every setting, got {totals.tolist()}")
    if ((values < 0) | (values > maximum)).any():
        raise ValueError(f"{what}: a total lies outside 0..{maximum}: {totals.tolist()}")
    colours = [SETTING_COLOURS[k % len(SETTING_COLOURS)] for k in range(len(totals))]
    fig = go.Figure(
        go.Bar(
            x=totals.index, y=totals.values, text=totals.values, textposition="outside", marker_color=colours
        )
    )
    fig.update_layout(
        title="The course's total obstacle score by setting (six obstacles, 0–4 each)",
        xaxis_title="Setting",
        yaxis_title=f"Sum of the six ratings (maximum {maximum:g})",
        yaxis=dict(range=[0, maximum]),
        height=380,
    )
    return fig

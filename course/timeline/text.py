"""Words of the timeline: actors, search terms, dates, the count line and the text description."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

__all__ = [
    "MONTHS",
    "split_actors",
    "fold_text",
    "search_terms",
    "format_date",
    "format_when",
    "year_span",
    "count_text",
    "settings_lines",
    "describe",
    "describe_per_year",
]

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: How many titles the description names (shown events, search hits).
FIRST_SHOWN = 3
FIRST_HITS = 10


def split_actors(actors: str) -> list[str]:
    """``'US; USSR;'`` -> ``['US', 'USSR']``."""
    return [a.strip() for a in str(actors).split(";") if a.strip()]


def fold_text(text: str) -> str:
    """Lower case without accents, for search: ``'Détente'`` -> ``'detente'``."""
    text = str(text)
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def search_terms(query: str) -> tuple[str, ...]:
    """The words of a search; an event matches when its title or description holds all of them."""
    return tuple(fold_text(query).split())


def format_date(ts, precision: str = "day", *, short: bool = False) -> str:
    """A date as precisely as it is known: ``1 August 1975``, ``August 1975`` or ``1975``.

    ``short=True`` abbreviates the month (``1 Aug 1975``), for the events list.
    """
    ts = pd.Timestamp(ts)
    if precision == "year":
        return str(ts.year)
    month = MONTHS[ts.month - 1][:3] if short else MONTHS[ts.month - 1]
    if precision == "month":
        return f"{month} {ts.year}"
    return f"{ts.day} {month} {ts.year}"


def format_when(date, end_date=None, precision: str = "day") -> str:
    """The date of an event; a range is ``start – end``, both at the event's precision."""
    start = format_date(date, precision)
    if end_date is None or pd.isna(end_date):
        return start
    end = format_date(end_date, precision)
    return start if end == start else f"{start} – {end}"


def year_span(start, end) -> str:
    """``1969 to 1979`` for whole years, else ISO dates."""
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    if (a.month, a.day) == (1, 1) and (b.month, b.day) == (12, 31):
        return str(a.year) if a.year == b.year else f"{a.year} to {b.year}"
    return f"{a.date().isoformat()} to {b.date().isoformat()}"


def count_text(n_shown: int, n_total: int, searching: bool, n_hits: int) -> str:
    """``'12 of 97 events shown'``, ``'No events match (0 of 97 events shown)'``, ``'...; 3 match the search'``."""
    text = (
        f"{n_shown} of {n_total} events shown"
        if n_shown
        else f"No events match (0 of {n_total} events shown)"
    )
    if searching:
        text += f"; {n_hits} match{'es' if n_hits == 1 else ''} the search"
    return text


def _names(first: list[str], total: int) -> str:
    """The first few names, and how many more there are."""
    more = f"; and {total - len(first)} more" if total > len(first) else ""
    return "; ".join(first) + more


def settings_lines(tl, s, lay) -> list[str]:
    """The description's lines about the view's settings: Mode, Period or Lanes and Window, Tracks, Actors."""
    lines = []
    if s.mode == "calendar":
        lines.append("Mode: calendar (real dates)")
        lines.append(f"Period: {year_span(s.start, s.end)}")
        lines.append("Tracks: " + ("; ".join(tl.track_labels[t] for t in s.tracks) or "none"))
    else:
        lines.append("Mode: aligned (years since an anchor event in each lane)")
        for ln, side in enumerate(s.align):
            a = lay.anchors[ln]
            lines.append(
                f"Lane {'AB'[ln]}: {'; '.join(tl.track_labels[t] for t in side.tracks)}, "
                f"years since {tl.titles[a]} ({tl.when[a]})"
            )
        lines.append(f"Window: {s.window[0]:+g} to {s.window[1]:+g} years")
    lines.append("Actors: " + ("; ".join(s.actors) if s.actors else "all"))
    return lines


def describe(tl, scene) -> str:
    """A text summary of what ``scene`` puts on screen, one ``Name: value`` line each.

    Lines: Mode, Period (calendar) or Lane A / Lane B / Window (aligned),
    Tracks (calendar), Actors, Shown (how many), Events (their span and the
    first few, in story order), Eras (calendar), Search, Selected.
    ``tl`` is the :class:`~course.timeline.timeline.Timeline` the scene
    was built from; ``scene`` needs its state, layout, ``rows``, ``hits``,
    ``eras`` and ``detail``.
    """
    s, lay = scene.state, scene.layout
    lines = list(tl.settings_lines(s, lay))
    rows = scene.rows
    if not len(rows):
        lines.append(f"Shown: no events match (0 of {tl.n} events)")
        lines.append("Events: none")
    else:
        lines.append(f"Shown: {len(rows)} of {tl.n} events")
        first = int(rows[np.argmin(tl.start_ns[rows])])
        last = int(rows[np.argmax(tl.end_ns[rows])])
        # one event on one day is "on" its date; anything longer (a range event too) runs "from ... to"
        span = (
            f"from {tl.short_when[first]} to {tl.short_end[last]}"
            if len(rows) > 1 or tl.short_end[first] != tl.short_when[first]
            else f"on {tl.short_when[first]}"
        )
        order = "in date order" if s.mode == "calendar" else "in order of years since the anchors"
        lines.append(
            f"Events: {span}; {order}: "
            + _names([f"{tl.titles[i]} ({tl.short_when[i]})" for i in rows[:FIRST_SHOWN]], len(rows))
        )
    if s.mode == "calendar":
        lines.append("Eras: " + ("; ".join(tl.describe_era(e, s) for e in scene.eras) or "none"))
    if s.search.strip():
        hits = [tl.index[e] for e in scene.hits[:FIRST_HITS]]
        n_hits = len(scene.hits)
        verb = "shown event matches" if n_hits == 1 else "shown events match"
        lines.append(
            f'Search: "{s.search.strip()}", {n_hits} {verb}'
            + (": " + _names([f"{tl.titles[i]} ({tl.short_when[i]})" for i in hits], n_hits) if hits else "")
        )
    else:
        lines.append("Search: none")
    d = scene.detail
    if d is None:
        lines.append("Selected: none")
    else:
        extra = "".join(f", lane {o.lane} {o.years:+.2f} years" for o in d.offsets)
        lines.append(f"Selected: {d.title} ({d.when}; {d.track_label}{extra})")
    return "\n".join(lines)


def describe_per_year(per_year: pd.DataFrame, marks=None) -> str:
    """The text alternative of a chart of events per year and track (``widgets.plots.plot_per_year``).

    ``per_year`` has one row per year (its index: whole years) and one column of counts per track, as
    ``groupby([year, "track"]).size().unstack(fill_value=0)`` gives it; ``marks`` (``{label: date}``) are
    the dates the chart marks with dashed lines. One line per year with its total and the tracks that
    have events, then the busiest year(s) and the marks, e.g.::

        Events per year and track, 2017 to 2019 (9 events in all):
        2017: 5 (Escalation 5)
        ...
    """
    from .schema import track_label

    what = "describe_per_year"
    if not isinstance(per_year, pd.DataFrame):
        raise ValueError(f"{what}: expected a pandas DataFrame, got {type(per_year).__name__}")
    if per_year.empty:
        raise ValueError(f"{what}: the table has no years")
    try:
        years = [int(y) for y in per_year.index]
        if any(y != float(v) for y, v in zip(years, per_year.index)):
            raise ValueError
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what}: the index must hold whole years, got {list(per_year.index)[:3]}") from e
    counts = per_year.apply(pd.to_numeric, errors="coerce")
    if counts.isna().any().any() or (counts < 0).any().any() or (counts % 1 != 0).any().any():
        raise ValueError(f"{what}: every count must be a whole number >= 0")
    counts = counts.astype(int)
    order = sorted(range(len(years)), key=lambda i: years[i])
    totals = counts.sum(axis=1).to_numpy()
    lines = [
        f"Events per year and track, {year_span(f'{min(years)}-01-01', f'{max(years)}-12-31')} "
        f"({int(totals.sum())} event{'s' if totals.sum() != 1 else ''} in all):"
    ]
    row_of = {years[i]: i for i in order}
    if len(row_of) != len(years):
        raise ValueError(f"{what}: a year appears twice in the index")
    for year in range(min(years), max(years) + 1):
        if year not in row_of:  # no row: no event that year (the chart has no bar there)
            lines.append(f"{year}: none")
            continue
        i = row_of[year]
        parts = [f"{track_label(str(t))} {int(n)}" for t, n in counts.iloc[i].items() if n > 0]
        lines.append(f"{year}: {int(totals[i])}" + (f" ({', '.join(parts)})" if parts else ""))
    if totals.max() > 0:
        busiest = [str(years[i]) for i in order if totals[i] == totals.max()]
        lines.append(
            f"Most events: {' and '.join(busiest)} ({int(totals.max())} each)"
            if len(busiest) > 1
            else f"Most events: {busiest[0]} ({int(totals.max())})"
        )
    for label, when in (marks or {}).items():
        try:
            day = pd.Timestamp(when)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{what}: the mark {label!r} is not a date: {when!r}") from e
        if pd.isna(day):
            raise ValueError(f"{what}: the mark {label!r} is not a date: {when!r}")
        lines.append(f"Dashed line: {label}, {format_date(day)}")
    return "\n".join(lines)

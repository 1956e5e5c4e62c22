"""The timeline's logic, free of ipywidgets and plotly.

Everything the explorer shows is computed here from two tables and a
:class:`ViewState`:

* :func:`prepare_events` / :func:`prepare_eras` check a table and return a
  typed copy; a missing column, an unknown track or a bad date raises a
  ``ValueError`` that names the value and what is allowed.
* :class:`Timeline` holds the checked tables and answers questions about a
  state: which events are shown (:meth:`Timeline.scene`), in what story order,
  which match a search, where each one sits (lanes, rows, x positions), and
  a text summary of all of it (:meth:`Timeline.describe`).

Two kinds of layout put events on the x axis:

* ``calendar``: real dates, one swimlane per track.
* ``aligned``: two lanes, "A" and "B", each holding some tracks, with
  x = years since an anchor event chosen for that lane
  (:func:`years_since`), so that, say, Europe's years around the Helsinki
  Final Act can be laid over Korea's years around the 1991 Basic Agreement.

A *slot* is one drawn copy of an event. In calendar mode every event has one
slot; in aligned mode an event has one slot per lane whose tracks include it.
The slot layout depends only on the mode and the alignment, so it is computed
once and cached; filtering only changes which slots are shown.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "TRACKS", "TRACK_LABELS", "PRECISIONS", "EVENT_COLUMNS", "ERA_COLUMNS", "MODES",
    "AlignSide", "ViewState", "SlotLayout", "Scene", "Timeline",
    "prepare_events", "prepare_eras", "check_tracks", "to_timestamp",
    "split_actors", "fold_text", "search_terms", "format_date", "format_when",
    "years_since", "pack_rows", "era_names", "year_span",
]

#: The five tracks, in lane order (top to bottom), with their display labels.
TRACK_LABELS: dict[str, str] = {
    "csce": "CSCE",
    "detente-arms-control": "Détente and arms control",
    "korea-diplomacy": "Korea diplomacy",
    "humanitarian": "Humanitarian",
    "escalation": "Escalation",
}
TRACKS: tuple[str, ...] = tuple(TRACK_LABELS)
PRECISIONS: tuple[str, ...] = ("day", "month", "year")
MODES: tuple[str, ...] = ("calendar", "aligned")

#: Columns an events table must have (the schema of ``events.csv``; ``verified``
#: is not needed to draw an event).
EVENT_COLUMNS: tuple[str, ...] = (
    "id", "date", "end_date", "precision", "title", "track", "actors", "description", "source_url",
)
#: Columns an eras table must have; ``id``, ``event_id``, ``description`` and
#: ``source_url`` are used when present.
ERA_COLUMNS: tuple[str, ...] = ("era", "label", "start", "end")

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")

#: At most this many sub-rows inside one lane (see :func:`pack_rows`).
MAX_ROWS = 3
#: Share of a lane's height that its sub-rows spread over.
LANE_SPREAD = 0.6


# --------------------------------------------------------------------------
# Checking parameters and tables
# --------------------------------------------------------------------------
def _allowed(values: Iterable[str]) -> str:
    return ", ".join(str(v) for v in values)


def check_tracks(tracks, *, name: str = "tracks") -> tuple[str, ...]:
    """Return the tracks in lane order; ``None`` means all of them.

    Raises ``ValueError`` naming an unknown track and listing the allowed ones.
    """
    if tracks is None:
        return TRACKS
    if isinstance(tracks, str):
        tracks = [tracks]
    tracks = list(tracks)
    for t in tracks:
        if t not in TRACK_LABELS:
            raise ValueError(f"unknown track {t!r} in {name}; allowed tracks: {_allowed(TRACKS)}")
    return tuple(t for t in TRACKS if t in tracks)


_YEAR = re.compile(r"^\s*\d{4}\s*$")


def to_timestamp(value, *, name: str = "date", end: bool = False) -> pd.Timestamp:
    """A year (int, or a 4-digit string) or a date, as a day-precision Timestamp.

    A bare year means 1 January of it, or 31 December when ``end`` is true,
    so that ``start=1969, end=1979`` covers both whole years.
    """
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a year (int) or a date, not {value!r}")
    if isinstance(value, (int, np.integer)) or (isinstance(value, str) and _YEAR.match(value)):
        year = int(value)
        if not 1 <= year <= 9999:
            raise ValueError(f"{name} {value!r} is not a year between 1 and 9999")
        return pd.Timestamp(year, 12, 31) if end else pd.Timestamp(year, 1, 1)
    if isinstance(value, (str, _dt.date, _dt.datetime, pd.Timestamp, np.datetime64)):
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError):
            ts = pd.NaT
        if ts is pd.NaT or pd.isna(ts):
            raise ValueError(f"{name} {value!r} is not a date; give a year (e.g. 1975) or a date (e.g. '1975-08-01')")
        return ts.tz_localize(None).normalize() if ts.tzinfo else ts.normalize()
    raise ValueError(f"{name} must be a year (int) or a date, not {type(value).__name__} {value!r}")


def _missing_columns(df, required: Sequence[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{what} must be a pandas DataFrame with the columns {_allowed(required)}, "
                         f"not {type(df).__name__}")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing the column{'s' if len(missing) > 1 else ''} "
                         f"{_allowed(missing)}; it needs {_allowed(required)}")


def _dates(series: pd.Series, what: str, column: str, *, required: bool) -> pd.Series:
    try:
        out = pd.to_datetime(series, errors="raise", format="ISO8601")
    except (ValueError, TypeError) as e:
        raise ValueError(f"{what}: column {column!r} holds a value that is not a date ({e})") from None
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    out = out.astype("datetime64[ns]").dt.normalize()
    if required and out.isna().any():
        row = int(np.flatnonzero(out.isna().to_numpy())[0])
        raise ValueError(f"{what}: column {column!r} is empty in row {row}; every row needs a date")
    return out


def _text(series: pd.Series) -> pd.Series:
    return series.astype("object").where(series.notna(), "").astype(str)


def prepare_events(events: pd.DataFrame) -> pd.DataFrame:
    """Check an events table and return a typed copy sorted by (date, id).

    The table needs :data:`EVENT_COLUMNS`. Raises ``ValueError`` for missing
    columns (named), an unknown track or precision, a repeated or empty id,
    an end before its start, or a value that is not a date.
    """
    what = "events"
    _missing_columns(events, EVENT_COLUMNS, what)
    df = pd.DataFrame({c: events[c] for c in EVENT_COLUMNS})
    for c in ("id", "precision", "title", "track", "actors", "description", "source_url"):
        df[c] = _text(df[c])
    df["date"] = _dates(df["date"], what, "date", required=True)
    df["end_date"] = _dates(df["end_date"], what, "end_date", required=False)
    if (df["id"] == "").any():
        raise ValueError(f"{what}: every event needs an id; row {int(np.flatnonzero(df['id'] == '')[0])} has none")
    dupes = df["id"][df["id"].duplicated()].unique().tolist()
    if dupes:
        raise ValueError(f"{what}: ids must be unique; repeated: {_allowed(dupes)}")
    bad = df.loc[~df["track"].isin(TRACKS), "track"]
    if len(bad):
        raise ValueError(f"{what}: unknown track {bad.iloc[0]!r} (event {df.loc[bad.index[0], 'id']!r}); "
                         f"allowed tracks: {_allowed(TRACKS)}")
    bad = df.loc[~df["precision"].isin(PRECISIONS), "precision"]
    if len(bad):
        raise ValueError(f"{what}: unknown precision {bad.iloc[0]!r} (event {df.loc[bad.index[0], 'id']!r}); "
                         f"allowed precisions: {_allowed(PRECISIONS)}")
    early = df["end_date"].notna() & (df["end_date"] < df["date"])
    if early.any():
        raise ValueError(f"{what}: event {df.loc[early, 'id'].iloc[0]!r} ends before it starts")
    return df.sort_values(["date", "id"], kind="stable").reset_index(drop=True)


def prepare_eras(eras) -> pd.DataFrame:
    """Check an eras table (a DataFrame, or an iterable of dicts) and return a typed copy.

    It needs :data:`ERA_COLUMNS`; ``id``, ``event_id``, ``description`` and
    ``source_url`` are optional. Bands are sorted by start.
    """
    what = "eras"
    if eras is None:
        eras = []
    if not isinstance(eras, pd.DataFrame):
        rows = list(eras)
        if rows and not all(isinstance(r, Mapping) for r in rows):
            raise ValueError("eras must be a pandas DataFrame or a list of dicts with the keys "
                             f"{_allowed(ERA_COLUMNS)}")
        eras = pd.DataFrame(rows, columns=list(ERA_COLUMNS) if not rows else None)
    _missing_columns(eras, ERA_COLUMNS, what)
    df = pd.DataFrame({c: eras[c] for c in ERA_COLUMNS})
    df["era"] = _text(df["era"])
    df["label"] = _text(df["label"])
    for c in ("id", "event_id", "description", "source_url"):
        df[c] = _text(eras[c]) if c in eras.columns else ""
    if (df["id"] == "").any():
        df["id"] = [i or f"{e}-{n}" for n, (i, e) in enumerate(zip(df["id"], df["era"]))]
    if (df["era"] == "").any():
        raise ValueError(f"{what}: every band needs an era slug; row {int(np.flatnonzero(df['era'] == '')[0])} has none")
    df["start"] = _dates(df["start"], what, "start", required=True)
    df["end"] = _dates(df["end"], what, "end", required=True)
    late = df["end"] < df["start"]
    if late.any():
        raise ValueError(f"{what}: band {df.loc[late, 'id'].iloc[0]!r} has start after end")
    return df.sort_values(["start", "id"], kind="stable").reset_index(drop=True)


def era_names(eras: pd.DataFrame) -> dict[str, str]:
    """A display name for each era slug, in order of first appearance.

    An era whose bands share one label is called by it. Otherwise the slug's
    words are looked for in the bands' labels and descriptions, to recover
    their spelling ("csce-follow-up" becomes "CSCE follow-up"); failing that,
    the slug with spaces.
    """
    names: dict[str, str] = {}
    for era, bands in eras.groupby("era", sort=False):
        labels = list(dict.fromkeys(bands["label"]))
        if len(labels) == 1:
            names[era] = labels[0]
            continue
        words = r"[\s-]".join(re.escape(w) for w in era.split("-"))
        text = " ".join(list(bands["label"]) + list(bands["description"]))
        m = re.search(words, text, flags=re.IGNORECASE)
        name = m.group(0) if m else era.replace("-", " ")
        names[era] = name[:1].upper() + name[1:]
    return names


# --------------------------------------------------------------------------
# Text: actors, search, dates
# --------------------------------------------------------------------------
def split_actors(actors: str) -> list[str]:
    """``'US; USSR;'`` -> ``['US', 'USSR']``."""
    return [a.strip() for a in str(actors).split(";") if a.strip()]


def fold_text(text: str) -> str:
    """Lower case without accents, for search: ``'Détente'`` -> ``'detente'``."""
    decomposed = unicodedata.normalize("NFKD", str(text))
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
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    if (a.month, a.day) == (1, 1) and (b.month, b.day) == (12, 31):
        return str(a.year) if a.year == b.year else f"{a.year} to {b.year}"
    return f"{a.date().isoformat()} to {b.date().isoformat()}"


# --------------------------------------------------------------------------
# Aligned time: fractional years since an anchor
# --------------------------------------------------------------------------
def _anniversary(anchor: _dt.date, k: int) -> _dt.date:
    year = anchor.year + k
    try:
        return anchor.replace(year=year)
    except ValueError:  # 29 February in a common year
        return _dt.date(year, 2, 28)


def years_since(dates, anchor) -> np.ndarray:
    """Fractional years from ``anchor`` to each date (negative before it).

    The whole part counts anniversaries of the anchor: the date one calendar
    year after the anchor is exactly +1.0, even across a 29 February
    (1975-08-01 -> 1976-08-01 is 1.0). The fraction is the share of the
    days from the last anniversary to the next one, so it uses 365 or 366 as
    the year in question has. An anchor on 29 February has its anniversaries
    on 28 February in common years. Missing dates give NaN.
    """
    a = pd.Timestamp(anchor).date()
    out = np.full(len(dates), np.nan)
    for i, d in enumerate(pd.to_datetime(pd.Series(list(dates), dtype="object"))):
        if pd.isna(d):
            continue
        d = d.date()
        k = d.year - a.year
        if _anniversary(a, k) > d:
            k -= 1
        lo, hi = _anniversary(a, k), _anniversary(a, k + 1)
        out[i] = k + (d - lo).days / (hi - lo).days
    return out


# --------------------------------------------------------------------------
# Rows inside a lane
# --------------------------------------------------------------------------
def pack_rows(starts, ends, min_width: float, max_rows: int = MAX_ROWS) -> np.ndarray:
    """Give each item a sub-row so that items in one row do not overlap.

    Items are taken in the given order (sort them by start first). Each
    occupies ``[start, max(end, start + min_width)]``; it goes into the first
    row whose last item has ended before it starts. When all ``max_rows``
    rows are busy it goes into the row that frees up first.
    """
    starts = np.asarray(starts, dtype=float)
    ends = np.asarray(ends, dtype=float)
    rows = np.zeros(len(starts), dtype=int)
    free_at: list[float] = []
    for i, (s, e) in enumerate(zip(starts, ends)):
        stop = max(e, s + min_width)
        for r, f in enumerate(free_at):
            if f < s:
                break
        else:
            r = len(free_at) if len(free_at) < max_rows else int(np.argmin(free_at))
            if r == len(free_at):
                free_at.append(stop)
        rows[i] = r
        free_at[r] = stop
    return rows


def _row_offsets(lane_of_slot: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """y offsets that spread each lane's sub-rows evenly around its centre."""
    offsets = np.zeros(len(rows))
    for lane in np.unique(lane_of_slot):
        sel = lane_of_slot == lane
        n = int(rows[sel].max()) + 1
        if n > 1:
            step = LANE_SPREAD / (n - 1)
            offsets[sel] = -LANE_SPREAD / 2 + rows[sel] * step
    return offsets


# --------------------------------------------------------------------------
# State, layouts and scenes
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class AlignSide:
    """One lane of the aligned comparison: the events of ``tracks``, in years since ``anchor``."""

    anchor: str
    tracks: tuple[str, ...] = TRACKS
    label: str | None = None


@dataclass(frozen=True)
class ViewState:
    """Everything that decides what the explorer shows. Immutable; use :func:`dataclasses.replace`."""

    start: pd.Timestamp
    end: pd.Timestamp
    tracks: tuple[str, ...] = TRACKS
    actors: tuple[str, ...] = ()
    search: str = ""
    eras: tuple[str, ...] = ()
    selected: str | None = None
    mode: str = "calendar"
    align: tuple[AlignSide, AlignSide] | None = None
    window: tuple[float, float] = (-20.0, 30.0)


@dataclass(frozen=True, eq=False)
class SlotLayout:
    """Where each slot sits. Depends only on the mode and the alignment."""

    key: tuple
    mode: str
    event: np.ndarray        # slot -> row of Timeline.events
    lane: np.ndarray         # slot -> lane number (0 = top)
    y: np.ndarray            # slot -> y position (lane centre plus sub-row offset)
    x0: np.ndarray           # calendar: datetime64[ns]; aligned: years since the lane's anchor
    x1: np.ndarray           # end of the slot (x0 for point events)
    is_range: np.ndarray     # slot -> drawn as a bar
    rank: np.ndarray         # slot -> position in story order
    lane_labels: tuple[str, ...]
    lane_tracks: tuple[tuple[str, ...], ...]
    anchors: tuple[int, ...] = ()   # aligned: event row of each lane's anchor

    def __len__(self) -> int:
        return len(self.event)


@dataclass(frozen=True, eq=False)
class Scene:
    """What is on screen for one state."""

    state: ViewState
    layout: SlotLayout
    shown: np.ndarray        # slot -> shown
    matched: np.ndarray      # slot -> shown and matching the search
    selected_slots: np.ndarray
    order: tuple[str, ...]   # shown event ids, story order, each once
    n_total: int
    x_range: tuple
    eras: tuple[str, ...]    # eras drawn (calendar mode only)

    @property
    def n_shown(self) -> int:
        return len(self.order)

    @property
    def empty(self) -> bool:
        return not self.order

    @property
    def selected(self) -> str | None:
        return self.state.selected


class Timeline:
    """A checked events table and eras table, with everything computed from them.

    Parameters
    ----------
    events:
        A DataFrame with :data:`EVENT_COLUMNS` (see ``course.data.load_events``).
    eras:
        A DataFrame or a list of dicts with :data:`ERA_COLUMNS` (see
        ``course.data.load_eras``); ``None`` or empty for no eras.
    """

    def __init__(self, events: pd.DataFrame, eras=None):
        self.events = prepare_events(events)
        self.eras = prepare_eras(eras)
        self.era_names = era_names(self.eras)
        ev = self.events
        self.n = len(ev)
        self.ids: np.ndarray = ev["id"].to_numpy(dtype=object)
        self.index: dict[str, int] = {k: i for i, k in enumerate(self.ids)}
        self.start_ns = ev["date"].to_numpy().astype("int64")
        end = ev["end_date"].fillna(ev["date"])
        self.end_ns = end.to_numpy().astype("int64")
        self.is_range = (ev["end_date"].notna() & (ev["end_date"] > ev["date"])).to_numpy()
        self.track_index = np.array([TRACKS.index(t) for t in ev["track"]], dtype=int)
        self.event_actors = [split_actors(a) for a in ev["actors"]]
        self.actors: tuple[str, ...] = tuple(sorted({a for row in self.event_actors for a in row}, key=str.casefold))
        actor_col = {a: j for j, a in enumerate(self.actors)}
        self.actor_matrix = np.zeros((self.n, len(self.actors)), dtype=bool)
        for i, row in enumerate(self.event_actors):
            for a in row:
                self.actor_matrix[i, actor_col[a]] = True
        self.actor_column = actor_col
        self._haystack = [fold_text(f"{t}\n{d}") for t, d in zip(ev["title"], ev["description"])]
        self.titles: list[str] = ev["title"].tolist()
        self.when = [format_when(d, e, p) for d, e, p in zip(ev["date"], ev["end_date"], ev["precision"])]
        self.short_when = [format_date(d, p, short=True) for d, p in zip(ev["date"], ev["precision"])]
        self.labels = [f"{w} · {t}" for w, t in zip(self.short_when, self.titles)]
        self._layouts: dict[tuple, SlotLayout] = {}
        self._search_cache: tuple[tuple, np.ndarray] = ((), np.ones(self.n, dtype=bool))
        if self.n:
            self.first_year = int(ev["date"].iloc[0].year)
            self.last_year = int(max(ev["date"].max(), end.max()).year)
        else:
            self.first_year = self.last_year = pd.Timestamp.today().year

    # ---- checking a state --------------------------------------------------
    def default_align(self) -> tuple[AlignSide, AlignSide]:
        """Europe around the Final Act against Korea around the 1991 Basic Agreement.

        When those events are not in the table, each lane is anchored on the
        first event of its track (or the first event at all).
        """
        sides = []
        for anchor, track in (("helsinki-final-act", "csce"), ("inter-korean-basic-agreement", "korea-diplomacy")):
            if anchor not in self.index:
                rows = np.flatnonzero(self.track_index == TRACKS.index(track))
                anchor = self.ids[rows[0]] if len(rows) else (self.ids[0] if self.n else "")
            sides.append(AlignSide(anchor, (track,)))
        return (sides[0], sides[1])

    def check_align(self, align) -> tuple[AlignSide, AlignSide]:
        """Two lanes, each an :class:`AlignSide`, a ``(anchor, tracks)`` pair or a dict."""
        if align is None:
            return self.default_align()
        if isinstance(align, (str, AlignSide, Mapping)) or len(align) != 2:
            raise ValueError("align must be two sides, e.g. (('helsinki-final-act', ['csce']), "
                             "('inter-korean-basic-agreement', ['korea-diplomacy']))")
        out = []
        for name, side in zip("AB", align):
            if isinstance(side, AlignSide):
                anchor, tracks, label = side.anchor, side.tracks, side.label
            elif isinstance(side, Mapping):
                unknown = set(side) - {"anchor", "tracks", "label"}
                if unknown:
                    raise ValueError(f"align side {name}: unknown key {sorted(unknown)[0]!r}; "
                                     "allowed keys: anchor, tracks, label")
                anchor, tracks, label = side.get("anchor"), side.get("tracks"), side.get("label")
            elif isinstance(side, str):
                anchor, tracks, label = side, None, None
            else:
                side = tuple(side)
                if not 1 <= len(side) <= 3:
                    raise ValueError(f"align side {name} must be (anchor, tracks) or (anchor, tracks, label)")
                anchor, tracks, label = (tuple(side) + (None, None))[:3]
            if anchor not in self.index:
                raise ValueError(f"unknown anchor event {anchor!r} for lane {name}; give the id of an event "
                                 f"in the table (e.g. {_allowed(self.ids[:3])})")
            tracks = check_tracks(tracks if tracks is not None else self.events["track"].iloc[self.index[anchor]],
                                  name=f"the tracks of lane {name}")
            out.append(AlignSide(anchor, tracks, label))
        return (out[0], out[1])

    def check_actors(self, actors) -> tuple[str, ...]:
        if actors is None:
            return ()
        if isinstance(actors, str):
            actors = [actors]
        actors = list(actors)
        for a in actors:
            if a not in self.actor_column:
                shown = _allowed(self.actors[:12]) + (", ..." if len(self.actors) > 12 else "")
                raise ValueError(f"unknown actor {a!r}; actors are named as in the events table "
                                 f"(a ';'-separated list), e.g. {shown}")
        return tuple(sorted(set(actors), key=self.actors.index))

    def check_eras(self, era) -> tuple[str, ...]:
        """``None``/``False`` = no eras, ``True``/``'all'`` = all, else one slug or a list of them."""
        if era is None or era is False:
            return ()
        if era is True or era == "all":
            return tuple(self.era_names)
        if isinstance(era, str):
            era = [era]
        era = list(era)
        for e in era:
            if e not in self.era_names:
                allowed = _allowed(self.era_names) or "(none: the eras table is empty)"
                raise ValueError(f"unknown era {e!r}; allowed eras: {allowed}")
        return tuple(e for e in self.era_names if e in era)

    def make_state(self, *, start=None, end=None, tracks=None, era=None, actors=None, search="",
                   selected=None, mode="calendar", align=None, window=(-20, 30)) -> ViewState:
        """Check saved-view parameters and return a :class:`ViewState`; ``ValueError`` names a bad one."""
        start = to_timestamp(self.first_year if start is None else start, name="start")
        end = to_timestamp(self.last_year if end is None else end, name="end", end=True)
        if start > end:
            raise ValueError(f"start ({start.date()}) is after end ({end.date()}); start must be on or before end")
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; allowed modes: {_allowed(MODES)}")
        if selected is not None and selected not in self.index:
            raise ValueError(f"unknown event {selected!r} for selected; give the id of an event in the table")
        if search is None:
            search = ""
        if not isinstance(search, str):
            raise ValueError(f"search must be a string, not {type(search).__name__}")
        try:
            lo, hi = (float(w) for w in window)
        except (TypeError, ValueError):
            raise ValueError(f"window must be two numbers of years (before, after), e.g. (-20, 30), not {window!r}") from None
        if lo > hi:
            raise ValueError(f"window {window!r} starts after it ends; give (before, after) with before <= after")
        return ViewState(start=start, end=end, tracks=check_tracks(tracks), actors=self.check_actors(actors),
                         search=search, eras=self.check_eras(era), selected=selected, mode=mode,
                         align=self.check_align(align), window=(lo, hi))

    # ---- layouts -----------------------------------------------------------
    def layout(self, mode: str, align: tuple[AlignSide, AlignSide] | None = None) -> SlotLayout:
        key = (mode,) if mode == "calendar" else (mode, align)
        lay = self._layouts.get(key)
        if lay is None:
            lay = self._calendar_layout(key) if mode == "calendar" else self._aligned_layout(key, align)
            self._layouts[key] = lay
        return lay

    def _finish(self, key, mode, event, lane, x0, x1, labels, lane_tracks, anchors=()) -> SlotLayout:
        n_lanes = len(labels)
        # sub-rows: pack each lane's slots in start order
        rows = np.zeros(len(event), dtype=int)
        span = (np.nanmax(x1) - np.nanmin(x0)) if len(event) else 0.0
        for ln in range(n_lanes):
            sel = np.flatnonzero(lane == ln)
            if len(sel):
                order = sel[np.lexsort((self.ids[event[sel]], x0[sel]))]
                rows[order] = pack_rows(x0[order], x1[order], min_width=span / 40)
        y = lane + _row_offsets(lane, rows)
        # story order: by start, then lane, then id
        rank = np.empty(len(event), dtype=int)
        rank[np.lexsort((self.ids[event], lane, x0))] = np.arange(len(event))
        return SlotLayout(key=key, mode=mode, event=event, lane=lane, y=y, x0=x0, x1=x1,
                          is_range=self.is_range[event], rank=rank, lane_labels=tuple(labels),
                          lane_tracks=tuple(lane_tracks), anchors=tuple(anchors))

    def _calendar_layout(self, key) -> SlotLayout:
        event = np.arange(self.n)
        x0 = self.start_ns.astype(float)
        x1 = self.end_ns.astype(float)
        return self._finish(key, "calendar", event, self.track_index.copy(), x0, x1,
                            [TRACK_LABELS[t] for t in TRACKS], [(t,) for t in TRACKS])

    def _aligned_layout(self, key, align) -> SlotLayout:
        events, lanes, x0s, x1s, labels, anchors = [], [], [], [], [], []
        for ln, side in enumerate(align):
            a = self.index[side.anchor]
            rows = np.flatnonzero(np.isin(self.track_index, [TRACKS.index(t) for t in side.tracks]))
            anchor_date = self.events["date"].iloc[a]
            events.append(rows)
            lanes.append(np.full(len(rows), ln))
            x0s.append(years_since(self.events["date"].iloc[rows], anchor_date))
            ends = self.events["end_date"].iloc[rows].fillna(self.events["date"].iloc[rows])
            x1s.append(years_since(ends, anchor_date))
            title = self.titles[a]
            labels.append(side.label or f"{'AB'[ln]}: {title if len(title) <= 38 else title[:37] + '…'}")
            anchors.append(a)
        return self._finish(key, "aligned", np.concatenate(events).astype(int), np.concatenate(lanes).astype(int),
                            np.concatenate(x0s), np.concatenate(x1s), labels, [s.tracks for s in align], anchors)

    # ---- scenes ------------------------------------------------------------
    def search_mask(self, query: str) -> np.ndarray:
        """Events whose title or description holds every word of ``query`` (accents and case ignored)."""
        terms = search_terms(query)
        cached_terms, mask = self._search_cache
        if terms != cached_terms:
            mask = np.fromiter((all(t in h for t in terms) for h in self._haystack), dtype=bool, count=self.n)
            self._search_cache = (terms, mask)
        return mask

    def actor_mask(self, actors: Sequence[str]) -> np.ndarray:
        if not actors:
            return np.ones(self.n, dtype=bool)
        return self.actor_matrix[:, [self.actor_column[a] for a in actors]].any(axis=1)

    def scene(self, state: ViewState) -> Scene:
        """What ``state`` puts on screen. The selection is dropped if its event is not shown."""
        lay = self.layout(state.mode, state.align)
        ok = self.actor_mask(state.actors)
        if state.mode == "calendar":
            track_on = np.zeros(len(TRACKS), dtype=bool)
            track_on[[TRACKS.index(t) for t in state.tracks]] = True
            ok = ok & track_on[self.track_index]
            lo, hi = float(state.start.value), float(state.end.value)
            x_range = (state.start, state.end)
        else:
            lo, hi = state.window
            x_range = state.window
        shown = ok[lay.event] & (lay.x0 <= hi) & (lay.x1 >= lo)
        matched = shown & self.search_mask(state.search)[lay.event] if state.search.strip() else np.zeros(len(lay), bool)
        slots = np.flatnonzero(shown)
        ordered = lay.event[slots[np.argsort(lay.rank[slots])]]
        order = tuple(dict.fromkeys(self.ids[ordered]))
        selected = state.selected if state.selected in order else None
        if selected != state.selected:
            state = replace(state, selected=selected)
        sel_slots = (np.flatnonzero(shown & (lay.event == self.index[selected])) if selected is not None
                     else np.zeros(0, dtype=int))
        eras = state.eras if state.mode == "calendar" else ()
        return Scene(state=state, layout=lay, shown=shown, matched=matched, selected_slots=sel_slots,
                     order=order, n_total=self.n, x_range=x_range, eras=eras)

    def step(self, scene: Scene, direction: int) -> str | None:
        """The event before (-1) or after (+1) the selection in story order.

        With nothing selected, +1 gives the first shown event and -1 the last.
        At either end the selection stays where it is.
        """
        order = scene.order
        if not order:
            return None
        if scene.selected is None:
            return order[0] if direction > 0 else order[-1]
        i = order.index(scene.selected) + (1 if direction > 0 else -1)
        return order[min(max(i, 0), len(order) - 1)]

    # ---- words -------------------------------------------------------------
    def event_label(self, i: int) -> str:
        """``'1 Aug 1975 · Helsinki Final Act signed'``."""
        return self.labels[i]

    def list_entries(self, scene: Scene) -> list[tuple[str, str]]:
        """(label, id) of each shown event in story order, for a list control.

        In aligned mode the label starts with the event's lane(s) and years
        since the anchor, e.g. ``'A +1.0 y · 1 Aug 1976 · ...'``.
        """
        if scene.layout.mode == "calendar":
            return [(self.labels[self.index[e]], e) for e in scene.order]
        lay = scene.layout
        slots = np.flatnonzero(scene.shown)
        where: dict[int, list[str]] = {}
        for sl in slots[np.argsort(lay.rank[slots])]:
            where.setdefault(int(lay.event[sl]), []).append(f"{'AB'[lay.lane[sl]]} {lay.x0[sl]:+.1f} y")
        return [(f"{', '.join(w)} · {self.labels[i]}", self.ids[i]) for i, w in where.items()]

    def offset_of(self, scene: Scene, event_id: str) -> list[tuple[str, float]]:
        """Aligned mode: (lane letter, years since anchor) of each shown slot of an event."""
        lay = scene.layout
        slots = np.flatnonzero(scene.shown & (lay.event == self.index[event_id]))
        return [("AB"[lay.lane[s]], float(lay.x0[s])) for s in slots]

    def describe(self, scene: Scene) -> str:
        """A text summary of what is on screen, one ``Name: value`` line each.

        Lines: Mode, Period (calendar) or Lane A / Lane B / Window (aligned),
        Tracks (calendar), Actors, Shown, Eras (calendar), Search, Selected.
        """
        s = scene.state
        lines = []
        if s.mode == "calendar":
            lines.append("Mode: calendar (real dates)")
            lines.append(f"Period: {year_span(s.start, s.end)}")
            lines.append("Tracks: " + ("; ".join(TRACK_LABELS[t] for t in s.tracks) or "none"))
        else:
            lines.append("Mode: aligned (years since an anchor event in each lane)")
            for ln, side in enumerate(s.align):
                a = scene.layout.anchors[ln]
                lines.append(f"Lane {'AB'[ln]}: {'; '.join(TRACK_LABELS[t] for t in side.tracks)}, "
                             f"years since {self.titles[a]} ({self.when[a]})")
            lines.append(f"Window: {s.window[0]:+g} to {s.window[1]:+g} years")
        lines.append("Actors: " + ("; ".join(s.actors) if s.actors else "all"))
        if scene.empty:
            lines.append(f"Shown: no events match (0 of {scene.n_total} events)")
        else:
            lines.append(f"Shown: {scene.n_shown} of {scene.n_total} events")
        if s.mode == "calendar":
            lines.append("Eras: " + ("; ".join(self._describe_era(e, s) for e in scene.eras) or "none"))
        if s.search.strip():
            hits = [i for i in dict.fromkeys(scene.layout.event[np.flatnonzero(scene.matched)[
                np.argsort(scene.layout.rank[scene.matched])]])]
            names = [f"{self.titles[i]} ({self.short_when[i]})" for i in hits[:10]]
            more = f"; and {len(hits) - 10} more" if len(hits) > 10 else ""
            verb = "shown event matches" if len(hits) == 1 else "shown events match"
            lines.append(f'Search: "{s.search.strip()}", {len(hits)} {verb}'
                         + (": " + "; ".join(names) + more if names else ""))
        else:
            lines.append("Search: none")
        if scene.selected is None:
            lines.append("Selected: none")
        else:
            i = self.index[scene.selected]
            ev = self.events.iloc[i]
            extra = ""
            if s.mode == "aligned":
                extra = "".join(f", lane {ln} {off:+.2f} years" for ln, off in self.offset_of(scene, scene.selected))
            lines.append(f"Selected: {ev['title']} ({self.when[i]}; {TRACK_LABELS[ev['track']]}{extra})")
        return "\n".join(lines)

    def _describe_era(self, era: str, s: ViewState) -> str:
        bands = self.eras[self.eras["era"] == era]
        spans = "; ".join(str(a.year) if a.year == b.year else f"{a.year} to {b.year}"
                          for a, b in zip(bands["start"], bands["end"]))
        inside = ((bands["start"] <= s.end) & (bands["end"] >= s.start)).any()
        return f"{self.era_names[era]} ({spans})" + ("" if inside else " [outside the period]")

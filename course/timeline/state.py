"""What decides the explorer's view (:class:`ViewState`) and the checks that turn parameters into one.

A bad parameter raises a ``ValueError`` that names the value and what is
allowed. The checks that need the tables (actors, eras, anchor events, the
allowed tracks) take the :class:`~course.timeline.timeline.Timeline` they
are checked against.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "MODES",
    "AlignSide",
    "ViewState",
    "to_timestamp",
    "check_tracks",
    "check_actors",
    "check_eras",
    "check_align",
    "default_align",
    "make_state",
]

MODES: tuple[str, ...] = ("calendar", "aligned")
_YEAR = re.compile(r"^\s*\d{4}\s*$")


def _allowed(values) -> str:
    return ", ".join(str(v) for v in values)


@dataclass(frozen=True)
class AlignSide:
    """One lane of the aligned comparison: the events of ``tracks``, in years since ``anchor``.

    ``tracks=None`` means the track of the anchor event.
    """

    anchor: str
    tracks: tuple[str, ...] | None = None
    label: str | None = None


@dataclass(frozen=True)
class ViewState:
    """Everything that decides what the explorer shows. Immutable; use :func:`dataclasses.replace`."""

    start: pd.Timestamp
    end: pd.Timestamp
    tracks: tuple[str, ...]
    actors: tuple[str, ...] = ()
    search: str = ""
    eras: tuple[str, ...] = ()
    selected: str | None = None
    mode: str = "calendar"
    align: tuple[AlignSide, AlignSide] | None = None
    window: tuple[float, float] = (-20.0, 30.0)


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
            raise ValueError(
                f"{name} {value!r} is not a date; give a year (e.g. 1975) or a date (e.g. '1975-08-01')"
            )
        return ts.tz_localize(None).normalize() if ts.tzinfo else ts.normalize()
    raise ValueError(f"{name} must be a year (int) or a date, not {type(value).__name__} {value!r}")


def check_tracks(tracks, allowed: tuple[str, ...] | None = None, *, name: str = "tracks") -> tuple[str, ...]:
    """Return the tracks in lane order; ``None`` means all of them.

    ``allowed`` is the schema's track list (default: that of the course's
    data package). Raises ``ValueError`` naming an unknown track and listing
    the allowed ones.
    """
    if allowed is None:
        from .schema import load_schema

        allowed = load_schema().tracks
    if tracks is None:
        return tuple(allowed)
    if isinstance(tracks, str):
        tracks = [tracks]
    tracks = list(tracks)
    for t in tracks:
        if t not in allowed:
            raise ValueError(f"unknown track {t!r} in {name}; allowed tracks: {_allowed(allowed)}")
    return tuple(t for t in allowed if t in tracks)


def check_actors(tl, actors) -> tuple[str, ...]:
    """Actors named as in the events table, in the timeline's (alphabetical) order."""
    if actors is None:
        return ()
    if isinstance(actors, str):
        actors = [actors]
    actors = list(actors)
    for a in actors:
        if a not in tl.actor_column:
            shown = _allowed(tl.actors[:12]) + (", ..." if len(tl.actors) > 12 else "")
            raise ValueError(
                f"unknown actor {a!r}; actors are named as in the events table "
                f"(a ';'-separated list), e.g. {shown}"
            )
    return tuple(sorted(set(actors), key=tl.actors.index))


def check_eras(tl, era) -> tuple[str, ...]:
    """``None``/``False`` = no eras, ``True``/``'all'`` = all, else one slug or a list of them."""
    if era is None or era is False:
        return ()
    if era is True or era == "all":
        return tuple(tl.era_names)
    if isinstance(era, str):
        era = [era]
    era = list(era)
    for e in era:
        if e not in tl.era_names:
            allowed = _allowed(tl.era_names) or "(none: the eras table is empty)"
            raise ValueError(f"unknown era {e!r}; allowed eras: {allowed}")
    return tuple(e for e in tl.era_names if e in era)


def default_align(tl) -> tuple[AlignSide, AlignSide]:
    """Europe around the Final Act against Korea around the 1991 Basic Agreement.

    When those events are not in the table, each lane is anchored on the
    first event of its track (or the first event at all).
    """
    sides = []
    for anchor, track in (
        ("helsinki-final-act", "csce"),
        ("inter-korean-basic-agreement", "korea-diplomacy"),
    ):
        if anchor not in tl.index:
            rows = np.flatnonzero(tl.track_of == track)
            anchor = tl.ids[rows[0]] if len(rows) else (tl.ids[0] if tl.n else "")
        sides.append(AlignSide(anchor, (track,) if track in tl.tracks else ()))
    return (sides[0], sides[1])


def check_align(tl, align) -> tuple[AlignSide, AlignSide]:
    """Two lanes, each an :class:`AlignSide`, a ``(anchor, tracks)`` pair or a dict."""
    if align is None:
        return default_align(tl)
    if isinstance(align, (str, AlignSide, Mapping)) or len(align) != 2:
        raise ValueError(
            "align must be two sides, e.g. (('helsinki-final-act', ['csce']), "
            "('inter-korean-basic-agreement', ['korea-diplomacy']))"
        )
    out = []
    for name, side in zip("AB", align):
        if isinstance(side, AlignSide):
            anchor, tracks, label = side.anchor, side.tracks, side.label
        elif isinstance(side, Mapping):
            unknown = set(side) - {"anchor", "tracks", "label"}
            if unknown:
                raise ValueError(
                    f"align side {name}: unknown key {sorted(unknown)[0]!r}; "
                    "allowed keys: anchor, tracks, label"
                )
            anchor, tracks, label = side.get("anchor"), side.get("tracks"), side.get("label")
        elif isinstance(side, str):
            anchor, tracks, label = side, None, None
        else:
            side = tuple(side)
            if not 1 <= len(side) <= 3:
                raise ValueError(f"align side {name} must be (anchor, tracks) or (anchor, tracks, label)")
            anchor, tracks, label = (tuple(side) + (None, None))[:3]
        if anchor not in tl.index:
            raise ValueError(
                f"unknown anchor event {anchor!r} for lane {name}; give the id of an event "
                f"in the table (e.g. {_allowed(tl.ids[:3])})"
            )
        tracks = check_tracks(
            tracks if tracks is not None else tl.track_of[tl.index[anchor]],
            tl.tracks,
            name=f"the tracks of lane {name}",
        )
        out.append(AlignSide(anchor, tracks, label))
    return (out[0], out[1])


def make_state(
    tl,
    *,
    start=None,
    end=None,
    tracks=None,
    era=None,
    actors=None,
    search="",
    selected=None,
    mode="calendar",
    align=None,
    window=(-20, 30),
) -> ViewState:
    """Check saved-view parameters against ``tl`` and return a :class:`ViewState`; ``ValueError`` names a bad one."""
    start = to_timestamp(tl.first_year if start is None else start, name="start")
    end = to_timestamp(tl.last_year if end is None else end, name="end", end=True)
    if start > end:
        raise ValueError(
            f"start ({start.date()}) is after end ({end.date()}); start must be on or before end"
        )
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; allowed modes: {_allowed(MODES)}")
    if selected is not None and selected not in tl.index:
        raise ValueError(f"unknown event {selected!r} for selected; give the id of an event in the table")
    if search is None:
        search = ""
    if not isinstance(search, str):
        raise ValueError(f"search must be a string, not {type(search).__name__}")
    try:
        lo, hi = (float(w) for w in window)
    except (TypeError, ValueError):
        raise ValueError(
            f"window must be two numbers of years (before, after), e.g. (-20, 30), not {window!r}"
        ) from None
    if lo > hi:
        raise ValueError(f"window {window!r} starts after it ends; give (before, after) with before <= after")
    return ViewState(
        start=start,
        end=end,
        tracks=check_tracks(tracks, tl.tracks),
        actors=check_actors(tl, actors),
        search=search,
        eras=check_eras(tl, era),
        selected=selected,
        mode=mode,
        align=check_align(tl, align),
        window=(lo, hi),
    )

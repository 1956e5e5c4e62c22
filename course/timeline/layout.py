"""Where each event is drawn: slots, lanes, sub-rows and aligned offsets.

Two kinds of layout put events on the x axis:

* ``calendar``: real dates, one swimlane per track.
* ``aligned``: two lanes, "A" and "B", each holding some tracks, with
  x = years since an anchor event chosen for that lane
  (:func:`years_since`), so that, say, Europe's years around the Helsinki
  Final Act can be laid over Korea's years around the 1991 Basic Agreement.

A *slot* is one drawn copy of an event. In calendar mode every event has one
slot; in aligned mode an event has one slot per lane whose tracks include it.
A :class:`SlotLayout` depends only on the mode and the alignment, so the
timeline computes it once and caches it; filtering only changes which slots
are shown. It carries, per slot, what a figure needs to draw it (id, track,
title, date text), so that a figure needs nothing but the scene.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["SlotLayout", "years_since", "pack_rows", "calendar_layout", "aligned_layout", "MAX_ROWS"]

#: At most this many sub-rows inside one lane (see :func:`pack_rows`).
MAX_ROWS = 3
#: Share of a lane's height that its sub-rows spread over.
LANE_SPREAD = 0.6


@dataclass(frozen=True, eq=False)
class SlotLayout:
    """Where each slot sits, and what it shows. Depends only on the mode and the alignment."""

    key: tuple
    mode: str
    event: np.ndarray  # slot -> row of Timeline.events
    lane: np.ndarray  # slot -> lane number (0 = top)
    y: np.ndarray  # slot -> y position (lane centre plus sub-row offset)
    x0: np.ndarray  # calendar: datetime64[ns] as float; aligned: years since the lane's anchor
    x1: np.ndarray  # end of the slot (x0 for point events)
    is_range: np.ndarray  # slot -> drawn as a bar
    rank: np.ndarray  # slot -> position in story order
    ids: np.ndarray  # slot -> event id
    track: np.ndarray  # slot -> track slug
    title: np.ndarray  # slot -> event title
    when: np.ndarray  # slot -> the event's date as text
    lane_labels: tuple[str, ...]
    lane_tracks: tuple[tuple[str, ...], ...]
    track_labels: dict  # track slug -> display label
    anchors: tuple[int, ...] = ()  # aligned: event row of each lane's anchor
    anchor_titles: tuple[str, ...] = ()  # aligned: title of each lane's anchor

    def __len__(self) -> int:
        return len(self.event)


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
        for r, f in enumerate(free_at):  # noqa: B007 (r is read after the loop)
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
# Layouts
# --------------------------------------------------------------------------
def _finish(tl, key, mode, event, lane, x0, x1, labels, lane_tracks, anchors=()) -> SlotLayout:
    n_lanes = len(labels)
    rows = np.zeros(len(event), dtype=int)
    span = (np.nanmax(x1) - np.nanmin(x0)) if len(event) else 0.0
    for ln in range(n_lanes):
        sel = np.flatnonzero(lane == ln)
        if len(sel):
            order = sel[np.lexsort((tl.ids[event[sel]], x0[sel]))]
            rows[order] = pack_rows(x0[order], x1[order], min_width=span / 40)
    y = lane + _row_offsets(lane, rows)
    # story order: by start, then lane, then id
    rank = np.empty(len(event), dtype=int)
    rank[np.lexsort((tl.ids[event], lane, x0))] = np.arange(len(event))
    return SlotLayout(
        key=key,
        mode=mode,
        event=event,
        lane=lane,
        y=y,
        x0=x0,
        x1=x1,
        is_range=tl.is_range[event],
        rank=rank,
        ids=tl.ids[event],
        track=tl.track_of[event],
        title=tl.title_of[event],
        when=tl.when_of[event],
        lane_labels=tuple(labels),
        lane_tracks=tuple(lane_tracks),
        track_labels=dict(tl.track_labels),
        anchors=tuple(anchors),
        anchor_titles=tuple(tl.titles[a] for a in anchors),
    )


def calendar_layout(tl) -> SlotLayout:
    """One slot per event, one lane per track (in the schema's order)."""
    event = np.arange(tl.n)
    return _finish(
        tl,
        ("calendar",),
        "calendar",
        event,
        tl.track_index.copy(),
        tl.start_ns.astype(float),
        tl.end_ns.astype(float),
        [tl.track_labels[t] for t in tl.tracks],
        [(t,) for t in tl.tracks],
    )


def aligned_layout(tl, align) -> SlotLayout:
    """Two lanes, each the events of its side's tracks in years since its anchor."""
    events, lanes, x0s, x1s, labels, anchors = [], [], [], [], [], []
    for ln, side in enumerate(align):
        a = tl.index[side.anchor]
        rows = np.flatnonzero(np.isin(tl.track_of, list(side.tracks)))
        anchor_date = tl.events["date"].iloc[a]
        events.append(rows)
        lanes.append(np.full(len(rows), ln))
        x0s.append(years_since(tl.events["date"].iloc[rows], anchor_date))
        ends = tl.events["end_date"].iloc[rows].fillna(tl.events["date"].iloc[rows])
        x1s.append(years_since(ends, anchor_date))
        title = tl.titles[a]
        labels.append(side.label or f"{'AB'[ln]}: {title if len(title) <= 38 else title[:37] + '…'}")
        anchors.append(a)
    return _finish(
        tl,
        ("aligned", align),
        "aligned",
        np.concatenate(events).astype(int),
        np.concatenate(lanes).astype(int),
        np.concatenate(x0s),
        np.concatenate(x1s),
        labels,
        [s.tracks for s in align],
        anchors,
    )

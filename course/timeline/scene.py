"""A :class:`Scene`: everything one :class:`~course.timeline.state.ViewState` puts on screen.

The scene is complete: the figure draws it (its layout, shown and matched
slots, selection, x range, era bands) and the side panel shows its
``entries`` (the events list), ``detail`` (the selected event),
``count_text`` and ``description`` (the text alternative), without asking
the model anything more.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import SimpleNamespace

import numpy as np

from . import text
from .layout import SlotLayout
from .state import ViewState

__all__ = ["Offset", "Detail", "EraBand", "Scene", "build_scene", "shown_lanes", "step"]


@dataclass(frozen=True)
class Offset:
    """Aligned mode: where one drawn copy of the selected event sits."""

    lane: str  # "A" or "B"
    years: float  # years since the lane's anchor
    anchor_title: str


@dataclass(frozen=True)
class Detail:
    """The selected event, as the detail panel shows it."""

    id: str
    title: str
    when: str
    track: str
    track_label: str
    description: str
    actors: tuple[str, ...]
    source_url: str
    offsets: tuple[Offset, ...] = ()


@dataclass(frozen=True)
class EraBand:
    """One shaded band of an era (calendar mode)."""

    era: str
    colour_index: int  # position of its era among all eras, for a fill colour
    start: str  # ISO dates
    end: str
    label: str
    description: str


@dataclass(frozen=True, eq=False)
class Scene:
    """What is on screen for one state."""

    state: ViewState
    layout: SlotLayout
    shown: np.ndarray  # slot -> shown
    matched: np.ndarray  # slot -> shown and matching the search
    selected_slots: np.ndarray
    order: tuple[str, ...]  # shown event ids, story order, each once
    rows: np.ndarray  # their rows in Timeline.events
    hits: tuple[str, ...]  # shown events matching the search, story order, each once
    n_total: int
    x_range: tuple
    eras: tuple[str, ...]  # eras drawn (calendar mode only)
    era_bands: tuple[EraBand, ...]
    lanes: tuple[int, ...]  # the lanes drawn, top to bottom (calendar mode: the lanes of the tracks on)
    entries: tuple[tuple[str, str], ...]  # (label, id) of each shown event, for the events list
    detail: Detail | None
    count_text: str
    description: str

    @property
    def n_shown(self) -> int:
        return len(self.order)

    @property
    def empty(self) -> bool:
        return not self.order

    @property
    def selected(self) -> str | None:
        return self.state.selected

    @property
    def lane_labels(self) -> tuple[str, ...]:
        """Labels of the lanes drawn, top to bottom."""
        return tuple(self.layout.lane_labels[k] for k in self.lanes)

    def lane_positions(self) -> np.ndarray:
        """Where each lane of the layout is drawn: 0 for the top lane drawn, 1 for the next; NaN if hidden."""
        pos = np.full(len(self.layout.lane_labels), np.nan)
        pos[list(self.lanes)] = np.arange(len(self.lanes))
        return pos


def shown_lanes(lay: SlotLayout, state: ViewState) -> tuple[int, ...]:
    """The lanes a state draws: in calendar mode only those of the tracks that are on; in aligned mode both."""
    if lay.mode != "calendar":
        return tuple(range(len(lay.lane_labels)))
    on = set(state.tracks)
    return tuple(k for k, tracks in enumerate(lay.lane_tracks) if any(t in on for t in tracks))


def _entries(tl, lay: SlotLayout, story_slots: np.ndarray) -> tuple[tuple[str, str], ...]:
    """(label, id) per shown event; in aligned mode the label starts with its lane(s) and offset(s)."""
    if lay.mode == "calendar":
        entries = tl.entries
        return tuple([entries[i] for i in lay.event[story_slots].tolist()])
    where: dict[int, list[str]] = {}
    for sl in story_slots:
        where.setdefault(int(lay.event[sl]), []).append(f"{'AB'[lay.lane[sl]]} {lay.x0[sl]:+.1f} y")
    return tuple((f"{', '.join(w)} · {tl.labels[i]}", tl.ids[i]) for i, w in where.items())


def _entries_memo(tl, lay: SlotLayout, order: tuple, story_slots: np.ndarray) -> tuple[tuple[str, str], ...]:
    """The entries of the last scene when the same events are shown in the same layout (a search, a selection)."""
    key = (lay.key, order)
    if tl._entries_memo[0] != key:
        tl._entries_memo = (key, _entries(tl, lay, story_slots))
    return tl._entries_memo[1]


def _detail(tl, lay: SlotLayout, sel_slots: np.ndarray, selected: str | None) -> Detail | None:
    if selected is None:
        return None
    i = tl.index[selected]
    offsets = ()
    if lay.mode == "aligned":
        offsets = tuple(
            Offset("AB"[lay.lane[s]], float(lay.x0[s]), lay.anchor_titles[lay.lane[s]]) for s in sel_slots
        )
    return Detail(
        id=selected,
        title=tl.titles[i],
        when=tl.when[i],
        track=tl.track_of[i],
        track_label=tl.track_labels[tl.track_of[i]],
        description=tl.descriptions[i],
        actors=tuple(tl.event_actors[i]),
        source_url=tl.source_urls[i],
        offsets=offsets,
    )


def _shown(tl, lay: SlotLayout, state: ViewState) -> tuple:
    """The shown slots, in story order, and their events; kept for the next scene while the filters stay.

    A search or a selection then costs only its own part of the scene.
    """
    calendar = state.mode == "calendar"
    key = (lay.key, state.actors) + ((state.tracks, state.start, state.end) if calendar else (state.window,))
    if tl._shown_memo[0] == key:
        return tl._shown_memo[1]
    ok = tl.actor_mask(state.actors)
    if calendar:
        on = np.zeros(len(tl.tracks), dtype=bool)
        on[[tl.lane_of_track[t] for t in state.tracks]] = True
        ok = ok & on[tl.track_index]
        lo, hi = float(state.start.value), float(state.end.value)
        x_range = (state.start, state.end)
    else:
        lo, hi = state.window
        x_range = state.window
    shown = ok[lay.event] & (lay.x0 <= hi) & (lay.x1 >= lo)
    slots = np.flatnonzero(shown)
    story_slots = slots[np.argsort(lay.rank[slots])]
    if calendar:  # one slot per event
        rows = lay.event[story_slots]
    else:  # an event in both lanes is listed once, at its first slot
        rows = np.fromiter(dict.fromkeys(lay.event[story_slots].tolist()), dtype=int)
    for a in (shown, story_slots, rows):
        a.flags.writeable = False  # shared by the scenes that reuse them
    out = (shown, story_slots, rows, tuple(tl.ids[rows].tolist()), x_range)
    tl._shown_memo = (key, out)
    return out


def build_scene(tl, state: ViewState) -> Scene:
    """What ``state`` puts on screen in timeline ``tl``. The selection is dropped if its event is not shown."""
    lay = tl.layout(state.mode, state.align)
    shown, story_slots, rows, order, x_range = _shown(tl, lay, state)
    searching = bool(state.search.strip())
    if searching:
        matched = shown & tl.search_mask(state.search)[lay.event]
        hits = tuple(dict.fromkeys(lay.ids[story_slots[matched[story_slots]]]))
    else:
        matched, hits = np.zeros(len(lay), dtype=bool), ()
    selected = state.selected if state.selected in order else None
    if selected != state.selected:
        state = replace(state, selected=selected)
    sel_slots = (
        np.flatnonzero(shown & (lay.event == tl.index[selected]))
        if selected is not None
        else np.zeros(0, dtype=int)
    )
    eras = state.eras if state.mode == "calendar" else ()
    parts = dict(
        state=state,
        layout=lay,
        shown=shown,
        matched=matched,
        selected_slots=sel_slots,
        order=order,
        rows=rows,
        hits=hits,
        n_total=tl.n,
        x_range=x_range,
        eras=eras,
        era_bands=tl.era_bands(eras),
        lanes=shown_lanes(lay, state),
        entries=_entries_memo(tl, lay, order, story_slots),
        detail=_detail(tl, lay, sel_slots, selected),
        count_text=text.count_text(len(order), tl.n, searching, len(hits)),
    )
    return Scene(**parts, description=text.describe(tl, SimpleNamespace(**parts)))


def step(scene: Scene, direction: int) -> str | None:
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

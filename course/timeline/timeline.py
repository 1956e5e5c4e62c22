"""The :class:`Timeline`: the two tables, prepared once, with the indexes every scene reads."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import layout as _layout
from . import state as _state
from .events import era_names, prepare_eras, prepare_events
from .scene import EraBand, Scene, build_scene, step
from .schema import TimelineSchema, load_schema
from .search import SearchIndex
from .state import AlignSide, ViewState
from .text import format_date, format_when, settings_lines, split_actors

__all__ = ["Timeline"]


class Timeline:
    """An events table and an eras table, with everything computed from them.

    Parameters
    ----------
    events:
        A DataFrame with :data:`~course.timeline.events.EVENT_COLUMNS`
        (see ``course.data.load_events``).
    eras:
        A DataFrame or a list of dicts with
        :data:`~course.timeline.events.ERA_COLUMNS` (see
        ``course.data.load_eras``); ``None`` or empty for no eras.
    schema:
        The rules of the tables (default: ``datasets/datapackage.json``, as
        ``course.data`` finds it). The allowed tracks, in lane order, are its
        enum for ``events.track``.
    trusted:
        Names of the tables (``"events"``, ``"eras"``) that come from
        ``course.data``, which validated them on load; they are only typed.
        Every other table is checked once against the schema's rules, and a
        broken rule raises a ``ValueError`` naming it. :meth:`from_course_data`
        sets this for you.
    """

    def __init__(self, events: pd.DataFrame, eras=None, *, schema: TimelineSchema | None = None, trusted=()):
        self.schema = schema = schema or load_schema()
        self.tracks: tuple[str, ...] = schema.tracks
        self.track_labels: dict[str, str] = schema.track_labels
        self.events = ev = prepare_events(events, schema, trusted="events" in trusted)
        self.eras = prepare_eras(eras, schema, trusted="eras" in trusted)
        self.era_names = era_names(self.eras)
        self.n = len(ev)
        self.ids: np.ndarray = ev["id"].to_numpy(dtype=object)
        self.index: dict[str, int] = {k: i for i, k in enumerate(self.ids)}
        self.start_ns = ev["date"].to_numpy().astype("int64")
        end = ev["end_date"].fillna(ev["date"])
        self.end_ns = end.to_numpy().astype("int64")
        self.is_range = (ev["end_date"].notna() & (ev["end_date"] > ev["date"])).to_numpy()
        self.track_of: np.ndarray = ev["track"].to_numpy(dtype=object)
        self.lane_of_track = {t: k for k, t in enumerate(self.tracks)}
        self.track_index = np.array([self.lane_of_track[t] for t in self.track_of], dtype=int)
        self.precision: list[str] = ev["precision"].tolist()
        self.event_actors = [split_actors(a) for a in ev["actors"]]
        self.actors: tuple[str, ...] = tuple(
            sorted({a for row in self.event_actors for a in row}, key=str.casefold)
        )
        self.actor_column = {a: j for j, a in enumerate(self.actors)}
        self.actor_matrix = np.zeros((self.n, len(self.actors)), dtype=bool)
        for i, row in enumerate(self.event_actors):
            for a in row:
                self.actor_matrix[i, self.actor_column[a]] = True
        self.titles: list[str] = ev["title"].tolist()
        self.descriptions: list[str] = ev["description"].tolist()
        self.source_urls: list[str] = ev["source_url"].tolist()
        self._search = SearchIndex([f"{t}\n{d}" for t, d in zip(self.titles, self.descriptions)])
        self.when = [format_when(d, e, p) for d, e, p in zip(ev["date"], ev["end_date"], self.precision)]
        self.short_when = [format_date(d, p, short=True) for d, p in zip(ev["date"], self.precision)]
        self.short_end = [format_date(e, p, short=True) for e, p in zip(end, self.precision)]
        self.labels = [f"{w} · {t}" for w, t in zip(self.short_when, self.titles)]
        self.entries = [(label, i) for label, i in zip(self.labels, self.ids.tolist())]
        self.title_of = np.array(self.titles, dtype=object)
        self.when_of = np.array(self.when, dtype=object)
        self._layouts: dict[tuple, _layout.SlotLayout] = {}
        self._settings_memo: tuple = (None, ())  # the last scene's settings lines (see settings_lines)
        self._entries_memo: tuple = (None, ())  # the last scene's events list (see scene.py)
        self._shown_memo: tuple = (None, ())  # the last scene's shown slots (see scene.py)
        order = list(self.era_names)
        self._bands = tuple(
            EraBand(
                era=e,
                colour_index=order.index(e),
                start=a.date().isoformat(),
                end=b.date().isoformat(),
                label=lab,
                description=d,
            )
            for e, a, b, lab, d in zip(
                self.eras["era"],
                self.eras["start"],
                self.eras["end"],
                self.eras["label"],
                self.eras["description"],
            )
        )
        self._era_info = {}
        for era, bands in self.eras.groupby("era", sort=False):
            spans = "; ".join(
                str(a.year) if a.year == b.year else f"{a.year} to {b.year}"
                for a, b in zip(bands["start"], bands["end"])
            )
            self._era_info[era] = (
                f"{self.era_names[era]} ({spans})",
                bands["start"].to_numpy().astype("int64"),
                bands["end"].to_numpy().astype("int64"),
            )
        if self.n:
            self.first_year = int(ev["date"].iloc[0].year)
            self.last_year = int(max(ev["date"].max(), end.max()).year)
        else:
            self.first_year = self.last_year = pd.Timestamp.today().year

    @classmethod
    def from_course_data(cls, events=None, eras=None, datasets=None) -> Timeline:
        """The course's tables from ``course.data`` (validated on load), or your own in their place.

        A table you pass is checked against the schema of the same data package.
        """
        from course import data

        trusted = tuple(name for name, table in (("events", events), ("eras", eras)) if table is None)
        if events is None:
            events = data.load_events(datasets)
        if eras is None:
            eras = data.load_eras(datasets)
        return cls(events, eras, schema=load_schema(datasets), trusted=trusted)

    # ---- checking a state (see course.timeline.state) ------------------------
    def check_tracks(self, tracks, *, name: str = "tracks") -> tuple[str, ...]:
        return _state.check_tracks(tracks, self.tracks, name=name)

    def check_actors(self, actors) -> tuple[str, ...]:
        return _state.check_actors(self, actors)

    def check_eras(self, era) -> tuple[str, ...]:
        return _state.check_eras(self, era)

    def check_align(self, align) -> tuple[AlignSide, AlignSide]:
        return _state.check_align(self, align)

    def default_align(self) -> tuple[AlignSide, AlignSide]:
        return _state.default_align(self)

    def make_state(self, **view) -> ViewState:
        """Check saved-view parameters (see :func:`course.timeline.state.make_state`)."""
        return _state.make_state(self, **view)

    # ---- what scenes read ----------------------------------------------------
    def layout(self, mode: str, align: tuple[AlignSide, AlignSide] | None = None) -> _layout.SlotLayout:
        """The slot layout of a mode (and alignment), computed once."""
        key = ("calendar",) if mode == "calendar" else ("aligned", align)
        lay = self._layouts.get(key)
        if lay is None:
            lay = _layout.calendar_layout(self) if mode == "calendar" else _layout.aligned_layout(self, align)
            self._layouts[key] = lay
        return lay

    def search_mask(self, query: str) -> np.ndarray:
        """Events whose title or description holds every word of ``query`` (accents and case ignored)."""
        return self._search.mask(query)

    def actor_mask(self, actors) -> np.ndarray:
        if not actors:
            return np.ones(self.n, dtype=bool)
        return self.actor_matrix[:, [self.actor_column[a] for a in actors]].any(axis=1)

    def era_bands(self, eras: tuple[str, ...]) -> tuple[EraBand, ...]:
        """The bands of the given eras, in start order."""
        return tuple(b for b in self._bands if b.era in eras) if eras else ()

    def describe_era(self, era: str, s: ViewState) -> str:
        """``'Détente (1969 to 1979)'``, with ``[outside the period]`` when no band overlaps it."""
        name, starts, ends = self._era_info[era]
        inside = bool(((starts <= s.end.value) & (ends >= s.start.value)).any())
        return name + ("" if inside else " [outside the period]")

    def settings_lines(self, state: ViewState, lay) -> tuple[str, ...]:
        """The description's lines about the settings; kept for the next scene while they stay the same."""
        key = (
            state.mode,
            state.start,
            state.end,
            state.tracks,
            state.actors,
            state.align,
            state.window,
            lay.key,
        )
        if self._settings_memo[0] != key:
            self._settings_memo = (key, tuple(settings_lines(self, state, lay)))
        return self._settings_memo[1]

    def event_label(self, i: int) -> str:
        """``'1 Aug 1975 · Helsinki Final Act signed'``."""
        return self.labels[i]

    # ---- scenes --------------------------------------------------------------
    def scene(self, state: ViewState) -> Scene:
        """Everything ``state`` puts on screen (see :func:`course.timeline.scene.build_scene`)."""
        return build_scene(self, state)

    def step(self, scene: Scene, direction: int) -> str | None:
        """The event before (-1) or after (+1) the selection (see :func:`course.timeline.scene.step`)."""
        return step(scene, direction)

    def describe(self, scene: Scene) -> str:
        """The scene's text description (built with the scene)."""
        return scene.description

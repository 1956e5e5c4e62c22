"""Draw a :class:`~course.timeline.Scene` with plotly, and keep a figure in step with it.

The figure has a fixed set of traces, so that it can be updated in place:

=====  ===========  ==========================================================
index  name         what it holds
=====  ===========  ==========================================================
0      events       one marker per slot: filled for a point event, open at
                    the start of a range event (so that short ranges stay
                    visible and clickable)
1      bars         one bar per range-event slot
2      matches      a ring around each shown event that matches the search
3      selected     a square frame around the selected event
4-8    legend       one legend entry per track (colour and shape), no data
=====  ===========  ==========================================================

Traces 0-3 hold every slot of the layout (mode and alignment), each in a
fixed place, with its x, text and ``customdata`` (the event id) set once per
layout. What changes with a filter, a search or a selection is only ``y``:
a slot that is not drawn has ``y = NaN``, which plotly neither draws nor
hovers nor clicks. So the events a trace draws are
``[i for i, y in zip(trace.customdata, trace.y) if not isnan(y)]``.

Why y and not x: plotly.js resets an axis's type to "auto" whenever a
trace's data changes (``clearAxisTypes``), then guesses it again from the
first trace with x values. Keeping x fixed, and the date strings of trace 0
first, means the guess is always the type we set ("date" in calendar mode).

Colours are the Okabe–Ito palette (safe for the common colour-vision
deficiencies); each track also has its own marker shape, and every range
event carries its track's shape (open) at its start. (Bar fill patterns
would be a third cue, but plotly.js 3 mishandles per-bar colours together
with patterns.)
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.basedatatypes import Undefined

from course.timeline import Scene, SlotLayout, load_schema

__all__ = [
    "TRACK_COLOURS",
    "TRACK_SYMBOLS",
    "ERA_FILLS",
    "BARS",
    "EVENTS",
    "MATCHES",
    "SELECTED",
    "LEGEND",
    "new_figure",
    "FigureSync",
]

#: Okabe–Ito colours per track.
TRACK_COLOURS: dict[str, str] = {
    "csce": "#0072B2",  # blue
    "detente-arms-control": "#E69F00",  # orange
    "korea-diplomacy": "#009E73",  # bluish green
    "humanitarian": "#CC79A7",  # reddish purple
    "escalation": "#D55E00",  # vermillion
}
#: The x axis reaches this share of the shown span beyond each bound (see ``_x_range``).
X_PAD = 0.015

#: Marker shape per track (range events use the ``-open`` variant).
TRACK_SYMBOLS: dict[str, str] = {
    "csce": "circle",
    "detente-arms-control": "square",
    "korea-diplomacy": "diamond",
    "humanitarian": "triangle-up",
    "escalation": "x",
}
#: Fills for era bands, one per era in order (light Okabe–Ito tints).
#: Colours and shapes for a track the schema has but this module does not know.
SPARE_COLOURS = ("#56B4E9", "#F0E442", "#000000", "#999999")
SPARE_SYMBOLS = ("star", "hexagon", "pentagon", "cross")
ERA_FILLS = ("#56B4E9", "#F0E442", "#009E73", "#CC79A7", "#E69F00", "#999999")
ERA_OPACITY = 0.16

EVENTS, BARS, MATCHES, SELECTED = 0, 1, 2, 3
LEGEND = 4
DAY_MS = 86_400_000.0
EMPTY_TEXT = "No events match"


def track_style(track: str, tracks: tuple[str, ...]) -> tuple[str, str]:
    """(colour, marker symbol) of a track; a track new to the schema gets a spare one by its position."""
    if track in TRACK_COLOURS:
        return TRACK_COLOURS[track], TRACK_SYMBOLS[track]
    k = tracks.index(track) if track in tracks else 0
    return SPARE_COLOURS[k % len(SPARE_COLOURS)], SPARE_SYMBOLS[k % len(SPARE_SYMBOLS)]


def _iso(ns: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(ns.astype("int64").astype("datetime64[ns]"), unit="D").astype(object)


def _traces() -> list:
    hover = "%{text}<extra></extra>"
    traces = [None] * LEGEND
    traces[EVENTS] = go.Scatter(
        name="events",
        mode="markers",
        x=[],
        y=[],
        text=[],
        hovertemplate=hover,
        showlegend=False,
        marker=dict(size=11, line=dict(width=1.5)),
    )
    traces[BARS] = go.Bar(
        name="range events",
        orientation="h",
        x=[],
        y=[],
        base=[],
        width=0.22,
        text=[],
        textposition="none",
        hovertemplate=hover,
        showlegend=False,
        marker=dict(line=dict(width=1)),
    )
    traces[MATCHES] = go.Scatter(
        name="search match",
        mode="markers",
        x=[],
        y=[],
        text=[],
        hovertemplate=hover,
        marker=dict(symbol="circle-open", size=22, color="#000000", line=dict(width=2.5)),
        legendrank=1100,
    )
    traces[SELECTED] = go.Scatter(
        name="selected",
        mode="markers",
        x=[],
        y=[],
        text=[],
        hovertemplate=hover,
        marker=dict(symbol="square-open", size=26, color="#000000", line=dict(width=3)),
        legendrank=1200,
    )
    schema = load_schema()
    for k, t in enumerate(schema.tracks):
        colour, symbol = track_style(t, schema.tracks)
        traces.append(
            go.Scatter(
                name=schema.track_labels[t],
                mode="markers",
                x=[None],
                y=[None],
                hoverinfo="skip",
                marker=dict(symbol=symbol, color=colour, size=11),
                legendgroup=t,
                legendrank=1000 + k,
            )
        )
    return traces


BASE_LAYOUT = dict(
    height=460,
    margin=dict(l=10, r=10, t=70, b=40),
    template="plotly_white",
    hovermode="closest",
    clickmode="event",
    legend=dict(orientation="h", x=0, y=-0.2, yanchor="top", itemclick=False, itemdoubleclick=False),
    yaxis=dict(tickmode="array", zeroline=False, showgrid=False, fixedrange=True, automargin=True),
    xaxis=dict(showgrid=True, zeroline=False, automargin=True),
    uirevision="timeline",
)


def new_figure(widget: bool = True):
    """An empty timeline figure (a ``FigureWidget`` unless ``widget`` is false)."""
    fig = go.Figure(data=_traces(), layout=BASE_LAYOUT)
    if not widget:
        return fig
    from widgets.figures import (
        figure_widget,
    )  # re-running the cell reuses its FigureWidget (no second bundle)

    return figure_widget(fig)


class _Static:
    """Arrays that depend only on the slot layout, computed once per layout."""

    def __init__(self, lay: SlotLayout):
        tracks = lay.track
        self.bar_slots = np.flatnonzero(lay.is_range)
        if lay.mode == "calendar":
            self.x = _iso(lay.x0)
            self.bar_base = self.x[self.bar_slots]
            self.bar_len = (lay.x1 - lay.x0)[self.bar_slots] / 1e6  # ns -> ms, as plotly's date axes want
        else:
            self.x = lay.x0.astype(float)
            self.bar_base = self.x[self.bar_slots]
            self.bar_len = (lay.x1 - lay.x0)[self.bar_slots]
        self.lane = lay.lane
        self.offset = lay.y.astype(float) - lay.lane  # sub-row offset inside the lane
        self.ids = lay.ids
        labels = lay.track_labels
        text = [
            f"<b>{html.escape(t)}</b><br>{html.escape(w)} · {html.escape(labels[k])}"
            for t, w, k in zip(lay.title, lay.when, tracks)
        ]
        if lay.mode == "aligned":
            text = [
                f"{s}<br>{'AB'[ln]}: {x:+.2f} years since the anchor"
                for s, ln, x in zip(text, lay.lane, lay.x0)
            ]
        self.text = np.array(text, dtype=object)
        order = tuple(labels)
        style = {t: track_style(t, order) for t in labels}
        self.colour = np.array([style[t][0] for t in tracks], dtype=object)
        self.symbol = np.array(
            [style[t][1] + ("-open" if r else "") for t, r in zip(tracks, lay.is_range)], dtype=object
        )

    def ys(self, mask: np.ndarray, lane_pos: np.ndarray) -> np.ndarray:
        """y of every slot, NaN where ``mask`` is false (not drawn).

        ``lane_pos`` gives where each lane is drawn (:meth:`Scene.lane_positions`): a lane that is
        hidden (its track off) takes no room, and the lanes below it move up.
        """
        return np.where(mask, lane_pos[self.lane] + self.offset, np.nan)


class FigureSync:
    """Keeps one figure in step with successive scenes, sending only what changed."""

    def __init__(self, fig):
        self.fig = fig
        self._static: dict[tuple, _Static] = {}
        self._last: Scene | None = None
        self._deco: tuple | None = None
        self._ticks: tuple | None = None

    def static(self, lay: SlotLayout) -> _Static:
        st = self._static.get(lay.key)
        if st is None:
            st = self._static[lay.key] = _Static(lay)
        return st

    def apply(self, scene: Scene) -> None:
        """Bring the figure in line with ``scene``, sending only what changed.

        The per-point arrays -- x, text, ids, colours and symbols once per
        layout (mode or alignment), then only the ``y`` arrays of some of
        traces 0-3 (float arrays, NaN for a hidden slot) for a filter, a
        search or a selection -- and the axis settings go out in one
        ``plotly_update`` (the call that ``batch_update`` itself ends with),
        which skips plotly's per-property validation: for arrays of colours
        and symbols it would cost more than building the whole figure (see
        benchmarks/bench_timeline.py). Every value sent that way is made
        here from fixed palettes, numbers and ISO dates, and the tests check
        that the figure passes plotly's validators. The decorations (era
        bands, the anchor line, the "no events match" note) are compound
        objects that plotly only tracks when set through its validators; when
        they change they are set inside ``batch_update``, together with the
        rest unless the layout is new (then the arrays follow in a second
        message).
        """
        prev, lay = self._last, scene.layout
        st = self.static(lay)
        new_layout = prev is None or prev.layout is not lay
        deco = (lay.key, scene.eras, scene.empty)
        restyle: dict[int, dict[str, object]] = {}  # trace -> property path -> new value
        relayout: dict[str, object] = {}
        if new_layout:
            b = st.bar_slots
            restyle[EVENTS] = {
                "x": st.x,
                "text": st.text,
                "customdata": st.ids,
                "marker.color": st.colour,
                "marker.symbol": st.symbol,
            }
            restyle[BARS] = {
                "x": st.bar_len,
                "base": st.bar_base,
                "text": st.text[b],
                "customdata": st.ids[b],
                "marker.color": st.colour[b],
                "marker.line.color": st.colour[b],
            }
            for index in (MATCHES, SELECTED):
                restyle[index] = {"x": st.x, "text": st.text, "customdata": st.ids}
            calendar = lay.mode == "calendar"
            relayout.update(
                {
                    "xaxis.type": "date" if calendar else "linear",
                    "xaxis.title.text": None if calendar else "years since the anchor event of each lane",
                }
            )
        lanes_moved = new_layout or prev.lanes != scene.lanes
        if lanes_moved:  # only the lanes drawn take room (a track that is off has no empty lane)
            n = len(scene.lanes)
            relayout["yaxis.tickvals"] = list(range(n))
            relayout["yaxis.range"] = [max(n, 1) - 0.5, -0.5]
        pos = scene.lane_positions()
        if lanes_moved or not np.array_equal(prev.shown, scene.shown):
            y = st.ys(scene.shown, pos)
            restyle.setdefault(EVENTS, {})["y"] = y
            restyle.setdefault(BARS, {})["y"] = y[st.bar_slots]
        if lanes_moved or not np.array_equal(prev.matched, scene.matched):
            restyle.setdefault(MATCHES, {})["y"] = st.ys(scene.matched, pos)
        if lanes_moved or not np.array_equal(prev.selected_slots, scene.selected_slots):
            chosen = np.zeros(len(lay), dtype=bool)
            chosen[scene.selected_slots] = True
            restyle.setdefault(SELECTED, {})["y"] = st.ys(chosen, pos)
        if new_layout or prev.x_range != scene.x_range:
            relayout["xaxis.range"] = self._x_range(scene)
        ticks = self._tick_text(scene)
        if ticks != self._ticks:
            relayout["yaxis.ticktext"] = list(ticks)
        if deco != self._deco:
            shapes, notes = self._decorations(scene)
            with self.fig.batch_update():
                self.fig.layout.shapes = shapes
                self.fig.layout.annotations = notes
                if not new_layout:  # small edits: validated, in the same message
                    for index, props in restyle.items():
                        self.fig.data[index].y = props["y"]
                    for path, value in relayout.items():
                        self.fig.layout[path.replace(".", "_")] = value
                    restyle, relayout = {}, {}
            self._deco = deco
        if restyle or relayout:
            self._apply_fast(restyle, relayout)
        self._ticks = ticks
        self._last = scene

    def _apply_fast(self, restyle: dict[int, dict[str, object]], relayout: dict) -> None:
        indexes = sorted(restyle)
        paths = list(dict.fromkeys(p for i in indexes for p in restyle[i]))
        data = {}
        for path in paths:
            values = [restyle[i].get(path, Undefined) for i in indexes]
            for v in values:
                if isinstance(v, np.ndarray):
                    v.flags.writeable = False  # as plotly's validators leave arrays
            data[path] = values
        self.fig.plotly_update(
            restyle_data=data or None, relayout_data=relayout or None, trace_indexes=indexes or None
        )

    # ---- layout pieces -----------------------------------------------------
    @staticmethod
    def _x_range(scene: Scene) -> list:
        lo, hi = scene.x_range
        # a margin each side of X_PAD of the span, so that a marker on a bound is drawn whole: an 11 px
        # marker is half out at a bound, and the plot is some 540 px wide in a lesson
        if scene.layout.mode == "calendar":
            day = np.timedelta64(1, "D")
            pad = max(day, round((hi - lo) / day * X_PAD) * day)
            return [(lo - pad).date().isoformat(), (hi + pad).date().isoformat()]
        pad = max((hi - lo) * X_PAD, 0.05)
        return [lo - pad, hi + pad]

    @staticmethod
    def _tick_text(scene: Scene) -> tuple:
        """The labels of the lanes drawn (a track that is off has no lane, so no "(off)" label)."""
        return scene.lane_labels

    def _decorations(self, scene: Scene) -> tuple[list, list]:
        shapes, notes = [], []
        if scene.layout.mode == "calendar":
            for k, band in enumerate(scene.era_bands):
                fill = ERA_FILLS[band.colour_index % len(ERA_FILLS)]
                x0, x1 = band.start, band.end
                shapes.append(
                    dict(
                        type="rect",
                        xref="x",
                        yref="paper",
                        x0=x0,
                        x1=x1,
                        y0=0,
                        y1=1,
                        layer="below",
                        fillcolor=fill,
                        opacity=ERA_OPACITY,
                        line=dict(width=0),
                    )
                )
                notes.append(
                    dict(
                        x=x0,
                        y=1,
                        xref="x",
                        yref="paper",
                        xanchor="left",
                        yanchor="bottom",
                        yshift=2 + 15 * (k % 3),
                        showarrow=False,
                        text=html.escape(band.label),
                        hovertext=html.escape(band.description) or None,
                        font=dict(size=11, color="#333333"),
                    )
                )
        else:
            shapes.append(
                dict(
                    type="line",
                    xref="x",
                    yref="paper",
                    x0=0,
                    x1=0,
                    y0=0,
                    y1=1,
                    line=dict(color="#333333", width=1.5, dash="dash"),
                )
            )
            notes.append(
                dict(
                    x=0,
                    y=1,
                    xref="x",
                    yref="paper",
                    yanchor="bottom",
                    showarrow=False,
                    text="anchor events (year 0)",
                    font=dict(size=11, color="#333333"),
                )
            )
        if scene.empty:
            notes.append(
                dict(
                    x=0.5,
                    y=0.5,
                    xref="paper",
                    yref="paper",
                    showarrow=False,
                    text=EMPTY_TEXT,
                    font=dict(size=18, color="#333333"),
                    bgcolor="#ffffff",
                )
            )
        return shapes, notes

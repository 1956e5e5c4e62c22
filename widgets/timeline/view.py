"""``TimelineExplorer``: ipywidgets controls around one plotly ``FigureWidget``.

The explorer is a thin view. Each control changes one field of a
:class:`~course.timeline.ViewState`; the model turns the state into a complete
:class:`~course.timeline.Scene`; :class:`~widgets.timeline.figure.FigureSync`
updates the figure in place from it, and the side panel is assigned the
scene's events list, detail, count line and text description.
"""

from __future__ import annotations

import html
from dataclasses import replace
from urllib.parse import urlparse

import ipywidgets as ipw
import plotly.graph_objects as go
import plotly.io as pio

from course.timeline import Detail, Scene, Timeline, ViewState, to_timestamp, year_span

from .figure import BARS, EVENTS, MATCHES, SELECTED, FigureSync, new_figure

__all__ = ["TimelineExplorer"]

NO_SELECTION = (
    "<p class='timeline-detail-empty'>Click an event in the chart, or choose one in the "
    "list, to read about it here. Previous and Next walk the shown events in date order.</p>"
)


def _link(url: str) -> str:
    url = url.strip()
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return (
            f"<a href='{html.escape(url, quote=True)}' target='_blank' rel='noopener noreferrer'>"
            f"Source: {html.escape(parsed.netloc)}</a>"
        )
    return f"Source: {html.escape(url)}" if url else "No source given"


_UNSET = object()


def _detail_html(d: Detail | None) -> str:
    """The detail panel's HTML for a scene's :class:`~course.timeline.Detail` (every text escaped)."""
    if d is None:
        return NO_SELECTION
    esc = html.escape
    offsets = ""
    if d.offsets:
        parts = [f"lane {o.lane}: {o.years:+.2f} years since {esc(o.anchor_title)}" for o in d.offsets]
        offsets = f"<p style='margin:0.2em 0'>{'; '.join(parts)}</p>"
    return (
        "<div class='timeline-detail' role='region' aria-label='Selected event' aria-live='polite'>"
        f"<p style='margin:0;color:#444'>{esc(d.when)} · {esc(d.track_label)}</p>"
        f"<h4 style='margin:0.2em 0'>{esc(d.title)}</h4>"
        f"{offsets}"
        f"<p style='margin:0.3em 0'>{esc(d.description)}</p>"
        f"<p style='margin:0.3em 0'><b>Actors:</b> {esc('; '.join(d.actors))}</p>"
        f"<p style='margin:0.3em 0'>{_link(d.source_url)}</p>"
        "</div>"
    )


class _ExplorerBox(ipw.VBox):
    """The explorer's outer box.

    plotly's ``FigureWidget`` re-sends its whole state when it is displayed
    itself, because changes made before a front end shows it may not reach
    the browser otherwise. Inside a box the figure is never displayed itself,
    so the box does the same for it.
    """

    def __init__(self, children, figure, **kwargs):
        super().__init__(children, **kwargs)
        self._figure_widget = figure

    def _repr_mimebundle_(self, **kwargs):
        self._figure_widget._repr_mimebundle_()  # plotly's own state refresh; its output is not needed
        return super()._repr_mimebundle_(**kwargs)


class TimelineExplorer:
    """An interactive timeline of the course's events, 1963–2021.

    Parameters (all optional; together they are a *saved view*)
    ----------
    events, eras:
        DataFrames with the schema of ``course.data.load_events()`` and
        ``load_eras()`` (the defaults, validated when loaded). A table of your
        own is checked once against the rules of ``datasets/datapackage.json``
        (the allowed tracks and precisions are its enums); a problem raises a
        ``ValueError`` that names it. Pass ``eras=[]`` for no eras.
    start, end:
        The period shown: years (``1969``, meaning 1 January / 31 December)
        or dates (``"1975-08-01"``). Defaults: the whole table.
    tracks:
        Tracks shown (default all): the enum of ``events.track`` in
        ``datasets/datapackage.json`` (``csce``, ``detente-arms-control``,
        ``korea-diplomacy``, ``humanitarian``, ``escalation``).
    era:
        Era bands shaded: an era slug, a list of them, ``True`` for all, or
        ``None`` for none.
    actors:
        Show only events with any of these actors (default: all).
    search:
        Words to highlight (title and description; case and accents ignored).
    selected:
        The id of the event shown in the detail panel.
    mode:
        ``"calendar"`` (real dates) or ``"aligned"`` (years since an anchor).
    align:
        The two lanes of the aligned mode: ``((anchor_id, tracks), (anchor_id, tracks))``.
        Default: the Final Act with the CSCE track against the 1991
        Inter-Korean Basic Agreement with the Korea-diplomacy track.
    window:
        Years before and after the anchors shown in aligned mode, e.g. ``(-20, 30)``.

    Bad values raise ``ValueError`` naming the value and what is allowed.

    Controls (drive them from Python as a learner would in the browser):
    ``year_range``, ``mode``, ``track_toggles[track]``, ``era_toggles[era]``,
    ``actor_select``, ``actor_clear``, ``search``, ``event_list``,
    ``prev_button``, ``next_button``, ``anchor_a``, ``tracks_a``, ``anchor_b``,
    ``tracks_b``, ``window``. Outputs: ``fig`` (the ``FigureWidget``),
    ``count``, ``detail``, ``summary``; ``widget`` is the whole box.

    Display the explorer itself (or ``explorer.widget``). Read it with
    :meth:`describe` (one ``Name: value`` line each: Mode, Period or Lane
    A/B and Window, Tracks, Actors, Shown, Events (their span and the first
    few titles), Eras, Search, Selected),
    :attr:`count_text`, :attr:`selected` and :attr:`shown_ids`; change it
    with the controls, :meth:`select`, :meth:`step` or :meth:`set_view`.
    """

    def __init__(
        self,
        events=None,
        eras=None,
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
    ):
        if events is None or eras is None:  # the course's tables, validated by course.data on load
            self.timeline = tl = Timeline.from_course_data(events=events, eras=eras)
        else:  # the caller's own tables, checked once against the schema
            self.timeline = tl = Timeline(events, eras)
        self.state: ViewState = tl.make_state(
            start=start,
            end=end,
            tracks=tracks,
            era=era,
            actors=actors,
            search=search,
            selected=selected,
            mode=mode,
            align=align,
            window=window,
        )
        self._quiet = False
        self._build_controls()
        self.fig = new_figure(widget=True)
        self._sync = FigureSync(self.fig)
        for index in (BARS, EVENTS, MATCHES, SELECTED):
            self.fig.data[index].on_click(self._click_handler(index))
        self.widget = self._build_box()
        self._scene: Scene | None = None
        self._entries: object = _UNSET  # what the panel widgets show now (assigned only when it changes)
        self._detail: object = _UNSET
        self._sync_controls()
        self._render()

    # ------------------------------------------------------------------ controls
    def _build_controls(self) -> None:
        tl, s = self.timeline, self.state
        lo = min(tl.first_year, s.start.year)
        hi = max(tl.last_year, s.end.year)
        self.year_range = ipw.IntRangeSlider(
            value=(s.start.year, s.end.year),
            min=lo,
            max=hi,
            step=1,
            description="Years",
            continuous_update=False,
            layout=ipw.Layout(width="420px"),
            tooltip="Period shown; arrow keys move the focused handle",
        )
        self.mode = ipw.ToggleButtons(
            options=[("Calendar", "calendar"), ("Aligned", "aligned")],
            value=s.mode,
            description="View",
            tooltips=["Real dates, one lane per track", "Years since an anchor event, two lanes"],
            style={"button_width": "90px"},
        )
        labels = tl.track_labels
        toggle_layout = ipw.Layout(
            width="auto"
        )  # one layout widget for all toggles (never changed per toggle)
        self.track_toggles = {
            t: ipw.ToggleButton(
                value=t in s.tracks,
                description=labels[t],
                tooltip=f"Show the {labels[t]} track",
                layout=toggle_layout,
            )
            for t in tl.tracks
        }
        self.era_toggles = {
            e: ipw.ToggleButton(
                value=e in s.eras, description=name, tooltip=f"Shade the era: {name}", layout=toggle_layout
            )
            for e, name in tl.era_names.items()
        }
        self.actor_select = ipw.SelectMultiple(
            options=list(tl.actors),
            value=list(s.actors),
            rows=7,
            description="Actors",
            tooltip="Show only events with any of the chosen actors",
            layout=ipw.Layout(width="300px"),
        )
        self.actor_clear = ipw.Button(
            description="All actors", tooltip="Clear the actor filter", layout=ipw.Layout(width="auto")
        )
        self.search = ipw.Text(
            value=s.search,
            description="Search",
            placeholder="words in titles and descriptions",
            continuous_update=True,
            layout=ipw.Layout(width="420px"),
        )
        self.count = ipw.HTML()
        # the list has the whole width of the explorer, so that a long title is not cut off
        self.event_list = ipw.Select(
            options=[], rows=10, description="Events", layout=ipw.Layout(width="100%")
        )
        self.prev_button = ipw.Button(
            description="Previous", icon="arrow-left", tooltip="The event before, in date order"
        )
        self.next_button = ipw.Button(
            description="Next", icon="arrow-right", tooltip="The event after, in date order"
        )
        self.detail = ipw.HTML(layout=ipw.Layout(width="100%"))
        self._summary_text = ipw.HTML()
        self.summary = ipw.Accordion(
            children=[self._summary_text], titles=("Text description of the chart",), selected_index=None
        )
        event_options = [(tl.event_label(i), tl.ids[i]) for i in range(tl.n)]
        a, b = s.align
        self.anchor_a = ipw.Dropdown(
            options=event_options, value=a.anchor, description="A: anchor", layout=ipw.Layout(width="420px")
        )
        self.anchor_b = ipw.Dropdown(
            options=event_options, value=b.anchor, description="B: anchor", layout=ipw.Layout(width="420px")
        )
        track_options = [(labels[t], t) for t in tl.tracks]
        self.tracks_a = ipw.SelectMultiple(
            options=track_options, value=list(a.tracks), rows=5, description="A: tracks"
        )
        self.tracks_b = ipw.SelectMultiple(
            options=track_options, value=list(b.tracks), rows=5, description="B: tracks"
        )
        self.window = ipw.IntRangeSlider(
            value=(int(s.window[0]), int(s.window[1])),
            min=min(-60, int(s.window[0])),
            max=max(60, int(s.window[1])),
            description="Years ±",
            continuous_update=False,
            tooltip="Years before and after the anchors",
            layout=ipw.Layout(width="420px"),
        )

        self.year_range.observe(self._on_years, "value")
        self.mode.observe(self._on_mode, "value")
        for t in self.track_toggles.values():
            t.observe(self._on_tracks, "value")
        for t in self.era_toggles.values():
            t.observe(self._on_eras, "value")
        self.actor_select.observe(self._on_actors, "value")
        self.actor_clear.on_click(lambda _: setattr(self.actor_select, "value", ()))
        self.search.observe(self._on_search, "value")
        self.event_list.observe(self._on_list, "value")
        self.prev_button.on_click(lambda _: self.step(-1))
        self.next_button.on_click(lambda _: self.step(+1))
        for w in (self.anchor_a, self.anchor_b, self.tracks_a, self.tracks_b):
            w.observe(self._on_align, "value")
        self.window.observe(self._on_window, "value")

    def _build_box(self) -> ipw.VBox:
        self.aligned_box = ipw.VBox(
            [ipw.HBox([self.anchor_a, self.tracks_a]), ipw.HBox([self.anchor_b, self.tracks_b]), self.window]
        )
        self.calendar_box = ipw.VBox(
            [
                ipw.HBox(
                    [ipw.Label("Tracks:"), *self.track_toggles.values()],
                    layout=ipw.Layout(flex_flow="row wrap"),
                ),
                ipw.HBox(
                    [ipw.Label("Eras:"), *self.era_toggles.values()], layout=ipw.Layout(flex_flow="row wrap")
                ),
            ]
        )
        # stable hooks for styling and for the browser tests
        for w, name in (
            (self.year_range, "years"),
            (self.search, "search"),
            (self.count, "count"),
            (self.detail, "detail"),
            (self.event_list, "events"),
            (self.next_button, "next"),
            (self.prev_button, "prev"),
            (self.fig, "figure"),
        ):
            w.add_class(f"timeline-{name}")
        for t, w in self.track_toggles.items():
            w.add_class(f"timeline-track-{t}")
        box = _ExplorerBox(
            [
                ipw.HBox([self.mode, self.year_range], layout=ipw.Layout(flex_flow="row wrap")),
                self.calendar_box,
                self.aligned_box,
                ipw.HBox(
                    [self.search, self.count], layout=ipw.Layout(align_items="center", flex_flow="row wrap")
                ),
                self.fig,
                self.event_list,
                ipw.HBox(
                    [
                        ipw.VBox(
                            [
                                ipw.HBox([self.prev_button, self.next_button]),
                                ipw.HBox([self.actor_select, self.actor_clear]),
                            ]
                        ),
                        ipw.VBox([self.detail], layout=ipw.Layout(flex="1 1 300px", padding="0 0 0 12px")),
                    ],
                    layout=ipw.Layout(flex_flow="row wrap"),
                ),
                self.summary,
            ],
            self.fig,
        )
        box.add_class("timeline-explorer")
        return box

    def _sync_controls(self) -> None:
        """Make every control show ``self.state`` without triggering its callbacks."""
        s = self.state
        self._quiet = True
        try:
            self.year_range.min = min(self.year_range.min, s.start.year)
            self.year_range.max = max(self.year_range.max, s.end.year)
            self.year_range.value = (s.start.year, s.end.year)
            self.mode.value = s.mode
            for t, w in self.track_toggles.items():
                w.value = t in s.tracks
            for e, w in self.era_toggles.items():
                w.value = e in s.eras
            self.actor_select.value = tuple(s.actors)
            self.search.value = s.search
            a, b = s.align
            self.anchor_a.value, self.anchor_b.value = a.anchor, b.anchor
            self.tracks_a.value, self.tracks_b.value = tuple(a.tracks), tuple(b.tracks)
            self.window.min = min(self.window.min, int(s.window[0]))
            self.window.max = max(self.window.max, int(s.window[1]))
            self.window.value = (int(s.window[0]), int(s.window[1]))
            aligned = s.mode == "aligned"
            self.year_range.disabled = aligned
            self.calendar_box.layout.display = "none" if aligned else None
            self.aligned_box.layout.display = None if aligned else "none"
        finally:
            self._quiet = False

    # ------------------------------------------------------------------ callbacks
    def _update(self, **changes) -> None:
        if self._quiet:
            return
        self.state = replace(self.state, **changes)
        self._render()

    def _on_years(self, change) -> None:
        lo, hi = change["new"]
        s = self.state  # a bound whose year did not move keeps its exact date (from a saved view)
        self._update(
            start=s.start if s.start.year == lo else to_timestamp(lo, name="start"),
            end=s.end if s.end.year == hi else to_timestamp(hi, name="end", end=True),
        )

    def _on_mode(self, change) -> None:
        if self._quiet:
            return
        self.state = replace(self.state, mode=change["new"])
        self._sync_controls()
        self._render()

    def _on_tracks(self, change) -> None:
        self._update(tracks=tuple(t for t, w in self.track_toggles.items() if w.value))

    def _on_eras(self, change) -> None:
        self._update(eras=tuple(e for e, w in self.era_toggles.items() if w.value))

    def _on_actors(self, change) -> None:
        self._update(actors=self.timeline.check_actors(change["new"]))

    def _on_search(self, change) -> None:
        self._update(search=change["new"])

    def _on_list(self, change) -> None:
        if change["new"] is not None:
            self._update(selected=change["new"])

    def _on_align(self, change) -> None:
        if self._quiet:
            return
        sides = (
            (self.anchor_a.value, tuple(self.tracks_a.value)),
            (self.anchor_b.value, tuple(self.tracks_b.value)),
        )
        self._update(align=self.timeline.check_align(sides))

    def _on_window(self, change) -> None:
        lo, hi = change["new"]
        self._update(window=(float(lo), float(hi)))

    def _click_handler(self, trace_index: int):
        def on_click(trace, points, state):
            if not points.point_inds or self._scene is None:
                return  # plotly calls every trace's handler; only the clicked one has points
            scene = self._scene
            i = int(points.point_inds[0])
            # traces hold every slot of the layout in order; the bar trace only the range events
            slot = int(self._sync.static(scene.layout).bar_slots[i]) if trace_index == BARS else i
            if 0 <= slot < len(scene.shown) and scene.shown[slot]:
                self.select(scene.layout.ids[slot])

        return on_click

    # ------------------------------------------------------------------ rendering
    def _render(self) -> None:
        scene = self.timeline.scene(self.state)
        self.state = scene.state
        self._scene = scene
        self._sync.apply(scene)
        self._refresh_panel(scene)

    def _refresh_panel(self, scene: Scene) -> None:
        """Assign the scene's panel content to the widgets (each only when it changed)."""
        self.count.value = f"<span role='status' aria-live='polite'>{html.escape(scene.count_text)}</span>"
        self._quiet = True
        try:
            if scene.entries != self._entries:
                self.event_list.index = None
                self.event_list.options = scene.entries
                self._entries = scene.entries
            self.event_list.value = scene.selected
        finally:
            self._quiet = False
        at = scene.order.index(scene.selected) if scene.selected is not None else None
        self.prev_button.disabled = scene.empty or at == 0
        self.next_button.disabled = scene.empty or (at is not None and at == len(scene.order) - 1)
        if scene.detail != self._detail:
            self.detail.value = _detail_html(scene.detail)
            self._detail = scene.detail
        self._summary_text.value = (
            "<pre style='white-space:pre-wrap;margin:0' aria-label='Text description'>"
            + html.escape(scene.description)
            + "</pre>"
        )

    # ------------------------------------------------------------------ public API
    @property
    def selected(self) -> str | None:
        """The id of the selected event, or ``None``."""
        return self.state.selected

    @property
    def shown_ids(self) -> tuple[str, ...]:
        """Ids of the shown events, in story (date) order."""
        return self._scene.order

    @property
    def count_text(self) -> str:
        """The count line as plain text: ``"12 of 97 events shown"``, ``"No events match (0 of 97 events shown)"``."""
        return self._scene.count_text

    def select(self, event_id: str | None) -> None:
        """Show one event in the detail panel (``None`` clears it). It must be among the shown events."""
        if event_id is not None:
            if event_id not in self.timeline.index:
                raise ValueError(f"unknown event {event_id!r}; give the id of an event in the table")
            if event_id not in self._scene.order:
                raise ValueError(
                    f"event {event_id!r} is not shown with the current filters; "
                    f"widen the period or the tracks first"
                )
        self._update(selected=event_id)

    def step(self, direction: int) -> str | None:
        """Select the event before (-1) or after (+1) the selection, in story order; returns its id."""
        target = self.timeline.step(self._scene, direction)
        if target is not None:
            self._update(selected=target)
        return self.selected

    def set_view(self, **params) -> None:
        """Change the saved view in place; takes the constructor's keyword parameters except the tables."""
        s = self.state
        current = dict(
            start=s.start,
            end=s.end,
            tracks=s.tracks,
            era=s.eras,
            actors=s.actors,
            search=s.search,
            selected=s.selected,
            mode=s.mode,
            align=s.align,
            window=s.window,
        )
        unknown = set(params) - set(current)
        if unknown:
            raise ValueError(f"unknown view parameter {sorted(unknown)[0]!r}; allowed: {', '.join(current)}")
        current.update(params)
        self.state = self.timeline.make_state(**current)
        self._sync_controls()
        self._render()

    def describe(self) -> str:
        """A text summary of what is on screen: the view's settings and the events it shows.

        One ``Name: value`` line each (see :func:`course.timeline.text.describe`).
        """
        return self._scene.description

    @property
    def figure(self) -> go.Figure:
        """The current chart as a plain ``go.Figure`` (for static export, no widget front end needed)."""
        return go.Figure(self.fig)

    def static_html(self) -> str:
        """The chart as static HTML (plotly.js from its CDN) followed by the text description.

        This is what an HTML export shows where there is no widget front end.
        """
        chart = pio.to_html(self.figure, full_html=False, include_plotlyjs="cdn", config={"responsive": True})
        return (
            f"{chart}<details><summary>Text description of the chart</summary>"
            f"<pre style='white-space:pre-wrap'>{html.escape(self.describe())}</pre></details>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        """The widget box for live front ends; static HTML and the text description for the rest.

        Jupyter front ends with a widget manager pick the widget view;
        nbconvert skips a widget view whose state was not saved and falls back
        to ``text/html``; text-only consumers get :meth:`describe`.
        """
        bundle = {"text/html": self.static_html()}
        bundle.update(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = self.describe()
        return bundle

    def __repr__(self) -> str:
        s = self.state
        period = (
            year_span(s.start, s.end)
            if s.mode == "calendar"
            else f"{s.window[0]:+g} to {s.window[1]:+g} years"
        )
        return f"<TimelineExplorer {s.mode}, {period}: {self.count_text}>"

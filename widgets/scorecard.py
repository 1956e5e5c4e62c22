"""Scorecard: sliders and a radar chart over :mod:`course.scorecard`.

The learner rates each of Eskeland's six obstacles in three settings; one
slider per obstacle and setting, one plotly figure updated in place, and a
panel with the course's reasons (hidden until the learner asks for them).

The figure is a plain ``go.Figure`` shown through plotly's JupyterLab
renderer inside an ``ipw.Output`` (see :class:`widgets.figures.StaticFigure`),
not a ``FigureWidget``: a redraw sends a few kB of JSON, where a FigureWidget
would first send plotly's 5 MB JavaScript bundle.

>>> from widgets.scorecard import Scorecard
>>> card = Scorecard()                     # doctest: +SKIP
>>> card.sliders[("recognition", "nea-2014")].value = 3   # doctest: +SKIP
>>> print(card.describe())                 # doctest: +SKIP
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

from course.scorecard import (
    MAX_RATING,
    MIN_RATING,
    SCALE,
    SETTINGS,
    Gap,
    Judgement,
    Obstacle,
    compare,
    course_ratings,
    describe,
    obstacles_from,
    validate_ratings,
    validate_settings,
)

__all__ = ["radar_traces", "make_figure", "wrap_label", "SCALE_CAPTION", "Scorecard"]

#: Colours per setting (colour-blind safe: blue, orange, purple).
COLOURS: dict[str, str] = {"europe-1975": "#2166ac", "nea-2014": "#e08214", "nea-2021": "#762a83"}


#: Angular labels are wrapped onto lines of at most this many characters (full names on hover).
LABEL_WIDTH = 14
#: The scale, as the chart's caption says it (the rings carry no labels, so none sits on the shapes).
SCALE_CAPTION = "Rings, centre to edge: " + " · ".join(f"{k} {v}" for k, v in SCALE.items())


def _closed(values: list) -> list:
    return list(values) + list(values[:1])


def wrap_label(name: str, width: int = LABEL_WIDTH) -> str:
    """An obstacle's name on short lines joined by ``<br>``, so that its label stays clear of the chart.

    Every word is kept (``'The lesson has<br>been learned'``); a word longer than ``width`` has a line of its own.
    """
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(html.escape(line) for line in lines)


def radar_traces(
    ratings: Mapping[tuple[str, str], int],
    obstacles: Iterable[Obstacle],
    settings: Iterable[str],
    *,
    show_course: bool,
) -> list[dict]:
    """Trace specifications for ``go.Scatterpolar``: yours (filled) then the course's (dashed), per setting."""
    obs = list(obstacles)
    settings = validate_settings(settings)
    theta = _closed([wrap_label(o.name) for o in obs])
    names = _closed([html.escape(o.name) for o in obs])
    judged = course_ratings(obs, settings)

    def hover(who: str) -> str:
        return "%{customdata}: %{r}<extra>" + html.escape(who) + "</extra>"

    traces = []
    for s in settings:
        traces.append(
            dict(
                type="scatterpolar",
                name=f"You: {SETTINGS[s]}",
                theta=theta,
                customdata=names,
                r=_closed([ratings[(o.slug, s)] for o in obs]),
                mode="lines+markers",
                fill="toself",
                opacity=0.55,
                line=dict(color=COLOURS[s], width=2),
                hovertemplate=hover(f"You, {SETTINGS[s]}"),
            )
        )
    for s in settings:
        traces.append(
            dict(
                type="scatterpolar",
                name=f"Course: {SETTINGS[s]}",
                theta=theta,
                customdata=names,
                r=_closed([judged[(o.slug, s)].rating for o in obs]),
                mode="lines",
                line=dict(color=COLOURS[s], width=2, dash="dash"),
                visible=show_course,
                hovertemplate=hover(f"Course, {SETTINGS[s]}"),
            )
        )
    return traces


def _layout(show_course: bool) -> dict:
    """The radar's layout: labels outside the shapes, nothing printed over them.

    The obstacle names (angular labels) sit outside the outer ring, wrapped
    (:func:`wrap_label`) and with margins wide enough for them; the rings
    carry no tick labels (they would sit on the filled shapes), and the
    caption under the chart gives the scale instead (:data:`SCALE_CAPTION`).
    The legend goes under the chart, clear of the labels on the right.
    """
    title = "Six obstacles to transfer: your ratings" + (" and the course's (dashed)" if show_course else "")
    return dict(
        title=dict(text=title, x=0, xanchor="left"),
        polar=dict(
            domain=dict(x=[0.12, 0.88], y=[0.08, 0.94]),
            radialaxis=dict(
                range=[MIN_RATING, MAX_RATING],
                tickvals=list(SCALE),
                showticklabels=False,
                showline=False,
                ticks="",
            ),
            angularaxis=dict(
                direction="clockwise",
                rotation=90,
                ticks="outside",
                ticklen=6,
                tickfont=dict(size=12),
            ),
        ),
        legend=dict(title=dict(text="Setting"), orientation="h", x=0, y=-0.12, yanchor="top"),
        annotations=[
            dict(
                text=html.escape(SCALE_CAPTION),
                x=0,
                y=-0.04,
                xref="paper",
                yref="paper",
                xanchor="left",
                yanchor="top",
                showarrow=False,
                font=dict(size=11, color="#333333"),
            )
        ],
        margin=dict(l=40, r=40, t=60, b=110),
        height=560,
    )


def make_figure(
    ratings: Mapping[tuple[str, str], int],
    obstacles: Iterable[Obstacle],
    settings: Iterable[str] | None = None,
    *,
    show_course: bool = True,
):
    """A static ``go.Figure`` radar chart of the ratings (and the course's, dashed)."""
    import plotly.graph_objects as go

    obs = list(obstacles)
    settings = validate_settings(settings)
    fig = go.Figure(data=radar_traces(ratings, obs, settings, show_course=show_course))
    fig.update_layout(**_layout(show_course))
    return fig


# ------------------------------------------------------------------ the view
class Scorecard:
    """Rate the six obstacles in each setting and compare with the course's ratings.

    Parameters
    ----------
    obstacles
        The obstacles table (default: :func:`course.data.load_obstacles`).
    settings
        Which settings to rate, from ``"europe-1975"``, ``"nea-2014"``,
        ``"nea-2021"`` (default: all three).
    ratings
        Starting ratings, ``{setting: {slug: 0..4}}`` or ``{(slug, setting): 0..4}``;
        the rest start at 2.
    show_course
        Show the course's ratings and reasons from the start (default: hidden,
        so you rate first).

    Attributes: ``sliders`` (``{(slug, setting): IntSlider}``), ``show_course``
    (a checkbox), ``fig`` (the ``go.Figure`` shown, updated in place),
    ``plot`` (the ``ipw.Output`` showing it), ``reasons`` (the panel with the
    course's reasons), ``widget`` (the whole view).
    """

    def __init__(
        self,
        obstacles: Any = None,
        *,
        settings: Iterable[str] | None = None,
        ratings: Mapping | None = None,
        show_course: bool = False,
    ):
        import ipywidgets as ipw

        from widgets.figures import StaticFigure

        if not isinstance(show_course, bool):
            raise ValueError(f"show_course must be True or False, got {show_course!r}")
        self.settings = validate_settings(settings)
        self.obstacles = obstacles_from(obstacles)
        start = validate_ratings(ratings, self.obstacles, self.settings)
        self._judged = course_ratings(self.obstacles, self.settings)

        self.sliders: dict[tuple[str, str], Any] = {}
        header = [ipw.HTML("<b>Obstacle</b>")] + [
            ipw.HTML(f'<b style="color:{COLOURS[s]}">{html.escape(SETTINGS[s])}</b>') for s in self.settings
        ]
        cells = list(header)
        for o in self.obstacles:
            cells.append(ipw.HTML(f"{o.number}. {html.escape(o.name)}"))
            for s in self.settings:
                sl = ipw.IntSlider(
                    value=start[(o.slug, s)],
                    min=MIN_RATING,
                    max=MAX_RATING,
                    step=1,
                    continuous_update=False,
                    readout=True,
                    description_allow_html=False,
                    layout=ipw.Layout(width="auto"),
                    tooltip=f"{o.name}, {SETTINGS[s]}",
                )
                sl.add_class("scorecard-slider")
                sl.observe(self._on_change, names="value")
                self.sliders[(o.slug, s)] = sl
                cells.append(sl)
        grid = ipw.GridBox(
            cells,
            layout=ipw.Layout(
                grid_template_columns=f"minmax(10em, 14em) repeat({len(self.settings)}, minmax(9em, 1fr))",
                grid_gap="2px 8px",
                align_items="center",
            ),
        )
        scale = ipw.HTML("<i>Scale: " + "; ".join(f"{k} = {v}" for k, v in SCALE.items()) + ".</i>")

        self.show_course = ipw.Checkbox(
            value=show_course,
            description="Show the course's ratings and reasons",
            indent=False,
            layout=ipw.Layout(width="auto"),
        )
        self.show_course.observe(self._on_toggle, names="value")
        self.fig = make_figure(self.ratings, self.obstacles, self.settings, show_course=show_course)
        self._static = StaticFigure(self.fig, css_class="scorecard-figure")
        self.plot = self._static.output
        self.reasons = ipw.HTML(layout=ipw.Layout(max_width="60em"))
        self.summary = ipw.HTML()
        self._refresh_text()
        self.widget = ipw.VBox([scale, grid, self.show_course, self.plot, self.summary, self.reasons])
        self.widget.add_class("course-scorecard")

    # -- state
    @property
    def ratings(self) -> dict[tuple[str, str], int]:
        """The current ratings, ``{(slug, setting): int}``."""
        return {k: int(sl.value) for k, sl in self.sliders.items()}

    def set_ratings(self, ratings: Mapping) -> None:
        """Set several ratings at once (same forms as the ``ratings`` parameter); the others stay as they are."""
        new = validate_ratings(ratings, self.obstacles, self.settings, default=None)
        for k, v in new.items():
            sl = self.sliders[k]
            sl.unobserve(self._on_change, names="value")
            sl.value = v
            sl.observe(self._on_change, names="value")
        self._on_change()

    def course(self) -> dict[tuple[str, str], Judgement]:
        """The course's judgement for each ``(slug, setting)``."""
        return dict(self._judged)

    def gaps(self) -> list[Gap]:
        """Where your ratings differ from the course's, largest first."""
        return compare(self.ratings, self.obstacles, self.settings)

    def describe(self) -> str:
        """A text summary of your ratings (and, once shown, the comparison with the course's)."""
        return describe(self.ratings, self.obstacles, self.settings, with_course=self.show_course.value)

    @property
    def figure(self):
        """A static ``go.Figure`` of the current view (for export or printing)."""
        return make_figure(self.ratings, self.obstacles, self.settings, show_course=self.show_course.value)

    # -- callbacks
    def _on_change(self, change=None) -> None:
        traces = radar_traces(self.ratings, self.obstacles, self.settings, show_course=self.show_course.value)
        with self.fig.batch_update():
            for i, _s in enumerate(self.settings):
                self.fig.data[i].r = traces[i]["r"]
        self._static.redraw()
        self._refresh_text()

    def _on_toggle(self, change=None) -> None:
        shown = bool(self.show_course.value)
        n = len(self.settings)
        with self.fig.batch_update():
            for tr in self.fig.data[n:]:
                tr.visible = shown
            self.fig.layout.title.text = _layout(shown)["title"]["text"]
        self._static.redraw()
        self._refresh_text()

    def _refresh_text(self) -> None:
        self.summary.value = (
            "<pre style='white-space:pre-wrap;font-size:90%'>" + html.escape(self.describe()) + "</pre>"
        )
        if not self.show_course.value:
            self.reasons.value = ""
            return
        rows = []
        for o in self.obstacles:
            for s in self.settings:
                j = self._judged[(o.slug, s)]
                src = (
                    f' <a href="{html.escape(j.source_url)}" target="_blank">source</a>'
                    if j.source_url
                    else ""
                )
                rows.append(
                    f"<tr><td>{html.escape(o.name)}</td><td>{html.escape(SETTINGS[s])}</td>"
                    f"<td style='text-align:center'>{j.rating}</td><td>{html.escape(j.reason)}{src}</td></tr>"
                )
        self.reasons.value = (
            "<b>The course's ratings</b> (a reasoned judgement, not data; argue with it):"
            "<table><tr><th>Obstacle</th><th>Setting</th><th>Rating</th><th>Reason</th></tr>"
            + "".join(rows)
            + "</table>"
        )

    # -- display
    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        return (
            f"Scorecard({len(self.obstacles)} obstacles x {len(self.settings)} settings)\n" + self.describe()
        )

"""HumanitarianClock: the death-rate slider and figure over :mod:`course.humanitarian`.

One plotly figure (observed counts, the projection, and a marker where the
projection falls below a threshold), updated in place when the slider moves.
It is a plain ``go.Figure`` shown through plotly's JupyterLab renderer inside
an ``ipw.Output`` (:class:`widgets.figures.StaticFigure`), not a
``FigureWidget``: a redraw sends a few kB of JSON instead of plotly's 5 MB
JavaScript bundle.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from course.humanitarian import (
    DEFAULT_THRESHOLD,
    DEFAULT_UNTIL,
    RATE_MAX,
    RATE_MIN,
    check_positive,
    check_rate,
    crossing,
    describe,
    estimate_death_rate,
    percent,
    projection_state,
    projection_until,
    registry_table,
)

__all__ = ["make_figure", "HumanitarianClock"]

_COLOURS = {"observed": "#2166ac", "projection": "#b2182b", "threshold": "#762a83"}


def _traces(
    snaps: pd.DataFrame, proj: pd.DataFrame, when: pd.Timestamp, threshold: float, until: int, rate: float
) -> list[dict]:
    shown = when.year <= until
    observed = dict(
        type="scatter",
        mode="markers+lines",
        name="Observed (register snapshots)",
        x=list(snaps["date"]),
        y=[int(v) for v in snaps["alive"]],
        marker=dict(size=8, color=_COLOURS["observed"]),
        line=dict(color=_COLOURS["observed"], width=1),
        hovertemplate="%{x|%d %b %Y}: %{y:,} alive<extra></extra>",
    )
    projection = dict(
        type="scatter",
        mode="lines",
        name=f"Projection at {percent(rate)} a year",
        x=list(proj["date"]),
        y=[float(v) for v in proj["survivors"]],
        line=dict(color=_COLOURS["projection"], dash="dash", width=2),
        hovertemplate="%{x|%Y}: about %{y:,.0f} alive<extra></extra>",
    )
    marker = dict(
        type="scatter",
        mode="markers+text",
        name=f"Below {threshold:,.0f}",
        x=[when] if shown else [],
        y=[threshold] if shown else [],
        text=[f"below {threshold:,.0f} in {when.year}"] if shown else [],
        textposition="top right",
        marker=dict(size=14, symbol="x", color=_COLOURS["threshold"]),
        hovertemplate="%{x|%b %Y}: the projection falls below %{y:,.0f}<extra></extra>",
    )
    return [observed, projection, marker]


def _title(rate: float, threshold: float, when: pd.Timestamp, until: int) -> str:
    tail = (
        f"below {threshold:,.0f} in {when.year}"
        if when.year <= until
        else f"still above {threshold:,.0f} in {until}"
    )
    return (
        f"Separated-family applicants still alive: observed, and projected at {percent(rate)} a year ({tail})"
    )


def _layout(title: str, threshold: float, first: pd.Timestamp, until: int) -> dict:
    return dict(
        title=dict(text=title, font=dict(size=14)),
        xaxis=dict(title=dict(text="Date"), type="date", range=[f"{first.year}-01-01", f"{until}-12-31"]),
        yaxis=dict(title=dict(text="Applicants alive"), rangemode="tozero", tickformat=","),
        shapes=[
            dict(
                type="line",
                xref="paper",
                x0=0,
                x1=1,
                y0=threshold,
                y1=threshold,
                line=dict(color=_COLOURS["threshold"], dash="dot", width=1),
            )
        ],
        legend=dict(orientation="h", yanchor="top", y=-0.15),
        margin=dict(t=60, b=40),
        height=450,
    )


def make_figure(
    registry: Any = None, rate: Any = None, *, until: Any = DEFAULT_UNTIL, threshold: Any = DEFAULT_THRESHOLD
):
    """A static plotly ``go.Figure``: observed counts, the projection, and the threshold marker."""
    import plotly.graph_objects as go

    _, snaps, r, th, until, proj, when = projection_state(registry, rate, until, threshold)
    fig = go.Figure(data=_traces(snaps, proj, when, th, until, r))
    fig.update_layout(**_layout(_title(r, th, when, until), th, pd.Timestamp(snaps["date"].iloc[0]), until))
    return fig


# ------------------------------------------------------------ the view
class HumanitarianClock:
    """Observed and projected survivors on the separated-family register, with a death-rate slider.

    Parameters
    ----------
    registry
        The registry table (default: :func:`course.data.load_family_registry`).
    rate
        Starting annual death rate, from ``RATE_MIN`` (0.005) to ``RATE_MAX``
        (0.30); default: :func:`estimate_death_rate` of the registry.
    until
        Last year of the projection (default 2040).
    threshold
        The marker shows when the projection falls below this many survivors
        (default 10,000).

    Attributes: ``slider`` (a ``FloatSlider``; moving it updates the figure),
    ``fig`` (the ``go.Figure`` shown, updated in place: traces 0 observed,
    1 projection, 2 marker), ``plot`` (the ``ipw.Output`` showing it),
    ``summary`` (the text panel), ``widget`` (the whole view),
    ``estimated_rate``.
    """

    def __init__(
        self,
        registry: Any = None,
        rate: Any = None,
        until: Any = DEFAULT_UNTIL,
        *,
        threshold: Any = DEFAULT_THRESHOLD,
    ):
        import ipywidgets as ipw
        import plotly.graph_objects as go

        from widgets.figures import StaticFigure

        self._registry = registry_table(registry)
        self.estimated_rate = estimate_death_rate(self._registry)
        start = self.estimated_rate if rate is None else self._check_slider_rate(rate)
        self.threshold = check_positive(threshold, "threshold")
        _, snaps, r, th, self.until, proj, when = projection_state(
            self._registry, start, until, self.threshold
        )
        self._snaps = snaps

        self.slider = ipw.FloatSlider(
            value=r,
            min=RATE_MIN,
            max=RATE_MAX,
            step=0.001,
            readout_format=".1%",
            description="Death rate a year",
            continuous_update=False,
            style={"description_width": "initial"},
            layout=ipw.Layout(width="32em"),
        )
        self.slider.add_class("humanitarian-rate")
        self.fig = go.Figure(data=_traces(snaps, proj, when, th, self.until, r))
        self.fig.update_layout(
            **_layout(_title(r, th, when, self.until), th, pd.Timestamp(snaps["date"].iloc[0]), self.until)
        )
        self._static = StaticFigure(self.fig, css_class="humanitarian-figure")
        self.plot = self._static.output
        self.summary = ipw.HTML()
        self._refresh_text()
        self.slider.observe(self._on_change, names="value")
        note = ipw.HTML(
            f"<i>The register's own yearly death counts give about {percent(self.estimated_rate)} "
            "a year. Move the slider to see how the projection depends on the rate.</i>"
        )
        self.widget = ipw.VBox([note, self.slider, self.plot, self.summary])
        self.widget.add_class("course-humanitarian-clock")

    @staticmethod
    def _check_slider_rate(rate: Any) -> float:
        r = check_rate(rate, "rate")
        if not RATE_MIN <= r <= RATE_MAX:
            raise ValueError(f"rate must be from {RATE_MIN} to {RATE_MAX} (the slider's range), got {rate!r}")
        return r

    # -- state
    @property
    def rate(self) -> float:
        """The current annual death rate (the slider's value)."""
        return float(self.slider.value)

    def set_rate(self, rate: Any) -> None:
        """Set the death rate (as the slider would); the figure and text update."""
        self.slider.value = self._check_slider_rate(rate)

    def projection(self) -> pd.DataFrame:
        """The current projection (see :func:`project_survivors`)."""
        last = self._snaps.iloc[-1]
        return projection_until(float(last["alive"]), pd.Timestamp(last["date"]), self.rate, self.until)

    def crossing(self) -> tuple[pd.Timestamp, float]:
        """When the current projection falls below the threshold: (date, years after the last count)."""
        last = self._snaps.iloc[-1]
        return crossing(float(last["alive"]), pd.Timestamp(last["date"]), self.rate, self.threshold)

    def describe(self) -> str:
        """A plain-text summary of the current view."""
        return describe(self._registry, self.rate, until=self.until, threshold=self.threshold)

    @property
    def figure(self):
        """A static ``go.Figure`` of the current view (for export or printing)."""
        return make_figure(self._registry, self.rate, until=self.until, threshold=self.threshold)

    # -- callbacks
    def _on_change(self, change=None) -> None:
        r = self.rate
        proj = self.projection()
        when, _ = self.crossing()
        shown = when.year <= self.until
        with self.fig.batch_update():
            self.fig.data[1].x = list(proj["date"])
            self.fig.data[1].y = [float(v) for v in proj["survivors"]]
            self.fig.data[1].name = f"Projection at {percent(r)} a year"
            self.fig.data[2].x = [when] if shown else []
            self.fig.data[2].y = [self.threshold] if shown else []
            self.fig.data[2].text = [f"below {self.threshold:,.0f} in {when.year}"] if shown else []
            self.fig.layout.title.text = _title(r, self.threshold, when, self.until)
        self._static.redraw()
        self._refresh_text()

    def _refresh_text(self) -> None:
        self.summary.value = (
            "<pre style='white-space:pre-wrap;font-size:90%'>" + html.escape(self.describe()) + "</pre>"
        )

    # -- display
    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def __repr__(self) -> str:
        return "HumanitarianClock\n" + self.describe()

"""The one-chart lesson figures share their closing layout through ``widgets.plots._finish``.

plot_forgiveness, plot_step_evolution and plot_death_rates each ended in the same ``update_layout``
block (title, the two axis titles, the height, a margin of 60 above and 40 below); a change to one
(say the margin) then had to be made three times. The figures' values are checked in
tests/test_lesson_figures.py; here: each of them goes through ``_finish``, and ``_finish`` sets what the
block did.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from widgets import plots


def _sweep() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"varied": "provocation rate", "value": v, "response": r, "mean total payoff": 10 * k}
            for k, v in enumerate((0.0, 0.1))
            for r in ("match", "grim")
        ]
    )


def _rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2000-01-01", "2001-01-01"]),
            "period_end": pd.to_datetime(["2000-12-31", "2001-12-31"]),
            "rate": [0.03, 0.05],
            "deaths": [300, 500],
        }
    )


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"generation": [0, 1], "mean a": [1.0, 1.2], "mean b": [0.5, 0.4]})


CASES = [
    ("plot_forgiveness", _sweep, 360),
    ("plot_step_evolution", _frame, 360),
    ("plot_death_rates", _rates, 350),
]


def test_finish_sets_titles_height_and_margin():
    fig = plots._finish(go.Figure(), "T", "x axis", "y axis", height=300)
    layout = fig.layout
    assert (layout.title.text, layout.xaxis.title.text, layout.yaxis.title.text) == ("T", "x axis", "y axis")
    assert (layout.height, layout.margin.t, layout.margin.b) == (300, 60, 40)
    assert plots._finish(go.Figure(), "T", "x", "y").layout.height == 360


@pytest.mark.parametrize("name, table, height", CASES)
def test_each_figure_is_finished_by_the_one_helper(monkeypatch, name, table, height):
    calls = []
    real = plots._finish

    def spy(fig, title, x, y, **kw):
        calls.append((title, x, y, kw))
        return real(fig, title, x, y, **kw)

    monkeypatch.setattr(plots, "_finish", spy)
    fig = getattr(plots, name)(table())
    assert len(calls) == 1, f"{name} does not call _finish"
    title, x, y, _ = calls[0]
    assert (fig.layout.title.text, fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == (title, x, y)
    assert (fig.layout.height, fig.layout.margin.t, fig.layout.margin.b) == (height, 60, 40)

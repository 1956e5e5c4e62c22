"""TimelineExplorer driven through its controls, as a learner would, asserting on the figure.

Callbacks run in plain Python here: setting ``slider.value``, toggling a
button, ``button.click()``, and a click on the chart delivered the way the
plotly front end delivers it (a ``_js2py_pointsCallback`` message), or
straight to a trace's click handler with a ``plotly.callbacks.Points``.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.callbacks import InputDeviceState, Points

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_timeline_model import ALIGN, DATE_ORDER, make_eras, make_events  # noqa: E402

from course.timeline import TRACKS  # noqa: E402
from widgets.timeline.figure import BARS, EVENTS, LEGEND, MATCHES, SELECTED  # noqa: E402
from widgets.timeline.view import TimelineExplorer  # noqa: E402


def make(**view) -> TimelineExplorer:
    return TimelineExplorer(make_events(), make_eras(), **view)


def drawn(ex, trace=EVENTS) -> list[str]:
    """Ids of the points the figure actually draws in a trace (the others have y = NaN)."""
    t = ex.fig.data[trace]
    return [i for i, y in zip(t.customdata, t.y) if not math.isnan(y)]


def x_of(ex, event_id, trace=EVENTS) -> list:
    """x of the drawn points of an event."""
    t = ex.fig.data[trace]
    return [x for i, x, y in zip(t.customdata, t.x, t.y) if i == event_id and not math.isnan(y)]


def click(ex, trace, event_id):
    """A click on the drawn point of ``event_id``, as the plotly front end reports it."""
    t = ex.fig.data[trace]
    k = list(t.customdata).index(event_id)
    ex.fig._js2py_pointsCallback = {
        "event_type": "plotly_click",
        "points": {"trace_indexes": [trace], "point_indexes": [k], "xs": [t.x[k]], "ys": [t.y[k]]},
        "device_state": {
            "ctrl": False,
            "alt": False,
            "shift": False,
            "meta": False,
            "button": 0,
            "buttons": 1,
        },
        "selector": None,
    }


def line(ex, name) -> str:
    return next(ln for ln in ex.describe().splitlines() if ln.startswith(name + ":"))


@pytest.fixture(scope="module")
def _one_explorer():
    return make()


@pytest.fixture
def shared(_one_explorer):
    """One explorer reused across tests (building one costs ~0.1 s), reset to the full view for each."""
    ex = _one_explorer
    ex.set_view(
        start=1969, end=2000, tracks=None, era=None, actors=None, search="", selected=None, mode="calendar"
    )
    assert drawn(ex) == DATE_ORDER and ex.selected is None
    return ex


# ------------------------------------------------------------------ construction
def test_initial_figure(shared):
    ex = shared
    assert isinstance(ex.fig, go.FigureWidget)
    assert len(ex.fig.data) == LEGEND + len(TRACKS)
    assert drawn(ex) == DATE_ORDER
    assert drawn(ex, BARS) == ["csce-geneva", "summit-2000"]  # range events are bars ...
    bars = ex.fig.data[BARS]
    assert bars.base[0] == "1973-09-18" and bars.x[0] == (
        np.datetime64("1975-07-21") - np.datetime64("1973-09-18")
    ) / np.timedelta64(1, "ms")
    symbols = dict(zip(ex.fig.data[EVENTS].customdata, ex.fig.data[EVENTS].marker.symbol))
    assert (
        symbols["final-act"] == "circle" and symbols["csce-geneva"] == "circle-open"
    )  # ... with an open start marker
    assert (
        symbols["salt-i"] == "square" and symbols["npt-1993"] == "x"
    )  # shape differs by track, not only colour
    assert ex.fig.layout.xaxis.type == "date"
    assert list(ex.fig.layout.xaxis.range) == ["1968-07-10", "2001-06-24"]
    assert ex.fig.layout.yaxis.ticktext == (
        "CSCE",
        "Détente and arms control",
        "Korea diplomacy",
        "Humanitarian",
        "Escalation",
    )
    assert [t.name for t in ex.fig.data[LEGEND:]] == list(ex.fig.layout.yaxis.ticktext)
    assert ex.count_text == "11 of 11 events shown"
    assert "11 of 11 events shown" in ex.count.value
    assert ex.event_list.options[0] == ("5 May 1969 · Finnish memorandum", "finnish-memo")
    assert "Click an event in the chart" in ex.detail.value  # the empty detail panel says what to do


def test_saved_view_opens_on_its_period():
    ex = make(
        start=1970,
        end="1976-12-31",
        tracks=["csce", "detente-arms-control"],
        era="detente",
        actors=["US", "35 states"],
        search="final",
        selected="final-act",
    )
    assert drawn(ex) == ["salt-i", "csce-geneva", "final-act", "one-year-on"]
    assert drawn(ex, MATCHES) == ["csce-geneva", "final-act", "one-year-on"]
    assert drawn(ex, SELECTED) == ["final-act"]
    assert ex.year_range.value == (1970, 1976)
    assert [t for t, w in ex.track_toggles.items() if w.value] == ["csce", "detente-arms-control"]
    assert ex.era_toggles["detente"].value and not ex.era_toggles["csce-follow-up"].value
    assert ex.actor_select.value == ("35 states", "US")
    assert ex.search.value == "final" and ex.event_list.value == "final-act"
    assert "Helsinki Final Act signed" in ex.detail.value


@pytest.mark.parametrize(
    "view, message",
    [
        (
            dict(tracks=["csce", "europe"]),
            r"unknown track 'europe' in tracks; allowed tracks: csce, detente-arms-control",
        ),
        (dict(start=1990, end=1980), r"start \(1990-01-01\) is after end \(1980-12-31\)"),
        (
            dict(era="cold-war"),
            r"unknown era 'cold-war'; allowed eras: detente, csce-follow-up, six-party-talks",
        ),
        (dict(actors="Kissinger"), r"unknown actor 'Kissinger'"),
        (dict(selected="nope"), r"unknown event 'nope'"),
    ],
)
def test_bad_parameters_raise_value_errors(view, message):
    with pytest.raises(ValueError, match=message):
        make(**view)


def test_table_missing_columns_is_refused():
    with pytest.raises(ValueError, match=r"events is missing the columns actors, source_url"):
        TimelineExplorer(make_events().drop(columns=["source_url", "actors"]), make_eras())
    with pytest.raises(ValueError, match=r"eras is missing the column label"):
        TimelineExplorer(make_events(), make_eras().drop(columns=["label"]))


# ------------------------------------------------------------------ filters
def test_year_range_filters_and_zooms(shared):
    ex = shared
    ex.year_range.value = (1970, 1976)
    assert drawn(ex) == ["salt-i", "csce-geneva", "final-act", "one-year-on"]
    assert drawn(ex, BARS) == ["csce-geneva"]
    assert list(ex.fig.layout.xaxis.range) == ["1969-11-24", "1977-02-07"]
    assert ex.count_text == "4 of 11 events shown"
    assert line(ex, "Period") == "Period: 1970 to 1976"
    assert [v for _, v in ex.event_list.options] == ["salt-i", "csce-geneva", "final-act", "one-year-on"]
    ex.year_range.value = (1974, 1974)
    assert drawn(ex) == ["csce-geneva"]  # overlapping range event
    ex.year_range.value = (1969, 2000)
    assert drawn(ex) == DATE_ORDER


def test_track_toggles(shared):
    ex = shared
    ex.track_toggles["csce"].value = False
    ex.track_toggles["escalation"].value = False
    assert drawn(ex) == [
        "salt-i",
        "charter-77",
        "helsinki-watch",
        "basic-agreement",
        "leap-day-talks",
        "summit-2000",
    ]
    # the lanes of the tracks that are off are gone, not left empty: three lanes, the first at the top
    y = ex.fig.layout.yaxis
    assert tuple(y.ticktext) == ("Détente and arms control", "Korea diplomacy", "Humanitarian")
    assert tuple(y.tickvals) == (0, 1, 2) and tuple(y.range) == (2.5, -0.5)
    assert line(ex, "Tracks") == "Tracks: Détente and arms control; Korea diplomacy; Humanitarian"
    for w in ex.track_toggles.values():
        w.value = True
    assert drawn(ex) == DATE_ORDER and "(off)" not in "".join(ex.fig.layout.yaxis.ticktext)
    assert len(ex.fig.layout.yaxis.ticktext) == len(TRACKS) and tuple(ex.fig.layout.yaxis.range) == (
        4.5,
        -0.5,
    )


def _lane_of(ex, event_id) -> float:
    """The lane (0 = top) an event is drawn in: its y rounded to the nearest lane."""
    t = ex.fig.data[EVENTS]
    return round(next(y for i, y in zip(t.customdata, t.y) if i == event_id and not math.isnan(y)))


def test_tracks_that_are_off_take_no_lane_and_the_lanes_below_move_up(shared):
    ex = shared
    by_lane = {
        t: _lane_of(ex, e) for t, e in (("detente-arms-control", "salt-i"), ("humanitarian", "charter-77"))
    }
    assert by_lane == {"detente-arms-control": 1, "humanitarian": 3}
    ex.track_toggles["csce"].value = False
    ex.track_toggles["korea-diplomacy"].value = False
    # Détente moves to the top lane, Humanitarian right under it; each sits on its own label
    assert _lane_of(ex, "salt-i") == 0 and _lane_of(ex, "charter-77") == 1
    labels = list(ex.fig.layout.yaxis.ticktext)
    assert labels[_lane_of(ex, "salt-i")] == "Détente and arms control"
    assert labels[_lane_of(ex, "charter-77")] == "Humanitarian"
    # a search and a selection draw their rings in the moved lanes too
    ex.search.value = "Charter"
    m = ex.fig.data[MATCHES]
    assert [round(y) for i, y in zip(m.customdata, m.y) if not math.isnan(y)] == [1]
    ex.select("salt-i")
    sel = ex.fig.data[SELECTED]
    assert [round(y) for y in sel.y if not math.isnan(y)] == [0]
    # every track off: no lanes at all, and the "no events match" note
    for w in ex.track_toggles.values():
        w.value = False
    assert tuple(ex.fig.layout.yaxis.ticktext) == () and drawn(ex) == []
    assert any(a.text == "No events match" for a in ex.fig.layout.annotations)
    # the figure stays valid for plotly's own validators
    go.Figure(ex.fig.to_dict())


def test_actor_multi_select(shared):
    ex = shared
    ex.actor_select.value = ("DPRK",)
    assert drawn(ex) == ["basic-agreement", "leap-day-talks", "npt-1993", "summit-2000"]
    ex.actor_select.value = ("Finland", "Havel")
    assert drawn(ex) == ["finnish-memo", "charter-77"]
    assert line(ex, "Actors") == "Actors: Finland; Havel"
    ex.actor_clear.click()
    assert ex.actor_select.value == () and drawn(ex) == DATE_ORDER


def test_search_highlights_matches(shared):
    ex = shared
    ex.search.value = "Helsinki"
    assert drawn(ex, MATCHES) == ["finnish-memo", "final-act", "helsinki-watch"]
    assert drawn(ex) == DATE_ORDER  # search highlights, it does not filter
    assert ex.count_text == "11 of 11 events shown; 3 match the search"
    assert line(ex, "Search").startswith(
        'Search: "Helsinki", 3 shown events match: Finnish memorandum (5 May 1969)'
    )
    ex.track_toggles["humanitarian"].value = False  # only shown events are ringed
    assert drawn(ex, MATCHES) == ["finnish-memo", "final-act"]
    ex.track_toggles["humanitarian"].value = True
    ex.search.value = ""
    assert drawn(ex, MATCHES) == [] and line(ex, "Search") == "Search: none"


def test_no_events_match_shows_a_note_not_a_broken_plot(shared):
    ex = shared
    ex.actor_select.value = ("Havel",)
    ex.track_toggles["humanitarian"].value = False
    notes = [a.text for a in ex.fig.layout.annotations]
    assert "No events match" in notes
    assert drawn(ex) == [] and ex.event_list.options == ()
    assert ex.count_text == "No events match (0 of 11 events shown)"
    assert "No events match" in ex.count.value
    assert line(ex, "Shown") == "Shown: no events match (0 of 11 events)"
    assert ex.next_button.disabled and ex.prev_button.disabled
    ex.next_button.click()  # harmless
    assert ex.selected is None
    ex.track_toggles["humanitarian"].value = True
    assert "No events match" not in [a.text for a in ex.fig.layout.annotations]
    ex.actor_clear.click()


# ------------------------------------------------------------------ selection
def test_next_and_previous_walk_the_story(shared):
    ex = shared
    walked = []
    assert not ex.next_button.disabled
    for _ in DATE_ORDER:
        ex.next_button.click()
        walked.append(ex.selected)
    assert walked == DATE_ORDER
    assert ex.next_button.disabled  # at the end
    ex.next_button.click()
    assert ex.selected == "summit-2000"
    ex.prev_button.click()
    assert ex.selected == "npt-1993"
    assert drawn(ex, SELECTED) == ["npt-1993"]
    assert ex.event_list.value == "npt-1993"
    ex.select(None)
    assert ex.selected is None and drawn(ex, SELECTED) == []


def test_previous_with_nothing_selected_starts_at_the_end_of_the_filtered_story(shared):
    ex = shared
    ex.track_toggles["korea-diplomacy"].value = False
    ex.prev_button.click()
    assert ex.selected == "npt-1993"
    ex.track_toggles["korea-diplomacy"].value = True
    ex.select(None)


def test_click_on_a_marker_opens_the_detail_panel(shared):
    ex = shared
    click(ex, EVENTS, "charter-77")
    assert ex.selected == "charter-77"
    assert ex.event_list.value == "charter-77"
    assert drawn(ex, SELECTED) == ["charter-77"]
    d = ex.detail.value
    assert "January 1977 · Humanitarian" in d  # month precision
    assert "Charter 77 &lt;declaration&gt;" in d and "<declaration>" not in d  # escaped
    assert "sign &amp; publish a &quot;charter&quot;" in d
    assert "<b>Actors:</b> Havel" in d
    assert (
        "href='https://example.org/charter?a=1&amp;b=&quot;x&quot;'" in d and "rel='noopener noreferrer'" in d
    )
    assert line(ex, "Selected") == "Selected: Charter 77 <declaration> (January 1977; Humanitarian)"
    ex.select(None)


def test_click_on_a_bar_and_through_the_trace_handler(shared):
    ex = shared
    click(ex, BARS, "summit-2000")
    assert ex.selected == "summit-2000"
    assert "13 June 2000 – 15 June 2000" in ex.detail.value
    # straight to the handler, as plotly does for each trace: empty points are ignored
    k = list(ex.fig.data[EVENTS].customdata).index("helsinki-watch")
    state = InputDeviceState(ctrl=False, alt=False, shift=False, meta=False, button=0, buttons=1)
    ex.fig.data[BARS]._dispatch_on_click(
        Points(point_inds=[], xs=[], ys=[], trace_name="range events", trace_index=0), state
    )
    assert ex.selected == "summit-2000"
    ex.fig.data[EVENTS]._dispatch_on_click(
        Points(
            point_inds=[k],
            xs=[ex.fig.data[EVENTS].x[k]],
            ys=[ex.fig.data[EVENTS].y[k]],
            trace_name="events",
            trace_index=EVENTS,
        ),
        state,
    )
    assert (
        ex.selected == "helsinki-watch"
        and "<h4 style='margin:0.2em 0'>Helsinki Watch founded</h4>" in ex.detail.value
    )
    assert ">1978 · Humanitarian<" in ex.detail.value  # year precision
    ex.select(None)


def test_a_hidden_point_cannot_be_clicked_and_filtering_drops_the_selection(shared):
    ex = shared
    ex.event_list.value = "final-act"  # keyboard path: choose from the list
    assert ex.selected == "final-act"
    ex.track_toggles["csce"].value = False
    assert ex.selected is None and drawn(ex, SELECTED) == []
    assert "Click an event" in ex.detail.value
    click(ex, EVENTS, "final-act")  # stale click on a hidden point
    assert ex.selected is None
    with pytest.raises(ValueError, match="'final-act' is not shown"):
        ex.select("final-act")
    ex.track_toggles["csce"].value = True


def test_source_link_only_for_http_urls():
    events = make_events()
    events["source_url"] = events["source_url"].astype("object")
    events.loc[events["id"] == "final-act", "source_url"] = "javascript:alert(1)"
    ex = TimelineExplorer(events, [], selected="final-act")
    assert "<a " not in ex.detail.value and "Source: javascript:alert(1)" in ex.detail.value


# ------------------------------------------------------------------ eras
def test_era_bands_switch_on_and_off(shared):
    ex = shared
    assert ex.fig.layout.shapes == ()
    ex.era_toggles["detente"].value = True
    (band,) = ex.fig.layout.shapes
    assert (band.type, band.x0, band.x1, band.yref) == ("rect", "1969-01-01", "1979-12-31", "paper")
    assert [a.text for a in ex.fig.layout.annotations] == ["Détente"]
    ex.era_toggles["csce-follow-up"].value = True
    assert [(s.x0, s.x1) for s in ex.fig.layout.shapes] == [
        ("1969-01-01", "1979-12-31"),
        ("1977-10-04", "1978-03-09"),
        ("1980-11-11", "1983-09-09"),
    ]
    assert line(ex, "Eras") == "Eras: Détente (1969 to 1979); CSCE follow-up (1977 to 1978; 1980 to 1983)"
    ex.era_toggles["detente"].value = False
    ex.era_toggles["csce-follow-up"].value = False
    assert ex.fig.layout.shapes == () and ex.fig.layout.annotations == ()
    assert line(ex, "Eras") == "Eras: none"


def test_eras_come_from_a_parameter():
    eras = [dict(era="my-era", label="My <era>", start="1980-01-01", end="1985-06-30")]
    ex = TimelineExplorer(make_events(), eras, era="my-era")
    assert list(ex.era_toggles) == ["my-era"]
    assert [(s.x0, s.x1) for s in ex.fig.layout.shapes] == [("1980-01-01", "1985-06-30")]
    assert [a.text for a in ex.fig.layout.annotations] == ["My &lt;era&gt;"]
    assert not TimelineExplorer(make_events(), []).era_toggles


# ------------------------------------------------------------------ aligned comparison
def test_aligned_mode_puts_both_anchors_at_zero():
    ex = make(align=ALIGN)
    ex.mode.value = "aligned"
    assert ex.fig.layout.xaxis.type == "linear"
    assert ex.fig.layout.yaxis.ticktext == ("A: Helsinki Final Act signed", "B: Basic Agreement")
    assert x_of(ex, "final-act") == [0.0] and x_of(ex, "basic-agreement") == [0.0]
    assert x_of(ex, "one-year-on") == [1.0]
    assert x_of(ex, "leap-day-talks") == [pytest.approx(78 / 366)]
    assert x_of(ex, "summit-2000") == [8.5]
    assert x_of(ex, "summit-2000", BARS) == [pytest.approx(2 / 366)]  # two days of a leap year
    assert ex.fig.data[BARS].base[list(ex.fig.data[BARS].customdata).index("summit-2000")] == 8.5
    assert x_of(ex, "salt-i") == []  # not in either lane's tracks
    assert [(s.type, s.x0) for s in ex.fig.layout.shapes] == [("line", 0)]  # the anchor line; no eras here
    assert ex.year_range.disabled and ex.calendar_box.layout.display == "none"
    assert ex.aligned_box.layout.display is None
    assert ex.event_list.options[3] == ("B +0.0 y · 13 Dec 1991 · Basic Agreement", "basic-agreement")
    # the window hides events outside it
    ex.window.value = (-1, 5)
    assert drawn(ex) == ["csce-geneva", "final-act", "one-year-on", "basic-agreement", "leap-day-talks"]
    assert list(ex.fig.layout.xaxis.range) == [pytest.approx(-1.09), pytest.approx(5.09)]
    # another anchor and more tracks for lane A
    ex.anchor_a.value = "one-year-on"
    ex.tracks_a.value = ("csce", "humanitarian")
    assert x_of(ex, "final-act") == [-1.0] and x_of(ex, "charter-77") == [
        pytest.approx(153 / 365)
    ]  # 1976-08-01 .. 1977-01-01
    assert line(ex, "Lane A") == "Lane A: CSCE; Humanitarian, years since One year on (1 August 1976)"
    click(ex, EVENTS, "charter-77")
    assert "lane A: +0.42 years since One year on" in ex.detail.value
    ex.mode.value = "calendar"
    assert ex.fig.layout.xaxis.type == "date" and drawn(ex) == DATE_ORDER
    assert ex.selected == "charter-77" and not ex.year_range.disabled


def test_aligned_mode_from_the_constructor_with_default_lanes_on_course_data():
    ex = TimelineExplorer(mode="aligned", window=(-10, 10))
    assert ex.fig.layout.yaxis.ticktext[0].startswith("A: Helsinki Final Act")
    assert ex.fig.layout.yaxis.ticktext[1].startswith("B: Inter-Korean Basic Agreement")
    assert x_of(ex, "helsinki-final-act") == [0.0] and x_of(ex, "inter-korean-basic-agreement") == [0.0]
    assert line(ex, "Window") == "Window: -10 to +10 years"
    assert ex.era_toggles["csce-follow-up"].description == "CSCE follow-up"


# ------------------------------------------------------------------ one figure, updated in place
def test_the_figure_widget_is_never_recreated_and_fast_updates_match_a_fresh_build():
    ex = make()
    fig, traces = ex.fig, list(ex.fig.data)
    ex.era_toggles["detente"].value = True
    ex.year_range.value = (1970, 1995)
    ex.track_toggles["escalation"].value = False
    ex.actor_select.value = ("35 states", "ROK")
    ex.search.value = "act"
    ex.next_button.click()
    ex.next_button.click()
    assert ex.fig is fig and list(ex.fig.data) == traces
    fresh = make(
        start=1970,
        end=1995,
        tracks=[t for t in TRACKS if t != "escalation"],
        era="detente",
        actors=["35 states", "ROK"],
        search="act",
        selected=ex.selected,
    )
    as_json = lambda f: json.loads(pio.to_json(f))  # noqa: E731
    assert as_json(ex.figure) == as_json(fresh.figure)
    go.Figure(as_json(ex.fig))  # every value passes plotly's validators


def test_static_figure_and_mimebundle(shared):
    ex = shared
    ex.year_range.value = (1970, 1980)
    static = ex.figure
    assert type(static) is go.Figure
    assert list(static.data[EVENTS].x) == list(ex.fig.data[EVENTS].x)
    bundle = ex._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.widget.model_id
    assert bundle["text/plain"] == ex.describe()
    assert "Plotly.newPlot" in bundle["text/html"] and "Period: 1970 to 1980" in bundle["text/html"]
    assert "TimelineExplorer calendar, 1970 to 1980" in repr(ex)
    ex.year_range.value = (1969, 2000)


def test_set_view_and_lazy_package_import(shared):
    import widgets

    assert widgets.TimelineExplorer is TimelineExplorer
    ex = shared
    ex.set_view(start=1991, end=1993, tracks=["korea-diplomacy", "escalation"])
    assert drawn(ex) == ["basic-agreement", "leap-day-talks", "npt-1993"]
    assert ex.year_range.value == (1991, 1993) and not ex.track_toggles["csce"].value
    with pytest.raises(ValueError, match="unknown view parameter 'colour'"):
        ex.set_view(colour="red")
    ex.set_view(start=1969, end=2000, tracks=None)
    assert drawn(ex) == DATE_ORDER


def test_every_control_is_a_keyboard_reachable_widget(shared):
    import ipywidgets as ipw

    ex = shared
    controls = [
        ex.year_range,
        ex.mode,
        *ex.track_toggles.values(),
        *ex.era_toggles.values(),
        ex.actor_select,
        ex.actor_clear,
        ex.search,
        ex.event_list,
        ex.prev_button,
        ex.next_button,
        ex.anchor_a,
        ex.anchor_b,
        ex.tracks_a,
        ex.tracks_b,
        ex.window,
    ]
    # ipywidgets renders each of these as a native focusable element (input, select or button)
    assert all(isinstance(c, (ipw.ValueWidget, ipw.Button)) for c in controls)
    assert all(getattr(c, "description", "") or getattr(c, "tooltip", "") for c in controls)

    def children(w):
        yield w
        for c in getattr(w, "children", ()):
            yield from children(c)

    inside = {id(w) for w in children(ex.widget)}
    assert all(id(c) in inside for c in controls + [ex.fig, ex.count, ex.detail, ex.summary])


def test_filter_updates_send_only_y_so_the_front_end_keeps_the_date_axis():
    """plotly.js resets an axis's type on every data restyle and guesses it again from the first
    trace with x values (``clearAxisTypes``). The explorer therefore never restyles x after the
    layout is set, and trace 0 holds date strings, so the guess stays "date"."""
    ex = make()
    sent = []
    ex.fig.observe(lambda change: change["new"] and sent.append(change["new"]), "_py2js_update")
    assert all(isinstance(x, str) and len(x) == 10 for x in ex.fig.data[0].x)
    ex.year_range.value = (1970, 1990)
    ex.track_toggles["csce"].value = False
    ex.actor_select.value = ("US",)
    ex.search.value = "signed"
    ex.next_button.click()
    ex.era_toggles["detente"].value = True
    assert len(sent) == 6  # one message per change
    for msg in sent:
        assert set(msg["style_data"]) <= {"y"}, msg["style_data"].keys()
    assert sent[0]["layout_data"] == {"xaxis.range": ["1969-09-08", "1991-04-25"]}
    ex.mode.value = "aligned"  # a new layout sets x, and the axis type with it
    assert "x" in sent[-1]["style_data"] and sent[-1]["layout_data"]["xaxis.type"] == "linear"


def test_displaying_the_box_refreshes_the_figure_state_the_browser_starts_from():
    """A FigureWidget's changes made before a front end shows it reach the browser only through the
    state plotly re-sends when the figure is displayed; inside a box, the explorer's box does that."""
    ex = make()
    ex.search.value = "helsinki"
    ex.year_range.value = (1970, 1980)
    stale = ex.fig._widget_data
    assert [t.get("y") is None or len(t["y"]) == 0 for t in stale[:4]] == [True] * 4  # only the empty start
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    fresh = ex.fig._widget_data
    assert [list(fresh[i]["customdata"]) for i in range(4)] == [
        list(ex.fig.data[i].customdata) for i in range(4)
    ]
    assert fresh[MATCHES]["marker"]["symbol"] == "circle-open"
    assert json.loads(pio.to_json(go.Figure(data=fresh))) == json.loads(
        pio.to_json(go.Figure(data=ex.fig.data))
    )


def test_year_slider_keeps_an_exact_date_from_a_saved_view_until_that_handle_moves():
    ex = make(start="1975-08-01", end="1976-08-01")
    assert ex.year_range.value == (1975, 1976)
    assert drawn(ex) == ["final-act", "one-year-on"]
    assert line(ex, "Period") == "Period: 1975-08-01 to 1976-08-01"
    ex.year_range.value = (1975, 1977)  # only the end handle moved
    assert line(ex, "Period") == "Period: 1975-08-01 to 1977-12-31"
    assert drawn(ex) == ["final-act", "one-year-on", "charter-77"]
    ex.year_range.value = (1973, 1977)
    assert line(ex, "Period") == "Period: 1973 to 1977"


# ------------------------------------------------------------------ the view only assigns the scene
def _assert_panel_is_the_scene(ex):
    import html

    from widgets.timeline.view import _detail_html

    sc = ex._scene
    assert ex.event_list.options == sc.entries
    assert ex.event_list.value == sc.selected
    assert ex.detail.value == _detail_html(sc.detail)
    assert ex.count.value == f"<span role='status' aria-live='polite'>{html.escape(sc.count_text)}</span>"
    assert ex.count_text == sc.count_text
    assert html.escape(sc.description) in ex._summary_text.value and ex.describe() == sc.description
    assert ex.shown_ids == sc.order


def test_after_each_change_the_panel_widgets_hold_the_scene_fields(shared):
    ex = shared
    _assert_panel_is_the_scene(ex)
    ex.year_range.value = (1970, 1995)
    _assert_panel_is_the_scene(ex)
    ex.search.value = "helsinki"
    _assert_panel_is_the_scene(ex)
    assert ex.count_text == "9 of 11 events shown; 2 match the search"  # Final Act, Helsinki Watch
    ex.next_button.click()
    _assert_panel_is_the_scene(ex)
    assert ex._scene.detail.title == "SALT I signed" and "SALT I signed" in ex.detail.value
    ex.track_toggles["detente-arms-control"].value = False  # drops the selection
    _assert_panel_is_the_scene(ex)
    assert ex._scene.detail is None and "Click an event" in ex.detail.value
    ex.mode.value = "aligned"
    _assert_panel_is_the_scene(ex)
    ex.mode.value = "calendar"
    ex.track_toggles["detente-arms-control"].value = True


def test_the_panel_is_built_without_calling_back_into_the_model(shared, monkeypatch):
    """One render asks the model for one scene and nothing else to fill the panel."""
    from course.timeline import Timeline

    ex = shared
    asked = []
    for name in ("describe", "event_label", "search_mask", "layout", "describe_era", "era_bands"):
        real = getattr(Timeline, name)
        monkeypatch.setattr(
            Timeline, name, lambda self, *a, _n=name, _r=real, **k: asked.append(_n) or _r(self, *a, **k)
        )
    real_scene = Timeline.scene
    monkeypatch.setattr(
        Timeline, "scene", lambda self, state: asked.append("scene") or real_scene(self, state)
    )
    ex.search.value = "summit"
    i = asked.index("scene")
    assert "scene" not in asked[i + 1 :] and asked.count("search_mask") == 1  # hits are found once
    asked.clear()
    ex.search.value = ""
    assert asked[0] == "scene" and "describe" not in asked and "event_label" not in asked


def test_describe_tells_the_shown_events_not_only_the_settings(shared):
    ex = shared
    ex.set_view(start=1991, end=1993)
    assert line(ex, "Shown") == "Shown: 3 of 11 events"
    assert line(ex, "Events") == (
        "Events: from 13 Dec 1991 to 12 Mar 1993; in date order: Basic Agreement (13 Dec 1991); "
        "Leap-day talks (29 Feb 1992); NPT withdrawal announced (12 Mar 1993)"
    )
    ex.set_view(start=1969, end=2000)
    assert line(ex, "Events").endswith("CSCE Stage II in Geneva (18 Sep 1973); and 8 more")
    ex.track_toggles["csce"].value = False
    assert "Finnish memorandum" not in line(ex, "Events") and line(ex, "Events").startswith(
        "Events: from 26 May 1972"
    )
    assert line(ex, "Events") in ex._repr_mimebundle_()["text/plain"]
    ex.track_toggles["csce"].value = True


# ------------------------------------------------------------------ the schema and the caller's tables
def test_a_track_added_to_the_schema_gets_a_toggle_a_lane_and_a_legend_entry(tmp_path, monkeypatch):
    from test_timeline_model import ROWS, _schema_copy

    copy = _schema_copy(tmp_path, "environment")
    monkeypatch.setenv("COURSE_DATASETS", str(copy))
    rows = ROWS + [
        ("ozone-talks", "1985-03-22", "", "day", "Vienna Convention", "environment", "UNEP", "Ozone layer.")
    ]
    ex = TimelineExplorer(make_events(rows), make_eras())
    assert (
        list(ex.track_toggles)[-1] == "environment"
        and ex.track_toggles["environment"].description == "Environment"
    )
    assert ex.fig.layout.yaxis.ticktext[-1] == "Environment" and ex.fig.data[-1].name == "Environment"
    assert "ozone-talks" in drawn(ex)
    ex.track_toggles["environment"].value = False
    assert "ozone-talks" not in drawn(ex)
    assert (
        TimelineExplorer().timeline.tracks[-1] == "environment"
    )  # the course's tables, read with the copy's schema


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda df: df.assign(track=df["track"].astype(object).mask(df["id"] == "salt-i", "arms")),
            r"events: unknown track 'arms' \(event 'salt-i'\); allowed tracks: csce, ",
        ),
        (
            lambda df: df.assign(id=df["id"].mask(df["id"] == "salt-i", "final-act")),
            r"ids must be unique; repeated: final-act",
        ),
        (
            lambda df: df.assign(description=df["description"].mask(df["id"] == "salt-i", "  ")),
            r"column 'description' is empty in row 9 \(event 'salt-i'\); every event needs a description",
        ),
    ],
)
def test_a_hand_made_table_with_a_problem_gets_a_value_error_naming_it(change, message):
    with pytest.raises(ValueError, match=message):
        TimelineExplorer(events=change(make_events()))

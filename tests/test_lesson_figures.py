"""The figures of lessons 05-09 that moved out of the lessons into widgets.plots (issue 17, point 5).

Each test draws the figure from the course's own data (or a small table whose values are known) and
checks what a learner sees: the traces, their values, the axis titles, the order of the rows, and the
error a bad table gets. The last tests read the lessons: the cells call these functions and hold no
plotly code of their own, and the gated figures stay gated.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest

from course.data import load_eras, load_events, load_storehouse
from widgets.plots import (
    CYCLE_COLOURS,
    TWO_BY_TWO_COLOURS,
    plot_death_rates,
    plot_escalation_gaps,
    plot_forgiveness,
    plot_intervals,
    plot_setting_totals,
    plot_step_evolution,
    plot_storehouse,
    plot_talks_and_escalations,
    plot_two_by_two,
)

REPO = Path(__file__).resolve().parent.parent

SHORT = {
    "inter-korean-basic-agreement": "North–South Basic Agreement",
    "agreed-framework": "US–DPRK Agreed Framework",
    "kedo": "KEDO established",
    "six-party-joint-statement-2005": "Six-Party Joint Statement",
    "six-party-initial-actions-2007": "Six-Party 'Initial Actions'",
    "panmunjom-declaration": "Panmunjom Declaration",
    "singapore-joint-statement": "Singapore Joint Statement",
}


@pytest.fixture(scope="module")
def events():
    return load_events()


@pytest.fixture(scope="module")
def storehouse():
    return load_storehouse()


def _valid(fig) -> go.Figure:
    assert isinstance(fig, go.Figure)
    go.Figure(
        fig.to_dict()
    )  # passes plotly's validators (the copy holds arrays as binary: test the original)
    return fig


# ------------------------------------------------------------------ lesson 09: the storehouse
def test_storehouse_splits_listed_and_left_out_and_orders_rows_by_date(storehouse, events):
    forum = events.set_index("id").loc["ulaanbaatar-dialogue-2014"]
    fig = _valid(plot_storehouse(storehouse, SHORT, forum=forum))
    listed, left_out, ub = fig.data
    assert (listed.name, left_out.name, ub.name) == (
        "listed in the essay",
        "left out of the essay",
        "a forum, not a signed text",
    )
    assert list(listed.y) == [
        "North–South Basic Agreement",
        "US–DPRK Agreed Framework",
        "KEDO established",
        "Panmunjom Declaration",
        "Singapore Joint Statement",
    ]
    assert list(left_out.y) == ["Six-Party Joint Statement", "Six-Party 'Initial Actions'"]
    assert [pd.Timestamp(x) for x in left_out.x] == [pd.Timestamp("2005-09-19"), pd.Timestamp("2007-02-13")]
    assert (listed.marker.symbol, left_out.marker.symbol, ub.marker.symbol) == (
        "circle",
        "diamond",
        "square-open",
    )
    assert pd.Timestamp(ub.x[0]) == forum["date"] and list(ub.y) == ["Ulaanbaatar Dialogue (a forum)"]
    # earliest first, the forum of 2014 between the 2007 and 2018 texts
    order = list(fig.layout.yaxis.categoryarray)
    assert order.index("Six-Party 'Initial Actions'") + 1 == order.index("Ulaanbaatar Dialogue (a forum)")
    assert order[0] == "North–South Basic Agreement" and order[-1] == "Singapore Joint Statement"
    assert fig.layout.yaxis.autorange == "reversed"
    assert fig.layout.xaxis.title.text == "Date adopted (for the forum: first meeting)"
    assert fig.layout.yaxis.title.text == "Document"
    assert "Six-Party" in fig.layout.title.text or "storehouse" in fig.layout.title.text
    # the hover names the full title and the parties
    assert listed.customdata[0][0] == storehouse.sort_values("adopted")["title"].iloc[0]


def test_storehouse_without_the_forum_has_two_traces(storehouse):
    fig = _valid(plot_storehouse(storehouse, SHORT))
    assert len(fig.data) == 2 and fig.layout.xaxis.title.text == "Date adopted"


def test_storehouse_names_what_is_wrong(storehouse):
    with pytest.raises(ValueError, match=r"no short name.*'kedo'"):
        plot_storehouse(storehouse, {k: v for k, v in SHORT.items() if k != "kedo"})
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['in_essay'\]"):
        plot_storehouse(storehouse.drop(columns="in_essay"), SHORT)
    with pytest.raises(ValueError, match="'in_essay' must hold True or False"):
        plot_storehouse(storehouse.assign(in_essay="yes"), SHORT)
    with pytest.raises(ValueError, match="'adopted' is empty for \\['kedo'\\]"):
        plot_storehouse(
            storehouse.assign(adopted=storehouse["adopted"].where(storehouse["id"] != "kedo")), SHORT
        )
    with pytest.raises(ValueError, match="forum needs a 'date' and a 'title'"):
        plot_storehouse(storehouse, SHORT, forum={"date": "2014-06-01"})


# ------------------------------------------------------------------ lesson 05: days to the next escalation
def _intervals():
    return pd.DataFrame(
        {
            "agreement": ["Joint Communiqué", "Basic Agreement", "Joint Statement"],
            "date": pd.to_datetime(["1972-07-04", "1991-12-13", "2005-09-19"]),
            "next escalation": ["Liberation Day shooting", "Team Spirit", "Banco Delta Asia"],
            "by": ["DPRK", "US/ROK", "US"],
            "days": [772, 444, 1],
        }
    )


def test_escalation_gaps_split_the_record_at_1990_and_plot_the_days():
    intervals = _intervals()
    fig = _valid(plot_escalation_gaps(intervals))
    by_name = {t.name: t for t in fig.data}
    assert set(by_name) == {"before 1990: major attacks only", "1990 and after"}
    early, late = by_name["before 1990: major attacks only"], by_name["1990 and after"]
    assert list(early.y) == [772] and list(late.y) == [444, 1]
    assert list(early.hovertext) == ["Joint Communiqué"]
    assert early.marker.symbol != late.marker.symbol and early.marker.size == 12
    assert fig.layout.xaxis.title.text == "Date of the agreement"
    assert fig.layout.yaxis.title.text == "Days until the next escalation"
    assert fig.layout.yaxis.rangemode == "tozero"
    assert "record" not in intervals.columns  # the learner's table is not changed


def test_escalation_gaps_name_a_bad_table():
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['by'\]"):
        plot_escalation_gaps(_intervals().drop(columns="by"))
    with pytest.raises(ValueError, match="'days' must hold whole days >= 0, got -3"):
        plot_escalation_gaps(_intervals().assign(days=[772, -3, 1]))
    with pytest.raises(ValueError, match="'date' holds 'soon', which is not a date"):
        plot_escalation_gaps(_intervals().assign(date=["1972-07-04", "soon", "2005-09-19"]))


# ------------------------------------------------------------------ lesson 06: talks and escalations
def test_talks_and_escalations_draw_a_row_per_track_and_join_the_deal_to_the_launch(events):
    ev = events.set_index("id")
    window = events[
        (events["date"] >= "2009-01-01")
        & (events["date"] <= "2014-11-12")
        & events["track"].isin(list(CYCLE_COLOURS))
    ]
    deal, launch = ev.loc["leap-day-announcements"], ev.loc["unha-3-failed-launch"]
    fig = _valid(plot_talks_and_escalations(window, deal=deal, breach=launch))
    by_track = {t.name: t for t in fig.data}
    assert set(by_track) == set(window["track"])
    for track, trace in by_track.items():
        part = window[window["track"] == track]
        assert len(trace.x) == len(part) and set(trace.y) == {track}
        assert trace.marker.color == CYCLE_COLOURS[track]
        assert sorted(c[0] for c in trace.customdata) == sorted(
            html.escape(t, quote=False) for t in part["title"]
        )
    (line,) = fig.layout.shapes
    assert pd.Timestamp(line.x0) == deal["date"] and pd.Timestamp(line.x1) == launch["date"]
    assert (line.y0, line.y1, line.line.dash) == ("korea-diplomacy", "escalation", "dot")
    assert [a.text for a in fig.layout.annotations] == ["Leap Day deal", "Unha-3 launch, April 2012"]
    assert list(fig.layout.yaxis.categoryarray) == ["escalation", "humanitarian", "korea-diplomacy"]
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("Date", "Track")


def test_talks_and_escalations_without_marks_and_with_bad_input(events):
    window = events[events["track"] == "escalation"].head(3)
    fig = _valid(plot_talks_and_escalations(window))
    assert len(fig.data) == 1 and not fig.layout.shapes and not fig.layout.annotations
    with pytest.raises(ValueError, match=r"'track' holds \['csce'\]"):
        plot_talks_and_escalations(events[events["track"] == "csce"].head(2))
    with pytest.raises(ValueError, match="give both deal and breach"):
        plot_talks_and_escalations(window, deal={"date": "2012-02-29"})
    with pytest.raises(ValueError, match="the breach's date: 'later' is not a date"):
        plot_talks_and_escalations(window, deal={"date": "2012-02-29"}, breach={"date": "later"})


# ------------------------------------------------------------------ lesson 08: the two-by-two
def _grid():
    rows = []
    for k, (opening, response) in enumerate(TWO_BY_TWO_COLOURS):
        for p, partner in enumerate(["reneger", "provoker"]):
            rows.append(
                dict(
                    partner=partner,
                    opening=opening,
                    response=response,
                    named="GRIT" if (opening, response) == ("small", "match") else "",
                    **{"mean payoff": 10.0 * k + p, "mean worst loss": 0.5 * k + p},
                )
            )
    return pd.DataFrame(rows)


def test_two_by_two_draws_payoff_and_worst_loss_per_design():
    fig = _valid(plot_two_by_two(_grid()))
    assert len(fig.data) == 8  # four designs x two panels
    payoff = [t for t in fig.data if t.xaxis == "x"]
    loss = [t for t in fig.data if t.xaxis == "x2"]
    assert [t.name for t in payoff] == [
        "small opening, match (GRIT)",
        "small opening, grim",
        "all opening, match",
        "all opening, grim",
    ]
    assert [list(t.y) for t in payoff] == [[0, 1], [10, 11], [20, 21], [30, 31]]
    assert [list(t.y) for t in loss] == [[0, 1], [0.5, 1.5], [1, 2], [1.5, 2.5]]
    assert all(list(t.x) == ["reneger", "provoker"] for t in fig.data)
    assert [t.showlegend for t in fig.data] == [True, False] * 4
    assert [t.marker.color for t in payoff] == list(TWO_BY_TWO_COLOURS.values())
    assert fig.layout.yaxis.title.text == "payoff" and fig.layout.yaxis2.title.text == "loss in one round"
    assert [a.text for a in fig.layout.annotations] == [
        "Mean total payoff of side A",
        "Mean worst single-round loss",
    ]
    assert fig.layout.barmode == "group"


def test_two_by_two_draws_the_real_comparison():
    from course.trust import compare_designs

    grid = compare_designs(rounds=20, runs=5, seed=0)
    fig = _valid(plot_two_by_two(grid))
    first = grid[(grid["opening"] == "small") & (grid["response"] == "match")]
    assert list(fig.data[0].y) == first["mean payoff"].tolist()
    assert list(fig.data[1].y) == first["mean worst loss"].tolist()


def test_two_by_two_names_a_missing_design_or_column():
    grid = _grid()
    with pytest.raises(ValueError, match="no row with opening 'all' and response 'grim'"):
        plot_two_by_two(grid[~((grid["opening"] == "all") & (grid["response"] == "grim"))])
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['mean worst loss'\]"):
        plot_two_by_two(grid.drop(columns="mean worst loss"))


# ------------------------------------------------------------------ lesson 07: small steps before Helsinki
def test_lesson_07_path_to_helsinki_through_plot_intervals(events):
    final_act = events.set_index("id").loc["helsinki-final-act", "date"]
    path = events[events["track"].isin(["detente-arms-control", "csce"]) & (events["date"] <= final_act)]
    detente = load_eras().set_index("id").loc["detente-1969-1979"]
    fig = _valid(
        plot_intervals(
            path,
            bands=[
                (detente["start"], final_act, "détente"),
                ("1963-06-10", "1963-11-22", "Kennedy experiment"),
            ],
        )
    )
    drawn = sum(len(t.x) if t.mode == "markers" else 1 for t in fig.data)
    assert drawn == len(path)  # every event once: a dot for a day, a bar for a range
    assert [a.text for a in fig.layout.annotations] == ["détente", "Kennedy experiment"]
    assert pd.Timestamp(fig.layout.shapes[1].x0) == pd.Timestamp("1963-06-10")
    assert pd.Timestamp(fig.layout.shapes[0].x1) == final_act


# ------------------------------------------------------------------ the lessons call them
CALLS = {
    "05_korea_1994_2021.ipynb": ["plot_escalation_gaps(intervals)"],
    "06_six_obstacles.ipynb": ["plot_talks_and_escalations(window", "plot_setting_totals(totals)"],
    "07_small_steps_grit.ipynb": ["plot_intervals(path", "plot_forgiveness(sweep)"],
    "08_trust_lab.ipynb": ["plot_two_by_two(grid)", "plot_step_evolution(evo", "plot_death_rates(rates)"],
    "09_toward_an_osc_for_northeast_asia.ipynb": ["plot_storehouse(storehouse", "essay_corrections(events"],
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_lessons_draw_these_figures_through_the_functions(name):
    nb = json.loads((REPO / "lessons" / name).read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    for call in CALLS[name]:
        (cell,) = [c for c in code if call in c]
        assert "go.Figure" not in cell and "px." not in cell and "add_trace" not in cell
        assert len(cell.splitlines()) <= 12, cell
    gated = {"06_six_obstacles.ipynb": 0, "07_small_steps_grit.ipynb": 1, "08_trust_lab.ipynb": 0}
    if name in gated:  # the charts that show an answer stay behind reveal_after
        call = CALLS[name][gated[name]]
        (cell,) = [c for c in code if call in c]
        assert cell.count("reveal_after(") == 1 and f"lambda: {call.split('(')[0]}(" in cell


# ------------------------------------------------------------------ lesson 09: the corrections table
def test_essay_corrections_read_every_date_from_the_data(events, storehouse):
    from course.essay_corrections import essay_corrections

    table = essay_corrections(events, storehouse)
    assert list(table.columns) == ["the essay says", "the record", "where to check"] and len(table) == 5
    ba = storehouse.set_index("id").loc["inter-korean-basic-agreement"]
    assert table["the essay says"][1] == "The North–South agreement was " + ba["essay_says"]
    assert f"Signed on {ba['signed'].day} {ba['signed']:%b %Y}" in table["the record"][1]
    assert "in force from 19 Feb 1992" in table["the record"][1]
    assert "The Final Act (1 Aug 1975)" in table["the record"][3]
    # a corrected date in the data corrects the table
    moved = events.assign(
        date=events["date"].where(events["id"] != "charter-of-paris", pd.Timestamp("1990-11-22"))
    )
    assert "Charter of Paris (22 Nov 1990)" in essay_corrections(moved, storehouse)["the record"][3]


def test_essay_corrections_name_a_missing_row_column_or_value(events, storehouse):
    from course.essay_corrections import essay_corrections

    with pytest.raises(ValueError, match=r"events has no row with the id\(s\) \['charter-of-paris'\]"):
        essay_corrections(events[events["id"] != "charter-of-paris"], storehouse)
    with pytest.raises(ValueError, match=r"storehouse lacks the column\(s\) \['essay_says'\]"):
        essay_corrections(events, storehouse.drop(columns="essay_says"))
    with pytest.raises(ValueError, match="storehouse has no 'in_force' for 'inter-korean-basic-agreement'"):
        essay_corrections(events, storehouse.assign(in_force=pd.NaT))
    with pytest.raises(ValueError, match="events must be a pandas DataFrame, got list"):
        essay_corrections([], storehouse)


# ------------------------------------------------------------------ lesson 07 step 3 and lesson 08 step 5
def _sweep():
    rows = []
    for varied, values in (("provocation rate", (0.0, 0.15, 0.3)), ("noise", (0.0, 0.1))):
        for k, v in enumerate(values):
            for response, base in (("match", 100.0), ("grim", 50.0)):
                rows.append(
                    {"varied": varied, "value": v, "response": response, "mean total payoff": base - 10 * k}
                )
    return pd.DataFrame(rows)


def test_forgiveness_draws_match_and_grim_against_the_provocation_rate_only():
    fig = _valid(plot_forgiveness(_sweep()))
    match, grim = fig.data
    assert (match.name, grim.name) == ("small opening, match", "small opening, grim")
    assert (
        list(match.x) == [0.0, 0.15, 0.3] and list(match.y) == [100, 90, 80] and list(grim.y) == [50, 40, 30]
    )
    assert (match.line.dash, grim.line.dash) == ("solid", "dash")
    assert fig.layout.xaxis.title.text.startswith("Provocation rate")
    assert fig.layout.yaxis.title.text == "Side A's mean total payoff, 50 rounds"
    with pytest.raises(ValueError, match=r"no row has varied == 'rain'; the column 'varied' holds \['noise'"):
        plot_forgiveness(_sweep(), varied="rain")
    with pytest.raises(ValueError, match="no row for the response 'grim'"):
        plot_forgiveness(_sweep().query("response == 'match'"))


def test_step_evolution_draws_the_two_means_of_the_real_model():
    from course.trust import evolve_step_sizes

    frame = evolve_step_sizes(agents=20, generations=5, a0=1.0, b0=1.0, seed=0).to_frame()
    fig = _valid(plot_step_evolution(frame))
    a, b = fig.data
    assert (a.name, b.name) == ("mean opening a", "mean raise b")
    assert list(a.x) == frame["generation"].tolist() and list(a.y) == frame["mean a"].tolist()
    assert list(b.y) == frame["mean b"].tolist() and b.line.dash == "dash"
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("Generation", "Population mean")
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['mean b'\]"):
        plot_step_evolution(frame.drop(columns="mean b"))
    with pytest.raises(ValueError, match="no generations"):
        plot_step_evolution(frame.iloc[:0])


# ------------------------------------------------------------------ lesson 08: the humanitarian death rates
def test_death_rates_draw_a_bar_per_period_at_its_rate():
    from course.data import load_family_registry
    from course.humanitarian import period_death_rates

    rates = period_death_rates(load_family_registry())
    fig = _valid(plot_death_rates(rates))
    (bar,) = fig.data
    assert list(bar.y) == pytest.approx((rates["rate"] * 100).tolist())
    mid = rates["period_start"] + (rates["period_end"] - rates["period_start"]) / 2
    assert [pd.Timestamp(x) for x in bar.x] == list(mid)
    days = (rates["period_end"] - rates["period_start"]).dt.days
    assert list(bar.width) == pytest.approx((days * 24 * 3600 * 1000 * 0.9).tolist())
    assert [c[0] for c in bar.customdata] == rates["deaths"].tolist()
    assert fig.layout.yaxis.title.text == "Deaths per 100 living applicants per year"
    with pytest.raises(ValueError, match="a period ends on or before its start"):
        plot_death_rates(rates.assign(period_end=rates["period_start"]))
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['deaths'\]"):
        plot_death_rates(rates.drop(columns="deaths"))


# ------------------------------------------------------------------ lesson 06: totals by setting
def test_setting_totals_match_the_course_ratings():
    from course.data import load_obstacles
    from course.scorecard import course_table

    table = course_table(load_obstacles())
    totals = table.groupby("setting", sort=False)["rating"].sum()
    fig = _valid(plot_setting_totals(totals))
    (bar,) = fig.data
    assert (
        list(bar.x) == list(totals.index)
        and list(bar.y) == totals.tolist()
        and list(bar.text) == totals.tolist()
    )
    assert list(bar.marker.color) == ["#2166ac", "#e08214", "#762a83"][: len(totals)]
    assert list(fig.layout.yaxis.range) == [0, 24]
    assert fig.layout.yaxis.title.text == "Sum of the six ratings (maximum 24)"
    with pytest.raises(ValueError, match="a total lies outside 0..24"):
        plot_setting_totals(totals + 30)
    with pytest.raises(ValueError, match="expected a pandas Series"):
        plot_setting_totals(totals.to_frame())
    with pytest.raises(ValueError, match="must hold a number for every setting"):
        plot_setting_totals(pd.Series({"Europe 1975": "low"}))

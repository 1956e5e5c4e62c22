"""The humanitarian clock: hand-worked projections, the death-rate estimate, the view driven in Python, the errors."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from course import humanitarian as hc
from course.data import load_family_registry
from widgets.humanitarian import HumanitarianClock


def registry(rows):
    """A small registry shaped like load_family_registry()'s table."""
    cols = [
        "as_of",
        "period_start",
        "registered_total",
        "deceased",
        "alive",
        "deaths_in_period",
        "note",
        "source_url",
        "verified",
    ]
    df = pd.DataFrame([{**{c: None for c in cols}, **r} for r in rows], columns=cols)
    for c in ("as_of", "period_start"):
        df[c] = pd.to_datetime(df[c])
    for c in ("registered_total", "deceased", "alive", "deaths_in_period"):
        df[c] = df[c].astype("Int64")
    df["source_url"] = "https://example.org/"
    df["verified"] = True
    return df


# A stable register: 10,000 alive at both snapshots; 500 deaths in 2020 (366 days), 250 in Jan-Jun 2021 (181 days).
STABLE = registry(
    [
        {"as_of": "2020-01-01", "registered_total": 15000, "deceased": 5000, "alive": 10000},
        {"as_of": "2020-12-31", "period_start": "2020-01-01", "deaths_in_period": 500},
        {"as_of": "2021-06-30", "period_start": "2021-01-01", "deaths_in_period": 250},
        {"as_of": "2022-01-01", "registered_total": 15750, "deceased": 5750, "alive": 10000},
    ]
)


# ------------------------------------------------------------ the projection, by hand
def test_ten_thousand_at_ten_percent_is_9000_then_8100():
    p = hc.project_survivors(10_000, "2020-01-01", 0.10, 2)
    assert p["survivors"].tolist() == pytest.approx([10_000, 9_000, 8_100])
    assert p["years"].tolist() == [0, 1, 2]
    assert [d.strftime("%Y-%m-%d") for d in p["date"]] == ["2020-01-01", "2021-01-01", "2022-01-01"]


def test_projection_of_zero_years_is_the_start_only():
    p = hc.project_survivors(500, "2024-12-31", 0.05, 0)
    assert len(p) == 1 and p["survivors"].iloc[0] == 500


def test_half_life_at_a_given_rate():
    # 1 - r = 0.5 ** (1/10): the survivors halve in exactly ten years
    r = 1 - 0.5**0.1
    p = hc.project_survivors(40_000, "2025-01-01", r, 20)
    assert p["survivors"].iloc[10] == pytest.approx(20_000)
    assert p["survivors"].iloc[20] == pytest.approx(10_000)


def test_years_until_below_by_hand():
    assert hc.years_until_below(10_000, 0.10, 8_100) == pytest.approx(2.0)
    assert hc.years_until_below(10_000, 0.10, 9_000) == pytest.approx(1.0)
    assert hc.years_until_below(5_000, 0.10, 10_000) == 0.0  # already below
    when, t = hc.crossing(10_000, "2020-01-01", 0.10, 8_100)
    assert t == pytest.approx(2.0) and when.year == 2021 and when.month == 12  # 2 x 365.25 days


# ------------------------------------------------------------ the estimate, by hand
def test_period_rates_on_a_stable_register():
    rates = hc.period_death_rates(STABLE)
    assert len(rates) == 2
    first = rates.iloc[0]
    assert first["years"] == pytest.approx(366 / 365.25)
    assert first["alive_mid"] == pytest.approx(10_000)
    m = 500 / (10_000 * 366 / 365.25)
    assert first["central_rate"] == pytest.approx(m)
    assert first["rate"] == pytest.approx(1 - math.exp(-m))


def test_estimate_pools_deaths_over_person_years():
    m = 750 / (10_000 * (366 + 181) / 365.25)
    assert hc.estimate_death_rate(STABLE) == pytest.approx(1 - math.exp(-m))
    m2 = 250 / (10_000 * 181 / 365.25)
    assert hc.estimate_death_rate(STABLE, since="2021-01-01") == pytest.approx(1 - math.exp(-m2))


def test_alive_at_the_midpoint_is_interpolated_log_linearly():
    reg = registry(
        [
            {"as_of": "2020-01-01", "alive": 10_000},
            {"as_of": "2020-12-31", "period_start": "2020-01-01", "deaths_in_period": 900},
            {"as_of": "2021-01-01", "alive": 8_100},
        ]
    )
    mid = hc.period_death_rates(reg)["alive_mid"].iloc[0]
    assert mid == pytest.approx(9_000, rel=1e-3)  # the geometric mean of 10,000 and 8,100


def test_periods_outside_the_snapshots_are_left_out():
    reg = registry(
        [
            {
                "as_of": "2009-12-31",
                "period_start": "2009-01-01",
                "deaths_in_period": 3000,
            },  # before any snapshot
            {"as_of": "2020-01-01", "alive": 10_000},
            {"as_of": "2020-12-31", "period_start": "2020-01-01", "deaths_in_period": 500},
            {"as_of": "2022-01-01", "alive": 9_000},
            {"as_of": "2023-12-31", "period_start": "2023-01-01", "deaths_in_period": 400},  # after the last
            {"as_of": "2021-06-30", "deaths_in_period": 100},  # no period_start
        ]
    )
    rates = hc.period_death_rates(reg)
    assert rates["period_start"].dt.year.tolist() == [2020]


def test_no_usable_period_raises():
    reg = registry([{"as_of": "2020-01-01", "alive": 10_000}, {"as_of": "2022-01-01", "alive": 9_000}])
    with pytest.raises(ValueError, match="no usable death counts"):
        hc.estimate_death_rate(reg)
    with pytest.raises(ValueError, match="starting on or after 2030"):
        hc.estimate_death_rate(STABLE, since="2030-01-01")


# ------------------------------------------------------------ against the course data
def test_observed_alive_is_the_data_s_snapshots_with_a_living_count():
    data = load_family_registry()
    obs = hc.observed_alive()
    expected = data[data["alive"].notna()].sort_values("as_of")
    assert obs["alive"].tolist() == expected["alive"].tolist()
    assert obs["date"].is_monotonic_increasing
    assert obs["alive"].iloc[-1] == expected["alive"].iloc[-1]


def test_estimate_against_the_data():
    est = hc.estimate_death_rate()
    rates = hc.period_death_rates()
    assert len(rates) >= 5
    # the pooled estimate lies within the range of the yearly rates
    assert rates["rate"].min() <= est <= rates["rate"].max()
    assert 0.03 < est < 0.12
    # and agrees with the net decline between the first and last snapshots to within 1.5 points
    # (deaths outrun the net decline a little, because a few hundred people still register each year)
    obs = hc.observed_alive()
    years = (obs["date"].iloc[-1] - obs["date"].iloc[0]) / pd.Timedelta(days=365.25)
    net = 1 - (obs["alive"].iloc[-1] / obs["alive"].iloc[0]) ** (1 / years)
    assert abs(est - net) < 0.015


def test_the_death_rate_rises_as_the_applicants_age():
    rates = hc.period_death_rates()
    early = rates[rates["period_start"].dt.year <= 2016]["rate"]
    late = rates[rates["period_start"].dt.year >= 2018]["rate"]
    assert len(early) >= 2 and len(late) >= 2
    assert late.mean() > early.mean() + 0.01
    assert hc.estimate_death_rate(since="2018-01-01") > hc.estimate_death_rate()


# ------------------------------------------------------------ the view, driven in Python
def test_clock_defaults_to_the_estimated_rate_and_real_data():
    clock = HumanitarianClock()
    assert clock.rate == pytest.approx(hc.estimate_death_rate())
    assert clock.estimated_rate == pytest.approx(hc.estimate_death_rate())
    obs = hc.observed_alive()
    assert list(clock.fig.data[0].y) == [int(v) for v in obs["alive"]]
    assert clock.fig.data[1].y[0] == obs["alive"].iloc[-1]
    assert pd.Timestamp(clock.fig.data[1].x[-1]).year == 2040
    text = clock.describe()
    assert "since 1988" in text and "applicants, not all separated families" in text
    assert f"{int(obs['alive'].iloc[-1]):,} alive" in text


def test_moving_the_slider_updates_the_figure_in_place():
    clock = HumanitarianClock(STABLE, rate=0.10, until=2040)
    fig = clock.fig
    assert fig.data[1].y[:3] == pytest.approx((10_000, 9_000, 8_100))
    assert "10.0 %" in fig.layout.title.text
    clock.slider.value = 0.20
    assert clock.fig is fig  # the same figure, updated, not replaced
    assert fig.data[1].y[:3] == pytest.approx((10_000, 8_000, 6_400))
    assert "20.0 %" in fig.layout.title.text and "20.0 %" in fig.data[1].name
    assert "20.0 %" in clock.describe()
    # below 10,000 at once: the marker sits at the start
    assert fig.data[2].y == (10_000,)


def test_marker_marks_the_crossing_and_disappears_beyond_until():
    reg = registry(
        [
            {"as_of": "2020-01-01", "alive": 40_000},
            {"as_of": "2020-12-31", "period_start": "2020-01-01", "deaths_in_period": 2_000},
            {"as_of": "2022-01-01", "alive": 36_000},
        ]
    )
    clock = HumanitarianClock(reg, rate=0.10, until=2040)
    when, t = clock.crossing()
    assert t == pytest.approx(math.log(10_000 / 36_000) / math.log(0.9))
    assert pd.Timestamp(clock.fig.data[2].x[0]).year == when.year == 2034
    assert f"below 10,000 in {when.year}" in clock.describe()
    clock.set_rate(0.02)  # far too slow to cross by 2040
    assert clock.fig.data[2].x == () and clock.fig.data[2].y == ()
    assert "stays above 10,000 until 2040" in clock.describe()
    assert "still above 10,000 in 2040" in clock.fig.layout.title.text


def test_static_figure_has_titles_and_three_traces():
    clock = HumanitarianClock(STABLE, rate=0.05, until=2030)
    fig = clock.figure
    assert type(fig).__name__ == "Figure"
    assert len(fig.data) == 3
    assert fig.layout.title.text and fig.layout.xaxis.title.text == "Date"
    assert fig.layout.yaxis.title.text == "Applicants alive"
    assert fig.layout.xaxis.type == "date"


# ------------------------------------------------------------ errors
@pytest.mark.parametrize("rate", [0, 1, -0.1, 1.5, float("nan"), "fast", None])
def test_rate_outside_zero_one_is_refused(rate):
    with pytest.raises(ValueError, match=r"annual_death_rate must be .*between 0 and 1"):
        hc.project_survivors(10_000, "2020-01-01", rate, 5)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(alive0=0), "alive0 must be a number greater than 0"),
        (dict(alive0=-5), "alive0 must be a number greater than 0"),
        (dict(years=-1), "years must be a whole number from 0 to 200"),
        (dict(years=2.5), "years must be a whole number from 0 to 200"),
        (dict(start_date="not a date"), "start_date must be a date"),
    ],
)
def test_projection_arguments_are_checked(kwargs, match):
    args = dict(alive0=10_000, start_date="2020-01-01", annual_death_rate=0.1, years=5) | kwargs
    with pytest.raises(ValueError, match=match):
        hc.project_survivors(**args)


def test_threshold_must_be_positive():
    with pytest.raises(ValueError, match="threshold must be a number greater than 0"):
        hc.years_until_below(10_000, 0.1, 0)


def test_clock_rate_must_be_in_the_slider_range():
    with pytest.raises(ValueError, match=r"rate must be from 0.005 to 0.3"):
        HumanitarianClock(STABLE, rate=0.5)
    with pytest.raises(ValueError, match=r"rate must be strictly between 0 and 1"):
        HumanitarianClock(STABLE, rate=1.2)
    clock = HumanitarianClock(STABLE, rate=0.1)
    with pytest.raises(ValueError, match=r"rate must be from"):
        clock.set_rate(0.001)


@pytest.mark.parametrize("until", [2021, 2101, 2040.5, "2040"])
def test_until_must_be_a_year_after_the_last_count(until):
    with pytest.raises(ValueError, match="until must be a whole year from 2023 to 2100"):
        HumanitarianClock(STABLE, rate=0.1, until=until)


def test_registry_must_have_the_needed_columns():
    with pytest.raises(ValueError, match="registry is missing column"):
        hc.observed_alive(STABLE.drop(columns=["deaths_in_period"]))
    with pytest.raises(ValueError, match="registry must be a pandas DataFrame"):
        hc.estimate_death_rate([1, 2, 3])


# ------------------------------------------------------------ lesson 08 keeps up with the data and the engine
# Lesson 08 stores its answers hashed. These tests rebuild each data- or engine-derived answer from the current
# data and the seeded engine and check it against the lesson's question, so a change in family_registry.csv or in
# course.trust that would silently make a lesson answer wrong fails here instead.
LESSON = Path(__file__).resolve().parent.parent / "lessons" / "08_trust_lab.ipynb"


def _question(qid):
    from course.selfcheck.bank import load_bank

    # the lesson asks it with ask(qid); the question itself is in the lesson's bank
    nb = LESSON.read_text(encoding="utf-8")
    assert f'ask(\\"{qid}\\")' in nb, f"{LESSON.name} does not ask {qid}"
    return load_bank(LESSON.parent / "questions" / "08.toml").question(qid)


@pytest.mark.skipif(not LESSON.exists(), reason="lesson 08 not written yet")
def test_lesson06_clock_answer_matches_the_data():
    obs = hc.observed_alive()
    t = hc.years_until_below(float(obs["alive"].iloc[-1]), hc.estimate_death_rate(since="2018-01-01"), 10_000)
    assert _question("l08-clock-years-below").check(round(t, 1)), t


# The trust-lab answers of lessons 07 and 08 are rebuilt from the engine in tests/test_trust_lab_lessons.py.


# ------------------------------------------------------------ what the browser is sent
def test_figure_is_plotly_json_in_an_output_and_the_slider_redraws_it():
    """No FigureWidget (no 5 MB plotly bundle): the Output holds plotly's mime JSON, redrawn on a move."""
    import ipywidgets as ipw
    import plotly.graph_objects as go

    from widgets.figures import MIME

    clock = HumanitarianClock(STABLE, rate=0.10, until=2040)
    assert not any(isinstance(w, go.FigureWidget) for w in clock.widget.children)
    assert isinstance(clock.plot, ipw.Output) and clock.plot in clock.widget.children
    shown = clock.plot.outputs[0]["data"][MIME]
    assert shown["data"][1]["y"][:3] == pytest.approx([10_000, 9_000, 8_100])
    assert "10.0 %" in shown["layout"]["title"]["text"]
    clock.slider.value = 0.20
    (out,) = clock.plot.outputs
    shown = out["data"][MIME]
    assert shown["data"][1]["y"][:3] == pytest.approx([10_000, 8_000, 6_400])
    assert "20.0 %" in shown["layout"]["title"]["text"] and "20.0 %" in shown["data"][1]["name"]
    assert shown["data"][2]["y"] == [10_000]

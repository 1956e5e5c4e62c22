"""The timeline's pure logic (course.timeline), on a small hand-made table.

Every expected value below is worked out by hand from the table in
:func:`make_events`; the comments show the arithmetic.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.timeline import (
    TRACKS,
    AlignSide,
    Timeline,
    check_tracks,
    era_names,
    fold_text,
    format_date,
    format_when,
    load_schema,
    pack_rows,
    prepare_eras,
    prepare_events,
    search_terms,
    split_actors,
    to_timestamp,
    years_since,
)

REPO = Path(__file__).resolve().parent.parent

# id, date, end_date, precision, title, track, actors, description
ROWS = [
    (
        "finnish-memo",
        "1969-05-05",
        "",
        "day",
        "Finnish memorandum",
        "csce",
        "Finland",
        "Finland offers Helsinki as the host of a security conference.",
    ),
    (
        "salt-i",
        "1972-05-26",
        "",
        "day",
        "SALT I signed",
        "detente-arms-control",
        "US; USSR",
        "Limits anti-ballistic missile systems.",
    ),
    (
        "csce-geneva",
        "1973-09-18",
        "1975-07-21",
        "day",
        "CSCE Stage II in Geneva",
        "csce",
        "35 states",
        "Drafting the Final Act.",
    ),
    (
        "final-act",
        "1975-08-01",
        "",
        "day",
        "Helsinki Final Act signed",
        "csce",
        "35 states; US; USSR",
        "The Décalogue and three baskets.",
    ),
    (
        "one-year-on",
        "1976-08-01",
        "",
        "day",
        "One year on",
        "csce",
        "35 states",
        "A review, one calendar year after the Final Act.",
    ),
    (
        "charter-77",
        "1977-01-01",
        "",
        "month",
        "Charter 77 <declaration>",
        "humanitarian",
        "Havel",
        'Dissidents sign & publish a "charter".',
    ),
    (
        "helsinki-watch",
        "1978-01-01",
        "",
        "year",
        "Helsinki Watch founded",
        "humanitarian",
        "Bernstein",
        "A US group watching compliance.",
    ),
    (
        "basic-agreement",
        "1991-12-13",
        "",
        "day",
        "Basic Agreement",
        "korea-diplomacy",
        "ROK; DPRK",
        "Reconciliation and non-aggression.",
    ),
    (
        "leap-day-talks",
        "1992-02-29",
        "",
        "day",
        "Leap-day talks",
        "korea-diplomacy",
        "ROK; DPRK",
        "Talks on a 29 February.",
    ),
    (
        "npt-1993",
        "1993-03-12",
        "",
        "day",
        "NPT withdrawal announced",
        "escalation",
        "DPRK",
        "Suspended later in 1993.",
    ),
    (
        "summit-2000",
        "2000-06-13",
        "2000-06-15",
        "day",
        "First inter-Korean summit",
        "korea-diplomacy",
        "ROK; DPRK",
        "A summit in Pyongyang.",
    ),
]
DATE_ORDER = [r[0] for r in ROWS]
ALIGN = (("final-act", ["csce"]), ("basic-agreement", ["korea-diplomacy"]))


def make_events(rows=ROWS) -> pd.DataFrame:
    """A table typed as course.data.load_events() returns it (shuffled, to test the sorting)."""
    df = pd.DataFrame(
        rows, columns=["id", "date", "end_date", "precision", "title", "track", "actors", "description"]
    )
    df["date"] = pd.to_datetime(df["date"])
    df["end_date"] = pd.to_datetime(df["end_date"].replace("", None))
    df["source_url"] = ["https://example.org/" + i for i in df["id"]]
    df.loc[df["id"] == "charter-77", "source_url"] = 'https://example.org/charter?a=1&b="x"'
    df["verified"] = True
    for c in ("id", "precision", "title", "track", "actors", "description", "source_url"):
        df[c] = df[c].astype("string")
    return df.iloc[::-1].reset_index(drop=True)


def make_eras() -> pd.DataFrame:
    return pd.DataFrame(
        [
            (
                "detente-1969-1979",
                "detente",
                "Détente",
                "1969-01-01",
                "1979-12-31",
                "",
                "Détente, whole years.",
            ),
            (
                "belgrade",
                "csce-follow-up",
                "Belgrade follow-up",
                "1977-10-04",
                "1978-03-09",
                "",
                "First CSCE follow-up meeting.",
            ),
            (
                "madrid",
                "csce-follow-up",
                "Madrid follow-up",
                "1980-11-11",
                "1983-09-09",
                "",
                "Second CSCE follow-up meeting.",
            ),
            ("six-party", "six-party-talks", "Six-Party Talks", "2003-08-27", "2009-04-14", "", "The talks."),
        ],
        columns=["id", "era", "label", "start", "end", "event_id", "description"],
    )


@pytest.fixture(scope="module")
def tl() -> Timeline:
    return Timeline(make_events(), make_eras())


def shown(tl, **view) -> list[str]:
    return list(tl.scene(tl.make_state(**view)).order)


# ------------------------------------------------------------------ checking inputs
def test_prepare_events_sorts_by_date_and_keeps_types():
    ev = prepare_events(make_events())
    assert list(ev["id"]) == DATE_ORDER
    assert str(ev["date"].dtype) == "datetime64[ns]"
    assert ev.loc[ev["id"] == "summit-2000", "end_date"].item() == pd.Timestamp("2000-06-15")
    assert ev["end_date"].isna().sum() == 9


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"missing the columns title, track; it needs id, date"):
        prepare_events(make_events().drop(columns=["track", "title"]))
    with pytest.raises(ValueError, match=r"missing the column end\b"):
        prepare_eras(make_eras().drop(columns=["end"]))


@pytest.mark.parametrize(
    "column, value, message",
    [
        (
            "track",
            "europe",
            r"unknown track 'europe' \(event 'summit-2000'\); allowed tracks: csce, detente-arms-control, "
            r"korea-diplomacy, humanitarian, escalation",
        ),
        ("precision", "decade", r"unknown precision 'decade'.*allowed precisions: day, month, year"),
        ("date", "soon", r"column 'date' holds a value that is not a date"),
        ("id", "final-act", r"ids must be unique; repeated: final-act"),
    ],
)
def test_bad_event_values_are_named(column, value, message):
    df = make_events()
    df[column] = df[column].astype("object")
    df.loc[0, column] = value  # row 0 is summit-2000 (the table is reversed)
    with pytest.raises(ValueError, match=message):
        prepare_events(df)


def test_end_before_start_is_refused():
    df = make_events()
    df.loc[df["id"] == "summit-2000", "end_date"] = pd.Timestamp("2000-01-01")
    with pytest.raises(ValueError, match="'summit-2000' ends before it starts"):
        prepare_events(df)


def test_check_tracks():
    assert check_tracks(None) == TRACKS
    assert check_tracks(["escalation", "csce"]) == ("csce", "escalation")  # lane order
    assert check_tracks("humanitarian") == ("humanitarian",)
    with pytest.raises(ValueError, match=r"unknown track 'Europe' in tracks; allowed tracks: csce, "):
        check_tracks(["csce", "Europe"])


def test_to_timestamp():
    assert to_timestamp(1975) == pd.Timestamp("1975-01-01")
    assert to_timestamp(1975, end=True) == pd.Timestamp("1975-12-31")
    assert to_timestamp("1975", end=True) == pd.Timestamp("1975-12-31")
    assert to_timestamp("1975-08-01", end=True) == pd.Timestamp("1975-08-01")
    assert to_timestamp(dt.date(1975, 8, 1)) == pd.Timestamp("1975-08-01")
    assert to_timestamp(dt.datetime(1975, 8, 1, 15, 30)) == pd.Timestamp("1975-08-01")
    for bad in (True, 1.5, "soon", None):
        with pytest.raises(ValueError, match="start"):
            to_timestamp(bad, name="start")


def test_bad_view_parameters_are_named(tl):
    with pytest.raises(
        ValueError, match=r"start \(1980-01-01\) is after end \(1970-12-31\); start must be on or before end"
    ):
        tl.make_state(start=1980, end=1970)
    with pytest.raises(ValueError, match=r"unknown actor 'Kissinger'"):
        tl.make_state(actors=["Kissinger"])
    with pytest.raises(
        ValueError, match=r"unknown era 'cold-war'; allowed eras: detente, csce-follow-up, six-party-talks"
    ):
        tl.make_state(era="cold-war")
    with pytest.raises(ValueError, match=r"unknown mode 'map'; allowed modes: calendar, aligned"):
        tl.make_state(mode="map")
    with pytest.raises(ValueError, match=r"unknown event 'nope' for selected"):
        tl.make_state(selected="nope")
    with pytest.raises(ValueError, match=r"unknown anchor event 'nope' for lane B"):
        tl.make_state(align=(("final-act", ["csce"]), ("nope", ["csce"])))
    with pytest.raises(ValueError, match=r"unknown track 'korea' in the tracks of lane A"):
        tl.make_state(align=(("final-act", ["korea"]), ("basic-agreement", None)))
    with pytest.raises(ValueError, match=r"window .* starts after it ends"):
        tl.make_state(window=(10, -10))


# ------------------------------------------------------------------ text helpers
def test_split_actors_and_fold_text():
    assert split_actors(" US; USSR ;; ") == ["US", "USSR"]
    assert fold_text("Détente DÉCALOGUE") == "detente decalogue"
    assert search_terms("  Helsinki  FINAL ") == ("helsinki", "final")


@pytest.mark.parametrize(
    "date, precision, text",
    [
        ("1975-08-01", "day", "1 August 1975"),
        ("1977-01-01", "month", "January 1977"),
        ("1978-01-01", "year", "1978"),
    ],
)
def test_format_date_follows_precision(date, precision, text):
    assert format_date(pd.Timestamp(date), precision) == text


def test_format_when_ranges():
    assert format_when(pd.Timestamp("1991-12-13"), pd.NaT) == "13 December 1991"
    assert (
        format_when(pd.Timestamp("1973-09-18"), pd.Timestamp("1975-07-21"))
        == "18 September 1973 – 21 July 1975"
    )
    assert (
        format_when(pd.Timestamp("1980-11-01"), pd.Timestamp("1983-09-09"), "month")
        == "November 1980 – September 1983"
    )


def test_era_names_from_labels_and_descriptions(tl):
    assert era_names(tl.eras) == {
        "detente": "Détente",
        "csce-follow-up": "CSCE follow-up",
        "six-party-talks": "Six-Party Talks",
    }


# ------------------------------------------------------------------ aligned time
def test_years_since_hand_worked_examples():
    # one calendar year later is exactly +1.0, although 1976 has a 29 February in between
    assert years_since([pd.Timestamp("1976-08-01")], "1975-08-01")[0] == 1.0
    assert years_since([pd.Timestamp("1974-08-01")], "1975-08-01")[0] == -1.0
    # 1975-08-01 -> 1976-02-01 is 184 days of the 366-day year 1975-08-01 .. 1976-08-01
    assert years_since([pd.Timestamp("1976-02-01")], "1975-08-01")[0] == pytest.approx(184 / 366)
    # the day before the anchor: -1 + 364/365 (1974-08-01 .. 1975-08-01 has 365 days)
    assert years_since([pd.Timestamp("1975-07-31")], "1975-08-01")[0] == pytest.approx(-1 + 364 / 365)
    # 1991-12-13 -> 1992-02-29: 18 + 31 + 29 = 78 days of a 366-day year
    assert years_since([pd.Timestamp("1992-02-29")], "1991-12-13")[0] == pytest.approx(78 / 366)
    # 1999-12-13 -> 2000-06-13 is 183 days, half of the leap year to 2000-12-13
    assert years_since([pd.Timestamp("2000-06-13")], "1991-12-13")[0] == 8.5


def test_years_since_an_anchor_on_29_february():
    anchor = "1992-02-29"
    got = years_since(pd.to_datetime(["1993-02-28", "1996-02-29", "1993-03-01", "1992-02-28"]), anchor)
    # anniversaries in common years fall on 28 February
    assert got[0] == 1.0
    assert got[1] == 4.0
    assert got[2] == pytest.approx(1 + 1 / 365)  # 1993-02-28 .. 1994-02-28 has 365 days
    assert got[3] == pytest.approx(-1 + 365 / 366)  # 1991-02-28 .. 1992-02-29 has 366 days
    assert np.isnan(years_since([pd.NaT], anchor)[0])


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@settings(max_examples=150, deadline=None)
@given(anchor=dates, k=st.integers(-50, 50))
def test_years_since_anniversaries_are_whole_years(anchor, k):
    year = anchor.year + k
    day = anchor.day if not (anchor.month == 2 and anchor.day == 29) else 28
    try:
        target = anchor.replace(year=year)
    except ValueError:
        target = dt.date(year, 2, day)
    assert years_since([pd.Timestamp(target)], anchor)[0] == k


@settings(max_examples=150, deadline=None)
@given(anchor=dates, a=dates, b=dates)
def test_years_since_keeps_order_and_stays_near_days_over_365(anchor, a, b):
    ya, yb = years_since([pd.Timestamp(a), pd.Timestamp(b)], anchor)
    assert (ya < yb) == (a < b) and (ya == yb) == (a == b)
    assert abs(ya - (a - anchor).days / 365.2425) < 0.01


# ------------------------------------------------------------------ rows in a lane
def test_pack_rows_hand_worked():
    # item 0 holds row 0 until 5; item 1 (1..2) needs row 1; item 2 starts at 2, when row 1
    # frees up -- not strictly before -- so it takes row 2; item 3 at 10 fits row 0 again
    assert pack_rows([0, 1, 2, 10], [5, 1, 2, 10], min_width=1).tolist() == [0, 1, 2, 0]
    # with two rows only, item 2 goes to the row that frees up first (row 1, at 2)
    assert pack_rows([0, 1, 2, 10], [5, 1, 2, 10], min_width=1, max_rows=2).tolist() == [0, 1, 1, 0]


def test_calendar_lanes_follow_tracks(tl):
    lay = tl.layout("calendar")
    lanes = dict(zip(tl.ids[lay.event], lay.lane))
    assert lanes["final-act"] == 0 and lanes["salt-i"] == 1 and lanes["basic-agreement"] == 2
    assert lanes["charter-77"] == 3 and lanes["npt-1993"] == 4
    assert lay.lane_labels[:2] == ("CSCE", "Détente and arms control")
    # each y stays inside its lane
    assert np.all(np.abs(lay.y - lay.lane) < 0.5)


def test_scene_draws_only_the_lanes_of_the_tracks_that_are_on(tl):
    sc = tl.scene(tl.make_state())
    assert sc.lanes == (0, 1, 2, 3, 4) and sc.lane_labels[0] == "CSCE"
    sc = tl.scene(tl.make_state(tracks=["humanitarian", "csce"]))
    assert sc.lanes == (0, 3) and sc.lane_labels == ("CSCE", "Humanitarian")
    pos = sc.lane_positions()
    assert pos[0] == 0 and pos[3] == 1 and np.isnan(pos[[1, 2, 4]]).all()
    assert tl.scene(tl.make_state(tracks=[])).lanes == ()
    # aligned mode draws both lanes whatever the calendar tracks are
    sc = tl.scene(tl.make_state(mode="aligned", align=ALIGN, tracks=["csce"]))
    assert sc.lanes == (0, 1) and len(sc.lane_labels) == 2


# ------------------------------------------------------------------ filtering
def test_no_filter_shows_everything_in_date_order(tl):
    assert shown(tl) == DATE_ORDER


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (1970, 1976, ["salt-i", "csce-geneva", "final-act", "one-year-on"]),
        (1974, 1974, ["csce-geneva"]),  # a range event counts where it overlaps the period
        ("1975-07-21", "1975-07-21", ["csce-geneva"]),  # its last day is inside
        ("1975-08-02", "1976-07-31", []),
        (1992, 1992, ["leap-day-talks"]),
    ],
)
def test_period_filter(tl, start, end, expected):
    assert shown(tl, start=start, end=end) == expected


def test_track_actor_and_combined_filters(tl):
    assert shown(tl, tracks=["korea-diplomacy"]) == ["basic-agreement", "leap-day-talks", "summit-2000"]
    assert shown(tl, actors=["DPRK"]) == ["basic-agreement", "leap-day-talks", "npt-1993", "summit-2000"]
    assert shown(tl, actors=["Havel", "Finland"]) == ["finnish-memo", "charter-77"]  # any of them
    assert shown(tl, tracks=["csce"], actors=["US"]) == ["final-act"]
    assert shown(tl, tracks=[]) == []


def test_search_is_case_and_accent_blind_and_needs_every_word(tl):
    def hits(query, **view):
        sc = tl.scene(tl.make_state(search=query, **view))
        return sorted(set(tl.ids[sc.layout.event[sc.matched]]))

    assert hits("helsinki") == ["final-act", "finnish-memo", "helsinki-watch"]  # description counts too
    assert hits("DECALOGUE") == ["final-act"]
    assert hits("helsinki final") == ["final-act"]
    assert hits("helsinki", tracks=["humanitarian"]) == ["helsinki-watch"]  # only shown events
    assert hits("   ") == []


def test_selection_is_dropped_when_filtered_out(tl):
    assert tl.scene(tl.make_state(selected="final-act")).selected == "final-act"
    assert tl.scene(tl.make_state(selected="final-act", tracks=["humanitarian"])).selected is None


def test_step_walks_story_order(tl):
    sc = tl.scene(tl.make_state())
    assert tl.step(sc, +1) == "finnish-memo"  # nothing selected: first
    assert tl.step(sc, -1) == "summit-2000"  # ... or last
    sc = tl.scene(tl.make_state(selected="final-act"))
    assert (tl.step(sc, -1), tl.step(sc, +1)) == ("csce-geneva", "one-year-on")
    assert tl.step(tl.scene(tl.make_state(selected="summit-2000")), +1) == "summit-2000"  # stays at the end
    sc = tl.scene(tl.make_state(selected="final-act", tracks=["csce"]))
    assert tl.step(sc, +1) == "one-year-on"
    assert tl.step(tl.scene(tl.make_state(tracks=[])), +1) is None


def _brute_force(ev: pd.DataFrame, start, end, tracks, actors) -> list[str]:
    out = []
    for row in ev.sort_values(["date", "id"]).itertuples():
        last = row.end_date if not pd.isna(row.end_date) else row.date
        if row.date > end or last < start or row.track not in tracks:
            continue
        if actors and not set(a.strip() for a in row.actors.split(";")) & set(actors):
            continue
        out.append(row.id)
    return out


@settings(max_examples=60, deadline=None)
@given(
    years=st.tuples(st.integers(1965, 2002), st.integers(1965, 2002)).map(sorted),
    tracks=st.sets(st.sampled_from(TRACKS)),
    actors=st.sets(st.sampled_from(["US", "DPRK", "35 states", "Havel", "ROK"]), max_size=2),
)
def test_filters_agree_with_a_brute_force_reading(years, tracks, actors):
    tl = Timeline(make_events(), [])
    start, end = to_timestamp(years[0]), to_timestamp(years[1], end=True)
    expected = _brute_force(make_events(), start, end, tracks, actors)
    assert shown(tl, start=years[0], end=years[1], tracks=sorted(tracks), actors=sorted(actors)) == expected


# ------------------------------------------------------------------ aligned layout
def test_aligned_offsets_hand_worked(tl):
    sc = tl.scene(tl.make_state(mode="aligned", align=ALIGN))
    lay = sc.layout
    got = {(tl.ids[e], "AB"[ln]): round(x, 6) for e, ln, x in zip(lay.event, lay.lane, lay.x0)}
    assert got == {
        ("finnish-memo", "A"): round(-7 + 277 / 365, 6),  # 1968-08-01 .. 1969-05-05 is 277 days
        ("csce-geneva", "A"): round(-2 + 48 / 365, 6),  # 1973-08-01 .. 1973-09-18 is 48 days
        ("final-act", "A"): 0.0,
        ("one-year-on", "A"): 1.0,
        ("basic-agreement", "B"): 0.0,
        ("leap-day-talks", "B"): round(78 / 366, 6),
        ("summit-2000", "B"): 8.5,
    }
    geneva = int(np.flatnonzero(tl.ids[lay.event] == "csce-geneva")[0])
    assert lay.x1[geneva] == pytest.approx(-1 + 354 / 365)  # ends 1975-07-21: 354 days after 1974-08-01
    assert lay.lane_labels == ("A: Helsinki Final Act signed", "B: Basic Agreement")
    # story order interleaves the lanes by relative time
    assert sc.order == (
        "finnish-memo",
        "csce-geneva",
        "final-act",
        "basic-agreement",
        "leap-day-talks",
        "one-year-on",
        "summit-2000",
    )


def test_aligned_window_and_lane_with_two_tracks(tl):
    view = dict(
        mode="aligned",
        window=(-1, 5),
        align=(AlignSide("final-act", ("csce", "humanitarian")), ("basic-agreement", ["korea-diplomacy"])),
    )
    assert shown(tl, **view) == [
        "csce-geneva",
        "final-act",
        "basic-agreement",
        "leap-day-talks",
        "one-year-on",
        "charter-77",
        "helsinki-watch",
    ]
    # an event in both lanes is drawn twice but listed once
    both = dict(mode="aligned", align=(("final-act", ["csce"]), ("one-year-on", ["csce"])))
    sc = tl.scene(tl.make_state(**both))
    assert len(sc.layout) == 8 and len(sc.order) == 4


def test_default_alignment_falls_back_to_first_event_of_each_track(tl):
    a, b = tl.default_align()
    assert (a.anchor, a.tracks) == ("finnish-memo", ("csce",))  # no 'helsinki-final-act' in this table
    assert (b.anchor, b.tracks) == ("basic-agreement", ("korea-diplomacy",))


# ------------------------------------------------------------------ describe
def test_describe_default_view(tl):
    assert tl.describe(tl.scene(tl.make_state())) == "\n".join(
        [
            "Mode: calendar (real dates)",
            "Period: 1969 to 2000",
            "Tracks: CSCE; Détente and arms control; Korea diplomacy; Humanitarian; Escalation",
            "Actors: all",
            "Shown: 11 of 11 events",
            "Events: from 5 May 1969 to 15 Jun 2000; in date order: Finnish memorandum (5 May 1969); "
            "SALT I signed (26 May 1972); CSCE Stage II in Geneva (18 Sep 1973); and 8 more",
            "Eras: none",
            "Search: none",
            "Selected: none",
        ]
    )


def test_describe_a_busy_view(tl):
    state = tl.make_state(
        start=1970,
        end=1979,
        era=True,
        search="helsinki",
        selected="final-act",
        tracks=["csce", "humanitarian"],
        actors=["US", "Bernstein"],
    )
    assert tl.describe(tl.scene(state)) == "\n".join(
        [
            "Mode: calendar (real dates)",
            "Period: 1970 to 1979",
            "Tracks: CSCE; Humanitarian",
            "Actors: Bernstein; US",  # in alphabetical order
            "Shown: 2 of 11 events",
            "Events: from 1 Aug 1975 to 1978; in date order: Helsinki Final Act signed (1 Aug 1975); "
            "Helsinki Watch founded (1978)",
            "Eras: Détente (1969 to 1979); CSCE follow-up (1977 to 1978; 1980 to 1983); "
            "Six-Party Talks (2003 to 2009) [outside the period]",
            'Search: "helsinki", 2 shown events match: Helsinki Final Act signed (1 Aug 1975); '
            "Helsinki Watch founded (1978)",
            "Selected: Helsinki Final Act signed (1 August 1975; CSCE)",
        ]
    )


def test_describe_empty_and_aligned(tl):
    text = tl.describe(tl.scene(tl.make_state(start="1975-08-02", end="1976-07-31")))
    assert "Period: 1975-08-02 to 1976-07-31" in text
    assert "Shown: no events match (0 of 11 events)" in text
    text = tl.describe(
        tl.scene(tl.make_state(mode="aligned", align=ALIGN, selected="summit-2000", search="summit"))
    )
    assert text.splitlines()[:4] == [
        "Mode: aligned (years since an anchor event in each lane)",
        "Lane A: CSCE, years since Helsinki Final Act signed (1 August 1975)",
        "Lane B: Korea diplomacy, years since Basic Agreement (13 December 1991)",
        "Window: -20 to +30 years",
    ]
    assert 'Search: "summit", 1 shown event matches: First inter-Korean summit (13 Jun 2000)' in text
    assert text.endswith(
        "Selected: First inter-Korean summit (13 June 2000 – 15 June 2000; Korea diplomacy, lane B +8.50 years)"
    )


def test_model_imports_neither_ipywidgets_nor_plotly():
    code = (
        "import sys, course.timeline, course.timeline.timeline; "
        "bad = [m for m in ('ipywidgets', 'plotly') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# ------------------------------------------------------------------ the scene is complete
def test_scene_carries_list_detail_count_and_description(tl):
    sc = tl.scene(tl.make_state(start=1970, end=1976, search="final", selected="final-act"))
    assert sc.entries == (
        ("26 May 1972 · SALT I signed", "salt-i"),
        ("18 Sep 1973 · CSCE Stage II in Geneva", "csce-geneva"),
        ("1 Aug 1975 · Helsinki Final Act signed", "final-act"),
        ("1 Aug 1976 · One year on", "one-year-on"),
    )
    d = sc.detail
    assert (d.id, d.title, d.when, d.track, d.track_label) == (
        "final-act",
        "Helsinki Final Act signed",
        "1 August 1975",
        "csce",
        "CSCE",
    )
    assert d.description == "The Décalogue and three baskets." and d.actors == ("35 states", "US", "USSR")
    assert d.source_url == "https://example.org/final-act" and d.offsets == ()
    assert sc.hits == ("csce-geneva", "final-act", "one-year-on")
    assert sc.count_text == "4 of 11 events shown; 3 match the search"
    assert sc.description == tl.describe(sc) and "Selected: Helsinki Final Act signed" in sc.description
    assert tl.scene(tl.make_state()).detail is None


def test_aligned_scene_detail_has_the_offsets_and_the_list_the_lanes(tl):
    both = (("final-act", ["csce"]), ("one-year-on", ["csce"]))
    sc = tl.scene(tl.make_state(mode="aligned", align=both, selected="final-act", search="final act"))
    assert [(o.lane, o.years, o.anchor_title) for o in sc.detail.offsets] == [
        ("A", 0.0, "Helsinki Final Act signed"),
        ("B", -1.0, "One year on"),
    ]
    assert (
        dict((i, label) for label, i in sc.entries)["final-act"]
        == "B -1.0 y, A +0.0 y · 1 Aug 1975 · Helsinki Final Act signed"
    )


def test_search_hits_are_counted_once_even_when_an_event_is_drawn_twice(tl):
    # with both lanes on the CSCE track, every CSCE event has two slots; the Final Act matches in both
    both = (("final-act", ["csce"]), ("one-year-on", ["csce"]))
    sc = tl.scene(tl.make_state(mode="aligned", align=both, search="decalogue"))
    assert int(sc.matched.sum()) == 2 and sc.hits == ("final-act",)
    assert sc.count_text == "4 of 11 events shown; 1 matches the search"
    assert (
        'Search: "decalogue", 1 shown event matches: Helsinki Final Act signed (1 Aug 1975)' in sc.description
    )


def test_describe_names_the_shown_events():
    tl = Timeline(make_events(), make_eras())

    def events_line(**view):
        text = tl.describe(tl.scene(tl.make_state(**view)))
        return next(ln for ln in text.splitlines() if ln.startswith("Events:"))

    assert events_line(tracks=["korea-diplomacy"]) == (
        "Events: from 13 Dec 1991 to 15 Jun 2000; in date order: Basic Agreement (13 Dec 1991); "
        "Leap-day talks (29 Feb 1992); First inter-Korean summit (13 Jun 2000)"
    )
    # one event that runs over months is not "on" its first day
    assert events_line(start=1974, end=1974) == (
        "Events: from 18 Sep 1973 to 21 Jul 1975; in date order: CSCE Stage II in Geneva (18 Sep 1973)"
    )
    assert events_line(tracks=["csce"], start="1975-08-01", end="1975-08-01") == (
        "Events: on 1 Aug 1975; in date order: Helsinki Final Act signed (1 Aug 1975)"
    )
    assert events_line(tracks=[]) == "Events: none"
    assert events_line(mode="aligned", align=ALIGN).startswith(
        "Events: from 5 May 1969 to 15 Jun 2000; in order of years since the anchors: Finnish memorandum (5 May 1969); "
        "CSCE Stage II in Geneva (18 Sep 1973); Helsinki Final Act signed (1 Aug 1975); and 4 more"
    )


# ------------------------------------------------------------------ the schema is the source of the enums
def _schema_copy(tmp_path, extra_track):
    import json
    import shutil

    from course.data import datasets_dir

    copy = tmp_path / "datasets"
    shutil.copytree(datasets_dir(), copy)
    package = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    events = next(r for r in package["resources"] if r["name"] == "events")
    track = next(f for f in events["schema"]["fields"] if f["name"] == "track")
    track["constraints"]["enum"].append(extra_track)
    (copy / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    return copy


def test_tracks_come_from_the_data_package(tmp_path):
    import json

    from course.data import datasets_dir

    package = json.loads((datasets_dir() / "datapackage.json").read_text(encoding="utf-8"))
    events = next(r for r in package["resources"] if r["name"] == "events")
    enums = {f["name"]: f.get("constraints", {}).get("enum") for f in events["schema"]["fields"]}
    assert TRACKS == tuple(enums["track"]) and load_schema().precisions == tuple(enums["precision"])

    copy = _schema_copy(tmp_path, "environment")
    schema = load_schema(copy)
    assert schema.tracks == TRACKS + ("environment",)
    assert schema.track_labels["environment"] == "Environment"
    rows = ROWS + [
        ("ozone-talks", "1985-03-22", "", "day", "Vienna Convention", "environment", "UNEP", "Ozone layer.")
    ]
    with pytest.raises(
        ValueError,
        match=r"unknown track 'environment' \(event 'ozone-talks'\); allowed tracks: "
        r"csce, detente-arms-control, korea-diplomacy, humanitarian, escalation$",
    ):
        Timeline(make_events(rows), [])  # the course's schema has no such track
    tl = Timeline(make_events(rows), [], schema=schema)  # the copy's schema has it
    assert tl.tracks[-1] == "environment"
    assert tl.layout("calendar").lane_labels[-1] == "Environment"
    assert [tl.ids[i] for i in np.flatnonzero(tl.layout("calendar").lane == 5)] == ["ozone-talks"]
    assert list(tl.scene(tl.make_state(tracks=["environment"])).order) == ["ozone-talks"]
    assert check_tracks(None, schema.tracks)[-1] == "environment"
    with pytest.raises(ValueError, match="unknown track 'environment' in tracks"):
        Timeline(make_events(), []).make_state(tracks=["environment"])


# ------------------------------------------------------------------ checked once, at the boundary
def test_course_tables_are_trusted_and_other_tables_checked_once(monkeypatch):
    from course.timeline import events as events_module

    calls = []
    real = events_module.check_table
    monkeypatch.setattr(
        events_module,
        "check_table",
        lambda df, rules, what, cols: calls.append(what) or real(df, rules, what, cols),
    )
    tl = Timeline.from_course_data()
    assert calls == [] and tl.n > 100  # validated by course.data on load, only typed here
    Timeline.from_course_data(events=make_events())
    assert calls == ["events"]  # the caller's table, checked once; eras trusted
    calls.clear()
    Timeline(make_events(), make_eras())
    assert calls == ["events", "eras"]


@pytest.mark.parametrize(
    "table, change, message",
    [
        (
            "events",
            lambda df: df.assign(title=df["title"].mask(df["id"] == "salt-i", "")),
            r"events: column 'title' is empty in row 9 \(event 'salt-i'\); every event needs a title",
        ),
        (
            "events",
            lambda df: df.assign(date=df["date"].mask(df["id"] == "salt-i")),
            r"events: column 'date' is empty in row 9 \(event 'salt-i'\); every event needs a date",
        ),
        (
            "events",
            lambda df: df.assign(track=df["track"].astype(object).where(df["id"] != "salt-i", None)),
            r"events: column 'track' is empty in row 9 \(event 'salt-i'\)",
        ),
        ("eras", lambda df: df.assign(id="same"), r"eras: ids must be unique; repeated: same"),
        (
            "eras",
            lambda df: df.assign(end=df["start"].where(df["id"] != "madrid", "1970-01-01")),
            r"eras: band 'madrid' ends before it starts \(end 1970-01-01 is before start 1980-11-11\)",
        ),
        (
            "eras",
            lambda df: df.assign(start=df["start"].where(df["id"] != "madrid", "autumn")),
            r"eras: column 'start' holds a value that is not a date",
        ),
    ],
)
def test_a_broken_user_table_is_refused_by_name(table, change, message):
    events, eras = make_events(), make_eras()
    if table == "events":
        events = change(events)
    else:
        eras = change(eras)
    with pytest.raises(ValueError, match=message):
        Timeline(events, eras)


def test_timeline_modules_import_neither_ipywidgets_nor_plotly():
    mods = "course.timeline." + ", course.timeline.".join(
        ["schema", "events", "state", "layout", "scene", "text", "timeline"]
    )
    code = (
        f"import sys, {mods}; "
        "bad = [m for m in ('ipywidgets', 'plotly') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (REPO / "course" / "timeline" / "model.py").exists()


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_search_index_agrees_with_reading_every_event(data):
    """The three-letter index only narrows the events to read: its answer is that of reading them all."""
    tl = Timeline(make_events(), [])
    texts = [fold_text(f"{t}\n{d}") for t, d in zip(tl.titles, tl.descriptions)]
    text = data.draw(st.sampled_from(texts))
    i = data.draw(st.integers(0, len(text) - 1))
    piece = text[i : i + data.draw(st.integers(1, 9))].strip()
    query = data.draw(st.sampled_from([piece, piece.upper(), piece + " zq", "final " + piece]))
    expected = [all(w in t for w in search_terms(query)) for t in texts]
    assert tl.search_mask(query).tolist() == expected


def test_a_timeline_reused_across_scenes_answers_as_a_fresh_one(tl):
    """The timeline keeps the last scene's shown slots, events list and settings lines; reusing them changes nothing."""
    views = [
        dict(),
        dict(search="helsinki"),
        dict(search="helsinki", selected="final-act"),
        dict(start=1975, end=1980),
        dict(start=1975, end=1980, search="a"),
        dict(tracks=["csce"], actors=["US"]),
        dict(mode="aligned", align=ALIGN, search="summit"),
        dict(mode="aligned", align=ALIGN, window=(-1, 1)),
        dict(era=True, start=1978, end=1985),
        dict(),
    ]
    for view in views + views[::-1]:
        state = tl.make_state(**view)
        got, fresh = tl.scene(state), Timeline(make_events(), make_eras()).scene(state)
        assert (got.order, got.hits, got.entries, got.detail, got.count_text, got.description) == (
            fresh.order,
            fresh.hits,
            fresh.entries,
            fresh.detail,
            fresh.count_text,
            fresh.description,
        ), view
        assert got.shown.tolist() == fresh.shown.tolist() and got.matched.tolist() == fresh.matched.tolist()

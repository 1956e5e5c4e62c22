"""The obstacle scorecard: pure logic, and the view driven through its sliders."""

from __future__ import annotations

import pytest

from course import scorecard as sc
from course.scorecard import SCALE, SETTINGS, Obstacle, course_judgements
from widgets.scorecard import Scorecard

# The course's ratings, as stored in datasets/scorecard_ratings.csv.
COURSE_RATINGS = course_judgements()

OBSTACLES = [
    Obstacle(1, "recognition", "Mutual recognition"),
    Obstacle(2, "asymmetry", "Unequal parties"),
    Obstacle(3, "detente-scaffolding", "No détente scaffolding"),
    Obstacle(4, "lesson-learned", "The lesson has been learned"),
    Obstacle(5, "scope-and-linkage", "Scope and linkage"),
    Obstacle(6, "information-closure", "Closed information space"),
]
SLUGS = [o.slug for o in OBSTACLES]


def course_value(number, setting):
    return COURSE_RATINGS[number][setting].rating


# ------------------------------------------------------------ the course's ratings
def test_course_ratings_cover_every_obstacle_and_setting_with_a_reason():
    assert sorted(COURSE_RATINGS) == [1, 2, 3, 4, 5, 6]
    for number, by_setting in COURSE_RATINGS.items():
        assert set(by_setting) == set(SETTINGS), number
        for j in by_setting.values():
            assert j.rating in SCALE
            assert len(j.reason.split()) >= 8, "each rating carries a one-line reason"
            assert j.source_url.startswith("https://"), "every rating's reason has a source"


def test_ratings_come_from_the_dataset_and_a_gap_in_it_is_an_error():
    from course.data import load_scorecard_ratings

    table = load_scorecard_ratings()
    assert len(table) == 18 and table["verified"].all()
    row = table[(table.obstacle_id == 2) & (table.setting == "nea-2014")].iloc[0]
    assert COURSE_RATINGS[2]["nea-2014"] == sc.Judgement(int(row.rating), row.reason, row.source_url)
    with pytest.raises(ValueError, match="obstacle 2 has no rating for nea-2014"):
        course_judgements(table.drop(index=row.name))


def test_course_judges_europe_far_easier_than_northeast_asia():
    tot = {s: sum(course_value(n, s) for n in COURSE_RATINGS) for s in SETTINGS}
    assert tot["europe-1975"] < tot["nea-2021"] <= tot["nea-2014"]


def test_course_table_lists_18_reasoned_rows():
    t = sc.course_table(OBSTACLES)
    assert len(t) == 18
    assert list(t.columns) == ["obstacle", "setting", "rating", "meaning", "reason"]
    assert set(t.setting) == set(SETTINGS.values())


# ------------------------------------------------------------ validation
def test_ratings_can_be_nested_or_flat_and_default_to_two():
    r = sc.validate_ratings(
        {"nea-2014": {"recognition": 3}, ("asymmetry", "europe-1975"): 1}, OBSTACLES, tuple(SETTINGS)
    )
    assert r[("recognition", "nea-2014")] == 3 and r[("asymmetry", "europe-1975")] == 1
    assert r[("information-closure", "nea-2021")] == sc.DEFAULT_RATING
    assert len(r) == 18
    partial = sc.validate_ratings({"nea-2014": {"recognition": 4}}, OBSTACLES, tuple(SETTINGS), default=None)
    assert partial == {("recognition", "nea-2014"): 4}


@pytest.mark.parametrize(
    "ratings, match",
    [
        ({"nea-2014": {"recognition": 5}}, r"ratings\['recognition', 'nea-2014'\] = 5 is out of range"),
        ({"nea-2014": {"recognition": -1}}, "out of range"),
        ({"nea-2014": {"recognition": 2.5}}, "not a whole number"),
        ({"nea-2014": {"recognition": True}}, "not a whole number"),
        ({"nea-2030": {"recognition": 1}}, "ratings: unknown setting 'nea-2030'"),
        ({"nea-2014": {"geography": 1}}, "ratings: unknown obstacle 'geography'"),
        ({"nea-2014": 3}, "ratings: key 'nea-2014' must be a setting"),
    ],
)
def test_bad_ratings_raise_value_errors_naming_the_parameter(ratings, match):
    with pytest.raises(ValueError, match=match):
        sc.validate_ratings(ratings, OBSTACLES, tuple(SETTINGS))


def test_settings_are_checked_and_kept_in_display_order():
    assert sc.validate_settings(None) == ("europe-1975", "nea-2014", "nea-2021")
    assert sc.validate_settings(["nea-2021", "europe-1975"]) == ("europe-1975", "nea-2021")
    with pytest.raises(ValueError, match="settings: unknown setting 'asia-1975'"):
        sc.validate_settings(["asia-1975"])
    with pytest.raises(ValueError, match="settings: give at least one"):
        sc.validate_settings([])


def test_obstacles_need_at_least_three_distinct_slugs():
    with pytest.raises(ValueError, match="obstacles: a radar chart needs at least 3"):
        sc.obstacles_from(OBSTACLES[:2])
    with pytest.raises(ValueError, match="obstacles: the slugs must be distinct"):
        sc.obstacles_from(OBSTACLES[:3] + [Obstacle(4, "recognition", "Again")])


# ------------------------------------------------------------ comparison and text
def test_compare_lists_only_disagreements_largest_first():
    course = {(o.slug, s): course_value(o.number, s) for o in OBSTACLES for s in SETTINGS}
    assert sc.compare(course, OBSTACLES, SETTINGS) == []
    mine = dict(course)
    mine[("recognition", "europe-1975")] = 4  # course: 0, a gap of 4
    mine[("asymmetry", "nea-2014")] = course[("asymmetry", "nea-2014")] - 1
    gaps = sc.compare(mine, OBSTACLES, SETTINGS)
    assert [(g.slug, g.setting) for g in gaps] == [("recognition", "europe-1975"), ("asymmetry", "nea-2014")]
    assert gaps[0].diff == 4 and gaps[1].diff == -1


def test_describe_reports_totals_and_hides_the_course_until_asked():
    r = sc.validate_ratings({}, OBSTACLES, tuple(SETTINGS), default=0)
    hidden = sc.describe(r, OBSTACLES, SETTINGS, with_course=False)
    assert "Europe 1975: 0/24; all 6 rated 0 (no obstacle)" in hidden
    assert "hidden" in hidden and "Course:" not in hidden
    shown = sc.describe(r, OBSTACLES, SETTINGS)
    assert "Course: " in shown and "Largest differences" in shown


# ------------------------------------------------------------ the view
@pytest.fixture
def card():
    return Scorecard(OBSTACLES)


def test_view_has_one_slider_per_obstacle_and_setting_and_six_traces(card):
    assert set(card.sliders) == {(s, st) for s in SLUGS for st in SETTINGS}
    assert all(sl.min == 0 and sl.max == 4 and sl.value == 2 for sl in card.sliders.values())
    names = [tr.name for tr in card.fig.data]
    assert names == [f"You: {v}" for v in SETTINGS.values()] + [f"Course: {v}" for v in SETTINGS.values()]
    assert [tr.visible for tr in card.fig.data[3:]] == [False, False, False]
    # the radar closes its loop: 6 obstacles + the first again
    assert len(card.fig.data[0].r) == 7 and card.fig.data[0].theta[0] == card.fig.data[0].theta[-1]


def test_moving_a_slider_updates_the_figure_in_place_and_describe(card):
    fig_before = card.fig
    card.sliders[("recognition", "nea-2014")].value = 4
    card.sliders[("information-closure", "nea-2014")].value = 3
    assert card.fig is fig_before
    r = list(card.fig.data[1].r)  # "You: Northeast Asia 2014"
    assert r[0] == 4 and r[-1] == 4 and r[5] == 3
    assert list(card.fig.data[0].r) == [2] * 7  # Europe untouched
    text = card.describe()
    assert "Northeast Asia 2014: 15/24; highest (4, prohibitive): Mutual recognition." in text
    assert "Northeast Asia 2014: 15/24" in card.summary.value


def test_showing_the_course_reveals_dashed_traces_reasons_and_gaps(card):
    assert card.reasons.value == ""
    card.show_course.value = True
    assert [tr.visible for tr in card.fig.data[3:]] == [True, True, True]
    assert list(card.fig.data[3].r)[:6] == [course_value(n, "europe-1975") for n in range(1, 7)]
    assert "dashed" in card.fig.layout.title.text
    assert "a reasoned judgement, not data" in card.reasons.value
    assert "history.state.gov" in card.reasons.value
    text = card.describe()
    assert "Largest differences" in text
    card.set_ratings({(o.slug, s): course_value(o.number, s) for o in OBSTACLES for s in SETTINGS})
    assert "You agree with the course on all 18 ratings." in card.describe()
    assert card.gaps() == []
    card.show_course.value = False
    assert card.reasons.value == "" and not any(tr.visible for tr in card.fig.data[3:])


def test_static_figure_matches_the_view(card):
    card.sliders[("asymmetry", "europe-1975")].value = 0
    fig = card.figure
    assert type(fig).__name__ == "Figure"
    assert list(fig.data[0].r) == list(card.fig.data[0].r)
    assert fig.layout.title.text and fig.layout.annotations[0].text.startswith(
        "Rings, centre to edge: 0 no obstacle"
    )


def test_view_accepts_starting_ratings_and_a_subset_of_settings():
    card = Scorecard(
        OBSTACLES, settings=["nea-2021"], ratings={"nea-2021": {"asymmetry": 4}}, show_course=True
    )
    assert set(s for _, s in card.sliders) == {"nea-2021"}
    assert card.sliders[("asymmetry", "nea-2021")].value == 4
    assert len(card.fig.data) == 2 and card.fig.data[1].visible is True


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(settings=["europe-1989"]), "settings: unknown setting 'europe-1989'"),
        (dict(ratings={"nea-2014": {"recognition": 7}}), "ratings.*out of range"),
        (
            dict(settings=["nea-2014"], ratings={"nea-2021": {"recognition": 1}}),
            "ratings: setting 'nea-2021' is not shown",
        ),
        (dict(show_course="yes"), "show_course must be True or False"),
    ],
)
def test_view_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Scorecard(OBSTACLES, **kwargs)


def test_set_ratings_rejects_out_of_range_values(card):
    with pytest.raises(ValueError, match=r"ratings\['asymmetry', 'nea-2014'\] = 9 is out of range"):
        card.set_ratings({"nea-2014": {"asymmetry": 9}})
    assert card.sliders[("asymmetry", "nea-2014")].value == 2


def test_pure_module_does_not_import_ipywidgets():
    import subprocess
    import sys

    code = (
        "import sys, course.scorecard as s; "
        "s.describe(s.validate_ratings({}, [s.Obstacle(i, str(i), str(i)) for i in (1,2,3)], ['nea-2014']), "
        "[s.Obstacle(i, str(i), str(i)) for i in (1,2,3)], ['nea-2014']); "
        "assert 'ipywidgets' not in sys.modules and 'plotly' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------ the real dataset
def test_scorecard_runs_on_the_course_dataset():
    from course.data import load_obstacles

    obstacles = load_obstacles()
    assert sorted(obstacles["id"]) == [1, 2, 3, 4, 5, 6], (
        "the course's ratings are keyed by Eskeland's order 1-6"
    )
    card = Scorecard()
    assert len(card.sliders) == 6 * 3
    assert [o.slug for o in card.obstacles] == list(obstacles.sort_values("id")["slug"])


# ------------------------------------------------------------ what the browser is sent
def _widgets_in(w):
    yield w
    for c in getattr(w, "children", ()):
        yield from _widgets_in(c)


def test_figure_is_plotly_json_in_an_output_not_a_figure_widget(card):
    """No FigureWidget (and so no 5 MB plotly bundle): the figure goes out as plotly's mime JSON."""
    import ipywidgets as ipw
    import plotly.graph_objects as go

    from widgets.figures import MIME

    assert not any(isinstance(w, go.FigureWidget) for w in _widgets_in(card.widget))
    assert isinstance(card.plot, ipw.Output) and card.plot in card.widget.children
    (out,) = card.plot.outputs
    assert out["output_type"] == "display_data" and set(out["data"]) == {MIME, "text/plain"}
    shown = out["data"][MIME]
    assert [t["name"] for t in shown["data"]] == [tr.name for tr in card.fig.data]
    assert shown["data"][1]["r"] == [2] * 7


def test_moving_a_slider_or_showing_the_course_redraws_what_is_shown(card):
    from widgets.figures import MIME

    card.sliders[("recognition", "nea-2014")].value = 4
    shown = card.plot.outputs[0]["data"][MIME]
    assert shown["data"][1]["r"][0] == 4 and shown["data"][1]["r"][-1] == 4
    assert shown["data"][0]["r"] == [2] * 7
    assert all(t.get("visible") is False for t in shown["data"][3:])
    card.show_course.value = True
    shown = card.plot.outputs[0]["data"][MIME]
    assert all(t.get("visible") is True for t in shown["data"][3:])
    assert "dashed" in shown["layout"]["title"]["text"]
    assert len(card.plot.outputs) == 1  # replaced, never appended


# ------------------------------------------------------------ the radar is readable
def test_wrap_label_keeps_every_word_on_short_lines():
    from widgets.scorecard import LABEL_WIDTH, wrap_label

    assert wrap_label("The lesson has been learned") == "The lesson has<br>been learned"
    assert wrap_label("Unequal parties") == "Unequal<br>parties"
    assert wrap_label("Recognition") == "Recognition"
    assert wrap_label("A <b> & c") == "A &lt;b&gt; &amp; c"  # escaped: plotly reads labels as HTML
    assert (
        wrap_label("Incomprehensibilities abound") == "Incomprehensibilities<br>abound"
    )  # a long word is kept
    for o in OBSTACLES:
        lines = wrap_label(o.name).split("<br>")
        assert " ".join(lines) == o.name
        assert all(len(ln) <= LABEL_WIDTH or " " not in ln for ln in lines)


def test_radar_prints_nothing_over_the_shapes_and_hover_names_the_obstacle(card):
    polar = card.fig.layout.polar
    # the rings carry no labels (they would sit on the filled shapes); the caption gives the scale
    assert polar.radialaxis.showticklabels is False and polar.radialaxis.showline is False
    assert not polar.radialaxis.title.text
    caption = card.fig.layout.annotations[0]
    assert caption.yref == "paper" and caption.y < 0, "the scale caption sits under the chart, not on it"
    assert all(f"{k} {v}" in caption.text for k, v in SCALE.items())
    # obstacle names outside the outer ring, on short lines, with room in the margins
    assert polar.angularaxis.ticks == "outside"
    assert all(len(line) <= 14 for t in card.fig.data[0].theta for line in t.split("<br>") if " " in line)
    assert polar.domain.x[0] > 0 and polar.domain.x[1] < 1
    # the legend is under the chart, not over the labels on the right
    assert card.fig.layout.legend.orientation == "h" and card.fig.layout.legend.y < 0
    # hover gives the full name, on one line
    tr = card.fig.data[0]
    assert list(tr.customdata[:-1]) == [o.name for o in OBSTACLES]
    assert tr.hovertemplate.startswith("%{customdata}: %{r}")
    # the figure passes plotly's validators
    import plotly.graph_objects as go

    go.Figure(card.fig.to_dict())

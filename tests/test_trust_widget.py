"""Callback tests of widgets.TrustLab, driven from Python: set a control's
value, click a button, change a preset, then check the figure's data and
describe() against the engine."""

from __future__ import annotations

import html

import ipywidgets as ipw
import numpy as np
import plotly.graph_objects as go
import pytest

from course.trust import PRESETS, evolve, simulate, tournament
from widgets import TrustLab
from widgets.trust import EVOLUTION_LINES, GENERATION_TRACE, POPULATIONS, TOURNAMENT_TRACE, _idx

SMALL = dict(rounds=15, runs=40, generations=8)


@pytest.fixture(scope="module")
def lab():
    return TrustLab(**SMALL)


def _expected(lab, **changes):
    kw = dict(rounds=lab.rounds.value, runs=lab.runs.value, seed=lab.seed.value, params=lab.params())
    kw.update(changes)
    return simulate(lab.strategy_a.value, lab.strategy_b.value, **kw)


def _mean_line(lab, row, side):
    return np.asarray(lab.fig.data[_idx(row, side, "mean")].y)


def test_figure_shows_the_engine_result(lab):
    res = _expected(lab)
    assert np.allclose(_mean_line(lab, 0, "a"), res.stake_a.mean(axis=0))
    assert np.allclose(_mean_line(lab, 1, "b"), res.cum_payoff_b.mean(axis=0))
    assert np.allclose(_mean_line(lab, 2, "a"), res.trust_a.mean(axis=0))
    upper = np.asarray(lab.fig.data[_idx(1, "a", "upper")].y)
    lower = np.asarray(lab.fig.data[_idx(1, "a", "lower")].y)
    assert np.allclose(upper, np.percentile(res.cum_payoff_a, 95, axis=0))
    assert np.allclose(lower, np.percentile(res.cum_payoff_a, 5, axis=0))
    assert len(lab.fig.data[_idx(0, "a", "mean")].x) == SMALL["rounds"]


def test_noise_slider_updates_the_same_figure_in_place(lab):
    fig = lab.fig
    before = _mean_line(lab, 1, "a").copy()
    lab.noise.value = 0.3
    assert lab.fig is fig  # never recreated
    after = _mean_line(lab, 1, "a")
    assert not np.allclose(before, after)
    assert np.allclose(after, _expected(lab).cum_payoff_a.mean(axis=0))
    assert "noise ε=0.30" in lab.describe()
    lab.noise.value = 0.02


def test_resample_button_draws_a_new_seed(lab):
    seed = lab.seed.value
    lab.strategy_b.value = "provocateur"
    before = _mean_line(lab, 0, "b").copy()
    lab.resample.click()
    assert lab.seed.value == seed + 1
    assert not np.allclose(before, _mean_line(lab, 0, "b"))
    assert np.allclose(_mean_line(lab, 0, "b"), _expected(lab).stake_b.mean(axis=0))
    assert f"seed {seed + 1}" in lab.describe()


def test_rounds_and_step_controls(lab):
    lab.rounds.value = 9
    assert len(lab.fig.data[_idx(0, "a", "mean")].y) == 9
    lab.step_b.value = 2.0
    lab.strategy_a.value = "grit"
    lab.strategy_b.value = "reciprocator"
    lab.noise.value = 0.0
    # GRIT vs reciprocator without noise is deterministic: 1, 1, 1+b, 1+2b, ...
    assert _mean_line(lab, 0, "a")[:4].tolist() == [1, 1, 3, 5]
    lab.rounds.value = SMALL["rounds"]
    lab.step_b.value = 0.5
    lab.noise.value = 0.02


def test_presets_set_the_controls_and_are_described(lab):
    lab.preset.value = "partner who reneges after gains"
    assert lab.strategy_b.value == "unreliable" and lab.renege.value == 0.3
    text = lab.describe()
    assert "Leap Day" in text and "Stylised scenario" in text
    assert "unreliable" in lab.summary.value
    assert np.allclose(_mean_line(lab, 0, "b"), _expected(lab).stake_b.mean(axis=0))
    lab.preset.value = "frequent provocations"
    assert lab.strategy_b.value == "provocateur" and lab.provocation.value == 0.15
    # touching a control afterwards turns the preset into "custom"
    lab.provocation.value = 0.5
    assert lab.preset.value == "custom"
    lab.apply_preset("humanitarian steps only")
    assert lab.strategy_a.value == "humanitarian"
    assert lab.summary.value.startswith("Against provocateur")
    assert "humanitarian steps only: mean total payoff" in lab.summary.value
    for name in PRESETS:
        lab.preset.value = name
        assert name in lab.describe()
    lab.preset.value = "reliable partner"


def test_summary_line_compares_small_steps_and_big_bang(lab):
    lab.apply_preset("partner who reneges after gains")
    s = lab.summary.value
    grit = _expected(lab)
    bang = simulate(
        "big_bang",
        "unreliable",
        rounds=lab.rounds.value,
        runs=lab.runs.value,
        seed=lab.seed.value,
        params=lab.params(),
    )
    assert (
        f"small steps (GRIT): mean total payoff {grit.total_payoff().mean():.1f}, "
        f"mean worst single-round loss {grit.worst_loss().mean():.2f}" in s
    )
    assert (
        f"big-bang: mean total payoff {bang.total_payoff().mean():.1f}, "
        f"mean worst single-round loss {bang.worst_loss().mean():.2f}" in s
    )
    assert s in lab.describe()


def test_tournament_view_and_button(lab):
    lab.mode.value = "classic"
    lab.tournament_button.click()
    t = lab.tournament_result
    bar = lab.fig.data[TOURNAMENT_TRACE]
    assert set(bar.y) == set(t.names) and len(t.names) == 8
    ref = tournament(
        None,
        rounds=lab.match_rounds.value,
        repetitions=t.repetitions,
        seed=lab.seed.value,
        noise=lab.noise.value,
    )
    assert np.allclose(sorted(bar.x), sorted(ref.totals))
    lab.noise.value = 0.2
    assert "press Run tournament" in lab.describe()
    lab.tournament_button.click()
    assert "press Run tournament" not in lab.describe()
    assert lab.tournament_result.noise == 0.2
    assert "noise 0.20" in lab.describe()
    lab.noise.value = 0.02


def test_evolution_play_control_animates_by_generation(lab):
    lab.evolve_button.click()
    ev = lab.evolution_result
    assert isinstance(lab.play, ipw.Play) and lab.play.max == ev.generations == SMALL["generations"]
    lab.play.value = 3  # what the Play control does, tick by tick
    assert lab.generation.value == 3
    bar = lab.fig.data[GENERATION_TRACE]
    assert list(bar.y) == ev.counts[3].tolist()
    assert lab.fig.layout.shapes[0].x0 == 3
    assert "generation 3 of 8" in lab.describe()
    lines = [lab.fig.data[i] for i in EVOLUTION_LINES if lab.fig.data[i].visible]
    assert len(lines) == len(ev.names)
    assert list(lines[0].y) == ev.counts[:, 0].tolist()
    pop = POPULATIONS["classic"][lab.population.value]
    ref = evolve(
        pop,
        rounds=lab.match_rounds.value,
        eliminate=lab.eliminate.value,
        generations=lab.generations.value,
        seed=lab.seed.value,
        noise=lab.noise.value,
    )
    assert np.array_equal(ev.counts, ref.counts)


def test_mode_switch_to_the_stakes_game(lab):
    lab.mode.value = "stakes"
    assert lab.tournament_result.game == "stakes" and lab.evolution_result.game == "stakes"
    assert "grit" in lab.fig.data[TOURNAMENT_TRACE].y
    assert lab.population.value in POPULATIONS["stakes"]
    assert "Evolution (stakes game" in lab.describe()
    lab.eliminate.value = 3
    assert lab.evolution_result.eliminate == 3
    lab.mode.value = "classic"
    assert lab.population.value in POPULATIONS["classic"]


def test_static_figure_for_export(lab):
    static = lab.figure
    assert type(static) is go.Figure
    assert len(static.data) == len(lab.fig.data)
    assert np.allclose(static.data[_idx(0, "a", "mean")].y, _mean_line(lab, 0, "a"))
    html = static.to_html(include_plotlyjs=False, full_html=False)
    assert "Stakes offered" in html


def test_controls_are_labelled_and_standard_widgets(lab):
    controls = [
        lab.preset,
        lab.strategy_a,
        lab.strategy_b,
        lab.noise,
        lab.provocation,
        lab.renege,
        lab.threshold,
        lab.step_a,
        lab.step_b,
        lab.multiplier,
        lab.max_stake,
        lab.rounds,
        lab.runs,
        lab.seed,
        lab.resample,
        lab.mode,
        lab.population,
        lab.match_rounds,
        lab.eliminate,
        lab.generations,
        lab.tournament_button,
        lab.evolve_button,
        lab.generation,
        lab.play,
    ]
    for c in controls:
        assert isinstance(c, ipw.DOMWidget) and c.description, c
    assert not [c for c in controls if getattr(c, "disabled", False)]
    # the text description is in the widget tree too, kept current
    lab.multiplier.value = 2.5
    assert html.unescape(lab.text_view.value) == f"<pre style='white-space:pre-wrap'>{lab.describe()}</pre>"
    assert "multiplier k=2.5" in lab.describe()
    lab.multiplier.value = 2.0


def test_preset_in_constructor():
    lab = TrustLab("frequent provocations", rounds=5, runs=5, generations=2)
    assert lab.preset.value == "frequent provocations" and lab.strategy_b.value == "provocateur"
    assert lab.result.params.provocation == 0.15


def test_describe_states_the_mean_worst_loss_lesson_06_asks_for():
    """Lesson 06's check l06-grit-worst-loss: simulate('grit', preset partner, 50 rounds, 200 runs, seed 0)
    .worst_loss('a').mean() -- computed here the lesson's way, and found by name in describe() and the summary."""
    import re

    from course.trust import PRESETS, simulate
    from widgets import TrustLab

    cfg = PRESETS["partner who reneges after gains"]
    expected = (
        simulate(
            "grit",
            cfg["strategy_b"],
            noise=cfg["noise"],
            provocation=cfg["provocation"],
            renege=cfg["renege"],
            rounds=50,
            runs=200,
            seed=0,
        )
        .worst_loss("a")
        .mean()
    )
    assert round(expected, 2) == 4.87  # the value the lesson's explanation quotes
    lab = TrustLab(preset="partner who reneges after gains")
    text = lab.describe()
    m = re.search(r"Mean worst single-round loss over 200 runs: A ([0-9.]+)", text)
    assert m and float(m.group(1)) == pytest.approx(expected, abs=0.005), text
    assert (
        f"small steps (GRIT): mean total payoff 33.7, mean worst single-round loss {expected:.2f}"
        in lab.summary.value
    )
    assert "worst loss 10.0" not in text and "opening small (a=1)" in text


def test_evolution_chart_has_its_own_legend_and_no_axis_title_under_the_population_title():
    lab = TrustLab(rounds=10, runs=20, generations=5, match_rounds=5)
    shown = [lab.fig.data[i] for i in EVOLUTION_LINES if lab.fig.data[i].visible]
    assert shown and all(tr.showlegend and tr.legend == "legend2" and tr.name for tr in shown)
    assert {tr.name for tr in shown} == set(lab.evolution_result.names)
    assert lab.fig.layout.legend2.title.text == "strategy"
    assert lab.fig.layout.xaxis4.title.text is None  # it collided with "Population at generation g"
    assert "by generation" in lab.fig.layout.annotations[3].text


def test_step_size_panel_plots_mean_a_and_b():
    from course.trust import evolve_step_sizes

    lab = TrustLab(rounds=10, runs=20, generations=30, match_rounds=10)
    lab.step_sizes_button.click()
    ss = lab.step_sizes_result
    ref = evolve_step_sizes(k=lab.multiplier.value, rounds=10, generations=30, seed=lab.seed.value)
    a_line, b_line = (lab.fig.data[i] for i in list(EVOLUTION_LINES)[:2])
    np.testing.assert_allclose(a_line.y, ref.mean_a)
    np.testing.assert_allclose(b_line.y, ref.mean_b)
    assert a_line.name == "mean opening a" and b_line.name == "mean raise b"
    assert not any(lab.fig.data[i].visible for i in list(EVOLUTION_LINES)[2:])
    assert "step sizes" in lab.fig.layout.annotations[3].text and ss.describe() in lab.describe()
    lab.run_evolution()
    assert lab.fig.layout.annotations[3].text.startswith("Evolution: agents per strategy")

"""The trust-lab steps of lessons 07 (steps 1-3) and 08 (the 2x2, step sizes): one source of numbers, and
predict-then-reveal when each notebook runs.

* Each self-check of the trust-lab steps is rebuilt from the seeded engine, exactly as the lesson computes it,
  and the bank (answers hashed) must accept that value through the checking API; a change in ``course.trust``
  that silently made a lesson answer wrong fails here.
* ``TrustLab.describe()`` and its status (summary) line state the worst-loss value the lesson asks for, under
  the name the lesson uses ("mean worst single-round loss over 200 runs").
* Each notebook runs top to bottom twice, on its own: with no answer every gate waits; with the answers saved beforehand
  (given programmatically through ``ask(...).check``), every gate opens and the code behind it runs without
  error. (In-process, not through nbclient: nbclient can deadlock when a widget is displayed inside an Output
  widget, jupyter/nbconvert#2029, which hung this test intermittently.)
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course.selfcheck.bank import load_bank
from course.trust import PRESETS, StakesDesign, compare_designs, evolve_step_sizes, simulate

REPO = Path(__file__).resolve().parent.parent
LESSON = REPO / "lessons" / "07_small_steps_grit.ipynb"  # steps 1-3 and the TrustLab widget
LESSON_08 = REPO / "lessons" / "08_trust_lab.ipynb"  # the 2x2, step sizes, the model's limits
NOTEBOOKS = {"07": LESSON, "08": LESSON_08}
#: the gates of each lesson: 07 the one-round table, the opening payoffs, the worst-loss table, the lab, the
#: step 3 table and chart; 08 the 2x2 table, chart and conclusion, the raise table and the evolution chart
GATES = {"07": 6, "08": 5}
RUNS = dict(rounds=50, runs=200, seed=0)
PREDICTIONS = [
    "l07-predict-one-round",
    "l07-predict-reneger",
    "l07-predict-provocations",
    "l08-predict-two-changes",
    "l08-predict-step-evolution",
]


def _question(qid):
    n = qid[1:3]
    assert f'ask(\\"{qid}\\")' in NOTEBOOKS[n].read_text(encoding="utf-8"), f"lesson {n} does not ask {qid}"
    return load_bank(REPO / "lessons" / "questions" / f"{n}.toml").question(qid)


def _run(design, preset, **changes):
    cfg = PRESETS[preset]
    kw = dict(noise=cfg["noise"], provocation=cfg["provocation"], renege=cfg["renege"], **RUNS)
    kw.update(changes)
    return simulate(design, cfg["strategy_b"], **kw)


def _engine_answers() -> dict:
    """Each trust-lab self-check's answer, computed from the engine the way the lesson computes it."""
    out = {}
    # step 1: one round, A gives 10, B gives 0..10
    one = [
        float(
            simulate(
                StakesDesign(opening=10),
                lambda m, t, ctx, y=y: np.full(ctx.runs, float(y)),
                rounds=1,
                runs=1,
                noise=0,
                seed=0,
            ).payoff_a[0, 0]
        )
        for y in np.linspace(0, 10, 11)
    ]
    # the range the engine gives, and the inference it supports: the worst case is the whole stake (10) lost
    assert min(one) == -10
    out["l07-predict-one-round"] = (
        f"from {min(one):g} to +{max(one):g}; the worst case is losing the whole stake, "
        "so the larger the first step, the more a partner who gives nothing takes"
    )
    # step 2: the opening alone (both match), against the reneger
    reneger = "partner who reneges after gains"
    small = _run(StakesDesign("small", response="match"), reneger)
    all_in = _run(StakesDesign("all", response="match"), reneger)
    pay_small, pay_all = small.total_payoff("a").mean(), all_in.total_payoff("a").mean()
    assert abs(pay_small - pay_all) > 10  # "about the same" is not the answer
    out["l07-predict-reneger"] = "the small first step" if pay_small > pay_all else "everything at once"
    out["l07-grit-worst-loss"] = round(float(small.worst_loss("a").mean()), 2)
    # step 3: the response alone (small opening), against the provoker
    prov = "frequent provocations"
    match = _run(StakesDesign("small", response="match"), prov).total_payoff("a").mean()
    grim = _run(StakesDesign("small", response="grim"), prov).total_payoff("a").mean()
    out["l07-predict-provocations"] = (
        "matching and restarting"
        if match > grim
        else "never forgiving: it stops feeding a partner who provokes"
    )
    # step 4: the 2x2 -- the response's effect on payoff dwarfs the opening's when the opening is held fixed
    g = compare_designs(**RUNS).set_index(["partner", "opening", "response"])["mean payoff"]
    forgive_effect = min(g[p, o, "match"] / g[p, o, "grim"] for p, o, _ in g.index)
    assert forgive_effect >= 2, forgive_effect  # "at least twice", as the lesson and the explanation say
    grim_opening_effect = max(
        max(g[p, "all", "grim"], g[p, "small", "grim"]) / min(g[p, "all", "grim"], g[p, "small", "grim"])
        for p, _, _ in g.index
    )
    out["l08-predict-two-changes"] = (
        "the response: whether a shortfall is forgiven"
        if all(g[p, o, "match"] > g[p, o, "grim"] for p, o, _ in g.index)
        else "the opening: how much is given at first"
    )
    assert grim_opening_effect < forgive_effect * 2
    # step 5: the evolution of step sizes at the lesson's setting
    evo = evolve_step_sizes(agents=100, generations=200, a0=1.0, b0=1.0, seed=0)
    a0, a1 = evo.mean_a[0], evo.mean_a[-1]
    out["l08-predict-step-evolution"] = (
        "it rises" if a1 > a0 * 1.1 else "it shrinks towards 0, as the paper reports" if a1 < 0.9 * a0 else ""
    )
    return out


ANSWERS = _engine_answers()


@pytest.mark.parametrize("qid", sorted(ANSWERS))
def test_the_bank_accepts_the_value_the_engine_computes(qid):
    q = _question(qid)
    assert q.check(ANSWERS[qid]), (qid, ANSWERS[qid])


def test_the_2x2_numbers_the_lesson_states():
    g = compare_designs(**RUNS).set_index(["partner", "opening", "response"])
    wl = g["mean worst loss"]
    reneger = "partner who reneges after gains"
    assert round(wl[reneger, "small", "match"], 2) == 4.87 and round(wl[reneger, "all", "match"], 2) == 10.0
    # "starting small cuts the mean worst loss by a third to a half" (forgiving designs, both partners)
    for p in ("partner who reneges after gains", "frequent provocations"):
        cut = 1 - wl[p, "small", "match"] / wl[p, "all", "match"]
        assert 1 / 3 - 0.02 <= cut <= 0.55, (p, cut)


def test_step_3_forgiveness_matters_only_once_something_goes_wrong():
    # "with no provocation and no noise the two responses earn the same ... as shortfalls become more frequent,
    # the gap opens"
    def pay(response, **kw):
        return (
            _run(StakesDesign("small", response=response), "reliable partner", **kw).total_payoff("a").mean()
        )

    assert pay("match", noise=0.0) == pay("grim", noise=0.0)
    gaps = [pay("match", noise=n) - pay("grim", noise=n) for n in (0.02, 0.05)]
    assert all(g > 50 for g in gaps)


def test_describe_and_the_status_line_state_the_worst_loss_the_lesson_asks_for_by_name():
    from widgets.trust import TrustLab

    lab = TrustLab(preset="partner who reneges after gains", panels="stakes")
    expected = ANSWERS["l07-grit-worst-loss"]
    text = lab.describe()
    m = re.search(r"Mean worst single-round loss over 200 runs: A ([0-9.]+)", text)
    assert m, text
    assert _question("l07-grit-worst-loss").check(float(m.group(1)))  # the accessible route is marked right
    assert float(m.group(1)) == expected
    status = lab.summary.value
    assert "means over 200 runs" in status
    m = re.search(
        r"small steps \(GRIT\): mean total payoff [0-9.]+, mean worst single-round loss ([0-9.]+)", status
    )
    assert m and float(m.group(1)) == expected, status
    # describe() names the design of side A along with the numbers
    assert "opening small (a=1)" in text and "match it" in text


def test_the_lessons_lab_leaves_out_the_classic_panels_which_the_examples_keep():
    from widgets.trust import TrustLab

    lab = TrustLab(preset="partner who reneges after gains", panels="stakes", generations=5)
    assert lab.tournament_result is None and lab.evolution_result is None
    assert lab.step_sizes_result is not None and lab.step_sizes_result.generations == 5
    assert lab.fig.layout.annotations[1].text == "" and lab.fig.layout.xaxis2.visible is False
    assert "Tournament" not in lab.describe() and "Evolution of step sizes" in lab.describe()
    lab.generations.value = 7  # the step-size panel follows its controls
    assert lab.step_sizes_result.generations == 7
    with pytest.raises(ValueError, match="panels"):
        TrustLab(panels="tournament")
    code = "\n".join(c.source for c in nbformat.read(LESSON, as_version=4).cells if c.cell_type == "code")
    assert 'panels="stakes"' in code and "tournament(" not in code and "evolve(" not in code
    demo = (REPO / "widgets" / "examples" / "trustlab_demo.ipynb").read_text(encoding="utf-8")
    assert "tournament(" in demo and "evolve(" in demo


@pytest.mark.parametrize("n", sorted(NOTEBOOKS))
def test_every_result_in_the_trust_lab_steps_waits_for_a_question_asked_above_it_in_its_own_lesson(n):
    cells = nbformat.read(NOTEBOOKS[n], as_version=4).cells
    asked_above: set[str] = set()
    gated = 0
    for c in cells:
        if c.cell_type != "code":
            continue
        asked_above |= set(re.findall(rf'ask\("(l{n}-[a-z0-9-]+)"\)', c.source))
        if "reveal_after(" in c.source:
            gated += 1
            waits_for = set(re.findall(r'reveal_after\(\s*\[?"(l\d\d-[a-z0-9-]+)"', c.source))
            waits_for |= set(re.findall(r'"(l\d\d-[a-z0-9-]+)"', c.source.split("reveal_after(", 1)[1]))
            assert waits_for and waits_for <= asked_above, (waits_for, asked_above)
    assert gated == GATES[n]
    for qid in PREDICTIONS:
        assert (qid in asked_above) == (qid[1:3] == n), qid


# ------------------------------------------------------------------ the notebook, run top to bottom
def _gates() -> dict:
    from ipywidgets.widgets import widget

    gates = [
        g for g in list(widget._instances.values()) if "course-gate-box" in getattr(g, "_dom_classes", ())
    ]
    return {"gates": len(gates), "open": sum("course-gate-open" in g._dom_classes for g in gates)}


def _run_all(lesson: Path, progress: Path, monkeypatch) -> dict:
    """Every code cell in order, in a fresh IPython shell (no kernel: an Output shows its content inline, so
    no frontend race), with the progress file given; returns the gates it made and how many are open."""
    from IPython.core.interactiveshell import InteractiveShell
    from ipywidgets.widgets import widget

    from course.selfcheck import lesson as ask_mod
    from course.selfcheck import state as progress_mod

    monkeypatch.setenv("COURSE_PROGRESS", str(progress))
    monkeypatch.delenv("COURSE_OPEN_GATES", raising=False)
    monkeypatch.chdir(lesson.parent)
    progress_mod.set_store(None)
    ask_mod._ASKED.clear()
    for w in list(widget._instances.values()):
        w.close()
    InteractiveShell.clear_instance()
    shell = InteractiveShell.instance()
    shown_errors = []  # an error inside a gate's Output is shown (showtraceback) and suppressed: record it
    shell.showtraceback = lambda *a, **k: shown_errors.append(a)
    try:
        for i, c in enumerate(nbformat.read(lesson, as_version=4).cells):
            if c.cell_type == "code":
                result = shell.run_cell(c.source, silent=True)
                assert result.success, f"cell {i} failed: {result.error_in_exec or result.error_before_exec}"
                assert not shown_errors, f"cell {i} showed an error: {shown_errors}"
        return _gates()
    finally:
        InteractiveShell.clear_instance()
        progress_mod.set_store(None)
        ask_mod._ASKED.clear()


@pytest.mark.slow
@pytest.mark.parametrize("n", sorted(NOTEBOOKS))
def test_the_lesson_runs_with_every_gate_waiting_and_then_open_once_answered(n, tmp_path, monkeypatch):
    from course.selfcheck import lesson as ask_mod
    from course.selfcheck import state as progress_mod

    progress = tmp_path / "progress.json"
    # 1. nothing answered: every gate waits (nbmake runs the notebook this way too)
    closed = _run_all(NOTEBOOKS[n], progress, monkeypatch)
    assert closed["gates"] == GATES[n] and closed["open"] == 0, closed

    # 2. answer programmatically, as a learner's Check would: the predictions wrongly (a guess opens them),
    #    the worst-loss question rightly; then Run All again: every gate opens and its code runs without error
    monkeypatch.setenv("COURSE_PROGRESS", str(progress))
    progress_mod.set_store(None)
    try:
        for qid in (q for q in PREDICTIONS if q[1:3] == n):
            q = ask_mod.ask(qid, namespace={})
            wrong = next(o for o in q.options if o != ANSWERS[qid])
            assert not q.check(wrong)
        if n == "07":
            assert ask_mod.ask("l07-grit-worst-loss", namespace={}).check(ANSWERS["l07-grit-worst-loss"])
    finally:
        progress_mod.set_store(None)
        ask_mod._ASKED.clear()
    opened = _run_all(NOTEBOOKS[n], progress, monkeypatch)
    assert opened["open"] == opened["gates"] == closed["gates"], opened

"""The design space of side-A strategies: presets reproduce the named ones; the 2x2 separates opening
from forgiveness."""

import numpy as np
import pytest

from course.trust import DESIGNS, PRESETS, StakesDesign, compare_designs, simulate
from course.trust.stakes.strategies import BigBang, Grit, Humanitarian

PARTNERS = ("partner who reneges after gains", "frequent provocations")


@pytest.mark.parametrize("name", ["grit", "big_bang", "humanitarian"])
@pytest.mark.parametrize("partner", ["reciprocator", "unreliable", "provocateur", "defector"])
def test_preset_designs_are_the_named_strategies(name, partner):
    kw = dict(rounds=60, runs=300, seed=3, noise=0.05, renege=0.3, provocation=0.15, fixed_stake=2.0)
    named = simulate(name, partner, **kw)
    designed = simulate(StakesDesign(**DESIGNS[name].__dict__), partner, **kw)
    for s in ("stake_a", "stake_b", "delivered_a", "delivered_b"):
        np.testing.assert_array_equal(getattr(named, s), getattr(designed, s))
    assert named.summary()["design_a"] == designed.summary()["design_a"] != ""


def test_named_classes_carry_their_design():
    assert Grit().design == DESIGNS["grit"] and Grit().design.opening == "small"
    assert BigBang().design.opening == "all" and BigBang().design.response == "grim"
    assert Humanitarian().design.response == "ignore"


def test_factorial_separates_opening_from_forgiveness():
    df = compare_designs(PARTNERS, rounds=50, runs=200, seed=0)
    assert len(df) == 8
    cell = {(r["partner"], r["opening"], r["response"]): r for r in df.to_dict("records")}
    for p in PARTNERS:
        for opening in ("small", "all"):  # forgiveness raises the mean payoff at either opening
            assert cell[p, opening, "match"]["mean payoff"] > cell[p, opening, "grim"]["mean payoff"], (
                p,
                opening,
            )
        for resp in ("match", "grim"):  # the small opening lowers the mean worst single-round loss
            assert cell[p, "small", resp]["mean worst loss"] < cell[p, "all", resp]["mean worst loss"], (
                p,
                resp,
            )
    # the lesson's GRIT and big-bang are two corners of it
    grit = df[(df.partner == PARTNERS[0]) & (df.named == "grit")]["mean payoff"].item()
    cfg = PRESETS[PARTNERS[0]]
    direct = (
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
        .total_payoff("a")
        .mean()
    )
    assert grit == pytest.approx(direct)
    assert set(df.named) == {"grit", "big_bang", ""}


def test_forgive_after_n_answers_n_rounds():
    # against a defector: round 0 offer a, round 1 hold, round 2 judged: shortfall -> answer 0 for n rounds, restart a
    for n in (1, 3):
        r = simulate(
            StakesDesign("small", "b", "forgive" if n > 1 else "match", n), "defector", rounds=12, runs=1
        )
        st = r.stake_a[0]
        assert list(st[:3]) == [1.0, 1.0, 0.0]
        assert list(st[3 : 2 + n]) == [0.0] * (n - 1) and st[2 + n] == 1.0


def test_grim_never_forgives_and_ignore_never_withdraws():
    g = simulate(StakesDesign("small", response="grim"), "defector", rounds=20, runs=2).stake_a
    assert (g[:, 2:] == 0).all()
    i = simulate(StakesDesign(2.0, 0.0, "ignore"), "defector", rounds=20, runs=2).stake_a
    assert (i == 2.0).all()


@pytest.mark.parametrize(
    "kw, words",
    [
        (dict(opening=-1), "opening must be >= 0; got -1"),
        (dict(opening="huge"), "opening"),
        (dict(raise_by=-0.5), "raise_by must be >= 0; got -0.5"),
        (dict(response="maybe"), "response"),
        (dict(response="forgive", forgive_after=0), "forgive_after"),
        (dict(restart="somewhere"), "restart"),
    ],
)
def test_bad_design_values_name_the_parameter(kw, words):
    with pytest.raises(ValueError, match=words):
        StakesDesign(**kw)


def test_opening_above_max_stake_is_rejected_with_range():
    with pytest.raises(ValueError, match=r"opening must be in \[0, max_stake=10\]; got 12"):
        simulate(StakesDesign(12.0), "reciprocator", rounds=3, runs=2)

"""Bad parameters raise a clear ValueError naming the parameter and its
allowed range; a mistyped strategy name suggests the closest valid one."""

from __future__ import annotations

import numpy as np
import pytest

from course.trust import Payoffs, StakesParams, evolve, play_classic, simulate, tournament


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"noise": 1.5}, r"noise must be a probability in \[0, 1\]; got 1.5"),
        ({"noise": -0.1}, r"noise must be a probability in \[0, 1\]"),
        ({"provocation": 2}, r"provocation must be a probability in \[0, 1\]"),
        ({"renege": -1}, r"renege must be a probability in \[0, 1\]"),
        ({"k": 1}, r"multiplier k must be > 1; got 1"),
        ({"k": 0.5}, r"multiplier k must be > 1"),
        ({"a": 0}, r"step a must be > 0"),
        ({"b": -1}, r"step b must be >= 0"),
        ({"max_stake": 0.5}, r"max_stake must be >= 1"),
        ({"rounds": 0}, r"rounds must be a whole number >= 1; got 0"),
        ({"runs": 0}, r"runs must be a whole number >= 1"),
        ({"rounds": 2.5}, r"rounds must be a whole number"),
        ({"seed": -3}, r"seed must be a whole number >= 0"),
        ({"noise": "lots"}, r"noise must be a number"),
        ({"noise": float("nan")}, r"noise must be a number; got NaN"),
        ({"provocaton": 0.1}, r"unknown stakes parameter 'provocaton'. Did you mean 'provocation'\?"),
    ],
)
def test_simulate_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate("grit", "provocateur", **{"rounds": 5, "runs": 2, **kwargs})


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"noise": 1.01}, r"noise must be a probability in \[0, 1\]"),
        ({"rounds": 0}, r"rounds must be a whole number >= 1"),
        ({"continuation": 1.0}, r"continuation must be a probability in \[0, 1\) \(1 would never end\)"),
        ({"continuation": 1.2}, r"continuation must be a probability in \[0, 1\]"),
        ({"payoffs": (1, 2, 3)}, r"payoffs must be a Payoffs"),
        ({"payoffs": {"R": "x", "S": 0, "T": 5, "P": 1}}, r"payoff R must be a number"),
    ],
)
def test_play_classic_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        play_classic("tit_for_tat", "random", **kwargs)


@pytest.mark.parametrize(
    "game, name, suggestion",
    [
        ("classic", "tit_for_tit", "tit_for_tat"),
        ("classic", "copycta", "copycat"),
        ("classic", "detectve", "detective"),
        ("stakes", "grt", "grit"),
        ("stakes", "big-bnag", "big_bang"),
        ("stakes", "provocatuer", "provocateur"),
    ],
)
def test_typo_in_a_strategy_name_suggests_the_closest(game, name, suggestion):
    with pytest.raises(
        ValueError, match=rf"unknown {game}-game strategy_a '{name}'\. Did you mean '{suggestion}'"
    ):
        if game == "classic":
            play_classic(name, "tit_for_tat")
        else:
            simulate(name, "reciprocator", rounds=3, runs=1)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"Valid names: grit, big_bang, .*defector") as info:
        simulate("xyzzy", "reciprocator")
    assert "Did you mean" not in str(info.value)
    with pytest.raises(ValueError, match=r"unknown stakes-game strategy_b 'copycat'"):
        simulate("grit", "copycat")  # a classic-game name in the stakes game


def test_strategy_of_the_other_game_is_refused():
    from course.trust.classic import TitForTat

    with pytest.raises(
        ValueError, match=r"'tit_for_tat' is a classic-game strategy; this is the stakes game"
    ):
        simulate(TitForTat(), "reciprocator")


def test_user_strategy_output_is_checked():
    with pytest.raises(
        ValueError,
        match=r"strategy 'short' returned moves of shape \(2,\) in round 0; "
        r"expected one move per run, shape \(5,\)",
    ):

        def short(mine, theirs, ctx):
            return np.ones(2, bool)

        play_classic(short, "tit_for_tat", runs=5)
    with pytest.raises(
        ValueError,
        match=r"strategy 'negative' offered a stake of -1.0 in round 0; "
        r"stakes must be in \[0, max_stake=10\]",
    ):

        def negative(mine, theirs, ctx):
            return -1.0

        simulate(negative, "reciprocator", rounds=3, runs=2)
    with pytest.raises(ValueError, match=r"classic moves must be booleans"):
        play_classic(lambda m, t: 0.5, "tit_for_tat")
    with pytest.raises(ValueError, match=r"must accept \(mine, theirs\)"):
        play_classic(lambda m: True, "tit_for_tat")


def test_tournament_and_evolution_errors():
    with pytest.raises(ValueError, match=r"game must be 'classic' or 'stakes'; got 'chess'"):
        tournament(game="chess")
    with pytest.raises(ValueError, match=r"repetitions must be a whole number >= 1"):
        tournament(repetitions=0)
    with pytest.raises(ValueError, match=r"eliminate must be a whole number >= 1 and <= 12; got 13"):
        evolve(eliminate=13)
    with pytest.raises(ValueError, match=r"count of 'tit_for_tat' must be a whole number >= 0"):
        evolve({"tit_for_tat": -1, "random": 3})
    with pytest.raises(ValueError, match=r"payoffs= is for the classic game"):
        evolve(game="stakes", payoffs=Payoffs())
    with pytest.raises(ValueError, match=r"unknown classic-game strategy 'gruder'. Did you mean 'grudger'"):
        evolve({"gruder": 3, "random": 3})


def test_params_objects_validate():
    with pytest.raises(ValueError, match=r"multiplier k must be > 1"):
        StakesParams(k=1.0)
    with pytest.raises(ValueError, match=r"prior must be > 0 and < 1"):
        StakesParams(prior=1.0)
    with pytest.raises(ValueError, match=r"payoff T must be a finite number"):
        Payoffs(T=float("inf"))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"noise": 0.9}, r"noise must be >= 0 and <= 0.5; got 0.9"),
        ({"noise": 2}, r"noise must be a probability in \[0, 1\]"),
        ({"k": 1.0}, r"multiplier k must be > 1"),
        ({"rounds": 0}, r"rounds must be a whole number >= 1 and <= 1000; got 0"),
        ({"runs": 10**6}, r"runs must be a whole number >= 1 and <= 5000"),
        ({"strategy_a": "grt"}, r"Did you mean 'grit'\?"),
        ({"strategy_b": "unreliabel"}, r"Did you mean 'unreliable'\?"),
        ({"renege": 1.2}, r"renege must be a probability in \[0, 1\]"),
        ({"mode": "chess"}, r"unknown mode 'chess'"),
    ],
)
def test_trustlab_constructor_errors(kwargs, match):
    from widgets import TrustLab

    with pytest.raises(ValueError, match=match):
        TrustLab(**kwargs)


def test_trustlab_preset_typo():
    from widgets import TrustLab

    with pytest.raises(
        ValueError, match=r"unknown preset 'frequent provocation'. Did you mean 'frequent provocations'"
    ):
        TrustLab("frequent provocation")

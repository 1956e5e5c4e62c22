"""Cross-check of the classic game against the reference implementation,
``axelrod`` 4.13.1 (the optional ``[oracle]`` extra; never a runtime
dependency, imported only here and in tools/trust_oracle.py).

* Deterministic strategies at zero noise: per-round moves and payoffs
  identical to ``axelrod.Match`` for every ordered pair, and the round-robin
  score matrix identical to ``axelrod.Tournament``'s.
* With noise: mean payoffs per round over many seeded matches agree within
  a 4-sigma confidence interval (two-sided, ~99.99%) of the difference of two
  independent sample means.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

axl = pytest.importorskip(
    "axelrod",
    reason="axelrod (the optional [oracle] extra: pip install -e '.[oracle]') is not installed; "
    "the cross-check against the reference implementation is skipped",
)

from course.trust import Payoffs, play_classic, tournament  # noqa: E402
from course.trust.classic import Detective  # noqa: E402

GAME = axl.Game(r=2, s=-1, t=3, p=0)  # the Evolution of Trust's payoffs, = Payoffs()
PAYOFFS = Payoffs(R=2, S=-1, T=3, P=0)

# our name -> the axelrod player it must reproduce
DETERMINISTIC = {
    "tit_for_tat": axl.TitForTat,
    "tit_for_two_tats": axl.TitFor2Tats,
    "grim_trigger": axl.Grudger,
    "win_stay_lose_shift": axl.WinStayLoseShift,
    "always_cooperate": axl.Cooperator,
    "always_defect": axl.Defector,
    "detective": axl.Detective,
}
STOCHASTIC = {
    # axelrod 4.13.1's GTFT() fixes p = 1/3 when created (Nowak-Sigmund at its default
    # game (3,0,5,1)), whatever the match's game; our default generosity is the same 1/3.
    "generous_tit_for_tat": axl.GTFT,
    "random": axl.Random,  # p = 0.5
}


def _axl_moves(interactions):
    a = np.array([x == axl.Action.C for x, _ in interactions])
    b = np.array([y == axl.Action.C for _, y in interactions])
    return a, b


@pytest.mark.parametrize(
    "a, b",
    list(itertools.product(DETERMINISTIC, repeat=2)),
    ids=[f"{a}-vs-{b}" for a, b in itertools.product(DETERMINISTIC, repeat=2)],
)
def test_deterministic_matches_equal_axelrod(a, b):
    turns = 60
    match = axl.Match((DETERMINISTIC[a](), DETERMINISTIC[b]()), turns=turns, game=GAME)
    ma, mb = _axl_moves(match.play())
    scores = np.array(match.scores(), dtype=float)
    ours = play_classic(a, b, rounds=turns, payoffs=PAYOFFS)
    assert np.array_equal(ours.moves_a[0], ma) and np.array_equal(ours.moves_b[0], mb)
    assert np.array_equal(ours.payoff_a[0], scores[:, 0]) and np.array_equal(ours.payoff_b[0], scores[:, 1])


def test_detective_probe_window_differs_from_axelrod_as_documented():
    """ncase's Detective looks at the partner's rounds 1-3, axelrod's at 1-4:
    against a partner whose only defection is in round 4 they part ways, and
    our ``Detective(window=4)`` then equals axelrod's exactly."""
    turns = 12
    cycle = "CCCD" + "C" * (turns - 4)
    match = axl.Match((axl.Detective(), axl.Cycler(cycle)), turns=turns, game=GAME)
    ma, mb = _axl_moves(match.play())

    def late(mine, theirs, ctx):
        return np.full(ctx.runs, cycle[ctx.t] == "C")

    window4 = play_classic(Detective(window=4), late, rounds=turns)
    ncase = play_classic("detective", late, rounds=turns)
    assert np.array_equal(window4.moves_a[0], ma) and np.array_equal(window4.moves_b[0], mb)
    assert not np.array_equal(ncase.moves_a[0], ma)


def test_axelrod_gtft_generosity_quirk():
    """Documents the axelrod behaviour our default follows (see classic.GenerousTitForTat)."""
    m = axl.Match((axl.GTFT(), axl.Defector()), turns=2, game=GAME)
    m.play()
    assert m.players[0].p == pytest.approx(1 / 3)  # not 2/3, Nowak-Sigmund at GAME


def test_generosity_from_the_game_matches_axelrod_gtft_with_that_p():
    from course.trust.classic import GenerousTitForTat

    turns, n = 40, 300
    scores = []
    for seed in range(n):
        m = axl.Match((axl.GTFT(p=2 / 3), axl.TitForTat()), turns=turns, game=GAME, noise=0.1, seed=seed)
        m.play()
        scores.append(m.final_score_per_turn())
    ref = np.array(scores)
    ours = play_classic(
        GenerousTitForTat("nowak_sigmund"),
        "tit_for_tat",
        rounds=turns,
        runs=4000,
        seed=3,
        noise=0.1,
        payoffs=PAYOFFS,
    )
    mine = np.stack([ours.total_a, ours.total_b], axis=1) / turns
    for side in (0, 1):
        diff = mine[:, side].mean() - ref[:, side].mean()
        se = math.sqrt(mine[:, side].var(ddof=1) / 4000 + ref[:, side].var(ddof=1) / n)
        assert abs(diff) <= 4 * se, (side, diff, se)


def test_tournament_score_matrix_equals_axelrod():
    names = list(DETERMINISTIC)
    players = [DETERMINISTIC[n]() for n in names]
    res = axl.Tournament(players, turns=25, repetitions=1, game=GAME, seed=0).play(
        progress_bar=False, processes=1
    )
    ours = tournament(names, rounds=25, repetitions=1, payoffs=PAYOFFS)
    ref = np.array(res.payoff_matrix, dtype=float)  # mean payoff per turn of row vs column
    assert np.allclose(ours.scores, ref, atol=1e-12)


NOISY_PAIRS = [
    ("tit_for_tat", "tit_for_tat"),
    ("tit_for_tat", "always_defect"),
    ("tit_for_two_tats", "win_stay_lose_shift"),
    ("win_stay_lose_shift", "win_stay_lose_shift"),
    ("grim_trigger", "tit_for_two_tats"),
    ("detective", "tit_for_tat"),
    ("generous_tit_for_tat", "tit_for_tat"),
    ("generous_tit_for_tat", "always_defect"),
    ("random", "grim_trigger"),
]


@pytest.mark.parametrize("a, b", NOISY_PAIRS, ids=[f"{a}-vs-{b}" for a, b in NOISY_PAIRS])
def test_noisy_mean_scores_agree_with_axelrod(a, b):
    noise, turns, n_axl, n_ours = 0.05, 40, 300, 4000
    cls = {**DETERMINISTIC, **STOCHASTIC}
    ref = np.empty((n_axl, 2))
    for seed in range(n_axl):
        m = axl.Match((cls[a](), cls[b]()), turns=turns, game=GAME, noise=noise, seed=seed)
        m.play()
        ref[seed] = m.final_score_per_turn()
    # our detective with axelrod's probe window, so both implement the same rule under noise
    spec = {"detective": Detective(window=4)}
    ours = play_classic(
        spec.get(a, a), spec.get(b, b), rounds=turns, runs=n_ours, seed=12345, noise=noise, payoffs=PAYOFFS
    )
    mine = np.stack([ours.total_a, ours.total_b], axis=1) / turns
    for side in (0, 1):
        diff = mine[:, side].mean() - ref[:, side].mean()
        se = math.sqrt(mine[:, side].var(ddof=1) / n_ours + ref[:, side].var(ddof=1) / n_axl)
        assert abs(diff) <= 4 * se + 1e-12, (a, b, side, diff, se)

"""Property tests (hypothesis) of the trust engine: GRIT's and big-bang's loss
bounds, the trust meter, and invariants of both games."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course.trust import StakesParams, play_classic, simulate, trust_belief
from course.trust.classic import STRATEGIES as CLASSIC

TOL = 1e-9
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

params_st = st.builds(
    dict,
    a=st.floats(0.1, 3.0),
    b=st.floats(0.0, 2.0),
    k=st.floats(1.05, 4.0),
    max_stake=st.floats(3.0, 30.0),
)


def scripted(seq):
    """A partner that gives the stakes of ``seq``, whatever happens (clipped to max_stake)."""
    arr = np.asarray(seq, dtype=float)

    def partner(mine, theirs, ctx):
        return np.full(ctx.runs, min(arr[ctx.t], ctx.params.max_stake))

    return partner


@SETTINGS
@given(p=params_st, frac=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=30))
def test_grit_steps_are_bounded_against_any_partner(p, frac):
    """For ANY sequence of partner stakes: GRIT's offer never rises by more
    than 2b a round (or to more than a after falling); its loss in a round
    is at most its offer (the exposure); after a shortfall it offers the
    partner's amount (answer in kind); a betrayal and its answer together
    cost at most the betrayed stake."""
    seq = [f * p["max_stake"] for f in frac]
    r = simulate("grit", scripted(seq), rounds=len(seq), runs=1, **p)
    x, pay, theirs = r.stake_a[0], r.payoff_a[0], r.delivered_b[0]
    a, b, _k = p["a"], p["b"], p["k"]
    assert x[0] == a
    assert (x <= p["max_stake"] + TOL).all() and (x >= 0).all()
    for t in range(1, len(x)):
        assert x[t] <= max(a, x[t - 1] + 2 * b) + TOL
        assert x[t] <= a + 2 * b * t + TOL  # the step it can have reached by round t
    assert (-pay <= x + TOL).all()  # the loss of a round is at most the exposure
    for t in range(1, len(x) - 1):
        # a judged shortfall in round t (partner gave less than my stake it saw) -> answer in kind in t+1
        if x[t + 1] < x[t] - TOL and x[t + 1] != a:
            assert abs(x[t + 1] - theirs[t]) <= TOL
            assert theirs[t] < x[t - 1] + TOL
            # betrayal round + answer round cost at most the betrayed stake
            assert (-pay[t]) + (-pay[t + 1]) <= x[t] + TOL
    # the worst single-round loss is bounded by the largest step GRIT reached
    assert max(0.0, -pay.min()) <= x.max() + TOL


@SETTINGS
@given(
    p=params_st, renege=st.floats(0.05, 1.0), threshold=st.floats(0.0, 40.0), seed=st.integers(0, 2**31 - 1)
)
def test_big_bang_loses_the_full_stake_when_the_unreliable_partner_reneges(p, renege, threshold, seed):
    r = simulate(
        "big_bang", "unreliable", rounds=25, runs=40, seed=seed, renege=renege, threshold=threshold, **p
    )
    Y, k, a = p["max_stake"], p["k"], p["a"]
    reneged = (r.delivered_b[:, 1:] == 0).any(axis=1)
    worst = r.worst_loss("a")
    # every run in which the partner reneged cost big-bang exactly its full stake in one round ...
    assert np.allclose(worst[reneged], Y)
    # ... and the others only the opening gap (big-bang gives Y, the partner opens with a)
    assert np.allclose(worst[~reneged], max(0.0, Y - k * a))
    assert (worst <= Y + TOL).all()


@SETTINGS
@given(
    p=params_st, renege=st.floats(0.05, 1.0), threshold=st.floats(0.0, 40.0), seed=st.integers(0, 2**31 - 1)
)
def test_grit_worst_loss_is_its_current_step(p, renege, threshold, seed):
    r = simulate("grit", "unreliable", rounds=25, runs=40, seed=seed, renege=renege, threshold=threshold, **p)
    x, pay = r.stake_a, r.payoff_a
    # every loss is at most the stake GRIT had on the table that round, which grew by at most 2b a round
    assert (-pay <= x + TOL).all()
    steps = p["a"] + 2 * p["b"] * np.arange(25)
    assert (x <= np.minimum(steps, p["max_stake"]) + TOL).all()
    # when the partner reneges, GRIT's loss that round is exactly its current stake
    betrayed = (r.delivered_b == 0) & (x > 0)
    betrayed[:, 0] = False
    assert np.allclose(-pay[betrayed], x[betrayed])


@SETTINGS
@given(
    obs=st.lists(st.tuples(st.floats(0.0, 5.0), st.floats(0.0, 5.0)), min_size=2, max_size=20),
    noise=st.floats(0.0, 0.9),
    prior=st.floats(0.05, 0.95),
)
def test_trust_belief_moves_the_right_way(obs, noise, prior):
    mine = np.array([[m for m, _ in obs]])
    theirs = np.array([[t for _, t in obs]])
    p = StakesParams(noise=noise, prior=prior)
    b = trust_belief(mine, theirs, p)[0]
    assert abs(b[0] - prior) < 1e-12 and ((b > 0) & (b < 1)).all()
    for t in range(1, len(b)):
        ref = mine[0, t - 1]
        if ref <= TOL:
            assert abs(b[t] - b[t - 1]) < 1e-12
        elif theirs[0, t] >= ref - TOL:
            assert b[t] > b[t - 1]
        else:
            assert b[t] < b[t - 1]


@SETTINGS
@given(noise=st.floats(0.0, 0.7), frac=st.floats(0.0, 1.0))
def test_noise_makes_a_shortfall_weaker_evidence(noise, frac):
    mine = np.ones((1, 2))
    theirs = np.zeros((1, 2))
    lo = trust_belief(mine, theirs, StakesParams(noise=noise * frac))[0, 1]
    hi = trust_belief(mine, theirs, StakesParams(noise=noise))[0, 1]
    assert hi >= lo - 1e-12


@SETTINGS
@given(
    a=st.sampled_from(sorted(CLASSIC)),
    b=st.sampled_from(sorted(CLASSIC)),
    noise=st.floats(0.0, 0.5),
    seed=st.integers(0, 2**31 - 1),
    rounds=st.integers(1, 30),
)
def test_classic_payoffs_follow_the_moves(a, b, noise, seed, rounds):
    r = play_classic(a, b, rounds=rounds, runs=7, seed=seed, noise=noise)
    p = r.payoffs
    expect_a = np.select(
        [r.moves_a & r.moves_b, r.moves_a & ~r.moves_b, ~r.moves_a & r.moves_b], [p.R, p.S, p.T], p.P
    )
    assert np.array_equal(r.payoff_a, expect_a)
    # the dilemma's sums: 2R, S+T or 2P each round
    total = r.payoff_a + r.payoff_b
    assert np.isin(total, [2 * p.R, p.S + p.T, 2 * p.P]).all()
    # noise changes only the delivered moves: it flips, never invents a third value
    if noise == 0:
        assert np.array_equal(r.moves_a, r.intended_a)
    again = play_classic(a, b, rounds=rounds, runs=7, seed=seed, noise=noise)
    assert np.array_equal(r.moves_a, again.moves_a) and np.array_equal(r.moves_b, again.moves_b)


@SETTINGS
@given(a=st.sampled_from(sorted(CLASSIC)), seed=st.integers(0, 2**31 - 1))
def test_vectorised_runs_match_single_runs_for_deterministic_pairs(a, seed):
    """At zero noise a deterministic pair gives the same match in every run,
    equal to a single run: the vectorisation does not mix rows."""
    if a in ("random", "generous_tit_for_tat"):
        return
    many = play_classic(a, "detective", rounds=12, runs=5, seed=seed)
    one = play_classic(a, "detective", rounds=12, runs=1, seed=seed + 1)
    assert (many.moves_a == one.moves_a[0]).all() and (many.moves_b == one.moves_b[0]).all()

"""Evolution of step sizes (course.trust.stepsizes): Roberts & Sherratt 1998 vs Killingback & Doebeli 1999."""

import numpy as np
import pytest

from course.trust.stepsizes import evolve_step_sizes, invasion_advantage, rts_match


def _rts_match_move_by_move(a1, b1, a2, b2, *, rounds, k, max_stake, first):
    """The straightforward version (payoffs added move by move): the fast one must give the same bits."""
    a1, b1, a2, b2 = (np.asarray(x, float) for x in (a1, b1, a2, b2))
    am, bm = np.where(first, a1, a2), np.where(first, b1, b2)
    ar, br = np.where(first, a2, a1), np.where(first, b2, b1)

    def rts(mine, theirs, b):
        up = np.where(theirs > mine + 1e-12, mine + 2 * b, np.where(theirs >= mine - 1e-12, mine + b, theirs))
        return np.minimum(up, max_stake)

    pm, pr = np.zeros(am.shape), np.zeros(am.shape)
    last_m = np.minimum(am, max_stake)
    pm -= last_m
    pr += k * last_m
    last_r = None
    for t in range(rounds):
        x = np.minimum(ar, max_stake) if last_r is None else rts(last_r, last_m, br)
        pr -= x
        pm += k * x
        last_r = x
        if t == rounds - 1:
            break
        y = rts(last_m, last_r, bm)
        pm -= y
        pr += k * y
        last_m = y
    return np.where(first, pm, pr), np.where(first, pr, pm)


def test_rts_match_gives_the_same_bits_as_adding_move_by_move():
    rng = np.random.default_rng(3)
    for _ in range(60):
        n, rounds = 40, int(rng.integers(1, 30))
        k, cap = float(rng.choice([1.1, 2.0, 3.7])), float(rng.choice([3.0, 10.0, 100.0]))
        # rounded values make exact ties (the "equalled" branch) common; some players are non-givers
        a1, b1, a2, b2 = (
            np.round(rng.random(n) * 3, int(rng.integers(0, 3))) * (rng.random(n) < 0.9) for _ in range(4)
        )
        first = rng.random(n) < 0.5
        got = rts_match(a1, b1, a2, b2, rounds=rounds, k=k, max_stake=cap, first=first)
        want = _rts_match_move_by_move(a1, b1, a2, b2, rounds=rounds, k=k, max_stake=cap, first=first)
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])


def test_rts_match_follows_the_rule():
    # (1,1) vs (1,1), alternating: 1, 1 (equal -> +b) 2, 3?, ... check the first exchanges by hand
    p1, p2 = rts_match([1.0], [1.0], [1.0], [1.0], rounds=1, k=2.0)
    # mover invests 1, responder invests 1: each gets 2*1 - 1
    assert p1[0] == pytest.approx(1.0) and p2[0] == pytest.approx(1.0)
    # a non-giver against RTS (1,1) as responder: gains k*a then RTS matches 0, then raises by b
    p1, p2 = rts_match([1.0], [1.0], [0.0], [0.0], rounds=3, k=2.0)
    # mover: 1, then 0 (match), then 0+b=1 (equal 0 == 0): invested 2, received 0
    assert p1[0] == pytest.approx(-2.0) and p2[0] == pytest.approx(4.0)


def test_seeded_and_pure():
    x, y = evolve_step_sizes(generations=20, seed=4), evolve_step_sizes(generations=20, seed=4)
    np.testing.assert_array_equal(x.a, y.a)
    np.testing.assert_array_equal(x.b, y.b)
    assert not np.array_equal(x.a, evolve_step_sizes(generations=20, seed=5).a)


def test_roberts_sherratt_rts_resists_invasion_by_non_givers():
    ev = evolve_step_sizes(agents=100, non_givers=10, mutation=0.0, generations=50, seed=0)
    assert ev.givers(0) == 90
    assert ev.givers() == 100  # the non-givers died out


def _grid():
    for a in (0.5, 1.0, 2.0):
        for b in (0.5, 1.0, 2.0):
            for rounds in (10, 20):
                for k in (1.5, 2.0, 3.0):
                    yield a, b, rounds, k


@pytest.mark.parametrize("cap", [10.0, 20.0, 100.0])
def test_sherratt_roberts_reply_a_larger_opening_invades(cap):
    # Sherratt & Roberts's reply (Nature 400:518, 1999): for rare mutant continuous RTS strategies
    # "the mean initial investment parameter a will always evolve upwards".
    for a, b, rounds, k in _grid():
        up = invasion_advantage(a * 1.05, b, a, b, rounds=rounds, k=k, max_stake=cap)
        down = invasion_advantage(a * 0.95, b, a, b, rounds=rounds, k=k, max_stake=cap)
        assert up > 0 > down, (a, b, rounds, k, cap, up, down)


def test_with_a_reachable_cap_a_smaller_raise_invades():
    # K&D's direction for b holds once the game reaches the cap on an investment
    for a, b, rounds, k in _grid():
        assert invasion_advantage(a, b * 0.95, a, b, rounds=rounds, k=k, max_stake=10.0) > 0, (
            a,
            b,
            rounds,
            k,
        )


def test_invasion_advantage_of_the_resident_itself_is_zero_and_broadcasts():
    adv = invasion_advantage([1.0, 1.1, 0.9], 1.0, 1.0, 1.0)
    assert adv.shape == (3,)
    assert adv[0] == 0.0 and adv[1] > 0 > adv[2]
    with pytest.raises(ValueError, match="multiplier k"):
        invasion_advantage(1, 1, 1, 1, k=1)
    with pytest.raises(ValueError, match="mutant_a must be a finite number >= 0; got -1.0"):
        invasion_advantage(-1, 1, 1, 1)


def test_the_evolving_population_raises_its_opening():
    # the course's model agrees with Sherratt & Roberts's reply, not with K&D, on a
    for seed in (0, 1, 2):
        ev = evolve_step_sizes(agents=100, generations=200, seed=seed)
        assert ev.mean_a[-1] > 1.5 * ev.mean_a[0], seed


@pytest.mark.xfail(
    strict=True,
    reason="NOT REPRODUCED: Killingback & Doebeli's setup (selection scheme, k, R, population) is not in "
    "their abstract or figure caption, the only parts that could be read. In this model a larger opening "
    "a invades at every setting tried and mean a rises (1 -> ~2.6), as Sherratt & Roberts's reply "
    "(Nature 400:518, 1999) also found; see course/trust/stepsizes.py",
)
def test_killingback_doebeli_a_and_b_drift_down():
    ev = evolve_step_sizes(agents=100, generations=200, seed=0)
    assert ev.mean_a[-1] < ev.mean_a[0] and ev.mean_b[-1] < ev.mean_b[0]


@pytest.mark.parametrize(
    "kw, words",
    [
        (dict(agents=1), "agents"),
        (dict(mutation=2), "mutation"),
        (dict(k=1), "multiplier k"),
        (dict(a0=-1), "a0"),
    ],
)
def test_bad_values_name_the_parameter(kw, words):
    with pytest.raises(ValueError, match=words):
        evolve_step_sizes(**kw)

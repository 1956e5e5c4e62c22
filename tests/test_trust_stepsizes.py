"""Evolution of step sizes (course.trust.stepsizes): Roberts & Sherratt 1998 vs Killingback & Doebeli 1999."""

import numpy as np
import pytest

from course.trust.stepsizes import evolve_step_sizes, rts_match


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


@pytest.mark.xfail(
    strict=True,
    reason="NOT REPRODUCED with the assumed setup (k=2, R=20 alternating moves, "
    "Wright-Fisher selection on payoff): the mean opening a rises (1 -> ~2.6) and b stays ~1, "
    "where Killingback & Doebeli report both fall. The papers' full selection scheme is not yet "
    "checked; see course/trust/stepsizes.py",
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

"""The engine's fast paths give the same numbers as the plain formulas they replace."""

from __future__ import annotations

import numpy as np
import pytest

from course.trust import tournament
from course.trust.classic import Payoffs
from course.trust.core import _as_slice


@pytest.mark.parametrize(
    "payoffs", [Payoffs(), Payoffs(2.3, -1.7, 3.1, 0.1), Payoffs(1e-3, -7.25, 11.5, -0.3)]
)
@pytest.mark.parametrize("layout", ["C", "transposed", "strided"])
def test_score_equals_the_where_formula_in_the_same_layout(payoffs, layout):
    rng = np.random.default_rng(5)
    a, b = rng.random((2, 40, 300)) < 0.5
    if layout == "transposed":
        a, b = a.T, b.T
    elif layout == "strided":
        a, b = a[:, ::3], b[:, ::3]
    p = payoffs
    want = np.where(a, np.where(b, p.R, p.S), np.where(b, p.T, p.P))
    got = p.score(a, b)
    assert got.dtype == want.dtype and np.array_equal(got, want)
    assert got.strides == want.strides  # so sums over it add in the same order
    assert np.array_equal(got.sum(axis=1), want.sum(axis=1))


def test_rows_become_a_slice_only_when_contiguous():
    assert _as_slice(np.array([3, 4, 5])) == slice(3, 6)
    assert isinstance(_as_slice(np.array([3, 5, 6])), np.ndarray)
    assert _as_slice(slice(None)) == slice(None)


def test_a_round_robin_equals_its_pairings_played_one_by_one():
    """Side B's rows are scattered in a round robin (played in block order); each pairing played alone
    is one block on both sides. Deterministic strategies at noise 0: the scores must be equal."""
    names = ["tit_for_tat", "always_defect", "grim_trigger", "tit_for_two_tats", "win_stay_lose_shift"]
    full = tournament(names, rounds=60, repetitions=3, seed=0)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            alone = tournament([a, b] if a != b else [a], rounds=60, repetitions=3, seed=0)
            want = alone.scores[0, 1] if a != b else alone.scores[0, 0]
            assert full.scores[i, j] == want, (a, b)

"""simulate(): the Monte-Carlo run of the graduated-stakes game."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import check_int, check_real, check_seed, run_matches
from .game import StakesGame
from .params import GRIT, StakesParams, make_params
from .result import StakesResult
from .strategies import stakes_strategy


def simulate(
    strategy_a: Any = GRIT,
    strategy_b: Any = "reciprocator",
    *,
    rounds: int = 50,
    runs: int = 200,
    seed: int | None = 0,
    params: StakesParams | dict | None = None,
    percentiles=(5, 50, 95),
    **param_overrides,
) -> StakesResult:
    """Monte-Carlo simulation of the graduated-stakes game, all runs at once.

    ``strategy_a`` / ``strategy_b``: a name from ``STRATEGIES`` (e.g.
    ``"grit"``, ``"big_bang"``, ``"unreliable"``), a function
    ``f(mine, theirs, ctx)`` or a Strategy. Game parameters come from
    ``params`` (a :class:`StakesParams` or dict) and/or keywords, e.g.
    ``simulate("grit", "provocateur", provocation=0.2, noise=0.05, k=2,
    runs=500, seed=1)``. Every series has shape ``(runs, rounds)``; the same
    seed gives an identical result.
    """
    p = make_params(params, **param_overrides)
    sa = stakes_strategy(strategy_a, "strategy_a")
    sb = stakes_strategy(strategy_b, "strategy_b")
    rounds = check_int("rounds", rounds, minimum=1)
    runs = check_int("runs", runs, minimum=1)
    seed = check_seed(seed)
    pct = tuple(check_real("percentile", q, ge=0, le=100) for q in percentiles)
    rng = np.random.default_rng(seed)
    ids = np.zeros(runs, dtype=np.intp)
    play = run_matches(StakesGame(p), [sa], [sb], ids, ids, rounds, rng)
    res = _result(sa.name, sb.name, p, seed, play, pct)
    res._design_a = getattr(sa, "design", None)
    return res


def _result(name_a, name_b, p, seed, play, pct) -> StakesResult:
    return StakesResult(
        name_a, name_b, p, seed, play.intended_a, play.intended_b, play.delivered_a, play.delivered_b, pct
    )

"""One round of the stakes game: delivery under noise and the checks on a strategy's stakes."""

from __future__ import annotations

import numpy as np

from ..core import TOL, Game
from .params import StakesParams


class StakesGame(Game):
    name = "stakes"
    dtype = float

    def __init__(self, params: StakesParams):
        self.params = params

    @property
    def noise(self):
        return self.params.noise

    def deliver(self, intended, lost):
        return np.where(lost, 0.0, intended)

    def check_moves(self, moves, strategy, runs, t):
        m = np.asarray(moves, dtype=float) if not isinstance(moves, np.ndarray) else moves
        if m.ndim == 0:
            m = np.full(runs, float(m))
        if m.shape != (runs,):
            raise ValueError(
                f"strategy {strategy.name!r} returned stakes of shape {m.shape} in round {t}; "
                f"expected one stake per run, shape ({runs},)"
            )
        if not np.issubdtype(m.dtype, np.number) or m.dtype == bool:
            raise ValueError(
                f"strategy {strategy.name!r} returned {m.dtype} in round {t}; stakes must be numbers"
            )
        m = m.astype(float)
        hi = self.params.max_stake
        if not np.isfinite(m).all() or (m < 0).any() or (m > hi + TOL).any():
            bad = float(m[~(np.isfinite(m) & (m >= 0) & (m <= hi + TOL))][0])
            raise ValueError(
                f"strategy {strategy.name!r} offered a stake of {bad!r} in round {t}; "
                f"stakes must be in [0, max_stake={hi:g}]"
            )
        return np.minimum(m, hi)

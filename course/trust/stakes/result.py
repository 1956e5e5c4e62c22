"""StakesResult: every run of a stakes simulation, with summaries and bands."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from ..core import percentiles, quantile_bands
from .belief import trust_belief
from .params import StakesParams


class StakesResult:
    """All runs of a stakes simulation; per-round arrays are ``(runs, rounds)``.

    stake_a/b: stakes offered (intended) -- also the *exposure*
        (``exposure_a/b``): the most that side could lose this round if the
        partner gave nothing.
    delivered_a/b: stakes that arrived (after noise).
    payoff_a/b: ``k * delivered_partner - delivered_own``.
    cum_payoff_a/b: running totals.
    reservoir: the reservoir of goodwill, the running sum of reciprocated
        stakes ``min(delivered_a, delivered_b)``.
    trust_a: side A's belief that B is a reciprocator (trust_b: B's about A),
        see :func:`trust_belief`.

    The derived series are computed on first use and cached.
    """

    SERIES = (
        "stake_a",
        "stake_b",
        "delivered_a",
        "delivered_b",
        "payoff_a",
        "payoff_b",
        "cum_payoff_a",
        "cum_payoff_b",
        "reservoir",
        "exposure_a",
        "exposure_b",
        "trust_a",
        "trust_b",
    )

    def __init__(
        self,
        strategy_a: str,
        strategy_b: str,
        params: StakesParams,
        seed: int | None,
        stake_a: np.ndarray,
        stake_b: np.ndarray,
        delivered_a: np.ndarray,
        delivered_b: np.ndarray,
        percentiles=(5, 50, 95),
    ):
        self.strategy_a, self.strategy_b, self.params, self.seed = strategy_a, strategy_b, params, seed
        self.stake_a, self.stake_b = stake_a, stake_b
        self.delivered_a, self.delivered_b = delivered_a, delivered_b
        self.percentiles = tuple(percentiles)

    @property
    def design_a(self) -> str:
        """Side A's strategy in the design space (opening, raise, response, restart), with numbers; ''
        if not a design."""
        d = getattr(self, "_design_a", None)
        return d.describe(self.params) if d is not None else ""

    def __repr__(self):
        return (
            f"StakesResult({self.strategy_a!r} vs {self.strategy_b!r}, runs={self.runs}, "
            f"rounds={self.rounds}, seed={self.seed})"
        )

    # Round-major (rounds, runs) work arrays; the public series are their .T views.
    @cached_property
    def _pay_rm(self):
        da, db = self.delivered_a.T, self.delivered_b.T
        k = self.params.k
        return k * db - da, k * da - db

    @property
    def payoff_a(self) -> np.ndarray:
        return self._pay_rm[0].T

    @property
    def payoff_b(self) -> np.ndarray:
        return self._pay_rm[1].T

    @cached_property
    def cum_payoff_a(self) -> np.ndarray:
        return np.cumsum(self._pay_rm[0], axis=0).T

    @cached_property
    def cum_payoff_b(self) -> np.ndarray:
        return np.cumsum(self._pay_rm[1], axis=0).T

    @cached_property
    def reservoir(self) -> np.ndarray:
        return np.cumsum(np.minimum(self.delivered_a.T, self.delivered_b.T), axis=0).T

    @cached_property
    def trust_a(self) -> np.ndarray:
        return trust_belief(self.delivered_a, self.delivered_b, self.params)

    @cached_property
    def trust_b(self) -> np.ndarray:
        return trust_belief(self.delivered_b, self.delivered_a, self.params)

    @property
    def exposure_a(self) -> np.ndarray:
        return self.stake_a

    @property
    def exposure_b(self) -> np.ndarray:
        return self.stake_b

    @property
    def runs(self) -> int:
        return self.stake_a.shape[0]

    @property
    def rounds(self) -> int:
        return self.stake_a.shape[1]

    def series(self, name: str) -> np.ndarray:
        if name not in self.SERIES:
            raise ValueError(f"unknown series {name!r}; choose one of {', '.join(self.SERIES)}")
        return getattr(self, name)

    def mean(self, name: str) -> np.ndarray:
        """Mean across runs of a per-round series: shape ``(rounds,)``."""
        return self.series(name).mean(axis=0)

    def band(self, name: str, percentiles=None) -> np.ndarray:
        """Percentiles across runs (default ``self.percentiles``): shape ``(len(percentiles), rounds)``."""
        return quantile_bands(self.series(name), percentiles or self.percentiles)

    def total_payoff(self, side: str = "a") -> np.ndarray:
        """Per run, the total payoff over the match."""
        return self._pay_rm[0 if side == "a" else 1].sum(axis=0)

    def worst_loss(self, side: str = "a") -> np.ndarray:
        """Per run, the largest single-round loss (``-payoff``, at least 0)."""
        return np.maximum(0.0, -self._pay_rm[0 if side == "a" else 1].min(axis=0))

    def summary(self) -> dict:
        """Headline numbers: totals (mean and percentile band), worst losses, goodwill, trust."""
        out = {
            "strategy_a": self.strategy_a,
            "design_a": self.design_a,
            "strategy_b": self.strategy_b,
            "runs": self.runs,
            "rounds": self.rounds,
        }
        for side in "ab":
            total = self.total_payoff(side)
            wl = self.worst_loss(side)
            out[f"mean_payoff_{side}"] = float(total.mean())
            out[f"payoff_band_{side}"] = tuple(float(v) for v in percentiles(total, self.percentiles))
            out[f"worst_loss_{side}"] = float(wl.max())  # the maximum over runs (not what lessons 07-08 ask)
            out[f"mean_worst_loss_{side}"] = float(wl.mean())
            out[f"final_trust_{side}"] = float(getattr(self, f"trust_{side}")[:, -1].mean())
        out["mean_reservoir"] = float(self.reservoir[:, -1].mean())
        return out

    def to_frame(self):
        """A long pandas DataFrame: one row per (run, round)."""
        import pandas as pd

        runs, rounds = self.stake_a.shape
        data = {"run": np.repeat(np.arange(runs), rounds), "round": np.tile(np.arange(rounds), runs)}
        for name in self.SERIES:
            data[name] = np.ascontiguousarray(getattr(self, name)).ravel()
        return pd.DataFrame(data)

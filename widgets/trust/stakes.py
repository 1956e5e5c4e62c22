"""The graduated-stakes game: the "small steps" model of lesson 06.

Each round both sides choose, at the same time, a stake ``y >= 0`` (at most
``max_stake``). A side's payoff for the round is ``k * y_partner - y_own``
with ``k > 1``: giving costs ``y`` and hands the partner ``k*y``, so mutual
giving creates value and one-sided giving is exploitable (Roberts & Sherratt
1998, "Development of cooperative relationships through increasing
investment", Nature 394:175-179).

Noise ``noise`` (epsilon): each stake is independently lost in delivery with
probability epsilon (a failed or misread initiative): the side that chose it
neither pays nor gives anything that round, and both sides see a delivered
stake of 0. Strategies see delivered stakes only, and remember their own
intended level.

Reciprocity is judged with a one-round lag: moves are simultaneous, so the
partner's stake in round ``t`` can only answer what it saw from me in round
``t-1``. "The partner reciprocated" means ``partner[t] >= mine_delivered[t-1]``.

Reported per round (arrays of shape ``(runs, rounds)``, see
:class:`StakesResult`): the stakes offered, the stakes delivered, the
payoffs, the cumulative payoffs, the reservoir of goodwill, the exposure and
each side's trust belief.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import Any

import numpy as np

from .core import (TOL, Game, Strategy, as_strategy, check_int, check_probability, check_real, check_seed,
                   percentiles, quantile_bands, run_matches)

__all__ = [
    "StakesParams", "StakesResult", "simulate", "trust_belief", "STRATEGIES", "ALIASES", "stakes_strategy",
    "Grit", "BigBang", "FixedStakeTitForTat", "Reciprocator", "Unreliable", "Provocateur", "Humanitarian",
    "Defector", "GRIT", "BIG_BANG",
]

GRIT = "grit"
BIG_BANG = "big_bang"


@dataclass(frozen=True)
class StakesParams:
    """Parameters of the graduated-stakes game and its strategies.

    k: multiplier (> 1): a stake ``y`` costs the giver ``y`` and gives the
       partner ``k*y``.
    a: GRIT's opening step, and the opening stake of the reciprocating
       partners (> 0).
    b: GRIT's raise after a reciprocated round (it raises ``2b`` when
       out-given) (>= 0).
    max_stake: the largest stake, offered at once by big-bang (>= a).
    noise: probability that a stake is lost in delivery (epsilon).
    provocation: the provocateur's probability of giving nothing in a round
       (delta).
    renege: the unreliable partner's probability of giving nothing in a
       round once its cumulative gain exceeds ``threshold`` (r).
    threshold: cumulative gain after which the unreliable partner may renege.
    fixed_stake: the stake of fixed-stake tit-for-tat and of the
       humanitarian strategy (``None``: ``a``).
    prior, lapse, exploiter_keep: the trust meter (see :func:`trust_belief`).
    """
    k: float = 2.0
    a: float = 1.0
    b: float = 0.5
    max_stake: float = 10.0
    noise: float = 0.0
    provocation: float = 0.1
    renege: float = 0.2
    threshold: float = 10.0
    fixed_stake: float | None = None
    prior: float = 0.5
    lapse: float = 0.05
    exploiter_keep: float = 0.5

    def __post_init__(self):
        s = object.__setattr__
        s(self, "k", check_real("multiplier k", self.k, gt=1))
        s(self, "a", check_real("step a", self.a, gt=0))
        s(self, "b", check_real("step b", self.b, ge=0))
        s(self, "max_stake", check_real("max_stake", self.max_stake, ge=self.a))
        s(self, "noise", check_probability("noise", self.noise))
        s(self, "provocation", check_probability("provocation", self.provocation))
        s(self, "renege", check_probability("renege", self.renege))
        s(self, "threshold", check_real("threshold", self.threshold))
        if self.fixed_stake is not None:
            s(self, "fixed_stake", check_real("fixed_stake", self.fixed_stake, ge=0, le=self.max_stake))
        s(self, "prior", check_real("prior", self.prior, gt=0, lt=1))
        s(self, "lapse", check_real("lapse", self.lapse, gt=0, lt=1))
        s(self, "exploiter_keep", check_real("exploiter_keep", self.exploiter_keep, gt=0, lt=1 - self.lapse))

    @property
    def stake(self) -> float:
        """The fixed stake (``fixed_stake``, or ``a``)."""
        return self.a if self.fixed_stake is None else self.fixed_stake

    def replace(self, **changes) -> "StakesParams":
        return replace(self, **changes)


PARAM_NAMES = tuple(f.name for f in fields(StakesParams))


class _Stakes(Strategy):
    game = "stakes"


class Grit(_Stakes):
    """GRIT / raise-the-stakes: small initiatives, raised as they are
    reciprocated, a shortfall answered in kind, then a small restart.

    Sources: Osgood (1962, *An Alternative to War or Surrender*): initiatives
    graduated in risk according to how far the other side reciprocates, kept
    up for a while even without reciprocation, backed by the ability to
    retaliate "precisely and in kind". Roberts & Sherratt (1998, Nature
    394:175) "raise-the-stakes": invest ``a`` first; if the partner gave more
    than you, raise by ``2b``; if the same, raise by ``b``; if less, match
    the partner's amount.

    This engine's rules, per row (``x`` = my offer, ``p`` = partner's
    delivered stake, ``d`` = my delivered stake):

    1. Round 0: offer ``a``.
    2. A partner's stake is judged against the stake of mine it could see,
       one round earlier: ``p[t]`` against ``d[t-1]``. It cannot be judged in
       round 0, nor in the round after an answer-in-kind (it is then the
       partner's reply to my answer). When the last round cannot be judged,
       hold: offer the same again (so the opening is ``a, a``).
    3. When judged: ``p[t] > d[t-1]`` (out-given): raise by ``2b``;
       ``p[t] == d[t-1] > 0`` (reciprocated): raise by ``b``;
       ``p[t] == d[t-1] == 0`` (my stake was lost in delivery and nothing
       came back: no evidence): hold; ``p[t] < d[t-1]`` (shortfall):
       **answer in kind** -- offer exactly ``p[t]`` next round (a matched,
       not an escalated, reply; 0 if the partner gave nothing).
    4. **Then restart small**: the round after an answer, offer ``a`` again
       (whatever the partner did meanwhile) and climb from there by the same
       rules (so a restart is ``a, a``, like the opening).
    5. Offers never exceed ``max_stake``.

    Consequences (tested): an offer is never more than ``max(a, previous
    offer + 2b)``, so the most GRIT can lose to one betrayal is its current
    step, and after a betrayal its exposure drops to the partner's level and
    then to ``a``.
    """
    name = GRIT
    INIT, ANSWER, NONE = 0, 1, 2

    def init(self, runs, ctx):
        a = ctx.params.a
        return {"level": np.full(runs, a), "kind1": np.full(runs, self.INIT, np.int8),
                "kind2": np.full(runs, self.NONE, np.int8), "ref": np.zeros(runs)}

    def move(self, s, ctx):
        pr = ctx.params
        if ctx.t == 0:
            return s["level"].copy()
        p = ctx.last_theirs
        level, kind1, kind2, ref = s["level"], s["kind1"], s["kind2"], s["ref"]
        restart = kind1 == self.ANSWER
        hold = ~restart & (kind2 != self.INIT)
        judged = ~restart & ~hold
        out = p > ref + TOL
        short = p < ref - TOL
        # Nothing of mine arrived and nothing came back: no evidence, hold.
        idle = ~out & (ref <= TOL)
        climb = np.where(out, level + 2 * pr.b, np.where(short, p, np.where(idle, level, level + pr.b)))
        new = np.where(restart, pr.a, np.where(hold, level, climb))
        np.minimum(new, pr.max_stake, out=new)
        s["kind2"] = kind1
        s["kind1"] = np.where(judged & short, self.ANSWER, self.INIT).astype(np.int8)
        s["ref"] = ctx.last_mine.copy()
        s["level"] = new
        return new.copy()


class BigBang(_Stakes):
    """Big-bang: a comprehensive deal. Offer ``max_stake`` from round 0; if
    the partner ever fails to reciprocate -- gives less than the stake of
    mine it saw one round earlier (``p[t] < d[t-1]``, judged from round 1)
    -- give nothing for ever after (grim trigger)."""
    name = BIG_BANG

    def init(self, runs, ctx):
        return {"ok": np.ones(runs, bool), "ref": np.zeros(runs)}

    def move(self, s, ctx):
        if ctx.t >= 2:
            s["ok"] &= ctx.last_theirs >= s["ref"] - TOL
        if ctx.t >= 1:
            s["ref"] = ctx.last_mine.copy()
        return np.where(s["ok"], ctx.params.max_stake, 0.0)


class FixedStakeTitForTat(_Stakes):
    """Fixed-stake tit-for-tat: the classic strategy with one fixed stake
    ``s`` (``fixed_stake``, default ``a``): offer ``s`` first, then ``s`` if
    the partner gave at least ``s`` last round, else 0."""
    name = "tit_for_tat_stake"

    def move(self, state, ctx):
        st = ctx.params.stake
        if ctx.t == 0:
            return np.full(ctx.runs, st)
        return np.where(ctx.last_theirs >= st - TOL, st, 0.0)


class Reciprocator(_Stakes):
    """A reliable partner: opens with ``a``, then gives exactly what it
    received last round (a one-round-lag matcher, capped at ``max_stake``)."""
    name = "reciprocator"

    def base(self, ctx):
        if ctx.t == 0:
            return np.full(ctx.runs, ctx.params.a)
        return np.minimum(ctx.last_theirs, ctx.params.max_stake)

    def move(self, state, ctx):
        return self.base(ctx)


class Unreliable(Reciprocator):
    """The unreliable partner (the "reneges after gains" pattern): a
    reciprocator that, in each round in which its cumulative payoff so far
    exceeds ``threshold``, gives nothing with probability ``renege`` (r)."""
    name = "unreliable"
    stochastic = True

    def init(self, runs, ctx):
        return {"gain": np.zeros(runs)}

    def move(self, s, ctx):
        pr = ctx.params
        u = ctx.rng.random(ctx.runs)
        if ctx.t:
            s["gain"] += pr.k * ctx.last_theirs - ctx.last_mine
        renege = (s["gain"] > pr.threshold) & (u < pr.renege)
        return np.where(renege, 0.0, self.base(ctx))


class Provocateur(Reciprocator):
    """The provocateur: a reciprocator that gives nothing with probability
    ``provocation`` (delta) in every round, whatever has happened."""
    name = "provocateur"
    stochastic = True

    def move(self, state, ctx):
        provoke = ctx.rng.random(ctx.runs) < ctx.params.provocation
        return np.where(provoke, 0.0, self.base(ctx))


class Humanitarian(_Stakes):
    """Humanitarian steps only: the same small stake ``fixed_stake`` (default
    ``a``) every round, unconditionally -- never raised, never withdrawn."""
    name = "humanitarian"

    def move(self, state, ctx):
        return np.full(ctx.runs, ctx.params.stake)


class Defector(_Stakes):
    """Never gives anything (the stakes game's always-defect)."""
    name = "defector"

    def move(self, state, ctx):
        return np.zeros(ctx.runs)


STRATEGIES = {
    GRIT: Grit,
    BIG_BANG: BigBang,
    "tit_for_tat_stake": FixedStakeTitForTat,
    "reciprocator": Reciprocator,
    "unreliable": Unreliable,
    "provocateur": Provocateur,
    "humanitarian": Humanitarian,
    "defector": Defector,
}

ALIASES = {
    "raise_the_stakes": GRIT, "rts": GRIT, "small_steps": GRIT, "gradual": GRIT,
    "bigbang": BIG_BANG, "comprehensive_deal": BIG_BANG, "big_deal": BIG_BANG,
    "fixed_tft": "tit_for_tat_stake", "tft_stake": "tit_for_tat_stake", "tit_for_tat": "tit_for_tat_stake",
    "reliable": "reciprocator", "matcher": "reciprocator",
    "reneger": "unreliable", "provoker": "provocateur", "aid": "humanitarian",
    "always_defect": "defector", "nothing": "defector",
}

LABELS = {
    GRIT: "GRIT / raise the stakes (small steps)",
    BIG_BANG: "big-bang (comprehensive deal, then grim trigger)",
    "tit_for_tat_stake": "fixed-stake tit-for-tat",
    "reciprocator": "reliable reciprocator",
    "unreliable": "unreliable (reneges after gains)",
    "provocateur": "provocateur",
    "humanitarian": "humanitarian steps only",
    "defector": "defector (gives nothing)",
}


def stakes_strategy(spec: Any, role: str = "strategy") -> Strategy:
    """A stakes-game Strategy from a name, a function or a Strategy."""
    return as_strategy(spec, STRATEGIES, ALIASES, "stakes", role)


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
            raise ValueError(f"strategy {strategy.name!r} returned stakes of shape {m.shape} in round {t}; "
                             f"expected one stake per run, shape ({runs},)")
        if not np.issubdtype(m.dtype, np.number) or m.dtype == bool:
            raise ValueError(f"strategy {strategy.name!r} returned {m.dtype} in round {t}; stakes must be numbers")
        m = m.astype(float)
        hi = self.params.max_stake
        if not np.isfinite(m).all() or (m < 0).any() or (m > hi + TOL).any():
            bad = float(m[~(np.isfinite(m) & (m >= 0) & (m <= hi + TOL))][0])
            raise ValueError(f"strategy {strategy.name!r} offered a stake of {bad!r} in round {t}; "
                             f"stakes must be in [0, max_stake={hi:g}]")
        return np.minimum(m, hi)


def trust_belief(mine_delivered: np.ndarray, theirs_delivered: np.ndarray, params: StakesParams) -> np.ndarray:
    """Each round's belief that the partner is a reciprocator (Bayesian meter).

    Two hypotheses about the partner: a *reciprocator* (R) intends to return
    at least what it saw from me, except for a lapse with probability
    ``lapse``; an *exploiter* (X) does so only with probability
    ``exploiter_keep``. Either way the partner's stake is then lost in
    delivery with probability ``noise`` (epsilon), which I know. So the
    likelihood of observing "reciprocated" (``theirs[t] >= mine[t-1]``) is

        P(rec | R) = (1 - eps)(1 - lapse),   P(rec | X) = (1 - eps) * keep,

    and of a shortfall one minus these. Each round ``t >= 1`` in which I had
    delivered something (``mine[t-1] > 0``) multiplies the odds R:X by the
    likelihood ratio of what I observed; other rounds carry no information.
    The belief starts at ``prior``; under heavy noise a shortfall is weak
    evidence, which is the point. Returns an array shaped like the inputs:
    the belief after observing round ``t`` (round 0: the prior).
    """
    eps, lam, q = params.noise, params.lapse, params.exploiter_keep
    rec_r, rec_x = (1 - eps) * (1 - lam), (1 - eps) * q
    mine, theirs = np.asarray(mine_delivered, float).T, np.asarray(theirs_delivered, float).T  # round-major
    rounds, runs = mine.shape
    logodds = np.full((rounds, runs), math.log(params.prior / (1 - params.prior)))
    if rounds > 1:
        ref = mine[:-1]
        informative = ref > TOL
        rec = theirs[1:] >= ref - TOL
        up = math.log(rec_r / rec_x) if rec_r > 0 else 0.0
        down = math.log((1 - rec_r) / (1 - rec_x))
        step = np.where(informative, np.where(rec, up, down), 0.0)
        logodds[1:] += np.cumsum(step, axis=0)
    return (1.0 / (1.0 + np.exp(-logodds))).T


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

    SERIES = ("stake_a", "stake_b", "delivered_a", "delivered_b", "payoff_a", "payoff_b", "cum_payoff_a",
              "cum_payoff_b", "reservoir", "exposure_a", "exposure_b", "trust_a", "trust_b")

    def __init__(self, strategy_a: str, strategy_b: str, params: StakesParams, seed: int | None,
                 stake_a: np.ndarray, stake_b: np.ndarray, delivered_a: np.ndarray, delivered_b: np.ndarray,
                 percentiles=(5, 50, 95)):
        self.strategy_a, self.strategy_b, self.params, self.seed = strategy_a, strategy_b, params, seed
        self.stake_a, self.stake_b = stake_a, stake_b
        self.delivered_a, self.delivered_b = delivered_a, delivered_b
        self.percentiles = tuple(percentiles)

    def __repr__(self):
        return (f"StakesResult({self.strategy_a!r} vs {self.strategy_b!r}, runs={self.runs}, "
                f"rounds={self.rounds}, seed={self.seed})")

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
        out = {"strategy_a": self.strategy_a, "strategy_b": self.strategy_b, "runs": self.runs,
               "rounds": self.rounds}
        for side in "ab":
            total = self.total_payoff(side)
            wl = self.worst_loss(side)
            out[f"mean_payoff_{side}"] = float(total.mean())
            out[f"payoff_band_{side}"] = tuple(float(v) for v in percentiles(total, self.percentiles))
            out[f"worst_loss_{side}"] = float(wl.max())
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


def make_params(params: StakesParams | dict | None = None, **overrides) -> StakesParams:
    """A StakesParams from an instance or dict, with keyword overrides."""
    if params is None:
        base = {}
    elif isinstance(params, StakesParams):
        base = {f: getattr(params, f) for f in PARAM_NAMES}
    elif isinstance(params, dict):
        base = dict(params)
    else:
        raise ValueError(f"params must be a StakesParams or a dict; got {params!r}")
    base.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(base) - set(PARAM_NAMES)
    if unknown:
        import difflib
        name = sorted(unknown)[0]
        close = difflib.get_close_matches(name, PARAM_NAMES, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown stakes parameter {name!r}.{hint} Valid: {', '.join(PARAM_NAMES)}")
    return StakesParams(**base)


def simulate(strategy_a: Any = GRIT, strategy_b: Any = "reciprocator", *, rounds: int = 50, runs: int = 200,
             seed: int | None = 0, params: StakesParams | dict | None = None, percentiles=(5, 50, 95),
             **param_overrides) -> StakesResult:
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
    return _result(sa.name, sb.name, p, seed, play, pct)


def _result(name_a, name_b, p, seed, play, pct) -> StakesResult:
    return StakesResult(name_a, name_b, p, seed, play.intended_a, play.intended_b, play.delivered_a,
                        play.delivered_b, pct)

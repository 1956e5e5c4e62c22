"""The stakes-game strategies: side A's approaches and the partner types."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import TOL, Strategy, as_strategy
from .design import DESIGNS, DesignStrategy, StakesDesign
from .params import BIG_BANG, GRIT


class _Stakes(Strategy):
    game = "stakes"


class Grit(DesignStrategy):
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

    As a design (:data:`~course.trust.stakes.design.DESIGNS`): opening small
    (``a``), raise ``b``, a shortfall matched for one round, restart at the
    opening.

    Consequences (tested): an offer is never more than ``max(a, previous
    offer + 2b)``, so the most GRIT can lose to one betrayal is its current
    step, and after a betrayal its exposure drops to the partner's level and
    then to ``a``.
    """

    name = GRIT

    def __init__(self):
        super().__init__(DESIGNS[GRIT], GRIT)


class BigBang(DesignStrategy):
    """Big-bang: a comprehensive deal. Offer ``max_stake`` from round 0; if
    the partner ever fails to reciprocate -- gives less than the stake of
    mine it saw one round earlier (``p[t] < d[t-1]``, judged from round 1)
    -- give nothing for ever after (grim trigger).

    As a design: opening all at once (``max_stake``), raise ``b`` (moot at
    the cap), a shortfall never forgiven. Note that this changes *two*
    dimensions from GRIT (opening and response): see
    :func:`course.trust.compare_designs` for the 2x2 that separates them."""

    name = BIG_BANG

    def __init__(self):
        super().__init__(DESIGNS[BIG_BANG], BIG_BANG)


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


class Humanitarian(DesignStrategy):
    """Humanitarian steps only: the same small stake ``fixed_stake`` (default
    ``a``) every round, unconditionally -- never raised, never withdrawn."""

    name = "humanitarian"

    def __init__(self):
        super().__init__(DESIGNS["humanitarian"], "humanitarian")


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
    "raise_the_stakes": GRIT,
    "rts": GRIT,
    "small_steps": GRIT,
    "gradual": GRIT,
    "bigbang": BIG_BANG,
    "comprehensive_deal": BIG_BANG,
    "big_deal": BIG_BANG,
    "fixed_tft": "tit_for_tat_stake",
    "tft_stake": "tit_for_tat_stake",
    "tit_for_tat": "tit_for_tat_stake",
    "reliable": "reciprocator",
    "matcher": "reciprocator",
    "reneger": "unreliable",
    "provoker": "provocateur",
    "aid": "humanitarian",
    "always_defect": "defector",
    "nothing": "defector",
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
    if isinstance(spec, StakesDesign):
        return DesignStrategy(spec)
    return as_strategy(spec, STRATEGIES, ALIASES, "stakes", role)

"""The trust meter: each side's Bayesian belief that the partner reciprocates."""

from __future__ import annotations

import math

import numpy as np

from ..core import TOL
from .params import StakesParams


def trust_belief(
    mine_delivered: np.ndarray, theirs_delivered: np.ndarray, params: StakesParams
) -> np.ndarray:
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
        # step = up where informative and reciprocated, down where informative and not, else 0 (by a
        # table lookup: the same values as nested np.where, several times faster on these arrays)
        step = np.array([0.0, down, up]).take(np.add(informative, informative & rec, dtype=np.intp))
        np.cumsum(step, axis=0, out=step)
        logodds[1:] += step
    # 1 / (1 + exp(-logodds)), in place (the same operations in the same order, without temporaries)
    np.negative(logodds, out=logodds)
    np.exp(logodds, out=logodds)
    logodds += 1.0
    np.divide(1.0, logodds, out=logodds)
    return logodds.T

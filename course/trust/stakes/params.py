"""The parameters of the graduated-stakes game (k, a, b, max_stake, noise, ...)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from ..core import check_probability, check_real

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

    def replace(self, **changes) -> StakesParams:
        return replace(self, **changes)


PARAM_NAMES = tuple(f.name for f in fields(StakesParams))


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

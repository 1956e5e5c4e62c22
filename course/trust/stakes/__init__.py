"""The graduated-stakes game: the "small steps" model of lessons 07 and 08.

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

from .belief import trust_belief
from .design import DESIGNS, DesignStrategy, StakesDesign, against_preset, as_design, compare_designs
from .game import StakesGame
from .params import BIG_BANG, GRIT, PARAM_NAMES, StakesParams, make_params
from .result import StakesResult
from .simulation import simulate
from .strategies import (
    ALIASES,
    LABELS,
    STRATEGIES,
    BigBang,
    Defector,
    FixedStakeTitForTat,
    Grit,
    Humanitarian,
    Provocateur,
    Reciprocator,
    Unreliable,
    stakes_strategy,
)

__all__ = [
    "StakesParams",
    "StakesResult",
    "StakesGame",
    "simulate",
    "trust_belief",
    "make_params",
    "PARAM_NAMES",
    "STRATEGIES",
    "ALIASES",
    "LABELS",
    "stakes_strategy",
    "Grit",
    "BigBang",
    "FixedStakeTitForTat",
    "Reciprocator",
    "Unreliable",
    "Provocateur",
    "Humanitarian",
    "Defector",
    "GRIT",
    "BIG_BANG",
    "StakesDesign",
    "DesignStrategy",
    "DESIGNS",
    "as_design",
    "compare_designs",
    "against_preset",
]

"""The trust engine: a seeded, vectorised small-steps simulation (numpy only).

One public face for the whole pure API. The modules, each one job:
:mod:`.core` (strategies, the match loop, argument checks), :mod:`.classic`
(the cooperate/defect game of *The Evolution of Trust*), :mod:`.stakes` (the
graduated-stakes game of lessons 07 and 08), :mod:`.tournament` (round robins and
evolution), :mod:`.presets` (the lab's stylised scenarios). The widget over
it is :class:`widgets.trust.TrustLab`.

Main entry points::

    from course.trust import simulate, play_classic, tournament, evolve
    res = simulate("grit", "unreliable", rounds=50, runs=500, seed=1, renege=0.3)
    res.band("stake_a"); res.summary()
    play_classic("copycat", "detective", rounds=10).moves_a
    tournament(game="classic", rounds=200, repetitions=50, noise=0.05).ranking
    evolve(EVOLUTION_OF_TRUST_NOISE, noise=0.05, seed=0).winner

A user-defined strategy is a function ``f(mine, theirs, ctx)`` returning one
move per run; see :mod:`course.trust.core`.
"""

from .classic import (
    ALIASES as CLASSIC_ALIASES,
)
from .classic import (
    EVOLUTION_OF_TRUST_NAMES,
    C,
    ClassicResult,
    D,
    Payoffs,
    nowak_sigmund_generosity,
    play_classic,
)
from .classic import (
    STRATEGIES as CLASSIC_STRATEGIES,
)
from .core import Context, FunctionStrategy, Strategy, per_run
from .presets import PRESETS
from .stakes import (
    ALIASES as STAKES_ALIASES,
)
from .stakes import (
    DESIGNS,
    StakesDesign,
    StakesParams,
    StakesResult,
    against_preset,
    compare_designs,
    simulate,
    trust_belief,
)
from .stakes import (
    LABELS as STAKES_LABELS,
)
from .stakes import (
    STRATEGIES as STAKES_STRATEGIES,
)
from .stepsizes import StepSizeEvolution, evolve_step_sizes, invasion_advantage, rts_match
from .tournament import (
    EVOLUTION_OF_TRUST_ELIMINATE,
    EVOLUTION_OF_TRUST_NOISE,
    EVOLUTION_OF_TRUST_ROUNDS,
    EVOLUTION_OF_TRUST_SANDBOX,
    STAKES_POPULATION,
    EvolutionResult,
    TournamentResult,
    evolve,
    tournament,
)

__all__ = [
    "simulate",
    "compare_designs",
    "against_preset",
    "evolve_step_sizes",
    "invasion_advantage",
    "StepSizeEvolution",
    "rts_match",
    "StakesDesign",
    "DESIGNS",
    "play_classic",
    "tournament",
    "evolve",
    "trust_belief",
    "Payoffs",
    "StakesParams",
    "StakesResult",
    "ClassicResult",
    "TournamentResult",
    "EvolutionResult",
    "Strategy",
    "FunctionStrategy",
    "Context",
    "per_run",
    "nowak_sigmund_generosity",
    "C",
    "D",
    "CLASSIC_STRATEGIES",
    "CLASSIC_ALIASES",
    "STAKES_STRATEGIES",
    "STAKES_ALIASES",
    "STAKES_LABELS",
    "PRESETS",
    "EVOLUTION_OF_TRUST_NAMES",
    "EVOLUTION_OF_TRUST_SANDBOX",
    "EVOLUTION_OF_TRUST_NOISE",
    "EVOLUTION_OF_TRUST_ROUNDS",
    "EVOLUTION_OF_TRUST_ELIMINATE",
    "STAKES_POPULATION",
]

"""Trust lab: a seeded, vectorised small-steps simulation engine.

The engine modules (:mod:`.engine`, which re-exports all of the pure API,
:mod:`.core`, :mod:`.classic`, :mod:`.stakes`, :mod:`.tournament`,
:mod:`.presets`) import only numpy; the widget
:class:`TrustLab` (ipywidgets + plotly) lives in :mod:`.view` and is
imported lazily, on first access to ``widgets.trust.TrustLab``.

Main entry points::

    from widgets.trust import simulate, play_classic, tournament, evolve
    res = simulate("grit", "unreliable", rounds=50, runs=500, seed=1, renege=0.3)
    res.band("stake_a"); res.summary()
    play_classic("copycat", "detective", rounds=10).moves_a
    tournament(game="classic", rounds=200, repetitions=50, noise=0.05).ranking
    evolve(EVOLUTION_OF_TRUST_NOISE, noise=0.05, seed=0).winner

A user-defined strategy is a function ``f(mine, theirs, ctx)`` returning one
move per run; see :mod:`widgets.trust.core`.
"""
from .classic import (ALIASES as CLASSIC_ALIASES, C, D, ClassicResult, Payoffs, STRATEGIES as CLASSIC_STRATEGIES,
                      nowak_sigmund_generosity, play_classic)
from .core import Context, FunctionStrategy, Strategy, per_run
from .presets import PRESETS
from .stakes import (ALIASES as STAKES_ALIASES, STRATEGIES as STAKES_STRATEGIES, StakesParams, StakesResult,
                     simulate, trust_belief)
from .tournament import (EVOLUTION_OF_TRUST_ELIMINATE, EVOLUTION_OF_TRUST_NOISE, EVOLUTION_OF_TRUST_ROUNDS,
                         EVOLUTION_OF_TRUST_SANDBOX, STAKES_POPULATION, EvolutionResult, TournamentResult, evolve,
                         tournament)

__all__ = [
    "TrustLab", "simulate", "play_classic", "tournament", "evolve", "trust_belief",
    "Payoffs", "StakesParams", "StakesResult", "ClassicResult", "TournamentResult", "EvolutionResult",
    "Strategy", "FunctionStrategy", "Context", "per_run", "nowak_sigmund_generosity", "C", "D",
    "CLASSIC_STRATEGIES", "CLASSIC_ALIASES", "STAKES_STRATEGIES", "STAKES_ALIASES", "PRESETS",
    "EVOLUTION_OF_TRUST_SANDBOX", "EVOLUTION_OF_TRUST_NOISE", "EVOLUTION_OF_TRUST_ROUNDS",
    "EVOLUTION_OF_TRUST_ELIMINATE", "STAKES_POPULATION",
]


def __getattr__(name):
    if name == "TrustLab":
        from .view import TrustLab
        return TrustLab
    raise AttributeError(f"module 'widgets.trust' has no attribute {name!r}")

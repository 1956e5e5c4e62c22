"""The trust engine's whole pure API in one module (no ipywidgets, no plotly).

``from widgets.trust.engine import simulate, play_classic, tournament, evolve``
is equivalent to importing them from :mod:`widgets.trust`; this module never
touches the widget.
"""
from .classic import (ALIASES as CLASSIC_ALIASES, C, D, ClassicResult, EVOLUTION_OF_TRUST_NAMES, Payoffs,
                      STRATEGIES as CLASSIC_STRATEGIES, nowak_sigmund_generosity, play_classic)
from .core import Context, FunctionStrategy, Strategy, per_run
from .presets import PRESETS
from .stakes import (ALIASES as STAKES_ALIASES, LABELS as STAKES_LABELS, STRATEGIES as STAKES_STRATEGIES,
                     StakesParams, StakesResult, simulate, trust_belief)
from .tournament import (EVOLUTION_OF_TRUST_ELIMINATE, EVOLUTION_OF_TRUST_NOISE, EVOLUTION_OF_TRUST_ROUNDS,
                         EVOLUTION_OF_TRUST_SANDBOX, STAKES_POPULATION, EvolutionResult, TournamentResult, evolve,
                         tournament)

__all__ = [
    "simulate", "play_classic", "tournament", "evolve", "trust_belief", "Payoffs", "StakesParams",
    "StakesResult", "ClassicResult", "TournamentResult", "EvolutionResult", "Strategy", "FunctionStrategy",
    "Context", "per_run", "nowak_sigmund_generosity", "C", "D", "CLASSIC_STRATEGIES", "CLASSIC_ALIASES",
    "STAKES_STRATEGIES", "STAKES_ALIASES", "STAKES_LABELS", "PRESETS", "EVOLUTION_OF_TRUST_NAMES",
    "EVOLUTION_OF_TRUST_SANDBOX", "EVOLUTION_OF_TRUST_NOISE", "EVOLUTION_OF_TRUST_ROUNDS",
    "EVOLUTION_OF_TRUST_ELIMINATE", "STAKES_POPULATION",
]

"""Round-robin tournaments and Evolution-of-Trust-style evolution, for
either game (``game="classic"`` or ``game="stakes"``).

Every match of a tournament, or of one generation, is played at once by the
vectorised kernel (one row per match), so a generation of 25 agents (300
matches) costs about as much as one match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import classic, stakes
from .core import check_int, check_probability, check_seed, run_matches

__all__ = [
    "tournament",
    "evolve",
    "TournamentResult",
    "EvolutionResult",
    "EVOLUTION_OF_TRUST_SANDBOX",
    "EVOLUTION_OF_TRUST_NOISE",
    "EVOLUTION_OF_TRUST_ROUNDS",
    "EVOLUTION_OF_TRUST_ELIMINATE",
    "STAKES_POPULATION",
]

# ncase/trust js/sims/Tournament.js, Tournament.resetGlobalVariables():
# 25 agents, NUM_TURNS = 10 rounds per match, SELECTION = 5 eliminated and
# cloned per generation.
EVOLUTION_OF_TRUST_SANDBOX = {
    "tit_for_tat": 3,
    "always_defect": 3,
    "always_cooperate": 3,
    "grim_trigger": 3,
    "detective": 3,
    "tit_for_two_tats": 3,
    "win_stay_lose_shift": 3,
    "random": 4,
}
# ncase/trust js/slides/6_Slides_Noise.js, the "noise" evolution slides
# (PD.NOISE = 0.05 there; the slider then varies it): 13 always-cheat among
# 3 each of copykitten, simpleton, random and copycat.
EVOLUTION_OF_TRUST_NOISE = {
    "tit_for_two_tats": 3,
    "win_stay_lose_shift": 3,
    "random": 3,
    "tit_for_tat": 3,
    "always_defect": 13,
}
EVOLUTION_OF_TRUST_ROUNDS = 10
EVOLUTION_OF_TRUST_ELIMINATE = 5

# A default 25-agent mix for the stakes game.
STAKES_POPULATION = {
    "grit": 4,
    "big_bang": 3,
    "tit_for_tat_stake": 3,
    "reciprocator": 3,
    "unreliable": 3,
    "provocateur": 3,
    "humanitarian": 3,
    "defector": 3,
}


def _game(game: str, payoffs=None, noise: float = 0.0, params=None, **overrides):
    """(game object, strategy factory) for ``game``."""
    if game == "classic":
        if overrides:
            raise ValueError(
                f"unknown classic-game parameter(s) {sorted(overrides)}; use payoffs= and noise="
            )
        return classic.ClassicGame(
            classic.check_payoffs(payoffs), check_probability("noise", noise)
        ), classic.classic_strategy
    if game == "stakes":
        if payoffs is not None:
            raise ValueError(
                "payoffs= is for the classic game; the stakes game takes k (multiplier) and params="
            )
        p = stakes.make_params(params, noise=noise, **overrides)
        return stakes.StakesGame(p), stakes.stakes_strategy
    raise ValueError(f"game must be 'classic' or 'stakes'; got {game!r}")


def _lengths(rounds, continuation, n, rng):
    lengths = classic.match_lengths(rounds, continuation, n, rng, 10_000)
    if lengths is None:
        rounds = check_int("rounds", rounds, minimum=1)
        return rounds, None
    return int(lengths.max()), lengths


def _payoffs(g, play, lengths):
    if isinstance(g, classic.ClassicGame):
        pa = g.params.score(play.delivered_a, play.delivered_b)
        pb = g.params.score(play.delivered_b, play.delivered_a)
    else:
        k = g.params.k
        pa = k * play.delivered_b - play.delivered_a
        pb = k * play.delivered_a - play.delivered_b
    if lengths is not None:
        mask = np.arange(pa.shape[1])[None, :] < lengths[:, None]
        pa, pb = pa * mask, pb * mask
    return pa.sum(axis=1), pb.sum(axis=1)


@dataclass
class TournamentResult:
    """``scores[i, j]``: mean payoff per round of ``names[i]`` against ``names[j]``;
    ``totals[i]``: the mean of row ``i`` (every opponent weighs the same)."""

    game: str
    names: list
    scores: np.ndarray
    totals: np.ndarray
    rounds: int
    repetitions: int
    noise: float

    @property
    def ranking(self) -> list:
        """Names from best to worst mean score per round (over all opponents)."""
        return [self.names[i] for i in np.argsort(-self.totals, kind="stable")]

    def table(self) -> list:
        return [(n, float(self.totals[self.names.index(n)])) for n in self.ranking]


def tournament(
    strategies: Sequence[Any] | None = None,
    *,
    game: str = "classic",
    rounds: int = 10,
    repetitions: int = 1,
    seed: int | None = 0,
    noise: float = 0.0,
    payoffs=None,
    params=None,
    self_play: bool = True,
    continuation: float | None = None,
    **overrides,
) -> TournamentResult:
    """Round robin: every strategy meets every other (and itself if
    ``self_play``) ``repetitions`` times, in matches of ``rounds`` rounds.

    ``strategies``: names, functions or Strategy objects (default: the
    Evolution of Trust's eight for the classic game, all built-ins for the
    stakes game). Scores are mean payoffs per round.
    """
    g, make = _game(game, payoffs, noise, params, **overrides)
    if strategies is None:
        strategies = classic.EVOLUTION_OF_TRUST_NAMES if game == "classic" else list(stakes.STRATEGIES)
    strats = [make(s) for s in strategies]
    names = [s.name for s in strats]
    if len(strats) < 2 and not self_play:
        raise ValueError("strategies needs at least 2 entries (or self_play=True)")
    repetitions = check_int("repetitions", repetitions, minimum=1)
    seed = check_seed(seed)
    n = len(strats)
    pairs = [(i, j) for i in range(n) for j in range(i if self_play else i + 1, n)]
    ia = np.repeat([p[0] for p in pairs], repetitions)
    ib = np.repeat([p[1] for p in pairs], repetitions)
    rng = np.random.default_rng(seed)
    rounds, lengths = _lengths(rounds, continuation, ia.shape[0], rng)
    play = run_matches(g, strats, strats, ia, ib, rounds, rng)
    ta, tb = _payoffs(g, play, lengths)
    turns = lengths if lengths is not None else np.full(ia.shape[0], rounds)
    tot = np.zeros((n, n))
    cnt = np.zeros((n, n))
    np.add.at(tot, (ia, ib), ta)
    np.add.at(cnt, (ia, ib), turns)
    np.add.at(tot, (ib, ia), tb)
    np.add.at(cnt, (ib, ia), turns)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = tot / cnt  # the diagonal is NaN without self-play
    # each opponent (itself included, once, with self-play) weighs the same
    totals = np.nanmean(scores, axis=1)
    return TournamentResult(game, names, scores, totals, rounds, repetitions, g.noise)


@dataclass
class EvolutionResult:
    """``counts[g, i]``: number of agents playing ``names[i]`` in generation ``g``."""

    game: str
    names: list
    counts: np.ndarray
    fixation: int | None
    eliminate: int
    rounds: int
    noise: float

    @property
    def generations(self) -> int:
        return self.counts.shape[0] - 1

    @property
    def winner(self) -> str:
        """The most numerous strategy in the last generation (first listed on a tie)."""
        return self.names[int(np.argmax(self.counts[-1]))]

    def population(self, generation: int = -1) -> dict:
        return {n: int(c) for n, c in zip(self.names, self.counts[generation])}


def evolve(
    population: Mapping[str, int] | Sequence[Any] | None = None,
    *,
    game: str = "classic",
    rounds: int = EVOLUTION_OF_TRUST_ROUNDS,
    eliminate: int = EVOLUTION_OF_TRUST_ELIMINATE,
    generations: int = 50,
    seed: int | None = 0,
    noise: float = 0.0,
    payoffs=None,
    params=None,
    stop_at_fixation: bool = True,
    **overrides,
) -> EvolutionResult:
    """Evolution as in the Evolution of Trust (ncase/trust ``Tournament.js``).

    Each generation every agent plays one match of ``rounds`` rounds against
    every other agent (no self-play); agents are shuffled, then stably sorted
    by total payoff; the ``eliminate`` lowest are removed and the
    ``eliminate`` highest are cloned. ``population``: ``{strategy: count}``
    (default: the Evolution of Trust sandbox's 25 agents for the classic
    game, ``STAKES_POPULATION`` for the stakes game), or a list of strategies
    (one agent each). Once one strategy has taken over, later generations
    repeat it (with ``stop_at_fixation``).
    """
    g, make = _game(game, payoffs, noise, params, **overrides)
    if population is None:
        population = EVOLUTION_OF_TRUST_SANDBOX if game == "classic" else STAKES_POPULATION
    if isinstance(population, Mapping):
        specs, counts0 = (
            list(population),
            [check_int(f"count of {s!r}", c, minimum=0) for s, c in population.items()],
        )
    else:
        specs, counts0 = list(population), [1] * len(population)
    strats = [make(s) for s in specs]
    names = [s.name for s in strats]
    if len(set(names)) != len(names):
        raise ValueError(f"population lists a strategy twice: {names}")
    agents = np.repeat(np.arange(len(strats)), counts0)
    n_agents = agents.shape[0]
    if n_agents < 2:
        raise ValueError(f"population must have at least 2 agents; got {n_agents}")
    eliminate = check_int("eliminate", eliminate, minimum=1, maximum=n_agents // 2)
    generations = check_int("generations", generations, minimum=1)
    rounds = check_int("rounds", rounds, minimum=1)
    rng = np.random.default_rng(check_seed(seed))
    ii, jj = np.triu_indices(n_agents, k=1)
    history = np.zeros((generations + 1, len(strats)), dtype=int)
    history[0] = np.bincount(agents, minlength=len(strats))
    fixation = 0 if (history[0] > 0).sum() == 1 else None
    for gen in range(1, generations + 1):
        if fixation is not None and stop_at_fixation:
            history[gen] = history[gen - 1]
            continue
        play = run_matches(g, strats, strats, agents[ii], agents[jj], rounds, rng)
        ta, tb = _payoffs(g, play, None)
        score = np.bincount(ii, ta, minlength=n_agents) + np.bincount(jj, tb, minlength=n_agents)
        order = rng.permutation(n_agents)
        ranked = order[np.argsort(score[order], kind="stable")]  # ascending, random tie-break
        survivors = np.delete(agents, ranked[:eliminate])
        clones = agents[ranked[-eliminate:]]
        agents = np.sort(np.concatenate([survivors, clones]))
        history[gen] = np.bincount(agents, minlength=len(strats))
        if fixation is None and (history[gen] > 0).sum() == 1:
            fixation = gen
    return EvolutionResult(game, names, history, fixation, eliminate, rounds, g.noise)

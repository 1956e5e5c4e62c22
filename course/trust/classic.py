"""The classic repeated prisoner's dilemma, as in "The Evolution of Trust".

Moves are booleans: ``True`` = cooperate (put a coin in), ``False`` = defect
(cheat). Each round both sides move at once; then each move is flipped with
probability ``noise`` (a mistake), and both sides remember and are paid for
the flipped moves -- exactly as ncase/trust (``PD.playOneGame``) and
``axelrod.Match`` do it.

Payoffs ``(R, S, T, P)`` default to the Evolution of Trust's ``(2, -1, 3, 0)``
(ncase/trust ``js/sims/PD.js``, ``PD.PAYOFFS_DEFAULT``).

Match length is either fixed (``rounds``) or geometric: with a continuation
probability ``w`` each match lasts ``L`` rounds, ``P(L = n) = (1-w) w**(n-1)``
(mean ``1/(1-w)``), drawn per match.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .core import (
    Game,
    Strategy,
    as_strategy,
    check_int,
    check_probability,
    check_real,
    check_seed,
    quantile_bands,
    run_matches,
)

__all__ = [
    "C",
    "D",
    "Payoffs",
    "ClassicResult",
    "play_classic",
    "STRATEGIES",
    "ALIASES",
    "EVOLUTION_OF_TRUST_NAMES",
    "classic_strategy",
    "nowak_sigmund_generosity",
    "TitForTat",
    "GenerousTitForTat",
    "TitForTwoTats",
    "GrimTrigger",
    "WinStayLoseShift",
    "AlwaysCooperate",
    "AlwaysDefect",
    "Detective",
    "RandomStrategy",
]

C = True
D = False


@dataclass(frozen=True)
class Payoffs:
    """Payoffs of one round, to the row player.

    R: both cooperate; S: I cooperate, you defect (sucker); T: I defect, you
    cooperate (temptation); P: both defect (punishment). Any finite numbers
    are allowed (learners edit them); the dilemma needs ``T > R > P > S``.
    """

    R: float = 2.0
    S: float = -1.0
    T: float = 3.0
    P: float = 0.0

    def __post_init__(self):
        for name in "RSTP":
            object.__setattr__(self, name, check_real(f"payoff {name}", getattr(self, name)))

    def score(self, mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
        """Payoff to the player who played ``mine`` against ``theirs`` (bool arrays).

        For the engine's bool arrays (C-contiguous, or transposed views of C-contiguous buffers, as
        :class:`~course.trust.core.Play` holds them), a look-up in the table (P, T, S, R) by
        ``2*mine + theirs`` over the contiguous buffer: the same values, in an array of the same memory
        layout (so sums over it round alike), in a third of the time.
        """
        mine, theirs = np.asarray(mine), np.asarray(theirs)
        if mine.dtype == bool and theirs.dtype == bool and mine.shape == theirs.shape:
            table = np.array([self.P, self.T, self.S, self.R], dtype=float)
            for flip in (False, True):
                m, o = (mine.T, theirs.T) if flip else (mine, theirs)
                if m.flags.c_contiguous and o.flags.c_contiguous:
                    index = np.left_shift(m.view(np.uint8), 1)
                    index |= o.view(np.uint8)
                    out = np.take(table, index)
                    return out.T if flip else out
        return np.where(mine, np.where(theirs, self.R, self.S), np.where(theirs, self.T, self.P))

    @property
    def is_dilemma(self) -> bool:
        return self.T > self.R > self.P > self.S


def nowak_sigmund_generosity(p: Payoffs) -> float:
    """Generous tit-for-tat's forgiveness probability for payoffs ``p``.

    ``g = min(1 - (T-R)/(R-S), (R-P)/(T-P))`` (Nowak & Sigmund 1992, "Tit for
    tat in heterogeneous populations", Nature 355:250-253), clipped to [0, 1].
    It is 1/3 for Axelrod's canonical payoffs (3, 0, 5, 1) and 2/3 for the
    Evolution of Trust's (2, -1, 3, 0).
    """
    try:
        g = min(1 - (p.T - p.R) / (p.R - p.S), (p.R - p.P) / (p.T - p.P))
    except ZeroDivisionError:
        g = 0.0
    if not math.isfinite(g):
        g = 0.0
    return min(1.0, max(0.0, g))


class _Classic(Strategy):
    game = "classic"


class TitForTat(_Classic):
    """Copycat: cooperate first, then copy the partner's last move."""

    name = "tit_for_tat"

    def move(self, state, ctx):
        if ctx.t == 0:
            return np.ones(ctx.runs, bool)
        return ctx.last_theirs


class GenerousTitForTat(_Classic):
    """Tit-for-tat that forgives a defection with probability ``generosity``.

    Cooperate first; after a partner's cooperation cooperate; after a
    partner's defection cooperate anyway with probability ``g``.

    Default ``g = 1/3``, the standard value: Nowak & Sigmund's (1992, "Tit
    for tat in heterogeneous populations", Nature 355:250-253) optimal
    forgiveness ``min(1 - (T-R)/(R-S), (R-P)/(T-P))`` at Axelrod's canonical
    payoffs (R, S, T, P) = (3, 0, 5, 1). It is also what ``axelrod.GTFT()``
    plays in practice (axelrod 4.13.1 fixes ``p`` from its default game when
    the player is created, whatever the match's game). Pass
    ``generosity="nowak_sigmund"`` to evaluate the formula at the payoffs in
    use instead (2/3 for the Evolution of Trust's (2, -1, 3, 0)), or any
    probability. This is axelrod's ``GTFT(p=g)``: a memory-one player with
    four-vector ``(1, g, 1, g)``.
    """

    name = "generous_tit_for_tat"
    stochastic = True
    STANDARD = 1 / 3

    def __init__(self, generosity: float | str = STANDARD):
        if isinstance(generosity, str):
            if generosity.strip().lower().replace("-", "_") != "nowak_sigmund":
                raise ValueError(
                    f"generosity must be a probability in [0, 1] or 'nowak_sigmund'; got {generosity!r}"
                )
            self.generosity = None
        else:
            self.generosity = check_probability("generosity", generosity)

    def init(self, runs, ctx):
        g = self.generosity
        return nowak_sigmund_generosity(ctx.params) if g is None else g

    def move(self, g, ctx):
        forgive = ctx.rng.random(ctx.runs) < g
        if ctx.t == 0:
            return np.ones(ctx.runs, bool)
        return ctx.last_theirs | forgive


class TitForTwoTats(_Classic):
    """Copykitten: defect only after the partner defected twice in a row.

    ncase/trust ``Logic_tf2t``: count the partner's consecutive defections,
    defect while the count is >= 2 (axelrod ``TitFor2Tats``).
    """

    name = "tit_for_two_tats"

    def init(self, runs, ctx):
        return {"prev": np.ones(runs, bool)}

    def move(self, s, ctx):
        if ctx.t == 0:
            return np.ones(ctx.runs, bool)
        last = ctx.last_theirs
        m = last | s["prev"]
        s["prev"] = last.copy()
        return m


class GrimTrigger(_Classic):
    """Grudger: cooperate until the partner defects once, then defect forever."""

    name = "grim_trigger"

    def init(self, runs, ctx):
        return {"ok": np.ones(runs, bool)}

    def move(self, s, ctx):
        if ctx.t:
            s["ok"] &= ctx.last_theirs
        return s["ok"].copy()


class WinStayLoseShift(_Classic):
    """Simpleton (Pavlov): cooperate first; if the partner cooperated, repeat
    my last move, else switch (ncase ``Logic_pavlov``; axelrod
    ``WinStayLoseShift``, four-vector (1, 0, 0, 1)). "My last move" is the
    move as played, mistakes included."""

    name = "win_stay_lose_shift"

    def move(self, state, ctx):
        if ctx.t == 0:
            return np.ones(ctx.runs, bool)
        return ctx.last_mine == ctx.last_theirs


class AlwaysCooperate(_Classic):
    """Always cooperate."""

    name = "always_cooperate"

    def move(self, state, ctx):
        return np.ones(ctx.runs, bool)


class AlwaysDefect(_Classic):
    """Always cheat (defect)."""

    name = "always_defect"

    def move(self, state, ctx):
        return np.zeros(ctx.runs, bool)


class Detective(_Classic):
    """Detective: play C, D, C, C; then tit-for-tat if the partner ever
    defected during the probe, else always defect.

    ncase/trust's exact rule (``Logic_prober`` in ``js/sims/PD.js``): the
    "ever cheated me" flag is only updated while probe moves remain *after*
    the move just played, so it looks at the partner's moves in rounds 1-3,
    not at its 4th move (``window=3``). axelrod's ``Detective`` checks the
    first four (``window=4``). The two differ only against a partner whose
    first defection is in round 4, which none of the Evolution of Trust's
    deterministic strategies is.
    """

    name = "detective"
    PROBE = (C, D, C, C)

    def __init__(self, window: int = 3):
        self.window = check_int("detective window", window, minimum=1, maximum=4)

    def init(self, runs, ctx):
        return {"retaliated": np.zeros(runs, bool)}

    def move(self, s, ctx):
        t = ctx.t
        if 1 <= t <= self.window:
            s["retaliated"] |= ~ctx.last_theirs
        if t < 4:
            return np.full(ctx.runs, self.PROBE[t], bool)
        return s["retaliated"] & ctx.last_theirs


class RandomStrategy(_Classic):
    """Cooperate with probability ``p`` (0.5 by default), independently each round."""

    name = "random"
    stochastic = True

    def __init__(self, p: float = 0.5):
        self.p = check_probability("random cooperation probability p", p)

    def move(self, state, ctx):
        return ctx.rng.random(ctx.runs) < self.p


STRATEGIES = {
    "tit_for_tat": TitForTat,
    "generous_tit_for_tat": GenerousTitForTat,
    "tit_for_two_tats": TitForTwoTats,
    "grim_trigger": GrimTrigger,
    "win_stay_lose_shift": WinStayLoseShift,
    "always_cooperate": AlwaysCooperate,
    "always_defect": AlwaysDefect,
    "detective": Detective,
    "random": RandomStrategy,
}

# The Evolution of Trust's character names, its internal ids, and common
# abbreviations.
ALIASES = {
    "copycat": "tit_for_tat",
    "tft": "tit_for_tat",
    "gtft": "generous_tit_for_tat",
    "generous": "generous_tit_for_tat",
    "copykitten": "tit_for_two_tats",
    "tf2t": "tit_for_two_tats",
    "grudger": "grim_trigger",
    "grudge": "grim_trigger",
    "grim": "grim_trigger",
    "simpleton": "win_stay_lose_shift",
    "pavlov": "win_stay_lose_shift",
    "wsls": "win_stay_lose_shift",
    "always_cheat": "always_defect",
    "all_d": "always_defect",
    "alld": "always_defect",
    "cheater": "always_defect",
    "all_c": "always_cooperate",
    "allc": "always_cooperate",
    "cooperator": "always_cooperate",
    "prober": "detective",
}

# The eight strategies of the Evolution of Trust, in its order (Tournament.js).
EVOLUTION_OF_TRUST_NAMES = (
    "tit_for_tat",
    "always_defect",
    "always_cooperate",
    "grim_trigger",
    "detective",
    "tit_for_two_tats",
    "win_stay_lose_shift",
    "random",
)


def classic_strategy(spec: Any, role: str = "strategy") -> Strategy:
    """A classic-game Strategy from a name, a function or a Strategy."""
    return as_strategy(spec, STRATEGIES, ALIASES, "classic", role)


class ClassicGame(Game):
    name = "classic"
    dtype = bool

    def __init__(self, payoffs: Payoffs, noise: float):
        self.params = payoffs
        self._noise = noise

    @property
    def noise(self):
        return self._noise

    def deliver(self, intended, flip):
        return intended ^ flip

    def check_moves(self, moves, strategy, runs, t):
        m = np.asarray(moves)
        if m.ndim == 0:
            m = np.full(runs, m)
        if m.shape != (runs,):
            raise ValueError(
                f"strategy {strategy.name!r} returned moves of shape {m.shape} in round {t}; "
                f"expected one move per run, shape ({runs},)"
            )
        if m.dtype != bool:
            if not np.issubdtype(m.dtype, np.number) or not np.isin(m, (0, 1)).all():
                raise ValueError(
                    f"strategy {strategy.name!r} returned {m.dtype} moves in round {t}; classic "
                    f"moves must be booleans (True = cooperate) or 0/1"
                )
            m = m.astype(bool)
        return m


def check_payoffs(payoffs: Any) -> Payoffs:
    if payoffs is None:
        return Payoffs()
    if isinstance(payoffs, Payoffs):
        return payoffs
    if isinstance(payoffs, dict):
        return Payoffs(**payoffs)
    if isinstance(payoffs, (tuple, list)) and len(payoffs) == 4:
        return Payoffs(*payoffs)
    raise ValueError(
        f"payoffs must be a Payoffs, a dict with R, S, T, P or a tuple (R, S, T, P); got {payoffs!r}"
    )


def match_lengths(
    rounds: int, continuation: float | None, runs: int, rng: np.random.Generator, max_rounds: int
) -> np.ndarray | None:
    """Per-match lengths for a geometric match length, else ``None`` (fixed)."""
    if continuation is None:
        return None
    w = check_probability("continuation", continuation)
    if w >= 1.0:
        raise ValueError("continuation must be a probability in [0, 1) (1 would never end); got 1.0")
    return np.minimum(rng.geometric(1.0 - w, size=runs), max_rounds)


@dataclass
class ClassicResult:
    """Moves and payoffs of ``runs`` classic matches; arrays are ``(runs, rounds)``.

    ``moves_*`` are the moves as played (after noise); ``intended_*`` before
    noise. With a geometric length, ``played[i, t]`` says whether match ``i``
    reached round ``t``; moves after the end are meaningless and payoffs 0.
    """

    strategy_a: str
    strategy_b: str
    payoffs: Payoffs
    noise: float
    seed: int | None
    moves_a: np.ndarray
    moves_b: np.ndarray
    intended_a: np.ndarray
    intended_b: np.ndarray
    payoff_a: np.ndarray
    payoff_b: np.ndarray
    played: np.ndarray
    lengths: np.ndarray

    @property
    def runs(self) -> int:
        return self.moves_a.shape[0]

    @property
    def rounds(self) -> int:
        return self.moves_a.shape[1]

    @property
    def total_a(self) -> np.ndarray:
        return self.payoff_a.sum(axis=1)

    @property
    def total_b(self) -> np.ndarray:
        return self.payoff_b.sum(axis=1)

    @property
    def cum_payoff_a(self) -> np.ndarray:
        return np.cumsum(self.payoff_a, axis=1)

    @property
    def cum_payoff_b(self) -> np.ndarray:
        return np.cumsum(self.payoff_b, axis=1)

    def score_per_turn(self) -> tuple[float, float]:
        """Mean payoff per round played, over all runs: ``(side A, side B)``."""
        n = self.played.sum()
        return float(self.payoff_a.sum() / n), float(self.payoff_b.sum() / n)

    def cooperation_rate(self) -> tuple[float, float]:
        n = self.played.sum()
        return (float((self.moves_a & self.played).sum() / n), float((self.moves_b & self.played).sum() / n))

    def band(self, name: str, percentiles=(5, 50, 95)) -> np.ndarray:
        """Percentiles across runs of a per-round series, e.g. ``band("cum_payoff_a")``."""
        return quantile_bands(np.asarray(getattr(self, name), float), percentiles)


def play_classic(
    strategy_a: Any = "tit_for_tat",
    strategy_b: Any = "always_defect",
    *,
    rounds: int = 10,
    runs: int = 1,
    seed: int | None = None,
    payoffs: Any = None,
    noise: float = 0.0,
    continuation: float | None = None,
    max_rounds: int = 10_000,
) -> ClassicResult:
    """Play ``runs`` independent classic matches at once.

    ``strategy_a``/``strategy_b``: a name (see ``STRATEGIES``; the Evolution
    of Trust's names such as ``"copycat"`` also work), a function
    ``f(mine, theirs, ctx)`` or a :class:`~course.trust.core.Strategy`.
    ``noise`` is the probability that each move is flipped. With
    ``continuation=w`` the length of each match is geometric (``rounds`` is
    then ignored; lengths are capped at ``max_rounds``). Same seed, same
    result.
    """
    sa = classic_strategy(strategy_a, "strategy_a")
    sb = classic_strategy(strategy_b, "strategy_b")
    runs = check_int("runs", runs, minimum=1)
    seed = check_seed(seed)
    noise = check_probability("noise", noise)
    p = check_payoffs(payoffs)
    max_rounds = check_int("max_rounds", max_rounds, minimum=1)
    rng = np.random.default_rng(seed)
    lengths = match_lengths(0, continuation, runs, rng, max_rounds)
    if lengths is None:
        rounds = check_int("rounds", rounds, minimum=1)
        lengths = np.full(runs, rounds)
    else:
        rounds = int(lengths.max())
    ids = np.zeros(runs, dtype=np.intp)
    play = run_matches(ClassicGame(p, noise), [sa], [sb], ids, ids, rounds, rng)
    played = np.arange(rounds)[None, :] < lengths[:, None]
    pa = np.where(played, p.score(play.delivered_a, play.delivered_b), 0.0)
    pb = np.where(played, p.score(play.delivered_b, play.delivered_a), 0.0)
    return ClassicResult(
        sa.name,
        sb.name,
        p,
        noise,
        seed,
        play.delivered_a,
        play.delivered_b,
        play.intended_a,
        play.intended_b,
        pa,
        pb,
        played,
        lengths,
    )

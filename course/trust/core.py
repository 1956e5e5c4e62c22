"""The vectorised match kernel shared by both games, the strategy protocol and
parameter checks.

Nothing here imports ipywidgets or plotly.

How a strategy plugs in
-----------------------
A strategy plays one side of many independent matches at once ("rows": the
Monte-Carlo runs, or every pairing of a tournament). Each round the kernel
asks it for one move per row. There are three ways to supply one:

1. A built-in name, e.g. ``"tit_for_tat"`` or ``"grit"`` (see
   ``classic.STRATEGIES`` and ``stakes.STRATEGIES``).
2. A plain function ``f(mine, theirs, ctx)`` (the form problem set 3 uses):

   * ``mine``, ``theirs``: arrays of shape ``(rows, t)`` holding the moves
     played so far in each row, *as delivered* (after noise), oldest first.
     Classic game: ``bool`` (``True`` = cooperate). Stakes game: ``float``
     stakes. In round 0 they have shape ``(rows, 0)``.
   * ``ctx``: a :class:`Context` with ``ctx.t`` (0-based round), ``ctx.runs``
     (number of rows), ``ctx.rng`` (a ``numpy.random.Generator``: draw all
     randomness from it so that a seed reproduces the result) and
     ``ctx.params`` (the game's :class:`~course.trust.classic.Payoffs` or
     :class:`~course.trust.stakes.StakesParams`).
   * Return one move per row: an array of shape ``(rows,)`` (or a scalar,
     broadcast to every row). Functions of two arguments ``f(mine, theirs)``
     are accepted too.

   Wrap a function that handles ONE match (1-D histories, returns one move)
   with :func:`per_run` to have it looped over the rows for you.
3. A subclass of :class:`Strategy` with ``init``/``move`` (state kept per row;
   this is how the built-ins are written, and the fastest).
"""

from __future__ import annotations

import difflib
import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "Context",
    "Strategy",
    "FunctionStrategy",
    "per_run",
    "as_strategy",
    "check_probability",
    "check_int",
    "check_real",
    "check_seed",
    "resolve_name",
]

TOL = 1e-9


# --------------------------------------------------------------------------
# Parameter checks: every message names the parameter and its allowed range.
# --------------------------------------------------------------------------


def _as_float(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number; got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number; got {value!r}") from None
    if math.isnan(v):
        raise ValueError(f"{name} must be a number; got NaN")
    return v


def check_probability(name: str, value: Any) -> float:
    """Return ``value`` as a float in [0, 1], else raise ``ValueError``."""
    v = _as_float(name, value)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1]; got {value!r}")
    return v


def check_real(
    name: str,
    value: Any,
    *,
    gt: float | None = None,
    ge: float | None = None,
    lt: float | None = None,
    le: float | None = None,
) -> float:
    """Return ``value`` as a finite float within the given bounds."""
    v = _as_float(name, value)
    rng = _range_text(gt, ge, lt, le)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be a finite number{rng}; got {value!r}")
    if (
        (gt is not None and not v > gt)
        or (ge is not None and not v >= ge)
        or (lt is not None and not v < lt)
        or (le is not None and not v <= le)
    ):
        raise ValueError(f"{name} must be{rng}; got {value!r}")
    return v


def _range_text(gt, ge, lt, le) -> str:
    parts = []
    if gt is not None:
        parts.append(f"> {gt:g}")
    if ge is not None:
        parts.append(f">= {ge:g}")
    if lt is not None:
        parts.append(f"< {lt:g}")
    if le is not None:
        parts.append(f"<= {le:g}")
    return (" " + " and ".join(parts)) if parts else ""


def check_int(name: str, value: Any, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Return ``value`` as an int in [minimum, maximum], else raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be a whole number >= {minimum}; got {value!r}")
    v = int(value)
    if v < minimum or (maximum is not None and v > maximum):
        hi = f" and <= {maximum}" if maximum is not None else ""
        raise ValueError(f"{name} must be a whole number >= {minimum}{hi}; got {value!r}")
    return v


def check_seed(seed: Any) -> int | None:
    """A seed is ``None`` (fresh entropy) or a whole number >= 0."""
    if seed is None:
        return None
    return check_int("seed", seed, minimum=0)


def resolve_name(kind: str, name: str, canonical: Sequence[str], aliases: Mapping[str, str]) -> str:
    """Map a (case/space-insensitive) name or alias to its canonical name.

    An unknown name raises ``ValueError`` listing the valid names and, for a
    typo, the closest one (difflib).
    """
    if not isinstance(name, str):
        raise ValueError(f"{kind} must be a name (str), a function or a Strategy; got {name!r}")

    def norm(s: str) -> str:
        return s.strip().lower().replace("-", "_").replace(" ", "_")

    key = norm(name)
    lookup = {norm(c): c for c in canonical}
    lookup.update({norm(a): t for a, t in aliases.items() if norm(a) not in lookup})
    if key in lookup:
        return lookup[key]
    names = {norm(c): c for c in list(canonical) + list(aliases)}
    close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.6)
    hint = ""
    if close:
        spelled = names[close[0]]
        target = lookup[close[0]]
        hint = (
            f" Did you mean {target!r}?"
            if target == spelled
            else f" Did you mean {spelled!r} (= {target!r})?"
        )
    raise ValueError(f"unknown {kind} {name!r}.{hint} Valid names: {', '.join(canonical)}")


# --------------------------------------------------------------------------
# The strategy protocol
# --------------------------------------------------------------------------


class Context:
    """What a strategy sees when it moves (one object per strategy and side).

    Attributes: ``t`` (0-based round), ``runs`` (rows this strategy plays),
    ``rng`` (``numpy.random.Generator``), ``params`` (the game's parameters),
    ``side`` (``"a"`` or ``"b"``), ``last_mine`` / ``last_theirs`` (the
    delivered moves of round ``t-1``, shape ``(runs,)``; ``None`` in round 0)
    and, computed on demand, ``mine`` / ``theirs`` (full histories, shape
    ``(runs, t)``).
    """

    __slots__ = ("t", "runs", "rng", "params", "side", "last_mine", "last_theirs", "_own", "_other", "_rows")

    def __init__(self, runs, rng, params, side, own, other, rows):
        self.t = 0
        self.runs = runs
        self.rng = rng
        self.params = params
        self.side = side
        self.last_mine = None
        self.last_theirs = None
        self._own, self._other, self._rows = own, other, rows

    @property
    def mine(self) -> np.ndarray:
        return self._own[: self.t, self._rows].T

    @property
    def theirs(self) -> np.ndarray:
        return self._other[: self.t, self._rows].T


class Strategy:
    """Base class of a vectorised strategy.

    Subclasses set ``name`` and ``game`` (``"classic"`` or ``"stakes"``) and
    implement ``move(state, ctx)``, returning one move per row; ``init(runs,
    ctx)`` returns the per-row state (any object), created fresh for every
    batch of matches. Strategy objects themselves hold no match state, so one
    object can play both sides.
    """

    name: str = "strategy"
    game: str = "any"
    stochastic: bool = False
    trusted: bool = True  # built-ins skip the output checks

    def init(self, runs: int, ctx: Context) -> Any:  # pragma: no cover - trivial default
        return None

    def move(self, state: Any, ctx: Context) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<strategy {self.name}>"


class FunctionStrategy(Strategy):
    """Adapts a user function ``f(mine, theirs, ctx)`` (or ``f(mine, theirs)``)."""

    trusted = False
    stochastic = True  # unknown: assume it may use ctx.rng

    def __init__(self, fn: Callable, name: str | None = None, game: str = "any"):
        if not callable(fn):
            raise ValueError(f"strategy must be a name, a function or a Strategy; got {fn!r}")
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "custom")
        self.game = game
        self._nargs = _positional_arity(fn)
        if self._nargs is not None and self._nargs < 2:
            raise ValueError(
                f"strategy function {self.name!r} must accept (mine, theirs) or (mine, theirs, ctx)"
            )

    def move(self, state, ctx):
        if self._nargs == 2:
            return self.fn(ctx.mine, ctx.theirs)
        return self.fn(ctx.mine, ctx.theirs, ctx)


def _positional_arity(fn) -> int | None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    n = 0
    for p in sig.parameters.values():
        if p.kind == p.VAR_POSITIONAL:
            return None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            n += 1
    return n


def per_run(fn: Callable | None = None, *, name: str | None = None):
    """Decorator: turn a one-match function into a vectorised strategy.

    ``fn(mine, theirs)`` or ``fn(mine, theirs, ctx)`` receives 1-D arrays (one
    match's history so far) and returns one move (a bool, or a stake). It is
    called once per row and per round, so it is slow for large ``runs``;
    fine for teaching and grading::

        @per_run
        def copycat(mine, theirs):
            return True if len(theirs) == 0 else bool(theirs[-1])
    """

    def wrap(f):
        nargs = _positional_arity(f)

        def vectorised(mine, theirs, ctx):
            out = []
            for i in range(mine.shape[0]):
                out.append(f(mine[i], theirs[i]) if nargs == 2 else f(mine[i], theirs[i], ctx))
            return np.asarray(out)

        vectorised.__name__ = name or getattr(f, "__name__", "custom")
        vectorised.__doc__ = f.__doc__
        vectorised.one_match = f  # (not __wrapped__: inspect.signature would follow it)
        return vectorised

    return wrap(fn) if fn is not None else wrap


def as_strategy(
    spec: Any,
    registry: Mapping[str, Callable[[], Strategy]],
    aliases: Mapping[str, str],
    game: str,
    role: str = "strategy",
) -> Strategy:
    """Turn a name, a function or a Strategy into a Strategy for ``game``."""
    if isinstance(spec, Strategy):
        if spec.game not in ("any", game):
            raise ValueError(f"{role} {spec.name!r} is a {spec.game}-game strategy; this is the {game} game")
        return spec
    if isinstance(spec, type) and issubclass(spec, Strategy):
        return as_strategy(spec(), registry, aliases, game, role)
    if isinstance(spec, str):
        key = resolve_name(f"{game}-game {role}", spec, list(registry), aliases)
        return registry[key]()
    if callable(spec):
        return FunctionStrategy(spec, game=game)
    raise ValueError(f"{role} must be a strategy name, a function or a Strategy; got {spec!r}")


# --------------------------------------------------------------------------
# The kernel
# --------------------------------------------------------------------------


@dataclass
class Play:
    """Raw output of :func:`run_matches`: intended and delivered moves.

    Each array has shape ``(matches, rounds)``; it is a transposed view of a
    round-major (C-contiguous ``(rounds, matches)``) buffer, which keeps the
    per-round work and the cumulative sums over rounds contiguous.
    """

    intended_a: np.ndarray
    intended_b: np.ndarray
    delivered_a: np.ndarray
    delivered_b: np.ndarray
    names: dict = field(default_factory=dict)


class Game:
    """Interface of a game for the kernel (see classic.ClassicGame, stakes.StakesGame)."""

    name = "game"
    dtype: Any = float
    params: Any = None

    def check_moves(self, moves, strategy: Strategy, runs: int, t: int) -> np.ndarray:
        raise NotImplementedError

    def deliver(self, intended: np.ndarray, noise_draw: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError

    @property
    def noise(self) -> float:
        return 0.0


def _groups(ids: np.ndarray, strategies: Sequence[Strategy]):
    ids = np.asarray(ids)
    uniq = np.unique(ids)
    if len(uniq) == 1:
        return [(strategies[int(uniq[0])], slice(None), ids.shape[0])]
    out = []
    for u in uniq:
        rows = np.flatnonzero(ids == u)
        out.append((strategies[int(u)], rows, rows.shape[0]))
    return out


def _as_slice(rows):
    """``rows`` as a slice when they are one contiguous run (the round-robin's side A, a group of one
    strategy): the per-round reads and writes are then views and block copies instead of gathers and
    scatters, with the same values. (``ctx.last_mine`` / ``last_theirs`` are then views of the
    history, as they already are when one strategy plays every row.)"""
    if isinstance(rows, slice) or rows.shape[0] == 0:
        return rows
    first, last = int(rows[0]), int(rows[-1])
    if last - first + 1 == rows.shape[0]:  # rows are sorted and distinct (np.flatnonzero)
        return slice(first, last + 1)
    return rows


def run_matches(
    game: Game,
    strategies_a: Sequence[Strategy],
    strategies_b: Sequence[Strategy],
    ids_a: np.ndarray,
    ids_b: np.ndarray,
    rounds: int,
    rng: np.random.Generator,
) -> Play:
    """Play ``len(ids_a)`` independent matches of ``rounds`` rounds at once.

    Row ``i`` is a match between ``strategies_a[ids_a[i]]`` and
    ``strategies_b[ids_b[i]]``. Randomness comes from three independent
    streams spawned from ``rng``: the noise, side A's strategies and side B's
    strategies (so two simulations with the same seed that differ only in
    side A's strategy face the same noise and the same partner draws whenever
    the partner's behaviour does not depend on side A).
    """
    n = int(np.asarray(ids_a).shape[0])
    noise_rng, rng_a, rng_b = rng.spawn(3)
    dtype = game.dtype
    # Round-major buffers: row t holds every match's move in round t.
    ia = np.zeros((rounds, n), dtype=dtype)
    ib = np.zeros((rounds, n), dtype=dtype)
    da = np.zeros((rounds, n), dtype=dtype)
    db = np.zeros((rounds, n), dtype=dtype)

    sides = []
    for side, strategies, ids, srng, own, other, own_int in (
        ("a", strategies_a, ids_a, rng_a, da, db, ia),
        ("b", strategies_b, ids_b, rng_b, db, da, ib),
    ):
        groups = []
        found = _groups(ids, strategies)
        for strat, rows, count in found:
            ctx = Context(count, srng, game.params, side, own, other, rows)
            state = strat.init(count, ctx)
            groups.append((strat, _as_slice(rows), count, ctx, state))
        order = None
        if any(not isinstance(g[1], slice) for g in groups):
            # Rows of one strategy scattered (the round-robin's side B): play this side in the order
            # that makes each group one block (rows sorted by strategy, each group's rows in their own
            # order), with one gather and one scatter of a whole round instead of one per group.
            order = np.concatenate([rows for _, rows, _ in found])
            starts = np.cumsum([0] + [count for _, _, count in found])
            groups = [(g[0], slice(int(a), int(b)), *g[2:]) for g, a, b in zip(groups, starts, starts[1:])]
        sides.append((groups, own, other, own_int, order))

    eps = game.noise
    for t in range(rounds):
        for groups, own, other, own_int, order in sides:
            if order is None:
                last_mine = own[t - 1] if t else None
                last_theirs = other[t - 1] if t else None
                moves = own_int[t]
            else:
                last_mine = own[t - 1, order] if t else None
                last_theirs = other[t - 1, order] if t else None
                moves = np.empty(n, dtype=own_int.dtype)
            for strat, rows, count, ctx, state in groups:
                ctx.t = t
                if t:
                    ctx.last_mine = last_mine[rows]
                    ctx.last_theirs = last_theirs[rows]
                m = strat.move(state, ctx)
                if not strat.trusted:
                    m = game.check_moves(m, strat, count, t)
                moves[rows] = m
            if order is not None:
                own_int[t, order] = moves
        if eps > 0:
            draw = noise_rng.random((2, n)) < eps
            da[t] = game.deliver(ia[t], draw[0])
            db[t] = game.deliver(ib[t], draw[1])
        else:
            da[t] = ia[t]
            db[t] = ib[t]
    return Play(ia.T, ib.T, da.T, db.T)


def percentiles(x: np.ndarray, q: Sequence[float], axis: int = 0) -> np.ndarray:
    """Same as ``np.percentile(x, q, axis=axis)`` (linear interpolation), but
    by one full sort, which is several times faster than numpy's multi-kth
    partition for many short rows. Shape: ``(len(q),) + x.shape without axis``.
    """
    a = np.sort(np.moveaxis(np.asarray(x, dtype=float), axis, -1), axis=-1)
    n = a.shape[-1]
    pos = np.asarray(q, dtype=float) / 100.0 * (n - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    frac = pos - lo
    out = a[..., lo] * (1 - frac) + a[..., hi] * frac
    return np.moveaxis(out, -1, 0)


def quantile_bands(x: np.ndarray, q: Sequence[float] = (5, 50, 95)) -> np.ndarray:
    """Percentiles across runs (axis 0): array of shape ``(len(q), rounds)``."""
    return percentiles(np.asarray(x).T, q, axis=1)

"""Side A's strategies as points in a small, named design space.

Four independent dimensions (:class:`StakesDesign`):

opening
    the first stake: ``"small"`` (the step ``a``), ``"all"`` (``max_stake``:
    everything at once), ``"fixed"`` (``fixed_stake``, default ``a``) or a
    number in ``[0, max_stake]``.
raise_by
    how much the stake grows after a matched round: ``"b"`` (the game's
    ``b``) or a number ``>= 0``; when the partner out-gives, twice that
    (Roberts & Sherratt's ``2b``).
response
    to a shortfall (the partner gave less than the stake of mine it saw):
    ``"match"`` -- answer in kind for one round, then restart (forgive after
    1 round); ``"forgive"`` -- answer in kind for ``forgive_after`` rounds,
    then restart; ``"grim"`` -- never forgive: give nothing for ever after;
    ``"ignore"`` -- carry on as if nothing happened.
restart
    after the answer, where the stake goes back to: ``"opening"`` (the
    opening stake) or ``"small"`` (the step ``a``).

The named strategies are presets (:data:`DESIGNS`) and reproduce the
hand-written rules they replace bit for bit: GRIT / raise-the-stakes =
(small, b, match, opening); big-bang = (all, b, grim, opening) -- the raise
is moot at ``max_stake``; humanitarian = (fixed, 0, ignore, opening).
The judging rules are those of :class:`~course.trust.stakes.strategies.Grit`
(one-round lag; no judging in round 0, in the round after a hold-in-place
opening or restart, or while answering).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..core import TOL, Strategy, check_int, check_real, resolve_name

OPENINGS = ("small", "all", "fixed")
RESPONSES = ("match", "forgive", "grim", "ignore")
RESTARTS = ("opening", "small")


@dataclass(frozen=True)
class StakesDesign:
    """A side-A strategy as (opening, raise_by, response, forgive_after, restart); see the module doc."""

    opening: str | float = "small"
    raise_by: str | float = "b"
    response: str = "match"
    forgive_after: int = 1
    restart: str = "opening"

    def __post_init__(self):
        s = object.__setattr__
        if isinstance(self.opening, str):
            s(
                self,
                "opening",
                resolve_name(
                    "opening",
                    self.opening,
                    list(OPENINGS),
                    {"all_at_once": "all", "max": "all", "big": "all", "a": "small"},
                ),
            )
        else:
            s(self, "opening", check_real("opening", self.opening, ge=0))
        if isinstance(self.raise_by, str):
            s(self, "raise_by", resolve_name("raise_by", self.raise_by, ["b"], {}))
        else:
            s(self, "raise_by", check_real("raise_by", self.raise_by, ge=0))
        s(
            self,
            "response",
            resolve_name(
                "response",
                self.response,
                list(RESPONSES),
                {"never_forgive": "grim", "grim_trigger": "grim", "tit_for_tat": "match"},
            ),
        )
        s(self, "forgive_after", check_int("forgive_after", self.forgive_after, minimum=1, maximum=1000))
        if self.response == "match" and self.forgive_after != 1:
            raise ValueError(
                f"forgive_after must be 1 when response is 'match' (answer for one round); got "
                f"{self.forgive_after!r}; use response='forgive' for longer answers"
            )
        s(self, "restart", resolve_name("restart", self.restart, list(RESTARTS), {"a": "small"}))

    def replace(self, **changes) -> StakesDesign:
        return replace(self, **changes)

    def opening_stake(self, params) -> float:
        o = self.opening
        v = {"small": params.a, "all": params.max_stake, "fixed": params.stake}.get(o, o)
        if v > params.max_stake + 1e-12:
            raise ValueError(f"opening must be in [0, max_stake={params.max_stake:g}]; got {v!r}")
        return float(v)

    def step(self, params) -> float:
        return float(params.b if self.raise_by == "b" else self.raise_by)

    def describe(self, params=None) -> str:
        """One line naming every dimension (with the numbers, given the game's params)."""
        op = {"small": "small (a", "all": "all at once (max_stake", "fixed": "fixed (fixed_stake"}
        if params is not None:
            o = (
                f"{op.get(self.opening, 'stake ')}{'=' if self.opening in op else ''}{self.opening_stake(params):g}"
                + (")" if self.opening in op else "")
            )
            r = f"{self.step(params):g}" + (" (b)" if self.raise_by == "b" else "")
        else:
            o = self.opening if isinstance(self.opening, str) else f"stake {self.opening:g}"
            r = str(self.raise_by)
        resp = {
            "match": "match it (forgive after 1 round)",
            "forgive": f"forgive after {self.forgive_after} rounds",
            "grim": "never forgive",
            "ignore": "ignore it",
        }[self.response]
        restart = "" if self.response in ("grim", "ignore") else f", restart at {self.restart}"
        return f"opening {o}, raise {r}, shortfall: {resp}{restart}"


DESIGNS = {
    "grit": StakesDesign("small", "b", "match", 1, "opening"),
    "big_bang": StakesDesign("all", "b", "grim", 1, "opening"),
    "humanitarian": StakesDesign("fixed", 0.0, "ignore", 1, "opening"),
}
DESIGNS["raise_the_stakes"] = DESIGNS["grit"]


def as_design(spec) -> StakesDesign:
    """A StakesDesign from a design, a preset name or a dict of dimensions."""
    if isinstance(spec, StakesDesign):
        return spec
    if isinstance(spec, str):
        return DESIGNS[resolve_name("design", spec, list(DESIGNS), {"bigbang": "big_bang", "rts": "grit"})]
    if isinstance(spec, dict):
        unknown = set(spec) - {"opening", "raise_by", "response", "forgive_after", "restart"}
        if unknown:
            raise ValueError(
                f"unknown design dimension {sorted(unknown)[0]!r}; valid: opening, raise_by, "
                f"response, forgive_after, restart"
            )
        return StakesDesign(**spec)
    raise ValueError(
        f"design must be a StakesDesign, a preset name ({', '.join(DESIGNS)}) or a dict; got {spec!r}"
    )


class DesignStrategy(Strategy):
    """The vectorised side-A strategy of a :class:`StakesDesign`."""

    game = "stakes"

    def __init__(self, design: StakesDesign | str | dict = "grit", name: str | None = None):
        self.design = as_design(design)
        if name is not None:
            self.name = name
        elif not getattr(type(self), "name", None) or type(self) is DesignStrategy:
            self.name = next((k for k, v in DESIGNS.items() if v == self.design), "design")

    def init(self, runs, ctx):
        o = self.design.opening_stake(ctx.params)
        return {
            "level": np.full(runs, o),
            # What last round's offer was: an answer in kind ("answered"), or not. "not_fresh": the round
            # before it was an answer too, or there was none (round 0): the partner's reply to last
            # round's offer is then not judged, the offer is held.
            "answered": np.zeros(runs, bool),
            "not_fresh": np.ones(runs, bool),
            "ref": np.zeros(runs),
            "left": np.zeros(runs, np.int32),
            "answer": np.zeros(runs),
            "dead": np.zeros(runs, bool),
        }

    def move(self, s, ctx):
        d, pr = self.design, ctx.params
        if ctx.t == 0:
            return s["level"].copy()
        b = d.step(pr)
        p = ctx.last_theirs
        level, answered, not_fresh, ref = s["level"], s["answered"], s["not_fresh"], s["ref"]
        longer = d.forgive_after > 1  # else no answer lasts past its round: `left` stays 0
        if longer:
            answering = s["left"] > 0  # still answering in kind
            restart = answered & ~answering
            hold = not_fresh & ~(restart | answering)
            judged = ~(restart | hold | answering)
        else:
            restart = answered
            hold = not_fresh & ~answered
            judged = ~(answered | not_fresh)  # = not (restart or hold)
        out = p > ref + TOL
        short = (p < ref - TOL) & judged
        idle = ref <= TOL  # (and not out: out takes precedence in the np.where below)
        climb = np.where(out, level + 2 * b, np.where(short, p, np.where(idle, level, level + b)))
        if d.response == "ignore":
            climb = np.where(short, level + b, climb)
            short = np.zeros_like(short)
        back = d.opening_stake(pr) if d.restart == "opening" else pr.a
        new = np.where(restart, back, np.where(hold, level, climb))
        if longer:
            new = np.where(answering, s["answer"], new)
            s["answer"] = np.where(short, p, s["answer"])
            s["left"] = np.where(short, d.forgive_after - 1, np.maximum(s["left"] - 1, 0)).astype(np.int32)
            s["answered"] = short | answering
        else:
            s["answered"] = short
        np.minimum(new, pr.max_stake, out=new)
        if d.response == "grim":
            s["dead"] |= short
            new = np.where(s["dead"], 0.0, new)
        s["not_fresh"] = answered
        # No copies: the kernel copies a move into its history, `new` is not written to after this, and
        # last_mine is a row of the kernel's history that is never rewritten.
        s["ref"] = ctx.last_mine
        s["level"] = new
        return new


def against_preset(
    design, preset: str, *, rounds: int = 50, runs: int = 200, seed: int | None = 0, **changes
):
    """Side A's ``design`` against the partner of the preset ``preset`` (a key of
    :data:`course.trust.PRESETS`, or a near spelling of one), at the preset's
    noise, provocation and reneging; ``changes`` overrides any of those or sets
    another game parameter (``provocation=0.3``, ``b=0.5``). The defaults are
    the runs of lessons 07 and 08 (50 rounds, 200 runs, seed 0). Returns
    :func:`~course.trust.stakes.simulation.simulate`'s result.
    """
    from ..presets import PRESETS
    from .simulation import simulate

    cfg = PRESETS[resolve_name("preset", preset, list(PRESETS), {})]
    kw = dict(noise=cfg["noise"], provocation=cfg["provocation"], renege=cfg["renege"])
    kw.update(changes)
    return simulate(design, cfg["strategy_b"], rounds=rounds, runs=runs, seed=seed, **kw)


def compare_designs(
    partners=("partner who reneges after gains", "frequent provocations"),
    *,
    openings=("small", "all"),
    responses=("match", "grim"),
    rounds: int = 50,
    runs: int = 200,
    seed: int | None = 0,
    restart: str = "opening",
    **param_overrides,
):
    """The factorial of opening x response on each preset partner, as a DataFrame.

    One row per (partner preset, opening, response): side A's mean total
    payoff and mean worst single-round loss over ``runs`` runs, the design in
    words, and the parameters. Pure and seeded: each cell is
    ``simulate(StakesDesign(opening, "b", response, 1, restart), <preset's
    partner>, <preset's noise/provocation/renege>, rounds, runs, seed)``.
    With the defaults it is the 2x2 (small / all at once) x (forgive / grim)
    that separates the two things big-bang changes at once.
    """
    import pandas as pd

    from ..presets import PRESETS

    rows = []
    for preset in partners:
        key = resolve_name("preset", preset, list(PRESETS), {})
        for opening in openings:
            for response in responses:
                design = StakesDesign(opening=opening, response=response, restart=restart)
                res = against_preset(design, key, rounds=rounds, runs=runs, seed=seed, **param_overrides)
                named = next((k for k, v in DESIGNS.items() if v == design), "")
                rows.append(
                    {
                        "partner": key,
                        "opening": design.opening,
                        "response": design.response,
                        "named": named,
                        "mean payoff": float(res.total_payoff("a").mean()),
                        "mean worst loss": float(res.worst_loss("a").mean()),
                        "design": design.describe(res.params),
                        "rounds": rounds,
                        "runs": runs,
                        "seed": seed,
                    }
                )
    return pd.DataFrame(rows)

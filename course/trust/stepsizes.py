"""Evolution of step sizes: a population of raise-the-stakes players (a, b).

The game (Roberts & Sherratt 1998, Nature 394:175-179, as restated by
Killingback & Doebeli 1999, Nature 400:518, "'Raise the stakes' evolves into
a defector"): investing ``I`` costs ``I`` and gives the partner ``k*I``
(``k > 1``). Over ``R`` *alternating* moves, raise-the-stakes
``sigma = (a, b)`` invests ``a`` on its first move, then raises its
investment by ``2b`` (or ``b``) if the partner's previous investment bettered
(or equalled) its own last move, and otherwise matches the partner's last
move. ``a = b = 0`` is a non-giver (it never invests).

How close this is to each paper (what is taken from the abstracts, what is
ASSUMED here and marked so):

* From the papers: the payoff (cost I, benefit kI), the alternating moves,
  the RTS rule, the (a, b) parameterisation, R&S's reference strategy
  sigma = (1, 1), K&D's result that selection within RTS populations lowers a
  and b.
* ASSUMED (not checked against the full texts): k = 2 (any k > 1 is the
  paper's family), R = 20 moves per side, a cap ``max_stake`` on an
  investment (R&S's investments are unbounded within the R moves; the cap
  only matters for long games), who moves first is a fair coin per match;
  selection is Wright-Fisher: each generation every agent meets
  ``partners`` random others, offspring are drawn in proportion to payoff
  minus the generation's minimum payoff (plus a small floor), and each
  offspring's a and b mutate with probability ``mutation`` by a Gaussian of
  s.d. ``mutation_sd``, clipped at 0. R&S's own invasion tests pitted RTS
  against fixed alternative strategies rather than evolving a population;
  here "resists invasion by non-givers" is shown as a population with a
  minority of (0, 0) players, no mutation, in which the non-givers die out.
* Differences from the stakes engine of lesson 06: moves alternate (the
  engine's are simultaneous), there is no noise and no lag rule.

STATUS: with these assumptions the Roberts & Sherratt result is reproduced (non-givers die
out) but the Killingback & Doebeli drift is NOT: the mean opening a rises and b stays
near 1 (tests/test_trust_stepsizes.py marks that test xfail, strict). Next to check:
K&D's Figure 1 selection scheme and payoff accounting against the full text.

Seeded and vectorised: one generation plays all its matches as one array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .core import check_int, check_real, check_seed


def rts_match(
    a1,
    b1,
    a2,
    b2,
    *,
    rounds: int = 20,
    k: float = 2.0,
    max_stake: float = 100.0,
    first: np.ndarray | None = None,
):
    """Payoffs of vectorised RTS-vs-RTS matches over ``rounds`` alternating moves per side.

    All arguments are arrays of one shape (one entry per match); ``first``
    (bool, default all True) says whether player 1 moves first. Returns
    (payoff_1, payoff_2).
    """
    a1, b1, a2, b2 = (np.asarray(x, float) for x in (a1, b1, a2, b2))
    n = a1.shape
    first = np.ones(n, bool) if first is None else np.asarray(first, bool)
    # Order the two players as (mover, responder) per match.
    am, bm = np.where(first, a1, a2), np.where(first, b1, b2)
    ar, br = np.where(first, a2, a1), np.where(first, b2, b1)
    pm, pr = np.zeros(n), np.zeros(n)
    last_m = np.minimum(am, max_stake)  # the first mover's opening
    pm -= last_m
    pr += k * last_m
    last_r = None
    for t in range(rounds):
        # responder's move (its first: invest its a)
        if last_r is None:
            x = np.minimum(ar, max_stake)
        else:
            x = _rts(last_r, last_m, br, max_stake)
        pr -= x
        pm += k * x
        last_r = x
        if t == rounds - 1:
            break
        y = _rts(last_m, last_r, bm, max_stake)
        pm -= y
        pr += k * y
        last_m = y
    return np.where(first, pm, pr), np.where(first, pr, pm)


def _rts(mine, theirs, b, cap):
    up = np.where(theirs > mine + 1e-12, mine + 2 * b, np.where(theirs >= mine - 1e-12, mine + b, theirs))
    return np.minimum(up, cap)


@dataclass
class StepSizeEvolution:
    """Trajectories of an evolving RTS population: ``a`` and ``b`` have shape (generations + 1, agents)."""

    a: np.ndarray
    b: np.ndarray
    mean_payoff: np.ndarray
    settings: dict

    @property
    def mean_a(self) -> np.ndarray:
        return self.a.mean(axis=1)

    @property
    def mean_b(self) -> np.ndarray:
        return self.b.mean(axis=1)

    @property
    def generations(self) -> int:
        return self.a.shape[0] - 1

    def givers(self, generation: int = -1, tol: float = 1e-9) -> int:
        """Agents with a > 0 or b > 0 (not non-givers)."""
        return int(((self.a[generation] > tol) | (self.b[generation] > tol)).sum())

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame(
            {
                "generation": np.arange(self.generations + 1),
                "mean a": self.mean_a,
                "mean b": self.mean_b,
                "mean payoff": np.append(self.mean_payoff, np.nan),
            }
        )

    def describe(self) -> str:
        s = self.settings
        return (
            f"Evolution of step sizes ({s['agents']} raise-the-stakes agents, {self.generations} generations, "
            f"k={s['k']:g}, {s['rounds']} alternating moves, mutation {s['mutation']:g} (s.d. "
            f"{s['mutation_sd']:g}), seed {s['seed']}): mean opening a {self.mean_a[0]:.3f} -> "
            f"{self.mean_a[-1]:.3f}, mean raise b {self.mean_b[0]:.3f} -> {self.mean_b[-1]:.3f}."
        )


def evolve_step_sizes(
    *,
    agents: int = 100,
    generations: int = 200,
    a0: float = 1.0,
    b0: float = 1.0,
    non_givers: int = 0,
    rounds: int = 20,
    k: float = 2.0,
    max_stake: float = 100.0,
    partners: int = 10,
    mutation: float = 0.1,
    mutation_sd: float = 0.05,
    seed: int | None = 0,
) -> StepSizeEvolution:
    """Evolve a population of RTS players (a, b) by payoff-proportional selection and mutation.

    Starts with ``agents - non_givers`` players at (a0, b0) (Roberts &
    Sherratt's sigma = (1, 1) by default) and ``non_givers`` at (0, 0). See
    the module doc for the model and how it relates to the two papers.
    """
    agents = check_int("agents", agents, minimum=2, maximum=5000)
    generations = check_int("generations", generations, minimum=1, maximum=10000)
    a0, b0 = check_real("a0", a0, ge=0), check_real("b0", b0, ge=0)
    non_givers = check_int("non_givers", non_givers, minimum=0, maximum=agents)
    rounds = check_int("rounds", rounds, minimum=1, maximum=1000)
    k = check_real("multiplier k", k, gt=1)
    max_stake = check_real("max_stake", max_stake, gt=0)
    partners = check_int("partners", partners, minimum=1, maximum=agents - 1)
    mutation = check_real("mutation", mutation, ge=0, le=1)
    mutation_sd = check_real("mutation_sd", mutation_sd, ge=0)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    a = np.full(agents, a0)
    b = np.full(agents, b0)
    a[:non_givers] = 0.0
    b[:non_givers] = 0.0
    A, B = [a.copy()], [b.copy()]
    mean_pay = np.empty(generations)
    idx = np.arange(agents)
    for g in range(generations):
        # each agent meets `partners` random others (never itself)
        i = np.repeat(idx, partners)
        j = (i + rng.integers(1, agents, size=i.size)) % agents
        first = rng.random(i.size) < 0.5
        p1, p2 = rts_match(a[i], b[i], a[j], b[j], rounds=rounds, k=k, max_stake=max_stake, first=first)
        pay = np.bincount(i, p1, agents) + np.bincount(j, p2, agents)
        games = np.bincount(i, minlength=agents) + np.bincount(j, minlength=agents)
        fit = pay / np.maximum(games, 1)
        mean_pay[g] = fit.mean()
        w = fit - fit.min() + 1e-6 * (1 + abs(fit).max())
        parents = rng.choice(agents, size=agents, p=w / w.sum())
        a, b = a[parents], b[parents]
        mut_a = rng.random(agents) < mutation
        mut_b = rng.random(agents) < mutation
        a = np.maximum(0.0, a + mut_a * rng.normal(0, mutation_sd, agents))
        b = np.maximum(0.0, b + mut_b * rng.normal(0, mutation_sd, agents))
        A.append(a)
        B.append(b)
    settings = dict(
        agents=agents,
        a0=a0,
        b0=b0,
        non_givers=non_givers,
        rounds=rounds,
        k=k,
        max_stake=max_stake,
        partners=partners,
        mutation=mutation,
        mutation_sd=mutation_sd,
        seed=seed,
    )
    return StepSizeEvolution(np.array(A), np.array(B), mean_pay, settings)

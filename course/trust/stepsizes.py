"""Evolution of step sizes: a population of raise-the-stakes players (a, b).

The game (Roberts & Sherratt 1998, Nature 394:175-179, as restated by
Killingback & Doebeli 1999, Nature 400:518, "'Raise the stakes' evolves into
a defector"): investing ``I`` costs ``I`` and gives the partner ``k*I``
(``k > 1``). Over ``R`` *alternating* moves, raise-the-stakes
``sigma = (a, b)`` invests ``a`` on its first move, then raises its
investment by ``2b`` (or ``b``) if the partner's previous investment bettered
(or equalled) its own last move, and otherwise matches the partner's last
move. ``a = b = 0`` is a non-giver (it never invests).

What was read, and where (December 2026; nothing here is from a full text):

* Killingback & Doebeli 1999: the abstract and the figure caption on
  nature.com (doi:10.1038/22913). The abstract gives the game, the RTS rule
  and the result; the only word on the setup is the caption of its Figure 1,
  "Simulation of the evolution of RTS strategies in the game studied in
  ref. 1" (ref. 1 = Roberts & Sherratt 1998). The values of k, R, the
  population size, the mutation scheme and the selection rule are NOT in
  what could be read; the full text is paywalled.
* Roberts & Sherratt 1998: the abstract only (doi:10.1038/28160): RTS
  "offers a small amount on first meeting and then, if matched, raises its
  investment", "can readily invade a population of non-altruists and cannot
  be effectively exploited".
* Sherratt & Roberts's reply to K&D (Nature 400:518, 1999; nature.com
  article 22917), the part of it that could be read: they considered "the relative success of
  rare, mutant continuous RTS strategies", found that "the mean initial
  investment parameter a will always evolve upwards", that simulations
  confirm this, and that they could not replicate K&D's erosion.
* Killingback & Doebeli 2002 (Am. Nat. 160:421-438): only the opening of its
  abstract could be read (reactive strategies in the continuous iterated
  prisoner's dilemma); what it says of RTS was not seen.
* No public reimplementation of either paper was found (GitHub code search
  for "raise the stakes" / "Roberts and Sherratt").

How close this is to each paper:

* From the papers (abstracts): the payoff (cost I, benefit kI), the
  alternating moves, the RTS rule, the (a, b) parameterisation, R&S's
  reference strategy sigma = (1, 1), the question (a population of RTS
  players with different a and b, selected by payoff).
* ASSUMED (not in what could be read): k = 2, R = 20 moves per side, a cap
  ``max_stake`` on an investment (100: never reached at the defaults), who
  moves first is a fair coin per match, "equalled" means within 1e-12;
  selection is Wright-Fisher: each generation every agent meets
  ``partners`` random others, offspring are drawn in proportion to payoff
  minus the generation's minimum payoff (plus a small floor), and each
  offspring's a and b mutate with probability ``mutation`` by a Gaussian of
  s.d. ``mutation_sd``, clipped at 0. R&S pitted RTS against fixed
  alternative strategies rather than evolving a population; here "resists
  invasion by non-givers" is shown as a population with a minority of
  (0, 0) players, no mutation, in which the non-givers die out. (Mutants in
  the tests differ from the residents by 5 % in a or b.)
* :func:`invasion_advantage` asks Sherratt & Roberts's reply's question
  directly: does a rare mutant (a', b') out-earn the residents (a, b)?

What the model gives, and how it stands to the papers:

* Non-givers die out in an RTS population: Roberts & Sherratt's result,
  reproduced.
* Opening a: a rare mutant with a larger a out-earns the residents at every
  setting tried (k 1.5 to 3, R 10 or 20, caps 10 to 100, residents a and b
  from 0.5 to 2), and in the evolving population mean a rises. That is what
  Sherratt & Roberts's reply reports, and the OPPOSITE of K&D's claim.
* Raise b: with a cap the game reaches (``max_stake=10``), a mutant with a
  smaller b out-earns the residents, as K&D report for b; at the defaults
  (uncapped, k = 2, R = 20, residents (1, 1)) the exact "equalled" test
  makes the resident's b locally best (a mutant b of 0.9 or 1.1 loses), and
  in the evolving population mean b stays near 1.
* So K&D's "both drift down" is NOT reproduced, and the one published
  attempt to replicate it (Sherratt & Roberts's reply) did not either; how
  K&D got it cannot be checked without their full text.
  tests/test_trust_stepsizes.py keeps that test as a strict xfail and tests
  the rest.
* Differences from the stakes engine of lessons 07-08: moves alternate (the
  engine's are simultaneous), there is no noise and no lag rule.

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

    Seeded and pure; the same bits as adding each move's payoff as it is made (tested).
    """
    a1, b1, a2, b2 = (np.asarray(x, float) for x in (a1, b1, a2, b2))
    n = a1.shape
    first = np.ones(n, bool) if first is None else np.asarray(first, bool)
    # Order the two players as (mover, responder) per match.
    am, bm = np.where(first, a1, a2), np.where(first, b1, b2)
    ar, br = np.where(first, a2, a1), np.where(first, b2, b1)
    bm2, br2 = 2 * bm, 2 * br
    pm, pr = np.zeros(n), np.zeros(n)
    last_m = np.minimum(am, max_stake)  # the first mover's opening
    pm -= last_m
    pr += k * last_m
    last_r = np.minimum(ar, max_stake)  # the responder's opening: its a
    pr -= last_r
    pm += k * last_r
    # An RTS move never exceeds max(its partner's last move, its own last move + 2b), so no move of
    # this batch exceeds `top` below; while `top` stays within the cap, taking the minimum with the cap
    # would change nothing and is skipped.
    top = max(float(last_m.max(initial=0.0)), float(last_r.max(initial=0.0)))
    step = 2.0 * max(float(bm.max(initial=0.0)), float(br.max(initial=0.0)))
    for _ in range(1, rounds):
        top += step
        y = _rts(last_m, last_r, bm, bm2, max_stake if top > max_stake else None)
        pm -= y
        pr += k * y
        last_m = y
        top += step
        x = _rts(last_r, last_m, br, br2, max_stake if top > max_stake else None)
        pr -= x
        pm += k * x
        last_r = x
    return np.where(first, pm, pr), np.where(first, pr, pm)


def _rts(mine, theirs, b, b2, cap):
    """One RTS move: raise by 2b if the partner's last move bettered mine, by b if it equalled it
    (within 1e-12), else match the partner's last move; never above ``cap`` (None: no move can reach it)."""
    up = np.where(theirs > mine + 1e-12, mine + b2, np.where(theirs >= mine - 1e-12, mine + b, theirs))
    return up if cap is None else np.minimum(up, cap)


def invasion_advantage(
    mutant_a,
    mutant_b,
    resident_a,
    resident_b,
    *,
    rounds: int = 20,
    k: float = 2.0,
    max_stake: float = 100.0,
):
    """How much more a rare mutant RTS player earns than the resident in a resident population.

    The adaptive-dynamics question (does a rare mutant ``(a', b')`` invade a
    population of ``(a, b)``?): in a large resident population a rare mutant
    meets only residents, so it invades when its payoff against a resident
    exceeds a resident's against another resident. Each payoff is the mean
    over the two orders of play (who moves first is a fair coin). Arguments
    broadcast; returns ``payoff(mutant vs resident) - payoff(resident vs
    resident)``.
    """
    rounds = check_int("rounds", rounds, minimum=1, maximum=1000)
    k = check_real("multiplier k", k, gt=1)
    max_stake = check_real("max_stake", max_stake, gt=0)
    ma, mb, ra, rb = np.broadcast_arrays(
        *(np.asarray(x, float) for x in (mutant_a, mutant_b, resident_a, resident_b))
    )
    for name, x in (("mutant_a", ma), ("mutant_b", mb), ("resident_a", ra), ("resident_b", rb)):
        if not np.all(np.isfinite(x) & (x >= 0)):
            bad = float(x[~(np.isfinite(x) & (x >= 0))].flat[0])
            raise ValueError(f"{name} must be a finite number >= 0; got {bad!r}")
    shape = ma.shape
    ma, mb, ra, rb = (x.ravel() for x in (ma, mb, ra, rb))
    both = np.concatenate
    ones, zeros = np.ones(ma.size, bool), np.zeros(ma.size, bool)
    # mutant vs resident and resident vs resident, each with player 1 moving first and second
    p1, _ = rts_match(
        both([ma, ma, ra, ra]),
        both([mb, mb, rb, rb]),
        both([ra, ra, ra, ra]),
        both([rb, rb, rb, rb]),
        rounds=rounds,
        k=k,
        max_stake=max_stake,
        first=both([ones, zeros, ones, zeros]),
    )
    m = ma.size
    mutant = (p1[:m] + p1[m : 2 * m]) / 2
    resident = (p1[2 * m : 3 * m] + p1[3 * m :]) / 2
    return (mutant - resident).reshape(shape)


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

"""Cross-check the classic trust engine against axelrod (the [oracle] extra).

Prints, for every ordered pair of the deterministic Evolution-of-Trust
strategies at zero noise, whether the per-round moves and payoffs equal
``axelrod.Match``'s, and, with noise, our mean payoff per round next to
axelrod's with the 4-sigma interval of their difference. Exit status 1 on
any disagreement. The same checks run in tests/test_trust_oracle.py.

Usage: .venv/bin/python tools/trust_oracle.py [--noise 0.05] [--turns 40] [--matches 300]
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--noise", type=float, default=0.05)
    ap.add_argument("--turns", type=int, default=40)
    ap.add_argument("--matches", type=int, default=300, help="axelrod matches per pair (seeds 0..N-1)")
    ap.add_argument("--runs", type=int, default=4000, help="our runs per pair")
    args = ap.parse_args(argv)
    try:
        import axelrod as axl
    except ImportError:
        print("axelrod is not installed: pip install -e '.[oracle]'", file=sys.stderr)
        return 2
    from course.trust import Payoffs, play_classic
    from course.trust.classic import Detective

    game, payoffs = axl.Game(r=2, s=-1, t=3, p=0), Payoffs(2, -1, 3, 0)
    det = {
        "tit_for_tat": axl.TitForTat,
        "tit_for_two_tats": axl.TitFor2Tats,
        "grim_trigger": axl.Grudger,
        "win_stay_lose_shift": axl.WinStayLoseShift,
        "always_cooperate": axl.Cooperator,
        "always_defect": axl.Defector,
        "detective": axl.Detective,
    }
    every = {**det, "generous_tit_for_tat": axl.GTFT, "random": axl.Random}
    failures = 0

    print(f"Zero noise, {args.turns} turns: per-round moves and payoffs vs axelrod.Match")
    for a, b in itertools.product(det, repeat=2):
        m = axl.Match((det[a](), det[b]()), turns=args.turns, game=game)
        inter = m.play()
        ma = np.array([x == axl.Action.C for x, _ in inter])
        mb = np.array([y == axl.Action.C for _, y in inter])
        sc = np.array(m.scores(), dtype=float)
        r = play_classic(a, b, rounds=args.turns, payoffs=payoffs)
        ok = (
            np.array_equal(r.moves_a[0], ma)
            and np.array_equal(r.moves_b[0], mb)
            and np.array_equal(r.payoff_a[0], sc[:, 0])
            and np.array_equal(r.payoff_b[0], sc[:, 1])
        )
        failures += not ok
        if not ok:
            print(f"  MISMATCH {a} vs {b}")
    print(f"  {len(det) ** 2 - failures} of {len(det) ** 2} ordered pairs identical")

    print(
        f"\nNoise {args.noise}, {args.turns} turns: mean payoff per round, side A "
        f"(ours: {args.runs} runs; axelrod: {args.matches} seeded matches)"
    )
    print(f"  {'pair':48s} {'ours':>8s} {'axelrod':>8s} {'diff':>8s} {'4 sigma':>8s}")
    for a, b in itertools.combinations_with_replacement(every, 2):
        ref = np.empty((args.matches, 2))
        for seed in range(args.matches):
            m = axl.Match((every[a](), every[b]()), turns=args.turns, game=game, noise=args.noise, seed=seed)
            m.play()
            ref[seed] = m.final_score_per_turn()
        spec = {"detective": Detective(window=4)}  # axelrod's probe window (ours defaults to ncase's 3)
        r = play_classic(
            spec.get(a, a),
            spec.get(b, b),
            rounds=args.turns,
            runs=args.runs,
            seed=1,
            noise=args.noise,
            payoffs=payoffs,
        )
        mine = r.total_a / args.turns
        diff = mine.mean() - ref[:, 0].mean()
        bound = 4 * math.sqrt(mine.var(ddof=1) / args.runs + ref[:, 0].var(ddof=1) / args.matches)
        ok = abs(diff) <= bound + 1e-12
        failures += not ok
        print(
            f"  {a + ' vs ' + b:48s} {mine.mean():8.3f} {ref[:, 0].mean():8.3f} {diff:+8.3f} {bound:8.3f}"
            f"{'' if ok else '  OUTSIDE'}"
        )
    print("\nall agree" if not failures else f"\n{failures} disagreement(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

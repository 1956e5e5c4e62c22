"""The classic-game round robin against axelrod, equal work. Reports; never asserts.

The tournament: the Evolution of Trust's 8 strategies, every pairing
(self-play included, 36 pairings, as axelrod plays them) ``repetitions``
times, ``turns`` turns per match, payoffs R=2, S=-1, T=3, P=0.

Equal work, the peer in its best documented configuration:

* axelrod runs **serially**: ``processes=None``. (``processes=1`` is not
  serial: axelrod's ``Tournament._n_workers`` falls back to ``cpu_count()``
  workers for any value below 2.)
* at **noise 0.05** axelrod plays every match: its deterministic cache
  (``Match._cache_update_required``: ``not self.noise and ...``) is used only
  at noise 0. At **noise 0**, reported separately, axelrod's cache lets it
  play each deterministic pairing once and replay it for the other
  repetitions; ours plays every match.
* both are warmed once, then timed alternately (ours, axelrod, ours, ...,
  the order flipping every pair) ``repeats`` times in this one process; the
  report gives the median and range of each side's time and of the per-pair
  ratio.
* ``build_results=False`` for axelrod (it would also compute its result
  set); ours returns its score matrix, which is the result.

Target: ours >= 100x faster than axelrod at noise 0.05.

Run: .venv/bin/python benchmarks/bench_tournament.py [--quick]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAYOFFS = {"R": 2, "S": -1, "T": 3, "P": 0}


def _ours(turns, repetitions, noise, seed):
    from course.trust import tournament

    def run():
        return tournament(None, game="classic", rounds=turns, repetitions=repetitions, seed=seed, noise=noise)

    return run


def _axelrod(turns, repetitions, noise, seed):
    import axelrod as axl

    def players():
        return [
            axl.TitForTat(),
            axl.Defector(),
            axl.Cooperator(),
            axl.Grudger(),
            axl.Detective(),
            axl.TitFor2Tats(),
            axl.WinStayLoseShift(),
            axl.Random(),
        ]

    game = axl.Game(r=PAYOFFS["R"], s=PAYOFFS["S"], t=PAYOFFS["T"], p=PAYOFFS["P"])

    def run():
        t = axl.Tournament(players(), turns=turns, repetitions=repetitions, game=game, noise=noise, seed=seed)
        t.play(progress_bar=False, processes=None, build_results=False)
        return t

    return run


def _med_range(xs, fmt="{:.1f}") -> str:
    return f"{fmt.format(statistics.median(xs))} [{fmt.format(min(xs))}-{fmt.format(max(xs))}]"


def compare(noise: float, repeats: int, turns: int = 200, repetitions: int = 50) -> dict:
    """Interleaved, repeated timings of ours and axelrod's on the same tournament."""
    ours = _ours(turns, repetitions, noise, 0)
    peer = _axelrod(turns, repetitions, noise, 0)
    warnings.filterwarnings("ignore", message="Tournament results will not be accessible")
    ours()
    peer()  # warm both (imports, caches of code paths; axelrod's match cache is per tournament)
    t_ours, t_peer, ratios = [], [], []
    for i in range(repeats):
        order = (("ours", ours), ("peer", peer)) if i % 2 == 0 else (("peer", peer), ("ours", ours))
        t = {}
        for name, fn in order:
            gc.collect()
            t0 = time.perf_counter()
            fn()
            t[name] = time.perf_counter() - t0
        t_ours.append(t["ours"])
        t_peer.append(t["peer"])
        ratios.append(t["peer"] / t["ours"])
    return {"ours": t_ours, "peer": t_peer, "ratios": ratios}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and repetitions")
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args(argv)
    try:
        import axelrod

        version = axelrod.__version__
    except ImportError:
        print("axelrod is not installed (pip install -e '.[oracle]'): nothing to compare")
        return 0
    repeats = args.repeats or (3 if args.quick else 7)
    reps = 10 if args.quick else 50
    print(
        f"Classic tournament, 8 strategies (36 pairings with self-play), 200 turns x {reps} repetitions; "
        f"axelrod {version} serial (processes=None); {repeats} interleaved pairs, median [range]"
    )
    for noise, note in (
        (0.05, "every match played by both"),
        (0.0, "axelrod's cache replays deterministic pairings"),
    ):
        r = compare(noise, repeats, repetitions=reps)
        print(
            f"  noise {noise:g} ({note}): ours {_med_range([1e3 * x for x in r['ours']])} ms; "
            f"axelrod {_med_range([1e3 * x for x in r['peer']], '{:.0f}')} ms; "
            f"ours is {_med_range(r['ratios'], '{:.0f}')}x faster" + (" (target >= 100x)" if noise else "")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

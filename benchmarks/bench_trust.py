"""Benchmarks of the trust engine and TrustLab. Reports; never asserts.

1. One interactive update of TrustLab (simulate + figure update in place) at
   200 rounds x 500 runs: median over repeated slider changes (target < 50 ms).
   The update simulates the shown pair and, for the summary line, GRIT and
   big-bang against the same partner (up to three simulations).
2. The classic-game round robin of the Evolution of Trust's 8 strategies,
   200 turns x 50 repetitions (with self-play, as axelrod does), against the
   same tournament in axelrod (when installed): the ratio of the two times in
   this one run (target >= 20x).

4. The evolution of step sizes (evolve_step_sizes) at the lesson's setting:
   median [range] (target < 200 ms; a report, not an assertion).

3. Construction: ``TrustLab()`` at its defaults against building a bare
   ``go.FigureWidget`` with the same six subplots (``make_subplots`` with the
   same arguments), the same traces and the same points (taken from a
   TrustLab built first). Interleaved, repeated; the median and range of the
   per-pair ratio. TrustLab's extra time is its simulations (the shown pair,
   the tournament and the evolution) and its controls.

The machine's load shows in every number: read the medians and ranges, not one time.

Run: .venv/bin/python benchmarks/bench_trust.py [--quick] [--lesson]
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


def bench_update(repeats: int, panels: str = "all") -> dict:
    from course.trust import simulate
    from widgets import TrustLab

    lab = TrustLab(rounds=200, runs=500, strategy_b="unreliable", generations=10, panels=panels)
    values = [0.01 + 0.01 * (i % 20) for i in range(repeats)]
    times = []
    for v in values:
        if abs(lab.noise.value - v) < 1e-12:
            v += 0.25
        t0 = time.perf_counter()
        lab.noise.value = v  # observer: simulate x3 + batch_update of the FigureWidget
        times.append(time.perf_counter() - t0)
    sims = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        simulate("grit", "unreliable", rounds=200, runs=500, seed=0, noise=0.05)
        sims.append(time.perf_counter() - t0)
    return {
        "update_ms": [1e3 * t for t in times],
        "update_median_ms": 1e3 * statistics.median(times),
        "update_max_ms": 1e3 * max(times),
        "simulate_median_ms": 1e3 * statistics.median(sims),
    }


def _bare_subplots():
    """The empty six-subplot grid, the one TrustLab draws into."""
    from widgets.trust import subplot_grid

    return subplot_grid()


def bench_construction(repeats: int) -> dict:
    import plotly.graph_objects as go

    from widgets import TrustLab

    ref = TrustLab()  # warms imports and caches; its figure gives the baseline's traces and points
    data = [{k: v for k, v in tr.to_plotly_json().items() if k != "uid"} for tr in ref.fig.data]
    points = sum(len(t["x"]) for t in data if t.get("x") is not None)
    layout = ref.fig.layout.to_plotly_json()
    layout["template"] = "plotly_white"  # by name, as TrustLab sets it (plotly caches named templates)

    def bare():
        fig = _bare_subplots()
        fig.add_traces(data)
        fig.update_layout(layout)
        return go.FigureWidget(fig)

    bare()
    labs, bares, ratios = [], [], []
    for i in range(repeats):
        order = (("lab", TrustLab), ("bare", bare)) if i % 2 == 0 else (("bare", bare), ("lab", TrustLab))
        t = {}
        for name, fn in order:
            gc.collect()  # neither side pays for the other's garbage
            t0 = time.perf_counter()
            w = fn()
            t[name] = time.perf_counter() - t0
            w.close()
        labs.append(t["lab"])
        bares.append(t["bare"])
        ratios.append(t["lab"] / t["bare"])
    return {
        "lab_ms": [1e3 * x for x in labs],
        "bare_ms": [1e3 * x for x in bares],
        "ratios": ratios,
        "traces": len(data),
        "points": points,
    }


def _med_range(xs, fmt="{:.1f}") -> str:
    return f"{fmt.format(statistics.median(xs))} [{fmt.format(min(xs))}-{fmt.format(max(xs))}]"


def bench_tournament(repeats: int, turns: int = 200, repetitions: int = 50) -> dict:
    from course.trust import tournament

    ours = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        tournament(None, game="classic", rounds=turns, repetitions=repetitions, seed=0)
        ours.append(time.perf_counter() - t0)
    out = {"ours_median_s": statistics.median(ours)}
    try:
        import axelrod as axl
    except ImportError:
        out["axelrod"] = "not installed (pip install -e '.[oracle]')"
        return out
    players = [
        axl.TitForTat(),
        axl.Defector(),
        axl.Cooperator(),
        axl.Grudger(),
        axl.Detective(),
        axl.TitFor2Tats(),
        axl.WinStayLoseShift(),
        axl.Random(),
    ]
    game = axl.Game(r=2, s=-1, t=3, p=0)
    warnings.filterwarnings("ignore", message="Tournament results will not be accessible")
    t0 = time.perf_counter()
    axl.Tournament(players, turns=turns, repetitions=repetitions, game=game, seed=0).play(
        progress_bar=False, processes=1, build_results=False
    )
    out["axelrod_s"] = time.perf_counter() - t0
    out["speedup"] = out["axelrod_s"] / out["ours_median_s"]
    return out


def bench_step_sizes(repeats: int) -> list:
    """One evolve_step_sizes() at the lesson's setting (100 agents, 200 generations, R=20): times in ms."""
    from course.trust import evolve_step_sizes

    evolve_step_sizes(generations=5)  # warm
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        evolve_step_sizes(agents=100, generations=200, rounds=20, seed=i)
        times.append(1e3 * (time.perf_counter() - t0))
    return times


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, smaller axelrod tournament")
    ap.add_argument(
        "--lesson", action="store_true", help="only lesson 06's targets: the lab's update and the step sizes"
    )
    args = ap.parse_args(argv)
    for panels in ("stakes", "all"):  # lesson 06's lab, then the examples' lab with the classic panels
        u = bench_update(7 if args.quick else 21, panels=panels)
        print(
            f"TrustLab(panels={panels!r}) update (200 rounds x 500 runs): {_med_range(u['update_ms'])} ms "
            f"(median [range] over {len(u['update_ms'])} slider moves; target < 50 ms); one simulate: "
            f"{u['simulate_median_ms']:.1f} ms"
        )
    ss = bench_step_sizes(5 if args.quick else 15)
    print(
        f"Evolution of step sizes at lesson 06's setting (100 agents x 200 generations, 20 moves): "
        f"{_med_range(ss)} ms (median [range] over {len(ss)} runs; target < 200 ms)"
    )
    if args.lesson:
        return 0
    c = bench_construction(5 if args.quick else 21)
    print(
        f"TrustLab() construction: {_med_range(c['lab_ms'])} ms against a bare FigureWidget with the same "
        f"6 subplots, {c['traces']} traces and {c['points']} points: {_med_range(c['bare_ms'])} ms; "
        f"ratio {_med_range(c['ratios'], '{:.2f}')} (median [range] over {len(c['ratios'])} interleaved pairs)"
    )
    reps = 10 if args.quick else 50
    t = bench_tournament(3 if args.quick else 5, repetitions=reps)
    line = f"Classic tournament, 8 strategies, 200 turns x {reps} repetitions: ours {1e3 * t['ours_median_s']:.0f} ms"
    if "axelrod_s" in t:
        line += f"; axelrod {t['axelrod_s']:.1f} s; ours is {t['speedup']:.0f}x faster (target >= 20x)"
    else:
        line += f"; axelrod {t['axelrod']}"
    print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

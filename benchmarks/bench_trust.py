"""Benchmarks of the trust engine and TrustLab. Reports; never asserts.

1. One interactive update of TrustLab (simulate + figure update in place) at
   200 rounds x 500 runs: median over repeated slider changes (target < 50 ms).
   The update simulates the shown pair and, for the summary line, GRIT and
   big-bang against the same partner (up to three simulations).
2. (The classic-game tournament against axelrod moved to
   ``benchmarks/bench_tournament.py``.)

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
        "--lesson",
        action="store_true",
        help="only lessons 07-08's targets: the lab's update and the step sizes",
    )
    args = ap.parse_args(argv)
    for panels in (
        "stakes",
        "all",
    ):  # the lessons' lab (07, 08), then the examples' lab with the classic panels
        u = bench_update(7 if args.quick else 21, panels=panels)
        print(
            f"TrustLab(panels={panels!r}) update (200 rounds x 500 runs): {_med_range(u['update_ms'])} ms "
            f"(median [range] over {len(u['update_ms'])} slider moves; target < 50 ms); one simulate: "
            f"{u['simulate_median_ms']:.1f} ms"
        )
    ss = bench_step_sizes(5 if args.quick else 15)
    print(
        f"Evolution of step sizes at lesson 08's setting (100 agents x 200 generations, 20 moves): "
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

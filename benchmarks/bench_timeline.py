"""The timeline explorer against a bare plotly ``FigureWidget`` doing the same work, side by side.

Two measurements, each a ratio to a bare ``go.FigureWidget`` with the same
traces and points, timed in the same process, interleaved (baseline, case,
case, baseline, ...) and repeated, so that load from other processes falls
on both alike. Each ratio is reported as the median over rounds, with its
range (lowest and highest round).

* **construction**: ``TimelineExplorer()`` on the course's events (the model,
  every control, the figure and the first scene) against building a
  ``go.FigureWidget`` the way a plotly user would -- ``data=[go.Scatter(...),
  go.Bar(...), ...]`` with the same 9 traces and the same points (x, y,
  text, ids, colours, symbols; lists, through plotly's validators) and the
  same layout settings and template. Target: under 3x.
* **filter change**: for each kind (year range, track toggle, actor, search),

  - *core*: the model's complete scene (figure data, events list, detail,
    count line, text description) plus the in-place figure update
    (``Timeline.scene`` + ``FigureSync.apply``);
  - *full*: the whole round trip from setting the control in Python,
    including assigning the side panel's widgets;

  against the bare figure receiving the same update through the same
  unvalidated ``FigureWidget.plotly_update`` call the explorer uses: the
  same traces, the same property paths, arrays of the same lengths, the
  same layout keys (recorded from the explorer's own update for that kind
  of change). Target: core under 2x.

No assertions: this is a report. Run: ``python benchmarks/bench_timeline.py [rounds]``.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ipywidgets as ipw  # noqa: E402
import numpy as np  # noqa: E402
import plotly.graph_objects as go  # noqa: E402

from course.timeline import TRACKS, to_timestamp  # noqa: E402
from widgets.timeline.figure import BASE_LAYOUT  # noqa: E402
from widgets.timeline.view import TimelineExplorer  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
REPEATS = 20  # timed filter changes per round and side
BUILDS = 5  # timed constructions per round and side


def _as_list(v):
    return v.tolist() if isinstance(v, np.ndarray) else (list(v) if isinstance(v, tuple) else v)


def bare_figure_builder(explorer: TimelineExplorer):
    """A function that builds a plain FigureWidget with the explorer's traces and points, as a plotly user would."""
    fig = explorer.fig
    traces = []
    for t in fig.data:
        spec = {k: _as_list(v) for k, v in t.to_plotly_json().items() if k != "marker"}
        marker = {k: _as_list(v) for k, v in t.to_plotly_json().get("marker", {}).items()}
        kind = spec.pop("type")
        traces.append((go.Bar if kind == "bar" else go.Scatter, spec, marker))
    layout = dict(BASE_LAYOUT)
    lay = fig.layout
    layout["xaxis"] = dict(layout["xaxis"], type=lay.xaxis.type, range=list(lay.xaxis.range))
    layout["yaxis"] = dict(
        layout["yaxis"],
        tickvals=list(lay.yaxis.tickvals),
        ticktext=list(lay.yaxis.ticktext),
        range=list(lay.yaxis.range),
    )

    def build():
        return go.FigureWidget(
            data=[cls(**spec, marker=marker) for cls, spec, marker in traces], layout=layout
        )

    return build


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _summary(ratios: list[float]) -> str:
    return f"{statistics.median(ratios):5.2f}x (range {min(ratios):.2f}-{max(ratios):.2f})"


def construction(rounds: int) -> tuple[list[float], list[float], list[float]]:
    """Per round: BUILDS builds of each side, alternating one by one; the round's ratio is of the medians."""
    build_bare = bare_figure_builder(TimelineExplorer())
    ipw.Widget.close_all()
    bare_s, case_s, ratios = [], [], []
    for r in range(rounds):
        times = {"bare": [], "case": []}
        for k in range(BUILDS):
            order = ("bare", "case") if (r + k) % 2 == 0 else ("case", "bare")  # alternate who goes first
            for side in order:
                gc.collect()
                times[side].append(_time(build_bare if side == "bare" else TimelineExplorer))
                ipw.Widget.close_all()  # not timed: leave no comms open between builds
        b, c = statistics.median(times["bare"]), statistics.median(times["case"])
        bare_s.append(b)
        case_s.append(c)
        ratios.append(c / b)
    return bare_s, case_s, ratios


def filter_changes(rounds: int) -> None:
    explorer = TimelineExplorer()
    tl, sync = explorer.timeline, explorer._sync
    bare = bare_figure_builder(explorer)()
    state0 = explorer.state
    full_period = (state0.start, state0.end)
    detente = (to_timestamp(1969), to_timestamp(1979, end=True))
    changes = {
        "year range": dict(
            core=lambda i: dict(
                start=(detente if i % 2 else full_period)[0], end=(detente if i % 2 else full_period)[1]
            ),
            full=lambda i: setattr(explorer.year_range, "value", (1969, 1979) if i % 2 else (1963, 2021)),
        ),
        "track toggle": dict(
            core=lambda i: dict(tracks=TRACKS[1:] if i % 2 else TRACKS),
            full=lambda i: setattr(explorer.track_toggles["csce"], "value", not bool(i % 2)),
        ),
        "actor": dict(
            core=lambda i: dict(actors=("DPRK",) if i % 2 else ()),
            full=lambda i: setattr(explorer.actor_select, "value", ("DPRK",) if i % 2 else ()),
        ),
        "search": dict(
            core=lambda i: dict(search="summit" if i % 2 else "treaty"),
            full=lambda i: setattr(explorer.search, "value", "summit" if i % 2 else "treaty"),
        ),
    }

    def record(change) -> list[dict]:
        """The plotly_update calls the explorer makes for this kind of change."""
        calls = []
        real = sync.fig.plotly_update

        def spy(restyle_data=None, relayout_data=None, trace_indexes=None, **kw):
            calls.append(
                dict(restyle_data=restyle_data, relayout_data=relayout_data, trace_indexes=trace_indexes)
            )
            return real(
                restyle_data=restyle_data, relayout_data=relayout_data, trace_indexes=trace_indexes, **kw
            )

        sync.fig.plotly_update = spy
        try:
            for i in (1, 2):
                sync.apply(tl.scene(replace(state0, **change["core"](i))))
        finally:
            del sync.fig.plotly_update
        return calls

    print(
        f"\nfilter change ({rounds} rounds x {REPEATS} changes per side; baseline: the same plotly_update "
        "on a bare FigureWidget)"
    )
    print(f"{'':14s} {'baseline':>9s} {'core':>8s}  {'core ratio':27s} {'full':>8s}  {'full ratio':27s}")
    for name, change in changes.items():
        calls = record(change)
        rng = np.random.default_rng(0)
        payloads = []  # two alternating payloads, each shaped like the explorer's update for this change
        for k in range(2):
            out = []
            for c in calls[-1:]:
                rd = None
                if c["restyle_data"]:
                    rd = {
                        p: [
                            rng.choice([np.nan, 1.0], size=len(v)) if isinstance(v, np.ndarray) else v
                            for v in vals
                        ]
                        for p, vals in c["restyle_data"].items()
                    }
                    for vals in rd.values():
                        for v in vals:
                            if isinstance(v, np.ndarray):
                                v.flags.writeable = False
                out.append(
                    dict(
                        restyle_data=rd,
                        relayout_data=c["relayout_data"]
                        and {
                            p: (list(v) if k else list(v)[::-1]) if isinstance(v, list) else v
                            for p, v in c["relayout_data"].items()
                        },
                        trace_indexes=c["trace_indexes"],
                    )
                )
            payloads.append(out)

        def baseline(i, payloads=payloads):
            for p in payloads[i % 2]:
                bare.plotly_update(**p)

        def core(i, change=change):
            sync.apply(tl.scene(replace(state0, **change["core"](i))))

        def timed(fn, start):
            times = []
            for i in range(start, start + REPEATS):
                t0 = time.perf_counter()
                fn(i)
                times.append(time.perf_counter() - t0)
            return statistics.median(times)

        base_s, core_s, full_s, core_r, full_r = [], [], [], [], []
        for r in range(rounds):
            b1 = timed(baseline, r * REPEATS)
            c = timed(core, r * REPEATS)
            b2 = timed(baseline, r * REPEATS)
            f = timed(change["full"], r * REPEATS)
            b = (b1 + b2) / 2
            base_s.append(b)
            core_s.append(c)
            full_s.append(f)
            core_r.append(c / b)
            full_r.append(f / b)
        print(
            f"{name:14s} {statistics.median(base_s) * 1e3:7.3f}ms {statistics.median(core_s) * 1e3:6.3f}ms  "
            f"{_summary(core_r):27s} {statistics.median(full_s) * 1e3:6.3f}ms  {_summary(full_r)}"
        )
        explorer.set_view(start=state0.start, end=state0.end, tracks=TRACKS, actors=(), search="")


def main() -> None:
    t0 = time.perf_counter()
    TimelineExplorer()
    first_ms = (time.perf_counter() - t0) * 1e3
    ipw.Widget.close_all()
    bare_s, case_s, ratios = construction(ROUNDS)
    print(
        f"timeline explorer on the course's events; first build in this process {first_ms:.0f} ms "
        "(includes plotly's and the data's one-time loading)"
    )
    print(
        f"construction ({ROUNDS} rounds x {BUILDS} builds per side, alternating): bare FigureWidget "
        f"{statistics.median(bare_s) * 1e3:.1f} ms, "
        f"TimelineExplorer {statistics.median(case_s) * 1e3:.1f} ms, ratio {_summary(ratios)} (target < 3x)"
    )
    filter_changes(ROUNDS)
    print("targets: construction < 3x, core filter change < 2x")


if __name__ == "__main__":
    main()

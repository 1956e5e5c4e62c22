"""Bytes each lesson sends from the kernel towards the browser. Reports; never asserts.

Every message a kernel publishes on its iopub channel (outputs, display data,
widget ``comm_open`` / ``comm_msg``) is relayed by the Jupyter server to the
browser, so the sum of their sizes is what a learner on Binder downloads while
a lesson runs (static files such as JupyterLab's own JavaScript come over HTTP
once per browser, and are not counted here).

This runs each lesson in a fresh kernel the way JupyterLab's Run All does
(one ``execute_request`` per code cell, with the cell's id in the request's
metadata as JupyterLab sends it) and counts the raw bytes of every iopub
message that answers it. The floor is one bare ``go.FigureWidget()`` shown in
a cell (the smallest thing that opens a plotly widget): each lesson is reported
in MB and as a multiple of that floor. A second scenario re-runs the cell
holding each lesson's interactive view, as a learner does after editing it:
before the figure pool (widgets/figures.py) every re-run sent the plotly bundle
again.

The counts are deterministic for a given notebook; with ``--repeats N`` each
lesson is run N times, interleaved with the floor, and the median and range
are printed where they vary.

Run: .venv/bin/python benchmarks/bench_wire.py [--repeats N] [--json PATH] [LESSON ...]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

MB = 1e6
VIEW = re.compile(r"\b(TimelineExplorer|TrustLab|Scorecard|HumanitarianClock)\(")
FLOOR_CODE = "import plotly.graph_objects as go\ngo.FigureWidget()"


class Kernel:
    """A python3 kernel started in ``cwd``, counting the raw bytes of its iopub messages."""

    def __init__(self, cwd: Path):
        from jupyter_client import KernelManager

        env = dict(
            os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        )
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(cwd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)
        self.drain()

    def drain(self) -> None:
        while True:
            try:
                self.kc.iopub_channel.socket.recv_multipart(flags=1)  # NOBLOCK
            except Exception:  # noqa: BLE001 - zmq.Again: nothing left
                return

    def run(self, code: str, cell_id: str | None = None, timeout: float = 300) -> dict:
        """Execute ``code``; return bytes and message counts of the iopub replies, by type."""
        session = self.kc.session
        msg = session.msg(
            "execute_request",
            dict(
                code=code,
                silent=False,
                store_history=True,
                user_expressions={},
                allow_stdin=False,
                stop_on_error=True,
            ),
            metadata={"cellId": cell_id} if cell_id else {},
        )
        self.kc.shell_channel.send(msg)
        msg_id = msg["header"]["msg_id"]
        sock = self.kc.iopub_channel.socket
        by_type: dict[str, int] = {}
        errors = []
        deadline = time.monotonic() + timeout
        while True:
            if not sock.poll(timeout=1000):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no idle status after {timeout} s running:\n{code[:200]}")
                continue
            frames = sock.recv_multipart(copy=True)
            idents, parts = session.feed_identities(frames)
            m = session.deserialize(parts, content=True)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            size = sum(len(p) for p in parts)
            kind = m["msg_type"]
            by_type[kind] = by_type.get(kind, 0) + size
            if kind == "error":
                errors.append(f"{m['content']['ename']}: {m['content']['evalue']}")
            if kind == "status" and m["content"]["execution_state"] == "idle":
                break
        self._drain_shell(msg_id)
        return {"bytes": sum(by_type.values()), "by_type": by_type, "errors": errors}

    def _drain_shell(self, msg_id: str) -> None:
        while True:
            try:
                reply = self.kc.get_shell_msg(timeout=60)
            except queue.Empty:
                return
            if reply["parent_header"].get("msg_id") == msg_id:
                return

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def code_cells(path: Path) -> list[tuple[str, str]]:
    nb = nbformat.read(path, as_version=4)
    return [(c.get("id") or f"cell-{i}", c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"]


def measure_lesson(path: Path) -> dict:
    """Run All in a fresh kernel, then re-run every cell that builds an interactive view."""
    k = Kernel(path.parent)
    try:
        cells = code_cells(path)
        total, by_type, errors = 0, {}, []
        for cid, src in cells:
            r = k.run(src, cid)
            total += r["bytes"]
            errors += r["errors"]
            for t, n in r["by_type"].items():
                by_type[t] = by_type.get(t, 0) + n
        rerun, rerun_by_type = None, {}
        view_cells = [(cid, src) for cid, src in cells if VIEW.search(src)]
        if view_cells:
            rerun = 0
            for cid, src in view_cells:
                r = k.run(src, cid)
                rerun += r["bytes"]
                errors += r["errors"]
                for t, n in r["by_type"].items():
                    rerun_by_type[t] = rerun_by_type.get(t, 0) + n
        return {
            "bytes": total,
            "by_type": by_type,
            "rerun_bytes": rerun,
            "rerun_by_type": rerun_by_type,
            "rerun_cells": len(view_cells),
            "errors": errors,
        }
    finally:
        k.close()


def measure_floor() -> int:
    k = Kernel(REPO)
    try:
        k.run("import plotly.graph_objects as go")  # the import itself is not part of the floor
        r = k.run(FLOOR_CODE.splitlines()[1], "floor-cell")
        if r["errors"]:
            raise RuntimeError(f"the floor cell failed: {r['errors']}")
        return r["bytes"]
    finally:
        k.close()


def spread(values: list[float]) -> str:
    """Median in MB, and the range where the repeats differ (message ids and timings vary by a few bytes)."""
    med, lo, hi = statistics.median(values), min(values), max(values)
    if hi - lo >= 1000:
        return f"{med / MB:.3f} [{lo / MB:.3f}-{hi / MB:.3f}]"
    return f"{med / MB:.3f}" + (f" (±{hi - lo:.0f} B)" if hi > lo else "")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lessons", nargs="*", help="notebooks (default: lessons/[0-9][0-9]_*.ipynb)")
    ap.add_argument("--repeats", type=int, default=1, help="runs per lesson, interleaved with the floor")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    paths = [Path(p).resolve() for p in args.lessons] or sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
    floors: list[int] = []
    runs: dict[str, list[dict]] = {p.stem: [] for p in paths}
    for _ in range(max(1, args.repeats)):
        floors.append(measure_floor())
        for p in paths:
            runs[p.stem].append(measure_lesson(p))
    floor = statistics.median(floors)
    print(f"Floor: one bare go.FigureWidget() shown in a cell sends {spread(floors)} MB")
    print(f"{'lesson':<38} {'Run All MB':>18} {'x floor':>8} {'re-run views MB':>18}  largest message types")
    out = {"floor_bytes": floors, "lessons": {}}
    for stem, rs in runs.items():
        b = [r["bytes"] for r in rs]
        rr = [r["rerun_bytes"] for r in rs if r["rerun_bytes"] is not None]
        types = sorted(rs[0]["by_type"].items(), key=lambda kv: -kv[1])[:3]
        print(
            f"{stem:<38} {spread(b):>18} {statistics.median(b) / floor:>8.2f} "
            f"{(spread(rr) if rr else '-'):>18}  " + ", ".join(f"{t} {n / MB:.2f}" for t, n in types)
        )
        errs = sorted({e for r in rs for e in r["errors"]})
        if errs:
            print(f"    errors: {errs}")
        out["lessons"][stem] = {
            "bytes": b,
            "ratio_to_floor": statistics.median(b) / floor,
            "rerun_bytes": rr,
            "rerun_cells": rs[0]["rerun_cells"],
            "by_type": rs[0]["by_type"],
            "rerun_by_type": rs[0]["rerun_by_type"],
            "errors": errs,
        }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

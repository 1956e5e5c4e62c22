"""Executing the lessons: wall time and peak kernel memory.

Reports, in one run:

* the wall time to execute every lesson on a fresh kernel (as nbmake does),
  as a ratio to executing the same number of empty notebooks (kernel start-up
  and shut-down only) in the same run. Target: <= 2.0.
* the peak resident memory of each lesson's kernel (Linux ``VmHWM``), the
  largest of them (target < 500 MB), and the sum of all of them, the worst
  case on Binder when a learner leaves every lesson's kernel running
  (Binder allows 1-2 GB).

Run: ``python benchmarks/bench_course.py`` (or ``make bench``). Prints; asserts nothing.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def execute(nb: nbformat.NotebookNode, cwd: Path) -> tuple[float, float | None]:
    """Execute on a fresh kernel; return (seconds, peak kernel RSS in MB)."""
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    peak = None
    t0 = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
        if pid:
            peak = _peak_rss_mb(pid)
    return time.perf_counter() - t0, peak


def main() -> int:
    if not LESSONS:
        print("no lessons found in lessons/")
        return 1
    empty = nbformat.v4.new_notebook()
    empty.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}

    empty_times = [execute(nbformat.from_dict(empty), REPO / "lessons")[0] for _ in LESSONS]
    rows = []
    for path in LESSONS:
        nb = nbformat.read(path, as_version=4)
        seconds, peak = execute(nb, path.parent)
        rows.append((path.name, seconds, peak))

    t_empty, t_lessons = sum(empty_times), sum(r[1] for r in rows)
    print(f"{'lesson':45s} {'seconds':>8s} {'peak MB':>8s}")
    for name, seconds, peak in rows:
        print(f"{name:45s} {seconds:8.2f} {peak if peak is not None else float('nan'):8.1f}")
    print(f"empty notebook (kernel start/stop): median {statistics.median(empty_times):.2f} s")
    print(f"all lessons: {t_lessons:.1f} s; same number of empty notebooks: {t_empty:.1f} s")
    print(f"ratio lessons/empty: {t_lessons / t_empty:.2f}  (target <= 2.0)")
    compute = [s - statistics.median(empty_times) for _, s, _ in rows]
    print(f"compute beyond kernel start-up, per lesson: max {max(compute):.2f} s (target < 10 s)")
    peaks = [p for _, _, p in rows if p is not None]
    if peaks:
        print(f"peak kernel memory: max {max(peaks):.0f} MB (target < 500 MB); "
              f"sum over all lessons {sum(peaks):.0f} MB (Binder allows 1-2 GB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

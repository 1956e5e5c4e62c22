"""Executing the lessons: wall time against a bare notebook on the same stack, and peak kernel memory.

Reports, in one run of interleaved rounds (default 5):

* the wall time to execute every lesson on a fresh kernel (as nbmake does),
  as a ratio to executing the same number of *floor* notebooks in the same
  round. A floor notebook is what any notebook that uses the course's stack
  pays: it imports pandas, plotly.express and ipywidgets on the unpatched
  stack (it never imports ``course``) and shows one plotly.express figure
  and one FigureWidget. Target: median <= 1.0, i.e. with their data,
  widgets and self-checks the lessons cost no more than bare notebooks,
  because ``import course`` removes the stack's own start-up waste (see
  course/startup.py).
* the same ratio against empty notebooks (kernel start-up and shut-down
  only), for reference.
* per round, lessons, floor and empty notebooks run interleaved (lesson i,
  then a floor and an empty notebook, the order rotated every round), each
  on a fresh kernel through the same executor, so drift on a shared machine
  moves both sides of a ratio alike. Median and range over the rounds.
* per lesson, the import cost of the course's own modules: its ``course`` /
  ``widgets`` import statements timed in a fresh interpreter that has
  already imported the stack (pandas, plotly, ipywidgets).
* the peak resident memory of each lesson's kernel (Linux ``VmHWM``), the
  largest of them (target < 500 MB), and the sum of all of them, the worst
  case on Binder when a learner leaves every lesson's kernel running
  (Binder allows 1-2 GB).

Run: ``python benchmarks/bench_course.py [--rounds N] [--quick]`` (or
``make bench``). ``--quick`` runs one round of one lesson, for smoke tests.
Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}

#: What a notebook on the course's stack does at the least, without the course.
FLOOR_CELLS = [
    "import sys\n"
    "import pandas as pd\n"
    "import plotly.express as px\n"
    "import plotly.graph_objects as go\n"
    "import ipywidgets as ipw",
    'df = pd.DataFrame({"year": [1973, 1975, 1990, 2018], "events": [3, 5, 2, 4]})\n'
    'fig = px.bar(df, x="year", y="events", title="A floor figure")\n'
    "fig.show()",
    "go.FigureWidget(fig)",
    'assert "course" not in sys.modules, "the floor runs on the unpatched stack"',
]

#: Imported before timing a lesson's own imports: the stack every side pays.
STACK_IMPORTS = "import pandas, numpy, plotly.express, plotly.graph_objects, plotly.io, ipywidgets"


def _notebook(cells: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    return nb


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def execute(nb: nbformat.NotebookNode, cwd: Path) -> tuple[float, float | None]:
    """Execute on a fresh kernel; return (seconds including kernel start and stop, peak kernel RSS in MB)."""
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    peak = None
    t0 = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
        if pid:
            peak = _peak_rss_mb(pid)
    return time.perf_counter() - t0, peak


def course_imports(nb: nbformat.NotebookNode) -> list[str]:
    """The lesson's import statements of ``course`` and ``widgets`` modules, in order."""
    statements = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(n.split(".")[0] in ("course", "widgets") for n in names):
                statements.append(ast.unparse(node))
    return statements


_IMPORT_TIMER = """
import sys, time
sys.path.insert(0, {repo!r})
{stack}
statements = {statements!r}
t0 = time.perf_counter()
for s in statements:
    exec(s, {{}})
print(time.perf_counter() - t0)
"""


def import_cost(statements: list[str], cwd: Path) -> float:
    """Seconds to run ``statements`` in a fresh interpreter that has already imported the stack."""
    code = _IMPORT_TIMER.format(repo=str(REPO), stack=STACK_IMPORTS, statements=statements)
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def run_round(r: int, lessons: list[tuple[str, nbformat.NotebookNode, Path]]) -> dict:
    """One round: lesson i, a floor and an empty notebook, interleaved, order rotated by round."""
    kinds = ["lesson", "floor", "empty"]
    kinds = kinds[r % 3 :] + kinds[: r % 3]
    times = {"lesson": [], "floor": [], "empty": []}
    peaks = {}
    for _i, (name, lesson, cwd) in enumerate(lessons):
        for kind in kinds:
            if kind == "lesson":
                seconds, peak = execute(nbformat.from_dict(lesson), cwd)
                peaks[name] = peak
            elif kind == "floor":
                seconds, _ = execute(_notebook(FLOOR_CELLS), cwd)
            else:
                seconds, _ = execute(_notebook([]), cwd)
            times[kind].append(seconds)
    return {"times": times, "peaks": peaks}


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f}, range {min(values):.2f}-{max(values):.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    ap.add_argument("--quick", action="store_true", help="smoke test: one round of the first lesson only")
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error(f"--rounds must be at least 1, got {args.rounds}")
    if not LESSONS:
        print("no lessons found in lessons/")
        return 1
    paths = LESSONS[:1] if args.quick else LESSONS
    rounds = 1 if args.quick else args.rounds
    lessons = [(p.name, nbformat.read(p, as_version=4), p.parent) for p in paths]

    print(
        f"{len(lessons)} lesson(s), {len(lessons)} floor and {len(lessons)} empty notebooks per round, "
        f"{rounds} round(s), interleaved, each on a fresh kernel; {os.cpu_count()} CPU(s), possibly shared"
    )
    results = []
    for r in range(rounds):
        t0 = time.perf_counter()
        res = run_round(r, lessons)
        results.append(res)
        t = {k: sum(v) for k, v in res["times"].items()}
        print(
            f"round {r + 1}: lessons {t['lesson']:.1f} s, floor {t['floor']:.1f} s, empty {t['empty']:.1f} s; "
            f"lessons/floor {t['lesson'] / t['floor']:.2f}, lessons/empty {t['lesson'] / t['empty']:.2f} "
            f"({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )

    per_lesson = {
        name: statistics.median(res["times"]["lesson"][i] for res in results)
        for i, (name, _, _) in enumerate(lessons)
    }
    peaks = {
        name: max((p for res in results if (p := res["peaks"].get(name)) is not None), default=None)
        for name, _, _ in lessons
    }
    reps = 1 if args.quick else min(3, rounds)
    imports = {}
    for name, nb, cwd in lessons:
        statements = course_imports(nb)
        imports[name] = (
            statistics.median(import_cost(statements, cwd) for _ in range(reps)) if statements else 0.0
        )

    floor_med = statistics.median(s for res in results for s in res["times"]["floor"])
    empty_med = statistics.median(s for res in results for s in res["times"]["empty"])
    print()
    print(f"{'lesson':45s} {'seconds':>8s} {'peak MB':>8s} {'course imports ms':>18s}")
    for name in per_lesson:
        peak = peaks[name]
        print(
            f"{name:45s} {per_lesson[name]:8.2f} {peak if peak is not None else float('nan'):8.1f} "
            f"{imports[name] * 1000:18.0f}"
        )
    print(
        f"floor notebook (pandas, plotly.express, ipywidgets, one px figure, one FigureWidget): "
        f"median {floor_med:.2f} s"
    )
    print(f"empty notebook (kernel start/stop): median {empty_med:.2f} s")
    by_floor = [sum(res["times"]["lesson"]) / sum(res["times"]["floor"]) for res in results]
    by_empty = [sum(res["times"]["lesson"]) / sum(res["times"]["empty"]) for res in results]
    print(f"ratio lessons/floor per round: {', '.join(f'{x:.2f}' for x in by_floor)}")
    print(f"ratio lessons/floor: {_spread(by_floor)} over {rounds} round(s)  (target <= 1.0)")
    print(f"ratio lessons/empty per round: {', '.join(f'{x:.2f}' for x in by_empty)}")
    print(f"ratio lessons/empty: {_spread(by_empty)} over {rounds} round(s)")
    print(
        f"course imports per lesson (stack already imported): "
        f"median {statistics.median(imports.values()) * 1000:.0f} ms, max {max(imports.values()) * 1000:.0f} ms"
    )
    compute = [s - empty_med for s in per_lesson.values()]
    print(f"compute beyond kernel start-up, per lesson: max {max(compute):.2f} s (target < 10 s)")
    known = [p for p in peaks.values() if p is not None]
    if known:
        print(
            f"peak kernel memory: max {max(known):.0f} MB (target < 500 MB); "
            f"sum over all lessons {sum(known):.0f} MB (Binder allows 1-2 GB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Grading a class: `course grade --jobs 2` against plain `nbgrader autograde`, and the jail's overhead.

Builds 40 submissions (10 students x 4 problem sets: reference, partial and
blank answers) from a fresh release, then reports, in one run:

* the wall time of ``course grade --jobs 2`` and ``--jobs 1`` and of plain
  ``nbgrader autograde`` (one command for the whole class, as recommended),
  in its default configuration and with ``--Execute.shutdown_kernel=immediate``,
  on the same submissions, each in its own copy of the course, interleaved
  and repeated (``BENCH_REPEATS``, default 3): median and range, and the
  ratios (targets: --jobs 2 >= 2.0x faster than nbgrader with immediate
  shutdown; --jobs 1 no slower), plus whether they agree on every score;
* the per-submission overhead of the course's pipeline (rebuild from the
  master, static check, jail, probe, verdicts) over executing the very same
  notebook with nbclient alone, and the cost of the out-of-kernel comparison
  (asking the kernel for the checks' values and judging them), one at a time.

Run: ``python benchmarks/bench_grading.py`` (or ``make bench``). Prints; asserts nothing.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
BIN = Path(sys.executable).parent
PROBLEM_SETS = ("ps1", "ps2", "ps3", "ps4")
STUDENTS = 10
OVERHEAD_SAMPLE = 8


def build_class(course_dir: Path) -> int:
    from grading_fixtures.cases import partial_answers
    from grading_fixtures.submissions import answered, blank, reference, submit

    n = 0
    for i in range(STUDENTS):
        for ps in PROBLEM_SETS:
            kind = i % 3
            nb = (
                reference(course_dir, ps)
                if kind == 0
                else answered(course_dir, ps, partial_answers(course_dir, ps))
                if kind == 1
                else blank(course_dir, ps)
            )
            submit(course_dir, f"student{i:02d}", ps, nb)
            n += 1
    return n


def timed(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    import os

    started = time.perf_counter()
    # the course's config refuses plain nbgrader autograde unless told otherwise (course.grading.guard)
    env = {
        **os.environ,
        "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "COURSE_ALLOW_PLAIN_NBGRADER": "1",
    }
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    return time.perf_counter() - started, proc


def scores(course_dir: Path) -> dict[tuple[str, str], float]:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                out[(assignment.name, sub.student.id)] = round(sub.score, 6)
    return out


def per_submission_overhead(course_dir: Path) -> tuple[list[float], list[float], list[float]]:
    """Seconds per submission: the course's whole pipeline, and nbclient alone on the same notebook."""
    from course.grading.coursedir import Course
    from course.grading.grader import Context, Task, grade_task, load_material
    from course.grading.isolation import detect_isolation
    from course.grading.kernel_env import warm_data_cache
    from course.grading.readable import readable_paths
    from course.grading.sandbox import make_base

    course = Course(course_dir)
    isolation = detect_isolation(course.settings.isolation)
    materials = {ps: load_material(course, ps) for ps in PROBLEM_SETS}
    base = make_base()
    warm_data_cache(base)  # as `course grade` does, once per run
    ctx = Context(
        materials,
        isolation,
        course.settings,
        base,
        readable_paths(course.settings, course.root) if isolation.mode == "namespaces" else [],
    )
    pipeline, plain, checks = [], [], []
    try:
        for i in range(OVERHEAD_SAMPLE):
            ps = PROBLEM_SETS[i % len(PROBLEM_SETS)]
            student = f"student{i % 3:02d}"
            task = Task(student, ps, course.submitted / student / ps, None)
            started = time.perf_counter()
            outcome = grade_task(task, ctx, 0)
            pipeline.append(time.perf_counter() - started)
            checks.append(outcome.notebooks[0].check_seconds)
            # the very notebook the pipeline ran (master cells restored), outputs cleared
            nb = outcome.notebooks[0].nb
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
            started = time.perf_counter()
            NotebookClient(
                nb,
                kernel_name="python3",
                timeout=60,
                allow_errors=True,
                shutdown_kernel="immediate",
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
                resources={"metadata": {"path": str(course.release / ps)}},
            ).execute()
            plain.append(time.perf_counter() - started)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return pipeline, plain, checks


def _median_range(values: list[float]) -> str:
    return f"median {statistics.median(values):6.1f} s  (range {min(values):.1f}-{max(values):.1f}, n={len(values)})"


def main() -> None:
    import os

    repeats = int(os.environ.get("BENCH_REPEATS", "3"))
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        ours = work / "course"
        ours.mkdir()
        shutil.copytree(REPO / "assignments" / "source", ours / "source")
        shutil.copy(REPO / "assignments" / "nbgrader_config.py", ours)
        t, proc = timed([str(BIN / "course"), "--course-dir", str(ours), "release"], work)
        if proc.returncode:
            sys.exit(proc.stdout + proc.stderr)
        print(f"released {len(PROBLEM_SETS)} problem sets in {t:.1f} s")
        dirs = {}
        for name in ("course-j2", "course-j1", "nbgrader-default", "nbgrader-immediate"):
            dirs[name] = work / name
            shutil.copytree(ours, dirs[name])
            n = build_class(dirs[name])
        print(
            f"built {n} honest submissions ({STUDENTS} students x {len(PROBLEM_SETS)} problem sets: "
            f"reference, partial, blank), the same in four copies of the course"
        )
        commands = {
            "course-j2": [
                str(BIN / "course"),
                "--course-dir",
                str(dirs["course-j2"]),
                "grade",
                "--jobs",
                "2",
            ],
            "course-j1": [
                str(BIN / "course"),
                "--course-dir",
                str(dirs["course-j1"]),
                "grade",
                "--jobs",
                "1",
            ],
            "nbgrader-default": [str(BIN / "nbgrader"), "autograde", "ps*", "--force"],
            "nbgrader-immediate": [
                str(BIN / "nbgrader"),
                "autograde",
                "ps*",
                "--force",
                "--Execute.shutdown_kernel=immediate",
            ],
        }
        times: dict[str, list[float]] = {k: [] for k in commands}
        order = list(commands)
        for r in range(repeats):  # interleaved: every round runs each side once, in a rotated order
            for name in order[r % len(order) :] + order[: r % len(order)]:
                t, proc = timed(commands[name], dirs[name])
                if proc.returncode:
                    sys.exit(f"{name}: " + proc.stdout[-2000:] + proc.stderr[-2000:])
                times[name].append(t)
                print(f"  round {r + 1}: {name:19} {t:6.1f} s", flush=True)
        for name, values in times.items():
            print(
                f"{name:19}: {_median_range(values)}  ({statistics.median(values) / n:.2f} s per submission)"
            )
        base = statistics.median(times["nbgrader-immediate"])
        print(
            f"course --jobs 2 vs nbgrader (immediate shutdown): {base / statistics.median(times['course-j2']):.2f}x "
            f"faster (target >= 2.0x)"
        )
        print(
            f"course --jobs 1 vs nbgrader (immediate shutdown): {base / statistics.median(times['course-j1']):.2f}x "
            f"(target >= 1.0x)"
        )
        print(
            f"nbgrader default vs immediate shutdown          : "
            f"{statistics.median(times['nbgrader-default']) / base:.2f}x the time"
        )
        a, b = scores(dirs["course-j2"]), scores(dirs["nbgrader-immediate"])
        agree = sum(1 for k in a if a.get(k) == b.get(k))
        print(f"scores that agree with nbgrader: {agree}/{len(a)}")
        print(
            "scores by problem set and kind of submission (course --jobs 2 | nbgrader, immediate shutdown):"
        )
        kinds = ("reference", "partial", "blank")
        for ps in PROBLEM_SETS:
            row = []
            for k, label in enumerate(kinds):
                keys = [(ps, f"student{i:02d}") for i in range(STUDENTS) if i % 3 == k]
                mine = sorted({a.get(key) for key in keys}, key=str)
                theirs = sorted({b.get(key) for key in keys}, key=str)
                row.append(f"{label} {'/'.join(map(str, mine))} | {'/'.join(map(str, theirs))}")
            print(f"  {ps}: " + ";  ".join(row))

        pipeline, plain, checks = per_submission_overhead(ours_with_class(ours))
        mp, mn = statistics.median(pipeline), statistics.median(plain)
        print(
            f"per submission, course pipeline (jail, restore, run, checks) : median {mp:.2f} s (n={len(pipeline)})"
        )
        print(f"per submission, nbclient alone on the same notebook          : median {mn:.2f} s")
        print(
            f"per submission, out-of-kernel comparison (probes + judging)  : median {statistics.median(checks):.3f} s "
            f"(range {min(checks):.3f}-{max(checks):.3f})"
        )
        print("note: a shared machine; other work ran beside this benchmark, so absolute times vary")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ours_with_class(course_dir: Path) -> Path:
    build_class(course_dir)
    return course_dir


if __name__ == "__main__":
    main()

"""Grading a class: `course grade --jobs 2` against plain `nbgrader autograde`, and the jail's overhead.

Builds 40 submissions (10 students x 4 problem sets: reference, partial and
blank answers) from a fresh release, then reports, in one run:

* the wall time of ``course grade --jobs 2`` and of plain ``nbgrader
  autograde`` (one command for the whole class, as recommended) on the same
  submissions, each in its own copy of the course, and the ratio (target:
  course grade >= 1.7x faster on 2 cores), plus whether both agree on every
  score;
* the per-submission overhead of the course's pipeline (rebuild from the
  master, static check, jail, probe, verdicts) over executing the very same
  notebook with nbclient alone, both measured in this process, one at a time.

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
            nb = reference(course_dir, ps) if kind == 0 else \
                answered(course_dir, ps, partial_answers(course_dir, ps)) if kind == 1 else blank(course_dir, ps)
            submit(course_dir, f"student{i:02d}", ps, nb)
            n += 1
    return n


def timed(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    import os
    started = time.perf_counter()
    # the course's config refuses plain nbgrader autograde unless told otherwise (course.grading.guard)
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}", "COURSE_ALLOW_PLAIN_NBGRADER": "1"}
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


def per_submission_overhead(course_dir: Path) -> tuple[list[float], list[float]]:
    """Seconds per submission: the course's whole pipeline, and nbclient alone on the same notebook."""
    from course.grading.coursedir import Course
    from course.grading.grader import Context, Task, grade_task, load_material
    from course.grading.sandbox import detect_isolation, make_base, readable_paths

    course = Course(course_dir)
    isolation = detect_isolation(course.settings.isolation)
    materials = {ps: load_material(course, ps) for ps in PROBLEM_SETS}
    base = make_base()
    ctx = Context(materials, isolation, course.settings, base,
                  readable_paths(course.settings, course.root) if isolation.mode == "namespaces" else [])
    pipeline, plain = [], []
    try:
        for i in range(OVERHEAD_SAMPLE):
            ps = PROBLEM_SETS[i % len(PROBLEM_SETS)]
            student = f"student{i % 3:02d}"
            task = Task(student, ps, course.submitted / student / ps, None)
            started = time.perf_counter()
            outcome = grade_task(task, ctx, 0)
            pipeline.append(time.perf_counter() - started)
            # the very notebook the pipeline ran (master cells restored), outputs cleared
            nb = outcome.notebooks[0].nb
            for cell in nb.cells:
                if cell.cell_type == "code":
                    cell.outputs, cell.execution_count = [], None
            started = time.perf_counter()
            NotebookClient(nb, kernel_name="python3", timeout=60, allow_errors=True, shutdown_kernel="immediate",
                           extra_arguments=["--IPKernelApp.log_level=ERROR"],
                           resources={"metadata": {"path": str(course.release / ps)}}).execute()
            plain.append(time.perf_counter() - started)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return pipeline, plain


def main() -> None:
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
        theirs = work / "nbgrader"
        shutil.copytree(ours, theirs)
        n = build_class(ours)
        build_class(theirs)
        print(f"built {n} submissions ({STUDENTS} students x {len(PROBLEM_SETS)} problem sets)")

        t_ours, proc = timed([str(BIN / "course"), "--course-dir", str(ours), "grade", "--jobs", "2"], work)
        if proc.returncode:
            sys.exit(proc.stdout + proc.stderr)
        t_theirs, proc = timed([str(BIN / "nbgrader"), "autograde", "ps*", "--force"], theirs)
        if proc.returncode:
            sys.exit(proc.stdout[-2000:] + proc.stderr[-2000:])
        a, b = scores(ours), scores(theirs)
        agree = sum(1 for k in a if a.get(k) == b.get(k))
        print(f"course grade --jobs 2   : {t_ours:6.1f} s  ({t_ours / n:.2f} s per submission)")
        print(f"nbgrader autograde      : {t_theirs:6.1f} s  ({t_theirs / n:.2f} s per submission)")
        print(f"speed-up                : {t_theirs / t_ours:.2f}x  (target >= 1.7x on 2 cores)")
        print(f"scores that agree       : {agree}/{len(a)}")

        pipeline, plain = per_submission_overhead(ours)
        mp, mn = statistics.mean(pipeline), statistics.mean(plain)
        print(f"per submission, course pipeline (jail, restore, checks) : {mp:.2f} s (mean of {len(pipeline)})")
        print(f"per submission, nbclient alone on the same notebook     : {mn:.2f} s")
        print(f"overhead                : {mp - mn:+.2f} s per submission ({(mp / mn - 1) * 100:+.0f}%)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

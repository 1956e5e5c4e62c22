"""``course grade``: autograde every submission, each in its own jail, merged into one gradebook.

The parent process (the instructor's rights) prepares, per problem set, what
grading needs: the released notebook, the master text of the locked cells
(from the gradebook), the static checker. Workers (``--jobs N`` processes,
or this process when N is 1) each take a submission, rebuild the notebook
from the master (:mod:`.restore`), run it in a fresh jail (:mod:`.sandbox`,
:mod:`.execute`), and decide what counts (:mod:`.verdict`). They return the
annotated notebook; only the parent writes ``autograded/`` and the
gradebook, one submission at a time. A submission is graded the same way
whichever worker takes it, so grading in parallel and in sequence give the
same gradebook.
"""
from __future__ import annotations

import multiprocessing
import shutil
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .coursedir import Course, CourseError
from .execute import execute
from .gradebook import GradebookWriter, NotebookOutcome, Outcome
from .integrity import ScanStudentCode
from .notebooks import SubmissionError, is_locked, is_solution, is_test, grade_id, read_notebook, read_submission
from .progress import Progress
from .restore import RestoreFromSource
from .sandbox import (Isolation, Sandbox, become_subreaper, detect_isolation, harden_course_dir, make_base,
                      readable_paths)
from .verdict import ApplyVerdicts

FAILING_STOPS = ("kernel-died", "startup")


@dataclass
class Material:
    """What grading one notebook of a problem set needs, prepared once by the parent."""

    notebook: str
    restore: RestoreFromSource
    scan: ScanStudentCode
    files: dict[str, bytes]  # student-facing files of the release, copied into each jail


@dataclass
class Task:
    student: str
    assignment: str
    directory: Path
    timestamp: str | None


def load_material(course: Course, assignment: str) -> dict[str, Material]:
    from nbgrader.api import Gradebook, MissingEntry

    release_dir = course.release / assignment
    if not release_dir.is_dir():
        raise CourseError(f"{assignment} has not been released; run `course release {assignment}` first")
    files = {str(p.relative_to(release_dir)): p.read_bytes()
             for p in sorted(release_dir.rglob("*")) if p.is_file() and p.suffix != ".ipynb"}
    out = {}
    for name in course.notebooks(assignment):
        release_path = release_dir / f"{name}.ipynb"
        if not release_path.is_file():
            raise CourseError(f"{release_path} is missing; run `course release {assignment}`")
        release_nb = read_notebook(release_path)
        with Gradebook(course.db_url, course.course_id) as gb:
            try:
                masters = {c.name: c.source for c in gb.find_notebook(name, assignment).source_cells}
            except MissingEntry:
                raise CourseError(f"the gradebook does not know {assignment}/{name}; "
                                  f"run `course release {assignment}`") from None
        source_nb = read_notebook(course.source / assignment / f"{name}.ipynb")
        tests = [masters[grade_id(c)] for c in release_nb.cells if is_test(c) and grade_id(c) in masters]
        answers = [c.source for c in source_nb.cells if c.cell_type == "code" and is_solution(c)]
        out[name] = Material(name, RestoreFromSource(masters, release_nb, f"{assignment}/{name}"),
                             ScanStudentCode(tests, answers), files)
    return out


@dataclass
class Context:
    """Shared by all workers (inherited on fork): prepared once, read only."""

    materials: dict[str, dict[str, Material]]
    isolation: Isolation
    settings: object
    base: Path
    ro_paths: list[str]


def grade_notebook(task: Task, material: Material, ctx: Context, slot: int) -> NotebookOutcome:
    name = f"{material.notebook}.ipynb"
    started = time.monotonic()
    try:
        submitted = read_submission(task.directory / name, name)
    except SubmissionError as e:
        return NotebookOutcome(material.notebook, "failed", str(e), [str(e)], None)
    nb, findings = material.restore(submitted)
    student_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not is_locked(c)]
    integrity = material.scan(nb, student_cells)
    sandbox = Sandbox(ctx.base, slot, ctx.isolation, ctx.settings, ctx.ro_paths)
    try:
        for rel, data in material.files.items():
            sandbox.add_file(rel, data)
        execution = execute(nb, sandbox, ctx.settings)
    finally:
        sandbox.cleanup()
    integrity += [f"kernel probe: {t}" for t in execution.tampering]
    ApplyVerdicts()(nb, execution, integrity)
    stop = execution.stop
    problems = list(findings)
    if stop is not None:
        problems.append(stop.reason)
    problems += integrity
    if stop is not None and stop.kind in FAILING_STOPS:
        status, reason = "failed", stop.reason
    elif integrity:
        status, reason = "failed", f"the checks were tampered with: {integrity[0]}"
    else:
        status, reason = "graded", ""
    return NotebookOutcome(material.notebook, status, reason, problems, nb, time.monotonic() - started)


def grade_task(task: Task, ctx: Context, slot: int) -> Outcome:
    notebooks = []
    for material in ctx.materials[task.assignment].values():
        try:
            notebooks.append(grade_notebook(task, material, ctx, slot))
        except Exception as e:  # noqa: BLE001 - one submission's failure must not stop the others
            reason = f"internal grader error: {type(e).__name__}: {e}"
            notebooks.append(NotebookOutcome(material.notebook, "failed", reason,
                                             [reason, traceback.format_exc(limit=3)], None))
    return Outcome(task.student, task.assignment, notebooks, task.timestamp)


# -- worker processes --------------------------------------------------------------
_worker: dict = {}


def _init_worker(slots, ctx: Context) -> None:
    _worker["slot"] = slots.get()
    _worker["ctx"] = ctx
    if ctx.isolation.mode == "none":
        become_subreaper()


def _grade_in_worker(task: Task) -> Outcome:
    return grade_task(task, _worker["ctx"], _worker["slot"])


# -- the command ---------------------------------------------------------------------
class Grader:
    def __init__(self, course: Course, jobs: int = 1, isolation: Isolation | None = None, progress: bool = True):
        self.course = course
        self.jobs = max(1, int(jobs))
        self.isolation = isolation or detect_isolation(course.settings.isolation, course.settings.sandbox_uid_base)
        self.progress = progress
        self.unrecorded: list[Outcome] = []  # graded, but the gradebook could not be written

    def tasks(self, assignments: list[str], students: list[str] | None = None) -> list[Task]:
        out = []
        if not self.course.submitted.is_dir():
            return out
        for student_dir in sorted(p for p in self.course.submitted.iterdir() if p.is_dir()):
            if students and student_dir.name not in students:
                continue
            for assignment in assignments:
                d = student_dir / assignment
                if d.is_dir():
                    stamp = d / "timestamp.txt"
                    ts = stamp.read_text().strip() if stamp.is_file() else None
                    out.append(Task(student_dir.name, assignment, d, ts or None))
        return out

    def run(self, assignments: list[str], students: list[str] | None = None, log=print) -> list[Outcome]:
        course = self.course
        tasks = self.tasks(assignments, students)
        materials = {a: load_material(course, a) for a in assignments}
        for change in harden_course_dir(course.root, self.isolation):
            log(f"  {change}")
        ro_paths = readable_paths(course.settings, course.root) if self.isolation.mode == "namespaces" else []
        base = make_base()
        ctx = Context(materials, self.isolation, course.settings, base, ro_paths)
        writer = GradebookWriter(course, self.isolation.mode)
        bar = Progress(len(tasks), "grading") if self.progress else None
        outcomes: list[Outcome] = []

        def store(outcome: Outcome) -> None:
            try:
                self._write_autograded(outcome)
                writer.save(outcome)
            except Exception as e:  # noqa: BLE001 - report it, and keep grading the others
                outcome.record_error = f"{type(e).__name__}: {e}"
                self.unrecorded.append(outcome)
            outcomes.append(outcome)
            if bar:
                bar.step(f"{outcome.assignment}/{outcome.student}: {outcome.status}")

        try:
            if self.jobs == 1 or len(tasks) <= 1:
                if self.isolation.mode == "none":
                    become_subreaper()
                for task in tasks:
                    store(grade_task(task, ctx, 0))
            else:
                mp = multiprocessing.get_context("fork")
                slots = mp.Queue()
                for i in range(self.jobs):
                    slots.put(i)
                with ProcessPoolExecutor(self.jobs, mp_context=mp, initializer=_init_worker,
                                         initargs=(slots, ctx)) as pool:
                    futures = {pool.submit(_grade_in_worker, t): t for t in tasks}
                    for future in as_completed(futures):
                        task = futures[future]
                        try:
                            outcome = future.result()
                        except Exception as e:  # noqa: BLE001 - a crashed worker fails only its submission
                            reason = f"internal grader error: {type(e).__name__}: {e}"
                            outcome = Outcome(task.student, task.assignment,
                                              [NotebookOutcome(n, "failed", reason, [reason], None)
                                               for n in materials[task.assignment]], task.timestamp)
                        store(outcome)
        finally:
            shutil.rmtree(base, ignore_errors=True)
        outcomes.sort(key=lambda o: (o.assignment, o.student))
        return outcomes

    def _write_autograded(self, outcome: Outcome) -> None:
        target = self.course.autograded / outcome.student / outcome.assignment
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for nbo in outcome.notebooks:
            if nbo.nb is not None:
                nbformat.write(nbo.nb, str(target / f"{nbo.notebook}.ipynb"))
        if outcome.timestamp:
            (target / "timestamp.txt").write_text(outcome.timestamp)

"""``course grade``: autograde every submission, each in its own jail, merged into one gradebook.

The parent process (the instructor's rights) prepares, per problem set, what
grading needs: the released notebook, the master text of the locked cells
(from the gradebook), the static checker. Workers (``--jobs N`` processes,
or this process when N is 1) each take a submission and pass one record per
notebook through the grading steps (:mod:`.steps`: read the file, restore
the locked cells, scan, run in a fresh jail, detect forged replies, apply
the verdicts, decide the status). They return the annotated notebook; only the parent writes ``autograded/`` and the
gradebook, one submission at a time. A submission is graded the same way
whichever worker takes it, so grading in parallel and in sequence give the
same gradebook.
"""

from __future__ import annotations

import multiprocessing
import shutil
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .compare import Reference, checks_of_notebook, input_checks
from .coursedir import Course, CourseError
from .gradebook import GradebookWriter, NotebookOutcome, Outcome
from .harden import harden_course_dir
from .integrity import ScanStudentCode
from .isolation import Isolation, detect_isolation
from .kernel_env import warm_data_cache
from .notebooks import HIDDEN_TESTS, grade_id, is_solution, is_test, read_notebook, remove_region
from .progress import Progress
from .readable import readable_paths
from .reap import become_subreaper
from .restore import RestoreFromSource
from .sandbox import make_base
from .steps import Record, run_steps


@dataclass
class Material:
    """What grading one notebook of a problem set needs, prepared once by the parent."""

    notebook: str
    restore: RestoreFromSource
    scan: ScanStudentCode
    files: dict[str, bytes]  # student-facing files of the release, copied into each jail
    checks: dict = None  # grade id -> [compare.Check], reference values filled in (never sent to a kernel)
    inputs: list = None  # compare.input_checks: the kernel's inputs must be the course's


@dataclass
class Task:
    student: str
    assignment: str
    directory: Path
    timestamp: str | None
    invalid: str = ""  # why the whole submission cannot be graded (e.g. its folder is a symbolic link)
    notes: list = None  # problems of the submission's other files (a malformed timestamp.txt, ...)
    refused: list = None  # what `course collect` refused to copy


def read_timestamp(folder: Path) -> tuple[str | None, str]:
    """(timestamp, problem) of a submission folder's timestamp.txt, read without following links."""
    from nbgrader.utils import parse_utc

    from . import safefs

    try:
        text = safefs.read_file(folder, "timestamp.txt", 4096).decode("utf-8", errors="replace").strip()
    except safefs.Missing:
        return None, ""
    except safefs.UnsafeFile as e:
        return None, f"{e}; graded without a submission time"
    if not text:
        return None, ""
    try:
        parse_utc(text)
    except Exception:  # noqa: BLE001 - one malformed file affects that student only
        return None, f"timestamp.txt is malformed ({text[:40]!r}); graded without a submission time"
    return text, ""


def load_material(course: Course, assignment: str) -> dict[str, Material]:
    from nbgrader.api import Gradebook, MissingEntry

    release_dir = course.release / assignment
    if not release_dir.is_dir():
        raise CourseError(f"{assignment} has not been released; run `course release {assignment}` first")
    files = {
        str(p.relative_to(release_dir)): p.read_bytes()
        for p in sorted(release_dir.rglob("*"))
        if p.is_file() and p.suffix != ".ipynb"
    }
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
                raise CourseError(
                    f"the gradebook does not know {assignment}/{name}; run `course release {assignment}`"
                ) from None
        source_nb = read_notebook(course.source / assignment / f"{name}.ipynb")
        # the scan protects what runs in the kernel: the visible part of the tests
        tests = [
            remove_region(masters[grade_id(c)], HIDDEN_TESTS)
            for c in release_nb.cells
            if is_test(c) and grade_id(c) in masters
        ]
        answers = [c.source for c in source_nb.cells if c.cell_type == "code" and is_solution(c)]
        reference = Reference(source_nb, f"{assignment}/{name}")
        checks = checks_of_notebook(masters, release_nb, reference.namespace)
        reference.fill(checks)
        inputs = input_checks(reference.input_digests(checks))
        out[name] = Material(
            name,
            RestoreFromSource(masters, release_nb, f"{assignment}/{name}"),
            ScanStudentCode(tests, answers),
            files,
            checks,
            inputs,
        )
    return out


@dataclass
class Context:
    """Shared by all workers (inherited on fork): prepared once, read only."""

    materials: dict[str, dict[str, Material]]
    isolation: Isolation
    settings: object
    base: Path
    ro_paths: list[str]
    warm: bool = False  # start each next kernel ahead (steps.execute.kernel_pool)
    remaining: object = None  # multiprocessing.Value: the submissions not yet started


# the reason of an outcome the grader itself failed (not the submission): `course grade` exits 1 on it
INTERNAL_ERROR = "internal grader error"


def grade_notebook(task: Task, material: Material, ctx: Context, slot: int) -> NotebookOutcome:
    """Grade one notebook of a submission: one record through :data:`.steps.STEPS`."""
    return run_steps(Record(task, material, ctx, slot)).outcome()


def grade_task(task: Task, ctx: Context, slot: int) -> Outcome:
    if ctx.remaining is not None:
        with ctx.remaining.get_lock():
            ctx.remaining.value -= 1
    notebooks = []
    for material in ctx.materials[task.assignment].values():
        try:
            notebooks.append(grade_notebook(task, material, ctx, slot))
        except Exception as e:  # noqa: BLE001 - one submission's failure must not stop the others
            reason = f"{INTERNAL_ERROR}: {type(e).__name__}: {e}"
            notebooks.append(
                NotebookOutcome(
                    material.notebook,
                    "failed",
                    reason,
                    [reason, traceback.format_exc(limit=3)],
                    None,
                    kind="crashed",
                )
            )
    outcome = Outcome(task.student, task.assignment, notebooks, task.timestamp)
    for note in task.notes or []:  # e.g. a malformed timestamp.txt: this student's problem only, and named
        for nbo in notebooks:
            nbo.problems.append(note)
            if nbo.kind != "invalid file":
                nbo.status, nbo.reason, nbo.kind = "failed", note, "invalid file"
            break
    return outcome


# -- worker processes --------------------------------------------------------------
_worker: dict = {}


def _init_worker(slots, ctx: Context) -> None:
    import signal

    # the instructor's Ctrl-C is the parent's to handle: a worker never turns it into a student's failure
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker["slot"] = slots.get()
    _worker["ctx"] = ctx
    if ctx.warm:  # the spare kernel and its jail go when the worker ends
        from multiprocessing.util import Finalize

        from .steps.execute import close_kernel_pool

        _worker["finalize"] = Finalize(None, close_kernel_pool, exitpriority=10)
    if ctx.isolation.mode == "none":
        become_subreaper()


def _grade_in_worker(task: Task) -> Outcome:
    return grade_task(task, _worker["ctx"], _worker["slot"])


# -- the command ---------------------------------------------------------------------
class Grader:
    def __init__(
        self, course: Course, jobs: int = 1, isolation: Isolation | None = None, progress: bool = True
    ):
        self.course = course
        self.jobs = max(1, int(jobs))
        self.isolation = isolation or detect_isolation(
            course.settings.isolation, course.settings.sandbox_uid_base, course.settings.jail
        )
        self.progress = progress
        self.unrecorded: list[Outcome] = []  # graded, but the gradebook could not be written
        self.not_graded: list[Task] = []  # left unfinished by the instructor's interrupt

    def tasks(self, assignments: list[str], students: list[str] | None = None) -> list[Task]:
        out = []
        if not self.course.submitted.is_dir():
            return out
        from .collect import refused_at_collect

        for student_dir in sorted(self.course.submitted.iterdir()):
            if student_dir.name.startswith(".") or students and student_dir.name not in students:
                continue
            if student_dir.is_symlink():
                for assignment in assignments:
                    out.append(
                        Task(
                            student_dir.name,
                            assignment,
                            student_dir,
                            None,
                            invalid=f"submitted/{student_dir.name} is a symbolic link; not followed",
                        )
                    )
                continue
            if not student_dir.is_dir():
                continue
            for assignment in assignments:
                d = student_dir / assignment
                if d.is_symlink():
                    out.append(
                        Task(
                            student_dir.name,
                            assignment,
                            d,
                            None,
                            invalid=f"submitted/{student_dir.name}/{assignment} is a symbolic link; not followed",
                        )
                    )
                elif d.is_dir():
                    ts, problem = read_timestamp(d)
                    out.append(
                        Task(
                            student_dir.name,
                            assignment,
                            d,
                            ts,
                            notes=[problem] if problem else [],
                            refused=refused_at_collect(d),
                        )
                    )
        return out

    def run(self, assignments: list[str], students: list[str] | None = None, log=print) -> list[Outcome]:
        course = self.course
        tasks = self.tasks(assignments, students)
        materials = {a: load_material(course, a) for a in assignments}
        for change in harden_course_dir(course.root, self.isolation):
            log(f"  {change}")
        ro_paths = readable_paths(course.settings, course.root) if self.isolation.mode == "namespaces" else []
        base = make_base()
        warm_data_cache(base)  # the kernels then need not validate the datasets again, each
        # a kernel started ahead shares no uid with the one running, but in isolation "none" nothing
        # keeps the running submission from reaching it: no warm pool there
        warm = bool(course.settings.warm_kernels) and self.isolation.mode != "none" and len(tasks) > 1
        remaining = multiprocessing.get_context("fork").Value("i", len(tasks)) if warm else None
        ctx = Context(materials, self.isolation, course.settings, base, ro_paths, warm, remaining)
        writer = GradebookWriter(course, self.isolation.mode)  # closed in the outer finally below
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

        interrupted = False
        try:
            try:
                if self.jobs == 1 or len(tasks) <= 1:
                    if self.isolation.mode == "none":
                        become_subreaper()
                    for task in tasks:
                        store(grade_task(task, ctx, 0))
                else:
                    self._run_pool(tasks, ctx, materials, store)
            except KeyboardInterrupt:
                interrupted = True
                # the instructor's interrupt: what is not finished stays "not graded"; a rerun finishes it
                finished = {(o.student, o.assignment) for o in outcomes}
                self.not_graded = [t for t in tasks if (t.student, t.assignment) not in finished]
                try:
                    writer.not_graded([(t.student, t.assignment) for t in self.not_graded])
                except Exception:  # noqa: BLE001
                    pass
                from .limits import release_all

                release_all(base)
        finally:
            from .steps.execute import close_kernel_pool

            close_kernel_pool(
                wait=not interrupted
            )  # --jobs 1: this process's spare kernel (the workers stop their own)
            writer.close()
            shutil.rmtree(base, ignore_errors=True)
        outcomes.sort(key=lambda o: (o.assignment, o.student))
        return outcomes

    def _run_pool(self, tasks, ctx, materials, store) -> None:
        mp = multiprocessing.get_context("fork")
        slots = mp.Queue()
        for i in range(self.jobs):
            slots.put(i)
        pool = ProcessPoolExecutor(self.jobs, mp_context=mp, initializer=_init_worker, initargs=(slots, ctx))
        try:
            futures = {pool.submit(_grade_in_worker, t): t for t in tasks}
            for future in as_completed(futures):
                task = futures[future]
                try:
                    outcome = future.result()
                except Exception as e:  # noqa: BLE001 - a crashed worker fails only its submission
                    reason = f"{INTERNAL_ERROR}: {type(e).__name__}: {e}"
                    outcome = Outcome(
                        task.student,
                        task.assignment,
                        [
                            NotebookOutcome(n, "failed", reason, [reason], None, kind="crashed")
                            for n in materials[task.assignment]
                        ],
                        task.timestamp,
                    )
                store(outcome)
        except KeyboardInterrupt:
            # stop at once: the workers' jails die with them (their launchers have a parent-death signal)
            for proc in list(getattr(pool, "_processes", {}).values()):
                try:
                    proc.kill()
                except Exception:  # noqa: BLE001
                    pass
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)

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
        carry_submission_secret(self.course.submitted / outcome.student / outcome.assignment, target)


def carry_submission_secret(submitted: Path, autograded: Path) -> None:
    """Copy ``nbgrader submit``'s submission_secret.txt into the autograded copy: ``generate_feedback``
    carries it on into feedback/, where ``nbgrader release_feedback`` needs it to name the student's
    feedback. Read without following links; a missing or unsafe file is left out (then nbgrader
    names the feedback by the notebook's hash, as for a submission without a secret)."""
    from . import safefs

    try:
        secret = safefs.read_file(submitted, "submission_secret.txt", 4096)
    except (safefs.Missing, safefs.UnsafeFile):
        return
    (autograded / "submission_secret.txt").write_bytes(secret)

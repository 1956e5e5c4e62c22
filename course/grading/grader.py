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

from .compare import Reference, checks_of_notebook
from .coursedir import Course, CourseError
from .execute import execute
from .gradebook import GradebookWriter, NotebookOutcome, Outcome
from .integrity import ScanStudentCode
from .notebooks import (
    HIDDEN_TESTS,
    SubmissionError,
    grade_id,
    is_locked,
    is_solution,
    is_test,
    read_notebook,
    read_submission,
    remove_region,
)
from .progress import Progress
from .restore import RestoreFromSource
from .sandbox import (
    Isolation,
    Sandbox,
    become_subreaper,
    detect_isolation,
    harden_course_dir,
    make_base,
    readable_paths,
)
from .verdict import ApplyVerdicts

FAILING_STOPS = ("kernel-died", "startup")
# how each way a run can stop shows in the status column
STOP_STATUS = {
    "timeout": "timed out",
    "total-timeout": "timed out",
    "kernel-died": "crashed",
    "startup": "crashed",
    "interrupted": "crashed",
    "memory": "killed (memory)",
    "output": "output-capped",
}


@dataclass
class Material:
    """What grading one notebook of a problem set needs, prepared once by the parent."""

    notebook: str
    restore: RestoreFromSource
    scan: ScanStudentCode
    files: dict[str, bytes]  # student-facing files of the release, copied into each jail
    checks: dict = None  # grade id -> [compare.Check], reference values filled in (never sent to a kernel)


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
        out[name] = Material(
            name,
            RestoreFromSource(masters, release_nb, f"{assignment}/{name}"),
            ScanStudentCode(tests, answers),
            files,
            checks,
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


def _has_code(source: str) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in source.splitlines())


def forged_replies(nb, execution) -> list[str]:
    """Test cells the kernel reported as passing although the grader, asking the same kernel for the same
    calls, got an exception: only a kernel whose replies were rewritten does that."""
    found = []
    for gid, result in execution.checks.items():
        eq = [v.why for v in result.verdicts if "redefines equality" in v.why]
        if eq:
            found.append(f"cell '{gid}': the student's code {eq[0]}, to pass equality tests")
    for index, cell in enumerate(nb.cells):
        if (
            not is_test(cell)
            or execution.status(index) != "ok"
            or not _has_code(remove_region(cell.source, HIDDEN_TESTS))
        ):
            continue
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            continue
        result = execution.checks.get(grade_id(cell))
        raised = [v.why for v in (result.verdicts if result else []) if v.why.startswith("raised ")]
        if raised:
            found.append(
                f"the kernel reported test cell '{grade_id(cell)}' as passing, but the same calls "
                f"{raised[0]} when the grader asked: its replies were forged"
            )
    return found


def grade_notebook(task: Task, material: Material, ctx: Context, slot: int) -> NotebookOutcome:
    name = f"{material.notebook}.ipynb"
    started = time.monotonic()
    refused = [r for r in (task.refused or []) if r.startswith(name + " ")]
    if refused:
        reason = f"{refused[0]} (refused by `course collect`)"
        return NotebookOutcome(material.notebook, "failed", reason, [reason], None, kind="invalid file")
    try:
        submitted = read_submission(task.directory / name, name)
    except SubmissionError as e:
        return NotebookOutcome(material.notebook, "failed", str(e), [str(e)], None, kind=e.kind)
    nb, findings = material.restore(submitted)
    student_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not is_locked(c)]
    integrity = material.scan(nb, student_cells)
    # the kernel runs the visible part of each test cell only: hidden tests never enter it
    masters = {}
    for cell in nb.cells:
        if is_test(cell) and HIDDEN_TESTS[0] in cell.source:
            masters[id(cell)] = cell.source
            cell.source = remove_region(cell.source, HIDDEN_TESTS)

    def new_sandbox():
        box = Sandbox(ctx.base, slot, ctx.isolation, ctx.settings, ctx.ro_paths)
        for rel, data in material.files.items():
            box.add_file(rel, data)
        return box

    sandbox = new_sandbox()
    try:
        execution = execute(nb, sandbox, ctx.settings, material.checks, fresh_sandbox=new_sandbox)
    finally:
        sandbox.cleanup()
    for cell in nb.cells:  # the instructor's copy shows the whole test cell, as nbgrader's does
        if id(cell) in masters:
            cell.source = masters[id(cell)]
    integrity += [f"kernel probe: {t}" for t in execution.tampering]
    integrity += forged_replies(nb, execution)
    ApplyVerdicts()(nb, execution, integrity)
    stop = execution.stop
    problems = list(findings)
    if stop is not None:
        problems.append(stop.reason)
    if execution.rerun:
        problems.append(execution.rerun)
    if execution.background:
        problems.append(
            f"the submission left {len(execution.background)} process(es) running "
            f"({'; '.join(execution.background[:3])}); they were stopped with its jail"
        )
    problems += [
        f"the checks of cell '{gid}' could not run: {r.problem}"
        for gid, r in execution.checks.items()
        if r.problem
    ]
    problems += integrity
    status, kind, reason = "graded", "", ""
    if integrity:
        status, kind, reason = "failed", "tampered", f"the checks were tampered with: {integrity[0]}"
    elif stop is not None:
        kind = STOP_STATUS.get(stop.kind, "crashed")
        status, reason = ("failed" if stop.kind in FAILING_STOPS else "graded"), stop.reason
    elif findings:  # edited, deleted or moved locked cells: restored, and graded as restored
        kind, reason = "tampered", findings[0]
    return NotebookOutcome(
        material.notebook,
        status,
        reason,
        problems,
        nb,
        time.monotonic() - started,
        kind,
        execution.check_seconds,
    )


def grade_task(task: Task, ctx: Context, slot: int) -> Outcome:
    notebooks = []
    for material in ctx.materials[task.assignment].values():
        if task.invalid:
            notebooks.append(
                NotebookOutcome(
                    material.notebook, "failed", task.invalid, [task.invalid], None, kind="invalid file"
                )
            )
            continue
        try:
            notebooks.append(grade_notebook(task, material, ctx, slot))
        except Exception as e:  # noqa: BLE001 - one submission's failure must not stop the others
            reason = f"internal grader error: {type(e).__name__}: {e}"
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
            course.settings.isolation, course.settings.sandbox_uid_base
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
            try:
                if self.jobs == 1 or len(tasks) <= 1:
                    if self.isolation.mode == "none":
                        become_subreaper()
                    for task in tasks:
                        store(grade_task(task, ctx, 0))
                else:
                    self._run_pool(tasks, ctx, materials, store)
            except KeyboardInterrupt:
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
                    reason = f"internal grader error: {type(e).__name__}: {e}"
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

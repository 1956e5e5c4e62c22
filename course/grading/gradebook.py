"""The one gradebook: writing grading results, the grading status, the CSV export.

Only the grader's parent process writes here, after a submission's kernel is
gone. Scores are written by nbgrader's own ``SaveAutoGrades`` from the
annotated notebook; the course adds one table, ``course_grading_status``,
so that an export can tell *failed to grade* and *waiting for manual
grading* from an honest zero.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field

from nbformat import NotebookNode
from sqlalchemy import text

STATUS_TABLE = "course_grading_status"
# Every way grading can end has its own status (the export shows "<status>: <reason>"), most serious first.
STATUSES = ("invalid file", "tampered", "crashed", "killed (memory)", "timed out", "output-capped")
FINAL = ("graded", "needs-manual-grading", "not submitted", "not graded")


@dataclass
class NotebookOutcome:
    notebook: str
    status: str  # "graded" or "failed"
    reason: str = ""
    problems: list[str] = field(default_factory=list)
    nb: NotebookNode | None = None  # the annotated, executed notebook (None when it could not be read)
    seconds: float = 0.0
    kind: str = ""  # the kind of failure (see STATUSES), when status is "failed"
    check_seconds: float = 0.0  # of which: the out-of-kernel checks


@dataclass
class Outcome:
    student: str
    assignment: str
    notebooks: list[NotebookOutcome]
    timestamp: str | None = None
    record_error: str = ""  # set when the gradebook could not be written
    pending_manual: float = 0.0  # points of written answers still to mark (set when the gradebook is written)

    def _worst(self) -> list[NotebookOutcome]:
        kinds = [n.kind for n in self.notebooks if n.kind in STATUSES]
        if not kinds:
            return []
        worst = min(kinds, key=STATUSES.index)
        return [n for n in self.notebooks if n.kind == worst]

    @property
    def status(self) -> str:
        """The most serious of STATUSES among its notebooks, else needs-manual-grading while written
        answers are unmarked, else graded."""
        worst = self._worst()
        if worst:
            return worst[0].kind
        return "needs-manual-grading" if self.pending_manual > 0 else "graded"

    @property
    def failed(self) -> bool:
        return any(n.status == "failed" for n in self.notebooks)

    @property
    def reason(self) -> str:
        if not self._worst() and self.pending_manual > 0:
            return (
                f"{self.pending_manual:g} point(s) of written answers to mark by hand "
                f"(`course mark` or Formgrader)"
            )
        return "; ".join(
            f"{n.notebook}: {n.reason}" if len(self.notebooks) > 1 else n.reason for n in self._worst()
        )

    @property
    def problems(self) -> list[str]:
        return [p for n in self.notebooks for p in n.problems]


def _gradebook(course):
    from nbgrader.api import Gradebook

    return Gradebook(course.db_url, course.course_id)


class SharedEngine:
    """While open, every nbgrader ``Gradebook`` of ``db_url`` made in this process (the course's own and
    those ``SaveAutoGrades`` and ``AssignLatePenalties`` open for each notebook) uses one SQLAlchemy engine.

    A new engine per gradebook means a new connection pool and an empty cache of compiled statements, so
    every save compiled nbgrader's queries afresh. What is written is the same: each gradebook still has
    its own session and commits as before; only the engine, and its open connection, outlive it.
    """

    def __init__(self, db_url: str):
        self.db_url = db_url
        self.engine = None
        self._create = None
        self._dispose = None

    def open(self) -> SharedEngine:
        import nbgrader.api as api

        if self.engine is not None:
            return self
        self._create = create = api.create_engine
        self.engine = engine = create(self.db_url, echo=False, future=True)
        self._dispose = engine.dispose
        engine.dispose = lambda *args, **kwargs: None  # Gradebook.close must not drop the shared pool

        def create_engine(url, *args, **kwargs):
            return engine if str(url) == self.db_url else create(url, *args, **kwargs)

        api.create_engine = create_engine
        return self

    def close(self) -> None:
        import nbgrader.api as api

        if self.engine is None:
            return
        api.create_engine = self._create
        del self.engine.dispose  # the engine's own again
        self._dispose()
        self.engine = self._create = self._dispose = None

    def __enter__(self) -> SharedEngine:
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()


def ensure_table(gb, name: str, columns: str) -> None:
    """Create one of the course's own tables beside nbgrader's, keyed by (assignment, student)."""
    with gb.engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {name} ("
                " assignment_id VARCHAR(128) NOT NULL, student_id VARCHAR(128) NOT NULL,"
                f" {columns}, PRIMARY KEY (assignment_id, student_id))"
            )
        )


def ensure_status_table(gb) -> None:
    ensure_table(
        gb,
        STATUS_TABLE,
        "status VARCHAR(32) NOT NULL, reason TEXT, problems TEXT, isolation VARCHAR(32), graded_at VARCHAR(32)",
    )


def load_statuses(gb) -> dict[tuple[str, str], dict]:
    ensure_status_table(gb)
    with gb.engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT assignment_id, student_id, status, reason, problems, isolation FROM {STATUS_TABLE}")
        ).fetchall()
    return {
        (a, s): {"status": st, "reason": r or "", "problems": json.loads(p or "[]"), "isolation": i}
        for a, s, st, r, p, i in rows
    }


class GradebookWriter:
    """Writes one :class:`Outcome` into the gradebook (parent process only). Until :meth:`close`, its
    gradebooks share one engine (:class:`SharedEngine`)."""

    def __init__(self, course, isolation: str):
        self.course = course
        self.isolation = isolation
        self.shared = SharedEngine(course.db_url).open()
        try:
            with _gradebook(course) as gb:
                ensure_status_table(gb)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.shared.close()

    def __enter__(self) -> GradebookWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def not_graded(self, keys: list[tuple[str, str]]) -> None:
        """Grading of these (student, assignment) was interrupted by the instructor: say so (scores untouched).
        One gradebook session for all of them: the interrupt must take effect within seconds."""
        with _gradebook(self.course) as gb:
            for student, assignment in keys:
                try:
                    gb.update_or_create_student(student)
                    gb.update_or_create_submission(assignment, student)
                    _write_status(
                        gb,
                        assignment,
                        student,
                        "not graded",
                        "grading was interrupted before this submission finished; run `course grade` again",
                        [],
                        self.isolation,
                    )
                except Exception:  # noqa: BLE001 - the others still get their status
                    continue

    def save(self, outcome: Outcome) -> None:
        from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades
        from nbgrader.utils import parse_utc

        course, a, s = self.course, outcome.assignment, outcome.student
        with _gradebook(course) as gb:
            gb.update_or_create_student(s)
            from .policy import extension_of

            kwargs = {"timestamp": parse_utc(outcome.timestamp)} if outcome.timestamp else {}
            extension = extension_of(gb, gb.find_assignment(a), s)  # given with `course extend`, if any
            if extension is not None:  # else leave an extension nbgrader or Formgrader recorded
                kwargs["extension"] = extension
            gb.update_or_create_submission(a, s, **kwargs)
            for nbo in outcome.notebooks:
                if nbo.nb is None:
                    # nothing could be run: every cell of this notebook scores 0, and says why
                    sub = gb.find_submission_notebook(nbo.notebook, a, s)
                    for grade in sub.grades:
                        grade.auto_score = 0.0
                        grade.needs_manual_grade = False
                    for comment in sub.comments:
                        comment.auto_comment = f"Not graded: {nbo.reason}"
                    gb.db.commit()
        for nbo in outcome.notebooks:
            if nbo.nb is not None:
                resources = {
                    "nbgrader": {
                        "notebook": nbo.notebook,
                        "assignment": a,
                        "student": s,
                        "db_url": course.db_url,
                    }
                }
                SaveAutoGrades().preprocess(nbo.nb, resources)
                AssignLatePenalties(config=course.config).preprocess(nbo.nb, resources)
        with _gradebook(course) as gb:
            outcome.pending_manual = _pending_points(gb.find_submission(a, s))
            _write_status(gb, a, s, outcome.status, outcome.reason, outcome.problems, self.isolation)


def _write_status(gb, a, s, status, reason, problems, isolation) -> None:
    ensure_status_table(gb)
    with gb.engine.begin() as conn:
        conn.execute(
            text(f"DELETE FROM {STATUS_TABLE} WHERE assignment_id = :a AND student_id = :s"), {"a": a, "s": s}
        )
        conn.execute(
            text(
                f"INSERT INTO {STATUS_TABLE} (assignment_id, student_id, status, reason, problems, isolation,"
                " graded_at) VALUES (:a, :s, :status, :reason, :problems, :isolation, :at)"
            ),
            {
                "a": a,
                "s": s,
                "status": status,
                "reason": reason,
                "problems": json.dumps(problems),
                "isolation": isolation,
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            },
        )


def _pending_points(submission) -> float:
    return sum(
        (
            g.max_score
            for nb in submission.notebooks
            for g in nb.grades
            if g.needs_manual_grade and g.manual_score is None
        ),
        0.0,
    )


def submission_status(submission, recorded: dict | None) -> tuple[str, float]:
    """(export status, pending manual points) of one submission (None: not submitted)."""
    if submission is None:
        return "not submitted", 0.0
    pending = _pending_points(submission)
    if recorded and recorded["status"] not in ("graded", "needs-manual-grading"):
        reason = recorded["reason"]
        return (f"{recorded['status']}: {reason}" if reason else recorded["status"]), pending
    if pending > 0:
        return "needs-manual-grading", pending
    return "graded", 0.0


EXPORT_COLUMNS = [
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
    "status",
    "pending_points",
    "problems",
]


GRADED = ("graded", "needs-manual-grading")


def graded_students(course, assignment: str) -> list[str]:
    """Students with a submission of ``assignment`` in the gradebook that grading did not fail."""
    from nbgrader.api import MissingEntry

    with _gradebook(course) as gb:
        statuses = load_statuses(gb)
        try:
            submissions = gb.find_assignment(assignment).submissions
        except MissingEntry:
            return []
        out = []
        for sub in submissions:
            status, _ = submission_status(sub, statuses.get((assignment, sub.student.id)))
            if status in GRADED:
                out.append(sub.student.id)
    return sorted(out)


def missing_copy_status(course, assignment: str, student: str) -> str:
    return (
        f"no autograded copy: {course.autograded.name}/{student}/{assignment} is missing, so its feedback "
        f"cannot be written; run `course grade {assignment} --student {student}`"
    )


def export_rows(course) -> list[dict]:
    """One row per assignment and student, as nbgrader's CSV export, plus status, pending points, problems."""
    from nbgrader.api import MissingEntry

    from .policy import refresh_penalties

    refresh_penalties(course)  # penalties follow the current scores (hand marks made in Formgrader too)
    rows = []
    with _gradebook(course) as gb:
        statuses = load_statuses(gb)
        students = sorted(gb.students, key=lambda st: st.id)
        for assignment in sorted(gb.assignments, key=lambda a: (a.duedate or dt.datetime.min, a.name)):
            for student in students:
                try:
                    sub = gb.find_submission(assignment.name, student.id)
                except MissingEntry:
                    sub = None
                recorded = statuses.get((assignment.name, student.id))
                status, pending = submission_status(sub, recorded)
                if status in GRADED and not (course.autograded / student.id / assignment.name).is_dir():
                    status = missing_copy_status(course, assignment.name, student.id)
                penalty = sub.late_submission_penalty if sub is not None else 0.0
                raw = sub.score if sub is not None else 0.0
                rows.append(
                    {
                        "assignment": assignment.name,
                        "duedate": assignment.duedate or "",
                        "timestamp": sub.timestamp if sub is not None and sub.timestamp else "",
                        "student_id": student.id,
                        "last_name": student.last_name or "",
                        "first_name": student.first_name or "",
                        "email": student.email or "",
                        "raw_score": raw,
                        "late_submission_penalty": penalty,
                        "score": max(0.0, raw - penalty),
                        "max_score": assignment.max_score,
                        "status": status,
                        "pending_points": pending,
                        "problems": "; ".join(recorded["problems"]) if recorded else "",
                    }
                )
    return rows


def export_csv(course) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(export_rows(course))
    return out.getvalue()


def snapshot(course) -> dict:
    """Everything grading decides, without ids or times: two gradings agree iff their snapshots do."""
    out: dict = {}
    with _gradebook(course) as gb:
        statuses = load_statuses(gb)
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                key = f"{assignment.name}/{sub.student.id}"
                cells = {}
                for nb in sub.notebooks:
                    for g in nb.grades:
                        cells[f"{nb.name}/{g.name}"] = [
                            g.auto_score,
                            g.manual_score,
                            bool(g.needs_manual_grade),
                        ]
                    for c in nb.comments:
                        cells[f"{nb.name}/{c.name}/comment"] = c.auto_comment
                recorded = statuses.get((assignment.name, sub.student.id), {})
                out[key] = {
                    "score": sub.score,
                    "cells": cells,
                    "status": recorded.get("status"),
                    "reason": recorded.get("reason"),
                    "problems": recorded.get("problems"),
                }
    return out

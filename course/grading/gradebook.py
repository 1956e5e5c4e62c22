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

    def _worst(self) -> list[NotebookOutcome]:
        kinds = [n.kind for n in self.notebooks if n.kind in STATUSES]
        if not kinds:
            return []
        worst = min(kinds, key=STATUSES.index)
        return [n for n in self.notebooks if n.kind == worst]

    @property
    def status(self) -> str:
        """graded, or the most serious of STATUSES among its notebooks."""
        worst = self._worst()
        return worst[0].kind if worst else "graded"

    @property
    def failed(self) -> bool:
        return any(n.status == "failed" for n in self.notebooks)

    @property
    def reason(self) -> str:
        return "; ".join(
            f"{n.notebook}: {n.reason}" if len(self.notebooks) > 1 else n.reason for n in self._worst()
        )

    @property
    def problems(self) -> list[str]:
        return [p for n in self.notebooks for p in n.problems]


def _gradebook(course):
    from nbgrader.api import Gradebook

    return Gradebook(course.db_url, course.course_id)


def ensure_status_table(gb) -> None:
    with gb.engine.begin() as conn:
        conn.execute(
            text(
                f"CREATE TABLE IF NOT EXISTS {STATUS_TABLE} ("
                " assignment_id VARCHAR(128) NOT NULL, student_id VARCHAR(128) NOT NULL,"
                " status VARCHAR(32) NOT NULL, reason TEXT, problems TEXT, isolation VARCHAR(32),"
                " graded_at VARCHAR(32), PRIMARY KEY (assignment_id, student_id))"
            )
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
    """Writes one :class:`Outcome` into the gradebook (parent process only)."""

    def __init__(self, course, isolation: str):
        self.course = course
        self.isolation = isolation
        with _gradebook(course) as gb:
            ensure_status_table(gb)

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
            kwargs = {"timestamp": parse_utc(outcome.timestamp)} if outcome.timestamp else {}
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


def export_rows(course) -> list[dict]:
    """One row per assignment and student, as nbgrader's CSV export, plus status, pending points, problems."""
    from nbgrader.api import MissingEntry

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

"""Grading policy an instructor sets: due dates, the late penalty, per-student extensions.

* **Due date**: ``course release PS --due DATE`` (or ``course due PS DATE``) stores it on the
  assignment in nbgrader's gradebook, where Formgrader, nbgrader's late-penalty code and
  ``course export`` (its ``duedate`` column) read it.
* **Late penalty**: :class:`LatePenalty`, an nbgrader ``LateSubmissionPlugin`` set in
  ``nbgrader_config.py``::

      c.AssignLatePenalties.plugin_class = "course.grading.policy.LatePenalty"
      c.LatePenalty.percent_per_day = 10   # of the notebook's score, per started day late
      c.LatePenalty.flat_percent = 0       # once, for any late submission
      c.LatePenalty.grace_minutes = 15     # late by at most this much: no penalty
      c.LatePenalty.max_percent = 100      # the penalty never exceeds this share of the score

  A submission counts as late by the time between its (possibly extended) due date and the
  timestamp ``nbgrader submit`` wrote. The penalty is a share of the score, so it is computed again
  from the current score whenever a score changes through the course (``course grade``,
  ``course mark``, ``course extend``) and before ``course feedback`` and ``course export``: marks
  given by hand in Formgrader are penalised like the rest.
* **Extensions**: ``course extend PS STUDENT --until DATE`` moves one student's due date (nbgrader's
  own ``SubmittedAssignment.extension``); ``--clear`` removes it. It can be given before the student
  submits: the course keeps it in its table ``course_extensions`` and applies it when the submission
  is graded.
"""

from __future__ import annotations

import datetime as dt
import math

from nbgrader.plugins import LateSubmissionPlugin
from sqlalchemy import text
from traitlets import Float

from .coursedir import CourseError

EXTENSIONS_TABLE = "course_extensions"


class LatePenalty(LateSubmissionPlugin):
    """A share of the score per started day late, plus an optional flat share, after a grace period."""

    percent_per_day = Float(10.0, help="percent of the score lost per started day late").tag(config=True)
    flat_percent = Float(0.0, help="percent of the score lost once by any late submission").tag(config=True)
    grace_minutes = Float(0.0, help="a submission at most this late is not penalised").tag(config=True)
    max_percent = Float(100.0, help="the penalty never exceeds this percent of the score").tag(config=True)

    def percent(self, total_seconds_late: float) -> float:
        if total_seconds_late <= self.grace_minutes * 60:
            return 0.0
        days = math.ceil(total_seconds_late / 86400)
        return min(self.max_percent, self.flat_percent + self.percent_per_day * days)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:
        return round(score * self.percent(total_seconds_late) / 100.0, 6)


def parse_date(value: str) -> dt.datetime:
    """A date or time the instructor typed, as naive UTC (nbgrader's convention).

    ISO 8601 (``2026-03-01``, ``2026-03-01 17:00``, ``2026-03-01T17:00+02:00``) or nbgrader's own
    ``2026-03-01 17:00:00 Europe/Helsinki``; without an offset or zone it is UTC. A date alone means
    the end of that day (23:59:59)."""
    from nbgrader.utils import parse_utc

    try:
        when = parse_utc(value.strip())
    except Exception as e:  # noqa: BLE001 - dateutil raises several kinds
        raise CourseError(
            f"cannot read the date {value!r} ({e}); write e.g. 2026-03-01 17:00 (UTC) or 2026-03-01T17:00+02:00"
        ) from None
    if len(value.strip()) == 10 and when.time() == dt.time(0, 0):
        when = when.replace(hour=23, minute=59, second=59)
    return when


def _gradebook(course):
    from nbgrader.api import Gradebook

    return Gradebook(course.db_url, course.course_id)


def _assignment(gb, name: str):
    from nbgrader.api import MissingEntry

    try:
        return gb.find_assignment(name)
    except MissingEntry:
        raise CourseError(f"the gradebook does not know {name}; run `course release {name}` first") from None


def _student(gb, student: str):
    from nbgrader.api import MissingEntry

    try:
        return gb.find_student(student)
    except MissingEntry:
        known = ", ".join(sorted(s.id for s in gb.students)[:20]) or "none yet"
        raise CourseError(
            f"unknown student {student!r} (known: {known}); add students with `course roster import FILE`"
        ) from None


def set_due(course, assignment: str, when: dt.datetime) -> None:
    with _gradebook(course) as gb:
        _assignment(gb, assignment).duedate = when
        gb.db.commit()
    refresh_penalties(course, assignment)


def ensure_extensions_table(gb) -> None:
    from .gradebook import ensure_table

    ensure_table(gb, EXTENSIONS_TABLE, "until VARCHAR(32) NOT NULL")


def extensions(gb) -> dict[tuple[str, str], dt.datetime]:
    """(assignment, student) -> the extended due date (naive UTC)."""
    ensure_extensions_table(gb)
    with gb.engine.connect() as conn:
        rows = conn.execute(
            text(f"SELECT assignment_id, student_id, until FROM {EXTENSIONS_TABLE}")
        ).fetchall()
    return {(a, s): dt.datetime.fromisoformat(u) for a, s, u in rows}


def extension_of(gb, assignment, student: str) -> dt.timedelta | None:
    """The nbgrader extension (a timedelta past the due date) recorded for one student, or None."""
    until = extensions(gb).get((assignment.name, student))
    if until is None or assignment.duedate is None:
        return None
    return until - assignment.duedate


def extend(course, assignment: str, student: str, until: dt.datetime | None) -> str:
    """Give ``student`` until ``until`` for ``assignment`` (None: remove the extension). Returns a summary."""
    from nbgrader.api import MissingEntry

    with _gradebook(course) as gb:
        a = _assignment(gb, assignment)
        _student(gb, student)
        if a.duedate is None:
            raise CourseError(
                f"{assignment} has no due date to extend; set one with `course release {assignment} --due DATE`"
            )
        if until is not None and until <= a.duedate:
            raise CourseError(
                f"{until:%Y-%m-%d %H:%M} UTC is not after the due date of {assignment} "
                f"({a.duedate:%Y-%m-%d %H:%M} UTC); an extension must end later"
            )
        ensure_extensions_table(gb)
        with gb.engine.begin() as conn:
            conn.execute(
                text(f"DELETE FROM {EXTENSIONS_TABLE} WHERE assignment_id = :a AND student_id = :s"),
                {"a": assignment, "s": student},
            )
            if until is not None:
                conn.execute(
                    text(
                        f"INSERT INTO {EXTENSIONS_TABLE} (assignment_id, student_id, until) VALUES (:a, :s, :u)"
                    ),
                    {"a": assignment, "s": student, "u": until.isoformat()},
                )
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            sub = None
        if sub is not None:
            sub.extension = None if until is None else until - a.duedate
            gb.db.commit()
        due = a.duedate
    if sub is not None:
        refresh_penalties(course, assignment, student)
    if until is None:
        return f"{student} has no extension for {assignment}: due {due:%Y-%m-%d %H:%M} UTC"
    return f"{student} has until {until:%Y-%m-%d %H:%M} UTC for {assignment} (due {due:%Y-%m-%d %H:%M} UTC)"


def refresh_penalties(course, assignment: str | None = None, student: str | None = None) -> int:
    """Compute every late penalty again from the current scores (nbgrader's ``AssignLatePenalties`` with
    the configured plugin). Returns the number of notebooks looked at."""
    import nbformat
    from nbgrader.preprocessors import AssignLatePenalties

    with _gradebook(course) as gb:
        keys = [
            (a.name, sub.student.id, nb.name)
            for a in gb.assignments
            if assignment is None or a.name == assignment
            for sub in a.submissions
            if student is None or sub.student.id == student
            for nb in sub.notebooks
        ]
    for a, s, nb in keys:
        resources = {"nbgrader": {"notebook": nb, "assignment": a, "student": s, "db_url": course.db_url}}
        AssignLatePenalties(config=course.config).preprocess(nbformat.v4.new_notebook(), resources)
    return len(keys)

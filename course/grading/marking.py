"""``course mark PS STUDENT CELL POINTS [--comment TEXT]``: a hand mark without a browser.

It writes what Formgrader writes, through nbgrader's gradebook: the cell's ``manual_score`` (and,
with ``--comment``, the cell's ``manual_comment``), so Formgrader, ``course feedback`` and
``course export`` see it. ``CELL`` is the cell's nbgrader grade id (``q5_analysis``), or
``NOTEBOOK/GRADE_ID`` when a problem set has several notebooks. It refuses, naming what it knows:
an unknown problem set, student or cell, a student with no graded submission, and points below 0
or above the cell's maximum.
"""

from __future__ import annotations

from dataclasses import dataclass

from .coursedir import CourseError


@dataclass
class MarkReport:
    assignment: str
    student: str
    cell: str
    points: float
    max_points: float
    pending: float  # points of written answers still to mark in this submission
    penalty: float  # the late penalty after the mark


def mark(course, assignment: str, student: str, cell: str, points: float, comment: str | None = None):
    from nbgrader.api import Gradebook, MissingEntry

    from .gradebook import _pending_points
    from .policy import refresh_penalties

    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            known = ", ".join(sorted(a.name for a in gb.assignments)) or "none released"
            raise CourseError(f"unknown problem set {assignment!r} (the gradebook has: {known})") from None
        try:
            gb.find_student(student)
        except MissingEntry:
            raise CourseError(
                f"unknown student {student!r}; `course export` lists the students the gradebook knows"
            ) from None
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            raise CourseError(
                f"{student} has no graded submission of {assignment}; run `course collect {assignment}` and "
                f"`course grade {assignment}` first"
            ) from None
        notebook, _, name = cell.rpartition("/")
        grades = [
            g
            for nb in sub.notebooks
            for g in nb.grades
            if g.name == name and (not notebook or nb.name == notebook)
        ]
        if not grades:
            manual = sorted(
                f"{nb.name}/{g.name}" if len(sub.notebooks) > 1 else g.name
                for nb in sub.notebooks
                for g in nb.grades
                if g.name in {sc.name for sc in nb.notebook.solution_cells}  # a manually graded answer
            )
            every = sorted(
                f"{nb.name}/{g.name}" if len(sub.notebooks) > 1 else g.name
                for nb in sub.notebooks
                for g in nb.grades
            )
            raise CourseError(
                f"{assignment} has no graded cell {cell!r}; its hand-marked cells: {', '.join(manual) or 'none'}"
                f" (every graded cell: {', '.join(every)})"
            )
        if len(grades) > 1:
            raise CourseError(
                f"cell {cell!r} is in several notebooks of {assignment}; write NOTEBOOK/{name}, e.g. "
                f"{grades[0].notebook.name}/{name}"
            )
        grade = grades[0]
        if points != points or points < 0:  # NaN or negative
            raise CourseError(f"{points:g} is not a mark: give 0 to {grade.max_score:g} points")
        if points > grade.max_score:
            raise CourseError(
                f"{points:g} points is more than cell {name!r} is worth ({grade.max_score:g} points)"
            )
        comments = [c for c in grade.notebook.comments if c.name == name]
        if comment is not None and not comments:
            raise CourseError(f"cell {name!r} takes no comment (it is not an answer cell)")
        grade.manual_score = float(points)
        grade.needs_manual_grade = False  # as Formgrader does
        if comment is not None:
            comments[0].manual_comment = comment
        gb.db.commit()
        max_points = grade.max_score
    refresh_penalties(course, assignment, student)
    with Gradebook(course.db_url, course.course_id) as gb:
        sub = gb.find_submission(assignment, student)
        return MarkReport(
            assignment,
            student,
            name,
            float(points),
            max_points,
            _pending_points(sub),
            sub.late_submission_penalty,
        )

"""``course export --format nbgrader|canvas|moodle [--per-question]``: grades for the platforms they go to.

``nbgrader`` (the default) is :func:`course.grading.gradebook.export_csv`, one
row per problem set and student with nbgrader's columns plus ``status``,
``pending_points`` and ``problems``. The other two are one row per student,
one column per problem set, in the layout each platform's gradebook import
reads:

* **Canvas** (Instructure's guide "How do I import grades in the Gradebook?",
  community.canvaslms.com, and the column layout of Canvas's own gradebook
  export, which its import reads back): the columns ``Student`` (``Last,
  First``), ``ID`` (Canvas's user id), ``SIS User ID``, ``SIS Login ID`` and
  ``Section``, then one column per assignment; the second row is ``Points
  Possible``. Canvas matches a row to a student by ``ID``, ``SIS User ID`` or
  ``SIS Login ID``, and a column to an assignment by the id in ``Name (id)``,
  else by its name; a column it does not know becomes a new assignment with
  the points of the ``Points Possible`` row. A blank score changes nothing.
  We write nbgrader's ``lms_user_id`` (set by nbgrader's LTI/roster import)
  as ``ID`` and the nbgrader student id, which is the student's login, as
  ``SIS Login ID`` (``canvas_id_field="sis_user_id"`` moves it).
* **Moodle** (MoodleDocs, "Grade import", CSV import): any columns, one row
  per user; at import the teacher maps one column to a user field
  (*Map from* ``Email address`` to ``useremail``, ``ID number`` to
  ``useridnumber``, or ``Username`` to ``username``) and each grade column to
  a grade item (or a new one). We write ``First name``, ``Last name``, ``ID
  number`` (``lms_user_id``), ``Username`` (the nbgrader id) and ``Email
  address``, then the grades.

In the Canvas and Moodle files, only a submission whose status is ``graded``
gets a score; every other cell is left blank (not a zero) and listed in the
warnings: a failed or pending grade is not an honest zero.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from .coursedir import CourseError
from .scores import AssignmentScores, Student, load

FORMATS = ("nbgrader", "canvas", "moodle")
CANVAS_ID_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "Points Possible"
MOODLE_ID_COLUMNS = ["First name", "Last name", "ID number", "Username", "Email address"]


@dataclass
class Export:
    text: str
    rows: int  # data rows (students, or problem set x student for nbgrader)
    counts: dict[str, int] = field(default_factory=dict)  # status kind -> number of (student, problem set)
    warnings: list[str] = field(default_factory=list)


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _names(items: list[str], limit: int = 8) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _columns(
    assignments: list[AssignmentScores], per_question: bool
) -> list[tuple[str, str, str | None, float]]:
    """(header, assignment, question or None, points possible), in order."""
    cols = []
    for a in assignments:
        cols.append((a.name, a.name, None, a.max_score))
        if per_question:
            cols += [(f"{a.name} {q}", a.name, q, pts) for q, pts in a.questions()]
    return cols


def _wide(assignments, students, per_question, ident, id_header, points_row, platform) -> Export:
    cols = _columns(assignments, per_question)
    by_name = {a.name: a for a in assignments}
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(id_header + [c[0] for c in cols])
    if points_row:
        w.writerow(points_row + [""] * (len(id_header) - len(points_row)) + [_num(c[3]) for c in cols])
    blank: list[str] = []
    counts: dict[str, int] = {}
    for st in students:
        row = ident(st)
        for a in assignments:
            kind = a.results[st.id].kind
            counts[kind] = counts.get(kind, 0) + 1
            if kind != "graded":
                blank.append(f"{st.id}/{a.name} ({kind})")
        for _, aname, q, _ in cols:
            a = by_name[aname]
            r = a.results[st.id]
            if r.kind != "graded":
                row.append("")
            elif q is None:
                row.append(_num(r.score))
            else:
                row.append(_num(r.question(a.cells, q)))
        w.writerow(row)
    warnings = []
    if blank:
        warnings.append(
            f"{len(blank)} score(s) left blank, not zero, because the submission is not fully graded: "
            f"{_names(blank)}. Grade, mark or check them (`course export` shows why), then export again; "
            f"{platform} imports no score from a blank cell."
        )
    return Export(out.getvalue(), len(students), counts, warnings)


def canvas(assignments, students, per_question=False, canvas_id_field="sis_login_id") -> Export:
    if canvas_id_field not in ("sis_login_id", "sis_user_id"):
        raise CourseError(f"canvas_id_field must be sis_login_id or sis_user_id, not {canvas_id_field!r}")

    def ident(st: Student) -> list[str]:
        login = st.id if canvas_id_field == "sis_login_id" else ""
        sis = st.id if canvas_id_field == "sis_user_id" else ""
        return [st.sortable_name, st.lms_user_id, sis, login, ""]

    result = _wide(
        assignments, students, per_question, ident, CANVAS_ID_COLUMNS, [CANVAS_POINTS_ROW], "Canvas"
    )
    column = "SIS Login ID" if canvas_id_field == "sis_login_id" else "SIS User ID"
    _warn_first(
        result,
        [st.id for st in students if not st.lms_user_id],
        "{n} student(s) have no Canvas user ID (nbgrader's lms_user_id), so their ID cell is blank "
        f"and Canvas must match them by {column}, which holds their nbgrader id: {{names}}. "
        f"If that is not their {column} in Canvas, the import will not find them.",
    )
    unnamed = [st.id for st in students if not (st.first_name and st.last_name)]
    if unnamed:
        result.warnings.append(
            f"{len(unnamed)} student(s) have no first and last name in the gradebook; their Student cell holds "
            f"their id instead: {_names(unnamed)}."
        )
    return result


def moodle(assignments, students, per_question=False) -> Export:
    def ident(st: Student) -> list[str]:
        return [st.first_name, st.last_name, st.lms_user_id, st.id, st.email]

    result = _wide(assignments, students, per_question, ident, MOODLE_ID_COLUMNS, None, "Moodle")
    _warn_first(
        result,
        [st.id for st in students if not st.email],
        "{n} student(s) have no email in the gradebook, so their Email address cell is blank: "
        "{names}. In Moodle's import map from 'Username' to 'username' instead (it holds the "
        "nbgrader id), or add their emails to the gradebook first.",
    )
    return result


def _warn_first(result: Export, ids: list[str], message: str) -> None:
    """Put ``message`` (with ``{n}`` and ``{names}`` of the students ``ids``) first among the export's
    warnings, when there are such students."""
    if ids:
        result.warnings.insert(0, message.format(n=len(ids), names=_names(ids)))


def nbgrader_csv(course, assignments, per_question=False) -> Export:
    from .gradebook import EXPORT_COLUMNS, export_rows

    rows = export_rows(course)
    if assignments is not None:
        chosen = {a.name for a in assignments}
        rows = [r for r in rows if r["assignment"] in chosen]
    fields = list(EXPORT_COLUMNS)
    if per_question:
        scores = {a.name: a for a in assignments or load(course)[1]}
        extra = []
        for a in scores.values():
            extra += [f"{a.name} {q}" for q, _ in a.questions()]
        fields += extra
        for r in rows:
            a = scores.get(r["assignment"])
            res = a.results.get(r["student_id"]) if a else None
            for q, _ in a.questions() if a else []:
                r[f"{a.name} {q}"] = (
                    _num(res.question(a.cells, q)) if res and res.kind != "not submitted" else ""
                )
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=fields, lineterminator="\n", restval="")
    w.writeheader()
    w.writerows(rows)
    counts: dict[str, int] = {}
    for r in rows:
        key = r["status"].split(":")[0]
        counts[key] = counts.get(key, 0) + 1
    return Export(out.getvalue(), len(rows), counts)


def export(
    course,
    fmt: str = "nbgrader",
    *,
    assignments: list[str] | None = None,
    per_question: bool = False,
    canvas_id_field: str = "sis_login_id",
) -> Export:
    """The export of ``fmt`` (one of FORMATS) for the chosen problem sets (default: all in the gradebook)."""
    if fmt not in FORMATS:
        raise CourseError(f"unknown export format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    students, scores = (None, None)
    if fmt != "nbgrader" or per_question or assignments is not None:
        students, scores = load(course, assignments)
    if fmt == "nbgrader":
        return nbgrader_csv(course, scores if assignments is not None or per_question else None, per_question)
    if not students:
        raise CourseError(f"the gradebook {course.db_url} has no students yet: grade a problem set first")
    if fmt == "canvas":
        return canvas(scores, students, per_question, canvas_id_field)
    return moodle(scores, students, per_question)

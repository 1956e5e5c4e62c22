"""``course roster import roster.csv``: the class list into nbgrader's gradebook, all or nothing.

The file is CSV with a header row. Columns (case and spaces ignored):

* ``id`` (also ``student_id`` or ``username``): required; the student's login name, which is the id
  ``nbgrader submit`` records (letters, digits, ``. _ @ -``, starting with a letter or digit);
* ``first_name`` (``first``), ``last_name`` (``last``), ``email``: optional.

Every row is checked first; a bad row is named by line, column and problem (an empty or malformed
id, an id twice, a malformed email, a row with too many or too few fields, an unknown column).
If any row is bad, nothing is written. Otherwise all rows are written in one database transaction:
a student already in the gradebook gets the file's name and email, a new one is added.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .collect import STUDENT_ID
from .coursedir import CourseError

COLUMNS = {
    "id": "id",
    "student_id": "id",
    "username": "id",
    "first_name": "first_name",
    "first": "first_name",
    "last_name": "last_name",
    "last": "last_name",
    "email": "email",
}
EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+$")
MAX_FIELD = 128


class RosterError(CourseError):
    def __init__(self, path, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"{path}: {len(problems)} problem(s); nothing was imported:\n"
            + "\n".join(f"  {p}" for p in problems)
        )


@dataclass
class RosterReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def _key(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def read_roster(path: Path) -> list[dict]:
    """The rows of ``path`` as dicts (id, first_name, last_name, email); RosterError naming every bad row."""
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise CourseError(f"cannot read the roster {path}: {e.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise RosterError(
            path, [f"line {line}: not UTF-8 text (byte {e.start}); save the file as UTF-8 CSV"]
        ) from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise RosterError(
            path,
            [
                "line 1: no header row; the first line must name the columns, e.g. id,first_name,last_name,email"
            ],
        )
    header = rows[0]
    problems = []
    fields = []
    for n, name in enumerate(header, start=1):
        key = COLUMNS.get(_key(name))
        if key is None:
            problems.append(
                f"line 1, column {n} ({name!r}): unknown column; use id, first_name, last_name, email"
            )
        elif key in fields:
            problems.append(f"line 1, column {n} ({name!r}): a second column for {key}")
        fields.append(key)
    if "id" not in fields:
        problems.append("line 1: no id column (the student's login name); name it id, student_id or username")
    if problems:
        raise RosterError(path, problems)
    out, seen = [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines are allowed
        if len(row) != len(fields):
            problems.append(f"line {line}: {len(row)} field(s), the header has {len(fields)}")
            continue
        rec = {k: v.strip() for k, v in zip(fields, row)}
        col = {k: f"column {fields.index(k) + 1} ({header[fields.index(k)].strip()})" for k in rec}
        sid = rec["id"]
        if not sid:
            problems.append(f"line {line}, {col['id']}: empty student id")
        elif not STUDENT_ID.match(sid):
            problems.append(
                f"line {line}, {col['id']}: {sid!r} is not a login name "
                f"(letters, digits, '.', '_', '@', '-'; starting with a letter or digit)"
            )
        elif sid in seen:
            problems.append(f"line {line}, {col['id']}: {sid!r} is already on line {seen[sid]}")
        else:
            seen[sid] = line
        email = rec.get("email", "")
        if email and not EMAIL.match(email):
            problems.append(f"line {line}, {col['email']}: {email!r} is not an email address")
        for k in ("first_name", "last_name", "email"):
            if len(rec.get(k, "")) > MAX_FIELD:
                problems.append(f"line {line}, {col[k]}: longer than {MAX_FIELD} characters")
        out.append(rec)
    if problems:
        raise RosterError(path, problems)
    if not out:
        raise RosterError(path, ["the file has a header but no students"])
    return out


def import_roster(course, path: Path) -> RosterReport:
    from nbgrader.api import Gradebook, Student

    rows = read_roster(path)
    report = RosterReport()
    with Gradebook(course.db_url, course.course_id) as gb:
        db = gb.db
        try:
            for rec in rows:
                student = db.query(Student).filter(Student.id == rec["id"]).one_or_none()
                values = {k: rec[k] or None for k in ("first_name", "last_name", "email") if k in rec}
                if student is None:
                    db.add(Student(id=rec["id"], **values))
                    report.added.append(rec["id"])
                else:
                    for k, v in values.items():
                        setattr(student, k, v)
                    report.updated.append(rec["id"])
                db.flush()
            db.commit()
        except Exception as e:
            db.rollback()
            raise CourseError(
                f"the gradebook refused the roster ({type(e).__name__}: {e}); nothing was imported"
            ) from None
    return report

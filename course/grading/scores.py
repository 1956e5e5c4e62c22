"""Every student's score on every graded cell, read once from the gradebook (for exports and the report).

A cell's score is nbgrader's: the manual score where one was given, else the
autograder's. A cell that still waits for hand marking has no score (None),
never a zero. The status of each submission is the export's
(:func:`course.grading.gradebook.submission_status`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from .gradebook import _gradebook, load_statuses, submission_status
from .objectives import question_of


@dataclass(frozen=True)
class Cell:
    notebook: str
    grade_id: str
    max_score: float
    question: str  # q1, or notebook/q1 when the problem set has several notebooks

    @property
    def key(self) -> str:
        return f"{self.notebook}/{self.grade_id}"


@dataclass
class Student:
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""

    @property
    def sortable_name(self) -> str:
        """ "Last, First" as Canvas writes it; the id when the gradebook has no name."""
        if self.last_name and self.first_name:
            return f"{self.last_name}, {self.first_name}"
        return self.last_name or self.first_name or self.id


@dataclass
class Result:
    student: str
    status: str  # graded, needs-manual-grading, not submitted, or "<failure>: <reason>"
    pending_points: float = 0.0
    cells: dict[str, float | None] = field(default_factory=dict)  # Cell.key -> score (None: not marked)
    raw_score: float = 0.0
    penalty: float = 0.0

    @property
    def kind(self) -> str:
        return self.status.split(":")[0]

    @property
    def score(self) -> float:
        return max(0.0, self.raw_score - self.penalty)

    def question(self, cells: list[Cell], question: str) -> float | None:
        got = [self.cells.get(c.key) for c in cells if c.question == question]
        return None if not got or any(g is None for g in got) else float(sum(got))


@dataclass
class AssignmentScores:
    name: str
    max_score: float
    duedate: object
    cells: list[Cell]
    results: dict[str, Result]  # every student of the gradebook, submitted or not

    def questions(self) -> list[tuple[str, float]]:
        seen: dict[str, float] = {}
        for c in self.cells:
            seen[c.question] = seen.get(c.question, 0.0) + c.max_score
        return list(seen.items())


def _master_order(course, assignment: str, notebook: str) -> list[str]:
    path = course.source / assignment / f"{notebook}.ipynb"
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return []
    return [
        c["metadata"]["nbgrader"]["grade_id"]
        for c in cells
        if isinstance(c.get("metadata", {}).get("nbgrader"), dict) and c["metadata"]["nbgrader"].get("grade")
    ]


def load(course, assignments: list[str] | None = None) -> tuple[list[Student], list[AssignmentScores]]:
    """The gradebook's students and, per assignment (in due-date order), every cell score of every student."""
    from nbgrader.api import MissingEntry

    out = []
    with _gradebook(course) as gb:
        statuses = load_statuses(gb)
        students = [
            Student(
                s.id,
                s.first_name or "",
                s.last_name or "",
                s.email or "",
                getattr(s, "lms_user_id", "") or "",
            )
            for s in sorted(gb.students, key=lambda st: st.id)
        ]
        known = {a.name: a for a in gb.assignments}
        if assignments is not None:
            missing = [a for a in assignments if a not in known]
            if missing:
                from .coursedir import CourseError

                raise CourseError(
                    f"no grades for {', '.join(missing)} in {course.db_url} (release and grade it first); "
                    f"the gradebook has: {', '.join(sorted(known)) or 'no problem sets'}"
                )
            chosen = [known[a] for a in assignments]
        else:
            chosen = sorted(known.values(), key=lambda a: (a.duedate or dt.datetime.min, a.name))
        for a in chosen:
            notebooks = sorted(a.notebooks, key=lambda n: n.name)
            cells = []
            for nb in notebooks:
                order = _master_order(course, a.name, nb.name)
                rank = {gid: i for i, gid in enumerate(order)}
                for gc in sorted(nb.grade_cells, key=lambda g: (rank.get(g.name, len(rank)), g.name)):
                    q = question_of(gc.name)
                    cells.append(
                        Cell(
                            nb.name,
                            gc.name,
                            float(gc.max_score),
                            q if len(notebooks) == 1 else f"{nb.name}/{q}",
                        )
                    )
            results = {}
            for st in students:
                try:
                    sub = gb.find_submission(a.name, st.id)
                except MissingEntry:
                    sub = None
                status, pending = submission_status(sub, statuses.get((a.name, st.id)))
                r = Result(st.id, status, pending)
                if sub is not None:
                    r.raw_score = float(sub.score or 0.0)
                    r.penalty = float(sub.late_submission_penalty or 0.0)
                    for snb in sub.notebooks:
                        for g in snb.grades:
                            waiting = g.needs_manual_grade and g.manual_score is None
                            r.cells[f"{snb.name}/{g.name}"] = None if waiting else float(g.score or 0.0)
                results[st.id] = r
            out.append(AssignmentScores(a.name, float(a.max_score), a.duedate, cells, results))
    return students, out

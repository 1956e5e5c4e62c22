"""A generated class in a real gradebook: ps1 released by `course release`, then cell scores that are known.

Each student's score on each graded cell is drawn from a seeded generator
(a student's ability and a cell's difficulty), then written through
nbgrader's own Gradebook API, exactly where `course grade` and Formgrader put
them; the grading status goes through the gradebook's status table. The test
keeps the drawn scores, so every statistic can be computed from them
independently of the code under test.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course.grading.coursedir import Course

from .commands import course as run_course
from .commands import new_course


@dataclass
class GeneratedClass:
    dir: Path
    course: Course
    cells: dict[str, float]  # grade_id -> max points, in the master's order
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # graded student -> grade_id -> points
    others: dict[str, str] = field(default_factory=dict)  # student -> status (not graded)
    people: dict[str, dict] = field(default_factory=dict)  # student -> name, email, lms_user_id


@functools.cache
def _released_template() -> Path:
    """ps1 released once per test process (nbgrader's generate_assignment takes a while); copied per class."""
    where = Path(tempfile.mkdtemp(prefix="released-ps1-"))
    atexit.register(shutil.rmtree, where, ignore_errors=True)
    c = new_course(where / "course", "ps1")
    result = run_course("--course-dir", c, "release", "ps1")
    assert result.rc == 0, result.out + result.err
    return c


def released_ps1(tmp_path: Path) -> Path:
    """A course folder at tmp_path/course with ps1 released by `course release` (its gradebook included)."""
    c = tmp_path / "course"
    shutil.copytree(_released_template(), c, symlinks=True)
    return c


def generate(
    tmp_path: Path,
    graded: int = 30,
    *,
    seed: int = 13,
    failed: tuple[str, ...] = ("timed out", "crashed"),
    pending: int = 1,
    absent: int = 1,
    without_email: tuple[int, ...] = (),
    without_lms_id: tuple[int, ...] = (),
) -> GeneratedClass:
    import warnings

    from nbgrader.api import Gradebook

    from course.grading.gradebook import _write_status

    # nbgrader 0.9.6's add_submission triggers SQLAlchemy 2 autoflush warnings that are harmless
    warnings.filterwarnings("ignore", message=".*not in session.*")
    c = released_ps1(tmp_path)
    course = Course(c)
    rng = np.random.default_rng(seed)
    with Gradebook(course.db_url, course.course_id) as gb:
        nb = gb.find_notebook("ps1", "ps1")
        cells = {g.name: float(g.max_score) for g in nb.grade_cells}
    from grading_fixtures.submissions import source_nb

    order = [
        cell.metadata.nbgrader.grade_id
        for cell in source_nb(c, "ps1").cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    ]
    cells = {g: cells[g] for g in order}
    gen = GeneratedClass(c, course, cells)
    hardness = {g: rng.uniform(-1.5, 1.5) for g in cells}
    names = []
    total = graded + len(failed) + pending + absent
    for i in range(total):
        sid = f"s{i:02d}"
        names.append(sid)
        gen.people[sid] = {
            "first_name": f"First{i}",
            "last_name": f"Last{i}",
            "email": "" if i in without_email else f"{sid}@example.org",
            "lms_user_id": "" if i in without_lms_id else str(9000 + i),
        }
    with Gradebook(course.db_url, course.course_id) as gb:
        for i, sid in enumerate(names):
            p = gen.people[sid]
            gb.update_or_create_student(
                sid,
                first_name=p["first_name"],
                last_name=p["last_name"],
                email=p["email"] or None,
                lms_user_id=p["lms_user_id"] or None,
            )
            if i >= graded + len(failed) + pending:
                gen.others[sid] = "not submitted"
                continue
            gb.add_submission("ps1", sid)
            ability = rng.normal()
            sub = gb.find_submission_notebook("ps1", "ps1", sid)
            drawn = {}
            for g in sub.grades:
                top = cells[g.name]
                chance = 1 / (1 + np.exp(-(ability - hardness[g.name])))
                points = float(rng.binomial(int(top), chance))
                drawn[g.name] = points
                if top > 1 or g.name == "q6_answer":  # the written answer: marked by hand
                    g.auto_score = None
                    if i >= graded + len(failed):  # still waiting for a mark
                        g.manual_score = None
                        g.needs_manual_grade = True
                    else:
                        g.manual_score = points
                        g.needs_manual_grade = False
                else:
                    g.auto_score = points
                    g.needs_manual_grade = False
            gb.db.commit()
            if i < graded:
                gen.scores[sid] = drawn
                status, reason = "graded", ""
            elif i < graded + len(failed):
                status = failed[i - graded]
                reason = (
                    "cell 'q3_answer' did not finish within 30 s" if status == "timed out" else "kernel died"
                )
                gen.others[sid] = status
            else:
                status, reason = "needs-manual-grading", ""
                gen.others[sid] = "needs-manual-grading"
            _write_status(gb, "ps1", sid, status, reason, [], "namespaces")
            if status in ("graded", "needs-manual-grading"):
                # as `course grade` leaves it: the graded copy that feedback is made from
                (c / "autograded" / sid / "ps1").mkdir(parents=True, exist_ok=True)
    return gen

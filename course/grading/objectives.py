"""The learning objective each graded cell of a problem set assesses.

Every graded cell of a master (nbgrader ``grade: true``: autograder tests and
manually graded answers) names the objective it assesses in its metadata::

    "metadata": {"course": {"objective": "04: compute, with a short pandas function"}, "nbgrader": {...}}

The tag is ``NN: <start of an Objectives bullet of lesson NN>``, resolved the
way question banks resolve theirs (:func:`course.selfcheck.bank.objectives_of`
and :func:`course.selfcheck.bank.objectives_starting`): the start must begin exactly
one of the bullets under *Objectives* in ``lessons/NN_*.ipynb``. nbgrader's
checksums cover a cell's source, type, grade id, points and flags, not other
metadata, so the tag changes no checksum; ``course release`` copies it into
the student version, where it is harmless (it is the lesson's own wording).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from course.selfcheck.bank import objectives_of, objectives_starting

TAG = re.compile(r"^(\d\d):\s*(\S.*)$", re.S)


class ObjectiveError(ValueError):
    """A graded cell without an objective, or one that names no (or several) of a lesson's objectives."""


@dataclass(frozen=True)
class Objective:
    lesson: str  # "04"
    text: str  # the whole Objectives bullet
    tag: str  # as written in the cell

    @property
    def label(self) -> str:
        return f"{self.lesson}: {self.text.rstrip(';.: ')}"


def question_of(grade_id: str) -> str:
    """The question a graded cell belongs to: its grade id up to the first underscore (q1_tests -> q1)."""
    return grade_id.split("_", 1)[0]


def default_lessons_dir() -> Path | None:
    from course.selfcheck.paths import REPO_LESSONS

    if REPO_LESSONS.is_dir():
        return REPO_LESSONS
    try:
        from course.resources import lessons_dir

        return lessons_dir()
    except Exception:  # noqa: BLE001 - no lessons at all: the caller says so
        return None


class Resolver:
    """Resolves tags against the lessons' Objectives bullets (each lesson read once)."""

    def __init__(self, lessons_dir: Path | None = None):
        self.lessons_dir = Path(lessons_dir) if lessons_dir else default_lessons_dir()
        self._cache: dict[str, list[str]] = {}

    def bullets(self, lesson: str) -> list[str]:
        if lesson not in self._cache:
            found = sorted(self.lessons_dir.glob(f"{lesson}_*.ipynb")) if self.lessons_dir else []
            if len(found) != 1:
                raise ObjectiveError(
                    f"lesson {lesson}: {len(found)} notebooks match {lesson}_*.ipynb in {self.lessons_dir}"
                )
            self._cache[lesson] = objectives_of(found[0])
        return self._cache[lesson]

    def resolve(self, tag: object) -> Objective:
        if not isinstance(tag, str) or not TAG.match(tag.strip()):
            raise ObjectiveError(
                f"objective {tag!r} is not of the form 'NN: <start of one of lesson NN's objectives>'"
            )
        lesson, start = TAG.match(tag.strip()).groups()
        bullets = self.bullets(lesson)
        hits = objectives_starting(start, bullets)
        if len(hits) != 1:
            raise ObjectiveError(
                f"objective {tag!r} starts {len(hits)} of lesson {lesson}'s objectives; it must start exactly "
                f"one of: {'; '.join(bullets)}"
            )
        return Objective(lesson, hits[0], tag)


def tagged_cells(
    nb_path: Path, resolver: Resolver | None = None
) -> tuple[dict[str, Objective], dict[str, ObjectiveError]]:
    """Every graded cell of a master: (grade_id -> Objective for the cells whose tag resolves,
    grade_id -> ObjectiveError naming the notebook and the cell for those whose tag is missing or
    resolves to no single objective). One bad cell does not hide the others."""
    resolver = resolver or Resolver()
    nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    good: dict[str, Objective] = {}
    bad: dict[str, ObjectiveError] = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {})
        nbg = meta.get("nbgrader", {})
        if not (isinstance(nbg, dict) and nbg.get("grade")):
            continue
        gid = nbg.get("grade_id", "?")
        course_meta = meta.get("course")
        tag = course_meta.get("objective") if isinstance(course_meta, dict) else None
        if tag is None:
            bad[gid] = ObjectiveError(
                f"{nb_path}: graded cell {gid!r} has no metadata.course.objective (tag it with "
                f"'NN: <start of an objective of lesson NN>')"
            )
            continue
        try:
            good[gid] = resolver.resolve(tag)
        except ObjectiveError as e:
            bad[gid] = ObjectiveError(f"{nb_path}: graded cell {gid!r}: {e}")
    return good, bad


def cell_objectives(nb_path: Path, resolver: Resolver | None = None) -> dict[str, Objective]:
    """grade_id -> Objective for every graded cell of a master notebook; raises ObjectiveError naming the
    first cell whose tag is missing or does not resolve."""
    good, bad = tagged_cells(nb_path, resolver)
    if bad:
        raise next(iter(bad.values()))
    return good


def check_masters(source: Path, lessons_dir: Path | None = None) -> list[str]:
    """Every problem with the objective tags of every master under ``source`` (one message per notebook)."""
    resolver = Resolver(lessons_dir)
    problems = []
    for nb in sorted(Path(source).glob("*/*.ipynb")):
        try:
            cell_objectives(nb, resolver)
        except ObjectiveError as e:
            problems.append(str(e))
    return problems

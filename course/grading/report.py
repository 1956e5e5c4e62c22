"""``course report PS``: what the class learned, as numbers (the HTML and its figures: :mod:`.report_html`).

Only submissions whose status is ``graded`` (every cell scored, nothing
failed) enter the statistics; the others are listed with their status. At
least :data:`MIN_GRADED` graded students are needed.

Definitions (classical test theory; a *question* is the graded cells whose
grade id starts the same, ``q1_tests`` and ``q1_hidden`` are question ``q1``):

* **mean**: the mean points of a question;
* **full marks**: the share of students with all of its points;
* **difficulty** (item difficulty index *p*): mean points / points possible,
  from 0 (nobody scored) to 1 (everybody had full marks); a higher value is
  an easier question;
* **discrimination**: the point-biserial (Pearson) correlation between the
  question's points and the *rest* of the score (the total minus that
  question), so a question is not correlated with itself; undefined (blank)
  when either has no variance. Below about 0.2 the question separates
  strong from weak students poorly;
* an objective is **reached** by a student who has at least ``reached_at``
  (default 0.5, i.e. half) of the points of the cells tagged with it
  (:mod:`.objectives`).

Everything here is pure: :func:`class_report` reads the gradebook once, the
other functions compute from DataFrames.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .coursedir import CourseError
from .objectives import ObjectiveError, Resolver
from .scores import AssignmentScores, load

MIN_GRADED = 3
UNTAGGED = "(no objective)"


class ReportError(CourseError):
    """The report cannot be made (too few graded students, unknown problem set)."""


def pearson(x, y) -> float:
    """Pearson's r of two equal-length sequences; NaN when either has no variance."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    dx, dy = x - x.mean(), y - y.mean()
    sx, sy = math.sqrt(float((dx * dx).sum())), math.sqrt(float((dy * dy).sum()))
    if sx == 0 or sy == 0:
        return float("nan")
    return float((dx * dy).sum() / (sx * sy))


def question_stats(scores: pd.DataFrame, max_points: pd.Series) -> pd.DataFrame:
    """Per question (a column of ``scores``; a row per graded student): mean, full marks, difficulty, discrimination."""
    total = scores.sum(axis=1)
    rows = []
    for q in scores.columns:
        item = scores[q].astype(float)
        top = float(max_points[q])
        rows.append(
            {
                "question": q,
                "max_points": top,
                "mean": float(item.mean()),
                "full_marks_share": float((item >= top - 1e-9).mean()),
                "difficulty": float(item.mean() / top) if top else float("nan"),
                "discrimination": pearson(item, total - item),
            }
        )
    return pd.DataFrame(rows, columns=list(rows[0]) if rows else ["question"])


def objective_stats(
    cell_scores: pd.DataFrame, cell_max: pd.Series, cell_objective: pd.Series, reached_at: float = 0.5
) -> pd.DataFrame:
    """Per objective: its points, the students' mean share of them, and the share who reached it."""
    if not 0 < reached_at <= 1:
        raise ReportError(f"reached_at must be in (0, 1], not {reached_at}")
    rows = []
    for obj in dict.fromkeys(cell_objective[c] for c in cell_scores.columns):
        cols = [c for c in cell_scores.columns if cell_objective[c] == obj]
        top = float(cell_max[cols].sum())
        share = cell_scores[cols].sum(axis=1) / top if top else cell_scores[cols].sum(axis=1) * np.nan
        reached = share >= reached_at - 1e-9
        rows.append(
            {
                "objective": obj,
                "cells": ", ".join(c.split("/")[-1] for c in cols),
                "max_points": top,
                "mean_share": float(share.mean()),
                "students_reached": int(reached.sum()),
                "reached_share": float(reached.mean()),
            }
        )
    return pd.DataFrame(rows)


def distribution(totals: pd.Series, max_total: float) -> dict:
    t = totals.astype(float)
    return {
        "students": int(t.size),
        "max_points": float(max_total),
        "mean": float(t.mean()),
        "median": float(t.median()),
        "sd": float(t.std(ddof=1)) if t.size > 1 else float("nan"),
        "min": float(t.min()),
        "max": float(t.max()),
    }


@dataclass
class ClassReport:
    assignment: str
    max_total: float
    reached_at: float
    totals: pd.Series  # graded student -> total points (before late penalties)
    questions: pd.DataFrame
    objectives: pd.DataFrame
    students: pd.DataFrame  # every student: status, score, pending_points
    summary: dict
    warnings: list[str] = field(default_factory=list)

    @property
    def not_graded(self) -> pd.DataFrame:
        return self.students[self.students["status"] != "graded"]

    def summary_line(self) -> str:
        s = self.summary
        kinds = self.students["status"].str.split(":").str[0].value_counts()
        others = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()) if k != "graded")
        return (
            f"{s['students']} graded student(s), mean {s['mean']:.2f} of {s['max_points']:g} points, "
            f"{len(self.questions)} question(s), {len(self.objectives)} objective(s)"
            + (f"; not in the statistics: {others}" if others else "")
        )

    def frame(self) -> pd.DataFrame:
        """Every number of the report in one long table (``table`` says which part a row belongs to)."""
        summary = pd.DataFrame([{"table": "distribution", **self.summary}])
        scores = pd.DataFrame(
            {"table": "score", "student": self.totals.index, "total": self.totals.to_numpy(dtype=float)}
        )
        parts = [
            summary,
            scores,
            self.questions.assign(table="question"),
            self.objectives.assign(table="objective"),
            self.not_graded.assign(table="not graded"),
        ]
        out = pd.concat(parts, ignore_index=True, sort=False)
        return out[["table"] + [c for c in out.columns if c != "table"]]

    def to_csv(self) -> str:
        buf = io.StringIO()
        self.frame().to_csv(buf, index=False, lineterminator="\n")
        return buf.getvalue()


def _objectives(course, a: AssignmentScores, lessons_dir, warnings) -> dict[str, str]:
    """Cell.key -> objective label, from the master's cell metadata (untagged cells are named and warned about)."""
    import json

    resolver = Resolver(lessons_dir)
    out = {}
    bad = []
    for nb in dict.fromkeys(c.notebook for c in a.cells):
        path = Path(course.source) / a.name / f"{nb}.ipynb"
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError):
            cells = []
        tags = {}
        for c in cells:
            gid = c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            meta = c.get("metadata", {}).get("course")
            tags[gid] = meta.get("objective") if isinstance(meta, dict) else None
        for cell in (c for c in a.cells if c.notebook == nb):
            try:
                out[cell.key] = resolver.resolve(tags.get(cell.grade_id)).label
            except ObjectiveError as e:
                out[cell.key] = UNTAGGED
                bad.append(f"{cell.key} ({e})")
    if bad:
        warnings.append(
            f"{len(bad)} graded cell(s) name no objective of the lessons, counted under {UNTAGGED!r}: "
            + "; ".join(bad[:5])
        )
    return out


def class_report(course, assignment: str, *, reached_at: float = 0.5, lessons_dir=None) -> ClassReport:
    """The report's numbers for one problem set, from the gradebook and the master's objective tags."""
    _, (a,) = load(course, [assignment])
    warnings: list[str] = []
    students = pd.DataFrame(
        [
            {
                "student": r.student,
                "status": r.status,
                "score": r.score if r.kind != "not submitted" else float("nan"),
                "pending_points": r.pending_points,
            }
            for r in a.results.values()
        ],
        columns=["student", "status", "score", "pending_points"],
    )
    graded = [r for r in a.results.values() if r.kind == "graded"]
    if len(graded) < MIN_GRADED:
        raise ReportError(
            f"{assignment} has {len(graded)} graded student(s); the report needs at least {MIN_GRADED} "
            f"(statistics of fewer say nothing and would identify them). Statuses: "
            + (", ".join(f"{s}: {st}" for s, st in zip(students["student"], students["status"])) or "none")
        )
    keys = [c.key for c in a.cells]
    cell_scores = pd.DataFrame(
        [[r.cells.get(k) if r.cells.get(k) is not None else 0.0 for k in keys] for r in graded],
        index=pd.Index([r.student for r in graded], name="student"),
        columns=keys,
        dtype=float,
    )
    cell_max = pd.Series({c.key: c.max_score for c in a.cells})
    objective = pd.Series(_objectives(course, a, lessons_dir, warnings))
    question_of = {c.key: c.question for c in a.cells}
    qnames = list(dict.fromkeys(question_of[k] for k in keys))
    q_scores = pd.DataFrame(
        {q: cell_scores[[k for k in keys if question_of[k] == q]].sum(axis=1) for q in qnames}
    )
    q_max = pd.Series({q: float(cell_max[[k for k in keys if question_of[k] == q]].sum()) for q in qnames})
    questions = question_stats(q_scores, q_max)
    questions.insert(
        1,
        "objective",
        ["; ".join(dict.fromkeys(objective[k] for k in keys if question_of[k] == q)) for q in qnames],
    )
    objectives = objective_stats(cell_scores, cell_max, objective, reached_at)
    totals = q_scores.sum(axis=1)
    return ClassReport(
        assignment,
        float(cell_max.sum()),
        reached_at,
        totals,
        questions,
        objectives,
        students,
        distribution(totals, float(cell_max.sum())),
        warnings,
    )

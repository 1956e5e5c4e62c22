"""Build student submissions from a released problem set, as a student's Jupyter would save them."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

from course.grading.notebooks import SOLUTION, grade_id, is_solution


def release_nb(course_dir: Path, ps: str) -> nbformat.NotebookNode:
    return nbformat.read(str(course_dir / "release" / ps / f"{ps}.ipynb"), as_version=4)


def source_nb(course_dir: Path, ps: str) -> nbformat.NotebookNode:
    return nbformat.read(str(course_dir / "source" / ps / f"{ps}.ipynb"), as_version=4)


def reference_answers(course_dir: Path, ps: str) -> dict[str, str]:
    """grade_id -> the master's solution, delimiters removed, for every answer cell."""
    out = {}
    for cell in source_nb(course_dir, ps).cells:
        if is_solution(cell):
            text = cell.source
            if SOLUTION[0] in text:
                text = "\n".join(
                    line for line in text.split("\n") if SOLUTION[0] not in line and SOLUTION[1] not in line
                )
            out[grade_id(cell)] = text
    return out


def blank(course_dir: Path, ps: str) -> nbformat.NotebookNode:
    return release_nb(course_dir, ps)


def answered(course_dir: Path, ps: str, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The release with some answer cells filled in (grade_id -> text)."""
    nb = release_nb(course_dir, ps)
    unknown = set(answers) - {grade_id(c) for c in nb.cells if is_solution(c)}
    assert not unknown, f"not answer cells of {ps}: {unknown}"
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def reference(course_dir: Path, ps: str) -> nbformat.NotebookNode:
    return answered(course_dir, ps, reference_answers(course_dir, ps))


def cell(nb, gid: str):
    for c in nb.cells:
        if grade_id(c) == gid:
            return c
    raise KeyError(gid)


def submit(
    course_dir: Path,
    student: str,
    ps: str,
    nb=None,
    *,
    raw: bytes | None = None,
    name: str | None = None,
    timestamp: str = "2025-01-15 12:00:00.000000 UTC",
) -> Path:
    """Write a submission into submitted/<student>/<ps>/ (a notebook, or raw bytes for broken files)."""
    folder = course_dir / "submitted" / student / ps
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{ps}.ipynb")
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text(json.dumps(copy.deepcopy(nb), indent=1))
    (folder / "timestamp.txt").write_text(timestamp)
    return path

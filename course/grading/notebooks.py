"""Reading notebooks defensively, and knowing which of their text must stay secret."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

MAX_NOTEBOOK_MB = 100

# nbgrader's region delimiters (its defaults; the course does not change them)
SOLUTION = ("BEGIN SOLUTION", "END SOLUTION")
HIDDEN_TESTS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
MARK_SCHEME = ("BEGIN MARK SCHEME", "END MARK SCHEME")
ALL_REGIONS = (SOLUTION, HIDDEN_TESTS, MARK_SCHEME)
MIN_SECRET_CHARS = 12


class SubmissionError(Exception):
    """A submitted notebook that cannot be graded; ``str(e)`` is the reason recorded for it."""

    def __init__(self, reason: str, kind: str = "invalid file"):
        super().__init__(reason)
        self.kind = kind  # the status it gives the submission


def nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def is_solution(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def is_grade(cell) -> bool:
    return bool(nbgrader_meta(cell).get("grade"))


def is_locked(cell) -> bool:
    meta = nbgrader_meta(cell)
    return not meta.get("solution") and bool(meta.get("grade") or meta.get("locked") or meta.get("task"))


def is_test(cell) -> bool:
    """An autograder test cell: a grade cell that is code and not an answer."""
    return cell.get("cell_type") == "code" and is_grade(cell) and not is_solution(cell)


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def read_notebook(path: Path) -> NotebookNode:
    """Read a trusted notebook (source or release); errors propagate."""
    return nbformat.read(str(path), as_version=4)


def read_submission(path: Path, expected_name: str | None = None) -> NotebookNode:
    """Read a student's notebook, or raise :class:`SubmissionError` saying why it cannot be graded.

    Lenient about what the grader rebuilds anyway (ids, metadata, outputs),
    strict about what it cannot: the file, its encoding, its JSON, its cells.
    """
    from . import safefs

    name = expected_name or path.name
    try:
        raw = safefs.read_file(path.parent, path.name, MAX_NOTEBOOK_MB * 2**20)
    except safefs.Missing:
        try:
            others = sorted(n for n in os.listdir(path.parent) if n.endswith(".ipynb"))
        except OSError:
            others = []
        found = f" (found: {', '.join(others)})" if others else ""
        raise SubmissionError(f"missing file {name}{found}") from None
    except safefs.UnsafeFile as e:
        raise SubmissionError(str(e)) from None
    return parse_submission(raw, name)


def parse_submission(raw: bytes, name: str) -> NotebookNode:
    """The notebook in ``raw`` (a submission's bytes), or :class:`SubmissionError` saying why not."""
    if len(raw) == 0:
        raise SubmissionError(f"{name} is an empty file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise SubmissionError(f"{name} is not UTF-8 text ({e.reason} at byte {e.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SubmissionError(
            f"{name} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})"
        ) from None
    except RecursionError:
        raise SubmissionError(f"{name} is nested too deeply to be a notebook") from None
    v3 = isinstance(data, dict) and data.get("nbformat") == 3 and isinstance(data.get("worksheets"), list)
    if not isinstance(data, dict) or not (isinstance(data.get("cells"), list) or v3):
        raise SubmissionError(f"{name} is not a Jupyter notebook (it has no list of cells)")
    try:
        nb = nbformat.from_dict(data)
        if nb.get("nbformat", 4) != 4:
            nb = nbformat.convert(nb, 4)  # e.g. a notebook saved in the old v3 format: graded all the same
    except Exception as e:  # noqa: BLE001 - any conversion failure makes it ungradable
        raise SubmissionError(f"{name} is not a readable notebook ({e})") from None
    for i, cell in enumerate(nb.cells):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise SubmissionError(f"{name}: cell {i + 1} is not a notebook cell")
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str):
            raise SubmissionError(f"{name}: cell {i + 1} has no text")
        cell["source"] = source
        if not isinstance(cell.get("metadata"), dict):
            cell["metadata"] = NotebookNode()
    return nb


def split_region(source: str, region: tuple[str, str]) -> tuple[list[str], list[str]]:
    """(lines outside, lines inside) the region delimited by ``region`` (delimiter lines in neither)."""
    begin, end = region
    outside, inside, within = [], [], False
    for line in source.split("\n"):
        if begin in line:
            within = True
        elif end in line:
            within = False
        elif within:
            inside.append(line)
        else:
            outside.append(line)
    return outside, inside


def remove_region(source: str, region: tuple[str, str]) -> str:
    return "\n".join(split_region(source, region)[0])


@dataclass
class Secrets:
    """Lines of a master notebook that students must never see, with where each comes from."""

    lines: dict[str, str]  # stripped line -> "solution in cell 'q1'" etc.

    @classmethod
    def of(
        cls,
        source_nb: NotebookNode,
        min_chars: int = MIN_SECRET_CHARS,
        kinds: tuple[str, ...] = ("solution", "hidden test", "mark scheme"),
    ) -> Secrets:
        """The secret lines of ``source_nb`` of the given kinds.

        A line that also occurs in the master's public text (e.g. quoted in the
        instructions), or in a region of a kind not asked for, is not counted:
        with ``kinds=("hidden test",)``, a hidden-test line that repeats a line
        of the reference solution may legitimately appear in a student's answer.
        """
        public: list[str] = []
        secret: dict[str, str] = {}
        for index, cell in enumerate(source_nb.cells):
            label = f"cell '{grade_id(cell)}'" if grade_id(cell) else f"cell #{index + 1}"
            text = cell.get("source", "")
            hidden_here = []
            for region, kind in (
                (SOLUTION, "solution"),
                (HIDDEN_TESTS, "hidden test"),
                (MARK_SCHEME, "mark scheme"),
            ):
                outside, inside = split_region(text, region)
                if inside:
                    hidden_here += [(line, kind) for line in inside]
                    text = "\n".join(outside)
            if is_solution(cell) and not any(r[0] in cell.get("source", "") for r in (SOLUTION,)):
                # a solution cell without delimiters is replaced whole
                hidden_here += [(line, "solution") for line in text.split("\n")]
                text = ""
            public.append(text)
            for line, kind in hidden_here:
                stripped = line.strip()
                if kind not in kinds:
                    public.append(line)
                elif len(stripped) >= min_chars and not stripped.startswith("#"):
                    secret.setdefault(stripped, f"{kind} in {label}")
        everything_public = "\n".join(public)
        return cls({line: where for line, where in secret.items() if line not in everything_public})

    def found_in(self, text: str) -> list[tuple[str, str]]:
        """(line, where) for each secret line that occurs in ``text``."""
        return [(line, where) for line, where in self.lines.items() if line in text]


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def strings(obj) -> str:
    """Every string inside a JSON-like value, joined by newlines, without ANSI colour codes."""
    if isinstance(obj, str):
        return _ANSI.sub("", obj)
    if isinstance(obj, dict):
        return "\n".join(strings(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return "\n".join(strings(v) for v in obj)
    return ""


def notebook_texts(nb: NotebookNode):
    """(cell label, text) for every source and output text of a notebook, and its metadata."""
    for index, cell in enumerate(nb.cells):
        label = f"cell '{grade_id(cell)}'" if grade_id(cell) else f"cell #{index + 1}"
        yield label, cell.get("source", "")
        for out in cell.get("outputs", []):
            yield label + " (output)", strings(out)
        yield label + " (metadata)", strings(cell.get("metadata", {}))
        yield label + " (attachments)", strings(cell.get("attachments", {}))
    yield "notebook metadata", strings(nb.get("metadata", {}))


_MARKERS = re.compile("|".join(re.escape(r[0]) + "|" + re.escape(r[1]) for r in ALL_REGIONS))


def leaks(nb: NotebookNode, secrets: Secrets) -> list[str]:
    """Human-readable leaks of ``secrets`` (or of region delimiters) into a student-facing notebook."""
    found = []
    for label, text in notebook_texts(nb):
        m = _MARKERS.search(text)
        if m:
            found.append(f"{label}: contains the delimiter '{m.group(0)}'")
        for line, where in secrets.found_in(text):
            found.append(f"{label}: contains {where}: {line[:60]!r}")
    return found

"""Rebuild the notebook to grade from the master copy and the student's answers.

nbgrader restores a locked cell only when the student left its metadata in
place; a student who deletes the metadata escapes the restore, silently.
:class:`RestoreFromSource` does not trust the submission's structure at
all. It matches the student's cells to the released cells by nbgrader
``grade_id`` and, failing that, by Jupyter cell ``id``, then builds the
notebook to grade from the *master* in the master's order:

* every locked cell (tests, given code, instructions) is the master's text,
  with its hidden tests;
* every answer cell holds what the student wrote in it, with the released
  metadata (a student cannot change points or cell kinds);
* cells the student added stay where the student put them, with any
  nbgrader metadata removed (they cannot pose as grade cells).

Everything that differs from the release is reported: an edited, deleted or
reordered locked cell, removed or changed metadata, duplicated ids, unknown
grade cells. The report compares with the *release* (what the student got),
so hidden tests never cause a false alarm.
"""

from __future__ import annotations

import copy
from collections import Counter

import nbformat
from nbformat import NotebookNode

from .coursedir import CourseError
from .notebooks import (
    HIDDEN_TESTS,
    MARK_SCHEME,
    grade_id,
    is_locked,
    is_solution,
    nbgrader_meta,
    remove_region,
)

_FLAGS = ("grade", "solution", "locked", "task", "points")


class ReleaseMismatch(CourseError):
    """source/ and release/ disagree: the master changed after the release."""


class RestoreFromSource:
    """Callable: submitted notebook -> (notebook to grade, list of findings).

    ``locked_sources`` maps each locked cell's grade_id to its master text as
    nbgrader saved it in the gradebook at release time: autotests expanded,
    hidden tests included (``nbgrader.api.SourceCell.source``).
    """

    def __init__(self, locked_sources: dict[str, str], release_nb: NotebookNode, name: str):
        self.name = name
        self.release = release_nb
        self.locked_sources = {}
        self.by_grade_id: dict[str, int] = {}
        self.by_cell_id: dict[str, int] = {}
        for k, rel in enumerate(release_nb.cells):
            gid = grade_id(rel)
            if gid:
                self.by_grade_id[gid] = k
            if rel.get("id"):
                self.by_cell_id[rel["id"]] = k
            if is_locked(rel):
                master = locked_sources.get(gid)
                if master is None:
                    raise ReleaseMismatch(
                        f"{name}: the gradebook has no master for cell '{gid}'; run `course release` again"
                    )
                master = remove_region(master, MARK_SCHEME)
                if remove_region(master, HIDDEN_TESTS) != rel.source:
                    raise ReleaseMismatch(
                        f"{name}: cell '{gid}' of the release differs from the gradebook's "
                        f"master; run `course release` again"
                    )
                self.locked_sources[gid] = master

    # -- matching -------------------------------------------------------
    def _match(self, cells, findings) -> dict[int, int]:
        """submitted index -> release index."""
        owner: dict[int, int] = {}
        taken: set[int] = set()
        for j, cell in enumerate(cells):
            gid = grade_id(cell)
            if not gid:
                continue
            k = self.by_grade_id.get(gid)
            if k is None:
                findings.append(
                    f"an added cell claimed to be grade cell '{gid}', which does not exist; "
                    f"its nbgrader metadata was ignored"
                )
            elif k in taken:
                findings.append(
                    f"grade cell '{gid}' appears more than once; the first copy is graded, "
                    f"the others are treated as added cells"
                )
            else:
                owner[j] = k
                taken.add(k)
        for j, cell in enumerate(cells):
            if j in owner:
                continue
            k = self.by_cell_id.get(cell.get("id"))
            if k is None or k in taken:
                continue
            owner[j] = k
            taken.add(k)
            rel = self.release.cells[k]
            if grade_id(rel):
                if not nbgrader_meta(cell):
                    findings.append(
                        f"cell '{grade_id(rel)}' had its nbgrader metadata removed; "
                        f"recognised by its cell id and restored"
                    )
                else:
                    findings.append(
                        f"cell '{grade_id(rel)}' had its grade id changed to '{grade_id(cell)}'; restored"
                    )
        return owner

    # -- building -------------------------------------------------------
    def _graded_cell(self, k: int, submitted: NotebookNode | None, findings: list[str]) -> NotebookNode:
        rel = self.release.cells[k]
        label = f"'{grade_id(rel)}'" if grade_id(rel) else f"#{k + 1}"
        if is_locked(rel) or submitted is None and not is_solution(rel):
            cell = copy.deepcopy(rel)
            if is_locked(rel):
                cell.source = self.locked_sources[grade_id(rel)]
            if submitted is not None:
                if submitted.get("source", "") != rel.source:
                    findings.append(f"locked cell {label} was edited; restored from the source")
                elif submitted.get("cell_type") != rel.cell_type:
                    findings.append(
                        f"locked cell {label} was changed to a {submitted.get('cell_type')} cell; restored"
                    )
            elif grade_id(rel):
                findings.append(f"locked cell {label} was deleted; restored from the source")
        elif submitted is None:  # an answer cell the student deleted
            cell = copy.deepcopy(rel)
            findings.append(f"answer cell {label} was deleted; graded as unanswered")
        else:
            cell = copy.deepcopy(rel)
            cell.source = submitted.get("source", "")
            if "attachments" in submitted and cell.cell_type == "markdown":
                cell["attachments"] = copy.deepcopy(submitted["attachments"])
            meta = nbgrader_meta(submitted)
            if is_solution(rel) and meta and any(meta.get(f) != nbgrader_meta(rel).get(f) for f in _FLAGS):
                findings.append(f"answer cell {label} had its nbgrader metadata changed; restored")
            if submitted.get("cell_type") != rel.cell_type:
                findings.append(
                    f"answer cell {label} was changed to a {submitted.get('cell_type')} cell; "
                    f"graded as a {rel.cell_type} cell"
                )
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.id = rel.get("id", cell.get("id"))
        return cell

    @staticmethod
    def _added_cell(cell: NotebookNode) -> NotebookNode:
        kind = cell.get("cell_type")
        meta = {k: copy.deepcopy(v) for k, v in cell.get("metadata", {}).items() if k != "nbgrader"}
        if kind == "code":
            new = nbformat.v4.new_code_cell(cell.get("source", ""), metadata=meta)
        elif kind == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.get("source", ""), metadata=meta)
        else:
            new = nbformat.v4.new_raw_cell(cell.get("source", ""), metadata=meta)
        new["_added"] = True
        return new

    def __call__(self, submitted: NotebookNode) -> tuple[NotebookNode, list[str]]:
        findings: list[str] = []
        cells = submitted.cells
        counts = Counter(c.get("id") for c in cells if c.get("id"))
        dupes = sorted(cid for cid, n in counts.items() if n > 1)
        if dupes:
            findings.append(f"duplicated cell ids: {', '.join(dupes)}; cells were matched by grade id first")
        owner = self._match(cells, findings)
        order = [owner[j] for j in sorted(owner)]
        if order != sorted(order):
            findings.append("locked or answer cells were moved; the original order was restored")

        # cells the student added, attached to the matched cell before them
        added: dict[int, list[NotebookNode]] = {}
        anchor = -1
        for j, cell in enumerate(cells):
            if j in owner:
                anchor = owner[j]
            else:
                added.setdefault(anchor, []).append(self._added_cell(cell))
        submitted_for = {k: cells[j] for j, k in owner.items()}

        out = list(added.get(-1, []))
        for k in range(len(self.release.cells)):
            out.append(self._graded_cell(k, submitted_for.get(k), findings))
            out.extend(added.get(k, []))

        # released cells keep their ids; added cells get fresh, deterministic ones
        used = {c.get("id") for c in self.release.cells}
        n = 0
        for cell in out:
            if cell.get("_added"):
                del cell["_added"]
                n += 1
                while f"added-{n}" in used:
                    n += 1
                cell.id = f"added-{n}"

        nb = nbformat.v4.new_notebook(cells=out, metadata=copy.deepcopy(self.release.metadata))
        nb.nbformat, nb.nbformat_minor = 4, max(5, self.release.get("nbformat_minor", 5))
        return nb, findings

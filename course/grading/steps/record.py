"""The one record every grading step reads and extends, as nbgrader's preprocessors share a notebook."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nbformat import NotebookNode

from ..gradebook import NotebookOutcome

if TYPE_CHECKING:
    from ..execute import Execution
    from ..grader import Context, Material, Task


@dataclass
class Record:
    """What grading one notebook of one submission has found so far.

    Each step (:data:`course.grading.steps.STEPS`) is a callable ``step(record) -> None``: it reads what
    the steps before it left here and adds its own part. A step that decides the outcome on its own (an
    unreadable file) calls :meth:`fail`, and the steps after it do not run.
    """

    task: Task
    material: Material
    ctx: Context
    slot: int
    started: float = field(default_factory=time.monotonic)
    nb: NotebookNode | None = None  # the submission, then its restored, executed and annotated form
    findings: list[str] = field(default_factory=list)  # locked cells that were edited, moved or deleted
    integrity: list[str] = field(default_factory=list)  # tampering with the checks (scan, probe, forgery)
    execution: Execution | None = None
    status: str = "graded"  # "graded" or "failed"
    kind: str = ""  # the status column's kind (gradebook.STATUSES), "" for a plain graded notebook
    reason: str = ""
    problems: list[str] = field(default_factory=list)
    done: bool = False  # the outcome is decided: no further step runs

    @property
    def notebook(self) -> str:
        return self.material.notebook

    def fail(self, reason: str, kind: str) -> None:
        """The whole notebook cannot be graded: say why, and stop the chain."""
        self.status, self.kind, self.reason = "failed", kind, reason
        self.problems = [reason]
        self.nb = None
        self.done = True

    def outcome(self) -> NotebookOutcome:
        if self.nb is None:
            return NotebookOutcome(
                self.notebook, self.status, self.reason, self.problems, None, kind=self.kind
            )
        execution = self.execution
        return NotebookOutcome(
            self.notebook,
            self.status,
            self.reason,
            self.problems,
            self.nb,
            time.monotonic() - self.started,
            self.kind,
            execution.check_seconds if execution is not None else 0.0,
        )

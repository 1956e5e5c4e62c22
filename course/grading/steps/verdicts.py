"""Step: make each test cell's outputs tell nbgrader what it earned (:class:`..verdict.ApplyVerdicts`)."""

from __future__ import annotations

from ..verdict import ApplyVerdicts
from .record import Record

_apply = ApplyVerdicts()


def apply_verdicts(record: Record) -> None:
    _apply(record.nb, record.execution, record.integrity)

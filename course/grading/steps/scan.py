"""Step: the static scan of the student's cells for tampering with the checks."""

from __future__ import annotations

from ..notebooks import is_locked
from .record import Record


def scan_student_code(record: Record) -> None:
    nb = record.nb
    student_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not is_locked(c)]
    record.integrity += record.material.scan(nb, student_cells)

"""Step: rebuild the notebook's locked cells (tests, instructions) from the master copy."""

from __future__ import annotations

from .record import Record


def restore_locked_cells(record: Record) -> None:
    record.nb, found = record.material.restore(record.nb)
    record.findings += found

"""Grading one notebook as a chain of steps, in the manner of nbgrader's preprocessors.

Every step has one signature, ``step(record) -> None``: it reads the :class:`Record` the steps before it
filled in and adds its part. :func:`course.grading.grader.grade_notebook` runs :data:`STEPS` in order and
turns the record into the gradebook's outcome; nothing else wires them.
"""

from __future__ import annotations

from .execute import run_in_jail
from .forgery import detect_forged_replies
from .read import read_notebook_file
from .record import Record
from .restore import restore_locked_cells
from .scan import scan_student_code
from .status import decide_status
from .verdicts import apply_verdicts

STEPS = (
    read_notebook_file,  # a regular, valid notebook file, not refused at collect time
    restore_locked_cells,  # locked cells rebuilt from the master copy; what was changed is a finding
    scan_student_code,  # static scan of the student's cells
    run_in_jail,  # execution in a fresh jail without the hidden tests; the out-of-kernel checks; the probe
    detect_forged_replies,  # the kernel's "ok" set beside what the grader was told
    apply_verdicts,  # outputs that make nbgrader score what the checks decided
    decide_status,  # the status column and the list of problems
)

__all__ = ["STEPS", "Record", "run_steps"]


def run_steps(record: Record, steps=STEPS) -> Record:
    for step in steps:
        if record.done:
            break
        step(record)
    return record

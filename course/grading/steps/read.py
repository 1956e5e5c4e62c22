"""Step: read the submitted notebook, refusing what is not a valid, regular notebook file."""

from __future__ import annotations

from ..notebooks import SubmissionError, read_submission
from .record import Record


def read_notebook_file(record: Record) -> None:
    task = record.task
    name = f"{record.notebook}.ipynb"
    if task.invalid:  # the whole submission (e.g. its folder is a symbolic link)
        record.fail(task.invalid, "invalid file")
        return
    refused = [r for r in (task.refused or []) if r.startswith(name + " ")]
    if refused:
        record.fail(f"{refused[0]} (refused by `course collect`)", "invalid file")
        return
    try:
        record.nb = read_submission(task.directory / name, name)
    except SubmissionError as e:
        record.fail(str(e), e.kind)

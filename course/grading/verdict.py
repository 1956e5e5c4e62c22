"""Turn how a notebook ran into what nbgrader scores.

nbgrader scores a test cell by its *outputs*: full marks unless an error (or
stderr) appears. That is how a cell that never ran, or whose traceback was
silenced, earns points. :class:`ApplyVerdicts` makes the outputs tell the
truth before nbgrader's own ``SaveAutoGrades`` reads them. A test cell
earns points only if

* it ran, before any cell that timed out, was interrupted, ran out of
  memory, printed too much or killed the kernel;
* the kernel's *execute reply* for it said ``ok`` (not only: no traceback shown);
* nothing tampered with the checks (static scan or kernel probe);
* every one of its out-of-kernel checks (:mod:`.compare`) passed: the
  grader compared the student's values, as plain data, with the reference
  solution's, in its own process. The kernel's "ok" is necessary, never
  sufficient.

Otherwise it gets an error output naming the reason, so nbgrader gives it 0
and the feedback says why.
"""

from __future__ import annotations

import nbformat
from nbformat import NotebookNode

from .execute import Execution, cell_label
from .notebooks import grade_id, is_test

ENAME = "GradingError"


def error_output(reason: str) -> NotebookNode:
    return nbformat.v4.new_output("error", ename=ENAME, evalue=reason, traceback=[f"{ENAME}: {reason}"])


def note_output(text: str) -> NotebookNode:
    return nbformat.v4.new_output("stream", name="stdout", text=f"[grader] {text}\n")


class ApplyVerdicts:
    """Callable: (notebook, execution, integrity findings) -> None; edits outputs in place."""

    def __call__(self, nb: NotebookNode, execution: Execution, integrity: list[str]) -> None:
        stop = execution.stop
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if stop is not None and index > stop.index:
                if cell.source.strip():
                    reason = f"not run: grading stopped because {stop.reason}"
                    cell.outputs.append(error_output(reason) if is_test(cell) else note_output(reason))
                continue
            if not is_test(cell):
                continue
            reason = None
            if stop is not None and index == stop.index:
                reason = stop.reason
            elif integrity:
                more = f" (and {len(integrity) - 1} more)" if len(integrity) > 1 else ""
                reason = f"not scored: the checks were tampered with: {integrity[0]}{more}"
            elif execution.status(index) == "not-run" and cell.source.strip():
                reason = f"test cell {cell_label(cell, index)} did not run"
            elif execution.status(index) == "error" and not any(
                o.get("output_type") == "error" for o in cell.outputs
            ):
                ename = execution.replies[index].get("ename", "an error")
                reason = f"the cell failed ({ename}) but its traceback was suppressed"
            elif execution.checked:
                result = execution.checks.get(grade_id(cell))
                if result is None:
                    reason = "the grader's checks of this cell did not run"
                elif not result.passed:
                    reason = result.reason()
            if reason:
                cell.outputs.append(error_output(reason))

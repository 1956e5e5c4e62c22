"""Step: find replies the kernel forged, by setting them beside what the grader itself was told."""

from __future__ import annotations

from ..notebooks import HIDDEN_TESTS, grade_id, is_test, remove_region
from .record import Record


def _has_code(source: str) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in source.splitlines())


def forged_replies(nb, execution) -> list[str]:
    """Test cells the kernel reported as passing although the grader, asking the same kernel for the same
    calls, got an exception: only a kernel whose replies were rewritten does that. Also the course's
    inputs that the kernel holds changed (their digest is not the grader's) and results whose class
    redefines equality or lies about itself."""
    found = []
    calls = [  # the inputs whose digest in the kernel is not the grader's own
        p[p.index(".digest(") + len(".digest(") : -1] if ".digest(" in p else p
        for p in execution.changed_inputs
    ]
    if calls:
        more = f" and {len(calls) - 2} more" if len(calls) > 2 else ""
        found.append(
            f"the kernel's {' and '.join(calls[:2])}{more} are not the course's inputs (their digests differ "
            f"from the grader's): course.data or course.grading.inputs was changed in the kernel"
        )
    for gid, result in execution.checks.items():
        eq = [v.why for v in result.verdicts if "redefines equality" in v.why]
        if eq:
            found.append(f"cell '{gid}': the student's code {eq[0]}, to pass equality tests")
        liar = [v.why for v in result.verdicts if "lies about its class" in v.why]
        if liar:
            found.append(f"cell '{gid}': the student's code {liar[0]}, to pass type tests")
    for index, cell in enumerate(nb.cells):
        if (
            not is_test(cell)
            or execution.status(index) != "ok"
            or not _has_code(remove_region(cell.source, HIDDEN_TESTS))
        ):
            continue
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            continue
        result = execution.checks.get(grade_id(cell))
        raised = [v.why for v in (result.verdicts if result else []) if v.why.startswith("raised ")]
        if raised:
            found.append(
                f"the kernel reported test cell '{grade_id(cell)}' as passing, but the same calls "
                f"{raised[0]} when the grader asked: its replies were forged"
            )
    return found


def detect_forged_replies(record: Record) -> None:
    record.integrity += forged_replies(record.nb, record.execution)

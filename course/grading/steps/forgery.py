"""Step: find replies the kernel forged, by setting them beside what the grader itself was told."""

from __future__ import annotations

from ..notebooks import HIDDEN_TESTS, grade_id, is_test, remove_region
from .record import Record


def _has_code(source: str) -> bool:
    return any(line.strip() and not line.strip().startswith("#") for line in source.splitlines())


def table_names(probes: list[str]) -> list[str]:
    """The course tables that the given input probes build, by name only: a probe's own text (seeds, rows
    dropped or kept, the words passed) belongs to the hidden tests and is never quoted."""
    import ast

    names = []
    for probe in probes:
        try:
            tree = ast.parse(probe, mode="eval")
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "inputs"
            ):
                first = node.args[0] if node.args else None
                if node.func.attr in ("table", "ids") and isinstance(first, ast.Constant):
                    name = str(first.value)
                else:
                    name = "hand-built"
                if name not in names:
                    names.append(name)
    return names


def forged_replies(nb, execution) -> list[str]:
    """Test cells the kernel reported as passing although the grader, asking the same kernel for the same
    calls, got an exception: only a kernel whose replies were rewritten does that. Also the course's
    inputs that the kernel holds changed (their digest is not the grader's) and results whose class
    redefines equality or lies about itself."""
    found = []
    tables = table_names(
        execution.changed_inputs
    )  # the inputs whose digest in the kernel is not the grader's
    if tables:
        found.append(
            f"the kernel's {' and '.join(tables)} tables are not the course's inputs (their digests differ "
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

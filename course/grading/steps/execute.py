"""Step: run the notebook in a fresh jail and ask the out-of-kernel checks.

The kernel runs the visible part of each test cell only: the hidden tests are cut out before the
notebook reaches the kernel and put back (for the instructor's copy, as nbgrader shows them) after.
"""

from __future__ import annotations

from ..execute import execute
from ..notebooks import HIDDEN_TESTS, is_test, remove_region
from ..sandbox import Sandbox
from .record import Record


def run_in_jail(record: Record) -> None:
    nb, material, ctx = record.nb, record.material, record.ctx
    hidden = {}
    for cell in nb.cells:
        if is_test(cell) and HIDDEN_TESTS[0] in cell.source:
            hidden[id(cell)] = cell.source
            cell.source = remove_region(cell.source, HIDDEN_TESTS)

    def new_sandbox():
        box = Sandbox(ctx.base, record.slot, ctx.isolation, ctx.settings, ctx.ro_paths)
        for rel, data in material.files.items():
            box.add_file(rel, data)
        return box

    try:
        sandbox = new_sandbox()
        try:
            record.execution = execute(nb, sandbox, ctx.settings, material.checks, fresh_sandbox=new_sandbox)
        finally:
            sandbox.cleanup()
    finally:
        for cell in nb.cells:
            if id(cell) in hidden:
                cell.source = hidden[id(cell)]
    record.integrity += [f"kernel probe: {t}" for t in record.execution.tampering]

"""Step: run the notebook in a fresh jail and ask the out-of-kernel checks.

The kernel runs the visible part of each test cell only: the hidden tests are cut out before the
notebook reaches the kernel and put back (for the instructor's copy, as nbgrader shows them) after.
"""

from __future__ import annotations

import os

from ..execute import KernelPool, execute
from ..notebooks import HIDDEN_TESTS, is_test, remove_region
from ..sandbox import Sandbox
from .record import Record

_pools: dict[int, KernelPool] = {}  # this process's warm pool (one per grading process)


def kernel_pool(ctx, slot: int) -> KernelPool | None:
    """This process's :class:`..execute.KernelPool`, made on first use; None when the run has none."""
    if not getattr(ctx, "warm", False):
        return None
    pool = _pools.get(os.getpid())
    if pool is None:
        pool = _pools[os.getpid()] = KernelPool(
            lambda parity: Sandbox(ctx.base, slot, ctx.isolation, ctx.settings, ctx.ro_paths, parity),
            ctx.settings,
            ctx.remaining,
        )
    return pool


def close_kernel_pool(wait: bool = True) -> None:
    """Stop this process's spare kernel and delete its jail (at the end of a run, or of a worker)."""
    pool = _pools.pop(os.getpid(), None)
    if pool is not None:
        pool.close(wait)


def run_in_jail(record: Record) -> None:
    nb, material, ctx = record.nb, record.material, record.ctx
    hidden = {}
    for cell in nb.cells:
        if is_test(cell) and HIDDEN_TESTS[0] in cell.source:
            hidden[id(cell)] = cell.source
            cell.source = remove_region(cell.source, HIDDEN_TESTS)

    def with_files(box: Sandbox) -> Sandbox:
        for rel, data in material.files.items():
            box.add_file(rel, data)
        return box

    pool = kernel_pool(ctx, record.slot)
    try:
        started = pool.take() if pool is not None else None
        if started is not None:
            sandbox = started.sandbox  # a fresh jail whose kernel has run nothing yet
        else:
            sandbox = (
                pool.sandbox()
                if pool is not None
                else Sandbox(ctx.base, record.slot, ctx.isolation, ctx.settings, ctx.ro_paths)
            )
        try:
            with_files(sandbox)

            def new_sandbox():  # for a rerun, after this one is cleaned up: the same uid
                return with_files(
                    Sandbox(ctx.base, record.slot, ctx.isolation, ctx.settings, ctx.ro_paths, sandbox.parity)
                )

            record.execution = execute(
                nb,
                sandbox,
                ctx.settings,
                material.checks,
                fresh_sandbox=new_sandbox,
                ready=started,
                pool=pool,
                inputs=material.inputs,
            )
        finally:
            sandbox.cleanup()
    finally:
        for cell in nb.cells:
            if id(cell) in hidden:
                cell.source = hidden[id(cell)]
    record.integrity += [f"kernel probe: {t}" for t in record.execution.tampering]

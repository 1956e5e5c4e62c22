"""Step: the status column: one value per kind of outcome, and every problem found, in order."""

from __future__ import annotations

from .record import Record

FAILING_STOPS = ("kernel-died", "startup")
# how each way a run can stop shows in the status column
STOP_STATUS = {
    "timeout": "timed out",
    "total-timeout": "timed out",
    "kernel-died": "crashed",
    "startup": "crashed",
    "interrupted": "crashed",
    "memory": "killed (memory)",
    "output": "output-capped",
}


def decide_status(record: Record) -> None:
    execution, findings, integrity = record.execution, record.findings, record.integrity
    stop = execution.stop
    problems = list(findings)
    if stop is not None:
        problems.append(stop.reason)
    if execution.rerun:
        problems.append(execution.rerun)
    if execution.background:
        problems.append(
            f"the submission left {len(execution.background)} process(es) running; "
            f"they were stopped with its jail"  # their command lines are the student's: not quoted
        )
    problems += [
        f"the checks of cell '{gid}' could not run: {r.problem}"
        for gid, r in execution.checks.items()
        if r.problem
    ]
    problems += integrity
    status, kind, reason = "graded", "", ""
    if integrity:
        status, kind, reason = "failed", "tampered", f"the checks were tampered with: {integrity[0]}"
    elif stop is not None:
        kind = STOP_STATUS.get(stop.kind, "crashed")
        status, reason = ("failed" if stop.kind in FAILING_STOPS else "graded"), stop.reason
    elif findings:  # edited, deleted or moved locked cells: restored, and graded as restored
        kind, reason = "tampered", findings[0]
    else:  # ran to the end, but a check could not be asked: scored as failed, and named
        for gid, r in execution.checks.items():
            if r.problem:
                kind = (
                    "timed out"
                    if "did not answer within" in r.problem or "out of time" in r.problem
                    else "crashed"
                )
                reason = f"the checks of cell '{gid}' could not run: {r.problem}"
                break
    record.problems += problems
    record.status, record.kind, record.reason = status, kind, reason

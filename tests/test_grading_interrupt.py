"""The instructor's Ctrl-C: `course grade` stops within seconds, blames no student, and a rerun finishes.

`course grade` runs as its own process group (as in a terminal) and gets SIGINT
for the whole group, the way a terminal delivers Ctrl-C, once the first
submission is done.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grading_fixtures.commands import course, new_course
from grading_fixtures.submissions import reference, submit

from course.grading.isolation import detect_isolation

pytestmark = pytest.mark.slow
EXTRA = [] if detect_isolation().mode != "none" else ["--allow-unisolated"]
STUDENTS = [f"s{i}" for i in range(6)]


def mine() -> list[int]:
    """Kernels and jails of this checkout still running."""
    venv = str(Path(sys.executable).parent).encode()
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                cmd = Path(f"/proc/{entry.name}/cmdline").read_bytes()
            except OSError:
                continue
            if venv in cmd and (b"kernel_boot" in cmd or b"_jail.py" in cmd):
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_stops_grading_cleanly_and_a_rerun_finishes(tmp_path, jobs):
    c = new_course(tmp_path / "course", "ps1")
    assert course("--course-dir", c, "release", "ps1").rc == 0
    for s in STUDENTS:
        submit(c, s, "ps1", reference(c, "ps1"))
    script = Path(sys.executable).parent / "course"
    proc = subprocess.Popen(
        [str(script), "--course-dir", str(c), "grade", "ps1", "--jobs", str(jobs), *EXTRA],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    for line in proc.stderr:  # the progress bar: one line per finished submission
        if "1/6" in line:
            break
    os.killpg(proc.pid, signal.SIGINT)
    interrupted = time.monotonic()
    out, err = proc.communicate(timeout=60)
    stopped_after = time.monotonic() - interrupted
    assert stopped_after < 10, f"Ctrl-C took {stopped_after:.1f} s to stop grading"
    assert proc.returncode == 130, (out, err)
    assert "Interrupted:" in out and "run the same `course grade` again" in out
    time.sleep(1)
    assert mine() == [], "a kernel or jail outlived the interrupt"

    course("--course-dir", c, "export", "-o", c / "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader(open(c / "grades.csv")) if r["assignment"] == "ps1"}
    statuses = [rows[s]["status"].split(":")[0] for s in STUDENTS]
    assert "needs-manual-grading" in statuses and "not graded" in statuses, statuses
    assert set(statuses) <= {"needs-manual-grading", "not graded"}, statuses  # nothing blamed on a student

    rerun = course("--course-dir", c, "grade", "ps1", "--jobs", str(jobs), *EXTRA)
    assert rerun.rc == 0, rerun.out + rerun.err
    course("--course-dir", c, "export", "-o", c / "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader(open(c / "grades.csv")) if r["assignment"] == "ps1"}
    assert all(
        rows[s]["status"] == "needs-manual-grading" and float(rows[s]["score"]) == 8.0 for s in STUDENTS
    )

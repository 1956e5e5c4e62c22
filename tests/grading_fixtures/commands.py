"""Run the `course` command in-process on a throwaway copy of the course."""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from course.cli import main

REPO = Path(__file__).resolve().parents[2]


def course(*args) -> SimpleNamespace:
    """``course ARGS...``: its exit code and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main([str(a) for a in args])
    return SimpleNamespace(rc=rc, out=out.getvalue(), err=err.getvalue())


def course_process(*args) -> SimpleNamespace:
    """``course ARGS...`` in a process of its own: for callers that already run an event loop
    (Playwright's sync API does), where the in-process grader cannot start its own."""
    code = "import sys; from course.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, timeout=900
    )
    return SimpleNamespace(rc=done.returncode, out=done.stdout, err=done.stderr)


def new_course(path: Path, *problem_sets: str) -> Path:
    """A copy of the course's masters and configuration at ``path`` (all problem sets by default)."""
    path.mkdir(parents=True)
    source = REPO / "assignments" / "source"
    for ps in problem_sets or sorted(p.name for p in source.iterdir() if p.is_dir()):
        shutil.copytree(source / ps, path / "source" / ps)
    shutil.copy(REPO / "assignments" / "nbgrader_config.py", path)
    return path

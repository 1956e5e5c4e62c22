"""``course release``: generate the student version with nbgrader, then prove nothing secret reached it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

from .coursedir import Course, CourseError
from .notebooks import Secrets, leaks, read_notebook, strings


class LeakError(CourseError):
    """Solution or hidden-test text reached a student-facing file."""

    def __init__(self, leaks: list[str]):
        self.leaks = leaks
        super().__init__("secret text reached the student version:\n" + "\n".join(f"  - {x}" for x in leaks))


@dataclass
class ReleaseReport:
    assignment: str
    notebooks: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    secret_lines: int = 0


def check_release(course: Course, assignment: str) -> ReleaseReport:
    """Compare each released file with its master; raise :class:`LeakError` naming every leak."""
    report = ReleaseReport(assignment)
    release_dir = course.release / assignment
    secrets_all = {}
    found = []
    for name in course.notebooks(assignment):
        secrets = Secrets.of(read_notebook(course.source / assignment / f"{name}.ipynb"))
        secrets_all.update(secrets.lines)
        released = release_dir / f"{name}.ipynb"
        if not released.is_file():
            raise CourseError(f"nbgrader did not write {released}")
        found += [f"{assignment}/{name}.ipynb, {leak}" for leak in leaks(read_notebook(released), secrets)]
        report.notebooks.append(f"{name}.ipynb")
    report.secret_lines = len(secrets_all)
    every = Secrets(secrets_all)
    for path in sorted(p for p in release_dir.rglob("*") if p.is_file() and p.suffix != ".ipynb"):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        found += [
            f"{path.relative_to(course.release)}: contains {where}: {line[:60]!r}"
            for line, where in every.found_in(strings(text))
        ]
        report.files.append(str(path.relative_to(release_dir)))
    if found:
        raise LeakError(found)
    return report


def release(course: Course, assignment: str) -> ReleaseReport:
    """nbgrader generate_assignment (records the masters in the gradebook), then :func:`check_release`.

    If anything leaked, the student version is deleted so it cannot be handed out.
    """
    result = course.api().generate_assignment(assignment, force=True, create=True)
    if not result.get("success"):
        raise CourseError(f"nbgrader could not generate {assignment}:\n{nbgrader_errors(result)}")
    try:
        return check_release(course, assignment)
    except LeakError:
        shutil.rmtree(course.release / assignment, ignore_errors=True)
        raise


def nbgrader_errors(result: dict) -> str:
    """The ERROR lines of an NbGraderAPI result's log (else the last line of its traceback)."""
    log = (result.get("log") or "").splitlines()
    errors = [line for line in log if line.startswith("[ERROR]")]
    if not errors:
        errors = (result.get("error") or "unknown error").strip().splitlines()[-1:]
    return "\n".join(f"  {line}" for line in errors[-8:])


def publish(course: Course, assignment: str) -> None:
    """Copy the checked release into the exchange (nbgrader release_assignment)."""
    course.ensure_exchange()
    result = course.api().release_assignment(assignment)
    if not result.get("success"):
        raise CourseError(
            f"nbgrader could not release {assignment} to the exchange:\n{nbgrader_errors(result)}"
        )

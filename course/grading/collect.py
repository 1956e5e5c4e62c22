"""``course collect PS``: what ``nbgrader collect`` does, without following a path a student chose.

The exchange's inbound folder is writable by every student: a submission
there may be a symbolic link to ``source/ps1/ps1.ipynb`` or to another
student's notebook, a hard link, a FIFO or a device. ``nbgrader collect``
copies what such a path points to, as the instructor (often root). This
command reads the inbound folder with :mod:`.safefs` (no link followed, every
file checked with ``fstat``) and copies only regular files into a fresh
``submitted/<student>/<ps>/``. Anything it refuses is listed in
``.course-refused.json`` there, so ``course grade`` gives that submission the
status ``failed: invalid file: …`` instead of a silent zero.

Like nbgrader: the newest submission of each student is collected (by the
timestamp in its folder name, as ``nbgrader collect`` reads it); a student
already collected is skipped unless ``--update`` and the new submission is
newer, which then replaces the old one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import safefs
from .coursedir import Course, CourseError
from .notebooks import MAX_NOTEBOOK_MB

REFUSED = ".course-refused.json"
MAX_FILES = 200
# how far a submission's files may have been written after the time it claims (nbgrader submit takes the
# time, then copies; the exchange's file server and a student's server may keep slightly different clocks)
CLOCK_TOLERANCE_MINUTES = 10
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")


@dataclass
class CollectReport:
    assignment: str
    collected: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already collected, nothing newer
    refused: list[str] = field(default_factory=list)  # "<student>: <reason>" (files or whole submissions)
    backdated: list[str] = field(default_factory=list)  # "<student>: <what it claimed, what its files show>"


def _stamp(when: dt.datetime) -> str:
    """A naive UTC time as nbgrader writes it in timestamp.txt (and reads it back as UTC)."""
    return when.strftime("%Y-%m-%d %H:%M:%S.%f")


def _timestamp(text: str):
    from nbgrader.utils import parse_utc

    return parse_utc(text)


def foreign_owner(student: str, uid: int) -> str | None:
    """The account that owns an inbound folder named for ``student``, if that is another account.

    nbgrader names a submission after the OS user who submits (``nbgrader.utils.get_username``), and the
    inbound folder is writable by everyone, so another student can create ``alice+ps1+<later time>``.
    Where ``student`` is an account on this machine (a hub with one Unix user per student), a folder it
    does not own is forged: ``nbgrader collect`` only warns (``CollectApp.check_owner``); this refuses it,
    so the forgery can neither replace nor hide the real submission. Where ``student`` is no account
    here (files from elsewhere, a hub whose servers all run as one uid) ownership proves nothing.
    """
    import pwd

    try:
        expected = pwd.getpwnam(student).pw_uid
    except KeyError:
        return None
    if uid == expected:
        return None
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _records(
    inbound_fd: int, assignment: str, report: CollectReport, check_owner: bool = True
) -> dict[str, tuple]:
    """student -> (timestamp, folder name) of the newest inbound submission of ``assignment``."""
    newest: dict[str, tuple] = {}
    for name, st in safefs.entries(inbound_fd):
        parts = name.rsplit("+", 3)
        if len(parts) < 3 or parts[1] != assignment:
            continue
        student = parts[0]
        if not STUDENT_ID.match(student):
            report.refused.append(f"{name}: the student id {student!r} is not a plain name")
            continue
        if not stat.S_ISDIR(st.st_mode):
            report.refused.append(f"{student}: inbound/{name} is {safefs.kind(st.st_mode)}, not a folder")
            continue
        owner = foreign_owner(student, st.st_uid) if check_owner else None
        if owner:
            report.refused.append(
                f"{student}: inbound/{name} is owned by {owner}, not by {student}: a submission in "
                f"another's name (CollectApp.check_owner); not collected"
            )
            continue
        try:
            when = _timestamp(parts[2])
        except Exception:  # noqa: BLE001 - a malformed name affects that student only
            report.refused.append(f"{student}: inbound/{name} has no valid timestamp ({parts[2]!r})")
            continue
        if student not in newest or when > newest[student][0]:
            newest[student] = (when, name)
    return newest


def _copy_tree(
    src_fd: int,
    dest: Path,
    refused: list[str],
    prefix: str = "",
    budget: list | None = None,
    changed: list | None = None,
) -> None:
    """Copy the regular files (and real folders) of ``src_fd`` into ``dest``; record what was refused,
    and in ``changed`` the inode change time (ctime) of each file copied, read after its content: the
    kernel sets a ctime whenever a file is created, written or renamed, and no one but root can set it
    back, so the newest one is the latest moment the collected files can have been written."""
    budget = budget if budget is not None else [MAX_FILES]
    changed = changed if changed is not None else []
    for name, st in safefs.entries(src_fd):
        rel = prefix + name
        if budget[0] <= 0:
            refused.append(f"{rel}: more than {MAX_FILES} files; the rest were not collected")
            return
        if stat.S_ISDIR(st.st_mode):
            try:
                sub = os.open(
                    name, os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=src_fd
                )
            except OSError:
                refused.append(f"{rel} cannot be read")
                continue
            try:
                (dest / name).mkdir()
                _copy_tree(sub, dest / name, refused, rel + "/", budget, changed)
            finally:
                os.close(sub)
            continue
        try:
            data = safefs.read_at(src_fd, name, MAX_NOTEBOOK_MB * 2**20, rel)
        except safefs.UnsafeFile as e:
            refused.append(str(e))
            continue
        budget[0] -= 1
        try:
            changed.append(os.lstat(name, dir_fd=src_fd).st_ctime)
        except OSError:  # removed since: its content was read, and the read was now
            changed.append(time.time())
        fd = os.open(dest / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def _deadlines(course: Course, assignment: str):
    """student -> the due date that applies to them (naive UTC, extensions included), or None."""
    from .policy import _gradebook, extensions

    try:
        with _gradebook(course) as gb:
            due = gb.find_assignment(assignment).duedate
            extended = {s: u for (a, s), u in extensions(gb).items() if a == assignment}
    except Exception:  # noqa: BLE001 - not in the gradebook (never released with a due date): none
        return lambda student: None
    return lambda student: extended.get(student, due) if due is not None else None


def backdated(claimed: list, written: dt.datetime, due, tolerance: dt.timedelta) -> bool:
    """A submission that says it came on time (its folder name or its timestamp.txt) while its files
    were written after the due date, beyond the clocks' tolerance."""
    return due is not None and any(c is not None and c <= due for c in claimed) and written > due + tolerance


def existing_timestamp(folder: Path):
    try:
        return _timestamp(safefs.read_file(folder, "timestamp.txt", 4096).decode().strip())
    except Exception:  # noqa: BLE001 - missing or malformed: treated as older than anything
        return None


def collect(
    course: Course, assignment: str, update: bool = False, students: list[str] | None = None
) -> CollectReport:
    report = CollectReport(assignment)
    inbound = course.exchange_root / course.course_id / "inbound"
    try:
        inbound_fd = safefs.open_dir(inbound)
    except safefs.UnsafeFile as e:
        raise CourseError(f"no inbound folder to collect from: {e}") from None
    try:
        check_owner = course.config.get("CollectApp", {}).get("check_owner", True)
        records = _records(inbound_fd, assignment, report, check_owner)
        due_of = _deadlines(course, assignment)
        minutes = course.config.get("CourseCollect", {}).get(
            "clock_tolerance_minutes", CLOCK_TOLERANCE_MINUTES
        )
        tolerance = dt.timedelta(minutes=float(minutes))
        course.submitted.mkdir(parents=True, exist_ok=True)
        for student in sorted(records):
            if students and student not in students:
                continue
            when, name = records[student]
            target = course.submitted / student / assignment
            if os.path.lexists(target):
                if os.path.islink(target) or not target.is_dir():
                    raise CourseError(f"{target} is not a folder; remove it and collect again")
                old = existing_timestamp(target)
                if not update or (old is not None and when <= old):
                    report.skipped.append(student)
                    continue
            refused: list[str] = []
            try:
                src_fd = os.open(
                    name, os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=inbound_fd
                )
            except OSError as e:
                report.refused.append(f"{student}: inbound/{name} cannot be read ({e.strerror})")
                continue
            (course.submitted / student).mkdir(exist_ok=True)
            fresh = Path(tempfile.mkdtemp(prefix=f".{assignment}-", dir=course.submitted / student))
            try:
                changed: list[float] = []
                _copy_tree(src_fd, fresh, refused, changed=changed)
                written = dt.datetime.fromtimestamp(max(changed, default=0), dt.UTC).replace(tzinfo=None)
            finally:
                os.close(src_fd)
            own = (fresh / "timestamp.txt").is_file()
            claimed = [when, existing_timestamp(fresh) if own else None]
            if backdated(claimed, written, due_of(student), tolerance):
                shown = " and ".join(sorted({f"{_stamp(c)} UTC" for c in claimed if c is not None}))
                report.backdated.append(
                    f"{student}: inbound/{name} says it was submitted at {shown}, by the due date "
                    f"{_stamp(due_of(student))} UTC, but its files were last written at {_stamp(written)} UTC; "
                    f"collected with that time"
                )
                (fresh / "timestamp.txt").unlink(missing_ok=True)
                own = False
                when = written
            if not own:
                (fresh / "timestamp.txt").write_text(_stamp(when))
            if refused:
                (fresh / REFUSED).write_text(json.dumps(refused, indent=1))
                report.refused += [f"{student}: {r}" for r in refused]
            os.chmod(fresh, 0o755)
            replacing = target.is_dir()
            if replacing:
                shutil.rmtree(target)
            os.rename(fresh, target)
            (report.updated if replacing else report.collected).append(student)
    finally:
        os.close(inbound_fd)
    return report


def refused_at_collect(folder: Path) -> list[str]:
    """What ``course collect`` refused to copy into this submission folder."""
    try:
        data = json.loads(safefs.read_file(folder, REFUSED, 1 << 20))
    except safefs.Missing:
        return []
    except Exception:  # noqa: BLE001
        return ["the collect record of this submission is unreadable"]
    return [str(x) for x in data] if isinstance(data, list) else []

"""Course-directory hardening for the ``uid`` mode, where file permissions are the only wall."""

from __future__ import annotations

import os
from pathlib import Path

from .isolation import Isolation


def harden_course_dir(course_root: Path, isolation: Isolation) -> list[str]:
    """In ``uid`` mode, file permissions are the wall: make the course's private parts unreadable to others.

    Returns what was changed. (In ``namespaces`` mode the jail cannot see the
    course directory at all, so nothing needs changing.)
    """
    changed = []
    if isolation.mode != "uid":
        return changed
    for name in ("source", "submitted", "autograded", "feedback", "gradebook.db", "release"):
        p = course_root / name
        if p.exists():
            mode = p.stat().st_mode & 0o777
            if mode & 0o007:
                os.chmod(p, mode & ~0o007)
                changed.append(f"{p}: removed access for others")
    return changed

"""``course lessons --dest DIR``: give a student their own copies of the lessons.

Copies the lesson notebooks and the widgets' example notebooks (into
``DIR/examples/``) from the installed course into ``DIR``, and records what it
copied in ``DIR/.course-lessons.json``: for each file, a fingerprint of the
notebook's cells (their type, source, outputs and attachments; not the
notebook's metadata or JSON layout, which Jupyter rewrites on every save).

The rule: **a file that exists in DIR is never overwritten**, with one
exception, ``--update``, which replaces a file only when it is exactly what
this command copied (its fingerprint equals the recorded one: the student has
not edited or run it) and the course's version has changed since. Everything
else is kept and reported: a notebook the student edited, one the command did
not copy (no record), a symbolic link. A missing file is copied again, so a
student who wants the new version of a lesson they edited renames theirs and
runs the command again.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .resources import ResourceError, examples_dir, lessons_dir

MANIFEST = ".course-lessons.json"
EXAMPLES = "examples"


class LessonsError(RuntimeError):
    """The destination cannot be used; the message says why."""


@dataclass
class Report:
    dest: Path
    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (file, why)
    updatable: list[str] = field(default_factory=list)  # would be updated by --update


def fingerprint(data: bytes) -> str:
    """sha256 of a notebook's cells (type, source, outputs, attachments), or of the raw bytes if it is not one."""
    try:
        nb = json.loads(data.decode("utf-8"))
        cells = [
            {
                "cell_type": c.get("cell_type"),
                "source": "".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source"),
                "outputs": c.get("outputs", []),
                "attachments": c.get("attachments", {}),
            }
            for c in nb["cells"]
        ]
        canonical = json.dumps(cells, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        return "cells:" + hashlib.sha256(canonical).hexdigest()
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return "bytes:" + hashlib.sha256(data).hexdigest()


def upstream_files() -> dict[str, Path]:
    """{path relative to DIR: installed file}: the lessons at the top, the examples in examples/."""
    out = {p.name: p for p in sorted(lessons_dir().glob("[0-9][0-9]_*.ipynb"))}
    # the self-check banks the lessons' ask(...) cells read, beside them as in the repository
    out.update({f"questions/{p.name}": p for p in sorted((lessons_dir() / "questions").glob("*.toml"))})
    out.update({f"{EXAMPLES}/{p.name}": p for p in sorted(examples_dir().glob("*.ipynb"))})
    if not out:
        raise ResourceError(f"no lesson notebooks found in {lessons_dir()}")
    return out


def _read_manifest(dest: Path) -> dict[str, dict]:
    path = dest / MANIFEST
    if path.is_symlink() or not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get("files", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {k: v for k, v in files.items() if isinstance(v, dict) and isinstance(v.get("fingerprint"), str)}


def _atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write beside ``path`` and rename over it: never through a link, never half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_folder(folder: Path, what: str) -> None:
    if folder.is_symlink():
        raise LessonsError(f"{folder} is a symbolic link; {what} are copied only into a real folder")
    if folder.exists() and not folder.is_dir():
        raise LessonsError(f"{folder} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)


def copy_lessons(dest: str | os.PathLike, update: bool = False) -> Report:
    """Copy the lessons into ``dest`` by the rule in the module docstring; return what was done."""
    dest = Path(dest).absolute()
    _check_folder(dest, "the lessons")
    files = upstream_files()
    if any(name.startswith(EXAMPLES + "/") for name in files):
        _check_folder(dest / EXAMPLES, "the examples")
    if any(name.startswith("questions/") for name in files):
        _check_folder(dest / "questions", "the question banks")
    manifest = _read_manifest(dest)
    report = Report(dest)
    now = _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")

    for name, source in files.items():
        data = source.read_bytes()
        new = fingerprint(data)
        target = dest / name
        recorded = manifest.get(name, {}).get("fingerprint")
        if target.is_symlink():
            report.kept.append((name, "a symbolic link; left alone"))
            continue
        if not target.exists():
            _atomic_write(target, data)
            manifest[name] = {"fingerprint": new, "course_version": __version__, "copied": now}
            report.copied.append(name)
            continue
        try:
            st = target.stat()
            if not stat.S_ISREG(st.st_mode):
                raise OSError("not a regular file")
            current = fingerprint(target.read_bytes())
        except OSError as e:
            report.kept.append((name, f"cannot be read ({e}); left alone"))
            continue
        if current == new:
            report.unchanged.append(name)
            if recorded != new:  # identical to the course's: from now on it counts as copied
                manifest[name] = {"fingerprint": new, "course_version": __version__, "copied": now}
            continue
        if recorded is None:
            report.kept.append((name, f"not copied by `course lessons` (no record in {MANIFEST}); kept"))
            continue
        if current != recorded:
            why = "you edited or ran it; kept yours"
            if new != recorded:
                why += " (the course's version changed too: rename yours and run `course lessons` again to get it)"
            report.kept.append((name, why))
            continue
        # current == recorded != new: untouched since copied, and changed upstream
        if update:
            _atomic_write(target, data, stat.S_IMODE(st.st_mode))
            manifest[name] = {"fingerprint": new, "course_version": __version__, "copied": now}
            report.updated.append(name)
        else:
            report.updatable.append(name)

    body = {
        "about": "Written by `course lessons`: what it copied here, to tell your edits from course updates.",
        "course_version": __version__,
        "files": dict(sorted(manifest.items())),
    }
    _atomic_write(dest / MANIFEST, (json.dumps(body, indent=1) + "\n").encode())
    return report


def print_report(report: Report) -> None:
    for name in report.copied:
        print(f"copied   {name}")
    for name in report.updated:
        print(f"updated  {name}")
    for name, why in report.kept:
        print(f"kept     {name}: {why}")
    for name in report.updatable:
        print(f"changed  {name}: a newer version is in the course; `course lessons --update` brings it in")
    print(
        f"Summary: {len(report.copied)} copied, {len(report.updated)} updated, {len(report.kept)} kept, "
        f"{len(report.unchanged)} already up to date, {len(report.updatable)} with an update available; "
        f"in {report.dest}"
    )


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "lessons",
        help="copy the lessons into a folder, never overwriting a student's edits",
        description="Copy the lessons and the widget examples (into DIR/examples) from the "
        "installed course. A file already in DIR is never overwritten; --update replaces only "
        "files the student has not changed since they were copied, and lists what it kept.",
    )
    p.add_argument("--dest", required=True, help="the folder to copy into (created if missing)")
    p.add_argument(
        "--update",
        action="store_true",
        help="also replace lessons that changed in the course and that the student has not edited",
    )
    p.set_defaults(func=cmd_lessons)
    return p


def cmd_lessons(args) -> int:
    try:
        report = copy_lessons(args.dest, update=args.update)
    except (LessonsError, ResourceError, OSError) as e:
        print(f"error: {e}")
        return 2
    print_report(report)
    return 0

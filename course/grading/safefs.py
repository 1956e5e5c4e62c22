"""Reading files a student controls, as root, without following a path the student chose.

A submission folder, an exchange folder or a jail's work directory may hold
symbolic links (to ``source/ps1/ps1.ipynb``, to another student's notebook,
to ``/etc/shadow``), hard links to files elsewhere, FIFOs (an ``open`` that
never returns) or devices. Everything here opens files with ``O_NOFOLLOW``
and ``O_NONBLOCK``, walks folders component by component from a trusted
directory (``openat`` with ``O_NOFOLLOW | O_DIRECTORY``), and checks what it
opened with ``fstat``: a regular file with one name, or it is refused with a
reason that names it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_DIR = os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY | os.O_CLOEXEC


class UnsafeFile(Exception):
    """The file is not a plain regular file of the submission; ``str(e)`` says what it is."""


class Missing(UnsafeFile):
    pass


def kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _describe(dir_fd: int, name: str, label: str) -> str:
    try:
        st = os.lstat(name, dir_fd=dir_fd)
    except OSError:
        return f"{label} cannot be read"
    if stat.S_ISLNK(st.st_mode):
        try:
            target = os.readlink(name, dir_fd=dir_fd)
        except OSError:
            target = "?"
        return f"{label} is a symbolic link (to {target}); submissions must be regular files"
    return f"{label} is {kind(st.st_mode)}; submissions must be regular files"


def open_dir(root: Path, parts: tuple[str, ...] = ()) -> int:
    """A descriptor of ``root/parts...``, refusing any component that is a symbolic link."""
    try:
        fd = os.open(root, _DIR)
    except FileNotFoundError:
        raise Missing(f"{root} is missing") from None
    except OSError as e:
        raise UnsafeFile(f"{root} is not a real folder ({e.strerror})") from None
    try:
        for i, part in enumerate(parts):
            if part in ("", ".", "..") or "/" in part:
                raise UnsafeFile(f"{'/'.join(parts[: i + 1])} is not a plain folder name")
            try:
                nxt = os.open(part, _DIR, dir_fd=fd)
            except FileNotFoundError:
                raise Missing(f"{'/'.join(parts[: i + 1])} is missing") from None
            except OSError:
                raise UnsafeFile(
                    _describe(fd, part, "/".join(parts[: i + 1])).replace(
                        "submissions must be regular files", "folders of a submission must be real folders"
                    )
                ) from None
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_at(dir_fd: int, name: str, limit: int, label: str | None = None) -> bytes:
    """The bytes of regular file ``name`` in the folder ``dir_fd`` (at most ``limit``)."""
    label = label or name
    try:
        fd = os.open(name, _READ, dir_fd=dir_fd)
    except FileNotFoundError:
        raise Missing(f"{label} is missing") from None
    except OSError:  # ELOOP: a symbolic link; ENXIO: a socket; EACCES...
        raise UnsafeFile(_describe(dir_fd, name, label)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFile(f"{label} is {kind(st.st_mode)}; submissions must be regular files")
        if st.st_nlink != 1:
            raise UnsafeFile(
                f"{label} is a hard link ({st.st_nlink} names for one file); "
                f"submissions must be files of their own"
            )
        if st.st_size > limit:
            raise UnsafeFile(
                f"{label} is too large ({st.st_size / 2**20:.0f} MB; the limit is {limit / 2**20:.0f} MB)"
            )
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise UnsafeFile(f"{label} is too large (the limit is {limit / 2**20:.0f} MB)")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_file(root: Path, rel: str, limit: int) -> bytes:
    """``root/rel`` read without following any link below the trusted folder ``root``."""
    parts = tuple(Path(rel).parts)
    fd = open_dir(root, parts[:-1])
    try:
        return read_at(fd, parts[-1], limit, rel)
    finally:
        os.close(fd)


def entries(dir_fd: int) -> list[tuple[str, os.stat_result]]:
    """(name, lstat) of every entry of a folder, sorted by name."""
    out = []
    for name in sorted(os.listdir(dir_fd)):
        try:
            out.append((name, os.lstat(name, dir_fd=dir_fd)))
        except OSError:
            continue
    return out

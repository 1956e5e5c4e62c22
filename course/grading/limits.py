"""Limits per submission, not per process: a cgroup for memory and processes, a tmpfs for disk.

``rlimits`` (set by :mod:`._jail`) bound each process; a submission can start
many. Where the machine allows (root, a writable cgroup hierarchy, v1 or v2),
every jail gets its own cgroup: ``memory`` caps the whole jail's memory,
``pids`` its number of processes; the jail's launcher joins it before it
starts anything. The work directory becomes a size-limited tmpfs (mounted by
the grader, as root), so 32 files of 64 MB cannot land 2 GB on the host.
Where either is unavailable the fallback is what remains: address space and
file size per process, processes per uid, the jail's own 256 MB ``/tmp``;
``course doctor`` says which is in use.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from dataclasses import dataclass, field
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def _own_cgroups() -> dict[str, Path]:
    """controller -> our cgroup's folder (v1 per controller; v2 under the key 'unified')."""
    out = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            base = CGROUP_ROOT / "unified" if (CGROUP_ROOT / "unified").is_dir() else CGROUP_ROOT
            out["unified"] = base / path.lstrip("/")
        for c in controllers.split(","):
            if c in ("memory", "pids"):
                out[c] = CGROUP_ROOT / c / path.lstrip("/")
    return out


@dataclass
class Cgroup:
    folders: list[Path] = field(default_factory=list)
    memory: Path | None = None  # the folder holding the memory controller's files
    v2: bool = False

    @property
    def procs(self) -> list[str]:
        return [str(f / "cgroup.procs") for f in self.folders]

    def oom_killed(self) -> bool:
        """Did the memory limit kill a process of this jail?"""
        if self.memory is None:
            return False
        try:
            if self.v2:
                events = (self.memory / "memory.events").read_text()
                return any(
                    line.split()[0] == "oom_kill" and int(line.split()[1]) > 0 for line in events.splitlines()
                )
            return int((self.memory / "memory.failcnt").read_text()) > 0
        except (OSError, ValueError, IndexError):
            return False

    def remove(self) -> None:
        for folder in self.folders:
            try:
                os.rmdir(folder)
            except OSError:
                pass


def _write(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
        return True
    except OSError:
        return False


def make_cgroup(name: str, memory_mb: int, max_processes: int) -> Cgroup | None:
    """A fresh cgroup for one jail, or None when this machine does not let the grader make one."""
    if os.geteuid() != 0:
        return None
    own = _own_cgroups()
    group = Cgroup()
    limit = str(memory_mb * 2**20)
    if "memory" in own:
        folder = own["memory"] / name
        try:
            folder.mkdir()
        except OSError:
            folder = None
        if folder is not None:
            group.folders.append(folder)
            if _write(folder / "memory.limit_in_bytes", limit):
                _write(
                    folder / "memory.memsw.limit_in_bytes", limit
                )  # no swap beyond it, where swap is counted
                group.memory = folder
    if "pids" in own:
        folder = own["pids"] / name
        try:
            folder.mkdir()
            group.folders.append(folder)
            _write(folder / "pids.max", str(max_processes))
        except OSError:
            pass
    if not group.folders and "unified" in own:
        folder = own["unified"] / name
        try:
            folder.mkdir()
            group.folders.append(folder)
            group.v2 = True
            if _write(folder / "memory.max", limit):
                _write(folder / "memory.swap.max", "0")
                group.memory = folder
            _write(folder / "pids.max", str(max_processes))
        except OSError:
            pass
    if group.memory is None:
        group.remove()
        return None
    return group


_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
MS_NOSUID, MS_NODEV = 2, 4
MNT_DETACH = 2


def mount_tmpfs(folder: Path, size_mb: int, uid: int | None) -> bool:
    """Make ``folder`` a tmpfs of ``size_mb`` (owned by ``uid``). False when mounting is not allowed."""
    if os.geteuid() != 0:
        return False
    opts = f"size={int(size_mb)}m,mode=0700,nr_inodes=20000"
    if uid is not None:
        opts += f",uid={uid},gid={uid}"
    rc = _libc.mount(b"tmpfs", os.fsencode(str(folder)), b"tmpfs", MS_NOSUID | MS_NODEV, opts.encode())
    return rc == 0


def unmount(folder: Path) -> None:
    _libc.umount2(os.fsencode(str(folder)), MNT_DETACH)


def describe(memory_mb: int = 2048, disk_mb: int = 256, max_processes: int = 64) -> str:
    """Which per-submission limits this machine gives (for ``course doctor``)."""
    import tempfile

    parts = []
    group = make_cgroup(f"course-doctor-{os.getpid()}", memory_mb, max_processes)
    if group is not None:
        parts.append(
            f"cgroup {'v2' if group.v2 else 'v1'}: {memory_mb} MB memory and {max_processes} processes "
            f"per jail"
        )
        group.remove()
    else:
        parts.append(f"no cgroup (fallback: {memory_mb} MB address space per process, processes per uid)")
    with tempfile.TemporaryDirectory() as d:
        if mount_tmpfs(Path(d), 1, None):
            unmount(Path(d))
            parts.append(f"work directory on a {disk_mb} MB tmpfs")
        else:
            parts.append("no tmpfs for the work directory (fallback: a size limit per file)")
    return "; ".join(parts)


def release_all(base: Path) -> None:
    """After workers were killed mid-submission: unmount the work directories under ``base`` and remove
    the cgroups made for them (named after ``base``)."""
    try:
        mounts = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()]
    except OSError:
        mounts = []
    for point in mounts:
        if point.startswith(str(base) + "/"):
            unmount(Path(point))
    for own in _own_cgroups().values():
        for folder in own.glob(f"course-{base.name}-*"):
            try:
                os.rmdir(folder)
            except OSError:
                pass

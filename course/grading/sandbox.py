"""Where a submission's code runs: a throwaway jail per submission.

:class:`Sandbox` prepares one jail (its work directory, its tmpfs and
cgroup, its spec for :mod:`course.grading._jail`), gives the command line
that starts a kernel inside it, and afterwards kills whatever the
submission left running and deletes the directory.

The rest of the jail's machinery has a module per job:
:mod:`.settings` (the limits), :mod:`.isolation` (what this machine
allows), :mod:`.readable` (what a jail may read), :mod:`.kernel_env` (the
kernel's environment), :mod:`.reap` (process clean-up) and :mod:`.harden`
(the course directory in ``uid`` mode).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from .isolation import Isolation, IsolationError, detect_isolation  # noqa: F401 - course.cli imports them here
from .kernel_env import DATA_CACHE, kernel_environment
from .readable import readable_paths  # noqa: F401 - imported from here by course.cli and benchmarks
from .reap import force_remove, kill_orphans, kill_uid
from .settings import GradingSettings

JAIL = Path(__file__).with_name("_jail.py")


_sequence = itertools.count()


class Sandbox:
    """One jail for one submission: its directory, its limits, its clean-up."""

    def __init__(
        self,
        base: Path,
        slot: int,
        isolation: Isolation,
        settings: GradingSettings,
        ro_paths: list[str],
        parity: int = 0,
    ):
        self.base = base
        self.isolation = isolation
        self.settings = settings
        self.parity = parity  # which of its job's two uids (a kernel started ahead uses the other)
        self.uid = settings.sandbox_uid_base + 2 * slot + parity if isolation.separate_uid else None
        n = next(_sequence)
        self.workdir = base / f"s{os.getpid()}-{n}"
        self.workdir.mkdir(mode=0o700)
        from . import limits

        # per submission, not per process: a tmpfs for the disk, a cgroup for memory and processes
        self.tmpfs = isolation.mode != "none" and limits.mount_tmpfs(self.workdir, settings.disk_mb, self.uid)
        self.cgroup = (
            limits.make_cgroup(
                f"course-{base.name}-{os.getpid()}-{n}", settings.memory_mb, settings.max_processes
            )
            if isolation.mode != "none"
            else None
        )
        if isolation.mode != "namespaces":
            (self.workdir / "tmp").mkdir()
        data_cache = base / DATA_CACHE  # the grader's dataset verdicts, if warm_data_cache made them
        data_cache = data_cache if data_cache.is_dir() and not data_cache.is_symlink() else None
        self.log = base / f"log-{os.getpid()}-{n}"  # outside the work directory: the kernel cannot replace it
        # the kernel's connection file and IPC sockets: a folder of their own, outside the work directory,
        # which the kernel can write only until its sockets are bound (seal_ipc)
        self.ipc_dir = base / f"ipc-{os.getpid()}-{n}"
        self.ipc_dir.mkdir(mode=0o700)
        self.connection_file = self.ipc_dir / "kernel.json"
        self.spec_path = base / f"spec-{os.getpid()}-{n}.json"
        rlimits = {
            "AS": settings.memory_mb * 2**20,
            "FSIZE": settings.file_mb * 2**20,
            "NOFILE": 256,
            "CORE": 0,
        }
        if self.uid is not None:
            rlimits["NPROC"] = settings.max_processes
        self.spec = {
            "mode": isolation.mode,
            "bwrap": isolation.bwrap,  # None: the course's own launcher builds the jail
            "root": str(base / "root"),
            "workdir": str(self.workdir),
            "tmp_mb": settings.tmp_mb,
            "rw_paths": [str(self.ipc_dir)],
            "ro_paths": ro_paths
            + ([str(data_cache)] if data_cache and isolation.mode == "namespaces" else []),
            "uid": self.uid,
            "gid": self.uid,
            "rlimits": rlimits,
            "env": kernel_environment(self.workdir, isolation.mode, settings.output_kb * 1024, data_cache),
            "log": str(self.log),
            "cgroup_procs": self.cgroup.procs if self.cgroup else [],
        }
        if self.uid is not None:
            self._chown_tree(self.workdir)
            os.chown(self.ipc_dir, self.uid, self.uid)

    def seal_ipc(self) -> bool:
        """Once the kernel has bound its sockets (before any student code runs): take the socket folder
        away from it, so the submission cannot replace a socket by a link the grader would follow.

        As root the folder becomes root's (the kernel's uid can then neither add, remove nor rename an
        entry). Without root the kernel has the grader's own uid and could undo any change, so nothing
        is done (False); the grader then has no more rights than the kernel, and a socket swapped for
        another kernel's fails that kernel's message signature."""
        if self.uid is None or os.geteuid() != 0:
            return False
        os.chown(self.ipc_dir, 0, 0)
        os.chmod(self.ipc_dir, 0o755)
        return True

    def _chown_tree(self, path: Path) -> None:
        os.chown(path, self.uid, self.uid)
        for p in path.rglob("*"):
            os.lchown(p, self.uid, self.uid)

    def add_file(self, name: str, data: bytes) -> None:
        """Put a file the submission needs (e.g. a data file of the assignment) in the work directory."""
        target = self.workdir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        if self.uid is not None:
            self._chown_tree(self.workdir)

    def command(self, kernel_argv: list[str]) -> list[str]:
        """The command that starts ``kernel_argv`` inside this jail."""
        if self.uid is not None and self.connection_file.exists():
            os.chown(self.connection_file, self.uid, self.uid)
        self.spec_path.write_text(json.dumps(self.spec))
        return [sys.executable, "-I", "-S", str(JAIL), str(self.spec_path), "--", *kernel_argv]

    def kernel_log(self, limit: int = 2000) -> str:
        """The end of the kernel's log, read without following links; printable text only."""
        import stat

        try:
            fd = os.open(self.log, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            return ""
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
                return ""
            os.lseek(fd, max(0, st.st_size - limit), os.SEEK_SET)
            text = os.read(fd, limit).decode(errors="replace")
        except OSError:
            return ""
        finally:
            os.close(fd)
        return "".join(ch if ch.isprintable() or ch == "\n" else "?" for ch in text)

    def cleanup(self) -> None:
        """Kill whatever the submission left running, then delete its directory."""
        if self.isolation.mode == "uid" and self.uid is not None:
            kill_uid(self.uid)
        elif self.isolation.mode == "none":
            kill_orphans()
        # "namespaces": the kernel's exit ended the PID namespace, and with it every process in it
        if getattr(self, "tmpfs", False):
            from . import limits

            limits.unmount(self.workdir)
            self.tmpfs = False
        if getattr(self, "cgroup", None) is not None:
            for _ in range(20):
                self.cgroup.remove()
                if not any(f.exists() for f in self.cgroup.folders):
                    break
                time.sleep(0.05)
        shutil.rmtree(self.workdir, onerror=force_remove)
        shutil.rmtree(self.ipc_dir, onerror=force_remove)
        self.spec_path.unlink(missing_ok=True)
        self.log.unlink(missing_ok=True)


def make_base() -> Path:
    """The run's private directory holding each jail's work directory."""
    base = Path(tempfile.mkdtemp(prefix="cg-"))
    # others may traverse (the separate-uid kernel reaches its own work directory) but not list
    os.chmod(base, 0o711)
    (base / "root").mkdir()
    return base

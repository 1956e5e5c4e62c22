"""Ending what a submission left running, and removing what it left on disk.

In ``namespaces`` mode the PID namespace does this (its init's exit kills
every process in it); in ``uid`` mode every process of the jail's uid is
killed; in ``none`` mode the grader is a child subreaper and kills its
orphans.
"""

from __future__ import annotations

import os
import signal
import time


def force_remove(func, path, exc_info):
    """rmtree's error handler: make the entry removable, never following a link the kernel left."""
    try:
        parent = os.path.dirname(path)
        if not os.path.islink(parent):
            os.chmod(parent, 0o700)
        if os.path.islink(path):
            os.unlink(path)
            return
        os.chmod(path, 0o700)
        func(path)
    except OSError:
        pass


def _uids_running(uid: int) -> list[int]:
    """Processes with ``uid`` as their real, effective or saved uid."""
    import psutil

    pids = []
    for proc in psutil.process_iter(["uids"]):
        uids = proc.info["uids"]
        if uids is not None and uid in (uids.real, uids.effective, uids.saved):
            pids.append(proc.pid)
    return pids


def kill_uid(uid: int, rounds: int = 20) -> None:
    """As root: SIGKILL every process of ``uid`` (a child takes that uid and signals -1)."""
    for _ in range(rounds):
        if not _uids_running(uid):
            return
        pid = os.fork()
        if pid == 0:
            try:
                os.setgroups([])
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.05)


def become_subreaper() -> None:
    """Orphans of this process's descendants become its children, so kill_orphans finds them."""
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def kill_orphans(rounds: int = 20) -> None:
    """Kill and reap every child of this process (with become_subreaper: also adopted orphans)."""
    import psutil

    me = os.getpid()
    for _ in range(rounds):
        children = [p.pid for p in psutil.Process(me).children()]
        if not children:
            return
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass

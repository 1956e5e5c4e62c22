"""Which isolation this machine allows ``course grade``, strongest first (see ``assignments/README.md``).

``namespaces``  a private root file system holding only the system, Python,
                the course's code and data (read-only) and the work directory;
                no network; own PID namespace; a separate uid when the grader
                runs as root. Built by bubblewrap where it is installed and
                works, else by the hand-written launcher :mod:`._jail`.
``uid``         root without namespaces: a separate uid per job; the grader
                makes the course's private folders unreadable to others.
``none``        resource limits and a work directory only. ``course grade``
                refuses it unless asked explicitly.

Each level is *probed*: a trivial Python is started in a jail of that kind,
and the level counts only if that works.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

from .readable import SYSTEM_PATHS, existing, python_paths
from .settings import GradingSettings


class IsolationError(RuntimeError):
    """The requested isolation is not available, or the jail would expose the course."""


JAILS = ("bubblewrap", "builtin")


def bwrap_path() -> str | None:
    """bubblewrap's executable, if installed."""
    return shutil.which("bwrap") or (os.access("/usr/bin/bwrap", os.X_OK) and "/usr/bin/bwrap") or None


@dataclass(frozen=True)
class Isolation:
    mode: str
    why: str
    jail: str = "builtin"  # in "namespaces" mode: what builds the jail, "bubblewrap" or "builtin"

    @property
    def bwrap(self) -> str | None:
        return bwrap_path() if self.mode == "namespaces" and self.jail == "bubblewrap" else None

    @property
    def separate_uid(self) -> bool:
        return self.mode in ("namespaces", "uid") and os.geteuid() == 0


_probe_cache: dict[str, str | None] = {}


def probe(mode: str, uid_base: int = 61000, jail: str = "builtin") -> str | None:
    """Start a trivial Python in a jail of ``mode`` (built by ``jail``). None when that works, else why not."""
    key = f"{mode}:{uid_base}:{jail}"
    if key in _probe_cache:
        return _probe_cache[key]
    from .sandbox import Sandbox, make_base  # a probe is a jail

    base = make_base()
    try:
        sandbox = Sandbox(
            base,
            0,
            Isolation(mode, "probe", jail),
            GradingSettings(sandbox_uid_base=uid_base),
            existing(SYSTEM_PATHS) + python_paths(),
        )
        try:
            cmd = sandbox.command([sys.executable, "-I", "-S", "-c", "import os; os.listdir('/')"])
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
            except (OSError, subprocess.TimeoutExpired) as e:
                result = str(e)
            else:
                result = (
                    None
                    if proc.returncode == 0
                    else (sandbox.kernel_log() + proc.stderr).strip() or f"exit status {proc.returncode}"
                )
        finally:
            sandbox.cleanup()  # its tmpfs and cgroup too
    finally:
        shutil.rmtree(base, ignore_errors=True)
    _probe_cache[key] = result
    return result


def requested_jail(jail: str | None = None) -> str:
    """auto, bubblewrap or builtin: the environment's COURSE_GRADING_JAIL, else ``jail``, else auto."""
    wanted = os.environ.get("COURSE_GRADING_JAIL") or jail or "auto"
    if wanted not in ("auto",) + JAILS:
        raise IsolationError(f"COURSE_GRADING_JAIL={wanted!r}: expected auto, bubblewrap or builtin")
    return wanted


def _namespaces(uid_base: int, jail: str | None) -> tuple[Isolation | None, str]:
    """The namespaces isolation, built by bubblewrap where it works (unless asked otherwise), else by the
    course's own launcher; (None, why not) when neither works."""
    wanted = requested_jail(jail)
    root = os.geteuid() == 0
    who = "as root: kernels also run as a separate uid" if root else "in a user namespace"
    why_not = []
    if wanted in ("auto", "bubblewrap"):
        if bwrap_path() is None:
            problem = "bubblewrap is not installed (Debian: apt-get install bubblewrap)"
        else:
            problem = probe("namespaces", uid_base, "bubblewrap")
        if problem is None:
            return Isolation("namespaces", f"Linux namespaces, built by bubblewrap ({who})", "bubblewrap"), ""
        if wanted == "bubblewrap":
            raise IsolationError(f"bubblewrap cannot build the jail here: {problem}")
        why_not.append(f"bubblewrap: {problem}")
    problem = probe("namespaces", uid_base, "builtin")
    if problem is None:
        fallback = f"; the fallback, as {why_not[0]}" if why_not else ""
        return Isolation(
            "namespaces", f"Linux namespaces, built by the course's own launcher{fallback} ({who})"
        ), ""
    return None, "; ".join(why_not + [problem])


def detect_isolation(requested: str = "auto", uid_base: int = 61000, jail: str | None = None) -> Isolation:
    """The isolation ``course grade`` will use; raises IsolationError if ``requested`` is unavailable.

    ``jail`` (auto, bubblewrap or builtin; the environment's COURSE_GRADING_JAIL wins) chooses what
    builds a ``namespaces`` jail."""
    if sys.platform != "linux":
        if requested in ("auto", "none"):
            return Isolation("none", f"{sys.platform} has no Linux namespaces")
        raise IsolationError(f"isolation {requested!r} needs Linux")
    root = os.geteuid() == 0
    problem = "not requested"
    if requested in ("auto", "namespaces"):
        found, problem = _namespaces(uid_base, jail)
        if found is not None:
            return found
        if requested == "namespaces":
            raise IsolationError(f"Linux namespaces are not available: {problem}")
    if requested in ("auto", "uid"):
        if not root:
            if requested == "uid":
                raise IsolationError("isolation 'uid' needs the grader to run as root")
        else:
            uid_problem = probe("uid", uid_base)
            if uid_problem is None:
                return Isolation("uid", f"running as root without namespaces ({problem})")
            if requested == "uid":
                raise IsolationError(
                    f"a separate uid cannot run this Python: {uid_problem} "
                    f"(is Python installed where other users can read it?)"
                )
            problem += f"; a separate uid cannot run this Python: {uid_problem}"
    return Isolation("none", f"no isolation is available ({problem})")

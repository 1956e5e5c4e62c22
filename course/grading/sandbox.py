"""Where a submission's code runs: a throwaway jail per submission.

:class:`GradingSettings` holds the limits (``c.CourseGrader.*`` in
``nbgrader_config.py``). :func:`detect_isolation` finds the strongest
isolation this machine allows. :class:`Sandbox` prepares one jail (its work
directory, its spec for :mod:`course.grading._jail`), gives the command line
that starts a kernel inside it, and afterwards kills whatever the submission
left running and deletes the directory.

Isolation levels, strongest first (see ``assignments/README.md``):

``namespaces``  a private root file system holding only the system, Python,
                the course's code and data (read-only) and the work directory;
                no network; own PID namespace; a separate uid when the grader
                runs as root.
``uid``         root without namespaces: a separate uid per job; the grader
                makes the course's private folders unreadable to others.
``none``        resource limits and a work directory only. ``course grade``
                refuses it unless asked explicitly.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from traitlets import Enum, Float, Int, List, Unicode
from traitlets.config import Configurable

JAIL = Path(__file__).with_name("_jail.py")
SYSTEM_PATHS = ("/usr", "/bin", "/lib", "/lib32", "/lib64", "/libx32", "/sbin", "/etc")
MODES = ("namespaces", "uid", "none")


class GradingSettings(Configurable):
    """Limits and isolation for ``course grade`` (section ``CourseGrader`` of nbgrader_config.py)."""

    cell_timeout = Float(30.0, help="Seconds one cell may run.").tag(config=True)
    total_timeout = Float(600.0, help="Seconds the whole notebook may run.").tag(config=True)
    startup_timeout = Float(60.0, help="Seconds the kernel may take to start.").tag(config=True)
    memory_mb = Int(2048, help="Address-space limit of each process of the kernel (MB).").tag(config=True)
    output_kb = Int(1024, help="Output one cell may print before grading stops (KB).").tag(config=True)
    file_mb = Int(64, help="Largest file the kernel may write (MB).").tag(config=True)
    tmp_mb = Int(256, help="Size of the private /tmp of a jail (MB).").tag(config=True)
    max_processes = Int(64, help="Processes a submission may run (its cgroup; else its uid).").tag(
        config=True
    )
    disk_mb = Int(256, help="Size of a submission's work directory (a tmpfs, where the machine allows).").tag(
        config=True
    )
    total_output_mb = Int(
        16, help="Output of a whole notebook, display data and metadata included (MB)."
    ).tag(config=True)
    submission_timeout = Float(
        900.0, help="Wall time of a whole submission: its run, any rerun and the checks (s)."
    ).tag(config=True)
    isolation = Enum(
        ("auto",) + MODES, default_value="auto", help="Isolation: auto picks the strongest available."
    ).tag(config=True)
    sandbox_uid_base = Int(
        61000, help="First uid used for kernels when grading as root; job N uses base+N."
    ).tag(config=True)
    extra_ro_paths = List(Unicode(), help="More host paths the kernel may read (e.g. a data folder).").tag(
        config=True
    )


class IsolationError(RuntimeError):
    """The requested isolation is not available, or the jail would expose the course."""


@dataclass(frozen=True)
class Isolation:
    mode: str
    why: str

    @property
    def separate_uid(self) -> bool:
        return self.mode in ("namespaces", "uid") and os.geteuid() == 0


_probe_cache: dict[str, str | None] = {}


def probe(mode: str, uid_base: int = 61000) -> str | None:
    """Start a trivial Python in a jail of ``mode``. None when that works, else why not."""
    key = f"{mode}:{uid_base}"
    if key in _probe_cache:
        return _probe_cache[key]
    base = make_base()
    try:
        sandbox = Sandbox(
            base,
            0,
            Isolation(mode, "probe"),
            GradingSettings(sandbox_uid_base=uid_base),
            _existing(SYSTEM_PATHS) + python_paths(),
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


def detect_isolation(requested: str = "auto", uid_base: int = 61000) -> Isolation:
    """The isolation ``course grade`` will use; raises IsolationError if ``requested`` is unavailable."""
    if sys.platform != "linux":
        if requested in ("auto", "none"):
            return Isolation("none", f"{sys.platform} has no Linux namespaces")
        raise IsolationError(f"isolation {requested!r} needs Linux")
    root = os.geteuid() == 0
    problem = "not requested"
    if requested in ("auto", "namespaces"):
        problem = probe("namespaces", uid_base)
        if problem is None:
            who = "as root: kernels also run as a separate uid" if root else "in a user namespace"
            return Isolation("namespaces", f"Linux namespaces work here ({who})")
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


def _existing(paths) -> list[str]:
    return [p for p in paths if os.path.lexists(p)]


def python_paths() -> list[str]:
    """Python itself: the base installation and the virtual environment."""
    out = [os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)]
    exe = os.path.realpath(sys.executable)
    if not any(exe.startswith(p + os.sep) for p in out):
        out.append(os.path.dirname(exe))
    return out


def package_paths(names=("course", "widgets")) -> list[str]:
    """Source folders of the course's own packages (an editable install points into the repository)."""
    out = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            out.extend(os.path.realpath(p) for p in spec.submodule_search_locations)
    return out


def datasets_path() -> str | None:
    """The datasets folder, found as :func:`course.data.datasets_dir` does (without importing pandas)."""
    env = os.environ.get("COURSE_DATASETS")
    candidate = Path(env) if env else Path(__file__).resolve().parents[2] / "datasets"
    return str(candidate.resolve()) if (candidate / "datapackage.json").is_file() else None


def readable_paths(settings: GradingSettings, course_root: Path) -> list[str]:
    """Everything a jail may read, parents before children. Never the course directory."""
    paths = _existing(SYSTEM_PATHS) + python_paths() + package_paths() + list(settings.extra_ro_paths)
    data = datasets_path()
    if data:
        paths.append(data)
    root = os.path.realpath(course_root)
    clean = []
    for p in dict.fromkeys(paths):
        real = os.path.realpath(p) if not os.path.islink(p) else p
        if root == real or root.startswith(real.rstrip("/") + "/"):
            raise IsolationError(f"the jail may not read {p}: it contains the course directory {root}")
        clean.append(p)
    return sorted(clean, key=lambda p: (p.count("/"), p))


def kernel_environment(workdir: Path, mode: str, output_limit: int = 1 << 20) -> dict[str, str]:
    """The kernel's whole environment: nothing of the grader's leaks in."""
    venv_bin = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": "/tmp" if mode == "namespaces" else str(workdir / "tmp"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "IPYTHONDIR": str(workdir / ".ipython"),
        "JUPYTER_CONFIG_DIR": str(workdir / ".jupyter"),
        "JUPYTER_DATA_DIR": str(workdir / ".jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(workdir / ".jupyter-runtime"),
        "MPLCONFIGDIR": str(workdir / ".matplotlib"),
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        # keep the address space (what the memory limit counts) close to what is really used
        "MALLOC_ARENA_MAX": "2",
        "ARROW_DEFAULT_MEMORY_POOL": "system",
        "NBGRADER_EXECUTION": "autograde",
        "COURSE_GRADING_OUTPUT_LIMIT": str(output_limit),
    }
    data = datasets_path()
    if data:
        env["COURSE_DATASETS"] = data
    return env


_sequence = itertools.count()


class Sandbox:
    """One jail for one submission: its directory, its limits, its clean-up."""

    def __init__(
        self, base: Path, slot: int, isolation: Isolation, settings: GradingSettings, ro_paths: list[str]
    ):
        self.base = base
        self.isolation = isolation
        self.settings = settings
        self.uid = settings.sandbox_uid_base + slot if isolation.separate_uid else None
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
        self.log = base / f"log-{os.getpid()}-{n}"  # outside the work directory: the kernel cannot replace it
        self.connection_file = self.workdir / "kernel.json"
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
            "root": str(base / "root"),
            "workdir": str(self.workdir),
            "tmp_mb": settings.tmp_mb,
            "ro_paths": ro_paths,
            "uid": self.uid,
            "gid": self.uid,
            "rlimits": rlimits,
            "env": kernel_environment(self.workdir, isolation.mode, settings.output_kb * 1024),
            "log": str(self.log),
            "cgroup_procs": self.cgroup.procs if self.cgroup else [],
        }
        if self.uid is not None:
            self._chown_tree(self.workdir)

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
        shutil.rmtree(self.workdir, onerror=_force_remove)
        self.spec_path.unlink(missing_ok=True)
        self.log.unlink(missing_ok=True)


def _force_remove(func, path, exc_info):
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


def make_base() -> Path:
    """The run's private directory holding each jail's work directory."""
    base = Path(tempfile.mkdtemp(prefix="cg-"))
    # others may traverse (the separate-uid kernel reaches its own work directory) but not list
    os.chmod(base, 0o711)
    (base / "root").mkdir()
    return base

"""Start one command (a student's kernel) inside a throwaway jail.

Run as ``python -I -S _jail.py SPEC.json -- COMMAND...``. Standard library
only: it runs before anything else in a fresh interpreter, as the grader's
user, and must start quickly.

The spec (written by :mod:`course.grading.sandbox`) chooses a *mode*:

``namespaces``
    Linux namespaces (mount, PID, network, IPC, UTS; plus a user namespace
    when not started as root). The command sees a new root file system that
    holds only the read-only paths the spec lists (system, Python, the
    course's code and data) and its own writable work directory; nothing
    else of the host exists for it: not the gradebook, not ``source/``, not
    other students' folders. It has no network (a fresh network namespace
    with no interface up) and its own PID namespace, so it cannot see or
    signal host processes, and when the kernel exits every process it left
    behind is killed by the kernel of the OS (the namespace's init exits).
    Started as root, the command also runs as a separate unprivileged uid.

    The same jail is built by **bubblewrap** (``bwrap``, Debian's package
    ``bubblewrap``) when the spec names it (``"bwrap": PATH``): this
    launcher then hands the mounts and namespaces to bwrap, and bwrap starts
    ``_jail.py --inside`` in the new root, which sets the limits and the
    identity and starts the kernel. The hand-written code below is the
    fallback for machines without a working bwrap.

``uid``
    Root without namespaces: the command runs as a separate unprivileged
    uid in its work directory. File permissions decide what it can reach
    (the grader makes the course's private folders unreadable to others).

``none``
    No separation: resource limits and a work directory only.

In every mode: resource limits (address space, file size, open files,
processes, core dumps), ``no_new_privs`` (setuid programs do not elevate),
the connection file and IPC sockets in a folder of their own outside the work directory (the
grader takes it away from the kernel's uid once the sockets are bound),
stdin from /dev/null and stdout/stderr to a log file outside the work directory (opened by the
launcher, handed down as a descriptor: the kernel never holds its path).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import platform
import resource
import signal
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

# statvfs f_flag bits, to carry a mount's locked flags over to its bind
_ST_TO_MS = {
    1: MS_RDONLY,
    2: MS_NOSUID,
    4: MS_NODEV,
    8: MS_NOEXEC,
    1024: MS_NOATIME,
    2048: MS_NODIRATIME,
    4096: MS_RELATIME,
}
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41}
_DEVICES = ("null", "zero", "full", "random", "urandom")
_RLIMITS = {
    "AS": resource.RLIMIT_AS,
    "FSIZE": resource.RLIMIT_FSIZE,
    "NOFILE": resource.RLIMIT_NOFILE,
    "NPROC": resource.RLIMIT_NPROC,
    "CORE": resource.RLIMIT_CORE,
    "CPU": resource.RLIMIT_CPU,
}

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
_libc.unshare.argtypes = [ctypes.c_int]
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


class JailError(Exception):
    pass


def _check(rc: int, what: str) -> None:
    if rc != 0:
        err = ctypes.get_errno()
        raise JailError(f"{what}: {os.strerror(err)}")


def _b(path: str | None) -> bytes | None:
    return None if path is None else os.fsencode(path)


def mount(source, target, fstype, flags, data=None) -> None:
    _check(_libc.mount(_b(source), _b(target), _b(fstype), flags, _b(data)), f"mount {source} on {target}")


def _prctl(option: int, arg: int) -> None:
    _check(_libc.prctl(option, arg, 0, 0, 0), f"prctl({option})")


def _locked_flags(path: str) -> int:
    flags = 0
    f_flag = os.statvfs(path).f_flag
    for st, ms in _ST_TO_MS.items():
        if f_flag & st and ms != MS_RDONLY:
            flags |= ms
    return flags


def _bind(host: str, root: str, writable: bool, device: bool = False) -> None:
    inside = root + host
    if os.path.islink(host):
        os.makedirs(os.path.dirname(inside), exist_ok=True)
        os.symlink(os.readlink(host), inside)
        return
    if os.path.isdir(host):
        os.makedirs(inside, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(inside), exist_ok=True)
        open(inside, "a").close()
    mount(host, inside, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | _locked_flags(host) | (0 if device else MS_NODEV)
    if not writable:
        flags |= MS_RDONLY
    mount(None, inside, None, flags)


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _build_root(spec: dict) -> None:
    """In a fresh mount namespace: assemble the jail's root file system and enter it."""
    root = spec["root"]
    workdir = spec["workdir"]
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=8m,mode=0755")
    # tmpfs mounts first, so that binds below them are not hidden
    os.makedirs(root + "/tmp")
    mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={int(spec['tmp_mb'])}m,mode=1777")
    os.makedirs(root + "/dev")
    mount("tmpfs", root + "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=1m,mode=0755")
    for dev in _DEVICES:
        _bind("/dev/" + dev, root, writable=True, device=True)
    os.makedirs(root + "/dev/shm")
    mount("tmpfs", root + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64m,mode=1777")
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, f"{root}/dev/{name}")
    for path in spec["ro_paths"]:
        if os.path.lexists(path):
            _bind(path, root, writable=False)
    _bind(workdir, root, writable=True)
    for path in spec.get("rw_paths", []):  # the kernel's socket folder
        _bind(path, root, writable=True)
    os.makedirs(root + "/proc")
    try:
        mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except JailError:
        pass  # some container runtimes forbid a fresh /proc; Python runs without it
    old = root + "/.old-root"
    os.makedirs(old)
    nr = _PIVOT_ROOT.get(platform.machine())
    if nr is not None and _libc.syscall(nr, _b(root), _b(old)) == 0:
        os.chdir("/")
        _check(_libc.umount2(b"/.old-root", MNT_DETACH), "umount old root")
        os.rmdir("/.old-root")
    else:
        os.chroot(root)
        os.chdir("/")
    # nothing new can be created at / (only in /tmp and the work directory)
    mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _setup_user_namespace(uid: int, gid: int) -> None:
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")


def _limit_and_exec(spec: dict, argv: list[str]) -> None:
    """In the child that becomes the kernel: limits, identity, descriptors, exec."""
    for name, value in spec["rlimits"].items():
        value = int(value)
        try:
            resource.setrlimit(_RLIMITS[name], (value, value))
        except (ValueError, OSError):
            soft, hard = resource.getrlimit(_RLIMITS[name])
            if hard == resource.RLIM_INFINITY or value < hard:
                raise
    log = spec["_log_fd"]  # opened by the launcher before any jail existed: the kernel never has its path
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.closerange(3, 65536)
    if spec.get("uid") is not None and os.geteuid() == 0:
        os.setgroups([])
        os.setresgid(spec["gid"], spec["gid"], spec["gid"])
        os.setresuid(spec["uid"], spec["uid"], spec["uid"])
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after setresuid, which clears it
    os.chdir(spec["workdir"])
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    # What the kernel and the student's code create is the jail's uid's alone: another job's uid (another
    # student) may read or write none of it, whatever a mount would let it see. Set here, once the root
    # is built (its mount points must stay open to the uid), for every way of building the jail.
    os.umask(0o077)
    os.execve(argv[0], argv, spec["env"])


def _init(spec: dict, argv: list[str]) -> int:
    """PID 1 of the jail: start the kernel, reap orphans, exit when the kernel exits.

    When this process exits, the OS kills every process left in the PID
    namespace, so nothing a submission started outlives its grading.
    """
    kernel = os.fork()
    if kernel == 0:
        try:
            _limit_and_exec(spec, argv)
        except BaseException as e:  # noqa: BLE001 - report and die, never return into the init
            os.write(2, f"jail: cannot start the kernel: {e}\n".encode())
        os._exit(127)

    def forward(signum, frame):
        try:
            os.kill(kernel, signum)
        except ProcessLookupError:
            pass

    # SIGINT reaches the kernel directly (the whole process group gets it);
    # forwarding it as well would interrupt it twice.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, forward)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue
        if pid == kernel:
            return os.waitstatus_to_exitcode(status)


def _exit_code(code: int) -> int:
    # a negative code means "killed by a signal"; report it as the shell does
    return 128 - code if code < 0 else code


def bwrap_argv(spec: dict, argv: list[str]) -> list[str]:
    """The bubblewrap command line that builds the ``namespaces`` jail and starts ``argv`` in it.

    The same file system as :func:`_build_root`: a read-only root holding the listed paths, a private
    /tmp and /dev/shm of limited size, a /dev with five devices only (no tty: nothing can reach the
    instructor's terminal), a fresh /proc, and the work directory, writable. No network, own PID, IPC
    and UTS namespaces; a user namespace when not started as root.
    """
    workdir = spec["workdir"]
    out = [spec["bwrap"], "--die-with-parent", "--unshare-pid", "--unshare-net", "--unshare-ipc"]
    out += ["--unshare-uts", "--unshare-cgroup-try", "--hostname", "grading"]
    if os.geteuid() != 0:
        out.append("--unshare-user")
    out += ["--size", str(int(spec["tmp_mb"]) << 20), "--perms", "1777", "--tmpfs", "/tmp"]
    out += ["--perms", "0755", "--tmpfs", "/dev"]
    for dev in _DEVICES:
        out += ["--dev-bind", "/dev/" + dev, "/dev/" + dev]
    out += ["--size", str(64 << 20), "--perms", "1777", "--tmpfs", "/dev/shm"]
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        out += ["--symlink", target, "/dev/" + name]
    # bwrap would make a missing parent 0700 (root's): each is made 0755 first, unless it exists already,
    # made here or as part of a host folder bound earlier
    made = {"/tmp", "/dev"}
    bound = []

    def parents(path: str) -> list[str]:
        out, parts = [], path.strip("/").split("/")[:-1]
        for i in range(len(parts)):
            d = "/" + "/".join(parts[: i + 1])
            if d not in made and not any(d == b or d.startswith(b + "/") for b in bound):
                out += ["--perms", "0755", "--dir", d]
                made.add(d)
        return out

    me = os.path.abspath(__file__)
    for path in spec["ro_paths"]:
        if os.path.islink(path):
            out += parents(path) + ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            out += parents(path) + ["--ro-bind", path, path]
        else:
            continue
        bound.append(path.rstrip("/"))
    out += parents(me) + ["--ro-bind", me, me]
    out += parents(workdir) + ["--bind", workdir, workdir]
    for path in spec.get("rw_paths", []):  # the kernel's socket folder
        out += parents(path) + ["--bind", path, path]
    out += ["--proc", "/proc", "--remount-ro", "/"]
    out += ["--chdir", workdir, "--"]
    inner = {k: spec[k] for k in ("rlimits", "uid", "gid", "env", "workdir")}
    inner["_log_fd"] = 1  # bwrap's stdout is the log (_exec_bwrap)
    return out + [sys.executable, "-I", "-S", me, "--inside", json.dumps(inner), "--", *argv]


def _exec_bwrap(spec: dict, argv: list[str]) -> None:
    """Replace this launcher by bubblewrap (it keeps the cgroup, the parent-death signal and the log)."""
    # SIGINT reaches the kernel directly (the grader signals the process group); bwrap and its init
    # ignore it, the kernel resets it (_limit_and_exec)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    null = os.open("/dev/null", os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(spec["_log_fd"], 1)
    os.dup2(spec["_log_fd"], 2)
    os.execve(spec["bwrap"], bwrap_argv(spec, argv), {})


def run(spec: dict, argv: list[str]) -> int:
    # The kernel's log lives outside every folder the kernel can write (the grader reads it back as
    # root): opened here, without following links, and handed down as a descriptor.
    spec["_log_fd"] = os.open(
        spec["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
    )
    os.set_inheritable(spec["_log_fd"], True)
    # the submission's cgroup (memory and processes of the whole jail), joined before anything starts
    for procs in spec.get("cgroup_procs", []):
        with open(procs, "w") as f:
            f.write(str(os.getpid()))
    # if the grader dies, so does the jail
    grader = os.getppid()
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != grader:
        return 125
    mode = spec["mode"]
    if mode != "namespaces":
        pid = os.fork()
        if pid == 0:
            try:
                _limit_and_exec(spec, argv)
            except BaseException as e:  # noqa: BLE001
                os.write(2, f"jail: cannot start the kernel: {e}\n".encode())
            os._exit(127)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda s, f: os.kill(pid, s))
        while True:
            try:
                _, status = os.waitpid(pid, 0)
                return _exit_code(os.waitstatus_to_exitcode(status))
            except InterruptedError:
                continue

    if spec.get("bwrap"):
        _exec_bwrap(spec, argv)  # does not return
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWPID
    as_user = os.geteuid() != 0
    if as_user:
        flags |= CLONE_NEWUSER
    _check(_libc.unshare(flags), "unshare(user, pid)")
    if as_user:
        _setup_user_namespace(uid, gid)
    ready_r, ready_w = os.pipe()
    init = os.fork()
    if init == 0:
        # PID 1 of the new PID namespace
        os.close(ready_r)
        try:
            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            _check(
                _libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS),
                "unshare(mount, net, ipc, uts)",
            )
            _build_root(spec)
        except BaseException as e:  # noqa: BLE001
            os.write(ready_w, f"jail: {e}".encode())
            os._exit(126)
        os.write(ready_w, b"ok")
        os.close(ready_w)
        os._exit(_exit_code(_init(spec, argv)))
    os.close(ready_w)
    message = os.read(ready_r, 4096).decode(errors="replace")
    os.close(ready_r)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda s, f: os.kill(init, signal.SIGKILL))
    if message != "ok":
        os.write(spec["_log_fd"], (message + "\n").encode())
    while True:
        try:
            _, status = os.waitpid(init, 0)
            return _exit_code(os.waitstatus_to_exitcode(status))
        except InterruptedError:
            continue


def main(args: list[str]) -> int:
    if len(args) >= 4 and args[0] == "--inside" and args[2] == "--":
        # the second stage, started by bubblewrap inside the jail: limits, identity, exec
        try:
            _limit_and_exec(json.loads(args[1]), args[3:])
        except BaseException as e:  # noqa: BLE001
            os.write(2, f"jail: cannot start the kernel: {e}\n".encode())
        return 127
    if len(args) < 3 or args[1] != "--":
        sys.stderr.write("usage: _jail.py SPEC.json -- COMMAND...\n")
        return 2
    with open(args[0]) as f:
        spec = json.load(f)
    try:
        return run(spec, args[2:])
    except JailError as e:
        sys.stderr.write(f"jail: {e}\n")
        return 126


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

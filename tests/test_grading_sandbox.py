"""The jail and the executor, driven directly: what a kernel can see and do, and how cells end."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import nbformat
import pytest
from grading_fixtures.jails import jail_params

from course.grading.execute import execute
from course.grading.integrity import ScanStudentCode
from course.grading.isolation import Isolation, detect_isolation
from course.grading.readable import readable_paths
from course.grading.sandbox import Sandbox, make_base
from course.grading.settings import GradingSettings

REPO = Path(__file__).resolve().parent.parent
ISOLATION = detect_isolation()
needs_namespaces = pytest.mark.skipif(
    ISOLATION.mode != "namespaces", reason=f"isolation here: {ISOLATION.why}"
)


@pytest.fixture(scope="module", params=jail_params())
def isolation(request) -> Isolation:
    """Each test runs in bubblewrap's jail and in the fallback launcher's (where each works here)."""
    return request.param


@pytest.fixture(scope="module")
def run(isolation):
    settings = GradingSettings(cell_timeout=10, memory_mb=1024, output_kb=64, file_mb=8)
    base = make_base()
    ro = readable_paths(settings, REPO / "assignments")

    def run_cells(*sources):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
        sandbox = Sandbox(base, 0, isolation, settings, ro)
        try:
            return nb, execute(nb, sandbox, settings)
        finally:
            sandbox.cleanup()

    yield run_cells
    shutil.rmtree(base, ignore_errors=True)


def text(nb) -> str:
    return "".join(o.get("text", "") + o.get("evalue", "") for c in nb.cells for o in c.outputs)


@needs_namespaces
def test_the_kernel_sees_only_what_it_needs(run, tmp_path):
    secret = REPO / "assignments" / "nbgrader_config.py"
    nb, ex = run(f"""
import os
print("course dir:", os.path.exists({str(secret.parent)!r}))
print("config:", os.path.exists({str(secret)!r}))
print("tests:", os.path.exists({str(REPO / "tests")!r}))
import course.data, course.trust
print("data rows:", len(course.data.load_events()) > 0)
print("uid:", os.getuid())
open("scratch.txt", "w").write("ok")
print("work dir writable:", open("scratch.txt").read())
try:
    open("/usr/x", "w")
except OSError as e:
    print("system read-only:", type(e).__name__)
""")
    out = text(nb)
    assert ex.stop is None, ex.stop
    assert "course dir: False" in out and "config: False" in out and "tests: False" in out
    assert "data rows: True" in out and "work dir writable: ok" in out
    assert "system read-only: OSError" in out or "system read-only: PermissionError" in out
    if os.geteuid() == 0:
        assert "uid: 0" not in out


@needs_namespaces
def test_the_jail_is_built_by_what_detect_isolation_chose(run, isolation):
    """Under bubblewrap, the jail's PID 1 is bwrap's init; under the fallback, the course's launcher."""
    nb, ex = run("print('pid 1:', open('/proc/1/cmdline', 'rb').read().split(b'\\0')[0].decode())")
    pid1 = text(nb).split("pid 1:")[1].split()[0]
    if isolation.jail == "bubblewrap":
        assert pid1.endswith("bwrap"), pid1
    else:
        assert "python" in pid1, pid1


@needs_namespaces
def test_no_network_and_no_host_processes(run):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    nb, ex = run(f"""
import os, socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=2)
    print("connected")
except OSError as e:
    print("no network:", type(e).__name__)
print("processes:", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
try:
    os.kill({os.getpid()}, 0)
    print("can signal the grader")
except OSError as e:
    print("cannot signal the grader:", type(e).__name__)
""")
    out = text(nb)
    with pytest.raises(OSError):
        listener.accept()
    listener.close()
    assert "no network:" in out and "connected" not in out.replace("no network", "")
    processes = eval(out.split("processes:")[1].splitlines()[0])
    assert max(processes) < 50, processes  # a fresh PID namespace: only the jail's own processes
    assert "cannot signal the grader" in out


def test_the_runtime_probe_catches_what_the_static_scan_cannot_see(run):
    code = 'getattr(__builtins__, "__dict__", __builtins__)["sor" + "ted"] = lambda x, reverse=False: list(x)'
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    assert ScanStudentCode(["assert sorted([2, 1]) == [1, 2]"], [])(nb, [0]) == []
    _, ex = run(code, "assert sorted([2, 1]) == [2, 1]")
    assert any("builtins.sorted" in t for t in ex.tampering), ex.tampering


def test_a_clean_notebook_reports_no_tampering(run):
    nb, ex = run("import pandas as pd\nx = pd.Series([1, 2]).sum()", "assert x == 3")
    assert ex.stop is None and ex.tampering == [] and ex.status(1) == "ok"


def test_output_is_stopped_in_the_kernel_before_it_floods_the_grader(run):
    nb, ex = run('print("x" * 10_000_000)', "print('after')")
    assert ex.stop is not None and ex.stop.kind == "output"
    assert sum(len(o.get("text", "")) for o in nb.cells[0].outputs) < 100_000
    assert ex.status(1) == "not-run"


def test_memory_and_file_limits_apply(run):
    nb, ex = run(
        "try:\n    b = bytearray(2 * 1024 ** 3)\nexcept MemoryError:\n    print('memory limited')",
        "open('big', 'wb').write(b'x' * 9 * 1024 ** 2)",
    )
    assert "memory limited" in text(nb)
    # past the file-size limit a write fails (Python ignores SIGXFSZ, so the OS returns EFBIG)
    assert ex.replies[1]["status"] == "error" and ex.replies[1]["ename"] == "OSError", ex.replies[1]
    assert "File too large" in text(nb)


@needs_namespaces
def test_a_kernel_that_cannot_start_is_reported(isolation):
    settings = GradingSettings(cell_timeout=5, startup_timeout=10)
    base = make_base()
    sandbox = Sandbox(base, 0, isolation, settings, ["/nonexistent-only"])  # a jail without Python
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    try:
        ex = execute(nb, sandbox, settings)
    finally:
        sandbox.cleanup()
        shutil.rmtree(base, ignore_errors=True)
    assert ex.stop is not None and ex.stop.kind == "startup", ex.stop
    assert "did not start" in ex.stop.reason


# -- limits per submission (cgroup, tmpfs) -----------------------------------------------------------
from course.grading import limits as _limits  # noqa: E402

_LIMITS = _limits.describe()
per_submission = pytest.mark.skipif(
    "cgroup" not in _LIMITS.split(";")[0] or "no tmpfs" in _LIMITS, reason=f"this machine: {_LIMITS}"
)


@per_submission
def test_the_disk_limit_is_per_submission_not_per_file(tmp_path, isolation):
    settings = GradingSettings(cell_timeout=20, memory_mb=1024, file_mb=64, disk_mb=256)
    base = make_base()
    box = Sandbox(base, 0, isolation, settings, readable_paths(settings, REPO / "assignments"))
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("""
written = 0
chunk = b"x" * (1 << 20)
try:
    for i in range(32):
        with open(f"big{i}", "wb") as f:
            for _ in range(64):
                f.write(chunk)
                written += 1
except OSError as e:
    print("stopped:", type(e).__name__, e.errno)
print("MB written:", written)
""")
        ]
    )
    try:
        execute(nb, box, settings)
        workdir = box.workdir
        assert box.tmpfs
    finally:
        box.cleanup()
        shutil.rmtree(base, ignore_errors=True)
    out = text(nb)
    written = int(out.split("MB written:")[1].split()[0])
    assert "stopped: OSError 28" in out and written <= 256, out  # ENOSPC at the submission's 256 MB
    assert not workdir.exists()


@per_submission
def test_memory_and_processes_are_limited_for_the_whole_jail(isolation):
    settings = GradingSettings(cell_timeout=30, memory_mb=512, max_processes=32)
    base = make_base()
    ro = readable_paths(settings, REPO / "assignments")
    many = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("""
import subprocess, sys
procs = []
try:
    for i in range(100):
        procs.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]))
except OSError as e:
    print("process limit:", len(procs), type(e).__name__)
for p in procs:
    p.kill()
""")
        ]
    )
    # four processes of 300 MB each: every one under the 512 MB address-space limit, the jail above it
    hog = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("""
import subprocess, sys
code = "b = bytearray(300 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); import time; time.sleep(20)"
procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(4)]
print("exits:", [p.wait() for p in procs])
""")
        ]
    )
    try:
        box = Sandbox(base, 0, isolation, settings, ro)
        try:
            execute(many, box, settings)
        finally:
            box.cleanup()
        box = Sandbox(base, 0, isolation, settings, ro)
        try:
            ex = execute(hog, box, settings)
        finally:
            box.cleanup()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    out = text(many)
    assert "process limit:" in out and int(out.split("process limit:")[1].split()[0]) < 32, out
    hog_out = text(hog)
    killed = "exits:" in hog_out and "-9" in hog_out.split("exits:")[1]
    assert killed or (ex.stop is not None and ex.stop.kind == "memory"), (hog_out, ex.stop)


def test_the_total_output_cap_counts_display_data_and_metadata(isolation):
    """Many cells, each under the per-cell limit, with display data whose *metadata* is large: the
    notebook stops at the total cap instead of growing into a 100 MB autograded notebook."""
    settings = GradingSettings(cell_timeout=20, memory_mb=1024, output_kb=1024, total_output_mb=2)
    base = make_base()
    box = Sandbox(base, 0, isolation, settings, readable_paths(settings, REPO / "assignments"))
    cell = (
        "from IPython.display import display\n"
        "display({'text/plain': 'x'}, raw=True, metadata={'pad': 'm' * 600_000})"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell) for _ in range(8)])
    try:
        ex = execute(nb, box, settings)
    finally:
        box.cleanup()
        shutil.rmtree(base, ignore_errors=True)
    assert ex.stop is not None and ex.stop.kind == "output" and "in all" in ex.stop.reason, ex.stop
    assert len(nbformat.writes(nb)) < 4 * 2**20
    assert ex.status(7) == "not-run"


@needs_namespaces
def test_kernels_use_the_graders_dataset_verdicts_and_cannot_write_one(isolation):
    """The datasets are validated once, by the grader, into a folder each jail reads read-only: a kernel
    whose HOME is a fresh work directory need not validate them again, and cannot plant a verdict."""
    from course.grading.kernel_env import warm_data_cache

    settings = GradingSettings(cell_timeout=30)
    base = make_base()
    cache = warm_data_cache(base)
    assert cache is not None and any(cache.iterdir())
    box = Sandbox(base, 0, isolation, settings, readable_paths(settings, REPO / "assignments"))
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(f"""
import os
from course.data import verdicts
print("cache:", verdicts.cache_dir() == __import__("pathlib").Path({str(cache)!r}))
print("verdicts:", len(os.listdir(verdicts.cache_dir())))
try:
    open(os.path.join(verdicts.cache_dir(), "forged"), "w")
    print("wrote a verdict")
except OSError as e:
    print("read-only:", e.errno)
""")
        ]
    )
    try:
        ex = execute(nb, box, settings)
        after = sorted(p.name for p in cache.iterdir())
    finally:
        box.cleanup()
        shutil.rmtree(base, ignore_errors=True)
    out = text(nb)
    assert ex.stop is None, ex.stop
    assert "cache: True" in out and "verdicts: 0" not in out and "read-only:" in out, out
    assert "forged" not in after


def test_a_message_too_large_for_the_grader_is_a_stopped_cell_not_a_crash(isolation):
    """A kernel's single 300 MB message (display data bypasses the kernel's own output limit) is refused
    by the grader's ZeroMQ sockets (MAXMSGSIZE) before the grader reads it into memory; the cell is named
    and nothing after it runs."""
    settings = GradingSettings(cell_timeout=30, memory_mb=2048, total_output_mb=16)
    base = make_base()
    box = Sandbox(base, 0, isolation, settings, readable_paths(settings, REPO / "assignments"))
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_code_cell(
                "from IPython.display import display\ndisplay({'text/plain': 'y' * 300_000_000}, raw=True)"
            ),
            nbformat.v4.new_code_cell("print('after')"),
        ]
    )
    try:
        ex = execute(nb, box, settings)
    finally:
        box.cleanup()
        shutil.rmtree(base, ignore_errors=True)
    assert ex.stop is not None and ex.stop.kind == "output" and ex.stop.index == 1, ex.stop
    assert "larger than 17 MB" in ex.stop.reason, ex.stop.reason
    assert ex.status(2) == "not-run" and "after" not in text(nb)
    assert len(nbformat.writes(nb)) < 2**20


@needs_namespaces
@pytest.mark.skipif(os.geteuid() != 0, reason="without root the kernel has the grader's uid")
def test_the_kernels_sockets_are_out_of_its_reach(run):
    """The connection file and IPC sockets live outside the work directory, and once they are bound the
    kernel can neither remove nor replace one (a link there would be followed by the grader)."""
    nb, ex = run(
        """
import json, os, sys
conn = sys.argv[sys.argv.index("-f") + 1]
folder = os.path.dirname(conn)
print("outside the work dir:", not folder.startswith(os.getcwd()))
sock = folder + "/" + [n for n in os.listdir(folder) if "-ipc-" in n][0]
for what, act in (("unlink", lambda: os.unlink(sock)), ("link", lambda: os.symlink("/etc/shadow", sock + "x")),
                  ("rename", lambda: os.rename(sock, sock + "y"))):
    try:
        act()
        print("could", what)
    except OSError as e:
        print("refused", what, e.errno)
""",
        "print('still talking')",
    )
    out = text(nb)
    assert ex.stop is None, ex.stop
    assert "outside the work dir: True" in out and "could" not in out, out
    assert out.count("refused") == 3 and "still talking" in out, out


def test_dataset_verdicts_are_kept_across_runs_in_the_graders_own_store(tmp_path, monkeypatch):
    """A second run validates nothing it validated before (the verdicts' keys are content hashes), and a
    store that is not the grader's own private folder is not used."""
    from course.data import validation
    from course.grading import kernel_env

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    base = make_base()
    try:
        first = kernel_env.warm_data_cache(base)
        store = kernel_env.verdict_store()
        assert first is not None and store is not None and (store.stat().st_mode & 0o777) == 0o700
        assert sorted(p.name for p in store.iterdir()) == sorted(p.name for p in first.iterdir())

        def never(*args, **kwargs):
            raise AssertionError("validated again")

        monkeypatch.setattr(validation, "validate_resource", never)
        shutil.rmtree(first)
        second = kernel_env.warm_data_cache(base)
        assert second is not None and sorted(p.name for p in second.iterdir()) == sorted(
            p.name for p in store.iterdir()
        )
        os.chmod(store, 0o777)  # others could plant a verdict: not a store
        assert kernel_env.verdict_store() is None
    finally:
        shutil.rmtree(base, ignore_errors=True)


@needs_namespaces
def test_the_spare_kernel_has_a_jail_of_its_own_and_the_other_uid(isolation):
    """The warm pool starts the next kernel while one runs: in a fresh jail, under the job's other uid,
    running nothing before it is taken; closing the pool leaves no jail behind."""
    from course.grading.execute import KernelPool

    settings = GradingSettings(cell_timeout=30)
    base = make_base()
    ro = readable_paths(settings, REPO / "assignments")
    pool = KernelPool(lambda parity: Sandbox(base, 0, isolation, settings, ro, parity), settings)
    probe = "import os\nprint('uid', os.getuid(), 'files', sorted(os.listdir('.')))"
    try:
        first = pool.sandbox()
        first.add_file("mine.txt", b"first")
        nb1 = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(probe)])
        ex1 = execute(nb1, first, settings, pool=pool)
        assert pool.spare is not None  # started while the first ran
        first.cleanup()
        started = pool.take()
        assert started is not None and started.kc is not None
        box = started.sandbox
        assert box.workdir != first.workdir and box.parity != first.parity
        if isolation.separate_uid:
            assert box.uid != first.uid
        box.add_file("theirs.txt", b"second")
        nb2 = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(probe)])
        ex2 = execute(nb2, box, settings, ready=started, pool=pool)
        box.cleanup()
    finally:
        pool.close()
        left = sorted(p.name for p in base.iterdir())
        shutil.rmtree(base, ignore_errors=True)
    assert ex1.stop is None and ex2.stop is None, (ex1.stop, ex2.stop)
    out1, out2 = text(nb1), text(nb2)
    assert "mine.txt" in out1 and "theirs.txt" not in out1, out1
    assert "theirs.txt" in out2 and "mine.txt" not in out2, out2
    if isolation.separate_uid:
        assert out1.split()[1] != out2.split()[1], (out1, out2)
    assert left == ["root"], left  # no work directory, IPC folder, spec or log of either jail

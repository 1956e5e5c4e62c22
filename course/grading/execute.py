"""Run one notebook in a jailed kernel, cell by cell, and record how each cell ended.

The grader (this process) drives the kernel over ZeroMQ *IPC* sockets in a
folder of the jail's own, beside (not in) its work directory: the kernel has
no network, and the grader never runs student code itself. Once the kernel
has bound them, the folder is taken from the kernel's uid (as root), and the
grader's sockets refuse any message over ZeroMQ's MAXMSGSIZE. Execution stops at the first cell that

* runs longer than the per-cell timeout (or the notebook's total time runs out),
* kills the kernel (``os._exit``, a crash, a resource limit the OS enforces),
* raises ``SystemExit``, ``KeyboardInterrupt`` or ``MemoryError``,
* prints more than the output limit.

Nothing after that cell runs, so a cell that loops forever after defining a
correct function cannot let the later tests award points. At the end the
grader probes the kernel (:mod:`course.grading.kernel_boot`) for tampering
with builtins or with the shell's error reporting.
"""

from __future__ import annotations

import ast
import asyncio
import atexit
import json
import logging
import secrets
import signal
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from traitlets import Int

from .compare import in_asking_order
from .sandbox import Sandbox
from .settings import GradingSettings

# nbclient logs timeouts and dead kernels as errors; the grader records them itself, with the cell
_quiet = logging.getLogger("course.grading.execute")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False

# exceptions that end a cell abnormally: nothing after them runs
STOPPING_ERRORS = {
    "SystemExit": "interrupted",
    "KeyboardInterrupt": "interrupted",
    "MemoryError": "memory",
    "OutputLimitExceeded": "output",
}


def cell_label(cell: NotebookNode, index: int) -> str:
    """How reports name a cell: its nbgrader grade_id, else its position."""
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return f"'{grade_id}'" if grade_id else f"#{index + 1}"


@dataclass
class Stop:
    index: int
    kind: str  # timeout | total-timeout | kernel-died | interrupted | memory | output | startup
    reason: str


@dataclass
class Execution:
    replies: dict[int, dict] = field(default_factory=dict)  # cell index -> execute_reply content
    stop: Stop | None = None
    tampering: list[str] = field(default_factory=list)  # found by the kernel probe
    seconds: float = 0.0
    checks: dict = field(default_factory=dict)  # grade id -> compare.CellResult (the out-of-kernel checks)
    rerun: str = ""  # why the checks were asked of a second, fresh kernel
    checked: bool = False  # out-of-kernel checks were configured: a test cell needs them to pass
    background: list = field(default_factory=list)  # processes the submission left running (reported)
    check_seconds: float = 0.0  # time spent asking and judging the out-of-kernel checks
    changed_inputs: list = field(
        default_factory=list
    )  # input calls whose value in the kernel is not the course's

    def status(self, index: int) -> str:
        """ok, error or not-run."""
        reply = self.replies.get(index)
        return "not-run" if reply is None else reply.get("status", "error")


class GradingKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel starts inside a :class:`Sandbox` and talks over IPC sockets.

    Its sockets, and its client's, refuse any message larger than ``max_message`` bytes (ZeroMQ's
    MAXMSGSIZE: the kernel is disconnected instead), so a student's kernel cannot make the grader read a
    message of gigabytes into memory. The kernel's own sockets cannot be trusted to limit anything.
    """

    def __init__(self, sandbox: Sandbox, max_message: int = 64 << 20, **kwargs):
        self.max_message = max_message
        self.client_contexts = []  # destroyed with the manager's own when grading ends (see close_contexts)
        super().__init__(transport="ipc", connection_file=str(sandbox.connection_file), **kwargs)
        self.sandbox = sandbox
        self._kernel_spec = KernelSpec(
            argv=[sys.executable, "-m", "course.grading.kernel_boot", "-f", "{connection_file}"],
            display_name="Python 3 (grading)",
            language="python",
            interrupt_mode="signal",
            env={},
        )

    def _limited_context(self):
        import zmq
        import zmq.asyncio

        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, int(self.max_message))  # for every socket made from it
        return context

    def _context_default(self):
        self._created_context = True
        return self._limited_context()

    def client(self, **kwargs):
        if "context" not in kwargs:
            kwargs["context"] = self._limited_context()  # the client's sockets have the same limit
            self.client_contexts.append(kwargs["context"])
        client = super().client(**kwargs)
        client._created_context = True  # the client destroys it when it is done, as with its own
        return client

    def close_contexts(self) -> None:
        """Destroy every ZeroMQ context this manager made. Left to the garbage collector, each grading run
        kept its contexts' event and epoll descriptors open: about 50 per submission in one process."""
        for ctx in [self.context, *self.client_contexts]:
            try:
                ctx.destroy(linger=0)
            except Exception:  # noqa: BLE001
                pass
        self.client_contexts.clear()

    def format_kernel_cmd(self, extra_arguments=None):
        return self.sandbox.command(super().format_kernel_cmd(extra_arguments))


class GradingClient(NotebookClient):
    """nbclient's client with a per-cell output limit and a record of every execute reply."""

    output_limit = Int(1 << 20, help="Bytes of output kept per cell.").tag(config=True)
    total_output_limit = Int(16 << 20, help="Bytes of output of the whole notebook, metadata included.").tag(
        config=True
    )

    def __init__(self, nb, **kwargs):
        super().__init__(nb, **kwargs)
        self.total_bytes = 0
        self.total_over = False
        self.output_bytes: dict[int, int] = defaultdict(int)
        self.over_limit: set[int] = set()
        self.replies: dict[int, dict] = {}
        self.on_cell_executed = self._record_reply

    def _record_reply(self, cell, cell_index, execute_reply):
        self.replies[cell_index] = execute_reply.get("content", {}) if execute_reply else {}

    @staticmethod
    def _size(msg) -> int:
        content = msg.get("content", {})
        if msg["msg_type"] == "stream":
            return len(content.get("text", ""))
        if msg["msg_type"] == "error":
            return sum(len(line) for line in content.get("traceback", [])) + len(
                str(content.get("evalue", ""))
            )
        # display data counts with its metadata and transient parts (a 126 MB notebook must not happen)
        return (
            sum(len(str(v)) for v in content.get("data", {}).values())
            + len(str(content.get("metadata", "")))
            + len(str(content.get("transient", "")))
        )

    def output(self, outs, msg, display_id, cell_index):
        if cell_index in self.over_limit:
            return None
        size = self._size(msg)
        self.output_bytes[cell_index] += size
        self.total_bytes += size
        if self.total_bytes > self.total_output_limit:
            self.total_over = True
        if self.output_bytes[cell_index] > self.output_limit or self.total_over:
            self.over_limit.add(cell_index)
            outs.append(
                NotebookNode(
                    output_type="stream",
                    name="stdout",
                    text=f"\n[the grader dropped the rest of this cell's output: "
                    f"more than {self.output_limit // 1024} KB]\n",
                )
            )
            return None
        return super().output(outs, msg, display_id, cell_index)


async def _probe(client: GradingClient, timeout: float, call: str = "report") -> list[str]:
    """Ask the kernel what student code changed; any odd answer counts as tampering.

    ``call="arm"`` (before the first cell) records the shell's state instead.
    """
    nonce = secrets.token_hex(8)
    expr = f"__import__('sys').modules['course.grading.kernel_boot'].{call}({nonce!r})"
    msg_id = client.kc.execute("", silent=True, store_history=False, user_expressions={"probe": expr})
    try:
        reply = await asyncio.wait_for(client.async_wait_for_reply(msg_id), timeout)
    except (TimeoutError, CellTimeoutError, DeadKernelError):
        return ["the kernel did not answer the grader's integrity probe"]
    try:
        value = reply["content"]["user_expressions"]["probe"]
        text = ast.literal_eval(value["data"]["text/plain"])
        if not text.startswith(nonce):
            raise ValueError
        lines = list(json.loads(text[len(nonce) :]))
    except Exception:  # noqa: BLE001 - any malformed answer means the probe was interfered with
        return ["the kernel gave a malformed answer to the grader's integrity probe"]
    # only lines in the grader's own words are kept (the status and the feedback quote them)
    from .kernel_boot import known_change

    kept = [line for line in lines if known_change(line)]
    if len(kept) < len(lines):
        kept.append("the kernel's integrity report holds lines the grader did not write")
    return list(dict.fromkeys(kept))


async def _ask_checks(client: GradingClient, km, requests: list, settings, deadline: float) -> dict:
    """Ask the kernel for the student's values of probe expressions, one request per (grade id, checks)
    of ``requests`` in their order (each with its own nonce); judge them here. A cell may have two
    requests (its visible checks, then its hidden ones: :func:`.compare.in_asking_order`). Returns
    grade id -> CellResult, its verdicts in the order of the cell's checks."""
    from .compare import CellResult, judge, parse_answer

    results = {}
    judged: dict[str, dict] = {}  # grade id -> check number -> verdict
    dead = ""
    for gid, cell_checks in requests:
        result = results.setdefault(gid, CellResult(gid))
        if result.problem:
            continue
        if dead:
            result.problem = dead
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 1:
            result.problem = "the submission ran out of time"
            continue
        nonce = secrets.token_hex(16)
        exprs = [c.expr for c in cell_checks]
        module = "__import__('course.grading.plain', fromlist=['run'])"
        code = f"{module}.keep({nonce!r}, {exprs!r})"
        limit = max(1, int(min(settings.cell_timeout, remaining)))
        client.timeout = None  # the limit is ours (nbclient's own timeout expects a cell)
        try:
            msg_id = client.kc.execute(
                code,
                silent=True,
                store_history=False,
                user_expressions={"probe": f"{module}.take({nonce!r})"},
            )
            reply = await asyncio.wait_for(client.async_wait_for_reply(msg_id), limit)
        except TimeoutError:
            result.problem = f"the student's code did not answer within {limit} s"
            try:
                await km.interrupt_kernel()
                await asyncio.wait_for(
                    client.async_wait_for_reply(msg_id), 5
                )  # the interrupted probe's reply
            except Exception:  # noqa: BLE001 - it ignores the interrupt: ask it nothing more
                dead = "the kernel stopped answering after a check timed out"
            if not dead and not await _alive(km):
                dead = "the kernel died"
            continue
        except DeadKernelError:
            dead = result.problem = "the kernel died while answering"
            continue
        except Exception as e:  # noqa: BLE001
            dead = result.problem = f"the kernel could not be asked ({type(e).__name__})"
            continue
        answer = parse_answer((reply or {}).get("content", {}), nonce, len(exprs))
        if isinstance(answer, str):
            result.problem = answer
            continue
        mine = judged.setdefault(gid, {})
        for chk, got in zip(cell_checks, answer):
            mine[chk.number] = judge(chk, got)
        result.verdicts = [mine[n] for n in sorted(mine)]
    return results


class Disconnects:
    """Watches the client's sockets for the kernel's disconnection: ZeroMQ drops a peer that sends a
    message over MAXMSGSIZE, and the message with it. Without this, the cell would seem to have ended
    normally, its output silently missing."""

    def __init__(self, kc):
        import zmq

        self.monitors, self.sockets = [], []
        for name in ("iopub_channel", "shell_channel"):
            sock = getattr(getattr(kc, name, None), "socket", None)
            if sock is not None:
                self.sockets.append(sock)
                self.monitors.append(sock.get_monitor_socket(zmq.EVENT_DISCONNECTED))

    async def happened(self) -> bool:
        import zmq

        found = False
        for mon in self.monitors:
            try:
                while await mon.poll(0, zmq.POLLIN):
                    await mon.recv_multipart()
                    found = True
            except zmq.ZMQError:
                pass
        return found

    def close(self) -> None:
        for sock in self.sockets:
            try:
                sock.disable_monitor()
            except Exception:  # noqa: BLE001
                pass
        for mon in self.monitors:
            try:
                mon.close(linger=0)
            except Exception:  # noqa: BLE001
                pass


def _checked_cells(nb: NotebookNode, checks: dict, before: int) -> list[str]:
    from .notebooks import grade_id, is_test

    return [
        grade_id(c) for i, c in enumerate(nb.cells) if i < before and is_test(c) and grade_id(c) in checks
    ]


def _exit_status(km: GradingKernelManager) -> str:
    proc = getattr(km.provisioner, "process", None)
    code = proc.poll() if proc is not None else None
    if code is None:
        return "unknown exit status"
    signum = -code if code < 0 else code - 128 if code > 128 else None
    if signum:
        try:
            return f"killed by {signal.Signals(signum).name}"
        except ValueError:
            pass
    return f"exit status {code}"


def _manager(sandbox: Sandbox, settings: GradingSettings) -> GradingKernelManager:
    # no message may be larger than a whole notebook's output (plus room for a reply's other parts)
    km = GradingKernelManager(sandbox, max_message=settings.total_output_mb * 2**20 + (1 << 20))
    km.log = _quiet
    return km


# what nbclient adds to a python3 kernel's command line (NotebookClient.ipython_hist_file)
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]


@dataclass
class Started:
    """A kernel started ahead of its submission, in a fresh jail of its own, and ready (no code run yet)."""

    sandbox: Sandbox
    km: GradingKernelManager
    kc: object = None
    error: str = ""  # why it did not start (then it is discarded, and the submission starts its own)


class KernelPool:
    """Starts the next submission's kernel while the current submission runs: a warm pool of one.

    One per grading process (the parent with ``--jobs 1``, else each worker), with one event loop for all
    its submissions. The spare kernel runs in a fresh jail of its own, as every kernel does, under the
    other of its job's two uids (:meth:`course.grading.sandbox.Sandbox` ``uid_slot``), so the submission
    running beside it can neither see nor signal it. It runs no code before its submission takes it:
    the grader then copies the assignment's files into its work directory and arms the integrity probe,
    as for a kernel started on the spot. A spare that fails to start is discarded, never held against
    the submission: that one starts a kernel of its own.
    """

    def __init__(self, new_sandbox, settings: GradingSettings, remaining=None):
        self.loop = asyncio.new_event_loop()
        self.new_sandbox = new_sandbox  # uid parity (0 or 1) -> a fresh Sandbox
        self.settings = settings
        self.remaining = remaining  # a shared count of the submissions not yet started (None: unknown)
        self.parity = 0
        self.spare: asyncio.Task | None = None
        self.starting: Started | None = None  # the spare's jail and manager, from the moment it is made

    def sandbox(self) -> Sandbox:
        """A fresh jail, under the uid the previous one did not use."""
        self.parity ^= 1
        return self.new_sandbox(self.parity)

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def prepare(self) -> None:
        """Start the next kernel (in the background of this loop), if a submission may need it."""
        if self.spare is not None or (self.remaining is not None and self.remaining.value <= 0):
            return
        self.spare = self.loop.create_task(self._start())

    async def _start(self) -> Started:
        sandbox = self.sandbox()
        km = _manager(sandbox, self.settings)
        started = self.starting = Started(sandbox, km)
        try:
            await km.start_kernel(extra_arguments=list(KERNEL_ARGUMENTS), cwd=str(sandbox.workdir))
            kc = km.client()
            kc.start_channels()
            await kc.wait_for_ready(timeout=int(self.settings.startup_timeout))
            kc.allow_stdin = False
            started.kc = kc
        except Exception as e:  # noqa: BLE001 - not the student's fault: the submission starts its own
            started.error = f"{type(e).__name__}: {e}"
        return started

    def take(self) -> Started | None:
        """The spare kernel, ready; None when there is none (or it failed to start: it is discarded)."""
        task, self.spare = self.spare, None
        if task is None:
            return None
        started = self.run(task)
        self.starting = None  # the submission's now: its own clean-up stops it
        if started.error:
            self._discard(started)
            return None
        return started

    def _discard(self, started: Started) -> None:
        if started.kc is not None:
            try:
                started.kc.stop_channels()
            except Exception:  # noqa: BLE001
                pass
        try:
            self.run(started.km.shutdown_kernel(now=True))
        except Exception:  # noqa: BLE001
            _kill(started.km)
        started.km.close_contexts()
        started.sandbox.cleanup()

    def close(self, wait: bool = True) -> None:
        """Stop the spare kernel, if any, and delete its jail; then the loop. ``wait=False`` (after the
        instructor's interrupt): do not wait for a spare still starting, kill it."""
        task, self.spare = self.spare, None
        if task is not None:
            if not wait:
                task.cancel()
            try:
                self.run(asyncio.wait_for(task, int(self.settings.startup_timeout) + 5))
            except BaseException:  # noqa: BLE001 - cancelled, interrupted or hung: killed below
                if self.starting is not None:
                    _kill(self.starting.km)
            if self.starting is not None:
                self._discard(self.starting)
        self.starting = None
        try:
            self.loop.close()
        except Exception:  # noqa: BLE001
            pass


def _kill(km) -> None:
    proc = getattr(getattr(km, "provisioner", None), "process", None)
    if proc is not None:
        try:
            proc.kill()
        except Exception:  # noqa: BLE001
            pass


async def _run(
    nb: NotebookNode,
    sandbox: Sandbox,
    settings: GradingSettings,
    checks: dict | None = None,
    before: int | None = None,
    deadline: float | None = None,
    hard: float | None = None,
    ready: Started | None = None,
    pool: KernelPool | None = None,
    inputs: list | None = None,
) -> Execution:
    """Run the code cells (only those before index ``before``, if given), then ask the checks.

    ``ready``: a kernel the pool started ahead (in ``sandbox``), used instead of starting one;
    ``pool``: told to start the next submission's kernel once this one is up; ``inputs``: the checks
    (:func:`.compare.input_checks`) that the kernel's inputs are the course's, asked after the others."""
    record = Execution()
    checks = checks or {}
    km = ready.km if ready is not None else _manager(sandbox, settings)
    client = GradingClient(
        nb,
        km=km,
        timeout=int(settings.cell_timeout),
        allow_errors=True,
        interrupt_on_timeout=False,
        startup_timeout=int(settings.startup_timeout),
        shutdown_kernel="immediate",
        record_timing=False,
        iopub_timeout=4,
        output_limit=settings.output_kb * 1024,
        total_output_limit=settings.total_output_mb * 2**20,
        resources={"metadata": {"path": str(sandbox.workdir)}},
        log=_quiet,
    )
    if ready is not None:
        client.kc = ready.kc  # nbclient's set-up then starts neither a kernel nor a client
    code_cells = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and c.source.strip() and (before is None or i < before)
    ]
    current = None  # the cell being run
    disconnects = None
    started = time.monotonic()
    if deadline is None:
        deadline = started + settings.total_timeout
    try:
        async with client.async_setup_kernel():
            disconnects = Disconnects(client.kc)
            armed = await _probe(client, timeout=settings.startup_timeout, call="arm")
            if armed:
                raise RuntimeError(f"the grading kernel did not arm its integrity probe: {armed[0]}")
            sandbox.seal_ipc()  # its sockets are bound (it answered): no student code has run yet
            if pool is not None:
                pool.prepare()  # the next submission's kernel starts while this one runs
            count = 0
            for index in code_cells:
                cell = nb.cells[index]
                label = cell_label(cell, index)
                remaining = deadline - time.monotonic()
                if remaining <= 1:
                    record.stop = Stop(
                        index,
                        "total-timeout",
                        f"the notebook ran out of time ({settings.total_timeout:g} s) before cell {label}",
                    )
                    break
                client.timeout = max(1, int(min(settings.cell_timeout, remaining)))
                count += 1
                current = index
                try:
                    await client.async_execute_cell(cell, index, execution_count=count)
                except CellTimeoutError:
                    limited = client.timeout < settings.cell_timeout
                    record.stop = Stop(
                        index,
                        "total-timeout" if limited else "timeout",
                        f"cell {label} did not finish within {client.timeout:g} s",
                    )
                    break
                except DeadKernelError:
                    await asyncio.sleep(0.2)
                    cgroup = getattr(sandbox, "cgroup", None)
                    if cgroup is not None and cgroup.oom_killed():
                        record.stop = Stop(
                            index,
                            "memory",
                            f"cell {label} ran out of memory (the submission's "
                            f"limit: {settings.memory_mb} MB in all)",
                        )
                    else:
                        record.stop = Stop(
                            index, "kernel-died", f"the kernel died during cell {label} ({_exit_status(km)})"
                        )
                    break
                if await disconnects.happened():
                    record.stop = Stop(
                        index,
                        "output",
                        f"cell {label} sent a message larger than {km.max_message >> 20} MB: "
                        f"the grader dropped it, and the rest of the notebook",
                    )
                    break
                reply = client.replies.get(index, {})
                ename = reply.get("ename") if reply.get("status") == "error" else None
                if ename in STOPPING_ERRORS:
                    kind = STOPPING_ERRORS[ename]
                    why = {
                        "memory": f"ran out of memory (limit {settings.memory_mb} MB)",
                        "output": f"printed more than {settings.output_kb} KB",
                    }.get(kind, f"raised {ename}")
                    record.stop = Stop(index, kind, f"cell {label} {why}")
                    break
                if client.total_over:
                    record.stop = Stop(
                        index,
                        "output",
                        f"the notebook's output reached more than "
                        f"{settings.total_output_mb} MB in all (at cell {label})",
                    )
                    break
                if index in client.over_limit:
                    record.stop = Stop(
                        index, "output", f"cell {label} printed more than {settings.output_kb} KB"
                    )
                    break
            # the probe needs an idle kernel: not after a timeout (still busy) or a death
            if record.stop is None or record.stop.kind in ("interrupted", "memory", "output"):
                if await _alive(km):
                    # every output of the student's cells is recorded by now: no probe output reaches it
                    limit = (
                        record.stop.index
                        if record.stop
                        else (before if before is not None else len(nb.cells))
                    )
                    wanted = _checked_cells(nb, checks, limit)
                    # The integrity report and the inputs' digests come first, before any check hands the
                    # student's functions a hidden input: what the kernel says in them is then made by the
                    # student's cells alone, and cannot carry a hidden input out (into the status).
                    record.tampering = await _probe(client, timeout=min(10.0, settings.cell_timeout))
                    asked = time.monotonic()
                    stuck = False
                    if wanted and inputs and await _alive(km):
                        # the grader's evidence of patched inputs: the kernel's digest of each differs
                        asked_inputs = await _ask_checks(
                            client,
                            km,
                            [("(inputs)", inputs)],
                            settings,
                            min(deadline + 60, hard or deadline + 60),
                        )
                        result = asked_inputs["(inputs)"]
                        record.changed_inputs = [
                            chk.expr for chk, v in zip(inputs, result.verdicts) if not v.ok
                        ]
                        stuck = "stopped answering" in result.problem
                    if wanted and not stuck and await _alive(km):
                        # every visible check of every cell before any hidden one: no value a visible
                        # rule judges (and may quote) can have been shaped by a hidden input
                        record.checks = await _ask_checks(
                            client,
                            km,
                            in_asking_order(checks, wanted),
                            settings,
                            min(deadline + 60, hard or deadline + 60),
                        )
                    if wanted:
                        record.check_seconds = time.monotonic() - asked
    except Exception as e:  # noqa: BLE001 - the kernel never started (or the jail failed)
        if current is not None and record.stop is None:
            record.stop = Stop(
                current,
                "kernel-died",
                f"grading of cell {cell_label(nb.cells[current], current)} "
                f"was cut short: the kernel sent a malformed message "
                f"({type(e).__name__})",
            )
        elif not client.replies and record.stop is None:
            first = code_cells[0] if code_cells else 0
            log = sandbox.kernel_log().strip().splitlines()
            detail = f": {log[-1]}" if log else ""
            record.stop = Stop(
                first, "startup", f"the kernel did not start ({type(e).__name__}: {e}){detail}"
            )
        elif record.stop is None:
            index = max(client.replies) if client.replies else 0
            record.stop = Stop(index, "kernel-died", f"grading was cut short: {type(e).__name__}: {e}")
    finally:
        if disconnects is not None:
            disconnects.close()
        record.background = _left_running(sandbox)
        atexit.unregister(client._cleanup_kernel)  # nbclient registers it; the kernel is ours to stop
        try:
            await km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001
            pass
        if client.kc is not None:  # its heartbeat thread first: it would read a socket of a destroyed context
            try:
                client.kc.stop_channels()
            except Exception:  # noqa: BLE001
                pass
        km.close_contexts()
    record.replies = dict(client.replies)
    record.seconds = time.monotonic() - started
    return record


def _left_running(sandbox) -> list[str]:
    """Command lines of the processes in the submission's cgroup besides the jail and the kernel."""
    import psutil

    cgroup = getattr(sandbox, "cgroup", None)
    if cgroup is None:
        return []
    found = []
    for procs in cgroup.procs[:1]:
        try:
            pids = [int(p) for p in open(procs).read().split()]
        except (OSError, ValueError):
            return []
        for pid in pids:
            try:
                cmd = " ".join(psutil.Process(pid).cmdline()).strip()
            except (psutil.Error, OSError):
                continue
            if "_jail.py" in cmd or "course.grading.kernel_boot" in cmd or not cmd:
                continue
            # the command line is the student's to choose, possibly while a probe ran: never quoted
            found.append(f"process {pid}")
    return found


async def _alive(km: GradingKernelManager) -> bool:
    try:
        return bool(await km.is_alive())
    except Exception:  # noqa: BLE001
        return False


RERUN_KINDS = ("timeout", "total-timeout", "kernel-died")


def execute(
    nb: NotebookNode,
    sandbox: Sandbox,
    settings: GradingSettings,
    checks: dict | None = None,
    fresh_sandbox=None,
    ready: Started | None = None,
    pool: KernelPool | None = None,
    inputs: list | None = None,
) -> Execution:
    """Execute ``nb`` in place (outputs are written into its cells) inside ``sandbox``, then judge the
    out-of-kernel ``checks`` (grade id -> list of compare.Check).

    When the run stopped with a kernel that cannot be asked (a timeout, a death), the checks of the
    test cells before the stop are asked of a second kernel, from ``fresh_sandbox()``, that runs only
    the cells before the stop; its outputs are discarded.

    ``inputs`` (:func:`.compare.input_checks`): asked after the checks; the calls whose digest in the
    kernel is not the grader's are ``changed_inputs``.

    ``ready`` is a kernel ``pool`` started ahead in ``sandbox`` (:class:`KernelPool`); with a pool,
    every run of this process shares its event loop.
    """
    import copy

    run = pool.run if pool is not None else asyncio.run

    started = time.monotonic()
    hard = started + settings.submission_timeout  # the whole submission: run, rerun and checks
    deadline = min(started + settings.total_timeout, hard)
    record = run(
        _run(
            nb, sandbox, settings, checks, deadline=deadline, hard=hard, ready=ready, pool=pool, inputs=inputs
        )
    )
    record.checked = bool(checks)
    stop = record.stop
    if (
        checks
        and stop is not None
        and stop.kind in RERUN_KINDS
        and fresh_sandbox is not None
        and _checked_cells(nb, checks, stop.index)
    ):
        sandbox.cleanup()  # the first kernel and anything it left behind go first (cleanup is idempotent)
        second = fresh_sandbox()
        try:
            again = run(
                _run(
                    copy.deepcopy(nb),
                    second,
                    settings,
                    checks,
                    before=stop.index,
                    deadline=min(max(deadline, time.monotonic() + 30), hard),
                    hard=hard,
                    inputs=inputs,
                )
            )
        finally:
            second.cleanup()
        record.checks = again.checks
        record.tampering += [t for t in again.tampering if t not in record.tampering]
        record.changed_inputs += [c for c in again.changed_inputs if c not in record.changed_inputs]
        record.rerun = (
            f"the checks before the stop were asked of a fresh kernel that ran only the cells "
            f"before {stop.index + 1}"
        )
        if again.stop is not None:
            record.rerun += f" (it stopped too: {again.stop.reason})"
    record.seconds = time.monotonic() - started
    return record

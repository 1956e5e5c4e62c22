"""Entry point of a grading kernel: take a snapshot, then run an ordinary IPython kernel.

Runs inside the jail. Before any student code, it records the builtins and
the methods of the IPython shell and kernel that decide whether a cell
failed. After the notebook has run, the grader asks :func:`report` (through
an ``execute_request``'s user expressions) what changed. A submission that
rebinds ``builtins.len`` or replaces ``get_ipython().showtraceback`` is then
reported, and its autograded tests are not trusted.

This is a tripwire, not a wall: code in the same process can in principle
defeat any in-process check. The wall is the jail around the process; this
check, the static scan of :mod:`course.grading.integrity` and the grader's
reading of each cell's *execute reply* (not only its printed traceback)
together make quiet tampering with the checks very unlikely to pass
unnoticed.
"""

from __future__ import annotations

import builtins
import json
import sys

# Names IPython and ipykernel add, replace or remove around each execution.
_VOLATILE = frozenset(
    {
        "input",
        "exit",
        "quit",
        "display",
        "get_ipython",
        "help",
        "copyright",
        "credits",
        "license",
        "__IPYTHON__",
        "__package__",
        "__spec__",
        "__loader__",
        "__name__",
        "__doc__",
        "_",
        "__",
        "___",
        "dreload",
        "__builtins__",
    }
)
_SHELL_METHODS = (
    "run_cell",
    "run_cell_async",
    "_run_cell",
    "run_code",
    "run_ast_nodes",
    "showtraceback",
    "_showtraceback",
    "showsyntaxerror",
    "transform_cell",
    "should_run_async",
    "user_expressions",
    "ex",
    "ev",
)
_KERNEL_METHODS = (
    "do_execute",
    "execute_request",
    "send_response",
    "dispatch_shell",
    "_publish_execute_input",
)

# The modules the grader's probes call in the kernel (a digest of an input, the plain form of a result):
# a function of theirs replaced (a forged digest, a forged answer) is reported like a replaced builtin.
_PROBE_FUNCTIONS = {
    "course.grading.plain": ("run", "keep", "take", "to_plain", "dumps", "digest"),
    "course.grading.inputs": ("table", "ids", "frame"),
}

_snapshot: dict = {}


def _classes():
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelbase import Kernel
    from ipykernel.zmqshell import ZMQInteractiveShell
    from IPython.core.interactiveshell import InteractiveShell

    return [
        (InteractiveShell, _SHELL_METHODS),
        (ZMQInteractiveShell, _SHELL_METHODS),
        (IPythonKernel, _KERNEL_METHODS),
        (Kernel, _KERNEL_METHODS),
    ]


def take_snapshot() -> None:
    _snapshot["builtins"] = dict(vars(builtins))
    _snapshot["methods"] = {
        (cls, name): cls.__dict__.get(name) for cls, names in _classes() for name in names
    }
    import importlib

    _snapshot["modules"] = {name: importlib.import_module(name) for name in _PROBE_FUNCTIONS}
    _snapshot["functions"] = {
        (mod, fn): getattr(_snapshot["modules"][mod], fn, None)
        for mod, fns in _PROBE_FUNCTIONS.items()
        for fn in fns
    }


def _shell():
    try:
        from IPython import get_ipython

        return get_ipython()
    except Exception:  # noqa: BLE001
        return None


def _instance_state(shell) -> dict:
    kernel = getattr(shell, "kernel", None)
    state = {("shell", n): vars(shell).get(n) for n in _SHELL_METHODS}
    state.update(
        {("kernel", n): vars(kernel).get(n) if kernel is not None else None for n in _KERNEL_METHODS}
    )
    state[("ns", "__builtins__")] = shell.user_global_ns.get("__builtins__")
    return state


class OutputLimitExceeded(BaseException):
    """A cell printed more than the grader allows (a BaseException: ``except Exception`` does not hide it)."""


def limit_output(shell, limit: int) -> None:
    """Count what each execution writes to stdout/stderr; past ``limit`` characters, stop the cell.

    The printing is stopped here, in the kernel, before a huge message is
    built; the grader's own per-cell cap on what it receives stays the backstop.
    """
    state = {"written": 0, "stopped": False}

    def reset(*args):
        state["written"], state["stopped"] = 0, False

    shell.events.register("pre_execute", reset)
    for stream in (sys.stdout, sys.stderr):
        original = stream.write

        def write(text, original=original):
            if state["stopped"]:
                return 0
            state["written"] += len(text)
            if state["written"] > limit:
                state["stopped"] = True
                original(f"\n[output stopped by the grader: more than {limit // 1024} KB]\n")
                raise OutputLimitExceeded(f"more than {limit // 1024} KB of output")
            return original(text)

        stream.write = write


def arm(nonce: str) -> str:
    """Called by the grader once the kernel is up, before any student code: record the shell's state
    and install the output limit (``COURSE_GRADING_OUTPUT_LIMIT`` characters per cell)."""
    import os

    shell = _shell()
    if shell is not None and os.environ.get("COURSE_GRADING_OUTPUT_LIMIT"):
        limit_output(shell, int(os.environ["COURSE_GRADING_OUTPUT_LIMIT"]))
    _snapshot["instance"] = _instance_state(shell) if shell is not None else {}
    return nonce + "[]"


def changes() -> list[str]:
    """What student code changed that the grading relies on (empty when nothing)."""
    found = []
    current = vars(builtins)
    for name, obj in _snapshot["builtins"].items():
        if name in _VOLATILE:
            continue
        if name not in current:
            found.append(f"deleted builtins.{name}")
        elif current[name] is not obj:
            found.append(f"rebound builtins.{name}")
    for (cls, name), fn in _snapshot["methods"].items():
        if cls.__dict__.get(name) is not fn:
            found.append(f"replaced {cls.__name__}.{name}")
    for mod, module in _snapshot.get("modules", {}).items():
        if sys.modules.get(mod) is not module:
            found.append(f"replaced module {mod}")
    for (mod, fn), obj in _snapshot.get("functions", {}).items():
        if getattr(_snapshot["modules"][mod], fn, None) is not obj:
            found.append(f"replaced {mod}.{fn}")
    shell = _shell()
    if shell is None or "instance" not in _snapshot:
        found.append("the IPython shell is gone")
        return found
    where = {"shell": "get_ipython().", "kernel": "the kernel's ", "ns": "the notebook's "}
    for (owner, name), before in _instance_state(shell).items():
        if before is not _snapshot["instance"].get((owner, name)):
            found.append(f"replaced {where[owner]}{name}")
    return found


def known_change(line) -> bool:
    """In the grader: whether a line of a kernel's report is one :func:`changes` can write (its words and
    names all the grader's own). Anything else came from student code and is never quoted."""
    import re

    if not isinstance(line, str):
        return False
    if line in ("the IPython shell is gone", "replaced the notebook's __builtins__"):
        return True
    m = re.fullmatch(r"(deleted|rebound) builtins\.([A-Za-z_][A-Za-z0-9_]*)", line)
    if m:
        return hasattr(builtins, m.group(2))
    m = re.fullmatch(r"replaced (InteractiveShell|ZMQInteractiveShell|IPythonKernel|Kernel)\.(\w+)", line)
    if m:
        return m.group(2) in (_KERNEL_METHODS if m.group(1).endswith("Kernel") else _SHELL_METHODS)
    m = re.fullmatch(r"replaced (get_ipython\(\)\.|the kernel's )(\w+)", line)
    if m:
        return m.group(2) in (_SHELL_METHODS if m.group(1).startswith("get_") else _KERNEL_METHODS)
    m = re.fullmatch(r"replaced module ([\w.]+)", line)
    if m:
        return m.group(1) in _PROBE_FUNCTIONS
    m = re.fullmatch(r"replaced ([\w.]+)\.(\w+)", line)
    return bool(m) and m.group(2) in _PROBE_FUNCTIONS.get(m.group(1), ())


def report(nonce: str) -> str:
    """The grader's probe: ``nonce`` + JSON list of changes."""
    return nonce + json.dumps(changes())


def main() -> None:
    import os

    if sys.path and (sys.path[0] in ("", ".") or os.path.abspath(sys.path[0]) == os.getcwd()):
        del sys.path[0]  # the work directory holds nothing to import
    from course.grading import kernel_boot  # the module under its real name (IPython replaces __main__)

    kernel_boot.take_snapshot()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()

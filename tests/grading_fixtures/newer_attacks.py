"""More submissions that attack `course grade` from inside the kernel (issue 12, second round).

The first group tries to carry the *inputs* of the hidden checks out to the student: the student's
functions are called by the grader's probes, so they see those inputs, and they encode them into
anything that might travel back into the feedback or the status column: the name of an exception
class, the name of a class, the kernel's integrity report, the command line of a process left
running, an earlier cell's display. Every encoded payload starts with :data:`LEAK`, so a test needs
no decoding to see whether one got through (and :func:`decode` shows what it carried).

The functions encode only once ``_probing`` is set by the submission's last cell: the visible tests
run as cells of the notebook, with inputs the student already has, and their own tracebacks are the
student's own output.

The others: a warm-pool attacker and its witnesses, the dataset verdict cache, a forged input
digest, and a probe of the file modes a jailed kernel creates.
"""

from __future__ import annotations

import base64
import zlib

from .kernel_attacks import KernelAttack

LEAK = "LEAKX"

_ENCODER = '''
import base64 as _b64, zlib as _zlib
_probing = False


def _enc(args, kwargs):
    """What the grader handed the function, compressed: table shapes and first ids, other values as such."""
    parts = []
    for a in list(args) + list(kwargs.values()):
        if hasattr(a, "shape"):
            parts.append(f"frame{a.shape}:{list(a.get('id', a.index))[:2]}")
        else:
            parts.append(repr(a))
    packed = _b64.b32encode(_zlib.compress(";".join(parts).encode(), 9)).decode().rstrip("=")
    return "LEAK" + "X" + packed  # the marker never appears whole in the source (shown in the feedback)
'''

_LAST = "_probing = True\nprint('ATTACK armed for the probes')"

# q1..q5 of ps1 all call the student's functions; each gets the leaking body
_PS1_FUNCS = {
    "q1_answer": ("events_by_track", ""),
    "q2_answer": ("signed_after", ""),
    "q3_answer": ("track_events", ""),
    "q5_answer": ("principles_mentioning", ""),
}


def _answers(body: str) -> dict:
    out = {}
    for gid, (name, extra) in _PS1_FUNCS.items():
        out[gid] = f"def {name}(*args, **kwargs):\n{body}\n\n\n{extra}"
    return out


LEAK_EXCEPTION_NAME = (
    _ENCODER
    + """
def _leak(args, kwargs):
    if _probing:  # a class that says it is a builtin, named after the inputs
        raise type(_enc(args, kwargs), (Exception,), {"__module__": "builtins"})(_enc(args, kwargs))
    raise NotImplementedError()
print("ATTACK exceptions named after the grader's inputs")
"""
)

LEAK_CLASS_NAME = (
    _ENCODER
    + """
def _leak(args, kwargs):
    if _probing:  # an object whose class (module and qualified name) spells out the inputs
        name = _enc(args, kwargs)
        cls = type("R", (), {"__eq__": lambda s, o: True, "__module__": name[:40], "__qualname__": name[40:]})
        return cls()
    raise NotImplementedError()
print("ATTACK results whose class is named after the grader's inputs")
"""
)

LEAK_REPORT = (
    _ENCODER
    + """
import json as _json
import sys as _sys
_seen = []


def _leak(args, kwargs):
    if _probing:
        _seen.append(_enc(args, kwargs))
    raise NotImplementedError()


def _report(nonce):  # the integrity report, answered with what the probes handed in
    return nonce + _json.dumps(_seen[:6])


for _name in ["rep" + "ort"]:  # bound through a loop: no static scan sees it
    setattr(_sys.modules["course.grading.kernel_boot"], _name, _report)
print("ATTACK the integrity report carries the grader's inputs")
"""
)

LEAK_PROCESS = (
    _ENCODER
    + """
import subprocess as _sp
_started = []


def _leak(args, kwargs):
    if _probing and len(_started) < 2:  # a process whose command line is the inputs, left running
        _started.append(_sp.Popen(["/bin/sh", "-c", "sleep 120", _enc(args, kwargs)[:90]],
                                  start_new_session=True))
    raise NotImplementedError()
print("ATTACK processes named after the grader's inputs")
"""
)

LEAK_DISPLAY = (
    _ENCODER
    + """
from IPython.display import display as _display, update_display as _update
_display("a plain line", display_id="leak-slot")


def _leak(args, kwargs):
    if _probing:  # rewrite an output the grader already recorded
        _update(_enc(args, kwargs), display_id="leak-slot")
    raise NotImplementedError()
print("ATTACK a display updated during the probes")
"""
)

# patches the course's tables (so the digests differ): the grader then names the changed inputs
LEAK_INPUT_CALLS = """
import course.data as _data
for _name in ["load_participants", "load_events", "load_decalogue"]:
    setattr(_data, _name, lambda *a, _f=getattr(_data, _name), **k: _f().iloc[0:0])
print("ATTACK the course's tables emptied")
"""

# the digest the grader asks for is answered with the genuine one, while the tables are emptied
DIGEST_FORGERY = """
import course.data as _data
import course.grading.inputs as _inputs
import course.grading.plain as _plain
_at = {"d": _data, "i": _inputs, "p": _plain}  # every module reached through a dict: no static scan follows
_real = {n: getattr(_at["d"], n) for n in ["load_participants", "load_events", "load_decalogue"]}
_real_table, _real_digest = _inputs.table, _plain.digest
_genuine = _real_digest(_real_table("participants", seed=3))
_made = {}


def _table(*a, **k):
    out = _real_table(*a, **k)
    _made[id(out)] = (a, k)
    return out


def _digest(obj):
    if id(obj) not in _made:
        return _real_digest(obj)
    a, k = _made[id(obj)]
    patched = {n: getattr(_at["d"], n) for n in _real}
    for n, f in _real.items():
        setattr(_at["d"], n, f)
    try:
        return _real_digest(_real_table(*a, **k))  # what the grader's own, genuine table digests to
    finally:
        for n, f in patched.items():
            setattr(_at["d"], n, f)


for _key, _name, _value in [("i", "ta" + "ble", _table), ("p", "dig" + "est", _digest)]:
    setattr(_at[_key], _name, _value)
for _name in _real:
    setattr(_at["d"], _name, lambda *a, _f=_real[_name], **k: _f().iloc[0:0])
print("ATTACK tables emptied, digests forged:", _plain.digest(_inputs.table("participants", seed=3)) == _genuine,
      len(_inputs.table("participants")))
"""

POOL_MARK = "cg-pool-mark"
POOL_ATTACKER = f"""
import os as _os, subprocess as _sp
_placed = []
for _where in ["/tmp", "/var/tmp", "/dev/shm", _os.path.expanduser("~"), _os.getcwd(),
               _os.path.dirname(_os.getcwd()), "/run", "/run/user"]:
    try:
        with open(_os.path.join(_where, "{POOL_MARK}.txt"), "w") as _f:
            _f.write("left for the next student")
        _placed.append(_where)
    except OSError:
        pass
_os.environ["{POOL_MARK.upper().replace("-", "_")}"] = "1"
_sp.Popen(["/bin/sh", "-c", "sleep 300", "{POOL_MARK}"], start_new_session=True,
          stdout=_sp.DEVNULL, stderr=_sp.DEVNULL)
def _parent(pid):
    try:
        with open(f"/proc/{{pid}}/stat") as _f:
            return int(_f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None
_pids = [int(p) for p in _os.listdir("/proc") if p.isdigit()]
_own = {{_os.getpid()}}  # this kernel and what it started (sh may fork sleep rather than exec it)
for _ in range(5):
    _own |= {{p for p in _pids if _parent(p) in _own}}
_signalled = 0
for _pid in [p for p in _pids if p not in _own]:
    try:
        _os.kill(_pid, 0)
        _signalled += 1
    except OSError:
        pass
print("ATTACK placed marks in", _placed, "and could signal", _signalled, "processes")
"""

POOL_WITNESS = f"""
import os as _os
_found = []
for _where in ["/tmp", "/var/tmp", "/dev/shm", _os.path.expanduser("~"), _os.getcwd(),
               _os.path.dirname(_os.getcwd()), "/run", "/run/user"]:
    if _os.path.exists(_os.path.join(_where, "{POOL_MARK}.txt")):
        _found.append(_where)
for _pid in [p for p in _os.listdir("/proc") if p.isdigit()]:
    try:
        if b"{POOL_MARK}" in open(f"/proc/{{_pid}}/cmdline", "rb").read():
            _found.append("process " + _pid)
    except OSError:
        pass
if "{POOL_MARK.upper().replace("-", "_")}" in _os.environ:
    _found.append("environment")
print("ATTACK witness found:", _found)
"""

VERDICT_POISON = """
import os as _os
_store = _os.environ.get("COURSE_DATA_CACHE", "")
_tried = []
for _root, _dirs, _files in _os.walk(_store or "/nonexistent"):
    for _f in _files:
        _p = _os.path.join(_root, _f)
        try:
            with open(_p, "a") as _h:
                _h.write('{"valid": true}')
            _tried.append("wrote " + _f)
        except OSError:
            _tried.append("refused " + _f)
for _new in [_os.path.join(_store, "forged-verdict.json"), _os.path.expanduser("~/.cache/forged.json")]:
    try:
        with open(_new, "w") as _h:
            _h.write('{"valid": true}')
        _tried.append("created " + _new)
    except OSError:
        _tried.append("refused new")
print("ATTACK verdict store", bool(_store), "wrote:", [t for t in _tried if not t.startswith("refused")])
"""

MODES = """
import os as _os, stat as _stat, tempfile as _tempfile
with open("made-by-the-kernel.txt", "w") as _f:  # as any student's code makes files: default modes
    _f.write("x")
_os.makedirs(_os.path.join(_tempfile.gettempdir(), "made-by-the-kernel"), exist_ok=True)
_mask = _os.umask(0o077)
_os.umask(_mask)
_open = []


def _look(path):
    # entries this jail's uid made that another uid could reach: below a folder closed to others, none
    try:
        st = _os.lstat(path)
    except OSError:
        return
    if _stat.S_ISLNK(st.st_mode):
        return
    if st.st_uid == _os.getuid() and st.st_mode & 0o077:
        _open.append(f"{path} {oct(st.st_mode & 0o777)}")
    if _stat.S_ISDIR(st.st_mode) and (st.st_mode & 0o001 or st.st_uid != _os.getuid()):
        try:
            names = _os.listdir(path)
        except OSError:
            return
        for n in names:
            _look(_os.path.join(path, n))


for _top in [_os.getcwd(), _tempfile.gettempdir()]:
    _look(_top)
print(f"ATTACK umask {oct(_mask)}; open to other uids: {_open}")
"""


def newer_attacks() -> list[KernelAttack]:
    tampered = "tampered: the checks were tampered with"
    return [
        KernelAttack(
            "n-leak-exception",
            "ps1",
            "exceptions whose class name encodes the hidden inputs",
            first=LEAK_EXCEPTION_NAME,
            last=_LAST,
            answers=_answers("    _leak(args, kwargs)"),
            status="(honest)",
        ),
        KernelAttack(
            "n-leak-class",
            "ps1",
            "results of a class whose name encodes the hidden inputs",
            first=LEAK_CLASS_NAME,
            last=_LAST,
            answers=_answers("    return _leak(args, kwargs)"),
            status=tampered,
            problem="redefines equality",
        ),
        KernelAttack(
            "n-leak-report",
            "ps1",
            "the integrity report answered with the hidden inputs",
            first=LEAK_REPORT,
            last=_LAST,
            answers=_answers("    _leak(args, kwargs)"),
            status=tampered,  # the static scan sees the setattr on a module
        ),
        KernelAttack(
            "n-leak-process",
            "ps1",
            "processes whose command line encodes the hidden inputs, left running",
            first=LEAK_PROCESS,
            last=_LAST,
            answers=_answers("    _leak(args, kwargs)"),
            status="(honest)",
            problem="process(es) running; they were stopped",
        ),
        KernelAttack(
            "n-leak-display",
            "ps1",
            "an earlier display rewritten during the probes",
            first=LEAK_DISPLAY,
            last=_LAST,
            answers=_answers("    _leak(args, kwargs)"),
            status="(honest)",
        ),
        KernelAttack(
            "n-leak-inputs",
            "ps1",
            "tables emptied, so that the grader names the changed inputs",
            first=LEAK_INPUT_CALLS,
            status=tampered,
            problem="are not the course's inputs",
        ),
        KernelAttack(
            "n-digest-forgery",
            "ps1",
            "tables emptied while the digest request is answered with the genuine digest",
            first=DIGEST_FORGERY,
            status=tampered,
            problem="replaced course.grading.plain.digest",
        ),
        KernelAttack(
            "n-pool-0-attacker",
            "ps1",
            "leaves files, a process, env for the next kernel",
            POOL_ATTACKER,
            status="(honest)",
        ),
        KernelAttack(
            "n-pool-1-witness",
            "ps1",
            "looks for what the attacker left",
            POOL_WITNESS,
            status="(honest)",
        ),
        KernelAttack(
            "n-pool-2-witness",
            "ps1",
            "looks for what the attacker left (same uid)",
            POOL_WITNESS,
            status="(honest)",
        ),
        KernelAttack(
            "n-verdict-poison",
            "ps1",
            "writes into the dataset verdict store",
            VERDICT_POISON,
            status="(honest)",
        ),
        KernelAttack(
            "n-modes",
            "ps1",
            "reports the umask and modes of the jail's files",
            MODES,
            status="(honest)",
        ),
    ]


def decode(payload: str) -> str:
    """What one leaked payload (``LEAKX`` + base32 of zlib) carried, for a report or a failing assert."""
    body = payload[len(LEAK) :]
    body += "=" * (-len(body) % 8)
    try:
        return zlib.decompressobj().decompress(base64.b32decode(body)).decode(errors="replace")
    except Exception:  # noqa: BLE001 - a payload cut short: what there is
        return "(cut) " + body


# -- ps3: a hidden input stashed where a later visible check reads it (issue 12, the order of the probes)
PLAIN_LEAK = "PLAINLEAK"
STASHED_DESIGN = repr(dict(opening=4.0, raise_by=1.0, response="forgive", forgive_after=2, restart="small"))

STASH_INTO_DESIGN = (
    _ENCODER
    + '''
_stashed = []


def scorecard(design, partner, seed=0):
    """Called by a hidden check with a design and a seed the student has never seen: keeps them, in
    plain words, compressed and in base64, as unknown keys of `my_design`, which question 2's visible rule quotes."""
    global my_design
    if design != GRIT and not _stashed:
        _stashed.append(design)
        my_design = {**BIG_BANG, f"PLAIN" + f"LEAK {partner} seed={seed}": 1, _enc([design, partner, seed], {}): 1,
                     _b64.b64encode(repr(design).encode()).decode(): 1}
    raise NotImplementedError()


print("ATTACK scorecard keeps what the hidden checks hand it")
'''
)


def order_attack() -> KernelAttack:
    """A ps3 submission whose q1 function writes the first hidden input it is handed (ps3's first
    unseen design, :data:`STASHED_DESIGN`) into `my_design` (big-bang's design otherwise, which fails
    question 2's visible rule by itself)."""
    return KernelAttack(
        "o-stash-into-design",
        "ps3",
        "a hidden check's input, stashed into a global that a visible check quotes",
        answers={
            "q1_answer": STASH_INTO_DESIGN,
            "q2_answer": "my_design = dict(BIG_BANG)\nprint('ATTACK my_design is big-bang until a hidden input comes')",
        },
    )

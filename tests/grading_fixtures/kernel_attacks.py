"""Submissions that attack the grading from inside the kernel, as a student who has read the grader's source.

Each is the *blank* release (every answer unanswered) plus attack code: a cell
after the set-up cell (``first``) and/or a last cell (``last``). An honest
blank submission scores 0, so every attack must score 0 too (``hardcode``
excepted: it answers the visible checks by hard-coding and must earn exactly
those points and nothing from the hidden checks). The attacks print lines
starting with ``ATTACK`` saying what they achieved.

The first six are the attacks reported in the issue; the others are new.
"""

from __future__ import annotations

from dataclasses import dataclass

import nbformat

from course.grading.notebooks import grade_id

from .submissions import blank, cell, submit


@dataclass
class KernelAttack:
    student: str
    ps: str
    why: str
    first: str = ""
    last: str = ""
    answers: dict | None = None  # grade id -> text, replacing the blank answer
    status: str = "graded"  # prefix of the export status
    problem: str = ""  # substring of status + problems
    score: float = 0.0


FORGED_REPLIES = """
import jupyter_client.session as _session
for _cls in [_session.Session]:
    for _name in ["se" + "nd"]:  # bound through a loop: no static scan sees `Session.send = ...`
        _orig = getattr(_cls, _name)

        def _forged(self, stream, msg_or_type, content=None, parent=None, *args, _orig=_orig, **kwargs):
            kind = msg_or_type if isinstance(msg_or_type, str) else msg_or_type.get("header", {}).get("msg_type")
            if kind == "error":
                return None  # no traceback ever reaches the grader
            if kind == "stream" and isinstance(content, dict) and content.get("name") == "stderr":
                return None
            if kind == "execute_reply" and isinstance(content, dict) and content.get("status") == "error":
                content = {"status": "ok", "execution_count": content.get("execution_count", 0),
                           "payload": [], "user_expressions": {}}
            return _orig(self, stream, msg_or_type, content, parent, *args, **kwargs)
        setattr(_cls, _name, _forged)
print("ATTACK replies forged from here on")
"""

EQ_CLASSES = """
import pandas as _pd


class _AnyList(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = list.__hash__


class _AnyInt(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __gt__(self, other):
        return True

    __hash__ = int.__hash__


class _AnyStr(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


class _AnyDict(dict):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False
"""

EQ_PS1 = (
    EQ_CLASSES
    + """
print("ATTACK answers are objects equal to anything")
"""
)
EQ_PS1_ANSWERS = {
    "q1_answer": "def events_by_track(events, start, end):\n    return _AnyList()\n",
    "q2_answer": "def signed_after(participants, date):\n    return _AnyList(['a'])\n",
    "q3_answer": "def track_events(events, track, start, end):\n    return _AnyDict()\n",
    "q4_answer": "def days_between_events(events, first_id, second_id):\n    return _AnyInt(0)\n\n\n"
    "conference_days = _AnyInt(400)\n",
    "q5_answer": "def principles_mentioning(decalogue, word):\n    return _AnyList(['I'])\n",
}

EQ_PS4 = (
    EQ_CLASSES
    + """
print("ATTACK answers are objects equal to anything")
"""
)
EQ_PS4_ANSWERS = {
    "a1_answer": "panmunjom_date = _AnyStr('2018-04-27')\n",
    "a2_answer": "basic_agreement_signatories = _AnyList(['x y'])\n",
    "a3_answer": "def longest_gap(storehouse):\n"
    "    return _AnyDict(after=_AnyStr('a'), before=_AnyStr('b'), days=_AnyInt(1))\n",
    "a4_answer": "def parties_to(storehouse, state):\n    return _AnyList(['a'])\n",
    "a5_answer": "def coverage(storehouse):\n    return _AnyList(['a'])\n",
}

ALWAYS_EQUAL = """
class _AlwaysEqual:
    def __eq__(self, other):
        return True


_anything = _AlwaysEqual()
print("ATTACK one object equal to everything")
"""
ALWAYS_EQUAL_ANSWERS = {
    "q1_answer": "events_by_track = lambda *args: _anything\n",
    "q2_answer": "signed_after = lambda *args: _anything\n",
    "q3_answer": "track_events = lambda *args: _anything\n",
    "q4_answer": "days_between_events = lambda *args: _anything\nconference_days = _anything\n",
    "q5_answer": "principles_mentioning = lambda *args: _anything\n",
}

STACK_ORACLE = """
import sys as _sys


def _oracle(*args, **kwargs):
    frame = _sys._getframe(1)
    ev = frame.f_builtins["ev" + "al"]
    while frame is not None:
        for name in ("_want", "_expected", "_want_small", "want", "expected", "chk"):
            if name in frame.f_locals:
                print("ATTACK found an expected value on the stack")
                value = frame.f_locals[name]
                return getattr(value, "want", value)
        frame = frame.f_back
    return ev("[]")
print("ATTACK oracle installed")
"""
ORACLE_ANSWERS = {
    "q1_answer": "events_by_track = _oracle\n",
    "q2_answer": "signed_after = _oracle\n",
    "q3_answer": "track_events = _oracle\n",
    "q4_answer": "days_between_events = _oracle\n",
    "q5_answer": "principles_mentioning = _oracle\n",
}

PATCH_INDIRECT = """
def _put(target, name, value):  # setattr through a helper's parameter
    setattr(target, name, value)


import builtins as _b
import course.data as _data
import course.grading.inputs as _inputs
import course.grading.kernel_boot as _boot

_empty = _data.load_participants().iloc[0:0]
for _name in ["load_participants", "load_events", "load_decalogue"]:
    _put(_data, _name, lambda *a, _f=getattr(_data, _name), **k: _f().iloc[0:0])
_put(_inputs, "table", lambda *a, **k: _empty)
_put(_b, "sorted", lambda items, *a, **k: list(items))
_put(_boot, "report", lambda nonce: nonce + "[]")
print("ATTACK inputs emptied, sorted and the tamper report replaced")
"""
PATCH_ANSWERS = {
    "q1_answer": "def events_by_track(events, start, end):\n    return events.groupby('track').size()\n",
    "q2_answer": "def signed_after(participants, date):\n    return []\n",
    "q5_answer": "def principles_mentioning(decalogue, word):\n    return []\n",
}

LEAK_LAST = """
import base64 as _b64, codecs as _codecs
_everything = "\\n".join(In)
print("ATTACK b64", _b64.b64encode(_everything.encode()).decode())
print("ATTACK hex", _everything.encode().hex())
print("ATTACK rot13", _codecs.encode(_everything, "rot13"))
print("ATTACK reversed", _everything[::-1])
print("ATTACK spaced", " ".join(_everything))
"""

# -- new attacks ---------------------------------------------------------------------------------
FORGE_PROBE = '''
import ast as _ast
import json as _json
import jupyter_client.session as _session
_orig_send = _session.Session.send


def _probe_call(request):
    """(nonce, number of expressions) of the grader's probe, read from its request as the grader wrote it."""
    try:
        for node in _ast.walk(_ast.parse(request, mode="eval")):
            if isinstance(node, _ast.Call) and node.args and isinstance(node.args[0], _ast.Constant):
                exprs = node.args[1] if len(node.args) > 1 else None
                return node.args[0].value, len(exprs.elts) if isinstance(exprs, _ast.List) else 0
    except SyntaxError:
        pass
    return None, 0


def _forge(self, stream, msg_or_type, content=None, parent=None, *args, **kwargs):
    kind = msg_or_type if isinstance(msg_or_type, str) else msg_or_type.get("header", {}).get("msg_type")
    if kind == "error" or kind == "stream" and isinstance(content, dict) and content.get("name") == "stderr":
        return None
    if kind == "execute_reply" and isinstance(content, dict):
        content = dict(content, status="ok")
        request = (parent or {}).get("content", {}).get("user_expressions", {}).get("probe", "")
        nonce, count = _probe_call(request) if request else (None, 0)
        if nonce:
            answer = nonce + _json.dumps([[]] * count)  # plausible plain values; "no tampering" for the report
            content["user_expressions"] = {"probe": {"status": "ok", "data": {"text/plain": repr(answer)},
                                                     "metadata": {}}}
    return _orig_send(self, stream, msg_or_type, content, parent, *args, **kwargs)


_session.Session.send = _forge
print("ATTACK every probe answered by the student, with the right nonce")
'''

HUGE_ANSWER = """
import course.grading.plain as _plain
_calls = []


def _run(nonce, expressions):
    _calls.append(1)
    if len(_calls) % 3 == 1:
        return nonce + "[" * 200_000 + "]" * 200_000  # nested far deeper than any parser allows
    if len(_calls) % 3 == 2:
        return nonce + "[" + '"' + "x" * 30_000_000 + '"]'  # 30 MB
    return nonce + '[{"$error": "x"}, {"$dict": 5}, {"$series": null}]'


_plain.run = _run
print("ATTACK probe answers too deep, too large and malformed")
"""

FAKE_MODULE = """
import sys as _sys
import types as _types
_fake = _types.ModuleType("course.grading.plain")
_seen = {}


def _run(nonce, expressions):
    # replay: answer every probe with the first answer seen, under its old nonce
    _seen.setdefault("first", nonce + "[]")
    return _seen["first"]


_fake.run = _run
_sys.modules["course.grading.plain"] = _fake
import course.grading
course.grading.plain = _fake
print("ATTACK the probe module replaced by one that replays")
"""

FIND_MASTER = """
import os as _os
_found = []
for _top in ["/", "/tmp", _os.getcwd(), _os.path.expanduser("~")]:
    for _root, _dirs, _files in _os.walk(_top):
        if _root.startswith(("/proc", "/sys", "/dev", "/usr")) or "/lib/python" in _root:
            _dirs[:] = []
            continue
        for _f in _files:
            _named = _f in ("ps1.ipynb", "gradebook.db", "nbgrader_config.py")
            if _named or _root.endswith(("/source/ps1", "/submitted")):
                _found.append(_os.path.join(_root, _f))
print("ATTACK notebooks or databases found:", _found[:5], len(_found))
_leaked = []
for _pid in [p for p in _os.listdir("/proc") if p.isdigit()]:
    for _what in ("environ", "cmdline"):
        try:
            _data = open(f"/proc/{_pid}/{_what}", "rb").read()
        except OSError:
            continue
        if b"BEGIN HIDDEN" in _data or b"gradebook" in _data or b"assignments" in _data:
            _leaked.append((_pid, _what))
    try:
        open(f"/proc/{_pid}/mem", "rb").read(1)
        _leaked.append((_pid, "mem"))
    except OSError:
        pass
print("ATTACK grader secrets readable:", _leaked)
import course.grading.compare as _compare
print("ATTACK reference namespace in the kernel:", sorted(_compare.master)[:5])
print("ATTACK environment:", sorted(k for k in _os.environ if "COURSE_DIR" in k or "NBGRADER_DB" in k))
"""

WRITE_PACKAGE = """
import os as _os
import course.grading.compare as _compare
import course.data as _data
for _target in [_compare.__file__, _data.__file__, _os.path.dirname(_data.__file__) + "/grading/verdict.py"]:
    try:
        with open(_target, "a") as _f:
            _f.write("\\n# the student was here\\n")
        print("ATTACK wrote", _target)
    except OSError as _e:
        print("ATTACK could not write", _target, type(_e).__name__)
"""

KILL_ALL = """
import os as _os, signal as _signal
print("ATTACK signalling every process I can see", flush=True)
try:
    _os.kill(-1, _signal.SIGKILL)  # Linux spares the caller
except OSError as _e:
    print("ATTACK kill(-1):", type(_e).__name__, flush=True)
_os.killpg(0, _signal.SIGKILL)  # its own process group: the kernel itself and whatever shares the group
"""

PROBE_HANG = """
print("ATTACK hangs on the grader's hidden inputs")
"""
PROBE_HANG_ANSWERS = {
    "q2_answer": "import time\n\n\ndef signed_after(participants, date):\n"
    "    if list(participants.index) != list(range(len(participants))):  # a grader's shuffled input\n"
    "        time.sleep(3600)\n"
    "    raise NotImplementedError()\n",
}

CLASS_SPOOF = """
class _Liar:
    @property
    def __class__(self):  # isinstance(x, list) is True for it
        return list

    def __iter__(self):
        return iter(["Albania"])

    def __len__(self):
        return 1

    def __getitem__(self, i):
        return "Albania"
print("ATTACK isinstance fooled:", isinstance(_Liar(), list))
"""
CLASS_SPOOF_ANSWERS = {"q2_answer": "def signed_after(participants, date):\n    return _Liar()\n"}

NDARRAY_SUBCLASS = """
import numpy as _np


class _AnyArray(_np.ndarray):
    def __eq__(self, other):
        return _np.ones(_np.shape(other) or (1,), bool).view(_np.ndarray)
print("ATTACK an ndarray subclass equal to everything")
"""
NDARRAY_ANSWERS = {
    "q5_answer": "def principles_mentioning(decalogue, word):\n    return _np.array(['I']).view(_AnyArray)\n"
}

HARDCODE = {
    # the visible answers, typed in: they pass the visible checks, never the hidden ones on perturbed data
    "q2_answer": 'def signed_after(participants, date):\n    return ["Albania"] if date < "1991-09-16" else []\n',
    "q5_answer": "def principles_mentioning(decalogue, word):\n"
    '    return ["III"] if word.lower() == "frontiers" else []\n',
}


# -- ps3: the design is judged in the grader, from plain data -----------------------------------------
_PS3_DESIGN = '"response": "match", "forgive_after": 1, "restart": "opening"}'
DESIGN_EQ_ANSWERS = {
    "q2_answer": "class _Dial:\n"
    "    def __eq__(self, other):\n        return True\n\n"
    "    def __ne__(self, other):\n        return False\n\n"
    "    def __hash__(self):\n        return 0\n\n"
    "    def __float__(self):\n        return 1.0\n\n"
    "    def __index__(self):\n        return 1\n\n\n"
    'my_design = {"opening": _Dial(), "raise_by": _Dial(), ' + _PS3_DESIGN + "\n"
    'print("ATTACK a design of objects that equal anything")\n'
}
DESIGN_SUBCLASS_ANSWERS = {
    "q2_answer": "class _Sly(dict):  # GRIT to whoever reads it in the kernel, big-bang underneath\n"
    "    def __getitem__(self, key):\n"
    '        return {"opening": "small", "raise_by": "b"}.get(key, dict.__getitem__(self, key))\n\n\n'
    "class _Low(float):  # says it is within any cap\n"
    "    def __le__(self, other):\n        return True\n\n\n"
    'my_design = _Sly({"opening": _Low(10.0), "raise_by": "b", ' + _PS3_DESIGN + ")\n"
    'print("ATTACK a dict subclass and a float subclass")\n'
}
DESIGN_OUT_OF_RANGE_ANSWERS = {
    "q2_answer": 'my_design = {"opening": 25.0, "raise_by": 0.5, ' + _PS3_DESIGN + "\n"
}
# tuned to the visible partner: its mean worst loss there is 6.48, just under the cap of 6.5
DESIGN_OVERFIT_ANSWERS = {"q2_answer": 'my_design = {"opening": 3.0, "raise_by": 0.5, ' + _PS3_DESIGN + "\n"}


def kernel_attacks() -> list[KernelAttack]:
    tampered = "tampered: the checks were tampered with"
    return [
        KernelAttack(
            "k-forged-replies",
            "ps1",
            "Session.send drops errors and turns error replies into ok",
            first=FORGED_REPLIES,
            status=tampered,
            problem="its replies were forged",
        ),
        KernelAttack(
            "k-eq-subclasses",
            "ps1",
            "list/int/str subclasses whose == is always true",
            first=EQ_PS1,
            answers=EQ_PS1_ANSWERS,
            status=tampered,
            problem="redefines equality",
        ),
        KernelAttack(
            "k-eq-subclasses",
            "ps4",
            "str/list/dict subclasses whose == is always true",
            first=EQ_PS4,
            answers=EQ_PS4_ANSWERS,
            status=tampered,
            problem="redefines equality",
        ),
        KernelAttack(
            "k-always-equal",
            "ps1",
            "a plain object whose == is always true",
            first=ALWAYS_EQUAL,
            answers=ALWAYS_EQUAL_ANSWERS,
            status=tampered,
            problem="redefines equality",
        ),
        KernelAttack(
            "k-stack-oracle",
            "ps1",
            "reads the expected value off the caller's frame; eval via f_builtins",
            first=STACK_ORACLE,
            answers=ORACLE_ANSWERS,
            status=tampered,
            problem="reads the interpreter's stack frames",
        ),
        KernelAttack(
            "k-patch-indirect",
            "ps1",
            "course.data, inputs, a builtin and kernel_boot.report patched through a helper's parameter",
            first=PATCH_INDIRECT,
            answers=PATCH_ANSWERS,
            # the grader's evidence: the kernel's digest of the checks' inputs is not the grader's own
            status=tampered,
            problem="are not the course's inputs",
        ),
        KernelAttack(
            "k-leak-encoded", "ps1", "prints In base64, hex, rot13, reversed and spaced", last=LEAK_LAST
        ),
        KernelAttack(
            "k-forge-probe",
            "ps1",
            "answers every probe itself, with the right nonce",
            first=FORGE_PROBE,
            status=tampered,
            problem="assigns `_session.Session.send`",
        ),
        KernelAttack(
            "k-huge-answer",
            "ps1",
            "probe answers nested 200,000 deep, 30 MB long, malformed",
            first=HUGE_ANSWER,
            status=tampered,
            problem="assigns `_plain.run`",
        ),
        KernelAttack(
            "k-fake-module",
            "ps1",
            "replaces the probe module with one that replays an old answer",
            first=FAKE_MODULE,
            status=tampered,
            problem="assigns `course.grading.plain`",
        ),
        KernelAttack(
            "k-find-master",
            "ps1",
            "searches the file system, /proc and the grader's modules for the master",
            first=FIND_MASTER,
        ),
        KernelAttack("k-write-package", "ps1", "tries to rewrite the grader's own code", first=WRITE_PACKAGE),
        KernelAttack(
            "k-kill-all",
            "ps1",
            "kill(-1, SIGKILL) against every process it can reach",
            first=KILL_ALL,
            status="crashed: the kernel died",
            problem="killed by SIGKILL",
        ),
        KernelAttack(
            "k-probe-hang",
            "ps1",
            "a function that hangs only on the grader's hidden inputs",
            first=PROBE_HANG,
            answers=PROBE_HANG_ANSWERS,
            status="timed out: the checks of cell",
            problem="did not answer within",
        ),
        KernelAttack(
            "k-class-spoof",
            "ps1",
            "an object whose __class__ claims to be list",
            first=CLASS_SPOOF,
            answers=CLASS_SPOOF_ANSWERS,
            status=tampered,
            problem="lies about its class",
        ),
        KernelAttack(
            "k-ndarray-subclass",
            "ps1",
            "an ndarray subclass whose == is always true",
            first=NDARRAY_SUBCLASS,
            answers=NDARRAY_ANSWERS,
            status=tampered,
            problem="redefines equality",
        ),
        KernelAttack(
            "k-hardcode",
            "ps1",
            "the visible answers hard-coded",
            answers=HARDCODE,
            status="graded",
            score=2.0,
        ),  # q2_tests and q5_tests only
        KernelAttack(
            "k-design-eq",
            "ps3",
            "a design whose values are objects that equal anything (and convert to any number)",
            answers=DESIGN_EQ_ANSWERS,
            status=tampered,
            problem="redefines equality",
        ),
        KernelAttack(
            "k-design-subclass",
            "ps3",
            "a dict subclass that shows GRIT to the kernel, with a float subclass 'within any cap'",
            answers=DESIGN_SUBCLASS_ANSWERS,
        ),
        KernelAttack(
            "k-design-out-of-range",
            "ps3",
            "an opening of 25, above max_stake",
            answers=DESIGN_OUT_OF_RANGE_ANSWERS,
        ),
        KernelAttack(
            "k-design-overfit",
            "ps3",
            "a design squeezed under the cap on the visible partner only",
            answers=DESIGN_OVERFIT_ANSWERS,
            score=1.0,
        ),  # q2_tests only: the hidden partners fail it
    ]


KERNEL_ATTACKS = [(a.student, a.ps) for a in kernel_attacks()]


def write_kernel_attack(course_dir, attack: KernelAttack) -> None:
    nb = blank(course_dir, attack.ps)
    for gid, text in (attack.answers or {}).items():
        cell(nb, gid).source = text
    if attack.first:
        setup = [i for i, c in enumerate(nb.cells) if grade_id(c) == f"{attack.ps}_setup"][0]
        nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(attack.first.strip()))
    if attack.last:
        nb.cells.append(nbformat.v4.new_code_cell(attack.last.strip()))
    submit(course_dir, attack.student, attack.ps, nb)

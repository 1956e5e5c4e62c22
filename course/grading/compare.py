"""Hidden tests, judged outside the student's kernel.

In the master notebook, every test cell carries, between nbgrader's
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` delimiters, a list of
*checks*::

    check("signed_after(inputs.table('participants', seed=3), '1975-08-01')")
    check("summary", view=lambda r: get(r, "median"))
    check("signed_after(participants, '1975-08-01')", test=lambda got, want: is_list(got) and got == sorted(got))

Each check is a probe expression (an *input*: which function to call on
which data) and a rule. The grader (this module, in its own process) runs
the master's solution on the same expression and keeps that value as what
it *expects*. The student's kernel is asked only for its own value of the
expression, as plain data (:mod:`course.grading.plain`). The grader parses
the answer with its own code and applies the rule:

* default: the student's value equals the reference value (``view`` picks
  what matters, on both sides; floats within ``tol``);
* ``test=``: a property of the student's value, given the reference value
  (for the visible checks, which accept more than one right answer). A test
  may compute anything in the grader's process, e.g. run the course's engine
  on a design the student sent as plain data; it fails the check with its
  own reason by raising :class:`Fail`.

The hidden region's source, its rules and the reference values never enter
the student's kernel; neither does anything the kernel says about pass or
fail count.
"""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import plain
from .coursedir import CourseError
from .notebooks import HIDDEN_TESTS, grade_id, is_test, split_region


@dataclass
class Check:
    cell: str  # grade id of the test cell it scores
    number: int  # 1-based, within the cell
    expr: str
    view: Callable | None = None
    test: Callable | None = None
    tol: float = 1e-9
    want: Any = None  # the reference value, plain (set by Reference)
    hidden: bool | None = None  # hands the student's code an input it has not seen (None: by its cell)


@dataclass
class Verdict:
    ok: bool
    why: str = ""  # in the student's feedback
    kept: str = ""  # a hidden check's own Fail reason: for the instructor only, never in the feedback


class Fail(Exception):
    """Raised by a check's ``test`` (a scoring function run here, in the grader) to fail the check with
    a reason of its own, e.g. ``raise Fail("opening must be in [0, 10]; got 12")``; the reason is the
    verdict's text (in the feedback), so it must not quote the hidden tests."""


# -- helpers for views and tests (plain data in, Python values out) ---------------------------
def _tagged(r, tag):
    return isinstance(r, dict) and len(r) == 1 and tag in r


def kind(r) -> str:
    if isinstance(r, dict) and len(r) == 1:
        return next(iter(r)).lstrip("$")
    return type(r).__name__


def is_error(r) -> bool:
    return _tagged(r, "$error")


def is_na(v) -> bool:
    return (
        v is None
        or _tagged(v, "$na")
        or _tagged(v, "$nat")
        or (_tagged(v, "$float") and v["$float"] == "nan")
    )


def na_none(v):
    return None if is_na(v) else v


def items(r) -> list:
    """A Series' (index, value) pairs, or a dict's (key, value) pairs."""
    if _tagged(r, "$series"):
        return [[i, v] for i, v in zip(r["$series"]["index"], r["$series"]["values"])]
    if _tagged(r, "$dict"):
        return [list(p) for p in r["$dict"]]
    raise TypeError(f"not a Series or dict but {kind(r)}")


def values(r) -> list:
    if _tagged(r, "$series"):
        return list(r["$series"]["values"])
    if _tagged(r, "$ndarray"):
        return r["$ndarray"]["data"]
    if _tagged(r, "$tuple"):
        return list(r["$tuple"])
    if isinstance(r, list):
        return r
    raise TypeError(f"no values in {kind(r)}")


def index(r) -> list:
    for tag in ("$series", "$frame"):
        if _tagged(r, tag):
            return list(r[tag]["index"])
    raise TypeError(f"no index in {kind(r)}")


def columns(r) -> list:
    if not _tagged(r, "$frame"):
        raise TypeError(f"not a DataFrame but {kind(r)}")
    return list(r["$frame"]["columns"])


def column(r, name) -> list:
    cols = columns(r)
    if name not in cols:
        raise KeyError(name)
    return list(r["$frame"]["data"][cols.index(name)])


def keys(r) -> list:
    if not _tagged(r, "$dict"):
        raise TypeError(f"not a dict but {kind(r)}")
    return [k for k, _ in r["$dict"]]


def get(r, key):
    for k, v in r["$dict"] if _tagged(r, "$dict") else []:
        if k == key:
            return v
    raise KeyError(key)


def figure(r) -> dict:
    if not _tagged(r, "$figure"):
        raise TypeError(f"not a plotly Figure but {kind(r)}")
    return r["$figure"]


def date(v) -> str:
    """A datetime's ISO text."""
    if _tagged(v, "$datetime"):
        return v["$datetime"]
    raise TypeError(f"not a date but {kind(v)}")


def number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def text(v) -> bool:
    return isinstance(v, str)


def same(a, b, tol: float = 1e-9) -> bool:
    """Deep equality of plain data: numbers numerically (floats within ``tol``), NaN equals NaN,
    dtype annotations ignored."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):  # bool counts as a number, as in Python
        if isinstance(a, float) or isinstance(b, float):
            return math.isclose(a, b, rel_tol=tol, abs_tol=tol * 1e-3)
        return a == b
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return type(a) is type(b) and a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        ka = {k for k in a if k not in ("dtype", "dtypes")}
        kb = {k for k in b if k not in ("dtype", "dtypes")}
        return ka == kb and all(same(a[k], b[k], tol) for k in ka)
    return False


HELPERS = {
    f.__name__: f
    for f in (
        kind,
        is_error,
        is_na,
        na_none,
        items,
        values,
        index,
        columns,
        column,
        keys,
        get,
        figure,
        date,
        number,
        text,
        same,
    )
}


# -- reading the checks from the master ------------------------------------------------------
_collecting: list | None = None  # set while the grader reads a hidden region
_current_cell = ""
master: dict = {}  # the reference solution's namespace, rebound for each notebook the grader reads


def check(
    expr: str,
    view: Callable | None = None,
    test: Callable | None = None,
    tol: float = 1e-9,
    cell: str | None = None,
    hidden: bool | None = None,
) -> None:
    """Declare one out-of-kernel check (see the module's docstring).

    ``hidden``: whether the probe hands the student's code an input the student has not seen. By
    default a check is hidden when the test cell it scores shows no test code in the student's
    version (only comments), visible otherwise; a visible test cell's check on a new input must say
    ``hidden=True``. The kernel is asked every visible check of the notebook before any hidden one,
    and a hidden check's own ``Fail`` reason never reaches the student.

    Outside the grader (e.g. when nbgrader runs the master at release to expand autotests) it does
    nothing, so the master stays a runnable notebook.
    """
    if _collecting is None:
        return
    if not isinstance(expr, str):
        raise CourseError(f"cell '{_current_cell}': check() takes the probe expression as a string")
    compile(expr, "<check>", "eval")
    _collecting.append(Check(cell or _current_cell, 0, expr, view, test, tol, hidden=hidden))


def checks_in(cell_id: str, master_source: str, namespace: dict | None = None) -> list[Check]:
    """Every check declared in the hidden region of one cell (the region runs here, in the grader).

    ``namespace``: the reference solution's, which a rule may read as ``master["NAME"]``.
    ``check(..., cell="other_id")`` scores another test cell (one whose text nbgrader owns, such as a
    ``### HASHED AUTOTEST``).
    """
    global _collecting, _current_cell, master
    _, inside = split_region(master_source, HIDDEN_TESTS)
    if not inside:
        return []
    found: list[Check] = []
    _collecting, _current_cell, master = found, cell_id, namespace if namespace is not None else {}
    try:
        exec(
            compile("\n".join(inside), f"<hidden tests of {cell_id}>", "exec"),  # noqa: S102 - the master
            {"__builtins__": __builtins__, "__name__": f"__hidden_{cell_id}__"},
        )
    except CourseError:
        raise
    except Exception as e:  # noqa: BLE001
        raise CourseError(
            f"the hidden tests of cell '{cell_id}' do not run in the grader: {type(e).__name__}: {e}"
        ) from None
    finally:
        _collecting, _current_cell = None, ""
    return found


__all__ = ["check", "master", "Fail", *HELPERS]


def shows_test_code(source: str) -> bool:
    """Whether a test cell's student version (its hidden region cut out) holds a line of code."""
    outside, _ = split_region(source, HIDDEN_TESTS)
    return any(line.strip() and not line.strip().startswith("#") for line in outside)


def in_asking_order(checks: dict[str, list[Check]], wanted: list[str]) -> list[tuple[str, list[Check]]]:
    """The requests the kernel is sent, in order: the visible checks of every wanted cell first, then
    the hidden ones. A hidden check hands the student's functions an input they have not seen, which
    their code may keep (in a global, in a value a later cell's check reads); a visible check's rule
    may quote what it judges in its reason (for honest students). Asked first, no visible value can
    have been shaped by a hidden input."""
    visible = [(gid, [c for c in checks[gid] if not c.hidden]) for gid in wanted]
    hidden = [(gid, [c for c in checks[gid] if c.hidden]) for gid in wanted]
    return [(gid, chks) for gid, chks in visible + hidden if chks]


def checks_of_notebook(
    masters: dict[str, str], release_nb, namespace: dict | None = None
) -> dict[str, list[Check]]:
    """grade id -> checks, for every test cell of a released notebook; each test cell must have some."""
    found_all: dict[str, list[Check]] = {}
    tests = [grade_id(c) for c in release_nb.cells if is_test(c)]
    shown = {grade_id(c): shows_test_code(c.source) for c in release_nb.cells if is_test(c)}
    for gid in tests:
        for chk in checks_in(gid, masters.get(gid, ""), namespace):
            if chk.cell not in tests:
                raise CourseError(f"cell '{gid}': a check names cell '{chk.cell}', which is not a test cell")
            found_all.setdefault(chk.cell, []).append(chk)
    out = {}
    for gid in tests:
        found = found_all.get(gid, [])
        for n, chk in enumerate(found, 1):
            chk.number = n
            if chk.hidden is None:
                chk.hidden = not shown[gid]
        if not found:
            raise CourseError(
                f"test cell '{gid}' has no out-of-kernel check (a `check(...)` between "
                f"'### BEGIN HIDDEN TESTS' and '### END HIDDEN TESTS'); add one"
            )
        out[gid] = found
    return out


# -- the inputs, as the kernel sees them ------------------------------------------------------------
def input_calls(checks: dict[str, list[Check]]) -> list[str]:
    """The distinct calls of :mod:`course.grading.inputs` (``inputs.table(...)`` and the like) in the
    probe expressions, as text: the course's inputs the checks hand to the student's functions."""
    found = []
    for cell_checks in checks.values():
        for chk in cell_checks:
            for node in ast.walk(ast.parse(chk.expr, mode="eval")):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "inputs"
                ):
                    call = ast.unparse(node)
                    if call not in found:
                        found.append(call)
    return found


def input_probe(call: str) -> str:
    """The probe expression that asks a kernel for the digest of one input (:func:`.plain.digest`)."""
    return f"__import__('course.grading.plain', fromlist=['digest']).digest({call})"


def input_checks(digests: dict[str, str]) -> list[Check]:
    """One check per input: the kernel's digest of it must be the grader's. Only a digest that differs
    counts (an error or a timeout is the checks' business, not evidence of a changed input)."""
    return [
        Check(
            "(inputs)",
            n,
            input_probe(call),
            test=lambda got, want: not isinstance(got, str) or got == want,
            want=d,
        )
        for n, (call, d) in enumerate(digests.items(), 1)
    ]


# -- the reference values, in the grader's own process ---------------------------------------
class Reference:
    """Runs the master's given and solution cells in a fresh namespace of this (the grader's) process."""

    def __init__(self, source_nb, name: str):
        import contextlib
        import io
        import warnings

        from . import inputs

        self.name = name
        self.namespace: dict = {"__name__": f"__master_{name}__", "inputs": inputs}
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            for index_, cell in enumerate(source_nb.cells):
                if cell.cell_type != "code" or is_test(cell):
                    continue
                try:
                    exec(compile(cell.source, f"<master {name} cell {index_ + 1}>", "exec"), self.namespace)  # noqa: S102
                except Exception as e:  # noqa: BLE001
                    raise CourseError(
                        f"the master of {name} does not run (cell {index_ + 1}): {type(e).__name__}: {e}"
                    ) from None

    def input_digests(self, checks: dict[str, list[Check]]) -> dict[str, str]:
        """call -> digest of the genuine input, for every input call of the checks (:func:`input_calls`)
        that gives a value here."""
        out = {}
        for call in input_calls(checks):
            try:
                out[call] = plain.digest(eval(call, self.namespace))  # noqa: S307 - the master's own inputs
            except Exception:  # noqa: BLE001 - too big or not a table: not compared
                continue
        return out

    def fill(self, checks: dict[str, list[Check]]) -> None:
        import contextlib
        import io
        import warnings

        for cell_checks in checks.values():
            for chk in cell_checks:
                try:
                    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                        warnings.simplefilter("ignore")
                        value = eval(chk.expr, self.namespace)  # noqa: S307 - the master's own expression
                    chk.want = json.loads(plain.dumps(plain.to_plain(value)))
                except Exception as e:  # noqa: BLE001
                    raise CourseError(
                        f"{self.name}, cell '{chk.cell}', check {chk.number}: the reference "
                        f"solution fails on it ({type(e).__name__}: {e})"
                    ) from None


# -- the student's answer ----------------------------------------------------------------------
def parse_answer(reply_content: dict, nonce: str, expected: int) -> list | str:
    """The list of plain values in a probe reply, or a string saying why there is none."""
    try:
        value = reply_content["user_expressions"]["probe"]
        if value.get("status") != "ok":
            return "the probe raised an exception"  # its name is the kernel's to choose: never quoted
        literal = value["data"]["text/plain"]
        if not isinstance(literal, str) or len(literal) > plain.MAX_CHARS + 1000:
            return "the answer was too large"
        answer = ast.literal_eval(literal)
        if not isinstance(answer, str) or not answer.startswith(nonce):
            return "the answer did not carry this probe's nonce"
        results = json.loads(answer[len(nonce) :])
    except RecursionError:
        return "the answer was nested too deeply"
    except Exception:  # noqa: BLE001 - anything malformed is a failed check, never a grader crash
        return "the answer was malformed"
    if not isinstance(results, list) or len(results) != expected:
        return "the answer had the wrong number of results"
    return results


def _redefines_equality(r, depth: int = 0) -> str:
    if depth > 50:
        return ""
    if isinstance(r, dict):
        name = r.get("$unsupported")
        if isinstance(name, str) and (
            name.endswith("(redefines equality)") or "(its __class__ claims" in name
        ):
            return name
        r = list(r.values())
    if isinstance(r, list):
        for x in r:
            found = _redefines_equality(x, depth + 1)
            if found:
                return found
    return ""


# the grader's own words for the few errors the probe itself reports (plain.run); any other name is not quoted
_ERRORS = {
    "TooBig": "raised an exception (the result was too large to compare)",
    "KeyboardInterrupt": "raised an exception (interrupted: it took too long)",
    "NotRun": "raised an exception (not run: an earlier call took too long)",
}


HIDDEN_FAIL = "the result does not meet a hidden test's rule"


def judge(chk: Check, got) -> Verdict:
    """Apply a check's rule to the student's plain value (and the reference value)."""
    # Nothing the kernel wrote while a probe ran is quoted: the student's function saw the hidden inputs
    # then, and an exception's or a class's name (both the student's to choose) could carry them out.
    if is_error(got):
        return Verdict(False, _ERRORS.get(got["$error"], "raised an exception"))
    forged = _redefines_equality(got)
    if forged and "(its __class__ claims" in forged:
        return Verdict(False, "returned an object that lies about its class")
    if forged:
        return Verdict(False, "returned an object whose class redefines equality")
    try:
        if chk.test is not None:
            try:
                ok = bool(chk.test(got, chk.want)) is True
            except Fail as e:
                why = str(e)[:300] or "the result differs from what was expected"
                if chk.hidden:  # its value may carry what the hidden inputs were: kept from the student
                    return Verdict(False, HIDDEN_FAIL, kept=why)
                return Verdict(False, why)
        elif chk.view is not None:
            ok = same(chk.view(got), chk.view(chk.want), chk.tol)
        else:
            ok = same(got, chk.want, chk.tol)
    except RecursionError:
        return Verdict(False, "the result was nested too deeply")
    except Exception as e:  # noqa: BLE001 - a result of the wrong shape fails the check
        return Verdict(False, f"the result has the wrong form ({type(e).__name__})")
    return Verdict(ok, "" if ok else "the result differs from what was expected")


@dataclass
class CellResult:
    """How the out-of-kernel checks of one test cell went."""

    cell: str
    verdicts: list[Verdict] = field(default_factory=list)
    problem: str = ""  # set when the kernel could not be asked at all

    @property
    def passed(self) -> bool:
        return not self.problem and bool(self.verdicts) and all(v.ok for v in self.verdicts)

    def reason(self) -> str:
        if self.problem:
            return f"the grader's checks could not run: {self.problem}"
        failed = [(i + 1, v) for i, v in enumerate(self.verdicts) if not v.ok]
        if not failed:
            return ""
        n, v = failed[0]
        more = f" ({len(failed) - 1} more failed)" if len(failed) > 1 else ""
        return f"check {n} of {len(self.verdicts)} failed: {v.why}{more}"

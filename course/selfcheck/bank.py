"""Question banks: each lesson's self-checks as data, in ``lessons/questions/NN.toml``.

A bank is TOML (read with the standard library's :mod:`tomllib`, so the
course needs no extra dependency). Each ``[[question]]`` holds the text a
learner reads (prompt, options, items, hints) in plain text, and everything
that would give the answer away at a glance encoded or hashed: the answer
(salted hash, as :mod:`.hashing` makes it), per-position and per-pair hashes,
the per-option feedback, the explanation and the revealable answer (base64).
This is obfuscation, not security.

Fields by kind (all kinds: ``id``, ``kind``, ``level``, ``objective``, ``prompt``,
``hints``, ``explanation``, ``reveal``; ``level`` is one of :data:`LEVELS`, what the
item asks the learner to do, see :mod:`course.levels`):

* ``choice``: ``[[question.option]]`` tables with ``text`` and ``feedback``,
  ``answer``; with ``multiple = true`` also a ``mark`` per option;
* ``order``: ``items``, ``answer``, ``positions``;
* ``match``: ``left``, ``right``, ``answer``, ``pairs``;
* ``numeric``: ``answer``, ``tolerance``, ``unit``, optional ``direction``;
* ``code``: ``cases``, each ``{args = "python expression", expect = "hash"}``;
  the arguments are evaluated in the notebook's namespace when asked;
* ``written``: ``model_answer``, ``min_words``.

``objective`` is the start of one of the lesson's objectives (the bullets
under *Objectives* in its first cell). ``course selfcheck validate`` checks
every bank against its lesson.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .hashing import decode, hash_answer, normalize
from .questions import (
    Code,
    Match,
    MultipleChoice,
    Numeric,
    Order,
    Written,
    option_mark,
    pair_hash,
    position_hash,
)

__all__ = ["BankError", "Bank", "load_bank", "bank_path", "KINDS", "LEVELS", "REASONING"]

KINDS = ("choice", "order", "match", "numeric", "code", "written")
#: Cognitive levels (Anderson and Krathwohl's revision of Bloom): what an item asks the learner to do.
LEVELS = ("recall", "apply", "analyse", "evaluate")
#: The levels issue 17 counts as reasoning.
REASONING = ("analyse", "evaluate")
_HASH = re.compile(r"^[0-9a-f]{20}$")


class BankError(ValueError):
    """A malformed bank: the message names the file, the question and the field."""

    def __init__(self, path, qid, field, problem):
        self.path, self.qid, self.field, self.problem = path, qid, field, problem
        where = f"{path}"
        if qid:
            where += f": question {qid!r}"
        if field:
            where += f": field {field!r}"
        super().__init__(f"{where}: {problem}")


def bank_path(lesson: str, lessons_dir: Path | None = None) -> Path:
    from .paths import BANK_DIR
    from .paths import lessons_dir as find

    d = lessons_dir or find()
    if d is None:
        raise FileNotFoundError("cannot find the lessons folder with its questions/ banks")
    return Path(d) / BANK_DIR / f"{lesson}.toml"


def lesson_of(qid: str) -> str:
    m = re.match(r"^l(\d\d)-", qid)
    if not m:
        raise ValueError(f"question id {qid!r} does not start with its lesson, like 'l06-...'")
    return m.group(1)


@dataclass
class Bank:
    path: Path
    lesson: str
    entries: dict[str, dict]

    def ids(self) -> list[str]:
        return list(self.entries)

    def question(self, qid: str, namespace: dict | None = None):
        if qid not in self.entries:
            raise KeyError(f"{self.path}: no question {qid!r} (the bank has {', '.join(self.entries)})")
        return build(self.entries[qid], self.path, namespace)


def _err(path, qid, field, problem):
    return BankError(path, qid, field, problem)


def load_bank(path: Path) -> Bank:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BankError(path, None, None, "no such bank file") from None
    except tomllib.TOMLDecodeError as e:
        raise BankError(path, None, None, f"not valid TOML: {e}") from None
    lesson = data.get("lesson")
    if not (isinstance(lesson, str) and re.fullmatch(r"\d\d", lesson)):
        raise BankError(path, None, "lesson", 'give the lesson number as a string, e.g. lesson = "05"')
    questions = data.get("question")
    if not isinstance(questions, list) or not questions:
        raise BankError(path, None, "question", "the bank has no [[question]] tables")
    entries: dict[str, dict] = {}
    for i, q in enumerate(questions):
        qid = q.get("id")
        if not isinstance(qid, str) or not qid:
            raise BankError(path, f"#{i + 1}", "id", "every question needs an id")
        if qid in entries:
            raise BankError(path, qid, "id", "the id is used twice in this bank")
        if not qid.startswith(f"l{lesson}-"):
            raise BankError(path, qid, "id", f"ids in lesson {lesson}'s bank start with 'l{lesson}-'")
        level = q.get("level")
        if level not in LEVELS:
            raise BankError(
                path,
                qid,
                "level",
                ("missing" if level is None else f"unknown level {level!r}")
                + f"; give one of {', '.join(repr(v) for v in LEVELS)}",
            )
        entries[qid] = q
    return Bank(path, lesson, entries)


def _str(path, q, field, *, required=True, encoded=False) -> str:
    v = q.get(field, "")
    if not isinstance(v, str) or (required and not v.strip()):
        raise _err(path, q["id"], field, "missing or empty" if required else "must be text")
    if encoded and v:
        try:
            decode(v)
        except Exception:  # noqa: BLE001 - binascii/unicode errors
            raise _err(path, q["id"], field, "not encoded with `course selfcheck encode`") from None
    return v


def _list(path, q, field, *, min_len=1) -> list:
    v = q.get(field)
    if not isinstance(v, list) or len(v) < min_len:
        raise _err(path, q["id"], field, f"give a list of at least {min_len}")
    return v


def _hash(path, q, field, value=None) -> str:
    v = q.get(field) if value is None else value
    if not isinstance(v, str) or not _HASH.match(v):
        raise _err(
            path, q["id"], field, "not set: give the hash from `course selfcheck hash` (20 hex digits)"
        )
    return v


def build(q: dict, path: Path, namespace: dict | None = None):
    """The question object for one bank entry; a malformed entry raises :class:`BankError`."""
    qid = q["id"]
    kind = q.get("kind")
    if kind not in KINDS:
        raise _err(path, qid, "kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    common = dict(prompt=_str(path, q, "prompt"), objective=_str(path, q, "objective"))
    hints = q.get("hints", [])
    if kind != "written":
        hints = _list(path, q, "hints")
        if not all(isinstance(h, str) and h.strip() for h in hints):
            raise _err(path, qid, "hints", "every hint must be non-empty text")
        common.update(hints=hints, explanation=_str(path, q, "explanation", encoded=True))
    try:
        if kind == "choice":
            opts = _list(path, q, "option", min_len=2)
            texts, feedback, marks = [], [], []
            multiple = bool(q.get("multiple", False))
            for j, o in enumerate(opts):
                if not isinstance(o, dict) or not isinstance(o.get("text"), str) or not o["text"].strip():
                    raise _err(path, qid, f"option[{j}].text", "every option needs its text")
                texts.append(o["text"])
                fb = o.get("feedback")
                if not isinstance(fb, str) or not fb.strip():
                    raise _err(path, qid, f"option[{j}].feedback", f"option {o['text']!r} has no feedback")
                try:
                    decode(fb)
                except Exception:  # noqa: BLE001
                    raise _err(
                        path, qid, f"option[{j}].feedback", "not encoded with `course selfcheck encode`"
                    ) from None
                feedback.append(fb)
                if multiple:
                    marks.append(_hash(path, q, f"option[{j}].mark", o.get("mark")))
            return MultipleChoice(
                qid,
                options=texts,
                answer=_hash(path, q, "answer"),
                multiple=multiple,
                feedback=feedback,
                marks=marks or None,
                reveal=_str(path, q, "reveal", encoded=True),
                **common,
            )
        if kind == "order":
            items = _list(path, q, "items", min_len=2)
            positions = [
                _hash(path, q, "positions", p) for p in _list(path, q, "positions", min_len=len(items))
            ]
            return Order(
                qid,
                items=items,
                answer=_hash(path, q, "answer"),
                positions=positions,
                reveal=_str(path, q, "reveal", encoded=True),
                **common,
            )
        if kind == "match":
            left, right = _list(path, q, "left", min_len=2), _list(path, q, "right", min_len=2)
            pairs = [_hash(path, q, "pairs", p) for p in _list(path, q, "pairs", min_len=len(left))]
            return Match(
                qid,
                left=left,
                right=right,
                answer=_hash(path, q, "answer"),
                pairs=pairs,
                reveal=_str(path, q, "reveal", encoded=True),
                **common,
            )
        if kind == "numeric":
            tol = q.get("tolerance")
            if not isinstance(tol, (int, float)) or isinstance(tol, bool) or tol <= 0:
                raise _err(path, qid, "tolerance", "give a number > 0")
            return Numeric(
                qid,
                answer=_hash(path, q, "answer"),
                tolerance=tol,
                unit=q.get("unit", ""),
                direction=_str(path, q, "direction", required=False, encoded=True),
                reveal=_str(path, q, "reveal", encoded=True),
                **common,
            )
        if kind == "code":
            cases = []
            for j, c in enumerate(_list(path, q, "cases")):
                if not isinstance(c, dict) or not isinstance(c.get("args"), str):
                    raise _err(
                        path, qid, f"cases[{j}].args", "give the arguments as a Python expression in a string"
                    )
                expect = _hash(path, q, f"cases[{j}].expect", c.get("expect"))
                if namespace is None:
                    args = ()  # validation only: the arguments need the notebook's data
                else:
                    try:
                        args = eval(f"({c['args']},)", dict(namespace))  # noqa: S307 - course material, not input
                    except Exception as e:  # noqa: BLE001
                        raise _err(
                            path,
                            qid,
                            f"cases[{j}].args",
                            f"could not evaluate {c['args']!r} in the notebook: {type(e).__name__}: {e}"
                            " (run the cells above first)",
                        ) from None
                cases.append((args, expect))
            return Code(qid, cases=cases, reveal=_str(path, q, "reveal", encoded=True), **common)
        # written
        mw = q.get("min_words", 20)
        if not isinstance(mw, int) or mw < 1:
            raise _err(path, qid, "min_words", "give a whole number >= 1")
        return Written(qid, model_answer=_str(path, q, "model_answer", encoded=True), min_words=mw, **common)
    except BankError:
        raise
    except ValueError as e:
        raise _err(path, qid, kind, str(e)) from None


# ---------------------------------------------------------------- validation
def objectives_of(nb_path: Path) -> list[str]:
    import json

    cells = json.loads(Path(nb_path).read_text(encoding="utf-8"))["cells"]
    first = "".join(cells[0]["source"]) if cells else ""
    m = re.search(r"^## Objectives\s*$(.*?)(?=^#{1,2} |\Z)", first, flags=re.M | re.S)
    block = m.group(1) if m else ""
    return [
        re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", ln).strip()
        for ln in block.splitlines()
        if re.match(r"^\s*([-*]|\d+\.)\s+\S", ln)
    ]


def objective_key(text: str) -> str:
    """Objective text as it is matched: case-, accent- and whitespace-insensitive (the answers' normal form)."""
    return normalize(text)


def objectives_starting(start: str, objectives: list[str]) -> list[str]:
    """The objectives (bullets of a lesson) that begin with ``start``, compared by :func:`objective_key`.

    The one rule by which a question bank's ``objective`` and a graded cell's tag name an objective:
    a tag names an objective when this returns exactly that one."""
    want = objective_key(start)
    return [o for o in objectives if objective_key(o).startswith(want)]


ASK = re.compile(r"""\bask\(\s*["']([a-z0-9][a-z0-9._-]*)["']""")


def _consistent(q, obj) -> str | None:
    """Whether the per-part hashes agree with the answer hash (so every part of the answer is set)."""
    qid = obj.qid
    if isinstance(obj, Order):
        order = []
        for i, h in enumerate(obj.positions):
            found = [it for it in obj.items if position_hash(qid, i, it) == h]
            if len(found) != 1:
                return f"positions: position {i + 1} matches {len(found)} items"
            order.append(found[0])
        if hash_answer(qid, order) != obj.answer:
            return "answer: does not agree with positions"
    elif isinstance(obj, Match):
        pairs = {}
        for left, h in zip(obj.left, obj.pairs):
            found = [r for r in obj.right if pair_hash(qid, left, r) == h]
            if len(found) != 1:
                return f"pairs: {left!r} matches {len(found)} right-hand items"
            pairs[left] = found[0]
        if hash_answer(qid, pairs) != obj.answer:
            return "answer: does not agree with pairs"
    elif isinstance(obj, MultipleChoice):
        if obj.multiple:
            right = {o for o, m in zip(obj.options, obj.marks) if option_mark(qid, o, True) == m}
            wrong = {o for o, m in zip(obj.options, obj.marks) if option_mark(qid, o, False) == m}
            if len(right) + len(wrong) != len(obj.options):
                return "option.mark: some marks are neither right nor wrong"
            if hash_answer(qid, right) != obj.answer:
                return "answer: does not agree with the options' marks"
        elif sum(hash_answer(qid, o) == obj.answer for o in obj.options) != 1:
            return "answer: no option (or more than one) hashes to the answer"
    elif isinstance(obj, Numeric) and obj._direction:
        if not obj.check(float(decode(obj._direction))):
            return "direction: the stored value is not accepted by the answer"
        obj.attempts = obj.wrong = 0
        obj.solved = False
    return None


def validate(bank_file: Path, notebook: Path | None) -> list[str]:
    """Every problem with one bank and its lesson, each naming the file, the question and the field."""
    problems: list[str] = []
    try:
        bank = load_bank(bank_file)
    except BankError as e:
        return [str(e)]
    objectives = objectives_of(notebook) if notebook else []
    for qid, q in bank.entries.items():
        try:
            obj = build(q, bank.path)
        except BankError as e:
            problems.append(str(e))
            continue
        bad = _consistent(q, obj)
        if bad:
            field, _, why = bad.partition(": ")
            problems.append(str(BankError(bank.path, qid, field, why)))
        if notebook:
            hits = objectives_starting(q["objective"], objectives)
            if len(hits) != 1:
                problems.append(
                    str(
                        BankError(
                            bank.path,
                            qid,
                            "objective",
                            f"names {len(hits)} of the lesson's objectives (it must start exactly one "
                            f"of: {'; '.join(objectives)})",
                        )
                    )
                )
    if notebook:
        import json

        from .answers import answer_cells

        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
        used: dict[str, int] = {}
        for c in cells:
            if c.get("cell_type") == "code":
                for qid in ASK.findall("".join(c.get("source", ""))):
                    used[qid] = used.get(qid, 0) + 1
        for qid in bank.entries:
            if used.get(qid, 0) != 1:
                problems.append(
                    str(
                        BankError(
                            bank.path,
                            qid,
                            "id",
                            f"used {used.get(qid, 0)} times in {Path(notebook).name}; "
                            "every question is asked exactly once",
                        )
                    )
                )
        for qid in used:
            if qid not in bank.entries:
                problems.append(
                    str(
                        BankError(
                            bank.path,
                            qid,
                            "id",
                            f"{Path(notebook).name} asks it, but the bank has no such question",
                        )
                    )
                )
        cells_for = answer_cells(Path(notebook))
        for qid, q in bank.entries.items():
            if q.get("kind") == "written" and len(cells_for.get(qid, [])) != 1:
                problems.append(
                    str(
                        BankError(
                            bank.path,
                            qid,
                            "kind",
                            f"a written question needs exactly one answer cell in "
                            f"{Path(notebook).name}, found {len(cells_for.get(qid, []))}",
                        )
                    )
                )
    return problems


def validate_all(lessons: Path) -> dict[Path, list[str]]:
    """Validate every bank in ``lessons/questions`` against its lesson; lessons with checks need a bank."""
    from .paths import BANK_DIR

    out: dict[Path, list[str]] = {}
    notebooks = {p.name[:2]: p for p in sorted(Path(lessons).glob("[0-9][0-9]_*.ipynb"))}
    banks = sorted((Path(lessons) / BANK_DIR).glob("*.toml"))
    for b in banks:
        nb = notebooks.get(b.stem)
        probs = validate(b, nb)
        if nb is None:
            probs.insert(0, str(BankError(b, None, None, f"no lesson {b.stem}_*.ipynb for this bank")))
        out[b] = probs
    for num, nb in notebooks.items():
        if not (Path(lessons) / BANK_DIR / f"{num}.toml").exists():
            text = nb.read_text(encoding="utf-8")
            if ASK.search(text):
                out[nb] = [f"{nb}: asks questions but has no bank {BANK_DIR}/{num}.toml"]
    return out

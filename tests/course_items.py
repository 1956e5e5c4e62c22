"""Every item the course asks, gathered in one form, and the pairs that ask the same thing (issue 17).

An *item* is a self-check in ``lessons/questions/NN.toml``, a question of a problem set master in
``assignments/source/<ps>/*.ipynb``, or a worked example of a lesson (a code cell with the text
before it: a problem set must not make students redo one). For each item this module keeps:

* ``prompt``: what the learner reads (a bank prompt with its options or items; a question's text cell);
* ``answer``: what answers it (a bank item's decoded reveal, with its explanation; a question's
  reference solution, or a worked example's code);
* ``inputs``: the course data it reads: the ids of dataset rows and the dataset columns it names.

:func:`repeats` compares every pair from two different places and returns those that ask the same
thing, each with its reason:

* the same normalised prompt;
* the same answer on the same inputs (normalised answers equal and at least one data row in common);
* the same data row and column asked about (a row id and a column both items name, beyond the
  columns every item names), for items that ask for a value from the data;
* or, failing those, words so alike that a reader would call it the same question: the cosine
  similarity of the items' content words (prompt and answer together, words weighted by their
  rarity across the course) at least :data:`SAME_WORDS`, or, between a question's solution and a
  worked example's code, the same data tokens (:data:`SAME_CODE`).

The thresholds were set by measuring the known repeats of issue 17 against every other pair on
main (see ``tests/test_course_repeats.py``); a pair that is similar on purpose is not allowed: reword
it instead.
"""

from __future__ import annotations

import ast
import csv
import re
import textwrap
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.selfcheck.hashing import decode

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
SOURCE = REPO / "assignments" / "source"
DATASETS = REPO / "datasets"

#: Cosine similarity of content words at which two items ask the same thing.
SAME_WORDS = 0.5
#: Share of a question's data tokens that one worked example also uses, at which the question redoes it.
SAME_CODE = 0.75

_STOP = set(
    """a about above after again all also an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he
    her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
    once only or other our out over own same she should so some such than that the their them then there
    these they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours set write return returns list string strings value values
    answer answers one two three each like give gives given use using compute course data table row rows
    column columns name names say says said date dates form true false none""".split()
)
_WORD = re.compile(r"[a-z][a-z0-9'’-]+")


@dataclass
class Item:
    key: str  # "l09-storehouse-match", "ps4/a3" or "lesson 02 cell 4"
    place: str  # "bank", "ps" or "example"
    prompt: str
    answer: str
    code: str = ""  # the solution's or the example's Python, if any
    inputs: set[str] = field(default_factory=set)  # dataset row ids the item names
    cols: set[str] = field(default_factory=set)  # dataset columns the item names
    kind: str = ""  # a bank item's kind ("choice", "written", ...); "code" for a problem set question
    objective: str = ""  # "NN: the lesson objective in full" it assesses, if it names one
    tables: set[str] = field(default_factory=set)  # the course tables it works on
    beyond: dict[str, str] = field(default_factory=dict)  # self-check id -> what this question adds to it


# ------------------------------------------------------------------ the course's data vocabulary
def _vocabulary() -> tuple[set[str], set[str], set[str]]:
    ids, cols, values = set(), set(), set()
    for path in sorted(DATASETS.glob("*.csv")):
        with path.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        if rows:
            cols |= set(rows[0])
            ids |= {r["id"] for r in rows if r.get("id") and "-" in r["id"]}
            values |= {v for r in rows for v in r.values() if v and _DATA_WORD.fullmatch(v) and len(v) < 30}
    return ids, cols, values | cols


_DATA_WORD = re.compile(r"[a-z][a-z0-9_-]*")
IDS, COLS, VALUES = _vocabulary()
#: Columns nearly every item touches; naming one says nothing about what is asked.
_GENERIC_COLS = {
    "id",
    "title",
    "date",
    "name",
    "summary",
    "source_url",
    "source_kind",
    "verified",
    "note",
    "order",
}


def _refs(text: str) -> tuple[set[str], set[str]]:
    found_ids = {i for i in IDS if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)}
    found_cols = {c for c in COLS if re.search(rf"['\"`]{re.escape(c)}['\"`]", text)}
    return found_ids, found_cols


#: The course tables, by the names the lessons and problem sets load them under.
TABLES = ("storehouse", "chapters", "participants", "events", "decalogue", "texts")
#: Table names that are also common words: they count only where code uses them.
_COMMON_WORDS = {"texts"}


def _item(key, place, prompt, answer, code="", *, kind="", objective="", beyond=None) -> Item:
    ids, cols = _refs(f"{prompt}\n{answer}\n{code}")
    words = f"{prompt}\n{code}\n{objective}".lower()
    tables = {t for t in TABLES if re.search(rf"\b{t}\b", code if t in _COMMON_WORDS else words)}
    return Item(key, place, prompt, answer, code, ids, cols, kind, objective, tables, beyond or {})


def _lesson_objectives(lessons: Path) -> dict[str, list[str]]:
    from course.selfcheck.bank import objectives_of

    return {nb.name[:2]: objectives_of(nb) for nb in sorted(lessons.glob("[0-9][0-9]_*.ipynb"))}


def _resolve(lesson: str, start: str, objectives: dict[str, list[str]]) -> str:
    """ "NN: the objective in full" that ``start`` begins, or "" (course.objectives checks the tags)."""
    full = [o for o in objectives.get(lesson, []) if start and o.startswith(start.strip())]
    return f"{lesson}: {full[0]}" if len(full) == 1 else ""


# ------------------------------------------------------------------ gathering
def bank_items(lessons: Path = LESSONS) -> list[Item]:
    out = []
    objectives = _lesson_objectives(lessons)
    for path in sorted((lessons / "questions").glob("*.toml")):
        for q in tomllib.loads(path.read_text(encoding="utf-8")).get("question", []):
            prompt = [q.get("prompt", "")]
            prompt += [o.get("text", "") for o in q.get("option", [])]
            prompt += q.get("items", []) + q.get("left", []) + q.get("right", [])
            answer = [decode(q[k]) for k in ("reveal", "explanation", "model_answer") if q.get(k)]
            hints = " ".join(q.get("hints", []))
            objective = _resolve(path.stem, q.get("objective", ""), objectives)
            out.append(
                _item(
                    q["id"],
                    "bank",
                    "\n".join(prompt),
                    "\n".join(answer),
                    hints,
                    kind=q["kind"],
                    objective=objective,
                )
            )
    return out


def _solution(src: str) -> str:
    """The reference solution inside a master cell (all of the cell when it has no markers)."""
    parts = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", src, flags=re.S)
    return "\n".join(textwrap.dedent(p) for p in parts) if parts else src


def ps_items(source: Path = SOURCE) -> list[Item]:
    out = []
    objectives = _lesson_objectives(LESSONS)
    for path in sorted(source.glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text, answers, tags, beyond = "", {}, {}, {}
        for cell in nb.cells:
            gid = (cell.metadata.get("nbgrader") or {}).get("grade_id", "")
            question = gid.rsplit("_", 1)[0]
            course = cell.metadata.get("course") or {}
            if course.get("objective"):
                tags.setdefault(question, course["objective"])
            beyond.setdefault(question, {}).update(course.get("beyond") or {})
            if gid.endswith("_text"):
                text = cell.source
            elif gid.endswith("_answer") and cell.cell_type == "code":
                answers[question] = (text, cell.source)
        for question, (text, src) in answers.items():
            lesson, _, start = tags.get(question, "").partition(":")
            out.append(
                _item(
                    f"{path.parent.name}/{question}",
                    "ps",
                    text,
                    _value_of(_solution(src)),
                    src,
                    kind="code",
                    objective=_resolve(lesson.strip(), start, objectives),
                    beyond=beyond.get(question),
                )
            )
    return out


def example_items(lessons: Path = LESSONS) -> list[Item]:
    """Each lesson code cell that works on the course data, with the markdown cell before it."""
    out = []
    for path in sorted(lessons.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        before = ""
        for n, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":
                before = cell.source
            elif "ask(" not in cell.source and not cell.source.lstrip().startswith(("import", "from")):
                out.append(_item(f"lesson {path.name[:2]} cell {n}", "example", before, "", cell.source))
    return out


def all_items() -> list[Item]:
    return bank_items() + ps_items() + example_items()


# ------------------------------------------------------------------ comparing
def _value_of(code: str) -> str:
    """A literal answer a solution assigns (``x = "1992-02-19"``), or "" when it computes one."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return ""
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            return str(node.value.value)
    return ""


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


#: pandas operations that say what a piece of code does with the data.
_OPS = {
    "groupby",
    "size",
    "count",
    "value_counts",
    "sum",
    "mean",
    "isna",
    "notna",
    "days",
    "diff",
    "isin",
    "split",
    "contains",
    "lower",
}


def _code_tokens(code: str) -> set[str]:
    """What a piece of code does with the data: the dataset columns, ids and values it names as
    string literals, and the pandas operations of :data:`_OPS` it calls (generic columns left out)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in VALUES:
            out.add(node.value)
        elif isinstance(node, ast.Attribute) and node.attr in _OPS:
            out.add(node.attr)
    return out - _GENERIC_COLS


def _quotes(text: str) -> set[str]:
    """The quotations of four words or more in a text (what an essay says, put in quotation marks)."""
    found = re.findall(r'"([^"]+?)"|“([^”]+?)”|(?:^|(?<=[\s(]))[\'‘]([^\'’]+?)[\'’](?![a-z])', text)
    found = [next(g for g in groups if g) for groups in found]
    return {_norm(q) for q in found if len(_norm(q).split()) >= 4}


#: States and their other names in the course's texts, for claims about who recognised whom.
_STATES = {
    "DPRK": ("north korea", "dprk", "pyongyang"),
    "ROK": ("south korea", "rok", "seoul"),
    "US": ("united states", "washington", "us"),
    "Japan": ("japan", "tokyo"),
    "China": ("china", "beijing", "prc"),
    "Taiwan": ("taiwan", "taipei", "republic of china"),
    "USSR": ("soviet union", "ussr", "moscow", "russia"),
}
_NO_TIES = re.compile(
    r"\b(no|not|never|neither|nor)\b[^.;:]*\b(diplomatic (relations|ties)|relations|recogni[sz]e)", re.I
)


def _no_ties_claims(text: str) -> set[frozenset]:
    """The sets of states that a sentence of ``text`` says had no relations (or did not recognise)."""
    out = set()
    for sentence in re.split(r"(?<=[.;:])\s+", text):
        if not _NO_TIES.search(sentence):
            continue
        low = sentence.lower()
        states = frozenset(
            s for s, names in _STATES.items() if any(re.search(rf"\b{re.escape(n)}\b", low) for n in names)
        )
        if len(states) >= 2:
            out.add(states)
    return out


def _follows(q: Item, example: Item) -> bool:
    """Whether the problem set of ``q`` comes after the lesson of ``example`` (its intro says
    "*Follows lessons 01–02.*" or "*Follows lesson 09 and 10.*"); a later lesson's example cannot be redone."""
    nb = nbformat.read(SOURCE / q.key.split("/")[0] / f"{q.key.split('/')[0]}.ipynb", as_version=4)
    m = re.search(r"Follows lessons? ([0-9, –and-]+)", nb.cells[0].source)
    last = max(int(n) for n in re.findall(r"\d+", m.group(1))) if m else 99
    return int(example.key.split()[1]) <= last


def _lesson(item: Item) -> str:
    """A self-check's lesson ("09"), or the problem set a question belongs to ("ps4")."""
    return item.key[1:3] if item.place == "bank" else item.key.split("/")[0]


def reason(a: Item, b: Item) -> str:
    """Why ``a`` and ``b`` ask the same thing, or "" when they do not."""
    if a.key == b.key or "example" == a.place == b.place:
        return ""
    if "example" in (a.place, b.place):
        # a worked example is repeated by a problem set question that redoes its code
        q, ex = (a, b) if b.place == "example" else (b, a)
        if q.place != "ps" or not _follows(q, ex):
            return ""
        mine, theirs = _code_tokens(q.code), _code_tokens(ex.code)
        if len(mine) >= 2 and mine & theirs & COLS and len(mine & theirs) / len(mine) >= SAME_CODE:
            return f"redoes the worked example's code ({', '.join(sorted(mine & theirs))})"
        return ""
    if _norm(a.prompt) and _norm(a.prompt) == _norm(b.prompt):
        return "the same prompt"
    if a.answer.strip() and _norm(a.answer) == _norm(b.answer) and a.inputs & b.inputs:
        return f"the same answer on the same data ({', '.join(sorted(a.inputs & b.inputs))})"
    rows = a.inputs & b.inputs
    cols = (a.cols & b.cols) - _GENERIC_COLS
    if rows and cols and len(a.inputs) <= 2 and len(b.inputs) <= 2:
        return f"the same data asked about ({', '.join(sorted(rows))}: {', '.join(sorted(cols))})"
    quoted = sorted(
        x if len(x) < len(y) else y for x in _quotes(a.prompt) for y in _quotes(b.prompt) if x in y or y in x
    )
    if quoted and _lesson(a) != _lesson(b):
        return f"the same quotation put to the learner ('{quoted[0]}')"
    definite = [it for it in (a, b) if it.kind != "written"]
    if len(definite) == 2:
        claims = [
            x & y for x in _no_ties_claims(a.answer) for y in _no_ties_claims(b.answer) if len(x & y) >= 3
        ]
        if claims:
            return f"the same answer: no relations between {', '.join(sorted(claims[0]))}"
    if {a.place, b.place} == {"bank", "ps"}:
        q, check = (a, b) if a.place == "ps" else (b, a)
        if (
            check.kind != "written"
            and q.objective
            and q.objective == check.objective
            and q.tables & check.tables
            and check.key not in q.beyond
        ):
            shared = ", ".join(sorted(q.tables & check.tables))
            return (
                f"the same objective ({q.objective[:40]}…) on the same table ({shared}), "
                "and the question does not say what it adds (metadata course.beyond)"
            )
    return ""


def repeats(items: list[Item] | None = None) -> list[tuple[str, str, str]]:
    """Every pair of items that ask the same thing, as (key, key, reason)."""
    items = all_items() if items is None else items
    found = []
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            why = reason(a, b)
            if why:
                found.append((a.key, b.key, why))
    return found


if __name__ == "__main__":
    for a, b, why in repeats():
        print(f"{a}  |  {b}  |  {why}")

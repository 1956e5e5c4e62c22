"""The instructor's answer key, made from the question banks.

The banks hide their answers from a glance (hashes and base64). An
instructor needs them in plain text: ``course selfcheck key`` decodes each
question's revealable answer, its explanation and, for a written question,
its model answer, and names the right option(s) of a choice question by
testing each option against the stored hash. The key is made from the
banks every time, so it cannot drift from what the lessons ask.
"""

from __future__ import annotations

import re
from pathlib import Path

from .bank import load_bank
from .hashing import decode, hash_answer
from .questions import option_mark

__all__ = ["right_options", "lesson_key", "answer_key"]


def right_options(qid: str, entry: dict) -> list[str]:
    """The options of a choice question that its stored hashes mark right."""
    options = [o["text"] for o in entry.get("option", [])]
    if entry.get("multiple"):
        return [
            o["text"] for o in entry.get("option", []) if o.get("mark") == option_mark(qid, o["text"], True)
        ]
    return [t for t in options if hash_answer(qid, t) == entry.get("answer")]


def _decoded(entry: dict, field: str) -> str:
    blob = entry.get(field)
    return decode(blob).strip() if isinstance(blob, str) and blob else ""


def lesson_key(bank_file: Path) -> str:
    """Markdown: every question of one bank with its answer in plain text."""
    bank = load_bank(bank_file)
    lines = [f"## Lesson {bank.lesson}", ""]
    for qid, q in bank.entries.items():
        kind = q.get("kind", "?")
        lines += [f"### `{qid}` ({kind})", "", f"**Question.** {q.get('prompt', '').strip()}", ""]
        if kind == "choice":
            right = right_options(qid, q)
            shown = "; ".join(right) if right else "(no option matches the stored answer: check the bank)"
            lines += [f"**Right option{'s' if len(right) != 1 else ''}.** {shown}", ""]
        for field, label in (("reveal", "Answer"), ("model_answer", "Model answer")):
            text = _decoded(q, field)
            if text:
                lines += [f"**{label}.** {text}", ""]
        explanation = _decoded(q, "explanation")
        if explanation:
            lines += [f"**Why.** {explanation}", ""]
    return "\n".join(lines)


def answer_key(lessons_dir: Path, lessons: list[str] | None = None) -> str:
    """The key for the given lessons (default: every bank in ``lessons_dir/questions``)."""
    banks = sorted(Path(lessons_dir, "questions").glob("*.toml"))
    if lessons:
        bad = [n for n in lessons if not re.fullmatch(r"\d{1,2}", str(n).strip())]
        if bad:
            raise ValueError(
                f"not a lesson number: {', '.join(map(repr, bad))}; give lesson numbers such as 5 or 05"
            )
        want = {f"{int(n):02d}" for n in lessons}
        banks = [b for b in banks if b.stem in want]
        missing = want - {b.stem for b in banks}
        if missing:
            raise FileNotFoundError(
                f"no question bank for lesson(s) {', '.join(sorted(missing))} in {lessons_dir}/questions"
            )
    if not banks:
        raise FileNotFoundError(f"no question banks in {lessons_dir}/questions")
    head = [
        "# Answer key to the lessons' self-checks",
        "",
        "Made by `course selfcheck key` from `lessons/questions/*.toml`; do not edit by hand.",
        "",
    ]
    body = [lesson_key(b) for b in banks if re.fullmatch(r"\d\d", b.stem)]
    return "\n".join(head + body)

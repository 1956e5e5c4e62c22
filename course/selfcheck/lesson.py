"""``ask(qid)``: a lesson's question from its bank, with its saved state; ``progress()``: what is done."""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass
from pathlib import Path

from . import state as _progress
from .bank import bank_path, lesson_of, load_bank
from .paths import current_lesson, lessons_dir

__all__ = ["ask", "progress", "Progress", "asked"]

_ASKED: dict[str, object] = {}


def asked(qid: str):
    """The question object last asked in this kernel, or None."""
    return _ASKED.get(qid)


def ask(qid: str, *, namespace: dict | None = None, store: _progress.ProgressStore | None = None):
    """The question ``qid`` from its lesson's bank (``lessons/questions/NN.toml``).

    It shows as its form in a notebook, keeps the pure ``check(value)`` API,
    takes up the state saved earlier (attempts, solved, revealed), and saves
    every change. Code questions evaluate their test arguments in the
    notebook's namespace (``namespace``, by default the caller's).
    """
    if namespace is None:
        try:
            from IPython import get_ipython

            ip = get_ipython()
            namespace = ip.user_ns if ip is not None else None
        except ImportError:  # pragma: no cover
            namespace = None
        if namespace is None:
            namespace = sys._getframe(1).f_globals
    bank = load_bank(bank_path(lesson_of(qid)))
    q = bank.question(qid, namespace)
    s = store or _progress.store()
    q.restore(s.get(qid))
    q.subscribe(lambda question: s.record(question.qid, question.state()))
    _ASKED[qid] = q
    return q


def status_of(state: dict) -> str:
    if state.get("solved"):
        return "solved"
    if state.get("revealed"):
        return "revealed"
    if state.get("skipped"):
        return "skipped"
    if state.get("attempts"):
        return "tried"
    return "not yet"


_MARKS = {
    "solved": "✓ solved",
    "revealed": "◐ revealed",
    "skipped": "↷ skipped",
    "tried": "… tried",
    "not yet": "○ not yet",
}


@dataclass
class Progress:
    """The saved state of the checks in one lesson or the whole course (no server needed)."""

    rows: list[tuple[str, str, str, str, int]]  # lesson, qid, prompt, status, attempts
    where: str

    def counts(self, lesson: str | None = None) -> dict[str, int]:
        out = {k: 0 for k in _MARKS}
        for les, _, _, status, _ in self.rows:
            if lesson is None or les == lesson:
                out[status] += 1
        return out

    def __str__(self) -> str:
        lines = []
        for les in dict.fromkeys(r[0] for r in self.rows):
            c = self.counts(les)
            lines.append(
                f"Lesson {les}: {c['solved']} solved, {c['revealed']} revealed, {c['skipped']} skipped, "
                f"{c['tried']} tried, {c['not yet']} not yet"
            )
            for _, qid, prompt, status, attempts in (r for r in self.rows if r[0] == les):
                short = prompt if len(prompt) < 70 else prompt[:67] + "..."
                lines.append(
                    f"  {_MARKS[status]:<11} {qid}: {short}" + (f" ({attempts} attempts)" if attempts else "")
                )
        lines.append(f"(Saved in {self.where})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        parts = ['<div class="course-progress">']
        for les in dict.fromkeys(r[0] for r in self.rows):
            c = self.counts(les)
            parts.append(
                f"<h4>Lesson {les}: {c['solved']} solved, {c['revealed']} revealed, {c['skipped']} skipped, "
                f"{c['not yet'] + c['tried']} to do</h4>"
            )
            parts.append(
                '<table><thead><tr><th scope="col">Status</th><th scope="col">Check</th>'
                '<th scope="col">Question</th><th scope="col">Attempts</th></tr></thead><tbody>'
            )
            for _, qid, prompt, status, attempts in (r for r in self.rows if r[0] == les):
                parts.append(
                    f"<tr><td>{html.escape(_MARKS[status])}</td><td>{html.escape(qid)}</td>"
                    f"<td>{html.escape(prompt)}</td><td>{attempts}</td></tr>"
                )
            parts.append("</tbody></table>")
        parts.append(f"<p><small>Saved in {html.escape(self.where)}</small></p></div>")
        return "".join(parts)


def progress(lesson: str | None = None, *, course: bool | None = None, store=None) -> Progress:
    """Which checks are solved, revealed or skipped: in this lesson, or (from lesson 00, or ``course=True``) all."""
    lesson = lesson or current_lesson()
    if course is None:
        course = lesson in (None, "00")
    s = store or _progress.store()
    states = s.all()
    d = lessons_dir()
    banks = sorted((Path(d) / "questions").glob("*.toml")) if d else []
    rows = []
    for b in banks:
        if not course and b.stem != lesson:
            continue
        bank = load_bank(b)
        for qid, entry in bank.entries.items():
            st = states.get(qid, {})
            rows.append(
                (bank.lesson, qid, entry.get("prompt", ""), status_of(st), int(st.get("attempts", 0) or 0))
            )
    where = str(s.path) if s.path else "memory only (this session)"
    return Progress(rows, where)

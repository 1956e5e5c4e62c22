"""Feedback: what a learner sees after checking an answer."""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Feedback:
    correct: bool
    message: str

    def __bool__(self) -> bool:  # ``assert q.check(x)`` reads naturally
        return self.correct

    def html(self, attempt: int | None = None) -> str:
        colour = "#1b7837" if self.correct else "#b2182b"
        mark = "✓" if self.correct else "✗"
        body = html.escape(self.message).replace("\n", "<br>")
        stamp = f' data-attempt="{attempt}"' if attempt is not None else ""
        return (
            f'<div class="course-check-feedback" role="status"{stamp} style="color:{colour}">'
            f"<b>{mark}</b> {body}</div>"
        )

    def __str__(self) -> str:
        return ("✓ " if self.correct else "✗ ") + self.message

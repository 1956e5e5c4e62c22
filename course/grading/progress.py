"""A text progress bar (no dependency): redrawn in place on a terminal, one line per step otherwise."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, stream=None, width: int = 28):
        self.total = max(total, 0)
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.done = 0
        self.started = time.monotonic()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def bar(self) -> str:
        filled = self.width if not self.total else int(self.width * self.done / self.total)
        return "[" + "#" * filled + "-" * (self.width - filled) + "]"

    def step(self, note: str = "") -> None:
        self.done += 1
        elapsed = time.monotonic() - self.started
        line = f"{self.label} {self.bar()} {self.done}/{self.total} {elapsed:5.1f}s  {note}"
        if self.tty:
            self.stream.write("\r\x1b[2K" + line[:200])
            if self.done >= self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

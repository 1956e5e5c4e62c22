"""Written answers live in the notebook itself, in a markdown *answer cell*.

The cell below a written question starts with a marker line::

    **Your answer** <!-- answer:l01-scaffolding -->

and the learner writes under it. Because it is an ordinary notebook cell, the
answer is kept when the notebook is saved, reopened, or downloaded and opened
elsewhere, and a kernel restart cannot lose it. The form reads the **saved**
notebook from disk (the kernel cannot see unsaved edits), so it asks the
learner to save first when the cell is empty on disk.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["MARKER", "PLACEHOLDER", "answer_cell_source", "saved_answer", "answer_cells"]

MARKER = re.compile(r"<!--\s*answer:\s*([a-z0-9][a-z0-9._-]*)\s*-->")
PLACEHOLDER = (
    "*Double-click this cell to write your answer below this line, then save the notebook (Ctrl+S).*"
)


def answer_cell_source(qid: str) -> str:
    """The source of a fresh answer cell for question ``qid``."""
    return f"**Your answer** <!-- answer:{qid} -->\n\n{PLACEHOLDER}\n"


def _cells(nb_path: Path) -> list[dict]:
    data = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    return data.get("cells", [])


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def answer_cells(nb_path: Path) -> dict[str, list[int]]:
    """Question id -> indexes of the markdown cells that hold its answer."""
    found: dict[str, list[int]] = {}
    for i, cell in enumerate(_cells(nb_path)):
        if cell.get("cell_type") == "markdown":
            m = MARKER.search(_source(cell))
            if m:
                found.setdefault(m.group(1), []).append(i)
    return found


def strip_answer(source: str) -> str:
    """The learner's text: the cell without its marker line and the placeholder."""
    lines = []
    for line in source.splitlines():
        if MARKER.search(line) or line.strip() == PLACEHOLDER.strip():
            continue
        lines.append(line)
    return "\n".join(lines).strip()


def saved_answer(qid: str, nb_path: Path) -> str | None:
    """The answer to ``qid`` in the saved notebook: its text ("" when empty), or None without an answer cell."""
    for cell in _cells(nb_path):
        if cell.get("cell_type") == "markdown":
            src = _source(cell)
            m = MARKER.search(src)
            if m and m.group(1) == qid:
                return strip_answer(src)
    return None

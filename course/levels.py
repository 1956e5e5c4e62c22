"""The cognitive level of each lesson's checks and tasks, and the share that asks for reasoning.

Issue 17 asks that in each lesson at least half the checks and tasks be at the
analysis or evaluation level. Each item carries one of :data:`LEVELS` (after
Anderson and Krathwohl's revision of Bloom's taxonomy, 2001), chosen by what
the item asks the learner to *do*:

* ``recall``: look up or remember a fact, a date, an order of events;
* ``apply``: run a given computation or procedure (date arithmetic, a count, a formula);
* ``analyse``: compare, explain why, find what a measure leaves out, predict and explain;
* ``evaluate``: judge and defend, weigh evidence for a claim, draft and defend.

Where the level is kept:

* a self-check (an ``ask("...")`` call, including a written question and its answer
  cell): the ``level`` field of its bank entry in ``lessons/questions/NN.toml``,
  checked by :mod:`course.selfcheck.bank`;
* a task cell that is not a self-check (a code cell :mod:`course.lessontime` counts
  as a code or widget task): its cell metadata ``course.level``; a task cell
  that is the working space of a self-check (the cell where the learner computes
  a bank question's answer, or the explorable a question is answered from) names
  that question in ``course.check`` instead, and is counted once, through the bank.

``python -m course.levels [--write]`` prints the per-lesson table, or writes it into
``lessons/README.md`` between :data:`START` and :data:`END`.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from course.lessontime import _WIDGET, CODE_TASK, _source
from course.selfcheck.bank import LEVELS, REASONING, load_bank

__all__ = ["LEVELS", "REASONING", "MIN_SHARE", "LevelError", "Item", "lesson_items", "shares", "main"]

#: The smallest share of a lesson's checks and tasks at analyse or evaluate (issue 17).
MIN_SHARE = 0.5

START = "<!-- levels:start (written by python -m course.levels --write; do not edit) -->"
END = "<!-- levels:end -->"


class LevelError(ValueError):
    """A task cell without a level, or with a level or check that is not allowed."""


@dataclass(frozen=True)
class Item:
    name: str  # a bank id, or "NN_name.ipynb cell <id>"
    kind: str  # the bank kind, or "code task" / "widget task"
    level: str


def task_cells(nb_path: Path) -> list[tuple[int, dict, str]]:
    """The cells :mod:`course.lessontime` counts as code or widget tasks: (index, cell, kind)."""
    cells = json.loads(Path(nb_path).read_text(encoding="utf-8"))["cells"]
    out = []
    for i, c in enumerate(cells):
        if c.get("cell_type") != "code":
            continue
        src = _source(c)
        if _WIDGET.search(src):
            out.append((i, c, "widget task"))
        elif any(CODE_TASK.search(line) for line in src.splitlines()):
            out.append((i, c, "code task"))
    return out


def lesson_items(nb_path: Path, bank_file: Path | None) -> list[Item]:
    """Every check and task of one lesson with its level; a task cell without one is a LevelError."""
    nb_path = Path(nb_path)
    items: list[Item] = []
    ids: set[str] = set()
    if bank_file is not None and Path(bank_file).exists():
        bank = load_bank(bank_file)  # a missing or unknown level is a BankError naming file, id, values
        for qid, q in bank.entries.items():
            items.append(Item(qid, q.get("kind", ""), q["level"]))
            ids.add(qid)
    for i, cell, kind in task_cells(nb_path):
        meta = (cell.get("metadata") or {}).get("course") or {}
        where = f"{nb_path.name}: cell {i + 1} (id {cell.get('id', '?')!r}, a {kind})"
        level, check = meta.get("level"), meta.get("check")
        if (level is None) == (check is None):
            raise LevelError(
                f"{where}: give exactly one of metadata course.level (one of {', '.join(LEVELS)}) "
                "or course.check (the id of the self-check the cell is the working space of)"
            )
        if check is not None:
            if check not in ids:
                raise LevelError(f"{where}: course.check names {check!r}, which is not in the lesson's bank")
            continue
        if level not in LEVELS:
            raise LevelError(f"{where}: course.level is {level!r}; allowed: {', '.join(LEVELS)}")
        items.append(Item(f"{nb_path.name} cell {cell.get('id', i + 1)}", kind, level))
    return items


def lessons_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "lessons"


def shares(folder: Path | None = None) -> dict[str, list[Item]]:
    """Lesson notebook name -> its items with levels."""
    folder = Path(folder) if folder else lessons_dir()
    out = {}
    for nb in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        out[nb.name] = lesson_items(nb, folder / "questions" / f"{nb.name[:2]}.toml")
    return out


def share(items: list[Item]) -> float:
    return sum(i.level in REASONING for i in items) / len(items) if items else 0.0


def table(by_lesson: dict[str, list[Item]]) -> str:
    rows = [
        "| lesson | recall | apply | analyse | evaluate | analyse + evaluate | share | at least half? |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, items in by_lesson.items():
        n = {lv: sum(i.level == lv for i in items) for lv in LEVELS}
        hi = n["analyse"] + n["evaluate"]
        rows.append(
            f"| `{name}` | {n['recall']} | {n['apply']} | {n['analyse']} | {n['evaluate']} "
            f"| {hi} of {len(items)} | {share(items):.0%} | {'yes' if share(items) >= MIN_SHARE else '**no**'} |"
        )
    return "\n".join(rows)


def readme_with_table(readme: str, by_lesson: dict[str, list[Item]]) -> str:
    if START not in readme or END not in readme:
        raise ValueError(f"lessons/README.md has no {START} … {END} block for the levels table")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table(by_lesson)}\n{END}{tail}"


def main(argv=None) -> int:
    """``python -m course.levels [--write]``: the share of checks and tasks at analyse/evaluate per lesson."""
    p = argparse.ArgumentParser(prog="python -m course.levels", description=main.__doc__)
    p.add_argument("--write", action="store_true", help="update the table in lessons/README.md")
    args = p.parse_args(argv)
    try:
        by_lesson = shares()
        if args.write:
            readme = lessons_dir() / "README.md"
            readme.write_text(
                readme_with_table(readme.read_text(encoding="utf-8"), by_lesson), encoding="utf-8"
            )
            print(f"updated {readme}")
        else:
            print(table(by_lesson))
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

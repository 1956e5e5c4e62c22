"""Learning objectives and what assesses them.

Each lesson states its objectives as the bullets under *Objectives* in its
first cell. Two kinds of item assess them:

* the lesson's self-checks, whose bank entry names an objective by its start
  (``objective = "compute, with a short pandas function"``);
* the problem sets' graded cells, whose cell metadata names a lesson and an
  objective the same way: ``metadata["course"]["objective"] = "04: compute, with a
  short pandas function"``.

:func:`objective_map` joins them, so that ``lessons/README.md`` can show, for
each objective, the items that assess it, and a test can name an objective that
nothing assesses or an item whose objective no lesson states.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from course.selfcheck.bank import load_bank, objectives_of

__all__ = ["Item", "Objective", "ObjectiveMap", "objective_map", "markdown_table"]


@dataclass(frozen=True)
class Item:
    """One assessed item: a self-check (``l04-...``) or a graded cell (``ps2/q1``)."""

    name: str
    lesson: str
    objective: str  # the start of an objective, as the item names it


@dataclass
class Objective:
    lesson: str
    text: str
    items: list[Item] = field(default_factory=list)


@dataclass
class ObjectiveMap:
    objectives: list[Objective]
    orphans: list[tuple[Item, str]]  # an item and why it names no single objective

    def unassessed(self) -> list[Objective]:
        return [o for o in self.objectives if not o.items]


def _bank_items(lessons: Path) -> list[Item]:
    """The self-checks of every bank, read by :func:`course.selfcheck.bank.load_bank` (so a malformed
    bank is a BankError naming its file and field)."""
    items = []
    for path in sorted((lessons / "questions").glob("[0-9][0-9].toml")):
        bank = load_bank(path)
        for qid, q in bank.entries.items():
            objective = q.get("objective", "")
            items.append(Item(qid, bank.lesson, objective if isinstance(objective, str) else ""))
    return items


def graded_cell_items(source: Path, lessons: Path | None = None) -> tuple[list[Item], list[tuple[Item, str]]]:
    """The graded cells of every master in ``source/<ps>/*.ipynb`` with the objective each names,
    read by :mod:`course.grading.objectives`; a cell whose tag is missing or does not resolve is an
    orphan (that cell alone: the master's other cells keep their rows)."""
    from course.grading.objectives import Resolver, tagged_cells

    resolver = Resolver(lessons)
    items, orphans = [], []
    for nb in sorted(Path(source).glob("*/*.ipynb")):
        good, bad = tagged_cells(nb, resolver)
        items += [Item(f"{nb.parent.name}/{gid}", o.lesson, o.text) for gid, o in good.items()]
        orphans += [(Item(f"{nb.parent.name}/{gid}", "", ""), str(e)) for gid, e in bad.items()]
    return items, orphans


def objective_map(lessons: Path, source: Path | None = None) -> ObjectiveMap:
    """Every lesson objective with the self-checks and graded cells that assess it.

    An item's objective is resolved the one way problem sets' tags are
    (:class:`course.grading.objectives.Resolver`): its start must begin exactly one of its lesson's bullets.
    """
    from course.grading.objectives import ObjectiveError, Resolver

    objectives: list[Objective] = []
    for nb in sorted(Path(lessons).glob("[0-9][0-9]_*.ipynb")):
        objectives += [Objective(nb.name[:2], text) for text in objectives_of(nb)]
    by_text = {}
    for o in objectives:
        by_text.setdefault((o.lesson, o.text), o)
    items, orphans = _bank_items(Path(lessons)), []
    if source:
        cells, orphans = graded_cell_items(Path(source), Path(lessons))
        items += cells
    resolver = Resolver(Path(lessons))
    for item in items:
        if not item.objective:
            orphans.append((item, "names no objective"))
            continue
        try:
            hit = resolver.resolve(f"{item.lesson}: {item.objective}")
        except ObjectiveError as e:
            orphans.append((item, str(e)))
            continue
        by_text[(hit.lesson, hit.text)].items.append(item)
    return ObjectiveMap(objectives, orphans)


def markdown_table(m: ObjectiveMap) -> str:
    """The objective table of ``lessons/README.md``."""
    rows = ["| Lesson | Objective | Assessed by |", "|---|---|---|"]
    for o in m.objectives:
        by = ", ".join(f"`{i.name}`" for i in o.items) or "**nothing yet**"
        rows.append(f"| {o.lesson} | {o.text.rstrip(';.')} | {by} |")
    return "\n".join(rows)


START, END = "<!-- objectives:start -->", "<!-- objectives:end -->"


def readme_with_table(readme: str, m: ObjectiveMap) -> str:
    """``readme`` with the text between the objective-table markers replaced by the current table."""
    if START not in readme or END not in readme:
        raise ValueError(f"lessons/README.md has no {START} … {END} block for the objective table")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{markdown_table(m)}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """``python -m course.objectives [--write]``: print the table, or write it into lessons/README.md."""
    import argparse

    root = Path(__file__).resolve().parents[1]
    p = argparse.ArgumentParser(prog="python -m course.objectives", description=main.__doc__)
    p.add_argument("--write", action="store_true", help="update the table in lessons/README.md")
    args = p.parse_args(argv)
    try:
        m = objective_map(root / "lessons", root / "assignments" / "source")
        if args.write:
            readme = root / "lessons" / "README.md"
            readme.write_text(readme_with_table(readme.read_text(encoding="utf-8"), m), encoding="utf-8")
            print(f"updated {readme}")
        else:
            print(markdown_table(m))
    except (OSError, ValueError) as e:  # a malformed bank or lesson, a README without the markers
        print(f"error: {e}", file=sys.stderr)
        return 2
    # an item that names no single objective is in no row of the table: say so, not leave it out silently
    for item, why in m.orphans:
        print(f"warning: {item.name} is in no row of the table: {why}", file=sys.stderr)
    return 1 if m.orphans else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How long a lesson takes, estimated from what is in the notebook.

The estimate adds up what a learner does, each counted from the notebook's
cells by a rule a test can recompute:

=====================  ===================================================  ==============
part                   how it is counted                                    allowance
=====================  ===================================================  ==============
reading                words in the markdown cells (links' addresses,       150 words a
                       HTML tags and markdown markup left out; a hyphenated minute
                       word or a number is one word)
self-check             each ``ask(...)`` call in a code cell                2 min
widget task            each code cell that builds an explorable             5 min
                       (:data:`WIDGETS`: ``TimelineExplorer(``, ...)
code task              each code cell the learner is asked to edit: a       5 min
                       comment that asks for *your* code, computation,
                       working or formula, or to replace a line or fill in
                       (:data:`CODE_TASK`)
running a cell         every other code cell: run it, read its output       0.5 min
=====================  ===================================================  ==============

Why 150 words a minute: adults read English non-fiction silently at about
240 words a minute on average (Brysbaert 2019, *Journal of Memory and
Language* 109), but that is reading to understand a passage once. Reading to
learn and remember is slower: Carver (1992, *Journal of Reading* 36) puts
his "learning" gear near 200 and his "memorising" gear near 140 words a
minute. These lessons are dense with names, dates and quoted wording, and
many learners read them in a second language, so 150 is near the slow end.

The allowances are stated guesses, not measurements: a self-check is read,
thought about, answered and its feedback read; a widget task is a question
answered by exploring; a code task is a short piece of pandas or a small
function, with a failed try or two. Change them here and the README's table
(``python -m course.lessontime --write``) and its test follow.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "WORDS_PER_MINUTE",
    "MINUTES_PER_CHECK",
    "MINUTES_PER_WIDGET_TASK",
    "MINUTES_PER_CODE_TASK",
    "MINUTES_PER_CELL",
    "MAX_MINUTES",
    "WIDGETS",
    "LessonTime",
    "count_words",
    "estimate",
    "estimate_all",
    "time_table",
    "readme_section",
    "update_readme",
    "main",
]

WORDS_PER_MINUTE = 150
MINUTES_PER_CHECK = 2.0
MINUTES_PER_WIDGET_TASK = 5.0
MINUTES_PER_CODE_TASK = 5.0
MINUTES_PER_CELL = 0.5
#: No lesson should take longer (issue 17): one sitting, with room for a break in a 50-minute session.
MAX_MINUTES = 45

#: The explorables a lesson's cell can build; each cell that builds one is a widget task.
WIDGETS = ("TimelineExplorer", "TrustLab", "Scorecard", "HumanitarianClock")
_WIDGET = re.compile(r"\b(?:" + "|".join(WIDGETS) + r")\(")
_ASK = re.compile(r"(?<![\w.])ask\(")
#: A comment asking the learner to write or edit the cell.
CODE_TASK = re.compile(
    r"#.*\b(?:your\s+(?:code|computation|working|formula)|replace\b.*\bwith\s+your|fill\s+in)\b",
    re.IGNORECASE,
)

_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W_]+(?:['’\-–.,][^\W_]+)*")

START = "<!-- lesson-time:start (written by python -m course.lessontime --write; do not edit) -->"
END = "<!-- lesson-time:end -->"
HEADING = "## Time per lesson"


@dataclass(frozen=True)
class LessonTime:
    """One lesson's counts and the minutes they add up to."""

    lesson: str  # the notebook's file name
    words: int
    checks: int
    widget_tasks: int
    code_tasks: int
    other_cells: int

    @property
    def reading_minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE

    @property
    def minutes(self) -> int:
        """The whole estimate, rounded up to a minute."""
        total = (
            self.reading_minutes
            + self.checks * MINUTES_PER_CHECK
            + self.widget_tasks * MINUTES_PER_WIDGET_TASK
            + self.code_tasks * MINUTES_PER_CODE_TASK
            + self.other_cells * MINUTES_PER_CELL
        )
        return math.ceil(round(total, 6))

    @property
    def over(self) -> bool:
        return self.minutes > MAX_MINUTES


def count_words(markdown: str) -> int:
    """Words a reader reads in a markdown text (link addresses, tags and markup not counted)."""
    text = _LINK_TARGET.sub("]", markdown)
    text = _URL.sub(" ", text)
    text = _TAG.sub(" ", text)
    return len(_WORD.findall(text))


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def estimate(path) -> LessonTime:
    """Count one notebook's words, checks, widget tasks, code tasks and other code cells."""
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{path}: not a readable notebook ({e})") from e
    words = checks = widgets = code_tasks = other = 0
    for cell in cells:
        src = _source(cell)
        if cell.get("cell_type") == "markdown":
            words += count_words(src)
        elif cell.get("cell_type") == "code":
            if not src.strip():
                continue
            n_checks = len(_ASK.findall(src))
            is_widget = bool(_WIDGET.search(src))
            is_task = any(CODE_TASK.search(line) for line in src.splitlines())
            checks += n_checks
            widgets += is_widget
            code_tasks += is_task
            other += not (n_checks or is_widget or is_task)
    return LessonTime(path.name, words, checks, widgets, code_tasks, other)


def lessons_dir() -> Path:
    """The course's lessons folder (the repository's ``lessons/``, or the installed copy)."""
    from .resources import lessons_dir as found

    return found()


def estimate_all(folder=None) -> list[LessonTime]:
    """Every lesson in ``folder`` (default: the course's ``lessons/``), in teaching order."""
    folder = Path(folder) if folder is not None else lessons_dir()
    paths = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise ValueError(f"no lessons (NN_name.ipynb) in {folder}")
    return [estimate(p) for p in paths]


def time_table(times: list[LessonTime]) -> str:
    """The markdown table of the estimates."""
    rows = [
        "| lesson | words | reading (min) | self-checks | widget tasks | code tasks | other code cells "
        "| estimate (min) | over 45? |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for t in times:
        rows.append(
            f"| `{t.lesson}` | {t.words} | {t.reading_minutes:.1f} | {t.checks} | {t.widget_tasks} "
            f"| {t.code_tasks} | {t.other_cells} | {t.minutes} | {'**yes**' if t.over else 'no'} |"
        )
    return "\n".join(rows)


def readme_section(times: list[LessonTime]) -> str:
    """The generated part of the README's "Time per lesson" section (between its markers)."""
    method = (
        f"Estimate = words in the markdown cells at {WORDS_PER_MINUTE} words a minute"
        f" + {MINUTES_PER_CHECK:g} min per self-check (`ask(...)` call)"
        f" + {MINUTES_PER_WIDGET_TASK:g} min per widget task (a cell that builds "
        + ", ".join(f"`{w}`" for w in WIDGETS)
        + f") + {MINUTES_PER_CODE_TASK:g} min per code task (a cell whose comment asks for your code,"
        " computation, working or formula, or to replace a line or fill in)"
        f" + {MINUTES_PER_CELL:g} min for every other code cell (run it, read its output);"
        f" rounded up to a minute. Target: at most {MAX_MINUTES} minutes a lesson."
    )
    return "\n".join([START, "", method, "", time_table(times), "", END])


def update_readme(readme: Path, times: list[LessonTime]) -> bool:
    """Write the section into ``readme`` (between its markers, or appended); True if it changed."""
    old = readme.read_text(encoding="utf-8") if readme.exists() else ""
    section = readme_section(times)
    if START in old and END in old:
        head, rest = old.split(START, 1)
        new = head + section + rest.split(END, 1)[1]
    else:
        heading = "" if HEADING in old else f"{HEADING}\n\n"  # under the section's heading, once
        new = old.rstrip() + ("\n\n" if old.strip() else "") + f"{heading}{section}\n"
    if new != old:
        readme.write_text(new, encoding="utf-8")
    return new != old


_HEADER = re.compile(r"(\*\*Estimated time:\*\* about )(\d+)( minutes)")


def stated_minutes(path: Path) -> int | None:
    """The minutes a lesson's first cell states (``**Estimated time:** about N minutes``)."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    m = _HEADER.search(_source(cells[0])) if cells else None
    return int(m.group(2)) if m else None


def update_header(path: Path, minutes: int) -> bool:
    """Make the lesson's stated time the estimate (the notebook's own JSON layout is kept); True if changed."""
    text = Path(path).read_text(encoding="utf-8")
    new, n = _HEADER.subn(lambda m: f"{m.group(1)}{minutes}{m.group(3)}", text, count=1)
    if not n:
        raise ValueError(f"{path}: no '**Estimated time:** about N minutes' line in its first cell")
    if new != text:
        Path(path).write_text(new, encoding="utf-8")
    return new != text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course.lessontime", description="Estimate each lesson's time from its content."
    )
    parser.add_argument(
        "--lessons", type=Path, default=None, help="the lessons folder (default: the course's)"
    )
    parser.add_argument(
        "--write", action="store_true", help="update the table in the lessons folder's README.md"
    )
    args = parser.parse_args(argv)
    try:
        times = estimate_all(args.lessons)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.write:
        readme = (args.lessons or lessons_dir()) / "README.md"
        print(("updated " if update_readme(readme, times) else "unchanged: ") + str(readme))
        folder = args.lessons or lessons_dir()
        for t in times:
            if update_header(folder / t.lesson, t.minutes):
                print(f"updated the stated time of {t.lesson}: {t.minutes} minutes")
    else:
        print(time_table(times))
    return 0


if __name__ == "__main__":
    sys.exit(main())

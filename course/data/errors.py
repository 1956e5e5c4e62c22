"""The error a broken dataset raises: :class:`DatasetError`, a list of :class:`Problem`."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "DatasetError"]


@dataclass(frozen=True)
class Problem:
    """One broken rule: where it is and what is wrong."""

    file: str
    row: int | None  # 1-based data row (the header is not counted); None for file-level problems
    column: str | None
    rule: str
    message: str
    line: int | None = None  # physical line in the file, when known

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}" + (f" (line {self.line})" if self.line else ""))
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message} [rule: {self.rule}]"


class DatasetError(ValueError):
    """A dataset file breaks its schema.

    ``file``, ``row``, ``column`` and ``rule`` describe the first problem;
    ``problems`` lists all of them (every problem found in the file).
    """

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("DatasetError needs at least one problem")
        self.problems = list(problems)
        first = self.problems[0]
        self.file, self.row, self.column, self.rule = first.file, first.row, first.column, first.rule
        more = len(self.problems) - 1
        text = str(first)
        if more:
            text += f"\n(and {more} more problem{'s' if more > 1 else ''}:)\n" + "\n".join(
                f"  - {p}" for p in self.problems[1:21]
            )
            if more > 20:
                text += f"\n  ... {more - 20} more"
        super().__init__(text)

"""Validate one table with frictionless and report its errors as :class:`Problem` objects.

frictionless checks the header, types, formats, required values, enums,
patterns, ranges, unique and primary keys, and foreign keys across
tables; :mod:`course.data.rules` adds the schema's ``x-rules``. This module
is the thin adapter between the two vocabularies: each frictionless error
becomes a :class:`Problem` naming the file, the data row (the header is
not counted) with its physical line, the column and the rule, with a
message written for the person fixing the file.

Importing this module imports frictionless (about half a second, and more
for its first package); :mod:`course.data.loading` only imports it when a
file's content has not been validated before (see :mod:`course.data.verdicts`).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from frictionless import Checklist, FrictionlessException, Package

from .errors import Problem
from .rules import XRuleError, checks_for

__all__ = ["validate_resource"]

_HEADER_ERRORS = {
    "blank-header",
    "missing-label",
    "extra-label",
    "duplicate-label",
    "incorrect-label",
    "blank-label",
    "header-error",
    "label-error",
}
_ROW_LENGTH_ERRORS = {"extra-cell", "missing-cell"}
_TYPE_MESSAGES = {
    "date": "is not a real date in the form YYYY-MM-DD",
    "integer": "is not a whole number",
    "number": "is not a number",
    "boolean": "is not true or false",
    "uri": "is not an http(s) URL",
}


def _positions(path: Path) -> dict[int, tuple[int, int]]:
    """frictionless's row position (the header is 1) -> (data row, physical line), blank rows skipped."""
    out: dict[int, tuple[int, int]] = {}
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return out
    reader = csv.reader(io.StringIO(text, newline=""))
    position = row = 0
    try:
        for cells in reader:
            position += 1
            if position == 1 or not cells or all(not c.strip() for c in cells):
                continue
            row += 1
            out[position] = (row, reader.line_num)
    except csv.Error:
        pass
    return out


def _header_problem(fname: str, labels: list[str], names: list[str]) -> Problem:
    labels = [str(h).strip() for h in labels]
    missing = [n for n in names if n not in labels]
    extra = [h for h in labels if h not in names]
    dupes = sorted({h for h in labels if labels.count(h) > 1})
    parts = []
    if missing:
        parts.append("missing column(s): " + ", ".join(missing))
    if extra:
        parts.append("unexpected column(s): " + ", ".join(extra))
    if dupes:
        parts.append("repeated column(s): " + ", ".join(dupes))
    if not parts:
        parts.append("the columns are out of order: " + ", ".join(labels))
    column = (missing or extra or dupes or [None])[0]
    return Problem(
        fname,
        None,
        column,
        "header matches schema",
        "; ".join(parts) + f". Expected: {', '.join(names)}",
        line=1,
    )


def _constraint_message(rule: str, cell, field: dict) -> str:
    c = field.get("constraints", {})
    if rule == "required":
        return "a value is required but the cell is empty"
    if rule == "enum":
        return f"{cell!r} is not allowed; allowed values: {', '.join(str(x) for x in c['enum'])}"
    if rule == "pattern":
        return f"{cell!r} does not match the pattern {c['pattern']}"
    if rule == "minimum":
        return f"{cell!r} is below the minimum {c['minimum']}"
    if rule == "maximum":
        return f"{cell!r} is above the maximum {c['maximum']}"
    if rule == "minLength":
        return f"{cell!r} is shorter than {c['minLength']} characters"
    if rule == "maxLength":
        return f"{cell!r} is longer than {c['maxLength']} characters"
    return f"{cell!r} breaks the constraint {rule}={c.get(rule)!r}"


def validate_resource(folder: Path, package: dict, name: str) -> list[Problem]:
    """Every problem in table ``name`` of the package in ``folder``, in row order (empty if valid)."""
    descriptor = next(r for r in package["resources"] if r["name"] == name)
    fname = descriptor["path"]
    schema = descriptor["schema"]
    fields = {f["name"]: f for f in schema["fields"]}
    names = list(fields)

    checks, bad_rules = checks_for(schema)
    problems = [Problem(fname, None, None, "x-rules", m) for m in bad_rules]
    try:
        fpackage = Package(package, basepath=str(folder))
        report = fpackage.get_resource(name).validate(Checklist(checks=checks))
    except FrictionlessException as e:
        return problems + [Problem(fname, None, None, "frictionless", str(e.error.message))]
    errors = [e for task in report.tasks for e in task.errors] or list(report.errors)

    header = [e for e in errors if e.type in _HEADER_ERRORS]
    if header:
        # rows are read by position, so under a wrong header their errors mean nothing
        labels = getattr(header[0], "labels", None) or []
        return problems + [_header_problem(fname, labels, names)]

    source = [
        e for e in errors if e.type in ("source-error", "scheme-error", "format-error", "encoding-error")
    ]
    if source:
        # the file could not be read as CSV at all: nothing else about it is meaningful
        errors = source
    where = _positions(folder / fname)

    def locate(e):
        position = getattr(e, "row_number", None)
        if position is None:
            return None, None
        return where.get(position, (position - 1, None))

    short_rows = {}
    for e in errors:
        if e.type in _ROW_LENGTH_ERRORS:
            short_rows.setdefault(e.row_number, e)
    blank = {e.row_number for e in errors if e.type == "blank-row"}
    unique_hits = {(e.row_number, e.field_name) for e in errors if e.type == "unique-error"}
    pk = schema.get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else list(pk)

    for e in errors:
        t = e.type
        row, line = locate(e)
        position = getattr(e, "row_number", None)
        if position in blank:
            continue  # blank lines are allowed, as in any CSV a spreadsheet writes (and hold no key)
        if position in short_rows and t not in _ROW_LENGTH_ERRORS:
            continue  # the cells are shifted: only the row's length is worth reporting
        if t in _ROW_LENGTH_ERRORS:
            if short_rows.get(position) is e:
                problems.append(
                    Problem(
                        fname,
                        row,
                        None,
                        "row length",
                        f"has {len(e.cells)} values but the header has {len(names)} columns "
                        "(an unquoted comma in a text field?)",
                        line=line,
                    )
                )
            continue
        if isinstance(e, XRuleError):
            problems.append(Problem(fname, row, e.field_name, t, e.note, line=line))
        elif t == "type-error":
            field = fields[e.field_name]
            ftype, fmt = field.get("type", "string"), field.get("format", "default")
            rule = f"type {ftype}" + (f" ({fmt})" if fmt not in (None, "default") else "")
            text = _TYPE_MESSAGES.get(fmt if fmt in _TYPE_MESSAGES else ftype, f"is not a valid {ftype}")
            problems.append(Problem(fname, row, e.field_name, rule, f"{e.cell!r} {text}", line=line))
        elif t == "constraint-error":
            m = re.search(r'constraint "(\w+)"', e.note)
            rule = m.group(1) if m else "constraint"
            problems.append(
                Problem(
                    fname,
                    row,
                    e.field_name,
                    rule,
                    _constraint_message(rule, e.cell, fields[e.field_name]),
                    line=line,
                )
            )
        elif t in ("unique-error", "primary-key"):
            m = re.search(r"row at position (\d+)", e.note)
            first = where.get(int(m.group(1)), (int(m.group(1)) - 1, None))[0] if m else None
            if t == "unique-error":
                column, shown = e.field_name, e.cell
                rule = "unique"
            else:
                if len(pk) == 1 and (position, pk[0]) in unique_hits:
                    continue  # a one-field key already reported as not unique
                column = ", ".join(pk)
                values = tuple(e.cells[list(fields).index(k)] for k in pk)
                shown = values[0] if len(values) == 1 else values
                rule = "primary key"
            repeats = f"repeats row {first}" if first else "repeats an earlier row"
            if rule == "primary key" and len(pk) > 1:
                # a key of several columns is named by its first column; the message names them all
                problems.append(
                    Problem(
                        fname,
                        row,
                        pk[0],
                        rule,
                        f"the key ({column}) = {shown!r} {repeats}; each key must be unique",
                        line=line,
                    )
                )
            else:
                problems.append(
                    Problem(
                        fname, row, column, rule, f"{shown!r} {repeats}; each value must be unique", line=line
                    )
                )
        elif t == "foreign-key":
            cells = e.field_cells
            shown = cells[0] if len(cells) == 1 else tuple(cells)
            target = f"{e.reference_name or 'this table'}.{', '.join(e.reference_field_names)}"
            problems.append(
                Problem(
                    fname,
                    row,
                    ", ".join(e.field_names),
                    "foreign key",
                    f"{shown!r} is not a value of {target}",
                    line=line,
                )
            )
        elif t == "has-rows":
            problems.append(Problem(fname, None, None, "has rows", e.note))
        elif t == "source-error" and "empty" in (e.note or ""):
            problems.append(Problem(fname, None, None, "header", "the file is empty (no header row)"))
        elif t == "encoding-error":
            problems.append(Problem(fname, None, None, "encoding utf-8", f"not UTF-8 text ({e.note})"))
        elif row is not None:
            problems.append(Problem(fname, row, getattr(e, "field_name", None), t, e.message, line=line))
        else:
            problems.append(Problem(fname, None, None, t, e.message))
    problems.sort(key=lambda p: (p.row is not None, p.row or 0))
    return problems

"""Load the course's datasets as typed pandas DataFrames, validated on the way in.

Every CSV in ``datasets/`` is described by ``datasets/datapackage.json`` (a
Frictionless Tabular Data Package). Loading checks each file against its
Table Schema — header, types, required values, enums, patterns, ranges,
unique and primary keys, foreign keys — and against the schema's
``x-rules``, checks that Table Schema cannot express (an end date before its
start, a date whose precision it contradicts, an unverified row, a total
that is not the sum of its parts).

A file that breaks a rule raises :class:`DatasetError`, naming the file, the
row, the column and the rule. Nothing is dropped silently.

>>> from course.data import load_events
>>> events = load_events()
>>> events.loc[events.id == "helsinki-final-act", "date"].dt.year.item()
1975

Run ``python -m course.data`` to validate every dataset and print a summary.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import os
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = [
    "DatasetError",
    "Problem",
    "datasets_dir",
    "load",
    "load_events",
    "load_eras",
    "load_participants",
    "load_decalogue",
    "load_chapters",
    "load_obstacles",
    "load_storehouse",
    "load_family_registry",
    "load_reunion_rounds",
    "resource_names",
    "validate_all",
]

TRUE_VALUES = {"true", "True", "TRUE", "1"}
FALSE_VALUES = {"false", "False", "FALSE", "0"}
_URI = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------
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


# --------------------------------------------------------------------------
# Finding the files
# --------------------------------------------------------------------------
def datasets_dir(path: str | os.PathLike | None = None) -> Path:
    """The folder holding ``datapackage.json``.

    In order: ``path`` if given, the ``COURSE_DATASETS`` environment
    variable, then the datasets installed with the course
    (:func:`course.resources.datasets_location`: package data in a wheel,
    ``datasets/`` in the repository).
    """
    from course.resources import datasets_location

    candidates = []
    if path is not None:
        candidates.append(Path(path))
    elif os.environ.get("COURSE_DATASETS"):
        candidates.append(Path(os.environ["COURSE_DATASETS"]))
    else:
        candidates.append(datasets_location())
    for c in candidates:
        if (c / "datapackage.json").is_file():
            return c
    raise DatasetError(
        [
            Problem(
                file=str(candidates[0] / "datapackage.json"),
                row=None,
                column=None,
                rule="datapackage exists",
                message=(
                    "no datapackage.json here. Reinstall the course (`pip install helsinki-nea-course`, "
                    "or `make install` in its repository), or set COURSE_DATASETS to the datasets folder"
                ),
            )
        ]
    )


def _read_package(folder: Path) -> dict:
    path = folder / "datapackage.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise DatasetError([Problem(path.name, None, None, "valid JSON", f"not valid JSON: {e}")]) from None


def resource_names(path: str | os.PathLike | None = None) -> list[str]:
    """Names of the tables in the data package, in its order."""
    return [r["name"] for r in _read_package(datasets_dir(path))["resources"]]


def _resource(package: dict, name: str) -> dict:
    for r in package["resources"]:
        if r["name"] == name:
            return r
    known = ", ".join(r["name"] for r in package["resources"])
    raise KeyError(f"no dataset named {name!r}; the datasets are: {known}")


# --------------------------------------------------------------------------
# Reading and casting one file
# --------------------------------------------------------------------------
class _Cast:
    """Turns a CSV cell into a Python value for one Table Schema field type."""

    @staticmethod
    def string(v: str, field: dict):
        fmt = field.get("format", "default")
        if fmt == "uri" and not _URI.match(v):
            raise ValueError(f"{v!r} is not an http(s) URL")
        return v

    @staticmethod
    def integer(v: str, field: dict):
        if not re.fullmatch(r"[+-]?\d+", v):
            raise ValueError(f"{v!r} is not a whole number")
        return int(v)

    @staticmethod
    def number(v: str, field: dict):
        try:
            return float(v)
        except ValueError:
            raise ValueError(f"{v!r} is not a number") from None

    @staticmethod
    def boolean(v: str, field: dict):
        if v in TRUE_VALUES:
            return True
        if v in FALSE_VALUES:
            return False
        raise ValueError(f"{v!r} is not true or false")

    @staticmethod
    def date(v: str, field: dict):
        if not _DATE.match(v):
            raise ValueError(f"{v!r} is not a date in the form YYYY-MM-DD")
        try:
            return _dt.date.fromisoformat(v)
        except ValueError as e:
            raise ValueError(f"{v!r} is not a real date ({e})") from None


def _check_constraints(value, field: dict) -> tuple[str, str] | None:
    """Return (rule, message) for the first broken constraint, or None."""
    c = field.get("constraints", {})
    if "enum" in c and value not in c["enum"]:
        allowed = ", ".join(str(x) for x in c["enum"])
        return "enum", f"{value!r} is not allowed; allowed values: {allowed}"
    if "pattern" in c and isinstance(value, str) and not re.fullmatch(c["pattern"], value):
        return "pattern", f"{value!r} does not match the pattern {c['pattern']}"
    if "minimum" in c and value < c["minimum"]:
        return "minimum", f"{value!r} is below the minimum {c['minimum']}"
    if "maximum" in c and value > c["maximum"]:
        return "maximum", f"{value!r} is above the maximum {c['maximum']}"
    if "minLength" in c and len(value) < c["minLength"]:
        return "minLength", f"{value!r} is shorter than {c['minLength']} characters"
    return None


def _read_rows(path: Path, resource: dict) -> tuple[dict[str, list], list[int], list[Problem]]:
    """Read and cast one CSV. Returns columns, physical line numbers, problems."""
    fname = path.name
    schema = resource["schema"]
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    missing_values = set(schema.get("missingValues", [""]))
    problems: list[Problem] = []

    if not path.is_file():
        return {}, [], [Problem(fname, None, None, "file exists", f"file not found: {path}")]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return {}, [], [Problem(fname, None, None, "encoding utf-8", f"not UTF-8 text ({e})")]
    if not text.strip():
        return {}, [], [Problem(fname, None, None, "header", "the file is empty (no header row)")]

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as e:
        return {}, [], [Problem(fname, None, None, "CSV syntax", f"unreadable header: {e}", line=1)]
    header = [h.strip() for h in header]
    missing = [n for n in names if n not in header]
    extra = [h for h in header if h not in names]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if missing or extra or dupes:
        parts = []
        if missing:
            parts.append("missing column(s): " + ", ".join(missing))
        if extra:
            parts.append("unexpected column(s): " + ", ".join(extra))
        if dupes:
            parts.append("repeated column(s): " + ", ".join(dupes))
        return {}, [], [
            Problem(fname, None, (missing or extra or dupes)[0], "header matches schema",
                    "; ".join(parts) + f". Expected: {', '.join(names)}", line=1)
        ]
    index = {n: header.index(n) for n in names}

    columns: dict[str, list] = {n: [] for n in names}
    lines: list[int] = []
    row_no = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            problems.append(Problem(fname, row_no + 1, None, "CSV syntax", f"unreadable row: {e}", line=reader.line_num))
            break
        if not cells or all(not c.strip() for c in cells):
            continue  # blank line
        row_no += 1
        line = reader.line_num
        if len(cells) != len(header):
            problems.append(Problem(
                fname, row_no, None, "row length",
                f"has {len(cells)} values but the header has {len(header)} columns "
                "(an unquoted comma in a text field?)", line=line))
            # keep the row so that row numbers of later problems stay right
            for n in names:
                columns[n].append(None)
            lines.append(line)
            continue
        for field in fields:
            n = field["name"]
            v = cells[index[n]].strip()
            c = field.get("constraints", {})
            if v in missing_values:
                if c.get("required"):
                    problems.append(Problem(fname, row_no, n, "required", "a value is required but the cell is empty", line=line))
                columns[n].append(None)
                continue
            caster = getattr(_Cast, field.get("type", "string"), None)
            if caster is None:
                problems.append(Problem(fname, row_no, n, "type", f"unsupported field type {field.get('type')!r} in the schema", line=line))
                columns[n].append(None)
                continue
            try:
                value = caster(v, field)
            except ValueError as e:
                rule = f"type {field.get('type', 'string')}" + (
                    f" ({field['format']})" if field.get("format") not in (None, "default") else "")
                problems.append(Problem(fname, row_no, n, rule, str(e), line=line))
                columns[n].append(None)
                continue
            broken = _check_constraints(value, field)
            if broken:
                problems.append(Problem(fname, row_no, n, broken[0], broken[1], line=line))
            columns[n].append(value)
        lines.append(line)
    if row_no == 0:
        problems.append(Problem(fname, None, None, "has rows", "the file has a header but no rows"))
    return columns, lines, problems


# --------------------------------------------------------------------------
# Table-level checks: keys and x-rules
# --------------------------------------------------------------------------
def _check_unique(fname, columns, lines, schema) -> list[Problem]:
    problems = []
    keys = []
    for field in schema["fields"]:
        if field.get("constraints", {}).get("unique"):
            keys.append(([field["name"]], "unique"))
    pk = schema.get("primaryKey")
    if pk:
        pk = [pk] if isinstance(pk, str) else list(pk)
        if not any(cols == pk for cols, _ in keys):  # a one-field key already checked as unique
            keys.append((pk, "primary key"))
    for cols, rule in keys:
        seen: dict[tuple, int] = {}
        for i, values in enumerate(zip(*(columns[c] for c in cols))):
            if any(v is None for v in values):
                continue
            if values in seen:
                shown = values[0] if len(values) == 1 else values
                problems.append(Problem(
                    fname, i + 1, ", ".join(cols), rule,
                    f"{shown!r} repeats row {seen[values]}; each value must be unique", line=lines[i]))
            else:
                seen[values] = i + 1
    return problems


def _check_rules(fname, columns, lines, schema) -> list[Problem]:
    problems = []
    n_rows = len(lines)
    for rule in schema.get("x-rules", []):
        kind = rule["rule"]
        for i in range(n_rows):
            row = i + 1
            if kind == "not-before":
                a, b = columns[rule["field"]][i], columns[rule["other"]][i]
                if a is not None and b is not None and a < b:
                    problems.append(Problem(
                        fname, row, rule["field"], "not-before",
                        f"{rule['field']} {a} is before {rule['other']} {b}", line=lines[i]))
            elif kind == "precision-matches-date":
                d, p = columns[rule["field"]][i], columns[rule["precision"]][i]
                if d is None or p is None:
                    continue
                if p == "month" and d.day != 1:
                    problems.append(Problem(fname, row, rule["field"], "precision-matches-date",
                                            f"precision is 'month' so the date must be the 1st of the month, not {d}", line=lines[i]))
                elif p == "year" and (d.month, d.day) != (1, 1):
                    problems.append(Problem(fname, row, rule["field"], "precision-matches-date",
                                            f"precision is 'year' so the date must be 1 January, not {d}", line=lines[i]))
            elif kind == "must-be-true":
                v = columns[rule["field"]][i]
                if v is False:
                    problems.append(Problem(fname, row, rule["field"], "must-be-true",
                                            "the row is not verified; a row without a checked source does not ship", line=lines[i]))
            elif kind == "sum-equals":
                total = columns[rule["field"]][i]
                parts = [columns[p][i] for p in rule["parts"]]
                if total is not None and all(p is not None for p in parts) and sum(parts) != total:
                    problems.append(Problem(
                        fname, row, rule["field"], "sum-equals",
                        f"{rule['field']} {total} is not the sum of {' + '.join(rule['parts'])} ({' + '.join(map(str, parts))} = {sum(parts)})",
                        line=lines[i]))
            else:
                problems.append(Problem(fname, None, None, "x-rules", f"unknown rule {kind!r} in the schema"))
                break
    return problems


def _check_foreign_keys(fname, columns, lines, schema, lookup) -> list[Problem]:
    problems = []
    for fk in schema.get("foreignKeys", []):
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref = fk["reference"]
        ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        target = ref["resource"] or None
        allowed = lookup(target, ref_fields)
        where = f"{ref['resource'] or 'this table'}.{', '.join(ref_fields)}"
        for i, values in enumerate(zip(*(columns[c] for c in fields))):
            if any(v is None for v in values):
                continue
            if values not in allowed:
                shown = values[0] if len(values) == 1 else values
                problems.append(Problem(fname, i + 1, ", ".join(fields), "foreign key",
                                        f"{shown!r} is not a value of {where}", line=lines[i]))
    return problems


# --------------------------------------------------------------------------
# Public loaders
# --------------------------------------------------------------------------
def _to_frame(columns: dict[str, list], schema: dict) -> pd.DataFrame:
    data = {}
    for field in schema["fields"]:
        n, t = field["name"], field.get("type", "string")
        values = columns[n]
        if t == "date":
            data[n] = pd.to_datetime(pd.Series(values, dtype="object"), errors="raise").astype("datetime64[ns]")
        elif t == "integer":
            data[n] = pd.array(values, dtype="Int64")
        elif t == "number":
            data[n] = pd.array(values, dtype="Float64")
        elif t == "boolean":
            data[n] = pd.array(values, dtype="boolean") if None in values else pd.array(values, dtype=bool)
        else:
            data[n] = pd.array(values, dtype="string")
    return pd.DataFrame(data)


def _fingerprint(folder: Path) -> tuple:
    """Modification times of the package and its files, so edits invalidate the cache."""
    out = []
    for p in sorted(folder.glob("*")):
        if p.suffix in (".csv", ".json"):
            st = p.stat()
            out.append((p.name, st.st_mtime_ns, st.st_size))
    return tuple(out)


@lru_cache(maxsize=64)
def _load_cached(folder: str, name: str, fingerprint: tuple) -> pd.DataFrame:
    folder_p = Path(folder)
    package = _read_package(folder_p)
    resource = _resource(package, name)
    schema = resource["schema"]
    fname = resource["path"]
    columns, lines, problems = _read_rows(folder_p / fname, resource)
    if columns and not any(p.rule in ("row length", "CSV syntax") for p in problems):
        problems += _check_unique(fname, columns, lines, schema)
        problems += _check_rules(fname, columns, lines, schema)

        def lookup(target, ref_fields):
            if target is None:
                return set(zip(*(columns[f] for f in ref_fields)))
            other = _load_cached(folder, target, fingerprint)
            return set(zip(*(other[f].tolist() for f in ref_fields)))

        try:
            problems += _check_foreign_keys(fname, columns, lines, schema, lookup)
        except DatasetError as e:
            problems.append(Problem(fname, None, None, "foreign key",
                                    f"cannot check links because a linked table is broken: {e.problems[0]}"))
    problems.sort(key=lambda p: (p.row is not None, p.row or 0))
    if problems:
        raise DatasetError(problems)
    return _to_frame(columns, schema)


def load(name: str, datasets: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one table of the data package by name, validated and typed.

    Dates become ``datetime64[ns]`` (``NaT`` when empty), integers nullable
    ``Int64``, booleans ``bool``, text ``string``. Raises :class:`DatasetError`
    if the file breaks its schema. Each call returns a fresh copy.
    """
    folder = datasets_dir(datasets)
    return _load_cached(str(folder), name, _fingerprint(folder)).copy()


def load_events(datasets=None) -> pd.DataFrame:
    """Dated events 1963–2021 on five tracks (``events.csv``), sorted by date."""
    return load("events", datasets).sort_values(["date", "id"], kind="stable").reset_index(drop=True)


def load_eras(datasets=None) -> pd.DataFrame:
    """Era bands for the timeline (``eras.csv``)."""
    return load("eras", datasets)


def load_participants(datasets=None) -> pd.DataFrame:
    """The 35 CSCE participants of 1975 and the absent European states (``csce_participants.csv``)."""
    return load("csce_participants", datasets)


def load_decalogue(datasets=None) -> pd.DataFrame:
    """The ten principles of the Final Act (``decalogue.csv``), in order."""
    return load("decalogue", datasets).sort_values("number").reset_index(drop=True)


def load_chapters(datasets=None) -> pd.DataFrame:
    """The chapters and main sections of the Final Act (``final_act_chapters.csv``), in order."""
    return load("final_act_chapters", datasets).sort_values("order").reset_index(drop=True)


def load_obstacles(datasets=None) -> pd.DataFrame:
    """Eskeland's six obstacles to transfer (``transfer_obstacles.csv``)."""
    return load("transfer_obstacles", datasets).sort_values("id").reset_index(drop=True)


def load_storehouse(datasets=None) -> pd.DataFrame:
    """Goodby & Heiskanen's storehouse of documents, plus two they leave out (``storehouse_documents.csv``)."""
    return load("storehouse_documents", datasets).sort_values("signed").reset_index(drop=True)


def load_family_registry(datasets=None) -> pd.DataFrame:
    """Separated-family applicant registry snapshots and deaths (``family_registry.csv``)."""
    return load("family_registry", datasets).sort_values("as_of").reset_index(drop=True)


def load_reunion_rounds(datasets=None) -> pd.DataFrame:
    """Family-reunion rounds (``family_reunion_rounds.csv``), by date."""
    return load("family_reunion_rounds", datasets).sort_values("start_date").reset_index(drop=True)


def validate_all(datasets=None) -> dict[str, list[Problem]]:
    """Validate every table; return {name: problems} (empty lists when all is well)."""
    folder = datasets_dir(datasets)
    out = {}
    for name in resource_names(folder):
        try:
            load(name, folder)
            out[name] = []
        except DatasetError as e:
            out[name] = e.problems
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m course.data [DATASETS_DIR]``: validate every dataset and print a summary."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        folder = datasets_dir(argv[0] if argv else None)
        results = validate_all(folder)
    except DatasetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    bad = 0
    for name, problems in results.items():
        if problems:
            bad += 1
            print(f"FAIL {name}: {len(problems)} problem(s)")
            for p in problems:
                print(f"  - {p}")
        else:
            print(f"ok   {name}: {len(load(name, folder))} rows")
    print(f"{len(results) - bad} of {len(results)} datasets valid")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

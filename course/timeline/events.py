"""The timeline's two tables: checked once, then typed for drawing.

A table from ``course.data`` was validated against ``datasets/datapackage.json``
when it was loaded, so it is only typed here (``trusted=True``). A table from
anywhere else (a learner's own DataFrame) is checked once, at this boundary,
with the rules of the same descriptor (:mod:`course.timeline.schema`): a
missing column, an empty required value, a value outside an enum, a repeated
id, a value that is not a date or an end before its start raises a
``ValueError`` that names the column, the value and what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .schema import TableRules, TimelineSchema, load_schema

__all__ = ["EVENT_COLUMNS", "ERA_COLUMNS", "prepare_events", "prepare_eras", "check_table", "era_names"]

#: Columns an events table must have (``verified`` is not needed to draw an event).
EVENT_COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    "end_date",
    "precision",
    "title",
    "track",
    "actors",
    "description",
    "source_url",
)
#: Columns an eras table must have; ``id``, ``event_id``, ``description`` and
#: ``source_url`` are used when present.
ERA_COLUMNS: tuple[str, ...] = ("era", "label", "start", "end")
ERA_OPTIONAL: tuple[str, ...] = ("id", "event_id", "description", "source_url")
#: What one row of each table is called in messages.
_ROW = {"events": "event", "eras": "band"}


def _allowed(values) -> str:
    return ", ".join(str(v) for v in values)


def _plural(name: str) -> str:
    return name + ("es" if name.endswith(("s", "x")) else "s")


def _missing_columns(df, required: Sequence[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(
            f"{what} must be a pandas DataFrame with the columns {_allowed(required)}, "
            f"not {type(df).__name__}"
        )
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what} is missing the column{'s' if len(missing) > 1 else ''} "
            f"{_allowed(missing)}; it needs {_allowed(required)}"
        )


def _dates(series: pd.Series, what: str, column: str) -> pd.Series:
    try:
        out = pd.to_datetime(series, errors="raise", format="ISO8601")
    except (ValueError, TypeError) as e:
        raise ValueError(f"{what}: column {column!r} holds a value that is not a date ({e})") from None
    if getattr(out.dt, "tz", None) is not None:
        out = out.dt.tz_localize(None)
    return out.astype("datetime64[ns]").dt.normalize()


def _text(series: pd.Series) -> pd.Series:
    """Text as ``str`` objects, ``""`` for a missing value."""
    values = series.to_numpy(dtype=object, na_value="")
    return pd.Series([v if type(v) is str else str(v) for v in values], index=series.index, dtype=object)


def check_table(df: pd.DataFrame, rules: TableRules, what: str, columns: Sequence[str]) -> pd.DataFrame:
    """Check ``columns`` of a table from outside ``course.data`` against ``rules``; return them typed.

    Dates become ``datetime64[ns]`` (day precision), text ``str`` (empty
    for a missing value). Raises ``ValueError`` for the first broken rule.
    """
    row_name = _ROW.get(what, "row")
    out = {}
    for c in columns:
        try:
            f = rules.field(c)
        except KeyError:
            f = None
        if f is not None and f.type == "date":
            out[c] = _dates(df[c], what, c)
        else:
            out[c] = _text(df[c])
    typed = pd.DataFrame(out)
    ids = typed["id"] if "id" in typed else pd.Series(np.arange(len(typed)).astype(str))

    def name_of(k: int) -> str:
        return f"{row_name} {ids.iloc[k]!r}" if ids.iloc[k] else f"row {k}"

    for c in columns:
        try:
            f = rules.field(c)
        except KeyError:
            continue
        col = typed[c]
        empty = col.isna() if f.type == "date" else (col.str.strip() == "")
        if f.required and empty.any():
            k = int(np.flatnonzero(empty.to_numpy())[0])
            article = "an" if c[0] in "aeiou" else "a"
            which = f" ({name_of(k)})" if c != "id" and ids.iloc[k] else ""
            raise ValueError(
                f"{what}: column {c!r} is empty in row {k}{which}; every {row_name} needs {article} {c}"
            )
        if f.enum:
            bad = ~col.isin(f.enum) & ~empty
            if bad.any():
                k = int(np.flatnonzero(bad.to_numpy())[0])
                raise ValueError(
                    f"{what}: unknown {c} {col.iloc[k]!r} ({name_of(k)}); "
                    f"allowed {_plural(c)}: {_allowed(f.enum)}"
                )
        if f.unique:
            dupes = col[col.duplicated() & ~empty].unique().tolist()
            if dupes:
                raise ValueError(f"{what}: {_plural(c)} must be unique; repeated: {_allowed(dupes)}")
    for field, other in rules.not_before:
        if field in typed and other in typed:
            early = (typed[field] < typed[other]).to_numpy()  # NaT compares false
            if early.any():
                k = int(np.flatnonzero(early)[0])
                raise ValueError(
                    f"{what}: {name_of(k)} ends before it starts ({field} "
                    f"{typed[field].iloc[k].date()} is before {other} {typed[other].iloc[k].date()})"
                )
    return typed


def _text_list(series: pd.Series) -> list[str]:
    values = series.to_numpy(dtype=object, na_value="")
    return [v if type(v) is str else str(v) for v in values]


def _sorted_frame(columns: dict, by: tuple[str, str]) -> pd.DataFrame:
    """One DataFrame from typed columns, rows sorted by two of them (stable), with a fresh index."""
    first, second = by
    keys = np.asarray(columns[first]).astype("datetime64[ns]").astype("int64")
    order = np.lexsort((np.asarray(columns[second], dtype=object).astype(str), keys))
    out = {}
    for c, v in columns.items():
        if isinstance(v, list):
            out[c] = pd.Series([v[k] for k in order], dtype=object)
        else:
            out[c] = pd.Series(np.asarray(v)[order])
    return pd.DataFrame(out)


def prepare_events(
    events: pd.DataFrame, schema: TimelineSchema | None = None, *, trusted: bool = False
) -> pd.DataFrame:
    """An events table with :data:`EVENT_COLUMNS`, typed and sorted by (date, id).

    ``trusted=True`` is for a table from ``course.data.load_events`` (validated
    on load): it is only typed. Any other table is first checked against the
    schema's rules (see :func:`check_table`).
    """
    _missing_columns(events, EVENT_COLUMNS, "events")
    if not trusted:
        events = check_table(events, (schema or load_schema()).events, "events", EVENT_COLUMNS)
    columns = {
        c: (
            events[c].to_numpy().astype("datetime64[ns]")
            if c in ("date", "end_date")
            else _text_list(events[c])
        )
        for c in EVENT_COLUMNS
    }
    return _sorted_frame(columns, ("date", "id"))


def prepare_eras(eras, schema: TimelineSchema | None = None, *, trusted: bool = False) -> pd.DataFrame:
    """An eras table (a DataFrame, or an iterable of dicts) with :data:`ERA_COLUMNS`, typed, sorted by start.

    ``id``, ``event_id``, ``description`` and ``source_url`` are optional
    (a missing id becomes ``<era>-<row>``). Checked as :func:`prepare_events` is.
    """
    what = "eras"
    if eras is None:
        eras = []
    if not isinstance(eras, pd.DataFrame):
        rows = list(eras)
        if rows and not all(isinstance(r, Mapping) for r in rows):
            raise ValueError(
                f"eras must be a pandas DataFrame or a list of dicts with the keys {_allowed(ERA_COLUMNS)}"
            )
        eras = pd.DataFrame(rows, columns=list(ERA_COLUMNS) if not rows else None)
    _missing_columns(eras, ERA_COLUMNS, what)
    present = [c for c in ERA_COLUMNS + ERA_OPTIONAL if c in eras.columns]
    if not trusted:
        eras = check_table(eras, (schema or load_schema()).eras, what, present)
    columns = {
        c: (
            eras[c].to_numpy().astype("datetime64[ns]")
            if c in ("start", "end")
            else _text_list(eras[c])
            if c in present
            else [""] * len(eras)
        )
        for c in ERA_COLUMNS + ERA_OPTIONAL
    }
    columns["id"] = [i or f"{e}-{n}" for n, (i, e) in enumerate(zip(columns["id"], columns["era"]))]
    return _sorted_frame(columns, ("start", "id"))


def era_names(eras: pd.DataFrame) -> dict[str, str]:
    """A display name for each era slug, in order of first appearance.

    An era whose bands share one label is called by it. Otherwise the slug's
    words are looked for in the bands' labels and descriptions, to recover
    their spelling ("csce-follow-up" becomes "CSCE follow-up"); failing that,
    the slug with spaces.
    """
    names: dict[str, str] = {}
    for era, bands in eras.groupby("era", sort=False):
        labels = list(dict.fromkeys(bands["label"]))
        if len(labels) == 1:
            names[era] = labels[0]
            continue
        words = r"[\s-]".join(re.escape(w) for w in era.split("-"))
        text = " ".join(list(bands["label"]) + list(bands["description"]))
        m = re.search(words, text, flags=re.IGNORECASE)
        name = m.group(0) if m else era.replace("-", " ")
        names[era] = name[:1].upper() + name[1:]
    return names

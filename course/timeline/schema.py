"""The rules of the timeline's two tables, read from ``datasets/datapackage.json``.

The data package is the one source of the allowed tracks and precisions
(the ``enum`` constraints of ``events.track`` and ``events.precision``) and
of the other constraints a table must meet (required values, unique ids,
an end not before its start). ``course.data`` enforces them when it loads a
dataset; :func:`~course.timeline.events.check_events` enforces the same
rules, read from the same descriptor, on a table from anywhere else.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["FieldRule", "TableRules", "TimelineSchema", "load_schema", "track_label"]

#: Display labels of the tracks the course ships with. The allowed tracks
#: themselves come from the schema; a track added there without a label
#: here is shown by its slug (see :func:`track_label`).
KNOWN_TRACK_LABELS: dict[str, str] = {
    "csce": "CSCE",
    "detente-arms-control": "Détente and arms control",
    "korea-diplomacy": "Korea diplomacy",
    "humanitarian": "Humanitarian",
    "escalation": "Escalation",
}


def track_label(track: str) -> str:
    """``'korea-diplomacy'`` -> ``'Korea diplomacy'`` (a known label, else the slug in words)."""
    known = KNOWN_TRACK_LABELS.get(track)
    if known:
        return known
    words = track.replace("-", " ").strip()
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class FieldRule:
    """The constraints of one column, as the Table Schema states them."""

    name: str
    type: str = "string"
    required: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TableRules:
    """One table's fields and its ``not-before`` rules (``(field, other)``: field >= other)."""

    resource: str
    fields: tuple[FieldRule, ...]
    not_before: tuple[tuple[str, str], ...] = ()

    def field(self, name: str) -> FieldRule:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"the {self.resource} schema has no field {name!r}")

    def enum(self, name: str) -> tuple[str, ...]:
        values = self.field(name).enum
        if not values:
            raise ValueError(f"the {self.resource} schema gives no enum for {name!r}")
        return values


@dataclass(frozen=True)
class TimelineSchema:
    """The rules of the ``events`` and ``eras`` resources of one data package."""

    events: TableRules
    eras: TableRules
    source: str = ""

    @property
    def tracks(self) -> tuple[str, ...]:
        """Allowed tracks, in the schema's order (which is the lane order, top to bottom)."""
        return self.events.enum("track")

    @property
    def precisions(self) -> tuple[str, ...]:
        return self.events.enum("precision")

    @property
    def track_labels(self) -> dict[str, str]:
        return {t: track_label(t) for t in self.tracks}


def _table_rules(package: dict, name: str) -> TableRules:
    try:
        resource = next(r for r in package.get("resources", []) if r.get("name") == name)
    except StopIteration:
        raise ValueError(f"the data package has no resource {name!r}") from None
    schema = resource.get("schema", {})
    keys = schema.get("primaryKey", [])
    keys = [keys] if isinstance(keys, str) else list(keys)
    fields = []
    for f in schema.get("fields", []):
        c = f.get("constraints", {})
        enum = c.get("enum")
        fields.append(
            FieldRule(
                name=f["name"],
                type=f.get("type", "string"),
                required=bool(c.get("required")),
                unique=bool(c.get("unique")) or keys == [f["name"]],
                enum=tuple(enum) if enum else None,
            )
        )
    not_before = tuple(
        (r["field"], r["other"]) for r in schema.get("x-rules", []) if r.get("rule") == "not-before"
    )
    return TableRules(resource=name, fields=tuple(fields), not_before=not_before)


@lru_cache(maxsize=8)
def _read(path: str, mtime_ns: int, size: int) -> TimelineSchema:
    package = json.loads(Path(path).read_text(encoding="utf-8"))
    return TimelineSchema(
        events=_table_rules(package, "events"), eras=_table_rules(package, "eras"), source=path
    )


def load_schema(datasets: str | os.PathLike | None = None) -> TimelineSchema:
    """The timeline's rules from the data package in ``datasets`` (default: as ``course.data`` finds it).

    Read once per version of the file (an edit is picked up).
    """
    from course.data import datasets_dir

    path = datasets_dir(datasets) / "datapackage.json"
    st = path.stat()
    return _read(str(path), st.st_mtime_ns, st.st_size)

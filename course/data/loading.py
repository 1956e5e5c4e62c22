"""Load one table as a typed pandas DataFrame, validated first: :func:`load`, :func:`validate_all`.

Validation (frictionless, :mod:`course.data.validation`) runs once per
content of a file: the verdict "valid" is remembered by a hash of the
content (:mod:`course.data.verdicts`), so a lesson whose files were
validated before does not import frictionless at all. Either way the
DataFrame is read by pandas with the schema's types. Within one process,
tables are also kept in memory until a file in the folder changes.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import verdicts
from .descriptor import linked_resources, read_package, resource, resource_names
from .errors import DatasetError, Problem
from .location import datasets_dir

__all__ = ["load", "validate", "validate_all", "TRUE_VALUES", "FALSE_VALUES"]

TRUE_VALUES = {"true", "True", "TRUE", "1"}
FALSE_VALUES = {"false", "False", "FALSE", "0"}


def validate(name: str, datasets: str | os.PathLike | None = None, *, use_cache: bool = True) -> None:
    """Raise :class:`DatasetError` listing every problem if table ``name`` breaks its schema.

    With ``use_cache`` (the default) a content validated before is not
    validated again; ``use_cache=False`` always runs frictionless.
    """
    folder = datasets_dir(datasets)
    package_bytes = (folder / "datapackage.json").read_bytes()
    package = read_package(folder)
    desc = resource(package, name)
    path = folder / desc["path"]
    if not path.is_file():
        raise DatasetError([Problem(desc["path"], None, None, "file exists", f"file not found: {path}")])
    parts = [("datapackage.json", package_bytes), (name, path.read_bytes())]
    for other in linked_resources(package, name):
        linked = folder / resource(package, other)["path"]
        parts.append((other, linked.read_bytes() if linked.is_file() else b"\0missing"))
    key = verdicts.verdict_key(parts)
    if use_cache and verdicts.is_known_valid(key):
        return
    from .validation import validate_resource  # imports frictionless: only for a content not seen before

    problems = validate_resource(folder, package, name)
    if problems:
        raise DatasetError(problems)
    verdicts.remember_valid(key, f"{name} {path}")


def _typed(column: pd.Series, field: dict, missing: pd.Series) -> pd.Series:
    t = field.get("type", "string")
    present = column.where(~missing)
    if t == "date":
        return pd.to_datetime(present, format="%Y-%m-%d").astype("datetime64[ns]")
    if t == "integer":
        return pd.to_numeric(present).astype("Int64")
    if t == "number":
        return pd.to_numeric(present).astype("Float64")
    if t == "boolean":
        mapped = present.map(
            lambda v: (
                True
                if v in TRUE_VALUES
                else False
                if v in FALSE_VALUES
                else (None if v is None or v != v else _not_boolean(v))
            )
        )
        return mapped.astype("boolean") if missing.any() else mapped.astype(bool)
    return present.astype("string")


def _not_boolean(v):
    raise ValueError(f"{v!r} is not true or false")


def _read_frame(folder: Path, desc: dict) -> pd.DataFrame:
    """The validated file as a DataFrame typed from its schema."""
    fname, schema = desc["path"], desc["schema"]
    fields = schema["fields"]
    missing_values = list(schema.get("missingValues", [""]))
    try:
        raw = pd.read_csv(folder / fname, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, OSError) as e:  # pandas' ParserError is a ValueError
        raise DatasetError(
            [Problem(fname, None, None, "CSV syntax", f"pandas cannot read it: {e}")]
        ) from None
    raw.columns = [str(c).strip() for c in raw.columns]
    raw = raw.apply(lambda c: c.str.strip())
    raw = raw[~(raw == "").all(axis=1)].reset_index(drop=True)  # blank rows
    data = {}
    for field in fields:
        n = field["name"]
        try:
            column = raw[n]
            data[n] = _typed(column, field, column.isin(missing_values))
        except (KeyError, ValueError, TypeError) as e:
            raise DatasetError(
                [
                    Problem(
                        fname,
                        None,
                        n,
                        f"type {field.get('type', 'string')}",
                        f"cannot be read as the schema's type: {e}",
                    )
                ]
            ) from None
    return pd.DataFrame(data)


def _fingerprint(folder: Path) -> tuple:
    """Modification times of the package and its files, so edits invalidate the in-memory cache."""
    out = []
    for p in sorted(folder.glob("*")):
        if p.suffix in (".csv", ".json"):
            st = p.stat()
            out.append((p.name, st.st_mtime_ns, st.st_size))
    return tuple(out)


@lru_cache(maxsize=64)
def _load_cached(folder: str, name: str, fingerprint: tuple) -> pd.DataFrame:
    folder_p = Path(folder)
    validate(name, folder_p)
    return _read_frame(folder_p, resource(read_package(folder_p), name))


def load(name: str, datasets: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load one table of the data package by name, validated and typed.

    Dates become ``datetime64[ns]`` (``NaT`` when empty), integers nullable
    ``Int64``, booleans ``bool``, text ``string``. Raises :class:`DatasetError`
    if the file breaks its schema. Each call returns a fresh copy.
    """
    folder = datasets_dir(datasets)
    return _load_cached(str(folder), name, _fingerprint(folder)).copy()


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

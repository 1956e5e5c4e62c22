"""Reading ``datapackage.json``: the tables it describes and how they link."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import DatasetError, Problem
from .location import datasets_dir

__all__ = ["read_package", "resource", "resource_names", "linked_resources"]


def read_package(folder: Path) -> dict:
    """The parsed descriptor of the data package in ``folder``."""
    path = folder / "datapackage.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise DatasetError([Problem(path.name, None, None, "valid JSON", f"not valid JSON: {e}")]) from None


def resource_names(path: str | os.PathLike | None = None) -> list[str]:
    """Names of the tables in the data package, in its order."""
    return [r["name"] for r in read_package(datasets_dir(path))["resources"]]


def resource(package: dict, name: str) -> dict:
    """The descriptor of the table ``name``; a :class:`KeyError` listing the known ones if there is none."""
    for r in package["resources"]:
        if r["name"] == name:
            return r
    known = ", ".join(r["name"] for r in package["resources"])
    raise KeyError(f"no dataset named {name!r}; the datasets are: {known}")


def linked_resources(package: dict, name: str) -> list[str]:
    """The other tables that ``name``'s foreign keys point into."""
    out = []
    for fk in resource(package, name)["schema"].get("foreignKeys", []):
        target = fk["reference"].get("resource") or name
        if target != name and target not in out:
            out.append(target)
    return out

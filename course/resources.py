"""Where the course's own files are: the datasets, the lessons, the example notebooks.

Installed from a wheel, they are package data, found with
:mod:`importlib.resources`:

- ``course/_datasets/``: the CSV files and ``datapackage.json``;
- ``course/_lessons/``: the lesson notebooks;
- ``widgets/examples/``: the widgets' example notebooks.

In the repository (the editable install ``make`` and Binder make) the first
two are the top-level folders ``datasets/`` and ``lessons/``: git keeps one
copy, and ``setup.py`` maps those folders into the package when a wheel is
built. Standard library only, so that it is cheap to import (the grading
jail and the ``course`` command use it without pandas).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

# package data folder in a wheel -> the repository folder it is built from (setup.py)
PACKAGED = {
    "datasets": ("course", "_datasets", "datasets"),
    "lessons": ("course", "_lessons", "lessons"),
    "examples": ("widgets", "examples", "widgets/examples"),
}


class ResourceError(FileNotFoundError):
    """A folder of the course's files is missing from this installation; the message says what to do."""


def _package_root(package: str) -> Path:
    root = resources.files(package)
    if not isinstance(root, Path):  # e.g. imported from a zip file
        raise ResourceError(
            f"the {package!r} package is not installed as plain files ({root}); "
            f"install the course with pip, unzipped"
        )
    return root


def _candidates(kind: str) -> list[Path]:
    package, inside, in_repo = PACKAGED[kind]
    root = _package_root(package)
    out = [root / inside]
    if kind != "examples":  # widgets/examples is the same folder in both layouts
        out.append(root.parent / in_repo)  # an editable install: the repository's folder
    return out


def _find(kind: str, marker: str) -> Path | None:
    for c in _candidates(kind):
        if c.is_dir() and (c / marker if marker else c).exists() and (marker or any(c.glob("*.ipynb"))):
            return c.resolve()
    return None


def packaged_datasets() -> Path | None:
    """The datasets folder this installation ships (wheel) or sits beside (repository), or None."""
    return _find("datasets", "datapackage.json")


def datasets_location() -> Path:
    """Where the installed datasets are, or, if they are missing, where they should be (for the error)."""
    return packaged_datasets() or _candidates("datasets")[0]


def lessons_dir() -> Path:
    """The folder of the lesson notebooks (``00_start_here.ipynb`` ...)."""
    found = _find("lessons", "")
    if found is None:
        raise ResourceError(missing_message("lessons"))
    return found


def examples_dir() -> Path:
    """The folder of the widgets' example notebooks."""
    found = _find("examples", "")
    if found is None:
        raise ResourceError(missing_message("examples"))
    return found


def missing_message(kind: str) -> str:
    looked = ", ".join(str(c) for c in _candidates(kind))
    fix = (
        "reinstall the course (`pip install --force-reinstall helsinki-nea-course`, or `make install` in "
        "the repository)"
    )
    if kind == "datasets":
        fix += ", or set COURSE_DATASETS to a folder holding datapackage.json"
    return f"the course's {kind} are not in this installation (looked in {looked}); {fix}"

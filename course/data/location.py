"""Where the datasets are: :func:`datasets_dir`."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import DatasetError, Problem

__all__ = ["datasets_dir"]


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

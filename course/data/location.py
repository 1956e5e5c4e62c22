"""Where the datasets are: :func:`datasets_dir`."""
from __future__ import annotations

import os
from pathlib import Path

from .errors import DatasetError, Problem

__all__ = ["datasets_dir"]


def datasets_dir(path: str | os.PathLike | None = None) -> Path:
    """The folder holding ``datapackage.json``.

    In order: ``path`` if given, the ``COURSE_DATASETS`` environment
    variable, then ``datasets/`` beside the ``course`` package (an editable
    install from the repository, as ``make`` and Binder do).
    """
    candidates = []
    if path is not None:
        candidates.append(Path(path))
    elif os.environ.get("COURSE_DATASETS"):
        candidates.append(Path(os.environ["COURSE_DATASETS"]))
    else:
        candidates.append(Path(__file__).resolve().parent.parent.parent / "datasets")
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
                    "no datapackage.json here. Install the course from its repository with "
                    "`pip install -e .` (or `make lab`), or set COURSE_DATASETS to the datasets folder"
                ),
            )
        ]
    )

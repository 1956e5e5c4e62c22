"""Load the course's datasets as typed pandas DataFrames, validated on the way in.

Every CSV in ``datasets/`` is described by ``datasets/datapackage.json`` (a
Frictionless Tabular Data Package). Loading checks each file against its
Table Schema with `frictionless <https://framework.frictionlessdata.io>`_
(header, types, required values, enums, patterns, ranges, unique and
primary keys, foreign keys) and against the schema's ``x-rules``, checks
that Table Schema cannot express (an end date before its start, a date
whose precision it contradicts, an unverified row, a total that is not the
sum of its parts), written as frictionless checks.

A file that breaks a rule raises :class:`DatasetError`, naming the file, the
row, the column and the rule. Nothing is dropped silently.

>>> from course.data import load_events
>>> events = load_events()
>>> events.loc[events.id == "helsinki-final-act", "date"].dt.year.item()
1975

Run ``python -m course.data`` to validate every dataset and print a summary.

One job per module:

=========================  ==========================================================
:mod:`~course.data.location`    where the datasets folder is (:func:`datasets_dir`)
:mod:`~course.data.descriptor`  reading ``datapackage.json``
:mod:`~course.data.errors`      :class:`DatasetError` and :class:`Problem`
:mod:`~course.data.validation`  the adapter from frictionless's errors to :class:`Problem`
:mod:`~course.data.rules`       the ``x-rules`` as frictionless checks
:mod:`~course.data.verdicts`    remembering valid contents by hash, so lessons skip frictionless
:mod:`~course.data.loading`     typed DataFrames (pandas) and the in-memory cache
:mod:`~course.data.tables`      one loader per table
:mod:`~course.data.cli`         ``python -m course.data``
=========================  ==========================================================
"""

from __future__ import annotations

from .descriptor import resource_names
from .errors import DatasetError, Problem
from .loading import load, validate, validate_all
from .location import datasets_dir
from .tables import (
    load_chapters,
    load_decalogue,
    load_eras,
    load_events,
    load_family_registry,
    load_obstacles,
    load_participants,
    load_primary_texts,
    load_reunion_rounds,
    load_scorecard_ratings,
    load_statements,
    load_storehouse,
)

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
    "load_scorecard_ratings",
    "load_statements",
    "load_primary_texts",
    "resource_names",
    "validate",
    "validate_all",
    "main",
]


def main(argv: list[str] | None = None) -> int:
    """``python -m course.data [DATASETS_DIR]``: validate every dataset and print a summary (see
    :mod:`course.data.cli`)."""
    from .cli import main as cli_main  # argparse only when the command runs

    return cli_main(argv)

"""The timeline model: events and eras by track, filters, search, layout and description (no widgets).

One module per job:

* :mod:`~course.timeline.schema` -- the tables' rules, read from ``datasets/datapackage.json``
  (the allowed tracks and precisions are its enums);
* :mod:`~course.timeline.events` -- preparing the two tables (a table from outside
  ``course.data`` is checked once, here, with the schema's rules);
* :mod:`~course.timeline.state` -- :class:`ViewState`, :class:`AlignSide` and the checks of view parameters;
* :mod:`~course.timeline.layout` -- slots, lanes, sub-rows and aligned offsets;
* :mod:`~course.timeline.scene` -- :class:`Scene`, all that one state puts on screen;
* :mod:`~course.timeline.text` -- dates, search words, the count line and the text description;
* :mod:`~course.timeline.timeline` -- :class:`Timeline`, the prepared tables and their indexes.

Import what you need from here: ``from course.timeline import Timeline, TRACKS``.
``TRACKS``, ``TRACK_LABELS`` and ``PRECISIONS`` are those of the course's data package.
"""

from .events import ERA_COLUMNS, EVENT_COLUMNS, check_table, era_names, prepare_eras, prepare_events
from .layout import SlotLayout, pack_rows, years_since
from .scene import Detail, EraBand, Offset, Scene
from .schema import TimelineSchema, load_schema, track_label
from .state import MODES, AlignSide, ViewState, check_tracks, to_timestamp
from .text import (
    describe_per_year,
    fold_text,
    format_date,
    format_when,
    search_terms,
    split_actors,
    year_span,
)
from .timeline import Timeline

__all__ = [
    "TRACKS",
    "TRACK_LABELS",
    "PRECISIONS",
    "EVENT_COLUMNS",
    "ERA_COLUMNS",
    "MODES",
    "AlignSide",
    "ViewState",
    "SlotLayout",
    "Scene",
    "Detail",
    "Offset",
    "EraBand",
    "Timeline",
    "TimelineSchema",
    "load_schema",
    "track_label",
    "check_table",
    "prepare_events",
    "prepare_eras",
    "check_tracks",
    "to_timestamp",
    "split_actors",
    "fold_text",
    "search_terms",
    "format_date",
    "format_when",
    "years_since",
    "pack_rows",
    "era_names",
    "year_span",
    "describe_per_year",
]


def __getattr__(name):
    # read from the data package when first asked for, so importing the model needs no datasets folder
    if name == "TRACKS":
        return load_schema().tracks
    if name == "TRACK_LABELS":
        return load_schema().track_labels
    if name == "PRECISIONS":
        return load_schema().precisions
    raise AttributeError(f"module 'course.timeline' has no attribute {name!r}")

"""Inputs of the out-of-kernel checks, built the same way in the student's kernel and in the grader.

A probe expression (the *input* of a check, never its expected value) may
call these. They build the course's tables, or perturbed copies the student
has never seen: rows shuffled, some rows dropped, dates shifted, titles
changed. A hard-coded answer to the visible inputs then fails, while a
correct function passes, because the grader computes what it expects by
running the reference solution on the very same perturbed input.

Deterministic: the same arguments give the same table in both processes.
Patching this module in the kernel only changes the student's own results.
"""

from __future__ import annotations


def table(
    name: str,
    seed: int | None = None,
    drop: float = 0.0,
    keep: tuple = (),
    shift_days: int = 0,
    shuffle: bool = True,
):
    """The course table ``load_<name>()``; with ``seed``, a perturbed copy.

    ``drop``: fraction of rows removed at random (rows whose ``id`` is in
    ``keep`` stay); ``shift_days``: every date column moved by that many days;
    ``shuffle``: rows in a random order with a shuffled index.
    """
    import numpy as np
    import pandas as pd

    from course import data

    frame = getattr(data, f"load_{name}")()
    if seed is None:
        return frame
    rng = np.random.default_rng(seed)
    if drop:
        protected = frame["id"].isin(list(keep)) if "id" in frame else pd.Series(False, index=frame.index)
        chosen = rng.random(len(frame)) >= drop
        frame = frame[chosen | protected.to_numpy()].copy()
    if shift_days:
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column] + pd.Timedelta(days=shift_days)
    if shuffle:
        order = rng.permutation(len(frame))
        frame = frame.iloc[order]
        frame.index = pd.Index(rng.permutation(len(frame)) + 1000)
    return frame.copy()


def ids(name: str, **where) -> list:
    """The ``id`` column of a course table, in its order, for the rows matching ``where`` (column=value)."""
    frame = table(name)
    for column, value in where.items():
        frame = frame[frame[column] == value]
    return [str(i) for i in frame["id"]]


def frame(columns: dict, dates: tuple = (), ints: tuple = ()):
    """A small table built from plain lists: ``dates`` columns parsed as dates, ``ints`` as nullable Int64."""
    import pandas as pd

    out = pd.DataFrame({name: list(values) for name, values in columns.items()})
    for name in dates:
        out[name] = pd.to_datetime(out[name])
    for name in ints:
        out[name] = pd.array(list(columns[name]), dtype="Int64")
    return out

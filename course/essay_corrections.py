"""Lesson 09: where Goodby and Heiskanen's essay (2021) needs correcting, built from the course data.

:func:`essay_corrections` returns one row per slip in the essay: what the essay
says, what the record says, and where to check. Every date in "the record" is
read from ``events.csv`` or ``storehouse_documents.csv`` (through the tables
the lesson has loaded), so a correction to the data corrects the table too;
what the essay says about the two misdated texts is read from the column
``essay_says`` of the storehouse. Pure pandas, no ipywidgets.

>>> from course.data import load_events, load_storehouse
>>> table = essay_corrections(load_events(), load_storehouse())
>>> list(table.columns)
['the essay says', 'the record', 'where to check']
"""

from __future__ import annotations

import pandas as pd

__all__ = ["essay_corrections", "day"]

#: The events and storehouse documents the corrections read, by id.
EVENT_IDS = (
    "tongilgak-meeting-2018",
    "pyongyang-summit-2018",
    "biden-dprk-policy-review",
    "helsinki-final-act",
    "charter-of-paris",
)
DOCUMENT_IDS = ("panmunjom-declaration", "inter-korean-basic-agreement")


def day(ts) -> str:
    """A date as the lesson writes it: ``"13 Dec 1991"`` (no leading zero)."""
    ts = pd.Timestamp(ts)
    return f"{ts.day} {ts:%b %Y}"


def _indexed(table: pd.DataFrame, name: str, columns: tuple[str, ...], ids: tuple[str, ...]) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"essay_corrections: {name} must be a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in ("id", *columns) if c not in table.columns]
    if missing:
        raise ValueError(f"essay_corrections: {name} lacks the column(s) {missing}")
    indexed = table.set_index("id")
    absent = [i for i in ids if i not in indexed.index]
    if absent:
        raise ValueError(f"essay_corrections: {name} has no row with the id(s) {absent}")
    for i in ids:
        for c in columns:
            if pd.isna(indexed.loc[i, c]):
                raise ValueError(f"essay_corrections: {name} has no {c!r} for {i!r}")
    return indexed


def essay_corrections(events: pd.DataFrame, storehouse: pd.DataFrame) -> pd.DataFrame:
    """The essay's factual slips and the record, as lesson 09 shows them.

    ``events`` is :func:`course.data.load_events` (needs ``id`` and ``date``), ``storehouse``
    :func:`course.data.load_storehouse` (needs ``id``, ``signed``, ``in_force`` and ``essay_says``).
    A missing column, row or value raises ``ValueError`` naming it.
    """
    ev = _indexed(events, "events", ("date",), EVENT_IDS)
    doc = _indexed(storehouse, "storehouse", ("signed", "essay_says"), DOCUMENT_IDS)
    _indexed(storehouse, "storehouse", ("in_force",), ("inter-korean-basic-agreement",))
    pd_ = doc.loc["panmunjom-declaration"]
    ba = doc.loc["inter-korean-basic-agreement"]
    rows = [
        (
            "The Panmunjom Declaration was " + pd_["essay_says"],
            f"Signed on {day(pd_['signed'])} at the Peace House, on the southern side of "
            f"Panmunjom. Moon and Kim met again on {day(ev.loc['tongilgak-meeting-2018', 'date'])} on the "
            f"northern side but signed nothing new; Moon's only visit to Pyongyang began on "
            f"{day(ev.loc['pyongyang-summit-2018', 'date'])}.",
            "events.csv: panmunjom-declaration-2018, tongilgak-meeting-2018, pyongyang-summit-2018",
        ),
        (
            "The North–South agreement was " + ba["essay_says"],
            f"Signed on {day(ba['signed'])} by Prime Minister Chung Won-shik and Premier Yon Hyong-muk; in force "
            f"from {day(ba['in_force'])}. South Korea's president was Roh Tae-woo.",
            "storehouse_documents.csv: inter-korean-basic-agreement; Wilson Center on Roh Tae-woo",
        ),
        (
            "Biden's 'month-long' policy review",
            f"A review of several months, completed on {day(ev.loc['biden-dprk-policy-review', 'date'])}.",
            "events.csv: biden-dprk-policy-review; Reuters via National Post",
        ),
        (
            "The Final Act as 'the founding document of Europe's post-Cold War international order'",
            f"The Final Act ({day(ev.loc['helsinki-final-act', 'date'])}) is a Cold War text. The post-Cold War "
            f"order was set out in the Charter of Paris ({day(ev.loc['charter-of-paris', 'date'])}), which "
            "builds on it.",
            "events.csv: helsinki-final-act, charter-of-paris",
        ),
        (
            "'the Worker's Party of North Korea'",
            "The Workers' Party of Korea (WPK).",
            "Yonhap and Xinhua reports on the June 2021 plenum",
        ),
    ]
    return pd.DataFrame(rows, columns=["the essay says", "the record", "where to check"])

"""One loader per table, each sorted the way the lessons read it."""

from __future__ import annotations

import pandas as pd

from .loading import load

__all__ = [
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
]


def load_events(datasets=None) -> pd.DataFrame:
    """Dated events 1963–2021 on five tracks (``events.csv``), sorted by date."""
    return load("events", datasets).sort_values(["date", "id"], kind="stable").reset_index(drop=True)


def load_eras(datasets=None) -> pd.DataFrame:
    """Era bands for the timeline (``eras.csv``)."""
    return load("eras", datasets)


def load_participants(datasets=None) -> pd.DataFrame:
    """The 35 CSCE participants of 1975 and the absent European states (``csce_participants.csv``)."""
    return load("csce_participants", datasets)


def load_decalogue(datasets=None) -> pd.DataFrame:
    """The ten principles of the Final Act (``decalogue.csv``), in order."""
    return load("decalogue", datasets).sort_values("number").reset_index(drop=True)


def load_chapters(datasets=None) -> pd.DataFrame:
    """The chapters and main sections of the Final Act (``final_act_chapters.csv``), in order."""
    return load("final_act_chapters", datasets).sort_values("order").reset_index(drop=True)


def load_obstacles(datasets=None) -> pd.DataFrame:
    """Eskeland's six obstacles to transfer (``transfer_obstacles.csv``)."""
    return load("transfer_obstacles", datasets).sort_values("id").reset_index(drop=True)


def load_storehouse(datasets=None) -> pd.DataFrame:
    """Goodby & Heiskanen's storehouse of documents, plus two they leave out (``storehouse_documents.csv``)."""
    return (
        load("storehouse_documents", datasets)
        .sort_values(["adopted", "id"], kind="stable")
        .reset_index(drop=True)
    )


def load_family_registry(datasets=None) -> pd.DataFrame:
    """Separated-family applicant registry snapshots and deaths (``family_registry.csv``)."""
    return load("family_registry", datasets).sort_values("as_of").reset_index(drop=True)


def load_reunion_rounds(datasets=None) -> pd.DataFrame:
    """Family-reunion rounds (``family_reunion_rounds.csv``), by date."""
    return load("family_reunion_rounds", datasets).sort_values("start_date").reset_index(drop=True)


def load_scorecard_ratings(datasets=None) -> pd.DataFrame:
    """The course's rating of each obstacle in each setting, with its reason and source
    (``scorecard_ratings.csv``), by obstacle and setting."""
    return load("scorecard_ratings", datasets).sort_values(["obstacle_id", "setting"]).reset_index(drop=True)


def load_statements(datasets=None) -> pd.DataFrame:
    """Short attributed statements by each party (``statements.csv``), by date."""
    return load("statements", datasets).sort_values(["date", "id"], kind="stable").reset_index(drop=True)


def load_primary_texts(datasets=None) -> pd.DataFrame:
    """Short exact excerpts of the primary documents (``primary_texts.csv``), by document date."""
    return load("primary_texts", datasets).sort_values(["date", "id"], kind="stable").reset_index(drop=True)

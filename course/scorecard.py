"""A scorecard for Eskeland's (2014) six obstacles to carrying the Helsinki model over to North Korea.

The learner rates each obstacle from 0 (no obstacle) to 4 (prohibitive) in
three settings -- Europe 1975, Northeast Asia 2014 and Northeast Asia 2021 --
and compares the result, on a radar chart, with the course's own ratings.

The course's ratings (:func:`course_judgements`, stored in
``datasets/scorecard_ratings.csv``) are a **judgement**, not data: each comes
with a one-line reason and the URL the fact it states was checked against. Disagreeing with them is the point of the
exercise, as long as you can give a reason.

This module is the pure scoring (no ipywidgets, no plotly):
:func:`validate_ratings`, :func:`compare`, :func:`totals`, :func:`describe`.
The view over it is :class:`widgets.scorecard.Scorecard`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SETTINGS",
    "SCALE",
    "MIN_RATING",
    "MAX_RATING",
    "DEFAULT_RATING",
    "Judgement",
    "Obstacle",
    "Gap",
    "course_judgements",
    "obstacles_from",
    "validate_settings",
    "validate_ratings",
    "course_ratings",
    "course_table",
    "totals",
    "compare",
    "describe",
]

#: The three settings, in display order, with their labels.
SETTINGS: dict[str, str] = {
    "europe-1975": "Europe 1975",
    "nea-2014": "Northeast Asia 2014",
    "nea-2021": "Northeast Asia 2021",
}

#: The rating scale.
SCALE: dict[int, str] = {0: "no obstacle", 1: "minor", 2: "serious", 3: "severe", 4: "prohibitive"}
MIN_RATING, MAX_RATING = min(SCALE), max(SCALE)

DEFAULT_RATING = 2


@dataclass(frozen=True)
class Judgement:
    """The course's rating of one obstacle in one setting, with its reason."""

    rating: int
    reason: str
    source_url: str = ""


@dataclass(frozen=True)
class Obstacle:
    number: int  # Eskeland's order (the ``id`` column of transfer_obstacles.csv)
    slug: str
    name: str


@dataclass(frozen=True)
class Gap:
    """One difference between the learner's rating and the course's."""

    slug: str
    name: str
    setting: str
    yours: int
    course: int
    reason: str

    @property
    def diff(self) -> int:
        return self.yours - self.course


def course_judgements(table: Any = None) -> dict[int, dict[str, Judgement]]:
    """The course's ratings, ``{obstacle number: {setting: Judgement}}``: a reasoned judgement, not data.

    Read from ``datasets/scorecard_ratings.csv`` (:func:`course.data.load_scorecard_ratings`,
    the default), or from ``table``, a DataFrame with its columns (``obstacle_id``, ``setting``,
    ``rating``, ``reason``, ``source_url``). Every setting of every obstacle must be rated.
    """
    if table is None:
        from course.data import load_scorecard_ratings

        table = load_scorecard_ratings()
    missing = {"obstacle_id", "setting", "rating", "reason", "source_url"} - set(table.columns)
    if missing:
        raise ValueError(f"ratings table: lacks the column(s) {sorted(missing)}")
    out: dict[int, dict[str, Judgement]] = {}
    for r in table.itertuples(index=False):
        out.setdefault(int(r.obstacle_id), {})[str(r.setting)] = Judgement(
            int(r.rating), str(r.reason), str(r.source_url)
        )
    for number, by_setting in out.items():
        unrated = [s for s in SETTINGS if s not in by_setting]
        if unrated:
            raise ValueError(f"ratings table: obstacle {number} has no rating for {', '.join(unrated)}")
    return out


# ------------------------------------------------------------------ pure logic
def obstacles_from(obstacles: Any = None) -> list[Obstacle]:
    """The obstacles as :class:`Obstacle` records, in Eskeland's order.

    ``obstacles`` is the DataFrame of :func:`course.data.load_obstacles` (the
    default), or any iterable of ``(number, slug, name)`` triples or
    :class:`Obstacle` records.
    """
    if obstacles is None:
        from course.data import load_obstacles

        obstacles = load_obstacles()
    if hasattr(obstacles, "itertuples"):
        missing = {"id", "slug", "short_name"} - set(obstacles.columns)
        if missing:
            raise ValueError(f"obstacles: the table lacks the column(s) {sorted(missing)}")
        rows = [
            Obstacle(int(r.id), str(r.slug), str(r.short_name)) for r in obstacles.itertuples(index=False)
        ]
    else:
        rows = [
            o if isinstance(o, Obstacle) else Obstacle(int(o[0]), str(o[1]), str(o[2])) for o in obstacles
        ]
    if len(rows) < 3:
        raise ValueError(f"obstacles: a radar chart needs at least 3 obstacles, got {len(rows)}")
    if len({o.slug for o in rows}) != len(rows):
        raise ValueError("obstacles: the slugs must be distinct")
    return sorted(rows, key=lambda o: o.number)


def validate_settings(settings: Iterable[str] | None = None) -> tuple[str, ...]:
    """The settings to show, checked against :data:`SETTINGS` (all three by default)."""
    if settings is None:
        return tuple(SETTINGS)
    if isinstance(settings, str):
        settings = [settings]
    settings = tuple(settings)
    if not settings:
        raise ValueError("settings: give at least one setting")
    for s in settings:
        if s not in SETTINGS:
            raise ValueError(f"settings: unknown setting {s!r}; the settings are {', '.join(SETTINGS)}")
    if len(set(settings)) != len(settings):
        raise ValueError("settings: each setting may appear only once")
    return tuple(s for s in SETTINGS if s in settings)


def _check_value(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise ValueError(f"{where} = {value!r} is not a whole number from {MIN_RATING} to {MAX_RATING}")
    if not MIN_RATING <= value <= MAX_RATING:
        raise ValueError(
            f"{where} = {value!r} is out of range: ratings run from {MIN_RATING} "
            f"({SCALE[MIN_RATING]}) to {MAX_RATING} ({SCALE[MAX_RATING]})"
        )
    return int(value)


def validate_ratings(
    ratings: Mapping | None,
    obstacles: Iterable[Obstacle],
    settings: Iterable[str],
    *,
    default: int | None = DEFAULT_RATING,
    param: str = "ratings",
) -> dict[tuple[str, str], int]:
    """Check ratings and return them as ``{(slug, setting): int}``.

    ``ratings`` may be keyed by ``(slug, setting)`` pairs, or nested by
    setting: ``{"nea-2014": {"recognition": 3, ...}}``. Missing ratings get
    ``default`` (with ``default=None`` every rating must be given). A bad
    setting, obstacle or value raises :class:`ValueError` naming ``param``.
    """
    obstacles = list(obstacles)
    settings = tuple(settings)
    slugs = [o.slug for o in obstacles]
    flat: dict[tuple[str, str], Any] = {}
    for key, value in (ratings or {}).items():
        if isinstance(key, tuple):
            if len(key) != 2:
                raise ValueError(f"{param}: key {key!r} must be an (obstacle, setting) pair")
            flat[key] = value
        elif isinstance(value, Mapping):
            for slug, v in value.items():
                flat[(slug, key)] = v
        else:
            raise ValueError(
                f"{param}: key {key!r} must be a setting (with a dict of ratings) "
                "or an (obstacle, setting) pair"
            )
    out: dict[tuple[str, str], int] = {}
    for (slug, setting), value in flat.items():
        if setting not in SETTINGS:
            raise ValueError(f"{param}: unknown setting {setting!r}; the settings are {', '.join(SETTINGS)}")
        if setting not in settings:
            raise ValueError(
                f"{param}: setting {setting!r} is not shown on this scorecard (settings={list(settings)})"
            )
        if slug not in slugs:
            raise ValueError(f"{param}: unknown obstacle {slug!r}; the obstacles are {', '.join(slugs)}")
        out[(slug, setting)] = _check_value(value, f"{param}[{slug!r}, {setting!r}]")
    if default is not None:
        default = _check_value(default, "default")
    return {
        (o.slug, s): out.get((o.slug, s), default)
        for o in obstacles
        for s in settings
        if (o.slug, s) in out or default is not None
    }


def course_ratings(
    obstacles: Iterable[Obstacle], settings: Iterable[str] | None = None
) -> dict[tuple[str, str], Judgement]:
    """The course's judgement for each ``(slug, setting)``, matched by Eskeland's order."""
    settings = validate_settings(settings)
    judgements = course_judgements()
    out = {}
    for o in obstacles:
        if o.number not in judgements:
            raise ValueError(
                f"obstacles: the course has no rating for obstacle number {o.number} ({o.slug!r})"
            )
        for s in settings:
            out[(o.slug, s)] = judgements[o.number][s]
    return out


def course_table(obstacles: Any = None, settings: Iterable[str] | None = None):
    """The course's ratings and reasons as a pandas DataFrame (one row per obstacle and setting)."""
    import pandas as pd

    obs = obstacles_from(obstacles)
    settings = validate_settings(settings)
    judged = course_ratings(obs, settings)
    rows = [
        {
            "obstacle": o.name,
            "setting": SETTINGS[s],
            "rating": judged[(o.slug, s)].rating,
            "meaning": SCALE[judged[(o.slug, s)].rating],
            "reason": judged[(o.slug, s)].reason,
        }
        for o in obs
        for s in settings
    ]
    return pd.DataFrame(rows)


def totals(ratings: Mapping[tuple[str, str], int], settings: Iterable[str]) -> dict[str, int]:
    """The sum of the ratings in each setting."""
    return {s: sum(v for (_, st), v in ratings.items() if st == s) for s in settings}


def compare(
    ratings: Mapping[tuple[str, str], int], obstacles: Iterable[Obstacle], settings: Iterable[str]
) -> list[Gap]:
    """Where the learner's ratings differ from the course's, largest difference first."""
    obs = list(obstacles)
    judged = course_ratings(obs, settings)
    gaps = [
        Gap(o.slug, o.name, s, ratings[(o.slug, s)], judged[(o.slug, s)].rating, judged[(o.slug, s)].reason)
        for o in obs
        for s in validate_settings(settings)
        if ratings[(o.slug, s)] != judged[(o.slug, s)].rating
    ]
    order = {s: i for i, s in enumerate(SETTINGS)}
    return sorted(gaps, key=lambda g: (-abs(g.diff), order[g.setting]))


def describe(
    ratings: Mapping[tuple[str, str], int],
    obstacles: Iterable[Obstacle],
    settings: Iterable[str],
    *,
    with_course: bool = True,
    max_gaps: int = 5,
) -> str:
    """A plain-text summary of the ratings and, with ``with_course``, how they compare with the course's."""
    obs = list(obstacles)
    settings = validate_settings(settings)
    top = len(obs) * MAX_RATING
    lines = [
        f"Your ratings (0 = {SCALE[MIN_RATING]} ... {MAX_RATING} = {SCALE[MAX_RATING]}), "
        f"summed over {len(obs)} obstacles (maximum {top}):"
    ]
    mine = totals(ratings, settings)
    judged = course_ratings(obs, settings) if with_course else {}
    course_tot = {s: sum(judged[(o.slug, s)].rating for o in obs) for s in settings} if with_course else {}
    for s in settings:
        values = [ratings[(o.slug, s)] for o in obs]
        worst = max(values)
        names = [o.name for o in obs if ratings[(o.slug, s)] == worst]
        if min(values) == worst:
            line = f"- {SETTINGS[s]}: {mine[s]}/{top}; all {len(obs)} rated {worst} ({SCALE[worst]})"
        else:
            line = f"- {SETTINGS[s]}: {mine[s]}/{top}; highest ({worst}, {SCALE[worst]}): {', '.join(names)}"
        if with_course:
            line += f". Course: {course_tot[s]}/{top}"
        lines.append(line + ".")
    if not with_course:
        lines.append("The course's ratings are hidden: rate first, then show them to compare.")
        return "\n".join(lines)
    gaps = compare(ratings, obs, settings)
    n = len(obs) * len(settings)
    if not gaps:
        lines.append(f"You agree with the course on all {n} ratings.")
        return "\n".join(lines)
    lines.append(
        f"You agree with the course on {n - len(gaps)} of {n} ratings. "
        f"Largest differences (yours vs the course's):"
    )
    for g in gaps[:max_gaps]:
        lines.append(
            f"- {g.name}, {SETTINGS[g.setting]}: you {g.yours}, course {g.course}. "
            f"Course's reason: {g.reason}"
        )
    if len(gaps) > max_gaps:
        lines.append(f"... and {len(gaps) - max_gaps} smaller difference(s).")
    return "\n".join(lines)

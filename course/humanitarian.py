"""The humanitarian clock: how fast South Korea's register of separated-family applicants is dying out.

South Korea's Ministry of Unification and the Korean Red Cross keep a
register of people who have applied to meet, or learn the fate of, relatives
in North Korea. Registration began in **1988**. The course dataset
``family_registry.csv`` (loaded with :func:`course.data.load_family_registry`)
holds two kinds of row:

* **snapshots**: on date ``as_of``, ``registered_total`` applicants had ever
  registered, of whom ``deceased`` had died and ``alive`` were alive;
* **death counts**: ``deaths_in_period`` applicants died between
  ``period_start`` and ``as_of`` (usually a calendar year).

These are counts of *applicants*, not of all separated families: many
separated people never registered, and the register says nothing about the
relatives in the North.

This module holds the pure projections (no ipywidgets, no plotly):
:func:`observed_alive`, :func:`period_death_rates`, :func:`estimate_death_rate`,
:func:`project_survivors`, :func:`years_until_below`, :func:`crossing` and
:func:`describe`. The view over them is :class:`widgets.humanitarian.HumanitarianClock`.

The projection is deliberately simple: a **constant** annual death rate
applied to the last observed count, with no new registrations (a few hundred
a year at most). Because the survivors grow older every year, the real rate
rises over time, so the real clock runs faster than a constant-rate line.

>>> from course.humanitarian import project_survivors
>>> project_survivors(10_000, "2020-01-01", 0.10, 2).survivors.round().tolist()
[10000.0, 9000.0, 8100.0]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "RATE_MIN",
    "RATE_MAX",
    "DEFAULT_THRESHOLD",
    "DEFAULT_UNTIL",
    "observed_alive",
    "period_death_rates",
    "estimate_death_rate",
    "project_survivors",
    "years_until_below",
    "crossing",
    "describe",
    "projection_state",
    "registry_table",
    "check_rate",
    "check_positive",
    "check_until",
    "projection_until",
    "percent",
]

#: The death-rate slider's range (annual probability of dying).
RATE_MIN, RATE_MAX = 0.005, 0.30
#: The projection marks the date it falls below this many survivors.
DEFAULT_THRESHOLD = 10_000
#: The projection runs to the end of this year.
DEFAULT_UNTIL = 2040
_LAST_UNTIL = 2100
_DAYS_PER_YEAR = 365.25

_NEEDED = ("as_of", "period_start", "alive", "deaths_in_period")


# ------------------------------------------------------------ validation
def registry_table(registry: Any) -> pd.DataFrame:
    """The registry table (default: the course dataset), checked and sorted by ``as_of``."""
    if registry is None:
        from course.data import load_family_registry

        registry = load_family_registry()
    if not isinstance(registry, pd.DataFrame):
        raise ValueError(
            f"registry must be a pandas DataFrame like load_family_registry() returns, "
            f"got {type(registry).__name__}"
        )
    missing = [c for c in _NEEDED if c not in registry.columns]
    if missing:
        raise ValueError(
            f"registry is missing column(s) {', '.join(missing)}; "
            f"it needs {', '.join(_NEEDED)} (see datasets/datapackage.json)"
        )
    out = registry.copy()
    for c in ("as_of", "period_start"):
        out[c] = pd.to_datetime(out[c])
    return out.sort_values("as_of", kind="stable").reset_index(drop=True)


def check_rate(annual_death_rate: Any, name: str = "annual_death_rate") -> float:
    try:
        r = float(annual_death_rate)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a number strictly between 0 and 1 "
            f"(e.g. 0.06 for 6 % a year), got {annual_death_rate!r}"
        ) from None
    if not (0 < r < 1) or not math.isfinite(r):
        raise ValueError(
            f"{name} must be strictly between 0 and 1 (e.g. 0.06 for 6 % a year), got {annual_death_rate!r}"
        )
    return r


def check_positive(value: Any, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number greater than 0, got {value!r}") from None
    if not (v > 0 and math.isfinite(v)):
        raise ValueError(f"{name} must be a number greater than 0, got {value!r}")
    return v


def _check_years(years: Any) -> int:
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or not 0 <= int(years) <= 200:
        raise ValueError(f"years must be a whole number from 0 to 200, got {years!r}")
    return int(years)


def _check_date(value: Any, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a date such as '2025-12-31', got {value!r}") from None
    if ts is pd.NaT:
        raise ValueError(f"{name} must be a date such as '2025-12-31', got {value!r}")
    return ts


# ------------------------------------------------------------ the data
def observed_alive(registry: Any = None) -> pd.DataFrame:
    """The snapshots that give a count of living applicants, oldest first.

    Columns: ``date``, ``alive``, ``registered_total`` and ``deceased`` (nullable
    ``Int64``; a snapshot may give the living without the dead), ``dead_share``
    (deceased / registered_total, NaN when unknown) and ``source_url``.
    """
    reg = registry_table(registry)
    snaps = reg[reg["alive"].notna()]
    out = pd.DataFrame(
        {
            "date": snaps["as_of"].to_numpy(),
            "alive": snaps["alive"].astype("Int64").to_numpy(),
            "registered_total": (snaps["registered_total"] if "registered_total" in snaps else pd.NA),
            "deceased": (snaps["deceased"] if "deceased" in snaps else pd.NA),
        }
    )
    out["registered_total"] = out["registered_total"].astype("Int64")
    out["deceased"] = out["deceased"].astype("Int64")
    out["dead_share"] = (
        out["deceased"].astype("Float64") / out["registered_total"].astype("Float64")
    ).astype(float)
    out["source_url"] = snaps["source_url"].to_numpy() if "source_url" in snaps else ""
    return out.reset_index(drop=True)


def _alive_at(snaps: pd.DataFrame, when: pd.Timestamp) -> float:
    """Living applicants on ``when``, interpolated log-linearly between the snapshots around it."""
    x = snaps["date"].to_numpy(dtype="datetime64[ns]").astype("int64").astype(float)
    y = np.log(snaps["alive"].astype(float).to_numpy())
    return float(np.exp(np.interp(float(pd.Timestamp(when).value), x, y)))


def period_death_rates(registry: Any = None) -> pd.DataFrame:
    """The annual death rate in each period for which the register reports deaths.

    **Method.** For each row with ``deaths_in_period`` D and ``period_start``:

    1. the period runs from ``period_start`` to the end of ``as_of``; its length
       T is in years of 365.25 days;
    2. the living applicants at the period's midpoint, N, are interpolated
       log-linearly (constant proportional decline) between the two snapshots
       either side of the midpoint;
    3. N x T approximates the person-years lived in the period, so
       m = D / (N x T) is the *central* death rate per year, and
       ``rate`` = 1 - exp(-m) is the probability that an applicant alive at
       the start of a year dies within it (the rate :func:`project_survivors` uses).

    Periods without ``period_start``, and periods whose midpoint lies outside
    the dates of the first and last snapshots (where N would be extrapolated),
    are left out.

    Columns: ``period_start``, ``period_end``, ``years``, ``deaths``,
    ``alive_mid``, ``central_rate``, ``rate``.
    """
    reg = registry_table(registry)
    snaps = observed_alive(reg)
    cols = ["period_start", "period_end", "years", "deaths", "alive_mid", "central_rate", "rate"]
    if len(snaps) < 2:
        return pd.DataFrame(columns=cols)
    first, last = snaps["date"].min(), snaps["date"].max()
    rows = []
    for _, r in reg[reg["deaths_in_period"].notna() & reg["period_start"].notna()].iterrows():
        start, end = r["period_start"], r["as_of"] + pd.Timedelta(days=1)
        years = (end - start) / pd.Timedelta(days=_DAYS_PER_YEAR)
        mid = start + (end - start) / 2
        if years <= 0 or not (first <= mid <= last):
            continue
        n_mid = _alive_at(snaps, mid)
        deaths = int(r["deaths_in_period"])
        m = deaths / (n_mid * years)
        rows.append((start, r["as_of"], years, deaths, n_mid, m, 1 - math.exp(-m)))
    return pd.DataFrame(rows, columns=cols)


def estimate_death_rate(registry: Any = None, *, since: Any = None) -> float:
    """The register's annual death rate: total deaths over total person-years lived.

    Uses the periods of :func:`period_death_rates` (only those starting on or
    after ``since``, if given) and pools them: m = sum(D) / sum(N x T), then
    returns 1 - exp(-m), the annual probability of dying. Pooling weights each
    period by its length and size, so a half-year count weighs half as much as
    a full year.

    Raises ``ValueError`` if no period can be used.
    """
    rates = period_death_rates(registry)
    if since is not None:
        rates = rates[rates["period_start"] >= _check_date(since, "since")]
    if rates.empty:
        raise ValueError(
            "registry has no usable death counts"
            + (f" starting on or after {since}" if since is not None else "")
            + ": it needs rows with deaths_in_period and period_start, between two snapshots of alive"
        )
    m = rates["deaths"].sum() / (rates["alive_mid"] * rates["years"]).sum()
    return float(1 - math.exp(-m))


# ------------------------------------------------------------ the projection
def project_survivors(alive0: Any, start_date: Any, annual_death_rate: Any, years: Any) -> pd.DataFrame:
    """Survivors year by year at a constant annual death rate, with no new applicants.

    Row k (k = 0 .. ``years``) is ``start_date`` plus k years, with
    ``survivors`` = alive0 x (1 - rate)^k. For example 10,000 at 0.10 gives
    10,000, 9,000, 8,100, ...

    Columns: ``date``, ``years`` (k), ``survivors`` (float).
    Raises ``ValueError`` if ``alive0`` is not > 0, the rate is not strictly
    between 0 and 1, ``years`` is not a whole number from 0 to 200, or
    ``start_date`` is not a date.
    """
    n0 = check_positive(alive0, "alive0")
    r = check_rate(annual_death_rate)
    k = np.arange(_check_years(years) + 1)
    start = _check_date(start_date, "start_date")
    dates = [start + pd.DateOffset(years=int(i)) for i in k]
    return pd.DataFrame({"date": pd.to_datetime(dates), "years": k, "survivors": n0 * (1 - r) ** k})


def years_until_below(alive0: Any, annual_death_rate: Any, threshold: Any = DEFAULT_THRESHOLD) -> float:
    """Years until alive0 x (1 - rate)^t falls to ``threshold``: t = ln(threshold / alive0) / ln(1 - rate).

    Returns 0.0 if ``alive0`` is already at or below the threshold.
    """
    n0 = check_positive(alive0, "alive0")
    r = check_rate(annual_death_rate)
    th = check_positive(threshold, "threshold")
    if n0 <= th:
        return 0.0
    return math.log(th / n0) / math.log(1 - r)


def crossing(
    alive0: Any, start_date: Any, annual_death_rate: Any, threshold: Any = DEFAULT_THRESHOLD
) -> tuple[pd.Timestamp, float]:
    """The date (and years after ``start_date``) when the projection falls to ``threshold``."""
    t = years_until_below(alive0, annual_death_rate, threshold)
    start = _check_date(start_date, "start_date")
    return start + pd.Timedelta(days=t * _DAYS_PER_YEAR), t


def check_until(until: Any, start: pd.Timestamp) -> int:
    if (
        isinstance(until, bool)
        or not isinstance(until, (int, np.integer))
        or not start.year < int(until) <= _LAST_UNTIL
    ):
        raise ValueError(
            f"until must be a whole year from {start.year + 1} to {_LAST_UNTIL} "
            f"(after the last count, {start:%d %b %Y}), got {until!r}"
        )
    return int(until)


def projection_until(alive0: float, start: pd.Timestamp, rate: float, until: int) -> pd.DataFrame:
    """Yearly projection from ``start`` up to 31 Dec of ``until``."""
    years = until - start.year
    proj = project_survivors(alive0, start, rate, years)
    return proj[proj["date"] <= pd.Timestamp(f"{until}-12-31")].reset_index(drop=True)


# ------------------------------------------------------------ text and figure
def percent(r: float) -> str:
    return f"{100 * r:.1f} %"


def describe(
    registry: Any = None, rate: Any = None, *, until: Any = DEFAULT_UNTIL, threshold: Any = DEFAULT_THRESHOLD
) -> str:
    """A plain-text summary of the observed counts and the projection at ``rate``."""
    reg = registry_table(registry)
    snaps = observed_alive(reg)
    if snaps.empty:
        raise ValueError("registry has no snapshot with a count of living applicants (column alive)")
    est = estimate_death_rate(reg)
    r = est if rate is None else check_rate(rate, "rate")
    th = check_positive(threshold, "threshold")
    first, last = snaps.iloc[0], snaps.iloc[-1]
    start, n0 = pd.Timestamp(last["date"]), float(last["alive"])
    until = check_until(until, start)
    proj = projection_until(n0, start, r, until)
    when, t = crossing(n0, start, r, th)
    end = proj.iloc[-1]
    lines = [
        "South Korea's register of separated-family applicants (registration since 1988; "
        "applicants, not all separated families).",
        f"Observed: {int(first['alive']):,} alive on {first['date']:%d %b %Y}; "
        f"{int(last['alive']):,} alive on {last['date']:%d %b %Y} ({len(snaps)} snapshots).",
        f"Death rate estimated from the register's yearly death counts: {percent(est)} a year.",
        f"Projection at {percent(r)} a year (constant rate, no new applicants): "
        f"about {end['survivors']:,.0f} alive on {end['date']:%d %b %Y}.",
    ]
    if when.year <= until:
        lines.append(f"It falls below {th:,.0f} in {when.year} (about {t:.1f} years after the last count).")
    else:
        lines.append(
            f"It stays above {th:,.0f} until {until}; at this rate it would fall below it "
            f"in {when.year} (about {t:.1f} years after the last count)."
        )
    lines.append(
        "Caveat: survivors grow older each year, so the real death rate rises and the real "
        "clock runs faster than a constant-rate line."
    )
    return "\n".join(lines)


def projection_state(registry, rate, until, threshold):
    reg = registry_table(registry)
    snaps = observed_alive(reg)
    if snaps.empty:
        raise ValueError("registry has no snapshot with a count of living applicants (column alive)")
    r = estimate_death_rate(reg) if rate is None else check_rate(rate, "rate")
    th = check_positive(threshold, "threshold")
    start, n0 = pd.Timestamp(snaps["date"].iloc[-1]), float(snaps["alive"].iloc[-1])
    until = check_until(until, start)
    proj = projection_until(n0, start, r, until)
    when, _ = crossing(n0, start, r, th)
    return reg, snaps, r, th, until, proj, when

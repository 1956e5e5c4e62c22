"""The class report as one self-contained HTML file (plotly.js embedded: it works offline, no CDN)."""

from __future__ import annotations

import html
import math
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from .report import ClassReport


def _pct(x) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f}%"


def _num(x, digits=2) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def figures(report: ClassReport) -> list[go.Figure]:
    top = report.max_total
    dist = go.Figure(
        go.Histogram(
            x=report.totals.to_list(),
            xbins={"start": -0.5, "end": top + 0.5, "size": 1},
            marker_color="#4c72b0",
            name="students",
        )
    )
    dist.update_layout(
        title=f"{report.assignment}: total points of the {len(report.totals)} graded students",
        xaxis={"title": f"points (of {top:g})", "range": [-0.5, top + 0.5]},
        yaxis={"title": "students"},
        bargap=0.05,
    )
    q = report.questions
    items = go.Figure(
        [
            go.Bar(x=q["question"], y=q["difficulty"], name="difficulty (mean / max)"),
            go.Bar(x=q["question"], y=q["full_marks_share"], name="share with full marks"),
            go.Bar(x=q["question"], y=q["discrimination"], name="discrimination (r with the rest)"),
        ]
    )
    items.update_layout(
        title="Per question: difficulty, full marks and discrimination",
        barmode="group",
        yaxis={"range": [-1, 1], "title": "share / correlation"},
    )
    o = report.objectives
    objectives = go.Figure(
        go.Bar(
            y=[t if len(t) <= 70 else t[:67] + "..." for t in o["objective"]],
            x=o["reached_share"],
            orientation="h",
            text=[_pct(v) for v in o["reached_share"]],
            textposition="auto",
            marker_color="#55a868",
            hovertext=o["objective"],
        )
    )
    objectives.update_layout(
        title=f"Per learning objective: share of students who reached it (at least {report.reached_at:.0%} "
        "of its points)",
        xaxis={"range": [0, 1], "tickformat": ".0%"},
        yaxis={"autorange": "reversed"},
        height=max(300, 60 * len(o) + 120),
        margin={"l": 420},
    )
    return [dist, items, objectives]


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# how the tables show a report's columns (by the column's name); the others as they are
_FORMATS = {
    "max_points": lambda v: f"{v:g}",
    "pending_points": lambda v: f"{v:g}",
    "mean": _num,
    "difficulty": _num,
    "discrimination": _num,
    "full_marks_share": _pct,
    "mean_share": _pct,
}


def _shown(df: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """The table of ``df``'s columns under new headers (header -> column), each shown as :data:`_FORMATS` says."""
    return pd.DataFrame({h: df[c].map(_FORMATS[c]) if c in _FORMATS else df[c] for h, c in headers.items()})


def render(report: ClassReport) -> str:
    figs = figures(report)
    divs = [
        pio.to_html(f, full_html=False, include_plotlyjs=(i == 0), include_mathjax=False)
        for i, f in enumerate(figs)
    ]
    s = report.summary
    qt = _shown(
        report.questions,
        {
            "question": "question",
            "objective": "objective",
            "points": "max_points",
            "mean": "mean",
            "full marks": "full_marks_share",
            "difficulty": "difficulty",
            "discrimination": "discrimination",
        },
    )
    o = report.objectives
    ot = _shown(
        o, {"objective": "objective", "cells": "cells", "points": "max_points", "mean share": "mean_share"}
    )
    ot["reached"] = [f"{n} ({_pct(v)})" for n, v in zip(o["students_reached"], o["reached_share"])]
    ng = report.not_graded
    ngt = (
        _table(_shown(ng, {"student": "student", "status": "status", "pending points": "pending_points"}))
        if len(ng)
        else "<p>None: every student's submission is graded.</p>"
    )
    warn = "".join(f"<p class='warn'>{html.escape(w)}</p>" for w in report.warnings)
    title = f"Class report: {report.assignment}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }}
.warn {{ color: #8a4b00; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{s["students"]} graded student(s); mean {s["mean"]:.2f}, median {s["median"]:g}, standard deviation
{_num(s["sd"])}, range {s["min"]:g} to {s["max"]:g}, of {s["max_points"]:g} points (before late penalties).
Only submissions whose status is <em>graded</em> are counted; the others are listed at the end.</p>
{warn}
<h2>Score distribution</h2>
{divs[0]}
<h2>Questions</h2>
<p><em>Difficulty</em> is the mean points divided by the points possible (1 = everybody had full marks).
<em>Discrimination</em> is the point-biserial correlation of the question's points with the rest of the score
(the total minus that question); blank when either does not vary. Below about 0.2 a question separates strong
and weak students poorly.</p>
{divs[1]}
{_table(qt)}
<h2>Learning objectives</h2>
<p>A student has <em>reached</em> an objective with at least {report.reached_at:.0%} of the points of the
cells tagged with it in the problem set's master.</p>
{divs[2]}
{_table(ot)}
<h2>Not in the statistics: grading failed, pending or not submitted</h2>
{ngt}
</body></html>
"""


def write_html(report: ClassReport, path: Path) -> Path:
    path = Path(path)
    path.write_text(render(report), encoding="utf-8")
    return path

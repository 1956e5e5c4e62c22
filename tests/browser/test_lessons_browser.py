"""Every lesson, opened in JupyterLab in Chromium and run with Run > Run All
Cells, shows no error and renders its figures, widgets and self-checks."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from labkit import REPO, SCREENSHOTS, WIRE_REPORT, count, open_notebook, output_problems, run_all, screenshot

LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
CHECK_KINDS = ("MultipleChoice", "Order", "Match", "Numeric", "Code", "Written")
CONTROLS = ".widget-slider, .widget-toggle-buttons, .widget-dropdown, .widget-select-multiple, .widget-text, .widget-checkbox, .widget-radio, .widget-button"
# The interactive views each lesson builds, and what each must show once rendered.
VIEWS = {
    "TimelineExplorer(": ".js-plotly-plot",
    "TrustLab(": ".js-plotly-plot",
    "Scorecard(": ".js-plotly-plot",
    "HumanitarianClock(": ".js-plotly-plot",
}


def expected(path: Path) -> dict:
    """What a learner must see, read off the notebook's own code."""
    code = [
        c.source
        for c in nbformat.read(path, as_version=4).cells
        if c.cell_type == "code" and "reveal_after(" not in c.source
    ]  # gated cells render only once their question is answered
    joined = "\n".join(code)
    figure_cells = sum(
        1
        for src in code
        if re.search(r"^(fig\w*|\w+\.figure|\w*fig\w*\.show\(\))\s*$|^plot_\w+\(", src, flags=re.M)
        or any(v in src for v in VIEWS)
    )
    checks = sum(
        len(re.findall(rf"^\s*(?:\w+\s*=\s*)?{k}\(", joined, flags=re.M)) for k in CHECK_KINDS + ("ask",)
    )
    views = sum(joined.count(v) for v in VIEWS)
    return {"plots": max(1, figure_cells), "checks": checks, "views": views}


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_clean_and_renders_its_widgets(page, lab_server, path):
    want = expected(path)
    open_notebook(page, lab_server, f"lessons/{path.name}")
    opened = page.wire.mark()
    seconds = run_all(page)
    run_bytes, run_frames = page.wire.since(opened)
    WIRE_REPORT[path.stem] = {
        "run_all_bytes": run_bytes,
        "run_all_frames": run_frames,
        "open_bytes": opened[0],
    }
    shot = screenshot(page, SCREENSHOTS / f"{path.stem}.png")[0].parent / f"{path.stem}-*.png"

    problems = output_problems(page)
    assert not problems, f"{path.name}: outputs show errors:\n" + "\n".join(problems)
    assert not page.page_errors, f"{path.name}: JavaScript errors: {page.page_errors}"

    plots = count(page, ".jp-NotebookPanel:not(.lm-mod-hidden) .js-plotly-plot")
    assert plots >= want["plots"], (
        f"{path.name}: {plots} plots rendered, expected at least {want['plots']} ({shot})"
    )
    # every plot actually drew its data: at least one trace layer with marks
    empty = page.evaluate("""() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .js-plotly-plot')]
        .filter(p => !p.querySelector('.scatterlayer .trace, .barlayer .trace, .scatterpolar, .polarlayer .trace, .shapelayer path, .imagelayer image')).length""")
    assert empty == 0, f"{path.name}: {empty} plot(s) rendered without any trace ({shot})"
    if want["views"]:
        assert (
            count(page, f".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output :is({CONTROLS})") > 0
        ), f"{path.name}: the interactive views rendered no controls ({shot})"
    checks = count(page, ".jp-NotebookPanel:not(.lm-mod-hidden) .course-check")
    assert checks >= min(want["checks"], 2), (
        f"{path.name}: {checks} self-checks rendered, expected {want['checks']}"
    )
    print(
        f"{path.name}: Run All {seconds:.1f} s, {plots} plots, {checks} self-checks, "
        f"{run_bytes / 1e6:.2f} MB in {run_frames} websocket frames"
    )

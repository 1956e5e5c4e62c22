"""The visual fixes of issue 17 (point 5), checked on the page a learner sees, with screenshots.

* the timeline draws no empty "(off)" lane for a track that is off, shows an event's title on
  hover, and its events list shows whole titles (none cut off);
* the scorecard radar's labels sit clear of the filled shapes (none printed over them);
* prose columns of a table are left-aligned, numbers and dates are not.

One scratch notebook (written into the server's temporary copy of the course, never into the
repository) builds the views at their worst case: every event title (the longest is 98
characters), the radar at the highest ratings (the largest shapes). Lesson 01 is checked too,
as it opens. Screenshots go to ``artifacts/screenshots/visuals-*.png``.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from labkit import SCREENSHOTS, open_notebook, output_problems, run_all, screenshot, settle, wait_until

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

CELLS = [
    "from course.data import load_events\n"
    "from widgets import TimelineExplorer\n"
    "from widgets.scorecard import Scorecard\n"
    "from widgets.tables import show_table\n"
    "events = load_events()",
    # every event, two tracks off (their lanes must not be drawn)
    "explorer = TimelineExplorer(tracks=['csce', 'detente-arms-control', 'korea-diplomacy'])\nexplorer",
    # the radar at its largest: every rating 4, the course's ratings shown as well
    "card = Scorecard(ratings={s: {o: 4 for o in ['recognition', 'asymmetry', 'detente-scaffolding',"
    " 'lesson-learned', 'scope-and-linkage', 'information-closure']} for s in ['europe-1975', 'nea-2014',"
    " 'nea-2021']}, show_course=True)\ncard",
    "show_table(events[['id', 'date', 'title', 'description']].head(4))",
]

Y_TICKS = """(root) => [...document.querySelectorAll(root + ' .js-plotly-plot .yaxislayer-above .ytick text')]
    .map(t => t.textContent)"""

# For the events list: every option's text, and whether the widest fits inside the list (a <select>
# cuts its options off at its edge; canvas measureText gives their width in the list's own font).
LIST_FIT = """(root) => {
  const sel = document.querySelector(root + ' .timeline-events select');
  if (!sel) return null;
  const cs = getComputedStyle(sel);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = cs.font || `${cs.fontSize} ${cs.fontFamily}`;
  // ipywidgets writes an option's spaces as no-break spaces (U+00A0); read them back as spaces
  const opts = [...sel.options].map(o => o.textContent.replace(/\u00a0/g, ' '));
  const box = sel.closest('.timeline-explorer').getBoundingClientRect(), r = sel.getBoundingClientRect();
  const widest = Math.max(...opts.map(t => ctx.measureText(t).width));
  const inner = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  return {n: opts.length, options: opts, widest, inner,
          scrollWidth: sel.scrollWidth, clientWidth: sel.clientWidth,
          right: r.right, boxRight: box.right, left: r.left, boxLeft: box.left};
}"""

# For the radar: each label's box on screen, sampled at 15 points, tested against every filled shape
# (SVG isPointInFill, in the shape's own coordinates). Also: labels inside the figure and apart.
RADAR = """(root) => {
  const plot = document.querySelector(root + ' .js-plotly-plot');
  if (!plot) return null;
  const fills = [...plot.querySelectorAll('.scatterlayer path.js-fill')].filter(p => (p.getAttribute('d') || '').length > 2);
  const labels = [...plot.querySelectorAll('.angularaxistick text, .radialaxistick text')]
      .filter(t => t.textContent.trim() && getComputedStyle(t).display !== 'none');
  const svg = plot.querySelector('svg.main-svg').getBoundingClientRect();
  const overlaps = [], outside = [];
  const boxes = labels.map(t => [t.textContent, t.getBoundingClientRect()]);
  for (const [text, r] of boxes) {
    if (r.left < svg.left || r.right > svg.right || r.top < svg.top || r.bottom > svg.bottom) outside.push(text);
    for (const f of fills) {
      const m = f.getScreenCTM().inverse();
      let hit = false;
      for (const fx of [0, 0.25, 0.5, 0.75, 1]) for (const fy of [0, 0.5, 1]) {
        const p = new DOMPoint(r.left + fx * r.width, r.top + fy * r.height).matrixTransform(m);
        if (f.isPointInFill(p)) hit = true;
      }
      if (hit) { overlaps.push(text); break; }
    }
  }
  const clash = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i][1], b = boxes[j][1];
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) clash.push([boxes[i][0], boxes[j][0]]);
  }
  return {labels: boxes.map(b => b[0]), radial: plot.querySelectorAll('.radialaxistick text').length,
          fills: fills.length, overlaps, outside, clash};
}"""

# For the timeline: every drawn marker's box against the plot area (markers on the axis bounds must
# be drawn whole, not cut in half by the plot's clip).
MARKERS_INSIDE = """(root) => {
  const plot = document.querySelector(root + ' .js-plotly-plot');
  if (!plot) return null;
  const area = plot.querySelector('.draglayer .xy .nsewdrag');  // covers the plot area exactly
  if (!area) return null;
  const a = area.getBoundingClientRect();
  const pts = [...plot.querySelectorAll('.scatterlayer .trace .points path.point')]
      .map(p => p.getBoundingClientRect()).filter(r => r.width > 0 && r.width < 20);
  const cut = pts.filter(r => r.left < a.left - 0.5 || r.right > a.right + 0.5);
  return {n: pts.length, cut: cut.length, left: a.left, right: a.right,
          cuts: cut.slice(0, 5).map(r => [Math.round(r.left), Math.round(r.right)])};
}"""

ALIGN = """(root) => {
  const tables = [...document.querySelectorAll(root + ' .jp-OutputArea-output table')];
  const t = tables[tables.length - 1];
  if (!t) return null;
  const heads = [...t.querySelectorAll('thead th')].map(h => h.textContent.trim());
  const row = [...t.querySelectorAll('tbody tr')][0];
  const cells = [...row.querySelectorAll('td')];
  const out = {};
  heads.slice(1).forEach((h, k) => out[h] = [getComputedStyle(cells[k]).textAlign,
      getComputedStyle(t.querySelectorAll('thead th')[k + 1]).textAlign, getComputedStyle(cells[k]).whiteSpace]);
  return out;
}"""


def _write_scratch(lab_server) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = lab_server.root / "visuals_check.ipynb"
    nbformat.write(nb, path)
    return path.name


@pytest.fixture
def scratch(page, lab_server):
    open_notebook(page, lab_server, _write_scratch(lab_server))
    run_all(page)
    page.wait_for_selector(f"{PANEL} .timeline-explorer .js-plotly-plot .ytick text", timeout=60_000)
    # the lanes' names arrive with the widget's first update, after the plot's default numeric ticks
    page.wait_for_function(
        f"r => ({Y_TICKS})(r).includes('CSCE')", arg=f"{PANEL} .timeline-explorer", timeout=60_000
    )
    page.wait_for_selector(f"{PANEL} .course-scorecard .js-plotly-plot .angularaxistick text", timeout=60_000)
    settle(page)
    assert not output_problems(page), output_problems(page)
    return page


def _shot(page, selector: str, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    el = page.locator(selector).first
    el.scroll_into_view_if_needed()
    settle(page, quiet_ms=300, timeout_s=5)
    el.screenshot(path=str(SCREENSHOTS / f"visuals-{name}.png"))


def test_timeline_has_no_off_lanes_whole_titles_in_the_list_and_titles_on_hover(scratch):
    page, root = scratch, f"{PANEL} .timeline-explorer"
    _shot(page, root, "timeline-three-tracks")
    ticks = page.evaluate(Y_TICKS, root)
    assert ticks == ["CSCE", "Détente and arms control", "Korea diplomacy"], ticks
    assert not any("(off)" in t for t in ticks)
    inside = page.evaluate(MARKERS_INSIDE, root)
    assert inside and inside["n"] > 20, inside  # the events drawn, found on the page
    assert inside["cut"] == 0, json.dumps(inside)  # none cut off at the first or last year

    fit = page.evaluate(LIST_FIT, root)
    longest = (
        "Stockholm Conference on Confidence- and Security-Building Measures and Disarmament in Europe (CDE)"
    )
    assert any(longest in o for o in fit["options"]), (fit["n"], max(fit["options"], key=len, default=None))
    assert fit["widest"] <= fit["inner"], (
        f"the widest entry ({fit['widest']:.0f} px) is cut off by the list ({fit['inner']:.0f} px): "
        + str({k: v for k, v in fit.items() if k != "options"})
    )
    assert fit["scrollWidth"] <= fit["clientWidth"], fit
    assert fit["right"] <= fit["boxRight"] + 3, f"the list runs out of the explorer: {fit}"

    # hover on a point: the hover label gives the event's title
    point = page.locator(f"{root} .js-plotly-plot .scatterlayer .trace").first.locator(".point").first
    point.scroll_into_view_if_needed()
    bb = point.bounding_box()
    page.mouse.move(bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2)
    hover = wait_until(
        lambda: page.evaluate(
            "(r) => { const h = document.querySelector(r + ' .hoverlayer .hovertext'); return h ? h.textContent : ''; }",
            root,
        ),
        message="a hover label on the timeline",
    )
    titles = page.evaluate(
        "(r) => [...document.querySelectorAll(r + ' .timeline-events select option')].map(o => o.textContent.replace(/\\u00a0/g, ' ').split(' · ').slice(1).join(' · '))",
        root,
    )
    assert any(t and t in hover for t in titles), f"hover label without an event title: {hover!r}"
    _shot(page, root, "timeline-hover")

    # turning a track on gives it its lane back; turning it off takes the lane away again
    page.locator(f"{root} button.timeline-track-humanitarian").first.click()
    wait_until(lambda: len(page.evaluate(Y_TICKS, root)) == 4, timeout_s=30, message="a fourth lane")
    assert page.evaluate(Y_TICKS, root)[3] == "Humanitarian"
    page.locator(f"{root} button.timeline-track-csce").first.click()
    wait_until(
        lambda: (
            page.evaluate(Y_TICKS, root) == ["Détente and arms control", "Korea diplomacy", "Humanitarian"]
        ),
        timeout_s=30,
        message="the CSCE lane to go",
    )
    _shot(page, root, "timeline-csce-off")


def test_radar_labels_sit_clear_of_the_shapes(scratch):
    page, root = scratch, f"{PANEL} .course-scorecard"
    _shot(page, f"{root} .js-plotly-plot", "radar-all-fours")
    found = page.evaluate(RADAR, root)
    assert found and found["fills"] == 3, found  # the three filled "You" shapes, at rating 4 everywhere
    assert len(found["labels"]) == 6 and found["radial"] == 0, found
    assert "Mutual" in " ".join(found["labels"]) and "learned" in " ".join(found["labels"])
    assert found["overlaps"] == [], f"labels printed over a shape: {found['overlaps']}"
    assert found["outside"] == [], f"labels cut off at the figure's edge: {found['outside']}"
    assert found["clash"] == [], f"labels on top of one another: {found['clash']}"


def test_prose_columns_are_left_aligned_numbers_and_dates_are_not(scratch):
    page = scratch
    aligned = page.evaluate(ALIGN, PANEL)
    assert aligned, "the table did not render"
    assert aligned["title"][:2] == ["left", "left"] and aligned["description"][:2] == ["left", "left"], (
        aligned
    )
    assert aligned["id"][0] == "left"
    assert aligned["date"][0] == "right" and aligned["date"][2] == "nowrap", aligned
    table = page.locator(f"{PANEL} .jp-OutputArea-output table").last
    table.scroll_into_view_if_needed()
    settle(page, quiet_ms=300, timeout_s=5)
    table.screenshot(path=str(SCREENSHOTS / "visuals-table.png"))


def test_lesson_01_timeline_opens_without_off_lanes(page, lab_server):
    open_notebook(page, lab_server, "lessons/01_detente_road_to_helsinki.ipynb")
    run_all(page)
    root = f"{PANEL} .timeline-explorer"
    page.wait_for_selector(f"{root} .js-plotly-plot .ytick text", timeout=60_000)
    settle(page)
    assert page.evaluate(Y_TICKS, root) == ["CSCE", "Détente and arms control"]
    fit = page.evaluate(LIST_FIT, root)
    assert fit["n"] > 10 and fit["widest"] <= fit["inner"], fit
    assert fit["right"] <= fit["boxRight"] + 3, f"the list runs out of the explorer: {fit}"
    # the lesson's own figures (drawn by widgets.plots) leave no error or warning in the outputs
    assert not output_problems(page)
    screenshot(page, SCREENSHOTS / "visuals-lesson01.png", max_pages=12)

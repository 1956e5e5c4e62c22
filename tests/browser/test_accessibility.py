"""Accessibility scan (axe-core) of every lesson's outputs after Run All, and keyboard use of a self-check.

axe-core comes from npm (tests/browser/package.json, installed by ``npm ci`` in .ci/run) and is injected
into the page from disk, never from a CDN. The scan covers the notebook's output areas, where the course's
forms, gates, tables and widgets render. JupyterLab's own chrome (menus, sidebars, toolbars, cell editors)
is left out: it is not the course's code, and its known issues are tracked upstream. Within the outputs,
plotly's mode bar (the zoom and download icons that plotly draws over every chart) is left out for the same
reason; the charts themselves, their titles and axes, are scanned.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from labkit import REPO, open_notebook, run_all, settle, wait_until

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
LESSONS = sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# Left out of the scan, each with its reason (see the module docstring).
EXCLUDE = [f"{PANEL} .modebar-container"]
SERIOUS = ("serious", "critical")

# Justified, not fixed: ipywidgets 8 draws its sliders with noUiSlider, whose handles (role=slider) get no
# accessible name; the slider's visible description is a sibling <label> that is not linked to the handle.
# The handles are focusable and move with the arrow keys (tests/browser/test_interactions.py does it), so the
# sliders work from the keyboard, but a screen reader announces them unnamed. That is ipywidgets' slider view,
# not course code (the course's scorecard and timeline use it as it is); the fix belongs upstream. These nodes,
# and only for this one rule, are reported as justified instead of failing the scan.
JUSTIFIED = {"aria-input-field-name": ".widget-slider .noUi-handle"}

SCAN = """async ([include, exclude, justified]) => {
  const r = await axe.run({include: [[include]], exclude: exclude.map(s => [s])},
                          {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                           resultTypes: ['violations']});
  const out = [];
  for (const v of r.violations) {
    const sel = justified[v.id];
    const isJustified = n => { const e = sel && document.querySelector(n.target.join(' ')); return !!(e && e.matches(sel)); };
    for (const [nodes, why] of [[v.nodes.filter(n => !isJustified(n)), ''], [v.nodes.filter(isJustified), 'justified']]) {
      if (nodes.length) out.push({id: v.id, impact: why || v.impact, help: v.help, count: nodes.length,
                                  nodes: nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary.slice(0, 160))});
    }
  }
  return {passes: r.passes.reduce((n, p) => n + p.nodes.length, 0), violations: out};
}"""


def _scan(page):
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is not installed at {AXE}: run `npm ci` in tests/browser (.ci/run does)", pytrace=False
        )
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(SCAN, [f"{PANEL} .jp-Cell-outputArea", EXCLUDE, JUSTIFIED])
    assert result["passes"] > 0, "axe checked nothing: the output areas were not found"
    return result["violations"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_outputs_have_no_serious_accessibility_violations(page, lab_server, path):
    open_notebook(page, lab_server, f"lessons/{path.name}")
    run_all(page)
    settle(page)
    violations = _scan(page)
    serious = [v for v in violations if v["impact"] in SERIOUS]
    report = "\n".join(
        f"{v['impact']} {v['id']} ({v['count']} nodes): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in violations
    )
    print(f"{path.name}: {len(violations)} violation(s), {len(serious)} serious or critical\n{report}")
    assert not serious, f"{path.name}: serious accessibility violations in the outputs:\n{report}"


def test_a_self_check_can_be_answered_with_the_keyboard_alone(page, lab_server):
    open_notebook(page, lab_server, "lessons/00_start_here.ipynb")
    run_all(page)
    box = page.locator(f"{PANEL} .course-check-id-l00-final-act-date").first
    box.scroll_into_view_if_needed()
    radio = box.locator("input[type=radio]").first
    radio.focus()
    page.keyboard.press("ArrowDown")  # the second option, 1 August 1975
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Check"
    page.keyboard.press("Enter")
    live = box.locator("[role=status][aria-live=polite]")
    text = wait_until(lambda: live.inner_text().strip(), message="the announced feedback")
    assert "Correct" in text and "✓" in text, text

    # the scan can fail: an unlabelled text box added to an output area is reported
    page.evaluate(f"""() => {{ const o = document.querySelector('{PANEL} .jp-Cell-outputArea');
        const i = document.createElement('input'); i.type = 'text'; i.id = 'axe-canary'; o.appendChild(i); }}""")
    ids = {v["id"] for v in _scan(page) if v["impact"] in SERIOUS}
    assert "label" in ids, ids

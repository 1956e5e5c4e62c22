"""What goes over the wire when a learner re-runs a cell, counted from the page's websockets."""

from __future__ import annotations

from labkit import count, open_notebook, open_trust_lab, output_problems, run_all, settle, wait_until

LINES_JS = """() => [...document.querySelectorAll('.trust-lab .js-plotly-plot .scatterlayer path.js-line')]
                 .map(p => p.getAttribute('d') || '').join('|')"""
PROMPT_JS = """(needle) => { const c = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')]
    .find(c => ((c.querySelector('.jp-InputArea-editor .cm-content') || {}).innerText || '').includes(needle));
    return c ? (c.querySelector('.jp-InputPrompt') || {}).textContent.trim() : null; }"""
BUNDLE = 4_000_000  # plotly's widget bundle is about 5 MB; one FigureWidget opening sends all of it


def test_rerunning_the_trust_lab_cell_reuses_its_figure_and_does_not_resend_the_bundle(page, lab_server):
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text[:300]) if m.type == "error" else None)
    start = page.wire.mark()
    open_trust_lab(page, lab_server)  # from no answers: Run All, then the two questions the lab waits behind
    first, _ = page.wire.since(start)
    assert first > BUNDLE, f"Run All received only {first} bytes: the TrustLab's FigureWidget did not open?"

    needle = "lab = TrustLab("
    prompt0 = page.evaluate(PROMPT_JS, needle)
    editor = page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-editor", has_text=needle
    ).first
    editor.scroll_into_view_if_needed()
    editor.click()
    before = page.wire.mark()
    page.keyboard.press("Control+Enter")  # run this cell again, in place
    wait_until(
        lambda: (p := page.evaluate(PROMPT_JS, needle)) and p != prompt0 and "*" not in p,
        timeout_s=90,
        message="the TrustLab cell to run again",
    )
    page.wait_for_selector(".trust-lab .js-plotly-plot .scatterlayer path.js-line", timeout=60_000)
    settle(page)
    rerun, frames = page.wire.since(before)
    print(
        f"re-running the TrustLab cell: {rerun / 1e6:.3f} MB in {frames} frames (Run All: {first / 1e6:.2f} MB)"
    )
    assert rerun < BUNDLE / 10, (
        f"re-running the cell received {rerun} bytes: the plotly bundle was sent again"
    )
    assert count(page, ".jp-NotebookPanel:not(.lm-mod-hidden) .trust-lab") == 1
    assert count(page, ".trust-lab .js-plotly-plot") == 1

    # the re-used figure is driven by the new TrustLab: its noise slider redraws the lines
    lines0 = page.evaluate(LINES_JS)
    handle = page.locator(".trust-lab-noise .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    wait_until(
        lambda: page.evaluate(LINES_JS) != lines0,
        timeout_s=30,
        message="the re-used figure's lines to change after the noise slider moved",
    )
    assert not output_problems(page)
    assert not page.page_errors, page.page_errors
    # a removed view of the figure must not throw on updates (it did: "Error setting state: gd.data ...")
    assert not [e for e in console_errors if "Error setting state" in e], console_errors


SHAPES_JS = """(root) => [...document.querySelectorAll(root + ' .js-plotly-plot .trace path')]
                 .map(p => p.getAttribute('d') || '').join('|')"""


def test_scorecard_slider_redraws_the_plotly_figure_without_a_figure_widget(page, lab_server):
    """The scorecard's figure is plotly's mime output inside an Output widget: moving a slider
    replaces it with the new ratings, and sends kilobytes, not the plotly bundle."""
    open_notebook(page, lab_server, "lessons/06_six_obstacles.ipynb")
    start = page.wire.mark()
    run_all(page)
    root = ".course-scorecard .scorecard-figure"
    page.wait_for_selector(f"{root} .js-plotly-plot .trace path", timeout=60_000)
    ran, _ = page.wire.since(start)
    assert ran < BUNDLE / 4, f"lesson 06 received {ran} bytes: a FigureWidget bundle?"
    shapes0 = page.evaluate(SHAPES_JS, root)
    summary = lambda: page.evaluate("() => document.querySelector('.course-scorecard pre').innerText")  # noqa: E731
    text0 = summary()
    handle = page.locator(".course-scorecard .scorecard-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    before = page.wire.mark()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_until(
        lambda: page.evaluate(SHAPES_JS, root) != shapes0,
        timeout_s=30,
        message="the radar to change after the slider moved",
    )
    settle(page)
    moved, _ = page.wire.since(before)
    assert summary() != text0 and "Europe 1975: 14/24" in summary(), summary()
    assert count(page, f"{root} .js-plotly-plot") == 1  # redrawn in place, not appended
    assert moved < 200_000, f"a slider move received {moved} bytes"
    print(f"scorecard: Run All {ran / 1e6:.3f} MB; two slider steps {moved / 1e3:.1f} kB")
    assert not output_problems(page)

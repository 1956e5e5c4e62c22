"""Interactions a learner makes in the browser, each asserting what they see change."""

from __future__ import annotations

import re

import pytest
from labkit import open_notebook, open_trust_lab, output_problems, run_all, settle, wait_until

LINES_JS = """(root) => [...document.querySelectorAll(root + ' .js-plotly-plot .scatterlayer path.js-line')]
                 .map(p => p.getAttribute('d') || '').join('|')"""


def _text(page, selector: str) -> str:
    return page.evaluate(
        "(s) => { const e = document.querySelector(s); return e ? e.innerText.trim() : ''; }", selector
    )


@pytest.fixture
def trust_lab(page, lab_server):
    open_trust_lab(page, lab_server)
    return page


def test_trust_lab_noise_slider_and_strategy_change_the_plot_and_summary(trust_lab):
    page = trust_lab
    lab = ".trust-lab"
    summary0 = wait_until(lambda: _text(page, ".trust-lab-summary"), message="the trust lab summary")
    lines0 = page.evaluate(LINES_JS, lab)
    assert lines0, "the trust lab drew no lines"

    # Move the noise slider with the keyboard, as a learner without a mouse would.
    handle = page.locator(".trust-lab-noise .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    wait_until(
        lambda: page.evaluate(LINES_JS, lab) != lines0,
        timeout_s=30,
        message="the lines to change after the noise slider moved",
    )
    settle(page)
    noise_label = _text(page, ".trust-lab-noise .widget-readout")
    assert noise_label and float(noise_label) > 0.02, f"noise readout did not move: {noise_label!r}"
    lines1 = page.evaluate(LINES_JS, lab)
    summary1 = _text(page, ".trust-lab-summary")
    assert summary1 != summary0, "the summary did not update after the noise change"

    # Switch side A's strategy from the dropdown.
    select = page.locator(".trust-lab-strategy-a select").first
    options = select.evaluate("(s) => [...s.options].map(o => [o.value, o.textContent])")
    current = select.evaluate("(s) => s.value")
    target = next(v for v, label in options if v != current and "big" in label.lower())
    select.select_option(target)
    wait_until(
        lambda: page.evaluate(LINES_JS, lab) != lines1,
        timeout_s=30,
        message="the lines to change after the strategy switch",
    )
    settle(page)
    summary2 = _text(page, ".trust-lab-summary")
    assert summary2 and summary2 != summary1
    assert not output_problems(page)


def test_self_check_shows_hint_then_confirmation(page, lab_server):
    open_notebook(page, lab_server, "lessons/00_start_here.ipynb")
    run_all(page)
    box = page.locator(".course-check-multiple-choice").first
    box.scroll_into_view_if_needed()
    radios = box.locator("input[type=radio]")
    n = radios.count()
    assert n >= 2
    box.locator(".course-check-feedback")

    attempts = {"n": 0}

    def answer(i: int) -> str:
        radios.nth(i).check()
        box.locator("button", has_text="Check").click()
        attempts["n"] += 1
        stamp = box.locator(f'.course-check-feedback[data-attempt="{attempts["n"]}"]')
        return wait_until(
            lambda: stamp.inner_text().strip() if stamp.count() else "",
            message=f"feedback for attempt {attempts['n']}",
        )

    # Find the right option the way a learner would, by trying; then replay wrong-then-right.
    results = []
    for i in range(n):
        text = answer(i)
        results.append(text)
        if "Correct" in text:
            break
    right = len(results) - 1
    assert "Correct" in results[right], f"no option was accepted: {results}"
    wrong = next(i for i in range(n) if i != right)
    hint = answer(wrong)
    assert "Not yet" in hint and re.search(r"Hint( \d+ of \d+)?:", hint), hint
    assert "✗" in hint
    confirm = answer(right)
    assert confirm.startswith("✓") and "Correct" in confirm, confirm
    assert not output_problems(page)


POINTS_JS = """() => document.querySelectorAll(
    '.timeline-explorer .js-plotly-plot .scatterlayer .point').length"""


def test_timeline_filters_search_and_click_show_the_event(page, lab_server):
    open_notebook(page, lab_server, "lessons/01_detente_road_to_helsinki.ipynb")
    run_all(page)
    page.wait_for_selector(".timeline-explorer .js-plotly-plot .scatterlayer .point", timeout=60_000)
    settle(page)
    count_text = lambda: _text(page, ".timeline-explorer .timeline-count")  # noqa: E731
    points0, text0 = page.evaluate(POINTS_JS), count_text()
    assert points0 > 0 and "events shown" in text0

    # 1. year range: move the upper handle back with the keyboard
    handle = page.locator(".timeline-explorer .timeline-years .noUi-handle").last
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(4):
        page.keyboard.press("ArrowLeft")
    wait_until(lambda: count_text() != text0, timeout_s=30, message="the count to change with the year range")
    settle(page)
    points1, text1 = page.evaluate(POINTS_JS), count_text()
    assert points1 < points0, (points0, points1)

    # 2. toggle a track off
    page.locator(".timeline-explorer button.timeline-track-detente-arms-control").first.click()
    wait_until(
        lambda: count_text() != text1, timeout_s=30, message="the count to change with the track toggle"
    )
    settle(page)
    points2, text2 = page.evaluate(POINTS_JS), count_text()
    assert points2 < points1, (points1, points2)

    # 3. search highlights the matching events and says how many match
    box = page.locator(".timeline-explorer .timeline-search input").first
    box.fill("Helsinki")
    box.press("Enter")
    wait_until(lambda: count_text() != text2, timeout_s=30, message="the count to report the search")
    settle(page)
    assert "match" in count_text().lower(), count_text()

    # 4. click an event in the plot: the detail panel shows it, with its source link
    detail0 = _text(page, ".timeline-explorer .timeline-detail")
    point = page.locator(".timeline-explorer .js-plotly-plot .scatterlayer .point").first
    point.scroll_into_view_if_needed()
    bb = point.bounding_box()
    page.mouse.move(bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2)
    page.mouse.click(bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2)
    detail = wait_until(
        lambda: (t := _text(page, ".timeline-explorer .timeline-detail")) != detail0 and t,
        timeout_s=30,
        message="the detail panel to show the clicked event",
    )
    assert page.locator(".timeline-explorer .timeline-detail a[href^='http']").count() >= 1, detail
    assert not output_problems(page)

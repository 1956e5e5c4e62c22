"""Lessons 07 and 08 in a real JupyterLab: under Run All every result of the guided trust-lab steps waits behind
its prediction, in its own notebook, and shows no number; committing to a prediction (a wrong guess counts) opens
its result in place, and only its own; in lesson 07 the worst-loss table and the trust lab wait for the
worst-loss answer."""

from __future__ import annotations

from labkit import TRUST_LAB_LESSON, forget_answers, open_notebook, output_problems, run_all, wait_until

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
GATES = 6  # lesson 07: one-round table; opening payoffs; worst-loss table; the lab; step 3 table and chart
LESSON08 = "lessons/08_trust_lab.ipynb"
GATES_08 = 5  # lesson 08: step 4 table, chart and conclusion; step 5 raise table and evolution chart


def _form(page, qid: str):
    box = page.locator(f".course-check-id-{qid}").first
    box.scroll_into_view_if_needed()
    return box


def _guess(page, qid: str, option: int) -> None:
    box = _form(page, qid)
    box.locator("input[type=radio]").nth(option).check()
    box.locator("button", has_text="Check").click()


def _outputs_text(page) -> str:
    return "\n".join(page.locator(f"{PANEL} .jp-OutputArea").all_inner_texts())


def test_run_all_shows_no_result_before_its_prediction_and_each_answer_opens_its_own(page, lab_server):
    forget_answers(lab_server)
    open_notebook(page, lab_server, TRUST_LAB_LESSON)
    run_all(page)
    waiting = page.locator(f"{PANEL} .course-gate-box.course-gate-waiting")
    opened = page.locator(f"{PANEL} .course-gate-box.course-gate-open")
    assert waiting.count() == GATES, f"{waiting.count()} gates waiting, expected {GATES}"
    assert opened.count() == 0
    text = _outputs_text(page)
    assert text.count("Commit your prediction above first") >= 3, text[-2000:]  # steps 1, 2 and 3
    for spoiler in ("4.87", "141.2", "mean worst loss over 200 runs"):
        assert spoiler not in text, f"Run All shows {spoiler!r} before its question is answered"
    assert page.locator(f"{PANEL} .trust-lab").count() == 0, "the trust lab shows before its questions"

    # step 1: a wrong guess opens the one-round table, and nothing else
    _guess(page, "l07-predict-one-round", 0)
    wait_until(lambda: waiting.count() == GATES - 1, timeout_s=60, message="the one-round table opens")
    wait_until(
        lambda: "side A's payoff for one round" in _outputs_text(page), timeout_s=30, message="its table"
    )

    # step 2: the prediction opens the payoffs, not the exposure (that is the next question's answer)
    _guess(page, "l07-predict-reneger", 2)  # "about the same"
    wait_until(lambda: waiting.count() == GATES - 2, timeout_s=60, message="the opening payoffs open")
    wait_until(lambda: "141.2" in _outputs_text(page), timeout_s=30, message="the payoff of the big opening")
    assert "4.87" not in _outputs_text(page)
    assert page.locator(f"{PANEL} .trust-lab").count() == 0

    # the worst-loss answer opens its table and the lab
    num = _form(page, "l07-grit-worst-loss")
    field = num.locator("input[type=text]").first
    field.fill("4.87")
    field.press("Enter")
    num.locator("button", has_text="Check").click()
    wait_until(lambda: waiting.count() == GATES - 4, timeout_s=60, message="worst-loss table and lab open")
    page.wait_for_selector(f"{PANEL} .trust-lab .js-plotly-plot", timeout=60_000)
    wait_until(
        lambda: "mean worst loss over 200 runs" in _outputs_text(page), timeout_s=30, message="the table"
    )

    # step 3: the prediction opens its own results
    _open_each(page, waiting, [("l07-predict-provocations", 2, "provocation rate")])
    assert page.locator(f"{PANEL} .course-gate-open .js-plotly-plot").count() >= 2  # lab + step 3 chart
    assert not output_problems(page)


def _open_each(page, waiting, steps) -> None:
    for qid, opens, needle in steps:
        before = waiting.count()
        _guess(page, qid, 0)
        wait_until(lambda b=before, n=opens: waiting.count() == b - n, timeout_s=60, message=f"{qid} opens")
        wait_until(lambda s=needle: s in _outputs_text(page), timeout_s=30, message=f"{qid}: {needle!r}")
    assert waiting.count() == 0


def test_lesson_08_runs_on_its_own_and_each_prediction_opens_only_its_own_results(page, lab_server):
    forget_answers(lab_server)
    open_notebook(page, lab_server, LESSON08)
    run_all(page)
    waiting = page.locator(f"{PANEL} .course-gate-box.course-gate-waiting")
    assert waiting.count() == GATES_08, f"{waiting.count()} gates waiting, expected {GATES_08}"
    text = _outputs_text(page)
    for spoiler in ("forgiving (match) earns", "agents, 200 generations"):
        assert spoiler not in text, f"Run All shows {spoiler!r} before its question is answered"
    _open_each(
        page,
        waiting,
        [
            ("l08-predict-two-changes", 3, "forgiving (match) earns"),
            ("l08-predict-step-evolution", 2, "raise-the-stakes agents, 200 generations"),
        ],
    )
    assert page.locator(f"{PANEL} .course-gate-open .js-plotly-plot").count() >= 2  # the 2x2 and evolution
    assert not output_problems(page)

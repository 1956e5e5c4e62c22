"""Self-checks in a real JupyterLab: written answers and check states survive saving, reloading the page and
restarting the kernel; gated cells wait for their question under Run All and fill in place when it is answered (lesson 07:
test_trust_lab_reveal.py)."""

from __future__ import annotations

import json

from labkit import KERNEL_IDLE, open_notebook, output_problems, run_all, settle, wait_until

LESSON01 = "lessons/01_detente_road_to_helsinki.ipynb"
ANSWER = (
    "The CSCE was one part of a wider détente, so the negotiators could build on agreements that already "
    "worked. The ABM Treaty and the SALT I Interim Agreement of May 1972 showed that the superpowers could "
    "limit their arms and keep their word, and the Moscow Treaty of 1970 had already accepted the frontiers. "
    "The MBFR talks in Vienna took conventional forces off the agenda."
)


def _open(page, server, relpath: str) -> None:
    open_notebook(page, server, relpath)  # accepts JupyterLab's occasional "Select Kernel" dialog


def _form(page, qid: str):
    box = page.locator(f".course-check-id-{qid}").first
    box.scroll_into_view_if_needed()
    return box


def _feedback(box) -> str:
    return box.locator(".course-check-live").first.inner_text().strip()


def _wait_feedback(box, needle: str, what: str) -> str:
    return wait_until(
        lambda: (lambda t: t if needle in t else "")(_feedback(box)), timeout_s=30, message=what
    )


def _restart_kernel(page, server) -> str:
    """Kernel → Restart Kernel…, confirmed in the dialog, as a learner does; returns the new kernel's start time."""
    before = {k["id"]: k.get("last_activity") for k in server.api("kernels")}
    page.click('.lm-MenuBar-itemLabel:text-is("Kernel")')
    page.click('.lm-Menu-itemLabel:text-matches("^Restart Kernel…?$")')
    page.click(".jp-Dialog button.jp-mod-accept")
    page.wait_for_selector(".jp-Dialog", state="detached", timeout=30_000)
    page.wait_for_selector(KERNEL_IDLE, timeout=90_000)
    return str(before)


def test_written_answer_and_check_state_survive_save_reload_and_kernel_restart(page, lab_server):
    path = lab_server.root / LESSON01
    (lab_server.root / "lessons" / ".course-progress.json").unlink(missing_ok=True)
    _open(page, lab_server, LESSON01)
    run_all(page)

    # 1. a wrong answer to a multiple-choice check: feedback on that option, and a hint
    mc = _form(page, "l01-salt-meaning")
    mc.locator("input[type=radio]").first.check()
    mc.locator("button", has_text="Check").click()
    text = _wait_feedback(mc, "Not yet", "feedback on the wrong option")
    assert "cannot be that of one treaty" in text and "Hint 1 of 2" in text, text

    # 2. write the answer in the answer cell under the written question, and save
    written = _form(page, "l01-scaffolding")
    written.locator("button", has_text="Check my answer").click()
    _wait_feedback(written, "empty in the saved notebook", "the save-first message")
    cell = page.locator(".jp-MarkdownCell", has_text="Your answer").first
    cell.scroll_into_view_if_needed()
    cell.dblclick()
    editor = cell.locator(".cm-content").first
    editor.wait_for(timeout=10_000)
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(ANSWER)
    page.keyboard.press("Control+s")
    wait_until(
        lambda: ANSWER in path.read_text(encoding="utf-8"), timeout_s=30, message="the answer saved to disk"
    )
    written.locator("button", has_text="Check my answer").click()
    text = _wait_feedback(written, "Compare", "the model answer")
    assert "Compare your answer with the model answer" in text and "different forums" not in text

    # 3. reload the page and restart the kernel; run everything again
    page.reload()
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook", timeout=90_000)
    page.wait_for_selector(KERNEL_IDLE, timeout=90_000)
    _restart_kernel(page, lab_server)
    run_all(page)
    settle(page)

    # the answer is in the notebook, the check states came back from the progress file
    cell = page.locator(".jp-MarkdownCell", has_text="Your answer").first
    assert "MBFR talks in Vienna took conventional forces" in cell.inner_text()
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert any(ANSWER in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "1 wrong attempt so far" in _feedback(_form(page, "l01-salt-meaning"))
    assert "You answered this earlier" in _feedback(_form(page, "l01-scaffolding"))
    saved = json.loads((lab_server.root / "lessons" / ".course-progress.json").read_text())["checks"]
    assert saved["l01-salt-meaning"]["wrong"] == 1 and saved["l01-scaffolding"]["solved"] is True
    assert not output_problems(page)


# Lesson 07's gates under Run All: tests/browser/test_trust_lab_reveal.py

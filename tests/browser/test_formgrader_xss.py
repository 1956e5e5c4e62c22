"""A student's submission cannot run script in the instructor's Formgrader (course/grading/safehtml.py).

Formgrader serves each graded submission as an HTML page from the instructor's own Jupyter server,
so a script on that page acts with the instructor's session: it can start a kernel outside every
jail and run code as the instructor. The attack: mallory's written answer (a Markdown cell) carries
raw HTML with event handlers and ``javascript:`` links, and her code answer still solves the
question but also displays HTML, JavaScript, Markdown and SVG with scripts. ``course grade`` grades
her like anyone else; then her page is opened in a real Formgrader, in Chromium, and no payload may
have run. The control removes the course's preprocessor from the configuration: the same page then
runs the payloads in Chromium, so the test can fail.
"""

from __future__ import annotations

import json
import time

from grading_fixtures.commands import course_process as course
from grading_fixtures.commands import new_course
from grading_fixtures.server import Server
from grading_fixtures.submissions import reference, reference_answers, submit
from grading_fixtures.xss import CODE_OUTPUTS, MARKDOWN_ANSWER, all_markers, live_payloads
from nbgrader.api import Gradebook

from course.grading.sandbox import detect_isolation

EXTRA = [] if detect_isolation().mode != "none" else ["--allow-unisolated"]
PREPROCESSOR_LINE = 'c.HTMLExporter.preprocessors = ["course.grading.safehtml.InertStudentContent"]'
MARKDOWN_MARKERS = {"PWN_md_img", "PWN_md_script", "PWN_md_toggle"}  # run on load, no click needed
LINK_MARKERS = {"PWN_md_link", "PWN_md_ref"}  # run when the grader clicks the link


def _hostile(c):
    nb = reference(c, "ps1")
    answers = reference_answers(c, "ps1")
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "q4_answer":
            cell.source = MARKDOWN_ANSWER
        elif gid == "q1_answer":
            cell.source = answers["q1_answer"] + "\n" + CODE_OUTPUTS
    return nb


def _ran(browser, server: Server, submission_id: str) -> tuple[set[str], str, set[str]]:
    """The markers the page ran on load, its text, and the markers its links would run when clicked."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(
            f"http://127.0.0.1:{server.port}/formgrader/submissions/{submission_id}/?token={server.token}"
        )
        page.wait_for_load_state("load")
        page.wait_for_selector("text=Principle VII binds the signatories", timeout=60_000)
        time.sleep(1)  # image error and toggle events fire after load
        ran = set(page.evaluate("Object.keys(window).filter(k => k.startsWith('PWN_'))"))
        links = set()
        for href in page.eval_on_selector_all("a[href^='javascript:' i]", "els => els.map(e => e.href)"):
            links |= all_markers(href)
        return ran, page.inner_text("body"), links
    finally:
        context.close()


def test_formgrader_runs_no_script_from_a_submission(tmp_path, browser):
    c = new_course(tmp_path / "course", "ps1")
    assert course("--course-dir", c, "release", "ps1").rc == 0
    submit(c, "bob", "ps1", reference(c, "ps1"))
    submit(c, "mallory", "ps1", _hostile(c))
    r = course("--course-dir", c, "grade", "ps1", *EXTRA)
    assert r.rc == 0, r.out + r.err

    copy = c / "autograded" / "mallory" / "ps1" / "ps1.ipynb"
    assert copy.is_file(), r.out + r.err
    graded = copy.read_text()
    delivered = all_markers(graded)
    assert MARKDOWN_MARKERS | LINK_MARKERS | {"PWN_out_script", "PWN_out_js"} <= delivered, sorted(delivered)
    with Gradebook(f"sqlite:///{c / 'gradebook.db'}") as gb:
        ids = {s: gb.find_submission_notebook("ps1", "ps1", s).id for s in ("bob", "mallory")}
        scores = {s: gb.find_submission("ps1", s).code_score for s in ("bob", "mallory")}
    assert scores["mallory"] == scores["bob"] > 0, scores  # her code answer still solves q1

    server = Server(c, tmp_path / "server.log")
    try:
        status, body = server.request("GET", f"/formgrader/submissions/{ids['mallory']}/")
        assert status == 200 and "Principle VII binds the signatories" in body, body[-500:]
        assert live_payloads(body) == set(), sorted(live_payloads(body))
        ran, text, links = _ran(browser, server, ids["mallory"])
    finally:
        server.stop()
    assert ran == set() and links == set(), (ran, links)
    assert "onerror=" in text, "her raw HTML is shown to the grader as text"

    r = course("--course-dir", c, "feedback", "ps1")
    assert r.rc == 0, r.out + r.err
    feedback = (c / "feedback" / "mallory" / "ps1" / "ps1.html").read_text()
    assert live_payloads(feedback) == set(), sorted(live_payloads(feedback))

    # the control: the same page without the course's preprocessor runs her script in Chromium
    config = c / "nbgrader_config.py"
    text = config.read_text()
    assert PREPROCESSOR_LINE in text
    config.write_text(text.replace(PREPROCESSOR_LINE, ""))
    server = Server(c, tmp_path / "server2.log")
    try:
        ran, _, links = _ran(browser, server, ids["mallory"])
    finally:
        server.stop()
        config.write_text(text)
    assert MARKDOWN_MARKERS <= ran and LINK_MARKERS <= links, json.dumps([sorted(ran), sorted(links)])

"""nbgrader in the browser: Formgrader lists the problem sets, and Validate
on a released notebook that a student has completed reports success."""
from __future__ import annotations

import subprocess
import sys

import nbformat

from course.grading.notebooks import SOLUTION, grade_id, is_solution
from labkit import open_notebook, settle, wait_until

PROBLEM_SETS = ["ps1", "ps2", "ps3", "ps4"]


def _course(*args) -> subprocess.CompletedProcess:
    code = "import sys; from course.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=600)


def _completed_release(course_dir, ps):
    """The released notebook with every answer cell filled in from the master's solution."""
    release = nbformat.read(course_dir / "release" / ps / f"{ps}.ipynb", as_version=4)
    master = {grade_id(c): c.source for c in nbformat.read(course_dir / "source" / ps / f"{ps}.ipynb", as_version=4).cells
              if is_solution(c)}
    for cell in release.cells:
        if is_solution(cell) and grade_id(cell) in master:
            cell.source = "\n".join(l for l in master[grade_id(cell)].split("\n")
                                    if SOLUTION[0] not in l and SOLUTION[1] not in l)
    return release


def test_formgrader_lists_assignments_and_validate_reports_success(page, lab_server):
    course_dir = lab_server.root / "assignments"
    done = _course("--course-dir", str(course_dir), "release", "ps1")
    assert done.returncode == 0, done.stdout + done.stderr

    # Formgrader, opened from the Nbgrader menu, lists every problem set
    page.goto(lab_server.url("lab?reset"))
    page.wait_for_selector(".lm-MenuBar-itemLabel:text-is('Nbgrader')", timeout=90_000)
    page.click(".lm-MenuBar-itemLabel:text-is('Nbgrader')")
    page.click(".lm-Menu-itemLabel:text-is('Formgrader')")
    frame = page.frame_locator("iframe[src*='formgrader']").first
    listed = wait_until(lambda: frame.locator("body").inner_text(timeout=5_000), timeout_s=60,
                        message="Formgrader to load")
    wait_until(lambda: all(ps in frame.locator("body").inner_text(timeout=5_000) for ps in PROBLEM_SETS),
               timeout_s=60, message=f"Formgrader to list {PROBLEM_SETS}; it shows: {listed[:300]!r}")

    # Validate on a completed copy of the released ps1
    work = lab_server.root / "student"
    work.mkdir(exist_ok=True)
    nbformat.write(_completed_release(course_dir, "ps1"), work / "ps1.ipynb")
    open_notebook(page, lab_server, "student/ps1.ipynb")
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar").get_by_text("Validate", exact=True).first.click()
    dialog = page.locator(".jp-Dialog")
    text = wait_until(lambda: dialog.inner_text() if dialog.count() and "alidat" in dialog.inner_text() and
                      ("Success" in dialog.inner_text() or "fail" in dialog.inner_text().lower()
                       or "error" in dialog.inner_text().lower()) else "",
                      timeout_s=240, message="the validation result")
    assert "Success" in text and "passes all the tests" in text, text
    settle(page)

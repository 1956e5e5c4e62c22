"""nbgrader in the browser: Formgrader lists the problem sets, Validate on a
released notebook that a student has completed reports success, a student
fetches and submits from Nbgrader > Assignment List as the README says, and
every menu path the READMEs name exists in JupyterLab 4."""

from __future__ import annotations

import sys

import nbformat
from grading_fixtures.commands import course_process
from labkit import REPO, menu, open_notebook, settle, wait_until

from course.grading.notebooks import SOLUTION, grade_id, is_solution

PROBLEM_SETS = ["ps1", "ps2", "ps3", "ps4"]


def _completed_release(course_dir, ps):
    """The released notebook with every answer cell filled in from the master's solution."""
    release = nbformat.read(course_dir / "release" / ps / f"{ps}.ipynb", as_version=4)
    master = {
        grade_id(c): c.source
        for c in nbformat.read(course_dir / "source" / ps / f"{ps}.ipynb", as_version=4).cells
        if is_solution(c)
    }
    for cell in release.cells:
        if is_solution(cell) and grade_id(cell) in master:
            cell.source = "\n".join(
                ln
                for ln in master[grade_id(cell)].split("\n")
                if SOLUTION[0] not in ln and SOLUTION[1] not in ln
            )
    return release


def test_formgrader_lists_assignments_and_validate_reports_success(page, lab_server):
    course_dir = lab_server.root / "assignments"
    done = course_process("--course-dir", course_dir, "release", "ps1")
    assert done.rc == 0, done.out + done.err

    # Formgrader, opened from the Nbgrader menu, lists every problem set
    page.goto(lab_server.url("lab?reset"))
    page.wait_for_selector(".lm-MenuBar-itemLabel:text-is('Nbgrader')", timeout=90_000)
    page.click(".lm-MenuBar-itemLabel:text-is('Nbgrader')")
    page.click(".lm-Menu-itemLabel:text-is('Formgrader')")
    frame = page.frame_locator("iframe[src*='formgrader']").first
    listed = wait_until(
        lambda: frame.locator("body").inner_text(timeout=5_000), timeout_s=60, message="Formgrader to load"
    )
    wait_until(
        lambda: all(ps in frame.locator("body").inner_text(timeout=5_000) for ps in PROBLEM_SETS),
        timeout_s=60,
        message=f"Formgrader to list {PROBLEM_SETS}; it shows: {listed[:300]!r}",
    )

    # Validate on a completed copy of the released ps1
    work = lab_server.root / "student"
    work.mkdir(exist_ok=True)
    nbformat.write(_completed_release(course_dir, "ps1"), work / "ps1.ipynb")
    open_notebook(page, lab_server, "student/ps1.ipynb")
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Toolbar").get_by_text(
        "Validate", exact=True
    ).first.click()
    dialog = page.locator(".jp-Dialog")
    text = wait_until(
        lambda: (
            dialog.inner_text()
            if dialog.count()
            and "alidat" in dialog.inner_text()
            and (
                "Success" in dialog.inner_text()
                or "fail" in dialog.inner_text().lower()
                or "error" in dialog.inner_text().lower()
            )
            else ""
        ),
        timeout_s=240,
        message="the validation result",
    )
    assert "Success" in text and "passes all the tests" in text, text
    settle(page)


def test_student_fetches_and_submits_from_nbgrader_assignment_list(page, lab_server):
    """README.md, "For students": *Nbgrader → Assignment List*, *Fetch*, then *Submit* there."""
    course_dir = lab_server.root / "assignments"
    done = course_process("--course-dir", course_dir, "release", "ps2", "--publish")
    assert done.rc == 0, done.out + done.err

    page.goto(lab_server.url("lab?reset"))
    page.wait_for_selector(".lm-MenuBar-itemLabel:text-is('Nbgrader')", timeout=90_000)
    menu(page, "Nbgrader", "Assignment List")
    panel = (
        page.locator("#nbgrader-assignment-list, .jp-MainAreaWidget:not(.lm-mod-hidden)")
        .filter(has_text="Released assignments")
        .first
    )
    released = panel.locator("#released_assignments_list")
    wait_until(
        lambda: "ps2" in released.inner_text(timeout=5_000),
        timeout_s=60,
        message="the Assignment List to show ps2 under Released assignments",
    )
    released.get_by_role("button", name="Fetch").first.click()
    fetched = panel.locator("#fetched_assignments_list")
    wait_until(
        lambda: "ps2" in fetched.inner_text(timeout=5_000),
        timeout_s=60,
        message="ps2 to move to Downloaded assignments",
    )
    assert (lab_server.root / "ps2" / "ps2.ipynb").is_file()

    # the student's nbgrader cache lives in the real home, so earlier runs may already list a ps2
    # submission: wait for the new one, in the exchange and on screen
    submitted = panel.locator("#submitted_assignments_list")
    inbound = course_dir / "exchange" / "helsinki-nea" / "inbound"
    listed_before = submitted.inner_text(timeout=5_000)
    fetched.get_by_role("button", name="Submit").first.click()
    wait_until(
        lambda: [p for p in inbound.iterdir() if "+ps2+" in p.name],
        timeout_s=60,
        message=f"a ps2 submission in {inbound}",
    )
    wait_until(
        lambda: (lambda t: "ps2" in t and t != listed_before)(submitted.inner_text(timeout=5_000)),
        timeout_s=60,
        message="the new ps2 submission under Submitted assignments",
    )
    settle(page)


def test_every_menu_path_the_readmes_name_exists_in_jupyterlab(page, lab_server):
    """Each *Menu → Item* in README.md and assignments/README.md, clicked open in a notebook."""
    sys.path.insert(0, str(REPO / "tests"))
    from test_readme_contract import readme_menu_paths

    paths = readme_menu_paths()
    assert len(paths) >= 6, paths
    open_notebook(page, lab_server, "lessons/00_start_here.ipynb")
    missing = []
    for top, item in paths:
        page.click(f'.lm-MenuBar-itemLabel:text-is("{top}")')
        entry = page.locator(f'.lm-Menu-itemLabel:text-is("{item}")')
        try:
            entry.first.wait_for(state="visible", timeout=5_000)
        except Exception:  # noqa: BLE001 - playwright's TimeoutError
            shown = page.locator(".lm-Menu-itemLabel").all_inner_texts()
            missing.append(f"{top} → {item} (the {top} menu shows {shown})")
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
    assert not missing, missing
    # "the *Running Terminals and Kernels* tab on the left" (README.md, memory on Binder)
    tab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab[title*='Running Terminals and Kernels']")
    assert tab.count() == 1, page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab").evaluate_all(
        "tabs => tabs.map(t => t.title)"
    )
    # the Create Assignment panel is in the right sidebar (assignments/README.md)
    assert page.locator(".jp-SideBar.jp-mod-right .lm-TabBar-tab[title*='Create Assignment']").count() == 1

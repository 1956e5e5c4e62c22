"""`course report PS`: the class's numbers against an independent computation, the offline HTML, the tags.

The class is 30 graded submissions of ps1 with known cell scores in a real
gradebook (see grading_fixtures.gradebook_class), plus a timed-out, a crashed,
a pending and a missing submission. Every expected number below is computed
here from the drawn scores with numpy and scipy, not with course.grading.report.
"""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from grading_fixtures.commands import REPO, course
from grading_fixtures.gradebook_class import generate
from scipy import stats

from course.grading.coursedir import Course
from course.grading.objectives import ObjectiveError, Resolver, cell_objectives, check_masters
from course.grading.report import ReportError, class_report

PROBLEM_SETS = ["ps1", "ps2", "ps3", "ps4"]


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("report"), graded=30)


def _expected(klass):
    """Per question and per objective, straight from the drawn scores and the master's raw metadata."""
    students = sorted(klass.scores)
    cells = list(klass.cells)
    points = np.array([[klass.scores[s][c] for c in cells] for s in students])  # students x cells
    questions = list(dict.fromkeys(c.split("_")[0] for c in cells))
    q_points = np.column_stack(
        [points[:, [i for i, c in enumerate(cells) if c.startswith(q + "_")]].sum(axis=1) for q in questions]
    )
    q_max = np.array([sum(v for c, v in klass.cells.items() if c.startswith(q + "_")) for q in questions])
    total = q_points.sum(axis=1)
    master = json.loads((klass.dir / "source" / "ps1" / "ps1.ipynb").read_text())
    tag = {
        c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["course"]["objective"]
        for c in master["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade")
    }
    objectives = {}
    for t in dict.fromkeys(tag.values()):
        idx = [i for i, c in enumerate(cells) if tag[c] == t]
        top = sum(klass.cells[cells[i]] for i in idx)
        objectives[t] = float(np.mean(points[:, idx].sum(axis=1) >= 0.5 * top))
    return students, questions, q_points, q_max, total, objectives


def test_statistics_agree_with_an_independent_computation(klass):
    students, questions, q_points, q_max, total, objectives = _expected(klass)
    report = class_report(klass.course, "ps1")

    assert list(report.totals.index) == students
    np.testing.assert_allclose(report.totals.to_numpy(), total)
    assert report.summary["students"] == 30
    assert report.summary["mean"] == pytest.approx(np.mean(total))
    assert report.summary["median"] == pytest.approx(np.median(total))
    assert report.summary["sd"] == pytest.approx(np.std(total, ddof=1))
    assert report.max_total == 16

    q = report.questions.set_index("question")
    assert list(q.index) == questions == ["q1", "q2", "q3", "q4", "q5", "q6"]
    for j, name in enumerate(questions):
        item, rest = q_points[:, j], total - q_points[:, j]
        assert q.loc[name, "max_points"] == q_max[j]
        assert q.loc[name, "mean"] == pytest.approx(item.mean())
        assert q.loc[name, "full_marks_share"] == pytest.approx(np.mean(item == q_max[j]))
        assert q.loc[name, "difficulty"] == pytest.approx(item.mean() / q_max[j])
        r = stats.pointbiserialr(item, rest).statistic
        assert q.loc[name, "discrimination"] == pytest.approx(r, abs=1e-12), name
    # the correlation is with the rest of the score: with the total it would be larger for every question
    with_total = [stats.pearsonr(q_points[:, j], total).statistic for j in range(len(questions))]
    assert all(w > d for w, d in zip(with_total, q["discrimination"]))

    got = dict(zip(report.objectives["objective"], report.objectives["reached_share"]))
    resolver = Resolver()
    want = {resolver.resolve(t).label: share for t, share in objectives.items()}
    assert got.keys() == want.keys() and len(want) == 5
    for label, share in want.items():
        assert got[label] == pytest.approx(share), label

    not_graded = dict(zip(report.not_graded["student"], report.not_graded["status"].str.split(":").str[0]))
    assert not_graded == klass.others
    assert set(not_graded.values()) == {"timed out", "crashed", "needs-manual-grading", "not submitted"}


def test_a_stricter_reached_threshold_counts_full_marks_only(klass):
    report = class_report(klass.course, "ps1", reached_at=1.0)
    students = sorted(klass.scores)
    q6 = [klass.scores[s]["q6_answer"] for s in students]
    row = report.objectives[report.objectives["cells"] == "q6_answer"].iloc[0]
    assert row["reached_share"] == pytest.approx(np.mean(np.array(q6) == 3))
    with pytest.raises(ReportError, match="reached_at"):
        class_report(klass.course, "ps1", reached_at=0)


def test_cli_report_defaults_to_report_ps_html_and_takes_the_threshold(klass, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = course("--course-dir", klass.dir, "report", "ps1", "--reached-at", "1", "--csv", "n.csv")
    assert result.rc == 0, result.out + result.err
    assert (tmp_path / "report-ps1.html").is_file()
    table = pd.read_csv(tmp_path / "n.csv")
    objectives = table[table["table"] == "objective"]
    strict = class_report(klass.course, "ps1", reached_at=1.0).objectives
    np.testing.assert_allclose(objectives["reached_share"], strict["reached_share"])
    assert "at least 100% of the points" in (tmp_path / "report-ps1.html").read_text(encoding="utf-8")


def test_cli_writes_one_offline_html_file_and_the_same_numbers_as_csv(klass, tmp_path):
    html_path, csv_path = tmp_path / "ps1.html", tmp_path / "ps1.csv"
    result = course("--course-dir", klass.dir, "report", "ps1", "-o", html_path, "--csv", csv_path)
    assert result.rc == 0, result.out + result.err
    assert "30 graded student(s)" in result.out

    page = html_path.read_text(encoding="utf-8")
    # plotly.js itself is in the file: nothing is fetched, from a CDN or anywhere else
    assert not re.search(r"<script[^>]+src\s*=", page, flags=re.I), "a script is loaded from elsewhere"
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "<script></script>", page, flags=re.S | re.I)
    assert not re.search(r"<link\b|\b(src|href)\s*=\s*[\"']?(https?:)?//", markup, flags=re.I)
    assert "cdn.plot.ly" not in markup and "cdn.jsdelivr" not in markup
    # (plotly.js's own source names a few URLs, map outlines and icons, that no figure here uses;
    # test_the_report_draws_its_figures_in_chromium_with_the_network_blocked shows nothing is fetched)
    assert len(page) > 1_000_000 and "Plotly.newPlot" in page
    assert page.count('class="plotly-graph-div"') == 3
    for who, status in klass.others.items():
        assert f"<td>{who}</td><td>{status}" in page, (who, status)

    table = pd.read_csv(csv_path)
    report = class_report(klass.course, "ps1")
    questions = table[table["table"] == "question"].reset_index(drop=True)
    pd.testing.assert_series_equal(questions["question"], report.questions["question"], check_names=False)
    np.testing.assert_allclose(questions["discrimination"], report.questions["discrimination"])
    np.testing.assert_allclose(questions["difficulty"], report.questions["difficulty"])
    objectives = table[table["table"] == "objective"]
    np.testing.assert_allclose(objectives["reached_share"], report.objectives["reached_share"])
    scores = table[table["table"] == "score"].set_index("student")["total"]
    assert scores.to_dict() == {s: sum(v.values()) for s, v in klass.scores.items()}
    assert set(table[table["table"] == "not graded"]["student"]) == set(klass.others)


def test_report_with_fewer_than_three_graded_students_says_so_and_fails(klass, tmp_path):
    from course.grading.gradebook import _gradebook, _write_status

    c = tmp_path / "course"
    shutil.copytree(klass.dir, c, symlinks=True)
    few = Course(c)
    with _gradebook(few) as gb:
        for s in sorted(klass.scores)[2:]:
            _write_status(
                gb, "ps1", s, "timed out", "cell 'q1_answer' did not finish within 30 s", [], "none"
            )
    result = course("--course-dir", c, "report", "ps1", "-o", tmp_path / "r.html")
    assert result.rc == 2
    assert "ps1 has 2 graded student(s); the report needs at least 3" in result.err
    assert not (tmp_path / "r.html").exists()
    unknown = course("--course-dir", c, "report", "ps9")
    assert unknown.rc == 2 and "unknown problem set(s): ps9" in unknown.err


# ------------------------------------------------------------------ objective tags of the masters
@pytest.mark.parametrize("ps", PROBLEM_SETS)
def test_every_graded_cell_of_every_master_names_one_lesson_objective(ps):
    path = REPO / "assignments" / "source" / ps / f"{ps}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    graded = [c.metadata.nbgrader.grade_id for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded, f"{ps} has no graded cells"
    found = cell_objectives(path)  # raises, naming the cell, on an untagged or unresolvable one
    assert list(found) == graded
    for gid, obj in found.items():
        lesson = next((REPO / "lessons").glob(f"{obj.lesson}_*.ipynb"))
        assert obj.text in "".join(nbformat.read(str(lesson), as_version=4).cells[0].source), gid


def test_check_masters_finds_no_problem_in_the_course():
    assert check_masters(REPO / "assignments" / "source") == []


def _master_with(tmp_path, change) -> Path:
    nb = json.loads((REPO / "assignments" / "source" / "ps2" / "ps2.ipynb").read_text())
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "q4_answer")
    change(cell["metadata"])
    out = tmp_path / "source" / "ps2" / "ps2.ipynb"
    out.parent.mkdir(parents=True)
    out.write_text(json.dumps(nb))
    return out


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m.pop("course"), "graded cell 'q4_answer' has no metadata.course.objective"),
        (lambda m: m["course"].update(objective="explain two things"), "is not of the form 'NN: "),
        (lambda m: m["course"].update(objective="04: explain why the moon"), "starts 0 of lesson 04"),
        (lambda m: m["course"].update(objective="04: "), "is not of the form"),
        (lambda m: m["course"].update(objective="08: c"), "starts 2 of lesson 08"),
        (lambda m: m["course"].update(objective="99: anything"), "lesson 99: 0 notebooks match"),
    ],
)
def test_an_untagged_or_unresolvable_graded_cell_is_named(tmp_path, change, message):
    path = _master_with(tmp_path, change)
    with pytest.raises(ObjectiveError) as e:
        cell_objectives(path)
    assert message in str(e.value) and "q4_answer" in str(e.value)
    assert check_masters(tmp_path / "source") and message in check_masters(tmp_path / "source")[0]


@pytest.mark.parametrize("ps", PROBLEM_SETS)
def test_tags_change_no_nbgrader_checksum_and_the_release_keeps_them_harmlessly(ps, tmp_path):
    from grading_fixtures.commands import new_course
    from nbgrader.utils import compute_checksum

    c = new_course(tmp_path / "course", ps)
    result = course("--course-dir", c, "release", ps)
    assert result.rc == 0 and "none leaked" in result.out, result.out + result.err
    master = nbformat.read(str(c / "source" / ps / f"{ps}.ipynb"), as_version=4)
    released = nbformat.read(str(c / "release" / ps / f"{ps}.ipynb"), as_version=4)
    rel = {
        c.metadata.nbgrader.grade_id: c for c in released.cells if c.metadata.get("nbgrader", {}).get("grade")
    }
    for cell in master.cells:
        if not cell.metadata.get("nbgrader", {}).get("grade"):
            continue
        bare = copy.deepcopy(cell)
        del bare.metadata["course"]
        assert compute_checksum(bare) == compute_checksum(cell)
        gid = cell.metadata.nbgrader.grade_id
        assert rel[gid].metadata["course"] == cell.metadata["course"], gid
        if "checksum" in rel[gid].metadata.nbgrader:  # locked cells: what nbgrader validates against
            assert rel[gid].metadata.nbgrader.checksum == compute_checksum(rel[gid])


def test_report_names_untagged_cells_instead_of_failing(klass, tmp_path):
    c = tmp_path / "course"
    shutil.copytree(klass.dir, c, symlinks=True)
    path = c / "source" / "ps1" / "ps1.ipynb"
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "q5_hidden":
            del cell["metadata"]["course"]
    path.write_text(json.dumps(nb))
    report = class_report(Course(c), "ps1")
    assert any("q5_hidden" in w and "no objective" in w for w in report.warnings)
    assert "(no objective)" in set(report.objectives["objective"])
    out = io.StringIO(report.to_csv())
    assert "(no objective)" in out.getvalue()


def test_the_report_draws_its_figures_in_chromium_with_the_network_blocked(klass, tmp_path):
    import os

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not Path(chromium).is_file():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but Playwright or Chromium ({chromium}) is missing")
        pytest.skip(f"needs Playwright and Chromium at {chromium}")
    page_path = tmp_path / "ps1.html"
    assert course("--course-dir", klass.dir, "report", "ps1", "-o", page_path).rc == 0
    requested = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()

            def block(route):
                if not route.request.url.startswith("file://"):
                    requested.append(route.request.url)
                    return route.abort()
                return route.continue_()

            page.route("**/*", block)
            page.goto(page_path.as_uri())
            page.wait_for_function("document.querySelectorAll('.plotly-graph-div .main-svg').length >= 3")
            bars = page.evaluate(
                "Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => d.data.length)"
            )
            drawn = page.evaluate("document.querySelectorAll('.plotly-graph-div .bars .point').length")
        finally:
            browser.close()
    assert requested == [], f"the report fetched {requested}"
    assert bars == [1, 3, 1]
    assert drawn > 0


def test_report_after_real_grading_and_hand_marking(tmp_path):
    """Three real ps1 submissions through `course grade`: the report waits for the hand marks, then is exact."""
    from grading_fixtures.gradebook_class import released_ps1
    from grading_fixtures.submissions import answered, blank, reference, reference_answers, submit
    from nbgrader.api import Gradebook

    from course.grading.sandbox import detect_isolation

    c = released_ps1(tmp_path)
    answers = reference_answers(c, "ps1")
    submit(c, "ada", "ps1", reference(c, "ps1"))
    submit(c, "bo", "ps1", blank(c, "ps1"))
    submit(c, "cy", "ps1", answered(c, "ps1", {k: answers[k] for k in ("q1_answer", "q2_answer")}))
    isolation = detect_isolation()
    extra = [] if isolation.mode != "none" else ["--allow-unisolated"]
    graded = course("--course-dir", c, "grade", "ps1", "--jobs", "2", "--timeout", "12", *extra)
    assert graded.rc == 0, graded.out + graded.err

    waiting = course("--course-dir", c, "report", "ps1", "-o", tmp_path / "r.html")
    # nbgrader scores an unchanged written answer 0 itself: only ada's waits for a hand mark
    assert waiting.rc == 2 and "ps1 has 2 graded student(s); the report needs at least 3" in waiting.err
    assert "ada: needs-manual-grading, bo: graded, cy: graded" in waiting.err

    marks = {("ada", "q4_answer"): 5.0, ("ada", "q6_answer"): 3.0}
    course_ = Course(c)
    with Gradebook(course_.db_url, course_.course_id) as gb:
        for (student, cell), mark in marks.items():
            grade = gb.find_grade(cell, "ps1", "ps1", student)
            grade.manual_score = mark
            grade.needs_manual_grade = False
        gb.db.commit()
    report = class_report(course_, "ps1")
    # known answers: the reference earns every autograded point, the blank none, cy only q1 and q2
    expected = {
        "ada": [2, 2, 2, 5, 2, 3],
        "bo": [0, 0, 0, 0, 0, 0],
        "cy": [2, 2, 0, 0, 0, 0],
    }
    assert report.totals.to_dict() == {s: sum(v) for s, v in expected.items()}
    points = np.array([expected[s] for s in ("ada", "bo", "cy")], dtype=float)
    total = points.sum(axis=1)
    q = report.questions.set_index("question")
    for j, name in enumerate(["q1", "q2", "q3", "q4", "q5", "q6"]):
        assert q.loc[name, "mean"] == pytest.approx(points[:, j].mean())
        r = stats.pearsonr(points[:, j], total - points[:, j]).statistic
        assert q.loc[name, "discrimination"] == pytest.approx(r), name
    reached = dict(zip(report.objectives["cells"], report.objectives["students_reached"]))
    assert reached["q1_tests, q1_hidden, q3_tests, q3_hidden"] == 2  # ada; cy with q1 alone, half its points
    assert reached["q2_tests, q2_hidden"] == 2  # ada and cy
    assert reached["q6_answer"] == 1  # ada

"""Problem sets 1 and 2: at most half code, written questions that ask for reasoning, checks judged outside
the kernel.

In the grader's process (quick): the point split, the objective tags, the exemplars' numbers and
quotations against the reference and the primary texts, and wrong answers that pass a visible test
but fail the hidden ones. End to end (slow): `course release` and `course grade` on ps1 and ps2 alone,
with the reference, a blank and the partial submissions of ``grading_fixtures.cases``.
"""

from __future__ import annotations

import csv
import json
import re
from types import SimpleNamespace

import nbformat
import pytest
from grading_fixtures.cases import PARTIAL_PASSES, partial_answers, points
from grading_fixtures.commands import REPO, course, new_course
from grading_fixtures.submissions import answered, blank, reference, submit

from course.data import load_decalogue, load_primary_texts
from course.grading import compare, plain
from course.grading.notebooks import grade_id, is_solution, is_test
from course.grading.sandbox import detect_isolation
from course.selfcheck.bank import objectives_of

SOURCE = REPO / "assignments" / "source"
LESSONS = {p.name[:2]: p for p in (REPO / "lessons").glob("[0-9][0-9]_*.ipynb")}


def _judged(ps):
    nb = nbformat.read(str(SOURCE / ps / f"{ps}.ipynb"), as_version=4)
    ref = compare.Reference(nb, f"{ps}/{ps}")
    masters = {grade_id(c): c.source for c in nb.cells if is_test(c)}
    checks = compare.checks_of_notebook(masters, nb, ref.namespace)
    ref.fill(checks)

    def verdicts(cell, student_code):
        """The verdicts of a cell's checks for a kernel that ran the master's given cells and then
        ``student_code`` (each probe expression evaluated there, then sent as plain data)."""
        ns = dict(ref.namespace)
        exec(student_code, ns)  # noqa: S102 - the test's own wrong answers
        out = []
        for chk in checks[cell]:
            try:
                got = json.loads(plain.dumps(plain.to_plain(eval(chk.expr, ns))))  # noqa: S307
            except Exception as e:  # noqa: BLE001 - as plain.run reports it
                got = {"$error": type(e).__name__}
            out.append(compare.judge(chk, got))
        return out

    return SimpleNamespace(nb=nb, checks=checks, namespace=ref.namespace, verdicts=verdicts)


@pytest.fixture(scope="module")
def ps1():
    return _judged("ps1")


@pytest.fixture(scope="module")
def ps2():
    return _judged("ps2")


def _cell(nb, gid):
    (c,) = [c for c in nb.cells if grade_id(c) == gid]
    return c


def _exemplar(nb, gid):
    return _cell(nb, gid).source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]


def _split(nb):
    code = sum(c.metadata["nbgrader"]["points"] for c in nb.cells if is_test(c))
    written = sum(
        c.metadata["nbgrader"]["points"]
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata["nbgrader"].get("grade")
    )
    return code, written


# -- the problem sets as written --------------------------------------------------------------------
def test_the_point_split(ps1, ps2):
    """Before issue 17: ps1 10 code / 3 written, ps2 7 code / 4 written."""
    assert _split(ps1.nb) == (8, 8)
    assert _split(ps2.nb) == (4, 7)


@pytest.mark.parametrize("ps, lessons", [("ps1", {"01", "02"}), ("ps2", {"04", "05"})])
def test_graded_cells_name_an_objective_of_the_lessons_they_follow(ps, lessons, ps1, ps2):
    nb = {"ps1": ps1, "ps2": ps2}[ps].nb
    graded = [c for c in nb.cells if is_test(c) or (is_solution(c) and c.metadata["nbgrader"].get("grade"))]
    assert graded
    for c in graded:
        tag = c.metadata["course"]["objective"]
        lesson, start = tag[:2], tag[4:]
        assert lesson in lessons, (grade_id(c), tag)
        hits = [o for o in objectives_of(LESSONS[lesson]) if o.startswith(start)]
        assert len(hits) == 1, (grade_id(c), tag)


def test_ps1_no_longer_asks_the_conference_length(ps1):
    """759 days from Stage I to the Final Act was asked in a lesson before; the problem set asks other things."""
    text = "\n".join(c.source for c in ps1.nb.cells)
    assert "conference_days" not in text and "csce-stage-i-helsinki" not in text
    assert "759" not in text


def test_ps2_uses_lesson_04s_measure_instead_of_rewriting_it(ps2):
    given = _cell(ps2.nb, "ps2_measure")
    assert not is_solution(given) and "def agreement_intervals" in given.source
    for gid in ("q1_answer", "q2_answer"):
        solution = _cell(ps2.nb, gid).source
        assert ".days" not in solution and "def agreement_intervals" not in solution, gid
    assert "agreement_intervals(" in _cell(ps2.nb, "q1_answer").source


def test_ps1_exemplar_quotes_the_final_act_exactly(ps1):
    texts = load_primary_texts().set_index("id")
    sources = [
        texts.loc[i, "excerpt"] for i in ("final-act-principle-7-para-1", "final-act-human-contacts-travel")
    ]
    titles = load_decalogue()["short_title"].tolist()
    quoted = re.findall(r'"([^"]+)"', _exemplar(ps1.nb, "q4_answer"))
    assert len(quoted) >= 4
    for q in quoted:
        assert any(q in s for s in sources + titles), q


def test_ps1_exemplar_counts_are_the_reference_counts(ps1):
    track_events, events = ps1.namespace["track_events"], ps1.namespace["events"]
    exemplar = _exemplar(ps1.nb, "q6_answer")
    words = {2: "two", 8: "eight"}
    for start, end, years in [
        ("1969-05-05", "1973-07-02", "4.2"),
        ("1973-07-03", "1975-08-01", "2.1"),
        ("1975-08-02", "1979-12-31", "4.4"),
    ]:
        n = len(track_events(events, "detente-arms-control", start, end))
        assert re.search(rf"\b{words[n]}\b[^.]*?{re.escape(years)} years", exemplar), (start, n, years)


def test_ps2_exemplars_quote_the_reference_numbers(ps2):
    s, shares = ps2.namespace["sensitivity"], ps2.namespace["shares"]
    by = s.set_index("agreement")
    q3, q4 = _exemplar(ps2.nb, "q3_answer"), _exemplar(ps2.nb, "q4_answer")
    median = s[["any side", "dprk only", "others only"]].median()
    for text in (q3, q4):
        assert f"{int(median['any side'])}" in text and f"{int(median['dprk only'])}" in text
    assert f"median {int(median['others only'])} days" in q3
    moved = by[by["any side"] != by["dprk only"]]
    assert list(moved.index) == [
        "inter-korean-basic-agreement",
        "joint-declaration-denuclearization",
        "six-party-joint-statement-2005",
    ]
    for _agreement, row in moved.iterrows():
        assert (
            f"{row['any side']} to {row['dprk only']}" in q3
            or f"{row['any side']} day to {row['dprk only']}" in q3
        )
    assert "three of the twelve" in q3
    assert shares.loc["any side"].tolist() == shares.loc["dprk only"].tolist() == [0.33, 0.75, 1.0]
    for value in ("0.33", "0.75", "1.0"):
        assert value in q3
    assert f"longer than {int(s['any side'].max())} days" in q4
    escalations = ps2.namespace["events"].query("track == 'escalation'")["actor_side"]
    assert (escalations != "dprk").sum() == 7 and (escalations == "dprk").sum() == 35
    assert "seven such acts against thirty-five" in q3


# -- the checks, in the grader's process --------------------------------------------------------------
@pytest.mark.parametrize(
    "ps, counts",
    [
        (
            "ps1",
            {
                "q1_tests": 1,
                "q1_hidden": 4,
                "q2_tests": 1,
                "q2_hidden": 4,
                "q3_tests": 1,
                "q3_hidden": 5,
                "q5_tests": 2,
                "q5_hidden": 6,
            },
        ),
        ("ps2", {"q1_tests": 1, "q1_hidden": 4, "q2_tests": 2, "q2_hidden": 7}),
    ],
)
def test_the_reference_passes_every_check_of_its_own(ps, counts, ps1, ps2):
    judged = {"ps1": ps1, "ps2": ps2}[ps]
    for cell, checks in judged.checks.items():
        for chk in checks:
            assert compare.judge(chk, chk.want).ok, (cell, chk.number)
    assert {cell: len(c) for cell, c in judged.checks.items()} == counts


IGNORES_ITS_INPUT = """
def side_sensitivity(given, agreement_ids):
    escalations = events[events["track"] == "escalation"]
    dprk = escalations[escalations["actor_side"] == "dprk"]
    others = escalations[escalations["actor_side"] != "dprk"]
    table = agreement_intervals(events, agreement_ids)[["agreement", "days"]].rename(columns={"days": "any side"})
    table["dprk only"] = agreement_intervals(events, agreement_ids, dprk)["days"]
    table["others only"] = agreement_intervals(events, agreement_ids, others)["days"]
    return table.reset_index(drop=True)
"""
SWAPPED = IGNORES_ITS_INPUT.replace("(given,", "(events,").replace(
    'table["dprk only"] = agreement_intervals(events, agreement_ids, dprk)',
    'table["dprk only"] = agreement_intervals(events, agreement_ids, others)',
)
STRICT = (
    "def share_within(days, window):\n"
    "    return float(sum(not pd.isna(d) and d < window for d in days) / len(days))\n"
)
MEASURED_ONLY = (
    "def share_within(days, window):\n    d = days.dropna()\n    return float((d <= window).sum() / len(d))\n"
)


def test_a_sensitivity_that_ignores_its_input_passes_the_visible_test_only(ps2):
    assert all(v.ok for v in ps2.verdicts("q1_tests", IGNORES_ITS_INPUT))
    assert not all(v.ok for v in ps2.verdicts("q1_hidden", IGNORES_ITS_INPUT))


def test_swapped_columns_fail_the_visible_and_the_hidden_checks(ps2):
    assert all(v.ok for v in ps2.verdicts("q1_tests", SWAPPED))  # the columns' names and order are right
    hidden = ps2.verdicts("q1_hidden", SWAPPED)
    assert not any(v.ok for v in hidden)
    assert hidden[0].why == "the result differs from what was expected"


def test_share_within_edges(ps2):
    assert all(v.ok for v in ps2.verdicts("q2_tests", STRICT))
    assert not all(v.ok for v in ps2.verdicts("q2_hidden", STRICT))
    assert not all(
        v.ok for v in ps2.verdicts("q2_tests", MEASURED_ONLY)
    )  # missing rows left out of the total
    returns_int = "def share_within(days, window):\n    return int(sum(d <= window for d in days.dropna()))\n"
    assert not any(v.ok for v in ps2.verdicts("q2_hidden", returns_int))


def test_question_2_is_graded_without_question_1(ps2):
    """A right share_within earns its points even when side_sensitivity is not written yet."""
    unanswered = "def side_sensitivity(events, agreement_ids):\n    raise NotImplementedError()\n"
    right = STRICT.replace("d < window", "d <= window")
    for cell in ("q2_tests", "q2_hidden"):
        assert all(v.ok for v in ps2.verdicts(cell, unanswered + right)), cell
    assert not any(v.ok for v in ps2.verdicts("q1_tests", unanswered))


def test_ps1_partial_answers_fail_where_the_fixtures_say(ps1):
    wrong_absent = (  # on or after the date: passes the visible checks, not the hidden ones
        "def signed_after(participants, date):\n"
        '    later = participants[participants["signed_final_act"] >= date]\n'
        '    return later.sort_values(["signed_final_act", "name"])["name"].tolist()\n'
    )
    assert all(v.ok for v in ps1.verdicts("q2_tests", wrong_absent))
    assert not all(v.ok for v in ps1.verdicts("q2_hidden", wrong_absent))


# -- end to end ------------------------------------------------------------------------------------
ISOLATION = detect_isolation()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    c = new_course(tmp_path_factory.mktemp("ps1ps2") / "course", "ps1", "ps2")
    released = course("--course-dir", c, "release", "ps1", "ps2")
    assert released.rc == 0, released.out + released.err
    for ps in ("ps1", "ps2"):
        submit(c, "ref", ps, reference(c, ps))
        submit(c, "blank", ps, blank(c, ps))
        submit(c, "partial", ps, answered(c, ps, partial_answers(c, ps)))
    extra = [] if ISOLATION.mode != "none" else ["--allow-unisolated"]
    result = course("--course-dir", c, "grade", "ps1", "ps2", "--jobs", "2", "--timeout", "30", *extra)
    assert result.rc == 0, result.out + result.err
    feedback = course("--course-dir", c, "feedback", "ps1", "ps2")
    exported = course("--course-dir", c, "export", "-o", c / "grades.csv")
    assert exported.rc == 0, exported.out + exported.err
    rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(open(c / "grades.csv"))}
    return SimpleNamespace(
        course=c,
        rows=rows,
        points={ps: points(c, ps) for ps in ("ps1", "ps2")},
        feedback=feedback,
        out=result.out,
    )


@pytest.mark.slow
@pytest.mark.parametrize("ps, auto, written", [("ps1", 8.0, 8.0), ("ps2", 4.0, 7.0)])
def test_reference_blank_and_partial_scores(graded, ps, auto, written):
    rows, pts = graded.rows, graded.points[ps]
    ref, empty, partial = rows[("ref", ps)], rows[("blank", ps)], rows[("partial", ps)]
    assert float(ref["score"]) == sum(pts.values()) == auto
    assert ref["status"] == "needs-manual-grading" and float(ref["pending_points"]) == written
    assert float(empty["score"]) == 0.0 and empty["status"] == "graded"
    want = sum(pts[g] for g in PARTIAL_PASSES[ps])
    assert 0.0 < float(partial["score"]) == want < auto
    assert partial["status"] == "needs-manual-grading"


@pytest.mark.slow
def test_partial_verdicts_name_the_hidden_checks(graded):
    nb = nbformat.read(str(graded.course / "autograded" / "partial" / "ps2" / "ps2.ipynb"), as_version=4)
    text = "\n".join(o.get("evalue", "") + o.get("text", "") for o in _cell(nb, "q1_hidden").outputs)
    assert "check 1 of 4 failed: the result differs" in text
    assert graded.feedback.rc == 0, graded.feedback.out
    for student in ("ref", "blank", "partial"):
        for ps in ("ps1", "ps2"):
            assert (graded.course / "feedback" / student / ps / f"{ps}.html").is_file(), (student, ps)

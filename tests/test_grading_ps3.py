"""Problem set 3: a design judged by the grader against hidden partners.

In the grader's process (quick): the master's own checks pass on its
reference values, and designs that are wrong, out of range or not plain data
fail with a reason that names the problem. End to end (slow): `course release`
and `course grade` on ps3 alone, with the reference, a blank and a partial
submission and the ps3 attacks of ``grading_fixtures.kernel_attacks``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from grading_fixtures.cases import PARTIAL_PASSES, partial_answers, points
from grading_fixtures.commands import REPO, course, new_course
from grading_fixtures.kernel_attacks import ALWAYS_EQUAL, kernel_attacks, write_kernel_attack
from grading_fixtures.submissions import answered, blank, reference, submit

from course.grading import compare, plain
from course.grading.notebooks import grade_id, is_solution, is_test
from course.grading.sandbox import detect_isolation
from course.selfcheck.bank import objectives_of

MASTER = REPO / "assignments" / "source" / "ps3" / "ps3.ipynb"
LESSON = REPO / "lessons" / "08_trust_lab.ipynb"
GRIT = {"opening": "small", "raise_by": "b", "response": "match", "forgive_after": 1, "restart": "opening"}


@pytest.fixture(scope="module")
def judged():
    """The master's checks with their reference values, as `course grade` builds them."""
    nb = nbformat.read(str(MASTER), as_version=4)
    ref = compare.Reference(nb, "ps3/ps3")
    masters = {grade_id(c): c.source for c in nb.cells if is_test(c)}
    checks = compare.checks_of_notebook(masters, nb, ref.namespace)
    ref.fill(checks)

    def verdicts(cell, value):
        """The verdicts of a cell's checks for a kernel whose `my_design` is ``value`` (each probe
        expression evaluated as the kernel would, then sent as plain data)."""
        out = []
        for chk in checks[cell]:
            try:
                got = json.loads(plain.dumps(plain.to_plain(eval(chk.expr, {"my_design": value}))))
            except Exception as e:  # noqa: BLE001 - as plain.run reports it
                got = {"$error": type(e).__name__}
            out.append(compare.judge(chk, got))
        return out

    return SimpleNamespace(nb=nb, checks=checks, namespace=ref.namespace, verdicts=verdicts)


# -- the problem set as written -------------------------------------------------------------------
def test_graded_cells_name_an_objective_of_lesson_08(judged):
    objectives = objectives_of(LESSON)
    graded = [c for c in judged.nb.cells if is_test(c) or is_solution(c)]
    assert graded
    for c in graded:
        objective = c.metadata.get("course", {}).get("objective", "")
        assert objective.startswith("08: "), (grade_id(c), objective)
        hits = [o for o in objectives if o.startswith(objective[4:])]
        assert len(hits) == 1, (grade_id(c), objective, objectives)


def test_at_most_half_of_the_points_are_for_code(judged):
    code = sum(c.metadata["nbgrader"]["points"] for c in judged.nb.cells if is_test(c))
    written = sum(
        c.metadata["nbgrader"]["points"]
        for c in judged.nb.cells
        if c.cell_type == "markdown" and c.metadata["nbgrader"].get("grade")
    )
    assert written > 0 and code <= written, (code, written)


def test_the_written_part_has_levels_0_to_3_and_an_exemplar(judged):
    (written,) = [c for c in judged.nb.cells if grade_id(c) == "q3_answer"]
    for level in ("**3:**", "**2:**", "**1:**", "**0:**"):
        assert level in written.source
    exemplar = written.source.split("### BEGIN SOLUTION")[1]
    table = judged.namespace["two_by_two"]
    for value in table["mean payoff"].tolist() + table["mean worst loss"].tolist():
        if f"{value:.2f}" in exemplar:
            break
    else:
        raise AssertionError("the exemplar quotes no number of the 2x2")
    # the numbers the exemplar quotes for the 2x2 are the table's
    for number in ("33.71", "141.24", "4.87", "10.00", "15.11", "16.06", "74.69", "4.03", "19.34", "9.99"):
        assert number in exemplar
        shown = (
            table[["mean payoff", "mean worst loss"]].round(2).to_numpy().ravel()
        )  # as the pivot shows them
        assert any(f"{v:.2f}" == number for v in shown), number


def test_the_lessons_classic_game_is_gone(judged):
    text = "\n".join(c.source for c in judged.nb.cells)
    for word in ("play_classic", "numpy", "detective", "np."):
        assert word not in text


# -- the rule, in the grader's process ---------------------------------------------------------------
def test_the_reference_passes_every_check_of_its_own(judged):
    for cell, checks in judged.checks.items():
        for chk in checks:
            assert compare.judge(chk, chk.want).ok, (cell, chk.number)
    assert {cell: len(c) for cell, c in judged.checks.items()} == {
        "q1_tests": 4,
        "q2_tests": 3,
        "q2_hidden": 6,
    }


def test_grit_passes_and_big_bang_fails_with_the_reason(judged):
    assert all(v.ok for v in judged.verdicts("q2_hidden", GRIT))
    big_bang = {**GRIT, "opening": "all", "response": "grim"}
    why = [v.why for v in judged.verdicts("q2_tests", big_bang) if not v.ok]
    assert "not above big-bang's" in why[0]


def test_a_design_tuned_to_the_visible_partner_fails_a_hidden_one(judged):
    overfit = {**GRIT, "opening": 3.0, "raise_by": 0.5}
    assert all(v.ok for v in judged.verdicts("q2_tests", overfit))
    hidden = judged.verdicts("q2_hidden", overfit)
    assert not all(v.ok for v in hidden)
    failed = [v for v in hidden if not v.ok]
    # the rule's own reason stays with the grader: the student's feedback says a hidden rule failed
    assert "mean worst loss 7.30, above 6.5" in failed[0].kept
    assert all(v.why == compare.HIDDEN_FAIL for v in failed)


@pytest.mark.parametrize(
    "design, reason",
    [
        ({**GRIT, "opening": 25.0}, "opening must be in [0, max_stake=10]; got 25.0"),
        ({**GRIT, "raise_by": -1}, "raise_by must be >= 0"),
        ({**GRIT, "response": "sulk"}, "unknown response 'sulk'"),
        ({**GRIT, "forgive_after": 3}, "forgive_after must be 1 when response is 'match'"),
        ({**GRIT, "opening": float("nan")}, "my_design['opening'] must be a plain number or name; got nan"),
        ({**GRIT, "opening": True}, "my_design['opening'] must be a plain number or name; got bool"),
        ({"opening": "small"}, "missing: raise_by, response, forgive_after, restart"),
        ({**GRIT, "colour": "red"}, "unknown: colour"),
        ([1, 2], "my_design must be a dict of the five dimensions; got list"),
        (lambda: GRIT, "missing: opening, raise_by"),
    ],
)
def test_a_bad_design_fails_every_check_with_a_reason_naming_the_problem(judged, design, reason):
    for cell in ("q2_tests", "q2_hidden"):
        verdicts = judged.verdicts(cell, design)
        assert not any(v.ok for v in verdicts)
        said = [v.kept if cell == "q2_hidden" else v.why for v in verdicts]
        assert all(reason in w for w in said), (reason, said[0])
        if cell == "q2_hidden":
            assert all(v.why == compare.HIDDEN_FAIL for v in verdicts)


def test_objects_posing_as_a_design_fail(judged):
    from course.trust import StakesDesign

    class Sly(dict):
        pass

    # the plain object of the always-equal attack (grading_fixtures.kernel_attacks), here in the grader
    attack: dict = {"__name__": "__main__"}  # as in the kernel
    exec(ALWAYS_EQUAL, attack)  # noqa: S102 - the test's own attack code
    AnyNumber = attack["_AlwaysEqual"]

    class Low(float):
        def __le__(self, other):
            return True

    # a StakesDesign is sent as its attributes (the probe asks for vars()), so it is judged, not flagged
    assert all(v.ok for v in judged.verdicts("q2_tests", StakesDesign()))
    assert "Sly" in judged.verdicts("q2_tests", Sly(GRIT))[0].why
    assert "got " in judged.verdicts("q2_tests", {**GRIT, "opening": Low(1.0)})[0].why
    assert "redefines equality" in judged.verdicts("q2_tests", {**GRIT, "opening": AnyNumber()})[0].why


def test_fail_gives_a_checks_reason_and_other_errors_stay_generic():
    def reasoned(got, want):
        raise compare.Fail("opening must be small")

    def broken(got, want):
        raise KeyError("x")

    assert compare.judge(compare.Check("c", 1, "x", test=reasoned), 1) == compare.Verdict(
        False, "opening must be small"
    )
    assert (
        compare.judge(compare.Check("c", 1, "x", test=broken), 1).why
        == "the result has the wrong form (KeyError)"
    )


# -- end to end ------------------------------------------------------------------------------------
ISOLATION = detect_isolation()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    c = new_course(tmp_path_factory.mktemp("ps3") / "course", "ps3")
    released = course("--course-dir", c, "release", "ps3")
    assert released.rc == 0, released.out + released.err
    submit(c, "ref", "ps3", reference(c, "ps3"))
    submit(c, "blank", "ps3", blank(c, "ps3"))
    submit(c, "partial", "ps3", answered(c, "ps3", partial_answers(c, "ps3")))
    attacks = [k for k in kernel_attacks() if k.ps == "ps3"]
    for k in attacks:
        write_kernel_attack(c, k)
    extra = [] if ISOLATION.mode != "none" else ["--allow-unisolated"]
    result = course("--course-dir", c, "grade", "ps3", "--jobs", "2", "--timeout", "30", *extra)
    assert result.rc == 0, result.out + result.err
    feedback = course("--course-dir", c, "feedback", "ps3")
    exported = course("--course-dir", c, "export", "-o", c / "grades.csv")
    assert exported.rc == 0, exported.out + exported.err
    rows = {r["student_id"]: r for r in csv.DictReader(open(c / "grades.csv")) if r["assignment"] == "ps3"}
    return SimpleNamespace(course=c, rows=rows, attacks=attacks, points=points(c, "ps3"), feedback=feedback)


def _verdict_text(course_dir: Path, student: str, gid: str) -> str:
    nb = nbformat.read(str(course_dir / "autograded" / student / "ps3" / "ps3.ipynb"), as_version=4)
    (cell,) = [c for c in nb.cells if grade_id(c) == gid]
    return "\n".join(o.get("evalue", "") + o.get("text", "") for o in cell.outputs)


@pytest.mark.slow
def test_reference_blank_and_partial_scores(graded):
    rows, pts = graded.rows, graded.points
    assert float(rows["ref"]["score"]) == sum(pts.values()) == 3.0
    assert rows["ref"]["status"] == "needs-manual-grading"
    assert float(rows["blank"]["score"]) == 0.0
    assert float(rows["partial"]["score"]) == sum(pts[g] for g in PARTIAL_PASSES["ps3"])
    assert "check 1 of 4 failed: the result differs" in _verdict_text(graded.course, "partial", "q1_tests")


@pytest.mark.slow
def test_design_attacks_buy_nothing_and_say_why(graded):
    blank_score = float(graded.rows["blank"]["score"])
    reasons = {
        "k-design-eq": "redefines equality",
        "k-design-subclass": "my_design must be a dict of the five dimensions; got __main__._Sly",
        "k-design-out-of-range": "opening must be in [0, max_stake=10]; got 25.0",
        # a hidden rule's own reason stays with the grader (it could quote what a hidden input shaped)
        "k-design-overfit": "check 1 of 6 failed: " + compare.HIDDEN_FAIL,
    }
    assert {k.student for k in graded.attacks} == set(reasons)
    for attack in graded.attacks:
        row = graded.rows[attack.student]
        assert float(row["score"]) == attack.score <= blank_score + graded.points["q2_tests"], (
            attack.why,
            row,
        )
        assert row["status"].startswith(attack.status), (attack.why, row["status"])
        assert attack.problem in row["status"] + row["problems"], (attack.why, row["problems"])
        cell = "q2_hidden" if attack.student == "k-design-overfit" else "q2_tests"
        assert reasons[attack.student] in _verdict_text(graded.course, attack.student, cell), attack.student
    assert "7.30" not in _verdict_text(graded.course, "k-design-overfit", "q2_hidden")


@pytest.mark.slow
def test_feedback_is_written_and_leaks_no_hidden_test(graded):
    """The visible checks' verdicts name what fails, the hidden ones' only that a hidden rule failed;
    none repeats a line of the hidden tests, which `course feedback` checks in every encoding."""
    assert graded.feedback.rc == 0, graded.feedback.out
    for student in ["ref", "blank", "partial", *(k.student for k in graded.attacks)]:
        assert (graded.course / "feedback" / student / "ps3" / "ps3.html").is_file(), student

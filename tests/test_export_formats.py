"""`course export --format nbgrader|canvas|moodle [--per-question]` against a graded class with known scores."""

from __future__ import annotations

import csv
import io

import pytest
from grading_fixtures.commands import course
from grading_fixtures.gradebook_class import generate

from course.grading.coursedir import CourseError
from course.grading.export import export
from course.grading.gradebook import EXPORT_COLUMNS

NO_EMAIL, NO_LMS_ID = 3, 4  # students s03 and s04


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    return generate(
        tmp_path_factory.mktemp("export"), graded=6, without_email=(NO_EMAIL,), without_lms_id=(NO_LMS_ID,)
    )


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _question_points(klass, student: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for gid, pts in klass.scores[student].items():
        q = gid.split("_")[0]
        out[q] = out.get(q, 0.0) + pts
    return out


def _num(text: str) -> float | None:
    return float(text) if text else None


def test_canvas_layout_points_possible_and_scores(klass, tmp_path):
    out = tmp_path / "canvas.csv"
    result = course("--course-dir", klass.dir, "export", "--format", "canvas", "--per-question", "-o", out)
    assert result.rc == 0, result.out + result.err
    rows = _rows(out.read_text(encoding="utf-8"))
    questions = ["q1", "q2", "q3", "q4", "q5", "q6"]
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ps1"] + [
        f"ps1 {q}" for q in questions
    ]
    assert rows[1] == ["Points Possible", "", "", "", "", "16", "2", "2", "2", "5", "2", "3"]
    body = {r[3]: dict(zip(rows[0], r)) for r in rows[2:]}
    assert set(body) == set(klass.people), "one row per student of the gradebook, keyed by SIS Login ID"
    for sid, person in klass.people.items():
        row = body[sid]
        assert row["Student"] == f"{person['last_name']}, {person['first_name']}"
        assert row["ID"] == person["lms_user_id"] and row["SIS User ID"] == "" and row["Section"] == ""
        if sid in klass.scores:
            assert _num(row["ps1"]) == sum(klass.scores[sid].values())
            want = _question_points(klass, sid)
            assert {q: _num(row[f"ps1 {q}"]) for q in questions} == want
        else:  # failed, pending or missing: blank, never a zero
            assert all(row[c] == "" for c in rows[0][5:]), (sid, klass.others[sid])
    assert f"s{NO_LMS_ID:02d}" in result.err and "no Canvas user ID" in result.err
    assert "match them by SIS Login ID" in result.err
    for sid, status in klass.others.items():
        assert f"{sid}/ps1 ({status})" in result.err
    assert "score(s) left blank, not zero" in result.err


def test_canvas_can_put_the_nbgrader_id_in_sis_user_id(klass, tmp_path):
    out = tmp_path / "canvas.csv"
    args = ["export", "ps1", "--format", "canvas", "--canvas-id-field", "sis_user_id", "-o", out]
    result = course("--course-dir", klass.dir, *args)
    assert result.rc == 0, result.out + result.err
    rows = _rows(out.read_text(encoding="utf-8"))
    assert [r[2] for r in rows[2:]] == sorted(klass.people) and all(r[3] == "" for r in rows[2:])
    assert rows[0][5:] == ["ps1"], "without --per-question, one column per problem set"
    assert "match them by SIS User ID" in result.err
    assert export(klass.course, "canvas", canvas_id_field="sis_user_id").text == out.read_text(
        encoding="utf-8"
    )


def test_moodle_layout_and_the_students_without_email(klass, tmp_path):
    out = tmp_path / "moodle.csv"
    result = course("--course-dir", klass.dir, "export", "ps1", "--format", "moodle", "-o", out)
    assert result.rc == 0, result.out + result.err
    rows = _rows(out.read_text(encoding="utf-8"))
    assert rows[0] == ["First name", "Last name", "ID number", "Username", "Email address", "ps1"]
    body = {r[3]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert set(body) == set(klass.people)
    for sid, person in klass.people.items():
        row = body[sid]
        assert (row["First name"], row["Last name"], row["Email address"], row["ID number"]) == (
            person["first_name"],
            person["last_name"],
            person["email"],
            person["lms_user_id"],
        )
        assert _num(row["ps1"]) == (sum(klass.scores[sid].values()) if sid in klass.scores else None)
    assert body[f"s{NO_EMAIL:02d}"]["Email address"] == ""
    assert "1 student(s) have no email in the gradebook" in result.err
    assert f"s{NO_EMAIL:02d}" in result.err and "map from 'Username' to 'username'" in result.err


def test_the_default_export_is_unchanged_and_per_question_only_adds_columns(klass, tmp_path):
    plain, wide = tmp_path / "plain.csv", tmp_path / "wide.csv"
    assert course("--course-dir", klass.dir, "export", "-o", plain).rc == 0
    assert course("--course-dir", klass.dir, "export", "--per-question", "-o", wide).rc == 0
    p = list(csv.DictReader(io.StringIO(plain.read_text())))
    w = list(csv.DictReader(io.StringIO(wide.read_text())))
    assert list(p[0]) == EXPORT_COLUMNS
    assert list(w[0]) == EXPORT_COLUMNS + [f"ps1 q{i}" for i in range(1, 7)]
    assert [{k: r[k] for k in EXPORT_COLUMNS} for r in w] == p
    by_student = {r["student_id"]: r for r in w}
    for sid in klass.scores:
        assert {q: float(by_student[sid][f"ps1 {q}"]) for q in _question_points(klass, sid)} == (
            _question_points(klass, sid)
        )
    pending = next(s for s, st in klass.others.items() if st == "needs-manual-grading")
    assert by_student[pending]["status"] == "needs-manual-grading"
    assert by_student[pending]["ps1 q6"] == "" and by_student[pending]["ps1 q1"] != ""
    missing = next(s for s, st in klass.others.items() if st == "not submitted")
    assert by_student[missing]["ps1 q1"] == ""


def test_a_bad_format_name_is_refused_clearly(klass, capsys):
    from course.cli import main

    with pytest.raises(SystemExit) as e:
        main(["--course-dir", str(klass.dir), "export", "--format", "blackboard"])
    assert e.value.code == 2
    assert "invalid choice: 'blackboard'" in capsys.readouterr().err
    with pytest.raises(
        CourseError, match="unknown export format 'blackboard'; choose one of: nbgrader, canvas"
    ):
        export(klass.course, "blackboard")
    unknown = course("--course-dir", klass.dir, "export", "ps9", "--format", "canvas")
    assert unknown.rc == 2 and "unknown problem set(s): ps9" in unknown.err

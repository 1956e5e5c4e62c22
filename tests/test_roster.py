"""`course roster import`: students with names and emails into nbgrader's gradebook, all or nothing."""

from __future__ import annotations

import pytest
from grading_fixtures.commands import course, new_course
from nbgrader.api import Gradebook


@pytest.fixture
def c(tmp_path):
    return new_course(tmp_path / "course", "ps1")


def students(c) -> dict:
    db = c / "gradebook.db"
    if not db.exists():
        return {}
    with Gradebook(f"sqlite:///{db}", "helsinki-nea") as gb:
        return {s.id: (s.first_name, s.last_name, s.email) for s in gb.students}


def test_a_roster_adds_students_with_names_and_emails(c, tmp_path):
    f = tmp_path / "roster.csv"
    f.write_text(
        "\ufeffStudent ID,First Name,Last Name,Email\n"  # a spreadsheet's export: BOM, spaces, capitals
        "amy,Amy,Aho,amy@example.org\n"
        "\n"
        'ben,"Ben, Jr.",Brandt,\n'
    )
    r = course("--course-dir", c, "roster", "import", f)
    assert r.rc == 0 and "2 student(s) added, 0 updated" in r.out, r.out + r.err
    assert students(c) == {"amy": ("Amy", "Aho", "amy@example.org"), "ben": ("Ben, Jr.", "Brandt", None)}
    f.write_text("id,email\namy,amy.aho@example.org\ncat,cat@example.org\n")  # again: update and add
    r = course("--course-dir", c, "roster", "import", f)
    assert r.rc == 0 and "1 student(s) added, 1 updated" in r.out, r.out
    assert students(c)["amy"] == ("Amy", "Aho", "amy.aho@example.org") and "cat" in students(c)


def test_bad_rows_are_named_and_nothing_is_imported(c, tmp_path):
    f = tmp_path / "roster.csv"
    f.write_text(
        "id,first_name,last_name,email\n"
        "amy,Amy,Aho,amy@example.org\n"  # good, but not imported: another row is bad
        "../eve,Eve,Evil,eve@example.org\n"
        ",No,Id,noid@example.org\n"
        "amy,Amy,Again,amy2@example.org\n"
        "dan,Dan,Dahl,dan-at-example.org\n"
        "fay,Fay\n"
    )
    r = course("--course-dir", c, "roster", "import", f)
    assert r.rc == 2, r.out + r.err
    assert "5 problem(s); nothing was imported" in r.err
    assert "line 3, column 1 (id): '../eve' is not a login name" in r.err
    assert "line 4, column 1 (id): empty student id" in r.err
    assert "line 5, column 1 (id): 'amy' is already on line 2" in r.err
    assert "line 6, column 4 (email): 'dan-at-example.org' is not an email address" in r.err
    assert "line 7: 2 field(s), the header has 4" in r.err
    assert students(c) == {}


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "line 1: no header row"),
        ("first_name,email\nAmy,amy@example.org\n", "line 1: no id column"),
        ("id,phone\namy,123\n", "line 1, column 2 ('phone'): unknown column"),
        ("id\n", "the file has a header but no students"),
    ],
)
def test_a_malformed_file_is_refused_with_the_line(c, tmp_path, text, message):
    f = tmp_path / "roster.csv"
    f.write_text(text)
    r = course("--course-dir", c, "roster", "import", f)
    assert r.rc == 2 and message in r.err, r.err


def test_not_utf8_is_named(c, tmp_path):
    f = tmp_path / "roster.csv"
    f.write_bytes("id,first_name\namy,Amy\nbea,Béa\n".encode("latin-1"))
    r = course("--course-dir", c, "roster", "import", f)
    assert r.rc == 2 and "line 3: not UTF-8 text" in r.err, r.err


def test_a_database_refusal_rolls_the_whole_import_back(c, tmp_path, monkeypatch):
    """Every row passes the checks, but the gradebook fails on the third: none of them stays."""
    from sqlalchemy.orm import Session

    f = tmp_path / "roster.csv"
    f.write_text("id\namy\nben\ncat\n")
    real = Session.flush

    def flaky(self, *a, **kw):
        if any(getattr(o, "id", None) == "cat" for o in self.new):
            raise RuntimeError("disk full")
        return real(self, *a, **kw)

    monkeypatch.setattr(Session, "flush", flaky)
    r = course("--course-dir", c, "roster", "import", f)
    assert r.rc == 2 and "nothing was imported" in r.err, r.err
    monkeypatch.undo()
    assert students(c) == {}

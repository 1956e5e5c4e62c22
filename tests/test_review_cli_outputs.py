"""A file the instructor names on the command line that cannot be written is a clear error, not a traceback.

`course export -o`, `course report -o/--csv` and `course selfcheck key --out` wrote with a bare
``Path.write_text``: a missing folder ended in a FileNotFoundError traceback (for `report`, after the whole
report had been computed).
"""

from __future__ import annotations

import pytest
from grading_fixtures.commands import course
from grading_fixtures.gradebook_class import generate


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("outputs"), graded=4)


def _refused(r, path) -> None:
    assert r.rc == 2, r.out + r.err
    assert f"error: cannot write {path}: No such file or directory" in r.err, r.err
    assert "Traceback" not in r.err + r.out


def test_selfcheck_key_to_a_missing_folder(tmp_path):
    target = tmp_path / "no-such-folder" / "key.md"
    _refused(course("selfcheck", "key", "--lesson", "5", "--out", target), target)
    assert not target.parent.exists()


def test_export_to_a_missing_folder_and_then_to_a_real_one(klass, tmp_path):
    target = tmp_path / "no-such-folder" / "grades.csv"
    _refused(course("--course-dir", klass.dir, "export", "-o", target), target)
    good = tmp_path / "grades.csv"
    r = course("--course-dir", klass.dir, "export", "-o", good)
    assert r.rc == 0 and good.read_text(encoding="utf-8").startswith("assignment,"), r.out + r.err


def test_report_html_and_csv_to_a_missing_folder(klass, tmp_path):
    html = tmp_path / "no-such-folder" / "report.html"
    _refused(course("--course-dir", klass.dir, "report", "ps1", "-o", html), html)
    good, csv = tmp_path / "report.html", tmp_path / "missing" / "report.csv"
    r = course("--course-dir", klass.dir, "report", "ps1", "-o", good, "--csv", csv)
    _refused(r, csv)
    assert good.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")

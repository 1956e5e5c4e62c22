"""Formgrader's Autograde button is refused before nbgrader deletes anything.

A real ``jupyter server`` with nbgrader's formgrader extension runs in a graded course; the test
sends what the button sends (POST ``/formgrader/api/submission/ps1/<student>/autograde``). With the
course's configuration the request is refused and ``autograded/<student>/ps1/`` is untouched. The
control is the same request with the course's exporter guard removed from the configuration (only
the older preprocessor guard left): nbgrader then deletes the graded copy before it refuses, as
it did before, and ``course export`` and ``course feedback`` name the student whose copy is gone.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from grading_fixtures.commands import course, new_course
from grading_fixtures.server import Server
from grading_fixtures.submissions import reference, submit

from course.grading.sandbox import detect_isolation

pytestmark = pytest.mark.slow
ISOLATION = detect_isolation()
EXTRA = [] if ISOLATION.mode != "none" else ["--allow-unisolated"]
GUARD_LINE = 'c.Autograde.exporter_class = "course.grading.guard.RefuseAutogradeExporter"'


def test_formgrader_autograde_is_refused_before_anything_is_deleted(tmp_path):
    c = new_course(tmp_path / "course", "ps1")
    assert course("--course-dir", c, "release", "ps1").rc == 0
    submit(c, "bob", "ps1", reference(c, "ps1"))
    r = course("--course-dir", c, "grade", "ps1", *EXTRA)
    assert r.rc == 0, r.out + r.err
    graded = c / "autograded" / "bob" / "ps1" / "ps1.ipynb"
    before = graded.read_bytes()

    server = Server(c, tmp_path / "server.log")
    try:
        status, body = server.request("GET", "/formgrader/api/submissions/ps1")
        assert status == 200 and [s["student"] for s in json.loads(body)] == ["bob"], body
        status, body = server.request("POST", "/formgrader/api/submission/ps1/bob/autograde")
    finally:
        server.stop()
    result = json.loads(body)
    assert status == 200 and result["success"] is False, body
    assert "autogrades with `course grade`" in result["error"] and "Nothing was changed" in result["error"], (
        body
    )
    assert graded.read_bytes() == before, "the graded copy must be left as it was"
    assert "Removing existing assignment" not in result.get("log", "")

    # the control: without the exporter guard, nbgrader deletes the graded copy first, then refuses
    config = c / "nbgrader_config.py"
    text = config.read_text()
    assert GUARD_LINE in text
    config.write_text(text.replace(GUARD_LINE, ""))
    server = Server(c, tmp_path / "server2.log")
    try:
        status, body = server.request("POST", "/formgrader/api/submission/ps1/bob/autograde")
    finally:
        server.stop()
    result = json.loads(body)
    assert result["success"] is False and "autogrades with `course grade`" in result["log"], body
    assert not graded.parent.exists(), "the control should reproduce nbgrader's deletion"
    config.write_text(text)

    # bob is still graded in the gradebook, without a copy: export and feedback say so
    rows = list(csv.DictReader(io.StringIO(course("--course-dir", c, "export", "-o", "-").out)))
    assert rows[0]["status"].startswith("no autograded copy: autograded/bob/ps1 is missing"), rows
    r = course("--course-dir", c, "feedback", "ps1")
    assert r.rc == 1 and "FAIL ps1/bob: no autograded copy" in r.out, r.out + r.err
    assert "run `course grade ps1 --student bob`" in r.out

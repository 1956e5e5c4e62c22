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
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from grading_fixtures.commands import course, new_course
from grading_fixtures.submissions import reference, submit

from course.grading.sandbox import detect_isolation

pytestmark = pytest.mark.slow
ISOLATION = detect_isolation()
EXTRA = [] if ISOLATION.mode != "none" else ["--allow-unisolated"]
GUARD_LINE = 'c.Autograde.exporter_class = "course.grading.guard.RefuseAutogradeExporter"'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``jupyter server`` started in the course folder (so Formgrader finds nbgrader_config.py there)."""

    def __init__(self, course_dir: Path, log: Path):
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if k != "COURSE_ALLOW_PLAIN_NBGRADER"}
        env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
        env["JUPYTER_CONFIG_DIR"] = str(log.parent / "jupyter-config")
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter_server",
                "--ip=127.0.0.1",
                f"--port={self.port}",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={course_dir}",
                "--no-browser",
                "--allow-root",
            ],
            cwd=course_dir,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.request("GET", "/api/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"jupyter server did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.5)

    def request(self, method: str, path: str) -> tuple[int, str]:
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"" if method == "POST" else None,
        )
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


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

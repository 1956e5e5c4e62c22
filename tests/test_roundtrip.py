"""A whole class, start to finish, with real and separate student identities.

Three throwaway Unix users are created for the test (as root, with ``useradd``). Each runs nbgrader's
own student commands as themselves (``runuser``, their own HOME): ``fetch_assignment``, edits,
``validate``, ``submit``, and at the end ``fetch_feedback``, whose HTML is parsed. The instructor
side runs the walkthrough of assignments/README.md: ``course roster import``, ``course release
--due --publish``, ``course extend``, ``course collect``, ``course grade``, ``course mark``,
``course feedback``, ``nbgrader release_feedback`` and ``course export``.

* alice answers everything, on time (she has an extension);
* bob submits a blank notebook, then resubmits his answers: the later submission is the one graded;
* carol answers everything but submits about 36 hours after the due date, without an extension:
  the configured late penalty (10 % of the score per started day) takes 20 % of her score.

The Python that runs the course lives below /root (mode 0700), where other users cannot reach it;
each student command therefore runs in a private mount namespace in which /root is replaced by a
tmpfs holding only a bind mount of the interpreter's folder. Nothing else of the machine changes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from grading_fixtures.commands import course, new_course
from grading_fixtures.submissions import reference_answers

from course.grading.sandbox import detect_isolation

pytestmark = pytest.mark.slow
VENV_BIN = Path(sys.executable).parent
PYTHON_HOME = Path(os.path.realpath(sys.executable)).parents[1]  # the interpreter's prefix
ISOLATION = detect_isolation()
EXTRA = [] if ISOLATION.mode != "none" else ["--allow-unisolated"]


def _can_make_users() -> str:
    if os.geteuid() != 0:
        return "needs root to create throwaway student accounts (useradd)"
    for tool in ("useradd", "userdel", "runuser", "unshare"):
        if shutil.which(tool) is None:
            return f"needs {tool} to run students as their own Unix users"
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        return "needs to create a mount namespace (unshare -m) to let students reach the course's Python"
    return ""


WHY_NOT = _can_make_users()


class Student:
    def __init__(self, name: str, base: Path):
        self.name = name
        self.home = base / "home" / name
        subprocess.run(
            ["useradd", "--no-create-home", "--home-dir", str(self.home), "--shell", "/bin/sh", name],
            check=True,
            capture_output=True,
        )
        self.home.mkdir(parents=True)
        pw = pwd.getpwnam(name)
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        os.chown(self.home, self.uid, self.gid)
        os.chmod(self.home, 0o700)

    def write(self, rel: str, text: str) -> Path:
        path = self.home / rel
        path.write_text(text)
        os.chown(path, self.uid, self.gid)
        return path

    def run(self, *cmd, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        """``cmd`` as this student, in their home, with their own environment only."""
        keep = self.home.parent.parent / "mnt-python"
        keep.mkdir(exist_ok=True)
        as_student = (
            f"cd {self.home} && exec runuser -u {self.name} -- env -i HOME={self.home} USER={self.name} "
            f'LOGNAME={self.name} PATH={VENV_BIN}:/usr/bin:/bin LANG=C.UTF-8 "$@"'
        )
        script = (
            f"mount --bind {PYTHON_HOME.parent} {keep} && mount -t tmpfs -o mode=0711 tmpfs /root && "
            f"mkdir -p {PYTHON_HOME.parent} && mount --bind {keep} {PYTHON_HOME.parent} && umount {keep} && "
            + as_student
        )
        if not str(PYTHON_HOME).startswith("/root/"):  # the interpreter is readable by everyone already
            script = as_student
        proc = subprocess.run(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", *map(str, cmd)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check:
            assert proc.returncode == 0, f"{self.name}: {cmd}\n{proc.stdout}\n{proc.stderr}"
        return proc

    def nbgrader(self, *args, **kw):
        return self.run(VENV_BIN / "nbgrader", *args, **kw)

    def answer(self, answers: dict[str, str]) -> None:
        """The student edits ~/ps1/ps1.ipynb: their answers go into the answer cells (as themselves)."""
        self.write("answers.json", json.dumps(answers))
        self.run(
            VENV_BIN / "python",
            "-c",
            "import json, nbformat\n"
            "nb = nbformat.read('ps1/ps1.ipynb', as_version=4)\n"
            "answers = json.load(open('answers.json'))\n"
            "for cell in nb.cells:\n"
            "    gid = cell.metadata.get('nbgrader', {}).get('grade_id')\n"
            "    if gid in answers:\n"
            "        cell.source = answers[gid]\n"
            "nbformat.write(nb, 'ps1/ps1.ipynb')\n",
        )

    def remove(self) -> None:
        subprocess.run(["userdel", self.name], capture_output=True)


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.skipif(bool(WHY_NOT), reason=WHY_NOT or "ok")
def test_a_class_from_release_to_feedback_in_the_students_hands(tmp_path):
    base = Path(tempfile.mkdtemp(prefix="course-roundtrip-", dir="/tmp"))
    os.chmod(base, 0o755)
    (base / "home").mkdir(mode=0o755)
    exchange = base / "exchange"
    exchange.mkdir()
    os.chmod(exchange, 0o1777)
    tag = secrets.token_hex(2)
    names = {k: f"rt{tag}{k}" for k in ("alice", "bob", "carol")}
    students: dict[str, Student] = {}
    try:
        for key, name in names.items():
            students[key] = Student(name, base)
        alice, bob, carol = students["alice"], students["bob"], students["carol"]
        c = new_course(tmp_path / "course", "ps1")
        with open(c / "nbgrader_config.py", "a") as f:
            f.write(f"\nc.Exchange.root = {str(exchange)!r}\n")
        for s in students.values():
            s.write(
                "nbgrader_config.py",
                f"c = get_config()\nc.CourseDirectory.course_id = 'helsinki-nea'\n"
                f"c.Exchange.root = {str(exchange)!r}\n",
            )

        # -- the instructor: roster, release with a due date, extensions ------------------------
        roster = tmp_path / "roster.csv"
        roster.write_text(
            "id,first_name,last_name,email\n"
            f"{alice.name},Alice,Aalto,alice@example.org\n"
            f"{bob.name},Bob,Berg,bob@example.org\n"
            f"{carol.name},Carol,Castrén,carol@example.org\n"
        )
        r = course("--course-dir", c, "roster", "import", roster)
        assert r.rc == 0 and "3 student(s) added" in r.out, r.out + r.err
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        due = now - dt.timedelta(hours=36)
        r = course("--course-dir", c, "release", "ps1", "--due", _when(due), "--publish")
        assert r.rc == 0 and "published to the exchange" in r.out, r.out + r.err
        for s in (alice, bob):
            r = course(
                "--course-dir", c, "extend", "ps1", s.name, "--until", _when(now + dt.timedelta(days=1))
            )
            assert r.rc == 0, r.out + r.err

        # -- the students: fetch, edit, validate, submit --------------------------------------------
        answers = reference_answers(c, "ps1")
        for s in students.values():
            s.nbgrader("fetch_assignment", "ps1")
            assert (s.home / "ps1" / "ps1.ipynb").stat().st_uid == s.uid
        bob.nbgrader("submit", "ps1")  # the blank notebook, first
        for s in students.values():
            s.answer(answers)
            v = s.nbgrader("validate", "ps1/ps1.ipynb")
            assert "Success! Your notebook passes all the tests." in v.stdout, v.stdout + v.stderr
            s.nbgrader("submit", "ps1")
        inbound = exchange / "helsinki-nea" / "inbound"
        owners = {}
        for folder in inbound.iterdir():
            owners.setdefault(folder.name.split("+")[0], set()).add(folder.stat().st_uid)
        assert owners == {s.name: {s.uid} for s in students.values()}, owners  # each under their own uid
        assert len(list(inbound.glob(f"{bob.name}+ps1+*"))) == 2

        # -- the instructor: collect, grade, mark, feedback, release the feedback -------------------
        r = course("--course-dir", c, "collect", "ps1")
        assert r.rc == 0 and "3 collected" in r.out, r.out + r.err
        r = course("--course-dir", c, "grade", "ps1", *EXTRA)
        assert r.rc == 0, r.out + r.err
        for s in students.values():  # autograded, but the written answer q6 is still to mark
            assert f"needs-manual-grading ps1/{s.name}: 8 point(s) of written answers to mark" in r.out, r.out
        assert "graded          ps1/" not in r.out, r.out
        for s, points in ((alice, 3), (bob, 2), (carol, 3)):
            r = course("--course-dir", c, "mark", "ps1", s.name, "q4_answer", 5)
            assert r.rc == 0 and "3 point(s) of this submission still to mark" in r.out, r.out + r.err
            r = course(
                "--course-dir",
                c,
                "mark",
                "ps1",
                s.name,
                "q6_answer",
                points,
                "--comment",
                f"Noted, {s.name}.",
            )
            assert r.rc == 0 and "0 point(s) of this submission still to mark" in r.out, r.out + r.err
        r = course("--course-dir", c, "feedback", "ps1")
        assert r.rc == 0 and "3 feedback file(s)" in r.out, r.out + r.err
        assert (c / "feedback" / bob.name / "ps1" / "submission_secret.txt").is_file()
        env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ.get('PATH', '')}")
        rel = subprocess.run(
            [VENV_BIN / "nbgrader", "release_feedback", "ps1"],
            cwd=c,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert rel.returncode == 0, rel.stdout + rel.stderr

        # -- the students fetch their feedback and open it -----------------------------------------
        seen = {}
        for key, s in students.items():
            s.nbgrader("fetch_feedback", "ps1")
            files = sorted((s.home / "ps1" / "feedback").glob("*/ps1.html"))
            assert len(files) == 1, (s.name, files)
            soup = BeautifulSoup(files[0].read_text(encoding="utf-8"), "html.parser")
            text = soup.get_text(" ", strip=True)
            assert soup.title is not None and f"Noted, {s.name}." in text, text[:2000]
            assert "BEGIN HIDDEN TESTS" not in text
            seen[key] = text
        # bob's feedback is for his later submission (8 autograded points), not the blank one (0)
        assert "(Score: 16.0 / 16.0)" in seen["alice"], seen["alice"][:300]
        assert "(Score: 15.0 / 16.0)" in seen["bob"], seen["bob"][:300]

        rows = {
            row["student_id"]: row
            for row in csv.DictReader(io.StringIO(course("--course-dir", c, "export", "-o", "-").out))
        }
        a, b, cr = rows[alice.name], rows[bob.name], rows[carol.name]
        assert (a["status"], float(a["score"]), float(a["late_submission_penalty"])) == (
            "graded",
            16.0,
            0.0,
        ), a
        assert (b["status"], float(b["score"])) == ("graded", 15.0), b  # the resubmission: 8 auto + 5 + 2
        assert float(cr["raw_score"]) == 16.0 and float(cr["late_submission_penalty"]) == pytest.approx(
            3.2
        ), cr
        assert float(cr["score"]) == pytest.approx(12.8) and cr["first_name"] == "Carol", cr
        assert a["email"] == "alice@example.org" and a["duedate"].startswith(_when(due)[:16]), a
    finally:
        for s in students.values():
            s.remove()
        shutil.rmtree(base, ignore_errors=True)

"""`course collect` and `course grade` never follow a path a student controls.

Students write the exchange's inbound folder: a submission there can be a
symbolic link to the master or to another student's notebook, a hard link, a
FIFO or a device. Each is refused at collect time and, if placed in
submitted/ directly, at grade time, with a status that says so; the honest
submissions beside them are graded as usual. Also: resubmissions and
`--update`, a malformed timestamp.txt that affects its student only, and the
jail's log, which a kernel cannot replace with a link to a host file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import stat
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from grading_fixtures.commands import course, new_course
from grading_fixtures.submissions import answered, blank, reference, reference_answers

from course.grading.sandbox import detect_isolation

pytestmark = pytest.mark.slow
ISOLATION = detect_isolation()
EXTRA = [] if ISOLATION.mode != "none" else ["--allow-unisolated"]
TS_OLD = "2025-01-10 09:00:00.000000 UTC"
TS_NEW = "2025-01-12 09:00:00.000000 UTC"


def inbound(c: Path) -> Path:
    return c / "exchange" / "helsinki-nea" / "inbound"


def put(c: Path, student: str, ts: str, files: dict) -> Path:
    """An inbound submission folder as `nbgrader submit` makes it: <student>+<ps>+<timestamp>+<random>."""
    folder = inbound(c) / f"{student}+ps1+{ts}+r{abs(hash((student, ts))) % 10**6}"
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(ts)
    for name, make in files.items():
        make(folder / name)
    return folder


def notebook(nb):
    return lambda p: p.write_text(json.dumps(nb))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("collect")
    c = new_course(base / "course", "ps1")
    assert course("--course-dir", c, "release", "ps1").rc == 0
    secret = base / "host-secret.txt"
    secret.write_text("HOST-SECRET-7f3a not for students\n")
    os.chmod(secret, 0o600)
    master = c / "source" / "ps1" / "ps1.ipynb"
    ref_nb, blank_nb = reference(c, "ps1"), blank(c, "ps1")

    put(c, "amy", TS_OLD, {"ps1.ipynb": notebook(blank_nb)})
    amy = put(c, "amy", TS_NEW, {"ps1.ipynb": notebook(ref_nb)})  # the newest is collected
    put(c, "bob", TS_NEW, {"ps1.ipynb": lambda p: p.symlink_to(master)})
    put(c, "eve", TS_NEW, {"ps1.ipynb": lambda p: p.symlink_to(amy / "ps1.ipynb")})
    put(c, "hal", TS_NEW, {"ps1.ipynb": lambda p: os.link(master, p)})
    put(c, "fay", TS_NEW, {"ps1.ipynb": lambda p: os.mkfifo(p)})
    put(c, "dev", TS_NEW, {"ps1.ipynb": lambda p: os.mknod(p, stat.S_IFCHR | 0o600, os.makedev(1, 3))})
    (inbound(c) / f"sym+ps1+{TS_NEW}+r1").symlink_to(amy)  # the whole folder is someone else's
    ts = put(c, "tim", TS_NEW, {"ps1.ipynb": notebook(ref_nb)})
    (ts / "timestamp.txt").write_text("the day before the deadline, honest")

    # the jail's log replaced by a link to a host file, then a malformed message to make the grader read it
    log_attack = answered(c, "ps1", reference_answers(c, "ps1"))
    log_attack.cells.append(
        nbformat.v4.new_code_cell(
            f"""
import os
for name in [".kernel.log", "kernel.log", "log"]:
    try:
        os.symlink({str(secret)!r}, name)
    except OSError:
        pass
k = get_ipython().kernel
k.session.send(k.iopub_socket, "status", {{"execution_state": {{"bad": [1]}}}}, parent=k.get_parent("shell"))
k.session.send(k.iopub_socket, "status", "not a dict", parent=k.get_parent("shell"))
print("ATTACK log linked, malformed status sent")
""".strip()
        )
    )
    put(c, "lou", TS_NEW, {"ps1.ipynb": notebook(log_attack)})

    collected = course("--course-dir", c, "collect", "ps1")
    again = course("--course-dir", c, "collect", "ps1")  # nothing new: everything skipped
    put(c, "amy", "2025-01-14 09:00:00.000000 UTC", {"ps1.ipynb": notebook(blank_nb)})
    skipped = course("--course-dir", c, "collect", "ps1")
    updated = course("--course-dir", c, "collect", "ps1", "--update")

    # placed in submitted/ directly (bypassing collect): refused at grade time too
    for student, make in [
        ("sub-link", lambda p: p.symlink_to(master)),
        ("sub-fifo", lambda p: os.mkfifo(p)),
        ("sub-hard", lambda p: os.link(master, p)),
    ]:
        d = c / "submitted" / student / "ps1"
        d.mkdir(parents=True)
        make(d / "ps1.ipynb")
    (c / "submitted" / "sub-dirlink").symlink_to(c / "submitted" / "amy")

    graded = course("--course-dir", c, "grade", "ps1", "--jobs", "2", "--timeout", "8", *EXTRA)
    feedback = course("--course-dir", c, "feedback", "ps1")
    course("--course-dir", c, "export", "-o", c / "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader(open(c / "grades.csv")) if r["assignment"] == "ps1"}
    return SimpleNamespace(
        c=c,
        secret=secret,
        master=master,
        collected=collected,
        again=again,
        skipped=skipped,
        updated=updated,
        graded=graded,
        feedback=feedback,
        rows=rows,
    )


def test_collect_copies_regular_files_and_refuses_everything_else(world):
    assert world.collected.rc == 0, world.collected.out + world.collected.err
    out = world.collected.out
    assert "ps1: 8 collected, 0 updated" in out, out
    for student, what in [
        ("bob", "is a symbolic link"),
        ("eve", "is a symbolic link"),
        ("hal", "is a hard link"),
        ("fay", "is a FIFO"),
        ("dev", "is a device"),
        ("sym", "not a folder"),
    ]:
        assert any(line.startswith(f"  refused {student}") and what in line for line in out.splitlines()), (
            student,
            out,
        )
    for student in ("bob", "eve", "hal", "fay", "dev"):
        d = world.c / "submitted" / student / "ps1"
        assert not (d / "ps1.ipynb").exists() and (d / ".course-refused.json").is_file()
    assert not (world.c / "submitted" / "sym").exists()


def test_collect_takes_the_newest_and_updates_only_when_asked(world):
    assert "ps1: 0 collected, 0 updated, 8 already collected" in world.again.out
    assert "0 updated, 8 already collected (use --update" in world.skipped.out
    # amy's newer submission, and tim's (whose collected timestamp.txt is unreadable, so older than any,
    # as in nbgrader)
    assert "ps1: 0 collected, 2 updated, 6 already collected" in world.updated.out, world.updated.out
    stamp = (world.c / "submitted" / "amy" / "ps1" / "timestamp.txt").read_text()
    assert stamp.startswith("2025-01-14")


def test_refused_files_fail_with_a_status_that_names_them(world):
    assert world.graded.rc == 0, world.graded.out + world.graded.err
    rows = world.rows
    for student, what in [
        ("bob", "is a symbolic link"),
        ("eve", "is a symbolic link"),
        ("hal", "is a hard link"),
        ("fay", "is a FIFO"),
        ("dev", "is a device"),
        ("sub-link", "is a symbolic link"),
        ("sub-fifo", "is a FIFO"),
        ("sub-hard", "is a hard link"),
        ("sub-dirlink", "is a symbolic link"),
    ]:
        row = rows[student]
        assert row["status"].startswith("invalid file:") and what in row["status"], (student, row["status"])
        assert float(row["score"]) == 0.0
        assert not (world.c / "autograded" / student / "ps1" / "ps1.ipynb").exists()


def test_no_model_answer_reaches_a_student_through_a_link(world):
    from course.grading.feedback import html_text

    solution_line = 'later = participants[participants["signed_final_act"] > date]'
    master = nbformat.read(str(world.master), as_version=4)
    assert "".join(c.source for c in master.cells).count(solution_line) == 1  # the master is untouched
    # feedback only for the students whose own notebook was graded (amy's, resubmitted blank, has no answer)
    assert sorted(p.parent.parent.name for p in (world.c / "feedback").rglob("*.html")) == [
        "amy",
        "lou",
        "tim",
    ]
    assert solution_line not in html_text((world.c / "feedback" / "amy" / "ps1" / "ps1.html").read_text())
    for student in ("bob", "eve", "hal", "sub-link", "sub-hard"):
        assert not (world.c / "autograded" / student / "ps1" / "ps1.ipynb").exists()


def test_honest_submissions_beside_them_are_graded(world):
    assert (
        world.rows["amy"]["status"] == "graded" and float(world.rows["amy"]["score"]) == 0.0
    )  # resubmitted blank
    assert float(world.rows["lou"]["score"]) == 8.0


def test_a_malformed_timestamp_affects_that_student_only(world):
    row = world.rows["tim"]
    assert row["status"].startswith("invalid file:") and "timestamp.txt is malformed" in row["status"]
    assert float(row["score"]) == 8.0  # graded all the same; the status asks the instructor to look
    assert world.feedback.rc == 0, world.feedback.out + world.feedback.err
    assert (world.c / "feedback" / "amy" / "ps1" / "ps1.html").is_file()
    assert (world.c / "feedback" / "tim" / "ps1" / "ps1.html").is_file()


def test_the_kernel_cannot_make_the_grader_read_a_host_file(world):
    everything = [world.graded.out, world.graded.err, (world.c / "grades.csv").read_text()]
    everything += [p.read_text(errors="replace") for p in (world.c / "feedback").rglob("*.html")]
    everything += [p.read_text(errors="replace") for p in (world.c / "autograded").rglob("*.ipynb")]
    assert "ATTACK log linked" in "".join(everything)
    assert "malformed message" in world.rows["lou"]["problems"]
    assert not any("HOST-SECRET-7f3a" in text for text in everything)
    assert (
        world.secret.read_text().startswith("HOST-SECRET-7f3a")
        and oct(world.secret.stat().st_mode)[-3:] == "600"
    )


def test_a_submission_backdated_past_the_due_date_is_collected_with_the_time_its_files_were_written(tmp_path):
    """The inbound folder is writable by every student, and the time a submission claims (its folder's
    name, as `nbgrader submit` writes it, and its timestamp.txt) is the student's to choose. mallory
    submits two hours after the due date under a name that says an hour before it; zoe under an honest
    name with a backdated timestamp.txt. The files' inode change times, which no student can set back,
    show when they were written: both are collected with that time, told, and penalised as late. The
    controls: ned makes the same claim but has an extension past now, and a run whose clock tolerance
    (3 hours) covers the gap flags no one."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    due = now - dt.timedelta(hours=2)
    early = (due - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    c = new_course(tmp_path / "course", "ps1")
    assert course("--course-dir", c, "release", "ps1", "--due", due.strftime("%Y-%m-%d %H:%M:%S")).rc == 0
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name,email\nned,Ned,N,\n")
    assert course("--course-dir", c, "roster", "import", roster).rc == 0
    until = (now + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    assert course("--course-dir", c, "extend", "ps1", "ned", "--until", until).rc == 0
    ref = notebook(reference(c, "ps1"))
    put(c, "mallory", early, {"ps1.ipynb": ref})
    zoe = put(c, "zoe", now.strftime("%Y-%m-%d %H:%M:%S.%f UTC"), {"ps1.ipynb": ref})
    (zoe / "timestamp.txt").write_text(early)
    put(c, "ned", early, {"ps1.ipynb": ref})

    def collect_all(extra_config: str = "") -> dict[str, str]:
        config = c / "nbgrader_config.py"
        kept = config.read_text()
        config.write_text(kept + extra_config)
        try:
            r = course("--course-dir", c, "collect", "ps1", "--update")
        finally:
            config.write_text(kept)
        assert r.rc == 0 and "ps1: 3 collected" in r.out, r.out + r.err
        return {
            line.split(":")[1].strip(): line for line in r.out.splitlines() if "late, not as claimed:" in line
        }

    assert collect_all("\nc.CourseCollect.clock_tolerance_minutes = 180\n") == {}
    for student in ("mallory", "zoe", "ned"):
        shutil.rmtree(c / "submitted" / student)
    flagged = collect_all()
    assert set(flagged) == {"mallory", "zoe"}, flagged
    assert f"says it was submitted at {early}, by the due date" in flagged["mallory"], flagged["mallory"]
    assert "collected with that time" in flagged["zoe"] and early in flagged["zoe"], flagged["zoe"]
    for student in ("mallory", "zoe"):
        written = dt.datetime.fromisoformat((c / "submitted" / student / "ps1" / "timestamp.txt").read_text())
        assert abs(written - now) < dt.timedelta(minutes=5), (student, written)
    assert (c / "submitted" / "ned" / "ps1" / "timestamp.txt").read_text() == early  # on time: his extension

    assert course("--course-dir", c, "grade", "ps1", *EXTRA).rc == 0
    export = course("--course-dir", c, "export", "-o", "-").out
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO(export))}
    for student in ("mallory", "zoe"):
        assert float(rows[student]["late_submission_penalty"]) > 0, rows[student]
    assert float(rows["ned"]["late_submission_penalty"]) == 0, rows["ned"]


def test_the_write_time_is_read_from_every_file_collected_whatever_comes_before_it(tmp_path):
    """The time is taken from the files `course collect` copies, after their content is read: 250 links
    (refused, not collected) sorted before the notebook cannot push it out of view."""
    from course.grading.collect import _copy_tree

    src = tmp_path / "inbound"
    src.mkdir()
    for i in range(250):
        (src / f"a{i:03d}").symlink_to("/etc/hostname")
    (src / "z.ipynb").write_text("{}")
    newest = os.lstat(src / "z.ipynb").st_ctime
    (tmp_path / "dest").mkdir()
    refused, changed = [], []
    fd = os.open(src, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _copy_tree(fd, tmp_path / "dest", refused, changed=changed)
    finally:
        os.close(fd)
    assert len(refused) == 250 and (tmp_path / "dest" / "z.ipynb").is_file()
    assert changed == [newest]

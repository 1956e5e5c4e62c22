"""End to end, with real submissions: release, one `course grade --jobs 2` over the whole class
(reference, blank and partial submissions of every problem set, the fault matrix and the attacks),
feedback and export; the same submissions graded in sequence agree; without isolation the attacks
do real damage (so these tests can fail).

Per-cell timeout 8 s. The module takes about a minute on 2 cores.
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import socket
import threading
import uuid
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from grading_fixtures.cases import ATTACKS, FAULTS, STANDARD, attack_cases, fault_cases, standard_cases
from grading_fixtures.commands import course, new_course
from grading_fixtures.kernel_attacks import KERNEL_ATTACKS, kernel_attacks, write_kernel_attack

from course.grading.coursedir import Course
from course.grading.feedback import html_text
from course.grading.gradebook import snapshot
from course.grading.isolation import detect_isolation
from course.grading.notebooks import HIDDEN_TESTS, MARK_SCHEME, SOLUTION, split_region

TIMEOUT = "12"  # per cell: short, with room for a loaded, shared machine
pytestmark = pytest.mark.slow
ISOLATION = detect_isolation()
contained = pytest.mark.skipif(
    ISOLATION.mode == "none",
    reason=f"no isolation on this machine ({ISOLATION.why}); `course doctor` says how to enable it",
)


class Listener:
    """A TCP server on the host's loopback: a submission must not reach it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def stop(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


def processes_with(text: str) -> list[int]:
    """Processes of this checkout (other checkouts on a shared machine may be grading at the same time)."""
    import sys

    found = []
    mine = str(Path(sys.executable).parent).encode()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes()
                if text.encode() in cmdline and (mine in cmdline or b"-marker-" in text.encode()):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def _code_fingerprint() -> dict:
    """Hashes of the grader's own code and data, which a jailed kernel can read but must not change."""
    import hashlib

    root = Path(__file__).resolve().parents[1]
    files = sorted((root / "course").rglob("*.py")) + sorted((root / "datasets").glob("*"))
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    isolation = ISOLATION
    base = tmp_path_factory.mktemp("grading")
    a = new_course(base / "course")
    released = course("--course-dir", a, "release")
    assert released.rc == 0, released.out + released.err
    b = base / "sequential"
    shutil.copytree(a, b)
    c = base / "unisolated"
    shutil.copytree(a, c)

    token = f"cg-marker-{uuid.uuid4().hex}"
    listener = Listener()
    cases = standard_cases(a) + fault_cases(a) + attack_cases(a, token, listener.port)
    for case in cases:
        case.write(a)
    attacks = {(k.student, k.ps): k for k in kernel_attacks()}
    for k in attacks.values():
        write_kernel_attack(a, k)
    code_before = _code_fingerprint()
    extra = [] if isolation.mode != "none" else ["--allow-unisolated"]
    import time

    started = time.monotonic()
    graded = course("--course-dir", a, "grade", "--jobs", "2", "--timeout", TIMEOUT, *extra)
    elapsed = time.monotonic() - started
    listener.stop()
    feedback = course("--course-dir", a, "feedback")
    exported = course("--course-dir", a, "export", "-o", a / "grades.csv")

    sequential_cases = [case for case in standard_cases(b) + fault_cases(b) if case.sequential]
    for case in sequential_cases:
        case.write(b)
    sequential = course("--course-dir", b, "grade", "--jobs", "1", "--timeout", TIMEOUT, *extra)

    rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(open(a / "grades.csv"))}
    return SimpleNamespace(
        a=a,
        b=b,
        c=c,
        cases={(x.student, x.ps): x for x in cases},
        graded=graded,
        attacks=attacks,
        code_before=code_before,
        code_after=_code_fingerprint(),
        elapsed=elapsed,
        feedback=feedback,
        exported=exported,
        rows=rows,
        token=token,
        listener=listener,
        isolation=isolation,
        sequential=sequential,
        sequential_keys=[(x.student, x.ps) for x in sequential_cases],
        extra=extra,
    )


def autograded(world, student, ps="ps1") -> nbformat.NotebookNode:
    return nbformat.read(str(world.a / "autograded" / student / ps / f"{ps}.ipynb"), as_version=4)


def printed(nb) -> str:
    """What the code cells printed; one print may arrive as several stream outputs, so a cell's
    outputs are joined as they came, and cells by a newline."""
    return "\n".join("".join(o.get("text", "") for o in c.outputs) for c in nb.cells if c.cell_type == "code")


# -- the grading run -----------------------------------------------------------------------
def test_one_grade_command_grades_the_whole_class_without_hanging(world):
    assert world.graded.rc == 0, world.graded.out + world.graded.err
    n = len(world.cases) + len(world.attacks)
    assert f"Summary: {n} submission(s)" in world.graded.out
    assert world.elapsed < 240, f"grading {n} submissions took {world.elapsed:.0f} s"


@pytest.mark.parametrize("key", STANDARD, ids=lambda k: f"{k[1]}-{k[0]}")
def test_reference_blank_and_partial_get_their_exact_score(world, key):
    case, row = world.cases[key], world.rows[key]
    assert float(row["score"]) == case.expect_score, (case.why, row)
    assert row["status"].startswith(case.expect_status), row
    if key[0] == "ref":
        assert float(row["score"]) == float(row["max_score"]) - float(row["pending_points"]) > 0


@pytest.mark.parametrize("student", FAULTS)
def test_fault_matrix(world, student):
    """Neither full marks nor a hang; a clear status and reason; nothing leaks to others."""
    case, row = world.cases[(student, "ps1")], world.rows[(student, "ps1")]
    full = float(world.rows[("ref", "ps1")]["score"])
    assert float(row["score"]) == case.expect_score < full, (case.why, row)
    assert row["status"].startswith(case.expect_status), (case.why, row["status"])
    assert case.expect_problem in row["status"] + row["problems"], (case.why, row["problems"])


def test_a_valid_nbformat_v3_submission_is_converted_and_graded(world):
    """The reference solution saved as nbformat v3 (worksheets) earns what the v4 reference earns."""
    assert '"nbformat": 3' in (world.a / "submitted" / "f-nbformat-v3" / "ps1" / "ps1.ipynb").read_text()
    row, ref = world.rows[("f-nbformat-v3", "ps1")], world.rows[("ref", "ps1")]
    assert float(row["score"]) == float(ref["score"]) > 0, row
    assert row["status"] == ref["status"], row
    assert autograded(world, "f-nbformat-v3").nbformat == 4


def test_every_problem_set_of_a_fault_student_is_accounted_for(world):
    # a student who submitted only ps1 is "not submitted" elsewhere, not a silent zero
    assert world.rows[("f-empty", "ps2")]["status"].endswith("not submitted")


def test_timeouts_stop_the_notebook_there(world):
    nb = autograded(world, "f-loop-after-correct")
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    after = nb.cells[ids.index("q3_answer") + 1 :]
    tests = [c for c in after if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    assert tests and all(any(o.get("ename") == "GradingError" for o in c.outputs) for c in tests)
    assert all(c.execution_count is None for c in after if c.cell_type == "code")


# -- the attacks -----------------------------------------------------------------------------
@contained
def test_attack_submissions_ran_and_earned_only_their_own_marks(world):
    for student in ATTACKS:
        case, row = world.cases[(student, "ps1")], world.rows[(student, "ps1")]
        assert float(row["score"]) == case.expect_score, (student, row)
        assert "ATTACK" in printed(autograded(world, student)), f"{student}'s attack code did not run"


@contained
def test_attack_on_the_gradebook_fails(world):
    out = printed(autograded(world, "x-gradebook"))
    assert "ATTACK truncated" not in out and "ATTACK failed" in out
    assert (world.a / "gradebook.db").stat().st_size > 0
    # students graded after it were recorded: the whole class is in the export
    assert len(world.rows) >= len(world.cases)


@contained
def test_attack_on_another_students_files_fails(world):
    out = printed(autograded(world, "x-delete-peer"))
    assert "ATTACK deleted" not in out and "ATTACK failed" in out
    assert (world.a / "submitted" / "ref" / "ps1" / "ps1.ipynb").is_file()
    assert (world.a / "autograded" / "ref" / "ps1" / "ps1.ipynb").is_file()
    assert world.rows[("ref", "ps1")]["score"] == str(world.cases[("ref", "ps1")].expect_score)


@contained
def test_attack_reading_the_hidden_tests_fails(world):
    lines = printed(autograded(world, "x-read-source")).splitlines()
    assert "ATTACK failed source FileNotFoundError" in lines and "ATTACK read the source" not in lines
    holds = next(line for line in lines if line.startswith("ATTACK root holds"))
    if world.isolation.separate_uid:
        assert not holds.endswith("uid 0")


@contained
def test_attack_leaving_processes_behind_fails(world):
    assert "ATTACK started background processes" in printed(autograded(world, "x-background"))
    assert processes_with(world.token) == []
    from course.grading import limits

    if limits.describe().startswith("cgroup"):  # reported, not silently killed
        assert "left 2 process(es) running" in world.rows[("x-background", "ps1")]["problems"]


@pytest.mark.skipif(ISOLATION.mode != "namespaces", reason="network isolation needs namespaces")
def test_attack_over_the_network_fails(world):
    out = printed(autograded(world, "x-network"))
    assert "ATTACK connected" not in out and "ATTACK no connection to 127.0.0.1" in out
    assert world.listener.connections == 0


def test_no_kernel_or_jail_outlives_grading(world):
    assert processes_with("course.grading.kernel_boot") == []
    assert processes_with("_jail.py") == []


def test_without_isolation_the_same_attacks_do_real_damage(world):
    """The control: proves the attack submissions above are real attacks."""
    c = world.c
    for case in attack_cases(c, world.token + "-control", 9):
        if case.student in ("x-gradebook", "x-delete-peer"):
            case.write(c)
    for case in standard_cases(c):
        if case.student == "ref" and case.ps == "ps1":
            case.write(c)
    victim = c / "submitted" / "ref" / "ps1" / "ps1.ipynb"
    assert victim.is_file()
    with contextlib.suppress(Exception):
        course(
            "--course-dir",
            c,
            "grade",
            "ps1",
            "--student",
            "x-delete-peer",
            "--student",
            "x-gradebook",
            "--isolation",
            "none",
            "--allow-unisolated",
            "--timeout",
            TIMEOUT,
        )
    assert not victim.exists(), "without isolation the attack deletes another student's submission"
    out = (
        printed(nbformat.read(str(c / "autograded" / "x-gradebook" / "ps1" / "ps1.ipynb"), as_version=4))
        if (c / "autograded" / "x-gradebook" / "ps1" / "ps1.ipynb").exists()
        else ""
    )
    assert "ATTACK truncated" in out or (c / "gradebook.db").stat().st_size == 0


# -- student-facing files ---------------------------------------------------------------------
def _secret_lines(course_dir: Path, regions) -> dict[str, str]:
    """Lines inside the given regions of the masters that appear nowhere else in them (computed here,
    independently of course.grading.notebooks.Secrets)."""
    out = {}
    for path in sorted((course_dir / "source").glob("*/*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        inside, outside = [], []
        for cell in nb.cells:
            text = cell.source
            for region in regions:
                text_out, text_in = split_region(text, region)
                inside += text_in
                text = "\n".join(text_out)
            outside.append(text)
        public = "\n".join(outside)
        for line in inside:
            line = line.strip()
            if len(line) >= 16 and not line.startswith("#") and line not in public:
                out[line] = path.name
    return out


def test_release_contains_no_solution_or_hidden_test(world):
    secrets = _secret_lines(world.a, (SOLUTION, HIDDEN_TESTS, MARK_SCHEME))
    assert len(secrets) > 50
    for path in sorted((world.a / "release").rglob("*")):
        if path.is_file():
            text = path.read_text()
            assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, path
            leaked = [s for s in secrets if s in text]
            assert not leaked, (path, leaked[:3])


def test_feedback_contains_no_hidden_test_source_or_output(world):
    assert world.feedback.rc == 0, world.feedback.out + world.feedback.err
    hidden = _secret_lines(world.a, (HIDDEN_TESTS,))
    files = sorted((world.a / "feedback").rglob("*.html"))
    assert len(files) >= 20
    for path in files:
        text = html_text(path.read_text())
        assert "BEGIN HIDDEN TESTS" not in text, path
        leaked = [s for s in hidden if s in text]
        assert not leaked, (path, leaked[:3])
        assert "Traceback" not in text or "Hidden test" in text


def test_feedback_names_the_hidden_tests_that_failed(world):
    text = html_text((world.a / "feedback" / "partial" / "ps1" / "ps1.html").read_text())
    assert "Hidden test q2_hidden: failed" in text
    assert "Hidden test q1_hidden: passed" in text


def test_feedback_check_fails_closed_when_feedback_would_leak(world, tmp_path):
    """With nbgrader's default feedback pipeline the hidden tests leak; `course feedback` then fails and deletes."""
    d = tmp_path / "plain-feedback"
    shutil.copytree(world.a, d, ignore=shutil.ignore_patterns("feedback"))
    with open(d / "nbgrader_config.py", "a") as f:
        f.write(
            '\nc.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades", '
            '"nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]\n'
        )
    result = course("--course-dir", d, "feedback", "ps1")
    assert result.rc == 1 and "hidden tests reached the feedback" in result.out, result.out
    assert "partial/ps1/ps1.html: contains hidden test" in result.out
    assert not (d / "feedback" / "partial" / "ps1" / "ps1.html").exists()


def test_the_kernel_never_sees_a_hidden_test(world):
    """A student printing every cell the kernel ran (`In`) shows the visible tests only: the hidden
    tests are compared outside the kernel and never sent to it."""
    hidden = _secret_lines(world.a, (HIDDEN_TESTS,))
    instructor_copy = printed(autograded(world, "x-read-source"))
    assert "Visible tests passed" in instructor_copy or "print(" in instructor_copy
    assert not [s for s in hidden if s in instructor_copy]
    text = html_text((world.a / "feedback" / "x-read-source" / "ps1" / "ps1.html").read_text())
    assert not [s for s in hidden if s in text]


# -- export and gradebook ------------------------------------------------------------------------
def test_export_tells_failed_and_pending_from_zero(world):
    assert world.exported.rc == 0
    header = (world.a / "grades.csv").read_text().splitlines()[0].split(",")
    assert {"status", "pending_points", "score", "max_score", "problems"} <= set(header)
    blank, failed, ref = (
        world.rows[("blank", "ps1")],
        world.rows[("f-invalid-json", "ps1")],
        world.rows[("ref", "ps1")],
    )
    assert blank["score"] == failed["score"] == "0.0"
    assert blank["status"] == "graded" and failed["status"].startswith("invalid file: ")
    assert ref["status"] == "needs-manual-grading" and float(ref["pending_points"]) == 8.0


def test_parallel_grading_gives_the_same_gradebook_as_sequential(world):
    assert world.sequential.rc == 0, world.sequential.out + world.sequential.err
    parallel, serial = snapshot(Course(world.a)), snapshot(Course(world.b))
    keys = [f"{ps}/{student}" for student, ps in world.sequential_keys]
    assert len(keys) >= 12 and set(keys) <= set(serial)
    for key in keys:
        assert parallel[key] == serial[key], key


# -- attacks from inside the kernel -------------------------------------------------------------------
@pytest.mark.parametrize("key", KERNEL_ATTACKS, ids=lambda k: f"{k[1]}-{k[0]}")
def test_kernel_attack_buys_nothing_and_is_named(world, key):
    """Score no more than an honest blank submission (the hard-coder: exactly the visible points);
    the status says what happened; other students' grades are untouched (checked by the tests above)."""
    attack, row = world.attacks[key], world.rows[key]
    assert float(row["score"]) == attack.score, (attack.why, row)
    assert float(row["score"]) <= float(world.rows[("blank", key[1])]["score"]) + attack.score
    assert row["status"].startswith(attack.status), (attack.why, row["status"])
    assert attack.problem in row["status"] + row["problems"], (attack.why, row["problems"])
    if (attack.first or attack.last) and not attack.status.startswith(
        "crashed"
    ):  # a killed kernel may not flush
        assert "ATTACK" in printed(autograded(world, key[0], key[1])), f"{key}: the attack code did not run"


def test_kernel_attacks_change_no_file_of_the_grader(world):
    assert world.code_after == world.code_before
    out = printed(autograded(world, "k-write-package"))
    assert "ATTACK wrote" not in out and out.count("ATTACK could not write") == 3


def test_kernel_attack_finds_no_master_anywhere(world):
    lines = [
        line for line in printed(autograded(world, "k-find-master")).splitlines() if line.startswith("ATTACK")
    ]
    assert "ATTACK notebooks or databases found: [] 0" in lines, lines
    assert "ATTACK grader secrets readable: []" in lines, lines
    assert "ATTACK reference namespace in the kernel: []" in lines, lines
    assert "ATTACK environment: []" in lines, lines


def test_kernel_attack_finds_no_expected_value_on_the_stack(world):
    out = printed(autograded(world, "k-stack-oracle"))
    assert "ATTACK oracle installed" in out and "ATTACK found an expected value" not in out


def _decodings(text: str) -> list[str]:
    """The encoded forms a student printed, decoded here independently of the grader's own leak check."""
    import base64
    import codecs
    import re

    out = [text]
    parts = re.split(r"ATTACK (b64|hex|rot13|reversed|spaced) ", text)
    for kind, payload in zip(parts[1::2], parts[2::2]):
        payload = payload[:-1] if payload.endswith("\n") else payload
        try:
            if kind == "b64":
                out.append(base64.b64decode(payload.strip()).decode(errors="replace"))
            elif kind == "hex":
                out.append(bytes.fromhex(payload.strip()).decode(errors="replace"))
            elif kind == "rot13":
                out.append(codecs.decode(payload, "rot13"))
            elif kind == "reversed":
                out.append(payload[::-1])
            elif kind == "spaced":
                out.append(payload[::2])
        except ValueError:
            out.append("")
    return out


def test_hidden_tests_leak_in_no_encoding(world):
    hidden = _secret_lines(world.a, (HIDDEN_TESTS,))
    printed_text = printed(autograded(world, "k-leak-encoded"))
    decoded = _decodings(printed_text)
    assert len(decoded) >= 6 and any("Visible tests passed" in d for d in decoded[1:])  # the decoding works
    assert not [s for s in hidden for d in decoded if s in d]
    feedback = html_text((world.a / "feedback" / "k-leak-encoded" / "ps1" / "ps1.html").read_text())
    assert not [s for s in hidden for d in _decodings(feedback) if s in d]

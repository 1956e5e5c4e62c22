"""End to end: the second round of kernel attacks (tests/grading_fixtures/newer_attacks.py), graded by one
`course grade --jobs 1` beside an honest blank and an honest reference submission.

For each attack: the score is at most the blank's, the status names what happened, the bystander's
grade is the one it got when graded alone, and nothing outside the submission changed. The leak
attacks also must not get a single encoded payload into the feedback, the status or the problems.

One grading run for the module (--jobs 1, so the warm-pool witnesses run right after the attacker).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from grading_fixtures.commands import course, new_course
from grading_fixtures.jails import jail_params
from grading_fixtures.kernel_attacks import write_kernel_attack
from grading_fixtures.newer_attacks import (
    LEAK,
    MODES,
    PLAIN_LEAK,
    POOL_MARK,
    STASHED_DESIGN,
    decode,
    newer_attacks,
    order_attack,
)
from grading_fixtures.submissions import blank, reference, submit

from course.grading.coursedir import Course
from course.grading.feedback import encoded_leaks, html_text
from course.grading.gradebook import snapshot
from course.grading.isolation import detect_isolation
from course.grading.kernel_env import verdict_store
from course.grading.notebooks import Secrets

TIMEOUT = "12"
pytestmark = pytest.mark.slow
ISOLATION = detect_isolation()
contained = pytest.mark.skipif(ISOLATION.mode == "none", reason=f"no isolation here ({ISOLATION.why})")
HOST_TMP = ("/tmp", "/var/tmp", "/dev/shm")


def _tree_hash(top: Path) -> dict:
    if not top or not top.exists():
        return {}
    return {
        str(p.relative_to(top)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(top.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _code_fingerprint() -> dict:
    root = Path(__file__).resolve().parents[1]
    return {
        **_tree_hash(root / "course"),
        **{f"datasets/{k}": v for k, v in _tree_hash(root / "datasets").items()},
    }


def _open_fds() -> int:
    import psutil

    return psutil.Process().num_fds()


def _host_marks() -> list[str]:
    found = []
    for top in HOST_TMP:
        try:
            found += [os.path.join(top, n) for n in os.listdir(top) if POOL_MARK in n]
        except OSError:
            pass
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if POOL_MARK.encode() in Path(f"/proc/{entry.name}/cmdline").read_bytes():
                    found.append(f"process {entry.name}")
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    extra = [] if ISOLATION.mode != "none" else ["--allow-unisolated"]
    a = new_course(tmp_path_factory.mktemp("attacks") / "course", "ps1")
    released = course("--course-dir", a, "release", "ps1")
    assert released.rc == 0, released.out + released.err
    submit(a, "bystander", "ps1", reference(a, "ps1"))
    submit(a, "blank", "ps1", blank(a, "ps1"))
    alone = course("--course-dir", a, "grade", "ps1", "--timeout", TIMEOUT, *extra)
    assert alone.rc == 0, alone.out + alone.err
    graded_alone = snapshot(Course(a))
    bystander_files = _tree_hash(a / "submitted" / "bystander")

    attacks = {k.student: k for k in newer_attacks()}
    for k in attacks.values():
        write_kernel_attack(a, k)
    store = verdict_store()
    store_before = _tree_hash(store) if store else {}
    code_before = _code_fingerprint()
    marks_before = _host_marks()
    fds_before = _open_fds()
    graded = course("--course-dir", a, "grade", "ps1", "--jobs", "1", "--timeout", TIMEOUT, *extra)
    fds_after = _open_fds()
    feedback = course("--course-dir", a, "feedback", "ps1")
    exported = course("--course-dir", a, "export", "-o", a / "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader(open(a / "grades.csv")) if r["assignment"] == "ps1"}
    return SimpleNamespace(
        a=a,
        attacks=attacks,
        graded=graded,
        feedback=feedback,
        exported=exported,
        rows=rows,
        graded_alone=graded_alone,
        graded_beside=snapshot(Course(a)),
        bystander_files=bystander_files,
        store=store,
        store_before=store_before,
        code_before=code_before,
        marks_before=marks_before,
        fds=(fds_before, fds_after),
    )


def _printed(world, student) -> str:
    nb = nbformat.read(str(world.a / "autograded" / student / "ps1" / "ps1.ipynb"), as_version=4)
    return "\n".join("".join(o.get("text", "") for o in c.outputs) for c in nb.cells if c.cell_type == "code")


def _feedback(world, student) -> str:
    path = world.a / "feedback" / student / "ps1" / "ps1.html"
    return html_text(path.read_text()) if path.exists() else ""


def test_the_class_is_graded(world):
    assert world.graded.rc == 0, world.graded.out + world.graded.err
    assert world.feedback.rc == 0, world.feedback.out + world.feedback.err
    assert world.exported.rc == 0
    assert set(world.attacks) | {"bystander", "blank"} <= set(world.rows)


@pytest.mark.parametrize("student", [k.student for k in newer_attacks()])
def test_attack_buys_nothing_and_is_named(world, student):
    attack, row = world.attacks[student], world.rows[student]
    assert float(row["score"]) <= float(world.rows["blank"]["score"]), (attack.why, row)
    # "(honest)": what an honest submission gets (ps1's written answer may still wait for a mark)
    wanted = ("graded", "needs-manual-grading") if attack.status == "(honest)" else (attack.status,)
    assert row["status"].startswith(wanted), (attack.why, row["status"], row["problems"])
    assert attack.problem in row["status"] + row["problems"], (attack.why, row["problems"])
    assert "ATTACK" in _printed(world, student), f"{student}: the attack code did not run"


def test_other_students_grades_and_files_do_not_change(world):
    for key in ("ps1/bystander", "ps1/blank"):
        assert world.graded_beside[key] == world.graded_alone[key], key
    assert _tree_hash(world.a / "submitted" / "bystander") == world.bystander_files


def test_nothing_outside_the_submissions_was_written(world):
    assert _code_fingerprint() == world.code_before
    assert _tree_hash(world.store) == world.store_before if world.store else True
    assert _host_marks() == world.marks_before


@pytest.mark.parametrize(
    "student", [k.student for k in newer_attacks() if k.student.startswith("n-leak-") and k.last]
)
def test_probe_inputs_never_reach_feedback_or_status(world, student):
    """The functions saw the hidden inputs; none of what they made of them comes back."""
    row = world.rows[student]
    assert "ATTACK armed for the probes" in _printed(world, student)
    for where, text in (("status", row["status"] + row["problems"]), ("feedback", _feedback(world, student))):
        leaked = re.findall(LEAK + r"[A-Z2-7]{8,}", text)
        assert not leaked, (where, [decode(x)[:120] for x in leaked[:3]])
    assert _feedback(world, student), "no feedback was made"


def test_changed_inputs_are_named_by_table_only(world):
    """The grader's own probe expressions (seeds, drops, the rows kept) are hidden: the status names tables."""
    row = world.rows["n-leak-inputs"]
    text = row["status"] + row["problems"] + _feedback(world, "n-leak-inputs")
    assert "participants" in text
    assert "seed=" not in text and "inputs.table(" not in text and "drop=" not in text, text[:600]


def test_digest_forgery_is_caught_or_harmless(world):
    out = _printed(world, "n-digest-forgery")
    assert "ATTACK tables emptied, digests forged: True 0" in out, out  # the forgery worked in the kernel
    assert float(world.rows["n-digest-forgery"]["score"]) == 0.0


@contained
def test_warm_pool_carries_nothing_to_the_next_kernels(world):
    out = _printed(world, "n-pool-0-attacker")
    assert "ATTACK placed marks in" in out
    for witness in ("n-pool-1-witness", "n-pool-2-witness"):
        assert "ATTACK witness found: []" in _printed(world, witness), _printed(world, witness)
    # besides what it started itself, at most its own jail's launcher: no other kernel, no grader process
    assert "could signal 0 processes" in out or "could signal 1 processes" in out, out


@contained
def test_verdict_store_cannot_be_poisoned(world):
    out = _printed(world, "n-verdict-poison")
    assert "wrote: []" in out, out
    if world.store:
        assert "forged-verdict.json" not in os.listdir(world.store)


@contained
def test_jail_files_are_closed_to_other_uids(world):
    line = [x for x in _printed(world, "n-modes").splitlines() if x.startswith("ATTACK umask")]
    assert line, _printed(world, "n-modes")
    assert line[0].startswith("ATTACK umask 0o77;"), line[0]
    assert line[0].endswith("open to other uids: []"), line[0]


@pytest.mark.parametrize("isolation", jail_params())
def test_each_jail_closes_what_its_kernel_creates_to_other_uids(isolation):
    """The same probe as n-modes, in a bare jail built each way this machine can (bubblewrap, the fallback)."""
    import shutil

    from course.grading.execute import execute
    from course.grading.readable import readable_paths
    from course.grading.sandbox import Sandbox, make_base
    from course.grading.settings import GradingSettings

    settings = GradingSettings(cell_timeout=20)
    base = make_base()
    try:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(MODES)])
        sandbox = Sandbox(
            base, 0, isolation, settings, readable_paths(settings, Path(__file__).parents[1] / "assignments")
        )
        try:
            execute(nb, sandbox, settings)
        finally:
            sandbox.cleanup()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    out = "".join(o.get("text", "") + o.get("evalue", "") for o in nb.cells[0].outputs)
    assert "ATTACK umask 0o77; open to other uids: []" in out, out


def test_grading_leaves_no_open_file_descriptors(world):
    before, after = world.fds
    assert after <= before, (
        f"{after - before} file descriptor(s) more after grading {len(world.attacks)} submissions"
    )


# -- ps3: the order of the probes --------------------------------------------------------------------
@pytest.fixture(scope="module")
def stashed(tmp_path_factory):
    """ps3 graded with a blank submission and one that stashes a hidden check's input into `my_design`."""
    extra = [] if ISOLATION.mode != "none" else ["--allow-unisolated"]
    a = new_course(tmp_path_factory.mktemp("order") / "course", "ps3")
    released = course("--course-dir", a, "release", "ps3")
    assert released.rc == 0, released.out + released.err
    submit(a, "blank", "ps3", blank(a, "ps3"))
    attack = order_attack()
    write_kernel_attack(a, attack)
    graded = course("--course-dir", a, "grade", "ps3", "--jobs", "1", "--timeout", "30", *extra)
    assert graded.rc == 0, graded.out + graded.err
    feedback = course("--course-dir", a, "feedback", "ps3")
    assert feedback.rc == 0, feedback.out + feedback.err
    exported = course("--course-dir", a, "export", "-o", a / "grades.csv")
    assert exported.rc == 0, exported.out + exported.err
    rows = {r["student_id"]: r for r in csv.DictReader(open(a / "grades.csv")) if r["assignment"] == "ps3"}
    path = a / "feedback" / attack.student / "ps3" / "ps3.html"
    graded_nb = nbformat.read(str(a / "autograded" / attack.student / "ps3" / "ps3.ipynb"), as_version=4)
    return SimpleNamespace(
        attack=attack,
        rows=rows,
        html=html_text(path.read_text()) if path.exists() else "",
        raw=path.read_text() if path.exists() else "",
        printed="\n".join(
            "".join(o.get("text", "") for o in c.outputs) for c in graded_nb.cells if c.cell_type == "code"
        ),
    )


def test_a_hidden_input_stashed_for_a_visible_check_never_reaches_the_student(stashed):
    """q1's function keeps the first hidden design it is handed as unknown keys of `my_design`; q2's
    visible rule names unknown keys. Asked before every hidden check, it judges big-bang's design."""
    row = stashed.rows[stashed.attack.student]
    assert "ATTACK scorecard keeps" in stashed.printed, "the attack code did not run"
    assert float(row["score"]) <= float(stashed.rows["blank"]["score"]), row
    assert stashed.html, "no feedback was made"
    for where, text in (
        ("status", row["status"] + row["problems"]),
        ("feedback", stashed.html),
        ("feedback html", stashed.raw),
    ):
        leaked = re.findall(LEAK + r"[A-Z2-7]{8,}", text)
        assert not leaked, (where, [decode(x)[:120] for x in leaked[:3]])
        assert PLAIN_LEAK not in text and "seed=7" not in text, where
        # the design itself, as is or encoded (base64, hex, rot13, reversed, spaced out)
        assert not encoded_leaks(text, Secrets({STASHED_DESIGN: "the hidden design"})), where
    # the visible rule still tells the student what is wrong with the design it was given
    assert "not above big-bang's" in stashed.html

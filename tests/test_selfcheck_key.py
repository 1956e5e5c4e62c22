"""`course selfcheck key`: the instructor's answer key, made from the banks."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from course.selfcheck.hashing import decode, hash_answer
from course.selfcheck.key import answer_key, right_options

LESSONS = Path(__file__).resolve().parents[1] / "lessons"
BANKS = sorted((LESSONS / "questions").glob("*.toml"))


def _entries():
    for b in BANKS:
        for q in tomllib.loads(b.read_text(encoding="utf-8"))["question"]:
            yield b.stem, q


def test_every_question_is_in_the_key_with_its_decoded_answer():
    key = answer_key(LESSONS)
    n = 0
    for _, q in _entries():
        n += 1
        assert f"`{q['id']}`" in key
        for field in ("reveal", "model_answer"):
            if q.get(field):
                assert decode(q[field]).strip() in key, (q["id"], field)
    assert n > 40  # every bank was read


def test_each_choice_question_has_its_right_options_named():
    for _, q in _entries():
        if q["kind"] != "choice":
            continue
        right = right_options(q["id"], q)
        assert right, f"{q['id']}: no option matches the stored answer"
        if not q.get("multiple"):
            assert len(right) == 1 and hash_answer(q["id"], right[0]) == q["answer"]


def test_a_tampered_answer_is_reported_not_hidden(tmp_path):
    (tmp_path / "questions").mkdir()
    src = (LESSONS / "questions" / "06.toml").read_text(encoding="utf-8")
    data = tomllib.loads(src)
    choice = next(q for q in data["question"] if q["kind"] == "choice" and not q.get("multiple"))
    (tmp_path / "questions" / "06.toml").write_text(
        src.replace(choice["answer"], "0" * 20, 1), encoding="utf-8"
    )
    key = answer_key(tmp_path)
    section = key.split(f"`{choice['id']}`", 1)[1].split("### ", 1)[0]
    assert "no option matches the stored answer" in section


def test_cli_writes_one_lesson_and_names_a_missing_one(tmp_path):
    out = tmp_path / "key.md"
    cmd = [sys.executable, "-m", "course.cli", "selfcheck", "key", "--lesson", "7", "--out", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    assert "## Lesson 07" in text and "## Lesson 06" not in text
    r = subprocess.run(
        [sys.executable, "-m", "course.cli", "selfcheck", "key", "--lesson", "42"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "lesson(s) 42" in r.stderr


@pytest.mark.parametrize("bad", ["x"])
def test_cli_rejects_a_non_number(bad):
    r = subprocess.run(
        [sys.executable, "-m", "course.cli", "selfcheck", "key", "--lesson", bad],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "error" in r.stderr

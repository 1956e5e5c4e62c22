"""course.objectives reads banks through load_bank and resolves objectives the one way (grading's Resolver).

Before, it read the banks with a bare ``tomllib.loads`` (a malformed bank was a TOMLDecodeError naming
no file) and matched an item's objective with its own copy of the start-of-bullet rule that
course.grading.objectives.Resolver and course.selfcheck.bank.validate also carry, with a reason that
named only a count ("names 0 objectives of lesson 05").
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course.grading.objectives import Resolver
from course.objectives import objective_map
from course.selfcheck.bank import BankError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def lessons(tmp_path) -> Path:
    out = tmp_path / "lessons"
    shutil.copytree(ROOT / "lessons", out, ignore=shutil.ignore_patterns(".*", "*.md"))
    return out


def _rewrite(bank: Path, old: str, new: str) -> None:
    text = bank.read_text(encoding="utf-8")
    assert old in text
    bank.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_malformed_bank_is_named(lessons):
    _rewrite(lessons / "questions" / "06.toml", 'lesson = "06"', "lesson = ")
    with pytest.raises(BankError, match=r"06\.toml: not valid TOML"):
        objective_map(lessons)


def test_an_orphan_says_which_objectives_it_could_have_named(lessons):
    _rewrite(
        lessons / "questions" / "06.toml",
        'objective = "classify a piece of evidence under"',
        'objective = "juggle"',
    )
    m = objective_map(lessons)
    ((item, why),) = [(i, w) for i, w in m.orphans if i.objective == "juggle"]
    assert item.lesson == "06" and item.name.startswith("l06-")
    assert "starts 0 of lesson 06's objectives; it must start exactly one of: " in why
    assert all(b in why for b in Resolver(lessons).bullets("06"))


def test_every_item_lands_on_the_bullet_resolver_gives_it():
    m = objective_map(ROOT / "lessons", ROOT / "assignments" / "source")
    resolver = Resolver(ROOT / "lessons")
    n = 0
    for o in m.objectives:
        for item in o.items:
            assert resolver.resolve(f"{item.lesson}: {item.objective}").text == o.text
            n += 1
    assert n > 40 and not m.orphans


def test_the_command_names_a_bad_bank_and_every_item_left_out_of_the_table(monkeypatch, capsys, lessons):
    import course.objectives as objectives

    real = objectives.objective_map
    assert objectives.main([]) == 0 and "| Lesson | Objective | Assessed by |" in capsys.readouterr().out

    # an item that names no objective: the table is printed, the item is named, the exit code says so
    _rewrite(
        lessons / "questions" / "06.toml",
        'objective = "classify a piece of evidence under"',
        'objective = "juggle"',
    )
    monkeypatch.setattr(objectives, "objective_map", lambda _lessons, _source: real(lessons))
    assert objectives.main([]) == 1
    out, err = capsys.readouterr()
    assert "| Lesson |" in out and "warning: l06-" in err and "is in no row of the table" in err

    # a malformed bank: a one-line error naming it, no traceback
    _rewrite(lessons / "questions" / "06.toml", 'lesson = "06"', "lesson = ")
    assert objectives.main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "06.toml: not valid TOML" in err and "Traceback" not in err

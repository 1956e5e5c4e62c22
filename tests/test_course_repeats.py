"""Issue 17: no item is asked twice across the course (tests/course_items.py gathers and compares them)."""

from __future__ import annotations

import course_items as ci
from course_items import all_items, reason, repeats


def test_no_item_is_asked_twice_across_the_course():
    found = repeats()
    assert not found, "\n".join(f"{a} and {b}: {why}" for a, b, why in found)


def test_every_kind_of_item_is_gathered():
    items = all_items()
    places = {it.place for it in items}
    assert places == {"bank", "ps", "example"}
    keys = {it.key for it in items}
    assert {"l09-basic-agreement-days", "ps4/a3", "ps1/q1"} <= keys
    assert all(it.objective for it in items if it.place == "ps" and it.kind == "code")


def test_each_declared_difference_names_a_self_check_on_the_same_objective():
    bank = {it.key: it for it in ci.bank_items()}
    for q in ci.ps_items():
        for qid, adds in q.beyond.items():
            assert qid in bank, f"{q.key} names {qid}, which is no self-check"
            assert bank[qid].objective == q.objective, f"{q.key} and {qid} assess different objectives"
            assert len(adds.split()) >= 6, f"{q.key}: say what the question adds to {qid}"


# ------------------------------------------------------------------ each rule can fail
def _bank(key, prompt, answer="", hints="", kind="choice", objective=""):
    return ci._item(key, "bank", prompt, answer, hints, kind=kind, objective=objective)


def _ps(key, prompt, code, objective="", beyond=None):
    return ci._item(
        key, "ps", prompt, ci._value_of(code), code, kind="code", objective=objective, beyond=beyond
    )


def test_the_same_prompt_is_a_repeat_whatever_its_punctuation():
    assert reason(
        _bank("l01-x", "When was the Final Act signed?"), _bank("l05-y", "when was the final act signed")
    ) == ("the same prompt")
    assert not reason(
        _bank("l01-x", "When was the Final Act signed?"), _bank("l05-y", "Where was it signed?")
    )


def test_the_same_data_cell_is_a_repeat():
    a = _bank(
        "l09-x",
        "Days between signing and in force?",
        hints="storehouse 'inter-korean-basic-agreement' 'in_force'",
    )
    b = _ps("ps4/a3", "When in force?", 'x = storehouse.loc["inter-korean-basic-agreement", "in_force"]')
    assert "the same data" in reason(a, b)
    c = _ps("ps4/a9", "Who signed?", 'x = events.loc["inter-korean-basic-agreement", "actors"]')
    assert not reason(a, c)


def test_the_same_quotation_put_to_the_learner_is_a_repeat_across_lessons():
    a = _bank(
        "l02-x", "Eskeland writes of 'three broad areas or baskets: political, economic'. What is missing?"
    )
    b = _ps("ps4/a4", 'Eskeland describes the Final Act as "three broad areas or baskets".', "x = 1")
    assert "quotation" in reason(a, b)
    assert not reason(_bank("l02-y", a.prompt + " Again?"), a)  # one lesson may come back to its quotation


def test_the_same_claim_about_relations_is_a_repeat():
    a = _bank("l04-x", "What had Tokyo done?", "The United States and Japan did not recognise Pyongyang.")
    b = _bank(
        "l10-y",
        "What does paragraph 1 say?",
        "Japan, like the United States, had no diplomatic relations with North Korea.",
    )
    assert "no relations" in reason(a, b)
    c = _bank(
        "l04-z",
        "What did Seoul give?",
        "Seoul ended its official ties with Taipei; it did not keep relations with Taiwan.",
    )
    assert not reason(c, b)


def test_a_question_on_a_self_checks_objective_and_table_must_say_what_it_adds():
    obj = "09: list the five items of the storehouse"
    check = _bank("l09-m", "Match each document.", objective=obj, hints="storehouse")
    q = _ps("ps4/a5", "Use storehouse.", "def f(storehouse):\n    return storehouse", objective=obj)
    assert "does not say what it adds" in reason(check, q)
    declared = _ps(
        "ps4/a5", "Use storehouse.", q.code, objective=obj, beyond={"l09-m": "asks which texts bind a state"}
    )
    assert not reason(check, declared)


def test_redoing_a_worked_example_is_a_repeat():
    ex = ci._item(
        "lesson 02 cell 9", "example", "", "", 'participants.loc[participants["status"] == "absent", "name"]'
    )
    q = _ps(
        "ps1/q2", "Absent states.", 'def f(p):\n    return p.loc[p["status"] == "absent", "name"].tolist()'
    )
    assert "worked example" in reason(ex, q)
    new = _ps(
        "ps1/q2", "Outside both alliances.", 'def f(p):\n    return p[p["group"].isin(["other"])]["status"]'
    )
    assert not reason(ex, new)

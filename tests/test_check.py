"""course.selfcheck: hashing, feedback text, tolerance, and the widgets' callbacks."""

from __future__ import annotations

import json

import pytest

from course.selfcheck import (
    Code,
    Match,
    MultipleChoice,
    Numeric,
    Order,
    Written,
    decode,
    encode,
    hash_answer,
    hash_numeric,
    normalize,
)
from widgets.selfcheck import form


def test_normalize_ignores_case_accents_and_spacing():
    assert normalize("  Détente ") == normalize("detente") == "detente"
    assert normalize("1963\u20131975") == "1963-1975"
    assert normalize(["B", "a"]) == "b | a"
    assert normalize({"b", "a"}) == normalize({"a", "b"})
    assert normalize(3.0) == "3"


def test_hash_is_salted_by_question_and_never_the_plain_answer():
    h = hash_answer("q1", "1 August 1975")
    assert h == hash_answer("q1", "1 august  1975")
    assert h != hash_answer("q2", "1 August 1975")
    assert "1975" not in h and len(h) == 20


def test_multiple_choice_feedback_hint_then_confirmation():
    q = MultipleChoice(
        "mc",
        "When was the Final Act signed?",
        ["3 July 1973", "1 August 1975", "21 November 1990"],
        answer=hash_answer("mc", "1 August 1975"),
        hint="The conference took two years.",
        explanation=encode("Signed in Helsinki by 35 states."),
    )
    wrong = q.check("A")
    assert not wrong and wrong.message == "Not yet. Hint: The conference took two years."
    assert "1 August 1975" not in wrong.message  # a hint, not the answer
    right = q.check(1)
    assert right and right.message == "Correct. Signed in Helsinki by 35 states."
    assert q.attempts == 2 and q.solved
    assert q.check("1 august 1975")
    bad = q.check("1 September 1975")
    assert not bad and "not one of the options" in bad.message


def test_multiple_choice_with_several_right_options():
    opts = ["BWC", "ABM Treaty", "Charter of Paris", "SALT I Interim Agreement"]
    q = MultipleChoice(
        "multi",
        "Which were signed in 1972?",
        opts,
        answer=hash_answer("multi", {"BWC", "ABM Treaty", "SALT I Interim Agreement"}),
        multiple=True,
    )
    assert q.check([0, 1, 3])
    assert not q.check([0, 1])
    assert q.check({"abm treaty", "bwc", "salt i interim agreement"})


def test_order_accepts_items_or_letters():
    items = ["Final Act", "Test Ban", "Charter of Paris"]
    q = Order(
        "ord", "Oldest first", items, answer=hash_answer("ord", ["Test Ban", "Final Act", "Charter of Paris"])
    )
    assert q.check("B A C") and q.check("b,a,c")
    assert q.check(["Test Ban", "Final Act", "Charter of Paris"])
    assert not q.check("A B C")
    fb = q.check("A B")
    assert not fb and "use each of the 3 items exactly once" in fb.message
    fb = q.check("A B Z")
    assert not fb and "give the letters A, B, C" in fb.message


def test_match_pairs():
    q = Match(
        "m",
        "Match",
        ["LTBT", "BWC"],
        ["1963", "1972"],
        answer=hash_answer("m", {"LTBT": "1963", "BWC": "1972"}),
    )
    assert q.check({"BWC": "1972", "LTBT": "1963"})
    assert not q.check({"BWC": "1963", "LTBT": "1972"})
    fb = q.check({"BWC": "1972"})
    assert not fb and "pair every left item" in fb.message


@pytest.mark.parametrize("answer,tol", [(42.3, 0.5), (3568, 10), (0.465, 0.01), (-2.5, 1.0)])
def test_numeric_tolerance_edges(answer, tol):
    q = Numeric("num", "How many?", answer=hash_numeric("num", answer, tol), tolerance=tol)
    assert q.check(answer)
    assert q.check(answer + 0.9 * tol) and q.check(answer - 0.9 * tol)
    assert not q.check(answer + 1.2 * tol) and not q.check(answer - 1.2 * tol)
    assert q.check(str(answer))


def test_numeric_reads_text_units_and_rejects_junk():
    q = Numeric("n2", "Deaths?", answer=hash_numeric("n2", 3568, 1), tolerance=1, unit="people")
    assert q.check("3,568 people")
    fb = q.check("lots")
    assert not fb and "could not be read" in fb.message
    with pytest.raises(ValueError, match="tolerance must be > 0"):
        Numeric("n3", "x", answer="0", tolerance=0)


def test_code_question_runs_the_function_and_reports_errors_not_answers():
    cases = [((1972, 1975), hash_answer("code", 3)), ((1991, 2018), hash_answer("code", 27))]
    q = Code("code", "Years between", cases, hint="Subtract.")
    assert q.check(lambda a, b: b - a)
    fb = q.check(lambda a, b: a - b)
    assert (
        not fb and fb.message.startswith("Not yet: 2 of 2 checks fail.") and "Hint: Subtract." in fb.message
    )
    fb = q.check(lambda a, b: 1 / 0)
    assert "ZeroDivisionError" in fb.message
    fb = q.check(42)
    assert not fb and "Pass your function itself" in fb.message


def test_code_compares_numpy_and_lists_by_value():
    import numpy as np

    q = Code("np", "gaps", [(([1, 4, 9],), hash_answer("np", [3, 5]))])
    assert q.check(lambda xs: np.diff(xs))
    assert q.check(lambda xs: [3, 5])


def test_written_offers_the_model_answer_only_after_the_minimum_or_a_skip():
    q = Written("w", "Why?", model_answer=encode("Because of the bargain."), min_words=3)
    assert "bargain" not in json.dumps({k: v for k, v in vars(q).items() if k != "_listeners"}, default=str)
    fb = q.check("too short")
    assert not fb and "at least 3 words" in fb.message and "bargain" not in fb.message
    with pytest.raises(ValueError, match="at least 3 words"):
        q.reveal()
    empty = Written("w2", "Why?", model_answer=encode("Model."), min_words=3)
    assert not empty.check("   ") and empty.attempts == 0  # an empty box is not an attempt
    assert empty.skip() == "Model." and empty.skipped and not empty.solved
    fb = q.check("because of the bargain")
    assert fb and "Because of the bargain." in fb.message and q.words == 4
    assert q.reveal() == "Because of the bargain." and not q.skipped


def test_bad_question_definitions_fail_early():
    with pytest.raises(ValueError, match="qid must be a lowercase slug"):
        MultipleChoice("Bad Id", "x", ["a", "b"], answer="")
    with pytest.raises(ValueError, match="at least two options"):
        MultipleChoice("q", "x", ["a"], answer="")
    with pytest.raises(ValueError, match="options must be distinct"):
        MultipleChoice("q", "x", ["a", "A"], answer="")


def test_widget_callbacks_show_hint_then_confirmation():
    q = MultipleChoice("wmc", "Pick", ["x", "y"], answer=hash_answer("wmc", "y"), hint="Not x.")
    box = form(q)
    box.button.click()
    assert "Choose an option first" in box.feedback.value
    box.field.value = 0
    box.button.click()
    assert "Hint: Not x." in box.feedback.value and "✗" in box.feedback.value
    assert (
        'data-attempt="1"' in box.feedback.value
    )  # each answer is stamped, so a front end can tell them apart
    box.field.value = 1
    box.button.click()
    assert "Correct." in box.feedback.value and "✓" in box.feedback.value
    assert 'data-attempt="2"' in box.feedback.value


def test_order_and_match_widgets_drive_the_same_checks():
    q = Order("word", "Order", ["b", "a"], answer=hash_answer("word", ["a", "b"]))
    box = form(q)
    box.field.dropdowns[0].value, box.field.dropdowns[1].value = "a", "b"
    box.button.click()
    assert "Correct." in box.feedback.value
    m = Match("wm", "Match", ["p", "q"], ["1", "2"], answer=hash_answer("wm", {"p": "1", "q": "2"}))
    box = form(m)
    box.field.dropdowns[0].value = "2"
    box.button.click()
    assert "Pair every item first" in box.feedback.value
    box.field.dropdowns[1].value = "1"
    box.button.click()
    assert "Not yet." in box.feedback.value


def test_numeric_and_written_widgets(tmp_path, monkeypatch):
    q = Numeric("wn", "n", answer=hash_numeric("wn", 10, 1), tolerance=1)
    box = form(q)
    box.field.value = "10.4"
    box.button.click()
    assert "Correct." in box.feedback.value
    w = Written("ww", "Why?", model_answer=encode("Model <text>."), min_words=3)
    box = form(w)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    box.button.click()  # no notebook known: says so, shows nothing
    assert "cannot tell which notebook" in box.feedback.value and "Model" not in box.feedback.value
    box.skip.click()
    assert "Model &lt;text&gt;." in box.feedback.value and w.skipped


def test_cli_prints_hashes(capsys):
    from course.cli import main

    assert main(["selfcheck", "hash", "q", "B"]) == 0
    assert capsys.readouterr().out.strip() == hash_answer("q", "B")
    assert main(["selfcheck", "hash", "q", "x", "y"]) == 0
    assert capsys.readouterr().out.strip() == hash_answer("q", ["x", "y"])
    assert main(["selfcheck", "set", "q", "x", "y"]) == 0
    assert capsys.readouterr().out.strip() == hash_answer("q", {"y", "x"})
    assert main(["selfcheck", "numeric", "q", "3.5", "0.1"]) == 0
    assert capsys.readouterr().out.strip() == hash_numeric("q", 3.5, 0.1)
    assert main(["selfcheck", "encode", "hello", "there"]) == 0
    assert decode(capsys.readouterr().out.strip()) == "hello there"
    with pytest.raises(SystemExit) as bad:
        main(["selfcheck", "bogus"])
    assert bad.value.code == 2

"""Question banks, the feedback of every kind, saved progress, answer cells and the no-spoiler gates."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from course.selfcheck import (
    Code,
    Match,
    MultipleChoice,
    Numeric,
    Order,
    encode,
    hash_answer,
    hash_numeric,
)
from course.selfcheck import state as progress_mod
from course.selfcheck.answers import answer_cell_source, saved_answer
from course.selfcheck.bank import BankError, load_bank, validate, validate_all
from course.selfcheck.lesson import ask, progress
from course.selfcheck.questions import REVEAL_AFTER, option_mark, pair_hash, position_hash

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    from course.selfcheck import lesson as ask_mod

    progress_mod.set_store(None)
    ask_mod._ASKED.clear()  # a fresh kernel
    yield progress_mod.store()
    progress_mod.set_store(None)
    ask_mod._ASKED.clear()


# ------------------------------------------------------------------ feedback per kind
def _mc():
    opts = ["3 July 1973", "1 August 1975", "9 November 1989"]
    return MultipleChoice(
        "mc",
        "When?",
        opts,
        answer=hash_answer("mc", "1 August 1975"),
        hints=["Two years of talks.", "Summer 1975."],
        feedback=[encode("That is the opening."), encode("Yes."), encode("That is the Wall.")],
        explanation=encode("Signed in Helsinki."),
        reveal=encode("1 August 1975"),
    )


def test_multiple_choice_gives_the_chosen_options_feedback_and_hints_one_per_attempt():
    q = _mc()
    first = q.check("A")
    assert (
        not first
        and "That is the opening." in first.message
        and "Hint 1 of 2: Two years of talks." in first.message
    )
    assert "Summer" not in first.message
    second = q.check("C")
    assert "That is the Wall." in second.message and "Hint 2 of 2: Summer 1975." in second.message
    assert "reveal" not in second.message.lower()
    assert not q.reveal()  # too early: two wrong attempts
    assert not q.revealed
    third = q.check("A")
    assert "Hint 2 of 2" in third.message and "You may now reveal the answer." in third.message
    shown = q.reveal()
    assert "The answer: 1 August 1975." in shown.message and "Signed in Helsinki." in shown.message
    assert q.revealed and not q.solved and q.done


def test_several_answer_choice_counts_right_choices_without_naming_them():
    opts = ["BWC", "ABM Treaty", "Charter of Paris", "SALT I"]
    right = {"ABM Treaty", "SALT I"}
    q = MultipleChoice(
        "multi",
        "1972 US-Soviet only?",
        opts,
        answer=hash_answer("multi", right),
        multiple=True,
        feedback=[encode("BWC is multilateral."), encode("ok"), encode("1990."), encode("ok")],
        marks=[option_mark("multi", o, o in right) for o in opts],
        hints=["h"],
    )
    fb = q.check(["BWC", "ABM Treaty"])
    assert "1 of your 2 choices are right, and 1 right option is missing." in fb.message
    assert "BWC is multilateral." in fb.message and "SALT" not in fb.message  # the missing one is not named
    assert q.check(["ABM Treaty", "SALT I"])


def test_order_and_match_say_how_many_are_right_without_which():
    items = ["Final Act", "Test Ban", "Charter of Paris"]
    right = ["Test Ban", "Final Act", "Charter of Paris"]
    q = Order(
        "ord",
        "Oldest first",
        items,
        answer=hash_answer("ord", right),
        hints=["h1"],
        positions=[position_hash("ord", i, it) for i, it in enumerate(right)],
    )
    fb = q.check("A B C")  # Final Act, Test Ban, Charter: only the last is in place
    assert not fb and "1 of 3 items are in the right place." in fb.message
    assert "Charter" not in fb.message
    assert "0 of 3" in q.check("C B A").message
    assert q.check("B A C")
    pairs = {"LTBT": "1963", "BWC": "1972", "NPT": "1968"}
    m = Match(
        "m",
        "Match",
        list(pairs),
        ["1963", "1968", "1972"],
        answer=hash_answer("m", pairs),
        hints=["h"],
        pairs=[pair_hash("m", ln, r) for ln, r in pairs.items()],
    )
    fb = m.check({"LTBT": "1963", "BWC": "1968", "NPT": "1972"})
    assert "1 of 3 pairs are right." in fb.message and "LTBT" not in fb.message
    assert m.check(pairs)


def test_numeric_says_too_high_or_too_low_only_when_the_question_allows_it():
    q = Numeric(
        "n", "Days?", answer=hash_numeric("n", 44, 0.5), tolerance=0.5, direction=encode("44"), hints=["h"]
    )
    assert "Too high." in q.check(50).message and "Too low." in q.check(40).message
    assert q.check("44 ")
    plain = Numeric("n2", "Days?", answer=hash_numeric("n2", 44, 0.5), tolerance=0.5, hints=["h"])
    msg = plain.check(50).message
    assert "Too high" not in msg and "Too low" not in msg


def test_unreadable_answers_are_not_attempts():
    q = _mc()
    assert "not one of the options" in q.check("12 May 1975").message
    assert q.attempts == 0 and q.wrong == 0


def test_code_does_not_count_the_untouched_template_as_an_attempt():
    q = Code(
        "code", "Years between", [((1972, 1975), hash_answer("code", 3)), ((1, 1), hash_answer("code", 0))]
    )
    fb = q.check(lambda a, b: None)
    assert not fb and "returns None for every check" in fb.message and q.attempts == 0
    assert not q.check(lambda a, b: []) and q.attempts == 0
    assert not q.check(lambda a, b: a) and q.attempts == 1


def test_code_reveals_a_model_solution_after_three_failures():
    q = Code(
        "code",
        "Years between",
        [((1972, 1975), hash_answer("code", 3))],
        hints=["Subtract."],
        reveal=encode("lambda a, b: b - a"),
    )
    for _ in range(REVEAL_AFTER):
        assert not q.check(lambda a, b: a - b)
    assert "reveal a model solution" in q.check(lambda a, b: 0).message
    assert "lambda a, b: b - a" in q.reveal().message and q.revealed


# ------------------------------------------------------------------ the banks
BANKS = sorted((LESSONS / "questions").glob("*.toml"))


def test_every_lesson_has_a_valid_bank():
    results = validate_all(LESSONS)
    assert {p.stem for p in results} == {
        nb.name[:2] for nb in LESSONS.glob("[0-9][0-9]_*.ipynb")
    }  # one bank a lesson
    problems = [p for ps in results.values() for p in ps]
    assert not problems, "\n".join(problems)


def test_the_validate_command_passes_on_the_banks_and_fails_on_a_broken_one(tmp_path, capsys):
    from course.cli import main

    assert main(["selfcheck", "validate"]) == 0
    assert f"Summary: {len(BANKS)} bank(s), 0 problem(s)" in capsys.readouterr().out
    lessons = tmp_path / "lessons"
    shutil.copytree(
        LESSONS, lessons, ignore=shutil.ignore_patterns(".course-progress.json", ".ipynb_checkpoints")
    )
    bank = lessons / "questions" / "06.toml"
    text = bank.read_text()
    # drop one option's feedback and the objective of another question
    text = re.sub(
        r'(\[\[question\.option\]\]\ntext = "The Soviet Union never signed[^\n]*\n)feedback = "[^"]*"\n',
        r"\1",
        text,
    )
    text = text.replace('objective = "classify a piece of evidence under"', 'objective = "juggle"')
    bank.write_text(text)
    assert main(["selfcheck", "validate", "--lessons", str(lessons)]) == 1
    out = capsys.readouterr().out
    assert re.search(
        r"06\.toml: question 'l06-bwc-thought-experiment': field 'option\[0\]\.feedback': .*no feedback", out
    )
    assert re.search(r"06\.toml: question 'l06-evidence-match': field 'objective'", out)


@pytest.mark.parametrize(
    "mutation,field",
    [
        (lambda t: t.replace('kind = "order"', 'kind = "essay"', 1), "kind"),
        (lambda t: re.sub(r"positions = \[[^\]]*\]", 'positions = ["bad"]', t, count=1), "positions"),
        (
            lambda t: re.sub(
                r'(id = "l06-cycle-order"(?:.|\n)*?)answer = "[0-9a-f]{20}"', r'\1answer = ""', t, count=1
            ),
            "answer",
        ),
        (
            lambda t: re.sub(
                r'(id = "l06-eased"(?:.|\n)*?)explanation = "[^"]*"', r'\1explanation = "%%%"', t, count=1
            ),
            "explanation",
        ),
    ],
)
def test_a_malformed_bank_names_the_file_the_question_and_the_field(tmp_path, mutation, field):
    bad = tmp_path / "06.toml"
    bad.write_text(mutation((LESSONS / "questions" / "06.toml").read_text()))
    problems = validate(bad, LESSONS / "06_six_obstacles.ipynb")
    assert problems, "the broken bank passed"
    assert any(str(bad) in p and "question 'l06-" in p and f"field '{field}" in p for p in problems), problems


def test_a_bank_that_is_not_toml_names_the_file(tmp_path):
    bad = tmp_path / "06.toml"
    bad.write_text('lesson = "06"\n[[question]\nid = "x"\n')
    with pytest.raises(BankError, match=r"06\.toml: not valid TOML"):
        load_bank(bad)


def test_no_lesson_cell_holds_an_answer_hash_or_encoded_text():
    hexhash = re.compile(r"['\"][0-9a-f]{20}['\"]")
    b64 = re.compile(r"['\"][A-Za-z0-9+/]{40,}={0,2}['\"]")
    for path in sorted(LESSONS.glob("[0-9][0-9]_*.ipynb")):
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
            src = cell.source
            assert not hexhash.search(src), f"{path.name} cell {i} holds an answer hash"
            for m in b64.finditer(src):
                try:
                    base64.b64decode(m.group(0)[1:-1], validate=True).decode("utf-8")
                except Exception:  # noqa: BLE001 - not base64 text: fine
                    continue
                pytest.fail(f"{path.name} cell {i} holds encoded text {m.group(0)[:30]}...")
            assert (
                not re.search(r"\b(answer|explanation|model_answer)\s*=", src) or cell.cell_type == "markdown"
            ), f"{path.name} cell {i} still defines a question inline"


def test_bank_files_show_no_answer_at_a_glance():
    """Right options, orders and explanations are never in plain text: a choice's feedback is encoded
    for every option."""
    for bank_file in BANKS:
        bank = load_bank(bank_file)
        for qid, entry in bank.entries.items():
            for field in ("explanation", "model_answer"):
                if field in entry:
                    assert base64.b64decode(entry[field]).decode() not in bank_file.read_text()
            for opt in entry.get("option", []):
                assert set(opt) <= {"text", "feedback", "mark"}, (qid, opt)
                assert re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", opt["feedback"]), (qid, opt["text"])


def test_lesson_08_answers_are_computed_from_the_data_in_the_bank():
    """The bank entry is what tests/test_humanitarian.py rebuilds from the data (kept working for the bank)."""
    q = load_bank(LESSONS / "questions" / "08.toml").question("l08-clock-years-below")
    assert q.tolerance == 0.2 and q.unit == "years"


# ------------------------------------------------------------------ progress and persistence
def test_ask_saves_every_check_and_a_new_kernel_takes_the_state_up(store):
    q = ask("l00-final-act-date", namespace={})
    assert not q.check("A")
    saved = json.loads(Path(store.path).read_text())["checks"]["l00-final-act-date"]
    assert saved["attempts"] == 1 and saved["wrong"] == 1 and not saved["solved"]
    progress_mod.set_store(None)  # a restarted kernel: a new store reading the same file
    again = ask("l00-final-act-date", namespace={})
    assert again.attempts == 1 and again.wrong == 1
    assert again.check("B")
    progress_mod.set_store(None)
    assert ask("l00-final-act-date", namespace={}).solved


def test_progress_lists_solved_revealed_and_skipped(store):
    a = ask("l00-final-act-date", namespace={})
    a.check("B")
    b = ask("l00-four-documents", namespace={})
    for _ in range(3):
        b.check("A B C D")
    b.reveal()
    report = progress("01", store=store)
    assert {r[0] for r in report.rows} == {"01"}
    whole = progress("00", store=store)  # lesson 00 shows the whole course
    assert {r[0] for r in whole.rows} == {nb.name[:2] for nb in LESSONS.glob("[0-9][0-9]_*.ipynb")}
    status = {r[1]: r[3] for r in whole.rows}
    assert status["l00-final-act-date"] == "solved" and status["l00-four-documents"] == "revealed"
    assert status["l01-salt-meaning"] == "not yet"
    assert "Lesson 00: 1 solved, 1 revealed" in str(whole)
    assert "<table>" in whole._repr_html_()


def test_progress_falls_back_when_the_lessons_folder_is_read_only(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    data = tmp_path / "data"
    monkeypatch.delenv("COURSE_PROGRESS", raising=False)
    monkeypatch.setattr(
        progress_mod,
        "candidate_paths",
        lambda lessons_dir=None: [ro / ".course-progress.json", data / "progress.json"],
    )
    real = progress_mod._writable_dir
    monkeypatch.setattr(progress_mod, "_writable_dir", lambda d: d != ro and real(d))
    s = progress_mod.ProgressStore.default()
    assert s.path == data / "progress.json"
    s.record("l00-x", {"solved": True})
    assert json.loads(s.path.read_text())["checks"]["l00-x"]["solved"] is True
    monkeypatch.setattr(progress_mod, "_writable_dir", lambda d: False)
    mem = progress_mod.ProgressStore.default()
    assert mem.path is None
    with pytest.warns(UserWarning, match="this session only"):
        mem.record("l00-y", {"solved": True})
    assert mem.get("l00-y")["solved"]


def test_written_answers_are_read_from_the_saved_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('ask("l01-scaffolding")'),
        nbformat.v4.new_markdown_cell(answer_cell_source("l01-scaffolding")),
    ]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    assert saved_answer("l01-scaffolding", path) == ""  # only the marker and the placeholder
    assert saved_answer("l01-other", path) is None
    nb.cells[1].source += "\nThe talks rested on earlier deals."
    nbformat.write(nb, path)
    assert saved_answer("l01-scaffolding", path) == "The talks rested on earlier deals."


def test_the_written_form_reads_the_answer_cell_and_offers_the_model_answer_only_after_enough(
    tmp_path, store, monkeypatch
):
    from widgets.selfcheck import form

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(answer_cell_source("l01-scaffolding"))]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    q = ask("l01-scaffolding", namespace={})
    box = form(q)
    box.button.click()
    assert "empty in the saved notebook" in box.feedback.value and "save" in box.feedback.value
    nb.cells[0].source += "\nToo short."
    nbformat.write(nb, path)
    box.button.click()
    assert "at least 40 words" in box.feedback.value and "Model" not in box.feedback.value
    nb.cells[0].source += "\n" + " ".join(["word"] * 45)
    nbformat.write(nb, path)
    box.button.click()
    assert "Compare your answer with the model answer" in box.feedback.value
    progress_mod.set_store(None)
    again = form(ask("l01-scaffolding", namespace={}))
    assert "You answered this earlier" in again.feedback.value


def test_forms_show_the_state_saved_earlier_and_unlock_the_reveal(store):
    from widgets.selfcheck import form

    q = ask("l00-final-act-date", namespace={})
    box = form(q)
    assert box.reveal.disabled
    for _ in range(3):
        box.field.value = 0
        box.button.click()
    assert not box.reveal.disabled
    box.reveal.click()
    assert "The answer: Whether agreements with North Korea lasted longer" in box.feedback.value
    progress_mod.set_store(None)
    box2 = form(ask("l00-final-act-date", namespace={}))
    assert "revealed the answer earlier" in box2.feedback.value


# ------------------------------------------------------------------ gates
def test_a_gate_waits_for_its_question_and_opens_in_place(store):
    from widgets.selfcheck import reveal_after

    calls = []
    gate = reveal_after("l00-final-act-date", lambda: calls.append(1) or "the chart")
    assert not gate.is_open() and not calls and "Waiting for your answer" in gate.children[0].value
    q = ask("l00-final-act-date", namespace={})
    q.check("A")
    assert not gate.is_open()  # a wrong answer does not open it
    q.check("B")
    assert gate.is_open() and calls == [1] and gate.children[0].value == ""
    # a new kernel: the saved state opens the gate at once (Run All after answering)
    progress_mod.set_store(None)
    again = reveal_after("l00-final-act-date", lambda: None)
    assert again.is_open()


def test_a_prediction_gate_opens_after_any_checked_answer(store):
    from widgets.selfcheck import reveal_after

    gate = reveal_after("l07-predict-reneger", lambda: None, attempted=True)
    q = ask("l07-predict-reneger", namespace={})
    q.check(q.options.index("about the same"))
    assert gate.is_open()


def test_a_gate_on_a_checkbox(store):
    import ipywidgets as ipw

    from widgets.selfcheck import reveal_after

    box = ipw.Checkbox(value=False)
    gate = reveal_after(box, lambda: None)
    assert not gate.is_open()
    box.value = True
    assert gate.is_open()


def test_the_authoring_commands_print_the_per_part_hashes(capsys):
    from course.cli import main

    assert main(["selfcheck", "order", "q", "b", "a"]) == 0
    out = capsys.readouterr().out
    assert f'answer = "{hash_answer("q", ["b", "a"])}"' in out
    assert f'"{position_hash("q", 0, "b")}", "{position_hash("q", 1, "a")}"' in out
    assert main(["selfcheck", "match", "q", "LTBT=1963", "BWC=1972"]) == 0
    out = capsys.readouterr().out
    assert f'answer = "{hash_answer("q", {"LTBT": "1963", "BWC": "1972"})}"' in out
    assert pair_hash("q", "BWC", "1972") in out
    assert main(["selfcheck", "marks", "q", "--right", "x", "--wrong", "y"]) == 0
    out = capsys.readouterr().out
    assert option_mark("q", "x", True) in out and option_mark("q", "y", False) in out
    assert main(["selfcheck", "match", "q", "nopair"]) == 2


@pytest.mark.parametrize(
    "mutation,problem",
    [
        (
            lambda t: re.sub(r'(id = "l06-cycle-order"\nkind = "order"\n)level = "[a-z]+"\n', r"\1", t),
            "missing",
        ),
        (
            lambda t: re.sub(
                r'(id = "l06-cycle-order"\nkind = "order"\n)level = "[a-z]+"', r'\1level = "create"', t
            ),
            "unknown level 'create'",
        ),
    ],
)
def test_a_missing_or_unknown_level_names_the_file_the_item_and_the_allowed_values(
    tmp_path, mutation, problem, capsys
):
    from course.cli import main

    lessons = tmp_path / "lessons"
    shutil.copytree(LESSONS, lessons)
    bank = lessons / "questions" / "06.toml"
    text = mutation(bank.read_text())
    assert text != bank.read_text(), "the mutation did not apply"
    bank.write_text(text)
    with pytest.raises(BankError) as e:
        load_bank(bank)
    msg = str(e.value)
    assert str(bank) in msg and "question 'l06-cycle-order'" in msg and "field 'level'" in msg
    assert problem in msg and "'recall', 'apply', 'analyse', 'evaluate'" in msg
    # `course selfcheck validate` reports it too, and fails
    assert main(["selfcheck", "validate", "--lessons", str(lessons)]) == 1
    out = capsys.readouterr().out
    assert re.search(
        r"FAIL .*06\.toml: question 'l06-cycle-order': field 'level': " + re.escape(problem), out
    )


def test_every_bank_question_has_an_allowed_level():
    from course.selfcheck.bank import LEVELS

    for path in sorted((LESSONS / "questions").glob("*.toml")):
        for qid, q in load_bank(path).entries.items():
            assert q["level"] in LEVELS, (path.name, qid)

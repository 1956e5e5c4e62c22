"""The grading pipeline's parts, one at a time (fast: only the kernel tests start a jailed kernel)."""

from __future__ import annotations

import json

import nbformat
import pytest

from course.grading.execute import Execution, Stop
from course.grading.integrity import ScanStudentCode
from course.grading.notebooks import (
    HIDDEN_TESTS,
    Secrets,
    SubmissionError,
    leaks,
    read_submission,
    remove_region,
)
from course.grading.progress import Progress
from course.grading.restore import ReleaseMismatch, RestoreFromSource
from course.grading.verdict import ApplyVerdicts


def _meta(gid, **flags):
    return {
        "nbgrader": {
            "grade_id": gid,
            "grade": False,
            "solution": False,
            "locked": False,
            "task": False,
            "schema_version": 3,
            **flags,
        }
    }


def _code(gid, src, **flags):
    c = nbformat.v4.new_code_cell(src, metadata=_meta(gid, **flags) if gid else {})
    c.id = (gid or "free").replace("_", "-")
    return c


def tiny_release():
    """A released notebook: a given cell, an answer, a test with hidden tests stripped."""
    cells = [
        _code("setup", "import math", locked=True),
        _code(
            "q1_answer",
            "def double(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()",
            solution=True,
        ),
        _code("q1_tests", "assert double(2) == 4", grade=True, locked=True, points=1),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    masters = {
        "setup": "import math",
        "q1_tests": "assert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(-3) == -6\n### END HIDDEN TESTS",
    }
    return nb, masters


# -- restore ------------------------------------------------------------------------------------
def test_restore_keeps_answers_and_restores_the_masters_with_hidden_tests():
    release, masters = tiny_release()
    submitted = nbformat.from_dict(json.loads(json.dumps(release)))
    submitted.cells[1].source = "def double(x):\n    return 2 * x"
    nb, findings = RestoreFromSource(masters, release, "t")(submitted)
    assert findings == []
    assert nb.cells[1].source == "def double(x):\n    return 2 * x"
    assert "double(-3) == -6" in nb.cells[2].source


def test_restore_detects_a_test_cell_stripped_of_metadata_and_edited():
    release, masters = tiny_release()
    submitted = nbformat.from_dict(json.loads(json.dumps(release)))
    submitted.cells[2].source = "pass"
    del submitted.cells[2].metadata["nbgrader"]
    nb, findings = RestoreFromSource(masters, release, "t")(submitted)
    assert "BEGIN HIDDEN TESTS" in nb.cells[2].source and nb.cells[2].metadata["nbgrader"]["points"] == 1
    assert any("metadata removed" in f for f in findings) and any("was edited" in f for f in findings)


def test_restore_puts_back_deleted_cells_and_keeps_added_ones_in_place_without_grade_metadata():
    release, masters = tiny_release()
    submitted = nbformat.from_dict(json.loads(json.dumps(release)))
    fake = _code("q1_tests", "pass  # a fake grade cell", grade=True, points=100)
    fake.id = "mine"
    extra = _code(None, "helper = 1")
    submitted.cells = [submitted.cells[0], extra, submitted.cells[1], fake]
    submitted.cells[3].metadata["nbgrader"]["grade_id"] = "bonus"
    nb, findings = RestoreFromSource(masters, release, "t")(submitted)
    sources = [c.source for c in nb.cells]
    assert sources[1] == "helper = 1" and "nbgrader" not in nb.cells[1].metadata
    # the added cell stays after the answer it followed; the deleted test returns to its place after it
    assert nb.cells[3].source.startswith("pass") and "nbgrader" not in nb.cells[3].metadata
    assert (
        "BEGIN HIDDEN TESTS" in nb.cells[4].source
        and nb.cells[4].metadata["nbgrader"]["grade_id"] == "q1_tests"
    )
    assert any("'bonus', which does not exist" in f for f in findings)
    assert any("locked cell 'q1_tests' was deleted" in f for f in findings)
    assert len({c.id for c in nb.cells}) == len(nb.cells)


def test_restore_ignores_changed_points_and_kinds():
    release, masters = tiny_release()
    submitted = nbformat.from_dict(json.loads(json.dumps(release)))
    submitted.cells[1].metadata["nbgrader"].update(grade=True, points=50)
    nb, findings = RestoreFromSource(masters, release, "t")(submitted)
    assert "points" not in nb.cells[1].metadata["nbgrader"]
    assert any("metadata changed" in f for f in findings)


def test_restore_refuses_a_release_that_does_not_match_its_masters():
    release, masters = tiny_release()
    masters["q1_tests"] = "assert double(2) == 5"
    with pytest.raises(ReleaseMismatch):
        RestoreFromSource(masters, release, "t")


def test_restore_output_is_deterministic():
    release, masters = tiny_release()
    submitted = nbformat.from_dict(json.loads(json.dumps(release)))
    submitted.cells.append(_code(None, "x = 1"))
    submitted.cells.append(_code(None, "y = 2"))
    restore = RestoreFromSource(masters, release, "t")
    assert restore(submitted)[0] == restore(submitted)[0]


# -- reading submissions -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty file"),
        (b'{"cells": [', "not valid JSON (line 1"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b'{"metadata": {}}', "not a Jupyter notebook"),
        (b'{"cells": [{"cell_type": "weird", "source": ""}]}', "cell 1 is not a notebook cell"),
    ],
)
def test_unreadable_submissions_say_why(tmp_path, content, reason):
    path = tmp_path / "ps1.ipynb"
    path.write_bytes(content)
    with pytest.raises(SubmissionError, match=reason.replace("(", r"\(")):
        read_submission(path)


def test_a_missing_notebook_names_what_was_found(tmp_path):
    (tmp_path / "PS1 final.ipynb").write_text("{}")
    with pytest.raises(SubmissionError, match=r"missing file ps1.ipynb \(found: PS1 final.ipynb\)"):
        read_submission(tmp_path / "ps1.ipynb")


# -- secrets ---------------------------------------------------------------------------------------
def test_secrets_are_the_lines_only_found_inside_regions():
    source = nbformat.v4.new_notebook(
        cells=[
            _code(
                "a",
                "def f():\n    ### BEGIN SOLUTION\n    return compute_the_answer(42)\n    ### END SOLUTION",
                solution=True,
            ),
            _code(
                "t",
                "assert f() == 42\n### BEGIN HIDDEN TESTS\nassert f() + 1 == 43  # hidden\n### END HIDDEN TESTS",
                grade=True,
                locked=True,
                points=1,
            ),
            nbformat.v4.new_markdown_cell("Hint: `return compute_the_answer(42)` is not allowed."),
        ]
    )
    secrets = Secrets.of(source)
    assert "assert f() + 1 == 43  # hidden" in secrets.lines
    assert "return compute_the_answer(42)" not in secrets.lines  # quoted in the public text


def test_a_hidden_test_line_that_repeats_the_solution_is_not_a_hidden_secret():
    source = nbformat.v4.new_notebook(
        cells=[
            _code("a", "### BEGIN SOLUTION\nvalue = compute_it(1, 2)\n### END SOLUTION", solution=True),
            _code(
                "t",
                "### BEGIN HIDDEN TESTS\nvalue = compute_it(1, 2)\nassert value == expected_value\n"
                "### END HIDDEN TESTS",
                grade=True,
                locked=True,
                points=1,
            ),
        ]
    )
    hidden = Secrets.of(source, kinds=("hidden test",)).lines
    assert list(hidden) == ["assert value == expected_value"]  # the student may well write the other line
    assert "value = compute_it(1, 2)" in Secrets.of(source).lines  # but it never belongs in the release


def test_leaks_name_the_cell():
    source = nbformat.v4.new_notebook(
        cells=[
            _code(
                "t",
                "x = 1\n### BEGIN HIDDEN TESTS\nassert secret_function() == 3\n### END HIDDEN TESTS",
                grade=True,
                locked=True,
                points=1,
            )
        ]
    )
    released = nbformat.v4.new_notebook(
        cells=[_code("t", "x = 1\nassert secret_function() == 3", grade=True)]
    )
    found = leaks(released, Secrets.of(source))
    assert found and "cell 't'" in found[0] and "hidden test" in found[0]
    released.cells[0].source = "x = 1"
    released.cells[0].outputs = [nbformat.v4.new_output("stream", text="assert secret_function() == 3")]
    assert any("(output)" in f for f in leaks(released, Secrets.of(source)))


# -- the static check ------------------------------------------------------------------------------
TESTS = [
    "assert sorted(absent(p)) == sorted(set(expected))\nassert len(x) == 2",
    "import pandas as pd\nassert isinstance(f(), pd.Series)",
]
ANSWERS = ["def absent(p):\n    return sorted(p)\n\nx = [1, 2]"]


def scan(code, answers=ANSWERS, given="import numpy as np"):
    nb = nbformat.v4.new_notebook(cells=[_code("setup", given, locked=True), _code(None, code)])
    return ScanStudentCode(TESTS, answers)(nb, [1])


@pytest.mark.parametrize(
    "code, finding",
    [
        ("import builtins\nbuiltins.len = lambda x: 2", "assigns `builtins.len`"),
        ("len = lambda x: 2", "rebinds `len`"),
        ("def sorted(x):\n    return x", "rebinds `sorted`"),
        ("get_ipython().showtraceback = lambda *a: None", "assigns `get_ipython().showtraceback`"),
        ("ip = get_ipython()\nip.run_cell = None", "assigns `ip.run_cell`"),
        ("np.testing.assert_allclose = print", "assigns `np.testing.assert_allclose`"),
        ("setattr(np, 'isclose', lambda *a: True)", "calls setattr()"),
        ("__builtins__['len'] = None", "writes into `__builtins__"),
        ("import sys\nsys.settrace(lambda *a: None)", "installs a hook"),
        ("exec('x' + '=1')", "runs dynamically built code"),
        ("vars(__import__('builtins')).update(len=None)", "changes `vars()` with .update()"),
        ("import ctypes", "imports ctypes"),
        ("from numpy import *", "star-imports"),
        ("def f():\n    global set\n    set = list", "rebinds `set`"),
    ],
)
def test_scan_flags_tampering(code, finding):
    found = scan(code)
    assert any(finding in f for f in found), found


@pytest.mark.parametrize(
    "code",
    [
        "def absent(p):\n    return [n for n in p if n]\n\nx = [3, 4]",  # the answers themselves
        "import numpy as np\nimport pandas as pd\nlength = len([1])",  # same imports as the master
        "pd.options.display.max_rows = 10",  # a display option
        "def helper(values):\n    len = 3\n    return values",  # a local name
        "class Thing:\n    pass\nThing.size = 3",  # the student's own class
        "%matplotlib inline\nresult = sorted([2, 1])",  # IPython syntax
    ],
)
def test_scan_accepts_honest_code(code):
    assert scan(code, given="import numpy as np\nimport pandas as pd") == []


def test_scan_finds_nothing_in_the_course_reference_solutions():
    from pathlib import Path

    from course.grading.notebooks import is_solution, is_test, read_notebook

    root = Path(__file__).resolve().parent.parent / "assignments" / "source"
    for path in sorted(root.glob("*/*.ipynb")):
        nb = read_notebook(path)
        tests = [c.source for c in nb.cells if is_test(c)]
        answers = [c.source for c in nb.cells if c.cell_type == "code" and is_solution(c)]
        student = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and is_solution(c)]
        assert ScanStudentCode(tests, answers)(nb, student) == [], path.name


# -- verdicts ------------------------------------------------------------------------------------------
def _graded_nb():
    return nbformat.v4.new_notebook(
        cells=[
            _code("a1", "x = 1", solution=True),
            _code("t1", "assert x == 1", grade=True, locked=True, points=1),
            _code("a2", "while True: pass", solution=True),
            _code("t2", "assert True", grade=True, locked=True, points=1),
        ]
    )


def _outcome(nb):
    from nbgrader.utils import determine_grade

    return [determine_grade(c)[0] for c in nb.cells if c.metadata["nbgrader"].get("grade")]


def test_nothing_after_a_stop_earns_points():
    nb = _graded_nb()
    ex = Execution(
        replies={0: {"status": "ok"}, 1: {"status": "ok"}},
        stop=Stop(2, "timeout", "cell 'a2' did not finish"),
    )
    assert _outcome(nb) == [1.0, 1.0]  # what nbgrader alone would give: full marks
    ApplyVerdicts()(nb, ex, [])
    assert _outcome(nb) == [1.0, 0.0]
    assert "cell 'a2' did not finish" in nb.cells[3].outputs[0]["evalue"]


def test_an_error_reply_without_a_traceback_scores_zero():
    nb = _graded_nb()
    ex = Execution(replies={i: {"status": "ok"} for i in range(4)})
    ex.replies[1] = {"status": "error", "ename": "AssertionError"}
    ApplyVerdicts()(nb, ex, [])
    assert _outcome(nb) == [0.0, 1.0]


def test_tampering_zeroes_every_test():
    nb = _graded_nb()
    ex = Execution(replies={i: {"status": "ok"} for i in range(4)})
    ApplyVerdicts()(nb, ex, ["rebound builtins.len"])
    assert _outcome(nb) == [0.0, 0.0]


# -- progress --------------------------------------------------------------------------------------------
def test_progress_prints_one_line_per_step_when_not_a_terminal():
    import io

    out = io.StringIO()
    bar = Progress(2, "grading", stream=out, width=4)
    bar.step("a")
    bar.step("b")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("grading [##--] 1/2") and lines[1].startswith("grading [####] 2/2")


def test_remove_region():
    assert remove_region("a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS\nc", HIDDEN_TESTS) == "a\nc"


# -- out-of-kernel checks -------------------------------------------------------------------------
def _reply(text):
    return {"user_expressions": {"probe": {"status": "ok", "data": {"text/plain": repr(text)}}}}


def test_plain_data_never_keeps_the_students_objects():
    import numpy as np
    import pandas as pd

    from course.grading.plain import to_plain

    class AnyList(list):
        def __eq__(self, other):
            return True

    class Quiet(str):
        pass

    plain = to_plain(
        [
            AnyList([1]),
            Quiet("x"),
            np.int64(3),
            (1, 2),
            {"k": {1, 2}},
            float("nan"),
            pd.Series([1, None], dtype="Int64"),
            pd.Timestamp("2020-01-02"),
            pd.NaT,
        ]
    )
    assert plain[0] == {
        "$unsupported": f"{__name__}.test_plain_data_never_keeps_the_students_objects.<locals>."
        f"AnyList (redefines equality)"
    }
    assert plain[1]["$unsupported"].endswith("Quiet") and plain[2] == 3 and type(plain[2]) is int
    assert plain[3] == {"$tuple": [1, 2]} and plain[4] == {"$dict": [["k", {"$set": [1, 2]}]]}
    assert plain[5] == {"$float": "nan"} and plain[6]["$series"]["values"] == [1, {"$na": None}]
    assert plain[7] == {"$datetime": "2020-01-02T00:00:00"} and plain[8] == {"$nat": None}


def test_a_probe_answer_is_parsed_defensively():
    from course.grading.compare import parse_answer

    assert parse_answer(_reply("n1" + "[1, [2]]"), "n1", 2) == [1, [2]]
    assert "nonce" in parse_answer(_reply("n0" + "[1, 2]"), "n1", 2)
    assert "wrong number" in parse_answer(_reply("n1[1]"), "n1", 2)
    assert "nested too deeply" in parse_answer(_reply("n1" + "[" * 100_000 + "]" * 100_000), "n1", 1)
    assert "too large" in parse_answer(_reply("n1" + "x" * (9 * 2**20)), "n1", 1)
    assert "malformed" in parse_answer({"user_expressions": {}}, "n1", 1)
    raised = parse_answer({"user_expressions": {"probe": {"status": "error", "ename": "LEAKX1"}}}, "n1", 1)
    assert "raised" in raised and "LEAKX1" not in raised
    assert "malformed" in parse_answer(_reply("n1{not json"), "n1", 1)


def _fake_kernel(values: dict):
    """A client and kernel manager for ``_ask_checks``: each probe expression's answer is ``values``
    [expr] at the moment it is asked (a value may change as the 'student's code' runs); the order in
    which the expressions were asked is kept in ``asked``."""
    import ast
    import asyncio

    asked, replies = [], {}

    class Kc:
        def execute(self, code, **kwargs):
            call = ast.parse(code, mode="eval").body
            nonce, exprs = (ast.literal_eval(a) for a in call.args)
            answers = []
            for e in exprs:
                asked.append(e)
                value = values[e]
                answers.append(value() if callable(value) else value)
            replies[str(len(replies))] = {"content": _reply(nonce + json.dumps(answers))}
            return str(len(replies) - 1)

    class Client:
        kc = Kc()
        timeout = None

        async def async_wait_for_reply(self, msg_id):
            await asyncio.sleep(0)
            return replies[msg_id]

    return Client(), asked


def test_every_visible_check_is_asked_before_any_hidden_one():
    """A hidden check hands the student's code an input it has not seen; the code may keep it where a
    later cell's visible check reads it (ps3's `my_design`), and a visible rule may quote what it
    judges. All visible checks of the notebook are asked first, so none judges such a value."""
    import asyncio
    from types import SimpleNamespace

    from course.grading.compare import HIDDEN_FAIL, Check, Fail, in_asking_order
    from course.grading.execute import _ask_checks

    design = {"$dict": [["opening", 2.0]]}

    def strict(got, want):  # quotes unknown keys, as ps3's rule does for honest students
        unknown = [k for k, _ in got["$dict"] if k != "opening"]
        if unknown:
            raise Fail(f"unknown keys: {', '.join(unknown)}")
        return True

    def stash():  # the student's function, handed a hidden input, keeps it in `design`
        design["$dict"].append(["LEAKXABCDEFGH", 1])
        return 0

    checks = {
        "q1_tests": [
            Check("q1_tests", 1, "f(1)", want=0, hidden=False),
            Check("q1_tests", 2, "f(hidden_input)", want=1, hidden=True),
        ],
        "q2_tests": [Check("q2_tests", 1, "my_design", test=strict, want=None, hidden=False)],
        "q2_hidden": [Check("q2_hidden", 1, "my_design", test=strict, want=None, hidden=True)],
    }
    wanted = ["q1_tests", "q2_tests", "q2_hidden"]
    order = in_asking_order(checks, wanted)
    assert [(gid, [c.number for c in chks]) for gid, chks in order] == [
        ("q1_tests", [1]),
        ("q2_tests", [1]),
        ("q1_tests", [2]),
        ("q2_hidden", [1]),
    ]
    client, asked = _fake_kernel(
        {"f(1)": 0, "f(hidden_input)": stash, "my_design": lambda: json.loads(json.dumps(design))}
    )
    settings = SimpleNamespace(cell_timeout=10)
    results = asyncio.run(_ask_checks(client, None, order, settings, deadline=1e18))
    assert asked == ["f(1)", "my_design", "f(hidden_input)", "my_design"]
    assert results["q2_tests"].passed  # judged before the hidden input reached the student's code
    q1 = results["q1_tests"]
    assert [v.ok for v in q1.verdicts] == [True, False]  # in the cell's own order, from two requests
    assert q1.reason() == "check 2 of 2 failed: the result differs from what was expected"
    hidden = results["q2_hidden"]
    assert not hidden.passed and "LEAKX" not in hidden.reason() and HIDDEN_FAIL in hidden.reason()
    assert "LEAKXABCDEFGH" in hidden.verdicts[0].kept  # the grader keeps it; the student never sees it


def test_a_check_is_hidden_by_its_cell_unless_it_says_so():
    from course.grading.compare import checks_of_notebook

    hidden = "### BEGIN HIDDEN TESTS\nfrom course.grading.compare import *\n{}\n### END HIDDEN TESTS"
    masters = {
        "q1_tests": "assert f(1) == 0\n"
        + hidden.format('check("f(1)")\ncheck("f(2)", hidden=True)\ncheck("f(3)", cell="q1_hidden")'),
        "q1_hidden": "# hidden tests run here when graded\n" + hidden.format('check("f(4)", hidden=False)'),
    }
    release = nbformat.v4.new_notebook(
        cells=[
            _code("q1_tests", "assert f(1) == 0\n", grade=True, points=1, locked=True),
            _code("q1_hidden", "# hidden tests run here when graded\n", grade=True, points=1, locked=True),
        ]
    )
    found = checks_of_notebook(masters, release)
    assert [(c.expr, c.hidden) for c in found["q1_tests"]] == [("f(1)", False), ("f(2)", True)]
    assert [(c.expr, c.hidden) for c in found["q1_hidden"]] == [("f(3)", True), ("f(4)", False)]


def test_only_a_visible_rules_own_reason_reaches_the_student():
    from course.grading.compare import HIDDEN_FAIL, Check, Fail, judge

    def rule(got, want):
        raise Fail(f"opening must be in [0, 10]; got {got}")

    shown = judge(Check("t", 1, "d", test=rule, hidden=False), 12)
    assert shown.why == "opening must be in [0, 10]; got 12" and not shown.kept
    kept = judge(Check("t", 1, "d", test=rule, hidden=True), 31.41592653)
    assert kept.why == HIDDEN_FAIL and "31.41592653" in kept.kept
    # the grader's own words stay, hidden or not: they carry nothing of the student's
    assert (
        judge(Check("t", 1, "d", want=1, hidden=True), 2).why == "the result differs from what was expected"
    )


def test_checks_compare_with_the_reference_value_by_their_rule():
    from course.grading.compare import Check, column, judge

    exact = Check("t", 1, "f()", want=[1, 2.0, "a"])
    assert judge(exact, [1, 2.0 + 1e-12, "a"]).ok and not judge(exact, [1, 2, "b"]).ok
    # the kernel names its exceptions and classes: the verdict (in the feedback) quotes neither
    assert judge(exact, {"$error": "NotImplementedError"}).why == "raised an exception"
    assert "too large" in judge(exact, {"$error": "TooBig"}).why
    forged = judge(exact, [{"$unsupported": "x.AnyList (redefines equality)"}])
    assert not forged.ok and "redefines equality" in forged.why and "AnyList" not in forged.why
    liar = judge(exact, [{"$unsupported": "x.Liar (its __class__ claims builtins.list)"}])
    assert not liar.ok and "lies about its class" in liar.why and "Liar" not in liar.why
    frame = {"$frame": {"columns": ["id", "x"], "index": [0], "data": [["a"], [1]], "dtypes": ["s", "i"]}}
    viewed = Check("t", 1, "f()", view=lambda r: column(r, "id"), want=frame)
    assert judge(viewed, {"$frame": {"columns": ["x", "id"], "index": [5], "data": [[9], ["a"]]}}).ok
    wrong_form = judge(viewed, [1, 2])
    assert not wrong_form.ok and "wrong form" in wrong_form.why
    prop = Check(
        "t", 1, "f()", test=lambda got, want: isinstance(got, list) and len(got) == len(want), want=[1]
    )
    assert judge(prop, ["z"]).ok and not judge(prop, "z").ok


def test_every_test_cell_needs_a_check_and_the_reference_must_pass_it():
    from course.grading.compare import Reference, checks_of_notebook
    from course.grading.coursedir import CourseError

    source = nbformat.v4.new_notebook(
        cells=[
            _code(
                "q1_answer",
                "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
                solution=True,
            ),
            _code(
                "q1_tests",
                "assert double(2) == 4\n### BEGIN HIDDEN TESTS\nfrom course.grading.compare import *\n"
                "check('double(-3)')\ncheck('double(0.5)', test=lambda got, want: got == want)\n"
                "### END HIDDEN TESTS",
                grade=True,
                locked=True,
                points=1,
            ),
        ]
    )
    masters = {"q1_tests": source.cells[1].source}
    ref = Reference(source, "t")
    checks = checks_of_notebook(masters, source, ref.namespace)
    ref.fill(checks)
    assert [c.want for c in checks["q1_tests"]] == [-6, 1.0]
    with pytest.raises(CourseError, match="has no out-of-kernel check"):
        checks_of_notebook({"q1_tests": "assert double(2) == 4"}, source, ref.namespace)
    bad = {
        "q1_tests": "### BEGIN HIDDEN TESTS\nfrom course.grading.compare import check\ncheck('double(None)')\n"
        "### END HIDDEN TESTS"
    }
    with pytest.raises(CourseError, match="reference solution fails"):
        ref.fill(checks_of_notebook(bad, source, ref.namespace))


def test_perturbed_inputs_are_the_same_in_every_process_and_differ_from_the_visible_ones():
    from course.grading.inputs import table

    a, b = (
        table("events", seed=21, drop=0.25, keep=("helsinki-final-act",)),
        table("events", seed=21, drop=0.25),
    )
    again = table("events", seed=21, drop=0.25, keep=("helsinki-final-act",))
    assert a.equals(again) and "helsinki-final-act" in set(a["id"])
    plain = table("events")
    assert len(a) < len(plain) and list(a.index) != list(range(len(a)))
    shifted = table("events", seed=1, shift_days=3)
    assert (shifted.set_index("id")["date"] - plain.set_index("id")["date"]).dt.days.eq(3).all()
    assert len(b) > 0


def test_feedback_leak_check_sees_hidden_lines_in_every_encoding():
    import base64
    import codecs

    from course.grading.feedback import encoded_leaks

    line = "check(\"absent_states(inputs.table('participants', seed=12))\")"
    secrets = Secrets(
        {line: "hidden test in cell 'q2_hidden'", "assert _helper_value == 42 * _x": "hidden test"}
    )
    everything = f"In [3]: x = 1\n{line}\nprint('done')\n"
    samples = {
        "base64": base64.b64encode(everything.encode()).decode(),
        "base64, shifted": base64.b64encode(("ab" + everything).encode()).decode(),
        "hex": everything.encode().hex(),
        "rot13": codecs.encode(everything, "rot13"),
        "reversed": everything[::-1],
        "spaced": " ".join(everything),
        "dotted": ".".join(everything),
        "base64 of reversed": base64.b64encode(everything[::-1].encode()).decode(),
    }
    for name, payload in samples.items():
        found = encoded_leaks(f"Your output:\n{payload}\nend", secrets)
        assert [f[0] for f in found] == [line], (name, found)
    honest = "Visible tests passed.\n" + base64.b64encode(b"an honest student's own picture").decode()
    assert encoded_leaks(honest, secrets) == []


def test_feedback_leak_check_does_not_mistake_a_visible_line_for_a_hidden_one():
    from course.grading.feedback import encoded_leaks

    secrets = Secrets({"check(\"mean_payoffs('reciprocator', runs=10, seed=1)\",": "hidden test"})
    visible = 'check = mean_payoffs("reciprocator", runs=10, seed=1)'
    assert encoded_leaks(f"In the cell: {visible}", secrets, public=visible) == []
    assert encoded_leaks(f"In the cell: {visible}", secrets) != []  # without knowing it is public


def test_an_object_that_lies_about_its_class_is_named_not_converted():
    from course.grading.compare import Check, judge
    from course.grading.plain import to_plain

    class Liar:
        @property
        def __class__(self):
            return list

        def __iter__(self):
            return iter(["Albania"])

    assert isinstance(Liar(), list)
    got = to_plain(Liar())
    assert "$unsupported" in got and "claims builtins.list" in got["$unsupported"], got
    verdict = judge(Check("q_tests", 1, "x", want=["Albania"]), got)
    assert not verdict.ok and "lies about its class" in verdict.why
    assert to_plain(["Albania"]) == ["Albania"]  # an honest list is plain data


@pytest.mark.parametrize("jail", ["bubblewrap", "builtin"])
def test_doctor_names_what_builds_the_jail(jail, monkeypatch):
    import sys

    from course.grading import doctor
    from course.grading.isolation import bwrap_path, probe

    if sys.platform != "linux" or probe("namespaces", 61000, jail):
        pytest.skip(f"{jail} cannot build a jail here")
    if jail == "bubblewrap" and not bwrap_path():
        pytest.skip("bubblewrap is not installed")
    monkeypatch.setenv("COURSE_GRADING_JAIL", jail)
    checks = {c.name: c for c in doctor.check_isolation(None)}
    assert checks["isolation"].ok and jail.replace("builtin", "own launcher") in checks["isolation"].detail
    expected = "bubblewrap builds each jail" if jail == "bubblewrap" else "own launcher builds each jail"
    assert expected in checks["sandbox"].detail, checks["sandbox"]


def test_shared_engine_is_one_engine_while_open_and_restores_nbgrader(tmp_path, monkeypatch):
    import os
    import sys

    import nbgrader.api as api
    from nbgrader.api import Gradebook

    from course.grading.gradebook import SharedEngine

    # a new gradebook asks alembic, from PATH, for its version
    monkeypatch.setenv("PATH", f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}")
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    original = api.create_engine
    with SharedEngine(url) as shared:
        with Gradebook(url) as first:
            first.add_student("s1")
        with Gradebook(url) as second:  # a closed gradebook left the shared engine usable
            assert second.engine is first.engine is shared.engine
            assert [s.id for s in second.students] == ["s1"]
        other = tmp_path / "other.db"
        with Gradebook(f"sqlite:///{other}") as elsewhere:  # another database gets its own engine
            assert elsewhere.engine is not shared.engine
    assert api.create_engine is original
    with Gradebook(url) as a, Gradebook(url) as b:
        assert a.engine is not b.engine
        assert [s.id for s in a.students] == ["s1"]

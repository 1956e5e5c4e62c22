"""`import course` defers rfc3987_syntax's grammar (course/startup.py), and nothing else changes.

Every check runs in a fresh interpreter: pytest itself (nbmake, nbformat) has
already imported jsonschema, and the stand-in only goes in before that.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# IRIs and IRI references, good and bad; the real grammar decides which is which.
CASES = [
    "http://example.com/path?q=1#frag",
    "https://例え.テスト/パス",
    "http://user@[2001:db8::1]:8080/x",
    "urn:isbn:0451450523",
    "http://[bad",
    "http://exa mple.com",
    "not an iri at all",
    "//example.com/relative",
    "../up/one?x",
    "#only-a-fragment",
    "http://example.com/%zz",
    "",
]

VALIDATE = """
from jsonschema import Draft202012Validator, FormatChecker
checker = FormatChecker()
answers = {}
for fmt in ("iri", "iri-reference"):
    v = Draft202012Validator({"format": fmt}, format_checker=checker)
    answers[fmt] = [v.is_valid(case) for case in CASES]
"""


def run(code: str, *, env: dict | None = None, cwd: Path = REPO) -> dict:
    """Run ``code`` in a fresh interpreter; it leaves its findings in ``out``, returned as a dict."""
    program = f"import json, sys\nout = {{}}\nCASES = {json.dumps(CASES)}\n{code}\nprint(json.dumps(out))"
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, cwd=cwd, env=full_env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def real_answers() -> dict:
    """The answers of jsonschema's IRI checks on the untouched stack."""
    return run(
        VALIDATE + "out['answers'] = answers\nout['course'] = 'course' in sys.modules",
        env={"COURSE_NO_STANDINS": "1"},
    )


def test_the_first_figure_no_longer_builds_the_grammar():
    """In a lesson's order: the stack, then course, then a figure rendered as a lesson does."""
    out = run(
        textwrap.dedent("""
        import pandas as pd
        import plotly.express as px
        import plotly.graph_objects as go
        import ipywidgets as ipw
        out['jsonschema_before_course'] = 'jsonschema' in sys.modules
        import course
        fig = px.bar(x=["a", "b"], y=[1, 2])
        out['jsonschema_before_show'] = 'jsonschema' in sys.modules
        fig.show(renderer="json")  # imports plotly.io._renderers, so nbformat, so jsonschema
        out['rendered'] = 'plotly.io._renderers' in sys.modules
        out['jsonschema'] = 'jsonschema._format' in sys.modules
        out['stand_in'] = type(sys.modules['rfc3987_syntax']).__name__
        out['grammar_built'] = 'rfc3987_syntax.syntax_helpers' in sys.modules
        out['lark'] = 'lark' in sys.modules
    """)
    )
    assert out["jsonschema_before_course"] is False, (
        "the stack now imports jsonschema itself; nothing is deferred"
    )
    assert out["jsonschema_before_show"] is False
    assert out["rendered"] and out["jsonschema"]
    assert out["stand_in"] == "DeferredModule"
    assert out["grammar_built"] is False and out["lark"] is False


def test_iri_formats_give_the_real_answers_and_load_the_real_module():
    expected = real_answers()
    assert expected["course"] is False
    # The cases do discriminate: both formats reject some and accept some.
    for fmt, answers in expected["answers"].items():
        assert True in answers and False in answers, fmt
    out = run(
        "import course\n"
        + VALIDATE
        + textwrap.dedent("""
        out['answers'] = answers
        import rfc3987_syntax
        out['now'] = type(rfc3987_syntax).__name__
        out['parser'] = hasattr(rfc3987_syntax, 'syntax_parser')
        out['installed'] = course._startup.installed
    """)
    )
    assert out["installed"] is True
    assert out["answers"] == expected["answers"]
    assert out["now"] == "module" and out["parser"], "after first use sys.modules holds the real module"


def test_a_bad_and_a_good_iri_through_format_checker():
    out = run(
        textwrap.dedent("""
        import course
        import jsonschema
        from jsonschema import FormatChecker
        out['stand_in'] = type(sys.modules['rfc3987_syntax']).__name__
        checker = FormatChecker()
        checker.check("http://example.com/ä?x=1", "iri")
        checker.check("../a/b", "iri-reference")
        try:
            checker.check("http://[bad", "iri")
            out['bad'] = 'accepted'
        except jsonschema.FormatError as e:
            out['bad'] = str(e)
        try:
            jsonschema.validate("a b c", {"format": "iri"}, format_checker=checker)
            out['validate'] = 'accepted'
        except jsonschema.ValidationError as e:
            out['validate'] = e.message
    """)
    )
    assert out["stand_in"] == "DeferredModule"
    assert out["bad"] == "'http://[bad' is not a 'iri'"
    assert out["validate"] == "'a b c' is not a 'iri'"


def test_the_names_jsonschema_imports_are_served_without_loading():
    """The stand-in serves what jsonschema imports from rfc3987_syntax, and the real module still has it."""
    import jsonschema._format as fmt
    import rfc3987_syntax

    from course import startup

    tree = ast.parse(Path(fmt.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == startup.RFC3987
        for alias in node.names
    }
    assert imported == {"is_valid_syntax"}
    assert callable(rfc3987_syntax.is_valid_syntax)
    assert rfc3987_syntax.is_valid_syntax("iri", "http://example.com") is True
    assert rfc3987_syntax.is_valid_syntax("iri", "http://[bad") is False
    spec = rfc3987_syntax.__spec__
    assert startup._known_rfc3987_layout(spec), (
        "rfc3987_syntax changed layout: the stand-in is no longer installed"
    )
    stand_in = startup.DeferredModule(spec, proxies=tuple(imported))
    assert set(imported) <= set(vars(stand_in)) and stand_in.__dict__["_deferred_real"] is None


def test_other_names_and_submodules_load_the_real_module():
    out = run(
        textwrap.dedent("""
        import course
        import rfc3987_syntax
        from rfc3987_syntax import make_syntax_validator
        out['after_from'] = type(sys.modules['rfc3987_syntax']).__name__
        out['validator'] = make_syntax_validator('iri')('http://example.com')
        out['parse'] = rfc3987_syntax.parse('iri', 'http://example.com').data
        import rfc3987_syntax.utils as utils
        out['utils'] = callable(utils.load_grammar)
    """)
    )
    assert out == {"after_from": "module", "validator": True, "parse": "iri", "utils": True}


def test_submodule_first_still_works():
    out = run(
        textwrap.dedent("""
        import course
        import rfc3987_syntax.syntax_helpers as helpers
        out['ok'] = helpers.is_valid_syntax('iri', 'http://example.com')
        out['bad'] = helpers.is_valid_syntax('iri', 'http://[bad')
    """)
    )
    assert out == {"ok": True, "bad": False}


def test_nothing_is_installed_when_jsonschema_came_first():
    out = run(
        textwrap.dedent("""
        import jsonschema
        import course
        out['installed'] = course._startup.installed
        out['module'] = type(sys.modules['rfc3987_syntax']).__name__
    """)
    )
    assert out == {"installed": False, "module": "module"}


def test_opt_out_leaves_the_stack_untouched():
    out = run(
        "import course\nout['installed'] = course._startup.installed\n"
        "out['present'] = 'rfc3987_syntax' in sys.modules",
        env={"COURSE_NO_STANDINS": "1"},
    )
    assert out == {"installed": False, "present": False}


def test_absent_rfc3987_syntax_means_normal_behaviour():
    """Without the package, jsonschema registers no IRI check; with the course, still none."""
    out = run(
        "sys.modules['rfc3987_syntax'] = None  # as if not installed\n"
        "import course\nout['installed'] = course._startup.installed\n"
        "from jsonschema import FormatChecker\nout['iri'] = 'iri' in FormatChecker.checkers\n"
        "out['hostname'] = 'hostname' in FormatChecker.checkers"
    )
    assert out == {"installed": False, "iri": False, "hostname": True}


def _fake_package(root: Path, init: str, helpers: str) -> Path:
    pkg = root / "rfc3987_syntax"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(init)
    (pkg / "syntax_helpers.py").write_text(helpers)
    return root


def test_an_unknown_layout_is_left_alone(tmp_path):
    """A future rfc3987_syntax laid out differently: no stand-in; jsonschema uses the package as is."""
    root = _fake_package(
        tmp_path, "def is_valid_syntax(term, value):\n    return value.startswith('ok:')\n", ""
    )
    out = run(
        f"sys.path.insert(0, {str(root)!r})\nimport course\nout['installed'] = course._startup.installed\n"
        + "from jsonschema import Draft202012Validator, FormatChecker\n"
        "v = Draft202012Validator({'format': 'iri'}, format_checker=FormatChecker())\n"
        "out['answers'] = [v.is_valid(x) for x in ('ok:1', 'no')]"
    )
    assert out == {"installed": False, "answers": [True, False]}


def test_a_real_module_that_fails_at_first_use_is_treated_as_absent(tmp_path):
    """The known layout, but the import fails later: the IRI check passes everything, as without the module."""
    root = _fake_package(
        tmp_path,
        "from .syntax_helpers import *\n",
        "import lark_that_is_missing\n\ndef is_valid_syntax(term: str, value: str):\n    return False\n",
    )
    code = (
        f"sys.path.insert(0, {str(root)!r})\nimport course\nout['installed'] = course._startup.installed\n"
        + VALIDATE
        + "out['answers'] = answers\n"
    )
    with_course = run(code)
    without = run(code, env={"COURSE_NO_STANDINS": "1"})
    assert with_course["installed"] is True and without["installed"] is False
    assert (
        with_course["answers"]
        == without["answers"]
        == {f: [True] * len(CASES) for f in ("iri", "iri-reference")}
    )


@pytest.mark.slow
def test_benchmark_runs_in_quick_mode():
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_course.py"), "--quick"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for line in (
        "ratio lessons/floor per round:",
        "ratio lessons/floor: median",
        "ratio lessons/empty: median",
        "course imports per lesson",
        "peak kernel memory",
    ):
        assert line in proc.stdout, proc.stdout

"""Formgrader's page of a submission runs none of the student's HTML (course/grading/safehtml.py).

The notebook is rendered the way Formgrader renders it (nbconvert's HTMLExporter, nbgrader's
``formgrade`` template) with the course's own nbgrader_config.py. The control renders it with that
configuration minus the course's preprocessor: the same payloads are then live, so the check can
fail. The end-to-end version (course grade, a real Formgrader, Chromium) is
tests/browser/test_formgrader_xss.py."""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat
import pytest
from grading_fixtures.xss import MARKDOWN_ANSWER, all_markers, live_payloads
from nbconvert.exporters import HTMLExporter
from nbgrader.server_extensions.formgrader import handlers
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from course.grading.safehtml import FIGURE_NOTE, PLOTLY, InertStudentContent, inert_markdown

CONFIG = Path(__file__).resolve().parents[1] / "assignments" / "nbgrader_config.py"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()
RESOURCES = dict(
    assignment_id="ps1", notebook_id="ps1", submission_id="s", index=0, total=1, base_url="",
    student="mallory", last_name="", first_name="", notebook_path="",
)  # fmt: skip


def _hostile_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    answer = nbformat.v4.new_markdown_cell(MARKDOWN_ANSWER + "\n\n![figure](attachment:f.png)")
    answer.attachments = {"f.png": {"image/png": PNG}}
    answer.metadata["nbgrader"] = {
        "grade": True, "solution": True, "locked": False, "grade_id": "q4_written", "points": 2,
        "schema_version": 3,
    }  # fmt: skip
    code = nbformat.v4.new_code_cell("answer()")
    out = nbformat.v4.new_output
    code.outputs = [
        out("display_data", data={"text/html": "<b>shown</b><script>window.PWN_out_script=1</script>"}),
        out("display_data", data={"text/html": "<img src=x onerror='window.PWN_out_img=1'>"}),
        out("display_data", data={"application/javascript": "window.PWN_out_js=1"}),
        out("display_data", data={"text/markdown": "<img src=x onerror='window.PWN_out_md=1'>"}),
        out("display_data", data={"image/svg+xml": "<svg><script>window.PWN_out_svg=1</script></svg>"}),
        out(
            "display_data",
            data={PLOTLY: {"data": []}, "text/html": "<script>window.PWN_out_plotly=1</script>"},
        ),
        out("stream", name="stdout", text="<script>window.PWN_out_stream=1</script>\n"),
    ]
    nb.cells += [answer, code]
    widget = {"state": {"w": {"state": {"value": "<img src=x onerror='window.PWN_widget=1'>"}}}}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": widget}
    return nb


def _course_config(*, without_preprocessor: bool = False) -> Config:
    cfg = PyFileConfigLoader(CONFIG.name, str(CONFIG.parent)).load_config()
    # what nbgrader's Formgrader adds to it (FormgradeExtension.build_extra_config)
    cfg.HTMLExporter.template_name = "formgrade"
    cfg.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    if without_preprocessor:
        cfg.HTMLExporter.preprocessors = []
    return cfg


def _render(cfg: Config, nb) -> str:
    html, _ = HTMLExporter(config=cfg).from_notebook_node(nb, resources=dict(RESOURCES))
    return html


def test_the_course_configuration_runs_the_preprocessor():
    assert "course.grading.safehtml.InertStudentContent" in _course_config().HTMLExporter.preprocessors


def test_doctor_fails_a_course_whose_formgrader_would_run_student_scripts(tmp_path):
    from grading_fixtures.commands import course, new_course

    c = new_course(tmp_path / "course", "ps1")
    line = 'c.HTMLExporter.preprocessors = ["course.grading.safehtml.InertStudentContent"]'
    name = "Formgrader shows students' HTML as text"
    r = course("--course-dir", c, "doctor", "--jupyter-root", tmp_path)
    assert f"ok   {name}: a submission's HTML and scripts are shown, never run" in r.out.splitlines(), r.out
    config = c / "nbgrader_config.py"
    config.write_text(config.read_text().replace(line, ""))
    r = course("--course-dir", c, "doctor", "--jupyter-root", tmp_path)
    lines = r.out.splitlines()
    at = lines.index(
        f"FAIL {name}: a script in a student's answer or output would run in your Formgrader session"
    )
    assert line in lines[at + 2] and r.rc != 0, r.out


def test_formgrader_page_of_a_hostile_submission_runs_nothing_and_shows_the_answer():
    nb = _hostile_notebook()
    html = _render(_course_config(), nb)
    assert live_payloads(html) == set(), sorted(live_payloads(html))
    # the answer is still there to read and grade
    assert "Principle VII binds the signatories" in html
    assert "<strong>bold</strong> stays bold." in html
    assert (
        "kept &lt;b&gt;as code&lt;/b&gt;\n\nafter a blank line" in html
    )  # the code block keeps its blank line
    assert f'src="data:image/png;base64,{PNG}"' in html  # the attached image is shown
    assert "&lt;img src=x onerror=" in html  # the student's raw HTML is shown as text
    assert FIGURE_NOTE in html and "PWN_out_plotly" not in html
    assert "PWN_widget" not in html
    # the file's own notebook is not changed: only the copy that becomes HTML
    assert nb.cells[0].source.startswith(MARKDOWN_ANSWER)


def test_control_without_the_preprocessor_the_same_page_runs_the_payloads():
    """nbconvert's sanitize_html alone leaves nbgrader's Markdown block and javascript: links live."""
    html = _render(_course_config(without_preprocessor=True), _hostile_notebook())
    live = live_payloads(html)
    assert {"PWN_md_img", "PWN_md_script", "PWN_md_toggle", "PWN_md_link", "PWN_md_ref"} <= live, sorted(live)


@pytest.mark.parametrize(
    "source",
    [
        "<a href='javascript:window.PWN_a=1'>x</a>",
        "<iframe srcdoc='<script>window.PWN_f=1</script>'></iframe>",
        "[x](JaVaScRiPt:window.PWN_case=1)",
        "[x](  javascript:window.PWN_space=1)",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<svg onload=window.PWN_svg=1>",
        "```html\n<script>window.PWN_fence=1</script>\n```",
        "    <script>window.PWN_indent=1</script>",
        "> <img src=x onerror=window.PWN_quote=1>",
        "| a |\n|---|\n| <img src=x onerror=window.PWN_table=1> |",
    ],
)
def test_inert_markdown_leaves_no_live_markup(source):
    html = inert_markdown(source)
    assert live_payloads(html) == set(), html
    assert "<script" not in html.lower() and "<iframe" not in html.lower() and "<svg" not in html.lower()


def test_markers_are_found_by_the_detector():
    """The detector itself finds live markup (else the tests above could not fail)."""
    page = "<script>window.PWN_a=1</script><img onerror='window.PWN_b=1'><a href='javascript:window.PWN_c=1'>x</a>"
    assert live_payloads(page) == {"PWN_a", "PWN_b", "PWN_c"} == all_markers(page)
    assert live_payloads("&lt;script&gt;window.PWN_d=1&lt;/script&gt;") == set()


def test_preprocessor_drops_widget_state_and_scripts_from_outputs():
    nb, _ = InertStudentContent().preprocess(_hostile_notebook(), {})
    assert "widgets" not in nb.metadata
    kinds = [sorted(o.get("data", {})) for o in nb.cells[1].outputs if o.output_type == "display_data"]
    assert ["application/javascript"] not in kinds and all("image/svg+xml" not in k for k in kinds)
    notes = [o.data.get("text/plain") for o in nb.cells[1].outputs if o.output_type == "display_data"]
    assert "(an output this view does not show: application/javascript)" in notes
    assert "(an output this view does not show: image/svg+xml)" in notes

"""Formgrader and feedback show what a student wrote or printed; they never run it.

Formgrader renders ``autograded/<student>/<ps>/*.ipynb`` to HTML (nbconvert's ``HTMLExporter``)
and serves the page from the instructor's own Jupyter server. Whatever HTML that page carries runs
with the instructor's session: a student's ``<img onerror=…>`` in a written answer, or an
``application/javascript`` output of their code, could call the server's API (start a kernel,
run code as the instructor, rewrite the gradebook). nbconvert's ``sanitize_html`` does not cover
it: nbgrader's ``formgrade`` template renders Markdown cells with its own block, which skips the
sanitizer, and nbconvert renders Markdown links with ``javascript:`` targets as live links.

:class:`InertStudentContent` is one preprocessor, run on the in-memory copy that becomes HTML (the
file on disk is never changed, so nothing the student wrote is lost):

* a Markdown cell is rendered here with raw HTML escaped and harmful link targets
  (``javascript:``, ``data:`` other than images, ``vbscript:``, ``file:``) replaced, and the
  template receives that HTML, which it passes through as is;
* code outputs go through nbconvert's own :class:`~nbconvert.preprocessors.SanitizeHTML`
  (scripts removed, HTML bleached), after a plotly figure is replaced by a line saying where to
  see it (its HTML is a script and would otherwise show as a wall of escaped text);
* saved widget state, which nbconvert's templates can hand to a widget renderer, is dropped.

``assignments/nbgrader_config.py`` adds it to ``c.HTMLExporter.preprocessors``, which Formgrader's
exporter and ``course feedback`` both read.
"""

from __future__ import annotations

from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors.sanitize import SanitizeHTML

PLOTLY = "application/vnd.plotly.v1+json"
FIGURE_NOTE = "(a plotly figure: it is drawn when the notebook is opened in JupyterLab, not in this view)"


def inert_markdown(source: str, attachments: dict | None = None) -> str:
    """Markdown as HTML, with the author's raw HTML shown as text and harmful links removed."""
    renderer = IPythonRenderer(
        escape=True, allow_harmful_protocols=False, exclude_anchor_links=True, attachments=attachments or {}
    )
    html = MarkdownWithMath(renderer=renderer).render(source)
    # one HTML block, so the template's own Markdown pass keeps it as is: a blank line would end the block,
    # so each one (only inside <pre> can it matter) becomes a newline character reference, which <pre> shows
    return '<div class="course-inert">' + html.replace("\n\n", "\n&#10;") + "</div>"


def _figure_as_note(output) -> None:
    data = output.get("data")
    if data and PLOTLY in data:
        output["data"] = {"text/plain": FIGURE_NOTE}


class InertStudentContent(SanitizeHTML):
    """nbgrader-style preprocessor: the HTML of a notebook holds nothing that runs."""

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "markdown":
            cell.source = inert_markdown(cell.source, cell.get("attachments"))
            cell.pop("attachments", None)  # now inside the HTML as data URIs
        elif cell.cell_type == "code":
            kinds = []
            for output in cell.get("outputs", []):
                _figure_as_note(output)
                kinds.append(sorted(output.get("data", {})))
            cell.outputs = self.sanitize_code_outputs(cell.outputs)
            for output, before in zip(cell.outputs, kinds):
                if "data" in output and not set(output["data"]) - {"metadata"}:
                    output["data"] = {
                        "text/plain": f"(an output this view does not show: {', '.join(before)})"
                    }
        else:
            cell.source = self.sanitize_html_tags(cell.source)
        return cell, resources
